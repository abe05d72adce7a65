//! `persona runs list`: runs of the workspace, newest first, filtered by persona or status.

use clap::Args;
use serde_json::value::RawValue;

use crate::client::{ListRuns, every_page};
use crate::commands::format::{or_dash, thousands, usd};
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, RunSummary, view, view_text};
use crate::output::Output;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona runs list
  persona runs list --persona the-istanbul-bookseller --status failed
  persona runs list --all --json")]
pub struct ListArgs {
    /// Only runs of this persona (id or slug)
    #[arg(long, value_name = "REF")]
    persona: Option<String>,

    /// Only runs with this status
    #[arg(long, value_parser = ["queued", "running", "completed", "failed", "canceled"])]
    status: Option<String>,

    /// How many to list (1 to 100; with --all, the page size)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,

    /// Follow every page to the end
    #[arg(long)]
    all: bool,
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
        limit: args.limit,
    };
    let runs = every_page(args.all, |cursor| client.list_runs(&query, cursor)).await?;
    ctx.output.emit(&runs, |out| show(out, &runs));
    Ok(())
}

fn show(output: &Output, runs: &[Box<RawValue>]) {
    if runs.is_empty() {
        output.info("No runs.");
        return;
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|raw| {
            let r: RunSummary = view_text(raw.get());
            vec![
                or_dash(r.id),
                or_dash(r.persona_id),
                or_dash(r.kind),
                or_dash(r.status),
                thousands(r.tokens.unwrap_or(0)),
                usd(r.cost_usd.unwrap_or(0.0)),
                or_dash(r.created_at),
            ]
        })
        .collect();
    output.table(
        &[
            "id", "persona", "kind", "status", "tokens", "cost", "created",
        ],
        &rows,
    );
}
