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
    /// The data as the server sent it; decoded only when asked for (a tail that prints NDJSON
    /// passes it through).
    data_text: String,
    data: std::sync::OnceLock<Value>,
}

impl RunEvent {
    pub fn new(id: i64, event: String, data_text: String) -> Self {
        RunEvent {
            id,
            event,
            data_text,
            data: std::sync::OnceLock::new(),
        }
    }

    /// The data, decoded; data that is not JSON is a string.
    pub fn data(&self) -> &Value {
        self.data.get_or_init(|| {
            serde_json::from_str(&self.data_text)
                .unwrap_or_else(|_| Value::String(self.data_text.clone()))
        })
    }

    /// The data as JSON text on one line (for NDJSON): the server's own text when it is JSON
    /// without a line break (data sent on several `data:` lines has them), else re-encoded.
    pub fn data_json(&self) -> std::borrow::Cow<'_, str> {
        // SSE ends a line at CR as well as LF, so data from the wire can only hold an LF (where
        // `data:` lines were joined); a single-byte search is a vectorised memchr.
        if !self.data_text.contains('\n')
            && serde_json::from_str::<serde::de::IgnoredAny>(&self.data_text).is_ok()
        {
            std::borrow::Cow::Borrowed(&self.data_text)
        } else {
            std::borrow::Cow::Owned(self.data().to_string())
        }
    }

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
///
/// A leading UTF-8 byte-order mark is dropped here, wherever the chunks split it:
/// `eventsource-stream` 0.2 cuts a mark it sees first at a byte inside the character and panics
/// (found by fuzz/fuzz_targets/sse.rs).
pub fn parse_events<S, B, E>(
    body: S,
) -> impl Stream<Item = std::result::Result<Event, EventStreamError<E>>>
where
    S: Stream<Item = std::result::Result<B, E>>,
    B: AsRef<[u8]>,
{
    const BOM: &[u8] = "\u{feff}".as_bytes();
    // The first bytes, held while they may still be the start of a mark.
    let mut head = Some(Vec::new());
    body.map(move |chunk| {
        chunk.map(|chunk| {
            let Some(mut held) = head.take() else {
                return chunk.as_ref().to_vec();
            };
            held.extend_from_slice(chunk.as_ref());
            if held.len() < BOM.len() && BOM.starts_with(&held) {
                head = Some(held);
                return Vec::new();
            }
            if held.starts_with(BOM) {
                held.drain(..BOM.len());
            }
            // A blank line first is a no-op for SSE, and keeps a second mark (which SSE reads as
            // part of the first field's name) from being seen as the first character.
            held.insert(0, b'\n');
            held
        })
    })
    // `eventsource-stream` copies the rest of its buffer after every line it parses, which is
    // quadratic in the size of a chunk: feed it small pieces to keep that cost linear.
    .flat_map(|chunk| {
        let pieces: Vec<std::result::Result<Vec<u8>, E>> = match chunk {
            Ok(bytes) => bytes
                .chunks(PARSE_PIECE_BYTES)
                .map(|piece| Ok(piece.to_vec()))
                .collect(),
            Err(err) => vec![Err(err)],
        };
        futures_util::stream::iter(pieces)
    })
    .eventsource()
}

/// The largest piece of a body handed to the SSE parser at once.
const PARSE_PIECE_BYTES: usize = 1024;

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
    /// Whether the current connection has brought a new event yet.
    delivered_on_connection: bool,
    /// What `next_ready` took off the connection without handling: an end or an error.
    parked: Option<Option<std::result::Result<Event, EventStreamError<reqwest::Error>>>>,
    finished: bool,
}

impl RunEventStream {
    /// A stream that starts on an open response (the create stream).
    pub(super) fn from_response(
        client: ApiClient,
        run_id: Option<String>,
        response: Response,
    ) -> Result<Self> {
        let mut stream = Self::new(client, run_id, 0)?;
        stream.connection = Some(Connection::open(response));
        stream.ever_connected = true;
        Ok(stream)
    }

    /// A stream that connects to the run's event log after event `since`.
    pub(super) fn resume(client: ApiClient, run_id: String, since: i64) -> Result<Self> {
        Self::new(client, Some(run_id), since)
    }

    fn new(client: ApiClient, run_id: Option<String>, since: i64) -> Result<Self> {
        let reconnect_budget = reconnect_budget()?;
        Ok(RunEventStream {
            client,
            run_id,
            last_id: since,
            retry: DEFAULT_RETRY,
            reconnect_budget,
            connection: None,
            broken_since: None,
            ever_connected: false,
            delivered_on_connection: false,
            parked: None,
            finished: false,
        })
    }

    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// An event already received and parsed, without waiting and without connecting: for a
    /// caller that flushes its output before it waits. None means "call `next`".
    pub fn next_ready(&mut self) -> Option<Result<Option<RunEvent>>> {
        if self.finished {
            return Some(Ok(None));
        }
        let connection = self.connection.as_mut()?;
        match futures_util::FutureExt::now_or_never(connection.events.next())? {
            Some(Ok(event)) => self.accept(event).transpose().map(|event| event.map(Some)),
            other => {
                // An end or an error: `next` deals with it, reconnecting as it must.
                self.parked = Some(other);
                None
            }
        }
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
            let item = match self.parked.take() {
                Some(item) => Some(item),
                None => {
                    let dead_in = DEAD_AFTER.saturating_sub(connection.idle());
                    // Biased: an event that is ready is taken without arming the timer at all.
                    tokio::select! {
                        biased;
                        item = connection.events.next() => Some(item),
                        _ = tokio::time::sleep(dead_in) => None,
                    }
                }
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
                    // A server closes at once the stream of a run that ended before the first
                    // event asked for (`--since` past its end): that connection brings nothing.
                    // Any other close is a drop, resumed after the last event seen.
                    if !self.delivered_on_connection && self.run_has_ended().await? {
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
        if event.event == "error" {
            return Err(stream_error(&event.data));
        }
        let Some(event) = run_event(event, self.last_id)? else {
            return Ok(None);
        };
        if self.run_id.is_none() {
            self.run_id = event.data()["run_id"].as_str().map(str::to_string);
        }
        self.last_id = event.id;
        self.broken_since = None;
        self.delivered_on_connection = true;
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
                    self.delivered_on_connection = false;
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

/// How long to keep trying to reconnect: PERSONA_RECONNECT_TIMEOUT_SECS, else 60 s.
pub fn reconnect_budget() -> Result<Duration> {
    match std::env::var("PERSONA_RECONNECT_TIMEOUT_SECS") {
        Err(_) => Ok(DEFAULT_RECONNECT_BUDGET),
        Ok(text) => text
            .trim()
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| {
                CliError::usage(format!(
                    "PERSONA_RECONNECT_TIMEOUT_SECS is `{text}`, not a whole number of seconds"
                ))
            }),
    }
}

/// The error of the `error` event that ends a stream (its data is the API's error envelope;
/// an `auth.*` code, such as a key revoked while the stream was open, is an authentication error).
pub fn stream_error(data: &str) -> CliError {
    let envelope: Value = serde_json::from_str(data).unwrap_or(Value::Null);
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

/// The run event an SSE event carries, or None when it carries none to show: a comment or
/// `retry:`-only event, or an id at or below `last_id` (seen before a reconnect). An event whose
/// id is not a number is an error; data is decoded only when asked for.
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
    let kind = if event.event.is_empty() {
        "message".to_string()
    } else {
        event.event
    };
    Ok(Some(RunEvent::new(id, kind, event.data)))
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

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use futures_util::{StreamExt, stream};

    use super::*;

    fn parse(chunks: &[&[u8]]) -> Vec<Event> {
        let body = stream::iter(
            chunks
                .iter()
                .map(|chunk| Ok::<_, Infallible>(chunk.to_vec())),
        );
        futures_util::FutureExt::now_or_never(parse_events(body).map(Result::unwrap).collect())
            .expect("an in-memory body is always ready")
    }

    fn event(id: &str, name: &str, data: &str) -> Event {
        Event {
            id: id.to_string(),
            event: name.to_string(),
            data: data.to_string(),
            retry: None,
        }
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_wherever_the_chunks_split_it() {
        let body = "\u{feff}id: 1\nevent: run.started\ndata: {}\n\n".as_bytes();
        for cut in 0..=4 {
            let events = parse(&[&body[..cut], &body[cut..]]);
            assert_eq!(events.len(), 1, "cut at {cut}");
            assert_eq!(events[0].id, "1");
        }
        // Only one mark is skipped; a second one is part of the first field's name, as SSE says.
        let events = parse(&["\u{feff}\u{feff}id: 1\ndata: {}\n\n".as_bytes()]);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].id, "");
    }

    #[test]
    fn the_retry_advice_in_the_first_events_block_reaches_the_client() {
        // What the server sends first (server_api.rs checks that it does).
        let events = parse(&[b"retry: 2000\n", b"id: 1\nevent: run.started\ndata: {}\n\n"]);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].retry, Some(Duration::from_millis(2000)));
    }

    /// Found by fuzz/fuzz_targets/sse.rs: data sent on several `data:` lines is JSON with a line
    /// break in it, which `runs tail --json` printed as it came, breaking its NDJSON.
    #[test]
    fn data_json_is_one_line_even_when_the_data_came_on_several_lines() {
        let patch = run_event(event("1", "layer.delta", "{\"patch\":\n[]}"), 0)
            .unwrap()
            .unwrap();
        assert_eq!(patch.data_json(), r#"{"patch":[]}"#);
        let text = run_event(event("2", "message", "line one\nline two"), 1)
            .unwrap()
            .unwrap();
        assert_eq!(text.data_json(), r#""line one\nline two""#);
    }

    #[test]
    fn run_events_keep_new_ids_only_and_need_numeric_ids() {
        let started = run_event(event("3", "run.started", r#"{"run_id":"run_1"}"#), 2)
            .unwrap()
            .unwrap();
        assert_eq!(started.id, 3);
        assert_eq!(started.data()["run_id"], "run_1");
        assert!(!started.is_terminal());
        assert_eq!(run_event(event("3", "x", "{}"), 3).unwrap(), None);
        assert!(run_event(event("", "x", "{}"), 0).is_err());
        let text = run_event(event("4", "run.failed", "not json"), 3)
            .unwrap()
            .unwrap();
        assert_eq!(text.data(), &Value::String("not json".into()));
        assert!(text.is_terminal());
    }
}
