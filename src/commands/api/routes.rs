//! The API's routes below the base URL, as the server's OpenAPI document lists them (a test
//! compares the two): offered by shell completion of PATH, and listed in `persona api --help`.

use std::ffi::OsStr;

use clap::builder::{NonEmptyStringValueParser, PossibleValue, TypedValueParser};

/// Method and path template of every route below `/v1`.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "openapi.json"),
    ("GET", "auth/whoami"),
    ("DELETE", "auth/keys/current"),
    ("POST", "auth/device/code"),
    ("POST", "auth/device/token"),
    ("GET", "personas"),
    ("POST", "personas"),
    ("GET", "personas/{ref}"),
    ("PATCH", "personas/{ref}"),
    ("GET", "personas/{ref}/versions"),
    ("POST", "personas/{ref}/fork"),
    ("POST", "personas/{ref}/archive"),
    ("POST", "personas/{ref}/unarchive"),
    ("GET", "runs"),
    ("GET", "runs/{id}"),
    ("POST", "runs/{id}/cancel"),
    ("GET", "runs/{id}/events"),
    ("POST", "chat/conversations"),
    ("GET", "chat/conversations/{id}"),
    ("POST", "chat/conversations/{id}/messages"),
    ("GET", "openai/models"),
    ("GET", "openai/models/{model}"),
    ("POST", "openai/chat/completions"),
    ("POST", "openai/embeddings"),
    ("POST", "openai/moderations"),
    ("GET", "webhooks"),
    ("POST", "webhooks"),
    ("DELETE", "webhooks/{id}"),
    ("POST", "webhooks/{id}/test"),
    ("GET", "webhooks/listen"),
    ("GET", "webhooks/deliveries"),
    ("GET", "webhooks/deliveries/{id}"),
    ("POST", "webhooks/deliveries/{id}/replay"),
];

const EXAMPLES: &str = "\
Examples:
  persona api personas?limit=5
  persona api -X GET runs -f status=failed --jq '.data[].id'
  persona api personas --paginate --jq '.data[].slug'
  persona api webhooks/deliveries --paginate --jq '.data[] | [.id, .status] | @csv'
  persona api -X PATCH personas/the-istanbul-bookseller -F 'custom_fields[tone]=dry' -F 'custom_fields[year]=1987'
  persona api personas --input brief.json -i
  persona api runs/run_a8K2zB/events
  echo '{\"url\":\"https://example.com/hook\"}' | persona api webhooks --input -

PATH is relative to the profile's API URL (`personas`, `/v1/personas`); a full URL is taken
only on that URL's own host. -f adds a string field, -F a typed one (numbers, true, false,
null, @FILE for a file's text, @- for stdin); `key[sub]=value` nests, `key[]=value` appends.
Fields make a JSON body, or query parameters for GET (and with --input). The profile's key is
sent and never shown; a POST carries an Idempotency-Key, so it is retried like a read.

The answer is printed pretty on a terminal and compact when piped; with --jq, strings print
without quotes. An answer that is not a success is printed too, and exits with the code of
its status (401 gives 4, 404 gives 3, 409 and 412 give 5; see `persona --help`).
runs/{id}/events and webhooks/listen print one NDJSON line per event ({\"id\", \"event\",
\"data\"}) as it arrives, and resume after a drop with Last-Event-ID (-H 'Last-Event-ID: N'
starts after event N), until the stream ends or Ctrl-C.";

/// The long help: the examples, then every route.
pub fn help() -> String {
    let mut text = String::from(EXAMPLES);
    text.push_str("\n\nPaths (from the API's OpenAPI document):\n");
    for (method, path) in ROUTES {
        text.push_str(&format!("  {method:<7}{path}\n"));
    }
    text
}

/// PATH: any non-empty text, whose completions are the route templates.
#[derive(Debug, Clone, Copy)]
pub struct PathParser;

impl TypedValueParser for PathParser {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        NonEmptyStringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let mut paths: Vec<&str> = ROUTES.iter().map(|(_, path)| *path).collect();
        paths.dedup();
        Some(Box::new(paths.into_iter().map(PossibleValue::new)))
    }
}
