//! `persona personas list`: the workspace's personas, newest first, one page or `--all`.

use clap::Args;
use serde_json::value::RawValue;

use crate::client::{ListPersonas, every_page};
use crate::commands::format::or_dash;
use crate::commands::listing::{Paging, show_table};
use crate::context::Context;
use crate::error::Result;
use crate::model::PersonaSummary;
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

    #[command(flatten)]
    paging: Paging,
}

pub async fn run(ctx: &Context, args: ListArgs) -> Result<()> {
    let client = ctx.client().await?;
    let filtered = args.query.is_some() || args.visibility.is_some() || args.archived;
    let query = ListPersonas {
        q: args.query,
        visibility: args.visibility,
        archived: args.archived,
        limit: args.paging.limit,
    };
    let personas = every_page(args.paging.all, |cursor| {
        client.list_personas(&query, cursor)
    })
    .await?;
    ctx.output
        .emit(&personas, |out| show(out, &personas, filtered));
    Ok(())
}

fn show(output: &Output, personas: &[Box<RawValue>], filtered: bool) {
    let empty = if filtered {
        "No personas match."
    } else {
        "No personas yet. Create one with `persona personas create -f examples/brief.md`."
    };
    let headers = [
        "id",
        "slug",
        "name",
        "status",
        "visibility",
        "version",
        "created",
    ];
    show_table(output, personas, empty, &headers, |p: PersonaSummary| {
        vec![
            or_dash(p.id.as_deref()),
            or_dash(p.slug.as_deref()),
            or_dash(p.name()),
            or_dash(p.status.as_deref()),
            or_dash(p.visibility.as_deref()),
            format!("v{}", or_dash(p.version)),
            or_dash(p.created_at.as_deref()),
        ]
    });
}
