//! `persona dev keys`: `create` makes a lasting API key for the local store, shown once and
//! stored only as a hash (creating the workspace when new); `approve` approves a device login.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::clock;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};
use crate::model::{ALL_SCOPES, is_known_scope};
use crate::server::signin::{self, Refusal};
use crate::server::{self, store::Store};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once
    Create(CreateArgs),
    /// Approve a waiting device login (`persona auth login`) by its code, without a browser
    Approve(ApproveArgs),
}

pub async fn dispatch(ctx: &Context, command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Create(args) => create(ctx, args),
        KeysCommand::Approve(args) => approve(ctx, args),
    }
}

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona dev keys create
  persona dev keys create --workspace ws_acme_studio --mode live --scopes personas:read,runs:read
  persona dev keys create --owner ada")]
pub struct CreateArgs {
    /// The workspace (created if new)
    #[arg(long, default_value = server::LOCAL_WORKSPACE_ID, value_name = "WS")]
    workspace: String,

    /// Live or test key; must match the workspace's mode (default: the workspace's, else test)
    #[arg(long, value_parser = ["live", "test"])]
    mode: Option<String>,

    /// Comma-separated scopes, `group:*` allowed (default: every scope)
    #[arg(long, value_delimiter = ',', value_name = "SCOPES")]
    scopes: Vec<String>,

    /// The person the key belongs to: keys of one owner share their private personas
    #[arg(long, default_value = server::LOCAL_OWNER, value_name = "NAME")]
    owner: String,

    /// Days until the key expires
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    expires_in_days: u32,

    /// The store's directory (default: PERSONA_DATA_DIR, else the platform data directory)
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn create(ctx: &Context, args: CreateArgs) -> Result<()> {
    crate::context::check_workspace_id(&args.workspace)?;
    check_owner(&args.owner)?;
    let scopes: Vec<String> = if args.scopes.is_empty() {
        ALL_SCOPES.iter().map(|s| s.to_string()).collect()
    } else {
        args.scopes.iter().map(|s| s.trim().to_string()).collect()
    };
    for scope in &scopes {
        if !is_known_scope(scope) {
            return Err(CliError::usage(format!(
                "unknown scope `{scope}`; scopes: {}",
                ALL_SCOPES.join(" ")
            )));
        }
    }
    let data_dir = args.data_dir.unwrap_or_else(|| ctx.config.data_dir.clone());
    let store = Store::open(&data_dir).map_err(|err| CliError::general(err.to_string()))?;
    let store_error =
        |err: server::store::Error| CliError::general(format!("cannot write the store: {err}"));
    let existing = store.workspace(&args.workspace).map_err(store_error)?;
    let mode = match (&existing, args.mode) {
        (Some(ws), Some(mode)) if ws.mode != mode => {
            return Err(CliError::usage(format!(
                "the workspace {} is a {} workspace; a {mode} key cannot be used with it",
                ws.id, ws.mode
            )));
        }
        (Some(ws), _) => ws.mode.clone(),
        (None, Some(mode)) => mode,
        (None, None) => "test".to_string(),
    };
    let (secret, record) = server::create_key(
        &store,
        &args.workspace,
        &mode,
        &scopes,
        &args.owner,
        i64::from(args.expires_in_days),
    )
    .map_err(store_error)?;
    let output = &ctx.output;
    if output.json {
        output.json_value(&json!({
            "api_key": secret, "key_id": record.id, "workspace": record.workspace_id, "mode": record.mode,
            "scopes": record.scopes, "owner": record.owner, "expires_at": clock::rfc3339(record.expires_at),
        }));
    } else {
        output.line(&secret);
        output.info(format!(
            "Created {} for {} ({} mode, owner {}, expires {}). It is shown only this once.",
            record.id,
            record.workspace_id,
            record.mode,
            record.owner,
            clock::rfc3339(record.expires_at)
        ));
    }
    Ok(())
}

/// An owner name: 1 to 64 letters, digits, `.`, `_`, `-` or `@` (a user name or an email).
fn check_owner(owner: &str) -> Result<()> {
    let well_formed = (1..=64).contains(&owner.len())
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b));
    if well_formed {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "`--owner {owner}` is not an owner name; use 1 to 64 letters, digits, `.`, `_`, `-` or `@`"
        )))
    }
}

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona dev keys approve WDJB-MJHT
  persona dev keys approve wdjbmjht --data-dir ./tmp-store

The login gets a key with exactly the scopes it asked for, on the workspace it named, owned by
`local`; the command prints both. A browser can approve too, once signed in with the link that
`persona dev serve` prints (or `persona dev signin-url`).")]
pub struct ApproveArgs {
    /// The code `persona auth login` shows, such as WDJB-MJHT (any case, dash optional)
    #[arg(value_name = "CODE")]
    code: String,

    /// The store's directory (default: PERSONA_DATA_DIR, else the platform data directory)
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn approve(ctx: &Context, args: ApproveArgs) -> Result<()> {
    let data_dir = args.data_dir.unwrap_or_else(|| ctx.config.data_dir.clone());
    let store = Store::open(&data_dir).map_err(|err| CliError::general(err.to_string()))?;
    let (code, workspace) =
        signin::approve(&store, &args.code, server::LOCAL_OWNER).map_err(|refusal| {
            let kind = match &refusal {
                Refusal::Malformed(_) => ExitKind::Usage,
                Refusal::Unknown(_) => ExitKind::NotFound,
                Refusal::Expired { .. } | Refusal::Decided { .. } | Refusal::NoWorkspace { .. } => {
                    ExitKind::Conflict
                }
                Refusal::Store(_) => ExitKind::General,
            };
            CliError::new(kind, refusal.to_string())
        })?;
    let output = &ctx.output;
    if output.json {
        output.json_value(&json!({
            "user_code": code.user_code,
            "status": "approved",
            "workspace": { "id": workspace.id, "name": workspace.name },
            "scopes": code.scopes,
            "approved_by": server::LOCAL_OWNER,
        }));
    } else {
        output.line(format!(
            "Approved {} for workspace {} ({}) with scopes: {}",
            code.user_code,
            workspace.id,
            workspace.name,
            code.scopes.join(" ")
        ));
        output.info(format!(
            "The `persona auth login` waiting on it gets its key (owned by {}) at its next poll.",
            server::LOCAL_OWNER
        ));
    }
    Ok(())
}
