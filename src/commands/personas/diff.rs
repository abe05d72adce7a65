//! `persona personas diff FILE`: a unified diff of the server's persona against a working copy,
//! of the editable fields' content only, in the file's own order.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::working_copy;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaStamp, view};
use crate::persona_file::field_diff;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas diff bookseller.yml
  persona personas diff bookseller.yml --exit-code && echo unchanged

Only the content of the editable fields counts: key order, comments, quoting and the read-only
fields (version, fingerprint, updated_at, ...) do not, so a file another tool rewrote without
changing a value has no diff.")]
pub struct DiffArgs {
    /// A working copy written by `persona personas pull`
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Exit with 1 when the file's editable fields differ from the server's
    #[arg(long)]
    exit_code: bool,
}

pub async fn run(ctx: &Context, args: DiffArgs) -> Result<()> {
    let (_, local) = working_copy::read(&args.file)?;
    let id = working_copy::id_of(&args.file, &local)?;
    let server = ctx.client().await?.get_persona(&id).await?;
    let (current, pulled): (PersonaStamp, PersonaStamp) = (view(&server), view(&local));
    let version = or_dash(current.version);
    let server_label = format!("server/{id}@v{version}");
    let file_label = args.file.display().to_string();
    let diff = field_diff(&server_label, &file_label, &server, &local);
    let report = json!({
        "file": file_label, "id": id, "differs": diff.is_some(), "diff": diff,
        "version": pulled.version, "server_version": current.version,
    });
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
            if pulled.version != current.version {
                out.info(format!(
                    "{file_label} was pulled at v{}; the persona is now at v{version}, so the \
                     lines marked - include changes made on the server since",
                    or_dash(pulled.version)
                ));
            }
        }
        None => out.info(format!(
            "{file_label} holds what the server holds (v{version})"
        )),
    });
    if diff.is_some() && args.exit_code {
        return Err(CliError::reported(ExitKind::General));
    }
    Ok(())
}
