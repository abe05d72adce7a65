//! Durable runs: executes a run's pipeline under a lease, writing each event to the store,
//! and resumes runs that a stopped or crashed server left unfinished.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;
use super::engine::{Generation, GenerationRequest, Parent, Pipeline, StepOutput};
use super::error::ApiError;
use super::store::{self, Connection, Store};
use super::webhooks::record_run_outcome;
use crate::clock;
use crate::model::{
    ErrorCode, LAYERS, PersonaRunFigures, PersonaStatus, Run, RunEventKind, RunRequest, RunStatus,
    RunStep, StepStatus, usd as dollars,
};

/// How long a lease lasts without renewal; every event renews it.
const LEASE_SECONDS: i64 = 30;

/// How often a run renews its lease while it waits for its engine.
const LEASE_RENEWAL: Duration = Duration::from_secs(10);

/// How often each server looks for runs whose owner is gone.
const SWEEP_INTERVAL: Duration = Duration::from_secs(2);

/// Starts executing `run_id` in the background, if no live server holds it already.
pub fn spawn_run(state: &Arc<AppState>, run_id: String) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = execute(&state, &run_id).await {
            eprintln!("persona: run {run_id} stopped on a store error: {err}");
        }
    });
}

/// Resumes, now and then every few seconds, the runs whose owner stopped or died.
pub async fn sweep_forever(state: Arc<AppState>) {
    loop {
        if state.is_stopping() {
            return;
        }
        if let Ok(runs) = state.store.unfinished_runs() {
            let now = clock::now();
            for (run_id, owner, expires_at) in runs {
                let orphaned = match owner.as_deref() {
                    None => true,
                    Some(owner) if owner == state.instance_id => false,
                    Some(owner) => expires_at.unwrap_or(0) < now || owner_is_dead(owner),
                };
                if orphaned {
                    spawn_run(&state, run_id);
                }
            }
        }
        tokio::time::sleep(SWEEP_INTERVAL).await;
    }
}

/// A lease owner is `pid:<pid>:<random>`. An owner in this process is dead when its server
/// is no longer registered; in another process, when that process no longer exists.
pub fn owner_is_dead(owner: &str) -> bool {
    let mut parts = owner.split(':');
    let pid = match (
        parts.next(),
        parts.next().and_then(|p| p.parse::<u32>().ok()),
    ) {
        (Some("pid"), Some(pid)) => pid,
        _ => return false,
    };
    if pid == std::process::id() {
        return !super::instance_is_live(owner);
    }
    cfg!(target_os = "linux") && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Why an execution stopped writing.
enum Stop {
    /// The run was canceled, or its lease went to another server.
    Superseded,
    /// This server is shutting down; the lease is released for the next one.
    ShuttingDown,
    Store(store::Error),
}

impl From<store::Error> for Stop {
    fn from(err: store::Error) -> Self {
        Stop::Store(err)
    }
}

/// One execution of one run. A resumed run replays its stored plan, skipping the events the log
/// already holds, so a reader never sees one twice nor two versions of one.
struct Execution<'a> {
    state: &'a Arc<AppState>,
    workspace_id: String,
    run_id: String,
    persona_id: String,
    doc: Run,
    created_at_ms: i64,
    /// The request that started the run, named in its error.
    request_id: String,
    seq: i64,
    already_written: i64,
}

async fn execute(state: &Arc<AppState>, run_id: &str) -> store::Result<()> {
    let now = clock::now();
    let claimed = state.store.claim_run(
        run_id,
        &state.instance_id,
        now + LEASE_SECONDS,
        now,
        owner_is_dead,
    )?;
    if !claimed {
        return Ok(());
    }
    let Some((workspace_id, request, doc)) = state.store.run_request(run_id)? else {
        return Ok(());
    };
    let mut execution = Execution {
        state,
        workspace_id,
        run_id: run_id.to_string(),
        persona_id: doc.persona_id.clone(),
        already_written: state.store.last_event_seq(run_id)?,
        created_at_ms: request.created_at_ms,
        request_id: request.request_id.clone(),
        doc,
        seq: 0,
    };
    let outcome = execution.run(&request).await;
    match outcome {
        Ok(()) | Err(Stop::Superseded) => Ok(()),
        Err(Stop::ShuttingDown) => state.store.release_leases(&state.instance_id),
        Err(Stop::Store(err)) => Err(err),
    }
}

impl Execution<'_> {
    async fn run(&mut self, request: &RunRequest) -> Result<(), Stop> {
        let generation = match self.stored_or_new_plan(request).await? {
            Ok(generation) => generation,
            Err(error) => {
                self.emit(
                    RunEventKind::RunStarted,
                    json!({ "run_id": self.run_id, "step": null }),
                )?;
                return self.fail(error);
            }
        };
        let rate = self.state.config.usd_per_1k_tokens;
        let budget = request.budget_usd;
        self.doc.status = RunStatus::Running;
        self.doc.steps = generation
            .steps
            .iter()
            .map(|step| RunStep::pending(&step.name))
            .collect();
        let first_step = generation.steps.first().map(|s| s.name.clone());
        let persona_id = self.persona_id.clone();
        self.commit(
            RunEventKind::RunStarted,
            json!({ "run_id": self.run_id, "step": first_step }),
            |tx| set_persona_status(tx, &persona_id, PersonaStatus::Running),
        )?;

        let mut layers = json!({});
        let mut total_tokens = 0u64;
        for (index, step) in generation.steps.iter().enumerate() {
            // A hard cap: the step that would take the cost over it is not run.
            let projected = usd(total_tokens + step.tokens, rate);
            if let Some(budget) = budget.filter(|budget| projected > *budget) {
                let error = ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    ErrorCode::PersonaCostBudgetExceeded,
                    format!(
                        "Run aborted before step `{}`: the run would cost {}, over its budget of {}; {}.",
                        step.name,
                        dollars(projected),
                        dollars(budget),
                        match total_tokens {
                            0 => "nothing was spent".to_string(),
                            _ => format!("{} was spent", dollars(usd(total_tokens, rate))),
                        }
                    ),
                );
                return self.fail(error);
            }
            let step_doc = &mut self.doc.steps[index];
            step_doc.status = StepStatus::Running;
            step_doc.started_at = Some(clock::rfc3339(clock::now()));
            self.emit(
                RunEventKind::StepStarted,
                json!({ "run_id": self.run_id, "step": step.name }),
            )?;
            for (path, value) in &step.fields {
                let patch = field_patch(&mut layers, path, value);
                self.emit(
                    RunEventKind::LayerDelta,
                    json!({ "run_id": self.run_id, "step": step.name, "patch": patch, "path": path, "value": value }),
                )?;
            }
            let cost = usd(step.tokens, rate);
            total_tokens += step.tokens;
            let total_cost = usd(total_tokens, rate);
            let step_doc = &mut self.doc.steps[index];
            step_doc.status = StepStatus::Completed;
            step_doc.tokens = step.tokens;
            step_doc.cost_usd = cost;
            step_doc.completed_at = Some(clock::rfc3339(clock::now()));
            self.doc.tokens = total_tokens;
            self.doc.cost_usd = total_cost;
            self.emit(
                RunEventKind::StepCompleted,
                json!({ "run_id": self.run_id, "step": step.name, "tokens": step.tokens, "cost_usd": cost, "total_cost_usd": total_cost }),
            )?;
            self.pause_between_steps().await?;
        }
        self.complete(&generation, total_tokens)
    }

    /// The plan stored with the run by an earlier execution, or else a new one from the engine,
    /// stored before any event is written: a resumed run replays exactly what it started, even
    /// from an engine that answers differently each time. The lease is renewed while the engine
    /// works, which can take minutes with a real model.
    async fn stored_or_new_plan(
        &self,
        request: &RunRequest,
    ) -> Result<Result<Generation, ApiError>, Stop> {
        if let Some(stored) = &request.plan
            && let Ok(generation) = serde_json::from_value::<Generation>(stored.clone())
        {
            return Ok(Ok(generation));
        }
        if self.state.is_stopping() {
            return Err(Stop::ShuttingDown);
        }
        let planned = {
            let planning = plan(self.state, request);
            tokio::pin!(planning);
            let mut renewal = tokio::time::interval(LEASE_RENEWAL);
            renewal.tick().await;
            loop {
                tokio::select! {
                    planned = &mut planning => break planned,
                    _ = renewal.tick() => {
                        let state = self.state;
                        state.store.write(|tx| renew_lease(tx, state, &self.run_id))?;
                    }
                }
            }
        };
        let Ok(generation) = planned else {
            return Ok(planned);
        };
        let mut stored_request = request.clone();
        stored_request.plan =
            Some(serde_json::to_value(&generation).expect("a generation is plain JSON data"));
        let state = self.state;
        state.store.write(|tx| {
            renew_lease(tx, state, &self.run_id)?;
            Store::save_run_request(tx, &self.run_id, &stored_request)?;
            Ok::<_, Stop>(())
        })?;
        Ok(Ok(generation))
    }

    async fn pause_between_steps(&self) -> Result<(), Stop> {
        let delay = self.state.config.step_delay;
        if self.seq < self.already_written || delay.is_zero() {
            return Ok(());
        }
        tokio::time::sleep(delay).await;
        if self.state.is_stopping() {
            return Err(Stop::ShuttingDown);
        }
        Ok(())
    }

    /// Writes the next event (and the run document) unless the log already holds it.
    fn emit(&mut self, event: RunEventKind, data: Value) -> Result<(), Stop> {
        self.commit(event, data, |_| Ok(()))
    }

    fn commit(
        &mut self,
        event: RunEventKind,
        data: Value,
        also: impl FnOnce(&Connection) -> store::Result<()>,
    ) -> Result<(), Stop> {
        self.seq += 1;
        if self.seq <= self.already_written {
            return Ok(());
        }
        if self.state.is_stopping() {
            return Err(Stop::ShuttingDown);
        }
        let state = self.state;
        let run_id = &self.run_id;
        let doc = &self.doc;
        state.store.write(|tx| {
            renew_lease(tx, state, run_id)?;
            Store::append_event(tx, run_id, event, &data)?;
            Store::save_run(tx, doc)?;
            also(tx)?;
            Ok::<_, Stop>(())
        })?;
        state.hub.notify();
        Ok(())
    }

    fn fail(&mut self, error: ApiError) -> Result<(), Stop> {
        let body = error.with_run(&self.run_id).error_object(&self.request_id);
        self.doc.status = RunStatus::Failed;
        self.doc.error = Some(body.clone());
        self.finish_times();
        let persona_id = self.persona_id.clone();
        let workspace_id = self.workspace_id.clone();
        let run_id = self.run_id.clone();
        let run = self.doc.clone();
        self.commit(
            RunEventKind::RunFailed,
            json!({ "run_id": self.run_id, "error": body }),
            |tx| {
                end_persona(tx, &persona_id, PersonaStatus::Failed, &run)?;
                record_run_outcome(tx, &workspace_id, &run_id, None)
            },
        )
    }

    fn finish_times(&mut self) {
        let now_ms = clock::now_millis();
        self.doc.completed_at = Some(clock::rfc3339(now_ms / 1000));
        self.doc.latency_ms = Some((now_ms - self.created_at_ms).max(0));
    }

    fn complete(&mut self, generation: &Generation, total_tokens: u64) -> Result<(), Stop> {
        self.doc.status = RunStatus::Completed;
        self.finish_times();
        let total_cost = self.doc.cost_usd;
        let run_figures = PersonaRunFigures {
            id: self.run_id.clone(),
            cost_usd: total_cost,
            tokens: total_tokens,
            latency_ms: self.doc.latency_ms,
        };
        let persona_id = self.persona_id.clone();
        let workspace_id = self.workspace_id.clone();
        let run_id = self.run_id.clone();
        let suggested_slug = generation.suggested_slug.clone();
        let layers = generation.layers.clone();
        self.commit(
            RunEventKind::RunCompleted,
            json!({ "run_id": self.run_id, "persona_id": persona_id, "total_cost_usd": total_cost }),
            |tx| {
                let Some(mut persona) = Store::persona_by_id(tx, &persona_id)? else {
                    return Ok(());
                };
                if persona.slug.is_none() {
                    persona.slug = Some(free_slug(tx, &workspace_id, &suggested_slug)?);
                }
                for name in LAYERS {
                    if let Some(layer) = persona.layer_mut(name) {
                        *layer = layers
                            .get(name)
                            .and_then(Value::as_object)
                            .cloned()
                            .unwrap_or_default();
                    }
                }
                persona.status = PersonaStatus::Completed;
                persona.run = run_figures;
                persona.fingerprint = Some(crate::json::fingerprint(&persona.to_value()));
                let now = clock::now();
                persona.updated_at = clock::rfc3339(now);
                let doc = persona.to_value();
                Store::save_persona(tx, &doc)?;
                Store::insert_version(tx, &doc, now)?;
                record_run_outcome(tx, &workspace_id, &run_id, Some(&doc))
            },
        )
    }
}

/// Extends this server's lease on a run it still owns; the run was canceled or taken over by
/// another server when it owns it no longer.
fn renew_lease(tx: &Connection, state: &AppState, run_id: &str) -> Result<(), Stop> {
    let lease_until = clock::now() + LEASE_SECONDS;
    if !Store::renew_lease(tx, run_id, &state.instance_id, lease_until)? {
        return Err(Stop::Superseded);
    }
    Ok(())
}

/// What the run will do: the engine's generation for a create or a refining fork, or a copy
/// of the parent's layers for a plain fork.
async fn plan(state: &AppState, request: &RunRequest) -> Result<Generation, ApiError> {
    let pipeline = Pipeline::parse(&request.pipeline).unwrap_or(Pipeline::Default);
    let intent = request.intent.as_str();
    let generation_request = GenerationRequest {
        intent,
        language: &request.language,
        seed: request.seed,
        pipeline,
    };
    let Some(parent) = &request.parent else {
        return Ok(state.engine.generate(generation_request).await?);
    };
    let layers = Value::Object(parent.layers.clone());
    if !intent.is_empty() {
        return Ok(state
            .engine
            .refine(
                Parent {
                    layers: &layers,
                    intent: &parent.intent,
                },
                generation_request,
            )
            .await?);
    }
    let fields = LAYERS
        .iter()
        .map(|layer| {
            let value = parent.layers.get(*layer).cloned().unwrap_or(Value::Null);
            (layer.to_string(), value)
        })
        .collect();
    Ok(Generation {
        steps: vec![StepOutput {
            name: "copy".to_owned(),
            tokens: 0,
            fields,
        }],
        layers,
        suggested_slug: parent
            .slug
            .as_deref()
            .map(|s| format!("{s}-fork"))
            .unwrap_or_default(),
    })
}

/// The JSON patch that sets `path` (dotted) to `value` in `layers`, creating missing parent
/// objects first; `layers` is updated to match.
fn field_patch(layers: &mut Value, path: &str, value: &Value) -> Value {
    let mut ops = Vec::new();
    let mut pointer = String::new();
    let mut node = layers;
    let segments: Vec<&str> = path.split('.').collect();
    for (index, segment) in segments.iter().enumerate() {
        pointer.push('/');
        pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        let last = index + 1 == segments.len();
        let object = node
            .as_object_mut()
            .expect("layers are objects down to their fields");
        if last {
            ops.push(json!({ "op": "add", "path": pointer, "value": value }));
            object.insert(segment.to_string(), value.clone());
            break;
        }
        if !object.get(*segment).is_some_and(Value::is_object) {
            ops.push(json!({ "op": "add", "path": pointer, "value": {} }));
            object.insert(segment.to_string(), json!({}));
        }
        node = object.get_mut(*segment).expect("inserted above");
    }
    Value::Array(ops)
}

/// Nominal price of `tokens`, rounded to a hundredth of a cent.
fn usd(tokens: u64, usd_per_1k_tokens: f64) -> f64 {
    (tokens as f64 / 1000.0 * usd_per_1k_tokens * 10_000.0).round() / 10_000.0
}

/// Marks the persona of a run that ended without completing (`failed`, `canceled`), with the
/// run's summary: what it spent, as the run itself says.
pub fn end_persona(
    tx: &Connection,
    persona_id: &str,
    status: PersonaStatus,
    run: &Run,
) -> store::Result<()> {
    if let Some(mut persona) = Store::persona_by_id(tx, persona_id)? {
        persona.status = status;
        persona.run = PersonaRunFigures {
            id: run.id.clone(),
            cost_usd: run.cost_usd,
            tokens: run.tokens,
            latency_ms: run.latency_ms,
        };
        persona.updated_at = clock::rfc3339(clock::now());
        Store::save_persona(tx, &persona.to_value())?;
    }
    Ok(())
}

fn set_persona_status(
    tx: &Connection,
    persona_id: &str,
    status: PersonaStatus,
) -> store::Result<()> {
    if let Some(mut persona) = Store::persona_by_id(tx, persona_id)? {
        persona.status = status;
        persona.updated_at = clock::rfc3339(clock::now());
        Store::save_persona(tx, &persona.to_value())?;
    }
    Ok(())
}

/// `base` when it is free in the workspace, else `base-N`, N one more than the highest number
/// its series has (`base-2` after `base` alone).
fn free_slug(tx: &Connection, workspace_id: &str, base: &str) -> store::Result<String> {
    // Room for a `-NNNNNNN` suffix within the 64 characters a slug may have.
    let base = base.get(..56).unwrap_or(base).trim_end_matches('-');
    let base = if base.is_empty() { "persona" } else { base };
    Ok(match Store::slug_series_end(tx, workspace_id, base)? {
        None => base.to_string(),
        Some(highest) => format!("{base}-{}", highest + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_patches_rebuild_the_layers_from_nothing() {
        let mut layers = json!({});
        let first = field_patch(&mut layers, "self.big_five.O", &json!(0.8));
        assert_eq!(
            first.as_array().unwrap().len(),
            3,
            "creates /self and /self/big_five first: {first}"
        );
        let second = field_patch(&mut layers, "self.big_five.C", &json!(0.4));
        assert_eq!(second.as_array().unwrap().len(), 1);
        assert_eq!(
            layers,
            json!({ "self": { "big_five": { "O": 0.8, "C": 0.4 } } })
        );
    }

    #[test]
    fn the_free_slug_of_a_crowded_base_is_found_with_two_index_seeks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let base = "the-fez-weaver-number";
        let persona = |n: usize, slug: &str| {
            json!({ "id": format!("psn_{n}"), "slug": slug, "visibility": "workspace",
                    "status": "completed", "version": 1, "intent": "a fez weaver" })
        };
        let crowd = |from: usize, to: usize| {
            store
                .write(|tx| {
                    for n in from..to {
                        let slug = if n == 1 {
                            base.to_string()
                        } else {
                            format!("{base}-{n}")
                        };
                        Store::insert_persona(tx, "ws", "local", &persona(n, &slug))?;
                    }
                    Ok::<_, store::Error>(())
                })
                .unwrap();
        };
        let free = |workspace: &str, base: &str| {
            store.read(|conn| free_slug(conn, workspace, base)).unwrap()
        };
        crowd(1, 30);
        let (_, few) = store.probe(|store| store.read(|conn| free_slug(conn, "ws", base)));
        crowd(30, 3_000);
        let (slug, many) = store.probe(|store| store.read(|conn| free_slug(conn, "ws", base)));
        assert_eq!(slug.unwrap(), "the-fez-weaver-number-3000");
        // One statement, through indexes, reading as much after 3,000 slugs as after 30.
        assert_eq!(many.statements.len(), 1, "{:?}", many.statements);
        assert_eq!(store.whole_table_reads(&many), Vec::<String>::new());
        let plan = store.query_plan(&many.statements[0]).join("\n");
        assert!(plan.contains("USING INDEX personas_slug_series"), "{plan}");
        assert!(
            many.steps <= few.steps + 1,
            "{} against {}",
            many.steps,
            few.steps
        );

        store
            .write(|tx| {
                // Neighbours outside the series, a number too long to follow, and a series with
                // a gap in another workspace.
                for (n, slug) in ["s", "-x", "-3001-b", "-99999999"].iter().enumerate() {
                    Store::insert_persona(
                        tx,
                        "ws",
                        "local",
                        &persona(4_000 + n, &format!("{base}{slug}")),
                    )?;
                }
                for (n, slug) in ["", "-2", "-3", "-5"].iter().enumerate() {
                    Store::insert_persona(
                        tx,
                        "ws_gap",
                        "local",
                        &persona(5_000 + n, &format!("{base}{slug}")),
                    )?;
                }
                Store::insert_persona(tx, "ws_one", "local", &persona(6_000, base))?;
                Store::insert_persona(
                    tx,
                    "ws_numbered",
                    "local",
                    &persona(6_001, &format!("{base}-4")),
                )
            })
            .unwrap();
        assert_eq!(free("ws", base), "the-fez-weaver-number-3000");
        assert_eq!(free("ws_gap", base), "the-fez-weaver-number-6");
        assert_eq!(free("ws_one", base), "the-fez-weaver-number-2");
        assert_eq!(free("ws_numbered", base), "the-fez-weaver-number");
        assert_eq!(free("ws", "the-fez"), "the-fez");
        assert_eq!(free("ws_empty", "---"), "persona");
    }

    #[test]
    fn nominal_price_is_rounded_to_a_hundredth_of_a_cent() {
        assert_eq!(usd(12_345, 0.04), 0.4938);
        assert_eq!(usd(0, 0.04), 0.0);
    }
}
