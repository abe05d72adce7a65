//! The webhook endpoints of the API for `persona webhooks`, and the listen stream: reconnected
//! with `Last-Event-ID` after a drop or a sleep of the computer, so that no event is lost.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::{Method, Response};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{ApiClient, Page, REQUEST_TIMEOUT, human_duration, segment};
use crate::error::{CliError, ExitKind, Result};

/// No bytes for this long (keepalives included) means the connection is dead.
const DEAD_AFTER: Duration = Duration::from_secs(45);
/// How often the stream checks whether the computer slept.
const SLEEP_CHECK: Duration = Duration::from_secs(5);
/// A wall clock ahead of the monotonic clock by this much means the computer slept.
const SLEEP_GAP: Duration = Duration::from_secs(10);
/// The longest wait between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[derive(Serialize)]
struct PageQuery<'a> {
    limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<&'a str>,
}

impl ApiClient {
    /// `POST /v1/webhooks`: the endpoint, with its secret (shown this once).
    pub async fn create_webhook(&self, body: &CreateWebhook) -> Result<Value> {
        let response = self
            .send(false, || {
                self.request(Method::POST, "/webhooks")
                    .json(body)
                    .timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// A page of endpoints, newest first, each kept as the server's JSON text.
    pub async fn list_webhooks(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<Box<RawValue>>> {
        self.get("/webhooks", &PageQuery { limit, cursor }).await
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<()> {
        let path = format!("/webhooks/{}", segment(id));
        self.send(false, || {
            self.request(Method::DELETE, &path).timeout(REQUEST_TIMEOUT)
        })
        .await
        .map(drop)
    }

    /// `POST /v1/webhooks/{id}/test`: `{event_id, type, endpoint_id, delivery_id}`.
    pub async fn test_webhook(&self, id: &str) -> Result<Value> {
        let path = format!("/webhooks/{}/test", segment(id));
        let response = self
            .send(false, || {
                self.request(Method::POST, &path).timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// A page of deliveries, newest first, each kept as the server's JSON text.
    pub async fn list_deliveries(&self, query: &ListDeliveries) -> Result<Page<Box<RawValue>>> {
        self.get("/webhooks/deliveries", query).await
    }

    pub async fn get_delivery(&self, id: &str) -> Result<Value> {
        self.get(&format!("/webhooks/deliveries/{}", segment(id)), &())
            .await
    }

    /// `POST /v1/webhooks/deliveries/{id}/replay`: the new delivery of the same event.
    pub async fn replay_delivery(&self, id: &str) -> Result<Value> {
        let path = format!("/webhooks/deliveries/{}/replay", segment(id));
        let response = self
            .send(false, || {
                self.request(Method::POST, &path).timeout(REQUEST_TIMEOUT)
            })
            .await?;
        self.json(response).await
    }

    /// The workspace's events from now on (only `events` when not empty), as they happen.
    pub fn listen_webhooks(&self, events: &[String]) -> ListenStream {
        ListenStream {
            client: self.clone(),
            events: events.join(","),
            last_id: None,
            retry: Duration::from_secs(1),
            connection: None,
            broken_since: None,
            clocks: (SystemTime::now(), Instant::now()),
        }
    }

    /// One connection to `GET /v1/webhooks/listen`, after `last_event_id` when resuming.
    async fn open_listen(&self, events: &str, last_event_id: Option<i64>) -> Result<Response> {
        self.send(false, || {
            let mut request = self
                .request(Method::GET, "/webhooks/listen")
                .header("Accept", "text/event-stream");
            if !events.is_empty() {
                request = request.query(&[("events", events)]);
            }
            if let Some(id) = last_event_id {
                request = request.header("Last-Event-ID", id.to_string());
            }
            request
        })
        .await
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
}

type Events = Pin<
    Box<dyn Stream<Item = std::result::Result<Event, EventStreamError<reqwest::Error>>> + Send>,
>;

/// An open connection and the time of its last byte (milliseconds since `opened`).
struct Live {
    events: Events,
    last_byte_ms: Arc<AtomicU64>,
    opened: Instant,
}

impl Live {
    fn open(response: Response) -> Live {
        let opened = Instant::now();
        let last_byte_ms = Arc::new(AtomicU64::new(0));
        let touched = last_byte_ms.clone();
        let bytes = response.bytes_stream().inspect(move |_| {
            touched.store(opened.elapsed().as_millis() as u64, Ordering::Relaxed);
        });
        Live {
            events: Box::pin(bytes.eventsource()),
            last_byte_ms,
            opened,
        }
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_byte_ms.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }
}

/// The reconnecting, deduplicating listen stream.
pub struct ListenStream {
    client: ApiClient,
    events: String,
    last_id: Option<i64>,
    retry: Duration,
    connection: Option<Live>,
    /// When the stream last broke, while it is being restored.
    broken_since: Option<Instant>,
    /// The wall and monotonic clocks when last compared; they part when the computer sleeps.
    clocks: (SystemTime, Instant),
}

impl ListenStream {
    /// The next item. Reconnects after any drop, for as long as it takes; fails only on an
    /// answer that a retry cannot change (a refused key, say), or when the first connection
    /// cannot be made.
    pub async fn next(&mut self) -> Result<ListenItem> {
        loop {
            if self.connection.is_none() {
                self.connect().await?;
            }
            let live = self.connection.as_mut().expect("connected above");
            let wait = DEAD_AFTER.saturating_sub(live.idle()).min(SLEEP_CHECK);
            let item = tokio::select! {
                item = live.events.next() => Some(item),
                _ = tokio::time::sleep(wait) => None,
            };
            let idle = live.idle();
            let problem = match item {
                Some(Some(Ok(event))) => match self.accept(event)? {
                    Some(item) => return Ok(item),
                    None => continue,
                },
                Some(Some(Err(err))) => {
                    self.client
                        .output()
                        .debug(format!("listen stream error: {err}"));
                    "lost the connection to the server".to_string()
                }
                Some(None) => "the server closed the event stream".to_string(),
                None => match self.slept() {
                    Some(gap) => {
                        format!("this computer was asleep for about {}", human_duration(gap))
                    }
                    None if idle >= DEAD_AFTER => {
                        "nothing arrived for 45s, not even a keepalive".to_string()
                    }
                    None => continue,
                },
            };
            self.connection = None;
            self.broken_since = Some(Instant::now());
            self.client
                .output()
                .warn(format!("{problem}; reconnecting…"));
        }
    }

    /// How long the computer slept since the last check, if it did.
    fn slept(&mut self) -> Option<Duration> {
        let (wall, monotonic) = self.clocks;
        self.clocks = (SystemTime::now(), Instant::now());
        let wall_elapsed = self.clocks.0.duration_since(wall).unwrap_or_default();
        let gap = wall_elapsed.saturating_sub(self.clocks.1 - monotonic);
        (gap >= SLEEP_GAP).then_some(gap)
    }

    /// Takes an event off the wire: keeps the `retry:` advice, drops what was already seen.
    fn accept(&mut self, event: Event) -> Result<Option<ListenItem>> {
        if let Some(retry) = event.retry {
            self.retry = retry;
        }
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
        if event.event == "listen.ready" {
            let resumed = self.last_id.is_some();
            self.last_id = Some(self.last_id.map_or(id, |last| last.max(id)));
            self.broken_since = None;
            return Ok(Some(ListenItem::Connected(ListenSession {
                endpoint_id: text("endpoint_id"),
                secret: text("secret"),
                after: id,
                resumed,
            })));
        }
        if self.last_id.is_some_and(|last| id <= last) {
            return Ok(None);
        }
        self.last_id = Some(id);
        Ok(Some(ListenItem::Event(ListenEvent {
            seq: id,
            id: text("id"),
            kind: event.event,
            signature: text("signature"),
            body: text("body"),
        })))
    }

    /// Opens a connection after the last event seen, with jittered backoff, for as long as the
    /// server is unreachable or unwell.
    async fn connect(&mut self) -> Result<()> {
        let mut attempt = 0u32;
        let mut next_notice = STILL_TRYING_EVERY;
        loop {
            if let Some(since) = self.broken_since {
                let delay = self
                    .retry
                    .saturating_mul(1 << attempt.min(3))
                    .min(MAX_BACKOFF)
                    .mul_f64(0.5 + rand::random::<f64>() / 2.0);
                tokio::time::sleep(delay).await;
                if since.elapsed() >= next_notice {
                    self.client.output().warn(format!(
                        "still reconnecting, for {} now…",
                        human_duration(since.elapsed())
                    ));
                    next_notice += STILL_TRYING_EVERY;
                }
            }
            match self.client.open_listen(&self.events, self.last_id).await {
                Ok(response) => {
                    self.connection = Some(Live::open(response));
                    self.clocks = (SystemTime::now(), Instant::now());
                    return Ok(());
                }
                Err(err)
                    if self.last_id.is_some()
                        && matches!(
                            err.kind,
                            ExitKind::Unavailable | ExitKind::General | ExitKind::RateLimited
                        ) =>
                {
                    if attempt == 0 {
                        self.client
                            .output()
                            .warn(format!("{}; retrying…", err.message));
                    }
                    self.broken_since.get_or_insert_with(Instant::now);
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }
}
