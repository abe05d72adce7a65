//! What leaves the bridge: protocol messages on stdout, one JSON object a line and nothing else,
//! written by one task in order; and logs on stderr, with every API key it has used redacted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot};

use super::jsonrpc;
use crate::credentials::mask;
use crate::output::Output;

enum Line {
    Message(Value),
    Flush(oneshot::Sender<()>),
}

/// The host's side of stdout.
#[derive(Clone)]
pub struct Outbox {
    sender: mpsc::UnboundedSender<Line>,
}

impl Outbox {
    /// Starts the task that writes to stdout.
    pub fn start(log: Log) -> Outbox {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Line>();
        tokio::spawn(async move {
            let mut stdout = tokio::io::stdout();
            while let Some(line) = receiver.recv().await {
                match line {
                    Line::Message(message) => {
                        log.debug(format!("to host: {}", jsonrpc::summary(&message)));
                        log.body("to host:", &message);
                        let mut bytes = serde_json::to_vec(&message).unwrap_or_default();
                        bytes.push(b'\n');
                        if stdout.write_all(&bytes).await.is_err() || stdout.flush().await.is_err()
                        {
                            log.debug("stdout is closed");
                            return;
                        }
                    }
                    Line::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Outbox { sender }
    }

    /// Queues a message for the host.
    pub fn send(&self, message: Value) {
        let _ = self.sender.send(Line::Message(message));
    }

    /// Waits, at most `limit`, until everything queued so far is written.
    pub async fn flush(&self, limit: Duration) {
        let (done, written) = oneshot::channel();
        if self.sender.send(Line::Flush(done)).is_ok() {
            let _ = tokio::time::timeout(limit, written).await;
        }
    }
}

/// Logging on stderr for the bridge: `-v` for connections and message summaries, `-vv` for
/// headers and bodies. Any key the bridge has sent is masked in every line.
#[derive(Clone)]
pub struct Log {
    output: Output,
    secrets: Arc<Mutex<Vec<String>>>,
}

impl Log {
    pub fn new(output: Output) -> Log {
        Log {
            output,
            secrets: Arc::default(),
        }
    }

    /// Adds a key to those masked in logs.
    pub fn keep_secret(&self, key: &str) {
        let mut secrets = self.secrets.lock().unwrap_or_else(|p| p.into_inner());
        if !key.is_empty() && !secrets.iter().any(|k| k == key) {
            secrets.push(key.to_string());
        }
    }

    /// `text` with every known key masked.
    pub fn redact(&self, text: &str) -> String {
        let secrets = self.secrets.lock().unwrap_or_else(|p| p.into_inner());
        secrets.iter().fold(text.to_string(), |text, key| {
            text.replace(key.as_str(), &mask(key))
        })
    }

    /// With `-v`.
    pub fn debug(&self, text: impl AsRef<str>) {
        if self.output.verbose > 0 {
            self.output.debug(self.redact(text.as_ref()));
        }
    }

    /// Unless `-q`.
    pub fn info(&self, text: impl AsRef<str>) {
        self.output
            .info(format!("persona mcp: {}", self.redact(text.as_ref())));
    }

    /// Always.
    pub fn warn(&self, text: impl AsRef<str>) {
        self.output
            .warn(format!("persona mcp: {}", self.redact(text.as_ref())));
    }

    /// A whole message, with `-vv`.
    pub fn body(&self, label: &str, message: &Value) {
        if self.output.verbose > 1 {
            self.output
                .debug(self.redact(&format!("  {label} {message}")));
        }
    }

    /// An HTTP request with `-v`, and its headers with `-vv` (the key replaced).
    pub fn request(&self, request: &reqwest::Request) {
        for line in crate::client::request_log(request, self.output.verbose) {
            self.debug(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::ColorChoice;

    #[test]
    fn keys_are_masked_in_every_line() {
        let log = Log::new(Output::from_process(false, false, 2, ColorChoice::Never));
        log.keep_secret("pk_test_abcdefgh12345678");
        let text =
            log.redact("sent Bearer pk_test_abcdefgh12345678 twice: pk_test_abcdefgh12345678");
        assert!(!text.contains("abcdefgh"), "{text}");
        assert!(text.contains("pk_test_…5678"), "{text}");
    }
}
