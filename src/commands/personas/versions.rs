//! `persona personas versions REF`: every version of a persona, oldest first.

use clap::Args;

use crate::commands::format::text;
use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// The persona: id or slug
    #[arg(value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,
}

pub async fn run(ctx: &Context, args: VersionsArgs) -> Result<()> {
    let page = ctx
        .client()
        .await?
        .persona_versions(&args.reference)
        .await?;
    ctx.output.emit(&page.data, |out| {
        let rows: Vec<Vec<String>> = page
            .data
            .iter()
            .map(|v| {
                vec![
                    format!("v{}", text(&v["version"])),
                    text(&v["created_at"]),
                    text(&v["run_id"]),
                    text(&v["fingerprint"]),
                ]
            })
            .collect();
        out.table(&["version", "created", "run", "fingerprint"], &rows);
    });
    Ok(())
}
