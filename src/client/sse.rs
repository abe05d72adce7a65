//! Event streams over SSE, parsed with `eventsource-stream` from reqwest's bytes: a run's events,
//! reconnected with `Last-Event-ID` after any drop and deduplicated by id; and one chat turn.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::Response;
use serde_json::Value;

use super::ApiClient;
use crate::error::{CliError, ExitKind, Result};

/// No bytes for this long (keepalives included) means the connection is dead.
const DEAD_AFTER: Duration = Duration::from_secs(45);
/// Reconnect delay until the server says otherwise with `retry:`.
const DEFAULT_RETRY: Duration = Duration::from_secs(1);
/// How long to keep trying to reconnect before giving up.
const DEFAULT_RECONNECT_BUDGET: Duration = Duration::from_secs(60);

/// One event of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEvent {
    pub id: i64,
    pub event: String,
    pub data: Value,
}

impl RunEvent {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.event.as_str(),
            "run.completed" | "run.failed" | "run.canceled"
        )
    }
}

type Events = Pin<
    Box<dyn Stream<Item = std::result::Result<Event, EventStreamError<reqwest::Error>>> + Send>,
>;

/// The SSE events of a response body arriving in chunks of any size.
pub fn parse_events<S, B, E>(
    body: S,
) -> impl Stream<Item = std::result::Result<Event, EventStreamError<E>>>
where
    S: Stream<Item = std::result::Result<B, E>>,
    B: AsRef<[u8]>,
{
    body.eventsource()
}

/// A live connection and the time of its last byte (milliseconds since `epoch`).
struct Connection {
    events: Events,
    last_byte_ms: Arc<AtomicU64>,
    epoch: Instant,
}

impl Connection {
    fn open(response: Response) -> Connection {
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

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_byte_ms.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }
}

/// The reconnecting, deduplicating event stream of one run.
pub struct RunEventStream {
    client: ApiClient,
    run_id: Option<String>,
    last_id: i64,
    retry: Duration,
    reconnect_budget: Duration,
    connection: Option<Connection>,
    /// When the stream last broke, while it is being restored.
    broken_since: Option<Instant>,
    /// Whether any connection was ever open (for the message when none can be made).
    ever_connected: bool,
    finished: bool,
}

impl RunEventStream {
    /// A stream that starts on an open response (the create stream).
    pub(super) fn from_response(
        client: ApiClient,
        run_id: Option<String>,
        response: Response,
    ) -> Self {
        let mut stream = Self::new(client, run_id, 0);
        stream.connection = Some(Connection::open(response));
        stream.ever_connected = true;
        stream
    }

    /// A stream that connects to the run's event log after event `since`.
    pub(super) fn resume(client: ApiClient, run_id: String, since: i64) -> Self {
        Self::new(client, Some(run_id), since)
    }

    fn new(client: ApiClient, run_id: Option<String>, since: i64) -> Self {
        let reconnect_budget = std::env::var("PERSONA_RECONNECT_TIMEOUT_SECS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(DEFAULT_RECONNECT_BUDGET, Duration::from_secs);
        RunEventStream {
            client,
            run_id,
            last_id: since,
            retry: DEFAULT_RETRY,
            reconnect_budget,
            connection: None,
            broken_since: None,
            ever_connected: false,
            finished: false,
        }
    }

    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// The next event not seen before, or None after the terminal event.
    pub async fn next(&mut self) -> Result<Option<RunEvent>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            if self.connection.is_none() {
                self.reconnect().await?;
            }
            let connection = self.connection.as_mut().expect("connected above");
            let dead_in = DEAD_AFTER.saturating_sub(connection.idle());
            let item = tokio::select! {
                item = connection.events.next() => Some(item),
                _ = tokio::time::sleep(dead_in) => None,
            };
            let problem = match item {
                None if connection.idle() < DEAD_AFTER => continue,
                None => "no data or keepalive for 45s".to_string(),
                Some(Some(Ok(event))) => {
                    if let Some(event) = self.accept(event)? {
                        return Ok(Some(event));
                    }
                    continue;
                }
                Some(Some(Err(err))) => format!("the stream broke: {err}"),
                Some(None) => {
                    // A server closes a caught-up stream of a run that has ended.
                    if self.run_has_ended().await? {
                        self.finished = true;
                        return Ok(None);
                    }
                    "the server closed the stream".to_string()
                }
            };
            self.connection = None;
            self.broken_since.get_or_insert_with(Instant::now);
            self.client
                .output()
                .warn(format!("{problem}; reconnecting…"));
        }
    }

    async fn run_has_ended(&self) -> Result<bool> {
        let Some(run_id) = &self.run_id else {
            return Ok(false);
        };
        match self.client.get_run(run_id).await {
            Ok(run) => Ok(matches!(
                run["status"].as_str(),
                Some("completed" | "failed" | "canceled")
            )),
            Err(err) if matches!(err.kind, ExitKind::Unavailable | ExitKind::General) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Takes an event off the wire: keeps the `retry:` advice, drops what was already seen.
    fn accept(&mut self, event: Event) -> Result<Option<RunEvent>> {
        if let Some(retry) = event.retry {
            self.retry = retry;
        }
        let Some(event) = run_event(event, self.last_id)? else {
            return Ok(None);
        };
        if self.run_id.is_none() {
            self.run_id = event.data["run_id"].as_str().map(str::to_string);
        }
        self.last_id = event.id;
        self.broken_since = None;
        self.finished = event.is_terminal();
        Ok(Some(event))
    }

    /// Opens a new connection after the last event seen, with jittered backoff, until the
    /// reconnect budget runs out.
    async fn reconnect(&mut self) -> Result<()> {
        let Some(run_id) = self.run_id.clone() else {
            return Err(CliError::new(
                ExitKind::Unavailable,
                "the event stream closed before the server named the run",
            )
            .with_hint("find the run with `persona runs list` and follow it with `persona runs tail RUN_ID`"));
        };
        let mut attempt = 0u32;
        loop {
            if let Some(since) = self.broken_since {
                let delay = self
                    .retry
                    .saturating_mul(1 << attempt.min(4))
                    .min(Duration::from_secs(10))
                    .mul_f64(0.5 + rand::random::<f64>() / 2.0);
                if since.elapsed() + delay > self.reconnect_budget {
                    let budget = self.reconnect_budget.as_secs();
                    let message = if self.ever_connected {
                        format!(
                            "lost the event stream of run {run_id} and could not reconnect within {budget}s"
                        )
                    } else {
                        format!("could not open the event stream of run {run_id} within {budget}s")
                    };
                    let error = CliError::new(ExitKind::Unavailable, message);
                    return Err(if self.last_id > 0 {
                        error.with_hint(format!(
                            "resume later with `persona runs tail {run_id} --since {}`",
                            self.last_id
                        ))
                    } else {
                        error.with_hint(
                            "check that the server is running, then run the command again",
                        )
                    });
                }
                tokio::time::sleep(delay).await;
            }
            match self.client.open_run_events(&run_id, self.last_id).await {
                Ok(response) => {
                    self.ever_connected = true;
                    self.connection = Some(Connection::open(response));
                    return Ok(());
                }
                Err(err) if matches!(err.kind, ExitKind::Unavailable | ExitKind::General) => {
                    if self.broken_since.is_none() {
                        self.client
                            .output()
                            .warn(format!("{}; retrying…", err.message));
                    }
                    self.broken_since.get_or_insert_with(Instant::now);
                    attempt += 1;
                    self.client.output().debug(format!(
                        "reconnect attempt {attempt} failed: {}",
                        err.message
                    ));
                }
                Err(err) => return Err(err),
            }
        }
    }
}

/// The run event an SSE event carries, or None when it carries none to show: a comment or
/// `retry:`-only event, or an id at or below `last_id` (seen before a reconnect). An event whose
/// id is not a number is an error; data that is not JSON is kept as a string.
pub fn run_event(event: Event, last_id: i64) -> Result<Option<RunEvent>> {
    if event.data.is_empty() && event.event.is_empty() {
        return Ok(None);
    }
    let id = event.id.trim().parse::<i64>().map_err(|_| {
        CliError::general(format!(
            "the server sent an event without a numeric id: `{}`",
            event.id
        ))
    })?;
    if id <= last_id {
        return Ok(None);
    }
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::String(event.data));
    Ok(Some(RunEvent {
        id,
        event: if event.event.is_empty() {
            "message".to_string()
        } else {
            event.event
        },
        data,
    }))
}

/// The events of one streamed chat turn: `message.delta` pieces, then `message.completed`.
/// A turn cannot be resumed, so a broken stream is an error.
pub struct ChatStream {
    events: Events,
}

impl ChatStream {
    pub(super) fn new(response: Response) -> Self {
        ChatStream {
            events: Box::pin(parse_events(response.bytes_stream())),
        }
    }

    /// The next (event type, data), or None at the end of the stream.
    pub async fn next(&mut self) -> Result<Option<(String, Value)>> {
        loop {
            let event = tokio::time::timeout(DEAD_AFTER, self.events.next())
                .await
                .map_err(|_| {
                    CliError::new(
                        ExitKind::Unavailable,
                        "the reply stalled: nothing arrived for 45s",
                    )
                })?;
            match event {
                None => return Ok(None),
                Some(Err(err)) => {
                    return Err(CliError::new(
                        ExitKind::Unavailable,
                        format!("the reply stream broke: {err}"),
                    ));
                }
                Some(Ok(event)) if event.data.is_empty() => continue,
                Some(Ok(event)) => {
                    let data =
                        serde_json::from_str(&event.data).unwrap_or(Value::String(event.data));
                    return Ok(Some((event.event, data)));
                }
            }
        }
    }
}
