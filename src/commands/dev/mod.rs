//! `persona dev`: the embedded Persona API as a server for other programs, and its keys.

mod keys;
mod serve;

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
}

pub async fn dispatch(ctx: &Context, command: DevCommand) -> Result<()> {
    match command {
        DevCommand::Serve(args) => serve::run(ctx, args).await,
        DevCommand::Keys(command) => keys::dispatch(ctx, command).await,
    }
}
