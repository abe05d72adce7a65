//! Fuzz target: a JSON Schema (or, when the input is not JSON, a `pattern`) through the checks
//! and the instance generator of structured outputs: no panic, no stack overflow, the check's
//! verdict holds for the instance, and a text made for a pattern matches it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::server::chat::schema::{Budget, check, instance};
use serde_json::{Value, json};

/// The words of strings that follow no pattern.
const WORDS: &str = "\u{1}words";

fuzz_target!(|data: &[u8]| {
    let (schema, pattern) = match serde_json::from_slice::<Value>(data) {
        Ok(schema) => (schema, None),
        Err(_) => {
            let Ok(pattern) = std::str::from_utf8(data) else {
                return;
            };
            (
                json!({ "type": "string", "pattern": pattern }),
                Some(pattern),
            )
        }
    };
    let words = |_: &str| WORDS.to_string();
    let checked = check(&schema, &Budget::default());
    let made = instance(&schema, &words, &Budget::default());
    if checked.is_ok() {
        assert!(
            made.is_ok(),
            "the check passed but the instance did not: {made:?}"
        );
    }
    if let (Some(pattern), Ok(Value::String(text))) = (pattern, &made)
        && text != WORDS
        && let Ok(regex) = regex::Regex::new(pattern)
    {
        assert!(regex.is_match(text), "{text:?} does not match {pattern:?}");
    }
});
