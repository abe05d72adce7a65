//! How a working copy stands against the server's persona, from the parsed content of the
//! editable fields alone: never the text, its key order, its comments or its read-only fields.

use serde::Serialize;
use serde_json::{Map, Value};

use super::emit::object_to_yaml;
use super::{editable_fields, unified_diff};
use crate::json::{self, EDITABLE_FIELDS, merge_patch_apply, merge_patch_diff};

/// Where a working copy stands against the persona on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Its editable fields hold what the server holds (the version it records may be older).
    UpToDate,
    /// Edited here, and the server holds nothing the file lacks: a push sends the edits.
    Edited,
    /// Not edited here, and the persona changed on the server since the pull: a pull updates it.
    Behind,
    /// Edited here, and changed on the server since the pull in ways the file lacks.
    Conflict,
}

/// What the file and the server's persona alone tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Settled(Standing),
    /// Edited here, and the server moved on since the pull: whether the file already holds
    /// the server's changes takes the persona as it was pulled ([`settle`]).
    Diverged,
}

/// Compares a working copy with the server's persona.
pub fn compare(local: &Value, server: &Value) -> Comparison {
    let content = json::fingerprint(local);
    if content == json::fingerprint(server) {
        return Comparison::Settled(Standing::UpToDate);
    }
    let pulled = local.get("fingerprint").and_then(Value::as_str);
    if pulled == Some(content.as_str()) {
        return Comparison::Settled(Standing::Behind);
    }
    if pulled == Some(json::fingerprint(server).as_str()) {
        return Comparison::Settled(Standing::Edited);
    }
    Comparison::Diverged
}

/// Settles a [`Comparison::Diverged`] copy with `base`, the persona at the version the file
/// was pulled at: when every change the server made since is already in the file (the file
/// was edited from a newer copy, say), the file is only edited; otherwise it is in conflict.
pub fn settle(local: &Value, server: &Value, base: &Value) -> Standing {
    let pulled = local.get("fingerprint").and_then(Value::as_str);
    if pulled != Some(json::fingerprint(base).as_str()) {
        return Standing::Conflict;
    }
    let mine = editable_fields(local);
    let Some(theirs) = merge_patch_diff(&editable_fields(base), &editable_fields(server)) else {
        return Standing::Edited;
    };
    let mut merged = mine.clone();
    merge_patch_apply(&mut merged, &theirs);
    if json::canonical_json(&merged) == json::canonical_json(&mine) {
        Standing::Edited
    } else {
        Standing::Conflict
    }
}

/// The JSON merge patch that turns the server's editable fields into the file's, or None when
/// their content is the same.
pub fn changed_fields(local: &Value, server: &Value) -> Option<Value> {
    if json::fingerprint(local) == json::fingerprint(server) {
        return None;
    }
    merge_patch_diff(&editable_fields(server), &editable_fields(local))
}

/// A unified diff of the editable fields, the server's (`-`) against the file's (`+`), both
/// written as YAML in the file's own order of keys; None when their content is the same.
pub fn field_diff(
    server_label: &str,
    local_label: &str,
    server: &Value,
    local: &Value,
) -> Option<String> {
    if json::fingerprint(local) == json::fingerprint(server) {
        return None;
    }
    let mine = editable_in_file_order(local);
    let theirs = ordered_like(&editable_fields(server), &mine);
    unified_diff(
        server_label,
        local_label,
        &object_to_yaml(&theirs),
        &object_to_yaml(&mine),
    )
}

/// The editable fields of `persona`, in the order its own keys have.
fn editable_in_file_order(persona: &Value) -> Value {
    let fields = persona
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| EDITABLE_FIELDS.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    Value::Object(fields)
}

/// `value` with the keys of each mapping in the order `template` has them at the same place,
/// keys the template lacks after them in their own order.
fn ordered_like(value: &Value, template: &Value) -> Value {
    match (value, template) {
        (Value::Object(map), Value::Object(order)) => {
            let mut ordered = Map::new();
            for (key, shape) in order {
                if let Some(item) = map.get(key) {
                    ordered.insert(key.clone(), ordered_like(item, shape));
                }
            }
            for (key, item) in map {
                if !ordered.contains_key(key) {
                    ordered.insert(key.clone(), item.clone());
                }
            }
            Value::Object(ordered)
        }
        (Value::Array(items), Value::Array(shapes)) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| match shapes.get(index) {
                    Some(shape) => ordered_like(item, shape),
                    None => item.clone(),
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A persona as the server has it at some version, with its fingerprint.
    fn persona(version: u64, register: &str, bio: &str) -> Value {
        let mut persona = json!({
            "id": "psn_1", "slug": "poet", "version": version, "language": "en",
            "mask": { "voice": { "register": register }, "public_bio": bio },
            "surface": { "name": "Ada", "age": 67 },
            "updated_at": format!("2025-01-0{version}T00:00:00Z"),
        });
        persona["fingerprint"] = json!(json::fingerprint(&persona));
        persona
    }

    /// A working copy pulled from `pulled`, with `edit` applied to its fields afterwards.
    fn copy(pulled: &Value, edit: impl FnOnce(&mut Value)) -> Value {
        let mut local = pulled.clone();
        edit(&mut local);
        local
    }

    #[test]
    fn an_unedited_copy_is_up_to_date_or_behind() {
        let v1 = persona(1, "dry", "A poet.");
        let v2 = persona(2, "wry", "A poet.");
        let local = copy(&v1, |_| {});
        assert_eq!(
            compare(&local, &v1),
            Comparison::Settled(Standing::UpToDate)
        );
        assert_eq!(compare(&local, &v2), Comparison::Settled(Standing::Behind));
    }

    #[test]
    fn read_only_fields_and_key_order_are_not_edits() {
        let v1 = persona(1, "dry", "A poet.");
        let reordered: Value = serde_json::from_str(
            &serde_json::to_string(&json!({
                "surface": { "age": 67, "name": "Ada" },
                "mask": { "public_bio": "A poet.", "voice": { "register": "dry" } },
                "language": "en", "slug": "poet", "id": "psn_1", "version": 1,
                "fingerprint": v1["fingerprint"], "updated_at": "another time",
            }))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            compare(&reordered, &v1),
            Comparison::Settled(Standing::UpToDate)
        );
        assert_eq!(changed_fields(&reordered, &v1), None);
        assert_eq!(field_diff("server", "file", &v1, &reordered), None);
    }

    #[test]
    fn an_edited_copy_is_edited_until_the_server_moves() {
        let v1 = persona(1, "dry", "A poet.");
        let local = copy(&v1, |l| l["mask"]["voice"]["register"] = json!("brisk"));
        assert_eq!(compare(&local, &v1), Comparison::Settled(Standing::Edited));
        assert_eq!(
            changed_fields(&local, &v1),
            Some(json!({ "mask": { "voice": { "register": "brisk" } } }))
        );
        let v2 = persona(2, "wry", "A poet.");
        assert_eq!(compare(&local, &v2), Comparison::Diverged);
        assert_eq!(settle(&local, &v2, &v1), Standing::Conflict);
    }

    #[test]
    fn a_copy_that_already_holds_the_server_changes_is_only_edited() {
        let v1 = persona(1, "dry", "A poet.");
        let v2 = persona(2, "wry", "A poet.");
        // Edited from v2's content, but still recording v1 (its version was never refreshed).
        let local = copy(&v1, |l| {
            l["mask"]["voice"]["register"] = json!("wry");
            l["mask"]["public_bio"] = json!("A poet of the sea.");
        });
        assert_eq!(compare(&local, &v2), Comparison::Diverged);
        assert_eq!(settle(&local, &v2, &v1), Standing::Edited);
        assert_eq!(
            changed_fields(&local, &v2),
            Some(json!({ "mask": { "public_bio": "A poet of the sea." } }))
        );
        // A base that is not the version the file was pulled at settles nothing.
        assert_eq!(settle(&local, &v2, &v2), Standing::Conflict);
        // The file holds the server's content exactly: up to date, whatever version it records.
        let same = copy(&v1, |l| l["mask"]["voice"]["register"] = json!("wry"));
        assert_eq!(compare(&same, &v2), Comparison::Settled(Standing::UpToDate));
    }

    #[test]
    fn the_diff_shows_only_edited_fields_in_the_files_order() {
        let v1 = persona(1, "dry", "A poet.");
        let mut local: Value = serde_json::from_str(
            r#"{"surface": {"name": "Ada", "age": 67}, "mask": {"voice": {"register": "brisk"}, "public_bio": "A poet."},
                "slug": "poet", "language": "en", "id": "psn_1", "version": 1, "fingerprint": "x"}"#,
        )
        .unwrap();
        let diff = field_diff("server", "poet.yml", &v1, &local).unwrap();
        assert_eq!(
            diff,
            "--- server\n+++ poet.yml\n@@ -3,7 +3,7 @@\n   age: 67\n mask:\n   voice:\n-    register: dry\n+    register: brisk\n   public_bio: A poet.\n slug: poet\n language: en\n"
        );
        local["version"] = json!(9);
        assert_eq!(field_diff("server", "poet.yml", &v1, &local).unwrap(), diff);
    }
}
