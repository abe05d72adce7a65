//! `persona personas pull REF` and `pull --all`: writes working copies atomically, one persona or
//! every persona of the workspace into a folder, never overwriting local edits unless `--force`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::ArgValueCompleter;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::{Value, json};

use super::folder::{self, Item};
use super::{lookup, working_copy};
use crate::commands::format::or_dash;
use crate::complete;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaStamp, view};
use crate::output::escape_controls_one_line;
use crate::persona_file::{self, Comparison, Standing};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(false).args(["reference", "all"]))]
#[command(after_long_help = "\
Examples:
  persona personas pull the-istanbul-bookseller            # writes the-istanbul-bookseller.yml
  persona personas pull psn_3kP9aLwX2vQ1 -o bookseller.yml
  persona personas pull the-istanbul-bookseller --version 2 -o v2.yml
  persona personas pull the-istanbul-bookseller -o - | less      # the YAML on stdout
  persona personas pull --all -d personas                  # every persona, as personas/<slug>.yml

With --all, a persona whose working copy is already somewhere under DIR (found by its id) is
written there, any other to DIR/<slug>.yml. Files with local edits are skipped and listed, and
a file that would not change is not touched: a second run changes no byte.")]
pub struct PullArgs {
    /// The persona: id or slug (or either with @vN)
    #[arg(add = ArgValueCompleter::new(complete::persona_refs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: Option<String>,

    /// Pull every persona the key can see (not archived ones, unless --archived)
    #[arg(long, conflicts_with_all = ["output_file", "version"])]
    all: bool,

    /// With --all: the folder to write to (created when missing)
    #[arg(short = 'd', long = "dir", value_name = "DIR", requires = "all")]
    directory: Option<PathBuf>,

    /// With --all: archived personas too
    #[arg(long, requires = "all")]
    archived: bool,

    /// The file to write (default: <slug>.yml); `-` prints the YAML on stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output_file: Option<PathBuf>,

    /// Pull this past version instead of the current one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    version: Option<u32>,

    /// Overwrite files even if they have local edits
    #[arg(long)]
    force: bool,
}

pub async fn run(ctx: &Context, args: PullArgs) -> Result<()> {
    let Some(reference) = args.reference.clone() else {
        return pull_all(ctx, &args).await;
    };
    let reference = match args.version {
        Some(version) => format!(
            "{}@v{version}",
            reference.split('@').next().unwrap_or_default()
        ),
        None => reference,
    };
    let persona = lookup::get_persona(ctx.client().await?, &reference).await?;
    let summary: PersonaStamp = view(&persona);
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
    if let Some(text) = &existing
        && !args.force
        && let Err(why) = replaceable(&path, text, &persona)
    {
        return Err(
            CliError::new(ExitKind::Conflict, format!("{} {why}", path.display())).with_hint(
                "push your edits first, write elsewhere with -o, or overwrite with --force",
            ),
        );
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

/// An existing file may be replaced only when it is a working copy of `persona` without edits
/// the server lacks; otherwise why not, said of the file ("has local edits ...").
fn replaceable(path: &Path, text: &str, persona: &Value) -> std::result::Result<(), String> {
    let Ok(local) = persona_file::from_yaml(text, &path.display().to_string()) else {
        return Err("exists and is not a readable working copy".to_string());
    };
    let (mine, theirs): (PersonaStamp, PersonaStamp) = (view(&local), view(persona));
    if mine.id != theirs.id {
        return Err(format!(
            "holds another persona ({})",
            mine.id.as_deref().unwrap_or("?")
        ));
    }
    match persona_file::compare(&local, persona) {
        Comparison::Settled(Standing::UpToDate | Standing::Behind) => Ok(()),
        _ => Err("has local edits that pull would overwrite".to_string()),
    }
}

/// What `pull --all` did with one persona.
#[derive(Debug, Serialize)]
struct Pulled {
    file: Option<String>,
    id: Option<String>,
    slug: Option<String>,
    version: Option<u64>,
    /// `written`, `unchanged` or `skipped`.
    action: &'static str,
    /// Why a persona was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

async fn pull_all(ctx: &Context, args: &PullArgs) -> Result<()> {
    let directory = args.directory.clone().unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&directory).map_err(|err| {
        CliError::usage(format!(
            "cannot use {} as the folder: {err}",
            directory.display()
        ))
        .with_source(err)
    })?;
    let client = ctx.client().await?;
    let mut personas = folder::list_all(client, false).await?;
    if args.archived {
        personas.extend(folder::list_all(client, true).await?);
    }
    // Where each persona's working copy already is, wherever under the folder.
    let files = folder::scan(std::slice::from_ref(&directory))?;
    let mut existing = std::collections::HashMap::new();
    for file in &files {
        if let Item::Copy { stamp, .. } = &file.item
            && let Some(id) = &stamp.id
        {
            existing
                .entry(id.clone())
                .or_insert_with(|| file.path.clone());
        }
    }

    // Where each persona goes, in order: a file is written for one persona at most.
    let mut written = HashSet::new();
    let targets: Vec<(PersonaStamp, Option<PathBuf>)> = personas
        .iter()
        .map(|persona| {
            let stamp: PersonaStamp = view(persona);
            let target = stamp
                .id
                .as_ref()
                .and_then(|id| existing.get(id).cloned())
                .or_else(|| {
                    working_copy::default_path(persona)
                        .ok()
                        .map(|name| directory.join(name))
                });
            (stamp, target)
        })
        .collect();
    let bar = ctx.output.progress_allowed().then(|| {
        let bar = ProgressBar::new(personas.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let firsts: Vec<bool> = targets
        .iter()
        .map(|(_, target)| {
            target
                .as_ref()
                .is_some_and(|path| written.insert(path.clone()))
        })
        .collect();
    // Each write waits for the disk (fsync): several at once.
    let work: Vec<_> = personas.iter().zip(&targets).zip(firsts).collect();
    let outcomes = folder::in_parallel(&work, |((persona, (stamp, target)), first)| {
        let outcome = match target {
            None => Ok((
                "skipped",
                Some("has a slug that is not a plain file name (pull it with -o FILE)".to_string()),
            )),
            Some(_) if !first => Ok((
                "skipped",
                Some("was written for another persona in this run".to_string()),
            )),
            Some(path) => pull_into(path, persona, args.force),
        };
        if let Some(bar) = &bar {
            bar.set_message(escape_controls_one_line(stamp.name()).into_owned());
            bar.inc(1);
        }
        outcome
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut report = Vec::with_capacity(personas.len());
    for ((stamp, target), outcome) in targets.into_iter().zip(outcomes) {
        let (action, reason) = outcome?;
        if let Some(reason) = &reason
            && !ctx.output.json
        {
            let what = match &target {
                Some(path) => path.display().to_string(),
                None => stamp.name().to_string(),
            };
            ctx.output.warn(format!("skipped {what}, which {reason}"));
        }
        report.push(Pulled {
            file: target.map(|path| path.display().to_string()),
            id: stamp.id,
            slug: stamp.slug,
            version: stamp.version,
            action,
            reason,
        });
    }
    let count = |action: &str| {
        report
            .iter()
            .filter(|pulled| pulled.action == action)
            .count()
    };
    let (changed, unchanged, skipped) = (count("written"), count("unchanged"), count("skipped"));
    ctx.output.emit(&report, |out| {
        out.success(format!(
            "Pulled {} persona{} to {}: {changed} written, {unchanged} already up to date{}",
            report.len(),
            if report.len() == 1 { "" } else { "s" },
            directory.display(),
            if skipped > 0 {
                format!(", {skipped} skipped (listed above; --force overwrites local edits)")
            } else {
                String::new()
            }
        ));
    });
    Ok(())
}

/// Writes `persona` to `path` unless the file already holds it or holds something pull must
/// not overwrite: the action taken, and why a file was skipped.
fn pull_into(path: &Path, persona: &Value, force: bool) -> Result<(&'static str, Option<String>)> {
    let contents = persona_file::to_yaml(persona);
    match persona_file::read_text_file(path) {
        Ok(text) if text == contents => return Ok(("unchanged", None)),
        Ok(text) if !force => {
            if let Err(why) = replaceable(path, &text, persona) {
                return Ok(("skipped", Some(why)));
            }
        }
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Ok(("skipped", Some(format!("cannot be replaced: {err}")))),
    }
    working_copy::write(path, persona)?;
    Ok(("written", None))
}
