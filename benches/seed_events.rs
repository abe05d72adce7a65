//! Seeds a store with one finished run of many events, for `scripts/bench` to measure
//! `persona runs tail --json` against `curl -N` on the same stream.
//! Usage: `cargo bench --bench seed_events -- DATA_DIR [EVENTS]`; prints the run id.

use persona::model::{Run, RunEventKind, RunKind, RunRequest, RunStatus};
use persona::server::store::Store;
use serde_json::json;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let dir = args.next().expect("usage: seed_events DATA_DIR [EVENTS]");
    let events: u64 = args
        .next()
        .map_or(100_000, |n| n.parse().expect("EVENTS is a number"));
    let store = Store::open(std::path::Path::new(&dir)).unwrap();
    store
        .ensure_workspace("ws_local", "Local workspace", "test")
        .unwrap();
    let run_id = format!("run_bench{events}");
    let run = Run {
        id: run_id.clone(),
        persona_id: "psn_bench".to_string(),
        kind: RunKind::Create,
        status: RunStatus::Completed,
        pipeline: "default".to_string(),
        seed: 1,
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
    let request = RunRequest {
        kind: RunKind::Create,
        intent: "a bench".to_string(),
        language: "en".to_string(),
        seed: 1,
        pipeline: "default".to_string(),
        budget_usd: None,
        parent: None,
        created_at_ms: 1_767_225_600_000,
        request_id: "req_bench".to_string(),
        plan: None,
    };
    store
        .write(|tx| -> rusqlite::Result<()> {
            // The run's persona: a run is seen only through a persona its reader may see.
            let persona = json!({
                "id": "psn_bench", "slug": "bench-tail", "status": "completed", "language": "en",
                "schema_version": "1.0", "soul": {}, "self": {}, "mask": {}, "surface": {},
                "fingerprint": null,
                "run": { "id": run_id, "cost_usd": 0.0, "tokens": 0, "latency_ms": 0 },
                "intent": "a bench", "visibility": "workspace", "version": 1, "parent_id": null,
                "custom_fields": {}, "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:01Z", "archived_at": null, "owner_key_id": "key_bench",
            });
            Store::insert_persona(tx, "ws_local", "local", &persona)?;
            Store::insert_run(tx, "ws_local", &request, &run)?;
            Store::append_event(tx, &run_id, RunEventKind::RunStarted, &json!({ "run_id": run_id, "step": "intent_parse" }))?;
            for n in 2..events {
                let data = json!({
                    "run_id": run_id, "step": "soul_draft", "path": format!("soul.note_{n}"),
                    "value": "To be seen, once, by someone who reads the same forgotten books",
                    "patch": [{ "op": "add", "path": format!("/soul/note_{n}"), "value": "To be seen" }],
                });
                Store::append_event(tx, &run_id, RunEventKind::LayerDelta, &data)?;
            }
            Store::append_event(tx, &run_id, RunEventKind::RunCompleted, &json!({ "run_id": run_id, "persona_id": "psn_bench", "total_cost_usd": 0.0 }))?;
            Ok(())
        })
        .unwrap();
    println!("{run_id}");
}
