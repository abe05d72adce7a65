//! The offline engine's tests: what it reads from briefs, and the persona it composes.

use serde_json::json;

use super::brief::{
    is_comparative, is_modifier, keyword_tokens, parse_age, parse_age_decade, parse_age_shift,
};
use super::career::Career;
use super::compose::{
    HIGHEST_SCORE, LOWEST_SCORE, MAX_DRAWN_AGE, MAX_RETIRED_AGE, MIN_DRAWN_AGE, MIN_RETIRED_AGE,
};
use super::names::{NamePool, name_pool};
use super::pronouns::Gender;
use super::words::OCCUPATIONS;
use super::*;
use crate::server::engine::StepOutput;
use crate::server::engine::slug::{MAX_SLUG_LEN, slugify};
use crate::server::english::capitalized;

/// The Big Five traits, in the order of the document.
const BIG_FIVE_KEYS: [&str; 5] = ["O", "C", "E", "A", "N"];

const ISTANBUL_BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

const BRIEFS: &[&str] = &[
    ISTANBUL_BRIEF,
    "A cheerful, talkative baker from Lyon, living in Osaka",
    "grumpy retired sailor",
    "aged 61, meticulous and cold lawyer named Ada Quill",
    "200-year-old vampire, melancholic and charismatic",
    "someone",
];

fn request(intent: &str, seed: u64) -> GenerationRequest<'_> {
    GenerationRequest {
        intent,
        language: "en",
        seed,
        pipeline: Pipeline::Default,
    }
}

fn generate(intent: &str, seed: u64) -> Generation {
    OfflineEngine
        .generate(&request(intent, seed))
        .expect("generation succeeds")
}

/// An independent oracle for the invariant: nest each dotted path by hand into `{}`.
fn rebuild_from_fields(steps: &[StepOutput]) -> Value {
    let mut root = json!({});
    for (path, value) in steps.iter().flat_map(|step| &step.fields) {
        let segments: Vec<&str> = path.split('.').collect();
        assert!(
            (2..=3).contains(&segments.len()),
            "path {path} has 2 or 3 levels"
        );
        let (last, parents) = segments.split_last().unwrap();
        let mut node = &mut root;
        for segment in parents {
            node = node
                .as_object_mut()
                .unwrap()
                .entry(*segment)
                .or_insert_with(|| json!({}));
        }
        node.as_object_mut()
            .unwrap()
            .insert((*last).to_owned(), value.clone());
    }
    root
}

/// Every given name of a pool, whatever its gender.
fn given_names(pool: &NamePool) -> Vec<&'static str> {
    [Gender::Feminine, Gender::Masculine, Gender::Neutral]
        .into_iter()
        .flat_map(|gender| pool.given(gender).iter().copied())
        .collect()
}

fn surface_name(generation: &Generation) -> String {
    generation.layers["surface"]["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn istanbul_brief_reads_age_occupation_traits_and_place() {
    let generation = generate(ISTANBUL_BRIEF, 7);
    let layers = &generation.layers;
    assert_eq!(layers["surface"]["age"], json!(35));
    let occupation = layers["surface"]["occupation"].as_str().unwrap();
    assert_eq!(occupation, "Bookseller, former academic");
    assert_eq!(layers["surface"]["place"], json!("Istanbul"));
    assert!(layers["self"]["big_five"]["E"].as_f64().unwrap() < 0.35);
    assert!(layers["self"]["big_five"]["O"].as_f64().unwrap() > 0.7);
    for seed in 0..30 {
        let archetype = generate(ISTANBUL_BRIEF, seed).layers["self"]["archetype"].clone();
        assert_eq!(archetype, json!("the-sage"), "seed {seed}");
    }
    assert_eq!(generation.suggested_slug, "the-istanbul-bookseller");
    let bio = layers["mask"]["public_bio"].as_str().unwrap();
    assert!(
        bio.contains("35-year-old bookseller and former academic in Istanbul"),
        "{bio}"
    );
    assert!(bio.starts_with(&surface_name(&generation)));
}

#[test]
fn same_inputs_give_identical_generations() {
    for brief in BRIEFS {
        assert_eq!(generate(brief, 42), generate(brief, 42));
    }
}

#[test]
fn different_seeds_or_briefs_give_different_layers() {
    for brief in BRIEFS {
        let layers: Vec<Value> = (0..4).map(|seed| generate(brief, seed).layers).collect();
        for (index, left) in layers.iter().enumerate() {
            for right in &layers[index + 1..] {
                assert_ne!(left, right, "seeds collided for {brief:?}");
            }
        }
    }
    let souls: Vec<Value> = BRIEFS
        .iter()
        .map(|brief| generate(brief, 1).layers["soul"].clone())
        .collect();
    for (index, left) in souls.iter().enumerate() {
        for right in &souls[index + 1..] {
            assert_ne!(left, right);
        }
    }
}

#[test]
fn each_language_draws_names_from_its_own_pool() {
    let english = name_pool("en");
    for language in ["en", "tr", "de", "fr", "es", "it", "pt", "ja", "no", "nb"] {
        let pool = name_pool(language);
        assert!(pool.languages.contains(&language));
        for seed in 0..8 {
            let generation = OfflineEngine
                .generate(&GenerationRequest {
                    language,
                    ..request("a quiet gardener", seed)
                })
                .unwrap();
            let name = surface_name(&generation);
            let (given, family) = name.split_once(' ').unwrap();
            assert!(given_names(pool).contains(&given), "{language}: {name}");
            assert!(pool.family.contains(&family), "{language}: {name}");
            if language != "en" {
                assert!(!given_names(english).contains(&given), "{language}: {name}");
            }
        }
    }
    assert!(std::ptr::eq(name_pool("pt-BR"), name_pool("pt")));
    assert!(std::ptr::eq(name_pool("nb_NO"), name_pool("no")));
    assert!(std::ptr::eq(name_pool("sw"), english));
}

#[test]
fn turkish_names_keep_turkish_letters() {
    let turkish = name_pool("tr");
    assert!(turkish.family.contains(&"Kavaklı"));
    let letters = ['ı', 'ş', 'ğ', 'ç', 'ö', 'ü', 'Ç', 'Ö', 'Ş'];
    assert!(
        given_names(turkish)
            .iter()
            .chain(turkish.family)
            .filter(|name| name.contains(letters))
            .count()
            >= 10
    );
}

#[test]
fn strict_audit_runs_seven_steps_and_default_six() {
    for (pipeline, count) in [(Pipeline::Default, 6), (Pipeline::StrictAudit, 7)] {
        let generation = OfflineEngine
            .generate(&GenerationRequest {
                pipeline,
                ..request(ISTANBUL_BRIEF, 3)
            })
            .unwrap();
        let names: Vec<&str> = generation
            .steps
            .iter()
            .map(|step| step.name.as_str())
            .collect();
        assert_eq!(names.len(), count);
        assert_eq!(names, pipeline.steps());
        for step in &generation.steps {
            let fills_nothing = matches!(
                step.name.as_str(),
                "intent_parse" | "consistency_audit" | "adversarial_audit"
            );
            assert_eq!(step.fields.is_empty(), fills_nothing, "{}", step.name);
            assert!(
                (400..=3000).contains(&step.tokens),
                "{}: {}",
                step.name,
                step.tokens
            );
        }
        let total: u64 = generation.steps.iter().map(|step| step.tokens).sum();
        assert!((5_000..=15_000).contains(&total), "{total}");
    }
}

#[test]
fn pipelines_share_the_same_layers() {
    let strict = OfflineEngine
        .generate(&GenerationRequest {
            pipeline: Pipeline::StrictAudit,
            ..request(ISTANBUL_BRIEF, 9)
        })
        .unwrap();
    assert_eq!(strict.layers, generate(ISTANBUL_BRIEF, 9).layers);
}

#[test]
fn fields_rebuild_layers_exactly() {
    for brief in BRIEFS {
        for pipeline in [Pipeline::Default, Pipeline::StrictAudit] {
            for language in ["en", "tr", "ja"] {
                let generation = OfflineEngine
                    .generate(&GenerationRequest {
                        intent: brief,
                        language,
                        seed: 11,
                        pipeline,
                    })
                    .unwrap();
                assert_eq!(generation.layers, rebuild_from_fields(&generation.steps));
                let layer_names: Vec<&String> =
                    generation.layers.as_object().unwrap().keys().collect();
                assert_eq!(layer_names, ["soul", "self", "mask", "surface"]);
            }
        }
    }
    let parent = generate(ISTANBUL_BRIEF, 5);
    let refined = OfflineEngine
        .refine(
            &parent.layers,
            ISTANBUL_BRIEF,
            &request("make her calmer", 6),
        )
        .unwrap();
    assert_eq!(refined.layers, rebuild_from_fields(&refined.steps));
}

#[test]
fn slugs_are_transliterated_ascii() {
    assert_eq!(
        slugify("the-İstanbul-Şişli Ağaççı"),
        "the-istanbul-sisli-agacci"
    );
    assert_eq!(slugify("Ölçü Öğüt Straße"), "olcu-ogut-strasse");
    assert_eq!(
        slugify("  Café -- Niño!! Bjørn Håkon  "),
        "cafe-nino-bjorn-hakon"
    );
    assert_eq!(slugify("東京 baker"), "baker");
    let long = slugify(&"the Rio de Janeiro ".repeat(10));
    assert!(long.len() <= MAX_SLUG_LEN && !long.ends_with('-'), "{long}");
    let slug = generate("a shy teacher from Düsseldorf", 1).suggested_slug;
    assert_eq!(slug, "the-dusseldorf-teacher");
    for seed in 0..20 {
        let generation = OfflineEngine
            .generate(&GenerationRequest {
                language: "tr",
                ..request("a kind farmer", seed)
            })
            .unwrap();
        let slug = generation.suggested_slug;
        assert!(slug.starts_with("the-farmer-"), "{slug}");
        assert!(
            slug.bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'),
            "{slug}"
        );
        assert!(!slug.contains("--") && !slug.ends_with('-'), "{slug}");
    }
}

#[test]
fn big_five_stays_in_unit_interval() {
    let extreme = "shy quiet introverted reserved withdrawn lonely timid solitary anxious nervous moody sad \
                   kind warm gentle generous caring chaotic lazy messy curious dreamy artistic creative";
    for brief in BRIEFS.iter().chain([&extreme]) {
        for seed in 0..10 {
            let big_five = &generate(brief, seed).layers["self"]["big_five"];
            for key in BIG_FIVE_KEYS {
                let score = big_five[key].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&score), "{key}={score}");
            }
        }
    }
    let big_five = &generate(extreme, 0).layers["self"]["big_five"];
    assert_eq!(big_five["E"], json!(LOWEST_SCORE));
    assert_eq!(big_five["A"], json!(HIGHEST_SCORE));
}

#[test]
fn ages_are_read_in_several_forms_and_clamped() {
    let age_of = |brief: &str| parse_age(&keyword_tokens(brief));
    assert_eq!(age_of("a 35 year old nurse"), Some(35));
    assert_eq!(age_of("nurse, aged 35"), Some(35));
    assert_eq!(age_of("35 yo nurse"), Some(35));
    assert_eq!(age_of("35yo nurse"), Some(35));
    assert_eq!(age_of("a 42-years-old nurse"), Some(42));
    assert_eq!(
        age_of("99999999999999999999999-year-old lich"),
        Some(MAX_AGE)
    );
    assert_eq!(age_of("a nurse with 3 cats"), None);
    assert_eq!(
        generate("200-year-old vampire", 1).layers["surface"]["age"],
        json!(150)
    );
    for seed in 0..20 {
        let age = generate("a pilot", seed).layers["surface"]["age"]
            .as_u64()
            .unwrap();
        assert!((MIN_DRAWN_AGE..=MAX_DRAWN_AGE).contains(&age));
        let retired = generate("a retired pilot", seed).layers["surface"]["age"].clone();
        assert!((MIN_RETIRED_AGE..=MAX_RETIRED_AGE).contains(&retired.as_u64().unwrap()));
    }
}

#[test]
fn places_names_and_careers_are_read_from_the_brief() {
    let brief =
        Brief::parse("A cheerful baker from Lyon, living in Rio de Janeiro, named Lena Fischer.");
    assert_eq!(brief.place.as_deref(), Some("Rio de Janeiro"));
    assert_eq!(brief.name.as_deref(), Some("Lena Fischer"));
    assert_eq!(
        Brief::parse("a baker from Lyon").place.as_deref(),
        Some("Lyon")
    );
    assert_eq!(Brief::parse("a nurse in March").place, None);
    assert_eq!(Brief::parse("a poet in love").place, None);
    assert_eq!(
        Brief::parse("a quiet chef in osaka").place.as_deref(),
        Some("Osaka")
    );
    let career = |text: &str| Brief::parse(text).career.as_ref().map(Career::title);
    assert_eq!(
        career("a retired teacher"),
        Some("Retired teacher".to_owned())
    );
    assert_eq!(
        career("former army doctor turned novelist").as_deref(),
        Some("Novelist, former army doctor")
    );
    assert_eq!(career("a nice person"), None);
    let unknown = generate("a nice person", 4).layers["surface"]["occupation"].clone();
    assert!(
        OCCUPATIONS
            .iter()
            .any(|occupation| json!(capitalized(occupation.noun)) == unknown)
    );
    assert!(
        !generate("a quiet chef", 0).layers["surface"]
            .as_object()
            .unwrap()
            .contains_key("place")
    );
}

#[test]
fn archetypes_follow_the_traits() {
    let archetype_of = |brief: &str| generate(brief, 2).layers["self"]["archetype"].clone();
    assert_eq!(
        archetype_of("an outgoing, cynical, chaotic punk"),
        json!("the-rebel")
    );
    assert_eq!(
        archetype_of("a kind, caring, gentle nurse"),
        json!("the-caregiver")
    );
    assert_eq!(
        archetype_of("an anxious, lonely, fragile orphan"),
        json!("the-orphan")
    );
}

#[test]
fn refine_keeps_name_and_age_unless_the_refinement_changes_them() {
    let parent = OfflineEngine
        .generate(&GenerationRequest {
            language: "tr",
            ..request(ISTANBUL_BRIEF, 5)
        })
        .unwrap();
    let refined = OfflineEngine
        .refine(
            &parent.layers,
            ISTANBUL_BRIEF,
            &GenerationRequest {
                language: "tr",
                ..request("now a cheerful baker living in Izmir", 6)
            },
        )
        .unwrap();
    let surface = &refined.layers["surface"];
    assert_eq!(surface["name"], parent.layers["surface"]["name"]);
    assert_eq!(surface["age"], json!(35));
    assert_eq!(surface["place"], json!("Izmir"));
    assert_eq!(surface["occupation"], json!("Baker"));
    assert_eq!(refined.suggested_slug, "the-izmir-baker");
    assert_ne!(refined.layers["soul"], parent.layers["soul"]);

    let older = OfflineEngine
        .refine(
            &parent.layers,
            ISTANBUL_BRIEF,
            &request("make them 70 years old, named Selin Aydın", 6),
        )
        .unwrap();
    assert_eq!(older.layers["surface"]["age"], json!(70));
    assert_eq!(older.layers["surface"]["name"], json!("Selin Aydın"));
    assert_eq!(older.layers["surface"]["place"], json!("Istanbul"));

    let again = OfflineEngine
        .refine(
            &parent.layers,
            ISTANBUL_BRIEF,
            &request("make them 70 years old, named Selin Aydın", 6),
        )
        .unwrap();
    assert_eq!(older, again);
}

const LIGHTHOUSE_BRIEF: &str = "retired lighthouse keeper in Brittany, gruff but kind";

fn occupation_of(brief: &str, seed: u64) -> Value {
    generate(brief, seed).layers["surface"]["occupation"].clone()
}

fn is_lexicon_occupation(occupation: &Value) -> bool {
    OCCUPATIONS
        .iter()
        .any(|known| json!(capitalized(known.noun)) == *occupation)
}

#[test]
fn unknown_occupations_are_read_from_the_brief() {
    for seed in 0..10 {
        let generation = generate(LIGHTHOUSE_BRIEF, seed);
        let surface = &generation.layers["surface"];
        assert_eq!(surface["occupation"], json!("Retired lighthouse keeper"));
        assert_eq!(surface["place"], json!("Brittany"));
        let age = surface["age"].as_u64().unwrap();
        assert!((MIN_RETIRED_AGE..=MAX_RETIRED_AGE).contains(&age), "{age}");
        assert_eq!(generation.suggested_slug, "the-brittany-lighthouse-keeper");
        let bio = generation.layers["mask"]["public_bio"].as_str().unwrap();
        assert!(
            bio.contains("-year-old retired lighthouse keeper in Brittany. "),
            "{bio}"
        );
        assert!(bio.contains("a lighthouse keeper's trade"), "{bio}");

        let beekeeper = generate("a beekeeper who hates crowds", seed);
        assert_eq!(
            beekeeper.layers["surface"]["occupation"],
            json!("Beekeeper")
        );
        let slug = &beekeeper.suggested_slug;
        assert!(slug.starts_with("the-beekeeper-"), "{slug}");
        assert_eq!(occupation_of("a beekeeper", seed), json!("Beekeeper"));
    }
    let title = |brief: &str| Brief::parse(brief).career.as_ref().map(Career::title);
    let cases = [
        (
            "Retired Lighthouse Keeper In Brittany",
            "Retired lighthouse keeper",
        ),
        ("Beekeeper, gruff", "Beekeeper"),
        ("gruff but kind old beekeeper", "Beekeeper"),
        ("an old woman, a beekeeper in Provence", "Beekeeper"),
        (
            "retired, grizzled lighthouse keeper",
            "Retired lighthouse keeper",
        ),
        (
            "a salt-stained, weathered tugboat captain",
            "Tugboat captain",
        ),
        (
            "a 35-year-old Breton lighthouse keeper",
            "Breton lighthouse keeper",
        ),
        (
            "thirty-something deep sea salvage diver from Oslo",
            "Deep sea salvage diver",
        ),
        ("head of security at a casino", "Head of security"),
        ("IT consultant in Berlin", "IT consultant"),
        ("an ex-lighthouse keeper in Brest", "Ex-lighthouse keeper"),
        ("aged 40, shy and quiet beekeeper", "Beekeeper"),
        (
            "# Maren Lund\n\nA retired lighthouse\nkeeper in Brittany, gruff but kind.",
            "Retired lighthouse keeper",
        ),
        (
            "a very tall deep sea commercial salvage diver in Oslo",
            "Deep sea commercial salvage diver",
        ),
        ("a keeper of bees in Provence", "Keeper of bees"),
        ("a keeper of the old northern lighthouse lamps", "Keeper"),
    ];
    for (brief, expected) in cases {
        assert_eq!(title(brief).as_deref(), Some(expected), "{brief:?}");
    }
    let phrase = |brief: &str| Brief::parse(brief).career.map(|career| career.phrase());
    assert_eq!(
        phrase("Retired lighthouse keeper in Brittany").as_deref(),
        Some("retired lighthouse keeper")
    );
    let slug = generate("an ex-lighthouse keeper in Brest", 1).suggested_slug;
    assert_eq!(slug, "the-brest-lighthouse-keeper");
    let slug = generate("gardien de phare à la retraite in Brest", 1).suggested_slug;
    assert!(slug.starts_with("the-brest-"), "{slug}");
    let slug = generate("a reluctant Schäferhund-Züchterin in Düsseldorf", 1).suggested_slug;
    assert_eq!(slug, "the-dusseldorf-reluctant-schaferhund-zuchterin");
}

#[test]
fn briefs_without_a_usable_occupation_still_draw_one() {
    for brief in [
        "shy, kind",
        "someone",
        "a nice person",
        "a woman living in Paris, Texas",
        "she keeps bees",
        "An old man who lives alone. He has a dog named Rex.",
        "make her calmer",
        "35-year-old, melancholic",
        "# Maren Lund",
    ] {
        assert!(Brief::parse(brief).career.is_none(), "{brief:?}");
        for seed in 0..4 {
            let occupation = occupation_of(brief, seed);
            assert!(
                is_lexicon_occupation(&occupation),
                "{brief:?}: {occupation}"
            );
        }
    }
}

#[test]
fn a_refinement_names_a_new_occupation_only_with_an_article() {
    let parent = generate(LIGHTHOUSE_BRIEF, 2);
    let refine = |refinement: &str| {
        OfflineEngine
            .refine(&parent.layers, LIGHTHOUSE_BRIEF, &request(refinement, 3))
            .unwrap()
    };
    for keeps in [
        "make her calmer",
        "a bit calmer",
        "a decade younger",
        "a few years older",
        "make them 70 years old, named Selin Aydın",
    ] {
        let refined = refine(keeps);
        let surface = &refined.layers["surface"];
        assert_eq!(
            surface["occupation"],
            json!("Retired lighthouse keeper"),
            "{keeps}"
        );
        assert_eq!(refined.suggested_slug, "the-brittany-lighthouse-keeper");
    }
    let beekeeper = refine("make her a beekeeper in Lyon");
    assert_eq!(
        beekeeper.layers["surface"]["occupation"],
        json!("Beekeeper")
    );
    assert_eq!(beekeeper.suggested_slug, "the-lyon-beekeeper");
    assert_eq!(
        beekeeper.layers["surface"]["name"],
        parent.layers["surface"]["name"]
    );
}

#[test]
fn relative_ages_are_read_in_several_forms() {
    let shift_of =
        |text: &str| parse_age_shift(&keyword_tokens(text)).map(|shift| (shift.older, shift.years));
    assert_eq!(shift_of("twenty years younger"), Some((false, 20)));
    assert_eq!(shift_of("make them 10 years older"), Some((true, 10)));
    assert_eq!(shift_of("a decade younger"), Some((false, 10)));
    assert_eq!(shift_of("two decades older"), Some((true, 20)));
    assert_eq!(shift_of("twenty-five years younger"), Some((false, 25)));
    assert_eq!(shift_of("ninety nine years older"), Some((true, 99)));
    assert_eq!(shift_of("a year older"), Some((true, 1)));
    assert_eq!(shift_of("fifteen yrs younger"), Some((false, 15)));
    assert_eq!(shift_of("a few years older"), Some((true, 3)));
    assert_eq!(shift_of("a couple of years younger"), Some((false, 2)));
    assert_eq!(shift_of("two hundred years older"), Some((true, 200)));
    assert_eq!(shift_of("an older brother"), None);
    assert_eq!(shift_of("much younger"), None);
    assert_eq!(shift_of("35 years old"), None);

    let decade_of = |text: &str| parse_age_decade(&keyword_tokens(text));
    assert_eq!(decade_of("in her twenties"), Some((20, 29)));
    assert_eq!(decade_of("in his 60s"), Some((60, 69)));
    assert_eq!(decade_of("in their late 20's"), Some((27, 29)));
    assert_eq!(decade_of("in my early thirties"), Some((30, 33)));
    assert_eq!(decade_of("in his mid-forties"), Some((44, 46)));
    assert_eq!(decade_of("in her teens"), Some((13, 19)));
    assert_eq!(decade_of("a 1920s singer"), None);
    assert_eq!(decade_of("in the sixties"), None);
    assert_eq!(decade_of("in his 65s"), None);
    for seed in 0..10 {
        let age = generate("a beekeeper in her sixties", seed).layers["surface"]["age"]
            .as_u64()
            .unwrap();
        assert!((60..=69).contains(&age), "{age}");
    }
}

#[test]
fn refine_moves_the_parents_age_by_relative_phrases() {
    let parent = generate(ISTANBUL_BRIEF, 5);
    assert_eq!(parent.layers["surface"]["age"], json!(35));
    let age_after = |refinement: &str, seed: u64| {
        OfflineEngine
            .refine(&parent.layers, ISTANBUL_BRIEF, &request(refinement, seed))
            .unwrap()
            .layers["surface"]["age"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(age_after("twenty years younger", 1), 15);
    assert_eq!(age_after("10 years older", 1), 45);
    assert_eq!(age_after("a decade younger", 1), 25);
    assert_eq!(age_after("two decades older and calmer", 1), 55);
    assert_eq!(age_after("thirty-one years older", 1), 66);
    assert_eq!(age_after("fifty years younger", 1), 0);
    assert_eq!(age_after("two hundred years older", 1), MAX_AGE);
    assert_eq!(age_after("in her thirties", 1), 35);
    assert_eq!(age_after("a 25-year-old, ten years older", 1), 25);
    assert_eq!(age_after("ten years older, aged 25", 1), 25);
    assert_eq!(age_after("make her calmer", 1), 35);
    for seed in 0..10 {
        let twenties = age_after("in her twenties", seed);
        assert!((20..=29).contains(&twenties), "{twenties}");
        let sixties = age_after("in his 60s", seed);
        assert!((60..=69).contains(&sixties), "{sixties}");
    }
    let mut ageless = parent.layers.clone();
    ageless["surface"].as_object_mut().unwrap().remove("age");
    let refined = OfflineEngine
        .refine(&ageless, ISTANBUL_BRIEF, &request("ten years older", 1))
        .unwrap();
    assert_eq!(refined.layers["surface"]["age"], json!(45));
}

#[test]
fn refine_reads_the_parent_intent_with_or_without_its_full_stop() {
    let parent = generate(ISTANBUL_BRIEF, 5);
    let with_stop = format!("{ISTANBUL_BRIEF}.");
    let refine = |parent_intent: &str| {
        OfflineEngine
            .refine(
                &parent.layers,
                parent_intent,
                &request("make her calmer", 6),
            )
            .unwrap()
    };
    assert_eq!(refine(ISTANBUL_BRIEF), refine(&with_stop));
    assert_eq!(
        combined_intent(&with_stop, "make her calmer"),
        format!("{ISTANBUL_BRIEF}. make her calmer")
    );
}

#[test]
fn comparatives_and_long_slugs() {
    for comparative in ["calmer", "happier", "bigger", "nicer", "shyer", "older"] {
        assert!(is_modifier(comparative), "{comparative}");
    }
    for noun in ["keeper", "cleaner", "dancer", "beekeeper", "er"] {
        assert!(!is_comparative(noun), "{noun}");
    }
    let slug = slugify("the Saint-Rémy-de-Provence retired deep sea salvage diver");
    assert_eq!(slug, "the-saint-remy-de-provence-retired-deep-sea");
    assert!(slug.len() <= MAX_SLUG_LEN);
    assert_eq!(slugify(&"x".repeat(60)), "x".repeat(MAX_SLUG_LEN));
}

#[test]
fn empty_briefs_and_malformed_parents_are_rejected() {
    assert!(OfflineEngine.generate(&request("   ", 1)).is_err());
    let parent = generate(ISTANBUL_BRIEF, 1);
    assert!(
        OfflineEngine
            .refine(&parent.layers, ISTANBUL_BRIEF, &request("", 1))
            .is_err()
    );
    assert!(
        OfflineEngine
            .refine(&json!([]), ISTANBUL_BRIEF, &request("calmer", 1))
            .is_err()
    );
    assert_eq!(OfflineEngine.name(), "offline");
}
