//! Webhook endpoints of contract §11, scope `webhooks:manage`: create (the secret shown once),
//! list, delete, test; deliveries, the dead-letter queue and replay; and the listen stream.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Page, check_limit, page, parse_cursor};
use crate::clock;
use crate::model::{ErrorCode, WEBHOOK_EVENT_TYPES};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::http::{Caller, JsonBody, QueryParams, RequestId};
use crate::server::ids;
use crate::server::keywatch::StreamKey;
use crate::server::store::{DeliveryFilter, ReplayRefusal, WebhookEndpoint};
use crate::server::webhooks::target::TargetPolicy;
use crate::server::webhooks::{
    TEST_EVENT, delivery_json, endpoint_json, listen, new_secret, target_policy,
};

const SCOPE: &str = "webhooks:manage";
const DELIVERY_STATUSES: [&str; 3] = ["pending", "succeeded", "failed"];
const MAX_DESCRIPTION_CHARS: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    url: String,
    events: Option<Vec<String>>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    status: Option<String>,
    endpoint_id: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenQuery {
    events: Option<String>,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: JsonBody<CreateWebhook>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    caller.require(SCOPE)?;
    let input = body.value;
    let url = check_url(&input.url, target_policy(&state))?;
    let events = check_events(input.events.unwrap_or_else(|| vec!["*".to_string()]))?;
    if events.is_empty() {
        return Err(invalid_events(
            "`events` names no event type; name some, or `*` for all",
        ));
    }
    if let Some(description) = &input.description
        && description.chars().count() > MAX_DESCRIPTION_CHARS
    {
        return Err(ApiError::invalid(format!(
            "`description` is longer than {MAX_DESCRIPTION_CHARS} characters"
        ))
        .with_details(json!([{ "pointer": "/description" }])));
    }
    let endpoint = state.store.insert_webhook_endpoint(WebhookEndpoint {
        id: ids::new_id("whk"),
        workspace_id: caller.workspace.id.clone(),
        url: Some(url),
        events,
        description: input.description,
        secret: new_secret(),
        listen: false,
        after_seq: 0,
        created_at: clock::now(),
    })?;
    Ok((
        StatusCode::CREATED,
        axum::Json(endpoint_json(&endpoint, true)),
    ))
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<axum::Json<Page>> {
    caller.require(SCOPE)?;
    let limit = check_limit(query.limit)?;
    let before = parse_cursor(query.cursor.as_deref())?;
    let rows = state
        .store
        .webhook_endpoints(&caller.workspace.id, limit + 1, before)?
        .into_iter()
        .map(|(seq, endpoint)| (seq, endpoint_json(&endpoint, false).to_string()))
        .collect();
    Ok(axum::Json(page(rows, limit)?))
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(SCOPE)?;
    if state
        .store
        .delete_webhook_endpoint(&caller.workspace.id, &id)?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(endpoint_not_found(&id))
    }
}

pub async fn test(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    caller.require(SCOPE)?;
    let endpoint = state
        .store
        .webhook_endpoint(&caller.workspace.id, &id)?
        .ok_or_else(|| endpoint_not_found(&id))?;
    let (event_id, delivery_id) = state
        .store
        .send_test_event(&endpoint, clock::now_millis())?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({
            "event_id": event_id,
            "type": TEST_EVENT,
            "endpoint_id": endpoint.id,
            "delivery_id": delivery_id,
        })),
    ))
}

pub async fn deliveries(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryParams(query): QueryParams<DeliveriesQuery>,
) -> ApiResult<axum::Json<Page>> {
    caller.require(SCOPE)?;
    if let Some(status) = &query.status
        && !DELIVERY_STATUSES.contains(&status.as_str())
    {
        return Err(ApiError::invalid(format!(
            "`status` must be one of {}, not `{status}`",
            DELIVERY_STATUSES.join(", ")
        )));
    }
    // An endpoint that does not exist (or was deleted, with its deliveries) is not an empty list.
    if let Some(endpoint_id) = &query.endpoint_id
        && state
            .store
            .webhook_endpoint(&caller.workspace.id, endpoint_id)?
            .is_none()
    {
        return Err(ApiError::not_found(&format!(
            "webhook endpoint `{endpoint_id}`"
        )));
    }
    let limit = check_limit(query.limit)?;
    let before = parse_cursor(query.cursor.as_deref())?;
    let filter = DeliveryFilter {
        status: query.status.as_deref(),
        endpoint_id: query.endpoint_id.as_deref(),
    };
    let rows = state
        .store
        .deliveries(&caller.workspace.id, &filter, limit + 1, before)?
        .into_iter()
        .map(|(seq, delivery)| (seq, delivery_json(&delivery, &state.config).to_string()))
        .collect();
    Ok(axum::Json(page(rows, limit)?))
}

pub async fn delivery(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(SCOPE)?;
    let delivery = state
        .store
        .delivery(&caller.workspace.id, &id)?
        .ok_or_else(|| delivery_not_found(&id))?;
    Ok(axum::Json(delivery_json(&delivery, &state.config)))
}

pub async fn replay(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    caller.require(SCOPE)?;
    let retention = state.config.retention.as_secs() as i64;
    let oldest_event = clock::now() - retention;
    let replayed = state.store.replay_delivery(
        &caller.workspace.id,
        &id,
        oldest_event,
        clock::now_millis(),
    )?;
    match replayed {
        Ok(delivery) => Ok((
            StatusCode::ACCEPTED,
            axum::Json(delivery_json(&delivery, &state.config)),
        )),
        Err(ReplayRefusal::NotFound) => Err(delivery_not_found(&id)),
        Err(ReplayRefusal::StillPending) => Err(ApiError::conflict(
            ErrorCode::WebhookDeliveryPending,
            format!(
                "delivery {id} is still being attempted; replay it once it succeeded or failed"
            ),
        )),
        Err(ReplayRefusal::TooOld) => Err(ApiError::conflict(
            ErrorCode::WebhookReplayExpired,
            format!(
                "the event of delivery {id} is older than {} days and can no longer be replayed",
                retention / clock::DAY
            ),
        )),
    }
}

pub async fn listen_stream(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    QueryParams(query): QueryParams<ListenQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller.require(SCOPE)?;
    let events = match &query.events {
        Some(list) => check_events(
            list.split(',')
                .map(str::trim)
                .filter(|kind| !kind.is_empty())
                .map(String::from)
                .collect(),
        )?,
        None => Vec::new(),
    };
    // `*` and no filter mean the same: every event.
    let events: Vec<String> = events.into_iter().filter(|kind| kind != "*").collect();
    let last_event_id = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::invalid("Last-Event-ID must be the number of an event of this stream")
                })?,
        ),
    };
    let endpoint = state.store.listen_endpoint(
        &caller.key_id,
        WebhookEndpoint {
            id: ids::new_id("whk"),
            workspace_id: caller.workspace.id.clone(),
            url: None,
            events: vec!["*".to_string()],
            description: Some("persona webhooks listen".to_string()),
            secret: new_secret(),
            listen: true,
            after_seq: 0,
            created_at: clock::now(),
        },
    )?;
    let (after, resumed) = match last_event_id {
        Some(after) => (after, true),
        None => (state.store.outbox_position()?, false),
    };
    let key = StreamKey::new(&caller, &request_id);
    Ok(listen::stream(state, key, endpoint, after, resumed, events))
}

/// An absolute http(s) URL with a host that `policy` delivers to.
fn check_url(text: &str, policy: TargetPolicy) -> ApiResult<String> {
    let problem = match url::Url::parse(text.trim()) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            format!("`url` must be http or https, not {}", url.scheme())
        }
        Ok(url) if url.host_str().is_none_or(str::is_empty) => "`url` has no host".to_string(),
        // Credentials in the URL would be shown by every list of endpoints.
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            "`url` must not hold a user name or password: authenticate deliveries by their signature"
                .to_string()
        }
        Ok(url) => match policy.refusal(&url) {
            Some(refusal) => format!("`url` cannot be used: {refusal}"),
            None => return Ok(url.to_string()),
        },
        Err(err) => format!("`url` is not a valid URL: {err}"),
    };
    Err(ApiError::invalid(problem).with_details(json!([{ "pointer": "/url" }])))
}

/// Known event types (or `*`), without repeats; `*` alone when it is among them.
fn check_events(events: Vec<String>) -> ApiResult<Vec<String>> {
    let mut kept: Vec<String> = Vec::new();
    for kind in events {
        if kind != "*" && !WEBHOOK_EVENT_TYPES.contains(&kind.as_str()) {
            return Err(invalid_events(&format!(
                "unknown event type `{kind}`; known types: {}, or * for all",
                WEBHOOK_EVENT_TYPES.join(", ")
            )));
        }
        if !kept.contains(&kind) {
            kept.push(kind);
        }
    }
    if kept.iter().any(|kind| kind == "*") {
        kept = vec!["*".to_string()];
    }
    Ok(kept)
}

fn invalid_events(message: &str) -> ApiError {
    ApiError::invalid(message).with_details(json!([{ "pointer": "/events" }]))
}

fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::not_found(&format!("webhook endpoint `{id}`"))
}

fn delivery_not_found(id: &str) -> ApiError {
    ApiError::not_found(&format!("webhook delivery `{id}`"))
}
