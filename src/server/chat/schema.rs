//! A JSON value that satisfies a JSON Schema, filled with a persona's words: how the offline
//! engine answers OpenAI's `response_format: json_schema` (structured outputs) and tool arguments.
//!
//! Covers what structured outputs allow: objects, arrays, strings (with `enum`, `const`, lengths,
//! the common formats and a `pattern`), numbers with bounds, booleans, null,
//! `anyOf`/`oneOf`/`allOf`, and `$ref` into `$defs`/`definitions`. A recursive schema stops at the
//! first branch that needs no further nesting. Work is bounded: a schema whose instance would take
//! more than `MAX_STEPS`, or whose `pattern` nests deeper than `MAX_PATTERN_NESTING`, is refused.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use serde_json::{Map, Value, json};

use crate::server::http::escape_pointer_token;

/// How deep `$ref`s and nesting may go before the generator takes the shortest way out.
const MAX_DEPTH: usize = 16;
/// The most values one instance may hold: past it, what is left is null. A schema asking for
/// more (huge `minItems`, or many required self-references) gets a bounded answer.
const MAX_NODES: usize = 10_000;
/// The most items an array is given, whatever its `minItems`.
const MAX_ITEMS: u64 = 100;
/// The longest string made, whatever its `minLength` or `pattern`.
const MAX_STRING_CHARS: usize = 10_000;
/// The most text the instances of one turn hold, in bytes: past it, strings are cut short.
const MAX_TEXT_BYTES: usize = 1024 * 1024;
/// The work the schemas of one turn may take. A step is a schema node visited, a `$ref`
/// followed, a `required` name or an `allOf` keyword merged, a JSON node copied (a `const`, an
/// `enum` value, an `allOf` part), a byte of a `pattern` parsed or a node of it walked; 64 bytes
/// of text read (a long key, `$ref` or `pattern`) count as one more. A self-referencing `allOf`
/// multiplies copies: this is where it stops.
pub const MAX_STEPS: usize = 100_000;
/// How deep a `pattern` may nest: groups, classes, repetitions and alternations, as the
/// `regex-syntax` parser counts them.
pub const MAX_PATTERN_NESTING: u32 = 64;

/// A schema refused before any instance is made: what is wrong, with the limit, and where
/// (a JSON pointer into the schema; empty for the schema as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub message: String,
    pub pointer: String,
}

impl SchemaError {
    fn too_complex() -> Self {
        SchemaError {
            message: format!(
                "schema too complex: making an instance takes more than {MAX_STEPS} steps \
                 (`$ref`s followed, `allOf` parts merged, values copied); simplify it, or let \
                 self-references end in an optional branch"
            ),
            pointer: String::new(),
        }
    }
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

/// The steps and text left to the instances of one turn (see `MAX_STEPS`, `MAX_TEXT_BYTES`),
/// and the patterns parsed so far (None for those beyond the subset followed).
pub struct Budget {
    steps: Cell<usize>,
    text: Cell<usize>,
    patterns: RefCell<HashMap<String, Option<Hir>>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            steps: Cell::new(MAX_STEPS),
            text: Cell::new(MAX_TEXT_BYTES),
            patterns: RefCell::new(HashMap::new()),
        }
    }
}

/// The budget ran out: the whole instance is refused.
struct OverBudget;

type Step<T> = Result<T, OverBudget>;

impl Budget {
    fn spend(&self, steps: usize) -> Step<()> {
        let left = self.steps.get().checked_sub(steps).ok_or(OverBudget)?;
        self.steps.set(left);
        Ok(())
    }

    /// `text`, cut to the text left (at a character boundary), which it then uses up.
    fn keep_text(&self, mut text: String) -> String {
        let left = self.text.get();
        if text.len() > left {
            let mut end = left;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        self.text.set(left - text.len());
        text
    }
}

/// The steps 64 bytes of text count as.
fn text_steps(text: &str) -> usize {
    text.len() / 64
}

/// Words for the strings of an instance: `text(field name)`, where the name is the property
/// the string is the value of ("" at the top or inside arrays of strings). The work is taken
/// from `budget`, shared by the instances of one turn.
pub fn instance(
    schema: &Value,
    text: &dyn Fn(&str) -> String,
    budget: &Budget,
) -> Result<Value, SchemaError> {
    Generator {
        root: schema,
        text,
        budget,
        nodes: Cell::new(0),
    }
    .value(schema, "", 0)
    .map_err(|OverBudget| SchemaError::too_complex())
}

/// Checks a schema before any engine works on it: every `pattern` in it parses within
/// `MAX_PATTERN_NESTING`, and an instance fits in what is left of `budget` (the steps an
/// instance takes do not depend on its words).
pub fn check(schema: &Value, budget: &Budget) -> Result<(), SchemaError> {
    check_patterns(schema)?;
    instance(schema, &|_| String::new(), budget).map(drop)
}

/// The first `pattern` string (anywhere in `schema`) that nests too deep, as an error with its
/// pointer. Walks with an explicit stack: a schema of any depth takes no call stack.
pub fn check_patterns(schema: &Value) -> Result<(), SchemaError> {
    enum Members<'a> {
        Object(serde_json::map::Iter<'a>),
        Array(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
    }
    fn members(value: &Value) -> Option<Members<'_>> {
        match value {
            Value::Object(map) => Some(Members::Object(map.iter())),
            Value::Array(items) => Some(Members::Array(items.iter().enumerate())),
            _ => None,
        }
    }
    // One frame per open object or array: the members left, and its token in the pointer.
    let mut frames: Vec<(Members, String)> = members(schema)
        .map(|open| (open, String::new()))
        .into_iter()
        .collect();
    while let Some((open, _)) = frames.last_mut() {
        let next = match open {
            Members::Object(entries) => entries
                .next()
                .map(|(key, value)| (key.as_str(), None, value)),
            Members::Array(items) => items.next().map(|(index, value)| ("", Some(index), value)),
        };
        let Some((key, index, value)) = next else {
            frames.pop();
            continue;
        };
        let token = || index.map_or_else(|| escape_pointer_token(key), |index| index.to_string());
        if key == "pattern"
            && let Some(pattern) = value.as_str()
            && nests_too_deep(pattern)
        {
            let pointer = frames
                .iter()
                .skip(1)
                .map(|(_, token)| token.as_str())
                .chain([token().as_str()])
                .fold(String::new(), |pointer, token| pointer + "/" + token);
            return Err(SchemaError {
                message: format!(
                    "the pattern nests deeper than {MAX_PATTERN_NESTING} levels of groups, \
                     classes and repetitions, the most a pattern may"
                ),
                pointer,
            });
        }
        if let Some(inner) = members(value) {
            frames.push((inner, token()));
        }
    }
    Ok(())
}

struct Generator<'a> {
    root: &'a Value,
    text: &'a dyn Fn(&str) -> String,
    budget: &'a Budget,
    nodes: Cell<usize>,
}

impl Generator<'_> {
    fn value(&self, schema: &Value, field: &str, depth: usize) -> Step<Value> {
        self.budget.spend(1)?;
        self.nodes.set(self.nodes.get() + 1);
        if self.nodes.get() > MAX_NODES {
            return Ok(Value::Null);
        }
        let Some(schema) = schema.as_object() else {
            // `true` or a missing schema: anything goes.
            return Ok(self.words(field));
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return match self.resolve(reference)? {
                Some(target) if depth < MAX_DEPTH => self.value(target, field, depth + 1),
                _ => Ok(Value::Null),
            };
        }
        if let Some(constant) = schema.get("const") {
            return self.copy(constant);
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return self.copy(first);
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            // A part may lead back here (`{"allOf": [{"$ref": "#"}]}`): depth ends that, and
            // the budget ends what the copies of such parts multiply to before it.
            if depth >= MAX_DEPTH {
                return Ok(Value::Null);
            }
            let mut merged = Map::new();
            for part in all {
                if let Some(part) = self.dereference(part)?.as_object() {
                    for (key, value) in part {
                        self.merge(&mut merged, key, self.copy(value)?)?;
                    }
                }
            }
            let mut rest = Map::new();
            for (key, value) in schema.iter().filter(|(key, _)| *key != "allOf") {
                rest.insert(key.clone(), self.copy(value)?);
            }
            for (key, value) in merged {
                self.merge(&mut rest, &key, value)?;
            }
            return self.value(&Value::Object(rest), field, depth + 1);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                return match self.pick_branch(branches, depth)? {
                    Some(branch) => self.value(branch, field, depth + 1),
                    None => Ok(Value::Null),
                };
            }
        }
        match kind(schema).as_deref() {
            Some("object") => self.object(schema, depth),
            Some("array") => self.array(schema, field, depth),
            Some("string") => self.string(schema, field),
            Some("integer") => Ok(number(schema, true)),
            Some("number") => Ok(number(schema, false)),
            Some("boolean") => Ok(Value::Bool(true)),
            Some("null") => Ok(Value::Null),
            _ if schema.contains_key("properties") => self.object(schema, depth),
            _ if schema.contains_key("items") => self.array(schema, field, depth),
            _ => Ok(self.words(field)),
        }
    }

    fn object(&self, schema: &Map<String, Value>, depth: usize) -> Step<Value> {
        let mut object = Map::new();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        self.budget.spend(required.len())?;
        let must: HashSet<&str> = required.iter().copied().collect();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                // Past the depth limit only what must be there is filled in.
                if depth >= MAX_DEPTH && !must.contains(name.as_str()) {
                    self.budget.spend(1)?;
                    continue;
                }
                object.insert(name.clone(), self.value(property, name, depth + 1)?);
            }
        }
        for name in required {
            if !object.contains_key(name) {
                object.insert(name.to_string(), self.words(name));
            }
        }
        Ok(Value::Object(object))
    }

    fn array(&self, schema: &Map<String, Value>, field: &str, depth: usize) -> Step<Value> {
        let least = bound(schema, "minItems").unwrap_or(0).min(MAX_ITEMS);
        let most = bound(schema, "maxItems").unwrap_or(u64::MAX);
        let count = if depth >= MAX_DEPTH {
            least
        } else {
            least.max(1).min(most)
        };
        let items = schema.get("items").unwrap_or(&Value::Bool(true));
        (0..count)
            .map(|_| self.value(items, field, depth + 1))
            .collect()
    }

    fn string(&self, schema: &Map<String, Value>, field: &str) -> Step<Value> {
        // A pattern wins over words: a string that matches it, when the pattern is simple enough.
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
            && let Some(text) = matching_text(pattern, self.budget)?
        {
            return Ok(Value::String(self.budget.keep_text(text)));
        }
        let format = schema.get("format").and_then(Value::as_str);
        let mut text = match format {
            Some("date-time") => crate::clock::rfc3339(crate::clock::now()),
            Some("date") => crate::clock::rfc3339(crate::clock::now())[..10].into(),
            Some("time") => crate::clock::rfc3339(crate::clock::now())[11..].into(),
            Some("email") => "persona@example.com".into(),
            Some("uri") => "https://example.com/".into(),
            Some("uuid") => "00000000-0000-4000-8000-000000000000".into(),
            Some("ipv4") => "192.0.2.1".into(),
            Some("ipv6") => "2001:db8::1".into(),
            Some("hostname") => "example.com".into(),
            Some("duration") => "PT1M".into(),
            _ => self.text_of(field),
        };
        if let Some(most) = bound(schema, "maxLength") {
            text = text.chars().take(most as usize).collect();
        }
        let least = (bound(schema, "minLength").unwrap_or(0) as usize).min(MAX_STRING_CHARS);
        let have = text.chars().count();
        if have < least {
            text.push_str(&".".repeat(least - have));
        }
        Ok(Value::String(self.budget.keep_text(text)))
    }

    /// The words for `field` as a string value.
    fn words(&self, field: &str) -> Value {
        Value::String(self.budget.keep_text(self.text_of(field)))
    }

    /// The words for `field`; none once the text of the turn is used up.
    fn text_of(&self, field: &str) -> String {
        if self.budget.text.get() == 0 {
            return String::new();
        }
        (self.text)(field)
    }

    /// A copy of `value`, paid for by its size before it is made.
    fn copy(&self, value: &Value) -> Step<Value> {
        let mut steps = 0usize;
        let left = self.budget.steps.get();
        let mut pending = vec![value];
        while let Some(node) = pending.pop() {
            steps += 1;
            match node {
                Value::String(text) => steps += text_steps(text),
                Value::Array(items) => pending.extend(items),
                Value::Object(map) => {
                    for (key, item) in map {
                        steps += text_steps(key);
                        pending.push(item);
                    }
                }
                _ => {}
            }
            if steps.saturating_add(pending.len()) > left {
                return Err(OverBudget);
            }
        }
        self.budget.spend(steps)?;
        Ok(value.clone())
    }

    /// Adds one keyword of an `allOf` part to `into`; `properties` and `required` are united.
    fn merge(&self, into: &mut Map<String, Value>, key: &str, value: Value) -> Step<()> {
        self.budget.spend(1)?;
        match (key, into.get_mut(key), value) {
            ("properties", Some(Value::Object(have)), Value::Object(more)) => have.extend(more),
            ("required", Some(Value::Array(have)), Value::Array(more)) => {
                self.budget.spend(have.len())?;
                let mut known: HashSet<String> = have
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                for name in more {
                    if name
                        .as_str()
                        .is_none_or(|name| known.insert(name.to_string()))
                    {
                        have.push(name);
                    }
                }
            }
            (_, _, value) => {
                into.insert(key.to_string(), value);
            }
        }
        Ok(())
    }

    /// The first branch that is not `null`, preferring one that ends the recursion when deep.
    fn pick_branch<'s>(&'s self, branches: &'s [Value], depth: usize) -> Step<Option<&'s Value>> {
        let mut first_null = None;
        let mut first_other = None;
        for branch in branches {
            let is_null = kind_of(self.dereference(branch)?).as_deref() == Some("null");
            if is_null && first_null.is_none() {
                first_null = Some(branch);
            } else if !is_null && first_other.is_none() {
                first_other = Some(branch);
            }
        }
        let preferred = if depth >= MAX_DEPTH {
            first_null
        } else {
            first_other
        };
        Ok(preferred.or_else(|| branches.first()))
    }

    fn dereference<'s>(&'s self, schema: &'s Value) -> Step<&'s Value> {
        Ok(match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(reference)?.unwrap_or(schema),
            None => schema,
        })
    }

    /// A local reference: `#`, `#/$defs/Name`, `#/definitions/Name` or any JSON pointer.
    fn resolve(&self, reference: &str) -> Step<Option<&Value>> {
        self.budget.spend(1 + text_steps(reference))?;
        Ok(reference
            .strip_prefix('#')
            .and_then(|pointer| self.root.pointer(pointer)))
    }
}

/// Whether a pattern's syntax nests past `MAX_PATTERN_NESTING` (parsed on the heap, however
/// deep, and only into syntax: cheap for any pattern).
fn nests_too_deep(pattern: &str) -> bool {
    let parsed = regex_syntax::ast::parse::ParserBuilder::new()
        .nest_limit(MAX_PATTERN_NESTING)
        .build()
        .parse(pattern);
    matches!(parsed, Err(error)
        if matches!(error.kind(), regex_syntax::ast::ErrorKind::NestLimitExceeded(_)))
}

/// The shortest text a regular expression matches (the first branch of an alternation that
/// can match there, the least count of a repetition), up to `MAX_STRING_CHARS`. None for a
/// pattern that does not parse (lookaround, backreferences; case-insensitive flags, which
/// JSON Schema's patterns do not have), that needs a word boundary, or whose text is too long.
/// A pattern is parsed once per budget, for a step per byte; walking it takes steps too.
fn matching_text(pattern: &str, budget: &Budget) -> Step<Option<String>> {
    budget.spend(1 + text_steps(pattern))?;
    let mut parsed = budget.patterns.borrow_mut();
    if !parsed.contains_key(pattern) {
        budget.spend(pattern.len())?;
        let hir = regex_syntax::ParserBuilder::new()
            .nest_limit(MAX_PATTERN_NESTING)
            .build()
            .parse(pattern)
            .ok();
        parsed.insert(pattern.to_string(), hir);
    }
    let Some(hir) = &parsed[pattern] else {
        return Ok(None);
    };
    let mut matched = Matched {
        text: String::new(),
        ended: false,
        steps: 0,
        steps_left: budget.steps.get(),
    };
    let written = matched.write(hir, 0);
    budget.spend(matched.steps)?;
    Ok(written.map(|()| matched.text))
}

/// The text matched so far, whether an end anchor (`$`) has matched (nothing may follow), and
/// the steps taken, which stop at `steps_left`.
struct Matched {
    text: String,
    ended: bool,
    steps: usize,
    steps_left: usize,
}

impl Matched {
    fn push(&mut self, more: &str) -> Option<()> {
        if more.is_empty() {
            return Some(());
        }
        if self.ended || self.text.len() + more.len() > MAX_STRING_CHARS {
            return None;
        }
        self.text.push_str(more);
        Some(())
    }

    /// Writes a text `hir` matches at this point; `depth` counts the nesting walked, which the
    /// parser's nesting limit bounds. Each count of a repetition writes or ends the text.
    fn write(&mut self, hir: &Hir, depth: u32) -> Option<()> {
        self.steps += 1;
        if depth > MAX_PATTERN_NESTING || self.steps > self.steps_left {
            return None;
        }
        match hir.kind() {
            HirKind::Empty => Some(()),
            HirKind::Literal(literal) => self.push(std::str::from_utf8(&literal.0).ok()?),
            HirKind::Class(Class::Unicode(class)) => {
                let ranges = class.ranges();
                // The ranges are sorted and apart: the one that may hold `c` is found by halves.
                let inside = |c: char| {
                    let at = ranges.partition_point(|range| range.end() < c);
                    ranges.get(at).is_some_and(|range| range.start() <= c)
                };
                // A common character when the class has one, else its first printable one.
                let chosen = ['a', 'A', '0', '_', 'x', ' ', '-']
                    .into_iter()
                    .find(|c| inside(*c))
                    .or_else(|| {
                        ranges.iter().find_map(|range| {
                            (range.start()..=range.end())
                                .take(256)
                                .find(|c| !c.is_control())
                        })
                    })
                    .or_else(|| ranges.first().map(|range| range.start()))?;
                self.push(chosen.encode_utf8(&mut [0; 4]))
            }
            HirKind::Class(Class::Bytes(_)) => None,
            HirKind::Look(Look::Start) => self.text.is_empty().then_some(()),
            HirKind::Look(Look::StartLF | Look::StartCRLF) => {
                (self.text.is_empty() || self.text.ends_with('\n')).then_some(())
            }
            HirKind::Look(Look::End | Look::EndLF | Look::EndCRLF) => {
                self.ended = true;
                Some(())
            }
            HirKind::Look(_) => None,
            HirKind::Repetition(repetition) => {
                for _ in 0..repetition.min {
                    let before = (self.text.len(), self.ended);
                    self.write(&repetition.sub, depth + 1)?;
                    // A count that changed nothing: so do the counts after it.
                    if (self.text.len(), self.ended) == before {
                        break;
                    }
                }
                Some(())
            }
            HirKind::Capture(capture) => self.write(&capture.sub, depth + 1),
            HirKind::Concat(parts) => parts
                .iter()
                .try_for_each(|part| self.write(part, depth + 1)),
            HirKind::Alternation(branches) => {
                let (length, ended) = (self.text.len(), self.ended);
                branches.iter().find_map(|branch| {
                    let written = self.write(branch, depth + 1);
                    if written.is_none() {
                        self.text.truncate(length);
                        self.ended = ended;
                    }
                    written
                })
            }
        }
    }
}

/// The type a schema names (the first that is not `null` when it names several).
fn kind(schema: &Map<String, Value>) -> Option<String> {
    match schema.get("type")? {
        Value::String(kind) => Some(kind.clone()),
        Value::Array(kinds) => {
            let named: Vec<&str> = kinds.iter().filter_map(Value::as_str).collect();
            named
                .iter()
                .find(|k| **k != "null")
                .or(named.first())
                .map(|k| k.to_string())
        }
        _ => None,
    }
}

fn kind_of(schema: &Value) -> Option<String> {
    schema.as_object().and_then(kind)
}

fn bound(schema: &Map<String, Value>, key: &str) -> Option<u64> {
    schema.get(key).and_then(Value::as_u64)
}

/// A number the schema allows: 1 when it may be, else one inside its bounds (the middle of
/// them when there are two, so that exclusive bounds hold), a multiple of `multipleOf`.
fn number(schema: &Map<String, Value>, integer: bool) -> Value {
    let get = |key: &str| schema.get(key).and_then(Value::as_f64);
    // Each bound as (value, exclusive); the tighter of an inclusive and an exclusive one.
    let tighter = |inclusive: Option<f64>, exclusive: Option<f64>, lower: bool| match (
        inclusive, exclusive,
    ) {
        (Some(a), Some(b)) if (lower && b >= a) || (!lower && b <= a) => Some((b, true)),
        (Some(a), _) => Some((a, false)),
        (None, Some(b)) => Some((b, true)),
        (None, None) => None,
    };
    let low = tighter(get("minimum"), get("exclusiveMinimum"), true);
    let high = tighter(get("maximum"), get("exclusiveMaximum"), false);
    let step = get("multipleOf").filter(|m| *m > 0.0);
    let allowed = |x: f64| fits(x, schema, integer);
    let mut candidates = vec![1.0];
    match (low, high) {
        (Some((lo, _)), Some((hi, _))) => candidates.push((lo + hi) / 2.0),
        (Some((lo, ex)), None) => candidates.push(if ex { lo + 1.0 } else { lo }),
        (None, Some((hi, ex))) => candidates.push(if ex { hi - 1.0 } else { hi }),
        (None, None) => {}
    }
    // Whole numbers, and multiples, near each candidate.
    let mut refined = Vec::new();
    for candidate in &candidates {
        let unit = match (step, integer) {
            (Some(m), true) if m.fract() == 0.0 => m,
            (Some(m), false) => m,
            (Some(m), true) => m * (1.0 / m).ceil(),
            (None, true) => 1.0,
            (None, false) => 0.0,
        };
        refined.push(*candidate);
        if unit > 0.0 {
            let below = (candidate / unit).floor() * unit;
            refined.extend([below, below + unit, below - unit, below + 2.0 * unit]);
        }
    }
    if let Some((lo, _)) = low {
        refined.push(lo);
    }
    if let Some((hi, _)) = high {
        refined.push(hi);
    }
    let value = refined
        .into_iter()
        .find(|x| allowed(*x))
        .or_else(|| candidates.get(1).copied())
        .unwrap_or(1.0);
    if integer {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// Whether `x` meets a schema's bounds and `multipleOf` (and is whole, for an integer).
fn fits(x: f64, schema: &Map<String, Value>, integer: bool) -> bool {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    bound("minimum").is_none_or(|v| x >= v)
        && bound("maximum").is_none_or(|v| x <= v)
        && bound("exclusiveMinimum").is_none_or(|v| x > v)
        && bound("exclusiveMaximum").is_none_or(|v| x < v)
        && bound("multipleOf")
            .filter(|m| *m > 0.0)
            .is_none_or(|m| ((x / m) - (x / m).round()).abs() < 1e-9)
        && (!integer || x.fract() == 0.0)
}

/// Whether a JSON number meets the number schema `schema`.
pub fn number_fits(value: &Value, schema: &Value) -> bool {
    match (value.as_f64(), schema.as_object()) {
        (Some(x), Some(schema)) => fits(x, schema, schema.get("type") == Some(&json!("integer"))),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instance with a budget of its own.
    fn make(schema: &Value) -> Value {
        instance(schema, &words, &Budget::default()).unwrap()
    }

    fn words(field: &str) -> String {
        if field.is_empty() {
            "words".into()
        } else {
            format!("about {field}")
        }
    }

    #[test]
    fn a_pydantic_style_schema_gets_every_field_of_the_right_type() {
        // What `client.chat.completions.parse(response_format=Model)` sends for a model with a
        // nested model, a list, an optional field, an enum and bounded numbers.
        let schema = json!({
            "type": "object",
            "properties": {
                "name": { "type": "string" },
                "age": { "type": "integer", "minimum": 18, "maximum": 99 },
                "mood": { "$ref": "#/$defs/Mood" },
                "score": { "type": "number", "exclusiveMaximum": 1 },
                "tags": { "type": "array", "items": { "type": "string" }, "minItems": 2 },
                "shop": { "$ref": "#/$defs/Shop" },
                "nickname": { "anyOf": [{ "type": "null" }, { "type": "string", "maxLength": 5 }] },
                "active": { "type": "boolean" },
            },
            "required": ["name", "age", "mood", "score", "tags", "shop", "nickname", "active"],
            "additionalProperties": false,
            "$defs": {
                "Mood": { "type": "string", "enum": ["calm", "wry"] },
                "Shop": {
                    "type": "object",
                    "properties": { "city": { "type": "string" }, "opened": { "type": "string", "format": "date" } },
                    "required": ["city", "opened"],
                    "additionalProperties": false,
                },
            },
        });
        let value = make(&schema);
        assert_eq!(value["name"], "about name");
        assert!(
            (18..=99).contains(&value["age"].as_i64().unwrap()),
            "{value}"
        );
        assert_eq!(value["mood"], "calm");
        assert!(value["score"].as_f64().unwrap() < 1.0, "{value}");
        assert_eq!(value["tags"], json!(["about tags", "about tags"]));
        assert_eq!(value["shop"]["city"], "about city");
        assert_eq!(value["shop"]["opened"].as_str().unwrap().len(), 10);
        assert_eq!(value["nickname"], "about");
        assert_eq!(value["active"], true);
        assert_eq!(value.as_object().unwrap().len(), 8);
    }

    #[test]
    fn recursive_schemas_end() {
        let schema = json!({
            "$defs": { "Node": {
                "type": "object",
                "properties": {
                    "label": { "type": "string" },
                    "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } },
                    "parent": { "anyOf": [{ "$ref": "#/$defs/Node" }, { "type": "null" }] },
                },
                "required": ["label", "children", "parent"],
            } },
            "$ref": "#/$defs/Node",
        });
        let value = make(&schema);
        assert_eq!(value["label"], "about label");
        let text = value.to_string();
        assert!(text.len() < 100_000, "{} bytes", text.len());
    }

    #[test]
    fn bounds_consts_and_all_of_are_kept() {
        let schema = json!({
            "allOf": [
                { "type": "object", "properties": { "a": { "const": 7 } }, "required": ["a"] },
                { "properties": { "b": { "type": "integer", "exclusiveMinimum": 10 } }, "required": ["b"] },
            ],
        });
        assert_eq!(make(&schema), json!({ "a": 7, "b": 11 }));
        // Exclusive bounds on both sides, multiples, and both together.
        let between = json!({ "type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.9 });
        let x = make(&between).as_f64().unwrap();
        assert!(x > 0.5 && x < 0.9, "{x}");
        let multiple = json!({ "type": "integer", "multipleOf": 7, "minimum": 10 });
        assert_eq!(make(&multiple), 14);
        let tight = json!({ "type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 5 });
        assert_eq!(make(&tight), 4);
        let short = json!({ "type": "string", "minLength": 12, "maxLength": 12 });
        assert_eq!(make(&short).as_str().unwrap().chars().count(), 12);
        assert_eq!(make(&json!({ "type": ["null", "number"] })), 1.0);
    }

    #[test]
    fn simple_patterns_get_a_matching_string() {
        let cases = [
            (r"^[A-Z]{3}$", "AAA"),
            (r"^\d{4}-\d{2}-\d{2}$", "0000-00-00"),
            (r"^[a-z0-9_-]+$", "a"),
            (r"^(?:red|green)$", "red"),
            (r"^\+?[0-9 ]{7,}$", "0000000"),
            (r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", "a@a.aa"),
            (r"^(?P<code>[A-Z]{2})-\d+$", "AA-0"),
            // Anchors hold where they are: `^` only at the start (or a line's, with `m`).
            (r"x(^|y)z$", "xyz"),
            (r"(?m)a\n^b", "a\nb"),
            (r"(?:ab){3}", "ababab"),
            (r"(?:(?:){5}a){2,}", "aa"),
        ];
        for (pattern, expected) in cases {
            let schema = json!({ "type": "string", "pattern": pattern });
            assert_eq!(make(&schema), expected, "{pattern}");
        }
        // Beyond the subset: words, as without a pattern.
        for beyond in [
            "^(?=a)a$",
            r"a^b",
            r"a$b",
            r"(?:^a){2}",
            r"\bword\b",
            "(?i)[^a]",
        ] {
            let schema = json!({ "type": "string", "pattern": beyond });
            assert_eq!(make(&schema), "words", "{beyond}");
        }
        let nested = json!({ "type": "string", "pattern": "^((a{9999}){9999}){9999}$" });
        assert_eq!(make(&nested), "words");
        for broken in ["[", "(", "a{", "a{x}", "\\", "[^]", "(?", "a)"] {
            let schema = json!({ "type": "string", "pattern": broken });
            assert!(make(&schema).is_string(), "{broken}");
        }
    }

    #[test]
    fn hostile_schemas_get_bounded_answers() {
        // A part that leads back to the whole, and self-references that would multiply.
        make(&json!({ "allOf": [{ "$ref": "#" }] }));
        let wide = json!({ "$defs": { "N": {
            "type": "object",
            "properties": { "a": { "$ref": "#/$defs/N" }, "b": { "$ref": "#/$defs/N" },
                "c": { "$ref": "#/$defs/N" }, "d": { "$ref": "#/$defs/N" } },
            "required": ["a", "b", "c", "d"] } }, "$ref": "#/$defs/N" });
        assert!(make(&wide).to_string().len() < 1_000_000);
        let many = json!({ "type": "array", "items": { "type": "integer" }, "minItems": 1_000_000_000_000_000_000u64 });
        assert_eq!(make(&many).as_array().unwrap().len(), 100);
        let long = json!({ "type": "string", "minLength": 1_000_000_000u64 });
        assert_eq!(make(&long).as_str().unwrap().len(), 10_000);
    }

    #[test]
    fn patterns_are_parsed_on_the_heap_and_refused_past_the_nesting_limit() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        let schema = json!({ "type": "object", "properties": {
            "code": { "type": "string", "pattern": deep } } });
        let error = check(&schema, &Budget::default()).unwrap_err();
        assert_eq!(error.pointer, "/properties/code/pattern");
        assert!(error.message.contains("64"), "{}", error.message);
        // Made without the check, the instance gives up on the pattern.
        assert_eq!(make(&schema).get("code"), Some(&json!("about code")));
        // Within the limit, the pattern is followed; a key with `/` is escaped in the pointer.
        let fine = format!("{}a{}", "(".repeat(20), ")".repeat(20));
        let schema = json!({ "properties": { "a/b": { "type": "string", "pattern": fine } } });
        check(&schema, &Budget::default()).unwrap();
        assert_eq!(make(&schema).get("a/b"), Some(&json!("a")));
        let schema = json!({ "items": [{ "properties": { "a/b": { "pattern": deep } } }] });
        let error = check(&schema, &Budget::default()).unwrap_err();
        assert_eq!(error.pointer, "/items/0/properties/a~1b/pattern");
        // Non-ASCII patterns.
        assert_eq!(
            make(&json!({ "type": "string", "pattern": "^ç[B-D]+$" })),
            "çB"
        );
    }

    #[test]
    fn a_self_referencing_all_of_is_refused_past_the_step_budget() {
        let parts = vec![json!({ "$ref": "#" }); 2000];
        let schema = json!({ "type": "object", "allOf": parts });
        let error = check(&schema, &Budget::default()).unwrap_err();
        assert_eq!(error.pointer, "");
        assert!(
            error.message.contains(&MAX_STEPS.to_string()),
            "{}",
            error.message
        );
        // Copies of a large `const`, and long `required` lists, are paid for as well.
        let big: Vec<Value> = (0..1000).map(|n| json!(n)).collect();
        let copies = json!({ "$defs": { "C": { "const": big } }, "type": "array", "minItems": 100,
            "items": { "type": "array", "minItems": 100, "items": { "$ref": "#/$defs/C" } } });
        assert!(check(&copies, &Budget::default()).is_err());
        let names: Vec<String> = (0..5000).map(|n| format!("f{n}")).collect();
        let required = json!({ "type": "array", "minItems": 100, "items": { "type": "object",
            "required": names } });
        assert!(check(&required, &Budget::default()).is_err());
    }

    #[test]
    fn one_budget_serves_every_schema_of_a_turn() {
        // About two thirds of the budget each: the first fits, the second does not.
        let names: Vec<String> = (0..650).map(|n| format!("f{n}")).collect();
        let schema = json!({ "type": "array", "minItems": 100, "items": { "type": "object",
            "required": names } });
        let budget = Budget::default();
        check(&schema, &budget).unwrap();
        assert!(check(&schema, &budget).is_err());
        check(&schema, &Budget::default()).unwrap();
    }

    #[test]
    fn required_fields_without_a_schema_come_in_their_order() {
        let schema = json!({ "type": "object", "required": ["zeta", "alpha", "mid", "beta"] });
        let keys: Vec<String> = make(&schema).as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["zeta", "alpha", "mid", "beta"]);
    }

    #[test]
    fn the_text_of_a_turn_is_bounded() {
        let schema = json!({ "type": "array", "minItems": 100, "items": { "type": "array",
            "minItems": 100, "items": { "type": "string", "minLength": 10_000 } } });
        let text: usize = make(&schema)
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_str)
            .map(str::len)
            .sum();
        assert_eq!(text, MAX_TEXT_BYTES);
    }
}
