//! `persona personas archive REF`: hides a persona from lists; it stays readable.

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::lookup;
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaSummary, view};

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The persona: id or slug
    #[arg(add = ArgValueCompleter::new(complete::persona_slugs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,
}

pub async fn run(ctx: &Context, args: ArchiveArgs) -> Result<()> {
    let client = ctx.client().await?;
    let archived = client.archive_persona(&args.reference).await;
    let persona = lookup::or_suggest(client, &args.reference, archived).await?;
    ctx.output.emit(&persona, |out| {
        let archived: PersonaSummary = view(&persona);
        out.success(format!(
            "Archived {} ({}); list archived personas with `persona personas list --archived`, \
             bring it back with `persona personas unarchive {}`",
            archived.slug.unwrap_or_default(),
            archived.id.as_deref().unwrap_or_default(),
            archived.id.as_deref().unwrap_or_default()
        ));
    });
    Ok(())
}
