//! Fuzz target: `[doc, patch]` through `json_patch_apply` (no panic, atomic on error), and any
//! two values through `merge_patch_diff` then `merge_patch_apply` (gives the second, nulls aside).

#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::json::{canonical_json, json_patch_apply, merge_patch_apply, merge_patch_diff};
use serde_json::Value;

/// `value` without the null members of its objects.
/// Arrays are replaced whole by a merge patch, so their contents stay as they are.
fn without_object_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key.clone(), without_object_nulls(member)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let [from, to, ..] = items.as_slice() else {
        return;
    };

    let mut doc = from.clone();
    if json_patch_apply(&mut doc, to).is_err() {
        assert_eq!(&doc, from, "a failed patch changed the document");
    }

    let mut merged = from.clone();
    if let Some(patch) = merge_patch_diff(from, to) {
        merge_patch_apply(&mut merged, &patch);
    }
    assert_eq!(without_object_nulls(&merged), without_object_nulls(to));

    let canonical = canonical_json(to);
    assert_eq!(
        serde_json::from_str::<Value>(&canonical).ok().as_ref(),
        Some(to)
    );
});
