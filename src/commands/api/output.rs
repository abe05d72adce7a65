//! What `persona api` prints: the exchange's head with `-i` (the key redacted), the answer
//! pretty on a terminal and compact when piped (or the `--jq` filter's output), an answer that
//! is not a success with its exit code, and nothing at all with `--silent`.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};
use serde_json::Value;

use super::jq::Jq;
use crate::client::{RawAnswer, error_from_body, header, shown_header};
use crate::error::{CliError, ExitKind, Result};
use crate::output::Output;

/// The most bytes of one answer (or one page) read.
const MAX_BODY: usize = 64 * 1024 * 1024;

pub struct Printer<'a> {
    output: &'a Output,
    silent: bool,
    jq: Option<Jq>,
}

impl<'a> Printer<'a> {
    pub fn new(output: &'a Output, silent: bool, jq: Option<Jq>) -> Self {
        Printer { output, silent, jq }
    }

    /// Whether JSON is indented: on a terminal.
    pub fn pretty(&self) -> bool {
        self.output.stdout_is_terminal()
    }

    /// JSON text on stdout, as it is (control characters escaped, which keeps it the same JSON).
    pub fn json_text(&self, text: &str) {
        if !self.silent {
            self.output.text(text);
        }
    }

    /// The filter's output: exact bytes when piped, escaped on a terminal.
    fn raw(&self, bytes: &[u8]) {
        if !self.silent {
            self.output.raw(&String::from_utf8_lossy(bytes));
        }
    }

    pub fn has_filter(&self) -> bool {
        self.jq.is_some()
    }

    /// The filter's output for the JSON text `input`, printed.
    pub async fn filtered(&self, input: Vec<u8>) -> Result<()> {
        if let Some(jq) = &self.jq {
            let out = jq.apply(input, self.pretty()).await?;
            self.raw(&out);
        }
        Ok(())
    }

    /// A JSON value: indented on a terminal, one line when piped.
    pub fn value(&self, value: &Value) {
        if !self.silent {
            self.output.json_value(value);
        }
    }

    /// A body as it came: JSON pretty or compact, other text as it is, nothing when empty.
    fn body(&self, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => self.value(&value),
            Err(_) => self.raw(body),
        }
    }

    /// The request as it was sent and the head of its answer, for `-i`.
    fn head(&self, request: &reqwest::Request, response: &Response) {
        if self.silent {
            return;
        }
        self.output
            .line(format!("> {} {}", request.method(), request.url()));
        for (name, value) in request.headers() {
            self.output
                .line(format!("> {name}: {}", shown_header(name, value)));
        }
        let status = response.status();
        self.output.line(format!(
            "< {:?} {} {}",
            response.version(),
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ));
        for (name, value) in response.headers() {
            let value = value.to_str().unwrap_or("(binary)");
            self.output.line(format!("< {name}: {value}"));
        }
        self.output.line("");
    }

    /// Prints the answer of one request: its head with `include`, then the filtered or whole
    /// body of a success, or the body of a failure and its exit code.
    pub async fn answer(&self, answer: RawAnswer, include: bool) -> Result<()> {
        let RawAnswer { request, response } = answer;
        if include {
            self.head(&request, &response);
        }
        if !response.status().is_success() {
            return Err(self.failure(response).await);
        }
        if is_event_stream(&response) {
            return super::stream::print_connection(response, self).await;
        }
        let body = read_body(response).await?;
        if body.is_empty() {
            Ok(())
        } else if self.has_filter() {
            self.filtered(body).await
        } else {
            self.body(&body);
            Ok(())
        }
    }

    /// Prints the body of an answer that is not a success (not filtered: it is the error
    /// envelope), and gives the error with the exit code of its status. Under `--json` that
    /// envelope on stdout is the whole report.
    pub async fn failure(&self, response: Response) -> CliError {
        let status = response.status();
        let request_id = header(&response, "x-request-id");
        let body = match read_body(response).await {
            Ok(body) => body,
            Err(error) => return error,
        };
        self.body(&body);
        let error = api_error(status, request_id, &body);
        if self.output.json && !self.silent && !body.is_empty() {
            error.into_reported()
        } else {
            error
        }
    }
}

/// The error of an answer that is not a success, with the exit code of its status.
pub async fn error_of(response: Response) -> CliError {
    let status = response.status();
    let request_id = header(&response, "x-request-id");
    match read_body(response).await {
        Ok(body) => api_error(status, request_id, &body),
        Err(error) => error,
    }
}

fn api_error(status: StatusCode, request_id: Option<String>, body: &[u8]) -> CliError {
    let mut error = error_from_body(status, request_id, &String::from_utf8_lossy(body));
    // The hints of the other commands speak of their own flags; a refused key's still helps.
    if error.kind != ExitKind::Auth {
        error.hint = None;
    }
    error
}

/// Whether the answer is a stream of server-sent events.
pub fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("text/event-stream"))
}

/// The whole body of an answer, at most [`MAX_BODY`] bytes.
pub async fn read_body(mut response: Response) -> Result<Vec<u8>> {
    let url = response.url().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|err| {
        CliError::new(
            ExitKind::Unavailable,
            format!("the answer from {url} was cut off: {err}"),
        )
        .with_source(err)
    })? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(CliError::general(format!(
                "the answer from {url} is larger than {} MiB; stopped reading it",
                MAX_BODY / (1024 * 1024)
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
