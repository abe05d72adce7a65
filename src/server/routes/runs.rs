//! Run endpoints of contract §4: list, get, cancel, and the replayable event stream.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Page, check_limit, page, parse_cursor};
use crate::clock;
use crate::model::{ErrorCode, PersonaStatus, Run, RunEventKind, RunStatus, StepStatus};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::run_event_stream;
use crate::server::http::{Caller, QueryParams, RequestId};
use crate::server::keywatch::StreamKey;
use crate::server::runner::end_persona;
use crate::server::store::Store;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    persona_id: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<axum::Json<Page>> {
    caller.require("runs:read")?;
    if let Some(status) = &query.status
        && RunStatus::parse(status).is_none()
    {
        let names: Vec<&str> = RunStatus::ALL.into_iter().map(RunStatus::as_str).collect();
        return Err(ApiError::invalid(format!(
            "`status` must be one of {}, not `{status}`",
            names.join(", ")
        )));
    }
    let limit = check_limit(query.limit)?;
    let before = parse_cursor(query.cursor.as_deref())?;
    let rows = state.store.list_runs(
        &caller.workspace.id,
        &caller.owner,
        query.persona_id.as_deref(),
        query.status.as_deref(),
        limit + 1,
        before,
    )?;
    Ok(axum::Json(page(rows, limit)?))
}

/// A run as answered: the stored run, and the slug its persona has now.
#[derive(Serialize)]
pub struct RunAnswer {
    #[serde(flatten)]
    run: Run,
    persona_slug: Option<String>,
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(run_id): Path<String>,
) -> ApiResult<axum::Json<RunAnswer>> {
    caller.require("runs:read")?;
    let visible = state
        .store
        .run_visible(&caller.workspace.id, &caller.owner, &run_id)?;
    let run = state
        .store
        .run(&caller.workspace.id, &run_id)?
        .filter(|_| visible)
        .ok_or_else(|| ApiError::not_found(&format!("run `{run_id}`")))?;
    let persona_slug = state.store.persona_slug(&run.persona_id)?;
    Ok(axum::Json(RunAnswer { run, persona_slug }))
}

pub async fn cancel(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(run_id): Path<String>,
) -> ApiResult<axum::Json<RunAnswer>> {
    caller.require("runs:cancel")?;
    let workspace_id = caller.workspace.id.clone();
    let run = state.store.write(|tx| {
        let visible = Store::run_visible_in(tx, &workspace_id, &caller.owner, &run_id)?;
        let mut run = Store::run_in(tx, &workspace_id, &run_id)?
            .filter(|_| visible)
            .ok_or_else(|| ApiError::not_found(&format!("run `{run_id}`")))?;
        if run.status.is_terminal() {
            let status = run.status.as_str();
            return Err(ApiError::conflict(
                ErrorCode::RunNotCancelable,
                format!("run {run_id} already ended ({status}); only a queued or running run can be canceled"),
            )
            .with_run(&run_id));
        }
        let now_ms = clock::now_millis();
        run.status = RunStatus::Canceled;
        run.completed_at = Some(clock::rfc3339(now_ms / 1000));
        if let Some(created) = clock::unix_seconds(&run.created_at) {
            run.latency_ms = Some((now_ms - created * 1000).max(0));
        }
        for step in &mut run.steps {
            if matches!(step.status, StepStatus::Pending | StepStatus::Running) {
                step.status = StepStatus::Canceled;
            }
        }
        Store::save_run(tx, &run)?;
        Store::append_event(tx, &run_id, RunEventKind::RunCanceled, &json!({ "run_id": run_id }))?;
        end_persona(tx, &run.persona_id, PersonaStatus::Canceled, &run)?;
        let persona_slug = Store::persona_slug_in(tx, &run.persona_id)?;
        Ok::<_, ApiError>(RunAnswer { run, persona_slug })
    })?;
    state.hub.notify();
    Ok(axum::Json(run))
}

pub async fn events(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller.require("runs:read")?;
    if !state
        .store
        .run_visible(&caller.workspace.id, &caller.owner, &run_id)?
    {
        return Err(ApiError::not_found(&format!("run `{run_id}`")));
    }
    let after = match headers.get("last-event-id") {
        None => 0,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::RequestInvalid,
                    "Last-Event-ID must be the number of an event of this run",
                )
            })?,
    };
    let key = StreamKey::new(&caller, &request_id);
    Ok(run_event_stream(state, key, run_id, after))
}
