//! `persona runs list`: runs of the workspace, newest first, filtered by persona or status.

use clap::Args;
use clap_complete::ArgValueCompleter;
use serde_json::value::RawValue;

use crate::client::{ListRuns, every_page};
use crate::commands::format::{or_dash, thousands, usd};
use crate::commands::listing::{Paging, show_table};
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, RunSummary, view};
use crate::output::Output;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona runs list
  persona runs list --persona the-istanbul-bookseller --status failed
  persona runs list --all --json")]
pub struct ListArgs {
    /// Only runs of this persona (id or slug)
    #[arg(add = ArgValueCompleter::new(complete::persona_slugs), long, value_name = "REF")]
    persona: Option<String>,

    /// Only runs with this status
    #[arg(long, value_parser = ["queued", "running", "completed", "failed", "canceled"])]
    status: Option<String>,

    #[command(flatten)]
    paging: Paging,
}

pub async fn run(ctx: &Context, args: ListArgs) -> Result<()> {
    let client = ctx.client().await?;
    let persona_id = match &args.persona {
        Some(reference) if reference.starts_with("psn_") => Some(reference.clone()),
        Some(reference) => view::<PersonaSummary>(&client.get_persona(reference).await?).id,
        None => None,
    };
    let query = ListRuns {
        persona_id,
        status: args.status,
        limit: args.paging.limit,
    };
    let runs = every_page(args.paging.all, |cursor| client.list_runs(&query, cursor)).await?;
    ctx.output.emit(&runs, |out| show(out, &runs));
    Ok(())
}

fn show(output: &Output, runs: &[Box<RawValue>]) {
    let headers = [
        "id", "persona", "kind", "status", "tokens", "cost", "created",
    ];
    show_table(output, runs, "No runs.", &headers, |r: RunSummary| {
        vec![
            or_dash(r.id),
            or_dash(r.persona_slug.or(r.persona_id)),
            or_dash(r.kind),
            or_dash(r.status),
            thousands(r.tokens.unwrap_or(0)),
            usd(r.cost_usd.unwrap_or(0.0)),
            or_dash(r.created_at),
        ]
    });
}
