//! Persona endpoints of contract §3, HTTP only: each extracts the request, calls the persona
//! service (`server::personas`) and gives its answer the HTTP form.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Page, page, parse_cursor};
use crate::model::{CreatePersona, ForkPersona, Persona};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::run_event_stream;
use crate::server::http::{Caller, JsonBody, QueryParams, RequestId};
use crate::server::idempotency::{replay, replayed};
use crate::server::keywatch::StreamKey;
use crate::server::personas::{self, Answer, WaitMode, parse_reference, rules};
use crate::server::store::PersonaFilter;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    stream: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    q: Option<String>,
    visibility: Option<String>,
    archived: Option<bool>,
    status: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    QueryParams(query): QueryParams<CreateQuery>,
    headers: HeaderMap,
    body: JsonBody<CreatePersona>,
) -> ApiResult<Response> {
    let mode = WaitMode::of(query.stream.unwrap_or(false), prefers_async(&headers));
    let request = personas::Request {
        caller: &caller,
        request_id: &request_id.0,
        idempotency_key: idempotency_key(&headers)?,
        raw_body: &body.raw,
        mode,
    };
    let answer = personas::create(&state, request, body.value).await?;
    Ok(respond(&state, &caller, &request_id, answer))
}

pub async fn fork(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: JsonBody<ForkPersona>,
) -> ApiResult<Response> {
    let parent = parse_reference(&reference)?;
    let request = personas::Request {
        caller: &caller,
        request_id: &request_id.0,
        idempotency_key: idempotency_key(&headers)?,
        raw_body: &body.raw,
        mode: WaitMode::of(false, prefers_async(&headers)),
    };
    let answer = personas::fork(&state, request, &parent, body.value).await?;
    Ok(respond(&state, &caller, &request_id, answer))
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<axum::Json<Page>> {
    let limit = super::check_limit(query.limit)?;
    let before = parse_cursor(query.cursor.as_deref())?;
    let statuses = match &query.status {
        Some(text) => rules::parse_statuses(text)?,
        None => Vec::new(),
    };
    let filter = PersonaFilter {
        query: query.q.as_deref().filter(|q| !q.is_empty()),
        visibility: query.visibility.as_deref(),
        archived: query.archived.unwrap_or(false),
        statuses: &statuses,
    };
    let rows = personas::list(&state, &caller, &filter, limit + 1, before)?;
    Ok(axum::Json(page(rows, limit)?))
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Persona>> {
    caller.require("personas:read")?;
    let reference = parse_reference(&reference)?;
    Ok(axum::Json(personas::resolve(&state, &caller, &reference)?))
}

pub async fn versions(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let reference = parse_reference(&reference)?;
    Ok(axum::Json(personas::versions(&state, &caller, &reference)?))
}

pub async fn patch(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: JsonBody<Map<String, Value>>,
) -> ApiResult<axum::Json<Persona>> {
    let reference = parse_reference(&reference)?;
    let if_match = headers.get(header::IF_MATCH).map(|v| {
        v.to_str()
            .unwrap_or("")
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    });
    let updated = personas::patch(&state, &caller, &reference, body.value, if_match.as_deref())?;
    Ok(axum::Json(updated))
}

pub async fn archive(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Persona>> {
    let reference = parse_reference(&reference)?;
    Ok(axum::Json(personas::archive(&state, &caller, &reference)?))
}

pub async fn unarchive(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Persona>> {
    let reference = parse_reference(&reference)?;
    Ok(axum::Json(personas::unarchive(
        &state, &caller, &reference,
    )?))
}

/// `Prefer: respond-async` (contract §3).
fn prefers_async(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|p| p.trim() == "respond-async"))
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| ApiError::invalid("the Idempotency-Key header is not valid text"))
}

/// The service's answer in HTTP form; a replayed answer is marked as such. A stream of the
/// run's events ends when the caller's key does.
fn respond(
    state: &Arc<AppState>,
    caller: &Caller,
    request_id: &RequestId,
    answer: Answer,
) -> Response {
    let (response, was_replayed) = match answer {
        Answer::Stored { status, body } => return replay(status, body),
        Answer::Stream { run_id, replayed } => {
            let key = StreamKey::new(caller, request_id);
            (run_event_stream(state.clone(), key, run_id, 0), replayed)
        }
        Answer::Json {
            status,
            body,
            replayed,
        } => ((status, axum::Json(body)).into_response(), replayed),
    };
    if was_replayed {
        replayed(response)
    } else {
        response
    }
}
