//! `persona dev`: the embedded Persona API as a server for other programs, its keys, and the
//! sign-in of the browser that approves device logins.

mod keys;
mod serve;
mod signin;

use clap::Subcommand;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Run the embedded Persona API on a local address
    Serve(serve::ServeArgs),
    /// Manage API keys of the local store
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Print a new one-time link that signs a browser in to approve device logins
    SigninUrl(signin::SigninUrlArgs),
}

pub async fn dispatch(ctx: &Context, command: DevCommand) -> Result<()> {
    match command {
        DevCommand::Serve(args) => serve::run(ctx, args).await,
        DevCommand::Keys(command) => keys::dispatch(ctx, command).await,
        DevCommand::SigninUrl(args) => signin::run(ctx, args),
    }
}
