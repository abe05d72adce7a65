//! `persona runs`: list, inspect, cancel and follow generation runs.

mod cancel;
mod get;
mod list;
mod tail;

pub(crate) use tail::write_ndjson_line;

use clap::Subcommand;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// List runs, newest first
    List(list::ListArgs),
    /// Show a run: steps, tokens, cost, timing and error
    Get(get::GetArgs),
    /// Cancel a queued or running run
    Cancel(cancel::CancelArgs),
    /// Follow a run's events live, replaying from the start; survives dropped connections
    Tail(tail::TailArgs),
}

pub async fn dispatch(ctx: &Context, command: RunsCommand) -> Result<()> {
    match command {
        RunsCommand::List(args) => list::run(ctx, args).await,
        RunsCommand::Get(args) => get::run(ctx, args).await,
        RunsCommand::Cancel(args) => cancel::run(ctx, args).await,
        RunsCommand::Tail(args) => tail::run(ctx, args).await,
    }
}
