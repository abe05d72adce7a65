//! `persona webhooks replay DELIVERY_ID`: delivers the event of a delivery again, as a new
//! delivery to the same endpoint (while the server keeps the event: 30 days by default), and
//! shows how it went.

use clap::Args;

use super::{last_attempt, unless_shown, wait_for_attempt};
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::model::{Delivery, view};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona webhooks deliveries --status failed
  persona webhooks replay dlv_8f3c2e1a9bQ2
  persona webhooks replay dlv_8f3c2e1a9bQ2 --no-wait --json

A replay carries the same event id and body as the original; handlers that deduplicate by
event id see it as the same event. Exits with 1 when the first attempt of the replay failed.")]
pub struct ReplayArgs {
    /// The delivery id (dlv_...), from `persona webhooks deliveries`
    #[arg(value_name = "DELIVERY_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    id: String,

    /// Return at once instead of waiting for the first attempt
    #[arg(long)]
    no_wait: bool,
}

pub async fn run(ctx: &Context, args: ReplayArgs) -> Result<()> {
    let client = ctx.client().await?;
    let mut answer = client.replay_delivery(&args.id).await?;
    let replay_id = or_dash(view::<Delivery>(&answer).id);
    if !args.no_wait {
        answer = wait_for_attempt(client, &replay_id).await?;
    }
    let delivery: Delivery = view(&answer);
    let summary = format!(
        "Replayed {} {} as delivery {replay_id}",
        or_dash(delivery.event_type.as_deref()),
        or_dash(delivery.event_id.as_deref())
    );
    let attempted = !args.no_wait && delivery.attempts.unwrap_or(0) > 0;
    let done = delivery.status.as_deref() == Some("succeeded") || !attempted;
    let output = &ctx.output;
    output.emit(&answer, |out| {
        if done {
            let outcome = if attempted {
                format!(": {}", last_attempt(&delivery))
            } else {
                String::new()
            };
            out.success(format!("{summary}{outcome}"));
        }
    });
    if done {
        return Ok(());
    }
    let error =
        CliError::general(format!("{summary}: {}", last_attempt(&delivery))).with_hint(format!(
            "it is retried on schedule; follow it with `persona webhooks deliveries --endpoint {}`",
            or_dash(delivery.endpoint_id.as_deref())
        ));
    Err(unless_shown(output, error))
}
