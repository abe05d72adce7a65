//! The remote end of the bridge: an MCP session over Streamable HTTP (`Mcp-Session-Id`) or the
//! 2024-11-05 HTTP+SSE transport, and the sessionless requests of the stateless era.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::{Stream, StreamExt};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, Url};
use serde_json::Value;
use tokio::sync::oneshot;

use super::jsonrpc::{self, Kind};
use super::outbox::{Log, Outbox};
use crate::client::sse;

/// How long the first event of an SSE stream (`endpoint`) may take.
const ENDPOINT_WAIT: Duration = Duration::from_secs(10);
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
        waiters: Waiters,
        reader: tokio::task::AbortHandle,
    },
}

/// Where each request waiting on an SSE stream gets its answer, by id.
type Pending = HashMap<String, oneshot::Sender<Value>>;

/// Requests waiting for their answer on an SSE stream, by id; `None` once the stream has ended,
/// with the reason kept beside it.
#[derive(Clone)]
struct Waiters {
    open: Arc<Mutex<Option<Pending>>>,
    ended: Arc<OnceLock<String>>,
}

impl Waiters {
    fn new() -> Self {
        Waiters {
            open: Arc::new(Mutex::new(Some(HashMap::new()))),
            ended: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn end(&self, reason: String) {
        let _ = self.ended.set(reason);
        self.lock().take();
    }

    fn reason(&self) -> String {
        self.ended
            .get()
            .cloned()
            .unwrap_or_else(|| "the event stream ended".to_string())
    }
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
        TransportChoice::StreamableHttp => streamable_connect(dial, init)
            .await
            .map(|(s, v)| (s, v, Detected::StreamableHttp))
            .map_err(LinkError::from),
        TransportChoice::Sse => sse_connect(dial, init, on_lost)
            .await
            .map(|(s, v)| (s, v, Detected::Sse)),
        TransportChoice::Auto => match streamable_connect(dial, init).await {
            Err(Rejected::Status(status, detail)) if matches!(status, 400 | 404 | 405) => {
                dial.log.debug(format!(
                    "POST {} answered HTTP {status}; trying the HTTP+SSE transport",
                    dial.url
                ));
                sse_connect(dial, init, on_lost)
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

/// A failed Streamable HTTP handshake, keeping the status that decides the SSE fallback.
enum Rejected {
    Status(u16, String),
    Link(LinkError),
}

impl From<Rejected> for LinkError {
    fn from(rejected: Rejected) -> Self {
        match rejected {
            Rejected::Status(status, detail) => status_error(status, &detail, false),
            Rejected::Link(err) => err,
        }
    }
}

impl From<LinkError> for Rejected {
    fn from(err: LinkError) -> Self {
        Rejected::Link(err)
    }
}

async fn streamable_connect(dial: &Dial<'_>, init: &Value) -> Result<(Session, Value), Rejected> {
    let headers = base_headers(dial);
    let mut session = Session {
        http: dial.http.clone(),
        headers,
        log: dial.log.clone(),
        outbox: dial.outbox.clone(),
        wire: Wire::Streamable {
            url: dial.url.clone(),
            session_id: None,
            protocol_version: None,
            listener: Mutex::new(None),
        },
    };
    let response = session.post_streamable(init).await?;
    let status = response.status();
    if !status.is_success() {
        let key = jsonrpc::id_key(&jsonrpc::id(init));
        let (answer, detail) = refusal(response, &key).await;
        return match answer {
            // The server refused the handshake itself (an unsupported version, say): the host
            // gets that answer as it is.
            Some(answer) if !matches!(status.as_u16(), 401 | 403) => Ok((session, answer)),
            _ => Err(Rejected::Status(status.as_u16(), detail)),
        };
    }
    let session_id = header(&response, "mcp-session-id");
    let answer = session.read_answer(response, init).await?;
    let protocol_version = answer
        .pointer("/result/protocolVersion")
        .and_then(Value::as_str)
        .map(str::to_string);
    session.log.debug(format!(
        "Streamable HTTP session {} (protocol {})",
        session_id.as_deref().unwrap_or("without an id"),
        protocol_version.as_deref().unwrap_or("?")
    ));
    session.wire = Wire::Streamable {
        url: dial.url.clone(),
        session_id,
        protocol_version,
        listener: Mutex::new(None),
    };
    Ok((session, answer))
}

/// Sends a request of the stateless era (2026-07-28) and waits for its answer: no session; the
/// version, method and name go in headers as well as in the body.
pub async fn stateless(dial: &Dial<'_>, request: &Value) -> Result<Value, LinkError> {
    let session = Session {
        http: dial.http.clone(),
        headers: base_headers(dial),
        log: dial.log.clone(),
        outbox: dial.outbox.clone(),
        wire: Wire::Streamable {
            url: dial.url.clone(),
            session_id: None,
            protocol_version: None,
            listener: Mutex::new(None),
        },
    };
    session.request(request).await
}

/// The `_meta` key that makes a request self-describing (the stateless era).
pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

/// The headers a stateless request repeats from its body: `MCP-Protocol-Version`,
/// `Mcp-Method`, and `Mcp-Name` for the methods that name something.
fn stateless_headers(message: &Value) -> Vec<(&'static str, String)> {
    let Some(version) = message
        .pointer("/params/_meta")
        .and_then(|meta| meta.get(META_VERSION))
        .and_then(Value::as_str)
    else {
        return Vec::new();
    };
    let method = message["method"].as_str().unwrap_or_default();
    let mut headers = vec![
        ("MCP-Protocol-Version", header_value(version)),
        ("Mcp-Method", header_value(method)),
    ];
    let named = match method {
        "tools/call" | "prompts/get" => message.pointer("/params/name"),
        "resources/read" => message.pointer("/params/uri"),
        _ => None,
    };
    if let Some(name) = named.and_then(Value::as_str) {
        headers.push(("Mcp-Name", header_value(name)));
    }
    headers
}

/// A header value as the MCP specification writes one: printable ASCII as it is, anything else
/// as `=?base64?...?=`.
fn header_value(text: &str) -> String {
    let printable = text.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let sentinel = text.starts_with("=?base64?") && text.ends_with("?=");
    if printable && text == text.trim() && !sentinel {
        return text.to_string();
    }
    format!("=?base64?{}?=", STANDARD.encode(text))
}

/// The SSE URLs to try for `url`: itself when it ends in `/sse`, else `<url>/sse`, then `url`.
fn sse_urls(url: &Url) -> Vec<Url> {
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/sse") {
        return vec![url.clone()];
    }
    let mut sse = url.clone();
    sse.set_path(&format!("{path}/sse"));
    vec![sse, url.clone()]
}

async fn sse_connect(
    dial: &Dial<'_>,
    init: &Value,
    on_lost: impl FnOnce(String) + Send + 'static,
) -> Result<(Session, Value), LinkError> {
    let headers = base_headers(dial);
    let mut refusals = Vec::new();
    for sse_url in sse_urls(dial.url) {
        let request = dial
            .http
            .get(sse_url.clone())
            .headers(headers.clone())
            .header(ACCEPT, "text/event-stream");
        let response = send(dial.log, request).await?;
        let status = response.status();
        if matches!(status.as_u16(), 404 | 405) {
            refusals.push(format!("GET {sse_url} answered HTTP {}", status.as_u16()));
            continue;
        }
        if !status.is_success() {
            let detail = error_detail(response).await;
            return Err(status_error(status.as_u16(), &detail, false));
        }
        let mut events = sse::Connection::open(response);
        let endpoint = tokio::time::timeout(ENDPOINT_WAIT, first_endpoint(&mut events))
            .await
            .map_err(|_| {
                LinkError::Unreachable(format!(
                    "GET {sse_url} sent no `endpoint` event within {}s",
                    ENDPOINT_WAIT.as_secs()
                ))
            })??;
        let endpoint = sse_url.join(endpoint.trim()).map_err(|err| {
            LinkError::Failed(format!("the SSE endpoint `{endpoint}` is not a URL: {err}"))
        })?;
        if endpoint.origin() != sse_url.origin() {
            return Err(LinkError::Failed(format!(
                "refusing the SSE endpoint {endpoint}: it is not on the origin of {sse_url}"
            )));
        }
        dial.log
            .debug(format!("SSE session: messages go to {endpoint}"));
        let waiters = Waiters::new();
        let reader = tokio::spawn(read_sse(
            events,
            waiters.clone(),
            dial.outbox.clone(),
            dial.log.clone(),
            on_lost,
        ))
        .abort_handle();
        let session = Session {
            http: dial.http.clone(),
            headers,
            log: dial.log.clone(),
            outbox: dial.outbox.clone(),
            wire: Wire::Sse {
                endpoint,
                waiters,
                reader,
            },
        };
        let answer = match session.request(init).await {
            Ok(answer) => answer,
            Err(err) => {
                session.close().await;
                return Err(err);
            }
        };
        return Ok((session, answer));
    }
    Err(LinkError::Failed(format!(
        "no MCP transport answered: {}",
        refusals.join("; ")
    )))
}

async fn first_endpoint<S, E>(events: &mut S) -> Result<String, LinkError>
where
    S: Stream<Item = Result<eventsource_stream::Event, E>> + Unpin,
    E: std::fmt::Display,
{
    while let Some(event) = events.next().await {
        let event = event
            .map_err(|err| LinkError::Unreachable(format!("the event stream broke: {err}")))?;
        if event.event == "endpoint" {
            return Ok(event.data);
        }
    }
    Err(LinkError::Unreachable(
        "the event stream ended before its `endpoint` event".to_string(),
    ))
}

/// Hands each `message` event to its waiter, or to the host; at the end, fails the waiters and
/// reports the loss.
async fn read_sse<S, E>(
    mut events: S,
    waiters: Waiters,
    outbox: Outbox,
    log: Log,
    on_lost: impl FnOnce(String),
) where
    S: Stream<Item = Result<eventsource_stream::Event, E>> + Unpin,
    E: std::fmt::Display,
{
    let reason = loop {
        match events.next().await {
            None => break "the server closed the event stream".to_string(),
            Some(Err(err)) => break format!("the event stream broke: {err}"),
            Some(Ok(event)) => {
                if !(event.event == "message" || event.event.is_empty()) || event.data.is_empty() {
                    continue;
                }
                for message in parse_messages(&event.data, &log) {
                    let waiter = match jsonrpc::kind(&message) {
                        Some(Kind::Response) => waiters
                            .lock()
                            .as_mut()
                            .and_then(|open| open.remove(&jsonrpc::id_key(&jsonrpc::id(&message)))),
                        _ => None,
                    };
                    match waiter {
                        Some(waiter) => {
                            let _ = waiter.send(message);
                        }
                        None => outbox.send(message),
                    }
                }
            }
        }
    };
    log.debug(format!("SSE stream ended: {reason}"));
    waiters.end(reason.clone());
    on_lost(reason);
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
                let response = self.post_streamable(message).await?;
                let status = response.status();
                if !status.is_success() {
                    let key = jsonrpc::id_key(&jsonrpc::id(message));
                    let (answer, detail) = refusal(response, &key).await;
                    return match answer {
                        Some(answer) if !matches!(status.as_u16(), 401 | 403) => Ok(answer),
                        _ => Err(status_error(status.as_u16(), &detail, session_id.is_some())),
                    };
                }
                self.read_answer(response, message).await
            }
            Wire::Sse {
                endpoint, waiters, ..
            } => {
                let key = jsonrpc::id_key(&jsonrpc::id(message));
                let (sender, receiver) = oneshot::channel();
                match waiters.lock().as_mut() {
                    Some(open) => open.insert(key.clone(), sender),
                    None => return Err(LinkError::Unreachable(waiters.reason())),
                };
                if let Err(err) = self.post_sse(endpoint, message).await {
                    if let Some(open) = waiters.lock().as_mut() {
                        open.remove(&key);
                    }
                    return Err(err);
                }
                receiver
                    .await
                    .map_err(|_| LinkError::Unreachable(waiters.reason()))
            }
        }
    }

    /// Sends a notification, or the host's answer to a server request.
    pub async fn send(&self, message: &Value) -> Result<(), LinkError> {
        match &self.wire {
            Wire::Streamable { .. } => {
                let response = tokio::time::timeout(POST_TIMEOUT, self.post_streamable(message))
                    .await
                    .map_err(|_| {
                        LinkError::Unreachable(
                            "the server did not accept a message within 30s".into(),
                        )
                    })??;
                let status = response.status();
                if !status.is_success() {
                    let detail = error_detail(response).await;
                    return Err(status_error(status.as_u16(), &detail, true));
                }
                // A server may answer with a stream even here; whatever comes goes to the host.
                if is_event_stream(&response) {
                    self.forward_stream(response, None).await?;
                }
                Ok(())
            }
            Wire::Sse { endpoint, .. } => {
                tokio::time::timeout(POST_TIMEOUT, self.post_sse(endpoint, message))
                    .await
                    .map_err(|_| {
                        LinkError::Unreachable(
                            "the server did not accept a message within 30s".into(),
                        )
                    })?
            }
        }
    }

    /// Opens the Streamable HTTP GET stream for messages the server starts; a server without
    /// one (405) is fine.
    pub fn listen(&self) {
        let Wire::Streamable { url, listener, .. } = &self.wire else {
            return;
        };
        let request = self
            .with_session_headers(self.http.get(url.clone()))
            .header(ACCEPT, "text/event-stream");
        let (log, outbox) = (self.log.clone(), self.outbox.clone());
        let task = tokio::spawn(async move {
            let response = match send(&log, request).await {
                Ok(response) if response.status().is_success() => response,
                Ok(response) => {
                    log.debug(format!(
                        "no server-initiated stream (HTTP {})",
                        response.status().as_u16()
                    ));
                    return;
                }
                Err(err) => {
                    log.debug(format!("no server-initiated stream: {}", err.detail()));
                    return;
                }
            };
            let mut events = sse::Connection::open(response);
            while let Some(Ok(event)) = events.next().await {
                if !event.data.is_empty() {
                    for message in parse_messages(&event.data, &log) {
                        outbox.send(message);
                    }
                }
            }
            log.debug("the server-initiated stream ended");
        });
        let previous = listener
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(task.abort_handle());
        if let Some(previous) = previous {
            previous.abort();
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

    async fn post_streamable(&self, message: &Value) -> Result<Response, LinkError> {
        let Wire::Streamable { url, .. } = &self.wire else {
            unreachable!("a Streamable HTTP post on an SSE session");
        };
        self.log.body("→", message);
        let mut request = self
            .with_session_headers(self.http.request(Method::POST, url.clone()))
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in stateless_headers(message) {
            request = request.header(name, value);
        }
        send(&self.log, request.body(message.to_string())).await
    }

    async fn post_sse(&self, endpoint: &Url, message: &Value) -> Result<(), LinkError> {
        self.log.body("→", message);
        let request = self
            .http
            .post(endpoint.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(message.to_string());
        let response = send(&self.log, request).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let detail = error_detail(response).await;
        Err(status_error(status.as_u16(), &detail, true))
    }

    /// The answer to `request` in a Streamable HTTP response (JSON, or an event stream whose
    /// other messages go to the host).
    async fn read_answer(&self, response: Response, request: &Value) -> Result<Value, LinkError> {
        let key = jsonrpc::id_key(&jsonrpc::id(request));
        if is_event_stream(&response) {
            return self
                .forward_stream(response, Some(&key))
                .await?
                .ok_or_else(|| {
                    LinkError::Unreachable(
                        "the server ended the response stream before answering".to_string(),
                    )
                });
        }
        let body = response
            .bytes()
            .await
            .map_err(|err| LinkError::Unreachable(format!("the answer broke off: {err}")))?;
        let text = String::from_utf8_lossy(&body);
        let mut answer = None;
        for message in parse_messages(&text, &self.log) {
            if answer.is_none() && jsonrpc::id_key(&jsonrpc::id(&message)) == key {
                answer = Some(message);
            } else {
                self.outbox.send(message);
            }
        }
        let answer = answer.ok_or_else(|| {
            LinkError::Failed("the server's answer did not carry the request's id".to_string())
        })?;
        self.log.body("←", &answer);
        Ok(answer)
    }

    /// Reads an event stream, handing messages to the host, until the answer with `key`.
    async fn forward_stream(
        &self,
        response: Response,
        key: Option<&str>,
    ) -> Result<Option<Value>, LinkError> {
        let mut events = sse::Connection::open(response);
        while let Some(event) = events.next().await {
            let event = event
                .map_err(|err| LinkError::Unreachable(format!("the answer stream broke: {err}")))?;
            if event.data.is_empty() {
                continue;
            }
            for message in parse_messages(&event.data, &self.log) {
                let is_answer = jsonrpc::kind(&message) == Some(Kind::Response)
                    && Some(jsonrpc::id_key(&jsonrpc::id(&message)).as_str()) == key;
                if is_answer {
                    self.log.body("←", &message);
                    return Ok(Some(message));
                }
                self.outbox.send(message);
            }
        }
        Ok(None)
    }
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

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn is_event_stream(response: &Response) -> bool {
    header(response, "content-type").is_some_and(|t| t.starts_with("text/event-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_urls_follow_the_url() {
        let urls = |u: &str| -> Vec<String> {
            sse_urls(&Url::parse(u).unwrap())
                .iter()
                .map(Url::to_string)
                .collect()
        };
        assert_eq!(
            urls("http://127.0.0.1:8787/mcp"),
            ["http://127.0.0.1:8787/mcp/sse", "http://127.0.0.1:8787/mcp"]
        );
        assert_eq!(
            urls("https://mcp.persona.dev/sse"),
            ["https://mcp.persona.dev/sse"]
        );
    }

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

    #[test]
    fn stateless_requests_repeat_their_body_in_headers() {
        let call = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "persona.search", "_meta": {META_VERSION: "2026-07-28"}}});
        assert_eq!(
            stateless_headers(&call),
            [
                ("MCP-Protocol-Version", "2026-07-28".to_string()),
                ("Mcp-Method", "tools/call".to_string()),
                ("Mcp-Name", "persona.search".to_string()),
            ]
        );
        let session = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        assert!(stateless_headers(&session).is_empty());
        assert_eq!(
            header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(header_value(" x"), "=?base64?IHg=?=");
    }
}
