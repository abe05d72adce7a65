//! `persona webhooks deliveries`: deliveries of the workspace, newest first, with their attempts;
//! `--status failed` is the dead-letter queue, replayable with `persona webhooks replay`.

use clap::Args;
use clap_complete::ArgValueCompleter;
use serde_json::value::RawValue;

use super::last_attempt;
use crate::client::every_page;
use crate::client::webhooks::ListDeliveries;
use crate::commands::format::or_dash;
use crate::commands::listing::{Paging, show_table};
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::Delivery;
use crate::output::Output;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona webhooks deliveries
  persona webhooks deliveries --status failed
  persona webhooks deliveries --endpoint whk_3kP9aLwX2vQ1 --all --json")]
pub struct DeliveriesArgs {
    /// Only deliveries with this status (failed: the dead-letter queue)
    #[arg(long, value_parser = ["pending", "succeeded", "failed"])]
    status: Option<String>,

    /// Only deliveries to this endpoint (whk_...)
    #[arg(add = ArgValueCompleter::new(complete::webhook_ids), long, value_name = "ENDPOINT_ID")]
    endpoint: Option<String>,

    #[command(flatten)]
    paging: Paging,
}

pub async fn run(ctx: &Context, args: DeliveriesArgs) -> Result<()> {
    let client = ctx.client().await?;
    let query = ListDeliveries {
        status: args.status,
        endpoint_id: args.endpoint,
        limit: args.paging.limit,
    };
    let deliveries = every_page(args.paging.all, |cursor| {
        client.list_deliveries(&query, cursor)
    })
    .await?;
    ctx.output.emit(&deliveries, |out| show(out, &deliveries));
    Ok(())
}

fn show(output: &Output, deliveries: &[Box<RawValue>]) {
    let headers = [
        "id", "event", "event id", "endpoint", "status", "attempts", "last", "next",
    ];
    show_table(
        output,
        deliveries,
        "No deliveries.",
        &headers,
        |delivery: Delivery| {
            let last = last_attempt(&delivery);
            vec![
                or_dash(delivery.id),
                or_dash(delivery.event_type),
                or_dash(delivery.event_id),
                or_dash(delivery.endpoint_id),
                or_dash(delivery.status),
                format!(
                    "{}/{}",
                    or_dash(delivery.attempts),
                    or_dash(delivery.max_attempts)
                ),
                last,
                or_dash(delivery.next_attempt_at),
            ]
        },
    );
}
