//! `persona personas list`: the workspace's personas, newest first, one page or `--all`; failed
//! and canceled creations only when asked for with `--status`, then with what failed.

use std::collections::HashMap;

use clap::Args;
use futures_util::StreamExt;
use serde_json::value::RawValue;

use crate::client::{ApiClient, ListPersonas, every_page};
use crate::commands::format::or_dash;
use crate::commands::listing::{Paging, show_table};
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, RunSummary, view, view_text};
use crate::output::Output;

/// What `--status` takes besides the statuses themselves.
const ALL: &str = "all";
/// The statuses listed when `--status` is not given: failed and canceled creations, which have
/// no persona to show, are left out.
const LISTED_BY_DEFAULT: &str = "queued,running,completed";
/// Statuses of creations that ended without a persona.
const ENDED_WITHOUT_PERSONA: [&str; 2] = ["failed", "canceled"];
/// How many runs are read at once for the errors of failed creations.
const PARALLEL_RUN_READS: usize = 8;
/// The longest intent shown in the table of failures, in characters.
const SHOWN_INTENT_CHARS: usize = 48;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas list
  persona personas list --query bookseller --visibility workspace
  persona personas list --status failed        # failed creations, with their error
  persona personas list --all --json | jq -r '.[].slug'

Failed and canceled creations are left out unless --status names them (or is `all`).")]
pub struct ListArgs {
    /// Only personas whose slug, name, occupation or intent contains this text
    #[arg(long, short = 'Q', value_name = "TEXT")]
    query: Option<String>,

    /// Only personas with this visibility
    #[arg(long, value_parser = ["private", "workspace", "public"])]
    visibility: Option<String>,

    /// Only personas with these statuses, separated by commas, or `all` [default: queued,
    /// running, completed]
    #[arg(
        long,
        value_name = "STATUS",
        value_delimiter = ',',
        value_parser = ["queued", "running", "completed", "failed", "canceled", ALL]
    )]
    status: Vec<String>,

    /// List archived personas instead
    #[arg(long)]
    archived: bool,

    #[command(flatten)]
    paging: Paging,
}

pub async fn run(ctx: &Context, args: ListArgs) -> Result<()> {
    let client = ctx.client().await?;
    let filtered = args.query.is_some()
        || args.visibility.is_some()
        || args.archived
        || !args.status.is_empty();
    let status = if args.status.is_empty() {
        Some(LISTED_BY_DEFAULT.to_string())
    } else if args.status.iter().any(|s| s == ALL) {
        None
    } else {
        Some(args.status.join(","))
    };
    let failures_only = !args.status.is_empty()
        && args
            .status
            .iter()
            .all(|s| ENDED_WITHOUT_PERSONA.contains(&s.as_str()));
    let query = ListPersonas {
        q: args.query,
        visibility: args.visibility,
        archived: args.archived,
        status,
        limit: args.paging.limit,
    };
    let personas = every_page(args.paging.all, |cursor| {
        client.list_personas(&query, cursor)
    })
    .await?;
    if failures_only && !ctx.output.json {
        let errors = run_errors(client, &personas).await;
        ctx.output
            .emit(&personas, |out| show_failures(out, &personas, &errors));
        return Ok(());
    }
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

/// The error message of each failed persona's run, by run id. A run that cannot be read is
/// left out (its row shows a dash).
async fn run_errors(client: &ApiClient, personas: &[Box<RawValue>]) -> HashMap<String, String> {
    let failed_runs: Vec<String> = personas
        .iter()
        .map(|raw| view_text::<PersonaSummary>(raw.get()))
        .filter(|persona| persona.status.as_deref() == Some("failed"))
        .filter_map(|persona| persona.run?.id)
        .collect();
    futures_util::stream::iter(failed_runs)
        .map(|run_id| async move {
            let run: RunSummary = view(&client.get_run(&run_id).await.ok()?);
            Some((run_id, run.error?.message?))
        })
        .buffered(PARALLEL_RUN_READS)
        .filter_map(|found| async move { found })
        .collect()
        .await
}

/// Failed and canceled creations: what was asked, and what failed.
fn show_failures(output: &Output, personas: &[Box<RawValue>], errors: &HashMap<String, String>) {
    let headers = ["id", "status", "intent", "error", "created"];
    show_table(
        output,
        personas,
        "No personas match.",
        &headers,
        |p: PersonaSummary| {
            let error = match p.status.as_deref() {
                Some("canceled") => Some("the run was canceled".to_string()),
                _ => p
                    .run
                    .as_ref()
                    .and_then(|run| run.id.as_ref())
                    .and_then(|run_id| errors.get(run_id).cloned()),
            };
            vec![
                or_dash(p.id.as_deref()),
                or_dash(p.status.as_deref()),
                or_dash(p.intent.as_deref().map(shortened)),
                or_dash(error),
                or_dash(p.created_at.as_deref()),
            ]
        },
    );
}

/// The first line of `text`, cut at [`SHOWN_INTENT_CHARS`] characters with an ellipsis.
fn shortened(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= SHOWN_INTENT_CHARS && line.len() == text.trim_end().len() {
        return line.to_string();
    }
    let kept: String = line.chars().take(SHOWN_INTENT_CHARS - 1).collect();
    format!("{}…", kept.trim_end())
}
