//! Typed views of the server's answers for what the commands show: each reads the fields a view
//! needs, while `--json` and YAML working copies pass the server's JSON through untouched.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The view of `json`: every field absent when the server left it out or sent null. JSON that
/// does not fit (a field of another type) gives the empty view, shown as dashes.
pub fn view<T: DeserializeOwned + Default>(json: &Value) -> T {
    T::deserialize(json).unwrap_or_default()
}

/// [`view`] of a list item kept as the server's JSON text.
pub fn view_text<T: DeserializeOwned + Default>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_default()
}

/// A persona as a list row, a summary or a message names it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonaSummary {
    pub id: Option<String>,
    pub slug: Option<String>,
    pub status: Option<String>,
    pub visibility: Option<String>,
    pub language: Option<String>,
    pub version: Option<u64>,
    pub fingerprint: Option<String>,
    pub created_at: Option<String>,
    pub archived_at: Option<String>,
    pub intent: Option<String>,
    pub soul: Option<SoulView>,
    #[serde(rename = "self")]
    pub self_layer: Option<SelfView>,
    pub mask: Option<MaskView>,
    pub surface: Option<SurfaceView>,
    /// The run that made this version.
    pub run: Option<RunFigures>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SoulView {
    pub core_desire: Option<String>,
    pub core_fear: Option<String>,
    pub wound: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SelfView {
    pub archetype: Option<String>,
    /// Trait → score in [0, 1], in the server's order.
    pub big_five: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MaskView {
    pub voice: Option<VoiceView>,
    pub public_bio: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VoiceView {
    pub register: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SurfaceView {
    pub name: Option<String>,
    pub age: Option<u64>,
    pub occupation: Option<String>,
    pub place: Option<String>,
}

impl PersonaSummary {
    pub fn name(&self) -> Option<&str> {
        self.surface.as_ref()?.name.as_deref()
    }

    pub fn voice_register(&self) -> Option<&str> {
        self.mask.as_ref()?.voice.as_ref()?.register.as_deref()
    }
}

/// What names a persona and its version, read from a working copy (whose other fields a person
/// may have mistyped) or from the server: each field on its own, absent when it is not of its type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonaStamp {
    #[serde(deserialize_with = "text_or_none")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text_or_none")]
    pub slug: Option<String>,
    #[serde(deserialize_with = "count_or_none")]
    pub version: Option<u64>,
    #[serde(deserialize_with = "text_or_none")]
    pub fingerprint: Option<String>,
    #[serde(deserialize_with = "text_or_none")]
    pub status: Option<String>,
    #[serde(deserialize_with = "text_or_none")]
    pub archived_at: Option<String>,
}

impl PersonaStamp {
    /// The slug when there is one, else the id: how a message names the persona.
    pub fn name(&self) -> &str {
        self.slug.as_deref().or(self.id.as_deref()).unwrap_or("?")
    }
}

fn text_or_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Value::deserialize(deserializer)?
        .as_str()
        .map(str::to_string))
}

fn count_or_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(Value::deserialize(deserializer)?.as_u64())
}

/// A persona's figures from the run that made it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunFigures {
    pub id: Option<String>,
    pub tokens: Option<u64>,
    pub cost_usd: Option<f64>,
}

/// One entry of `GET /v1/personas/{ref}/versions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonaVersion {
    pub version: Option<u64>,
    pub fingerprint: Option<String>,
    pub created_at: Option<String>,
    pub run_id: Option<String>,
}

/// A run as `runs list` and `runs get` show it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunSummary {
    pub id: Option<String>,
    pub persona_id: Option<String>,
    /// The slug the run's persona has now; absent from a server that does not send it.
    pub persona_slug: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub pipeline: Option<String>,
    pub engine: Option<String>,
    pub seed: Option<u64>,
    pub budget_usd: Option<f64>,
    pub tokens: Option<u64>,
    pub cost_usd: Option<f64>,
    pub latency_ms: Option<i64>,
    pub created_at: Option<String>,
    pub completed_at: Option<String>,
    pub steps: Option<Vec<StepSummary>>,
    pub error: Option<ErrorSummary>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepSummary {
    pub name: Option<String>,
    pub status: Option<String>,
    pub tokens: Option<u64>,
    pub cost_usd: Option<f64>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// The code and message of an API error body (contract §9).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ErrorSummary {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// Data that carries an API error: the error envelope, a `run.failed` event, a `message.failed`
/// chat event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Failure {
    pub error: Option<ErrorSummary>,
}

impl Failure {
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref()?.code.as_deref()
    }
}

/// The fields of a run event's data that the views of a run read (contract §5).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunEventFields {
    pub step: Option<String>,
    pub tokens: Option<u64>,
    pub cost_usd: Option<f64>,
    pub total_cost_usd: Option<f64>,
    /// The JSON patch of a `layer.delta`, applied as it is.
    pub patch: Option<Value>,
    /// The layer field a `layer.delta` changed, and its new value.
    pub path: Option<String>,
    pub value: Option<Value>,
    /// The persona a `run.completed` names.
    pub persona_id: Option<String>,
    /// Why a `run.failed` run failed.
    pub error: Option<ErrorSummary>,
}

/// A chat conversation (`POST /v1/chat/conversations`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Conversation {
    pub id: Option<String>,
}

/// An assistant turn, or the `content` of a `message.delta`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Turn {
    pub content: Option<String>,
    pub drift: Option<Drift>,
    pub coherence: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Drift {
    pub voice: Option<f64>,
    pub values: Option<f64>,
    pub verdict: Option<String>,
}

/// A webhook endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WebhookEndpoint {
    pub id: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub created_at: Option<String>,
    /// Whether this is the endpoint of `persona webhooks listen` sessions.
    pub listen: Option<bool>,
    /// The signing secret, in the answer of a create only.
    pub secret: Option<String>,
}

/// The answer of `POST /v1/webhooks/{id}/test`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WebhookTestSent {
    pub event_id: Option<String>,
    /// None when the endpoint is a listen endpoint (the event goes to its sessions).
    pub delivery_id: Option<String>,
}

/// A webhook delivery with its attempts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub id: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub endpoint_id: Option<String>,
    pub status: Option<String>,
    pub attempts: Option<u64>,
    pub max_attempts: Option<u64>,
    pub next_attempt_at: Option<String>,
    pub attempt_log: Option<Vec<Attempt>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Attempt {
    pub status_code: Option<u64>,
    pub error: Option<String>,
    pub duration_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_view_reads_its_fields_and_leaves_absent_or_null_ones_empty() {
        let persona: PersonaSummary = view(&json!({
            "id": "psn_1", "version": 2, "archived_at": null,
            "surface": { "name": "Ayşe", "age": 35 },
            "self": { "big_five": { "O": 0.8, "C": 0.6 } },
            "mask": { "voice": { "register": "wry" } },
            "custom_fields": { "anything": [1, 2] },
        }));
        assert_eq!(persona.id.as_deref(), Some("psn_1"));
        assert_eq!(persona.version, Some(2));
        assert_eq!(persona.name(), Some("Ayşe"));
        assert_eq!(persona.voice_register(), Some("wry"));
        assert_eq!(persona.archived_at, None);
        assert_eq!(persona.slug, None);
        let big_five = persona.self_layer.and_then(|s| s.big_five).unwrap();
        assert_eq!(big_five.keys().collect::<Vec<_>>(), ["O", "C"]);
    }

    #[test]
    fn a_stamp_keeps_the_fields_of_their_type_when_others_are_mistyped() {
        let stamp: PersonaStamp = view(&json!({
            "id": "psn_1", "slug": 5, "version": 3, "fingerprint": "sha256:ab",
            "surface": { "age": "old" }, "archived_at": null,
        }));
        assert_eq!(stamp.id.as_deref(), Some("psn_1"));
        assert_eq!(stamp.slug, None);
        assert_eq!(stamp.version, Some(3));
        assert_eq!(stamp.name(), "psn_1");
        assert_eq!(stamp.archived_at, None);
    }

    #[test]
    fn json_that_does_not_fit_gives_the_empty_view() {
        let run: RunSummary = view(&json!({ "id": "run_1", "tokens": "many" }));
        assert_eq!(run.id, None);
        let run: RunSummary = view_text("not json");
        assert_eq!(run.status, None);
        let failure: Failure = view(&json!({ "error": { "code": "x.y", "message": "m" } }));
        assert_eq!(failure.code(), Some("x.y"));
    }
}
