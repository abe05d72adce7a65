//! `persona personas versions REF`: every version of a persona, oldest first.

use clap::Args;
use serde_json::Value;

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
    let output = &ctx.output;
    if output.json {
        output.json_value(&Value::Array(page.data));
        return Ok(());
    }
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
    output.table(&["version", "created", "run", "fingerprint"], &rows);
    Ok(())
}
