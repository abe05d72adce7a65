//! Persona endpoints of contract §3: create (three ways to wait), list, get, patch, versions,
//! fork and archive, with idempotency, slug rules and the persona schema checks.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::Transaction;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Page, page, parse_cursor};
use crate::json::{EDITABLE_FIELDS, fingerprint, merge_patch_apply};
use crate::server::AppState;
use crate::server::clock;
use crate::server::engine::{Pipeline, combined_intent};
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::{run_event_stream, wait_for_change};
use crate::server::http::{Caller, JsonBody, QueryParams, RequestId};
use crate::server::idempotency::{replay, replayed};
use crate::server::ids;
use crate::server::keywatch::StreamKey;
use crate::server::runner::spawn_run;
use crate::server::store::{PersonaFilter, Store};
use crate::server::webhooks::record_persona_event;

const VISIBILITIES: [&str; 3] = ["private", "workspace", "public"];

/// A field of a layer, with the fields of its value when that is an object.
type LayerField = (&'static str, &'static [&'static str]);

/// The fields of each layer.
const LAYER_FIELDS: [(&str, &[LayerField]); 4] = [
    (
        "soul",
        &[("core_desire", &[]), ("core_fear", &[]), ("wound", &[])],
    ),
    (
        "self",
        &[("big_five", &["O", "C", "E", "A", "N"]), ("archetype", &[])],
    ),
    ("mask", &[("voice", &["register"]), ("public_bio", &[])]),
    (
        "surface",
        &[
            ("name", &[]),
            ("age", &[]),
            ("occupation", &[]),
            ("place", &[]),
        ],
    ),
];

/// ISO 639-1 language codes.
const LANGUAGES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie \
    ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi \
    mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc \
    sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi \
    vo wa wo xh yi yo za zh zu";
const MAX_INTENT_CHARS: usize = 4000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePersona {
    intent: String,
    language: Option<String>,
    visibility: Option<String>,
    pipeline: Option<String>,
    seed: Option<u64>,
    budget_usd: Option<f64>,
    custom_fields: Option<Map<String, Value>>,
    slug: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkPersona {
    intent: Option<String>,
    slug: Option<String>,
    visibility: Option<String>,
}

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
    limit: Option<usize>,
    cursor: Option<String>,
}

/// How the creator of a run waits for it (contract §3).
#[derive(Clone, Copy, PartialEq)]
enum WaitMode {
    Block,
    Stream,
    Async,
}

impl WaitMode {
    fn of(stream: bool, headers: &HeaderMap) -> WaitMode {
        let prefers_async = headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|p| p.trim() == "respond-async"));
        if stream {
            WaitMode::Stream
        } else if prefers_async {
            WaitMode::Async
        } else {
            WaitMode::Block
        }
    }

    fn name(self) -> &'static str {
        match self {
            WaitMode::Block => "block",
            WaitMode::Stream => "stream",
            WaitMode::Async => "async",
        }
    }
}

/// A persona and its run, ready to be inserted.
struct NewGeneration {
    persona: Value,
    run: Value,
    request: Value,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    QueryParams(query): QueryParams<CreateQuery>,
    headers: HeaderMap,
    body: JsonBody<CreatePersona>,
) -> ApiResult<Response> {
    caller.require("personas:write")?;
    let JsonBody { value: input, raw } = body;
    let intent = check_intent(&input.intent)?;
    let language = check_language(input.language.as_deref().unwrap_or("en"))?;
    let visibility = check_visibility(input.visibility.as_deref().unwrap_or("private"))?;
    let pipeline = match input.pipeline.as_deref() {
        None => Pipeline::Default,
        Some(name) => Pipeline::parse(name).ok_or_else(|| {
            ApiError::invalid(format!(
                "unknown pipeline `{name}`; known pipelines: default, strict-audit"
            ))
            .with_details(json!([{ "pointer": "/pipeline" }]))
        })?,
    };
    if let Some(budget) = input.budget_usd
        && !(budget.is_finite() && budget > 0.0)
    {
        return Err(
            ApiError::invalid("`budget_usd` must be a positive number of US dollars")
                .with_details(json!([{ "pointer": "/budget_usd" }])),
        );
    }
    if let Some(slug) = &input.slug {
        check_slug(slug)?;
    }
    check_moderation(&intent)?;
    let seed = input
        .seed
        .unwrap_or_else(|| u64::from(rand::random::<u32>()));
    let mode = WaitMode::of(query.stream.unwrap_or(false), &headers);
    let engine = state.engine.name();
    let owner_key_id = caller.key_id.clone();
    let request_id_text = request_id.0.clone();
    start_generation(
        &state,
        &caller,
        &request_id,
        "create",
        &headers,
        &raw,
        mode,
        move |_tx, persona_id, run_id| {
            let now = clock::now();
            let mut persona = blank_persona(persona_id, run_id, &owner_key_id, now);
            persona["slug"] = json!(input.slug);
            persona["language"] = json!(language);
            persona["intent"] = json!(intent);
            persona["visibility"] = json!(visibility);
            persona["custom_fields"] = json!(input.custom_fields.unwrap_or_default());
            persona["fingerprint"] = json!(fingerprint(&persona));
            let run = blank_run(
                run_id,
                persona_id,
                "create",
                pipeline,
                seed,
                input.budget_usd,
                engine,
                now,
            );
            let request = json!({
                "kind": "create", "intent": intent, "language": language, "seed": seed,
                "pipeline": pipeline.name(), "budget_usd": input.budget_usd, "parent": null,
                "created_at_ms": clock::now_millis(), "request_id": request_id_text,
            });
            Ok(NewGeneration {
                persona,
                run,
                request,
            })
        },
    )
    .await
}

pub async fn fork(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: JsonBody<ForkPersona>,
) -> ApiResult<Response> {
    caller.require("personas:fork")?;
    let JsonBody { value: input, raw } = body;
    let intent = input.intent.as_deref().map(check_intent).transpose()?;
    if let Some(slug) = &input.slug {
        check_slug(slug)?;
    }
    let visibility = input
        .visibility
        .as_deref()
        .map(check_visibility)
        .transpose()?;
    if let Some(intent) = &intent {
        check_moderation(intent)?;
    }
    let parent = resolve(&state, &caller, &reference)?;
    if parent["status"] != "completed" {
        return Err(not_ready(&parent));
    }
    let mode = WaitMode::of(false, &headers);
    let engine = state.engine.name();
    let seed = u64::from(rand::random::<u32>());
    let owner_key_id = caller.key_id.clone();
    let request_id_text = request_id.0.clone();
    let endpoint = format!("fork {}", parent["id"].as_str().unwrap_or_default());
    start_generation(&state, &caller, &request_id, &endpoint, &headers, &raw, mode, move |_tx, persona_id, run_id| {
        let now = clock::now();
        let mut persona = blank_persona(persona_id, run_id, &owner_key_id, now);
        persona["slug"] = json!(input.slug);
        persona["language"] = parent["language"].clone();
        persona["visibility"] = visibility.map_or_else(|| parent["visibility"].clone(), |v| json!(v));
        persona["intent"] = match &intent {
            Some(refinement) => json!(combined_intent(
                parent["intent"].as_str().unwrap_or_default(),
                refinement
            )),
            None => parent["intent"].clone(),
        };
        persona["parent_id"] = parent["id"].clone();
        persona["custom_fields"] = parent["custom_fields"].clone();
        persona["fingerprint"] = json!(fingerprint(&persona));
        let run = blank_run(run_id, persona_id, "fork", Pipeline::Default, seed, None, engine, now);
        let layers: Map<String, Value> = ["soul", "self", "mask", "surface"]
            .iter()
            .map(|layer| (layer.to_string(), parent[layer].clone()))
            .collect();
        let request = json!({
            "kind": "fork", "intent": intent.unwrap_or_default(), "language": parent["language"],
            "seed": seed, "pipeline": "default", "budget_usd": null,
            "parent": { "id": parent["id"], "slug": parent["slug"], "intent": parent["intent"], "layers": layers },
            "created_at_ms": clock::now_millis(), "request_id": request_id_text,
        });
        Ok(NewGeneration { persona, run, request })
    })
    .await
}

fn blank_persona(persona_id: &str, run_id: &str, owner_key_id: &str, now: i64) -> Value {
    json!({
        "id": persona_id, "slug": null, "status": "queued", "language": "en", "schema_version": "1.0",
        "soul": {}, "self": {}, "mask": {}, "surface": {}, "fingerprint": null,
        "run": { "id": run_id, "cost_usd": 0.0, "tokens": 0, "latency_ms": null },
        "intent": "", "visibility": "private", "version": 1, "parent_id": null, "custom_fields": {},
        "created_at": clock::rfc3339(now), "updated_at": clock::rfc3339(now), "archived_at": null,
        "owner_key_id": owner_key_id,
    })
}

#[allow(clippy::too_many_arguments)]
fn blank_run(
    run_id: &str,
    persona_id: &str,
    kind: &str,
    pipeline: Pipeline,
    seed: u64,
    budget_usd: Option<f64>,
    engine: &str,
    now: i64,
) -> Value {
    json!({
        "id": run_id, "persona_id": persona_id, "kind": kind, "status": "queued",
        "pipeline": pipeline.name(), "seed": seed, "budget_usd": budget_usd, "engine": engine,
        "steps": pipeline.steps().iter().map(|name| json!({
            "name": name, "status": "pending", "tokens": 0, "cost_usd": 0.0, "started_at": null, "completed_at": null,
        })).collect::<Vec<_>>(),
        "cost_usd": 0.0, "tokens": 0, "latency_ms": null, "error": null,
        "created_at": clock::rfc3339(now), "completed_at": null,
    })
}

/// Idempotency, rate limit, insertion of persona + run, start of the run, and the answer in
/// the caller's wait mode. A retried request with the same `Idempotency-Key` and body starts
/// nothing new: it gets the stored answer, or waits on the run the first request started.
#[allow(clippy::too_many_arguments)]
async fn start_generation(
    state: &Arc<AppState>,
    caller: &Caller,
    request_id: &RequestId,
    endpoint: &str,
    headers: &HeaderMap,
    raw: &Bytes,
    mode: WaitMode,
    build: impl FnOnce(&Transaction, &str, &str) -> ApiResult<NewGeneration>,
) -> ApiResult<Response> {
    let idempotency_key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| ApiError::invalid("the Idempotency-Key header is not valid text"))?;
    let request_hash = {
        let mut hasher = Sha256::new();
        hasher.update(endpoint.as_bytes());
        hasher.update(b"\n");
        hasher.update(mode.name().as_bytes());
        hasher.update(b"\n");
        hasher.update(raw);
        hex::encode(hasher.finalize())
    };
    if let Some(key) = &idempotency_key
        && let Some(record) = state.store.idempotency(&caller.key_id, key)?
    {
        if record.request_hash != request_hash {
            return Err(ApiError::idempotency_conflict());
        }
        if let Some((status, body)) = record.response {
            return Ok(replay(status, body));
        }
        if let Some(run_id) = record.run_id {
            let response = answer(
                state,
                caller,
                request_id,
                &run_id,
                mode,
                idempotency_key.as_deref(),
            )
            .await?;
            return Ok(replayed(response));
        }
    }
    state.limiter.take_generation(&caller.workspace.id)?;
    let persona_id = ids::new_id("psn");
    let run_id = ids::new_id("run");
    state.store.write(|tx| {
        let generation = build(tx, &persona_id, &run_id)?;
        if let Some(slug) = generation.persona["slug"].as_str()
            && Store::slug_taken(tx, &caller.workspace.id, slug)?
        {
            return Err(slug_taken(slug));
        }
        Store::insert_persona(tx, &caller.workspace.id, &generation.persona)?;
        Store::insert_run(
            tx,
            &caller.workspace.id,
            &generation.request,
            &generation.run,
        )?;
        if let Some(key) = &idempotency_key {
            Store::insert_idempotency(tx, &caller.key_id, key, &request_hash, &run_id)?;
        }
        Ok::<_, ApiError>(())
    })?;
    spawn_run(state, run_id.clone());
    answer(
        state,
        caller,
        request_id,
        &run_id,
        mode,
        idempotency_key.as_deref(),
    )
    .await
}

/// The answer for a started run in the caller's wait mode; final answers are kept for
/// idempotent replay.
async fn answer(
    state: &Arc<AppState>,
    caller: &Caller,
    request_id: &RequestId,
    run_id: &str,
    mode: WaitMode,
    idempotency_key: Option<&str>,
) -> ApiResult<Response> {
    let (status, body) = match mode {
        WaitMode::Stream => {
            let key = StreamKey::new(caller, request_id);
            return Ok(run_event_stream(state.clone(), key, run_id.to_string(), 0));
        }
        WaitMode::Async => {
            let run = state
                .store
                .run(&caller.workspace.id, run_id)?
                .ok_or_else(|| ApiError::not_found("run"))?;
            (
                StatusCode::ACCEPTED,
                json!({ "id": run["persona_id"], "status": "queued", "run": { "id": run_id } }),
            )
        }
        WaitMode::Block => match wait_for_run(state, caller, run_id).await? {
            Ok(persona) => (StatusCode::CREATED, persona),
            Err(error) => (error.status, error.body(&request_id.0)),
        },
    };
    if let Some(key) = idempotency_key {
        state.store.complete_idempotency(
            &caller.key_id,
            key,
            status.as_u16(),
            &body.to_string(),
        )?;
    }
    Ok((status, axum::Json(body)).into_response())
}

/// Waits until the run ends: the persona when it completed, else the run's error.
async fn wait_for_run(
    state: &AppState,
    caller: &Caller,
    run_id: &str,
) -> ApiResult<Result<Value, ApiError>> {
    let mut changes = state.hub.subscribe();
    loop {
        changes.borrow_and_update();
        let run = state
            .store
            .run(&caller.workspace.id, run_id)?
            .ok_or_else(|| ApiError::not_found("run"))?;
        match run["status"].as_str() {
            Some("completed") => {
                let persona_id = run["persona_id"].as_str().unwrap_or_default();
                let persona = state
                    .store
                    .persona(&caller.workspace.id, persona_id)?
                    .ok_or_else(|| ApiError::not_found("persona"))?;
                return Ok(Ok(persona));
            }
            Some("failed") => return Ok(Err(super::run_error(&run))),
            Some("canceled") => {
                return Ok(Err(ApiError::conflict(
                    "run.canceled",
                    format!("run {run_id} was canceled before it completed"),
                )
                .with_run(run_id)));
            }
            _ => wait_for_change(&mut changes).await,
        }
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<axum::Json<Page>> {
    caller.require("personas:read")?;
    if let Some(visibility) = &query.visibility {
        check_visibility(visibility)?;
    }
    let limit = super::check_limit(query.limit)?;
    let before = parse_cursor(query.cursor.as_deref())?;
    let filter = PersonaFilter {
        query: query.q.as_deref().filter(|q| !q.is_empty()),
        visibility: query.visibility.as_deref(),
        archived: query.archived.unwrap_or(false),
    };
    let rows = state
        .store
        .list_personas(&caller.workspace.id, &filter, limit + 1, before)?;
    Ok(axum::Json(page(rows, limit)?))
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    caller.require("personas:read")?;
    Ok(axum::Json(resolve(&state, &caller, &reference)?))
}

pub async fn versions(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    caller.require("personas:read")?;
    let persona = resolve(&state, &caller, &reference)?;
    let id = persona["id"].as_str().unwrap_or_default();
    let data: Vec<Value> = state
        .store
        .persona_versions(id)?
        .into_iter()
        .map(|(version, fingerprint, created_at, run_id)| {
            json!({ "version": version, "fingerprint": fingerprint, "created_at": clock::rfc3339(created_at), "run_id": run_id })
        })
        .collect();
    Ok(axum::Json(json!({ "data": data, "next_cursor": null })))
}

pub async fn patch(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: JsonBody<Map<String, Value>>,
) -> ApiResult<axum::Json<Value>> {
    caller.require("personas:write")?;
    let patch = body.value;
    let (base, version) = split_reference(&reference)?;
    if version.is_some() {
        return Err(ApiError::invalid(
            "a past version cannot be changed; patch the persona without `@vN`",
        ));
    }
    let if_match = headers.get(header::IF_MATCH).map(|v| {
        v.to_str()
            .unwrap_or("")
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    });
    let workspace_id = caller.workspace.id.clone();
    let updated = state.store.write(|tx| {
        let current = Store::persona_in(tx, &workspace_id, base)?
            .ok_or_else(|| ApiError::not_found(&format!("persona `{base}`")))?;
        if let Some(expected) = &if_match
            && expected != "*"
            && current["fingerprint"].as_str() != Some(expected.as_str())
        {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "persona.version_conflict",
                format!(
                    "the persona changed since you read it: it is now version {} with fingerprint {}",
                    current["version"], current["fingerprint"].as_str().unwrap_or("")
                ),
            )
            .with_details(json!({ "version": current["version"], "fingerprint": current["fingerprint"] })));
        }
        if current["status"] != "completed" {
            return Err(not_ready(&current));
        }
        let mut editable = Map::new();
        for (field, value) in &patch {
            if EDITABLE_FIELDS.contains(&field.as_str()) {
                editable.insert(field.clone(), value.clone());
            } else if current.get(field).is_some() {
                if current[field] != *value {
                    return Err(ApiError::invalid(format!(
                        "`{field}` is read-only and cannot be changed; remove it from the patch"
                    ))
                    .with_details(json!([{ "pointer": format!("/{field}") }])));
                }
            } else {
                return Err(ApiError::invalid(format!("unknown field `{field}`"))
                    .with_details(json!([{ "pointer": format!("/{field}") }])));
            }
        }
        let mut next = current.clone();
        merge_patch_apply(&mut next, &Value::Object(editable));
        let violations = schema_violations(&next);
        if !violations.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "persona.schema_violation",
                format!(
                    "the persona breaks {} schema rule(s): {}",
                    violations.len(),
                    violations.iter().filter_map(|v| v["message"].as_str()).collect::<Vec<_>>().join("; ")
                ),
            )
            .with_details(Value::Array(violations)));
        }
        let new_fingerprint = fingerprint(&next);
        if current["fingerprint"].as_str() == Some(new_fingerprint.as_str()) {
            return Ok(current);
        }
        if next["slug"] != current["slug"]
            && let Some(slug) = next["slug"].as_str()
            && Store::slug_taken(tx, &workspace_id, slug)?
        {
            return Err(slug_taken(slug));
        }
        let now = clock::now();
        next["fingerprint"] = json!(new_fingerprint);
        next["version"] = json!(current["version"].as_i64().unwrap_or(1) + 1);
        next["updated_at"] = json!(clock::rfc3339(now));
        Store::save_persona(tx, &next)?;
        Store::insert_version(tx, &next, now)?;
        record_persona_event(tx, &workspace_id, "persona.updated", &next)?;
        Ok(next)
    })?;
    Ok(axum::Json(updated))
}

pub async fn archive(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    caller.require("personas:write")?;
    let (base, version) = split_reference(&reference)?;
    if version.is_some() {
        return Err(ApiError::invalid(
            "archive the persona itself, without `@vN`",
        ));
    }
    let workspace_id = caller.workspace.id.clone();
    let persona = state.store.write(|tx| {
        let mut persona = Store::persona_in(tx, &workspace_id, base)?
            .ok_or_else(|| ApiError::not_found(&format!("persona `{base}`")))?;
        if persona["archived_at"].is_null() {
            let now = clock::rfc3339(clock::now());
            persona["archived_at"] = json!(now);
            persona["updated_at"] = json!(now);
            Store::save_persona(tx, &persona)?;
            record_persona_event(tx, &workspace_id, "persona.archived", &persona)?;
        }
        Ok::<_, ApiError>(persona)
    })?;
    Ok(axum::Json(persona))
}

/// A persona by id, slug, or either with `@vN`, in the caller's workspace.
fn resolve(state: &AppState, caller: &Caller, reference: &str) -> ApiResult<Value> {
    let (base, version) = split_reference(reference)?;
    let persona = state
        .store
        .persona(&caller.workspace.id, base)?
        .ok_or_else(|| ApiError::not_found(&format!("persona `{base}`")))?;
    match version {
        None => Ok(persona),
        Some(version) => state
            .store
            .persona_version(persona["id"].as_str().unwrap_or_default(), version)?
            .ok_or_else(|| ApiError::not_found(&format!("version {version} of persona `{base}`"))),
    }
}

/// `slug@v3` → (`slug`, Some(3)).
fn split_reference(reference: &str) -> ApiResult<(&str, Option<i64>)> {
    match reference.split_once('@') {
        None => Ok((reference, None)),
        Some((base, version)) => version
            .strip_prefix('v')
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 1)
            .map(|n| (base, Some(n)))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "`{reference}` is not a persona reference; a version is written `@v3`"
                ))
            }),
    }
}

fn not_ready(persona: &Value) -> ApiError {
    ApiError::conflict(
        "persona.not_ready",
        format!(
            "persona {} is {}; only a completed persona can be changed or forked",
            persona["id"].as_str().unwrap_or(""),
            persona["status"].as_str().unwrap_or("")
        ),
    )
}

fn slug_taken(slug: &str) -> ApiError {
    ApiError::conflict(
        "persona.slug_taken",
        format!(
            "the slug `{slug}` is already used by another persona in this workspace; choose another"
        ),
    )
    .with_details(json!([{ "pointer": "/slug" }]))
}

fn check_intent(intent: &str) -> ApiResult<String> {
    let intent = intent.trim();
    let chars = intent.chars().count();
    if chars == 0 {
        return Err(ApiError::invalid(
            "`intent` is empty; describe the character in 1 to 4000 characters",
        )
        .with_details(json!([{ "pointer": "/intent" }])));
    }
    if chars > MAX_INTENT_CHARS {
        return Err(ApiError::invalid(format!(
            "`intent` has {chars} characters; the limit is {MAX_INTENT_CHARS}"
        ))
        .with_details(json!([{ "pointer": "/intent" }])));
    }
    Ok(intent.to_string())
}

fn check_language(language: &str) -> ApiResult<String> {
    if language.len() == 2 && LANGUAGES.split_whitespace().any(|code| code == language) {
        Ok(language.to_string())
    } else {
        Err(ApiError::invalid(format!(
            "`language` must be an ISO 639-1 code of two lowercase letters, such as `en` or `tr`; `{language}` is not one"
        ))
        .with_details(json!([{ "pointer": "/language" }])))
    }
}

fn check_visibility(visibility: &str) -> ApiResult<String> {
    if VISIBILITIES.contains(&visibility) {
        Ok(visibility.to_string())
    } else {
        Err(ApiError::invalid(format!(
            "`visibility` must be one of private, workspace, public, not `{visibility}`"
        ))
        .with_details(json!([{ "pointer": "/visibility" }])))
    }
}

fn slug_problem(slug: &str) -> Option<String> {
    let well_formed = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    (!well_formed).then(|| {
        format!("the slug `{slug}` must be 1 to 64 lowercase letters, digits and single dashes, such as `the-istanbul-bookseller`")
    })
}

fn check_slug(slug: &str) -> ApiResult<()> {
    match slug_problem(slug) {
        None => Ok(()),
        Some(problem) => {
            Err(ApiError::invalid(problem).with_details(json!([{ "pointer": "/slug" }])))
        }
    }
}

/// Intents the moderation policy blocks (see `server::moderation`) are refused.
fn check_moderation(intent: &str) -> ApiResult<()> {
    match crate::server::moderation::blocked_intent(intent) {
        None => Ok(()),
        Some(phrase) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "moderation.intent_blocked",
            format!("the intent was blocked by the moderation policy (it asks for a \"{phrase}\")"),
        )),
    }
}

/// Every rule of the persona schema that `persona` breaks, each with its JSON pointer.
pub fn schema_violations(persona: &Value) -> Vec<Value> {
    let mut found = Vec::new();
    let mut violation = |pointer: &str, message: String| {
        found.push(json!({ "pointer": pointer, "message": message }))
    };
    if persona["language"]
        .as_str()
        .is_none_or(|l| check_language(l).is_err())
    {
        violation(
            "/language",
            "language must be a two-letter ISO-639-1 code".into(),
        );
    }
    if !persona["visibility"]
        .as_str()
        .is_some_and(|v| VISIBILITIES.contains(&v))
    {
        violation(
            "/visibility",
            "visibility must be private, workspace or public".into(),
        );
    }
    match persona["slug"].as_str() {
        Some(slug) => {
            if let Some(problem) = slug_problem(slug) {
                violation("/slug", problem);
            }
        }
        None => violation("/slug", "slug must be a string".into()),
    }
    for layer in ["soul", "self", "mask", "surface", "custom_fields"] {
        if !persona[layer].is_object() {
            violation(&format!("/{layer}"), format!("{layer} must be an object"));
        }
    }
    // The layers have fixed fields, so that a misspelt one is refused rather than kept beside
    // the real one; free-form data belongs in custom_fields.
    for (layer, fields) in LAYER_FIELDS {
        for (field, value) in persona[layer].as_object().into_iter().flatten() {
            let Some((_, nested)) = fields.iter().find(|(name, _)| name == field) else {
                let known: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                violation(
                    &format!("/{layer}/{field}"),
                    format!(
                        "{layer} has no field `{field}`; its fields are {}",
                        known.join(", ")
                    ),
                );
                continue;
            };
            for key in value
                .as_object()
                .filter(|_| !nested.is_empty())
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                if !nested.contains(&key.as_str()) {
                    violation(
                        &format!("/{layer}/{field}/{key}"),
                        format!(
                            "{layer}.{field} has no field `{key}`; its fields are {}",
                            nested.join(", ")
                        ),
                    );
                }
            }
        }
    }
    let big_five = &persona["self"]["big_five"];
    if big_five.is_object() {
        for trait_name in ["O", "C", "E", "A", "N"] {
            if !big_five[trait_name]
                .as_f64()
                .is_some_and(|v| (0.0..=1.0).contains(&v))
            {
                violation(
                    &format!("/self/big_five/{trait_name}"),
                    format!("big_five.{trait_name} must be a number from 0 to 1"),
                );
            }
        }
    } else {
        violation(
            "/self/big_five",
            "self.big_five must be an object with O, C, E, A and N".into(),
        );
    }
    if persona["surface"]["name"]
        .as_str()
        .is_none_or(|n| n.trim().is_empty())
    {
        violation(
            "/surface/name",
            "surface.name must be a non-empty string".into(),
        );
    }
    let age = &persona["surface"]["age"];
    if !age.is_null() && age.as_u64().is_none_or(|a| a > 150) {
        violation(
            "/surface/age",
            "surface.age must be a whole number from 0 to 150".into(),
        );
    }
    // Cross-layer: the public bio presents the character under the name the surface gives.
    if let (Some(bio), Some(name)) = (
        persona["mask"]["public_bio"].as_str(),
        persona["surface"]["name"].as_str(),
    ) && !bio.is_empty()
        && !name.trim().is_empty()
        && !bio.contains(name.split_whitespace().next().unwrap_or(name))
    {
        violation(
            "/mask/public_bio",
            "mask.public_bio must name the character by the given name of surface.name".into(),
        );
    }
    found
}
