//! The client's SSE parsing alone, in memory: a run's event stream as the server writes it, cut
//! into 16 KiB chunks as a socket read would, through `parse_events`, `run_event` and the NDJSON
//! text of each event. Run with `cargo bench --bench sse`; prints nanoseconds per event.

use std::convert::Infallible;
use std::time::Instant;

use futures_util::{StreamExt, stream};
use persona::client::sse::{parse_events, run_event};

const EVENTS: usize = 100_000;
const CHUNK: usize = 16 * 1024;
const ROUNDS: usize = 7;

fn body() -> Vec<u8> {
    let mut body = String::from("retry: 2000\n\n");
    for n in 1..=EVENTS {
        body.push_str(&format!(
            "id: {n}\nevent: layer.delta\ndata: {{\"run_id\":\"run_bench\",\"step\":\"soul_draft\",\"path\":\"soul.note_{n}\",\"value\":\"To be seen, once, by someone who reads the same forgotten books\",\"patch\":[{{\"op\":\"add\",\"path\":\"/soul/note_{n}\",\"value\":\"To be seen\"}}]}}\n\n"
        ));
    }
    body.into_bytes()
}

fn main() {
    let body = body();
    let mut per_event = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let chunks = body
            .chunks(CHUNK)
            .map(|chunk| Ok::<_, Infallible>(chunk.to_vec()));
        let started = Instant::now();
        let mut events = parse_events(stream::iter(chunks));
        let (mut count, mut bytes, mut last_id) = (0usize, 0usize, 0i64);
        while let Some(event) = futures_util::FutureExt::now_or_never(events.next())
            .expect("an in-memory body is always ready")
        {
            if let Some(event) = run_event(event.unwrap(), last_id).unwrap() {
                last_id = event.id;
                bytes += event.data_json().len();
                count += 1;
            }
        }
        let elapsed = started.elapsed();
        assert_eq!(count, EVENTS);
        assert!(bytes > EVENTS * 100);
        per_event.push(elapsed.as_nanos() as f64 / EVENTS as f64);
    }
    per_event.sort_by(f64::total_cmp);
    println!(
        "SSE parse + NDJSON text of {EVENTS} events ({} MB): median {:.0} ns/event, min {:.0}, max {:.0}",
        body.len() / 1_000_000,
        per_event[ROUNDS / 2],
        per_event[0],
        per_event[ROUNDS - 1]
    );
}
