//! One streamed chat turn: `message.delta` pieces, then `message.completed`; a turn cannot be
//! resumed, so a broken or stalled stream is an error.

use futures_util::StreamExt;
use reqwest::Response;
use serde_json::Value;

use super::{Connection, DEAD_AFTER};
use crate::error::{CliError, ExitKind, Result};

/// The events of one streamed chat turn: `message.delta` pieces, then `message.completed`.
/// A turn cannot be resumed, so a broken stream is an error.
pub struct ChatStream {
    connection: Connection,
}

impl ChatStream {
    pub(crate) fn new(response: Response) -> Self {
        ChatStream {
            connection: Connection::open(response),
        }
    }

    /// The next (event type, data), or None at the end of the stream.
    pub async fn next(&mut self) -> Result<Option<(String, Value)>> {
        loop {
            let event = tokio::time::timeout(DEAD_AFTER, self.connection.next())
                .await
                .map_err(|_| {
                    CliError::new(
                        ExitKind::Unavailable,
                        "the reply stalled: nothing arrived for 45s",
                    )
                })?;
            match event {
                None => return Ok(None),
                Some(Err(err)) => {
                    return Err(CliError::new(
                        ExitKind::Unavailable,
                        format!("the reply stream broke: {err}"),
                    ));
                }
                Some(Ok(event)) if event.data.is_empty() => continue,
                Some(Ok(event)) => {
                    let data =
                        serde_json::from_str(&event.data).unwrap_or(Value::String(event.data));
                    return Ok(Some((event.event, data)));
                }
            }
        }
    }
}
