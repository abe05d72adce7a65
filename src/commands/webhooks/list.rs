//! `persona webhooks list`: the workspace's endpoints, newest first, listen endpoints included;
//! secrets are never shown again after `create`.

use clap::Args;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::client::every_page;
use crate::commands::format::text;
use crate::context::Context;
use crate::error::Result;
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
    let endpoints: Vec<Box<RawValue>> = every_page(args.all, |cursor| async move {
        client.list_webhooks(args.limit, cursor.as_deref()).await
    })
    .await?;
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
            let endpoint: Value = serde_json::from_str(raw.get()).unwrap_or_default();
            let url = if endpoint["listen"] == true {
                "(persona webhooks listen)".to_string()
            } else {
                text(&endpoint["url"])
            };
            let events: Vec<String> = endpoint["events"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            vec![
                text(&endpoint["id"]),
                url,
                events.join(","),
                text(&endpoint["description"]),
                text(&endpoint["created_at"]),
            ]
        })
        .collect();
    output.table(&["id", "url", "events", "description", "created"], &rows);
}
