//! Seeds a store with one finished run of many events, for `scripts/bench` to measure
//! `persona runs tail --json` against `curl -N` on the same stream.
//! Usage: `cargo bench --bench seed_events -- DATA_DIR [EVENTS]`; prints the run id.

use persona::model::RunEventKind;
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
    let run = json!({
        "id": run_id, "persona_id": "psn_bench", "kind": "create", "status": "completed",
        "pipeline": "default", "seed": 1, "budget_usd": null, "engine": "offline", "steps": [],
        "cost_usd": 0.0, "tokens": 0, "latency_ms": 0, "error": null,
        "created_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:01Z",
    });
    store
        .write(|tx| -> rusqlite::Result<()> {
            Store::insert_run(tx, "ws_local", &json!({}), &run)?;
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
