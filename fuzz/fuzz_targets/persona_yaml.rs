//! Fuzz target: whatever `from_yaml` accepts, `to_yaml` writes back as the same persona (and the
//! same bytes again); any JSON persona written with `to_yaml` reads back unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::persona_file::{from_yaml, to_yaml};
use serde_json::{Value, json};

/// `persona` through a working copy and back, which must give `persona` again.
fn round_trip(persona: &Value) {
    let written = to_yaml(persona);
    let read = from_yaml(&written, "fuzz.yml")
        .unwrap_or_else(|err| panic!("to_yaml wrote a file from_yaml refuses: {err}\n{written}"));
    assert_eq!(
        &read, persona,
        "the working copy changed the persona:\n{written}"
    );
    assert_eq!(to_yaml(&read), written, "to_yaml is not deterministic");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(persona) = from_yaml(text, "fuzz.yml")
    {
        round_trip(&persona);
    }
    if let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(data) {
        fields.insert("id".into(), json!("psn_fuzz"));
        fields.insert("version".into(), json!(1));
        fields.insert("fingerprint".into(), json!("sha256:0"));
        round_trip(&Value::Object(fields));
    }
});
