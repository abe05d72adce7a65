//! A JSON value that satisfies a JSON Schema, filled with a persona's words: how the offline
//! engine answers OpenAI's `response_format: json_schema` (structured outputs).
//!
//! Covers what structured outputs allow: objects, arrays, strings (with `enum`, `const`, lengths
//! and the common formats), numbers with bounds, booleans, null, `anyOf`/`oneOf`/`allOf`, and
//! `$ref` into `$defs`/`definitions`. A recursive schema stops at the first branch that needs no
//! further nesting.

use serde_json::{Map, Value, json};

/// How deep `$ref`s and nesting may go before the generator takes the shortest way out.
const MAX_DEPTH: usize = 16;
/// The most values one instance may hold: past it, what is left is null. A schema asking for
/// more (huge `minItems`, or many required self-references) gets a bounded answer.
const MAX_NODES: usize = 10_000;
/// The most items an array is given, whatever its `minItems`.
const MAX_ITEMS: u64 = 100;
/// The longest string made, whatever its `minLength`.
const MAX_STRING_CHARS: usize = 10_000;

/// Words for the strings of an instance: `text(field name)`, where the name is the property
/// the string is the value of ("" at the top or inside arrays of strings).
pub fn instance(schema: &Value, text: &dyn Fn(&str) -> String) -> Value {
    Generator {
        root: schema,
        text,
        nodes: std::cell::Cell::new(0),
    }
    .value(schema, "", 0)
}

struct Generator<'a> {
    root: &'a Value,
    text: &'a dyn Fn(&str) -> String,
    nodes: std::cell::Cell<usize>,
}

impl Generator<'_> {
    fn value(&self, schema: &Value, field: &str, depth: usize) -> Value {
        self.nodes.set(self.nodes.get() + 1);
        if self.nodes.get() > MAX_NODES {
            return Value::Null;
        }
        let Some(schema) = schema.as_object() else {
            // `true` or a missing schema: anything goes.
            return Value::String((self.text)(field));
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return match self.resolve(reference) {
                Some(target) if depth < MAX_DEPTH => self.value(target, field, depth + 1),
                _ => Value::Null,
            };
        }
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            // A part may lead back here (`{"allOf": [{"$ref": "#"}]}`): depth ends that.
            if depth >= MAX_DEPTH {
                return Value::Null;
            }
            let merged = all.iter().fold(Map::new(), |mut merged, part| {
                let part = self.dereference(part);
                merge_into(&mut merged, part);
                merged
            });
            let mut rest = schema.clone();
            rest.remove("allOf");
            merge_into(&mut rest, &Value::Object(merged));
            return self.value(&Value::Object(rest), field, depth + 1);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                return match self.pick_branch(branches, depth) {
                    Some(branch) => self.value(branch, field, depth + 1),
                    None => Value::Null,
                };
            }
        }
        match kind(schema).as_deref() {
            Some("object") => self.object(schema, depth),
            Some("array") => self.array(schema, field, depth),
            Some("string") => self.string(schema, field),
            Some("integer") => number(schema, true),
            Some("number") => number(schema, false),
            Some("boolean") => Value::Bool(true),
            Some("null") => Value::Null,
            _ if schema.contains_key("properties") => self.object(schema, depth),
            _ if schema.contains_key("items") => self.array(schema, field, depth),
            _ => Value::String((self.text)(field)),
        }
    }

    fn object(&self, schema: &Map<String, Value>, depth: usize) -> Value {
        let mut object = Map::new();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                // Past the depth limit only what must be there is filled in.
                if depth >= MAX_DEPTH && !required.contains(&name.as_str()) {
                    continue;
                }
                object.insert(name.clone(), self.value(property, name, depth + 1));
            }
        }
        for name in required {
            if !object.contains_key(name) {
                object.insert(name.to_string(), Value::String((self.text)(name)));
            }
        }
        Value::Object(object)
    }

    fn array(&self, schema: &Map<String, Value>, field: &str, depth: usize) -> Value {
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

    fn string(&self, schema: &Map<String, Value>, field: &str) -> Value {
        // A pattern wins over words: a string that matches it, when the pattern is simple enough.
        if let Some(text) = schema
            .get("pattern")
            .and_then(Value::as_str)
            .and_then(matching_text)
        {
            return Value::String(text);
        }
        let format = schema.get("format").and_then(Value::as_str);
        let mut text = match format {
            Some("date-time") => crate::server::clock::rfc3339(crate::server::clock::now()),
            Some("date") => crate::server::clock::rfc3339(crate::server::clock::now())[..10].into(),
            Some("time") => crate::server::clock::rfc3339(crate::server::clock::now())[11..].into(),
            Some("email") => "persona@example.com".into(),
            Some("uri") => "https://example.com/".into(),
            Some("uuid") => "00000000-0000-4000-8000-000000000000".into(),
            Some("ipv4") => "192.0.2.1".into(),
            Some("ipv6") => "2001:db8::1".into(),
            Some("hostname") => "example.com".into(),
            Some("duration") => "PT1M".into(),
            _ => (self.text)(field),
        };
        if let Some(most) = bound(schema, "maxLength") {
            text = text.chars().take(most as usize).collect();
        }
        let least = (bound(schema, "minLength").unwrap_or(0) as usize).min(MAX_STRING_CHARS);
        let have = text.chars().count();
        if have < least {
            text.push_str(&".".repeat(least - have));
        }
        Value::String(text)
    }

    /// The first branch that is not `null`, preferring one that ends the recursion when deep.
    fn pick_branch<'s>(&'s self, branches: &'s [Value], depth: usize) -> Option<&'s Value> {
        let not_null =
            |branch: &&Value| kind_of(self.dereference(branch)).as_deref() != Some("null");
        if depth >= MAX_DEPTH {
            return branches
                .iter()
                .find(|b| !not_null(b))
                .or_else(|| branches.first());
        }
        branches.iter().find(not_null).or_else(|| branches.first())
    }

    fn dereference<'s>(&'s self, schema: &'s Value) -> &'s Value {
        schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| self.resolve(reference))
            .unwrap_or(schema)
    }

    /// A local reference: `#`, `#/$defs/Name`, `#/definitions/Name` or any JSON pointer.
    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }
}

/// The shortest text a regular expression matches, for the common subset of patterns: literals,
/// escapes (`\d \w \s` and escaped punctuation), classes with ranges (negated too), `.`,
/// non-capturing and capturing groups, alternation (its first branch), anchors, and the
/// quantifiers `? * + {n} {n,} {n,m}`. None for anything else (lookaround, backreferences).
fn matching_text(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut at = 0;
    let text = sequence(&chars, &mut at)?;
    (at == chars.len()).then_some(text)
}

/// A sequence up to `)` or the end; at a `|`, the rest of the alternation is skipped.
fn sequence(chars: &[char], at: &mut usize) -> Option<String> {
    let mut out = String::new();
    while *at < chars.len() {
        let atom = match chars[*at] {
            ')' => break,
            '|' => {
                skip_alternatives(chars, at)?;
                break;
            }
            '^' | '$' => {
                *at += 1;
                continue;
            }
            '(' => {
                *at += 1;
                if chars.get(*at) == Some(&'?') {
                    // Only `(?:...)` and named groups `(?P<name>...)` / `(?<name>...)`.
                    match (chars.get(*at + 1), chars.get(*at + 2)) {
                        (Some(':'), _) => *at += 2,
                        (Some('P'), Some('<')) | (Some('<'), _) => {
                            while chars.get(*at) != Some(&'>') {
                                *at += 1;
                                if *at >= chars.len() {
                                    return None;
                                }
                            }
                            *at += 1;
                        }
                        _ => return None,
                    }
                }
                let inner = sequence(chars, at)?;
                if chars.get(*at) != Some(&')') {
                    return None;
                }
                *at += 1;
                inner
            }
            '[' => class(chars, at)?.to_string(),
            '\\' => {
                let escaped = *chars.get(*at + 1)?;
                *at += 2;
                match escaped {
                    'd' => "0".to_string(),
                    'w' => "a".to_string(),
                    's' => " ".to_string(),
                    'D' | 'W' | 'S' => return None,
                    c if c.is_ascii_alphanumeric() => return None,
                    c => c.to_string(),
                }
            }
            '.' => {
                *at += 1;
                "a".to_string()
            }
            '*' | '+' | '?' | '{' => return None,
            c => {
                *at += 1;
                c.to_string()
            }
        };
        let times = quantifier(chars, at)?;
        // Nested counts multiply: past the longest string made, give up on the pattern.
        if atom.len().saturating_mul(times) + out.len() > MAX_STRING_CHARS {
            return None;
        }
        out.push_str(&atom.repeat(times));
    }
    Some(out)
}

/// Skips `|branch|branch` up to the `)` or the end that closes them.
fn skip_alternatives(chars: &[char], at: &mut usize) -> Option<()> {
    let mut depth = 0usize;
    while *at < chars.len() {
        match chars[*at] {
            '\\' => *at += 1,
            '[' => {
                class(chars, at)?;
                continue;
            }
            '(' => depth += 1,
            ')' if depth == 0 => return Some(()),
            ')' => depth -= 1,
            _ => {}
        }
        *at += 1;
    }
    Some(())
}

/// One character of a `[...]` class: its first member, or for `[^...]` a common character
/// that is not a member.
fn class(chars: &[char], at: &mut usize) -> Option<char> {
    *at += 1;
    let negated = chars.get(*at) == Some(&'^');
    if negated {
        *at += 1;
    }
    let mut members: Vec<(char, char)> = Vec::new();
    let mut first = true;
    while *at < chars.len() && (chars[*at] != ']' || first) {
        first = false;
        let c = chars[*at];
        if c == '\\' {
            let escaped = *chars.get(*at + 1)?;
            *at += 1;
            match escaped {
                'd' => members.push(('0', '9')),
                'w' => members.extend([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]),
                's' => members.push((' ', ' ')),
                other => members.push((other, other)),
            }
            *at += 1;
            continue;
        }
        if chars.get(*at + 1) == Some(&'-') && chars.get(*at + 2).is_some_and(|e| *e != ']') {
            let end = chars[*at + 2];
            members.push((c, end));
            *at += 3;
            continue;
        }
        members.push((c, c));
        *at += 1;
    }
    if chars.get(*at) != Some(&']') {
        return None;
    }
    *at += 1;
    let inside = |x: char| members.iter().any(|(lo, hi)| (*lo..=*hi).contains(&x));
    if negated {
        ['a', 'A', '0', '_', 'x', ' ', '-']
            .into_iter()
            .find(|c| !inside(*c))
    } else {
        members.first().map(|(lo, _)| *lo)
    }
}

/// How many times the atom just read repeats: the least its quantifier allows.
fn quantifier(chars: &[char], at: &mut usize) -> Option<usize> {
    let times = match chars.get(*at) {
        Some('?') | Some('*') => {
            *at += 1;
            0
        }
        Some('+') => {
            *at += 1;
            1
        }
        Some('{') => {
            let close = chars[*at..].iter().position(|c| *c == '}')? + *at;
            let inside: String = chars[*at + 1..close].iter().collect();
            let least = inside.split(',').next()?.trim().parse::<usize>().ok()?;
            *at = close + 1;
            least.min(MAX_STRING_CHARS)
        }
        _ => 1,
    };
    // A lazy or possessive marker changes nothing about the shortest match.
    if matches!(chars.get(*at), Some('?') | Some('+')) && times != 1 {
        *at += 1;
    }
    Some(times)
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

/// Adds `part`'s keywords to `into`; `properties` and `required` are united.
fn merge_into(into: &mut Map<String, Value>, part: &Value) {
    let Some(part) = part.as_object() else {
        return;
    };
    for (key, value) in part {
        match (key.as_str(), into.get_mut(key), value) {
            ("properties", Some(Value::Object(have)), Value::Object(more)) => {
                for (name, property) in more {
                    have.insert(name.clone(), property.clone());
                }
            }
            ("required", Some(Value::Array(have)), Value::Array(more)) => {
                for name in more {
                    if !have.contains(name) {
                        have.push(name.clone());
                    }
                }
            }
            _ => {
                into.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let value = instance(&schema, &words);
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
        let value = instance(&schema, &words);
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
        assert_eq!(instance(&schema, &words), json!({ "a": 7, "b": 11 }));
        // Exclusive bounds on both sides, multiples, and both together.
        let between = json!({ "type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.9 });
        let x = instance(&between, &words).as_f64().unwrap();
        assert!(x > 0.5 && x < 0.9, "{x}");
        let multiple = json!({ "type": "integer", "multipleOf": 7, "minimum": 10 });
        assert_eq!(instance(&multiple, &words), 14);
        let tight = json!({ "type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 5 });
        assert_eq!(instance(&tight, &words), 4);
        let short = json!({ "type": "string", "minLength": 12, "maxLength": 12 });
        assert_eq!(
            instance(&short, &words).as_str().unwrap().chars().count(),
            12
        );
        assert_eq!(
            instance(&json!({ "type": ["null", "number"] }), &words),
            1.0
        );
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
        ];
        for (pattern, expected) in cases {
            let schema = json!({ "type": "string", "pattern": pattern });
            assert_eq!(instance(&schema, &words), expected, "{pattern}");
        }
        // Beyond the subset: words, as without a pattern.
        let lookahead = json!({ "type": "string", "pattern": "^(?=a)a$" });
        assert_eq!(instance(&lookahead, &words), "words");
        let nested = json!({ "type": "string", "pattern": "^((a{9999}){9999}){9999}$" });
        assert_eq!(instance(&nested, &words), "words");
        for broken in ["[", "(", "a{", "a{x}", "\\", "[^]", "(?", "a)"] {
            let schema = json!({ "type": "string", "pattern": broken });
            assert!(instance(&schema, &words).is_string(), "{broken}");
        }
    }

    #[test]
    fn hostile_schemas_get_bounded_answers() {
        // A part that leads back to the whole, and self-references that would multiply.
        instance(&json!({ "allOf": [{ "$ref": "#" }] }), &words);
        let wide = json!({ "$defs": { "N": {
            "type": "object",
            "properties": { "a": { "$ref": "#/$defs/N" }, "b": { "$ref": "#/$defs/N" },
                "c": { "$ref": "#/$defs/N" }, "d": { "$ref": "#/$defs/N" } },
            "required": ["a", "b", "c", "d"] } }, "$ref": "#/$defs/N" });
        assert!(instance(&wide, &words).to_string().len() < 1_000_000);
        let many = json!({ "type": "array", "items": { "type": "integer" }, "minItems": 1_000_000_000_000_000_000u64 });
        assert_eq!(instance(&many, &words).as_array().unwrap().len(), 100);
        let long = json!({ "type": "string", "minLength": 1_000_000_000u64 });
        assert_eq!(instance(&long, &words).as_str().unwrap().len(), 10_000);
    }
}
