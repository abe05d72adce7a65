//! The remote end of the bridge: one MCP session, whichever transport carries it (Streamable
//! HTTP or the 2024-11-05 HTTP+SSE), and what both share: dialing, logging, errors by status.

mod sse;
mod streamable;

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{RequestBuilder, Response, Url};
use serde_json::Value;

use super::jsonrpc::{self, Kind};
use super::outbox::{Log, Outbox};
use crate::client::header;
use streamable::Rejected;
pub use streamable::stateless;

/// How long a notification or a host's answer may take to be accepted.
const POST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long closing a session may take at exit.
const CLOSE_TIMEOUT: Duration = Duration::from_millis(800);

/// `--transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TransportChoice {
    /// Streamable HTTP, falling back to HTTP+SSE when the server answers 400, 404 or 405
    Auto,
    /// Streamable HTTP (protocol 2025-03-26 and later)
    StreamableHttp,
    /// The HTTP+SSE transport of protocol 2024-11-05
    Sse,
}

/// Why the remote end is not usable.
#[derive(Debug, Clone)]
pub enum LinkError {
    /// The server cannot be reached, or the connection broke: worth retrying with backoff.
    Unreachable(String),
    /// The key was refused (401, 403) or there is none: retried when the host asks again.
    Auth(String),
    /// The server no longer knows the session (404): open a new one.
    SessionGone,
    /// An answer the bridge cannot use (an error status, a foreign endpoint, a failed handshake).
    Failed(String),
    /// The host has not sent `initialize` yet.
    NotInitialized,
}

impl LinkError {
    /// A short account of the error, for logs and messages.
    pub fn detail(&self) -> String {
        match self {
            LinkError::Unreachable(text) | LinkError::Auth(text) | LinkError::Failed(text) => {
                text.clone()
            }
            LinkError::SessionGone => "the server no longer knows the session (HTTP 404)".into(),
            LinkError::NotInitialized => "the host has not sent `initialize` yet".into(),
        }
    }
}

/// Where and how to connect, with the key of this connection.
pub struct Dial<'a> {
    pub http: &'a reqwest::Client,
    pub url: &'a Url,
    pub key: Option<&'a str>,
    pub workspace: Option<&'a str>,
    pub log: &'a Log,
    pub outbox: &'a Outbox,
}

/// One MCP session.
pub struct Session {
    http: reqwest::Client,
    headers: HeaderMap,
    log: Log,
    outbox: Outbox,
    wire: Wire,
}

enum Wire {
    Streamable {
        url: Url,
        session_id: Option<String>,
        protocol_version: Option<String>,
        listener: Mutex<Option<tokio::task::AbortHandle>>,
    },
    Sse {
        endpoint: Url,
        waiters: sse::Waiters,
        reader: tokio::task::AbortHandle,
    },
}

/// Which transport a connection used, so reconnections skip the detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    StreamableHttp,
    Sse,
}

/// Opens a session with `init` (an `initialize` request) over the chosen transport. Returns the
/// session and the server's answer to `init`, which may be an error answer.
pub async fn connect(
    dial: &Dial<'_>,
    choice: TransportChoice,
    init: &Value,
    on_lost: impl FnOnce(String) + Send + 'static,
) -> Result<(Session, Value, Detected), LinkError> {
    match choice {
        TransportChoice::StreamableHttp => streamable::connect(dial, init)
            .await
            .map(|(s, v)| (s, v, Detected::StreamableHttp))
            .map_err(LinkError::from),
        TransportChoice::Sse => sse::connect(dial, init, on_lost)
            .await
            .map(|(s, v)| (s, v, Detected::Sse)),
        TransportChoice::Auto => match streamable::connect(dial, init).await {
            Err(Rejected::Status(status, detail)) if matches!(status, 400 | 404 | 405) => {
                dial.log.debug(format!(
                    "POST {} answered HTTP {status}; trying the HTTP+SSE transport",
                    dial.url
                ));
                sse::connect(dial, init, on_lost)
                    .await
                    .map_err(|err| match err {
                        LinkError::Failed(text) => LinkError::Failed(format!(
                            "{text} (and POST {} answered HTTP {status}: {detail})",
                            dial.url
                        )),
                        other => other,
                    })
                    .map(|(s, v)| (s, v, Detected::Sse))
            }
            Err(other) => Err(other.into()),
            Ok((session, answer)) => Ok((session, answer, Detected::StreamableHttp)),
        },
    }
}

/// The JSON-RPC messages in an event's data (one, or a batch).
fn parse_messages(data: &str, log: &Log) -> Vec<Value> {
    match serde_json::from_str::<Value>(data) {
        Ok(Value::Array(batch)) => batch,
        Ok(message) => vec![message],
        Err(err) => {
            log.warn(format!("ignoring a server message that is not JSON: {err}"));
            Vec::new()
        }
    }
}

impl Session {
    /// Sends a request and waits for its answer.
    pub async fn request(&self, message: &Value) -> Result<Value, LinkError> {
        match &self.wire {
            Wire::Streamable { session_id, .. } => {
                self.request_streamable(message, session_id.is_some()).await
            }
            Wire::Sse {
                endpoint, waiters, ..
            } => self.request_sse(endpoint, waiters, message).await,
        }
    }

    /// Sends a notification, or the host's answer to a server request.
    pub async fn send(&self, message: &Value) -> Result<(), LinkError> {
        match &self.wire {
            Wire::Streamable { .. } => self.send_streamable(message).await,
            Wire::Sse { endpoint, .. } => accepted(self.post_sse(endpoint, message)).await,
        }
    }

    /// Ends the session: DELETE on Streamable HTTP, closing the stream on SSE.
    pub async fn close(&self) {
        match &self.wire {
            Wire::Streamable {
                url,
                session_id,
                listener,
                ..
            } => {
                if let Some(task) = listener.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    task.abort();
                }
                if session_id.is_some() {
                    let request = self.with_session_headers(self.http.delete(url.clone()));
                    let _ = tokio::time::timeout(CLOSE_TIMEOUT, send(&self.log, request)).await;
                }
            }
            Wire::Sse {
                reader, waiters, ..
            } => {
                reader.abort();
                waiters.end("the session was closed".to_string());
            }
        }
    }

    fn with_session_headers(&self, builder: RequestBuilder) -> RequestBuilder {
        let mut builder = builder.headers(self.headers.clone());
        if let Wire::Streamable {
            session_id,
            protocol_version,
            ..
        } = &self.wire
        {
            if let Some(id) = session_id {
                builder = builder.header("Mcp-Session-Id", id);
            }
            if let Some(version) = protocol_version {
                builder = builder.header("MCP-Protocol-Version", version);
            }
        }
        builder
    }
}

/// `post`, given `POST_TIMEOUT` to be accepted.
async fn accepted<T>(post: impl Future<Output = Result<T, LinkError>>) -> Result<T, LinkError> {
    tokio::time::timeout(POST_TIMEOUT, post)
        .await
        .map_err(|_| {
            LinkError::Unreachable("the server did not accept a message within 30s".into())
        })?
}

fn base_headers(dial: &Dial<'_>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(key) = dial.key
        && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {key}"))
    {
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    if let Some(workspace) = dial.workspace
        && let Ok(value) = HeaderValue::from_str(workspace)
    {
        headers.insert("Persona-Workspace", value);
    }
    headers
}

/// Sends a request, logging it (`-v`) and its headers with the key redacted (`-vv`).
async fn send(log: &Log, request: RequestBuilder) -> Result<Response, LinkError> {
    let (client, request) = request.build_split();
    let request =
        request.map_err(|err| LinkError::Failed(format!("cannot build the request: {err}")))?;
    log.request(&request);
    let (method, url) = (request.method().clone(), request.url().clone());
    let started = std::time::Instant::now();
    match client.execute(request).await {
        Ok(response) => {
            log.debug(format!(
                "← {} {method} {} ({} ms)",
                response.status().as_u16(),
                url.path(),
                started.elapsed().as_millis()
            ));
            Ok(response)
        }
        Err(err) => Err(LinkError::Unreachable(transport_detail(&err, &url))),
    }
}

fn transport_detail(err: &reqwest::Error, url: &Url) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    if err.is_connect() {
        format!(
            "cannot connect to {}: {text}",
            url.origin().ascii_serialization()
        )
    } else {
        text
    }
}

fn status_error(status: u16, detail: &str, has_session: bool) -> LinkError {
    match status {
        401 | 403 => LinkError::Auth(format!("HTTP {status}: {detail}")),
        404 if has_session => LinkError::SessionGone,
        _ => LinkError::Failed(format!("the server answered HTTP {status}: {detail}")),
    }
}

/// An error status's body: the JSON-RPC answer with the id `key` when it is one, and a detail
/// for messages either way.
async fn refusal(response: Response, key: &str) -> (Option<Value>, String) {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let answer = serde_json::from_str::<Value>(&text).ok().filter(|json| {
        jsonrpc::kind(json) == Some(Kind::Response) && jsonrpc::id_key(&jsonrpc::id(json)) == key
    });
    (answer, detail_of(status, text))
}

/// The message of an error answer: `error.message` of JSON, else the start of the text.
async fn error_detail(response: Response) -> String {
    let status = response.status();
    detail_of(status, response.text().await.unwrap_or_default())
}

fn detail_of(status: reqwest::StatusCode, text: String) -> String {
    let reason = status.canonical_reason().unwrap_or("").to_string();
    let from_json = serde_json::from_str::<Value>(&text).ok().and_then(|json| {
        json.pointer("/error/message")
            .or_else(|| json.get("error"))
            .or_else(|| json.get("message"))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| text.trim().chars().take(300).collect());
    if text.is_empty() { reason } else { text }
}

fn is_event_stream(response: &Response) -> bool {
    header(response, "content-type").is_some_and(|t| t.starts_with("text/event-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_sort_into_errors() {
        assert!(matches!(status_error(401, "x", true), LinkError::Auth(_)));
        assert!(matches!(
            status_error(404, "x", true),
            LinkError::SessionGone
        ));
        assert!(matches!(
            status_error(404, "x", false),
            LinkError::Failed(_)
        ));
    }
}
