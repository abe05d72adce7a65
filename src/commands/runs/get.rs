//! `persona runs get RUN_ID`: a run's steps with status, tokens, cost and timing, and its error.

use clap::Args;
use serde_json::Value;

use crate::commands::format::{text, thousands, usd};
use crate::context::Context;
use crate::error::Result;
use crate::output::Output;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona runs get run_a8K2zB\n  persona runs get run_a8K2zB --json | jq .steps"
)]
pub struct GetArgs {
    /// The run id (run_...)
    #[arg(value_name = "RUN_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    run_id: String,
}

pub async fn run(ctx: &Context, args: GetArgs) -> Result<()> {
    let run = ctx.client().await?.get_run(&args.run_id).await?;
    ctx.output.emit(&run, |out| show(out, &run));
    Ok(())
}

/// The run on a terminal: what it is, its figures, its steps as a table, and its error.
fn show(output: &Output, run: &Value) {
    output.line(format!(
        "{}  {}  {} run of {}",
        output.paint(&text(&run["id"]), "1"),
        text(&run["status"]),
        text(&run["kind"]),
        text(&run["persona_id"])
    ));
    output.line(format!(
        "pipeline {}  engine {}  seed {}  budget {}",
        text(&run["pipeline"]),
        text(&run["engine"]),
        text(&run["seed"]),
        run["budget_usd"].as_f64().map_or("none".to_string(), usd)
    ));
    output.line(format!(
        "tokens {}  cost {}  latency {}  created {}  completed {}",
        thousands(run["tokens"].as_u64().unwrap_or(0)),
        usd(run["cost_usd"].as_f64().unwrap_or(0.0)),
        run["latency_ms"]
            .as_i64()
            .map_or("-".to_string(), |ms| format!("{ms} ms")),
        text(&run["created_at"]),
        text(&run["completed_at"])
    ));
    let steps: Vec<Vec<String>> = run["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|step| {
            vec![
                text(&step["name"]),
                text(&step["status"]),
                thousands(step["tokens"].as_u64().unwrap_or(0)),
                usd(step["cost_usd"].as_f64().unwrap_or(0.0)),
                text(&step["started_at"]),
                text(&step["completed_at"]),
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
    if run["error"].is_object() {
        output.line("");
        output.line(format!(
            "error: {} ({})",
            text(&run["error"]["message"]),
            text(&run["error"]["code"])
        ));
    }
}
