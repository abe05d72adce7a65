//! Streamable HTTP at `/mcp`: sessions for 2025-03-26 to 2025-11-25 clients, self-describing
//! requests without a session for 2026-07-28 ones; every answer is one `application/json` body.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use serde_json::{Value, json};

use super::protocol::{
    Context, Era, LEGACY_VERSIONS, META_CAPABILITIES, MODERN_VERSIONS, RpcError, answer,
    answer_body, batch_refusal, error_response, supported_versions,
};
use super::session::Session;
use super::{Admission, json_response, parse_message, transport_error};
use crate::model::jsonrpc::{
    HEADER_MISMATCH, INVALID_PARAMS, INVALID_REQUEST, META_VERSION, METHOD_NOT_FOUND,
    UNSUPPORTED_VERSION,
};

const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";

pub async fn post(admission: Admission, body: Bytes) -> Response {
    let call = match admission.0 {
        Ok(call) => call,
        Err(refusal) => return *refusal,
    };
    let (state, sessions, headers, caller) = (call.state, call.sessions, call.headers, call.caller);
    if let Some(refusal) = refuse_media_types(&headers) {
        return refusal;
    }
    let message = match parse_message(&body) {
        Ok(message) => message,
        Err(refusal) => return *refusal,
    };
    let ctx = Context {
        state: &state,
        caller: &caller,
        sessions: &sessions,
        session_id: None,
        era: Era::Session,
        serves_stateless: true,
    };
    match header_text(&headers, SESSION_HEADER) {
        Some(id) => in_session(ctx, &headers, id, message).await,
        None => without_session(ctx, &headers, message).await,
    }
}

/// `GET /mcp` would open a stream for messages the server starts; this server sends none.
pub async fn get() -> Response {
    let mut response = transport_error(
        StatusCode::METHOD_NOT_ALLOWED,
        RpcError::new(
            INVALID_REQUEST,
            "this server starts no messages of its own; POST requests to /mcp",
        ),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST, DELETE"));
    response
}

/// `DELETE /mcp` ends the session named by `Mcp-Session-Id`.
pub async fn delete(admission: Admission) -> Response {
    let call = match admission.0 {
        Ok(call) => call,
        Err(refusal) => return *refusal,
    };
    let (sessions, headers, caller) = (call.sessions, call.headers, call.caller);
    let Some(id) = header_text(&headers, SESSION_HEADER) else {
        return missing_session();
    };
    match sessions.get(id, &caller) {
        Some(session) if session.stream.is_none() => {
            sessions.forget(id);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => unknown_session(),
    }
}

async fn in_session(ctx: Context<'_>, headers: &HeaderMap, id: &str, message: Value) -> Response {
    let session = match ctx.sessions.get(id, ctx.caller) {
        Some(session) if session.stream.is_none() => session,
        _ => return unknown_session(),
    };
    if let Some(version) = header_text(headers, VERSION_HEADER)
        && !LEGACY_VERSIONS.contains(&version)
    {
        return transport_error(
            StatusCode::BAD_REQUEST,
            RpcError::new(
                INVALID_REQUEST,
                format!(
                    "unsupported MCP-Protocol-Version `{version}`; sessions speak {}",
                    LEGACY_VERSIONS.join(", ")
                ),
            ),
        );
    }
    let ctx = Context {
        session_id: Some(id),
        ..ctx
    };
    if let Some(refusal) = batch_refusal(session.protocol_version.as_deref(), &message) {
        return transport_error(StatusCode::BAD_REQUEST, refusal);
    }
    match answer_body(&ctx, message).await {
        Some(answer) => json_response(StatusCode::OK, &answer),
        None => StatusCode::ACCEPTED.into_response(),
    }
}

async fn without_session(ctx: Context<'_>, headers: &HeaderMap, message: Value) -> Response {
    let method = message.get("method").and_then(Value::as_str);
    if method == Some("initialize") && message.get("id").is_some() {
        return initialize(ctx, message).await;
    }
    let modern_header =
        header_text(headers, VERSION_HEADER).is_some_and(|v| MODERN_VERSIONS.contains(&v));
    if modern_header
        || message
            .pointer("/params/_meta")
            .is_some_and(|meta| meta.get(META_VERSION).is_some())
    {
        return stateless(ctx, headers, message).await;
    }
    if method == Some("server/discover") {
        return match answer(&ctx, message).await {
            Some(answer) => json_response(StatusCode::OK, &answer),
            None => StatusCode::ACCEPTED.into_response(),
        };
    }
    missing_session()
}

/// Opens a session and answers `initialize` in it; the id goes back in `Mcp-Session-Id`.
async fn initialize(ctx: Context<'_>, message: Value) -> Response {
    let id = ctx.sessions.create(
        ctx.caller,
        Session {
            protocol_version: None,
            stream: None,
        },
    );
    let ctx = Context {
        session_id: Some(&id),
        ..ctx
    };
    let answer = answer(&ctx, message).await.unwrap_or(Value::Null);
    let mut response = json_response(StatusCode::OK, &answer);
    match HeaderValue::from_str(&id) {
        Ok(value) if answer.get("result").is_some() => {
            response.headers_mut().insert(SESSION_HEADER, value);
        }
        _ => {
            ctx.sessions.forget(&id);
        }
    }
    response
}

/// A 2026-07-28 request: its version, method and tool name come in `_meta` and in headers
/// that must agree with the body.
async fn stateless(ctx: Context<'_>, headers: &HeaderMap, message: Value) -> Response {
    let id = message.get("id").cloned();
    let reject = |error: RpcError| {
        json_response(StatusCode::BAD_REQUEST, &error_response(id.clone(), error))
    };
    let meta = &message["params"]["_meta"];
    let Some(requested) = meta[META_VERSION].as_str() else {
        return reject(RpcError::new(
            INVALID_PARAMS,
            format!("a request without a session needs `params._meta` with `{META_VERSION}`"),
        ));
    };
    if !MODERN_VERSIONS.contains(&requested) {
        return reject(
            RpcError::new(UNSUPPORTED_VERSION, "Unsupported protocol version")
                .with_data(json!({ "supported": supported_versions(), "requested": requested })),
        );
    }
    let method = message["method"].as_str().unwrap_or_default();
    if let Some(problem) = header_mismatch(headers, requested, method, &message["params"]) {
        return reject(RpcError::new(HEADER_MISMATCH, problem));
    }
    if !meta[META_CAPABILITIES].is_object() {
        return reject(RpcError::new(
            INVALID_PARAMS,
            format!("a request without a session needs `params._meta` with `{META_CAPABILITIES}`"),
        ));
    }
    let ctx = Context {
        era: Era::Stateless,
        ..ctx
    };
    match answer(&ctx, message).await {
        Some(answer) => {
            let status = if answer["error"]["code"] == METHOD_NOT_FOUND {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            json_response(status, &answer)
        }
        None => StatusCode::ACCEPTED.into_response(),
    }
}

/// The first header that is missing or disagrees with the body, described.
fn header_mismatch(
    headers: &HeaderMap,
    version: &str,
    method: &str,
    params: &Value,
) -> Option<String> {
    let check = |name: &str, body: &str| match header_text(headers, name).map(decode_header_value) {
        None => Some(format!("the {name} header is missing")),
        Some(value) if value.as_deref() != Some(body) => Some(format!(
            "Header mismatch: the {name} header does not match the body value `{body}`"
        )),
        Some(_) => None,
    };
    check("MCP-Protocol-Version", version)
        .or_else(|| check("Mcp-Method", method))
        .or_else(|| match method {
            "tools/call" | "prompts/get" => {
                check("Mcp-Name", params["name"].as_str().unwrap_or_default())
            }
            "resources/read" => check("Mcp-Name", params["uri"].as_str().unwrap_or_default()),
            _ => None,
        })
}

/// A header value as sent, or decoded from the `=?base64?...?=` form; None if undecodable.
fn decode_header_value(value: &str) -> Option<String> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="))
    {
        None => Some(value.to_string()),
        Some(encoded) => STANDARD_PAD_INDIFFERENT
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok()),
    }
}

/// 406 when the client does not take JSON, 415 when it does not send JSON.
fn refuse_media_types(headers: &HeaderMap) -> Option<Response> {
    let accepts = headers.get_all(header::ACCEPT).iter().collect::<Vec<_>>();
    let takes_json = accepts.is_empty()
        || accepts
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|range| range.split(';').next().unwrap_or("").trim())
            .any(|range| matches!(range, "application/json" | "application/*" | "*/*"));
    if !takes_json {
        return Some(transport_error(
            StatusCode::NOT_ACCEPTABLE,
            RpcError::new(
                INVALID_REQUEST,
                "send `Accept: application/json, text/event-stream`",
            ),
        ));
    }
    let sends_json = headers.get(header::CONTENT_TYPE).is_none_or(|value| {
        value
            .to_str()
            .is_ok_and(|v| v.trim_start().starts_with("application/json"))
    });
    (!sends_json).then(|| {
        transport_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RpcError::new(
                INVALID_REQUEST,
                "the body must be `Content-Type: application/json`",
            ),
        )
    })
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap_or_default())
}

fn missing_session() -> Response {
    transport_error(
        StatusCode::BAD_REQUEST,
        RpcError::new(
            INVALID_REQUEST,
            "this request needs the Mcp-Session-Id header of a session: send `initialize` first",
        ),
    )
}

fn unknown_session() -> Response {
    transport_error(
        StatusCode::NOT_FOUND,
        RpcError::new(
            INVALID_REQUEST,
            "no such MCP session: it ended, expired, or the server restarted; send `initialize` again",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_may_come_base64_encoded() {
        assert_eq!(
            decode_header_value("persona.search").as_deref(),
            Some("persona.search")
        );
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界")
        );
        assert_eq!(
            decode_header_value("=?base64?IHBhZGRlZCA=?=").as_deref(),
            Some(" padded ")
        );
        assert_eq!(decode_header_value("=?base64?!!?="), None);
    }

    #[test]
    fn stateless_headers_must_match_the_body() {
        let mut headers = HeaderMap::new();
        headers.insert("mcp-protocol-version", "2026-07-28".parse().unwrap());
        headers.insert("mcp-method", "tools/call".parse().unwrap());
        let params = json!({ "name": "persona.search" });
        let missing = header_mismatch(&headers, "2026-07-28", "tools/call", &params);
        assert!(missing.unwrap().contains("Mcp-Name"));
        headers.insert("mcp-name", "persona.fork".parse().unwrap());
        assert!(header_mismatch(&headers, "2026-07-28", "tools/call", &params).is_some());
        headers.insert("mcp-name", "persona.search".parse().unwrap());
        assert_eq!(
            header_mismatch(&headers, "2026-07-28", "tools/call", &params),
            None
        );
        assert!(header_mismatch(&headers, "2026-07-28", "tools/list", &params).is_some());
    }
}
