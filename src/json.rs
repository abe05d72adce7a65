//! JSON helpers shared by the client and the server: canonical form, persona fingerprints,
//! JSON Merge Patch (RFC 7396) and JSON Patch (RFC 6902) with JSON Pointer (RFC 6901).
//!
//! The walks here recurse once per level of nesting. The documents they see are bounded: read by
//! serde_json (at most `MAX_DEPTH` levels), merged (no deeper than the deeper side), or built by
//! `json_patch_apply`, which refuses to nest past `MAX_DEPTH` or to grow past `MAX_VALUES`.

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The persona fields a client may change; everything else is read-only.
pub const EDITABLE_FIELDS: [&str; 8] = [
    "custom_fields",
    "language",
    "mask",
    "self",
    "slug",
    "soul",
    "surface",
    "visibility",
];

/// The most levels of nested arrays and objects a JSON document may have: what serde_json reads
/// (its recursion limit), and what a JSON Patch may build.
pub const MAX_DEPTH: usize = 127;

/// The most values (objects, arrays, strings, numbers, booleans, nulls) a document patched by
/// `json_patch_apply` may hold: each `copy` could otherwise double it.
pub const MAX_VALUES: usize = 1_000_000;

/// How deep a JSON text nests arrays and objects, measured on its bytes without parsing it (for
/// a reader with no nesting limit of its own). Brackets inside strings do not count.
pub fn text_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// How deep a value nests arrays and objects (0 for a scalar), and how many values it holds.
/// Walks with an explicit stack.
fn shape(value: &Value) -> (usize, usize) {
    let (mut depth, mut values) = (0, 0);
    let mut pending = vec![(value, 0)];
    while let Some((value, level)) = pending.pop() {
        values += 1;
        match value {
            Value::Array(items) => {
                depth = depth.max(level + 1);
                pending.extend(items.iter().map(|item| (item, level + 1)));
            }
            Value::Object(map) => {
                depth = depth.max(level + 1);
                pending.extend(map.values().map(|item| (item, level + 1)));
            }
            _ => {}
        }
    }
    (depth, values)
}

/// Serializes `value` with object keys sorted (byte order) at every depth and no
/// insignificant whitespace; numbers and strings are written exactly as serde_json writes them.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (position, (key, item)) in entries.into_iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(text) => write_json_string(text, out),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
    }
}

fn write_json_string(text: &str, out: &mut String) {
    out.push_str(&serde_json::to_string(text).expect("serializing a string to JSON cannot fail"));
}

/// `"sha256:"` + lowercase hex SHA-256 of the canonical JSON of the persona's editable fields
/// (an absent field counts as null), so it changes exactly when an editable field changes.
pub fn fingerprint(persona: &Value) -> String {
    let editable: Map<String, Value> = EDITABLE_FIELDS
        .iter()
        .map(|field| {
            let value = persona.get(field).cloned().unwrap_or(Value::Null);
            (field.to_string(), value)
        })
        .collect();
    let digest = Sha256::digest(canonical_json(&Value::Object(editable)).as_bytes());
    format!("sha256:{}", hex::encode(digest))
}

/// Applies an RFC 7396 JSON Merge Patch to `target` in place.
pub fn merge_patch_apply(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(target_map) = target else {
        return;
    };
    for (key, patch_value) in patch_map {
        if patch_value.is_null() {
            target_map.shift_remove(key);
        } else {
            let slot = target_map.entry(key.clone()).or_insert(Value::Null);
            merge_patch_apply(slot, patch_value);
        }
    }
}

/// The minimal RFC 7396 merge patch turning `from` into `to`, or `None` when they are equal.
///
/// Objects are compared key by key (a removed key becomes `null`); arrays and scalars are
/// replaced whole. A merge patch cannot set a value to `null` (null means "remove"), so nulls
/// inside `to` do not survive `merge_patch_apply(from, diff)`.
pub fn merge_patch_diff(from: &Value, to: &Value) -> Option<Value> {
    if from == to {
        return None;
    }
    let (Value::Object(from_map), Value::Object(to_map)) = (from, to) else {
        return Some(to.clone());
    };
    let mut patch = Map::new();
    for (key, to_value) in to_map {
        match from_map.get(key) {
            None => {
                patch.insert(key.clone(), to_value.clone());
            }
            Some(from_value) => {
                if let Some(change) = merge_patch_diff(from_value, to_value) {
                    patch.insert(key.clone(), change);
                }
            }
        }
    }
    for key in from_map.keys() {
        if !to_map.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    Some(Value::Object(patch))
}

/// Why a JSON Patch could not be applied; `doc` is left unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    operation_index: Option<usize>,
    message: String,
}

impl PatchError {
    fn whole_patch(message: impl Into<String>) -> Self {
        PatchError {
            operation_index: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for PatchError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operation_index {
            Some(index) => write!(formatter, "JSON Patch operation {index}: {}", self.message),
            None => write!(formatter, "JSON Patch: {}", self.message),
        }
    }
}

impl std::error::Error for PatchError {}

/// Applies an RFC 6902 JSON Patch (`add`, `remove`, `replace`, `test`, `move`, `copy`).
///
/// The patch is atomic: on any error `doc` is left exactly as it was. Never panics. An operation
/// that would nest the document deeper than `MAX_DEPTH`, or make it hold more than
/// `MAX_VALUES`, is an error.
pub fn json_patch_apply(doc: &mut Value, ops: &Value) -> Result<(), PatchError> {
    let Value::Array(operations) = ops else {
        return Err(PatchError::whole_patch(
            "a patch must be a JSON array of operations",
        ));
    };
    let mut working = doc.clone();
    let mut values = shape(&working).1;
    for (index, operation) in operations.iter().enumerate() {
        apply_operation(&mut working, operation, &mut values).map_err(|message| PatchError {
            operation_index: Some(index),
            message,
        })?;
    }
    *doc = working;
    Ok(())
}

/// Applies one operation; `values` is the number of values `doc` holds, kept up to date.
fn apply_operation(doc: &mut Value, operation: &Value, values: &mut usize) -> Result<(), String> {
    let Value::Object(fields) = operation else {
        return Err("an operation must be a JSON object".to_string());
    };
    let op = string_member(fields, "op")?;
    let path = string_member(fields, "path")?;
    let path_tokens = parse_pointer(path)?;
    match op {
        "add" => add(
            doc,
            path,
            &path_tokens,
            value_member(fields)?.clone(),
            values,
        ),
        "remove" => remove(doc, path, &path_tokens, values).map(drop),
        "replace" => {
            let value = value_member(fields)?.clone();
            let target = resolve_mut(doc, path, &path_tokens)?;
            let kept = values.saturating_sub(shape(target).1);
            *values = within_limits(path, &path_tokens, &value, kept)?;
            *target = value;
            Ok(())
        }
        "test" => {
            let expected = value_member(fields)?;
            let actual = resolve(doc, path, &path_tokens)?;
            if json_values_equal(actual, expected) {
                Ok(())
            } else {
                Err(format!(
                    "test failed: the value at `{path}` is not the expected value"
                ))
            }
        }
        "move" => {
            let from = string_member(fields, "from")?;
            let from_tokens = parse_pointer(from)?;
            if path_tokens.len() > from_tokens.len() && path_tokens.starts_with(&from_tokens) {
                return Err(format!("cannot move `{from}` into its own child `{path}`"));
            }
            let value = remove(doc, from, &from_tokens, values)?;
            add(doc, path, &path_tokens, value, values)
        }
        "copy" => {
            let from = string_member(fields, "from")?;
            let from_tokens = parse_pointer(from)?;
            let value = resolve(doc, from, &from_tokens)?.clone();
            add(doc, path, &path_tokens, value, values)
        }
        other => Err(format!(
            "unknown op `{other}`; expected add, remove, replace, test, move or copy"
        )),
    }
}

fn string_member<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    match fields.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(format!("member `{name}` must be a string")),
        None => Err(format!("missing member `{name}`")),
    }
}

fn value_member(fields: &Map<String, Value>) -> Result<&Value, String> {
    fields
        .get("value")
        .ok_or_else(|| "missing member `value`".to_string())
}

/// Splits an RFC 6901 JSON Pointer into unescaped reference tokens.
fn parse_pointer(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "invalid JSON Pointer `{pointer}`: it must be empty or start with `/`"
        ));
    };
    rest.split('/')
        .map(|token| {
            unescape_token(token).ok_or_else(|| {
                format!("invalid JSON Pointer `{pointer}`: `~` must be followed by 0 or 1")
            })
        })
        .collect()
}

fn unescape_token(token: &str) -> Option<String> {
    let mut unescaped = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => unescaped.push('~'),
                Some('1') => unescaped.push('/'),
                _ => return None,
            }
        } else {
            unescaped.push(c);
        }
    }
    Some(unescaped)
}

/// Parses an array index token: `0` or digits without a leading zero.
fn parse_index(token: &str, pointer: &str) -> Result<usize, String> {
    let well_formed = !token.is_empty()
        && token.bytes().all(|byte| byte.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if !well_formed {
        return Err(format!(
            "`{token}` in `{pointer}` is not a valid array index"
        ));
    }
    token
        .parse()
        .map_err(|_| format!("array index `{token}` in `{pointer}` is too large"))
}

fn resolve<'a>(doc: &'a Value, pointer: &str, tokens: &[String]) -> Result<&'a Value, String> {
    let mut current = doc;
    for token in tokens {
        current = match current {
            Value::Object(map) => map.get(token),
            Value::Array(items) => items.get(parse_index(token, pointer)?),
            _ => None,
        }
        .ok_or_else(|| format!("no value at `{pointer}`"))?;
    }
    Ok(current)
}

fn resolve_mut<'a>(
    doc: &'a mut Value,
    pointer: &str,
    tokens: &[String],
) -> Result<&'a mut Value, String> {
    let mut current = doc;
    for token in tokens {
        current = match current {
            Value::Object(map) => map.get_mut(token),
            Value::Array(items) => items.get_mut(parse_index(token, pointer)?),
            _ => None,
        }
        .ok_or_else(|| format!("no value at `{pointer}`"))?;
    }
    Ok(current)
}

/// The number of values of a document of `values` values once `value` is put at `pointer`,
/// or why it may not be: too deep below the pointer, or too many values.
fn within_limits(
    pointer: &str,
    tokens: &[String],
    value: &Value,
    values: usize,
) -> Result<usize, String> {
    let (depth, added) = shape(value);
    if tokens.len() + depth > MAX_DEPTH {
        return Err(format!(
            "the value at `{pointer}` would nest the document deeper than {MAX_DEPTH} levels \
             of arrays and objects, the most a document may"
        ));
    }
    let total = values + added;
    if total > MAX_VALUES {
        return Err(format!(
            "the value at `{pointer}` would make the document hold more than {MAX_VALUES} \
             values, the most a document may"
        ));
    }
    Ok(total)
}

fn add(
    doc: &mut Value,
    pointer: &str,
    tokens: &[String],
    value: Value,
    values: &mut usize,
) -> Result<(), String> {
    let Some((last, parent_tokens)) = tokens.split_last() else {
        *values = within_limits(pointer, tokens, &value, 0)?;
        *doc = value;
        return Ok(());
    };
    let total = within_limits(pointer, tokens, &value, *values)?;
    match resolve_mut(doc, pointer, parent_tokens)? {
        Value::Object(map) => {
            let replaced = map.insert(last.clone(), value);
            *values = total.saturating_sub(replaced.map_or(0, |old| shape(&old).1));
            Ok(())
        }
        Value::Array(items) => {
            let index = if last == "-" {
                items.len()
            } else {
                parse_index(last, pointer)?
            };
            if index > items.len() {
                return Err(format!(
                    "index {index} in `{pointer}` is past the end of an array of {} items",
                    items.len()
                ));
            }
            items.insert(index, value);
            *values = total;
            Ok(())
        }
        _ => Err(format!(
            "the parent of `{pointer}` is neither an object nor an array"
        )),
    }
}

fn remove(
    doc: &mut Value,
    pointer: &str,
    tokens: &[String],
    values: &mut usize,
) -> Result<Value, String> {
    let Some((last, parent_tokens)) = tokens.split_last() else {
        return Err("cannot remove the whole document".to_string());
    };
    let missing = || format!("no value at `{pointer}`");
    let removed = match resolve_mut(doc, pointer, parent_tokens)? {
        Value::Object(map) => map.shift_remove(last).ok_or_else(missing),
        Value::Array(items) => {
            let index = parse_index(last, pointer)?;
            if index < items.len() {
                Ok(items.remove(index))
            } else {
                Err(missing())
            }
        }
        _ => Err(missing()),
    }?;
    *values = values.saturating_sub(shape(&removed).1);
    Ok(removed)
}

/// JSON equality as RFC 6902 `test` defines it: numbers compare by numeric value.
fn json_values_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                a == b
            } else if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
                a == b
            } else if a.is_f64() || b.is_f64() {
                a.as_f64() == b.as_f64()
            } else {
                false
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_values_equal(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, x)| b.get(key).is_some_and(|y| json_values_equal(x, y)))
        }
        _ => left == right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_depth_counts_brackets_outside_strings() {
        assert_eq!(text_depth(b"1"), 0);
        assert_eq!(text_depth(br#"{"a":[1,{"b":[]}],"c":{}}"#), 4);
        assert_eq!(text_depth(br#"{"a":"[[[{{\"[[","b":"\\"}"#), 1);
        assert_eq!(text_depth(&[b'['; 300]), 300);
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_without_whitespace() {
        let value = json!({"b": [ {"z": 1, "a": 2.5} ], "a": "x\"y", "é": null, "B": true});
        assert_eq!(
            canonical_json(&value),
            r#"{"B":true,"a":"x\"y","b":[{"a":2.5,"z":1}],"é":null}"#
        );
    }

    /// Found by fuzz/fuzz_targets/json_patch.rs: without serde_json's `float_roundtrip`, the
    /// text canonical_json wrote for 5.03e68 read back one bit off, so a fingerprint computed
    /// after a trip through JSON (server to client) could differ from the server's.
    #[test]
    fn canonical_json_reads_back_as_the_same_numbers() {
        for text in [
            "503e66",
            "5.03e+68",
            "0.1",
            "1.7976931348623157e308",
            "2.2250738585072014e-308",
        ] {
            let value: Value = serde_json::from_str(&format!("[{text}]")).unwrap();
            let again: Value = serde_json::from_str(&canonical_json(&value)).unwrap();
            assert_eq!(again, value, "{text}");
            assert_eq!(value[0].as_f64(), text.parse::<f64>().ok(), "{text}");
        }
    }

    #[test]
    fn canonical_json_is_independent_of_insertion_order() {
        let one: Value = serde_json::from_str(r#"{"x": {"q": 1, "p": [3, 2]}, "y": "z"}"#).unwrap();
        let two: Value = serde_json::from_str(r#"{"y": "z", "x": {"p": [3, 2], "q": 1}}"#).unwrap();
        assert_eq!(canonical_json(&one), canonical_json(&two));
    }

    #[test]
    fn fingerprint_covers_only_editable_fields_and_treats_absent_as_null() {
        let persona = json!({"id": "p1", "version": 3, "soul": {"a": 1}, "language": "tr"});
        let print = fingerprint(&persona);
        assert!(print.starts_with("sha256:"));
        assert_eq!(print.len(), "sha256:".len() + 64);
        assert!(
            print["sha256:".len()..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );

        let explicit_nulls = json!({
            "custom_fields": null, "language": "tr", "mask": null, "self": null,
            "slug": null, "soul": {"a": 1}, "surface": null, "visibility": null
        });
        assert_eq!(fingerprint(&explicit_nulls), print);

        let expected_canonical = r#"{"custom_fields":null,"language":"tr","mask":null,"self":null,"slug":null,"soul":{"a":1},"surface":null,"visibility":null}"#;
        let expected = format!("sha256:{}", hex::encode(Sha256::digest(expected_canonical)));
        assert_eq!(print, expected);

        let mut read_only_changed = persona.clone();
        read_only_changed["version"] = json!(4);
        assert_eq!(fingerprint(&read_only_changed), print);

        let mut editable_changed = persona.clone();
        editable_changed["soul"]["a"] = json!(2);
        assert_ne!(fingerprint(&editable_changed), print);
    }

    #[test]
    fn merge_patch_apply_follows_rfc_7396_examples() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let mut result = target.clone();
            merge_patch_apply(&mut result, &patch);
            assert_eq!(result, expected, "target {target} patch {patch}");
        }
    }

    #[test]
    fn merge_patch_apply_keeps_key_order_on_removal() {
        let mut target = json!({"a": 1, "b": 2, "c": 3, "d": 4});
        merge_patch_apply(&mut target, &json!({"b": null}));
        let keys: Vec<&String> = target.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "c", "d"]);
    }

    #[test]
    fn merge_patch_diff_is_minimal() {
        let from = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2], "f": "x"});
        let to = json!({"a": 1, "b": {"c": 2, "d": 4}, "e": [1, 2, 3], "g": true});
        assert_eq!(
            merge_patch_diff(&from, &to),
            Some(json!({"b": {"d": 4}, "e": [1, 2, 3], "g": true, "f": null}))
        );
        assert_eq!(merge_patch_diff(&from, &from.clone()), None);
        assert_eq!(merge_patch_diff(&json!(1), &json!(1.5)), Some(json!(1.5)));
    }

    #[test]
    fn merge_patch_diff_then_apply_reaches_the_target() {
        // `to` values contain no nulls: a merge patch cannot express "set to null".
        let values = [
            json!({}),
            json!(null),
            json!(7),
            json!("text"),
            json!([1, {"a": 2}]),
            json!({"a": 1}),
            json!({"a": {"b": {"c": [1, 2]}}, "d": "e"}),
            json!({"a": {"b": 0.82}, "x": {"y": {}}}),
            json!({"a": [], "b": {"c": "d", "e": {"f": false}}}),
            json!({"soul": {"traits": ["shy"], "age": 35}, "language": "no", "custom_fields": {}}),
            json!({"soul": {"traits": ["bold"], "height": 1.8}, "slug": "mert", "custom_fields": {"k": {"v": 1}}}),
        ];
        for from in &values {
            for to in &values {
                if to.is_null() {
                    continue;
                }
                let mut result = from.clone();
                if let Some(patch) = merge_patch_diff(from, to) {
                    merge_patch_apply(&mut result, &patch);
                }
                assert_eq!(&result, to, "from {from} to {to}");
            }
        }
        // With a null inside `from` only, it is still removed or replaced correctly.
        let from = json!({"archived_at": null, "a": 1});
        let to = json!({"a": 2});
        let mut result = from.clone();
        merge_patch_apply(&mut result, &merge_patch_diff(&from, &to).unwrap());
        assert_eq!(result, to);
    }

    fn patched(doc: Value, ops: Value) -> Result<Value, PatchError> {
        let mut doc = doc;
        json_patch_apply(&mut doc, &ops).map(|()| doc)
    }

    #[test]
    fn json_patch_supports_all_operations() {
        let doc = json!({"foo": ["bar", "baz"], "obj": {"a": 1}, "a/b": 1, "m~n": 2});
        let ops = json!([
            {"op": "add", "path": "/foo/1", "value": "qux"},
            {"op": "add", "path": "/foo/-", "value": "end"},
            {"op": "remove", "path": "/foo/0"},
            {"op": "replace", "path": "/obj/a", "value": {"deep": true}},
            {"op": "test", "path": "/a~1b", "value": 1.0},
            {"op": "test", "path": "/m~0n", "value": 2},
            {"op": "copy", "from": "/obj", "path": "/copied"},
            {"op": "move", "from": "/foo/0", "path": "/obj/first"},
            {"op": "add", "path": "/obj/a/deep", "value": false},
            {"op": "move", "from": "/m~0n", "path": "/m~0n"},
        ]);
        assert_eq!(
            patched(doc, ops).unwrap(),
            json!({
                "foo": ["baz", "end"],
                "obj": {"a": {"deep": false}, "first": "qux"},
                "a/b": 1,
                "m~n": 2,
                "copied": {"a": {"deep": true}}
            })
        );
    }

    #[test]
    fn json_patch_on_the_root() {
        assert_eq!(
            patched(
                json!({"a": 1}),
                json!([{"op": "replace", "path": "", "value": [1]}])
            )
            .unwrap(),
            json!([1])
        );
        assert_eq!(
            patched(
                json!({"a": 1}),
                json!([{"op": "add", "path": "", "value": "x"}])
            )
            .unwrap(),
            json!("x")
        );
        assert!(patched(json!({"a": 1}), json!([{"op": "remove", "path": ""}])).is_err());
        assert!(
            patched(
                json!({"": 5}),
                json!([{"op": "test", "path": "/", "value": 5}])
            )
            .is_ok()
        );
    }

    #[test]
    fn json_patch_errors_leave_the_document_unchanged() {
        let original = json!({"a": [1, 2], "b": {"c": "d"}, "s": "text"});
        let bad_patches = [
            json!({"op": "add"}),
            json!([1]),
            json!([{"path": "/a"}]),
            json!([{"op": "jump", "path": "/a"}]),
            json!([{"op": "add", "path": "a", "value": 1}]),
            json!([{"op": "add", "path": "/a/~2", "value": 1}]),
            json!([{"op": "add", "path": "/a/~", "value": 1}]),
            json!([{"op": "add", "path": "/x/y", "value": 1}]),
            json!([{"op": "add", "path": "/a/3", "value": 1}]),
            json!([{"op": "add", "path": "/a/01", "value": 1}]),
            json!([{"op": "add", "path": "/a/-1", "value": 1}]),
            json!([{"op": "add", "path": "/a/99999999999999999999999", "value": 1}]),
            json!([{"op": "add", "path": "/s/x", "value": 1}]),
            json!([{"op": "add", "path": "/a/0"}]),
            json!([{"op": "remove", "path": "/a/2"}]),
            json!([{"op": "remove", "path": "/a/-"}]),
            json!([{"op": "remove", "path": "/nope"}]),
            json!([{"op": "replace", "path": "/nope", "value": 1}]),
            json!([{"op": "test", "path": "/b/c", "value": "e"}]),
            json!([{"op": "test", "path": "/a/0", "value": "1"}]),
            json!([{"op": "move", "from": "/b", "path": "/b/c/d"}]),
            json!([{"op": "move", "path": "/z"}]),
            json!([{"op": "move", "from": "/nope", "path": "/z"}]),
            json!([{"op": "copy", "from": 5, "path": "/z"}]),
            json!([{"op": "add", "path": "/ok", "value": 1}, {"op": "remove", "path": "/missing"}]),
        ];
        for ops in bad_patches {
            let mut doc = original.clone();
            let error = json_patch_apply(&mut doc, &ops).expect_err(&ops.to_string());
            assert!(!error.to_string().is_empty());
            assert_eq!(doc, original, "patch {ops} changed the document");
        }
    }

    #[test]
    fn json_patch_error_names_the_operation() {
        let error = patched(
            json!({"a": 1}),
            json!([{"op": "test", "path": "/a", "value": 1}, {"op": "test", "path": "/a", "value": 2}]),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "JSON Patch operation 1: test failed: the value at `/a` is not the expected value"
        );
    }

    #[test]
    fn json_patch_test_compares_numbers_by_value() {
        let doc = json!({"n": 1, "f": 0.5, "o": {"x": [1, 2.0]}});
        let ops = json!([
            {"op": "test", "path": "/n", "value": 1.0},
            {"op": "test", "path": "/f", "value": 0.5},
            {"op": "test", "path": "/o", "value": {"x": [1.0, 2]}},
        ]);
        assert!(patched(doc.clone(), ops).is_ok());
        assert!(patched(doc, json!([{"op": "test", "path": "/n", "value": -1}])).is_err());
    }

    #[test]
    fn json_patch_never_panics_on_arbitrary_operations() {
        let docs = [
            json!(null),
            json!([]),
            json!({"a": [1, {"b": []}]}),
            json!("s"),
        ];
        let paths = [
            "", "/", "/a", "/a/0", "/a/1/b/-", "/a/-", "/-", "/0", "~", "/a/~1", "/a/1/b/0",
        ];
        let ops = ["add", "remove", "replace", "test", "move", "copy"];
        let values = [json!(null), json!(1), json!({"k": []})];
        for doc in &docs {
            for op in ops {
                for path in paths {
                    for from in paths {
                        for value in &values {
                            let patch =
                                json!([{"op": op, "path": path, "from": from, "value": value}]);
                            let mut target = doc.clone();
                            let _ = json_patch_apply(&mut target, &patch);
                        }
                    }
                }
            }
        }
    }

    /// `levels` arrays, one inside the other.
    fn nested(levels: usize) -> Value {
        serde_json::from_str(&format!("{}{}", "[".repeat(levels), "]".repeat(levels))).unwrap()
    }

    #[test]
    fn serde_json_reads_max_depth_levels_and_no_more() {
        let text = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        assert!(serde_json::from_str::<Value>(&text(MAX_DEPTH)).is_ok());
        let error = serde_json::from_str::<Value>(&text(MAX_DEPTH + 1)).unwrap_err();
        assert!(error.to_string().contains("recursion limit"), "{error}");
    }

    #[test]
    fn json_patch_refuses_to_nest_past_max_depth() {
        let mut doc = json!({});
        let deep = nested(100);
        json_patch_apply(
            &mut doc,
            &json!([{"op": "add", "path": "/a", "value": deep}]),
        )
        .unwrap();
        // The array 27 levels down `/a`: what is added inside it sits 28 levels deep.
        let pointer = format!("/a{}", "/0".repeat(26));
        let fits = json!([{"op": "add", "path": format!("{pointer}/-"), "value": []}]);
        let before = doc.clone();
        let error = json_patch_apply(
            &mut doc,
            &json!([
                {"op": "add", "path": format!("{pointer}/-"), "value": nested(1)},
                {"op": "add", "path": format!("{pointer}/-"), "value": deep},
            ]),
        )
        .unwrap_err();
        assert!(error.to_string().contains("127 levels"), "{error}");
        assert_eq!(doc, before);
        json_patch_apply(&mut doc, &fits).unwrap();
        // `replace`, `move` and `copy` are held to the same limit.
        for op in [
            json!({"op": "replace", "path": "/a", "value": nested(127)}),
            json!({"op": "copy", "from": "/a", "path": format!("{pointer}/-")}),
        ] {
            let error = json_patch_apply(&mut doc, &json!([op])).unwrap_err();
            assert!(error.to_string().contains("127 levels"), "{error}");
        }
        json_patch_apply(
            &mut doc,
            &json!([{"op": "replace", "path": "/a", "value": nested(126)}]),
        )
        .unwrap();
    }

    #[test]
    fn json_patch_refuses_copies_past_max_values() {
        let mut doc = json!({"a": vec![0; 1000]});
        // Each copy doubles the document: about ten of them pass a million values.
        let doubling: Vec<Value> = (0..20)
            .map(|n| json!({"op": "copy", "from": "", "path": format!("/c{n}")}))
            .collect();
        let error = json_patch_apply(&mut doc, &Value::Array(doubling)).unwrap_err();
        assert!(error.to_string().contains("1000000 values"), "{error}");
        assert_eq!(doc, json!({"a": vec![0; 1000]}));
        // What is removed makes room again.
        let mut doc = json!({"a": vec![0; 600_000]});
        let swap = json!([
            {"op": "remove", "path": "/a"},
            {"op": "add", "path": "/b", "value": vec![0; 900_000]},
        ]);
        json_patch_apply(&mut doc, &swap).unwrap();
    }
}
