//! `persona webhooks listen --forward-to URL`: the workspace's events as they happen, each
//! POSTed to a local handler with its real signature; survives dropped connections and sleep.

use std::time::{Duration, Instant};

use clap::Args;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::client::human_duration;
use crate::client::webhooks::{ListenEvent, ListenItem, ListenSession};
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::model::WEBHOOK_EVENT_TYPES;
use crate::output::Output;
use crate::signature;

/// Time the local handler has to answer one event.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona webhooks listen --forward-to http://localhost:3000/webhooks
  persona webhooks listen --forward-to http://localhost:3000/webhooks --events persona.created,run.failed
  persona webhooks listen --forward-to http://localhost:3000/webhooks --print-secret --json

Each event is POSTed with the headers a real delivery has (Persona-Signature, Persona-Event-Id,
Persona-Event-Type), signed with the secret of your key's listen endpoint; that secret stays the
same from one session to the next (print it with --print-secret). One line per event on stdout:
type, event id, your handler's status and latency (NDJSON with --json).

The events come over GET /v1/webhooks/listen (server-sent events). After a dropped connection
or a sleep of the computer it reconnects with Last-Event-ID, says so on stderr, and forwards
what happened meanwhile: no event is lost or repeated. Ctrl-C stops it.")]
pub struct ListenArgs {
    /// The local URL each event is POSTed to
    #[arg(long, value_name = "URL")]
    forward_to: String,

    /// Only these event types, comma-separated (default: all)
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    events: Vec<String>,

    /// Print the signing secret (whsec_...) as the first line on stdout
    #[arg(long)]
    print_secret: bool,
}

pub async fn run(ctx: &Context, args: ListenArgs) -> Result<()> {
    let target = check_target(&args.forward_to)?;
    if let Some(unknown) = args
        .events
        .iter()
        .find(|kind| *kind != "*" && !WEBHOOK_EVENT_TYPES.contains(&kind.as_str()))
    {
        return Err(CliError::usage(format!("unknown event type `{unknown}`"))
            .with_hint(format!("known types: {}", WEBHOOK_EVENT_TYPES.join(", "))));
    }
    let forwarder = Forwarder::new(&target)?;
    let client = ctx.client().await?;
    let output = &ctx.output;
    let mut stream = client.listen_webhooks(&args.events, None);
    let mut secret: Option<String> = None;
    loop {
        match stream.next().await? {
            ListenItem::Connected(session) => {
                announce(output, &args, &target, &session, secret.as_deref());
                secret = Some(session.secret);
            }
            ListenItem::Event(event) => {
                let outcome = forwarder.forward(&event).await;
                report(output, &event, &outcome);
            }
        }
    }
}

/// What the first connection, a reconnection, or a changed secret is worth saying.
fn announce(
    output: &Output,
    args: &ListenArgs,
    target: &str,
    session: &ListenSession,
    previous_secret: Option<&str>,
) {
    let Some(previous) = previous_secret else {
        if args.print_secret {
            print_secret(output, session);
        }
        let events = if args.events.is_empty() {
            "every event".to_string()
        } else {
            args.events.join(", ")
        };
        output.info(format!(
            "Ready: forwarding {events} to {target}, signed by listen endpoint {}.",
            session.endpoint_id
        ));
        if !args.print_secret {
            output.info(
                "The signing secret stays the same across sessions; see it with --print-secret.",
            );
        }
        output.info("Press Ctrl-C to stop.");
        return;
    };
    output.notice(format!(
        "reconnected: resuming after event {}, nothing is missed",
        session.after
    ));
    if previous != session.secret {
        output.warn(format!(
            "the listen endpoint is new ({}), so its signing secret changed",
            session.endpoint_id
        ));
        if args.print_secret {
            print_secret(output, session);
        }
    }
}

fn print_secret(output: &Output, session: &ListenSession) {
    if output.json {
        output.line(
            json!({ "event": "listen.ready", "endpoint_id": session.endpoint_id, "secret": session.secret })
                .to_string(),
        );
    } else {
        output.line(&session.secret);
    }
}

/// The handler's answer to one event.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    latency: Duration,
}

/// POSTs events to the local handler.
struct Forwarder {
    http: reqwest::Client,
    target: String,
}

impl Forwarder {
    fn new(target: &str) -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "persona-cli/",
                env!("CARGO_PKG_VERSION"),
                " (listen)"
            ));
        if target.starts_with("http://") {
            // Plain HTTP: no need to load the system's certificate store.
            builder = builder.tls_certs_only(Vec::new());
        }
        let http = builder
            .build()
            .map_err(|err| CliError::general(format!("cannot set up HTTP: {err}")))?;
        Ok(Forwarder {
            http,
            target: target.to_string(),
        })
    }

    async fn forward(&self, event: &ListenEvent) -> Outcome {
        let started = Instant::now();
        let sent = self
            .http
            .post(&self.target)
            .header(CONTENT_TYPE, "application/json")
            .header(signature::HEADER, &event.signature)
            .header("Persona-Event-Id", &event.id)
            .header("Persona-Event-Type", &event.kind)
            .body(event.body.clone())
            .timeout(FORWARD_TIMEOUT)
            .send()
            .await;
        let latency = started.elapsed();
        match sent {
            Ok(response) => Outcome {
                status: Some(response.status().as_u16()),
                error: None,
                latency,
            },
            Err(err) => {
                let mut source: &dyn std::error::Error = &err;
                while let Some(next) = source.source() {
                    source = next;
                }
                let error = if err.is_timeout() {
                    format!("no answer within {}s", FORWARD_TIMEOUT.as_secs())
                } else if err.is_connect() {
                    format!("could not connect ({source})")
                } else {
                    source.to_string()
                };
                Outcome {
                    status: None,
                    error: Some(error),
                    latency,
                }
            }
        }
    }
}

/// One line per forwarded event: NDJSON, or type, id, status and latency.
fn report(output: &Output, event: &ListenEvent, outcome: &Outcome) {
    let latency_ms = outcome.latency.as_millis() as u64;
    if output.json {
        output.line(
            json!({
                "event_id": event.id,
                "type": event.kind,
                "seq": event.seq,
                "status": outcome.status,
                "latency_ms": latency_ms,
                "error": outcome.error,
            })
            .to_string(),
        );
        return;
    }
    let answer = match (outcome.status, &outcome.error) {
        (Some(status), _) if (200..300).contains(&status) => {
            output.paint(&status.to_string(), "32")
        }
        (Some(status), _) => output.paint(&status.to_string(), "31"),
        (None, error) => output.paint(
            &format!("error: {}", error.as_deref().unwrap_or("no answer")),
            "31",
        ),
    };
    let pad = 28usize.saturating_sub(event.kind.len());
    output.line(format!(
        "{}{}  {}  → {answer}  {}",
        event.kind,
        " ".repeat(pad),
        event.id,
        human_duration(outcome.latency)
    ));
}

/// The forward URL, when it is an absolute http(s) URL.
fn check_target(text: &str) -> Result<String> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url.into()),
        _ => Err(CliError::usage(format!(
            "--forward-to must be an http:// or https:// URL, not `{text}`"
        ))
        .with_hint("for example --forward-to http://localhost:3000/webhooks")),
    }
}
