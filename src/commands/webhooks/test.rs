//! `persona webhooks test ENDPOINT_ID`: sends `webhook.test` to one endpoint and shows how the
//! endpoint answered its first attempt.

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::{last_attempt, unless_shown, wait_for_attempt};
use crate::commands::format::or_dash;
use crate::complete;
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::model::{Delivery, WebhookTestSent, view};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona webhooks test whk_3kP9aLwX2vQ1
  persona webhooks test whk_3kP9aLwX2vQ1 --no-wait --json

Exits with 1 when the endpoint did not answer 2xx (the delivery is then retried on schedule).")]
pub struct TestArgs {
    /// The endpoint id (whk_...)
    #[arg(add = ArgValueCompleter::new(complete::webhook_ids), value_name = "ENDPOINT_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    id: String,

    /// Return at once instead of waiting for the first attempt
    #[arg(long)]
    no_wait: bool,
}

pub async fn run(ctx: &Context, args: TestArgs) -> Result<()> {
    let client = ctx.client().await?;
    let answer = client.test_webhook(&args.id).await?;
    let sent: WebhookTestSent = view(&answer);
    let event_id = or_dash(sent.event_id.as_deref());
    let output = &ctx.output;
    let Some(delivery_id) = sent.delivery_id.as_deref().filter(|_| !args.no_wait) else {
        output.emit(&answer, |out| match &sent.delivery_id {
            None => out.success(format!(
                "Sent webhook.test {event_id} to the `persona webhooks listen` sessions of {}",
                args.id
            )),
            Some(delivery_id) => out.success(format!(
                "Sent webhook.test {event_id} as delivery {delivery_id}"
            )),
        });
        return Ok(());
    };
    let delivery = wait_for_attempt(client, delivery_id).await?;
    let attempted: Delivery = view(&delivery);
    let summary = format!(
        "webhook.test {event_id} (delivery {delivery_id}): {}",
        last_attempt(&attempted)
    );
    let succeeded = attempted.status.as_deref() == Some("succeeded");
    output.emit(&delivery, |out| {
        if succeeded {
            out.success(&summary);
        }
    });
    if succeeded {
        return Ok(());
    }
    let error = CliError::general(summary).with_hint(format!(
        "it is retried on schedule; follow it with `persona webhooks deliveries --endpoint {}`",
        args.id
    ));
    Err(unless_shown(output, error))
}
