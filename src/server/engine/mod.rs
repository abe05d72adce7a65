//! Persona generation engines: the pipeline a run executes, behind a small async trait.
//! Each step reports the layer fields it fills; applied in order they build the persona's layers.

mod layers;
pub mod model;
pub mod offline;
mod slug;

pub use model::{ModelEngine, ModelSettings};
pub use offline::OfflineEngine;

use crate::model::ErrorCode;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ApiError;

/// The strict-audit pipeline's steps; the default pipeline runs all but the last.
const STRICT_AUDIT_STEPS: &[&str] = &[
    "intent_parse",
    "soul_draft",
    "self_draft",
    "mask_draft",
    "surface_draft",
    "consistency_audit",
    "adversarial_audit",
];

const DEFAULT_STEPS: &[&str] = STRICT_AUDIT_STEPS.split_at(STRICT_AUDIT_STEPS.len() - 1).0;

/// The ordered list of steps a generation run executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pipeline {
    Default,
    StrictAudit,
}

impl Pipeline {
    /// Reads a pipeline from its CLI/API name: "default" or "strict-audit".
    pub fn parse(name: &str) -> Option<Pipeline> {
        match name {
            "default" => Some(Pipeline::Default),
            "strict-audit" => Some(Pipeline::StrictAudit),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Pipeline::Default => "default",
            Pipeline::StrictAudit => "strict-audit",
        }
    }

    pub fn steps(self) -> &'static [&'static str] {
        match self {
            Pipeline::Default => DEFAULT_STEPS,
            Pipeline::StrictAudit => STRICT_AUDIT_STEPS,
        }
    }
}

/// What to generate: the brief, the language names must fit, the seed and the pipeline.
#[derive(Debug, Clone, Copy)]
pub struct GenerationRequest<'a> {
    pub intent: &'a str,
    pub language: &'a str,
    pub seed: u64,
    pub pipeline: Pipeline,
}

/// One pipeline step's output: the layer fields it fills, in order, as (dotted path, value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepOutput {
    pub name: String,
    pub tokens: u64,
    pub fields: Vec<(String, Value)>,
}

/// A finished run: its steps, the layers they build, and a slug to store the persona under.
/// A run stores it before its first event, so that a resumed run replays the same plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub steps: Vec<StepOutput>,
    pub layers: Value,
    pub suggested_slug: String,
}

/// Why an engine could not answer.
#[derive(Debug)]
pub struct EngineError {
    pub kind: EngineErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineErrorKind {
    /// The request cannot be answered as it is (an empty brief, say): 400 `request.invalid`.
    Invalid,
    /// The model provider failed: unreachable, timed out, a 5xx, or an unusable answer.
    /// 503 `provider.unavailable`.
    ProviderUnavailable,
}

impl EngineError {
    pub fn invalid(message: impl Into<String>) -> Self {
        EngineError {
            kind: EngineErrorKind::Invalid,
            message: message.into(),
        }
    }

    pub fn provider_unavailable(message: impl Into<String>) -> Self {
        EngineError {
            kind: EngineErrorKind::ProviderUnavailable,
            message: message.into(),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        match error.kind {
            EngineErrorKind::Invalid => ApiError::invalid(error.message),
            EngineErrorKind::ProviderUnavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ProviderUnavailable,
                error.message,
            ),
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

/// The future of a generation.
pub type GenerationFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Generation, EngineError>> + Send + 'a>>;

/// Writes personas. The runner calls it once per run and stores the answer, so an engine need
/// not be deterministic.
pub trait Engine: Send + Sync {
    /// `offline`, or `model` for an OpenAI-compatible model server; each run records it.
    fn name(&self) -> &'static str;

    fn generate<'a>(&'a self, request: GenerationRequest<'a>) -> GenerationFuture<'a>;

    /// A fork with an intent: rewrite the parent's layers under the refinement, keeping its
    /// identity (surface.name, language) unless the refinement says otherwise.
    fn refine<'a>(
        &'a self,
        parent: Parent<'a>,
        request: GenerationRequest<'a>,
    ) -> GenerationFuture<'a>;
}

/// What a fork refines: the parent's four layers and the intent they were written from.
#[derive(Debug, Clone, Copy)]
pub struct Parent<'a> {
    pub layers: &'a Value,
    pub intent: &'a str,
}

/// The brief a fork is written from: the parent's intent, then the refinement, as one text.
/// A full stop separates them unless the parent already ends a sentence ("calm." + "older" gives
/// "calm. older", never "calm.. older"); an empty side leaves the other alone.
pub fn combined_intent(parent_intent: &str, refinement: &str) -> String {
    let parent = parent_intent.trim();
    let refinement = refinement.trim();
    if parent.is_empty() {
        return refinement.to_owned();
    }
    if refinement.is_empty() {
        return parent.to_owned();
    }
    let unquoted = parent.trim_end_matches(['"', '\'', ')', ']', '\u{201D}', '\u{2019}', '\u{BB}']);
    if unquoted.ends_with(['.', '!', '?', '\u{2026}']) {
        format!("{parent} {refinement}")
    } else {
        format!("{parent}. {refinement}")
    }
}

/// Sets every step's fields, in order, into an empty object: the layers those steps describe.
fn layers_from_steps(steps: &[StepOutput]) -> Value {
    let mut layers = Map::new();
    for (path, value) in steps.iter().flat_map(|step| &step.fields) {
        set_dotted_path(&mut layers, path, value.clone());
    }
    Value::Object(layers)
}

fn set_dotted_path(target: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            target.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = target
                .entry(head)
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(child_map) = child {
                set_dotted_path(child_map, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pipeline_names_round_trip() {
        for pipeline in [Pipeline::Default, Pipeline::StrictAudit] {
            assert_eq!(Pipeline::parse(pipeline.name()), Some(pipeline));
        }
        assert_eq!(Pipeline::parse("Default"), None);
        assert_eq!(Pipeline::parse(""), None);
    }

    #[test]
    fn strict_audit_adds_adversarial_audit_after_consistency_audit() {
        assert_eq!(Pipeline::Default.steps().len(), 6);
        let strict = Pipeline::StrictAudit.steps();
        assert_eq!(&strict[..6], Pipeline::Default.steps());
        assert_eq!(strict[6], "adversarial_audit");
    }

    #[test]
    fn dotted_paths_nest_up_to_three_levels_in_step_order() {
        let steps = vec![
            StepOutput {
                name: "self_draft".to_owned(),
                tokens: 10,
                fields: vec![
                    ("self.big_five.O".to_owned(), json!(0.8)),
                    ("self.archetype".to_owned(), json!("the-sage")),
                ],
            },
            StepOutput {
                name: "consistency_audit".to_owned(),
                tokens: 5,
                fields: Vec::new(),
            },
            StepOutput {
                name: "self_redraft".to_owned(),
                tokens: 10,
                fields: vec![("self.big_five.O".to_owned(), json!(0.7))],
            },
        ];
        assert_eq!(
            layers_from_steps(&steps),
            json!({"self": {"big_five": {"O": 0.7}, "archetype": "the-sage"}})
        );
    }

    #[test]
    fn combined_intents_never_double_the_full_stop() {
        assert_eq!(
            combined_intent("A calm poet.", "older"),
            "A calm poet. older"
        );
        assert_eq!(
            combined_intent("A calm poet", "older"),
            "A calm poet. older"
        );
        assert_eq!(
            combined_intent("  A calm poet.  ", " older "),
            "A calm poet. older"
        );
        assert_eq!(combined_intent("Who is she?", "older"), "Who is she? older");
        assert_eq!(
            combined_intent("A poet (retired.)", "older"),
            "A poet (retired.) older"
        );
        assert_eq!(combined_intent("A poet...", "older"), "A poet... older");
        assert_eq!(combined_intent("", "older"), "older");
        assert_eq!(combined_intent("A calm poet.", "  "), "A calm poet.");
    }

    #[test]
    fn engine_error_displays_its_message() {
        let error = EngineError::invalid("brief is empty");
        assert_eq!(error.to_string(), "brief is empty");
    }

    #[test]
    fn provider_failures_answer_503_and_bad_requests_400() {
        let provider = ApiError::from(EngineError::provider_unavailable("connection refused"));
        assert_eq!(provider.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(provider.code, "provider.unavailable");
        let invalid = ApiError::from(EngineError::invalid("brief is empty"));
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid.code, "request.invalid");
    }

    #[test]
    fn a_generation_survives_a_round_trip_through_its_stored_json() {
        let generation = Generation {
            steps: vec![StepOutput {
                name: "surface_draft".to_owned(),
                tokens: 12,
                fields: vec![("surface.name".to_owned(), json!("Mert"))],
            }],
            layers: json!({"surface": {"name": "Mert"}}),
            suggested_slug: "mert".to_owned(),
        };
        let stored = serde_json::to_value(&generation).unwrap();
        assert_eq!(
            serde_json::from_value::<Generation>(stored).unwrap(),
            generation
        );
    }
}
