//! Creating and forking a persona: the checks, idempotency (a retried request starts nothing
//! new), the rate limit, the persona and run rows, the run's start, and the answer per wait mode.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::ensure_slug_free;
use super::rules::{
    check_intent, check_language, check_moderation, check_slug, check_visibility, not_ready,
};
use crate::clock;
use crate::json::fingerprint;
use crate::model::{
    CreatePersona, ErrorCode, ForkPersona, Persona, PersonaRef, PersonaRunFigures, PersonaStatus,
    Run, RunKind, RunParent, RunRequest, RunStatus, RunStep, Visibility,
};
use crate::server::AppState;
use crate::server::engine::{Pipeline, combined_intent};
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::wait_for_change;
use crate::server::http::Caller;
use crate::server::ids;
use crate::server::runner::spawn_run;
use crate::server::store::Store;

/// How the creator of a run waits for it (contract §3).
#[derive(Clone, Copy, PartialEq)]
pub enum WaitMode {
    /// Until the run ends: the persona, or the run's error.
    Block,
    /// The run's events as they happen (`?stream=true`).
    Stream,
    /// Not at all: 202 with the run's id (`Prefer: respond-async`).
    Async,
}

impl WaitMode {
    pub fn of(stream: bool, prefers_async: bool) -> WaitMode {
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

/// What one create or fork request brings besides its body.
pub struct Request<'a> {
    pub caller: &'a Caller,
    pub request_id: &'a str,
    pub idempotency_key: Option<String>,
    /// The body as sent: a retry with the same key must send the same bytes.
    pub raw_body: &'a [u8],
    pub mode: WaitMode,
}

/// The answer to a create or fork, for the surface to give in its own form.
pub enum Answer {
    /// Stream the events of this run from the first.
    Stream { run_id: String, replayed: bool },
    /// A JSON answer: the persona (201), the accepted run (202) or the run's error.
    Json {
        status: StatusCode,
        body: Value,
        replayed: bool,
    },
    /// The answer stored for an earlier request with the same idempotency key, as sent then.
    Stored { status: u16, body: String },
}

/// A persona and its run, ready to be inserted.
struct NewGeneration {
    persona: Persona,
    run: Run,
    request: RunRequest,
}

/// `POST /v1/personas`.
pub async fn create(
    state: &Arc<AppState>,
    request: Request<'_>,
    input: CreatePersona,
) -> ApiResult<Answer> {
    request.caller.require("personas:write")?;
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
    let engine = state.engine.name();
    let owner_key_id = request.caller.key_id.clone();
    let request_id = request.request_id.to_string();
    start(state, request, "create", move |persona_id, run_id| {
        let now = clock::now();
        let mut persona = blank_persona(persona_id, run_id, &owner_key_id, now);
        persona.slug = input.slug;
        persona.language = language.clone();
        persona.intent = intent.clone();
        persona.visibility = visibility;
        persona.custom_fields = input.custom_fields.unwrap_or_default();
        persona.fingerprint = Some(fingerprint(&persona.to_value()));
        RunSpec {
            kind: RunKind::Create,
            pipeline,
            seed,
            budget_usd: input.budget_usd,
            intent,
            language,
            parent: None,
        }
        .generation(persona, engine, request_id, now)
    })
    .await
}

/// `POST /v1/personas/{ref}/fork`: a new persona from `parent` (any version the caller may see).
pub async fn fork(
    state: &Arc<AppState>,
    request: Request<'_>,
    parent: &PersonaRef,
    input: ForkPersona,
) -> ApiResult<Answer> {
    request.caller.require("personas:fork")?;
    let intent = input.intent.as_deref().map(check_intent).transpose()?;
    if let Some(slug) = &input.slug {
        check_slug(slug)?;
    }
    let visibility: Option<Visibility> = input
        .visibility
        .as_deref()
        .map(check_visibility)
        .transpose()?;
    if let Some(intent) = &intent {
        check_moderation(intent)?;
    }
    let parent = super::resolve(state, request.caller, parent)?;
    if !parent.is_completed() {
        return Err(not_ready(&parent));
    }
    let engine = state.engine.name();
    let seed = u64::from(rand::random::<u32>());
    let owner_key_id = request.caller.key_id.clone();
    let request_id = request.request_id.to_string();
    let endpoint = format!("fork {}", parent.id);
    start(state, request, &endpoint, move |persona_id, run_id| {
        let now = clock::now();
        let mut persona = blank_persona(persona_id, run_id, &owner_key_id, now);
        persona.slug = input.slug;
        persona.language = parent.language.clone();
        persona.visibility = visibility.unwrap_or(parent.visibility);
        persona.intent = match &intent {
            Some(refinement) => combined_intent(&parent.intent, refinement),
            None => parent.intent.clone(),
        };
        persona.parent_id = Some(parent.id.clone());
        persona.custom_fields = parent.custom_fields.clone();
        persona.fingerprint = Some(fingerprint(&persona.to_value()));
        RunSpec {
            kind: RunKind::Fork,
            pipeline: Pipeline::Default,
            seed,
            budget_usd: None,
            intent: intent.unwrap_or_default(),
            language: parent.language.clone(),
            parent: Some(RunParent {
                layers: parent.layers(),
                id: parent.id,
                slug: parent.slug,
                intent: parent.intent,
            }),
        }
        .generation(persona, engine, request_id, now)
    })
    .await
}

/// A persona whose generation has not started: no slug, empty layers.
fn blank_persona(persona_id: &str, run_id: &str, owner_key_id: &str, now: i64) -> Persona {
    Persona {
        id: persona_id.to_string(),
        slug: None,
        status: PersonaStatus::Queued,
        language: "en".to_string(),
        schema_version: "1.0".to_string(),
        soul: Map::new(),
        self_layer: Map::new(),
        mask: Map::new(),
        surface: Map::new(),
        fingerprint: None,
        run: PersonaRunFigures {
            id: run_id.to_string(),
            cost_usd: 0.0,
            tokens: 0,
            latency_ms: None,
        },
        intent: String::new(),
        visibility: Visibility::Private,
        version: 1,
        parent_id: None,
        custom_fields: Map::new(),
        created_at: clock::rfc3339(now),
        updated_at: clock::rfc3339(now),
        archived_at: None,
        owner_key_id: owner_key_id.to_string(),
    }
}

/// What a create or fork asks of its run.
struct RunSpec {
    kind: RunKind,
    pipeline: Pipeline,
    seed: u64,
    budget_usd: Option<f64>,
    intent: String,
    language: String,
    parent: Option<RunParent>,
}

impl RunSpec {
    /// `persona` with its run, not started (its pipeline's steps pending, nothing spent), and
    /// the request its runner will read.
    fn generation(
        self,
        persona: Persona,
        engine: &str,
        request_id: String,
        now: i64,
    ) -> NewGeneration {
        let run = Run {
            id: persona.run.id.clone(),
            persona_id: persona.id.clone(),
            kind: self.kind,
            status: RunStatus::Queued,
            pipeline: self.pipeline.name().to_string(),
            seed: self.seed,
            budget_usd: self.budget_usd,
            engine: engine.to_string(),
            steps: self
                .pipeline
                .steps()
                .iter()
                .map(|name| RunStep::pending(name))
                .collect(),
            cost_usd: 0.0,
            tokens: 0,
            latency_ms: None,
            error: None,
            created_at: clock::rfc3339(now),
            completed_at: None,
        };
        let request = RunRequest {
            kind: self.kind,
            intent: self.intent,
            language: self.language,
            seed: self.seed,
            pipeline: self.pipeline.name().to_string(),
            budget_usd: self.budget_usd,
            parent: self.parent,
            created_at_ms: clock::now_millis(),
            request_id,
            plan: None,
        };
        NewGeneration {
            persona,
            run,
            request,
        }
    }
}

/// Idempotency, rate limit, insertion of persona + run, start of the run, and the answer in
/// the caller's wait mode. A retried request with the same idempotency key and body starts
/// nothing new: it gets the stored answer, or waits on the run the first request started.
async fn start(
    state: &Arc<AppState>,
    request: Request<'_>,
    endpoint: &str,
    build: impl FnOnce(&str, &str) -> NewGeneration,
) -> ApiResult<Answer> {
    let caller = request.caller;
    let request_hash = {
        let mut hasher = Sha256::new();
        hasher.update(endpoint.as_bytes());
        hasher.update(b"\n");
        hasher.update(request.mode.name().as_bytes());
        hasher.update(b"\n");
        hasher.update(request.raw_body);
        hex::encode(hasher.finalize())
    };
    let idempotency_key = request.idempotency_key.as_deref();
    if let Some(key) = idempotency_key
        && let Some(record) = state.store.idempotency(&caller.key_id, key)?
    {
        if record.request_hash != request_hash {
            return Err(ApiError::idempotency_conflict());
        }
        if let Some((status, body)) = record.response {
            return Ok(Answer::Stored { status, body });
        }
        if let Some(run_id) = record.run_id {
            return answer(state, &request, &run_id, true).await;
        }
    }
    state.limiter.take_generation(&caller.workspace.id)?;
    let persona_id = ids::new_id("psn");
    let run_id = ids::new_id("run");
    let generation = build(&persona_id, &run_id);
    state.store.write(|tx| {
        if let Some(slug) = &generation.persona.slug {
            ensure_slug_free(tx, caller, slug)?;
        }
        let persona = generation.persona.to_value();
        Store::insert_persona(tx, &caller.workspace.id, &caller.owner, &persona)?;
        Store::insert_run(
            tx,
            &caller.workspace.id,
            &generation.request,
            &generation.run,
        )?;
        if let Some(key) = idempotency_key {
            Store::insert_idempotency(tx, &caller.key_id, key, &request_hash, &run_id)?;
        }
        Ok::<_, ApiError>(())
    })?;
    spawn_run(state, run_id.clone());
    answer(state, &request, &run_id, false).await
}

/// The answer for a started run in the caller's wait mode; final answers are kept for
/// idempotent replay.
async fn answer(
    state: &Arc<AppState>,
    request: &Request<'_>,
    run_id: &str,
    replayed: bool,
) -> ApiResult<Answer> {
    let caller = request.caller;
    let (status, body) = match request.mode {
        WaitMode::Stream => {
            return Ok(Answer::Stream {
                run_id: run_id.to_string(),
                replayed,
            });
        }
        WaitMode::Async => {
            let run = state
                .store
                .run(&caller.workspace.id, run_id)?
                .ok_or_else(|| ApiError::not_found("run"))?;
            (
                StatusCode::ACCEPTED,
                json!({ "id": run.persona_id, "status": "queued", "run": { "id": run_id } }),
            )
        }
        WaitMode::Block => match wait_for_run(state, caller, run_id).await? {
            Ok(persona) => (StatusCode::CREATED, persona),
            Err(error) => (error.status, error.body(request.request_id)),
        },
    };
    if let Some(key) = &request.idempotency_key {
        state.store.complete_idempotency(
            &caller.key_id,
            key,
            status.as_u16(),
            &body.to_string(),
        )?;
    }
    Ok(Answer::Json {
        status,
        body,
        replayed,
    })
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
        match run.status {
            RunStatus::Completed => {
                let persona = state
                    .store
                    .persona(&caller.workspace.id, &run.persona_id)?
                    .ok_or_else(|| ApiError::not_found("persona"))?;
                return Ok(Ok(persona.to_value()));
            }
            RunStatus::Failed => return Ok(Err(run_error(&run))),
            RunStatus::Canceled => {
                return Ok(Err(ApiError::conflict(
                    ErrorCode::RunCanceled,
                    format!("run {run_id} was canceled before it completed"),
                )
                .with_run(run_id)));
            }
            RunStatus::Queued | RunStatus::Running => wait_for_change(&mut changes).await,
        }
    }
}

/// The API error that a failed run recorded.
fn run_error(run: &Run) -> ApiError {
    let error = run.error.as_ref();
    let code = error.and_then(|error| ErrorCode::parse(&error.code));
    let (status, code) = match code {
        Some(code @ ErrorCode::PersonaCostBudgetExceeded) => (StatusCode::PAYMENT_REQUIRED, code),
        Some(code @ ErrorCode::ProviderUnavailable) => (StatusCode::SERVICE_UNAVAILABLE, code),
        Some(code @ ErrorCode::ModerationIntentBlocked) => (StatusCode::FORBIDDEN, code),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::RunFailed),
    };
    let message = error.map_or("the run failed", |error| error.message.as_str());
    ApiError::new(status, code, message).with_run(&run.id)
}
