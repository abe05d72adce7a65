//! `persona auth token`: prints the active profile's API key and nothing else, for scripts.

use clap::Args;

use crate::config::LOCAL_PROFILE;
use crate::context::Context;
use crate::error::{CliError, ExitKind, Result};

#[derive(Debug, Args)]
#[command(
    after_long_help = "Example:\n  curl -H \"Authorization: Bearer $(persona auth token)\" https://api.persona.dev/v1/auth/whoami"
)]
pub struct TokenArgs {}

pub fn run(ctx: &Context, _args: TokenArgs) -> Result<()> {
    // The key alone, or under --json `{"token": ...}`: printing it is this command's whole job.
    let print = |key: String| {
        ctx.output
            .emit(&serde_json::json!({ "token": key }), |out| out.line(&key));
    };
    if let Some(key) = crate::credentials::environment_key() {
        print(key);
        return Ok(());
    }
    let profile = ctx.profile_name();
    if profile == LOCAL_PROFILE {
        return Err(CliError::new(
            ExitKind::Auth,
            "the local profile uses the embedded server and has no key",
        )
        .with_hint("`persona dev keys create` makes a key for other programs"));
    }
    match ctx.credentials.resolve(&profile)? {
        Some(found) => {
            print(found.key);
            Ok(())
        }
        None => Err(CliError::new(
            ExitKind::Auth,
            format!("no API key is stored for the profile `{profile}`"),
        )
        .with_hint(format!(
            "log in with `persona auth login --profile {profile}`"
        ))),
    }
}
