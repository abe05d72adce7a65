//! The MCP server of contract §8, written against the MCP specification without an SDK:
//! Streamable HTTP at `/mcp` and the 2024-11-05 HTTP+SSE transport, both feeding one handler.

mod protocol;
mod session;
mod sse;
mod streamable;
mod tools;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::http::{Caller, RequestId, json_error_text};
use crate::model::jsonrpc::{INVALID_REQUEST, PARSE_ERROR};
use protocol::{RpcError, error_response};
use session::Sessions;

/// The MCP routes, with the sessions they share:
///
/// | method | path | answer |
/// |---|---|---|
/// | POST | /mcp | Streamable HTTP: `initialize` opens a session (`Mcp-Session-Id`); stateless 2026-07-28 requests and `server/discover` need none |
/// | GET | /mcp | 405: this server starts no stream of its own |
/// | DELETE | /mcp | ends the session named by `Mcp-Session-Id` (204) |
/// | GET | /mcp/sse | HTTP+SSE: the `endpoint` event, then each answer as a `message` event |
/// | POST | /mcp/messages?session_id= | 202; the answer goes to the session's stream |
///
/// Each needs the API key (`Authorization: Bearer`, `Persona-Workspace`) and refuses with 403
/// a browser `Origin` of another site.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/mcp",
            post(streamable::post)
                .get(streamable::get)
                .delete(streamable::delete),
        )
        .route("/mcp/sse", get(sse::open))
        .route("/mcp/messages", post(sse::message))
        .layer(Extension(Arc::new(Sessions::default())))
}

/// What every MCP handler starts from, read before the body (so an oversized body answers 413
/// whatever the key): the call once the origin and the key pass, or the refusal to send.
struct Admission(Result<Admitted, Box<Response>>);

/// An MCP request whose origin and key passed.
struct Admitted {
    state: Arc<AppState>,
    sessions: Arc<Sessions>,
    request_id: RequestId,
    headers: HeaderMap,
    caller: Caller,
}

impl FromRequestParts<Arc<AppState>> for Admission {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Extension(sessions) = Extension::<Arc<Sessions>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Extension(request_id) = Extension::<RequestId>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let caller = Caller::from_request_parts(parts, state).await;
        Ok(Admission(
            admit(state, &parts.headers, caller, &request_id).map(|caller| Admitted {
                state: state.clone(),
                sessions,
                request_id,
                headers: parts.headers.clone(),
                caller,
            }),
        ))
    }
}

/// The caller, once the origin is acceptable and the key valid; else the HTTP answer.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    caller: Result<Caller, ApiError>,
    request_id: &RequestId,
) -> Result<Caller, Box<Response>> {
    if !super::cors::origin_allowed(state.addr, headers) {
        return Err(Box::new(transport_error(
            StatusCode::FORBIDDEN,
            RpcError::new(
                INVALID_REQUEST,
                "requests from this Origin are not allowed; MCP clients in a browser must be served from this host or a loopback address",
            ),
        )));
    }
    caller.map_err(|error| {
        let data = json!({
            "status": error.status.as_u16(), "code": error.code, "request_id": request_id.0,
        });
        let mut response = transport_error(
            error.status,
            RpcError::new(INVALID_REQUEST, error.message).with_data(data),
        );
        if error.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"persona\""),
            );
        }
        Box::new(response)
    })
}

/// The JSON-RPC message of a request body; else the HTTP answer with `PARSE_ERROR`.
fn parse_message(body: &[u8]) -> Result<Value, Box<Response>> {
    serde_json::from_slice(body).map_err(|err| {
        Box::new(transport_error(
            StatusCode::BAD_REQUEST,
            RpcError::new(
                PARSE_ERROR,
                format!("the body is not JSON: {}", json_error_text(&err)),
            ),
        ))
    })
}

/// An HTTP error whose body is a JSON-RPC error without an id.
fn transport_error(status: StatusCode, error: RpcError) -> Response {
    json_response(status, &error_response(None, error))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
