//! Composing a persona from what the brief states: the rest is drawn from the PRNG and the
//! tables in `words`, then written out as the steps' layer fields, with a slug to suggest.

use serde_json::Value;

use super::brief::{Brief, Career, DescribedOccupation, MAX_AGE, capitalized};
use super::rng::SplitMix64;
use super::words::{
    ARCHETYPES, Archetype, NAME_POOLS, NamePool, OCCUPATIONS, PLAIN_REGISTER, PLAIN_REPUTATION,
    POLES, Pole,
};
use crate::server::engine::layers::{self, BigFive, Mask, SelfLayer, Soul, Surface, Voice};
use crate::server::engine::slug::slugify;
use crate::server::engine::{EngineError, Pipeline, StepOutput};

pub(super) const MIN_DRAWN_AGE: u64 = 22;
pub(super) const MAX_DRAWN_AGE: u64 = 70;
pub(super) const MIN_RETIRED_AGE: u64 = 58;
pub(super) const MAX_RETIRED_AGE: u64 = 84;

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
    pub(super) fn title(self) -> String {
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
    pub(super) fn phrase(&self) -> String {
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

// ---------------------------------------------------------------------------
// Big Five

const BASELINE: f64 = 0.5;
const JITTER: f64 = 0.06;
pub(super) const LOWEST_SCORE: f64 = 0.02;
pub(super) const HIGHEST_SCORE: f64 = 0.98;
/// How far from the baseline a score must sit to colour the voice and the bio.
const NOTABLE_DEVIATION: f64 = 0.12;

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
// Archetypes

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

/// The pool for a language tag such as "tr", "pt-BR" or "nb_NO".
pub(super) fn name_pool(language: &str) -> &'static NamePool {
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

pub(super) struct Persona {
    career: Career,
    soul: Soul,
    self_layer: SelfLayer,
    mask: Mask,
    surface: Surface,
}

impl Persona {
    pub(super) fn compose(brief: Brief, language: &str, rng: &mut SplitMix64) -> Persona {
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
        let occupation = career.clone().title();
        Persona {
            career,
            soul: Soul {
                core_desire,
                core_fear,
                wound,
            },
            self_layer: SelfLayer {
                big_five: BigFive::from_scores(big_five),
                archetype: archetype.slug.to_owned(),
            },
            mask: Mask {
                voice: Voice { register },
                public_bio,
            },
            surface: Surface {
                name,
                age,
                occupation,
                place: brief.place,
            },
        }
    }

    fn soul_fields(&self) -> Vec<(String, Value)> {
        layers::fields("soul", &self.soul)
    }

    fn self_fields(&self) -> Vec<(String, Value)> {
        layers::fields("self", &self.self_layer)
    }

    fn mask_fields(&self) -> Vec<(String, Value)> {
        layers::fields("mask", &self.mask)
    }

    fn surface_fields(&self) -> Vec<(String, Value)> {
        layers::fields("surface", &self.surface)
    }

    pub(super) fn steps(
        &self,
        pipeline: Pipeline,
        intent: &str,
    ) -> Result<Vec<StepOutput>, EngineError> {
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

    pub(super) fn suggested_slug(&self) -> String {
        let head = self.career.noun();
        match &self.surface.place {
            Some(place) => slugify(&format!("the-{place}-{head}")),
            None => slugify(&format!("the-{head}-{}", given_name(&self.surface.name))),
        }
    }
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
