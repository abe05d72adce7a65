//! `persona personas get REF`: one persona, as a readable summary, JSON or YAML.

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::{lookup, render};
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::persona_file;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas get the-istanbul-bookseller
  persona personas get the-istanbul-bookseller@v2 --yaml
  persona personas get psn_3kP9aLwX2vQ1 --json")]
pub struct GetArgs {
    /// The persona: id (psn_...), slug, or either with @vN for a past version
    #[arg(add = ArgValueCompleter::new(complete::persona_refs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,

    /// Print the persona as a YAML working copy
    #[arg(long, conflicts_with = "json")]
    yaml: bool,
}

pub async fn run(ctx: &Context, args: GetArgs) -> Result<()> {
    let persona = lookup::get_persona(ctx.client().await?, &args.reference).await?;
    ctx.output.emit(&persona, |out| {
        if args.yaml {
            out.raw(&persona_file::to_yaml(&persona));
        } else {
            out.line(render::summary(out, &persona));
        }
    });
    Ok(())
}
