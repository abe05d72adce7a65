//! `persona personas status [PATH...]`: where each working copy and brief of a folder stands
//! against the workspace, one line a file, as `git status` shows a work tree.

use std::path::PathBuf;

use clap::Args;

use super::folder::{self, FileStatus, State, Workspace};
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::output::Output;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas status                      # every working copy and brief under .
  persona personas status personas --exit-code # exit 1 when anything is not up to date
  persona personas status --json | jq -r '.[] | select(.state != \"up_to_date\") | .file'

States: `up to date`; `edited` (apply sends the edits); `behind` (changed on the server since
the pull: pull it); `conflict` (both: pull it, or apply with --force); `archived` or `gone` on
the server; `new` (a brief apply would make a persona from); `no copy` (a brief's persona with
no working copy here); `invalid` (exit 2). Only the content of the editable fields counts.
The server is read in pages of 100 personas, whatever the number of files.")]
pub struct StatusArgs {
    /// Working copies (*.yml, *.yaml), briefs (*.md) or folders to search [default: .]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Exit with 1 when any file is not up to date
    #[arg(long)]
    exit_code: bool,
}

pub async fn run(ctx: &Context, args: StatusArgs) -> Result<()> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let files = folder::scan(&paths)?;
    let client = ctx.client().await?;
    let workspace = Workspace::read(client, &files).await?;
    let statuses = folder::statuses(client, &files, &workspace).await?;
    ctx.output.emit(&statuses, |out| show(out, &statuses));
    if statuses.iter().any(|status| status.state == State::Invalid) {
        return Err(CliError::reported(ExitKind::Usage));
    }
    if args.exit_code
        && statuses
            .iter()
            .any(|status| status.state != State::UpToDate)
    {
        return Err(CliError::reported(ExitKind::General));
    }
    Ok(())
}

fn show(out: &Output, statuses: &[FileStatus]) {
    if statuses.is_empty() {
        out.info(
            "No working copies or briefs here; write every persona into a folder with \
             `persona personas pull --all -d DIR`.",
        );
        return;
    }
    let rows: Vec<Vec<String>> = statuses
        .iter()
        .map(|status| {
            let persona = match (&status.slug, &status.id) {
                (Some(slug), _) => format!("{slug} v{}", or_dash(status.server_version)),
                (None, Some(id)) => id.clone(),
                (None, None) => "-".to_string(),
            };
            vec![
                status.state.label().to_string(),
                status.file.clone(),
                persona,
                status.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.table(&["state", "file", "persona", "note"], &rows);
    let order = [
        State::UpToDate,
        State::Edited,
        State::Behind,
        State::Conflict,
        State::New,
        State::NoWorkingCopy,
        State::Archived,
        State::Gone,
        State::Invalid,
    ];
    let counts: Vec<String> = order
        .iter()
        .filter_map(|state| {
            let count = statuses.iter().filter(|s| s.state == *state).count();
            (count > 0).then(|| format!("{count} {}", state.label()))
        })
        .collect();
    out.info(format!(
        "{} file{}: {}",
        statuses.len(),
        if statuses.len() == 1 { "" } else { "s" },
        counts.join(", ")
    ));
}
