//! The event stream of one run (a create with `stream=true`, or `runs tail`): new events only,
//! in order, resumed after the last one seen for as long as PERSONA_RECONNECT_TIMEOUT_SECS allows.

use std::time::Duration;

use eventsource_stream::Event;
use reqwest::Response;
use serde_json::Value;

use super::{Backoff, Lost, Outage, Reconnecting, Source, Step};
use crate::client::{ApiClient, human_duration, segment};
use crate::error::{CliError, ExitKind, Result};
use crate::model::RunEventKind;

/// How long to keep trying to reconnect before giving up.
const DEFAULT_RECONNECT_BUDGET: Duration = Duration::from_secs(60);
/// The pause between attempts: up to 16 times the `retry:` advice, at most 10 s.
const BACKOFF: Backoff = Backoff {
    doublings: 4,
    max: Duration::from_secs(10),
};

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

    /// The kind of event, when the contract defines it.
    pub fn kind(&self) -> Option<RunEventKind> {
        RunEventKind::parse(&self.event)
    }

    pub fn is_terminal(&self) -> bool {
        self.kind().is_some_and(RunEventKind::is_terminal)
    }
}

/// The reconnecting, deduplicating event stream of one run.
pub struct RunEventStream {
    sse: Reconnecting,
    run: RunSource,
    /// Whether the current connection has brought a new event yet.
    delivered_on_connection: bool,
    finished: bool,
}

/// Where the run's events come from, and after which one.
struct RunSource {
    client: ApiClient,
    run_id: Option<String>,
    last_id: i64,
    reconnect_budget: Duration,
    /// Whether any connection was ever open (for the message when none can be made).
    ever_connected: bool,
}

impl RunEventStream {
    /// A stream that starts on an open response (the create stream).
    pub(crate) fn from_response(
        client: ApiClient,
        run_id: Option<String>,
        response: Response,
    ) -> Result<Self> {
        let mut stream = Self::new(client, run_id, 0)?;
        stream.sse.start_on(response);
        stream.run.ever_connected = true;
        Ok(stream)
    }

    /// A stream that connects to the run's event log after event `since`.
    pub(crate) fn resume(client: ApiClient, run_id: String, since: i64) -> Result<Self> {
        Self::new(client, Some(run_id), since)
    }

    fn new(client: ApiClient, run_id: Option<String>, since: i64) -> Result<Self> {
        let reconnect_budget = reconnect_budget()?;
        Ok(RunEventStream {
            sse: Reconnecting::new(BACKOFF),
            run: RunSource {
                client,
                run_id,
                last_id: since,
                reconnect_budget,
                ever_connected: false,
            },
            delivered_on_connection: false,
            finished: false,
        })
    }

    pub fn run_id(&self) -> Option<&str> {
        self.run.run_id.as_deref()
    }

    /// An event already received and parsed, without waiting and without connecting: for a
    /// caller that flushes its output before it waits. None means "call `next`".
    pub fn next_ready(&mut self) -> Option<Result<Option<RunEvent>>> {
        if self.finished {
            return Some(Ok(None));
        }
        let event = self.sse.ready()?;
        self.accept(event).transpose().map(|event| event.map(Some))
    }

    /// The next event not seen before, or None after the terminal event.
    pub async fn next(&mut self) -> Result<Option<RunEvent>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            if !self.sse.is_open() {
                self.reconnect().await?;
            }
            let problem = match self.sse.next().await {
                Step::Event(event) => {
                    if let Some(event) = self.accept(event)? {
                        return Ok(Some(event));
                    }
                    continue;
                }
                Step::Lost(Lost::Silent) => "no data or keepalive for 45s".to_string(),
                Step::Lost(Lost::Broke(err)) => format!("the stream broke: {err}"),
                Step::Lost(Lost::Slept(gap)) => {
                    format!("this computer was asleep for about {}", human_duration(gap))
                }
                Step::Lost(Lost::Closed) => {
                    // A server closes at once the stream of a run that ended before the first
                    // event asked for (`--since` past its end): that connection brings nothing.
                    // Any other close is a drop, resumed after the last event seen.
                    if !self.delivered_on_connection && self.run.has_ended().await? {
                        self.finished = true;
                        return Ok(None);
                    }
                    "the server closed the stream".to_string()
                }
            };
            self.run
                .client
                .output()
                .warn(format!("{problem}; reconnecting…"));
        }
    }

    /// Takes an event off the wire, dropping what was already seen.
    fn accept(&mut self, event: Event) -> Result<Option<RunEvent>> {
        if event.event == "error" {
            return Err(super::stream_error(&event.data));
        }
        let Some(event) = run_event(event, self.run.last_id)? else {
            return Ok(None);
        };
        if self.run.run_id.is_none() {
            self.run.run_id = event.data()["run_id"].as_str().map(str::to_string);
        }
        self.run.last_id = event.id;
        self.sse.restored();
        self.delivered_on_connection = true;
        self.finished = event.is_terminal();
        Ok(Some(event))
    }

    /// Opens a new connection after the last event seen, until the reconnect budget runs out.
    async fn reconnect(&mut self) -> Result<()> {
        if self.run.run_id.is_none() {
            return Err(CliError::new(
                ExitKind::Unavailable,
                "the event stream closed before the server named the run",
            )
            .with_hint("find the run with `persona runs list` and follow it with `persona runs tail RUN_ID`"));
        }
        self.sse.connect(&mut self.run).await?;
        self.run.ever_connected = true;
        self.delivered_on_connection = false;
        Ok(())
    }
}

impl RunSource {
    fn run_id(&self) -> &str {
        self.run_id.as_deref().expect("named before connecting")
    }

    async fn has_ended(&self) -> Result<bool> {
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
}

impl Source for RunSource {
    async fn open(&self) -> Result<Response> {
        let path = format!("/runs/{}/events", segment(self.run_id()));
        let after = (self.last_id > 0).then_some(self.last_id);
        self.client.open_events(&path, &[], after).await
    }

    fn pausing(&mut self, outage: &Outage) -> Result<()> {
        if outage.down + outage.pause <= self.reconnect_budget {
            return Ok(());
        }
        let run_id = self.run_id();
        let budget = self.reconnect_budget.as_secs();
        let message = if self.ever_connected {
            format!(
                "lost the event stream of run {run_id} and could not reconnect within {budget}s"
            )
        } else {
            format!("could not open the event stream of run {run_id} within {budget}s")
        };
        let error = CliError::new(ExitKind::Unavailable, message);
        Err(if self.last_id > 0 {
            error.with_hint(format!(
                "resume later with `persona runs tail {run_id} --since {}`",
                self.last_id
            ))
        } else {
            error.with_hint("check that the server is running, then run the command again")
        })
    }

    fn failed(&mut self, error: CliError, failed: u32, broken: bool) -> Result<()> {
        if !matches!(error.kind, ExitKind::Unavailable | ExitKind::General) {
            return Err(error);
        }
        let output = self.client.output();
        if !broken {
            output.warn(format!("{}; retrying…", error.message));
        }
        output.debug(format!(
            "reconnect attempt {failed} failed: {}",
            error.message
        ));
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, name: &str, data: &str) -> Event {
        Event {
            id: id.to_string(),
            event: name.to_string(),
            data: data.to_string(),
            retry: None,
        }
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
