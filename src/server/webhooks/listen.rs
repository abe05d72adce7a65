//! The listen stream (`GET /v1/webhooks/listen`): a workspace's events over SSE for `persona
//! webhooks listen`, each with its payload and real signature, resumable by `Last-Event-ID`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::response::Response;
use serde_json::json;
use tokio::sync::mpsc;

use super::{TEST_EVENT, payload};
use crate::clock;
use crate::model::signature;
use crate::server::AppState;
use crate::server::events::{sse_frame, sse_response, wait_for_change};
use crate::server::keywatch::{StreamKey, until_key_ends};
use crate::server::store::{OutboxEvent, WebhookEndpoint};

/// Events of the workspace after the outbox position `after`, as an SSE response: first a
/// `listen.ready` frame (id `after`) with the endpoint and its secret, then one frame per event
/// that `events` wants (all when empty), id = outbox sequence number, until the server stops
/// or `key` is revoked or expires.
pub fn stream(
    state: Arc<AppState>,
    key: StreamKey,
    endpoint: WebhookEndpoint,
    after: i64,
    resumed: bool,
    events: Vec<String>,
) -> Response {
    let (sender, mut receiver) = mpsc::channel::<Bytes>(16);
    let pumping = state.clone();
    tokio::spawn(async move {
        let listener = Listener {
            state: &pumping,
            endpoint: &endpoint,
            events: &events,
        };
        let _ = listener.pump(after, resumed, &sender).await;
    });
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    sse_response(until_key_ends(state, key, chunks, true))
}

struct Listener<'a> {
    state: &'a AppState,
    endpoint: &'a WebhookEndpoint,
    events: &'a [String],
}

impl Listener<'_> {
    /// Writes frames until the reader leaves or the server stops.
    async fn pump(
        &self,
        mut last: i64,
        resumed: bool,
        sender: &mpsc::Sender<Bytes>,
    ) -> Result<(), mpsc::error::SendError<Bytes>> {
        let ready = json!({
            "endpoint_id": self.endpoint.id,
            "secret": self.endpoint.secret,
            "events": self.events,
            "after": last,
            "resumed": resumed,
        });
        let opening = format!(
            "retry: 2000\n{}",
            sse_frame(last, "listen.ready", &ready.to_string())
        );
        sender.send(Bytes::from(opening)).await?;
        let mut changes = self.state.hub.subscribe();
        let mut idle = Duration::ZERO;
        loop {
            changes.borrow_and_update();
            if self.state.is_stopping() || sender.is_closed() {
                return Ok(());
            }
            let Ok(batch) =
                self.state
                    .store
                    .workspace_events_after(&self.endpoint.workspace_id, last, 256)
            else {
                return Ok(());
            };
            if let Some(newest) = batch.last() {
                last = newest.seq;
                let chunk: String = batch
                    .iter()
                    .filter(|event| self.wants(event))
                    .map(|event| self.frame(event))
                    .collect();
                if !chunk.is_empty() {
                    sender.send(Bytes::from(chunk)).await?;
                    idle = Duration::ZERO;
                }
                continue;
            }
            let before = tokio::time::Instant::now();
            wait_for_change(&mut changes).await;
            idle += before.elapsed();
            if idle >= self.state.config.keepalive {
                sender.send(Bytes::from_static(b": keepalive\n\n")).await?;
                idle = Duration::ZERO;
            }
        }
    }

    /// A test event goes only to the endpoint it was sent to; others as the filter says.
    fn wants(&self, event: &OutboxEvent) -> bool {
        if event.kind == TEST_EVENT {
            return event.data["endpoint_id"] == self.endpoint.id.as_str();
        }
        self.events.is_empty() || self.events.contains(&event.kind)
    }

    /// The frame of one event: its payload, and the signature a delivery would carry now.
    fn frame(&self, event: &OutboxEvent) -> String {
        let body = payload(event);
        let data = json!({
            "id": event.id,
            "type": event.kind,
            "signature": signature::sign(&self.endpoint.secret, clock::now(), body.as_bytes()),
            "body": body,
        });
        sse_frame(event.seq, &event.kind, &data.to_string())
    }
}
