//! Composing a persona from what the brief states: the rest is drawn from the PRNG and the
//! tables in `words`, then written out as the steps' layer fields, with a slug to suggest.

use serde_json::Value;

use super::brief::{Brief, MAX_AGE};
use super::career::{Career, Work};
use super::names::name_pool;
use super::pronouns::{Evidence, Gender, gender_of_name};
use super::rng::SplitMix64;
use super::words::{
    ARCHETYPES, Archetype, OCCUPATIONS, PLAIN_REGISTER, PLAIN_REPUTATION, POLES, Pole, STUDENT,
};
use crate::server::engine::layers::{self, BigFive, Mask, SelfLayer, Soul, Surface, Voice};
use crate::server::engine::slug::slugify;
use crate::server::engine::{EngineError, Pipeline, StepOutput};
use crate::server::english::{join_list, with_article};

pub(super) const MIN_DRAWN_AGE: u64 = 22;
pub(super) const MAX_DRAWN_AGE: u64 = 70;
pub(super) const MIN_RETIRED_AGE: u64 = 58;
pub(super) const MAX_RETIRED_AGE: u64 = 84;

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

/// The poles of the dimensions that stand out, most extreme first, leaving out a pole the
/// brief's own trait words go against ("gruff but kind" is neither gentle nor sardonic).
fn notable_poles(scores: &[f64; 5], trait_shifts: &[(usize, f64)]) -> Vec<&'static Pole> {
    let deviation = |dimension: usize| (scores[dimension] - BASELINE).abs();
    let mut dimensions: Vec<usize> = (0..scores.len())
        .filter(|&dimension| deviation(dimension) >= NOTABLE_DEVIATION)
        .collect();
    dimensions.sort_by(|&left, &right| deviation(right).total_cmp(&deviation(left)));
    dimensions
        .into_iter()
        .filter_map(|dimension| {
            let high = scores[dimension] >= BASELINE;
            let contradicted = trait_shifts
                .iter()
                .any(|&(stated, shift)| stated == dimension && (shift > 0.0) != high);
            (!contradicted).then_some(&POLES[dimension][usize::from(high)])
        })
        .collect()
}

/// The voice register: the brief's own voice words first, then what the notable poles add,
/// three descriptors at most.
fn register(voice: &[String], poles: &[&'static Pole], rng: &mut SplitMix64) -> String {
    let mut descriptors: Vec<&str> = voice
        .iter()
        .take(MAX_REGISTER_DESCRIPTORS)
        .map(String::as_str)
        .collect();
    for pole in poles {
        if descriptors.len() == MAX_REGISTER_DESCRIPTORS {
            break;
        }
        // The drawn descriptor, or the pole's other one when the drawn one repeats a word.
        let drawn = *rng.pick(&pole.registers);
        let other = pole.registers[usize::from(pole.registers[0] == drawn)];
        let said: Vec<&str> = descriptors.iter().flat_map(|d| register_words(d)).collect();
        let fresh = [drawn, other]
            .into_iter()
            .find(|descriptor| register_words(descriptor).all(|word| !said.contains(&word)));
        descriptors.extend(fresh);
    }
    if descriptors.is_empty() {
        PLAIN_REGISTER.to_owned()
    } else {
        descriptors.join(", ")
    }
}

/// The words of a register descriptor: "blunt, faintly sardonic" gives "blunt", "faintly",
/// "sardonic".
fn register_words(descriptor: &str) -> impl Iterator<Item = &str> {
    descriptor
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty() && !matches!(*word, "and" | "but" | "yet"))
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
// Gender

/// Who the persona is: a gendered noun or pronoun of the brief wins, then the gender of the
/// name it gives, then a gendered job title ("fisherman"); a stated name of unknown gender is
/// "they", and with nothing stated the gender is drawn.
fn persona_gender(brief: &Brief, language: &str, rng: &mut SplitMix64) -> Gender {
    let stated = brief.gender;
    if let Some(stated) = stated.filter(|stated| stated.evidence > Evidence::Title) {
        return stated.gender;
    }
    let named = brief
        .name
        .as_deref()
        .map(|name| gender_of_name(name, language));
    match (named, stated) {
        (Some(Some(gender)), _) => gender,
        (_, Some(stated)) => stated.gender,
        (Some(None), None) => Gender::Neutral,
        (None, None) => *rng.pick(&[Gender::Feminine, Gender::Masculine]),
    }
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
        let career = brief.career.clone().unwrap_or_else(|| Career::Current {
            now: Work::known(if brief.is_a_minor() {
                &STUDENT
            } else {
                rng.pick(OCCUPATIONS)
            }),
            before: None,
        });
        let age = brief.age.unwrap_or_else(|| {
            let (youngest, oldest) = brief.age_range.unwrap_or_else(|| career.plausible_ages());
            rng.between(youngest, oldest.min(MAX_AGE))
        });
        let gender = persona_gender(&brief, language, rng);
        let name = brief.name.unwrap_or_else(|| {
            let pool = name_pool(language);
            format!("{} {}", rng.pick(pool.given(gender)), rng.pick(pool.family))
        });
        let matter = career.matter();
        let mut soul_text =
            |templates: &[&str]| gender.fill(&rng.pick(templates).replace("{matter}", &matter));
        let core_desire = soul_text(archetype.desires);
        let core_fear = soul_text(archetype.fears);
        let mut wound = soul_text(archetype.wounds);
        if let Career::Current {
            before: Some(before),
            ..
        } = &career
        {
            wound = format!(
                "{wound} {} {}.",
                gender.fill("It is the unspoken reason {they} {are} no longer"),
                with_article(before.noun())
            );
        }
        let poles = notable_poles(&big_five, &brief.trait_shifts);
        let register = register(&brief.voice, &poles, rng);
        let known_for = if brief.voice.is_empty() {
            poles
                .first()
                .map_or(PLAIN_REPUTATION, |pole| pole.reputation)
                .to_owned()
        } else {
            let voice: Vec<&str> = brief
                .voice
                .iter()
                .take(MAX_REGISTER_DESCRIPTORS)
                .map(String::as_str)
                .collect();
            format!("being {}", join_list(&voice))
        };
        let place_clause = brief
            .place
            .as_ref()
            .map(|place| format!(" in {place}"))
            .unwrap_or_default();
        let public_bio = format!(
            "{name} is {} {age}-year-old {}{place_clause}. {} spends most days among {matter}, \
             and {} known for {known_for}.",
            article_for_age(age),
            career.phrase(),
            given_name(&name),
            gender.fill("{they} {are}"),
        );
        let occupation = career.title();
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
            Some(place) => {
                let place = place.strip_prefix("the ").unwrap_or(place);
                slugify(&format!("the-{place}-{head}"))
            }
            None => slugify(&format!("the-{head}-{}", given_name(&self.surface.name))),
        }
    }
}

fn given_name(full_name: &str) -> &str {
    full_name.split_whitespace().next().unwrap_or(full_name)
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
