//! `persona personas list`: the workspace's personas, newest first, one page or `--all`.

use clap::Args;
use serde_json::value::RawValue;

use crate::client::{ListPersonas, every_page};
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, view_text};
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
    };
    let personas = every_page(args.all, |cursor| client.list_personas(&query, cursor)).await?;
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
            let p: PersonaSummary = view_text(raw.get());
            vec![
                or_dash(p.id.as_deref()),
                or_dash(p.slug.as_deref()),
                or_dash(p.name()),
                or_dash(p.status.as_deref()),
                or_dash(p.visibility.as_deref()),
                format!("v{}", or_dash(p.version)),
                or_dash(p.created_at.as_deref()),
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
