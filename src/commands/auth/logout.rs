//! `persona auth logout`: revokes the key on the server first, then forgets it here (keyring,
//! file and profile), and says so plainly when the server could not be reached.

use clap::Args;
use serde_json::json;

use crate::config::LOCAL_PROFILE;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona auth logout\n  persona --profile staging auth logout\n  persona auth logout --all"
)]
pub struct LogoutArgs {
    /// Log out of every stored profile
    #[arg(long)]
    all: bool,
}

pub async fn run(ctx: &Context, args: LogoutArgs) -> Result<()> {
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
    for profile in &targets {
        let revoked = revoke(ctx, profile).await;
        ctx.credentials.forget(profile)?;
        config.file.profiles.remove(profile);
        if config.file.active_profile.as_deref() == Some(profile.as_str()) {
            config.file.active_profile = None;
        }
        config.save()?;
        match &revoked {
            Ok(()) => ctx.output.success(format!("Logged out of `{profile}`: the key was revoked and removed")),
            Err(reason) => ctx.output.warn(format!(
                "logged out of `{profile}` here, but the key could not be revoked on the server ({reason}); \
                 it stays valid there until it expires or is revoked"
            )),
        }
        reports.push(
            json!({ "profile": profile, "revoked": revoked.is_ok(), "error": revoked.err() }),
        );
    }
    if ctx.output.json {
        ctx.output.json_value(&json!(reports));
    } else if targets.is_empty() {
        ctx.output.info("No stored profiles to log out of.");
    }
    Ok(())
}

/// Revokes the profile's stored key on its server. A key the server already refuses counts as
/// revoked; anything else is a reason to tell the person.
async fn revoke(ctx: &Context, profile: &str) -> Result<(), String> {
    let stored = ctx
        .config
        .file
        .profiles
        .get(profile)
        .ok_or("no such profile")?;
    let found = ctx.credentials.stored(profile).map_err(|err| err.message)?;
    let Some(found) = found else {
        return Ok(());
    };
    let client = ctx
        .client_for(&stored.api_url, Some(found.key), stored.workspace.clone())
        .map_err(|err| err.message)?;
    match client.revoke_current_key().await {
        Ok(()) => Ok(()),
        Err(err) if err.kind == ExitKind::Auth => Ok(()),
        Err(err) => Err(err.message),
    }
}
