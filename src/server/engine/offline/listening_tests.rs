//! The offline engine listening to the brief: stated traits shape the voice, gendered words the
//! name and pronouns, and an occupation outside the lexicon is carried as written.

use serde::Deserialize;
use serde_json::json;

use super::brief::Brief;
use super::career::Career;
use super::names::name_pool;
use super::pronouns::{Gender, gender_of_name};
use super::*;

/// The briefs the integration tests create through the binary (tests/cli/briefs.rs).
const CORPUS: &str = include_str!("../../../../tests/data/briefs.yaml");

/// The fields of a corpus entry this test reads.
#[derive(Deserialize)]
struct CorpusEntry {
    brief: String,
    gender: Option<String>,
    name: Option<String>,
    language: Option<String>,
}

const PRONOUNS: [(Gender, &[&str]); 3] = [
    (Gender::Feminine, &["she", "her", "hers", "herself"]),
    (Gender::Masculine, &["he", "him", "his", "himself"]),
    (
        Gender::Neutral,
        &["they", "them", "their", "theirs", "themselves"],
    ),
];

fn request_in<'a>(intent: &'a str, language: &'a str, seed: u64) -> GenerationRequest<'a> {
    GenerationRequest {
        intent,
        language,
        seed,
        pipeline: Pipeline::Default,
    }
}

fn generate_in(intent: &str, language: &str, seed: u64) -> Generation {
    OfflineEngine
        .generate(&request_in(intent, language, seed))
        .expect("generation succeeds")
}

fn text_of(generation: &Generation, layer: &str, field: &str) -> String {
    generation.layers[layer][field]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The soul and the bio, where the persona is spoken of in the third person.
fn third_person_words(generation: &Generation) -> Vec<String> {
    let text = ["core_desire", "core_fear", "wound"]
        .map(|field| text_of(generation, "soul", field))
        .join(" ")
        + " "
        + &text_of(generation, "mask", "public_bio");
    text.to_lowercase()
        .split(|c: char| !c.is_alphabetic())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The pronouns the persona is spoken of with, which must be one gender's only.
fn pronoun_gender(generation: &Generation) -> Gender {
    let words = third_person_words(generation);
    let used: Vec<Gender> = PRONOUNS
        .iter()
        .filter(|(_, pronouns)| words.iter().any(|word| pronouns.contains(&word.as_str())))
        .map(|&(gender, _)| gender)
        .collect();
    assert_eq!(used.len(), 1, "one set of pronouns: {words:?}");
    used[0]
}

#[test]
fn corpus_names_and_pronouns_follow_the_stated_gender() {
    let corpus: Vec<CorpusEntry> = serde_norway::from_str(CORPUS).expect("the corpus parses");
    assert!(corpus.len() >= 40, "{} briefs", corpus.len());
    for entry in &corpus {
        let language = entry.language.as_deref().unwrap_or("en");
        let stated = entry.gender.as_deref().map(|gender| match gender {
            "she" => Gender::Feminine,
            "he" => Gender::Masculine,
            "they" => Gender::Neutral,
            other => panic!("unknown gender {other:?}"),
        });
        for seed in 0..4 {
            let generation = generate_in(&entry.brief, language, seed);
            let name = text_of(&generation, "surface", "name");
            let gender = pronoun_gender(&generation);
            if let Some(stated) = stated {
                assert_eq!(gender, stated, "{:?} seed {seed}", entry.brief);
            }
            match &entry.name {
                Some(expected) => assert_eq!(&name, expected, "{:?}", entry.brief),
                None => {
                    let given = name.split_whitespace().next().unwrap();
                    let pool = name_pool(language);
                    assert!(
                        pool.given(gender).contains(&given),
                        "{:?} seed {seed}: {name} is not a {gender:?} name",
                        entry.brief
                    );
                }
            }
        }
    }
}

#[test]
fn a_drawn_gender_gives_a_name_and_pronouns_that_agree() {
    for seed in 0..20 {
        let generation = generate_in("retired lighthouse keeper in Brittany", "en", seed);
        let name = text_of(&generation, "surface", "name");
        assert_eq!(
            gender_of_name(&name, "en"),
            Some(pronoun_gender(&generation)),
            "{name}"
        );
    }
    let genders: Vec<Gender> = (0..20)
        .map(|seed| pronoun_gender(&generate_in("a quiet gardener", "en", seed)))
        .collect();
    assert!(genders.contains(&Gender::Feminine) && genders.contains(&Gender::Masculine));
    // A stated name the pools do not know is "they"; a known one gives its gender, even
    // against a gendered job title.
    let unknown = generate_in("a lawyer named Zephyrine Quill", "en", 1);
    assert_eq!(pronoun_gender(&unknown), Gender::Neutral);
    let ingrid = generate_in("a 40-year-old fisherman named Ingrid Dahl", "en", 1);
    assert_eq!(pronoun_gender(&ingrid), Gender::Feminine);
    let fisherman = generate_in("an old fisherman", "en", 1);
    assert_eq!(pronoun_gender(&fisherman), Gender::Masculine);
}

fn register_of(brief: &str, seed: u64) -> String {
    generate_in(brief, "en", seed).layers["mask"]["voice"]["register"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn score(generation: &Generation, key: &str) -> f64 {
    generation.layers["self"]["big_five"][key].as_f64().unwrap()
}

#[test]
fn stated_traits_shape_the_voice_and_the_big_five() {
    for seed in 0..30 {
        let register = register_of(
            "retired lighthouse keeper in Brittany, gruff but kind",
            seed,
        );
        assert!(register.starts_with("gruff but kind"), "{register}");
        for contrary in ["encouraging", "gentle", "sardonic", "wry"] {
            assert!(!register.contains(contrary), "seed {seed}: {register}");
        }
        let shy = generate_in("a shy librarian", "en", seed);
        assert!(score(&shy, "E") < 0.4, "seed {seed}");
        let register = shy.layers["mask"]["voice"]["register"].as_str().unwrap();
        assert!(register.starts_with("shy"), "{register}");
        assert!(!register.contains("animated"), "{register}");
        let cheerful = generate_in("a cheerful postman", "en", seed);
        assert!(score(&cheerful, "N") < 0.35, "seed {seed}");
        // "not shy" moves extraversion up and is not the voice.
        let not_shy = generate_in("a librarian, not shy at all", "en", seed);
        assert!(score(&not_shy, "E") > 0.5, "seed {seed}");
        let register = not_shy.layers["mask"]["voice"]["register"]
            .as_str()
            .unwrap();
        assert!(!register.contains("shy"), "{register}");
    }
    let bio = text_of(
        &generate_in("a gruff but kind ferryman, she", "en", 1),
        "mask",
        "public_bio",
    );
    assert!(
        bio.ends_with("she is known for being gruff but kind."),
        "{bio}"
    );
    let brief = Brief::parse("a kind of quiet, cheerful and talkative baker, loud too");
    assert_eq!(brief.voice, ["quiet", "cheerful", "talkative", "loud"]);
}

fn title_of(brief: &str) -> Option<String> {
    Brief::parse(brief).career.as_ref().map(Career::title)
}

#[test]
fn occupations_outside_the_lexicon_are_never_replaced() {
    let cases = [
        ("a harbor pilot in Hamburg", "Harbor pilot"),
        ("She works as a harbor pilot in Rotterdam.", "Harbor pilot"),
        ("Maren is a harbor pilot.", "Harbor pilot"),
        ("a retired harbor pilot", "Retired harbor pilot"),
        ("a beekeeper whose son is a doctor", "Beekeeper"),
        ("a beekeeper who used to be a teacher", "Beekeeper"),
        ("a baker turned beekeeper", "Beekeeper, former baker"),
        ("An old man who was a fisherman.", "Former fisherman"),
        ("a woman whose father was a pilot, in Oslo", ""),
        ("a Turkish bookseller", "Turkish bookseller"),
        ("Mert, a bookseller in Istanbul", "Bookseller"),
        ("Ada Quill, 61, a lawyer", "Lawyer"),
        ("a nonbinary tattoo artist", "Tattoo artist"),
        ("works as a beekeeper in Lyon", "Beekeeper"),
        ("A charming con artist in 1920s Chicago", "Con artist"),
    ];
    for (brief, expected) in cases {
        let expected = (!expected.is_empty()).then(|| expected.to_owned());
        assert_eq!(title_of(brief), expected, "{brief:?}");
    }
    for seed in 0..10 {
        let pilot = generate_in("a harbor pilot in Hamburg", "en", seed);
        let bio = text_of(&pilot, "mask", "public_bio");
        assert!(bio.contains("a harbor pilot's trade"), "{bio}");
        assert!(!bio.contains("flight plans"), "{bio}");
        // A lexicon occupation keeps its own details.
        let bookseller = generate_in("a bookseller in Istanbul", "en", seed);
        let bio = text_of(&bookseller, "mask", "public_bio");
        assert!(bio.contains("among forgotten books"), "{bio}");
    }
}

#[test]
fn ages_and_places_are_read_in_more_forms() {
    let age_of = |brief: &str| generate_in(brief, "en", 3).layers["surface"]["age"].clone();
    assert_eq!(age_of("Maren Lund, 67, a retired harbor pilot"), json!(67));
    assert_eq!(age_of("Ada Quill, lawyer, 61"), json!(61));
    assert_eq!(age_of("Sixty-five-year-old monk"), json!(65));
    assert_eq!(age_of("a twenty-year-old student"), json!(20));
    assert_ne!(age_of("1. A baker, 2. a poet"), json!(1));
    for seed in 0..10 {
        let age = |brief: &str| {
            generate_in(brief, "en", seed).layers["surface"]["age"]
                .as_u64()
                .unwrap()
        };
        assert!((65..=88).contains(&age("an old beekeeper")));
        assert!((19..=29).contains(&age("a young nurse")));
        assert!((40..=59).contains(&age("a middle-aged clerk")));
    }
    let place = |brief: &str| Brief::parse(brief).place;
    assert_eq!(
        place("a shepherd in the Scottish Highlands").as_deref(),
        Some("the Scottish Highlands")
    );
    let slug = generate_in("a shepherd in the Scottish Highlands", "en", 1).suggested_slug;
    assert_eq!(slug, "the-scottish-highlands-shepherd");
    assert_eq!(
        place("a monk in his seventies living in Kyoto").as_deref(),
        Some("Kyoto")
    );
    assert_eq!(
        place("A charming con artist in 1920s Chicago").as_deref(),
        Some("Chicago")
    );
    let doctor = generate_in("Dr. Elena Vasquez, 45, a trauma surgeon in Madrid", "en", 1);
    assert_eq!(doctor.layers["surface"]["name"], json!("Elena Vasquez"));
    assert_eq!(pronoun_gender(&doctor), Gender::Feminine);
    let child = generate_in("an 8-year-old girl who wants to be an astronaut", "en", 1);
    assert_eq!(child.layers["surface"]["occupation"], json!("Student"));
    assert_eq!(
        Brief::parse("Mr. Okafor, 61, a teacher in Lagos")
            .career
            .as_ref()
            .map(Career::title),
        Some("Teacher".to_owned())
    );
}

#[test]
fn a_refinement_keeps_or_changes_the_gender_as_it_says() {
    let parent = generate_in("a harbor pilot in Hamburg, she", "en", 2);
    let refine = |refinement: &str| {
        OfflineEngine
            .refine(
                &parent.layers,
                "a harbor pilot in Hamburg, she",
                &request_in(refinement, "en", 3),
            )
            .unwrap()
    };
    let calmer = refine("make him calmer");
    assert_eq!(pronoun_gender(&calmer), Gender::Feminine);
    assert_eq!(
        calmer.layers["surface"]["name"],
        parent.layers["surface"]["name"]
    );
    let man = refine("make them a man");
    assert_eq!(pronoun_gender(&man), Gender::Masculine);
    let name = text_of(&man, "surface", "name");
    assert_eq!(
        gender_of_name(&name, "en"),
        Some(Gender::Masculine),
        "{name}"
    );
    assert_eq!(man.layers["surface"]["occupation"], json!("Harbor pilot"));
    // A parent whose brief says nothing: its bio's pronouns tell.
    let unstated = generate_in("a harbor pilot", "en", 4);
    let refined = OfflineEngine
        .refine(
            &unstated.layers,
            "a harbor pilot",
            &request_in("make her older", "en", 5),
        )
        .unwrap();
    assert_eq!(pronoun_gender(&refined), pronoun_gender(&unstated));
}

#[test]
fn odd_briefs_still_give_a_persona() {
    for brief in [
        "turned",
        "a turned b",
        "former turned retired",
        "was",
        "in the",
        "in the The",
        "Mr.",
        "— , . ; !",
        "🐝 beekeeper 🐝",
        "of of of",
        "ex- ex-",
        "they/",
        "/she/",
        "Ada Quill,",
        "Ada Quill, 61",
        "Maren Lund, 0, a, b",
        "works as",
        "a retired, former, ex-",
        "not not not shy",
        "kind of",
        "but but kind",
    ] {
        for seed in 0..3 {
            let generation = generate_in(brief, "en", seed);
            let occupation = text_of(&generation, "surface", "occupation");
            assert!(
                occupation.chars().any(char::is_alphabetic),
                "{brief:?}: {occupation:?}"
            );
            let bio = text_of(&generation, "mask", "public_bio");
            assert!(
                !bio.contains("a 's") && !bio.contains("  "),
                "{brief:?}: {bio}"
            );
        }
    }
}
