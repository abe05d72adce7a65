//! The run document as the server stores and answers it (contract §4): its fields and steps in
//! the stored order, the error a failed run recorded, and the request the runner executes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A run document. Serializing it gives the stored document byte for byte: the fields in this
/// order, an absent value as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub id: String,
    pub persona_id: String,
    pub kind: RunKind,
    pub status: RunStatus,
    pub pipeline: String,
    pub seed: u64,
    pub budget_usd: Option<f64>,
    pub engine: String,
    pub steps: Vec<RunStep>,
    pub cost_usd: f64,
    pub tokens: u64,
    pub latency_ms: Option<i64>,
    pub error: Option<ErrorObject>,
    pub created_at: String,
    pub completed_at: Option<String>,
}

/// What a run makes: a new persona, or a fork of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Create,
    Fork,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Create => "create",
            RunKind::Fork => "fork",
        }
    }
}

/// Where a run is; the last three end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Queued,
    Running,
    Completed,
    Failed,
    Canceled,
}

impl RunStatus {
    /// Every status, in the order a run goes through them.
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Completed,
        RunStatus::Failed,
        RunStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Canceled => "canceled",
        }
    }

    /// The status a name stands for; None for a name this contract does not define.
    pub fn parse(name: &str) -> Option<RunStatus> {
        RunStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// Whether the run is over (it can no longer be canceled).
    pub fn is_terminal(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// One step of a run's pipeline and what it spent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunStep {
    pub name: String,
    pub status: StepStatus,
    pub tokens: u64,
    pub cost_usd: f64,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

impl RunStep {
    /// A step not yet started.
    pub fn pending(name: &str) -> RunStep {
        RunStep {
            name: name.to_string(),
            status: StepStatus::Pending,
            tokens: 0,
            cost_usd: 0.0,
            started_at: None,
            completed_at: None,
        }
    }
}

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Pending,
    Running,
    Completed,
    Canceled,
}

/// The `error` object of the API's error envelope (contract §9): what every error answer
/// carries, a failed run records and its `run.failed` event sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorObject {
    pub code: String,
    pub message: String,
    #[serde(rename = "type")]
    pub error_type: String,
    pub doc_url: String,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Kept as it was sent: its shape depends on the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// What the runner executes, stored with the run when it is created: the request's inputs, and
/// once computed the plan the run replays when it resumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub kind: RunKind,
    /// The brief of a create, or the refinement of a fork (empty for a plain copy).
    pub intent: String,
    pub language: String,
    pub seed: u64,
    pub pipeline: String,
    pub budget_usd: Option<f64>,
    /// The persona a fork starts from; `null` for a create.
    pub parent: Option<RunParent>,
    pub created_at_ms: i64,
    /// The request that started the run, named in its error (empty in a request stored before
    /// runs named it).
    #[serde(default)]
    pub request_id: String,
    /// The engine's generation, kept as the engine wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Value>,
}

/// What a fork's run needs of the persona it forks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunParent {
    pub id: String,
    pub slug: Option<String>,
    pub intent: String,
    /// The four layers, `{soul, self, mask, surface}`.
    pub layers: Map<String, Value>,
}

impl Run {
    /// The document as JSON (it always serializes: every map key is a string).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// A cost or a budget as people read it: `$0.79`, or `$0.0042` below a cent.
pub fn usd(amount: f64) -> String {
    if amount != 0.0 && amount.abs() < 0.01 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn step(name: &str, status: &str, tokens: u64, cost: f64, times: [Value; 2]) -> Value {
        let [started_at, completed_at] = times;
        json!({
            "name": name, "status": status, "tokens": tokens, "cost_usd": cost,
            "started_at": started_at, "completed_at": completed_at,
        })
    }

    /// Documents as the server writes them: queued, running with steps, completed, failed with
    /// its error, canceled.
    fn documents() -> Vec<Value> {
        let at = |s: &str| json!(s);
        let queued = json!({
            "id": "run_1", "persona_id": "psn_1", "kind": "create", "status": "queued",
            "pipeline": "default", "seed": 4_294_967_295u64, "budget_usd": null, "engine": "offline",
            "steps": [
                step("intent_parse", "pending", 0, 0.0, [Value::Null, Value::Null]),
                step("soul_draft", "pending", 0, 0.0, [Value::Null, Value::Null]),
            ],
            "cost_usd": 0.0, "tokens": 0, "latency_ms": null, "error": null,
            "created_at": "2025-01-02T03:04:05Z", "completed_at": null,
        });
        let mut running = queued.clone();
        running["status"] = json!("running");
        running["budget_usd"] = json!(0.25);
        running["steps"] = json!([
            step(
                "intent_parse",
                "completed",
                120,
                0.0048,
                [at("2025-01-02T03:04:05Z"), at("2025-01-02T03:04:06Z")]
            ),
            step(
                "soul_draft",
                "running",
                0,
                0.0,
                [at("2025-01-02T03:04:06Z"), Value::Null]
            ),
        ]);
        running["tokens"] = json!(120);
        running["cost_usd"] = json!(0.0048);
        let mut completed = running.clone();
        completed["status"] = json!("completed");
        completed["steps"][1] = step(
            "soul_draft",
            "completed",
            12_225,
            0.489,
            [at("2025-01-02T03:04:06Z"), at("2025-01-02T03:04:07Z")],
        );
        completed["tokens"] = json!(12_345);
        completed["cost_usd"] = json!(0.4938);
        completed["latency_ms"] = json!(2087);
        completed["completed_at"] = json!("2025-01-02T03:04:07Z");
        let mut failed = running.clone();
        failed["kind"] = json!("fork");
        failed["status"] = json!("failed");
        failed["error"] = json!({
            "code": "persona.cost_budget_exceeded", "message": "Run aborted: $0.49 exceeds budget $0.25.",
            "type": "billing", "doc_url": "https://docs.persona.dev/errors#cost_budget_exceeded",
            "request_id": "req_1", "run_id": "run_1",
        });
        failed["latency_ms"] = json!(0);
        failed["completed_at"] = json!("2025-01-02T03:04:07Z");
        let mut with_details = failed.clone();
        with_details["error"]["details"] = json!([{ "pointer": "/intent", "ü": 1.5 }]);
        let mut canceled = running;
        canceled["status"] = json!("canceled");
        canceled["steps"][1]["status"] = json!("canceled");
        canceled["latency_ms"] = json!(1500);
        canceled["completed_at"] = json!("2025-01-02T03:04:06Z");
        vec![queued, completed, failed, with_details, canceled]
    }

    #[test]
    fn a_server_document_round_trips_byte_for_byte() {
        for document in documents() {
            let run: Run = serde_json::from_value(document.clone()).unwrap();
            let text = serde_json::to_string(&document).unwrap();
            assert_eq!(serde_json::to_string(&run).unwrap(), text);
            let reread: Run = serde_json::from_str(&text).unwrap();
            assert_eq!(reread, run);
            assert_eq!(run.to_value(), document);
        }
    }

    #[test]
    fn a_pending_step_is_the_one_a_new_run_lists() {
        let [queued, ..] = &documents()[..] else {
            unreachable!()
        };
        let run: Run = serde_json::from_value(queued.clone()).unwrap();
        assert_eq!(run.steps[0], RunStep::pending("intent_parse"));
        assert_eq!(run.status, RunStatus::Queued);
        assert!(!run.status.is_terminal());
        let names: Vec<&str> = RunStatus::ALL.into_iter().map(RunStatus::as_str).collect();
        assert_eq!(
            names,
            ["queued", "running", "completed", "failed", "canceled"]
        );
    }

    #[test]
    fn unknown_fields_and_statuses_are_refused() {
        let documents = documents();
        let mut extra = documents[0].clone();
        extra["owner"] = json!("local");
        assert!(serde_json::from_value::<Run>(extra).is_err());
        let mut paused = documents[0].clone();
        paused["status"] = json!("paused");
        assert!(serde_json::from_value::<Run>(paused).is_err());
    }

    #[test]
    fn a_stored_request_round_trips_with_and_without_its_plan() {
        let create = json!({
            "kind": "create", "intent": "a fisherman", "language": "en", "seed": 7,
            "pipeline": "strict-audit", "budget_usd": 0.5, "parent": null,
            "created_at_ms": 1_735_787_045_123i64, "request_id": "req_1",
        });
        let mut planned = create.clone();
        planned["plan"] = json!({ "steps": [], "layers": { "soul": {} }, "suggested_slug": "ola" });
        let fork = json!({
            "kind": "fork", "intent": "", "language": "no", "seed": 1, "pipeline": "default",
            "budget_usd": null,
            "parent": { "id": "psn_0", "slug": null, "intent": "a fisherman",
                        "layers": { "soul": {}, "self": {}, "mask": {}, "surface": { "name": "Ola" } } },
            "created_at_ms": 1, "request_id": "req_2",
        });
        let mut unnamed = create.clone();
        unnamed.as_object_mut().unwrap().remove("request_id");
        let request: RunRequest = serde_json::from_value(unnamed).unwrap();
        assert_eq!(request.request_id, "");
        for document in [create, planned, fork] {
            let request: RunRequest = serde_json::from_value(document.clone()).unwrap();
            assert_eq!(
                serde_json::to_string(&request).unwrap(),
                serde_json::to_string(&document).unwrap()
            );
        }
    }
}
