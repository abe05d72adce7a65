//! The persona document as the server stores and answers it (contract §3): its fields in the
//! stored order, the four layers and `custom_fields` kept as JSON objects (their rules are the
//! server's schema, checked on the untyped patch), and the figures of the run that made it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Visibility;

/// A persona document. Serializing it gives the stored document byte for byte: the fields in
/// this order, an absent value as `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub id: String,
    pub slug: Option<String>,
    pub status: PersonaStatus,
    pub language: String,
    pub schema_version: String,
    pub soul: Map<String, Value>,
    #[serde(rename = "self")]
    pub self_layer: Map<String, Value>,
    pub mask: Map<String, Value>,
    pub surface: Map<String, Value>,
    pub fingerprint: Option<String>,
    pub run: PersonaRunFigures,
    pub intent: String,
    pub visibility: Visibility,
    pub version: i64,
    pub parent_id: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    pub owner_key_id: String,
}

/// Where a persona is in its generation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonaStatus {
    #[default]
    Queued,
    Running,
    Completed,
    Failed,
    Canceled,
}

impl PersonaStatus {
    pub const ALL: [PersonaStatus; 5] = [
        PersonaStatus::Queued,
        PersonaStatus::Running,
        PersonaStatus::Completed,
        PersonaStatus::Failed,
        PersonaStatus::Canceled,
    ];

    /// The status named `name` (`completed`, `failed`, ...).
    pub fn parse(name: &str) -> Option<PersonaStatus> {
        PersonaStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PersonaStatus::Queued => "queued",
            PersonaStatus::Running => "running",
            PersonaStatus::Completed => "completed",
            PersonaStatus::Failed => "failed",
            PersonaStatus::Canceled => "canceled",
        }
    }
}

/// A persona's `run`: the run that made this version and what it spent. Read from a run
/// document, it takes these fields of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonaRunFigures {
    pub id: String,
    pub cost_usd: f64,
    pub tokens: u64,
    pub latency_ms: Option<i64>,
}

/// The four layers, in the order of the document.
pub const LAYERS: [&str; 4] = ["soul", "self", "mask", "surface"];

impl Persona {
    /// The document as JSON (it always serializes: every map key is a string).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The layer `name` (one of [`LAYERS`]).
    pub fn layer(&self, name: &str) -> Option<&Map<String, Value>> {
        match name {
            "soul" => Some(&self.soul),
            "self" => Some(&self.self_layer),
            "mask" => Some(&self.mask),
            "surface" => Some(&self.surface),
            _ => None,
        }
    }

    /// The layer `name` (one of [`LAYERS`]), to replace.
    pub fn layer_mut(&mut self, name: &str) -> Option<&mut Map<String, Value>> {
        match name {
            "soul" => Some(&mut self.soul),
            "self" => Some(&mut self.self_layer),
            "mask" => Some(&mut self.mask),
            "surface" => Some(&mut self.surface),
            _ => None,
        }
    }

    /// The four layers as one object, `{soul, self, mask, surface}`.
    pub fn layers(&self) -> Map<String, Value> {
        LAYERS
            .iter()
            .map(|name| {
                let layer = self.layer(name).cloned().unwrap_or_default();
                (name.to_string(), Value::Object(layer))
            })
            .collect()
    }

    /// `surface.name` when it is text.
    pub fn surface_name(&self) -> Option<&str> {
        self.surface_text("name")
    }

    /// A text field of the surface (`occupation`, `place`, ...) when it is text.
    pub fn surface_text(&self, field: &str) -> Option<&str> {
        self.surface.get(field).and_then(Value::as_str)
    }

    /// A text field of the soul (`core_desire`, `core_fear`, `wound`) when it is text.
    pub fn soul_text(&self, field: &str) -> Option<&str> {
        self.soul.get(field).and_then(Value::as_str)
    }

    /// `self.archetype` when it is text.
    pub fn archetype(&self) -> Option<&str> {
        self.self_layer.get("archetype").and_then(Value::as_str)
    }

    /// The Big Five score of `trait_key` (`O`, `C`, `E`, `A` or `N`) when it is a number.
    pub fn big_five(&self, trait_key: &str) -> Option<f64> {
        self.self_layer.get("big_five")?.get(trait_key)?.as_f64()
    }

    /// `mask.voice.register`, the words of how the persona speaks, when it is text.
    pub fn voice_register(&self) -> Option<&str> {
        self.mask.get("voice")?.get("register")?.as_str()
    }

    /// `mask.public_bio` when it is text.
    pub fn public_bio(&self) -> Option<&str> {
        self.mask.get("public_bio").and_then(Value::as_str)
    }

    /// The field `field` of the surface as the document holds it, `null` when absent.
    pub fn surface_field(&self, field: &str) -> Value {
        self.surface.get(field).cloned().unwrap_or(Value::Null)
    }

    pub fn is_completed(&self) -> bool {
        self.status == PersonaStatus::Completed
    }

    /// A persona for tests: the default document with the top-level fields of `fields`.
    #[cfg(test)]
    pub fn with_fields(fields: Value) -> Persona {
        let mut document = Persona::default().to_value();
        if let (Some(document), Value::Object(fields)) = (document.as_object_mut(), fields) {
            document.extend(fields);
        }
        serde_json::from_value(document).expect("a persona document")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::json::fingerprint;

    /// A document as the server makes it when a create starts, and as a completed run leaves it.
    fn documents() -> [Value; 2] {
        let queued = json!({
            "id": "psn_1", "slug": null, "status": "queued", "language": "en", "schema_version": "1.0",
            "soul": {}, "self": {}, "mask": {}, "surface": {}, "fingerprint": null,
            "run": { "id": "run_1", "cost_usd": 0.0, "tokens": 0, "latency_ms": null },
            "intent": "a fisherman", "visibility": "private", "version": 1, "parent_id": null,
            "custom_fields": {}, "created_at": "2025-01-02T03:04:05Z",
            "updated_at": "2025-01-02T03:04:05Z", "archived_at": null, "owner_key_id": "key_1",
        });
        let mut completed = queued.clone();
        completed["slug"] = json!("the-bergen-fisherman");
        completed["status"] = json!("completed");
        completed["soul"] =
            json!({ "core_desire": "the sea", "core_fear": "land", "wound": "a storm" });
        completed["self"] = json!({ "big_five": { "O": 0.55, "C": 0.8, "E": 0.3, "A": 0.7, "N": 0.25 }, "archetype": "sage" });
        completed["mask"] = json!({ "voice": { "register": "dry" }, "public_bio": "Ola fishes." });
        completed["surface"] = json!({ "name": "Ola Nordmann", "age": 61, "occupation": "fisherman", "place": "Bergen" });
        completed["run"] =
            json!({ "id": "run_1", "cost_usd": 0.4938, "tokens": 12345, "latency_ms": 87 });
        completed["visibility"] = json!("workspace");
        completed["version"] = json!(2);
        completed["parent_id"] = json!("psn_0");
        completed["custom_fields"] = json!({ "z": [1, 2.5, null], "a": { "nested": "ü\n" } });
        completed["archived_at"] = json!("2025-02-03T04:05:06Z");
        completed["fingerprint"] = json!(fingerprint(&completed));
        [queued, completed]
    }

    #[test]
    fn a_server_document_round_trips_byte_for_byte_with_its_fingerprint() {
        for document in documents() {
            let persona: Persona = serde_json::from_value(document.clone()).unwrap();
            let text = serde_json::to_string(&document).unwrap();
            assert_eq!(serde_json::to_string(&persona).unwrap(), text);
            let reread: Persona = serde_json::from_str(&text).unwrap();
            assert_eq!(reread, persona);
            assert_eq!(persona.to_value(), document);
            assert_eq!(fingerprint(&persona.to_value()), fingerprint(&document));
        }
    }

    #[test]
    fn accessors_read_the_layers_and_unknown_fields_are_refused() {
        let [_, completed] = documents();
        let persona: Persona = serde_json::from_value(completed.clone()).unwrap();
        assert_eq!(persona.surface_name(), Some("Ola Nordmann"));
        assert_eq!(persona.surface_field("age"), json!(61));
        assert_eq!(persona.surface_field("nickname"), Value::Null);
        assert!(persona.is_completed());
        assert_eq!(Value::Object(persona.layers())["self"], completed["self"]);
        let mut extra = completed;
        extra["nickname"] = json!("Ola");
        assert!(serde_json::from_value::<Persona>(extra).is_err());
    }

    #[test]
    fn typed_accessors_read_text_and_numbers_and_skip_other_shapes() {
        let [queued, completed] = documents();
        let persona: Persona = serde_json::from_value(completed).unwrap();
        assert_eq!(persona.voice_register(), Some("dry"));
        assert_eq!(persona.public_bio(), Some("Ola fishes."));
        assert_eq!(persona.soul_text("core_fear"), Some("land"));
        assert_eq!(persona.surface_text("place"), Some("Bergen"));
        assert_eq!(persona.surface_text("age"), None);
        assert_eq!(persona.archetype(), Some("sage"));
        assert_eq!(persona.big_five("C"), Some(0.8));
        assert_eq!(persona.big_five("X"), None);
        let empty: Persona = serde_json::from_value(queued).unwrap();
        assert_eq!(empty.voice_register(), None);
        assert_eq!(empty.big_five("O"), None);
        let odd = Persona::with_fields(json!({
            "self": { "big_five": { "O": "high" } },
            "mask": { "voice": "loud", "public_bio": ["a"] },
        }));
        assert_eq!(odd.big_five("O"), None);
        assert_eq!(odd.voice_register(), None);
        assert_eq!(odd.public_bio(), None);
    }
}
