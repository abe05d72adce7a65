//! The delivery worker every server runs: fans new outbox events out into deliveries, POSTs each
//! one signed under a lease, and retries on the configured schedule, then dead-letters. What is
//! delivered is forgotten later by `retention`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;

use super::target::{FilteringResolver, TargetPolicy};
use super::{payload, target_policy};
use crate::clock;
use crate::server::AppState;
use crate::server::events::wait_for_change;
use crate::server::runner::owner_is_dead;
use crate::server::store::{self, AfterAttempt, AttemptRecord, DueDelivery};
use crate::signature;

/// Time allowed for one POST, connection included.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a lease on a delivery lasts: another server may retry it after that.
const LEASE: Duration = Duration::from_secs(30);
/// Deliveries leased per pass.
const CLAIM_BATCH: usize = 32;
/// Outbox events fanned out per pass.
const FAN_OUT_BATCH: usize = 256;

/// Delivers webhooks until the server stops.
pub async fn deliver_forever(state: Arc<AppState>) {
    let mut changes = state.hub.subscribe();
    // Built on the first delivery: most servers (one per CLI command) never need one.
    let mut http: Option<reqwest::Client> = None;
    let mut reported: Option<String> = None;
    while !state.is_stopping() {
        let problem = pass(&state, &mut http).err();
        if problem.is_some() && problem != reported {
            eprintln!(
                "persona: webhook deliveries are paused: {}",
                problem.as_deref().unwrap_or_default()
            );
        }
        reported = problem;
        wait_for_change(&mut changes).await;
    }
}

/// One pass: fan out, lease what is due and start its attempts.
fn pass(state: &Arc<AppState>, http: &mut Option<reqwest::Client>) -> Result<(), String> {
    let store_error = |err: store::Error| format!("store error: {err}");
    let now_ms = clock::now_millis();
    state
        .store
        .fan_out_webhooks(FAN_OUT_BATCH, now_ms)
        .map_err(store_error)?;
    let claimed = state
        .store
        .claim_deliveries(
            &state.instance_id,
            now_ms,
            now_ms + LEASE.as_millis() as i64,
            CLAIM_BATCH,
            owner_is_dead,
        )
        .map_err(store_error)?;
    if !claimed.is_empty() {
        let client = match http {
            Some(client) => client.clone(),
            None => http.insert(http_client(target_policy(state))?).clone(),
        };
        for due in claimed {
            tokio::spawn(attempt(state.clone(), client.clone(), due));
        }
    }
    Ok(())
}

/// The client of deliveries: it connects only to addresses `policy` allows, resolving names
/// itself (never through a proxy, which would resolve them unchecked), and follows no redirect.
fn http_client(policy: TargetPolicy) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(DELIVERY_TIMEOUT)
        .dns_resolver(Arc::new(FilteringResolver { policy }))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("persona-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| format!("cannot set up HTTP: {err}"))
}

/// One signed POST of a leased delivery, and its outcome written back.
async fn attempt(state: Arc<AppState>, http: reqwest::Client, due: DueDelivery) {
    let body = payload(&due.event);
    let at = clock::now();
    let started = Instant::now();
    // The URL was checked when its endpoint was made, but this server may listen elsewhere now.
    let refusal = url::Url::parse(&due.url)
        .map_err(|err| err.to_string())
        .and_then(|url| target_policy(&state).refusal(&url).map_or(Ok(()), Err));
    let (status_code, error) = match refusal {
        Err(refusal) => (None, Some(format!("refused: {refusal}"))),
        Ok(()) => match send(&http, &due, at, body).await {
            Ok(response) => {
                let status = response.status();
                let error = (!status.is_success()).then(|| format!("HTTP {}", status.as_u16()));
                (Some(status.as_u16()), error)
            }
            Err(err) => (None, Some(failure(&err))),
        },
    };
    let record = AttemptRecord {
        at,
        status_code,
        error,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let after = if record.error.is_none() {
        AfterAttempt::Succeeded
    } else {
        let waits = &state.config.webhook_retry_schedule;
        match waits.get(due.attempt.max(1) as usize - 1) {
            Some(wait) => AfterAttempt::RetryAt(clock::now_millis() + jittered(*wait)),
            None => AfterAttempt::DeadLetter,
        }
    };
    if let Err(err) = state
        .store
        .finish_attempt(&due.id, &state.instance_id, &record, after)
    {
        eprintln!(
            "persona: cannot record an attempt of webhook delivery {}: {err}",
            due.id
        );
    }
}

/// One signed POST of `body` to the delivery's endpoint.
async fn send(
    http: &reqwest::Client,
    due: &DueDelivery,
    at: i64,
    body: String,
) -> reqwest::Result<reqwest::Response> {
    http.post(&due.url)
        .header(CONTENT_TYPE, "application/json")
        .header(
            signature::HEADER,
            signature::sign(&due.secret, at, body.as_bytes()),
        )
        .header("Persona-Event-Id", &due.event.id)
        .header("Persona-Event-Type", &due.event.kind)
        .header("Persona-Delivery-Id", &due.id)
        .header("Persona-Delivery-Attempt", due.attempt.to_string())
        .body(body)
        .timeout(DELIVERY_TIMEOUT)
        .send()
        .await
}

/// `wait` give or take a fifth, in milliseconds, so that retries of many deliveries spread out.
fn jittered(wait: Duration) -> i64 {
    (wait.as_millis() as f64 * (0.8 + 0.4 * rand::random::<f64>())) as i64
}

/// Why a POST got no answer, in a few words.
fn failure(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return format!("timed out after {}s", DELIVERY_TIMEOUT.as_secs());
    }
    let mut source: &dyn std::error::Error = err;
    while let Some(next) = source.source() {
        source = next;
    }
    if err.is_connect() {
        format!("could not connect: {source}")
    } else {
        source.to_string()
    }
}
