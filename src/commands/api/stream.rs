//! Event streams through `persona api`: a run's events and the webhook listen stream are read
//! by the client's reconnecting consumers (resumed with Last-Event-ID after a drop), any other
//! event-stream answer over its one connection; each event is one NDJSON line as it arrives.

use reqwest::Response;
use reqwest::header::HeaderMap;

use super::output::Printer;
use crate::client::sse::{Connection, run_event, stream_error};
use crate::client::webhooks::ListenItem;
use crate::client::{ApiClient, RawRequest, RunEvent};
use crate::commands::runs::write_ndjson_line;
use crate::error::{CliError, ExitKind, Result};

const LAST_EVENT_ID: &str = "last-event-id";

/// A stream the client follows across connections.
#[derive(Debug, PartialEq)]
pub enum Stream {
    /// `runs/{id}/events`, to the run's terminal event.
    Run(String),
    /// `webhooks/listen`, until Ctrl-C.
    Listen,
}

impl Stream {
    /// The stream a GET of `path` (below the base URL) opens, when it is one of those.
    pub fn of(path: &str) -> Option<Stream> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segments.as_slice() {
            ["runs", run_id, "events"] if !run_id.is_empty() => {
                Some(Stream::Run(run_id.to_string()))
            }
            ["webhooks", "listen"] => Some(Stream::Listen),
            _ => None,
        }
    }
}

/// Prints the stream's events until it ends (a run's terminal event) or Ctrl-C. A
/// `Last-Event-ID` header of the caller's starts after that event; the stream's consumer sends
/// the rest of the request itself, so no other header is taken.
pub async fn follow(
    client: &ApiClient,
    stream: Stream,
    request: &RawRequest,
    printer: &Printer<'_>,
) -> Result<()> {
    let after = last_event_id(&request.headers)?;
    match stream {
        Stream::Run(run_id) => {
            let mut events = client.run_events(&run_id, after.unwrap_or(0))?;
            while let Some(event) = events.next().await? {
                print_event(printer, &event).await?;
            }
            Ok(())
        }
        Stream::Listen => {
            let kinds: Vec<String> = request
                .query
                .iter()
                .filter(|(name, _)| name == "events")
                .flat_map(|(_, value)| value.split(','))
                .map(str::trim)
                .filter(|kind| !kind.is_empty())
                .map(str::to_string)
                .collect();
            let mut listen = client.listen_webhooks(&kinds, after);
            loop {
                let event = match listen.next().await? {
                    // A reconnection says it is ready again; the stream goes on unbroken.
                    ListenItem::Connected(session) if session.resumed => continue,
                    ListenItem::Connected(session) => {
                        RunEvent::new(session.after, "listen.ready".to_string(), session.data)
                    }
                    ListenItem::Event(event) => RunEvent::new(event.seq, event.kind, event.data),
                };
                print_event(printer, &event).await?;
            }
        }
    }
}

/// The position a caller's `Last-Event-ID` names; other headers are refused, as they would not
/// be sent.
fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>> {
    if let Some(name) = headers.keys().find(|name| *name != LAST_EVENT_ID) {
        return Err(CliError::usage(format!(
            "-H {name}: an event stream is opened with the profile's headers and Last-Event-ID only"
        )));
    }
    let Some(value) = headers.get(LAST_EVENT_ID) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .map(Some)
        .ok_or_else(|| CliError::usage("Last-Event-ID must be the number of an event (0 or more)"))
}

/// The events of an event-stream answer the client does not resume (a chat turn with
/// `stream: true`), as they come over its one connection.
pub async fn print_connection(response: Response, printer: &Printer<'_>) -> Result<()> {
    let mut connection = Connection::open(response);
    while let Some(item) = futures_util::StreamExt::next(&mut connection).await {
        let event = item.map_err(|err| {
            CliError::new(
                ExitKind::Unavailable,
                format!("the event stream broke: {err}"),
            )
        })?;
        if event.event == "error" {
            return Err(stream_error(&event.data));
        }
        if let Some(event) = run_event(event, i64::MIN)? {
            print_event(printer, &event).await?;
        }
    }
    Ok(())
}

/// `{"id":…,"event":…,"data":…}` on a line, or the filter's output for it.
async fn print_event(printer: &Printer<'_>, event: &RunEvent) -> Result<()> {
    let mut line = Vec::new();
    write_ndjson_line(&mut line, event.id, &event.event, &event.data_json())?;
    if printer.has_filter() {
        printer.filtered(line).await
    } else {
        printer.json_text(&String::from_utf8_lossy(&line));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resumed_streams_are_known_by_their_path() {
        assert_eq!(
            Stream::of("/runs/run_1/events"),
            Some(Stream::Run("run_1".into()))
        );
        assert_eq!(Stream::of("/webhooks/listen/"), Some(Stream::Listen));
        assert_eq!(Stream::of("/runs/run_1"), None);
        assert_eq!(Stream::of("/runs//events"), None);
        assert_eq!(Stream::of("/x/runs/run_1/events"), None);
    }
}
