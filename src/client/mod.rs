//! The typed client of the Persona API: one code path for every backend, with timeouts, proxy
//! support from the environment, retries (`retry`), event streams (`sse`), lists followed page
//! by page ([`every_page`]) and the error envelope.

mod raw;
pub mod retry;
pub mod sse;
pub mod webhooks;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{CliError, ExitKind, Result};
pub use crate::model::{CreatePersona, ForkPersona};
use crate::output::Output;
pub use raw::{RawAnswer, RawRequest};
use retry::{RetryPolicy, is_retryable_status};
pub use sse::{RunEvent, RunEventStream};

/// Time allowed for one ordinary request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed for a request that waits for a whole run (a blocking create or fork).
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// The most items, and the most pages, one listing gathers: a server that goes on past it (or
/// hands back a cursor it already gave) ends the listing with an error instead of filling memory.
pub const MAX_LISTED: usize = 100_000;

/// One page of a list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The items of a list: the first page, or with `follow` every page by `next_cursor` to the end.
/// `fetch` gets the page after a cursor (none for the first).
pub async fn every_page<T, F, Fut>(follow: bool, mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let mut items = Vec::new();
    let mut trail = PageTrail::new("--all");
    let mut cursor = None;
    loop {
        let page = fetch(cursor.take()).await?;
        let count = page.data.len();
        items.extend(page.data);
        match trail.next(count, page.next_cursor.filter(|_| follow))? {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

/// The pages of one list followed so far: a server that goes on past [`MAX_LISTED`] items or
/// pages, or hands back a cursor it already gave, ends the listing with an error.
pub struct PageTrail {
    items: usize,
    cursors: HashSet<String>,
    /// The flag that asked to follow every page, named in the hint.
    flag: &'static str,
}

impl PageTrail {
    pub fn new(flag: &'static str) -> Self {
        PageTrail {
            items: 0,
            cursors: HashSet::new(),
            flag,
        }
    }

    /// Counts a page of `items` items: the cursor of the next page, None after the last one,
    /// or the error past the bounds.
    pub fn next(&mut self, items: usize, next_cursor: Option<String>) -> Result<Option<String>> {
        let stop = |why: String| {
            CliError::general(format!("stopped listing: {why}")).with_hint(format!(
                "narrow the list with its filters, or list one page without {}",
                self.flag
            ))
        };
        self.items = self.items.saturating_add(items);
        if self.items > MAX_LISTED {
            return Err(stop(format!("the list goes on past {MAX_LISTED} items")));
        }
        let Some(next) = next_cursor else {
            return Ok(None);
        };
        if self.cursors.len() + 1 >= MAX_LISTED {
            return Err(stop(format!("the list goes on past {MAX_LISTED} pages")));
        }
        if !self.cursors.insert(next.clone()) {
            return Err(stop(format!(
                "the server sent the cursor `{next}` a second time"
            )));
        }
        Ok(Some(next))
    }
}

/// Query of `GET /v1/personas`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListPersonas {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
    /// Statuses separated by commas (`failed`, `queued,running`); every status when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub limit: u32,
}

/// Query of `GET /v1/runs`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListRuns {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub limit: u32,
}

/// `GET /v1/auth/whoami`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Whoami {
    pub key_id: String,
    pub mode: String,
    pub workspace: WorkspaceRef,
    pub scopes: Vec<String>,
    pub expires_at: String,
    #[serde(default)]
    pub user: Option<Value>,
    /// The person behind the key (servers that predate owners leave it out).
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct WorkspaceRef {
    pub id: String,
    pub name: String,
}

/// Body of `POST /v1/auth/device/code`.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceCodeRequest {
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

/// Answer of `POST /v1/auth/device/code`.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: u64,
    pub interval: u64,
}

/// Answer of `POST /v1/auth/device/token` once approved.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceToken {
    pub api_key: String,
    pub key_id: String,
    pub workspace: WorkspaceRef,
    pub scopes: Vec<String>,
    pub expires_at: String,
}

/// The 202 answer of an asynchronous create.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Accepted {
    pub id: String,
    pub status: String,
    pub run: RunRef,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RunRef {
    pub id: String,
}

/// A client bound to one backend, key and workspace.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
    key: Option<String>,
    workspace: Option<String>,
    output: Output,
    retry: RetryPolicy,
}

impl ApiClient {
    /// A client for `base_url` (ending in `/v1`). Refuses to send a key over plain HTTP to
    /// anything but a loopback address.
    pub fn new(
        base_url: &str,
        key: Option<String>,
        workspace: Option<String>,
        output: Output,
    ) -> Result<Self> {
        let base_url = base_url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url).map_err(|err| {
            CliError::usage(format!("`{base_url}` is not a valid API URL: {err}")).with_source(err)
        })?;
        match parsed.scheme() {
            "https" => {}
            "http" if key.is_none() || is_loopback(&parsed) => {}
            "http" => {
                return Err(CliError::usage(format!(
                    "refusing to send an API key over plain HTTP to {}",
                    parsed.host_str().unwrap_or("?")
                ))
                .with_hint("use an https:// URL; plain http is only allowed for 127.0.0.1, ::1 and localhost"));
            }
            other => {
                return Err(CliError::usage(format!(
                    "unsupported URL scheme `{other}` in {base_url}"
                )));
            }
        }
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        if parsed.scheme() == "http" {
            // Plain HTTP to this origin: no need to load the system's certificate store.
            builder = builder.tls_certs_only(Vec::new());
        }
        let http = builder
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("persona-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| {
                CliError::general(format!("cannot set up HTTP: {err}")).with_source(err)
            })?;
        Ok(ApiClient {
            http,
            base_url,
            key,
            workspace,
            output,
            retry: RetryPolicy::default(),
        })
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut builder = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(key) = &self.key {
            builder = builder.bearer_auth(key);
        }
        if let Some(workspace) = &self.workspace {
            builder = builder.header("Persona-Workspace", workspace);
        }
        builder
    }

    /// Sends the request `build` makes, retrying transient failures when `retryable`; an answer
    /// that is not a success is the error its envelope tells.
    async fn send(&self, retryable: bool, build: impl Fn() -> RequestBuilder) -> Result<Response> {
        let response = self.exchange(retryable, build).await?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(error_from_response(response).await)
        }
    }

    /// Sends the request `build` makes, retrying transient failures when `retryable`: the last
    /// answer, whatever its status, or the error of a connection that could not be made.
    async fn exchange(
        &self,
        retryable: bool,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response> {
        let mut attempt = 1;
        let mut waited = Duration::ZERO;
        loop {
            let request = build()
                .build()
                .map_err(|err| CliError::general(format!("bad request: {err}")).with_source(err))?;
            let (method, url) = (request.method().clone(), request.url().clone());
            self.log_request(&request);
            let started = Instant::now();
            let outcome = self.http.execute(request).await;
            let (reason, delay) = match outcome {
                Ok(response) => {
                    let status = response.status();
                    self.output.debug(format!(
                        "← {} {} ({} ms) {}",
                        status.as_u16(),
                        status.canonical_reason().unwrap_or(""),
                        started.elapsed().as_millis(),
                        header(&response, "x-request-id").unwrap_or_default()
                    ));
                    if status.is_success() || !(retryable && is_retryable_status(status.as_u16())) {
                        return Ok(response);
                    }
                    let retry_after = header(&response, "retry-after")
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let Some(delay) = self.next_delay(attempt, retry_after, waited) else {
                        return Ok(response);
                    };
                    let error = error_from_response(response).await;
                    let reason = match &error.code {
                        Some(code) => format!("HTTP {} {code}", status.as_u16()),
                        None => format!("HTTP {}", status.as_u16()),
                    };
                    (reason, delay)
                }
                Err(err) => {
                    let transient = err.is_connect() || err.is_timeout() || err.is_request();
                    let error = transport_error(err, &url);
                    let delay = (retryable && transient)
                        .then(|| self.next_delay(attempt, None, waited))
                        .flatten();
                    let Some(delay) = delay else {
                        return Err(error);
                    };
                    ("the connection failed".to_string(), delay)
                }
            };
            self.output.warn(format!(
                "{method} {}: {reason}; retrying in {} (attempt {} of {})",
                url.path(),
                human_duration(delay),
                attempt + 1,
                self.retry.max_attempts
            ));
            tokio::time::sleep(delay).await;
            waited += delay;
            attempt += 1;
        }
    }

    /// The pause before another attempt, or None when the retry budget is spent.
    fn next_delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        waited: Duration,
    ) -> Option<Duration> {
        self.retry
            .next_delay(attempt, retry_after, waited, rand::random())
    }

    fn log_request(&self, request: &reqwest::Request) {
        for line in request_log(request, self.output.verbose) {
            self.output.debug(line);
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, response: Response) -> Result<T> {
        let url = response.url().clone();
        response.json::<T>().await.map_err(|err| {
            CliError::general(format!("unexpected answer from {url}: {err}")).with_source(err)
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &impl Serialize,
    ) -> Result<T> {
        let response = self
            .send(true, || {
                self.request(Method::GET, path)
                    .query(query)
                    .timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `POST path` with the JSON `body`, sent once (a retry could act twice).
    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<T> {
        let response = self
            .send(false, || {
                self.request(Method::POST, path)
                    .json(body)
                    .timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `POST path` without a body (an action on what `path` names), sent once.
    async fn post_action<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        let response = self
            .send(false, || {
                self.request(Method::POST, path).timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `DELETE path`, sent once; the answer's body is not read.
    async fn delete(&self, path: &str) -> Result<()> {
        self.send(false, || {
            self.request(Method::DELETE, path).timeout(REQUEST_TIMEOUT)
        })
        .await
        .map(drop)
    }

    /// One page of a list: `query`, then the `cursor` of the page when it is not the first.
    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &impl Serialize,
        cursor: Option<String>,
    ) -> Result<Page<T>> {
        let response = self
            .send(true, || {
                let mut request = self.request(Method::GET, path).query(query);
                if let Some(cursor) = &cursor {
                    request = request.query(&[("cursor", cursor)]);
                }
                request.timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `GET /v1/auth/whoami`: the key's id, mode, workspace, scopes and expiry.
    pub async fn whoami(&self) -> Result<Whoami> {
        self.get("/auth/whoami", &()).await
    }

    /// `DELETE /v1/auth/keys/current`: revokes the key this client uses.
    pub async fn revoke_current_key(&self) -> Result<()> {
        self.delete("/auth/keys/current").await
    }

    /// `POST /v1/auth/device/code`: starts a device login.
    pub async fn start_device_login(&self, request: &DeviceCodeRequest) -> Result<DeviceCode> {
        let response = self
            .send(true, || {
                self.request(Method::POST, "/auth/device/code")
                    .json(request)
                    .timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `POST /v1/auth/device/token`: one poll of a device login. Pending, slow-down, denied and
    /// expired answers come back as errors whose `code` says which.
    pub async fn poll_device_login(&self, device_code: &str) -> Result<DeviceToken> {
        let body = serde_json::json!({ "device_code": device_code });
        self.post("/auth/device/token", &body).await
    }

    /// `POST /v1/chat/conversations`: a new conversation with a persona.
    pub async fn create_conversation(&self, persona_ref: &str) -> Result<Value> {
        let body = serde_json::json!({ "persona_id": persona_ref });
        self.post("/chat/conversations", &body).await
    }

    /// `GET /v1/chat/conversations/{id}`: the conversation with its messages.
    pub async fn get_conversation(&self, conversation_id: &str) -> Result<Value> {
        self.get(
            &format!("/chat/conversations/{}", segment(conversation_id)),
            &(),
        )
        .await
    }

    /// `POST /v1/chat/conversations/{id}/messages`: one turn, the whole reply at once.
    /// One turn; the server refuses it when the conversation is with another persona.
    pub async fn send_message(
        &self,
        conversation_id: &str,
        persona_id: &str,
        message: &str,
    ) -> Result<Value> {
        let path = format!("/chat/conversations/{}/messages", segment(conversation_id));
        let body = serde_json::json!({ "persona_id": persona_id, "message": message });
        let response = self
            .send(false, || {
                self.request(Method::POST, &path)
                    .json(&body)
                    .timeout(RUN_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// The same turn with `stream: true`: `message.delta` events, then `message.completed`.
    pub async fn send_message_stream(
        &self,
        conversation_id: &str,
        persona_id: &str,
        message: &str,
    ) -> Result<sse::ChatStream> {
        let path = format!("/chat/conversations/{}/messages", segment(conversation_id));
        let body =
            serde_json::json!({ "persona_id": persona_id, "message": message, "stream": true });
        let response = self
            .send(false, || {
                self.request(Method::POST, &path)
                    .header("Accept", "text/event-stream")
                    .json(&body)
            })
            .await?;
        Ok(sse::ChatStream::new(response))
    }

    /// `POST /v1/personas`, waiting for the run; the same `idempotency_key` on every retry.
    pub async fn create_persona(
        &self,
        body: &CreatePersona,
        idempotency_key: &str,
    ) -> Result<Value> {
        let response = self
            .send(true, || {
                self.request(Method::POST, "/personas")
                    .header("Idempotency-Key", idempotency_key)
                    .json(body)
                    .timeout(RUN_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `POST /v1/personas` with `Prefer: respond-async`: the persona and run ids at once.
    pub async fn create_persona_async(
        &self,
        body: &CreatePersona,
        idempotency_key: &str,
    ) -> Result<Accepted> {
        let response = self
            .send(true, || {
                self.request(Method::POST, "/personas")
                    .header("Idempotency-Key", idempotency_key)
                    .header("Prefer", "respond-async")
                    .json(body)
                    .timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// `POST /v1/personas?stream=true`: the run's events as they happen; the stream resumes
    /// from the run's event log if the connection drops.
    pub async fn create_persona_stream(
        &self,
        body: &CreatePersona,
        idempotency_key: &str,
    ) -> Result<RunEventStream> {
        // Settings are checked before the run is started, not after.
        sse::reconnect_budget()?;
        let response = self
            .send(true, || {
                self.request(Method::POST, "/personas?stream=true")
                    .header("Idempotency-Key", idempotency_key)
                    .header("Accept", "text/event-stream")
                    .json(body)
            })
            .await?;
        RunEventStream::from_response(self.clone(), None, response)
    }

    /// A page of personas after `cursor`, each kept as the server's JSON text (printed as is
    /// under `--json`).
    pub async fn list_personas(
        &self,
        query: &ListPersonas,
        cursor: Option<String>,
    ) -> Result<Page<Box<RawValue>>> {
        self.get_page("/personas", query, cursor).await
    }

    pub async fn get_persona(&self, reference: &str) -> Result<Value> {
        self.get(&format!("/personas/{}", segment(reference)), &())
            .await
    }

    pub async fn persona_versions(&self, reference: &str) -> Result<Page<Value>> {
        self.get(&format!("/personas/{}/versions", segment(reference)), &())
            .await
    }

    /// `PATCH` with a JSON merge patch; `if_match` is the fingerprint the change was based on.
    pub async fn patch_persona(
        &self,
        reference: &str,
        if_match: Option<&str>,
        patch: &Value,
    ) -> Result<Value> {
        let path = format!("/personas/{}", segment(reference));
        let response = self
            .send(false, || {
                let mut request = self
                    .request(Method::PATCH, &path)
                    .header("Content-Type", "application/merge-patch+json")
                    .body(patch.to_string())
                    .timeout(REQUEST_TIMEOUT);
                if let Some(fingerprint) = if_match {
                    request = request.header("If-Match", format!("\"{fingerprint}\""));
                }
                request
            })
            .await?;
        self.json(response).await
    }

    pub async fn fork_persona(
        &self,
        reference: &str,
        body: &ForkPersona,
        idempotency_key: &str,
    ) -> Result<Value> {
        let path = format!("/personas/{}/fork", segment(reference));
        let response = self
            .send(true, || {
                self.request(Method::POST, &path)
                    .header("Idempotency-Key", idempotency_key)
                    .json(body)
                    .timeout(RUN_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    pub async fn archive_persona(&self, reference: &str) -> Result<Value> {
        let path = format!("/personas/{}/archive", segment(reference));
        self.post_action(&path).await
    }

    pub async fn unarchive_persona(&self, reference: &str) -> Result<Value> {
        let path = format!("/personas/{}/unarchive", segment(reference));
        self.post_action(&path).await
    }

    /// A page of runs after `cursor`, each kept as the server's JSON text.
    pub async fn list_runs(
        &self,
        query: &ListRuns,
        cursor: Option<String>,
    ) -> Result<Page<Box<RawValue>>> {
        self.get_page("/runs", query, cursor).await
    }

    pub async fn get_run(&self, run_id: &str) -> Result<Value> {
        self.get(&format!("/runs/{}", segment(run_id)), &()).await
    }

    pub async fn cancel_run(&self, run_id: &str) -> Result<Value> {
        let path = format!("/runs/{}/cancel", segment(run_id));
        self.post_action(&path).await
    }

    /// The run's events after `since` (0 = from the start), reconnecting on any drop.
    pub fn run_events(&self, run_id: &str, since: i64) -> Result<RunEventStream> {
        RunEventStream::resume(self.clone(), run_id.to_string(), since)
    }

    pub(crate) fn output(&self) -> &Output {
        &self.output
    }
}

/// A new idempotency key for one logical request.
pub fn new_idempotency_key() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// Whether `url` names this machine: 127.0.0.0/8, ::1 or localhost.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Percent-encodes one path segment (ids, slugs and `slug@v3` stay readable).
fn segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'@') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// What `-v` shows of a request (its method and URL) and `-vv` adds (each header, the key
/// redacted).
pub fn request_log(request: &reqwest::Request, verbose: u8) -> Vec<String> {
    if verbose == 0 {
        return Vec::new();
    }
    let mut lines = vec![format!("→ {} {}", request.method(), request.url())];
    if verbose > 1 {
        for (name, value) in request.headers() {
            lines.push(format!("  {name}: {}", shown_header(name, value)));
        }
    }
    lines
}

/// A request header's value as it may be shown: the key in `Authorization` redacted.
pub fn shown_header(
    name: &reqwest::header::HeaderName,
    value: &reqwest::header::HeaderValue,
) -> String {
    if name == reqwest::header::AUTHORIZATION {
        "Bearer [redacted]".to_string()
    } else {
        value.to_str().unwrap_or("(binary)").to_string()
    }
}

/// A response header as text, when it is present and readable.
pub fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The CLI error for a non-success answer, from its error envelope when it has one.
async fn error_from_response(response: Response) -> CliError {
    let status = response.status();
    let request_id = header(&response, "x-request-id");
    let body = response.text().await.unwrap_or_default();
    error_from_body(status, request_id, &body)
}

/// The CLI error for a non-success answer of `status` whose body is `body`: the envelope's
/// message and code when the body is one, else the status alone.
pub fn error_from_body(status: StatusCode, request_id: Option<String>, body: &str) -> CliError {
    match serde_json::from_str::<Value>(body) {
        Ok(envelope) if envelope["error"].is_object() => {
            CliError::from_api(status.as_u16(), &envelope)
        }
        _ => {
            let kind = match status {
                StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::BAD_GATEWAY
                | StatusCode::GATEWAY_TIMEOUT => ExitKind::Unavailable,
                _ => ExitKind::for_api(status.as_u16(), ""),
            };
            let mut error = CliError::new(kind, format!("the server answered HTTP {status}"));
            error.request_id = request_id.map(Into::into);
            error
        }
    }
}

fn transport_error(err: reqwest::Error, url: &reqwest::Url) -> CliError {
    let origin = url.origin().ascii_serialization();
    let what = if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        let mut source: &dyn std::error::Error = &err;
        while let Some(next) = source.source() {
            source = next;
        }
        source.to_string()
    };
    CliError::new(
        ExitKind::Unavailable,
        format!("cannot reach the Persona API at {origin}: {what}"),
    )
    .with_hint("check your network and the profile's API URL (`persona auth status`)")
    .with_source(err)
}

/// `1.5s`, `12s`, `250ms`.
pub fn human_duration(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else if duration < Duration::from_secs(10) {
        format!("{:.1}s", duration.as_secs_f64())
    } else {
        format!("{}s", duration.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output() -> Output {
        Output::from_process(false, true, 0, crate::output::ColorChoice::Never)
    }

    #[test]
    fn a_key_is_never_sent_over_plain_http_to_a_remote_host() {
        let key = Some("pk_live_x".to_string());
        let err = ApiClient::new("http://api.example.com/v1", key.clone(), None, output())
            .err()
            .unwrap();
        assert_eq!(err.kind, ExitKind::Usage);
        for local in [
            "http://127.0.0.1:8787/v1",
            "http://localhost:1/v1",
            "http://[::1]:2/v1",
            "https://api.example.com/v1",
        ] {
            ApiClient::new(local, key.clone(), None, output()).unwrap();
        }
    }

    /// Pages of `size` numbered items from a list of `total`, the cursor naming the next start.
    async fn numbers(cursor: Option<String>, size: usize, total: usize) -> Result<Page<usize>> {
        let start: usize = cursor.map_or(0, |c| c.parse().unwrap());
        let end = (start + size).min(total);
        Ok(Page {
            data: (start..end).collect(),
            next_cursor: (end < total).then(|| end.to_string()),
        })
    }

    #[tokio::test]
    async fn every_page_follows_cursors_to_the_end_or_takes_the_first_page() {
        let all = every_page(true, |c| numbers(c, 7, 30)).await.unwrap();
        assert_eq!(all, (0..30).collect::<Vec<_>>());
        let first = every_page(false, |c| numbers(c, 7, 30)).await.unwrap();
        assert_eq!(first, (0..7).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn every_page_stops_past_the_bound_and_on_a_repeated_cursor() {
        let err = every_page(true, |c| numbers(c, 1000, MAX_LISTED + 1))
            .await
            .unwrap_err();
        assert!(err.message.contains("past 100000 items"), "{}", err.message);
        let err = every_page(true, |cursor: Option<String>| async move {
            let n: usize = cursor.map_or(0, |c| c.parse().unwrap());
            Ok(Page::<usize> {
                data: Vec::new(),
                next_cursor: Some((n + 1).to_string()),
            })
        })
        .await
        .unwrap_err();
        assert!(err.message.contains("past 100000 pages"), "{}", err.message);
        let mut calls = 0;
        let err = every_page(true, |_| {
            calls += 1;
            async {
                Ok(Page {
                    data: vec![1],
                    next_cursor: Some("again".to_string()),
                })
            }
        })
        .await
        .unwrap_err();
        assert_eq!(calls, 2);
        assert!(
            err.message.contains("`again` a second time"),
            "{}",
            err.message
        );
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("the-bookseller@v3"), "the-bookseller@v3");
        assert_eq!(segment("a/b?c"), "a%2Fb%3Fc");
    }
}
