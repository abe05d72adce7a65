//! The offline engine listening to briefs, through the real binary against one `dev serve`:
//! every brief of tests/data/briefs.yaml is created from a file, read back, and talked to once.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use serde_json::Value;

use crate::common::{Outcome, TestEnv};

const CORPUS: &str = include_str!("../data/briefs.yaml");

/// How many commands run at once.
const WORKERS: usize = 4;

/// What a brief must carry (see the corpus file's header).
#[derive(Deserialize)]
struct Expected {
    brief: String,
    age: Age,
    gender: Option<String>,
    name: Option<String>,
    occupation: String,
    place: String,
    #[serde(rename = "trait")]
    voice: String,
    #[serde(default)]
    leans: Vec<String>,
    #[serde(default)]
    not_voice: Vec<String>,
    language: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Age {
    Exactly(u64),
    Between([u64; 2]),
}

impl Expected {
    fn language(&self) -> &str {
        self.language.as_deref().unwrap_or("en")
    }
}

/// The messages English personas are asked, one each in turn.
const MESSAGES: [&str; 10] = [
    "Hello there!",
    "Where do you live?",
    "How old are you?",
    "What do you do for a living?",
    "What do you fear?",
    "Tell me about your favourite place.",
    "What do you think about the sea?",
    "Who are you?",
    "Where are you from?",
    "Why do you get up in the morning?",
];

/// Where-questions in the other languages, and how the reply must begin and say the place.
fn foreign_exchange(language: &str) -> (&'static str, &'static str, &'static str) {
    match language {
        "tr" => ("Nerede yaşıyorsun?", "Adım", "Yaşadığım yer"),
        "de" => ("Wo leben Sie?", "Ich bin", "Ich lebe in"),
        "fr" => ("Où habitez-vous ?", "Je suis", "J'habite"),
        other => panic!("no exchange for {other}"),
    }
}

const THIRD_PERSON: [&str; 13] = [
    "she",
    "her",
    "hers",
    "herself",
    "he",
    "him",
    "his",
    "himself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
];

/// Runs `count` commands, `WORKERS` at a time, and returns their outcomes in order.
fn run_all(
    env: &TestEnv,
    count: usize,
    args_of: impl Fn(usize) -> Vec<String> + Sync,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let mut outcomes: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        if index >= count {
                            return done;
                        }
                        let args = args_of(index);
                        let args: Vec<&str> = args.iter().map(String::as_str).collect();
                        done.push((index, env.run(&args)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

fn text<'a>(persona: &'a Value, layer: &str, field: &str) -> &'a str {
    persona[layer][field].as_str().unwrap_or_default()
}

fn lowercase_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What the persona read back lacks of what its brief states.
fn carried(expected: &Expected, persona: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    let surface = &persona["surface"];
    let age = surface["age"].as_u64().unwrap_or_default();
    let age_fits = match expected.age {
        Age::Exactly(wanted) => age == wanted,
        Age::Between([youngest, oldest]) => (youngest..=oldest).contains(&age),
    };
    if !age_fits {
        wrong.push(format!("age {age}"));
    }
    for (field, wanted) in [
        ("occupation", Some(&expected.occupation)),
        ("place", Some(&expected.place)),
        ("name", expected.name.as_ref()),
    ] {
        if let Some(wanted) = wanted
            && surface[field].as_str() != Some(wanted.as_str())
        {
            wrong.push(format!("{field} {}", surface[field]));
        }
    }
    let register = persona["mask"]["voice"]["register"]
        .as_str()
        .unwrap_or_default();
    if !register.contains(&expected.voice) {
        wrong.push(format!("register {register:?} lacks {:?}", expected.voice));
    }
    for contrary in &expected.not_voice {
        if register.contains(contrary.as_str()) {
            wrong.push(format!("register {register:?} holds {contrary:?}"));
        }
    }
    for lean in &expected.leans {
        let (key, direction) = lean.split_at(1);
        let score = persona["self"]["big_five"][key].as_f64().unwrap_or(0.5);
        let leans = if direction == "+" {
            score > 0.55
        } else {
            score < 0.45
        };
        if !leans {
            wrong.push(format!("{key} = {score}"));
        }
    }
    if let Some(gender) = &expected.gender {
        let (subject, others): (&str, &[&str]) = match gender.as_str() {
            "she" => (
                "she is known",
                &["he", "him", "his", "they", "them", "their"],
            ),
            "he" => (
                "he is known",
                &["she", "her", "hers", "they", "them", "their"],
            ),
            _ => (
                "they are known",
                &["she", "her", "hers", "he", "him", "his"],
            ),
        };
        let bio = text(persona, "mask", "public_bio");
        if !bio.contains(subject) {
            wrong.push(format!("bio without {subject:?}: {bio}"));
        }
        let soul = ["core_desire", "core_fear", "wound"]
            .map(|field| text(persona, "soul", field))
            .join(" ");
        let third_person = lowercase_words(&format!("{soul} {bio}"));
        if let Some(other) = third_person
            .iter()
            .find(|word| others.contains(&word.as_str()))
        {
            wrong.push(format!("pronoun {other:?} in {soul} {bio}"));
        }
    }
    wrong
}

/// What is wrong with a reply, as the persona's first-person words.
fn seams(reply: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    let words = lowercase_words(reply);
    if let Some(pronoun) = words
        .iter()
        .find(|word| THIRD_PERSON.contains(&word.as_str()))
    {
        wrong.push(format!("third person {pronoun:?}"));
    }
    for seam in ["{", "}", "  ", " ,", " .", ": .", "«»"] {
        if reply.contains(seam) {
            wrong.push(format!("seam {seam:?}"));
        }
    }
    let question_words = ["what", "where", "when", "who", "why", "how", "which"];
    let lead_ins = ["on", "about", "as for", "when it comes to", "you ask about"];
    for sentence in reply
        .split_inclusive(['.', '!', '?'])
        .map(str::trim)
        .filter(|sentence| !sentence.is_empty())
    {
        let lower = sentence.to_lowercase();
        for lead_in in lead_ins {
            let asks = question_words
                .iter()
                .any(|question| lower.starts_with(&format!("{lead_in} {question}")));
            if asks {
                wrong.push(format!("topic seam {sentence:?}"));
            }
        }
        if !sentence.starts_with(|c: char| c.is_uppercase() || c == '¿') {
            wrong.push(format!("sentence without a capital {sentence:?}"));
        }
    }
    if !reply.trim_end().ends_with(['.', '!', '?', '»']) {
        wrong.push("no closing punctuation".to_owned());
    }
    wrong
}

#[test]
fn every_brief_of_the_corpus_is_carried_and_answered_in_the_first_person() {
    let corpus: Vec<Expected> = serde_norway::from_str(CORPUS).expect("the corpus parses");
    assert!(corpus.len() >= 40, "{} briefs", corpus.len());
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    for (index, expected) in corpus.iter().enumerate() {
        let file = format!(
            "---\nlanguage: {}\nseed: {index}\n---\n{}\n",
            expected.language(),
            expected.brief
        );
        env.write(&format!("brief-{index}.md"), &file);
    }
    let created = run_all(&env, corpus.len(), |index| {
        let file = format!("brief-{index}.md");
        let slug = format!("corpus-{index}");
        [
            "personas", "create", "-f", &file, "--slug", &slug, "--json", "--quiet",
        ]
        .map(str::to_owned)
        .to_vec()
    });
    for outcome in created {
        outcome.success();
    }
    let listed = env
        .run(&["personas", "list", "--all", "--json"])
        .success()
        .json();
    let personas = listed.as_array().expect("a list");
    let persona_of = |index: usize| {
        let slug = format!("corpus-{index}");
        personas
            .iter()
            .find(|persona| persona["slug"] == slug.as_str())
            .unwrap_or_else(|| panic!("{slug} is listed"))
    };

    let message_of = |index: usize| match corpus[index].language() {
        "en" => MESSAGES[index % MESSAGES.len()],
        other => foreign_exchange(other).0,
    };
    let replies = run_all(&env, corpus.len(), |index| {
        let slug = format!("corpus-{index}");
        ["chat", &slug, "-m", message_of(index), "--json"]
            .map(str::to_owned)
            .to_vec()
    });

    let mut failures = Vec::new();
    for (index, (expected, reply)) in corpus.iter().zip(replies).enumerate() {
        let persona = persona_of(index);
        let mut wrong = carried(expected, persona);
        let turn = reply.success().json();
        let content = turn["content"].as_str().unwrap_or_default();
        let name = persona["surface"]["name"].as_str().unwrap_or_default();
        let place = persona["surface"]["place"].as_str().unwrap_or_default();
        let message = message_of(index);
        if turn["drift"]["verdict"] != "in-character" {
            wrong.push(format!("drift {}", turn["drift"]));
        }
        if expected.language() == "en" {
            wrong.extend(seams(content));
            let occupation = expected.occupation.replace(", former ", " and former ");
            let answers = [
                (true, format!("I'm {name}, ")),
                (true, occupation.to_lowercase()),
                (message.starts_with("Where"), format!("I live in {place}.")),
                (
                    message.starts_with("How old"),
                    format!("I'm {}.", persona["surface"]["age"]),
                ),
                (message.contains("fear"), "What I dread is".to_owned()),
                (message.contains("the sea"), "the sea".to_owned()),
                (
                    message.contains("your favourite"),
                    "my favourite place".to_owned(),
                ),
            ];
            for (asked, answer) in answers {
                if asked && !content.to_lowercase().contains(&answer.to_lowercase()) {
                    wrong.push(format!("no {answer:?}"));
                }
            }
        } else {
            let (_, introduction, lives) = foreign_exchange(expected.language());
            for answer in [format!("{introduction} {name}"), format!("{lives} {place}")] {
                if !content.contains(&answer) {
                    wrong.push(format!("no {answer:?}"));
                }
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{:?}\n  {}\n  asked {message:?}: {content}",
                expected.brief,
                wrong.join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seam_checks_catch_the_seams_of_old() {
    let old = "Hm. On where, I keep one aim in sight: to pour their whole heart into nets.";
    assert_eq!(seams(old).len(), 2, "{:?}", seams(old));
    assert_eq!(
        seams("i am here . ").len(),
        2,
        "{:?}",
        seams("i am here . ")
    );
    assert!(seams("I'm Ada Quill, a lawyer in Boston. I'm 61.").is_empty());
}
