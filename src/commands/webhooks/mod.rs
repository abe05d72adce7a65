//! `persona webhooks`: endpoints that receive signed events, their deliveries and replays,
//! `listen` to forward events to a local handler, and `verify` to check a captured delivery.

mod create;
mod delete;
mod deliveries;
mod list;
mod listen;
mod replay;
mod test;
mod verify;

use std::time::{Duration, Instant};

use clap::Subcommand;
use serde_json::Value;

use crate::client::ApiClient;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::model::{Delivery, view};
use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Forward the workspace's events to a local URL as they happen, signed as in production
    Listen(listen::ListenArgs),
    /// Check a captured delivery (signature header and body) against a signing secret
    Verify(verify::VerifyArgs),
    /// List webhook endpoints, newest first
    List(list::ListArgs),
    /// Create an endpoint; prints its signing secret, which is shown this once
    Create(create::CreateArgs),
    /// Delete an endpoint with its deliveries
    Delete(delete::DeleteArgs),
    /// Send a webhook.test event to an endpoint and show how it answered
    Test(test::TestArgs),
    /// List deliveries, newest first; `--status failed` is the dead-letter queue
    Deliveries(deliveries::DeliveriesArgs),
    /// Deliver a delivery's event again: a dead-lettered one, or one a handler mishandled
    Replay(replay::ReplayArgs),
}

pub async fn dispatch(ctx: &Context, command: WebhooksCommand) -> Result<()> {
    match command {
        WebhooksCommand::Listen(args) => listen::run(ctx, args).await,
        WebhooksCommand::Verify(args) => verify::run(ctx, args).await,
        WebhooksCommand::List(args) => list::run(ctx, args).await,
        WebhooksCommand::Create(args) => create::run(ctx, args).await,
        WebhooksCommand::Delete(args) => delete::run(ctx, args).await,
        WebhooksCommand::Test(args) => test::run(ctx, args).await,
        WebhooksCommand::Deliveries(args) => deliveries::run(ctx, args).await,
        WebhooksCommand::Replay(args) => replay::run(ctx, args).await,
    }
}

/// How long `test` and `replay` wait for the first attempt of a delivery.
const ATTEMPT_WAIT: Duration = Duration::from_secs(30);

/// The delivery once its first attempt is recorded (or as it is after `ATTEMPT_WAIT`).
async fn wait_for_attempt(client: &ApiClient, delivery_id: &str) -> Result<Value> {
    let started = Instant::now();
    loop {
        let delivery = client.get_delivery(delivery_id).await?;
        let attempted = view::<Delivery>(&delivery).attempts.unwrap_or(0) > 0;
        if attempted || started.elapsed() >= ATTEMPT_WAIT {
            return Ok(delivery);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The error of a failed outcome whose report is already on stdout under `--json`: there, only
/// its exit code remains to give.
fn unless_shown(output: &Output, error: CliError) -> CliError {
    if output.json {
        error.into_reported()
    } else {
        error
    }
}

/// The last attempt of a delivery in a few words: `HTTP 200 in 12 ms`, `could not connect`.
fn last_attempt(delivery: &Delivery) -> String {
    let Some(attempt) = delivery.attempt_log.as_ref().and_then(|log| log.last()) else {
        return "not attempted yet".to_string();
    };
    let outcome = match (attempt.status_code, &attempt.error) {
        (Some(code), _) => format!("HTTP {code}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_string(),
    };
    format!("{outcome} in {} ms", or_dash(attempt.duration_ms))
}
