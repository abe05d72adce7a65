//! `persona runs cancel RUN_ID`: stops a queued or running run.

use clap::Args;
use clap_complete::ArgValueCompleter;

use crate::complete;
use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona runs cancel run_a8K2zB\n  persona runs cancel run_a8K2zB --json\n\nOnly a queued or running run can be canceled (exit 5 otherwise); its persona ends canceled."
)]
pub struct CancelArgs {
    /// The run id (run_...)
    #[arg(add = ArgValueCompleter::new(complete::run_ids), value_name = "RUN_ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    run_id: String,
}

pub async fn run(ctx: &Context, args: CancelArgs) -> Result<()> {
    let run = ctx.client().await?.cancel_run(&args.run_id).await?;
    ctx.output.emit(&run, |out| {
        out.success(format!("Canceled run {}", args.run_id));
    });
    Ok(())
}
