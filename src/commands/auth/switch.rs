//! `persona auth switch PROFILE`: makes a stored profile (or `local`) the active one.

use clap::Args;
use clap_complete::ArgValueCompleter;

use crate::complete;
use crate::config::LOCAL_PROFILE;
use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  persona auth switch staging\n  persona auth switch local      # back to the embedded server"
)]
pub struct SwitchArgs {
    /// The profile to make active (`local` is the embedded server)
    #[arg(add = ArgValueCompleter::new(complete::profile_names), value_name = "PROFILE")]
    profile: String,
}

pub fn run(ctx: &Context, args: SwitchArgs) -> Result<()> {
    if args.profile != LOCAL_PROFILE {
        ctx.config.profile(&args.profile)?;
    }
    let mut config = ctx.config.clone();
    config.file.active_profile = Some(args.profile.clone());
    config.save()?;
    let api_url = ctx
        .config
        .file
        .profiles
        .get(&args.profile)
        .map(|profile| profile.api_url.clone());
    let report = serde_json::json!({ "active_profile": args.profile, "api_url": api_url });
    ctx.output.emit(&report, |out| {
        out.success(format!("Switched to the profile `{}`", args.profile));
    });
    Ok(())
}
