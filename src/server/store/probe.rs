//! For tests of what the store's queries cost: the statements a piece of work runs, the query
//! plan of each, and the virtual-machine steps it takes, which grow with the rows it reads.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::trace::{TraceEvent, TraceEventCodes};

use super::Store;

/// What a piece of work did to the store.
#[derive(Debug, Default)]
pub struct Probe {
    /// Each statement run, its parameters written in.
    pub statements: Vec<String>,
    /// Virtual-machine steps of all of them, in hundreds.
    pub steps: u64,
}

thread_local! {
    static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn record(event: TraceEvent<'_>) {
    if let TraceEvent::Stmt(statement, text) = event
        // A trigger's statements come as comments; the statement that fired it is recorded.
        && !text.starts_with("--")
    {
        let sql = statement.expanded_sql().unwrap_or_else(|| text.to_string());
        STATEMENTS.with(|statements| statements.borrow_mut().push(sql));
    }
}

impl Store {
    /// Runs `work` (on this thread) and reports what it did to the store.
    pub fn probe<T>(&self, work: impl FnOnce(&Store) -> T) -> (T, Probe) {
        let steps = Arc::new(AtomicU64::new(0));
        self.read(|conn| {
            STATEMENTS.with(|statements| statements.borrow_mut().clear());
            conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
            let counter = steps.clone();
            conn.progress_handler(
                100,
                Some(move || {
                    counter.fetch_add(1, Ordering::Relaxed);
                    false
                }),
            );
            Ok(())
        })
        .unwrap();
        let value = work(self);
        self.read(|conn| {
            conn.trace_v2(TraceEventCodes::empty(), None);
            conn.progress_handler(0, None::<fn() -> bool>);
            Ok(())
        })
        .unwrap();
        let statements = STATEMENTS.with(|statements| statements.take());
        let probe = Probe {
            statements,
            steps: steps.load(Ordering::Relaxed),
        };
        (value, probe)
    }

    /// The query plan of `sql` (`EXPLAIN QUERY PLAN`), one line per step.
    pub fn query_plan(&self, sql: &str) -> Vec<String> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            stmt.query_map([], |row| row.get::<_, String>(3))?.collect()
        })
        .unwrap()
    }

    /// What the statements of `probe` do that a query of a growing table must not: read a
    /// table whole, or sort rows other than the matches of a full-text search (ranked by
    /// relevance). One line per step, with its statement.
    pub fn whole_table_reads(&self, probe: &Probe) -> Vec<String> {
        let mut found = Vec::new();
        for sql in &probe.statements {
            let plan = self.query_plan(sql);
            let full_text = plan.iter().any(|step| step.contains("VIRTUAL TABLE"));
            found.extend(
                plan.iter()
                    .filter(|step| {
                        (step.starts_with("SCAN ")
                            && !step.contains("VIRTUAL TABLE")
                            && *step != "SCAN CONSTANT ROW")
                            || (step.starts_with("USE TEMP B-TREE") && !full_text)
                    })
                    .map(|step| format!("{step} in {sql}")),
            );
        }
        found
    }
}

/// The hot queries of a growing store: each must read through an index (no table read whole,
/// no sort of a whole table), and read as much in a store ten times larger.
#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{
        Conversation, DeliveryFilter, PersonaFilter, Store, StoredMessage, WebhookEndpoint,
        fts_query,
    };
    use super::Probe;
    use crate::model::{Persona, Run, RunEventKind, RunKind, RunRequest, RunStatus};

    const WS: &str = "ws_a";
    /// The workspace with a webhook endpoint, whose events become deliveries.
    const HOOKED: &str = "ws_b";
    const OWNER: &str = "ada";

    fn run(n: usize) -> (RunRequest, Run) {
        let request = RunRequest {
            kind: RunKind::Create,
            intent: "a bookseller".to_string(),
            language: "en".to_string(),
            seed: n as u64,
            pipeline: "default".to_string(),
            budget_usd: None,
            parent: None,
            created_at_ms: 0,
            request_id: format!("req_{n}"),
            plan: None,
        };
        let run = Run {
            id: format!("run_{n}"),
            persona_id: format!("psn_{n}"),
            kind: RunKind::Create,
            status: RunStatus::Completed,
            pipeline: "default".to_string(),
            seed: n as u64,
            budget_usd: None,
            engine: "offline".to_string(),
            steps: Vec::new(),
            cost_usd: 0.0,
            tokens: 0,
            latency_ms: Some(0),
            error: None,
            created_at: "2026-01-01T00:00:00Z".to_string(),
            completed_at: Some("2026-01-01T00:00:01Z".to_string()),
        };
        (request, run)
    }

    fn message() -> StoredMessage {
        let question = "Where do the old books come from?";
        StoredMessage::text(crate::server::ids::new_id("msg"), "user", question, 0)
    }

    /// Personas `from..to`, each with a version, a run of five events, an outbox event and an
    /// idempotency record; every tenth in the hooked workspace, every seventh archived, and one
    /// conversation that grows by ten messages a persona.
    fn seed(store: &Store, from: usize, to: usize) {
        store
            .write(|tx| {
                for n in from..to {
                    let workspace = if n % 10 == 0 { HOOKED } else { WS };
                    // One persona alone has a rare word in its name.
                    let name = if n == 17 { "Zebrafinch Ada" } else { "Deniz Ada" };
                    let doc = Persona::with_fields(json!({
                        "id": format!("psn_{n}"), "slug": format!("slug-{n}"), "status": "completed",
                        "intent": "a lonely bookseller in Istanbul", "version": 1, "fingerprint": "f",
                        "surface": { "name": name, "occupation": "bookseller" },
                        "archived_at": (n % 7 == 0).then_some("2026-01-02T00:00:00Z"),
                    }))
                    .to_value();
                    Store::insert_persona(tx, workspace, OWNER, &doc)?;
                    Store::save_persona(tx, &doc)?;
                    Store::insert_version(tx, &doc, 0)?;
                    let (request, run) = run(n);
                    Store::insert_run(tx, workspace, &request, &run)?;
                    for _ in 0..5 {
                        Store::append_event(tx, &run.id, RunEventKind::LayerDelta, &json!({}))?;
                    }
                    Store::insert_outbox(tx, workspace, "persona.created", &json!({ "n": n }))?;
                    Store::insert_idempotency(tx, "key_a", &format!("idem_{n}"), "h", &run.id)?;
                    for _ in 0..10 {
                        Store::append_message(tx, "conv_long", &message())?;
                    }
                }
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap();
        store.fan_out_webhooks(usize::MAX, 0).unwrap();
    }

    /// Each hot query once, with what it did.
    fn hot_queries(store: &Store) -> Vec<(&'static str, Probe)> {
        let position = store.outbox_position().unwrap();
        let mut probes = Vec::new();
        let mut probe = |name: &'static str, work: &dyn Fn(&Store)| {
            probes.push((name, store.probe(work).1));
        };
        let all = PersonaFilter::default();
        let archived = PersonaFilter {
            archived: true,
            ..PersonaFilter::default()
        };
        let common = PersonaFilter {
            query: Some("bookseller"),
            ..PersonaFilter::default()
        };
        let rare = PersonaFilter {
            query: Some("zebrafinch"),
            ..PersonaFilter::default()
        };
        probe("persona by slug", &|s| {
            drop(s.visible_persona(WS, OWNER, "slug-17").unwrap().unwrap())
        });
        probe("persona by id", &|s| {
            drop(s.visible_persona(WS, OWNER, "psn_17").unwrap().unwrap())
        });
        probe("persona visible", &|s| {
            assert!(s.persona_visible(WS, OWNER, "slug-17").unwrap())
        });
        probe("persona version", &|s| {
            drop(s.persona_version("psn_17", 1).unwrap().unwrap())
        });
        probe("persona versions", &|s| {
            assert_eq!(s.persona_versions("psn_17").unwrap().len(), 1)
        });
        probe("list, first page", &|s| {
            assert_eq!(
                s.list_personas(WS, OWNER, &all, 100, None).unwrap().len(),
                100
            )
        });
        probe("list, last page", &|s| {
            drop(s.list_personas(WS, OWNER, &all, 100, Some(120)).unwrap())
        });
        probe("list of the archived", &|s| {
            drop(s.list_personas(WS, OWNER, &archived, 20, None).unwrap())
        });
        probe("q, common text", &|s| {
            assert_eq!(
                s.list_personas(WS, OWNER, &common, 100, None)
                    .unwrap()
                    .len(),
                100
            )
        });
        probe("q, common text, last page", &|s| {
            drop(s.list_personas(WS, OWNER, &common, 100, Some(120)).unwrap())
        });
        probe("q, rare text", &|s| {
            assert_eq!(
                s.list_personas(WS, OWNER, &rare, 100, None).unwrap().len(),
                1
            )
        });
        probe("keyword search", &|s| {
            assert_eq!(
                s.search_personas(WS, OWNER, &fts_query("zebrafinch").unwrap(), 10)
                    .unwrap()
                    .len(),
                1
            )
        });
        probe("runs, first page", &|s| {
            assert_eq!(
                s.list_runs(WS, OWNER, None, None, 100, None).unwrap().len(),
                100
            )
        });
        probe("runs, last page", &|s| {
            drop(s.list_runs(WS, OWNER, None, None, 100, Some(120)).unwrap())
        });
        probe("runs of a persona", &|s| {
            assert_eq!(
                s.list_runs(WS, OWNER, Some("psn_17"), None, 100, None)
                    .unwrap()
                    .len(),
                1
            )
        });
        probe("run", &|s| drop(s.run(WS, "run_17").unwrap().unwrap()));
        probe("run visible", &|s| {
            assert!(s.run_visible(WS, OWNER, "run_17").unwrap())
        });
        probe("events replay", &|s| {
            assert!(s.events_after("run_17", 0, 1000).unwrap().len() >= 5)
        });
        probe("last event", &|s| {
            assert!(s.last_event_seq("run_17").unwrap() >= 5)
        });
        probe("create", &|s| {
            let n = 1_000_000 + s.outbox_position().unwrap() as usize;
            s.write(|tx| {
                let doc =
                    Persona::with_fields(json!({ "id": format!("psn_{n}"), "intent": "a potter" }))
                        .to_value();
                Store::insert_persona(tx, WS, OWNER, &doc)?;
                let (request, run) = run(n);
                Store::insert_run(tx, WS, &request, &run)?;
                Store::append_event(tx, &run.id, RunEventKind::RunStarted, &json!({}))?;
                assert!(!Store::slug_taken(tx, WS, "slug-new")?);
                Store::insert_outbox(tx, WS, "persona.created", &json!({}))?;
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap()
        });
        probe("conversation window", &|s| {
            let mut room = 50;
            let (window, earlier) = s
                .latest_messages("conv_long", |_| {
                    room -= 1;
                    room >= 0
                })
                .unwrap();
            assert_eq!(window.len(), 50);
            assert!(earlier > 0);
        });
        probe("append message", &|s| {
            s.write(|tx| Store::append_message(tx, "conv_long", &message()))
                .unwrap();
        });
        probe("completion of a slug", &|s| {
            assert_eq!(
                s.persona_names(WS, OWNER, "slug-17", false, 20).unwrap()[0].0,
                "slug-17"
            );
        });
        probe("a stopping server's leases", &|s| {
            s.release_leases("pid:1:gone").unwrap()
        });
        probe("idempotency", &|s| {
            drop(s.idempotency("key_a", "idem_17").unwrap().unwrap())
        });
        probe("outbox after", &|s| {
            drop(s.outbox_after(position - 5, 256).unwrap())
        });
        probe("events of a workspace", &|s| {
            drop(
                s.workspace_events_after(HOOKED, position - 50, 256)
                    .unwrap(),
            )
        });
        probe("fan out", &|s| {
            assert!(s.fan_out_webhooks(256, 0).unwrap() <= 1)
        });
        probe("due deliveries", &|s| {
            drop(s.claim_deliveries("me", 0, 1, 32, |_| false).unwrap())
        });
        probe("deliveries, first page", &|s| {
            assert_eq!(
                s.deliveries(HOOKED, &DeliveryFilter::default(), 20, None)
                    .unwrap()
                    .len(),
                20
            )
        });
        probe("deliveries, last page", &|s| {
            drop(
                s.deliveries(HOOKED, &DeliveryFilter::default(), 20, Some(5))
                    .unwrap(),
            )
        });
        probe("webhook endpoints", &|s| {
            assert_eq!(s.webhook_endpoints(HOOKED, 20, None).unwrap().len(), 1)
        });
        probes
    }

    #[test]
    fn hot_queries_read_through_indexes_and_as_much_in_a_store_ten_times_larger() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.ensure_workspace(HOOKED, "hooked", "test").unwrap();
        let endpoint = WebhookEndpoint::wanting_all(HOOKED, Some("http://127.0.0.1:9/hook"));
        store.insert_webhook_endpoint(endpoint).unwrap();
        let conversation = Conversation {
            id: "conv_long".to_string(),
            workspace_id: WS.to_string(),
            persona_id: "psn_1".to_string(),
            persona_version: 1,
            created_at: 0,
        };
        store.insert_conversation(&conversation).unwrap();
        seed(&store, 0, 300);
        let small = hot_queries(&store);
        seed(&store, 300, 3_000);
        let large = hot_queries(&store);

        let mut problems = Vec::new();
        for ((name, at_300), (_, at_3000)) in small.iter().zip(&large) {
            assert!(!at_3000.statements.is_empty(), "{name} ran no statement");
            for read in store.whole_table_reads(at_3000) {
                problems.push(format!("{name}: {read}"));
            }
            // Steps are counted in hundreds; a few hundred more for deeper b-trees.
            if at_3000.steps > at_300.steps * 3 / 2 + 3 {
                problems.push(format!(
                    "{name}: {} hundred steps at 3,000 personas against {} at 300",
                    at_3000.steps, at_300.steps
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
