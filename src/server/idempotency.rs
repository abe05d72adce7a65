//! `Idempotency-Key` for every POST that does not handle it itself (contract §10): the first
//! request with a key runs and its answer is kept for 24 h; a retry with the same key and the
//! same request gets that answer back and starts nothing new.
//!
//! Persona creation and forking keep their own, run-aware handling (a retry of an unfinished
//! create waits on the same run); this covers chat, OpenAI completions and embeddings, webhooks,
//! cancels and archives. Keys are per API key; the request is its method, path and body.

use crate::model::ErrorCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;

/// How long a retry waits for the first request with its key to be answered.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(60);
/// A stored status that means "answered with a stream", which cannot be replayed.
const STREAMED: u16 = 0;

/// A key claimed by this request: its answer is stored when it comes. A claim dropped without
/// an answer (the client went away, the handler panicked) frees the key, so a retry can run.
pub struct Claim {
    state: Arc<AppState>,
    key_id: String,
    idem_key: String,
    settled: bool,
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.settled {
            let _ = self
                .state
                .store
                .release_idempotency(&self.key_id, &self.idem_key);
        }
    }
}

/// What the request should do: run (holding a claim when it carries a key), or be answered
/// at once (a replay, or an error about the key).
pub enum Begin {
    Run(Request, Option<Claim>),
    Answer(Response),
}

/// Routes that handle the key themselves, or where it means nothing.
fn handled_elsewhere(path: &str) -> bool {
    path == "/v1/personas"
        || (path.starts_with("/v1/personas/") && path.ends_with("/fork"))
        || path.starts_with("/v1/auth/device/")
        || path.starts_with("/cli/")
        || path.starts_with("/mcp")
}

/// Headers that change what a POST does, so that they are part of "the same request".
const MEANINGFUL_HEADERS: [&str; 2] = ["persona-workspace", "x-persona-conversation-id"];

pub async fn begin(state: &Arc<AppState>, key_id: Option<&str>, request: Request) -> Begin {
    let Some(key_id) = key_id else {
        return Begin::Run(request, None);
    };
    if request.method() != Method::POST || handled_elsewhere(request.uri().path()) {
        return Begin::Run(request, None);
    }
    let Some(idem_key) = request.headers().get("idempotency-key").cloned() else {
        return Begin::Run(request, None);
    };
    let Ok(idem_key) = idem_key.to_str().map(str::to_string) else {
        return Begin::Answer(
            ApiError::invalid("the Idempotency-Key header is not valid text").into_response(),
        );
    };
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, super::MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(_) => {
            return Begin::Answer(
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::RequestTooLarge,
                    format!(
                        "the request body is over {} bytes, or was cut off",
                        super::MAX_BODY_BYTES
                    ),
                )
                .into_response(),
            );
        }
    };
    let request_hash = {
        let mut hasher = Sha256::new();
        hasher.update(parts.method.as_str().as_bytes());
        hasher.update(b" ");
        hasher.update(parts.uri.to_string().as_bytes());
        hasher.update(b"\n");
        for name in MEANINGFUL_HEADERS {
            if let Some(value) = parts.headers.get(name) {
                hasher.update(name.as_bytes());
                hasher.update(b": ");
                hasher.update(value.as_bytes());
                hasher.update(b"\n");
            }
        }
        hasher.update(&body);
        hex::encode(hasher.finalize())
    };
    let request = Request::from_parts(parts, Body::from(body));
    let started = Instant::now();
    loop {
        match state
            .store
            .claim_idempotency(key_id, &idem_key, &request_hash)
        {
            Err(err) => return Begin::Answer(ApiError::from(err).into_response()),
            Ok(None) => {
                let claim = Claim {
                    state: state.clone(),
                    key_id: key_id.to_string(),
                    idem_key,
                    settled: false,
                };
                return Begin::Run(request, Some(claim));
            }
            Ok(Some(record)) if record.request_hash != request_hash => {
                return Begin::Answer(ApiError::idempotency_conflict().into_response());
            }
            Ok(Some(record)) => match record.response {
                Some((STREAMED, _)) => {
                    return Begin::Answer(
                        ApiError::conflict(
                            ErrorCode::RequestIdempotencyConflict,
                            "the first request with this Idempotency-Key was answered with a \
                             stream, which cannot be replayed; use a new key to ask again",
                        )
                        .into_response(),
                    );
                }
                Some((status, body)) => return Begin::Answer(replay(status, body)),
                None if started.elapsed() < WAIT_FOR_FIRST => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                None => {
                    return Begin::Answer(
                        ApiError::conflict(
                            ErrorCode::RequestIdempotencyInProgress,
                            "the first request with this Idempotency-Key is still running; \
                             retry later with the same key",
                        )
                        .into_response(),
                    );
                }
            },
        }
    }
}

impl Claim {
    /// Keeps the answer for retries: a final answer (a success or the caller's own error) is
    /// stored; a rate limit or a server failure frees the key, so a retry runs the request.
    pub async fn finish(mut self, response: Response) -> Response {
        self.settled = true;
        let state = self.state.clone();
        let status = response.status();
        let streamed = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/event-stream"));
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let _ = state
                .store
                .release_idempotency(&self.key_id, &self.idem_key);
            return response;
        }
        if streamed {
            let _ = state
                .store
                .complete_idempotency(&self.key_id, &self.idem_key, STREAMED, "");
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
            let _ = state
                .store
                .release_idempotency(&self.key_id, &self.idem_key);
            return Response::from_parts(parts, Body::empty());
        };
        let text = String::from_utf8_lossy(&body);
        if state
            .store
            .complete_idempotency(&self.key_id, &self.idem_key, status.as_u16(), &text)
            .is_err()
        {
            let _ = state
                .store
                .release_idempotency(&self.key_id, &self.idem_key);
        }
        Response::from_parts(parts, Body::from(body))
    }
}

/// A stored answer (a JSON body), marked as replayed.
pub fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    replayed(response)
}

/// Marks an answer given again for a retried request (`Idempotent-Replayed: true`).
pub fn replayed(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
