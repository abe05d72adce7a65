//! The one consumer of server-sent events: the hardened parser, a connection that knows when it
//! last heard from the server, and a stream that reopens itself after `Last-Event-ID` with a
//! bounded backoff. Runs, the webhook listen stream, chat turns and the MCP bridge all read SSE here.

mod chat;
mod run;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use eventsource_stream::{Event, EventStreamError};
use futures_util::{Stream, StreamExt};
use reqwest::{Method, Response};

use super::ApiClient;
use crate::error::{CliError, Result};
pub use crate::sse::parse_events;
pub use chat::ChatStream;
pub use run::{RunEvent, RunEventStream, reconnect_budget, run_event};

/// No bytes for this long (keepalives included) means the connection is dead.
const DEAD_AFTER: Duration = Duration::from_secs(45);
/// Reconnect delay until the server says otherwise with `retry:`.
const DEFAULT_RETRY: Duration = Duration::from_secs(1);
/// The least `retry:` advice taken: a server that says 0 and hangs up at once gets no busy loop.
const MIN_RETRY: Duration = Duration::from_millis(250);
/// How often a stream checks whether the computer slept.
const SLEEP_CHECK: Duration = Duration::from_secs(5);
/// A wall clock ahead of the monotonic clock by this much means the computer slept.
const SLEEP_GAP: Duration = Duration::from_secs(10);

/// Why the bytes of a stream stopped making events.
pub type Error = EventStreamError<reqwest::Error>;

type Events = Pin<Box<dyn Stream<Item = std::result::Result<Event, Error>> + Send>>;

/// One open event stream: the events of a response body, parsed as they arrive, and the time of
/// its last byte, which tells a dead connection from a quiet one.
pub struct Connection {
    events: Events,
    /// The time of the last byte, in milliseconds since `epoch`.
    last_byte_ms: Arc<AtomicU64>,
    epoch: Instant,
}

impl Connection {
    pub fn open(response: Response) -> Connection {
        let epoch = Instant::now();
        let last_byte_ms = Arc::new(AtomicU64::new(0));
        let touched = last_byte_ms.clone();
        let bytes = response.bytes_stream().inspect(move |_| {
            touched.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        });
        Connection {
            events: Box::pin(parse_events(bytes)),
            last_byte_ms,
            epoch,
        }
    }

    /// How long since the last byte (keepalives count).
    pub fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_byte_ms.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }
}

impl Stream for Connection {
    type Item = std::result::Result<Event, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.as_mut().poll_next(cx)
    }
}

impl ApiClient {
    /// One connection to the event stream at `path`, resuming after `last_event_id` (sent as
    /// `Last-Event-ID`) when there is one.
    pub(crate) async fn open_events(
        &self,
        path: &str,
        query: &[(&str, &str)],
        last_event_id: Option<i64>,
    ) -> Result<Response> {
        self.send(false, || {
            let mut request = self
                .request(Method::GET, path)
                .header("Accept", "text/event-stream");
            if !query.is_empty() {
                request = request.query(query);
            }
            if let Some(id) = last_event_id {
                request = request.header("Last-Event-ID", id.to_string());
            }
            request
        })
        .await
    }
}

/// The pause before another attempt to reconnect: the server's `retry:` advice (at least
/// `MIN_RETRY`), doubled with each failed attempt (at most `doublings` times) up to `max`, then
/// cut by a random part of up to a half so that clients dropped together do not come back together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub doublings: u32,
    pub max: Duration,
}

impl Backoff {
    pub fn pause(&self, retry: Duration, failed: u32) -> Duration {
        retry
            .max(MIN_RETRY)
            .saturating_mul(1 << failed.min(self.doublings))
            .min(self.max)
            .mul_f64(0.5 + rand::random::<f64>() / 2.0)
    }
}

/// Why a connection was given up; the next call of `Reconnecting::next` opens another.
#[derive(Debug)]
pub enum Lost {
    /// Nothing arrived for `DEAD_AFTER`, not even a keepalive.
    Silent,
    /// The connection broke.
    Broke(Error),
    /// The server ended the stream.
    Closed,
    /// The computer slept this long: whatever the connection says now is not to be trusted.
    Slept(Duration),
}

/// What `Reconnecting::next` gives.
#[derive(Debug)]
pub enum Step {
    Event(Event),
    Lost(Lost),
}

/// How an outage stands before the pause ahead of another attempt.
#[derive(Debug, Clone, Copy)]
pub struct Outage {
    /// Attempts of this reconnection that failed so far.
    pub failed: u32,
    /// How long the stream has been down.
    pub down: Duration,
    /// The pause before the next attempt.
    pub pause: Duration,
}

/// The owner of a reconnecting stream: how to open it after the last event it took, and what
/// to say (and whether to go on) as a reconnection fails.
pub trait Source {
    /// Opens one connection, resuming after the last event taken (`Last-Event-ID`).
    fn open(&self) -> impl Future<Output = Result<Response>> + Send;

    /// Before the pause ahead of another attempt: the error that ends the stream (the bound of
    /// an outage), or Ok to wait and try again. By default an outage has no bound.
    fn pausing(&mut self, outage: &Outage) -> Result<()> {
        let _ = outage;
        Ok(())
    }

    /// Attempt number `failed` of this reconnection failed with `error`; `broken` says whether
    /// the stream was already down before it. The error that ends the stream, or Ok to retry.
    fn failed(&mut self, error: CliError, failed: u32, broken: bool) -> Result<()>;
}

/// An event stream that outlives its connections: dead ones are found (no byte for
/// `DEAD_AFTER`, or a sleep of the computer), and new ones opened with backoff by its `Source`.
pub struct Reconnecting {
    connection: Option<Connection>,
    /// What `ready` took off the connection without handling: an end or an error.
    parked: Option<Option<std::result::Result<Event, Error>>>,
    /// The server's `retry:` advice.
    retry: Duration,
    backoff: Backoff,
    /// When the stream broke, until an event shows that it is restored.
    broken_since: Option<Instant>,
    /// The wall and monotonic clocks when last compared; they part when the computer sleeps.
    clocks: (SystemTime, Instant),
}

impl Reconnecting {
    pub fn new(backoff: Backoff) -> Self {
        Reconnecting {
            connection: None,
            parked: None,
            retry: DEFAULT_RETRY,
            backoff,
            broken_since: None,
            clocks: (SystemTime::now(), Instant::now()),
        }
    }

    /// Reads on `response` (a stream that answered a request made elsewhere).
    pub fn start_on(&mut self, response: Response) {
        self.connection = Some(Connection::open(response));
        self.clocks = (SystemTime::now(), Instant::now());
    }

    pub fn is_open(&self) -> bool {
        self.connection.is_some()
    }

    /// The owner took a new event: the stream is restored, and the next outage starts afresh.
    pub fn restored(&mut self) {
        self.broken_since = None;
    }

    /// An event already received and parsed, without waiting; None means "call `next`".
    pub fn ready(&mut self) -> Option<Event> {
        if self.parked.is_some() {
            return None;
        }
        let connection = self.connection.as_mut()?;
        match futures_util::FutureExt::now_or_never(connection.next())? {
            Some(Ok(event)) => Some(self.advised(event)),
            other => {
                // An end or an error: `next` deals with it.
                self.parked = Some(other);
                None
            }
        }
    }

    /// The next event on the open connection, or why it was given up. Call `connect` first.
    pub async fn next(&mut self) -> Step {
        let connection = self.connection.as_mut().expect("connected first");
        loop {
            let item = match self.parked.take() {
                Some(item) => Some(item),
                None => {
                    let wait = DEAD_AFTER
                        .saturating_sub(connection.idle())
                        .min(SLEEP_CHECK);
                    // Biased: an event that is ready is taken without arming the timer at all.
                    tokio::select! {
                        biased;
                        item = connection.next() => Some(item),
                        _ = tokio::time::sleep(wait) => None,
                    }
                }
            };
            let lost = match item {
                Some(Some(Ok(event))) => return Step::Event(self.advised(event)),
                Some(Some(Err(err))) => Lost::Broke(err),
                Some(None) => Lost::Closed,
                None => match slept(&mut self.clocks) {
                    Some(gap) => Lost::Slept(gap),
                    None if connection.idle() >= DEAD_AFTER => Lost::Silent,
                    None => continue,
                },
            };
            self.connection = None;
            self.broken_since.get_or_insert_with(Instant::now);
            return Step::Lost(lost);
        }
    }

    /// Opens a connection: at once the first time, after a pause that grows with each failed
    /// attempt once the stream has broken; the source bounds the outage and words the failures.
    pub async fn connect(&mut self, source: &mut impl Source) -> Result<()> {
        let mut failed = 0u32;
        loop {
            if let Some(since) = self.broken_since {
                let pause = self.backoff.pause(self.retry, failed);
                source.pausing(&Outage {
                    failed,
                    down: since.elapsed(),
                    pause,
                })?;
                tokio::time::sleep(pause).await;
            }
            match source.open().await {
                Ok(response) => {
                    self.start_on(response);
                    return Ok(());
                }
                Err(error) => {
                    failed += 1;
                    source.failed(error, failed, self.broken_since.is_some())?;
                    self.broken_since.get_or_insert_with(Instant::now);
                }
            }
        }
    }

    /// Keeps the event's `retry:` advice.
    fn advised(&mut self, event: Event) -> Event {
        if let Some(retry) = event.retry {
            self.retry = retry;
        }
        event
    }
}

/// How long the computer slept since the clocks were last compared, if it did.
fn slept(clocks: &mut (SystemTime, Instant)) -> Option<Duration> {
    let (wall, monotonic) = *clocks;
    *clocks = (SystemTime::now(), Instant::now());
    let wall_elapsed = clocks.0.duration_since(wall).unwrap_or_default();
    let gap = wall_elapsed.saturating_sub(clocks.1 - monotonic);
    (gap >= SLEEP_GAP).then_some(gap)
}

/// The error of the `error` event that ends a stream (its data is the API's error envelope;
/// an `auth.*` code, such as a key revoked while the stream was open, is an authentication error).
pub fn stream_error(data: &str) -> CliError {
    let envelope: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    let status = match envelope["error"]["code"].as_str() {
        Some(code) if code.starts_with("auth.") => 401,
        _ => 500,
    };
    let mut error = CliError::from_api(status, &envelope);
    if !envelope["error"]["message"].is_string() {
        error.message = "the server ended the stream with an error".to_string();
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_grows_from_the_retry_advice_and_stays_within_its_bound() {
        let backoff = Backoff {
            doublings: 3,
            max: Duration::from_secs(5),
        };
        let second = Duration::from_secs(1);
        for _ in 0..50 {
            let first = backoff.pause(second, 0);
            assert!(first >= second / 2 && first <= second, "{first:?}");
            let third = backoff.pause(second, 2);
            assert!(third >= second * 2 && third <= second * 4, "{third:?}");
            let late = backoff.pause(second, 40);
            assert!(late >= backoff.max / 2 && late <= backoff.max, "{late:?}");
            let advised = backoff.pause(Duration::from_millis(300), 40);
            assert!(advised <= Duration::from_millis(2400), "{advised:?}");
            let hostile = backoff.pause(Duration::ZERO, 0);
            assert!(hostile >= MIN_RETRY / 2, "{hostile:?}");
            let huge = backoff.pause(Duration::from_secs(u64::MAX / 4), 40);
            assert!(huge <= backoff.max, "{huge:?}");
        }
    }
}
