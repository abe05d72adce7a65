//! YAML working copies of a persona: the server's persona object written for a human to edit
//! (with the id, version and fingerprint it was pulled at), read back, diffed and saved atomically.

mod compare;
mod depth;
mod emit;
mod files;

use std::fmt;

use serde_json::{Map, Value};

use crate::json;

pub use compare::{Comparison, Standing, changed_fields, compare, field_diff, settle};
pub use depth::MAX_YAML_DEPTH;
pub(crate) use depth::yaml_too_deep;
pub use emit::object_to_yaml;
use emit::{quoted_if_needed, write_mapping};
pub use files::{
    MAX_TEXT_FILE_BYTES, read_limited, read_text_file, read_text_stream, write_atomic,
};

const HEADER: &str =
    "# Persona working copy: edit the fields below and run `persona personas push FILE`.\n";

/// Fields written first, before the editable ones.
const LEADING_FIELDS: [&str; 4] = ["id", "slug", "version", "fingerprint"];

/// The editable fields other than `slug`, in the order a human reads them.
const EDITABLE_FIELD_ORDER: [&str; 7] = [
    "visibility",
    "language",
    "soul",
    "self",
    "mask",
    "surface",
    "custom_fields",
];

/// A working copy that cannot be read, with the file (and line:column when known) in its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaFileError {
    message: String,
}

impl fmt::Display for PersonaFileError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for PersonaFileError {}

/// Renders a persona as a commented YAML working copy. Deterministic; strings that any YAML
/// reader (including YAML 1.1 ones such as PyYAML) could take for another type are quoted.
/// A persona without a `fingerprint` gets the one computed from its editable fields; a value
/// that is not an object is treated as a persona without fields.
pub fn to_yaml(persona: &Value) -> String {
    let no_fields = Map::new();
    let fields = persona.as_object().unwrap_or(&no_fields);
    let mut ordered = Map::new();
    for name in LEADING_FIELDS.iter().chain(EDITABLE_FIELD_ORDER.iter()) {
        if let Some(value) = fields.get(*name) {
            ordered.insert(name.to_string(), value.clone());
        } else if *name == "fingerprint" {
            ordered.insert(name.to_string(), Value::String(json::fingerprint(persona)));
        }
    }
    for (name, value) in fields {
        if !ordered.contains_key(name) {
            ordered.insert(name.clone(), value.clone());
        }
    }

    // Names are written as keys are, so that no character of a name can end the comment line.
    let read_only: Vec<String> = ordered
        .keys()
        .filter(|name| !json::EDITABLE_FIELDS.contains(&name.as_str()))
        .map(|name| quoted_if_needed(name))
        .collect();
    let mut out = String::from(HEADER);
    out.push_str(&format!(
        "# Read-only fields (push refuses changes to them): {}.\n",
        read_only.join(", ")
    ));
    write_mapping(&ordered, 0, false, &mut out);
    out
}

/// Whether YAML found in a folder is meant to be a working copy (and so reported when it cannot
/// be read as one): it starts with the header `to_yaml` writes, or has a top-level `fingerprint`.
pub fn looks_like_working_copy(text: &str) -> bool {
    text.starts_with(HEADER.trim_end())
        || text
            .lines()
            .any(|line| line.starts_with("fingerprint:") || line.starts_with("\"fingerprint\":"))
}

/// Reads a working copy back into the persona object. `source_name` (usually the path) prefixes
/// every error message, as `source_name:line:column: problem` when the position is known.
pub fn from_yaml(text: &str, source_name: &str) -> Result<Value, PersonaFileError> {
    let error = |message: String| PersonaFileError { message };
    if let Some(line) = yaml_too_deep(text) {
        return Err(error(format!(
            "{source_name}:{line}: the YAML nests mappings and sequences deeper than \
             {MAX_YAML_DEPTH} levels, the most a working copy may"
        )));
    }
    let located = |yaml_error: serde_norway::Error| {
        let (problem, location) = yaml_error_parts(&yaml_error);
        match location {
            Some((line, column)) => error(format!("{source_name}:{line}:{column}: {problem}")),
            None => error(format!("{source_name}: {problem}")),
        }
    };
    // serde_json's map keeps the last of two equal keys silently; serde_norway's own value
    // type rejects them, so a first pass catches a key a human wrote twice.
    serde_norway::from_str::<serde_norway::Value>(text).map_err(located)?;
    let persona: Value = serde_norway::from_str(text).map_err(located)?;
    let Value::Object(fields) = &persona else {
        return Err(error(format!(
            "{source_name}: expected the persona's fields (`id: ...`, `version: ...`) at the top level, found {}",
            describe_json(&persona)
        )));
    };
    let required = [
        ("id", "a string", Value::is_string as fn(&Value) -> bool),
        ("version", "an integer", |value: &Value| {
            value.is_i64() || value.is_u64()
        }),
        ("fingerprint", "a string", Value::is_string),
    ];
    for (name, kind, has_kind) in required {
        match fields.get(name) {
            None => {
                return Err(error(format!(
                    "{source_name}: missing field `{name}`; a working copy keeps the `{name}` it was pulled with: pull the persona again"
                )));
            }
            Some(value) if !has_kind(value) => {
                return Err(error(format!(
                    "{source_name}: field `{name}` must be {kind}, found {}",
                    describe_json(value)
                )));
            }
            Some(_) => {}
        }
    }
    Ok(persona)
}

/// A serde_norway error's message without its "at line L column C" parts, and its 1-based
/// (line, column) when it has one.
pub(crate) fn yaml_error_parts(error: &serde_norway::Error) -> (String, Option<(usize, usize)>) {
    let location = error
        .location()
        .map(|location| (location.line(), location.column()));
    (strip_yaml_positions(&error.to_string()), location)
}

/// Removes every " at line N column M" and " at position N" from a serde_norway message.
fn strip_yaml_positions(message: &str) -> String {
    let mut rest = message;
    let mut stripped = String::with_capacity(message.len());
    while let Some(start) = rest.find(" at ") {
        stripped.push_str(&rest[..start]);
        let after = &rest[start + " at ".len()..];
        let skipped = skip_position(after);
        if skipped.len() == after.len() {
            stripped.push_str(" at ");
        }
        rest = skipped;
    }
    stripped.push_str(rest);
    stripped
}

/// `text` after a leading "line N column M" or "position N", or `text` unchanged.
fn skip_position(text: &str) -> &str {
    fn number(text: &str) -> Option<&str> {
        let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
        (rest.len() < text.len()).then_some(rest)
    }
    let line_column = text
        .strip_prefix("line ")
        .and_then(number)
        .and_then(|rest| rest.strip_prefix(" column "))
        .and_then(number);
    let position = text.strip_prefix("position ").and_then(number);
    line_column.or(position).unwrap_or(text)
}

fn describe_json(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The object of the editable fields present in `persona` (see `json::EDITABLE_FIELDS`).
pub fn editable_fields(persona: &Value) -> Value {
    let fields = json::EDITABLE_FIELDS
        .iter()
        .filter_map(|name| {
            persona
                .get(name)
                .map(|value| (name.to_string(), value.clone()))
        })
        .collect();
    Value::Object(fields)
}

/// A unified diff (3 lines of context) of `old` and `new`, or `None` when they are equal.
pub fn unified_diff(old_label: &str, new_label: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let diff = similar::TextDiff::from_lines(old, new);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(old_label, new_label)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::emit::double_quoted;
    use super::*;
    use serde_json::json;

    /// Found by fuzz/fuzz_targets/persona_yaml.rs: a field name with a control character or a
    /// line break was written raw into the header comment, and the file could not be read back.
    #[test]
    fn odd_field_names_in_the_header_comment_cannot_break_the_file() {
        for name in ["\u{7f}d", "a\nid: other", "b\r", "c\u{2028}"] {
            let persona = json!({"id": "psn_x", "version": 1, "fingerprint": "sha256:0", name: 1});
            let text = to_yaml(&persona);
            assert_eq!(from_yaml(&text, "f.yml").unwrap(), persona, "{text}");
        }
    }

    fn rich_persona() -> Value {
        json!({
            "id": "per_01HZX",
            "created_at": "2025-01-02T03:04:05Z",
            "status": "ready",
            "version": 7,
            "slug": "mert-kavakli",
            "visibility": "workspace",
            "language": "no",
            "soul": {
                "name": "Mert Kavaklı",
                "age": 35,
                "warmth": 0.82,
                "tiny": 1e-7,
                "huge": 1e300,
                "whole_float": 3.0,
                "negative": -12,
                "big": u64::MAX,
                "values": ["honesty", "yes", "1.0", "no", "", " padded ", "emoji 😀"],
                "nested": [[1, 2], [], [{"a": {}}], {"deep": {"deeper": [true, false, null]}}],
                "answers": {"yes": "no", "on": "off", "1": "one", "": "empty key"},
            },
            "self": {
                "story": "Grew up in Kadıköy.\nMoved to Beyoğlu.\n",
                "motto": "Books first.\n\nPeople second.",
                "tricky": "  indented\nlines\n",
                "many_newlines": "a\n\n\n",
                "trailing_space": "line one \nline two",
                "tabs": "col1\tcol2\nnext",
                "crlf": "one\r\ntwo",
                "controls": "bell\u{7} nel\u{85} ls\u{2028} bom\u{feff} del\u{7f}",
                "quotes": "He said \"hi\" and left\\",
                "markers": "- not a list\n# not a comment\n---\n...",
                "colon": "key: value # not a comment",
            },
            "mask": "12:30",
            "surface": null,
            "custom_fields": {},
            "archived_at": null,
            "run": {"id": "run_9", "cost_usd": 0.125, "stages": ["soul", "mask"]},
            "fingerprint": "sha256:0000",
        })
    }

    #[test]
    fn yaml_round_trips_a_rich_persona_exactly() {
        let persona = rich_persona();
        let text = to_yaml(&persona);
        let back = from_yaml(&text, "mert.yaml").unwrap();
        assert_eq!(back, persona, "YAML was:\n{text}");
        assert_eq!(back["soul"]["warmth"].as_f64(), Some(0.82));
        assert!(back["soul"]["age"].is_u64());
        assert!(back["soul"]["whole_float"].is_f64());
        assert_eq!(to_yaml(&back), text);
    }

    #[test]
    fn yaml_is_deterministic_and_ordered() {
        let persona = rich_persona();
        let text = to_yaml(&persona);
        assert_eq!(text, to_yaml(&persona.clone()));
        let top_level_keys: Vec<&str> = text
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with([' ', '#', '-']))
            .filter_map(|line| line.split(':').next())
            .collect();
        let expected = "id slug version fingerprint visibility language soul self mask surface \
                        custom_fields created_at status archived_at run";
        assert_eq!(
            top_level_keys,
            expected.split_whitespace().collect::<Vec<_>>()
        );
        let header: Vec<&str> = text.lines().take(2).collect();
        assert_eq!(
            header,
            [
                "# Persona working copy: edit the fields below and run `persona personas push FILE`.",
                "# Read-only fields (push refuses changes to them): id, version, fingerprint, created_at, status, archived_at, run.",
            ]
        );
    }

    #[test]
    fn yaml_quotes_ambiguous_scalars() {
        let ambiguous = [
            "no",
            "yes",
            "on",
            "off",
            "y",
            "n",
            "true",
            "null",
            "~",
            "1.0",
            "0x1F",
            "1e3",
            "12:30",
            "No",
            "YES",
            "False",
            "NULL",
            "Off",
            "nan",
            ".inf",
            "-.inf",
            "2001-12-14",
            "1_000",
            "0o17",
            "+1",
            "=",
            "<<",
            "-",
            "",
            "@handle",
            "`cmd`",
            "!tag",
            "&anchor",
            "*alias",
            "%directive",
            "[x]",
            "{x}",
            "'q'",
            "\"q\"",
            "a: b",
            "a #b",
            "trailing ",
            " leading",
            "?",
            "|",
            ">",
            "190:20:30",
            "1:20",
        ];
        for word in ambiguous {
            let persona = json!({"id": "p", "version": 1, "fingerprint": "f", "language": word});
            let text = to_yaml(&persona);
            let line = text
                .lines()
                .find(|line| line.starts_with("language:"))
                .unwrap();
            let value = line.trim_start_matches("language: ");
            assert!(
                value.starts_with('"') && value.ends_with('"'),
                "{word:?} was written as {line:?}"
            );
            assert_eq!(from_yaml(&text, "f.yaml").unwrap()["language"], json!(word));

            let as_key = to_yaml(
                &json!({"id": "p", "version": 1, "fingerprint": "f", "custom_fields": {word: 1}}),
            );
            assert!(
                as_key.contains(&format!("\n  {}: 1\n", double_quoted(word))),
                "{as_key}"
            );
        }
    }

    #[test]
    fn yaml_keeps_ordinary_text_plain_and_unicode_readable() {
        let persona = json!({
            "id": "per_1", "version": 2, "fingerprint": "sha256:ab",
            "soul": {"name": "Mert Kavaklı", "city": "İstanbul", "note": "Reads Proust, drinks çay — often.", "weight": 0.82, "count": 3},
            "self": {"lines": ["first", "second"], "story": "Line one.\nLine two.\n"},
            "custom_fields": {"quoted": "Say \"merhaba\"\t!"}
        });
        let text = to_yaml(&persona);
        assert!(text.contains("\nid: per_1\n"), "{text}");
        assert!(text.contains("\nfingerprint: sha256:ab\n"), "{text}");
        let urls = to_yaml(
            &json!({"id": "p", "version": 1, "fingerprint": "f", "mask": "see https://example.org/x"}),
        );
        assert!(
            urls.contains("\nmask: see https://example.org/x\n"),
            "{urls}"
        );
        assert!(text.contains("\n  name: Mert Kavaklı\n"), "{text}");
        assert!(text.contains("\n  city: İstanbul\n"), "{text}");
        assert!(
            text.contains("\n  note: Reads Proust, drinks çay — often.\n"),
            "{text}"
        );
        assert!(text.contains("\n  weight: 0.82\n  count: 3\n"), "{text}");
        assert!(
            text.contains("\n  lines:\n  - first\n  - second\n")
                || text.contains("\n  lines:\n    - first\n    - second\n"),
            "{text}"
        );
        assert!(
            text.contains("\n  story: |\n    Line one.\n    Line two.\n"),
            "{text}"
        );
        assert!(
            text.contains("\n  quoted: \"Say \\\"merhaba\\\"\\t!\"\n"),
            "{text}"
        );
        assert!(!text.contains("\\u"), "{text}");
    }

    #[test]
    fn yaml_writes_floats_that_yaml_1_1_readers_see_as_floats() {
        let text = to_yaml(
            &json!({"id": "p", "version": 1, "fingerprint": "f", "soul": {"a": 1e300, "b": 1e-7, "c": 2.0, "d": -0.5}}),
        );
        assert!(
            text.contains("  a: 1.0e+300\n  b: 1.0e-7\n  c: 2.0\n  d: -0.5\n"),
            "{text}"
        );
    }

    #[test]
    fn to_yaml_adds_a_missing_fingerprint() {
        let persona = json!({"id": "p", "version": 1, "soul": {"a": 1}});
        let back = from_yaml(&to_yaml(&persona), "p.yaml").unwrap();
        assert_eq!(back["fingerprint"], json!(json::fingerprint(&persona)));
        assert_eq!(
            compare(&back, &persona),
            Comparison::Settled(Standing::UpToDate)
        );
    }

    #[test]
    fn long_keys_use_explicit_key_syntax() {
        let long_key = "k".repeat(1500);
        let persona = json!({"id": "p", "version": 1, "fingerprint": "f", "custom_fields": {long_key.clone(): {"x": [1]}, "short": 2}});
        let text = to_yaml(&persona);
        assert!(text.contains(&format!("\n  ? {long_key}\n  :\n")), "{text}");
        assert_eq!(from_yaml(&text, "p.yaml").unwrap(), persona);
    }

    #[test]
    fn from_yaml_reports_syntax_errors_with_file_line_and_column() {
        let text = "# header\nid: p\nversion: 1\nfingerprint: f\nsoul: {name: [unclosed\n";
        let message = from_yaml(text, "mert.yaml").unwrap_err().to_string();
        assert!(message.starts_with("mert.yaml:6:1: "), "{message}");
        assert!(!message.contains(" at line "), "{message}");

        let text = "id: p\nversion: 1\nfingerprint: f\nsoul:\n  name: a: b\n";
        let message = from_yaml(text, "mert.yaml").unwrap_err().to_string();
        assert!(
            message.starts_with("mert.yaml:5:10: mapping values are not allowed"),
            "{message}"
        );

        let text = "id: p\nversion: 1\nversion: 2\nfingerprint: f\n";
        let message = from_yaml(text, "dup.yaml").unwrap_err().to_string();
        // serde_norway points at the mapping that holds the repeated key.
        assert_eq!(
            message,
            "dup.yaml:1:1: duplicate entry with key \"version\""
        );
    }

    #[test]
    fn from_yaml_requires_id_version_and_fingerprint() {
        let cases = [
            (
                "- a\n- b\n",
                "p.yaml: expected the persona's fields (`id: ...`, `version: ...`) at the top level, found a list",
            ),
            (
                "",
                "p.yaml: expected the persona's fields (`id: ...`, `version: ...`) at the top level, found nothing (null)",
            ),
            (
                "version: 1\nfingerprint: f\n",
                "p.yaml: missing field `id`; a working copy keeps the `id` it was pulled with: pull the persona again",
            ),
            (
                "id: p\nfingerprint: f\n",
                "p.yaml: missing field `version`; a working copy keeps the `version` it was pulled with: pull the persona again",
            ),
            (
                "id: p\nversion: 1\n",
                "p.yaml: missing field `fingerprint`; a working copy keeps the `fingerprint` it was pulled with: pull the persona again",
            ),
            (
                "id: 5\nversion: 1\nfingerprint: f\n",
                "p.yaml: field `id` must be a string, found a number",
            ),
            (
                "id: p\nversion: 1.5\nfingerprint: f\n",
                "p.yaml: field `version` must be an integer, found a number",
            ),
            (
                "id: p\nversion: \"1\"\nfingerprint: f\n",
                "p.yaml: field `version` must be an integer, found a string",
            ),
            (
                "id: p\nversion: 1\nfingerprint: [f]\n",
                "p.yaml: field `fingerprint` must be a string, found a list",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(from_yaml(text, "p.yaml").unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn yaml_error_positions_are_stripped_from_messages() {
        assert_eq!(
            strip_yaml_positions(
                "did not find expected key at line 3 column 1, while parsing a block mapping at line 1 column 1"
            ),
            "did not find expected key, while parsing a block mapping"
        );
        assert_eq!(strip_yaml_positions("bad at position 12"), "bad");
        assert_eq!(
            strip_yaml_positions("look at this at line"),
            "look at this at line"
        );
    }

    #[test]
    fn fingerprint_ignores_key_order_and_read_only_fields() {
        let one: Value = serde_json::from_str(
            r#"{"id": "p", "soul": {"a": 1, "b": [1, 2]}, "language": "tr", "version": 1}"#,
        )
        .unwrap();
        let two: Value = serde_json::from_str(
            r#"{"version": 1, "language": "tr", "soul": {"b": [1, 2], "a": 1}, "id": "p"}"#,
        )
        .unwrap();
        assert_eq!(json::fingerprint(&one), json::fingerprint(&two));

        let mut read_only_changed = one.clone();
        read_only_changed["version"] = json!(2);
        read_only_changed["status"] = json!("archived");
        assert_eq!(
            json::fingerprint(&read_only_changed),
            json::fingerprint(&one)
        );

        for field in json::EDITABLE_FIELDS {
            let mut editable_changed = one.clone();
            editable_changed[field] = json!("changed");
            assert_ne!(
                json::fingerprint(&editable_changed),
                json::fingerprint(&one),
                "{field}"
            );
        }
    }

    #[test]
    fn yaml_meant_as_a_working_copy_is_told_from_other_yaml() {
        let copy = to_yaml(&json!({"id": "p", "version": 1, "fingerprint": "f"}));
        assert!(looks_like_working_copy(&copy));
        assert!(looks_like_working_copy("id: p\nfingerprint: [broken\n"));
        assert!(!looks_like_working_copy(
            "services:\n  web:\n    image: nginx\n"
        ));
        assert!(!looks_like_working_copy("meta:\n  fingerprint: x\n"));
    }

    #[test]
    fn editable_fields_keeps_only_present_editable_fields() {
        let persona = json!({"id": "p", "version": 1, "soul": {"a": 1}, "language": "no", "surface": null, "status": "ready"});
        assert_eq!(
            editable_fields(&persona),
            json!({"language": "no", "soul": {"a": 1}, "surface": null})
        );
        assert_eq!(editable_fields(&json!({"id": "p"})), json!({}));
    }

    #[test]
    fn unified_diff_shows_changes_with_context() {
        assert_eq!(unified_diff("a", "b", "same\n", "same\n"), None);
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        let diff = unified_diff("server", "mert.yaml", old, new).unwrap();
        assert_eq!(
            diff,
            "--- server\n+++ mert.yaml\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn a_working_copy_nested_too_deep_is_refused_with_the_limit_and_the_file() {
        let text = format!(
            "id: p\ndeep: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let message = from_yaml(&text, "deep.yaml").unwrap_err().to_string();
        assert_eq!(
            message,
            "deep.yaml:2: the YAML nests mappings and sequences deeper than 127 levels, the most a working copy may"
        );
    }
}
