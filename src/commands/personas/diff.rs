//! `persona personas diff FILE`: a unified diff of the server's persona against a working copy.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::working_copy;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaSummary, view};
use crate::persona_file::{to_yaml, unified_diff};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas diff bookseller.yml
  persona personas diff bookseller.yml --exit-code && echo unchanged")]
pub struct DiffArgs {
    /// A working copy written by `persona personas pull`
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Exit with 1 when the file and the server differ
    #[arg(long)]
    exit_code: bool,
}

pub async fn run(ctx: &Context, args: DiffArgs) -> Result<()> {
    let (_, local) = working_copy::read(&args.file)?;
    let id = working_copy::id_of(&args.file, &local)?;
    let server = ctx.client().await?.get_persona(&id).await?;
    let version = or_dash(view::<PersonaSummary>(&server).version);
    let server_label = format!("server/{id}@v{version}");
    let file_label = args.file.display().to_string();
    let diff = unified_diff(
        &server_label,
        &file_label,
        &to_yaml(&server),
        &to_yaml(&local),
    );
    let report = json!({ "file": file_label, "id": id, "differs": diff.is_some(), "diff": diff });
    ctx.output.emit(&report, |out| match &diff {
        Some(diff) => {
            for line in diff.lines() {
                let colored = match line.as_bytes().first() {
                    Some(b'+') if !line.starts_with("+++") => out.paint(line, "32"),
                    Some(b'-') if !line.starts_with("---") => out.paint(line, "31"),
                    Some(b'@') => out.paint(line, "36"),
                    _ => line.to_string(),
                };
                out.line(colored);
            }
        }
        None => out.info(format!(
            "{file_label} is the same as the server (v{version})"
        )),
    });
    if diff.is_some() && args.exit_code {
        return Err(CliError::reported(ExitKind::General));
    }
    Ok(())
}
