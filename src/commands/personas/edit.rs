//! `persona personas edit REF`: pulls into a temporary working copy, opens `VISUAL`/`EDITOR`,
//! and pushes; an invalid edit reopens with the error on top, and the user's text is never lost.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::lookup;
use super::push::{Pushed, push_persona};
use super::working_copy::is_plain_file_stem;
use crate::commands::format::or_dash;
use crate::complete;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaSummary, view};
use crate::persona_file::{from_yaml, to_yaml, write_atomic};

/// Lines of the error banner put on top of a file reopened after a failed edit.
const BANNER_PREFIX: &str = "# ! ";
/// How many times the editor is reopened on errors before the edit stops (the text is kept).
const MAX_REOPENINGS: usize = 10;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas edit the-istanbul-bookseller
  EDITOR=\"code --wait\" persona personas edit psn_3kP9aLwX2vQ1

The editor is VISUAL, else EDITOR, else vi. Without a terminal on stdin and stdout, VISUAL or
EDITOR must name one (vi needs a terminal): otherwise edit refuses (exit 2); pull, edit the
file and push instead. Saving the file unchanged cancels the edit. An edit that does not
validate reopens with the error on top; the same error twice in a row, or ten reopenings, ends
the edit with your text kept in its temporary file.")]
pub struct EditArgs {
    /// The persona: id or slug
    #[arg(add = ArgValueCompleter::new(complete::persona_slugs), value_name = "REF", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reference: String,
}

pub async fn run(ctx: &Context, args: EditArgs) -> Result<()> {
    let editor = editor(&args.reference)?;
    let client = ctx.client().await?;
    let persona = lookup::get_persona(client, &args.reference).await?;
    let slug = view::<PersonaSummary>(&persona)
        .slug
        .unwrap_or_else(|| "persona".to_string());
    let path = temp_path(&slug);
    let mut presented = to_yaml(&persona);
    write_atomic(&path, &presented).map_err(|err| {
        CliError::io(
            ExitKind::General,
            format!("cannot write the file to edit, {}", path.display()),
            err,
        )
        .with_hint("TMPDIR names the directory of that file: point it at a writable one")
    })?;
    let kept = |mut err: CliError| -> CliError {
        let hint = format!("your edits are kept in {}", path.display());
        err.hint = Some(match err.hint.take() {
            Some(existing) => format!("{existing}; {hint}"),
            None => hint,
        });
        err
    };
    let mut after_error = false;
    let mut reopenings = 0;
    let mut last_problem = String::new();
    loop {
        if let Err(err) = open_editor(&editor, &path).await {
            let untouched = std::fs::read_to_string(&path).is_ok_and(|text| text == presented);
            if untouched && !after_error {
                let _ = std::fs::remove_file(&path);
                return Err(err);
            }
            return Err(kept(err));
        }
        let text = std::fs::read_to_string(&path).map_err(|err| {
            kept(CliError::io(
                ExitKind::General,
                format!("cannot read the edited file {}", path.display()),
                err,
            ))
        })?;
        if text == presented {
            if after_error {
                return Err(kept(CliError::usage(format!(
                    "edit canceled: the file was saved unchanged after an error: {last_problem}"
                ))));
            }
            let _ = std::fs::remove_file(&path);
            ctx.output.info("No changes.");
            return Ok(());
        }
        let body = strip_banner(&text);
        let problem = match from_yaml(&body, &path.display().to_string()) {
            Err(err) => CliError::usage(err.to_string()),
            Ok(edited) => match push_persona(client, &path, &edited, false).await {
                Ok(Pushed::Updated(updated)) => {
                    let _ = std::fs::remove_file(&path);
                    ctx.output.emit(&updated, |out| {
                        let version = view::<PersonaSummary>(&updated).version;
                        out.success(format!("Saved {slug} → v{}", or_dash(version)));
                    });
                    return Ok(());
                }
                Ok(Pushed::UpToDate(_) | Pushed::Behind(..)) => {
                    let _ = std::fs::remove_file(&path);
                    ctx.output.info("No changes.");
                    return Ok(());
                }
                // Invalid content: let the person fix it. Anything else ends the edit.
                Err(err) if err.kind == ExitKind::Usage => err,
                Err(err) => return Err(kept(err)),
            },
        };
        reopenings += 1;
        if reopenings > MAX_REOPENINGS || problem.message == last_problem {
            return Err(kept(CliError::usage(format!(
                "the edit still does not validate, so it stops here: {}",
                problem.message
            ))));
        }
        last_problem = problem.message.clone();
        presented = format!("{}{body}", banner(&problem));
        write_atomic(&path, &presented).map_err(|err| {
            kept(CliError::io(
                ExitKind::General,
                format!("cannot write the edited file {}", path.display()),
                err,
            ))
        })?;
        after_error = true;
    }
}

/// A fresh file in the temporary directory, named after the slug when it is a plain name.
fn temp_path(slug: &str) -> PathBuf {
    let unique: u32 = rand::random();
    let stem = if is_plain_file_stem(slug) {
        slug
    } else {
        "persona"
    };
    std::env::temp_dir().join(format!("persona-edit-{stem}-{unique:08x}.yml"))
}

/// The error, as comment lines to put on top of the file.
fn banner(problem: &CliError) -> String {
    let mut text = String::new();
    for line in problem.message.lines() {
        text.push_str(&format!("{BANNER_PREFIX}error: {line}\n"));
    }
    text.push_str(&format!(
        "{BANNER_PREFIX}Fix the file and save it to try again, or save it unchanged to cancel.\n"
    ));
    text
}

fn strip_banner(text: &str) -> String {
    let mut rest = text;
    while rest.starts_with(BANNER_PREFIX) {
        rest = rest.split_once('\n').map_or("", |(_, tail)| tail);
    }
    rest.to_string()
}

/// The editor to run: `VISUAL`, else `EDITOR`, else `vi` when there is a terminal for it.
/// Without a terminal (stdin or stdout redirected) and with neither variable set, no editor
/// can be shown: a usage error that says how to edit instead.
fn editor(reference: &str) -> Result<String> {
    let named = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()));
    if let Some(editor) = named {
        return Ok(editor);
    }
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok("vi".to_string());
    }
    Err(CliError::usage(
        "no editor to open: VISUAL and EDITOR are not set, and without a terminal on stdin \
         and stdout the default editor (vi) cannot be used",
    )
    .with_hint(format!(
        "name an editor, e.g. `EDITOR=nano persona personas edit {reference}`, or edit a working \
         copy: `persona personas pull {reference} -o FILE`, change FILE, then \
         `persona personas push FILE`"
    )))
}

/// Runs `editor` on `path` through the shell, so that editors with arguments (`code --wait`)
/// work.
async fn open_editor(editor: &str, path: &Path) -> Result<()> {
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("persona-edit")
        .arg(path)
        .status()
        .await
        .map_err(|err| {
            CliError::io(
                ExitKind::General,
                format!("cannot start the editor `{editor}` through sh"),
                err,
            )
        })?;
    // The shell's own codes for a command it could not find, or not run.
    let (problem, missing) = match status.code() {
        Some(0) => return Ok(()),
        Some(127) => ("was not found".to_string(), true),
        Some(126) => ("cannot be run (is it executable?)".to_string(), true),
        _ => (format!("exited with {status}"), false),
    };
    let error = CliError::general(format!("the editor `{editor}` {problem}"));
    Err(if missing {
        error.with_hint("set VISUAL or EDITOR to an installed editor, e.g. `EDITOR=nano`")
    } else {
        error
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_is_removed_before_the_file_is_read_again() {
        let problem = CliError::usage("line one\nline two");
        let text = format!("{}id: psn_1\n", banner(&problem));
        assert_eq!(strip_banner(&text), "id: psn_1\n");
        assert_eq!(strip_banner("id: psn_1\n"), "id: psn_1\n");
    }
}
