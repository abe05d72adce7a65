//! `persona runs get RUN_ID`: a run's steps with status, tokens, cost and timing, and its error.

use clap::Args;
use clap_complete::ArgValueCompleter;
use serde_json::Value;

use crate::commands::format::{or_dash, thousands, usd};
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::{RunSummary, view};
use crate::output::Output;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona runs get run_a8K2zB\n  persona runs get run_a8K2zB --json | jq .steps"
)]
pub struct GetArgs {
    /// The run id (run_...)
    #[arg(add = ArgValueCompleter::new(complete::run_ids), value_name = "RUN_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    run_id: String,
}

pub async fn run(ctx: &Context, args: GetArgs) -> Result<()> {
    let run = ctx.client().await?.get_run(&args.run_id).await?;
    ctx.output.emit(&run, |out| show(out, &run));
    Ok(())
}

/// The run on a terminal: what it is, its figures, its steps as a table, and its error.
fn show(output: &Output, run: &Value) {
    let run: RunSummary = view(run);
    output.line(format!(
        "{}  {}  {} run of {}",
        output.paint(&or_dash(run.id.as_deref()), "1"),
        or_dash(run.status.as_deref()),
        or_dash(run.kind.as_deref()),
        or_dash(run.persona_id.as_deref())
    ));
    output.line(format!(
        "pipeline {}  engine {}  seed {}  budget {}",
        or_dash(run.pipeline.as_deref()),
        or_dash(run.engine.as_deref()),
        or_dash(run.seed),
        run.budget_usd.map_or("none".to_string(), usd)
    ));
    output.line(format!(
        "tokens {}  cost {}  latency {}  created {}  completed {}",
        thousands(run.tokens.unwrap_or(0)),
        usd(run.cost_usd.unwrap_or(0.0)),
        run.latency_ms
            .map_or("-".to_string(), |ms| format!("{ms} ms")),
        or_dash(run.created_at.as_deref()),
        or_dash(run.completed_at.as_deref())
    ));
    let steps: Vec<Vec<String>> = run
        .steps
        .into_iter()
        .flatten()
        .map(|step| {
            vec![
                or_dash(step.name),
                or_dash(step.status),
                thousands(step.tokens.unwrap_or(0)),
                usd(step.cost_usd.unwrap_or(0.0)),
                or_dash(step.started_at),
                or_dash(step.completed_at),
            ]
        })
        .collect();
    if !steps.is_empty() {
        output.line("");
        output.table(
            &["step", "status", "tokens", "cost", "started", "completed"],
            &steps,
        );
    }
    if let Some(error) = run.error {
        output.line("");
        output.line(format!(
            "error: {} ({})",
            or_dash(error.message),
            or_dash(error.code)
        ));
    }
}
