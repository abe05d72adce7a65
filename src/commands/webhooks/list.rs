//! `persona webhooks list`: the workspace's endpoints, newest first, listen endpoints included;
//! secrets are never shown again after `create`.

use clap::Args;
use serde_json::value::RawValue;

use crate::client::every_page;
use crate::commands::format::or_dash;
use crate::commands::listing::{Paging, show_table};
use crate::context::Context;
use crate::error::Result;
use crate::model::WebhookEndpoint;
use crate::output::Output;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona webhooks list\n  persona webhooks list --all --json"
)]
pub struct ListArgs {
    #[command(flatten)]
    paging: Paging,
}

pub async fn run(ctx: &Context, args: ListArgs) -> Result<()> {
    let client = ctx.client().await?;
    let endpoints = every_page(args.paging.all, |cursor| {
        client.list_webhooks(args.paging.limit, cursor)
    })
    .await?;
    ctx.output.emit(&endpoints, |out| show(out, &endpoints));
    Ok(())
}

fn show(output: &Output, endpoints: &[Box<RawValue>]) {
    let empty = "No webhook endpoints. Create one with `persona webhooks create --url URL`.";
    let headers = ["id", "url", "events", "description", "created"];
    show_table(
        output,
        endpoints,
        empty,
        &headers,
        |endpoint: WebhookEndpoint| {
            let url = if endpoint.listen == Some(true) {
                "(persona webhooks listen)".to_string()
            } else {
                or_dash(endpoint.url)
            };
            vec![
                or_dash(endpoint.id),
                url,
                endpoint.events.unwrap_or_default().join(","),
                or_dash(endpoint.description),
                or_dash(endpoint.created_at),
            ]
        },
    );
}
