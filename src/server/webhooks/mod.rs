//! Webhooks of contract §11: events are recorded in the store's outbox in the transaction that
//! makes the change; the worker delivers them signed, and `listen` streams them to the CLI.

pub(crate) mod listen;
pub mod target;
pub(crate) mod worker;

use std::time::Duration;

use serde_json::{Value, json};

use super::ids;
use super::store::{self, Connection, Delivery, OutboxEvent, Store, WebhookEndpoint};
use super::{AppState, ServerConfig};
use crate::clock;
use crate::model::{RunKind, RunStatus};
use target::TargetPolicy;

/// The event `POST /v1/webhooks/{id}/test` sends to that one endpoint.
pub const TEST_EVENT: &str = "webhook.test";

/// Waits between the five attempts of a delivery: about an hour in all, before jitter.
pub const DEFAULT_RETRY_SCHEDULE: [Duration; 4] = [
    Duration::from_secs(60),
    Duration::from_secs(300),
    Duration::from_secs(900),
    Duration::from_secs(2400),
];

/// The targets this server delivers to: loopback while it listens on loopback, private ranges
/// only when allowed (`persona dev serve --allow-private-webhooks`).
pub fn target_policy(state: &AppState) -> TargetPolicy {
    TargetPolicy::new(state.addr.ip(), state.config.allow_private_webhooks)
}

/// A new signing secret, shown once when its endpoint is created.
pub fn new_secret() -> String {
    format!("whsec_{}", ids::base62(32))
}

/// Whether an endpoint that wants `events` gets events of type `kind`.
pub fn subscribes(events: &[String], kind: &str) -> bool {
    events.iter().any(|wanted| wanted == "*" || wanted == kind)
}

/// Records a `persona.*` event carrying the persona as it now is.
pub fn record_persona_event(
    tx: &Connection,
    workspace_id: &str,
    kind: &str,
    persona: &Value,
) -> store::Result<()> {
    Store::insert_outbox(tx, workspace_id, kind, &json!({ "persona": persona })).map(drop)
}

/// Records how the run `run_id` of `workspace_id` (as just saved in `tx`) ended:
/// `run.completed`, then `persona.created` or `persona.forked` with the persona it made; or
/// `run.failed`.
pub fn record_run_outcome(
    tx: &Connection,
    workspace_id: &str,
    run_id: &str,
    persona: Option<&Value>,
) -> store::Result<()> {
    let Some(run) = Store::run_in(tx, workspace_id, run_id)? else {
        return Ok(());
    };
    match run.status {
        RunStatus::Completed => {
            Store::insert_outbox(tx, workspace_id, "run.completed", &json!({ "run": run }))?;
            if let Some(persona) = persona {
                let kind = match run.kind {
                    RunKind::Fork => "persona.forked",
                    RunKind::Create => "persona.created",
                };
                record_persona_event(tx, workspace_id, kind, persona)?;
            }
            Ok(())
        }
        RunStatus::Failed => {
            Store::insert_outbox(tx, workspace_id, "run.failed", &json!({ "run": run })).map(drop)
        }
        RunStatus::Queued | RunStatus::Running | RunStatus::Canceled => Ok(()),
    }
}

/// The body sent for an event: the same bytes on every attempt, replay and listen stream.
pub fn payload(event: &OutboxEvent) -> String {
    json!({
        "id": event.id,
        "type": event.kind,
        "created_at": clock::rfc3339(event.created_at),
        "workspace_id": event.workspace_id,
        "data": event.data,
    })
    .to_string()
}

/// An endpoint as the API shows it; the secret only when it is created.
pub fn endpoint_json(endpoint: &WebhookEndpoint, with_secret: bool) -> Value {
    let mut doc = json!({
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "listen": endpoint.listen,
        "created_at": clock::rfc3339(endpoint.created_at),
    });
    if with_secret {
        doc["secret"] = json!(endpoint.secret);
    }
    doc
}

/// A delivery as the API shows it: how many attempts it gets comes from the retry schedule,
/// until when it can be replayed from the retention.
pub fn delivery_json(delivery: &Delivery, config: &ServerConfig) -> Value {
    let max_attempts = config.webhook_retry_schedule.len() + 1;
    let replayable_until = delivery.event_created_at + config.retention.as_secs() as i64;
    json!({
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "max_attempts": max_attempts,
        "next_attempt_at": delivery.next_attempt_at_ms.map(|ms| clock::rfc3339(ms / 1000)),
        "attempt_log": delivery.attempt_log,
        "replay_of": delivery.replay_of,
        "replayable_until": clock::rfc3339(replayable_until),
        "created_at": clock::rfc3339(delivery.created_at),
        "updated_at": clock::rfc3339(delivery.updated_at),
    })
}
