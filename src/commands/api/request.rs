//! The request `persona api` sends, built from its flags: the method, `-f`/`-F` fields (a JSON
//! body with nested keys, or query parameters), `--input`, and `-H` headers.

use std::io::Read;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::ApiArgs;
use crate::client::RawRequest;
use crate::error::{CliError, Result};

/// The most bytes read from a file or stdin for `--input` or `-F key=@FILE`.
pub const MAX_INPUT: usize = 16 * 1024 * 1024;

/// Everything of the request but where it goes, read and checked before any connection.
pub struct Draft {
    pub method: Method,
    fields: Vec<(String, Value)>,
    headers: HeaderMap,
    input: Option<Vec<u8>>,
}

impl Draft {
    pub fn from_args(args: &ApiArgs) -> Result<Draft> {
        let mut stdin = StdinUse::default();
        let input = match &args.input {
            Some(name) => Some(read_source(name, "--input", &mut stdin)?),
            None => None,
        };
        let mut fields = Vec::new();
        for text in &args.raw_fields {
            let (key, value) = split_field(text, "-f")?;
            fields.push((key.to_string(), Value::String(value.to_string())));
        }
        for text in &args.fields {
            let (key, value) = split_field(text, "-F")?;
            fields.push((key.to_string(), typed_value(value, &mut stdin)?));
        }
        let method = match &args.method {
            Some(text) => parse_method(text)?,
            None if args.paginate => Method::GET,
            None if !fields.is_empty() || input.is_some() => Method::POST,
            None => Method::GET,
        };
        let mut headers = HeaderMap::new();
        for text in &args.headers {
            let (name, value) = parse_header(text)?;
            headers.append(name, value);
        }
        Ok(Draft {
            method,
            fields,
            headers,
            input,
        })
    }

    /// The request to `path` (below the base URL) with `query` (from PATH): fields go to the
    /// query for GET and HEAD and beside `--input`, else to a JSON body.
    pub fn at(self, path: String, mut query: Vec<(String, String)>) -> Result<RawRequest> {
        let in_query = self.input.is_some() || matches!(self.method, Method::GET | Method::HEAD);
        let body = if in_query {
            query.extend(self.fields.into_iter().map(|(key, value)| {
                let text = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                (key, text)
            }));
            self.input
        } else if self.fields.is_empty() {
            None
        } else {
            let mut body = Value::Null;
            for (key, value) in self.fields {
                place(&mut body, &key_path(&key)?, value, &key)?;
            }
            Some(body.to_string().into_bytes())
        };
        let mut headers = self.headers;
        if body.is_some() && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(RawRequest {
            method: self.method,
            path,
            query,
            headers,
            body,
        })
    }
}

/// Whether stdin was read already: it can be read only once.
#[derive(Default)]
struct StdinUse(Option<String>);

/// The bytes of a file, or of stdin for `-`, at most [`MAX_INPUT`].
fn read_source(name: &str, flag: &str, stdin: &mut StdinUse) -> Result<Vec<u8>> {
    let reader: Box<dyn Read> = if name == "-" {
        if let Some(earlier) = &stdin.0 {
            return Err(CliError::usage(format!(
                "{flag} and {earlier} both read stdin; read one of them from a file"
            )));
        }
        stdin.0 = Some(flag.to_string());
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(name).map_err(|err| {
            CliError::usage(format!("{flag}: cannot read `{name}`: {err}")).with_source(err)
        })?;
        Box::new(file)
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| {
            CliError::usage(format!("{flag}: cannot read `{name}`: {err}")).with_source(err)
        })?;
    if bytes.len() > MAX_INPUT {
        return Err(CliError::usage(format!(
            "{flag}: `{name}` is larger than {} MiB",
            MAX_INPUT / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

fn split_field<'a>(text: &'a str, flag: &str) -> Result<(&'a str, &'a str)> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key, value)),
        _ => Err(
            CliError::usage(format!("{flag} takes KEY=VALUE, not `{text}`")).with_hint(format!(
                "for example {flag} name=Ayşe or {flag} 'custom_fields[tone]=dry'"
            )),
        ),
    }
}

/// A `-F` value: true, false, null and numbers as JSON, `@FILE` as the file's text (`@-`
/// stdin), anything else as a string.
fn typed_value(text: &str, stdin: &mut StdinUse) -> Result<Value> {
    if let Some(name) = text.strip_prefix('@') {
        let flag = format!("-F …=@{name}");
        let bytes = read_source(name, &flag, stdin)?;
        return String::from_utf8(bytes)
            .map(Value::String)
            .map_err(|_| CliError::usage(format!("{flag}: `{name}` is not UTF-8 text")));
    }
    Ok(match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ => match serde_json::from_str::<serde_json::Number>(text) {
            Ok(number) => Value::Number(number),
            Err(_) => Value::String(text.to_string()),
        },
    })
}

fn parse_method(text: &str) -> Result<Method> {
    let upper = text.to_ascii_uppercase();
    let valid = !upper.is_empty() && upper.bytes().all(|b| b.is_ascii_uppercase());
    valid
        .then(|| Method::from_bytes(upper.as_bytes()).ok())
        .flatten()
        .ok_or_else(|| {
            CliError::usage(format!(
                "`{text}` is not an HTTP method; use GET, POST, PATCH, PUT or DELETE"
            ))
        })
}

/// `Name: value`; an `Authorization` header is refused, since the profile's key is sent.
fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue)> {
    let malformed = || {
        CliError::usage(format!("-H takes `Name: value`, not `{text}`"))
            .with_hint("for example -H 'If-Match: \"FINGERPRINT\"'")
    };
    let (name, value) = text.split_once(':').ok_or_else(malformed)?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| malformed())?;
    if name == AUTHORIZATION {
        return Err(CliError::usage(
            "refusing an Authorization header: persona api sends the profile's key itself, and never shows it",
        )
        .with_hint("choose the key with --profile, or with PERSONA_API_URL and PERSONA_API_KEY"));
    }
    let value = HeaderValue::from_str(value.trim()).map_err(|_| malformed())?;
    Ok((name, value))
}

/// One step into a nested key: a member, or `[]` (append to an array).
#[derive(Debug, PartialEq)]
enum Step {
    Member(String),
    Append,
}

/// `custom_fields[tone]` → `custom_fields`, `tone`; `tags[]` → `tags`, append.
fn key_path(key: &str) -> Result<Vec<Step>> {
    let malformed = || {
        CliError::usage(format!(
            "`{key}` is not a field name: write name, name[member] or name[]"
        ))
    };
    let (head, mut rest) = key.split_at(key.find('[').unwrap_or(key.len()));
    if head.is_empty() || head.contains(']') {
        return Err(malformed());
    }
    let mut steps = vec![Step::Member(head.to_string())];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(malformed)?;
        let end = inner.find(']').ok_or_else(malformed)?;
        let member = &inner[..end];
        if member.contains('[') || steps.last() == Some(&Step::Append) {
            return Err(malformed());
        }
        steps.push(if member.is_empty() {
            Step::Append
        } else {
            Step::Member(member.to_string())
        });
        rest = &inner[end + 1..];
    }
    Ok(steps)
}

/// Puts `value` at `steps` below `slot`, making the objects and arrays on the way.
fn place(slot: &mut Value, steps: &[Step], value: Value, key: &str) -> Result<()> {
    let clash = || {
        CliError::usage(format!(
            "the field `{key}` clashes with another field given before it"
        ))
    };
    match steps.split_first() {
        None if slot.is_null() => {
            *slot = value;
            Ok(())
        }
        None => Err(clash()),
        Some((Step::Member(name), rest)) => {
            if slot.is_null() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(members) = slot else {
                return Err(clash());
            };
            let member = members.entry(name.clone()).or_insert(Value::Null);
            place(member, rest, value, key)
        }
        Some((Step::Append, _)) => {
            if slot.is_null() {
                *slot = Value::Array(Vec::new());
            }
            let Value::Array(items) = slot else {
                return Err(clash());
            };
            items.push(value);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(fields: &[(&str, Value)]) -> Result<Value> {
        let mut body = Value::Null;
        for (key, value) in fields {
            place(&mut body, &key_path(key)?, value.clone(), key)?;
        }
        Ok(body)
    }

    #[test]
    fn nested_keys_build_objects_and_arrays() {
        let built = body(&[
            ("name", json!("Ayşe")),
            ("custom_fields[tone]", json!("dry")),
            ("custom_fields[year]", json!(1987)),
            ("tags[]", json!("a")),
            ("tags[]", json!("b")),
            ("a[b][c]", json!(null)),
        ])
        .unwrap();
        assert_eq!(
            built,
            json!({ "name": "Ayşe", "custom_fields": { "tone": "dry", "year": 1987 },
                    "tags": ["a", "b"], "a": { "b": { "c": null } } })
        );
    }

    #[test]
    fn malformed_and_clashing_keys_are_usage_errors() {
        for key in ["[x]", "a[b", "a]b", "a[]x", "a[][b]", "a[b[c]]"] {
            assert!(key_path(key).is_err(), "{key}");
        }
        assert!(body(&[("a", json!(1)), ("a[b]", json!(2))]).is_err());
        assert!(body(&[("a[b]", json!(1)), ("a[]", json!(2))]).is_err());
        assert!(body(&[("a", json!("x")), ("a", json!("y"))]).is_err());
    }

    #[test]
    fn typed_values_are_json_scalars_or_strings() {
        let mut stdin = StdinUse::default();
        let mut typed = |text| typed_value(text, &mut stdin).unwrap();
        assert_eq!(typed("true"), json!(true));
        assert_eq!(typed("null"), json!(null));
        assert_eq!(typed("-12"), json!(-12));
        assert_eq!(typed("0.5"), json!(0.5));
        assert_eq!(typed("007"), json!("007"));
        assert_eq!(typed("True"), json!("True"));
        assert_eq!(typed("dry"), json!("dry"));
    }

    #[test]
    fn headers_are_parsed_and_authorization_is_refused() {
        let (name, value) = parse_header("If-Match:  \"abc\" ").unwrap();
        assert_eq!(
            (name.as_str(), value.to_str().unwrap()),
            ("if-match", "\"abc\"")
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        let err = parse_header("authorization: Bearer pk_live_x").unwrap_err();
        assert!(err.message.contains("Authorization"), "{}", err.message);
        assert!(parse_method("patch").is_ok());
        assert!(parse_method("GE T").is_err());
    }
}
