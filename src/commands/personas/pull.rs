//! `persona personas pull REF`: writes a persona's YAML working copy atomically, refusing to
//! overwrite local edits unless `--force`.

use std::path::PathBuf;

use clap::Args;
use clap_complete::ArgValueCompleter;
use serde_json::{Value, json};

use super::{lookup, working_copy};
use crate::commands::format::or_dash;
use crate::complete;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaSummary, view};
use crate::persona_file;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas pull the-istanbul-bookseller            # writes the-istanbul-bookseller.yml
  persona personas pull psn_3kP9aLwX2vQ1 -o bookseller.yml
  persona personas pull the-istanbul-bookseller --version 2 -o v2.yml
  persona personas pull the-istanbul-bookseller -o - | less      # the YAML on stdout")]
pub struct PullArgs {
    /// The persona: id or slug (or either with @vN)
    #[arg(add = ArgValueCompleter::new(complete::persona_refs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,

    /// The file to write (default: <slug>.yml); `-` prints the YAML on stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output_file: Option<PathBuf>,

    /// Pull this past version instead of the current one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    version: Option<u32>,

    /// Overwrite the file even if it has local edits
    #[arg(long)]
    force: bool,
}

pub async fn run(ctx: &Context, args: PullArgs) -> Result<()> {
    let reference = match args.version {
        Some(version) => format!(
            "{}@v{version}",
            args.reference.split('@').next().unwrap_or_default()
        ),
        None => args.reference.clone(),
    };
    let persona = lookup::get_persona(ctx.client().await?, &reference).await?;
    let summary: PersonaSummary = view(&persona);
    let version = or_dash(summary.version);
    if summary.status.as_deref() != Some("completed") {
        return Err(CliError::new(
            ExitKind::Conflict,
            format!(
                "persona {} is {}; only a completed persona has a working copy",
                summary.id.as_deref().unwrap_or_default(),
                summary.status.as_deref().unwrap_or_default()
            ),
        ));
    }
    let path = match args.output_file {
        Some(path) => path,
        None => working_copy::default_path(&persona)?,
    };
    let contents = persona_file::to_yaml(&persona);
    if path.as_os_str() == "-" {
        ctx.output.raw(&contents);
        return Ok(());
    }
    let existing = match persona_file::read_text_file(&path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        // Not a file a working copy can replace (a directory, a device), or unreadable.
        Err(err) => {
            let error = CliError::io(
                ExitKind::Usage,
                format!("cannot write the working copy to {}", path.display()),
                err,
            );
            let hint = error.hint.clone();
            return Err(
                error.with_hint(hint.unwrap_or_else(|| "name a regular file with -o".into()))
            );
        }
    };
    let output = &ctx.output;
    let report = json!({
        "file": path.display().to_string(),
        "id": summary.id,
        "version": summary.version,
        "fingerprint": summary.fingerprint,
    });
    if existing.as_deref() == Some(contents.as_str()) {
        output.emit(&report, |out| {
            out.info(format!(
                "{} is already up to date (v{version})",
                path.display()
            ));
        });
        return Ok(());
    }
    if existing.is_some() && !args.force {
        refuse_to_overwrite(&path, summary.id.as_deref())?;
    }
    working_copy::write(&path, &persona)?;
    output.emit(&report, |out| {
        out.success(format!(
            "Pulled {} v{version} to {}",
            summary.slug.as_deref().unwrap_or_default(),
            path.display()
        ));
    });
    Ok(())
}

/// An existing file may be replaced only when it is an unedited working copy of this persona.
fn refuse_to_overwrite(path: &std::path::Path, id: Option<&str>) -> Result<()> {
    let conflict = |why: String| {
        CliError::new(ExitKind::Conflict, why)
            .with_hint("push your edits first, write elsewhere with -o, or overwrite with --force")
    };
    let (_, local) = working_copy::read(path).map_err(|_| {
        conflict(format!(
            "{} exists and is not a readable working copy",
            path.display()
        ))
    })?;
    let local_id = local.get("id").and_then(Value::as_str);
    if local_id != id {
        return Err(conflict(format!(
            "{} holds another persona ({})",
            path.display(),
            local_id.unwrap_or("?")
        )));
    }
    if persona_file::has_local_edits(&local) {
        return Err(conflict(format!(
            "{} has local edits that pull would overwrite",
            path.display()
        )));
    }
    Ok(())
}
