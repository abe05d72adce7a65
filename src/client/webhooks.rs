//! The webhook endpoints of the API for `persona webhooks`, and the listen stream: reconnected
//! with `Last-Event-ID` after a drop or a sleep of the computer, so that no event is lost.

use std::time::Duration;

use eventsource_stream::Event;
use reqwest::Response;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::sse::{Backoff, Lost, Outage, Reconnecting, Source, Step};
use super::{ApiClient, Page, human_duration, segment};
use crate::error::{CliError, ExitKind, Result};

/// The pause between attempts: up to 8 times the `retry:` advice, at most 5 s.
const BACKOFF: Backoff = Backoff {
    doublings: 3,
    max: Duration::from_secs(5),
};
/// How often a reconnection that keeps failing says so.
const STILL_TRYING_EVERY: Duration = Duration::from_secs(60);

/// Body of `POST /v1/webhooks`.
#[derive(Debug, Clone, Serialize)]
pub struct CreateWebhook {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Query of `GET /v1/webhooks/deliveries`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListDeliveries {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    pub limit: u32,
}

impl ApiClient {
    /// `POST /v1/webhooks`: the endpoint, with its secret (shown this once).
    pub async fn create_webhook(&self, body: &CreateWebhook) -> Result<Value> {
        self.post("/webhooks", body).await
    }

    /// A page of endpoints after `cursor`, newest first, each kept as the server's JSON text.
    pub async fn list_webhooks(
        &self,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<Page<Box<RawValue>>> {
        self.get_page("/webhooks", &[("limit", limit)], cursor)
            .await
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<()> {
        let path = format!("/webhooks/{}", segment(id));
        self.delete(&path).await
    }

    /// `POST /v1/webhooks/{id}/test`: `{event_id, type, endpoint_id, delivery_id}`.
    pub async fn test_webhook(&self, id: &str) -> Result<Value> {
        let path = format!("/webhooks/{}/test", segment(id));
        self.post_action(&path).await
    }

    /// A page of deliveries after `cursor`, newest first, each kept as the server's JSON text.
    pub async fn list_deliveries(
        &self,
        query: &ListDeliveries,
        cursor: Option<String>,
    ) -> Result<Page<Box<RawValue>>> {
        self.get_page("/webhooks/deliveries", query, cursor).await
    }

    pub async fn get_delivery(&self, id: &str) -> Result<Value> {
        self.get(&format!("/webhooks/deliveries/{}", segment(id)), &())
            .await
    }

    /// `POST /v1/webhooks/deliveries/{id}/replay`: the new delivery of the same event.
    pub async fn replay_delivery(&self, id: &str) -> Result<Value> {
        let path = format!("/webhooks/deliveries/{}/replay", segment(id));
        self.post_action(&path).await
    }

    /// The workspace's events from now on, or after position `after` (only `events` when not
    /// empty), as they happen.
    pub fn listen_webhooks(&self, events: &[String], after: Option<i64>) -> ListenStream {
        ListenStream {
            sse: Reconnecting::new(BACKOFF),
            source: ListenSource {
                client: self.clone(),
                events: events.join(","),
                last_id: after,
                connected: false,
                next_notice: STILL_TRYING_EVERY,
            },
        }
    }
}

/// What the listen stream gives.
#[derive(Debug, Clone)]
pub enum ListenItem {
    /// A connection is open, the first one or one restored after a drop.
    Connected(ListenSession),
    /// An event, with the exact body and signature header a delivery carries.
    Event(ListenEvent),
}

#[derive(Debug, Clone)]
pub struct ListenSession {
    pub endpoint_id: String,
    /// The signing secret of the listen endpoint (`whsec_...`).
    pub secret: String,
    /// The position the stream starts after.
    pub after: i64,
    /// Whether this connection resumes an earlier one.
    pub resumed: bool,
    /// The event's data as the server sent it (JSON text).
    pub data: String,
}

#[derive(Debug, Clone)]
pub struct ListenEvent {
    /// The event's position in the stream (its SSE id).
    pub seq: i64,
    /// `evt_...`.
    pub id: String,
    pub kind: String,
    /// The `Persona-Signature` value.
    pub signature: String,
    pub body: String,
    /// The event's data as the server sent it (JSON text).
    pub data: String,
}

/// The reconnecting, deduplicating listen stream.
pub struct ListenStream {
    sse: Reconnecting,
    source: ListenSource,
}

/// `GET /v1/webhooks/listen`, after the last event taken.
struct ListenSource {
    client: ApiClient,
    events: String,
    last_id: Option<i64>,
    /// Whether the server has said the stream is ready, on any connection.
    connected: bool,
    /// How long an outage lasts before the next "still reconnecting".
    next_notice: Duration,
}

impl ListenStream {
    /// The next item. Reconnects after any drop, for as long as it takes; fails only on an
    /// answer that a retry cannot change (a refused key, say), or when the first connection
    /// cannot be made.
    pub async fn next(&mut self) -> Result<ListenItem> {
        loop {
            if !self.sse.is_open() {
                self.sse.connect(&mut self.source).await?;
            }
            let problem = match self.sse.next().await {
                Step::Event(event) => match self.accept(event)? {
                    Some(item) => return Ok(item),
                    None => continue,
                },
                Step::Lost(Lost::Broke(err)) => {
                    self.source
                        .client
                        .output()
                        .debug(format!("listen stream error: {err}"));
                    "lost the connection to the server".to_string()
                }
                Step::Lost(Lost::Closed) => "the server closed the event stream".to_string(),
                Step::Lost(Lost::Slept(gap)) => {
                    format!("this computer was asleep for about {}", human_duration(gap))
                }
                Step::Lost(Lost::Silent) => {
                    "nothing arrived for 45s, not even a keepalive".to_string()
                }
            };
            self.source
                .client
                .output()
                .warn(format!("{problem}; reconnecting…"));
        }
    }

    /// Takes an event off the wire, dropping what was already seen.
    fn accept(&mut self, event: Event) -> Result<Option<ListenItem>> {
        if event.data.is_empty() && event.event.is_empty() {
            return Ok(None);
        }
        if event.event == "error" {
            return Err(super::sse::stream_error(&event.data));
        }
        let id = event.id.trim().parse::<i64>().map_err(|_| {
            CliError::general(format!(
                "the server sent an event without a numeric id: `{}`",
                event.id
            ))
        })?;
        let data: Value = serde_json::from_str(&event.data).map_err(|err| {
            CliError::general(format!("the server sent an event that is not JSON: {err}"))
        })?;
        let text = |field: &str| data[field].as_str().unwrap_or_default().to_string();
        let last_id = &mut self.source.last_id;
        if event.event == "listen.ready" {
            let resumed = self.source.connected;
            self.source.connected = true;
            *last_id = Some(last_id.map_or(id, |last| last.max(id)));
            self.sse.restored();
            return Ok(Some(ListenItem::Connected(ListenSession {
                endpoint_id: text("endpoint_id"),
                secret: text("secret"),
                after: id,
                resumed,
                data: event.data,
            })));
        }
        if last_id.is_some_and(|last| id <= last) {
            return Ok(None);
        }
        *last_id = Some(id);
        Ok(Some(ListenItem::Event(ListenEvent {
            seq: id,
            id: text("id"),
            kind: event.event,
            signature: text("signature"),
            body: text("body"),
            data: event.data,
        })))
    }
}

impl Source for ListenSource {
    async fn open(&self) -> Result<Response> {
        let query: &[(&str, &str)] = if self.events.is_empty() {
            &[]
        } else {
            &[("events", &self.events)]
        };
        self.client
            .open_events("/webhooks/listen", query, self.last_id)
            .await
    }

    /// No bound: the stream waits for the server as long as it takes, saying so now and then.
    fn pausing(&mut self, outage: &Outage) -> Result<()> {
        if outage.failed == 0 {
            self.next_notice = STILL_TRYING_EVERY;
        }
        let down = outage.down + outage.pause;
        if down >= self.next_notice {
            self.client.output().warn(format!(
                "still reconnecting, for {} now…",
                human_duration(down)
            ));
            self.next_notice += STILL_TRYING_EVERY;
        }
        Ok(())
    }

    /// The first connection is not retried; later ones are, while the server is unreachable or
    /// unwell.
    fn failed(&mut self, error: CliError, failed: u32, _broken: bool) -> Result<()> {
        let passing = matches!(
            error.kind,
            ExitKind::Unavailable | ExitKind::General | ExitKind::RateLimited
        );
        if !self.connected || !passing {
            return Err(error);
        }
        if failed == 1 {
            self.client
                .output()
                .warn(format!("{}; retrying…", error.message));
        }
        Ok(())
    }
}
