//! What the store keeps only while someone may still need it: webhook events and deliveries,
//! idempotency records, device codes and sign-in links, pruned in small batches in the background.

use std::sync::Arc;
use std::time::Duration;

use super::AppState;
use super::store::{self, Store};
use crate::clock;

/// How long webhook events and their deliveries are kept by default (`dev serve
/// --retention-days`): the window in which a delivery can be replayed.
pub const DEFAULT_RETENTION_DAYS: u64 = 30;
/// Rows of each kind pruned per transaction.
const BATCH: usize = 500;
/// The pause between two batches, so that requests get the store in between.
const BETWEEN_BATCHES: Duration = Duration::from_millis(20);
/// When the first pass runs (servers that live for one command never get there), then how
/// often.
const FIRST_PASS: Duration = Duration::from_secs(60);
const INTERVAL: Duration = Duration::from_secs(3600);

/// Prunes now and then until the server stops.
pub async fn prune_forever(state: Arc<AppState>) {
    let mut wait = FIRST_PASS;
    loop {
        if sleep_unless_stopping(&state, wait).await {
            return;
        }
        loop {
            match prune_batch(&state.store, clock::now(), state.config.retention, BATCH) {
                Ok(0) => break,
                Ok(_) if sleep_unless_stopping(&state, BETWEEN_BATCHES).await => return,
                Ok(_) => {}
                Err(err) => {
                    eprintln!("persona: pruning the store failed, retried in an hour: {err}");
                    break;
                }
            }
        }
        wait = INTERVAL;
    }
}

/// Sleeps `wait`, waking every second to see whether the server stops; true when it does.
async fn sleep_unless_stopping(state: &AppState, wait: Duration) -> bool {
    let mut left = wait;
    while !left.is_zero() {
        if state.is_stopping() {
            return true;
        }
        let step = left.min(Duration::from_secs(1));
        tokio::time::sleep(step).await;
        left -= step;
    }
    state.is_stopping()
}

/// One batch of each kind as of `now` (unix seconds), at most `limit` rows each: events (and
/// their deliveries) that no endpoint or listen stream may still need, or that are older than
/// `retention` and no longer being delivered; idempotency records past their day; expired
/// device codes and sign-in links. Returns how many rows went.
pub fn prune_batch(
    store: &Store,
    now: i64,
    retention: Duration,
    limit: usize,
) -> store::Result<usize> {
    Ok(store.prune_events(now - retention.as_secs() as i64, limit)?
        + store.prune_idempotency(now, limit)?
        + store.forget_expired_logins(now * 1000, limit)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::server::store::{AfterAttempt, AttemptRecord, DeliveryFilter, WebhookEndpoint};

    const THIRTY_DAYS: Duration = Duration::from_secs(30 * 86_400);

    fn record(store: &Store, workspace: &str, count: usize) {
        store
            .write(|tx| {
                for n in 0..count {
                    Store::insert_outbox(tx, workspace, "persona.created", &json!({ "n": n }))?;
                }
                Ok::<_, store::Error>(())
            })
            .unwrap();
    }

    /// The workspace of every event kept, oldest first.
    fn kept(store: &Store) -> Vec<String> {
        let events = store.outbox_after(0, 1_000).unwrap();
        events.into_iter().map(|event| event.workspace_id).collect()
    }

    /// Prunes as of `now` in batches of `limit` until nothing is left to prune; the number of
    /// rows each batch removed.
    fn prune(store: &Store, now: i64, limit: usize) -> Vec<usize> {
        let mut batches = Vec::new();
        loop {
            match prune_batch(store, now, THIRTY_DAYS, limit).unwrap() {
                0 => return batches,
                removed => batches.push(removed),
            }
        }
    }

    #[test]
    fn pruning_keeps_what_may_still_be_needed_and_forgets_the_rest_as_the_clock_moves_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for workspace in ["ws_quiet", "ws_hooked", "ws_listen"] {
            store
                .ensure_workspace(workspace, workspace, "test")
                .unwrap();
        }
        record(&store, "ws_quiet", 5);
        record(&store, "ws_hooked", 2);
        store
            .insert_webhook_endpoint(WebhookEndpoint::wanting_all(
                "ws_hooked",
                Some("http://127.0.0.1:9/hook"),
            ))
            .unwrap();
        store
            .listen_endpoint("key_1", WebhookEndpoint::wanting_all("ws_listen", None))
            .unwrap();
        record(&store, "ws_hooked", 3);
        record(&store, "ws_listen", 2);
        store
            .write(|tx| Store::insert_idempotency(tx, "key_1", "idem_1", "hash", "run_1"))
            .unwrap();
        let now = clock::now();
        let now_ms = now * 1000;
        let code = crate::server::store::DeviceCode {
            hash: "device_hash".to_string(),
            user_code: "ABCD-EFGH".to_string(),
            approval_hash: None,
            workspace_id: "ws_quiet".to_string(),
            scopes: vec!["personas:read".to_string()],
            status: "pending".to_string(),
            created_at: now_ms,
            expires_at: now_ms + 900_000,
            interval_ms: 5_000,
            last_poll_at: None,
            decided_by: None,
        };
        assert!(store.insert_device_code(&code).unwrap());
        store
            .insert_signin_link("link_hash", "local", now_ms, now_ms + 600_000)
            .unwrap();

        // Nothing is fanned out yet: every event may still be wanted.
        assert_eq!(prune(&store, now, 2), Vec::<usize>::new());
        assert_eq!(kept(&store).len(), 12);

        // Fanned out, the events nobody subscribed to go at once, two at a time; the hooked
        // workspace's first events came before its endpoint and go too.
        store.fan_out_webhooks(256, now_ms).unwrap();
        assert_eq!(prune(&store, now, 2), vec![2, 2, 2, 1]);
        let mut workspaces = kept(&store);
        workspaces.dedup();
        assert_eq!(workspaces, ["ws_hooked", "ws_listen"]);
        assert_eq!(kept(&store).len(), 5);

        // Of the three deliveries, one succeeds, one is dead-lettered, one is still retried.
        let claimed = store
            .claim_deliveries("me", now_ms, now_ms + 30_000, 32, |_| false)
            .unwrap();
        assert_eq!(claimed.len(), 3);
        let attempt = AttemptRecord {
            at: now,
            status_code: Some(200),
            error: None,
            duration_ms: 1,
        };
        let outcomes = [
            AfterAttempt::Succeeded,
            AfterAttempt::DeadLetter,
            AfterAttempt::RetryAt(now_ms + 60_000),
        ];
        for (due, after) in claimed.iter().zip(outcomes) {
            assert!(
                store
                    .finish_attempt(&due.id, "me", &attempt, after)
                    .unwrap()
            );
        }
        let pending_event = claimed[2].event.id.clone();

        // Two days on: idempotency records, device codes and sign-in links are gone, events
        // an endpoint may replay or a listen stream resume from are kept.
        assert_eq!(prune(&store, now + 2 * clock::DAY, 500), vec![3]);
        assert!(store.idempotency("key_1", "idem_1").unwrap().is_none());
        assert!(
            store
                .read(|conn| Store::device_code_by_hash(conn, "device_hash"))
                .unwrap()
                .is_none()
        );
        let redeemed = store.redeem_signin_link("link_hash", "session", now_ms, now_ms + 1);
        assert_eq!(redeemed.unwrap(), None);
        assert_eq!(kept(&store).len(), 5);

        // Past the retention: what was delivered or dead-lettered goes with its deliveries;
        // the event still being delivered stays.
        assert_eq!(prune(&store, now + 31 * clock::DAY, 500), vec![4]);
        let left = store.outbox_after(0, 1_000).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, pending_event);
        let deliveries = store
            .deliveries("ws_hooked", &DeliveryFilter::default(), 100, None)
            .unwrap();
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].1.event_id, pending_event);

        // Pruning reads events, deliveries and idempotency records through their indexes;
        // only the workspaces and the expiring logins, a handful of rows, are read whole.
        let (_, probe) = store.probe(|store| prune(store, now + 62 * clock::DAY, 500));
        assert!(probe.statements.len() > 3, "{:?}", probe.statements);
        let small = [
            "SCAN w ",
            "SCAN device_codes",
            "SCAN signin_links",
            "SCAN browser_sessions",
        ];
        let reads: Vec<String> = store
            .whole_table_reads(&probe)
            .into_iter()
            .filter(|read| !small.iter().any(|table| read.starts_with(table)))
            .collect();
        assert_eq!(reads, Vec::<String>::new());
    }
}
