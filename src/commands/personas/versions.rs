//! `persona personas versions REF`: every version of a persona, oldest first.

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::lookup;
use crate::commands::format::or_dash;
use crate::complete;
use crate::context::Context;
use crate::error::Result;
use crate::model::{PersonaVersion, view};

#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// The persona: id or slug
    #[arg(add = ArgValueCompleter::new(complete::persona_slugs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,
}

pub async fn run(ctx: &Context, args: VersionsArgs) -> Result<()> {
    let client = ctx.client().await?;
    let versions = client.persona_versions(&args.reference).await;
    let page = lookup::or_suggest(client, &args.reference, versions).await?;
    ctx.output.emit(&page.data, |out| {
        let rows: Vec<Vec<String>> = page
            .data
            .iter()
            .map(|version| {
                let version: PersonaVersion = view(version);
                vec![
                    format!("v{}", or_dash(version.version)),
                    or_dash(version.created_at),
                    or_dash(version.run_id),
                    or_dash(version.fingerprint),
                ]
            })
            .collect();
        out.table(&["version", "created", "run", "fingerprint"], &rows);
    });
    Ok(())
}
