//! The offline engine: writes a whole persona from an English brief, with no model or network.
//! Deterministic in (intent, seed, language, pipeline): all chance comes from a seeded PRNG.
//! `brief` reads what the intent states (`career` its work, `pronouns` its gender), `compose`
//! draws the rest and writes the layers, and `words` and `names` hold the tables they use.

mod brief;
mod career;
mod compose;
#[cfg(test)]
mod listening_tests;
mod names;
mod pronouns;
mod rng;
#[cfg(test)]
mod tests;
mod words;

use serde_json::Value;

use super::layers::ParentIdentity;
use super::{
    Engine, EngineError, Generation, GenerationFuture, GenerationRequest, Parent, Pipeline,
    combined_intent, layers_from_steps,
};
use crate::server::compute;
use brief::{Brief, MAX_AGE, refined_age};
use compose::Persona;
use pronouns::{Evidence, StatedGender, gender_of_name};
use rng::SplitMix64;

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
        parent: Parent<'a>,
        request: GenerationRequest<'a>,
    ) -> GenerationFuture<'a> {
        let owned = OwnedRequest::of(&request);
        let (parent_layers, parent_intent) = (parent.layers.clone(), parent.intent.to_string());
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
        let parent = ParentIdentity::of(parent_layers);
        let parent_brief = Brief::parse(parent_intent);
        let parent_age = parent
            .age()
            .map(|age| age.min(MAX_AGE))
            .or(parent_brief.age);
        let parent_gender = parent_brief
            .gender
            .filter(|stated| stated.evidence > Evidence::Title)
            .map(|stated| stated.gender)
            .or_else(|| {
                let bio = parent.public_bio().unwrap_or_default().to_lowercase();
                StatedGender::read_pronouns(bio.split(|c: char| !c.is_alphabetic()))
            })
            .or_else(|| {
                parent
                    .name()
                    .and_then(|name| gender_of_name(name, request.language))
            });
        let mut refinement = Brief::parse_refinement(request.intent);
        // A gendered noun ("make them a woman") changes who the persona is, and then the name
        // is drawn anew; a pronoun alone ("make her calmer") follows the parent.
        let renamed = refinement.gender.is_some_and(|stated| {
            stated.evidence == Evidence::Noun && Some(stated.gender) != parent_gender
        });
        if !renamed && let Some(gender) = parent_gender {
            refinement.gender = Some(StatedGender {
                gender,
                evidence: Evidence::Noun,
            });
        }
        if !renamed {
            refinement.name = refinement.name.or_else(|| parent.name().map(str::to_owned));
        }
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
