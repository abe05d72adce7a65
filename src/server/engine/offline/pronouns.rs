//! Who the persona is in the third person: the gender a brief states (by a word such as "she",
//! "grandfather" or "nonbinary", or by a known given name), and the pronouns that fill templates.

use super::names::{NAME_POOLS, NamePool, name_pool};
use super::words::{
    FEMININE_NOUNS, FEMININE_PRONOUNS, FEMININE_TITLES, MASCULINE_NOUNS, MASCULINE_PRONOUNS,
    MASCULINE_TITLES, NEUTRAL_NOUNS, NEUTRAL_PRONOUNS, SOMEONE_ELSE_CUES,
};
use crate::server::english::capitalized;

/// How many words back a cue ("has", "with", "her") makes a gendered noun someone else's:
/// "with a wife and two daughters".
const SOMEONE_ELSE_REACH: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gender {
    Feminine,
    Masculine,
    /// "they": stated by "nonbinary" or by they/them alone.
    Neutral,
}

/// How a brief says who the persona is, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Evidence {
    /// A gendered job title ("fisherman", "actress"): a stated name wins over it.
    Title,
    /// "they", "them", "their": often about something else, so any she/he word wins over it.
    PluralPronoun,
    /// "she", "his", ...
    Pronoun,
    /// "woman", "grandfather", "nonbinary".
    Noun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StatedGender {
    pub(super) gender: Gender,
    pub(super) evidence: Evidence,
}

impl StatedGender {
    /// What `words` (lowercase, hyphens kept) say: the first noun or she/he pronoun; else the
    /// first they/them; else the first gendered job title. A noun of someone else ("has a
    /// wife", "her husband") says nothing.
    pub(super) fn read(words: &[&str]) -> Option<StatedGender> {
        let mut found: Option<StatedGender> = None;
        for (index, word) in words.iter().enumerate() {
            let Some(stated) = word_gender(word) else {
                continue;
            };
            let someone_else = matches!(stated.evidence, Evidence::Noun | Evidence::Title)
                && words[index.saturating_sub(SOMEONE_ELSE_REACH)..index]
                    .iter()
                    .any(|before| {
                        SOMEONE_ELSE_CUES
                            .split_whitespace()
                            .any(|cue| cue == *before)
                    });
            if someone_else {
                continue;
            }
            let stronger = found.is_none_or(|best| {
                let rank = |evidence| match evidence {
                    Evidence::Noun | Evidence::Pronoun => 2,
                    Evidence::PluralPronoun => 1,
                    Evidence::Title => 0,
                };
                rank(stated.evidence) > rank(best.evidence)
            });
            if stronger {
                found = Some(stated);
            }
        }
        found
    }

    /// Only she/he/they pronouns: how a written bio refers to its persona.
    pub(super) fn read_pronouns<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<Gender> {
        words
            .into_iter()
            .filter_map(word_gender)
            .find(|stated| stated.evidence == Evidence::Pronoun)
            .map(|stated| stated.gender)
    }
}

fn word_gender(word: &str) -> Option<StatedGender> {
    let listed = |list: &str, word: &str| list.split_whitespace().any(|listed| listed == word);
    let whole = |word: &str| {
        let table = [
            (NEUTRAL_NOUNS, Gender::Neutral, Evidence::Noun),
            (FEMININE_NOUNS, Gender::Feminine, Evidence::Noun),
            (MASCULINE_NOUNS, Gender::Masculine, Evidence::Noun),
            (FEMININE_PRONOUNS, Gender::Feminine, Evidence::Pronoun),
            (MASCULINE_PRONOUNS, Gender::Masculine, Evidence::Pronoun),
            (NEUTRAL_PRONOUNS, Gender::Neutral, Evidence::PluralPronoun),
            (FEMININE_TITLES, Gender::Feminine, Evidence::Title),
            (MASCULINE_TITLES, Gender::Masculine, Evidence::Title),
        ];
        table
            .iter()
            .find(|(list, _, _)| listed(list, word))
            .map(|&(_, gender, evidence)| StatedGender { gender, evidence })
    };
    // "they/them", "she/her": each part is a word of its own; "mother-of-three": a compound.
    whole(word)
        .or_else(|| {
            word.contains('/')
                .then(|| word.split('/').find_map(whole))
                .flatten()
        })
        .or_else(|| {
            word.contains('-')
                .then(|| word.split('-').find_map(whole))
                .flatten()
                .filter(|stated| stated.evidence != Evidence::PluralPronoun)
        })
}

/// The gender of a full name's given name in the name pools, the language's own first.
pub(super) fn gender_of_name(full_name: &str, language: &str) -> Option<Gender> {
    let given = full_name.split_whitespace().next()?;
    let own = name_pool(language);
    let in_pool = |pool: &NamePool| {
        [Gender::Feminine, Gender::Masculine, Gender::Neutral]
            .into_iter()
            .find(|&gender| pool.given(gender).contains(&given))
    };
    in_pool(own).or_else(|| NAME_POOLS.iter().find_map(in_pool))
}

/// The persona's pronouns and the verb forms that agree with them.
struct Pronouns {
    they: &'static str,
    them: &'static str,
    their: &'static str,
    theirs: &'static str,
    themselves: &'static str,
    are: &'static str,
    were: &'static str,
    have: &'static str,
}

impl Gender {
    fn pronouns(self) -> Pronouns {
        match self {
            Gender::Feminine => Pronouns {
                they: "she",
                them: "her",
                their: "her",
                theirs: "hers",
                themselves: "herself",
                are: "is",
                were: "was",
                have: "has",
            },
            Gender::Masculine => Pronouns {
                they: "he",
                them: "him",
                their: "his",
                theirs: "his",
                themselves: "himself",
                are: "is",
                were: "was",
                have: "has",
            },
            Gender::Neutral => Pronouns {
                they: "they",
                them: "them",
                their: "their",
                theirs: "theirs",
                themselves: "themselves",
                are: "are",
                were: "were",
                have: "have",
            },
        }
    }

    /// `template` with `{they}`, `{them}`, `{their}`, `{theirs}`, `{themselves}` (and `{They}`,
    /// `{Their}` to open a sentence) and the verbs `{are}`, `{were}`, `{have}` that follow
    /// `{they}` written for this persona.
    pub(super) fn fill(self, template: &str) -> String {
        let pronouns = self.pronouns();
        template
            .replace("{They}", &capitalized(pronouns.they))
            .replace("{Their}", &capitalized(pronouns.their))
            .replace("{they}", pronouns.they)
            .replace("{them}", pronouns.them)
            .replace("{theirs}", pronouns.theirs)
            .replace("{their}", pronouns.their)
            .replace("{themselves}", pronouns.themselves)
            .replace("{are}", pronouns.are)
            .replace("{were}", pronouns.were)
            .replace("{have}", pronouns.have)
    }
}
