//! The hardened parser of server-sent events, for every stream either side reads: the client's
//! (runs, listen, chat turns, the MCP bridge) and the server's from a model provider.

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};

/// The largest piece of a body handed to the SSE parser at once.
const PARSE_PIECE_BYTES: usize = 1024;

/// The SSE events of a response body arriving in chunks of any size.
///
/// A leading UTF-8 byte-order mark is dropped here, wherever the chunks split it:
/// `eventsource-stream` 0.2 cuts a mark it sees first at a byte inside the character and panics
/// (found by fuzz/fuzz_targets/sse.rs).
pub fn parse_events<S, B, E>(
    body: S,
) -> impl Stream<Item = std::result::Result<Event, EventStreamError<E>>>
where
    S: Stream<Item = std::result::Result<B, E>>,
    B: AsRef<[u8]>,
{
    const BOM: &[u8] = "\u{feff}".as_bytes();
    // The first bytes, held while they may still be the start of a mark.
    let mut head = Some(Vec::new());
    body.map(move |chunk| {
        chunk.map(|chunk| {
            let Some(mut held) = head.take() else {
                return chunk.as_ref().to_vec();
            };
            held.extend_from_slice(chunk.as_ref());
            if held.len() < BOM.len() && BOM.starts_with(&held) {
                head = Some(held);
                return Vec::new();
            }
            if held.starts_with(BOM) {
                held.drain(..BOM.len());
            }
            // A blank line first is a no-op for SSE, and keeps a second mark (which SSE reads as
            // part of the first field's name) from being seen as the first character.
            held.insert(0, b'\n');
            held
        })
    })
    // `eventsource-stream` copies the rest of its buffer after every line it parses, which is
    // quadratic in the size of a chunk: feed it small pieces to keep that cost linear.
    .flat_map(|chunk| {
        let pieces: Vec<std::result::Result<Vec<u8>, E>> = match chunk {
            Ok(bytes) => bytes
                .chunks(PARSE_PIECE_BYTES)
                .map(|piece| Ok(piece.to_vec()))
                .collect(),
            Err(err) => vec![Err(err)],
        };
        futures_util::stream::iter(pieces)
    })
    .eventsource()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::time::Duration;

    use futures_util::{StreamExt, stream};

    use super::*;

    fn parse(chunks: &[&[u8]]) -> Vec<Event> {
        let body = stream::iter(
            chunks
                .iter()
                .map(|chunk| Ok::<_, Infallible>(chunk.to_vec())),
        );
        futures_util::FutureExt::now_or_never(parse_events(body).map(Result::unwrap).collect())
            .expect("an in-memory body is always ready")
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_wherever_the_chunks_split_it() {
        let body = "\u{feff}id: 1\nevent: run.started\ndata: {}\n\n".as_bytes();
        for cut in 0..=4 {
            let events = parse(&[&body[..cut], &body[cut..]]);
            assert_eq!(events.len(), 1, "cut at {cut}");
            assert_eq!(events[0].id, "1");
        }
        // Only one mark is skipped; a second one is part of the first field's name, as SSE says.
        let events = parse(&["\u{feff}\u{feff}id: 1\ndata: {}\n\n".as_bytes()]);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].id, "");
    }

    #[test]
    fn the_retry_advice_in_the_first_events_block_reaches_the_client() {
        // What the server sends first (server_api.rs checks that it does).
        let events = parse(&[b"retry: 2000\n", b"id: 1\nevent: run.started\ndata: {}\n\n"]);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].retry, Some(Duration::from_millis(2000)));
    }
}
