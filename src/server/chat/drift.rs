//! Drift and coherence of a reply against the persona that gave it, the same for every engine.
//! Deterministic, from the reply's text alone; see `score` for the method.

use serde_json::{Value, json};

use super::ChatMessage;
use super::text::{LANGUAGES, keywords, sentences, stopwords, words};
use crate::model::Persona;
use crate::server::english::first_person;

/// Both scores must stay under this for a reply to be in character.
pub const THRESHOLD: f64 = 0.5;

/// The scores of one reply: `voice` and `values` in [0, 1] (0 = exactly in character),
/// `coherence` from 0 to 5 (5 = coherent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drift {
    pub voice: f64,
    pub values: f64,
    pub coherence: f64,
}

impl Drift {
    pub fn in_character(&self) -> bool {
        self.voice < THRESHOLD && self.values < THRESHOLD
    }

    /// `in-character` or `out-of-character`.
    pub fn verdict(&self) -> &'static str {
        if self.in_character() {
            "in-character"
        } else {
            "out-of-character"
        }
    }

    /// `{voice, values, verdict}`, as turns carry it.
    pub fn to_json(&self) -> Value {
        json!({ "voice": self.voice, "values": self.values, "verdict": self.verdict() })
    }
}

/// Style features of a text, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feature {
    /// Words per sentence, 4 → 0 and 24 or more → 1.
    Length,
    /// Share of sentences that end with `!`.
    Exclaim,
    /// Share of sentences that end with `?`.
    Question,
    /// Hedging words per sentence, capped at 1.
    Hedge,
    /// Warm words per sentence, capped at 1.
    Warmth,
}

const FEATURES: [Feature; 5] = [
    Feature::Length,
    Feature::Exclaim,
    Feature::Question,
    Feature::Hedge,
    Feature::Warmth,
];

/// What each register word asks of the style: (word, [(feature, target)]).
const REGISTER_TARGETS: &[(&str, &[(Feature, f64)])] = &[
    ("terse", &[(Feature::Length, 0.15), (Feature::Exclaim, 0.0)]),
    ("quiet", &[(Feature::Exclaim, 0.0)]),
    ("economical", &[(Feature::Length, 0.15)]),
    ("rambling", &[(Feature::Length, 0.6)]),
    ("digressive", &[(Feature::Length, 0.55)]),
    ("loose", &[(Feature::Length, 0.5)]),
    ("improvised", &[(Feature::Length, 0.5)]),
    (
        "talkative",
        &[(Feature::Length, 0.5), (Feature::Warmth, 0.4)],
    ),
    ("animated", &[(Feature::Exclaim, 0.3)]),
    ("warm", &[(Feature::Warmth, 0.5)]),
    ("hesitant", &[(Feature::Hedge, 0.5)]),
    ("self-deprecating", &[(Feature::Hedge, 0.4)]),
    ("precise", &[(Feature::Hedge, 0.0)]),
    (
        "measured",
        &[(Feature::Hedge, 0.0), (Feature::Exclaim, 0.0)],
    ),
    ("blunt", &[(Feature::Hedge, 0.0), (Feature::Warmth, 0.0)]),
    ("wry", &[(Feature::Warmth, 0.0)]),
    ("sardonic", &[(Feature::Warmth, 0.0)]),
    ("gentle", &[(Feature::Warmth, 0.4), (Feature::Exclaim, 0.0)]),
    ("encouraging", &[(Feature::Warmth, 0.5)]),
    ("calm", &[(Feature::Exclaim, 0.0)]),
    ("unhurried", &[(Feature::Exclaim, 0.0)]),
    ("curious", &[(Feature::Question, 0.3)]),
    ("plain", &[(Feature::Length, 0.35)]),
    ("plain-spoken", &[(Feature::Length, 0.35)]),
    ("conversational", &[(Feature::Length, 0.35)]),
    ("concrete", &[(Feature::Hedge, 0.0)]),
    ("literal", &[(Feature::Hedge, 0.0)]),
    ("allusive", &[(Feature::Length, 0.45)]),
    ("archaic", &[(Feature::Length, 0.45)]),
    ("formal", &[(Feature::Exclaim, 0.0)]),
    ("gruff", &[(Feature::Length, 0.15), (Feature::Warmth, 0.0)]),
    ("curt", &[(Feature::Length, 0.15)]),
    ("brusque", &[(Feature::Length, 0.15)]),
    (
        "reserved",
        &[(Feature::Length, 0.2), (Feature::Exclaim, 0.0)],
    ),
    ("shy", &[(Feature::Exclaim, 0.0), (Feature::Hedge, 0.3)]),
    ("soft-spoken", &[(Feature::Exclaim, 0.0)]),
    ("kind", &[(Feature::Warmth, 0.4)]),
    ("friendly", &[(Feature::Warmth, 0.4)]),
    (
        "cheerful",
        &[(Feature::Exclaim, 0.3), (Feature::Warmth, 0.3)],
    ),
    ("jovial", &[(Feature::Exclaim, 0.3)]),
    ("sarcastic", &[(Feature::Warmth, 0.0)]),
    ("cynical", &[(Feature::Warmth, 0.0)]),
    ("grumpy", &[(Feature::Warmth, 0.0)]),
    ("nervous", &[(Feature::Hedge, 0.4)]),
    ("anxious", &[(Feature::Hedge, 0.4)]),
];

/// The targets of a register no word of which is known: plain, conversational.
const NEUTRAL_TARGETS: &[(Feature, f64)] = &[(Feature::Length, 0.35)];

const HEDGES: &[&str] = &[
    "perhaps",
    "maybe",
    "probably",
    "suppose",
    "guess",
    "sorry",
    "somewhat",
    "belki",
    "sanırım",
    "galiba",
    "vielleicht",
    "wohl",
    "vermutlich",
    "peut-être",
    "quizás",
    "quizá",
    "acaso",
];

const WARM_WORDS: &[&str] = &[
    "friend",
    "dear",
    "welcome",
    "glad",
    "lovely",
    "wonderful",
    "thank",
    "thanks",
    "happy",
    "dostum",
    "hoş",
    "sevindim",
    "güzel",
    "freund",
    "lieber",
    "willkommen",
    "freut",
    "schön",
    "ami",
    "cher",
    "bienvenu",
    "ravi",
    "plaisir",
    "amigo",
    "querido",
    "bienvenido",
    "gusto",
];

/// Phrases with which a reply stops being the persona and speaks as a program.
const IDENTITY_BREAKS: &[&str] = &[
    "as an ai",
    "i am an ai",
    "i'm an ai",
    "language model",
    "ai assistant",
    "as an assistant",
    "i am an assistant",
    "i don't have personal",
    "i do not have personal",
    "i have no personal",
    "yapay zeka",
    "dil modeli",
    "als ki",
    "sprachmodell",
    "en tant qu'ia",
    "modèle de langage",
    "como ia",
    "modelo de lenguaje",
];

const NEGATIONS: &[&str] = &[
    "not", "never", "no", "don't", "doesn't", "nothing", "hate", "despise", "without", "değil",
    "asla", "hiç", "nefret", "nicht", "nie", "niemals", "kein", "keine", "hasse", "pas", "jamais",
    "rien", "déteste", "nunca", "nada", "odio",
];

const EMBRACES: &[&str] = &[
    "love",
    "enjoy",
    "welcome",
    "want",
    "adore",
    "seek",
    "crave",
    "seviyorum",
    "isterim",
    "liebe",
    "mag",
    "will",
    "aime",
    "adore",
    "veux",
    "amo",
    "encanta",
    "quiero",
];

/// How many words before a keyword a negation or embrace word may stand.
const WINDOW: usize = 3;

/// Scores `reply` as the words of `persona` after `history`.
///
/// The method:
/// - Only the reply's words count: the string values of a JSON reply (JSON mode), the text of
///   any other reply. The persona's own core desire and fear, quoted verbatim or said in the
///   first person ("her whole heart" as "my whole heart"), are taken out first, since stating
///   them is in character whatever their wording.
/// - **voice**: five style features of the reply, each in [0, 1] (words per sentence, shares of
///   sentences ending in `!` and `?`, hedging and warm words per sentence, from word lists in
///   en, tr, de, fr, es) are compared with the targets that the words of
///   `mask.voice.register` set (`terse` asks for short sentences and no `!`, `curious` for
///   questions, `hesitant` for hedges, ...; a register with no known word is taken as plain,
///   conversational). voice = the mean absolute difference over the features some word
///   constrains, several words on one feature averaging their targets.
/// - **values**: how much the reply contradicts the persona, summed and capped at 1: 0.6 for
///   each way of speaking as a program instead of the persona ("as an AI", "language model",
///   ...), 0.5 for denying the persona's name ("I am not Mert"), 0.35 for each sentence where
///   a keyword of `soul.core_desire` has a negation up to three words before it ("never cared
///   for books"), and 0.35 for each sentence where a keyword of `soul.core_fear` is embraced
///   the same way ("I love being deceived").
/// - The verdict is `in-character` when both are under 0.5.
/// - **coherence** = 5 × (1 − (voice + values) / 2), × 0.6 when the reply is in another of the
///   languages en, tr, de, fr, es than the persona's (counted by stopwords), × (1 − 0.5 r)
///   where r grows from 0 to 1 as the reply's word set overlaps 80 % to 100 % with an earlier
///   assistant message (repeating oneself); rounded to one decimal. An empty reply (a turn
///   that only calls tools) scores 0, 0 and 5.
pub fn score(persona: &Persona, history: &[ChatMessage], reply: &str) -> Drift {
    let text = own_words(persona, reply);
    if words(&text).is_empty() {
        return Drift {
            voice: 0.0,
            values: 0.0,
            coherence: 5.0,
        };
    }
    let voice = round2(voice_distance(
        persona.voice_register().unwrap_or(""),
        &text,
    ));
    let values = round2(contradiction(persona, &text));
    let mut coherence = 5.0 * (1.0 - (voice + values) / 2.0);
    if speaks_other_language(&persona.language, &text) {
        coherence *= 0.6;
    }
    coherence *= 1.0 - 0.5 * repetition(history, reply);
    Drift {
        voice,
        values,
        coherence: (coherence.clamp(0.0, 5.0) * 10.0).round() / 10.0,
    }
}

fn round2(value: f64) -> f64 {
    (value.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// The reply's own words: JSON string values joined, the persona's desire and fear taken out.
fn own_words(persona: &Persona, reply: &str) -> String {
    let mut text = match serde_json::from_str::<Value>(reply) {
        Ok(value @ Value::Object(_)) => {
            let mut parts = Vec::new();
            collect_strings(&value, &mut parts);
            parts.join(" ")
        }
        _ => reply.to_string(),
    }
    .to_lowercase();
    for field in ["core_desire", "core_fear"] {
        if let Some(quoted) = persona.soul_text(field).filter(|q| !q.is_empty()) {
            text = text.replace(&quoted.to_lowercase(), " ");
            text = text.replace(&first_person(quoted).to_lowercase(), " ");
        }
    }
    text
}

fn collect_strings(value: &Value, parts: &mut Vec<String>) {
    match value {
        Value::String(text) => parts.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, parts)),
        Value::Object(fields) => fields
            .values()
            .for_each(|item| collect_strings(item, parts)),
        _ => {}
    }
}

fn features(text: &str) -> [f64; 5] {
    let sentences = sentences(text);
    let count = sentences.len().max(1) as f64;
    let all_words = words(text);
    let share = |end: char| sentences.iter().filter(|s| s.ends_with(end)).count() as f64 / count;
    let per_sentence = |list: &[&str]| {
        (all_words
            .iter()
            .filter(|w| list.contains(&w.as_str()))
            .count() as f64
            / count)
            .min(1.0)
    };
    FEATURES.map(|feature| match feature {
        Feature::Length => ((all_words.len() as f64 / count - 4.0) / 20.0).clamp(0.0, 1.0),
        Feature::Exclaim => share('!'),
        Feature::Question => share('?'),
        Feature::Hedge => per_sentence(HEDGES),
        Feature::Warmth => per_sentence(WARM_WORDS),
    })
}

fn voice_distance(register: &str, text: &str) -> f64 {
    let register = register.to_lowercase();
    let targets: Vec<(Feature, f64)> = words(&register)
        .iter()
        .filter_map(|word| REGISTER_TARGETS.iter().find(|(known, _)| known == word))
        .flat_map(|(_, targets)| targets.iter().copied())
        .collect();
    let targets = if targets.is_empty() {
        NEUTRAL_TARGETS.to_vec()
    } else {
        targets
    };
    let observed = features(text);
    let mut distances = Vec::new();
    for (index, feature) in FEATURES.iter().enumerate() {
        let wanted: Vec<f64> = targets
            .iter()
            .filter(|(f, _)| f == feature)
            .map(|(_, t)| *t)
            .collect();
        if !wanted.is_empty() {
            let target = wanted.iter().sum::<f64>() / wanted.len() as f64;
            distances.push((observed[index] - target).abs());
        }
    }
    distances.iter().sum::<f64>() / distances.len() as f64
}

fn contradiction(persona: &Persona, text: &str) -> f64 {
    let mut total = 0.6
        * IDENTITY_BREAKS
            .iter()
            .filter(|phrase| text.contains(*phrase))
            .count() as f64;
    if let Some(first_name) = persona
        .surface_name()
        .and_then(|name| name.split_whitespace().next())
    {
        let first_name = first_name.to_lowercase();
        if ["i am not", "i'm not", "my name is not"]
            .iter()
            .any(|denial| text.contains(&format!("{denial} {first_name}")))
        {
            total += 0.5;
        }
    }
    let desire = keywords(persona.soul_text("core_desire").unwrap_or(""));
    let fear = keywords(persona.soul_text("core_fear").unwrap_or(""));
    for sentence in sentences(text) {
        let sentence_words = words(sentence);
        let preceded_by = |keywords: &[String], list: &[&str]| {
            sentence_words.iter().enumerate().any(|(index, word)| {
                keywords.contains(word)
                    && sentence_words[index.saturating_sub(WINDOW)..index]
                        .iter()
                        .any(|before| list.contains(&before.as_str()))
            })
        };
        if preceded_by(&desire, NEGATIONS) {
            total += 0.35;
        }
        if preceded_by(&fear, EMBRACES) {
            total += 0.35;
        }
    }
    total.min(1.0)
}

/// Whether the text is clearly in another known language than `language`.
fn speaks_other_language(language: &str, text: &str) -> bool {
    if !LANGUAGES.contains(&language) {
        return false;
    }
    let text_words = words(text);
    let hits = |lang: &str| {
        text_words
            .iter()
            .filter(|w| stopwords(lang).contains(&w.as_str()))
            .count()
    };
    let own = hits(language);
    LANGUAGES
        .iter()
        .filter(|other| **other != language)
        .any(|other| {
            let theirs = hits(other);
            theirs >= 3 && own * 2 < theirs
        })
}

/// 0 below 80 % word-set overlap with the closest earlier assistant message, rising to 1 at 100 %.
fn repetition(history: &[ChatMessage], reply: &str) -> f64 {
    let mine: std::collections::BTreeSet<String> = words(reply).into_iter().collect();
    let closest = history
        .iter()
        .filter(|m| m.role == "assistant")
        .map(|earlier| {
            let theirs: std::collections::BTreeSet<String> =
                words(&earlier.content).into_iter().collect();
            let union = mine.union(&theirs).count().max(1) as f64;
            mine.intersection(&theirs).count() as f64 / union
        })
        .fold(0.0_f64, f64::max);
    ((closest - 0.8) / 0.2).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn persona(register: &str) -> Persona {
        Persona::with_fields(json!({
            "language": "en",
            "soul": {
                "core_desire": "To understand the world through forgotten books",
                "core_fear": "Being deceived, or dying having understood nothing",
            },
            "mask": { "voice": { "register": register } },
            "surface": { "name": "Samuel Ashford" },
        }))
    }

    #[test]
    fn a_reply_in_the_register_is_in_character() {
        let drift = score(
            &persona("terse, quiet and economical"),
            &[],
            "Hm. I'm Samuel. Books, mostly. What I fear: being deceived, or dying having understood nothing.",
        );
        assert!(drift.in_character(), "{drift:?}");
        assert_eq!(drift.values, 0.0);
        assert!(drift.coherence >= 4.0, "{drift:?}");
    }

    #[test]
    fn a_program_voice_is_out_of_character_and_scores_lower() {
        let reply = "As an AI language model, I do not have personal desires or fears! \
                     I am happy to help with anything you need today!";
        let drift = score(&persona("hesitant, self-deprecating"), &[], reply);
        assert_eq!(drift.verdict(), "out-of-character");
        assert_eq!(drift.values, 1.0);
        assert!(drift.voice >= 0.4, "{drift:?}");
        assert!(drift.coherence < 2.0, "{drift:?}");
    }

    #[test]
    fn negated_desire_and_embraced_fear_raise_values() {
        let drift = score(
            &persona("calm"),
            &[],
            "Honestly I never cared for books. I love being deceived, it keeps life interesting.",
        );
        assert!((drift.values - 0.7).abs() < 1e-9, "{drift:?}");
        assert!(!drift.in_character());
    }

    #[test]
    fn repeating_oneself_and_another_language_cost_coherence() {
        let reply = "The shop is quiet today and the tea is warm.";
        let fresh = score(&persona("calm"), &[], reply);
        let history = [ChatMessage::new("assistant", reply)];
        let repeated = score(&persona("calm"), &history, reply);
        assert!(
            repeated.coherence < fresh.coherence,
            "{fresh:?} {repeated:?}"
        );
        let german = score(
            &persona("calm"),
            &[],
            "Ich bin nicht sicher, was das ist, aber es ist mein Laden.",
        );
        assert!(german.coherence <= 3.0, "{german:?}");
    }

    #[test]
    fn json_replies_are_scored_on_their_strings_and_empty_ones_are_neutral() {
        let json_reply = r#"{"reply":"As an AI language model I cannot.","persona":"Samuel"}"#;
        assert!(!score(&persona("calm"), &[], json_reply).in_character());
        assert_eq!(
            score(&persona("calm"), &[], ""),
            Drift {
                voice: 0.0,
                values: 0.0,
                coherence: 5.0
            }
        );
    }
}
