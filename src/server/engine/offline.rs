//! The offline engine: writes a whole persona from an English brief, with no model or network.
//! Deterministic in (intent, seed, language, pipeline): all chance comes from a seeded PRNG.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{
    Engine, EngineError, Generation, GenerationFuture, GenerationRequest, Pipeline, StepOutput,
    combined_intent, layers_from_steps,
};
use crate::server::compute;

/// Writes personas from keyword heuristics and seeded template tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineEngine;

/// Generations run on the compute pool, off the async workers.
impl Engine for OfflineEngine {
    fn name(&self) -> &'static str {
        "offline"
    }

    fn generate<'a>(&'a self, request: GenerationRequest<'a>) -> GenerationFuture<'a> {
        let owned = OwnedRequest::of(&request);
        Box::pin(compute::run(move || {
            OfflineEngine.generate(&owned.request())
        }))
    }

    fn refine<'a>(
        &'a self,
        parent_layers: &'a Value,
        parent_intent: &'a str,
        request: GenerationRequest<'a>,
    ) -> GenerationFuture<'a> {
        let owned = OwnedRequest::of(&request);
        let (parent_layers, parent_intent) = (parent_layers.clone(), parent_intent.to_string());
        Box::pin(compute::run(move || {
            OfflineEngine.refine(&parent_layers, &parent_intent, &owned.request())
        }))
    }
}

/// A generation request, owned, for the compute pool.
struct OwnedRequest {
    intent: String,
    language: String,
    seed: u64,
    pipeline: Pipeline,
}

impl OwnedRequest {
    fn of(request: &GenerationRequest) -> Self {
        OwnedRequest {
            intent: request.intent.to_string(),
            language: request.language.to_string(),
            seed: request.seed,
            pipeline: request.pipeline,
        }
    }

    fn request(&self) -> GenerationRequest<'_> {
        GenerationRequest {
            intent: &self.intent,
            language: &self.language,
            seed: self.seed,
            pipeline: self.pipeline,
        }
    }
}

/// The engine's answers at once, for callers in synchronous code (its own tests).
impl OfflineEngine {
    pub fn generate(&self, request: &GenerationRequest) -> Result<Generation, EngineError> {
        require_intent(request.intent)?;
        write_generation(request.intent, Brief::parse(request.intent), request)
    }

    pub fn refine(
        &self,
        parent_layers: &Value,
        parent_intent: &str,
        request: &GenerationRequest,
    ) -> Result<Generation, EngineError> {
        require_intent(request.intent)?;
        if !parent_layers.is_object() {
            return Err(EngineError::invalid(
                "the parent's layers must be a JSON object",
            ));
        }
        let parent_surface = &parent_layers["surface"];
        let parent_brief = Brief::parse(parent_intent);
        let parent_age = parent_surface["age"]
            .as_u64()
            .map(|age| age.min(MAX_AGE))
            .or(parent_brief.age);
        let mut refinement = Brief::parse_refinement(request.intent);
        refinement.name = refinement
            .name
            .or_else(|| parent_surface["name"].as_str().map(str::to_owned));
        refinement.age = refinement
            .age
            .or_else(|| refined_age(parent_age, refinement.age_shift, refinement.age_range));
        let brief = parent_brief.refined_by(refinement);
        let intent = combined_intent(parent_intent, request.intent);
        write_generation(&intent, brief, request)
    }
}

fn require_intent(intent: &str) -> Result<(), EngineError> {
    if intent.trim().is_empty() {
        return Err(EngineError::invalid(
            "the brief is empty: describe the persona to write",
        ));
    }
    Ok(())
}

fn write_generation(
    intent: &str,
    brief: Brief,
    request: &GenerationRequest,
) -> Result<Generation, EngineError> {
    let mut rng = SplitMix64::seeded(intent, request.seed);
    let persona = Persona::compose(brief, request.language, &mut rng);
    let steps = persona.steps(request.pipeline, intent)?;
    let layers = layers_from_steps(&steps);
    Ok(Generation {
        suggested_slug: persona.suggested_slug(),
        steps,
        layers,
    })
}

// ---------------------------------------------------------------------------
// Seeded randomness

/// splitmix64: tiny, well mixed, and identical on every platform and Rust version.
struct SplitMix64(u64);

impl SplitMix64 {
    fn seeded(intent: &str, seed: u64) -> Self {
        let digest = Sha256::new()
            .chain_update(intent.as_bytes())
            .chain_update(seed.to_le_bytes())
            .finalize();
        let mut state = [0u8; 8];
        state.copy_from_slice(&digest[..8]);
        SplitMix64(u64::from_le_bytes(state))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A float uniformly drawn from [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer uniformly drawn from low..=high.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------
// Reading the brief

const MAX_AGE: u64 = 150;
const MIN_DRAWN_AGE: u64 = 22;
const MAX_DRAWN_AGE: u64 = 70;
const MIN_RETIRED_AGE: u64 = 58;
const MAX_RETIRED_AGE: u64 = 84;
const MAX_PHRASE_WORDS: usize = 4;

/// What the brief states outright; anything missing is drawn from the PRNG.
struct Brief {
    age: Option<u64>,
    /// "in her sixties": the range an age is drawn from when none is given.
    age_range: Option<(u64, u64)>,
    /// "ten years younger": only a refinement uses it, to move the parent's age.
    age_shift: Option<AgeShift>,
    name: Option<String>,
    place: Option<String>,
    career: Option<Career>,
    trait_shifts: Vec<(usize, f64)>,
}

impl Brief {
    fn parse(text: &str) -> Brief {
        Brief::read(text, false)
    }

    /// A fork's refinement: it names a new occupation outside the lexicon only with an
    /// article ("now a beekeeper"), so "make her calmer" keeps the parent's.
    fn parse_refinement(text: &str) -> Brief {
        Brief::read(text, true)
    }

    fn read(text: &str, occupation_needs_article: bool) -> Brief {
        let tokens = keyword_tokens(text);
        let words = phrase_words(text);
        let brief_is_lowercase = !text.chars().any(char::is_uppercase);
        Brief {
            age: parse_age(&tokens),
            age_range: parse_age_decade(&tokens),
            age_shift: parse_age_shift(&tokens),
            name: parse_name(&words),
            place: parse_place(&words, brief_is_lowercase),
            career: parse_career(&tokens).or_else(|| {
                described_occupation(&words, occupation_needs_article).map(Career::Described)
            }),
            trait_shifts: tokens
                .iter()
                .filter_map(|token| trait_shifts(token))
                .flatten()
                .copied()
                .collect(),
        }
    }

    /// The refinement's explicit facts win; trait words from both briefs add up. A refinement
    /// that gives an age range but no age lets the age be drawn in that range.
    fn refined_by(mut self, refinement: Brief) -> Brief {
        self.trait_shifts.extend(refinement.trait_shifts);
        let parent_age = self.age.filter(|_| refinement.age_range.is_none());
        Brief {
            age: refinement.age.or(parent_age),
            age_range: refinement.age_range.or(self.age_range),
            age_shift: None,
            name: refinement.name.or(self.name),
            place: refinement.place.or(self.place),
            career: refinement.career.or(self.career),
            trait_shifts: self.trait_shifts,
        }
    }
}

/// Lowercase alphanumeric runs: "35-year-old" gives "35", "year", "old".
fn keyword_tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whitespace-separated word with its edge punctuation removed, for reading proper nouns.
struct Word<'a> {
    text: &'a str,
    lower: String,
    closes_clause: bool,
    /// Ends a sentence, a paragraph, a heading or a list item: the next word starts afresh.
    ends_sentence: bool,
    /// On a Markdown heading line: usually a title or the character's name.
    in_heading: bool,
}

/// The brief's words; a blank line, a Markdown heading or a list item also closes a clause.
fn phrase_words(text: &str) -> Vec<Word<'_>> {
    let mut words: Vec<Word<'_>> = Vec::new();
    for line in text.lines() {
        let line_start = line.trim_start();
        let in_heading = line_start.starts_with('#');
        let starts_block = line_start.is_empty()
            || in_heading
            || line_start.starts_with("- ")
            || line_start.starts_with("* ")
            || line_start.starts_with("+ ")
            || line_start.starts_with('>');
        if starts_block && let Some(previous) = words.last_mut() {
            previous.closes_clause = true;
            previous.ends_sentence = true;
        }
        for raw in line.split_whitespace() {
            let core = raw.trim_matches(|c: char| !c.is_alphanumeric());
            let trailing = &raw[raw.trim_end_matches(|c: char| !c.is_alphanumeric()).len()..];
            let closes_clause = trailing.contains([',', '.', ';', ':', '!', '?', ')']);
            let ends_sentence = trailing.contains(['.', '!', '?']);
            if core.is_empty() {
                if let Some(previous) = words.last_mut() {
                    previous.closes_clause |= closes_clause;
                    previous.ends_sentence |= ends_sentence;
                }
                continue;
            }
            words.push(Word {
                text: core,
                lower: core.to_lowercase(),
                closes_clause,
                ends_sentence,
                in_heading,
            });
        }
        if in_heading && let Some(previous) = words.last_mut() {
            previous.closes_clause = true;
            previous.ends_sentence = true;
        }
    }
    words
}

fn parse_age(tokens: &[String]) -> Option<u64> {
    let token_at = |index: usize| tokens.get(index).map(String::as_str);
    for (index, token) in tokens.iter().enumerate() {
        if let Some(number) = whole_number(token) {
            let says_years_old =
                matches!(token_at(index + 1), Some("year" | "years" | "yr" | "yrs"))
                    && token_at(index + 2) == Some("old");
            if says_years_old || token_at(index + 1) == Some("yo") {
                return Some(number.min(MAX_AGE));
            }
        }
        if let Some(number) = token.strip_suffix("yo").and_then(whole_number) {
            return Some(number.min(MAX_AGE));
        }
        if matches!(token.as_str(), "aged" | "age")
            && let Some(number) = token_at(index + 1).and_then(whole_number)
        {
            return Some(number.min(MAX_AGE));
        }
    }
    None
}

/// "in her sixties", "in his early 30s", "in their teens": the ages that decade allows.
fn parse_age_decade(tokens: &[String]) -> Option<(u64, u64)> {
    let token_at = |index: usize| tokens.get(index).map(String::as_str);
    (0..tokens.len()).find_map(|index| {
        let says_in_their = token_at(index) == Some("in")
            && matches!(
                token_at(index + 1),
                Some("her" | "his" | "their" | "my" | "your" | "its")
            );
        if !says_in_their {
            return None;
        }
        let (part, decade_at) = match token_at(index + 2) {
            Some(part @ ("early" | "mid" | "late")) => (Some(part), index + 3),
            _ => (None, index + 2),
        };
        let decade = token_at(decade_at)?;
        let start = match decade.strip_suffix('s').and_then(whole_number) {
            Some(number) => number,
            None if token_at(decade_at + 1) == Some("s") => whole_number(decade)?,
            None => decade_named(decade)?,
        };
        if start == TEENS {
            return Some(match part {
                Some("early") => (13, 14),
                Some("mid") => (15, 16),
                Some(_) => (17, 19),
                None => (13, 19),
            });
        }
        if !(20..=140).contains(&start) || start % 10 != 0 {
            return None;
        }
        Some(match part {
            Some("early") => (start, start + 3),
            Some("mid") => (start + 4, start + 6),
            Some(_) => (start + 7, start + 9),
            None => (start, start + 9),
        })
    })
}

const TEENS: u64 = 10;

fn decade_named(word: &str) -> Option<u64> {
    let start = match word {
        "teens" => TEENS,
        "twenties" => 20,
        "thirties" => 30,
        "forties" => 40,
        "fifties" => 50,
        "sixties" => 60,
        "seventies" => 70,
        "eighties" => 80,
        "nineties" => 90,
        _ => return None,
    };
    Some(start)
}

/// How far a refinement moves an age: "ten years younger", "a decade older".
#[derive(Debug, Clone, Copy, PartialEq)]
struct AgeShift {
    years: u64,
    older: bool,
}

impl AgeShift {
    fn applied_to(self, age: u64) -> u64 {
        if self.older {
            age.saturating_add(self.years).min(MAX_AGE)
        } else {
            age.saturating_sub(self.years)
        }
    }
}

fn parse_age_shift(tokens: &[String]) -> Option<AgeShift> {
    tokens.iter().enumerate().find_map(|(index, token)| {
        let older = match token.as_str() {
            "older" => true,
            "younger" => false,
            _ => return None,
        };
        let unit_at = index.checked_sub(1)?;
        let unit_years = match tokens[unit_at].as_str() {
            "year" | "years" | "yr" | "yrs" => 1,
            "decade" | "decades" => 10,
            _ => return None,
        };
        let amount = quantity_before(tokens, unit_at)?;
        Some(AgeShift {
            years: amount.saturating_mul(unit_years),
            older,
        })
    })
}

/// The number written just before `end`: "10", "a", "twenty-five", "a few", "two hundred".
fn quantity_before(tokens: &[String], end: usize) -> Option<u64> {
    let back = |distance: usize| {
        end.checked_sub(distance)
            .and_then(|index| tokens.get(index))
            .map(String::as_str)
    };
    let last = back(1)?;
    if let Some(number) = whole_number(last) {
        return Some(number);
    }
    let small = |word: &str| match word {
        "a" | "an" => Some(1),
        other => number_named(other).filter(|&number| number < 10),
    };
    match last {
        "a" | "an" => Some(1),
        "few" => Some(3),
        "couple" => Some(2),
        "of" if back(2) == Some("couple") => Some(2),
        "hundred" => back(2)
            .and_then(|word| whole_number(word).or_else(|| small(word)))
            .map(|count| count.saturating_mul(100)),
        _ => {
            let number = number_named(last)?;
            let tens = back(2)
                .and_then(number_named)
                .filter(|&tens| number < 10 && tens >= 20 && tens % 10 == 0);
            Some(number + tens.unwrap_or(0))
        }
    }
}

/// "one" to "nineteen", and the tens up to "ninety".
fn number_named(word: &str) -> Option<u64> {
    const UNITS: [&str; 19] = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(index) = UNITS.iter().position(|&unit| unit == word) {
        return Some(index as u64 + 1);
    }
    TENS.iter()
        .position(|&tens| tens == word)
        .map(|index| (index as u64 + 2) * 10)
}

/// The age a refinement gives the parent's: shifted if it says so, kept if it fits the refinement's
/// decade, none (to be drawn in that decade) if it does not.
fn refined_age(
    parent_age: Option<u64>,
    shift: Option<AgeShift>,
    range: Option<(u64, u64)>,
) -> Option<u64> {
    let age = match (parent_age, shift) {
        (Some(age), Some(shift)) => Some(shift.applied_to(age)),
        (age, _) => age,
    };
    match range {
        Some((youngest, oldest)) => age.filter(|age| (youngest..=oldest).contains(age)),
        None => age,
    }
}

/// Digits only; a number too large for u64 saturates (ages are clamped anyway).
fn whole_number(token: &str) -> Option<u64> {
    if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(token.parse().unwrap_or(u64::MAX))
}

fn parse_name(words: &[Word]) -> Option<String> {
    words.iter().enumerate().find_map(|(index, word)| {
        let introduces_name =
            matches!(word.lower.as_str(), "named" | "called") && !word.closes_clause;
        if introduces_name {
            capitalized_phrase(&words[index + 1..])
        } else {
            None
        }
    })
}

/// "in X" wins over "from X": where someone lives matters more than where they came from.
fn parse_place(words: &[Word], brief_is_lowercase: bool) -> Option<String> {
    ["in", "from"].iter().find_map(|keyword| {
        words.iter().enumerate().find_map(|(index, word)| {
            if word.lower != *keyword || word.closes_clause {
                return None;
            }
            let following = &words[index + 1..];
            let first = following.first()?;
            if is_listed(NOT_A_PLACE, &first.lower) {
                return None;
            }
            capitalized_phrase(following).or_else(|| {
                (brief_is_lowercase && could_be_lowercase_place(&first.lower))
                    .then(|| capitalized(first.text))
            })
        })
    })
}

fn could_be_lowercase_place(word: &str) -> bool {
    word.chars().all(char::is_alphabetic)
        && occupation_named(word).is_none()
        && trait_shifts(word).is_none()
}

/// Consecutive capitalised words ("New York", "Rio de Janeiro"), up to the end of the clause.
fn capitalized_phrase(following: &[Word]) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for (index, word) in following.iter().enumerate() {
        let joins_names = !parts.is_empty()
            && !word.closes_clause
            && is_listed(PHRASE_CONNECTORS, &word.lower)
            && following
                .get(index + 1)
                .is_some_and(|next| starts_uppercase(next.text));
        if parts.len() == MAX_PHRASE_WORDS || !(starts_uppercase(word.text) || joins_names) {
            break;
        }
        parts.push(word.text);
        if word.closes_clause {
            break;
        }
    }
    while parts
        .last()
        .is_some_and(|last| is_listed(PHRASE_CONNECTORS, &last.to_lowercase()))
    {
        parts.pop();
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn is_listed(word_list: &str, word: &str) -> bool {
    word_list.split_whitespace().any(|listed| listed == word)
}

fn starts_uppercase(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Lowercase particles that may sit inside a place or person name, space-separated.
const PHRASE_CONNECTORS: &str = "de del da do dos di la le les van von am upon sur en al el";

/// Lowercase words that can follow "in" or "from" without naming a place, space-separated.
const NOT_A_PLACE: &str = "\
    the a an her his their my our your its love search pursuit need debt exile \
    retirement mourning grief trouble charge secret private public general particular \
    between middle time school college university town city village country countryside \
    prison hospital hiding denial recovery spirit fact order hope which january february \
    march april may june july august september october november december monday tuesday \
    wednesday thursday friday saturday sunday english turkish german french spanish \
    italian portuguese japanese norwegian";

// ---------------------------------------------------------------------------
// Occupations

struct Occupation {
    noun: &'static str,
    /// What the work is made of, as a plural noun phrase: "spends most days among {matter}".
    matter: &'static str,
}

const fn occupation(noun: &'static str, matter: &'static str) -> Occupation {
    Occupation { noun, matter }
}

const OCCUPATIONS: &[Occupation] = &[
    occupation("bookseller", "forgotten books"),
    occupation("librarian", "catalogued shelves and quiet reading rooms"),
    occupation("teacher", "restless classrooms"),
    occupation("professor", "lecture halls and unread dissertations"),
    occupation("academic", "footnotes and seminar rooms"),
    occupation("student", "lecture notes and unfinished essays"),
    occupation("nurse", "night shifts and hospital corridors"),
    occupation("doctor", "patients' charts and waiting rooms"),
    occupation("surgeon", "operating theatres and steady hands"),
    occupation("pharmacist", "labelled jars and prescriptions"),
    occupation("dentist", "nervous patients"),
    occupation("therapist", "other people's confessions"),
    occupation("midwife", "first breaths"),
    occupation("veterinarian", "frightened animals"),
    occupation("detective", "unsolved cases"),
    occupation("lawyer", "contracts and courtrooms"),
    occupation("judge", "verdicts and case files"),
    occupation("officer", "patrol routes and incident reports"),
    occupation("soldier", "barracks and marching orders"),
    occupation("baker", "flour and early ovens"),
    occupation("chef", "hot kitchens and sharp knives"),
    occupation("cook", "simmering pots"),
    occupation("butcher", "cleavers and cold rooms"),
    occupation("farmer", "fields and weather"),
    occupation("gardener", "seed trays and overgrown beds"),
    occupation("florist", "cut flowers"),
    occupation("fisherman", "nets and cold harbours"),
    occupation("sailor", "ropes, tides and harbours"),
    occupation("pilot", "flight plans and clouds"),
    occupation("driver", "night roads"),
    occupation("courier", "parcels and city streets"),
    occupation("engineer", "machines and blueprints"),
    occupation("architect", "blueprints and unfinished buildings"),
    occupation("programmer", "code and blinking terminals"),
    occupation("developer", "code and bug reports"),
    occupation("scientist", "experiments and data"),
    occupation("mechanic", "engines and oil-stained tools"),
    occupation("electrician", "tangled wiring"),
    occupation("carpenter", "timber and sawdust"),
    occupation("blacksmith", "forges and hot iron"),
    occupation("tailor", "bolts of cloth and pins"),
    occupation("barber", "razors and small talk"),
    occupation("shopkeeper", "crowded shelves and regular customers"),
    occupation("merchant", "ledgers and trade routes"),
    occupation("banker", "ledgers and balance sheets"),
    occupation("accountant", "spreadsheets and receipts"),
    occupation("clerk", "forms and filing cabinets"),
    occupation("painter", "half-finished canvases"),
    occupation("sculptor", "stone and clay"),
    occupation("photographer", "contact sheets and changing light"),
    occupation("musician", "old scores and late-night rehearsals"),
    occupation("composer", "blank staves and half-heard melodies"),
    occupation("singer", "songs and smoky stages"),
    occupation("dancer", "rehearsal rooms and sore feet"),
    occupation("actor", "scripts and stage lights"),
    occupation("writer", "drafts and crossed-out pages"),
    occupation("novelist", "unfinished manuscripts"),
    occupation("poet", "notebooks full of half-lines"),
    occupation("journalist", "deadlines and sources"),
    occupation("editor", "other people's sentences"),
    occupation("translator", "dictionaries and untranslatable words"),
    occupation("historian", "archives and old letters"),
    occupation("archivist", "boxes of old letters"),
    occupation("philosopher", "old arguments"),
    occupation("astronomer", "star charts and long nights"),
    occupation("monk", "prayers and quiet cloisters"),
    occupation("nun", "prayers and quiet cloisters"),
    occupation("priest", "confessions and empty pews"),
    occupation("diplomat", "treaties and polite lies"),
    occupation("spy", "codes and borrowed identities"),
    occupation("waiter", "crowded tables"),
    occupation("bartender", "late-night confessions"),
    occupation("barista", "coffee cups and early risers"),
    occupation("knight", "oaths and old armour"),
    occupation("pirate", "stolen maps and open sea"),
    occupation("thief", "locks and other people's treasures"),
    occupation("hunter", "tracks and cold forests"),
    occupation("witch", "herbs and old spells"),
    occupation("wizard", "spellbooks and strange lights"),
    occupation("vampire", "long nights and old secrets"),
];

fn occupation_named(word: &str) -> Option<&'static Occupation> {
    OCCUPATIONS
        .iter()
        .find(|occupation| occupation.noun == word)
}

/// Words that mark the next occupation noun (within two words) as a former one.
const FORMER_MARKERS: &[&str] = &["ex", "former", "formerly", "retired", "erstwhile"];
const FORMER_MARKER_REACH: usize = 3;

#[derive(Clone)]
enum Career {
    Current {
        now: &'static Occupation,
        before: Option<&'static Occupation>,
    },
    Past {
        was: &'static Occupation,
        retired: bool,
    },
    /// An occupation the lexicon lacks, in the brief's own words.
    Described(DescribedOccupation),
}

#[derive(Clone, Debug, PartialEq)]
struct DescribedOccupation {
    /// As it reads inside a sentence: "retired lighthouse keeper".
    phrase: String,
    /// The work itself, without "retired" or "former": "lighthouse keeper".
    noun: String,
    retired: bool,
}

impl Career {
    /// The occupation's noun, for slugs: "bookseller", "lighthouse keeper".
    fn noun(&self) -> &str {
        match self {
            Career::Current { now, .. } => now.noun,
            Career::Past { was, .. } => was.noun,
            Career::Described(described) => &described.noun,
        }
    }

    /// What the work is made of, as a plural noun phrase.
    fn matter(&self) -> String {
        match self {
            Career::Current { now, .. } => now.matter.to_owned(),
            Career::Past { was, .. } => was.matter.to_owned(),
            Career::Described(described) => format!(
                "the tools and habits of {}'s trade",
                with_article(&described.noun)
            ),
        }
    }

    /// The range an age is drawn from when the brief gives none.
    fn plausible_ages(&self) -> (u64, u64) {
        match self {
            Career::Past { retired: true, .. }
            | Career::Described(DescribedOccupation { retired: true, .. }) => {
                (MIN_RETIRED_AGE, MAX_RETIRED_AGE)
            }
            _ => (MIN_DRAWN_AGE, MAX_DRAWN_AGE),
        }
    }

    /// The surface.occupation text: "Bookseller, former academic".
    fn title(self) -> String {
        match self {
            Career::Current {
                now,
                before: Some(before),
            } => {
                format!("{}, former {}", capitalized(now.noun), before.noun)
            }
            Career::Current { now, before: None } => capitalized(now.noun),
            Career::Past { was, retired } => {
                format!(
                    "{} {}",
                    if retired { "Retired" } else { "Former" },
                    was.noun
                )
            }
            Career::Described(described) => capitalized(&described.phrase),
        }
    }

    /// The same, as it reads inside a sentence: "bookseller and former academic".
    fn phrase(&self) -> String {
        match self {
            Career::Current {
                now,
                before: Some(before),
            } => {
                format!("{} and former {}", now.noun, before.noun)
            }
            Career::Current { now, before: None } => now.noun.to_owned(),
            Career::Past { was, retired } => {
                format!(
                    "{} {}",
                    if *retired { "retired" } else { "former" },
                    was.noun
                )
            }
            Career::Described(described) => described.phrase.clone(),
        }
    }
}

fn parse_career(tokens: &[String]) -> Option<Career> {
    let mut current = None;
    let mut former: Option<(&'static Occupation, bool)> = None;
    let mut pending_marker: Option<(bool, usize)> = None;
    for token in tokens {
        if FORMER_MARKERS.contains(&token.as_str()) {
            pending_marker = Some((token == "retired", FORMER_MARKER_REACH));
            continue;
        }
        if let Some(found) = occupation_named(token) {
            match pending_marker.take() {
                Some((retired, _)) => {
                    former = former.or(Some((found, retired)));
                }
                None => current = current.or(Some(found)),
            }
            continue;
        }
        pending_marker = pending_marker
            .map(|(retired, reach)| (retired, reach - 1))
            .filter(|&(_, reach)| reach > 0);
    }
    match (current, former) {
        (Some(now), before) => Some(Career::Current {
            now,
            before: before.map(|(occupation, _)| occupation),
        }),
        (None, Some((was, retired))) => Some(Career::Past { was, retired }),
        (None, None) => None,
    }
}

// ---------------------------------------------------------------------------
// Occupations outside the lexicon

const MAX_OCCUPATION_WORDS: usize = 5;

/// Words that end the noun phrase heading a brief; the rest of their clause is skipped.
const HEAD_BOUNDARIES: &str = "\
    in from living lives live based who whom whose which that named called with without at \
    near on by for to since because after before during while where when than like";

/// Words that end the noun phrase without ending the clause: "gruff but kind beekeeper".
const CONJUNCTIONS: &str = "and but or yet nor plus";

/// Words that lead into the occupation without being part of it: articles, pronouns, verbs of
/// a request ("make her a ..."), intensifiers.
const FILLER_WORDS: &str = "\
    a an the some this that these those one now make makes made turn turns turned into \
    become becomes became create write generate give imagine picture describe me us him her \
    them they he she is are was were be been being as also instead still really very \
    quite rather somewhat slightly extremely deeply incredibly truly fairly bit little more \
    less most least much many few couple several lot of and but or yet nor plus so too";

/// Describing words outside the trait lexicon that often precede an occupation.
const PLAIN_ADJECTIVES: &str = "\
    old young elderly ageing aging middle-aged tall short small big large fat thin skinny \
    slim gruff grizzled weathered wise nice good bad great lovely happy unhappy tired weary \
    single married divorced widowed local famous renowned well-known unknown humble simple \
    ordinary average typical mysterious strange odd quirky handsome beautiful pretty ugly \
    plain bright smart clever brilliant stern kindly proud poor rich wealthy brave bold \
    honest polite elegant fierce angry new scruffy burly lanky stocky wiry nosy chatty grouchy";

/// Words that tell an age rather than an occupation: "35-year-old", "twenty-something".
const AGE_WORDS: &str = "year years yr yrs old yo aged age decade decades younger older teen \
    teens teenage teenaged something ish";

/// Nouns for a person that say nothing of their work: "a kind woman", "someone".
const NOT_AN_OCCUPATION: &str = "\
    man men woman women person people guy guys gal girl girls boy boys lady ladies gentleman \
    gentlemen fellow someone somebody anyone anybody everyone individual human character \
    soul kid kids child children adult adults teenager youngster persona type folk folks \
    mother father mom mum dad parent grandmother grandfather grandma grandpa granny widow \
    widower wife husband son daughter sister brother aunt uncle cousin friend neighbour \
    neighbor stranger";

/// Verbs that show a clause describes a habit, not a job: "keeps bees", "has a dog".
const COMMON_VERBS: &str = "\
    has have had loves love hates hate likes like keeps keep works work lives live runs run \
    owns own wants want needs need spends spend believes thinks knows feels seems looks \
    tends uses used";

/// An occupation named in the brief's own words, for when no lexicon noun matches: the noun
/// phrase heading the first sentence, after its age, article and trait words and before
/// "in", "from", "who", a comma or a full stop. "retired lighthouse keeper in Brittany, gruff
/// but kind" gives "retired lighthouse keeper". A refinement must introduce it with "a"/"an".
fn described_occupation(words: &[Word], needs_article: bool) -> Option<DescribedOccupation> {
    let mut carried: Vec<usize> = Vec::new();
    let mut carried_article = false;
    let mut index = 0;
    while index < words.len() {
        let start = index;
        let mut stopped_at_boundary = false;
        while index < words.len() {
            if is_listed(HEAD_BOUNDARIES, &words[index].lower) {
                stopped_at_boundary = true;
                break;
            }
            index += 1;
            if words[index - 1].closes_clause {
                break;
            }
        }
        let clause: Vec<usize> = (start..index)
            .filter(|&position| !words[position].in_heading)
            .collect();
        if stopped_at_boundary {
            while index < words.len() {
                index += 1;
                if words[index - 1].closes_clause {
                    break;
                }
            }
        }
        if let Some(found) = clause_occupation(
            words,
            &clause,
            needs_article,
            &mut carried,
            &mut carried_article,
        ) {
            return Some(found);
        }
        let sentence_ended = words[index - 1].ends_sentence
            && (start..index).any(|position| !words[position].in_heading);
        if sentence_ended {
            break;
        }
    }
    None
}

/// The occupation one clause names, if any. A clause of bare markers ("retired,") is carried
/// over to the next clause.
fn clause_occupation(
    words: &[Word],
    clause: &[usize],
    needs_article: bool,
    carried: &mut Vec<usize>,
    carried_article: &mut bool,
) -> Option<DescribedOccupation> {
    let leading = clause
        .iter()
        .take_while(|&&position| is_modifier(&words[position].lower))
        .count();
    let has_article = *carried_article
        || clause[..leading]
            .iter()
            .any(|&position| matches!(words[position].lower.as_str(), "a" | "an"));
    let mut phrase: Vec<usize> = clause[leading..]
        .iter()
        .copied()
        .take_while(|&position| !is_listed(CONJUNCTIONS, &words[position].lower))
        .collect();
    while phrase
        .last()
        .is_some_and(|&position| is_modifier(&words[position].lower))
    {
        phrase.pop();
    }
    if phrase.is_empty() {
        return None;
    }
    let only_markers = phrase
        .iter()
        .all(|&position| FORMER_MARKERS.contains(&words[position].lower.as_str()));
    carried.extend(phrase);
    if only_markers {
        *carried_article = has_article;
        return None;
    }
    let found = (!needs_article || has_article)
        .then(|| occupation_from(words, carried))
        .flatten();
    if found.is_none() {
        carried.clear();
        *carried_article = false;
    }
    found
}

/// The occupation the chosen words name, or none if they name a person, a place or a habit.
fn occupation_from(words: &[Word], positions: &[usize]) -> Option<DescribedOccupation> {
    let first_of = positions
        .iter()
        .position(|&position| words[position].lower == "of");
    let head_end = first_of.unwrap_or(positions.len());
    let head = words[*positions[..head_end].last()?].lower.as_str();
    let usable = head.chars().any(char::is_alphabetic)
        && !head.chars().any(|c| c.is_ascii_digit())
        && !is_listed(NOT_AN_OCCUPATION, head)
        && !FORMER_MARKERS.contains(&head)
        && !positions
            .iter()
            .any(|&position| is_listed(COMMON_VERBS, &words[position].lower));
    let begins_sentence = positions[0] == 0 || words[positions[0] - 1].ends_sentence;
    let proper_noun = !begins_sentence
        && positions
            .iter()
            .all(|&position| starts_uppercase(words[position].text));
    if !usable || proper_noun {
        return None;
    }
    let mut kept = positions;
    if kept.len() > MAX_OCCUPATION_WORDS {
        kept = &kept[..head_end];
    }
    kept = &kept[kept.len().saturating_sub(MAX_OCCUPATION_WORDS)..];
    let mut phrase_words: Vec<String> = kept
        .iter()
        .map(|&position| words[position].text.to_owned())
        .collect();
    let begins_sentence = kept[0] == 0 || words[kept[0] - 1].ends_sentence;
    let title_cased = |word: &String| *word == capitalized(&word.to_lowercase());
    if begins_sentence && title_cased(&phrase_words[0]) {
        let all_title_cased = phrase_words.iter().all(title_cased);
        for word in phrase_words
            .iter_mut()
            .take(if all_title_cased { usize::MAX } else { 1 })
        {
            *word = word.to_lowercase();
        }
    }
    let noun: Vec<&str> = phrase_words
        .iter()
        .filter(|word| !FORMER_MARKERS.contains(&word.to_lowercase().as_str()))
        .map(|word| without_former_prefix(word))
        .collect();
    if noun.is_empty() {
        return None;
    }
    Some(DescribedOccupation {
        retired: kept
            .iter()
            .any(|&position| words[position].lower == "retired"),
        noun: noun.join(" "),
        phrase: phrase_words.join(" "),
    })
}

/// "ex-lighthouse" gives "lighthouse".
fn without_former_prefix(word: &str) -> &str {
    FORMER_MARKERS
        .iter()
        .find_map(|marker| {
            let prefix = word.get(..marker.len())?;
            prefix.eq_ignore_ascii_case(marker).then_some(())?;
            word[marker.len()..].strip_prefix('-')
        })
        .filter(|rest| !rest.is_empty())
        .unwrap_or(word)
}

/// A word that may lead into an occupation without being part of it.
fn is_modifier(word: &str) -> bool {
    is_listed(FILLER_WORDS, word)
        || is_describing(word)
        || is_age_word(word)
        || is_comparative(word)
}

fn is_describing(word: &str) -> bool {
    trait_shifts(word).is_some() || is_listed(PLAIN_ADJECTIVES, word) || looks_adjectival(word)
}

/// "weathered", "salt-stained", "fearless", "famous": endings that seldom close an occupation.
/// "retired" and "former" are kept: they say something about the career.
fn looks_adjectival(word: &str) -> bool {
    let last_part = word.rsplit('-').next().unwrap_or(word);
    !FORMER_MARKERS.contains(&word)
        && last_part.chars().count() > 4
        && ["ed", "ful", "ous", "less", "ish"]
            .iter()
            .any(|ending| last_part.ends_with(ending))
}

/// "35-year-old", "thirty-something", "aged": digits, or number and age words only.
fn is_age_word(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        || word.split('-').all(|part| {
            !part.is_empty() && (is_listed(AGE_WORDS, part) || number_named(part).is_some())
        })
}

/// "calmer", "happier", "bigger", "nicer": a comparative of a describing word.
fn is_comparative(word: &str) -> bool {
    let Some(stem) = word.strip_suffix("er") else {
        return false;
    };
    let mut letters = stem.chars();
    let last = letters.next_back();
    let undoubled =
        (last.is_some() && last == letters.clone().next_back()).then_some(letters.as_str());
    let from_y = stem.strip_suffix('i').map(|base| format!("{base}y"));
    is_describing(stem)
        || is_describing(&format!("{stem}e"))
        || undoubled.is_some_and(is_describing)
        || from_y.is_some_and(|base| is_describing(&base))
}

// ---------------------------------------------------------------------------
// Big Five

const OPENNESS: usize = 0;
const CONSCIENTIOUSNESS: usize = 1;
const EXTRAVERSION: usize = 2;
const AGREEABLENESS: usize = 3;
const NEUROTICISM: usize = 4;
const BIG_FIVE_KEYS: [&str; 5] = ["O", "C", "E", "A", "N"];

const BASELINE: f64 = 0.5;
const JITTER: f64 = 0.06;
const STRONG: f64 = 0.28;
const MILD: f64 = 0.14;
const LOWEST_SCORE: f64 = 0.02;
const HIGHEST_SCORE: f64 = 0.98;
/// How far from the baseline a score must sit to colour the voice and the bio.
const NOTABLE_DEVIATION: f64 = 0.12;

type Shifts = &'static [(usize, f64)];

/// Trait words (space-separated) and how each one moves the Big Five.
const TRAIT_WORDS: &[(&str, Shifts)] = &[
    (
        "shy introverted quiet reserved withdrawn solitary reclusive taciturn",
        &[(EXTRAVERSION, -STRONG)],
    ),
    (
        "lonely timid",
        &[(EXTRAVERSION, -STRONG), (NEUROTICISM, MILD)],
    ),
    (
        "outgoing talkative charismatic extroverted extraverted sociable \
         gregarious bubbly loud flamboyant",
        &[(EXTRAVERSION, STRONG)],
    ),
    (
        "intellectual curious artistic dreamy imaginative creative eccentric \
         bookish philosophical inventive erudite poetic",
        &[(OPENNESS, STRONG)],
    ),
    ("adventurous", &[(OPENNESS, STRONG), (EXTRAVERSION, MILD)]),
    (
        "conventional traditional practical pragmatic conservative rigid",
        &[(OPENNESS, -STRONG)],
    ),
    (
        "organized organised meticulous disciplined diligent punctual methodical \
         hardworking perfectionist careful dutiful",
        &[(CONSCIENTIOUSNESS, STRONG)],
    ),
    (
        "ambitious",
        &[(CONSCIENTIOUSNESS, STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "lazy chaotic messy disorganized disorganised careless forgetful",
        &[(CONSCIENTIOUSNESS, -STRONG)],
    ),
    (
        "impulsive reckless spontaneous",
        &[(CONSCIENTIOUSNESS, -STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "kind warm gentle generous compassionate caring friendly patient loyal \
         empathetic sweet tender nurturing",
        &[(AGREEABLENESS, STRONG)],
    ),
    (
        "cynical grumpy blunt arrogant rude cold ruthless sarcastic stubborn \
         bitter cruel abrasive cantankerous",
        &[(AGREEABLENESS, -STRONG)],
    ),
    ("rebellious", &[(AGREEABLENESS, -STRONG), (OPENNESS, MILD)]),
    (
        "anxious melancholic melancholy nervous moody insecure neurotic worried \
         sad fragile haunted grieving tormented paranoid depressed",
        &[(NEUROTICISM, STRONG)],
    ),
    (
        "calm serene stoic relaxed steady resilient unflappable composed \
         confident",
        &[(NEUROTICISM, -STRONG)],
    ),
    (
        "cheerful optimistic jovial",
        &[(NEUROTICISM, -STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "playful witty funny",
        &[(EXTRAVERSION, STRONG), (NEUROTICISM, -MILD)],
    ),
];

fn trait_shifts(word: &str) -> Option<Shifts> {
    TRAIT_WORDS
        .iter()
        .find(|(words, _)| is_listed(words, word))
        .map(|&(_, shifts)| shifts)
}

/// Baseline plus jitter, moved by each trait word, clamped and rounded to two decimals.
fn big_five_scores(trait_shifts: &[(usize, f64)], rng: &mut SplitMix64) -> [f64; 5] {
    let mut scores = [0.0; 5];
    for score in &mut scores {
        *score = BASELINE + (rng.unit() * 2.0 - 1.0) * JITTER;
    }
    for &(dimension, shift) in trait_shifts {
        scores[dimension] += shift;
    }
    scores.map(|score| (score.clamp(LOWEST_SCORE, HIGHEST_SCORE) * 100.0).round() / 100.0)
}

/// How a strong score on one side of a dimension shows: in the voice, and in what people say.
struct Pole {
    registers: [&'static str; 2],
    reputation: &'static str,
}

/// Per dimension, in O C E A N order: the low pole, then the high pole.
const POLES: [[Pole; 2]; 5] = [
    [
        Pole {
            registers: ["plain-spoken", "concrete and literal"],
            reputation: "good common sense",
        },
        Pole {
            registers: ["allusive, slightly archaic", "curious, digressive"],
            reputation: "a restless curiosity",
        },
    ],
    [
        Pole {
            registers: ["rambling", "loose and improvised"],
            reputation: "a cheerful disregard for schedules",
        },
        Pole {
            registers: ["precise", "carefully measured"],
            reputation: "exacting standards",
        },
    ],
    [
        Pole {
            registers: ["terse", "quiet and economical"],
            reputation: "a reserved, watchful manner",
        },
        Pole {
            registers: ["animated", "warm and talkative"],
            reputation: "an easy laugh",
        },
    ],
    [
        Pole {
            registers: ["wry", "blunt, faintly sardonic"],
            reputation: "a sharp tongue",
        },
        Pole {
            registers: ["gentle", "encouraging"],
            reputation: "a soft heart",
        },
    ],
    [
        Pole {
            registers: ["calm", "unhurried"],
            reputation: "an unshakable calm",
        },
        Pole {
            registers: ["hesitant", "self-deprecating"],
            reputation: "a nervous intensity",
        },
    ],
];

const PLAIN_REGISTER: &str = "plain, conversational";
const PLAIN_REPUTATION: &str = "an even temper";
const MAX_REGISTER_DESCRIPTORS: usize = 3;

/// The poles of the dimensions that stand out, most extreme first.
fn notable_poles(scores: &[f64; 5]) -> Vec<&'static Pole> {
    let deviation = |dimension: usize| (scores[dimension] - BASELINE).abs();
    let mut dimensions: Vec<usize> = (0..scores.len())
        .filter(|&dimension| deviation(dimension) >= NOTABLE_DEVIATION)
        .collect();
    dimensions.sort_by(|&left, &right| deviation(right).total_cmp(&deviation(left)));
    dimensions
        .into_iter()
        .map(|dimension| &POLES[dimension][usize::from(scores[dimension] >= BASELINE)])
        .collect()
}

// ---------------------------------------------------------------------------
// Archetypes and the soul they imply

struct Archetype {
    slug: &'static str,
    /// The typical Big Five profile, in O C E A N order.
    prototype: [f64; 5],
    /// Soul templates; "{matter}" becomes what the persona's work is made of.
    desires: &'static [&'static str],
    fears: &'static [&'static str],
    wounds: &'static [&'static str],
}

const ARCHETYPES: &[Archetype] = &[
    Archetype {
        slug: "the-sage",
        prototype: [0.85, 0.6, 0.25, 0.5, 0.5],
        desires: &[
            "To understand the world through {matter}",
            "To find the pattern that quietly connects {matter}",
        ],
        fears: &[
            "Being deceived, or dying having understood nothing",
            "That the truth was in plain sight and they were too proud to see it",
        ],
        wounds: &[
            "A mentor they revered took credit for their life's best idea.",
            "Was laughed out of the one room where they had hoped to be understood.",
        ],
    },
    Archetype {
        slug: "the-caregiver",
        prototype: [0.5, 0.6, 0.55, 0.9, 0.45],
        desires: &[
            "To keep the people around them safe, fed and seen",
            "To turn a life spent among {matter} into shelter for others",
        ],
        fears: &[
            "Being useless to someone who needed them",
            "That their kindness is only a way of hiding from their own needs",
        ],
        wounds: &[
            "Could not save a younger sibling, and has been paying the debt to strangers ever since.",
            "Cared for a dying parent for years and was never once thanked.",
        ],
    },
    Archetype {
        slug: "the-hero",
        prototype: [0.55, 0.75, 0.65, 0.6, 0.25],
        desires: &[
            "To prove, through {matter}, that courage still changes things",
            "To be the one who stands up when everyone else steps back",
        ],
        fears: &[
            "Freezing at the moment it matters most",
            "Growing old and harmless",
        ],
        wounds: &[
            "Once hesitated, and someone else paid for it.",
            "Was decorated for a rescue that, privately, they know went wrong.",
        ],
    },
    Archetype {
        slug: "the-rebel",
        prototype: [0.7, 0.3, 0.75, 0.2, 0.5],
        desires: &[
            "To tear down the rules that made {matter} small and joyless",
            "To live without asking anyone's permission",
        ],
        fears: &[
            "Becoming exactly the kind of person they used to mock",
            "Being tamed by comfort",
        ],
        wounds: &[
            "Was punished as a child for telling a truth the adults preferred to ignore.",
            "Watched an institution they trusted close ranks around a liar.",
        ],
    },
    Archetype {
        slug: "the-explorer",
        prototype: [0.85, 0.4, 0.75, 0.55, 0.35],
        desires: &[
            "To go one step further than anyone has gone with {matter}",
            "To see every place that is still said to be out of reach",
        ],
        fears: &[
            "A small life, lived in one room",
            "Arriving everywhere and belonging nowhere",
        ],
        wounds: &[
            "Left home at seventeen without saying goodbye, and the door closed behind them.",
            "Came back from a long journey to find that no one had noticed they were gone.",
        ],
    },
    Archetype {
        slug: "the-ruler",
        prototype: [0.45, 0.85, 0.75, 0.35, 0.3],
        desires: &[
            "To build something around {matter} that runs perfectly and outlasts them",
            "To be the one whose word settles the matter",
        ],
        fears: &[
            "Chaos, and the loss of control that lets it in",
            "Being found out as less capable than they appear",
        ],
        wounds: &[
            "Grew up in a household that fell apart because no one took charge.",
            "Lost everything they had built to a partner's carelessness.",
        ],
    },
    Archetype {
        slug: "the-innocent",
        prototype: [0.5, 0.5, 0.55, 0.8, 0.2],
        desires: &[
            "To find the good in {matter} and in everyone who comes near them",
            "To live simply and be happy without apology",
        ],
        fears: &[
            "Being punished for something they did not know was wrong",
            "Discovering that the world is crueller than they have let themselves believe",
        ],
        wounds: &[
            "A friend they trusted completely sold them out for very little.",
            "Was told as a child that their cheerfulness was a kind of stupidity.",
        ],
    },
    Archetype {
        slug: "the-jester",
        prototype: [0.65, 0.35, 0.85, 0.6, 0.2],
        desires: &[
            "To leave every room lighter than they found it",
            "To find the joke hidden in {matter} and share it with everyone",
        ],
        fears: &[
            "Being boring, or worse, being taken seriously",
            "The silence after a joke that lands wrong",
        ],
        wounds: &[
            "Learned to be funny in a house where laughter was the only safe thing.",
            "Once made a joke that cost someone their dignity, and still replays it at night.",
        ],
    },
    Archetype {
        slug: "the-lover",
        prototype: [0.65, 0.45, 0.6, 0.75, 0.6],
        desires: &[
            "To share a life with someone who truly sees them",
            "To pour their whole heart into {matter}, and be loved for it",
        ],
        fears: &[
            "Being alone and unwanted",
            "Loving someone more than they are loved back",
        ],
        wounds: &[
            "Was left, without explanation, by the person they had planned a life around.",
            "Grew up with a parent whose affection had to be earned every single day.",
        ],
    },
    Archetype {
        slug: "the-orphan",
        prototype: [0.45, 0.45, 0.35, 0.55, 0.8],
        desires: &[
            "To belong somewhere without having to earn it",
            "To find, among {matter}, a place that cannot be taken away",
        ],
        fears: &[
            "Being abandoned again",
            "Trusting someone at exactly the wrong moment",
        ],
        wounds: &[
            "Was sent away to live with relatives after the family fell apart.",
            "Came home one day to find the people they depended on simply gone.",
        ],
    },
    Archetype {
        slug: "the-creator",
        prototype: [0.9, 0.55, 0.55, 0.45, 0.55],
        desires: &[
            "To make something out of {matter} that has never existed before",
            "To leave behind one work that is entirely, unmistakably theirs",
        ],
        fears: &[
            "Mediocrity, and the slow realisation of it",
            "That their best work is already behind them",
        ],
        wounds: &[
            "Their first real work was dismissed in public by someone whose opinion mattered.",
            "Abandoned a great project halfway and has never forgiven themselves.",
        ],
    },
];

fn nearest_archetype(scores: &[f64; 5]) -> &'static Archetype {
    let distance = |archetype: &Archetype| -> f64 {
        archetype
            .prototype
            .iter()
            .zip(scores)
            .map(|(typical, score)| (typical - score).powi(2))
            .sum()
    };
    ARCHETYPES
        .iter()
        .min_by(|left, right| distance(left).total_cmp(&distance(right)))
        .unwrap_or(&ARCHETYPES[0])
}

// ---------------------------------------------------------------------------
// Names

struct NamePool {
    languages: &'static [&'static str],
    given: &'static [&'static str],
    family: &'static [&'static str],
}

/// The first pool (English) is the fallback for languages without their own.
const NAME_POOLS: &[NamePool] = &[
    NamePool {
        languages: &["en"],
        given: &[
            "Eleanor", "James", "Margaret", "Thomas", "Clara", "Samuel", "Hazel", "Oliver", "Rose",
            "Henry", "Iris", "Arthur",
        ],
        family: &[
            "Whitfield",
            "Hart",
            "Ashford",
            "Bennett",
            "Carter",
            "Hollis",
            "Marsh",
            "Pryce",
            "Thorne",
            "Wells",
            "Everett",
            "Lane",
        ],
    },
    NamePool {
        languages: &["tr"],
        given: &[
            "Mert", "Elif", "Zeynep", "Emre", "Ayşe", "Burak", "Selin", "Oğuz", "Defne", "Çağan",
            "Gül", "Barış",
        ],
        family: &[
            "Kavaklı", "Yılmaz", "Öztürk", "Şahin", "Demir", "Çelik", "Aydın", "Koç", "Arslan",
            "Doğan", "Kılıç", "Güneş",
        ],
    },
    NamePool {
        languages: &["de"],
        given: &[
            "Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Jürgen", "Greta", "Matthias",
            "Sophie", "Tobias", "Hannah",
        ],
        family: &[
            "Müller",
            "Schneider",
            "Fischer",
            "Weber",
            "Becker",
            "Hoffmann",
            "Schäfer",
            "Koch",
            "Richter",
            "Wolf",
            "Krüger",
            "Braun",
        ],
    },
    NamePool {
        languages: &["fr"],
        given: &[
            "Camille", "Louis", "Léa", "Hugo", "Chloé", "Julien", "Manon", "Étienne", "Amélie",
            "Théo", "Inès", "Mathieu",
        ],
        family: &[
            "Martin",
            "Bernard",
            "Dubois",
            "Lefèvre",
            "Moreau",
            "Laurent",
            "Girard",
            "Rousseau",
            "Fontaine",
            "Mercier",
            "Chevalier",
            "Garnier",
        ],
    },
    NamePool {
        languages: &["es"],
        given: &[
            "Lucía", "Mateo", "Carmen", "Javier", "Sofía", "Diego", "Elena", "Álvaro", "Marta",
            "Andrés", "Paula", "Sergio",
        ],
        family: &[
            "García",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Romero",
            "Navarro",
            "Torres",
            "Ruiz",
            "Peña",
            "Ortega",
            "Castillo",
        ],
    },
    NamePool {
        languages: &["it"],
        given: &[
            "Giulia",
            "Marco",
            "Chiara",
            "Luca",
            "Francesca",
            "Matteo",
            "Sara",
            "Alessandro",
            "Elena",
            "Davide",
            "Martina",
            "Lorenzo",
        ],
        family: &[
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo",
        ],
    },
    NamePool {
        languages: &["pt"],
        given: &[
            "João", "Ana", "Tiago", "Beatriz", "Rafael", "Inês", "Gonçalo", "Mariana", "Pedro",
            "Leonor", "Duarte", "Carolina",
        ],
        family: &[
            "Silva",
            "Santos",
            "Ferreira",
            "Pereira",
            "Oliveira",
            "Costa",
            "Rodrigues",
            "Martins",
            "Sousa",
            "Gonçalves",
            "Lopes",
            "Araújo",
        ],
    },
    NamePool {
        languages: &["ja"],
        given: &[
            "Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Daiki", "Sakura", "Kenji", "Yuki",
            "Takumi", "Mei",
        ],
        family: &[
            "Sato",
            "Suzuki",
            "Takahashi",
            "Tanaka",
            "Watanabe",
            "Ito",
            "Yamamoto",
            "Nakamura",
            "Kobayashi",
            "Kato",
            "Yoshida",
            "Yamada",
        ],
    },
    NamePool {
        languages: &["no", "nb", "nn"],
        given: &[
            "Ingrid", "Lars", "Sigrid", "Håkon", "Astrid", "Magnus", "Solveig", "Eirik",
            "Ingeborg", "Øystein", "Kari", "Bjørn",
        ],
        family: &[
            "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg",
            "Haugen", "Bakken", "Solberg", "Dahl",
        ],
    },
];

/// The pool for a language tag such as "tr", "pt-BR" or "nb_NO".
fn name_pool(language: &str) -> &'static NamePool {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    NAME_POOLS
        .iter()
        .find(|pool| pool.languages.contains(&primary.as_str()))
        .unwrap_or(&NAME_POOLS[0])
}

// ---------------------------------------------------------------------------
// Composing the persona and its steps

struct Persona {
    name: String,
    age: u64,
    career: Career,
    place: Option<String>,
    big_five: [f64; 5],
    archetype: &'static Archetype,
    core_desire: String,
    core_fear: String,
    wound: String,
    register: String,
    public_bio: String,
}

impl Persona {
    fn compose(brief: Brief, language: &str, rng: &mut SplitMix64) -> Persona {
        let big_five = big_five_scores(&brief.trait_shifts, rng);
        let archetype = nearest_archetype(&big_five);
        let career = brief.career.unwrap_or_else(|| Career::Current {
            now: rng.pick(OCCUPATIONS),
            before: None,
        });
        let age = brief.age.unwrap_or_else(|| {
            let (youngest, oldest) = brief.age_range.unwrap_or_else(|| career.plausible_ages());
            rng.between(youngest, oldest.min(MAX_AGE))
        });
        let name = brief.name.unwrap_or_else(|| {
            let pool = name_pool(language);
            format!("{} {}", rng.pick(pool.given), rng.pick(pool.family))
        });
        let matter = career.matter();
        let core_desire = rng.pick(archetype.desires).replace("{matter}", &matter);
        let core_fear = rng.pick(archetype.fears).replace("{matter}", &matter);
        let mut wound = rng.pick(archetype.wounds).replace("{matter}", &matter);
        if let Career::Current {
            before: Some(before),
            ..
        } = &career
        {
            wound = format!(
                "{wound} It is the unspoken reason they are no longer {}.",
                with_article(before.noun)
            );
        }
        let poles = notable_poles(&big_five);
        let register = if poles.is_empty() {
            PLAIN_REGISTER.to_owned()
        } else {
            let descriptors: Vec<&str> = poles
                .iter()
                .take(MAX_REGISTER_DESCRIPTORS)
                .map(|pole| *rng.pick(&pole.registers))
                .collect();
            descriptors.join(", ")
        };
        let reputation = poles
            .first()
            .map_or(PLAIN_REPUTATION, |pole| pole.reputation);
        let place_clause = brief
            .place
            .as_ref()
            .map(|place| format!(" in {place}"))
            .unwrap_or_default();
        let public_bio = format!(
            "{name} is {} {age}-year-old {}{place_clause}. \
             Known for {reputation}, {} spends most days among {matter}.",
            article_for_age(age),
            career.phrase(),
            given_name(&name),
        );
        Persona {
            name,
            age,
            career,
            place: brief.place,
            big_five,
            archetype,
            core_desire,
            core_fear,
            wound,
            register,
            public_bio,
        }
    }

    fn soul_fields(&self) -> Vec<(String, Value)> {
        vec![
            field("soul.core_desire", self.core_desire.as_str()),
            field("soul.core_fear", self.core_fear.as_str()),
            field("soul.wound", self.wound.as_str()),
        ]
    }

    fn self_fields(&self) -> Vec<(String, Value)> {
        let mut fields: Vec<(String, Value)> = BIG_FIVE_KEYS
            .iter()
            .zip(self.big_five)
            .map(|(key, score)| (format!("self.big_five.{key}"), Value::from(score)))
            .collect();
        fields.push(field("self.archetype", self.archetype.slug));
        fields
    }

    fn mask_fields(&self) -> Vec<(String, Value)> {
        vec![
            field("mask.voice.register", self.register.as_str()),
            field("mask.public_bio", self.public_bio.as_str()),
        ]
    }

    fn surface_fields(&self) -> Vec<(String, Value)> {
        let mut fields = vec![
            field("surface.name", self.name.as_str()),
            field("surface.age", self.age),
            field("surface.occupation", self.career.clone().title()),
        ];
        if let Some(place) = &self.place {
            fields.push(field("surface.place", place.as_str()));
        }
        fields
    }

    fn steps(&self, pipeline: Pipeline, intent: &str) -> Result<Vec<StepOutput>, EngineError> {
        let layer_chars: usize = [
            self.soul_fields(),
            self.self_fields(),
            self.mask_fields(),
            self.surface_fields(),
        ]
        .iter()
        .flatten()
        .map(|(_, value)| value_chars(value))
        .sum();
        pipeline
            .steps()
            .iter()
            .map(|&name| self.step(name, intent, layer_chars))
            .collect()
    }

    fn step(
        &self,
        name: &'static str,
        intent: &str,
        layer_chars: usize,
    ) -> Result<StepOutput, EngineError> {
        let (fields, tokens) = match name {
            "intent_parse" => (Vec::new(), estimated_tokens(400, 6, intent.chars().count())),
            "soul_draft" => drafted(self.soul_fields()),
            "self_draft" => drafted(self.self_fields()),
            "mask_draft" => drafted(self.mask_fields()),
            "surface_draft" => drafted(self.surface_fields()),
            "consistency_audit" => (Vec::new(), estimated_tokens(500, 2, layer_chars)),
            "adversarial_audit" => (Vec::new(), estimated_tokens(800, 3, layer_chars)),
            unknown => {
                return Err(EngineError::invalid(format!(
                    "the offline engine has no step named {unknown:?}"
                )));
            }
        };
        Ok(StepOutput {
            name: name.to_owned(),
            tokens,
            fields,
        })
    }

    fn suggested_slug(&self) -> String {
        let head = self.career.noun();
        match &self.place {
            Some(place) => slugify(&format!("the-{place}-{head}")),
            None => slugify(&format!("the-{head}-{}", given_name(&self.name))),
        }
    }
}

fn field(path: &str, value: impl Into<Value>) -> (String, Value) {
    (path.to_owned(), value.into())
}

fn given_name(full_name: &str) -> &str {
    full_name.split_whitespace().next().unwrap_or(full_name)
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// "an 8-year-old", "an 18-year-old", "an 80-year-old"; "a" otherwise.
fn article_for_age(age: u64) -> &'static str {
    if matches!(age, 8 | 11 | 18 | 80..=89) {
        "an"
    } else {
        "a"
    }
}

// ---------------------------------------------------------------------------
// Token accounting

const MAX_STEP_TOKENS: u64 = 3000;
const DRAFT_BASE_TOKENS: u64 = 600;
const DRAFT_TOKENS_PER_CHAR: u64 = 8;

/// A fixed prompt cost plus a cost per character read or written, capped per step.
fn estimated_tokens(base: u64, per_char: u64, chars: usize) -> u64 {
    base.saturating_add(per_char.saturating_mul(chars as u64))
        .min(MAX_STEP_TOKENS)
}

fn drafted(fields: Vec<(String, Value)>) -> (Vec<(String, Value)>, u64) {
    let chars = fields.iter().map(|(_, value)| value_chars(value)).sum();
    let tokens = estimated_tokens(DRAFT_BASE_TOKENS, DRAFT_TOKENS_PER_CHAR, chars);
    (fields, tokens)
}

fn value_chars(value: &Value) -> usize {
    match value {
        Value::String(text) => text.chars().count(),
        other => other.to_string().len(),
    }
}

// ---------------------------------------------------------------------------
// Slugs

const MAX_SLUG_LEN: usize = 48;

/// Lowercase ASCII [a-z0-9-], accents transliterated, single dashes, none at the edges; when
/// too long, cut at a dash rather than inside a word.
pub(super) fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for character in text.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if let Some(ascii) = ascii_for(character) {
            slug.push_str(ascii);
        } else if is_combining_mark(character) {
            continue;
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX_SLUG_LEN {
        let cuts_a_word = slug.as_bytes()[MAX_SLUG_LEN] != b'-';
        slug.truncate(MAX_SLUG_LEN);
        if cuts_a_word && let Some(last_dash) = slug.rfind('-') {
            slug.truncate(last_dash);
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn ascii_for(lowercase: char) -> Option<&'static str> {
    let ascii = match lowercase {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    Some(ascii)
}

/// Combining diacritics, such as the dot that "İ" leaves behind when lowercased.
fn is_combining_mark(character: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&character)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISTANBUL_BRIEF: &str =
        "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

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
                assert!(pool.given.contains(&given), "{language}: {name}");
                assert!(pool.family.contains(&family), "{language}: {name}");
                if language != "en" {
                    assert!(!english.given.contains(&given), "{language}: {name}");
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
            turkish
                .given
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
        let brief = Brief::parse(
            "A cheerful baker from Lyon, living in Rio de Janeiro, named Lena Fischer.",
        );
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
        let career = |text: &str| Brief::parse(text).career.map(Career::title);
        assert_eq!(
            career("a retired teacher"),
            Some("Retired teacher".to_owned())
        );
        assert_eq!(
            career("former army doctor turned novelist").as_deref(),
            Some("Novelist, former doctor")
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
        let title = |brief: &str| Brief::parse(brief).career.map(Career::title);
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
        let shift_of = |text: &str| {
            parse_age_shift(&keyword_tokens(text)).map(|shift| (shift.older, shift.years))
        };
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
}
