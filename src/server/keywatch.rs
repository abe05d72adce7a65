//! Streams that end with their key: an event stream or MCP stream stops, after a final `error`
//! event where the stream has one, once the key that opened it is revoked or expires.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};

use super::AppState;
use super::error::ApiError;
use super::http::{Caller, RequestId};
use crate::clock;

/// How often an open stream rechecks its key in the store, where another process on the same
/// store may have revoked it; a revocation by this server ends the stream at once.
pub const RECHECK: Duration = Duration::from_secs(2);

/// The key that opened a stream, and the request that opened it.
#[derive(Debug, Clone)]
pub struct StreamKey {
    key_id: String,
    expires_at: i64,
    request_id: String,
}

impl StreamKey {
    pub fn new(caller: &Caller, request_id: &RequestId) -> Self {
        StreamKey {
            key_id: caller.key_id.clone(),
            expires_at: caller.expires_at,
            request_id: request_id.0.clone(),
        }
    }
}

/// Waits until the key can no longer be used; gives the error a request with it gets now.
pub async fn ended(state: &AppState, key: &StreamKey) -> ApiError {
    let mut revocations = state.revocations.subscribe();
    loop {
        let left = key.expires_at - clock::now();
        if left <= 0 {
            return ApiError::unauthorized(format!(
                "this API key expired at {}; the stream ended",
                clock::rfc3339(key.expires_at)
            ));
        }
        // A store that cannot be read now ends nothing: the next check may read it.
        if let Ok(false) = state.key_in_force(&key.key_id) {
            return ApiError::unauthorized("this API key was revoked; the stream ended");
        }
        let wait = RECHECK.min(Duration::from_secs(left.unsigned_abs()));
        let _ = tokio::time::timeout(wait, revocations.changed()).await;
    }
}

/// The chunks of `chunks` until they end or the key does; then, when `farewell`, one `error`
/// event whose data is the key's error envelope (code `auth.invalid_key`, as requests get).
pub fn until_key_ends(
    state: Arc<AppState>,
    key: StreamKey,
    chunks: impl Stream<Item = Bytes> + Send + 'static,
    farewell: bool,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let last: Pin<Box<dyn Future<Output = Option<Bytes>> + Send>> = Box::pin(async move {
        let error = ended(&state, &key).await;
        farewell.then(|| error_frame(&error, &key.request_id))
    });
    futures_util::stream::unfold(Some((Box::pin(chunks), last)), |open| async move {
        let (mut chunks, mut last) = open?;
        tokio::select! {
            biased;
            frame = &mut last => frame.map(|frame| (frame, None)),
            chunk = chunks.next() => chunk.map(|chunk| (chunk, Some((chunks, last)))),
        }
    })
}

/// The `error` event that ends a stream: no id, so that a client resuming by `Last-Event-ID`
/// keeps the id of the last real event.
fn error_frame(error: &ApiError, request_id: &str) -> Bytes {
    Bytes::from(format!(
        "event: error\ndata: {}\n\n",
        error.body(request_id)
    ))
}
