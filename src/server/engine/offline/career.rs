//! Reading the persona's work from a brief: an occupation of the lexicon keeps its rich
//! details; any other is carried in the brief's own words ("harbor pilot"), never replaced.

use super::brief::{Word, is_listed, is_listed_modifier, is_modifier, starts_uppercase};
use super::compose::{MAX_DRAWN_AGE, MAX_RETIRED_AGE, MIN_DRAWN_AGE, MIN_RETIRED_AGE};
use super::words::{
    COMMON_VERBS, CONJUNCTIONS, FILLER_WORDS, FORMER_MARKERS, HEAD_BOUNDARIES, NOT_AN_OCCUPATION,
    OCCUPATIONS, Occupation, POSSESSIVES,
};
use crate::server::english::{capitalized, with_article};

/// One line of work.
#[derive(Clone)]
pub(super) enum Work {
    /// From the lexicon, with what the brief wrote around it when that was a proper adjective
    /// ("Turkish bookseller").
    Known {
        occupation: &'static Occupation,
        written: Option<String>,
    },
    /// Outside the lexicon, in the brief's own words.
    Named(DescribedOccupation),
}

#[derive(Clone)]
pub(super) enum Career {
    /// "bookseller", "novelist, former army doctor", "retired lighthouse keeper" (as written).
    Current { now: Work, before: Option<Work> },
    /// "retired teacher", "former sailor".
    Past {
        was: &'static Occupation,
        retired: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct DescribedOccupation {
    /// As it reads inside a sentence: "retired lighthouse keeper".
    pub(super) phrase: String,
    /// The work itself, without "retired" or "former": "lighthouse keeper".
    pub(super) noun: String,
    pub(super) retired: bool,
}

impl Work {
    pub(super) fn known(occupation: &'static Occupation) -> Work {
        Work::Known {
            occupation,
            written: None,
        }
    }

    /// The work's noun: "bookseller", "lighthouse keeper".
    pub(super) fn noun(&self) -> &str {
        match self {
            Work::Known { occupation, .. } => occupation.noun,
            Work::Named(described) => &described.noun,
        }
    }

    /// As it reads inside a sentence.
    fn phrase(&self) -> String {
        match self {
            Work::Known {
                written: Some(written),
                ..
            } => written.clone(),
            Work::Known { occupation, .. } => occupation.noun.to_owned(),
            Work::Named(described) => described.phrase.clone(),
        }
    }
}

impl Career {
    /// The occupation's noun, for slugs: "bookseller", "lighthouse keeper".
    pub(super) fn noun(&self) -> &str {
        match self {
            Career::Current { now, .. } => now.noun(),
            Career::Past { was, .. } => was.noun,
        }
    }

    /// What the work is made of, as a plural noun phrase; generic for work outside the lexicon.
    pub(super) fn matter(&self) -> String {
        match self {
            Career::Current {
                now: Work::Known { occupation, .. },
                ..
            }
            | Career::Past {
                was: occupation, ..
            } => occupation.matter.to_owned(),
            Career::Current {
                now: Work::Named(described),
                ..
            } => format!(
                "the tools and habits of {}'s trade",
                with_article(&described.noun)
            ),
        }
    }

    /// The range an age is drawn from when the brief gives none.
    pub(super) fn plausible_ages(&self) -> (u64, u64) {
        let retired = match self {
            Career::Past { retired, .. } => *retired,
            Career::Current {
                now: Work::Named(described),
                ..
            } => described.retired,
            Career::Current { .. } => false,
        };
        if retired {
            (MIN_RETIRED_AGE, MAX_RETIRED_AGE)
        } else {
            (MIN_DRAWN_AGE, MAX_DRAWN_AGE)
        }
    }

    /// The surface.occupation text: "Bookseller, former academic".
    pub(super) fn title(&self) -> String {
        match self {
            Career::Current { now, before } => {
                let now = capitalized(&now.phrase());
                match before {
                    Some(before) => format!("{now}, former {}", before.noun()),
                    None => now,
                }
            }
            Career::Past { was, retired } => {
                format!(
                    "{} {}",
                    if *retired { "Retired" } else { "Former" },
                    was.noun
                )
            }
        }
    }

    /// The same, as it reads inside a sentence: "bookseller and former academic".
    pub(super) fn phrase(&self) -> String {
        match self {
            Career::Current { now, before } => match before {
                Some(before) => format!("{} and former {}", now.phrase(), before.noun()),
                None => now.phrase(),
            },
            Career::Past { was, retired } => {
                format!(
                    "{} {}",
                    if *retired { "retired" } else { "former" },
                    was.noun
                )
            }
        }
    }
}

/// The lexicon occupation a word names, and whether a prefix made it a former one
/// ("ex-academic").
pub(super) fn known_occupation(word: &str) -> Option<(&'static Occupation, bool)> {
    let find = |noun: &str| {
        OCCUPATIONS
            .iter()
            .find(|occupation| occupation.noun == noun)
    };
    if let Some(occupation) = find(word) {
        return Some((occupation, false));
    }
    let bare = without_former_prefix(word);
    (bare.len() < word.len())
        .then(|| find(&bare.to_lowercase()))
        .flatten()
        .map(|occupation| (occupation, true))
}

/// The work the brief names: the noun phrase heading it; else a lexicon occupation named
/// anywhere except in a clause about someone else ("whose father was a pilot").
pub(super) fn read_career(words: &[Word], needs_article: bool) -> Option<Career> {
    head_career(words, needs_article).or_else(|| lexicon_career(words))
}

// ---------------------------------------------------------------------------
// The noun phrase heading the brief

const MAX_OCCUPATION_WORDS: usize = 5;

/// The career named by the noun phrase heading the first sentence, after its age, article and
/// trait words and before "in", "from", "who", a comma or a full stop. "retired lighthouse
/// keeper in Brittany, gruff but kind" gives "retired lighthouse keeper". A refinement must
/// introduce it with "a"/"an". A clause that reads like a name ("Mert, a bookseller") yields to
/// a later clause of the same sentence.
fn head_career(words: &[Word], needs_article: bool) -> Option<Career> {
    let mut carried: Vec<usize> = Vec::new();
    let mut carried_article = false;
    let mut name_like: Option<Career> = None;
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
        let sentence_ended = index == words.len()
            || (words[index - 1].ends_sentence
                && (start..index).any(|position| !words[position].in_heading));
        let found = clause_career(
            words,
            &clause,
            needs_article,
            &mut carried,
            &mut carried_article,
        );
        if let Some(found) = found {
            if sentence_ended || !reads_like_a_name(words, &clause) {
                return Some(found);
            }
            name_like = name_like.or(Some(found));
            carried.clear();
            carried_article = false;
        }
        if sentence_ended {
            break;
        }
    }
    name_like
}

/// One to three capitalised words and nothing else: maybe a name, maybe "Beekeeper".
fn reads_like_a_name(words: &[Word], clause: &[usize]) -> bool {
    (1..=3).contains(&clause.len())
        && clause.iter().all(|&position| {
            let word = &words[position];
            starts_uppercase(word.text) && known_occupation(&word.lower).is_none()
        })
}

/// The career one clause names, if any. A clause of bare markers ("retired,") is carried over
/// to the next clause.
fn clause_career(
    words: &[Word],
    clause: &[usize],
    needs_article: bool,
    carried: &mut Vec<usize>,
    carried_article: &mut bool,
) -> Option<Career> {
    let leading = clause
        .iter()
        .take_while(|&&position| leads_in(words, position))
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
        .then(|| career_from(words, carried))
        .flatten();
    if found.is_none() {
        carried.clear();
        *carried_article = false;
    }
    found
}

/// The career the chosen words name, or none if they name a person, a place or a habit.
fn career_from(words: &[Word], positions: &[usize]) -> Option<Career> {
    let lower = |position: usize| words[position].lower.as_str();
    let head_end = positions
        .iter()
        .position(|&position| lower(position) == "of")
        .unwrap_or(positions.len());
    let head = lower(*positions[..head_end].last()?);
    let names_a_habit = positions.iter().enumerate().any(|(index, &position)| {
        is_listed(COMMON_VERBS, lower(position))
            && positions
                .get(index + 1)
                .is_none_or(|&next| lower(next) != "as")
    });
    let usable = head.chars().any(char::is_alphabetic)
        && !head.chars().any(|c| c.is_ascii_digit())
        && !is_listed(NOT_AN_OCCUPATION, head)
        && !FORMER_MARKERS.contains(&head)
        && !names_a_habit;
    let proper_noun = !begins_sentence(words, positions[0])
        && positions.iter().all(|&p| starts_uppercase(words[p].text));
    if !usable || proper_noun {
        return None;
    }
    // "former army doctor turned novelist"
    if let Some(turn) = positions[..head_end]
        .iter()
        .position(|&position| lower(position) == "turned")
        .filter(|&turn| turn > 0)
    {
        let now = career_from(words, &positions[turn + 1..]);
        let before = career_from(words, &positions[..turn]);
        if let (Some(Career::Current { now, before: None }), Some(before)) = (now, before) {
            return Some(Career::Current {
                now,
                before: Some(before.into_work()),
            });
        }
    }
    // "Maren is a harbor pilot", "works as a beekeeper": the words after the last filler word.
    let cut = positions[..head_end]
        .iter()
        .rposition(|&position| is_listed(FILLER_WORDS, lower(position)))
        .map_or(0, |last| last + 1);
    let was = positions[..cut]
        .iter()
        .any(|&position| matches!(lower(position), "was" | "were"));
    let kept: Vec<usize> = positions[cut..]
        .iter()
        .copied()
        .skip_while(|&position| leads_in(words, position))
        .collect();
    if kept.is_empty() {
        return None;
    }
    Some(classify(words, &kept, was))
}

impl Career {
    /// What a career was, as the "before" of another.
    fn into_work(self) -> Work {
        match self {
            Career::Current { now, .. } => now,
            Career::Past { was, .. } => Work::known(was),
        }
    }
}

/// A word that leads into an occupation without being part of it; a proper adjective
/// ("a Turkish bookseller") is part of it.
fn leads_in(words: &[Word], position: usize) -> bool {
    let word = &words[position];
    let proper_adjective = starts_uppercase(word.text)
        && !begins_sentence(words, position)
        && !is_listed_modifier(&word.lower);
    is_modifier(&word.lower) && !proper_adjective
}

fn begins_sentence(words: &[Word], position: usize) -> bool {
    position == 0 || words[position - 1].ends_sentence
}

/// A lexicon occupation when the words are one (after "retired", "former" and proper
/// adjectives), or a former one and a current one ("ex-academic bookseller"); else the
/// words as written.
fn classify(words: &[Word], positions: &[usize], was: bool) -> Career {
    let markers = positions
        .iter()
        .take_while(|&&position| FORMER_MARKERS.contains(&words[position].lower.as_str()))
        .count();
    let retired = positions[..markers]
        .iter()
        .any(|&position| words[position].lower == "retired");
    let marked = markers > 0 || was;
    let rest = &positions[markers..];
    let known = |position: usize| known_occupation(&words[position].lower);
    if let [only] = rest
        && let Some((occupation, prefixed)) = known(*only)
    {
        return if marked || prefixed {
            Career::Past {
                was: occupation,
                retired,
            }
        } else {
            Career::Current {
                now: Work::known(occupation),
                before: None,
            }
        };
    }
    if let [first, second] = rest
        && let (Some((before, prefixed)), Some((now, false))) = (known(*first), known(*second))
        && (marked || prefixed)
    {
        return Career::Current {
            now: Work::known(now),
            before: Some(Work::known(before)),
        };
    }
    if let [qualifiers @ .., last] = rest
        && !marked
        && let Some((occupation, false)) = known(*last)
        && qualifiers.iter().all(|&position| {
            starts_uppercase(words[position].text) && !begins_sentence(words, position)
        })
    {
        return Career::Current {
            now: Work::Known {
                occupation,
                written: Some(written(words, rest)),
            },
            before: None,
        };
    }
    let mut described = described(words, positions);
    if was && markers == 0 {
        described.phrase = format!("former {}", described.phrase);
    }
    Career::Current {
        now: Work::Named(described),
        before: None,
    }
}

fn written(words: &[Word], positions: &[usize]) -> String {
    positions
        .iter()
        .map(|&position| words[position].text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The occupation in the brief's words, at most five of them, with a sentence's capital
/// letters undone.
fn described(words: &[Word], positions: &[usize]) -> DescribedOccupation {
    let head_end = positions
        .iter()
        .position(|&position| words[position].lower == "of")
        .unwrap_or(positions.len());
    let mut kept = positions;
    if kept.len() > MAX_OCCUPATION_WORDS {
        kept = &kept[..head_end];
    }
    kept = &kept[kept.len().saturating_sub(MAX_OCCUPATION_WORDS)..];
    let mut phrase_words: Vec<String> = kept
        .iter()
        .map(|&position| words[position].text.to_owned())
        .collect();
    let title_cased = |word: &String| *word == capitalized(&word.to_lowercase());
    if begins_sentence(words, kept[0]) && title_cased(&phrase_words[0]) {
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
    DescribedOccupation {
        retired: kept
            .iter()
            .any(|&position| words[position].lower == "retired"),
        noun: noun.join(" "),
        phrase: phrase_words.join(" "),
    }
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

// ---------------------------------------------------------------------------
// Lexicon occupations anywhere in the brief

/// How many words after "retired", "former" or "was" an occupation is a former one.
const FORMER_MARKER_REACH: usize = 3;

/// The first lexicon occupations the brief names outside clauses about someone else, the
/// first without a marker as the current one; a noun before one makes it a compound carried
/// as written ("works as a harbor pilot").
fn lexicon_career(words: &[Word]) -> Option<Career> {
    let mut current: Option<Work> = None;
    let mut former: Option<(Work, bool)> = None;
    let mut pending: Option<(bool, usize)> = None;
    let mut about_someone_else = false;
    for (index, word) in words.iter().enumerate() {
        let lower = word.lower.as_str();
        about_someone_else |= lower == "whose"
            || (is_listed(POSSESSIVES, lower)
                && words[index + 1..]
                    .iter()
                    .take(2)
                    .any(|next| is_listed(NOT_AN_OCCUPATION, &next.lower)));
        if FORMER_MARKERS.contains(&lower) || matches!(lower, "was" | "were") {
            pending = Some((lower == "retired", FORMER_MARKER_REACH));
        } else if let Some((occupation, prefixed)) =
            known_occupation(lower).filter(|_| !about_someone_else)
        {
            let start = compound_start(words, index);
            let marker = pending.take().map(|(retired, _)| retired);
            let marker = marker.or(prefixed.then_some(false));
            let work = if start < index {
                let mut named = described(words, &(start..=index).collect::<Vec<_>>());
                if let Some(retired) = marker {
                    named.phrase = format!(
                        "{} {}",
                        if retired { "retired" } else { "former" },
                        named.phrase
                    );
                    named.retired = retired;
                }
                Work::Named(named)
            } else {
                Work::known(occupation)
            };
            match marker {
                Some(retired) => former = former.or(Some((work, retired))),
                None => current = current.or(Some(work)),
            }
        } else {
            pending = pending
                .map(|(retired, reach)| (retired, reach - 1))
                .filter(|&(_, reach)| reach > 0);
        }
        if word.ends_sentence {
            about_someone_else = false;
        }
    }
    match (current, former) {
        (Some(now), before) => Some(Career::Current {
            now,
            before: before.map(|(work, _)| work),
        }),
        (None, Some((Work::Known { occupation, .. }, retired))) => Some(Career::Past {
            was: occupation,
            retired,
        }),
        (None, Some((named, _))) => Some(Career::Current {
            now: named,
            before: None,
        }),
        (None, None) => None,
    }
}

/// Where the compound ending at `noun` starts: the nouns right before it in its clause.
fn compound_start(words: &[Word], noun: usize) -> usize {
    let mut start = noun;
    while start > 0 && noun - start < MAX_OCCUPATION_WORDS - 1 {
        let previous = &words[start - 1];
        let lower = previous.lower.as_str();
        let qualifies = !previous.closes_clause
            && previous.text.chars().all(|c| c.is_alphabetic() || c == '-')
            && !is_modifier(lower)
            && !FORMER_MARKERS.contains(&lower)
            && known_occupation(lower).is_none()
            && !is_listed(HEAD_BOUNDARIES, lower)
            && !is_listed(CONJUNCTIONS, lower)
            && !is_listed(COMMON_VERBS, lower)
            && !is_listed(NOT_AN_OCCUPATION, lower)
            && !is_listed(POSSESSIVES, lower);
        if !qualifies {
            break;
        }
        start -= 1;
    }
    start
}
