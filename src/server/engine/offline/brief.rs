//! Reading a brief: the age, name, place, occupation and trait words an intent states
//! outright, from the lexicon in `words` or in the brief's own words.

use super::words::{
    AGE_WORDS, COMMON_VERBS, CONJUNCTIONS, FILLER_WORDS, FORMER_MARKERS, HEAD_BOUNDARIES,
    NOT_A_PLACE, NOT_AN_OCCUPATION, OCCUPATIONS, Occupation, PHRASE_CONNECTORS, PLAIN_ADJECTIVES,
    Shifts, TRAIT_WORDS,
};

pub(super) const MAX_AGE: u64 = 150;
const MAX_PHRASE_WORDS: usize = 4;

/// What the brief states outright; anything missing is drawn from the PRNG.
pub(super) struct Brief {
    pub(super) age: Option<u64>,
    /// "in her sixties": the range an age is drawn from when none is given.
    pub(super) age_range: Option<(u64, u64)>,
    /// "ten years younger": only a refinement uses it, to move the parent's age.
    pub(super) age_shift: Option<AgeShift>,
    pub(super) name: Option<String>,
    pub(super) place: Option<String>,
    pub(super) career: Option<Career>,
    pub(super) trait_shifts: Vec<(usize, f64)>,
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
    pub(super) fn refined_by(mut self, refinement: Brief) -> Brief {
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
pub(super) fn keyword_tokens(text: &str) -> Vec<String> {
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

pub(super) fn parse_age(tokens: &[String]) -> Option<u64> {
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

pub(super) fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn occupation_named(word: &str) -> Option<&'static Occupation> {
    OCCUPATIONS
        .iter()
        .find(|occupation| occupation.noun == word)
}

const FORMER_MARKER_REACH: usize = 3;

#[derive(Clone)]
pub(super) enum Career {
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
pub(super) struct DescribedOccupation {
    /// As it reads inside a sentence: "retired lighthouse keeper".
    pub(super) phrase: String,
    /// The work itself, without "retired" or "former": "lighthouse keeper".
    pub(super) noun: String,
    pub(super) retired: bool,
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
pub(super) fn is_modifier(word: &str) -> bool {
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
pub(super) fn is_comparative(word: &str) -> bool {
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

fn trait_shifts(word: &str) -> Option<Shifts> {
    TRAIT_WORDS
        .iter()
        .find(|(words, _)| is_listed(words, word))
        .map(|&(_, shifts)| shifts)
}
