//! `persona personas push FILE...`: sends a working copy's edits as a JSON merge patch guarded
//! by the fingerprint it was compared with; a stale file changes nothing, anywhere.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use super::working_copy::{self, about};
use crate::client::ApiClient;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaStamp, PersonaVersion, view};
use crate::persona_file::{Standing, changed_fields};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona personas push bookseller.yml
  persona personas push personas/*.yml
  persona personas push bookseller.yml --force   # overwrite changes made on the server since the pull")]
pub struct PushArgs {
    /// Working copies written by `persona personas pull`
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Push even if the persona changed on the server since the pull, overwriting those changes
    #[arg(long)]
    force: bool,
}

/// What a push did.
pub enum Pushed {
    /// Nothing to send: the file holds what the server holds.
    UpToDate(Value),
    /// The server took the edits; the new persona.
    Updated(Value),
    /// The file has no edits, and the server has moved on since it was pulled (at this version).
    Behind(Value, Option<u64>),
}

pub async fn run(ctx: &Context, args: PushArgs) -> Result<()> {
    let client = ctx.client().await?;
    let output = &ctx.output;
    let mut failures: Vec<CliError> = Vec::new();
    let mut reports = Vec::new();
    let several = args.files.len() > 1;
    for path in &args.files {
        match push_file(client, path, args.force).await {
            Ok(outcome) => {
                let (persona, state) = match &outcome {
                    Pushed::UpToDate(persona) => (persona, "up_to_date"),
                    Pushed::Behind(persona, _) => (persona, "behind"),
                    Pushed::Updated(persona) => (persona, "updated"),
                };
                let persona: PersonaStamp = view(persona);
                let version = or_dash(persona.version);
                reports.push(json!({
                    "file": path.display().to_string(), "id": persona.id, "version": persona.version,
                    "fingerprint": persona.fingerprint, "changed": state == "updated", "state": state,
                }));
                match outcome {
                    Pushed::Updated(_) => {
                        output.success(format!("Pushed {} → v{version}", path.display()))
                    }
                    Pushed::UpToDate(_) => {
                        output.info(format!("{} is up to date (v{version})", path.display()))
                    }
                    Pushed::Behind(_, pulled) => output.info(format!(
                        "{} is behind (v{} of v{version}) and has no edits to push; update it with \
                         `persona personas pull {} -o {}`",
                        path.display(),
                        or_dash(pulled),
                        persona.name(),
                        path.display()
                    )),
                }
            }
            Err(err) if several => {
                if output.json {
                    // One entry per file, failed ones with their error: what was pushed stays known.
                    reports.push(json!({
                        "file": path.display().to_string(),
                        "error": err.error_object(),
                    }));
                } else {
                    output.error(&err);
                }
                failures.push(err);
            }
            Err(err) => return Err(err),
        }
    }
    if output.json {
        output.json_value(&reports);
    }
    // Each failure was shown with its file: only the first one's exit code remains to give.
    match failures.into_iter().next() {
        None => Ok(()),
        Some(first) => Err(first.into_reported()),
    }
}

/// Pushes one working copy and rewrites it with the server's new version: after an update, and
/// when the server already holds the file's edits under a newer version (a push whose answer was
/// lost), so that the file does not go on looking edited. Every error names the file.
pub async fn push_file(client: &ApiClient, path: &Path, force: bool) -> Result<Pushed> {
    let (_, local) = working_copy::read(path)?;
    let outcome = push_persona(client, path, &local, force).await?;
    if let Pushed::Updated(persona) | Pushed::UpToDate(persona) = &outcome
        && view::<PersonaStamp>(persona).fingerprint != view::<PersonaStamp>(&local).fingerprint
    {
        working_copy::write(path, persona).map_err(|err| {
            // The server has the edits: only the file is behind, and pulling again fixes it.
            let persona: PersonaStamp = view(persona);
            CliError::new(
                err.kind,
                format!(
                    "the server has the edits of {} as v{}, but the file could not be updated: {}",
                    path.display(),
                    or_dash(persona.version),
                    err.message
                ),
            )
            .with_hint(format!(
                "pull it again with `persona personas pull {} -o {} --force`",
                persona.id.unwrap_or_default(),
                path.display()
            ))
        })?;
    }
    Ok(outcome)
}

/// Sends the edits of `local` (read from `path`) to the server.
pub async fn push_persona(
    client: &ApiClient,
    path: &Path,
    local: &Value,
    force: bool,
) -> Result<Pushed> {
    let id = working_copy::id_of(path, local)?;
    let server = client
        .get_persona(&id)
        .await
        .map_err(|err| about(path, err))?;
    working_copy::check_copy(path, local, &server)?;
    let standing = working_copy::standing(client, path, local, &server).await?;
    let (server_stamp, pulled): (PersonaStamp, PersonaStamp) = (view(&server), view(local));
    let if_match = match standing {
        Standing::UpToDate => return Ok(Pushed::UpToDate(server)),
        Standing::Behind if !force => return Ok(Pushed::Behind(server, pulled.version)),
        // The server answers 412 to the fingerprint the file was pulled at, and changes nothing.
        Standing::Conflict if !force => pulled.fingerprint.clone(),
        Standing::Edited | Standing::Behind | Standing::Conflict => {
            server_stamp.fingerprint.clone()
        }
    };
    let Some(patch) = changed_fields(local, &server) else {
        return Ok(Pushed::UpToDate(server));
    };
    let updated = client
        .patch_persona(&id, if_match.as_deref(), &patch)
        .await
        .map_err(|err| {
            if err.code.as_deref() == Some("persona.version_conflict") {
                stale(path, &pulled, &server_stamp, err)
            } else {
                about(path, err)
            }
        })?;
    Ok(Pushed::Updated(updated))
}

/// The error of a push refused because the persona changed on the server since the pull: one
/// sentence that names the file once, and what to do.
fn stale(path: &Path, pulled: &PersonaStamp, server: &PersonaStamp, err: CliError) -> CliError {
    let now = err
        .details
        .as_deref()
        .map(view::<PersonaVersion>)
        .and_then(|current| current.version)
        .or(server.version);
    let mut stale = CliError::new(
        ExitKind::Conflict,
        format!(
            "{} is stale: {} changed on the server after v{} was pulled (it is now at v{}), so nothing was pushed",
            path.display(),
            server.name(),
            or_dash(pulled.version),
            or_dash(now)
        ),
    )
    .with_hint(format!(
        "see what changed with `persona personas diff {file}`, then pull again or push with --force to overwrite",
        file = path.display()
    ));
    stale.code = err.code.clone();
    stale.request_id = err.request_id.clone();
    stale.details = err.details.clone();
    stale.with_source(err)
}
