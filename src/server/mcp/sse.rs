//! The HTTP+SSE transport of MCP 2024-11-05: `GET /mcp/sse` holds a stream open and names the
//! endpoint to POST to; the answer to each POST arrives on that stream as a `message` event.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::protocol::{Context, Era, RpcError, answer_body, batch_refusal};
use super::session::{Session, Sessions};
use super::{Admission, parse_message, transport_error};
use crate::model::jsonrpc::INVALID_REQUEST;
use crate::server::AppState;
use crate::server::keywatch::{StreamKey, until_key_ends};

/// Answers waiting for a slow stream reader, per session.
const STREAM_BACKLOG: usize = 64;

/// `GET /mcp/sse`: a new session and its stream.
pub async fn open(admission: Admission) -> Response {
    let call = match admission.0 {
        Ok(call) => call,
        Err(refusal) => return *refusal,
    };
    let (state, sessions, request_id, caller) =
        (call.state, call.sessions, call.request_id, call.caller);
    let (answers, pending) = mpsc::channel::<String>(STREAM_BACKLOG);
    let id = sessions.create(
        &caller,
        Session {
            protocol_version: None,
            stream: Some(answers),
        },
    );
    let (body, mut chunks) = mpsc::channel::<Bytes>(8);
    tokio::spawn(pump(state.clone(), sessions, id, pending, body));
    // The stream of this transport has no error event: it just ends, and so does its session.
    let key = StreamKey::new(&caller, &request_id);
    let chunks = futures_util::stream::poll_fn(move |cx| chunks.poll_recv(cx));
    crate::server::events::sse_response(until_key_ends(state, key, chunks, false))
}

/// Writes the `endpoint` event, then answers and keepalive comments, until the client
/// leaves, the key ends or the server stops; the session ends with its stream.
async fn pump(
    state: Arc<AppState>,
    sessions: Arc<Sessions>,
    id: String,
    mut pending: mpsc::Receiver<String>,
    body: mpsc::Sender<Bytes>,
) {
    let mut changes = state.hub.subscribe();
    let mut chunk = Bytes::from(format!(
        "event: endpoint\ndata: /mcp/messages?session_id={id}\n\n"
    ));
    'stream: loop {
        if body.send(chunk).await.is_err() {
            break;
        }
        let keepalive_at = Instant::now() + state.config.keepalive;
        chunk = loop {
            if state.is_stopping() {
                break 'stream;
            }
            tokio::select! {
                answer = pending.recv() => match answer {
                    Some(answer) => break Bytes::from(format!("event: message\ndata: {answer}\n\n")),
                    None => break 'stream,
                },
                () = tokio::time::sleep_until(keepalive_at) => break Bytes::from_static(b": keepalive\n\n"),
                () = body.closed() => break 'stream,
                changed = changes.changed() => if changed.is_err() {
                    break 'stream;
                },
            }
        };
    }
    sessions.forget(&id);
}

/// `POST /mcp/messages?session_id=...`: 202 at once; the answer goes to the session's stream.
pub async fn message(admission: Admission, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let call = match admission.0 {
        Ok(call) => call,
        Err(refusal) => return *refusal,
    };
    let (state, sessions, caller) = (call.state, call.sessions, call.caller);
    let Some(session_id) = query.as_deref().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "session_id")
            .map(|(_, value)| value.into_owned())
    }) else {
        return transport_error(
            StatusCode::BAD_REQUEST,
            RpcError::new(
                INVALID_REQUEST,
                "POST to the endpoint that the `endpoint` event of GET /mcp/sse gave, with its `session_id`",
            ),
        );
    };
    let Some((session, stream)) = sessions
        .get(&session_id, &caller)
        .and_then(|session| session.stream.clone().map(|stream| (session, stream)))
    else {
        return transport_error(
            StatusCode::NOT_FOUND,
            RpcError::new(
                INVALID_REQUEST,
                "no such MCP session: its stream closed or the server restarted; open GET /mcp/sse again",
            ),
        );
    };
    let message = match parse_message(&body) {
        Ok(message) => message,
        Err(refusal) => return *refusal,
    };
    if let Some(refusal) = batch_refusal(session.protocol_version.as_deref(), &message) {
        return transport_error(StatusCode::BAD_REQUEST, refusal);
    }
    tokio::spawn(async move {
        let ctx = Context {
            state: &state,
            caller: &caller,
            sessions: &sessions,
            session_id: Some(&session_id),
            era: Era::Session,
            serves_stateless: false,
        };
        if let Some(answer) = answer_body(&ctx, message).await {
            let _ = stream.send(answer.to_string()).await;
        }
    });
    StatusCode::ACCEPTED.into_response()
}
