//! Writing JSON values as YAML that every reader (1.1 or 1.2) reads back as the same values:
//! block style, with strings quoted only where a plain scalar could be taken for another type.

use serde_json::{Map, Number, Value};

/// Words that some YAML reader (1.1 or 1.2) takes as a boolean, null or special float.
const AMBIGUOUS_WORDS: [&str; 12] = [
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf", "infinity",
];

/// libyaml rejects implicit mapping keys longer than this, so longer ones are written as `? key`.
const MAX_IMPLICIT_KEY_LEN: usize = 1000;

/// An object as YAML with the same quoting rules, without the working-copy header (used to
/// draw a persona as it fills in). Anything but a non-empty object gives `{}`.
pub fn object_to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value.as_object() {
        Some(map) if !map.is_empty() => write_mapping(map, 0, false, &mut out),
        _ => out.push_str("{}\n"),
    }
    out
}

/// Writes the entries of a non-empty mapping at `indent`; with `continues_line` the first key
/// goes on the current line (after `- `).
pub(super) fn write_mapping(
    map: &Map<String, Value>,
    indent: usize,
    continues_line: bool,
    out: &mut String,
) {
    for (position, (key, value)) in map.iter().enumerate() {
        if position > 0 || !continues_line {
            push_indent(indent, out);
        }
        let key_text = quoted_if_needed(key);
        if key_text.len() > MAX_IMPLICIT_KEY_LEN {
            out.push_str("? ");
            out.push_str(&key_text);
            out.push('\n');
            push_indent(indent, out);
        } else {
            out.push_str(&key_text);
        }
        out.push(':');
        write_value_after_indicator(value, indent, out);
    }
}

/// Writes the items of a non-empty sequence at `indent`.
fn write_sequence(items: &[Value], indent: usize, continues_line: bool, out: &mut String) {
    for (position, item) in items.iter().enumerate() {
        if position > 0 || !continues_line {
            push_indent(indent, out);
        }
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                write_mapping(map, indent + 2, true, out);
            }
            Value::Array(nested) if !nested.is_empty() => {
                out.push(' ');
                write_sequence(nested, indent + 2, true, out);
            }
            _ => write_value_after_indicator(item, indent, out),
        }
    }
}

/// Writes a value following `key:` or `-` of a node at `indent`, ending with a newline.
fn write_value_after_indicator(value: &Value, indent: usize, out: &mut String) {
    if let Some(node) = inline_node(value) {
        out.push(' ');
        out.push_str(&node);
        out.push('\n');
        return;
    }
    match value {
        Value::Object(map) => {
            out.push('\n');
            write_mapping(map, indent + 2, false, out);
        }
        Value::Array(items) => {
            out.push('\n');
            write_sequence(items, indent + 2, false, out);
        }
        Value::String(text) => {
            out.push(' ');
            out.push_str(literal_block_style(text).unwrap_or("|"));
            out.push('\n');
            for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
                if !line.is_empty() {
                    push_indent(indent + 2, out);
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        _ => {}
    }
}

/// The one-line form of a scalar or empty collection; `None` for what needs block lines.
fn inline_node(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("null".to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(yaml_number(number)),
        Value::String(text) if literal_block_style(text).is_some() => None,
        Value::String(text) => Some(quoted_if_needed(text)),
        Value::Array(items) if items.is_empty() => Some("[]".to_string()),
        Value::Object(map) if map.is_empty() => Some("{}".to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn push_indent(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// serde_json's number text, with floats always carrying a `.` and a signed exponent so that
/// YAML 1.1 readers see a float too (`1e+300` becomes `1.0e+300`).
fn yaml_number(number: &Number) -> String {
    let text = number.to_string();
    if !number.is_f64() || text.contains('.') {
        return text;
    }
    match text.split_once('e') {
        Some((mantissa, exponent)) => format!("{mantissa}.0e{exponent}"),
        None => format!("{text}.0"),
    }
}

/// `Some("|")` or `Some("|-")` when `text` reads best as a literal block: several lines, no
/// character that needs escaping, no tab, no leading space, no trailing space on any line (editors
/// strip those), and at most one trailing newline. Anything else is double-quoted on one line instead.
fn literal_block_style(text: &str) -> Option<&'static str> {
    let content = text.strip_suffix('\n').unwrap_or(text);
    let suitable = content.contains('\n')
        && !content.starts_with('\n')
        && !content.ends_with('\n')
        && !content
            .chars()
            .any(|c| c == '\t' || c == '\r' || needs_escape(c))
        && !content.starts_with(' ')
        && content.split('\n').all(|line| !line.ends_with(' '));
    if !suitable {
        None
    } else if content.len() < text.len() {
        Some("|")
    } else {
        Some("|-")
    }
}

/// `text` as a plain scalar when every YAML reader reads it back as this same string,
/// otherwise double-quoted.
pub(super) fn quoted_if_needed(text: &str) -> String {
    if is_safe_plain(text) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

fn is_safe_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let first_ok = first.is_ascii_alphabetic() || first == '_' || is_plain_non_ascii(first);
    let mut chars = text.chars().peekable();
    let mut rest_ok = true;
    while let Some(c) = chars.next() {
        // `:` starts a mapping value only when followed by a space or the end of the line.
        let colon_ok = c == ':' && chars.peek().is_some_and(|next| *next != ' ');
        rest_ok &= c.is_ascii_alphanumeric()
            || " _-.,/()'!?@%&+*;=~^$".contains(c)
            || colon_ok
            || is_plain_non_ascii(c);
    }
    first_ok
        && rest_ok
        && !text.ends_with(' ')
        && !AMBIGUOUS_WORDS.contains(&text.to_ascii_lowercase().as_str())
}

fn is_plain_non_ascii(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && !needs_escape(c)
}

/// Characters outside YAML's printable set, plus those some readers treat as line breaks or BOM.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

pub(super) fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
