//! Reading a brief: the age, name, gender, place, occupation and trait words an intent states
//! outright, from the lexicon in `words` or in the brief's own words.

use super::career::{Career, known_occupation, read_career};
use super::pronouns::StatedGender;
use super::words::{
    ABBREVIATIONS, AGE_CUES, AGE_WORDS, FILLER_WORDS, FORMER_MARKERS, HEAD_BOUNDARIES, HONORIFICS,
    NEGATIONS, NOT_A_PLACE, NOT_AN_OCCUPATION, PHRASE_CONNECTORS, PLAIN_ADJECTIVES, Shifts,
    TRAIT_WORDS, UNVOICED_TRAITS,
};
use crate::server::english::capitalized;

pub(super) const MAX_AGE: u64 = 150;
const MAX_PHRASE_WORDS: usize = 4;
/// The oldest age a number standing alone ("Maren Lund, 67, ...") is read as.
const MAX_BARE_AGE: u64 = 120;

/// What the brief states outright; anything missing is drawn from the PRNG.
pub(super) struct Brief {
    pub(super) age: Option<u64>,
    /// "in her sixties": the range an age is drawn from when none is given.
    pub(super) age_range: Option<(u64, u64)>,
    /// "ten years younger": only a refinement uses it, to move the parent's age.
    pub(super) age_shift: Option<AgeShift>,
    pub(super) name: Option<String>,
    pub(super) gender: Option<StatedGender>,
    pub(super) place: Option<String>,
    pub(super) career: Option<Career>,
    pub(super) trait_shifts: Vec<(usize, f64)>,
    /// The trait words that describe a way of speaking, as written: "gruff but kind", "shy".
    pub(super) voice: Vec<String>,
}

impl Brief {
    pub(super) fn parse(text: &str) -> Brief {
        Brief::read(text, false)
    }

    /// A fork's refinement: it names a new occupation outside the lexicon only with an
    /// article ("now a beekeeper"), so "make her calmer" keeps the parent's.
    pub(super) fn parse_refinement(text: &str) -> Brief {
        Brief::read(text, true)
    }

    fn read(text: &str, occupation_needs_article: bool) -> Brief {
        let tokens = keyword_tokens(text);
        let words = phrase_words(text);
        let brief_is_lowercase = !text.chars().any(char::is_uppercase);
        let leading_name = leading_name(&words);
        let name_words = leading_name.as_ref().map_or(0, |(_, count)| *count);
        let (trait_shifts, voice) = read_traits(&words);
        Brief {
            age: parse_age(&tokens).or_else(|| bare_age(&words)),
            age_range: parse_age_decade(&tokens).or_else(|| age_cue(&words)),
            age_shift: parse_age_shift(&tokens),
            name: parse_name(&words).or(leading_name.map(|(name, _)| name)),
            gender: StatedGender::read(
                &words
                    .iter()
                    .map(|word| word.lower.as_str())
                    .collect::<Vec<_>>(),
            ),
            place: parse_place(&words, brief_is_lowercase),
            career: read_career(&words[name_words..], occupation_needs_article),
            trait_shifts,
            voice,
        }
    }

    /// Whether the brief makes the persona younger than 18.
    pub(super) fn is_a_minor(&self) -> bool {
        const ADULT: u64 = 18;
        match (self.age, self.age_range) {
            (Some(age), _) => age < ADULT,
            (None, Some((_, oldest))) => oldest < ADULT,
            (None, None) => false,
        }
    }

    /// The refinement's explicit facts win; trait words from both briefs add up, and the
    /// refinement's way of speaking, when it states one, replaces the parent's. A refinement
    /// that gives an age range but no age lets the age be drawn in that range. The gender is
    /// settled by the caller, which knows the parent.
    pub(super) fn refined_by(mut self, refinement: Brief) -> Brief {
        self.trait_shifts.extend(refinement.trait_shifts);
        let parent_age = self.age.filter(|_| refinement.age_range.is_none());
        Brief {
            age: refinement.age.or(parent_age),
            age_range: refinement.age_range.or(self.age_range),
            age_shift: None,
            name: refinement.name.or(self.name),
            gender: refinement.gender.or(self.gender),
            place: refinement.place.or(self.place),
            career: refinement.career.or(self.career),
            trait_shifts: self.trait_shifts,
            voice: if refinement.voice.is_empty() {
                self.voice
            } else {
                refinement.voice
            },
        }
    }
}

/// Lowercase alphanumeric runs: "35-year-old" gives "35", "year", "old".
pub(super) fn keyword_tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whitespace-separated word with its edge punctuation removed, for reading proper nouns.
pub(super) struct Word<'a> {
    pub(super) text: &'a str,
    pub(super) lower: String,
    pub(super) closes_clause: bool,
    /// Ends a sentence, a paragraph, a heading or a list item: the next word starts afresh.
    pub(super) ends_sentence: bool,
    /// On a Markdown heading line: usually a title or the character's name.
    pub(super) in_heading: bool,
}

/// The brief's words; a blank line, a Markdown heading or a list item also closes a clause.
pub(super) fn phrase_words(text: &str) -> Vec<Word<'_>> {
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
            // "Mr. Okafor": the full stop of an abbreviation ends nothing.
            let abbreviated = trailing == "." && is_listed(ABBREVIATIONS, &core.to_lowercase());
            let closes_clause =
                !abbreviated && trailing.contains([',', '.', ';', ':', '!', '?', ')']);
            let ends_sentence = !abbreviated && trailing.contains(['.', '!', '?']);
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

pub(super) fn parse_age(tokens: &[String]) -> Option<u64> {
    let token_at = |index: usize| tokens.get(index).map(String::as_str);
    for (index, token) in tokens.iter().enumerate() {
        let number = whole_number(token)
            .map(|number| (number, 1))
            .or_else(|| spelled_number(tokens, index));
        if let Some((number, used)) = number {
            let after = index + used;
            let says_years_old = matches!(token_at(after), Some("year" | "years" | "yr" | "yrs"))
                && token_at(after + 1) == Some("old");
            if says_years_old || token_at(after) == Some("yo") {
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
pub(super) fn parse_age_decade(tokens: &[String]) -> Option<(u64, u64)> {
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
pub(super) struct AgeShift {
    pub(super) years: u64,
    pub(super) older: bool,
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

pub(super) fn parse_age_shift(tokens: &[String]) -> Option<AgeShift> {
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

/// "sixty" or "sixty-five" (two tokens) starting at `index`, with how many tokens it takes.
fn spelled_number(tokens: &[String], index: usize) -> Option<(u64, usize)> {
    let number = number_named(&tokens[index])?;
    let unit = tokens
        .get(index + 1)
        .and_then(|next| number_named(next))
        .filter(|&unit| number >= 20 && number % 10 == 0 && unit < 10);
    Some(match unit {
        Some(unit) => (number + unit, 2),
        None => (number, 1),
    })
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
pub(super) fn refined_age(
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

/// "an old beekeeper", "a young nurse": the ages an age word allows, unless capitalised
/// inside a sentence ("the Old Town").
fn age_cue(words: &[Word]) -> Option<(u64, u64)> {
    words
        .iter()
        .enumerate()
        .filter(|&(index, word)| {
            !starts_uppercase(word.text) || index == 0 || words[index - 1].ends_sentence
        })
        .find_map(|(_, word)| {
            AGE_CUES
                .iter()
                .find(|(cues, _)| is_listed(cues, &word.lower))
                .map(|&(_, range)| range)
        })
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

/// "Maren Lund, 67, ..." or a "# Maren Lund" heading: two or three capitalised words opening
/// the brief that are none of the lexicon's (after a title such as "Dr."), followed by an age,
/// an article or "retired"; with how many words they take.
fn leading_name(words: &[Word]) -> Option<(String, usize)> {
    let count = words.iter().position(|word| word.closes_clause)? + 1;
    // "Dr. Elena Vasquez": the title is not part of the name.
    let titled = is_listed(HONORIFICS, &words[0].lower);
    let clause = &words[usize::from(titled)..count];
    let name_like = (2..=3).contains(&clause.len())
        && clause.iter().all(|word| {
            starts_uppercase(word.text)
                && word
                    .text
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
                && !is_lexicon_word(&word.lower)
        });
    let next = words.get(count)?;
    let last = &words[count - 1];
    let introduces_the_rest = last.in_heading
        || (!last.ends_sentence
            && (whole_number(next.text).is_some()
                || matches!(next.lower.as_str(), "a" | "an")
                || FORMER_MARKERS.contains(&next.lower.as_str())));
    (name_like && introduces_the_rest).then(|| {
        let name: Vec<&str> = clause.iter().map(|word| word.text).collect();
        (name.join(" "), count)
    })
}

fn is_lexicon_word(word: &str) -> bool {
    is_modifier(word)
        || known_occupation(word).is_some()
        || StatedGender::read(&[word]).is_some()
        || is_listed(NOT_AN_OCCUPATION, word)
        || is_listed(HEAD_BOUNDARIES, word)
        || FORMER_MARKERS.contains(&word)
}

/// A number standing alone after a comma: "Maren Lund, 67, retired lighthouse keeper",
/// "Ada Quill, 61".
fn bare_age(words: &[Word]) -> Option<u64> {
    words.windows(2).enumerate().find_map(|(index, pair)| {
        let [before, word] = pair else { return None };
        let age = whole_number(word.text)?;
        let after_a_comma = before.closes_clause && !before.ends_sentence;
        let alone = word.closes_clause || index + 2 == words.len();
        (after_a_comma && alone && !word.in_heading && age <= MAX_BARE_AGE).then_some(age)
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
            if first.lower == "the" && !first.closes_clause {
                // "in the Scottish Highlands"
                return capitalized_phrase(&following[1..]).map(|place| format!("the {place}"));
            }
            if is_age_word(&first.lower) && !first.closes_clause {
                // "in 1920s Chicago"
                return capitalized_phrase(&following[1..]);
            }
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
        && known_occupation(word).is_none()
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

pub(super) fn is_listed(word_list: &str, word: &str) -> bool {
    word_list.split_whitespace().any(|listed| listed == word)
}

pub(super) fn starts_uppercase(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

// ---------------------------------------------------------------------------
// Words that describe

/// A word that may lead into an occupation without being part of it.
pub(super) fn is_modifier(word: &str) -> bool {
    is_listed_modifier(word) || looks_adjectival(word)
}

/// A modifier the word lists name, not only its ending: "Turkish" is one by its ending alone,
/// and capitalised inside a sentence it belongs to the occupation ("a Turkish bookseller").
pub(super) fn is_listed_modifier(word: &str) -> bool {
    is_listed(FILLER_WORDS, word)
        || trait_shifts(word).is_some()
        || is_listed(PLAIN_ADJECTIVES, word)
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
pub(super) fn is_comparative(word: &str) -> bool {
    comparative_base(word).is_some()
}

/// The describing word a comparative is made from: "calmer" gives "calm", "happier" "happy".
fn comparative_base(word: &str) -> Option<String> {
    let stem = word.strip_suffix("er")?;
    let mut letters = stem.chars();
    let last = letters.next_back();
    let undoubled =
        (last.is_some() && last == letters.clone().next_back()).then_some(letters.as_str());
    let from_y = stem.strip_suffix('i').map(|base| format!("{base}y"));
    [
        Some(stem.to_owned()),
        Some(format!("{stem}e")),
        undoubled.map(str::to_owned),
        from_y,
    ]
    .into_iter()
    .flatten()
    .find(|base| is_describing(base))
}

fn trait_shifts(word: &str) -> Option<Shifts> {
    TRAIT_WORDS
        .iter()
        .find(|(words, _)| is_listed(words, word))
        .map(|&(_, shifts)| shifts)
}

/// The trait words a brief states, in order: how they move the Big Five, and those of them
/// that describe a way of speaking, as written ("gruff but kind" stays one). A trait after
/// "not" or "never" moves its dimensions half as far the other way and is not spoken.
fn read_traits(words: &[Word]) -> (Vec<(usize, f64)>, Vec<String>) {
    let mut shifts = Vec::new();
    let mut voice: Vec<String> = Vec::new();
    let mut last_spoken: Option<usize> = None;
    for (index, word) in words.iter().enumerate() {
        let lower = word.lower.as_str();
        if lower == "kind" && words.get(index + 1).is_some_and(|next| next.lower == "of") {
            continue;
        }
        let Some((listed, word_shifts)) = trait_of(lower) else {
            continue;
        };
        let negated = words[..index]
            .iter()
            .rev()
            .take(2)
            .take_while(|before| !before.closes_clause)
            .any(|before| is_listed(NEGATIONS, &before.lower) || before.lower.ends_with("n't"));
        if negated {
            shifts.extend(
                word_shifts
                    .iter()
                    .map(|&(dimension, shift)| (dimension, -shift / 2.0)),
            );
            continue;
        }
        shifts.extend_from_slice(word_shifts);
        let Some(listed) = listed.filter(|listed| !is_listed(UNVOICED_TRAITS, listed)) else {
            continue;
        };
        let contrast = index
            .checked_sub(2)
            .filter(|&before| last_spoken == Some(before))
            .map(|_| words[index - 1].lower.as_str())
            .filter(|joiner| matches!(*joiner, "but" | "yet"));
        let already_spoken = voice.iter().any(|spoken| spoken == listed);
        match (contrast, voice.last_mut()) {
            (Some(joiner), Some(last)) => *last = format!("{last} {joiner} {listed}"),
            _ if already_spoken => {}
            _ => voice.push(listed.to_owned()),
        }
        last_spoken = Some(index);
    }
    (shifts, voice)
}

/// The trait a word states, with the listed word when it may be spoken as a voice: the word,
/// one of its hyphenated parts ("ever-cheerful"), or the comparative of one ("calmer",
/// which is never spoken).
fn trait_of(word: &str) -> Option<(Option<&'static str>, Shifts)> {
    let listed = |word: &str| {
        TRAIT_WORDS.iter().find_map(|(words, shifts)| {
            words
                .split_whitespace()
                .find(|listed| *listed == word)
                .map(|listed| (Some(listed), *shifts))
        })
    };
    listed(word)
        .or_else(|| {
            word.contains('-')
                .then(|| word.split('-').find_map(listed))
                .flatten()
        })
        .or_else(|| {
            comparative_base(word)
                .and_then(|base| listed(&base))
                .map(|(_, shifts)| (None, shifts))
        })
}
