//! `persona personas list`: the workspace's personas, newest first, one page or `--all`.

use clap::Args;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::client::{ListPersonas, every_page};
use crate::commands::format::text;
use crate::context::Context;
use crate::error::Result;
use crate::output::Output;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas list
  persona personas list --query bookseller --visibility workspace
  persona personas list --all --json | jq -r '.[].slug'")]
pub struct ListArgs {
    /// Only personas whose slug, name, occupation or intent contains this text
    #[arg(long, short = 'Q', value_name = "TEXT")]
    query: Option<String>,

    /// Only personas with this visibility
    #[arg(long, value_parser = ["private", "workspace", "public"])]
    visibility: Option<String>,

    /// List archived personas instead
    #[arg(long)]
    archived: bool,

    /// How many to list (1 to 100; with --all, the page size)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,

    /// Follow every page to the end
    #[arg(long)]
    all: bool,
}

pub async fn run(ctx: &Context, args: ListArgs) -> Result<()> {
    let client = ctx.client().await?;
    let filtered = args.query.is_some() || args.visibility.is_some() || args.archived;
    let query = ListPersonas {
        q: args.query,
        visibility: args.visibility,
        archived: args.archived,
        limit: args.limit,
        cursor: None,
    };
    let personas: Vec<Box<RawValue>> = every_page(args.all, |cursor| {
        let query = ListPersonas {
            cursor,
            ..query.clone()
        };
        async move { client.list_personas(&query).await }
    })
    .await?;
    ctx.output
        .emit(&personas, |out| show(out, &personas, filtered));
    Ok(())
}

fn show(output: &Output, personas: &[Box<RawValue>], filtered: bool) {
    if personas.is_empty() {
        if filtered {
            output.info("No personas match.");
        } else {
            output.info(
                "No personas yet. Create one with `persona personas create -f examples/brief.md`.",
            );
        }
        return;
    }
    let rows: Vec<Vec<String>> = personas
        .iter()
        .map(|raw| {
            let p: Value = serde_json::from_str(raw.get()).unwrap_or_default();
            vec![
                text(&p["id"]),
                text(&p["slug"]),
                text(&p["surface"]["name"]),
                text(&p["status"]),
                text(&p["visibility"]),
                format!("v{}", text(&p["version"])),
                text(&p["created_at"]),
            ]
        })
        .collect();
    output.table(
        &[
            "id",
            "slug",
            "name",
            "status",
            "visibility",
            "version",
            "created",
        ],
        &rows,
    );
}
