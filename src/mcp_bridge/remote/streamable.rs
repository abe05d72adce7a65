//! The Streamable HTTP transport (protocol 2025-03-26 and later): each message is a POST whose
//! answer is JSON or an event stream, in a session named by `Mcp-Session-Id` or in none at all.

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Response};
use serde_json::Value;

use super::{
    Dial, Kind, LinkError, Session, Wire, accepted, base_headers, error_detail, header,
    is_event_stream, jsonrpc, parse_messages, refusal, send, status_error,
};
use crate::client::sse::Connection;
use crate::model::jsonrpc::META_VERSION;

/// A failed Streamable HTTP handshake, keeping the status that decides the SSE fallback.
pub(super) enum Rejected {
    Status(u16, String),
    Link(LinkError),
}

impl From<Rejected> for LinkError {
    fn from(rejected: Rejected) -> Self {
        match rejected {
            Rejected::Status(status, detail) => status_error(status, &detail, false),
            Rejected::Link(err) => err,
        }
    }
}

impl From<LinkError> for Rejected {
    fn from(err: LinkError) -> Self {
        Rejected::Link(err)
    }
}

/// Opens a session: `init` as the first POST, whose answer may name the session.
pub(super) async fn connect(dial: &Dial<'_>, init: &Value) -> Result<(Session, Value), Rejected> {
    let mut session = unnamed(dial);
    let response = session.post_streamable(init).await?;
    let status = response.status();
    if !status.is_success() {
        let key = jsonrpc::id_key(&jsonrpc::id(init));
        let (answer, detail) = refusal(response, &key).await;
        return match answer {
            // The server refused the handshake itself (an unsupported version, say): the host
            // gets that answer as it is.
            Some(answer) if !matches!(status.as_u16(), 401 | 403) => Ok((session, answer)),
            _ => Err(Rejected::Status(status.as_u16(), detail)),
        };
    }
    let session_id = header(&response, "mcp-session-id");
    let answer = session.read_answer(response, init).await?;
    let protocol_version = answer
        .pointer("/result/protocolVersion")
        .and_then(Value::as_str)
        .map(str::to_string);
    session.log.debug(format!(
        "Streamable HTTP session {} (protocol {})",
        session_id.as_deref().unwrap_or("without an id"),
        protocol_version.as_deref().unwrap_or("?")
    ));
    session.wire = Wire::Streamable {
        url: dial.url.clone(),
        session_id,
        protocol_version,
        listener: Mutex::new(None),
    };
    Ok((session, answer))
}

/// Sends a request of the stateless era (2026-07-28) and waits for its answer: no session; the
/// version, method and name go in headers as well as in the body.
pub async fn stateless(dial: &Dial<'_>, request: &Value) -> Result<Value, LinkError> {
    unnamed(dial).request(request).await
}

/// A Streamable HTTP session the server has not named (yet, or ever in the stateless era).
fn unnamed(dial: &Dial<'_>) -> Session {
    Session {
        http: dial.http.clone(),
        headers: base_headers(dial),
        log: dial.log.clone(),
        outbox: dial.outbox.clone(),
        wire: Wire::Streamable {
            url: dial.url.clone(),
            session_id: None,
            protocol_version: None,
            listener: Mutex::new(None),
        },
    }
}

/// The headers a stateless request repeats from its body: `MCP-Protocol-Version`,
/// `Mcp-Method`, and `Mcp-Name` for the methods that name something.
fn stateless_headers(message: &Value) -> Vec<(&'static str, String)> {
    let Some(version) = message
        .pointer("/params/_meta")
        .and_then(|meta| meta.get(META_VERSION))
        .and_then(Value::as_str)
    else {
        return Vec::new();
    };
    let method = message["method"].as_str().unwrap_or_default();
    let mut headers = vec![
        ("MCP-Protocol-Version", header_value(version)),
        ("Mcp-Method", header_value(method)),
    ];
    let named = match method {
        "tools/call" | "prompts/get" => message.pointer("/params/name"),
        "resources/read" => message.pointer("/params/uri"),
        _ => None,
    };
    if let Some(name) = named.and_then(Value::as_str) {
        headers.push(("Mcp-Name", header_value(name)));
    }
    headers
}

/// A header value as the MCP specification writes one: printable ASCII as it is, anything else
/// as `=?base64?...?=`.
fn header_value(text: &str) -> String {
    let printable = text.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let sentinel = text.starts_with("=?base64?") && text.ends_with("?=");
    if printable && text == text.trim() && !sentinel {
        return text.to_string();
    }
    format!("=?base64?{}?=", STANDARD.encode(text))
}

impl Session {
    /// Sends a request and waits for its answer, the session's or none.
    pub(super) async fn request_streamable(
        &self,
        message: &Value,
        has_session: bool,
    ) -> Result<Value, LinkError> {
        let response = self.post_streamable(message).await?;
        let status = response.status();
        if !status.is_success() {
            let key = jsonrpc::id_key(&jsonrpc::id(message));
            let (answer, detail) = refusal(response, &key).await;
            return match answer {
                Some(answer) if !matches!(status.as_u16(), 401 | 403) => Ok(answer),
                _ => Err(status_error(status.as_u16(), &detail, has_session)),
            };
        }
        self.read_answer(response, message).await
    }

    /// Sends a notification, or the host's answer to a server request.
    pub(super) async fn send_streamable(&self, message: &Value) -> Result<(), LinkError> {
        let response = accepted(self.post_streamable(message)).await?;
        let status = response.status();
        if !status.is_success() {
            let detail = error_detail(response).await;
            return Err(status_error(status.as_u16(), &detail, true));
        }
        // A server may answer with a stream even here; whatever comes goes to the host.
        if is_event_stream(&response) {
            self.forward_stream(response, None).await?;
        }
        Ok(())
    }

    /// Opens the Streamable HTTP GET stream for messages the server starts; a server without
    /// one (405) is fine.
    pub fn listen(&self) {
        let Wire::Streamable { url, listener, .. } = &self.wire else {
            return;
        };
        let request = self
            .with_session_headers(self.http.get(url.clone()))
            .header(ACCEPT, "text/event-stream");
        let (log, outbox) = (self.log.clone(), self.outbox.clone());
        let task = tokio::spawn(async move {
            let response = match send(&log, request).await {
                Ok(response) if response.status().is_success() => response,
                Ok(response) => {
                    log.debug(format!(
                        "no server-initiated stream (HTTP {})",
                        response.status().as_u16()
                    ));
                    return;
                }
                Err(err) => {
                    log.debug(format!("no server-initiated stream: {}", err.detail()));
                    return;
                }
            };
            let mut events = Connection::open(response);
            while let Some(Ok(event)) = events.next().await {
                if !event.data.is_empty() {
                    for message in parse_messages(&event.data, &log) {
                        outbox.send(message);
                    }
                }
            }
            log.debug("the server-initiated stream ended");
        });
        let previous = listener
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(task.abort_handle());
        if let Some(previous) = previous {
            previous.abort();
        }
    }

    async fn post_streamable(&self, message: &Value) -> Result<Response, LinkError> {
        let Wire::Streamable { url, .. } = &self.wire else {
            unreachable!("a Streamable HTTP post on an SSE session");
        };
        self.log.body("→", message);
        let mut request = self
            .with_session_headers(self.http.request(Method::POST, url.clone()))
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in stateless_headers(message) {
            request = request.header(name, value);
        }
        send(&self.log, request.body(message.to_string())).await
    }

    /// The answer to `request` in a Streamable HTTP response (JSON, or an event stream whose
    /// other messages go to the host).
    async fn read_answer(&self, response: Response, request: &Value) -> Result<Value, LinkError> {
        let key = jsonrpc::id_key(&jsonrpc::id(request));
        if is_event_stream(&response) {
            return self
                .forward_stream(response, Some(&key))
                .await?
                .ok_or_else(|| {
                    LinkError::Unreachable(
                        "the server ended the response stream before answering".to_string(),
                    )
                });
        }
        let body = response
            .bytes()
            .await
            .map_err(|err| LinkError::Unreachable(format!("the answer broke off: {err}")))?;
        let text = String::from_utf8_lossy(&body);
        let mut answer = None;
        for message in parse_messages(&text, &self.log) {
            if answer.is_none() && jsonrpc::id_key(&jsonrpc::id(&message)) == key {
                answer = Some(message);
            } else {
                self.outbox.send(message);
            }
        }
        let answer = answer.ok_or_else(|| {
            LinkError::Failed("the server's answer did not carry the request's id".to_string())
        })?;
        self.log.body("←", &answer);
        Ok(answer)
    }

    /// Reads an event stream, handing messages to the host, until the answer with `key`.
    async fn forward_stream(
        &self,
        response: Response,
        key: Option<&str>,
    ) -> Result<Option<Value>, LinkError> {
        let mut events = Connection::open(response);
        while let Some(event) = events.next().await {
            let event = event
                .map_err(|err| LinkError::Unreachable(format!("the answer stream broke: {err}")))?;
            if event.data.is_empty() {
                continue;
            }
            for message in parse_messages(&event.data, &self.log) {
                let is_answer = jsonrpc::kind(&message) == Some(Kind::Response)
                    && Some(jsonrpc::id_key(&jsonrpc::id(&message)).as_str()) == key;
                if is_answer {
                    self.log.body("←", &message);
                    return Ok(Some(message));
                }
                self.outbox.send(message);
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stateless_requests_repeat_their_body_in_headers() {
        let call = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "persona.search", "_meta": {META_VERSION: "2026-07-28"}}});
        assert_eq!(
            stateless_headers(&call),
            [
                ("MCP-Protocol-Version", "2026-07-28".to_string()),
                ("Mcp-Method", "tools/call".to_string()),
                ("Mcp-Name", "persona.search".to_string()),
            ]
        );
        let session = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        assert!(stateless_headers(&session).is_empty());
        assert_eq!(
            header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(header_value(" x"), "=?base64?IHg=?=");
    }
}
