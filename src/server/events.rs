//! Run event delivery: a change signal for followers in this process, and the SSE stream of
//! contract §5 (replay from the log, follow, `retry:`, keepalives, close after the terminal event).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use tokio::sync::{mpsc, watch};

use super::AppState;
use super::keywatch::{StreamKey, until_key_ends};
use crate::model::{RunEventKind, RunStatus};

/// How often a follower re-reads the store when nothing in this process signalled, so that
/// events written by another process on the same store are seen too.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Signals "the store has new run events" to every follower in this process.
pub struct EventHub {
    changes: watch::Sender<u64>,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub {
            changes: watch::channel(0).0,
        }
    }
}

impl EventHub {
    pub fn notify(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}

/// Waits for a change signal, or the poll interval, whichever comes first.
pub async fn wait_for_change(changes: &mut watch::Receiver<u64>) {
    let _ = tokio::time::timeout(POLL_INTERVAL, changes.changed()).await;
}

/// One SSE frame for a stored event.
pub fn sse_frame(seq: i64, event: &str, data: &str) -> String {
    format!("id: {seq}\nevent: {event}\ndata: {data}\n\n")
}

/// The run's events after `after` as an SSE response that follows until the terminal event,
/// or until `key` is revoked or expires.
pub fn run_event_stream(
    state: Arc<AppState>,
    key: StreamKey,
    run_id: String,
    after: i64,
) -> Response {
    let (sender, mut receiver) = mpsc::channel::<Bytes>(64);
    let pumping = state.clone();
    tokio::spawn(async move {
        let _ = pump_events(&pumping, &run_id, after, &sender).await;
    });
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    sse_response(until_key_ends(state, key, chunks, true))
}

/// An SSE answer whose body is the chunks of `chunks` as they come, until it ends (every
/// sender gone); not cached, nor buffered by a proxy.
pub fn sse_response(chunks: impl Stream<Item = Bytes> + Send + 'static) -> Response {
    let mut response = Body::from_stream(chunks.map(Ok::<_, Infallible>)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Whether the run reached a terminal status (its terminal event is then in the log).
fn run_has_ended(state: &AppState, run_id: &str) -> bool {
    state
        .store
        .run_status(run_id)
        .ok()
        .flatten()
        .is_some_and(RunStatus::is_terminal)
}

/// Writes frames until the terminal event, the reader leaving, or the server stopping.
async fn pump_events(
    state: &AppState,
    run_id: &str,
    mut last: i64,
    sender: &mpsc::Sender<Bytes>,
) -> Result<(), mpsc::error::SendError<Bytes>> {
    let mut changes = state.hub.subscribe();
    // The reconnect advice opens the block of the first event rather than a block of its own:
    // clients that only surface dispatched events (those with data) then still see it.
    sender.send(Bytes::from_static(b"retry: 2000\n")).await?;
    let mut idle = Duration::ZERO;
    loop {
        changes.borrow_and_update();
        // Read the status first: the terminal event is written with it, so a run that has
        // ended by now has all its events in what is read next.
        let ended = run_has_ended(state, run_id);
        let events = match state.store.events_after(run_id, last, 512) {
            Ok(events) => events,
            Err(_) => return Ok(()),
        };
        if events.is_empty() {
            if state.is_stopping() || ended || sender.is_closed() {
                return Ok(());
            }
            let before = tokio::time::Instant::now();
            wait_for_change(&mut changes).await;
            idle += before.elapsed();
            if idle >= state.config.keepalive {
                sender.send(Bytes::from_static(b": keepalive\n\n")).await?;
                idle = Duration::ZERO;
            }
            continue;
        }
        idle = Duration::ZERO;
        let mut chunk = String::new();
        let mut ended = false;
        for event in &events {
            chunk.push_str(&sse_frame(event.seq, &event.event, &event.data));
            last = event.seq;
            ended |= RunEventKind::parse(&event.event).is_some_and(RunEventKind::is_terminal);
        }
        sender.send(Bytes::from(chunk)).await?;
        if ended {
            return Ok(());
        }
    }
}
