//! Persona generation engines: the pipeline a run executes, behind a small trait.
//! Each step reports the layer fields it fills; applied in order they build the persona's layers.

pub mod offline;

pub use offline::OfflineEngine;

use std::fmt;

use serde_json::{Map, Value};

const DEFAULT_STEPS: &[&str] = &[
    "intent_parse",
    "soul_draft",
    "self_draft",
    "mask_draft",
    "surface_draft",
    "consistency_audit",
];

const STRICT_AUDIT_STEPS: &[&str] = &[
    "intent_parse",
    "soul_draft",
    "self_draft",
    "mask_draft",
    "surface_draft",
    "consistency_audit",
    "adversarial_audit",
];

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
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    pub name: &'static str,
    pub tokens: u64,
    pub fields: Vec<(String, Value)>,
}

/// A finished run: its steps, the layers they build, and a slug to store the persona under.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub steps: Vec<StepOutput>,
    pub layers: Value,
    pub suggested_slug: String,
}

#[derive(Debug)]
pub struct EngineError {
    pub message: String,
}

impl fmt::Display for EngineError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

pub trait Engine: Send + Sync {
    fn name(&self) -> &'static str;

    fn generate(&self, request: &GenerationRequest) -> Result<Generation, EngineError>;

    /// A fork with an intent: rewrite the parent's layers under the refinement, keeping its identity (surface.name, language) unless the refinement says otherwise.
    fn refine(
        &self,
        parent_layers: &Value,
        parent_intent: &str,
        request: &GenerationRequest,
    ) -> Result<Generation, EngineError>;
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
                name: "self_draft",
                tokens: 10,
                fields: vec![
                    ("self.big_five.O".to_owned(), json!(0.8)),
                    ("self.archetype".to_owned(), json!("the-sage")),
                ],
            },
            StepOutput {
                name: "consistency_audit",
                tokens: 5,
                fields: Vec::new(),
            },
            StepOutput {
                name: "self_redraft",
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
    fn engine_error_displays_its_message() {
        let error = EngineError {
            message: "brief is empty".to_owned(),
        };
        assert_eq!(error.to_string(), "brief is empty");
    }
}
