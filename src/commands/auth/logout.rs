//! `persona auth logout`: revokes the key on the server first, then forgets it here (keyring,
//! file and profile), and says so plainly when the server could not be reached.

use clap::Args;
use serde_json::json;

use crate::config::LOCAL_PROFILE;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona auth logout\n  persona --profile staging auth logout\n  persona auth logout --all\n  persona auth logout --local      # the server is gone: forget the key here only"
)]
pub struct LogoutArgs {
    /// Log out of every stored profile
    #[arg(long)]
    all: bool,

    /// Forget the key here without revoking it on the server (it stays valid there)
    #[arg(long)]
    local: bool,
}

pub async fn run(ctx: &Context, args: LogoutArgs) -> Result<()> {
    if !args.all
        && ctx.requested_profile().is_none()
        && crate::credentials::environment_key().is_some()
    {
        return Err(CliError::usage(
            "the active key comes from PERSONA_API_KEY, not from a stored login: there is nothing to log out of",
        )
        .with_hint("unset PERSONA_API_KEY (and PERSONA_API_URL), or name a stored profile with --profile"));
    }
    let targets: Vec<String> = if args.all {
        ctx.config.file.profiles.keys().cloned().collect()
    } else {
        let profile = ctx.profile_name();
        if profile == LOCAL_PROFILE {
            return Err(CliError::usage("the local profile has no login to end")
                .with_hint("name the profile to log out of with --profile, or use --all"));
        }
        ctx.config.profile(&profile)?;
        vec![profile]
    };
    let mut config = ctx.config.clone();
    let mut reports = Vec::new();
    let mut kept: Option<CliError> = None;
    for profile in &targets {
        // A key that may still be valid is not thrown away unless asked: the person may retry.
        // (`revoke` counts a key the server refuses as revoked.)
        if !args.local
            && let Err(err) = revoke(ctx, profile).await
        {
            reports.push(
                json!({ "profile": profile, "revoked": false, "kept": true, "error": err.message }),
            );
            kept.get_or_insert_with(|| {
                CliError::new(
                    err.kind,
                    format!(
                        "kept the login of `{profile}`: its key could not be revoked on the server ({})",
                        err.message
                    ),
                )
            });
            continue;
        }
        ctx.credentials.forget(profile)?;
        config.file.profiles.remove(profile);
        if config.file.active_profile.as_deref() == Some(profile.as_str()) {
            config.file.active_profile = None;
        }
        config.save()?;
        if args.local {
            ctx.output.warn(format!(
                "logged out of `{profile}` here only: its key was not revoked and stays valid on the \
                 server until it expires or is revoked"
            ));
        } else {
            ctx.output.success(format!(
                "Logged out of `{profile}`: the key was revoked and removed"
            ));
        }
        reports.push(json!({ "profile": profile, "revoked": !args.local, "kept": false }));
    }
    ctx.output.emit(&reports, |out| {
        if targets.is_empty() {
            out.info("No stored profiles to log out of.");
        }
    });
    match kept {
        None => Ok(()),
        // Under --json the reports say it all; only the exit code is left to give.
        Some(err) if ctx.output.json => Err(err.into_reported()),
        Some(err) => Err(err.with_hint(
            "log out again when the server is reachable, or forget the key here only with --local",
        )),
    }
}

/// Revokes the profile's stored key on its server. A key the server already refuses counts as
/// revoked.
async fn revoke(ctx: &Context, profile: &str) -> Result<()> {
    let stored = ctx
        .config
        .file
        .profiles
        .get(profile)
        .ok_or_else(|| CliError::general("no such profile"))?;
    let Some(found) = ctx.credentials.stored(profile)? else {
        return Ok(());
    };
    let client = ctx.client_for(&stored.api_url, Some(found.key), stored.workspace.clone())?;
    match client.revoke_current_key().await {
        Ok(()) => Ok(()),
        Err(err) if err.kind == ExitKind::Auth => Ok(()),
        Err(err) => Err(err),
    }
}
