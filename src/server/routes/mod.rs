//! The route table of the embedded API and what the handlers share (pages, cursors, run errors).
//! `openapi.json` beside this file documents exactly these routes; a test keeps them equal.

mod activate;
mod auth;
pub(super) use auth::normalize_user_code;
mod chat;
mod openai;
pub use openai::openai_error_body;
mod personas;
mod runs;
mod webhooks;

use std::sync::Arc;

use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};
use serde::Serialize;
use serde_json::value::RawValue;

use super::AppState;
use super::error::{ApiError, ApiResult};

/// The OpenAPI 3.1 document of these routes.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Every route: method, path (axum and OpenAPI share the `{param}` syntax), handler.
pub fn table() -> Vec<(Method, &'static str, MethodRouter<Arc<AppState>>)> {
    vec![
        (Method::GET, "/v1/openapi.json", get(openapi)),
        (Method::GET, "/v1/auth/whoami", get(auth::whoami)),
        (
            Method::DELETE,
            "/v1/auth/keys/current",
            delete(auth::revoke_current),
        ),
        (
            Method::POST,
            "/v1/auth/device/code",
            post(auth::device_code),
        ),
        (
            Method::POST,
            "/v1/auth/device/token",
            post(auth::device_token),
        ),
        (Method::GET, "/cli/activate", get(activate::show)),
        (Method::POST, "/cli/activate", post(activate::decide)),
        (Method::GET, "/cli/signin", get(activate::sign_in)),
        (Method::POST, "/v1/personas", post(personas::create)),
        (Method::GET, "/v1/personas", get(personas::list)),
        (Method::GET, "/v1/personas/{ref}", get(personas::get)),
        (Method::PATCH, "/v1/personas/{ref}", patch(personas::patch)),
        (
            Method::GET,
            "/v1/personas/{ref}/versions",
            get(personas::versions),
        ),
        (
            Method::POST,
            "/v1/personas/{ref}/fork",
            post(personas::fork),
        ),
        (
            Method::POST,
            "/v1/personas/{ref}/archive",
            post(personas::archive),
        ),
        (
            Method::POST,
            "/v1/personas/{ref}/unarchive",
            post(personas::unarchive),
        ),
        (Method::GET, "/v1/runs", get(runs::list)),
        (Method::GET, "/v1/runs/{id}", get(runs::get)),
        (Method::POST, "/v1/runs/{id}/cancel", post(runs::cancel)),
        (Method::GET, "/v1/runs/{id}/events", get(runs::events)),
        (Method::POST, "/v1/chat/conversations", post(chat::create)),
        (Method::GET, "/v1/chat/conversations/{id}", get(chat::get)),
        (
            Method::POST,
            "/v1/chat/conversations/{id}/messages",
            post(chat::post_message),
        ),
        (Method::GET, "/v1/openai/models", get(openai::models)),
        (
            Method::GET,
            "/v1/openai/models/{*model}",
            get(openai::model),
        ),
        (
            Method::POST,
            "/v1/openai/chat/completions",
            post(openai::completions),
        ),
        (
            Method::POST,
            "/v1/openai/embeddings",
            post(openai::embeddings),
        ),
        (
            Method::POST,
            "/v1/openai/moderations",
            post(openai::moderations),
        ),
        (Method::POST, "/v1/webhooks", post(webhooks::create)),
        (Method::GET, "/v1/webhooks", get(webhooks::list)),
        (
            Method::DELETE,
            "/v1/webhooks/{id}",
            delete(webhooks::delete),
        ),
        (Method::POST, "/v1/webhooks/{id}/test", post(webhooks::test)),
        (
            Method::GET,
            "/v1/webhooks/listen",
            get(webhooks::listen_stream),
        ),
        (
            Method::GET,
            "/v1/webhooks/deliveries",
            get(webhooks::deliveries),
        ),
        (
            Method::GET,
            "/v1/webhooks/deliveries/{id}",
            get(webhooks::delivery),
        ),
        (
            Method::POST,
            "/v1/webhooks/deliveries/{id}/replay",
            post(webhooks::replay),
        ),
    ]
}

async fn openapi() -> Response {
    let mut response = OPENAPI_JSON.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// One page of a list: `{"data": [...], "next_cursor": "..." | null}`; the items are the
/// stored JSON documents, sent without being decoded and encoded again.
#[derive(Serialize)]
pub struct Page {
    data: Vec<Box<RawValue>>,
    next_cursor: Option<String>,
}

/// Builds a page from `limit + 1` rows of (sequence, JSON text), newest first.
fn page(mut rows: Vec<(i64, String)>, limit: usize) -> ApiResult<Page> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(|(seq, _)| format!("c{seq}"))
    } else {
        None
    };
    let data = rows
        .into_iter()
        .map(|(_, doc)| RawValue::from_string(doc))
        .collect::<Result<_, _>>()
        .map_err(|err| ApiError::internal(format!("a stored document is not JSON: {err}")))?;
    Ok(Page { data, next_cursor })
}

fn parse_cursor(cursor: Option<&str>) -> ApiResult<Option<i64>> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.strip_prefix('c')
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::invalid(format!("`{c}` is not a cursor this server gave out"))
                })
        })
        .transpose()
}

fn check_limit(limit: Option<usize>) -> ApiResult<usize> {
    match limit.unwrap_or(20) {
        limit @ 1..=100 => Ok(limit),
        other => Err(ApiError::invalid(format!(
            "`limit` must be from 1 to 100, not {other}"
        ))),
    }
}
