//! YAML working copies of a persona: the server's persona object written for a human to edit
//! (with the id, version and fingerprint it was pulled at), read back, diffed and saved atomically.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Number, Value};

use crate::json;

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

/// Words that some YAML reader (1.1 or 1.2) takes as a boolean, null or special float.
const AMBIGUOUS_WORDS: [&str; 12] = [
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf", "infinity",
];

/// libyaml rejects implicit mapping keys longer than this, so longer ones are written as `? key`.
const MAX_IMPLICIT_KEY_LEN: usize = 1000;

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
fn write_mapping(map: &Map<String, Value>, indent: usize, continues_line: bool, out: &mut String) {
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
fn quoted_if_needed(text: &str) -> String {
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

fn double_quoted(text: &str) -> String {
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

/// The most levels of nested mappings and sequences a YAML file read here (a working copy, a
/// brief's front matter) may have: as many as a JSON document (so that every persona the API
/// holds comes back from its working copy), far more than a persona needs. A deeper file is
/// refused before it is parsed, as the YAML parser slows down with every level.
pub const MAX_YAML_DEPTH: usize = json::MAX_DEPTH;

/// The 1-based line on which `text` first nests mappings and sequences deeper than
/// `MAX_YAML_DEPTH`, if it does. One pass that builds nothing: block collections are counted
/// by their indentation and indicators (`- - x`, `- key: x`), flow collections by their
/// brackets; quoted scalars, comments and block scalars are skipped.
pub(crate) fn yaml_too_deep(text: &str) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Block {
        Mapping,
        Sequence,
    }
    // The open block collections (column, kind), the open flow collections, the quote of a
    // quoted scalar going on, and the column a block scalar's lines are indented past.
    let mut blocks: Vec<(usize, Block)> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut block_scalar_past: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars[indent..].iter().all(|c| c.is_whitespace());
        if let Some(parent) = block_scalar_past {
            if blank || indent > parent {
                continue;
            }
            block_scalar_past = None;
        }
        let mut at = 0;
        if quote.is_none() && flow == 0 {
            if blank || chars[indent] == '#' {
                continue;
            }
            at = indent;
            let mut owner = indent;
            // Opens (or continues) a block collection at a column; false once too deep.
            let mut open = |column: usize, kind: Block| {
                while let Some(&(open_column, open_kind)) = blocks.last() {
                    let closed = open_column > column
                        || (open_column == column
                            && open_kind == Block::Sequence
                            && kind == Block::Mapping);
                    if !closed {
                        break;
                    }
                    blocks.pop();
                }
                if blocks.last() != Some(&(column, kind)) {
                    blocks.push((column, kind));
                }
                blocks.len() <= MAX_YAML_DEPTH
            };
            let separated = |at: usize| chars.get(at).is_none_or(|c| *c == ' ' || *c == '\t');
            // `- ` and `? ` entries, one inside the other on one line.
            while let Some(kind) = match chars.get(at) {
                Some('-') if separated(at + 1) => Some(Block::Sequence),
                Some('?') if separated(at + 1) => Some(Block::Mapping),
                _ => None,
            } {
                if !open(at, kind) {
                    return Some(index + 1);
                }
                owner = at;
                at += 1;
                while separated(at) && at < chars.len() {
                    at += 1;
                }
            }
            at = after_properties(&chars, at);
            if let Some(value) = after_mapping_key(&chars, at) {
                if !open(at, Block::Mapping) {
                    return Some(index + 1);
                }
                owner = at;
                at = after_properties(&chars, value);
            }
            match chars.get(at) {
                Some('|' | '>') => {
                    block_scalar_past = Some(owner);
                    continue;
                }
                Some('[' | '{' | '"' | '\'') => {}
                // A plain scalar, or nothing: the rest of the line is text.
                _ => continue,
            }
        }
        let mut previous = if at == 0 { ' ' } else { chars[at - 1] };
        let mut rest = chars[at..].iter().peekable();
        while let Some(&c) = rest.next() {
            match quote {
                Some('"') if c == '\\' => {
                    rest.next();
                }
                Some('\'') if c == '\'' && rest.peek() == Some(&&'\'') => {
                    rest.next();
                }
                Some(closing) if c == closing => quote = None,
                Some(_) => {}
                None => match c {
                    '[' | '{' => {
                        flow += 1;
                        if blocks.len() + flow > MAX_YAML_DEPTH {
                            return Some(index + 1);
                        }
                    }
                    ']' | '}' => flow = flow.saturating_sub(1),
                    '"' | '\'' if " \t[{,:".contains(previous) => quote = Some(c),
                    '#' if previous == ' ' || previous == '\t' => break,
                    _ => {}
                },
            }
            previous = c;
        }
    }
    None
}

/// Where a node's text starts past its `&anchor` and `!tag` properties.
fn after_properties(chars: &[char], mut at: usize) -> usize {
    while matches!(chars.get(at), Some('&' | '!')) {
        while chars.get(at).is_some_and(|c| *c != ' ') {
            at += 1;
        }
        while chars.get(at) == Some(&' ') {
            at += 1;
        }
    }
    at
}

/// Where the value starts when a `key:` (plain or quoted) starts at `at`.
fn after_mapping_key(chars: &[char], at: usize) -> Option<usize> {
    let mut end = at;
    match chars.get(at)? {
        quote @ ('"' | '\'') => {
            end += 1;
            while chars.get(end)? != quote {
                end += if *quote == '"' && chars[end] == '\\' {
                    2
                } else {
                    1
                };
            }
            end += 1;
            while chars.get(end) == Some(&' ') {
                end += 1;
            }
            (chars.get(end) == Some(&':')).then_some(())?;
        }
        '[' | '{' | '#' => return None,
        _ => loop {
            match chars.get(end)? {
                ':' if chars.get(end + 1).is_none_or(|c| *c == ' ') => break,
                '#' if chars[end - 1] == ' ' => return None,
                _ => end += 1,
            }
        },
    }
    let mut value = end + 1;
    while chars.get(value) == Some(&' ') {
        value += 1;
    }
    Some(value)
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

/// The largest working copy or brief read: far above any persona (the API takes 1 MiB bodies),
/// far below what would hurt to hold in memory.
pub const MAX_TEXT_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The text of a regular file (symbolic links followed) of at most `MAX_TEXT_FILE_BYTES`:
/// a device, a directory or a pipe is refused before anything is read.
pub fn read_text_file(path: &Path) -> io::Result<String> {
    let metadata = fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(not_a_regular_file(&metadata));
    }
    read_limited(fs::File::open(path)?)
}

/// All of `reader` as text, or an error once it passes `MAX_TEXT_FILE_BYTES` (checked before
/// the text is decoded, so a cut inside a character still reads as "too large").
pub fn read_limited(reader: impl io::Read) -> io::Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_TEXT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_TEXT_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} MiB",
                MAX_TEXT_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not UTF-8 text (is it a binary file?)",
        )
    })
}

fn not_a_regular_file(metadata: &fs::Metadata) -> io::Error {
    let kind = if metadata.is_dir() {
        "a directory"
    } else {
        "a device, pipe or socket"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {kind}, not a regular file"),
    )
}

/// Replaces `path` with `contents` atomically: writes a new file beside it, fsyncs it and renames
/// it over `path`, keeping `path`'s permissions. A symbolic link is written through (the file it
/// points to is replaced, the link stays); a directory, device or pipe is refused. On error the
/// target is untouched.
pub fn write_atomic(path: &Path, contents: &str) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = &follow_symlinks(path)?;
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let existing_permissions = match fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => return Err(not_a_regular_file(&metadata)),
        Ok(metadata) => Some(metadata.permissions()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();

    let (temp_path, file) = loop {
        let attempt = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(file_name);
        temp_name.push(format!(".{}.{nanos}.{attempt}.tmp", std::process::id()));
        let temp_path = directory.join(temp_name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => break (temp_path, file),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    };

    let result = (|| {
        let mut file = file;
        file.write_all(contents.as_bytes())?;
        if let Some(permissions) = existing_permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temp_path, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp_path);
        return result;
    }
    // Make the rename itself durable; not every platform can open a directory for this.
    if let Ok(directory_handle) = fs::File::open(directory) {
        let _ = directory_handle.sync_all();
    }
    remove_stale_temp_files(directory, file_name);
    Ok(())
}

/// The path a chain of symbolic links ends at (which need not exist yet); `path` itself when it
/// is not a link.
fn follow_symlinks(path: &Path) -> io::Result<std::path::PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

/// How old a temporary file of `write_atomic` must be before it is taken for the leftover of a
/// write that was killed: a write still going on finishes in far less.
const STALE_TEMP_AFTER: Duration = Duration::from_secs(600);

/// Removes what earlier writes of `file_name` left behind when they were killed between
/// creating their temporary file (`.NAME.PID.NANOS.N.tmp`) and renaming it.
fn remove_stale_temp_files(directory: &Path, file_name: &std::ffi::OsStr) {
    let Some(file_name) = file_name.to_str() else {
        return;
    };
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(numbers) = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
        else {
            continue;
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        let ours = parts.len() == 3
            && parts
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        let stale = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AFTER);
        if ours && stale {
            let _ = fs::remove_file(entry.path());
        }
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

/// Whether the editable fields differ from those the working copy was pulled with.
pub fn has_local_edits(file_persona: &Value) -> bool {
    let pulled_fingerprint = file_persona.get("fingerprint").and_then(Value::as_str);
    pulled_fingerprint != Some(json::fingerprint(file_persona).as_str())
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
        assert_eq!(
            top_level_keys,
            [
                "id",
                "slug",
                "version",
                "fingerprint",
                "visibility",
                "language",
                "soul",
                "self",
                "mask",
                "surface",
                "custom_fields",
                "created_at",
                "status",
                "archived_at",
                "run"
            ]
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
        assert!(!has_local_edits(&back));
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
    fn write_atomic_replaces_content_and_leaves_no_temp_files() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("mert.yaml");
        write_atomic(&path, "first\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "first\n");
        write_atomic(&path, "second, longer contents\n").unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "second, longer contents\n"
        );
        write_atomic(&path, "").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
        let names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["mert.yaml"]);
    }

    #[test]
    fn write_atomic_removes_what_killed_writes_left_but_not_live_ones() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("mert.yaml");
        let leftover = |name: &str, age: Duration| {
            let file = fs::File::create(directory.path().join(name)).unwrap();
            file.set_modified(SystemTime::now() - age).unwrap();
        };
        let hour = Duration::from_secs(3600);
        leftover(".mert.yaml.4242.123456.0.tmp", hour);
        leftover(".mert.yaml.4243.654321.1.tmp", Duration::ZERO);
        leftover(".other.yaml.4242.123456.0.tmp", hour);
        leftover(".mert.yaml.notes.tmp", hour);
        write_atomic(&path, "new\n").unwrap();
        let mut names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".mert.yaml.4243.654321.1.tmp",
                ".mert.yaml.notes.tmp",
                ".other.yaml.4242.123456.0.tmp",
                "mert.yaml"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_keeps_permissions_and_cleans_up_on_error() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("private.yaml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, "new").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let target_is_directory = directory.path().join("subdir");
        fs::create_dir(&target_is_directory).unwrap();
        assert!(write_atomic(&target_is_directory, "x").is_err());
        let mut names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["private.yaml", "subdir"]);
        assert!(write_atomic(&directory.path().join("missing/dir/file.yaml"), "x").is_err());
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
    fn has_local_edits_compares_against_the_pulled_fingerprint() {
        let mut persona =
            json!({"id": "p", "version": 3, "language": "tr", "soul": {"a": 1}, "status": "ready"});
        persona["fingerprint"] = json!(json::fingerprint(&persona));
        let mut file_persona = from_yaml(&to_yaml(&persona), "p.yaml").unwrap();
        assert!(!has_local_edits(&file_persona));

        file_persona["status"] = json!("archived");
        assert!(!has_local_edits(&file_persona));

        file_persona["soul"]["a"] = json!(2);
        assert!(has_local_edits(&file_persona));

        assert!(has_local_edits(&json!({"id": "p", "language": "tr"})));
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

    /// A value nesting `levels` mappings and sequences, the two in turn from a mapping at the
    /// top, each holding a scalar beside the next level.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(json!("leaf"), |inner, level| {
            if (levels - level) % 2 == 1 {
                json!({ "k": "v", "deeper": inner })
            } else {
                json!(["x", inner])
            }
        })
    }

    #[test]
    fn yaml_nesting_is_measured_before_parsing() {
        // Block style as written by `object_to_yaml`, and flow style, up to the limit and past it.
        for levels in [
            1,
            2,
            3,
            MAX_YAML_DEPTH - 1,
            MAX_YAML_DEPTH,
            MAX_YAML_DEPTH + 1,
        ] {
            let fits = levels <= MAX_YAML_DEPTH;
            let block = object_to_yaml(&nested(levels));
            assert_eq!(yaml_too_deep(&block).is_none(), fits, "{levels}:\n{block}");
            let flow = format!("deep: {}", nested(levels - 1));
            assert_eq!(yaml_too_deep(&flow).is_none(), fits, "{levels}: {flow}");
            if fits {
                let parsed: Value = serde_norway::from_str(&block).unwrap();
                assert_eq!(parsed, nested(levels));
            }
        }
        // Compact entries, lines of a flow collection, indentation.
        let compact = format!("{}x", "- ".repeat(MAX_YAML_DEPTH + 1));
        assert_eq!(yaml_too_deep(&compact), Some(1));
        let lines = format!("a:\n{}", "[\n".repeat(MAX_YAML_DEPTH));
        assert_eq!(yaml_too_deep(&lines), Some(MAX_YAML_DEPTH + 1));
        let indented: String = (0..=MAX_YAML_DEPTH)
            .map(|level| format!("{}k{level}:\n", " ".repeat(level)))
            .collect();
        assert_eq!(yaml_too_deep(&indented), Some(MAX_YAML_DEPTH + 1));
        // Brackets in text are text: block scalars, quoted and plain scalars, comments.
        let brackets = "[".repeat(1000);
        for text in [
            format!("bio: |\n  {brackets}\n  more\nnext: 1\n"),
            format!("q: \"{brackets}\\\"\"\ns: '{brackets}''{brackets}'\n"),
            format!("p: a{brackets}\nc: x # {brackets}\n# {brackets}\n"),
            format!("list:\n- >-\n  {brackets}\n- \"multi\n  line {brackets}\"\n"),
        ] {
            assert_eq!(yaml_too_deep(&text), None, "{text}");
        }
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
