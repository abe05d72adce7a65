//! `persona personas fork REF`: a new persona from a parent, refined when given an intent.

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::{lookup, render};
use crate::client::{ForkPersona, new_idempotency_key};
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, view};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas fork the-istanbul-bookseller --slug young-bookseller --intent \"twenty years younger\"
  persona personas fork psn_3kP9aLwX2vQ1 --visibility workspace")]
pub struct ForkArgs {
    /// The parent persona: id, slug, or either with @vN
    #[arg(add = ArgValueCompleter::new(complete::persona_refs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,

    /// A refinement: the fork's layers are rewritten under it
    #[arg(long, value_name = "TEXT")]
    intent: Option<String>,

    /// The fork's slug (default: the parent's with -fork)
    #[arg(long)]
    slug: Option<String>,

    /// The fork's visibility (default: the parent's)
    #[arg(long, value_parser = ["private", "workspace", "public"])]
    visibility: Option<String>,
}

pub async fn run(ctx: &Context, args: ForkArgs) -> Result<()> {
    let client = ctx.client().await?;
    let body = ForkPersona {
        intent: args.intent,
        slug: args.slug,
        visibility: args.visibility,
    };
    let spinner = ctx.output.spinner(format!("forking {}…", args.reference));
    let result = client
        .fork_persona(&args.reference, &body, &new_idempotency_key())
        .await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let persona = lookup::or_suggest(client, &args.reference, result).await?;
    ctx.output.emit(&persona, |out| {
        out.line(render::summary(out, &persona));
        let fork: PersonaSummary = view(&persona);
        out.success(format!(
            "Forked {} into {}",
            args.reference,
            fork.slug.unwrap_or_default()
        ));
    });
    Ok(())
}
