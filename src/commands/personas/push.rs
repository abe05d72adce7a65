//! `persona personas push FILE...`: sends a working copy's edits as a JSON merge patch guarded
//! by the fingerprint it was pulled at; a stale file changes nothing, anywhere.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use super::working_copy;
use crate::client::ApiClient;
use crate::commands::format::or_dash;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::json::{EDITABLE_FIELDS, merge_patch_diff};
use crate::model::{PersonaSummary, view};
use crate::persona_file::{editable_fields, has_local_edits};

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
    /// Nothing to send: the file equals the server.
    UpToDate(Value),
    /// The server took the edits; the new persona.
    Updated(Value),
    /// The file has no edits, and the server has moved on since it was pulled.
    Behind(Value),
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
                let (persona, changed) = match &outcome {
                    Pushed::UpToDate(persona) | Pushed::Behind(persona) => (persona, false),
                    Pushed::Updated(persona) => (persona, true),
                };
                let persona: PersonaSummary = view(persona);
                let version = or_dash(persona.version);
                reports.push(json!({
                    "file": path.display().to_string(), "id": persona.id, "version": persona.version,
                    "fingerprint": persona.fingerprint, "changed": changed,
                }));
                if changed {
                    output.success(format!("Pushed {} → v{version}", path.display()));
                } else {
                    output.info(format!("{} is up to date (v{version})", path.display()));
                }
            }
            Err(mut err) if several => {
                err.message = format!("{}: {}", path.display(), err.message);
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
/// lost), so that the file does not go on looking edited.
pub async fn push_file(client: &ApiClient, path: &Path, force: bool) -> Result<Pushed> {
    let (_, local) = working_copy::read(path)?;
    let outcome = push_persona(client, path, &local, force).await?;
    if let Pushed::Updated(persona) | Pushed::UpToDate(persona) = &outcome
        && persona["fingerprint"] != local["fingerprint"]
    {
        working_copy::write(path, persona).map_err(|err| {
            // The server has the edits: only the file is behind, and pulling again fixes it.
            let persona: PersonaSummary = view(persona);
            CliError::new(
                err.kind,
                format!(
                    "the server has the edits as v{}, but the file could not be updated: {}",
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
    let server = client.get_persona(&id).await?;
    let stale = server["fingerprint"] != local["fingerprint"];
    if stale {
        reject_another_personas_file(path, local, &server)?;
    } else {
        reject_read_only_edits(path, local, &server)?;
    }
    if !has_local_edits(local) && !force {
        return Ok(if stale {
            Pushed::Behind(server)
        } else {
            Pushed::UpToDate(server)
        });
    }
    let Some(patch) = merge_patch_diff(&editable_fields(&server), &editable_fields(local)) else {
        return Ok(Pushed::UpToDate(server));
    };
    let if_match = if force { &server } else { local }
        .get("fingerprint")
        .and_then(Value::as_str);
    let updated = client
        .patch_persona(&id, if_match, &patch)
        .await
        .map_err(|mut err| {
            if err.kind == ExitKind::Conflict && err.code.as_deref() == Some("persona.version_conflict") {
                err.message = format!(
                    "{} is stale: {} changed on the server since it was pulled ({}); nothing was changed",
                    path.display(),
                    id,
                    err.message
                );
            }
            err
        })?;
    Ok(Pushed::Updated(updated))
}

/// A stale file whose fields that never change over a persona's versions differ from the
/// server's is not a working copy of this persona (its `id` was edited): never pushed, even
/// with --force. (A file that is not stale gets the plainer read-only message instead.)
fn reject_another_personas_file(path: &Path, local: &Value, server: &Value) -> Result<()> {
    const SET_AT_CREATION: [&str; 4] = ["created_at", "intent", "parent_id", "owner_key_id"];
    for field in SET_AT_CREATION {
        if let (Some(mine), Some(theirs)) = (local.get(field), server.get(field))
            && mine != theirs
        {
            return Err(CliError::usage(format!(
                "{}: this is not a working copy of {} (its `{field}` differs from the persona's); was its `id` edited?",
                path.display(),
                view::<PersonaSummary>(server).id.unwrap_or_default()
            ))
            .with_hint("pull the persona you mean with `persona personas pull REF -o FILE`"));
        }
    }
    Ok(())
}

/// Fields the server owns cannot be changed from a file, and a field the persona does not have
/// is a typo: either is an error, never a silently dropped change.
fn reject_read_only_edits(path: &Path, local: &Value, server: &Value) -> Result<()> {
    const SERVER_MAINTAINED: [&str; 5] = [
        "fingerprint",
        "version",
        "status",
        "updated_at",
        "archived_at",
    ];
    let Some(fields) = local.as_object() else {
        return Ok(());
    };
    for (field, value) in fields {
        if EDITABLE_FIELDS.contains(&field.as_str()) || SERVER_MAINTAINED.contains(&field.as_str())
        {
            continue;
        }
        match server.get(field) {
            None => {
                return Err(CliError::usage(format!(
                    "{}: unknown field `{field}`; the editable fields are {}",
                    path.display(),
                    EDITABLE_FIELDS.join(", ")
                )));
            }
            Some(current) if current != value => {
                return Err(CliError::usage(format!(
                    "{}: `{field}` is read-only and was changed; revert it (editable fields: {})",
                    path.display(),
                    EDITABLE_FIELDS.join(", ")
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}
