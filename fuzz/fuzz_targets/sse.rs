//! Fuzz target: the client's SSE path. Arbitrary bytes, cut into arbitrary chunks as a network
//! delivers them, through `sse::parse_events` and the run stream's `sse::run_event`.

#![no_main]

use std::convert::Infallible;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use eventsource_stream::Event;
use futures_util::{Stream, stream};
use libfuzzer_sys::fuzz_target;
use persona::client::sse::{parse_events, run_event};

/// The events (and the first error, as text) of a body delivered in `chunks`.
fn parse(chunks: Vec<&[u8]>) -> Vec<Result<Event, String>> {
    let body = stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
    let mut events = pin!(parse_events(body));
    let mut context = Context::from_waker(Waker::noop());
    let mut parsed = Vec::new();
    loop {
        match events.as_mut().poll_next(&mut context) {
            Poll::Ready(Some(Ok(event))) => parsed.push(Ok(event)),
            Poll::Ready(Some(Err(err))) => {
                parsed.push(Err(err.to_string()));
                return parsed;
            }
            Poll::Ready(None) => return parsed,
            Poll::Pending => unreachable!("an in-memory body is always ready"),
        }
    }
}

/// `body` cut at sizes drawn from `seed`, empty chunks included.
fn chunked(body: &[u8], seed: u16) -> Vec<&[u8]> {
    let mut state = u32::from(seed) | 1;
    let mut chunks = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = ((state >> 16) % 9) as usize;
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

fuzz_target!(|data: &[u8]| {
    let Some((seed, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let whole = parse(vec![body]);
    let pieces = parse(chunked(body, u16::from_le_bytes(*seed)));
    assert_eq!(whole, pieces, "chunk boundaries changed what was parsed");

    // What `RunEventStream` hands on: new ids only, in order, nothing after the terminal event.
    let mut last_id = 0;
    for event in whole.into_iter().map_while(Result::ok) {
        let Ok(accepted) = run_event(event, last_id) else {
            continue;
        };
        if let Some(accepted) = accepted {
            assert!(accepted.id > last_id);
            assert!(!accepted.event.is_empty());
            // What is printed: the data decoded, or passed through as JSON text.
            let _ = accepted.data();
            let json = accepted.data_json();
            assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
            assert!(
                !json.contains(['\n', '\r']),
                "NDJSON needs the data on one line"
            );
            last_id = accepted.id;
            if accepted.is_terminal() {
                break;
            }
        }
    }
});
