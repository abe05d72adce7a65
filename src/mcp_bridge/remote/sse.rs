//! The HTTP+SSE transport of protocol 2024-11-05: a GET stream that names the endpoint to POST
//! to and carries every answer; the session lives and dies with that stream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use tokio::sync::oneshot;

use super::{
    Dial, Kind, LinkError, Session, Wire, base_headers, error_detail, jsonrpc, parse_messages,
    send, status_error,
};
use crate::client::sse::Connection;
use crate::mcp_bridge::outbox::{Log, Outbox};

/// How long the first event of an SSE stream (`endpoint`) may take.
const ENDPOINT_WAIT: Duration = Duration::from_secs(10);

/// Where each request waiting on an SSE stream gets its answer, by id.
type Pending = HashMap<String, oneshot::Sender<Value>>;

/// Requests waiting for their answer on an SSE stream, by id; `None` once the stream has ended,
/// with the reason kept beside it.
#[derive(Clone)]
pub(super) struct Waiters {
    open: Arc<Mutex<Option<Pending>>>,
    ended: Arc<OnceLock<String>>,
}

impl Waiters {
    fn new() -> Self {
        Waiters {
            open: Arc::new(Mutex::new(Some(HashMap::new()))),
            ended: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn end(&self, reason: String) {
        let _ = self.ended.set(reason);
        self.lock().take();
    }

    fn reason(&self) -> String {
        self.ended
            .get()
            .cloned()
            .unwrap_or_else(|| "the event stream ended".to_string())
    }
}

/// The SSE URLs to try for `url`: itself when it ends in `/sse`, else `<url>/sse`, then `url`.
fn sse_urls(url: &Url) -> Vec<Url> {
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/sse") {
        return vec![url.clone()];
    }
    let mut sse = url.clone();
    sse.set_path(&format!("{path}/sse"));
    vec![sse, url.clone()]
}

/// Opens a session: the GET stream first, whose `endpoint` event names where to POST; then
/// `init`, answered on the stream.
pub(super) async fn connect(
    dial: &Dial<'_>,
    init: &Value,
    on_lost: impl FnOnce(String) + Send + 'static,
) -> Result<(Session, Value), LinkError> {
    let headers = base_headers(dial);
    let mut refusals = Vec::new();
    for sse_url in sse_urls(dial.url) {
        let request = dial
            .http
            .get(sse_url.clone())
            .headers(headers.clone())
            .header(ACCEPT, "text/event-stream");
        let response = send(dial.log, request).await?;
        let status = response.status();
        if matches!(status.as_u16(), 404 | 405) {
            refusals.push(format!("GET {sse_url} answered HTTP {}", status.as_u16()));
            continue;
        }
        if !status.is_success() {
            let detail = error_detail(response).await;
            return Err(status_error(status.as_u16(), &detail, false));
        }
        // No idle limit on this stream: MCP servers need not send keepalives, so a quiet stream
        // is not a dead one; a lost session shows when a POST fails or the stream ends.
        let mut events = Connection::open(response);
        let endpoint = tokio::time::timeout(ENDPOINT_WAIT, first_endpoint(&mut events))
            .await
            .map_err(|_| {
                LinkError::Unreachable(format!(
                    "GET {sse_url} sent no `endpoint` event within {}s",
                    ENDPOINT_WAIT.as_secs()
                ))
            })??;
        let endpoint = sse_url.join(endpoint.trim()).map_err(|err| {
            LinkError::Failed(format!("the SSE endpoint `{endpoint}` is not a URL: {err}"))
        })?;
        if endpoint.origin() != sse_url.origin() {
            return Err(LinkError::Failed(format!(
                "refusing the SSE endpoint {endpoint}: it is not on the origin of {sse_url}"
            )));
        }
        dial.log
            .debug(format!("SSE session: messages go to {endpoint}"));
        let waiters = Waiters::new();
        let reader = tokio::spawn(read_sse(
            events,
            waiters.clone(),
            dial.outbox.clone(),
            dial.log.clone(),
            on_lost,
        ))
        .abort_handle();
        let session = Session {
            http: dial.http.clone(),
            headers,
            log: dial.log.clone(),
            outbox: dial.outbox.clone(),
            wire: Wire::Sse {
                endpoint,
                waiters,
                reader,
            },
        };
        let answer = match session.request(init).await {
            Ok(answer) => answer,
            Err(err) => {
                session.close().await;
                return Err(err);
            }
        };
        return Ok((session, answer));
    }
    Err(LinkError::Failed(format!(
        "no MCP transport answered: {}",
        refusals.join("; ")
    )))
}

async fn first_endpoint<S, E>(events: &mut S) -> Result<String, LinkError>
where
    S: Stream<Item = Result<eventsource_stream::Event, E>> + Unpin,
    E: std::fmt::Display,
{
    while let Some(event) = events.next().await {
        let event = event
            .map_err(|err| LinkError::Unreachable(format!("the event stream broke: {err}")))?;
        if event.event == "endpoint" {
            return Ok(event.data);
        }
    }
    Err(LinkError::Unreachable(
        "the event stream ended before its `endpoint` event".to_string(),
    ))
}

/// Hands each `message` event to its waiter, or to the host; at the end, fails the waiters and
/// reports the loss.
async fn read_sse<S, E>(
    mut events: S,
    waiters: Waiters,
    outbox: Outbox,
    log: Log,
    on_lost: impl FnOnce(String),
) where
    S: Stream<Item = Result<eventsource_stream::Event, E>> + Unpin,
    E: std::fmt::Display,
{
    let reason = loop {
        match events.next().await {
            None => break "the server closed the event stream".to_string(),
            Some(Err(err)) => break format!("the event stream broke: {err}"),
            Some(Ok(event)) => {
                if !(event.event == "message" || event.event.is_empty()) || event.data.is_empty() {
                    continue;
                }
                for message in parse_messages(&event.data, &log) {
                    let waiter = match jsonrpc::kind(&message) {
                        Some(Kind::Response) => waiters
                            .lock()
                            .as_mut()
                            .and_then(|open| open.remove(&jsonrpc::id_key(&jsonrpc::id(&message)))),
                        _ => None,
                    };
                    match waiter {
                        Some(waiter) => {
                            let _ = waiter.send(message);
                        }
                        None => outbox.send(message),
                    }
                }
            }
        }
    };
    log.debug(format!("SSE stream ended: {reason}"));
    waiters.end(reason.clone());
    on_lost(reason);
}

impl Session {
    /// Posts a request and waits for its answer on the stream.
    pub(super) async fn request_sse(
        &self,
        endpoint: &Url,
        waiters: &Waiters,
        message: &Value,
    ) -> Result<Value, LinkError> {
        let key = jsonrpc::id_key(&jsonrpc::id(message));
        let (sender, receiver) = oneshot::channel();
        match waiters.lock().as_mut() {
            Some(open) => open.insert(key.clone(), sender),
            None => return Err(LinkError::Unreachable(waiters.reason())),
        };
        if let Err(err) = self.post_sse(endpoint, message).await {
            if let Some(open) = waiters.lock().as_mut() {
                open.remove(&key);
            }
            return Err(err);
        }
        receiver
            .await
            .map_err(|_| LinkError::Unreachable(waiters.reason()))
    }

    pub(super) async fn post_sse(&self, endpoint: &Url, message: &Value) -> Result<(), LinkError> {
        self.log.body("→", message);
        let request = self
            .http
            .post(endpoint.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(message.to_string());
        let response = send(&self.log, request).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let detail = error_detail(response).await;
        Err(status_error(status.as_u16(), &detail, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_urls_follow_the_url() {
        let urls = |u: &str| -> Vec<String> {
            sse_urls(&Url::parse(u).unwrap())
                .iter()
                .map(Url::to_string)
                .collect()
        };
        assert_eq!(
            urls("http://127.0.0.1:8787/mcp"),
            ["http://127.0.0.1:8787/mcp/sse", "http://127.0.0.1:8787/mcp"]
        );
        assert_eq!(
            urls("https://mcp.persona.dev/sse"),
            ["https://mcp.persona.dev/sse"]
        );
    }
}
