//! `persona personas unarchive REF`: brings an archived persona back into lists, with its slug.

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::lookup;
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, view};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas list --archived
  persona personas unarchive the-istanbul-bookseller")]
pub struct UnarchiveArgs {
    /// The persona: id or slug
    #[arg(add = ArgValueCompleter::new(complete::archived_persona_slugs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,
}

pub async fn run(ctx: &Context, args: UnarchiveArgs) -> Result<()> {
    let client = ctx.client().await?;
    let unarchived = client.unarchive_persona(&args.reference).await;
    let persona = lookup::or_suggest(client, &args.reference, unarchived).await?;
    ctx.output.emit(&persona, |out| {
        let persona: PersonaSummary = view(&persona);
        out.success(format!(
            "Unarchived {} ({}); it is listed again",
            persona.slug.unwrap_or_default(),
            persona.id.unwrap_or_default()
        ));
    });
    Ok(())
}
