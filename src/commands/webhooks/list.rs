//! `persona webhooks list`: the workspace's endpoints, newest first, listen endpoints included;
//! secrets are never shown again after `create`.

use clap::Args;
use serde_json::value::RawValue;

use crate::client::every_page;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::Result;
use crate::model::{WebhookEndpoint, view_text};
use crate::output::Output;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona webhooks list\n  persona webhooks list --all --json"
)]
pub struct ListArgs {
    /// How many to list (1 to 100; with --all, the page size)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,

    /// Follow every page to the end
    #[arg(long)]
    all: bool,
}

pub async fn run(ctx: &Context, args: ListArgs) -> Result<()> {
    let client = ctx.client().await?;
    let endpoints = every_page(args.all, |cursor| client.list_webhooks(args.limit, cursor)).await?;
    ctx.output.emit(&endpoints, |out| show(out, &endpoints));
    Ok(())
}

fn show(output: &Output, endpoints: &[Box<RawValue>]) {
    if endpoints.is_empty() {
        output.info("No webhook endpoints. Create one with `persona webhooks create --url URL`.");
        return;
    }
    let rows: Vec<Vec<String>> = endpoints
        .iter()
        .map(|raw| {
            let endpoint: WebhookEndpoint = view_text(raw.get());
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
        })
        .collect();
    output.table(&["id", "url", "events", "description", "created"], &rows);
}
