//! Command logic: one folder per command group, one file per verb, each verb a
//! `run(ctx, args)` that gets everything it uses (client, config, output) from the `Context`.

pub mod api;
pub mod auth;
pub mod chat;
pub mod completion;
pub mod dev;
pub mod format;
pub mod listing;
pub mod mcp;
pub mod personas;
pub mod runs;
pub mod webhooks;

use crate::cli::Command;
use crate::context::Context;
use crate::error::Result;

pub async fn dispatch(ctx: &Context, command: Command) -> Result<()> {
    match command {
        Command::Api(args) => api::run(ctx, args).await,
        Command::Auth(command) => auth::dispatch(ctx, command).await,
        Command::Chat(args) => chat::run(ctx, args).await,
        Command::Personas(command) => personas::dispatch(ctx, command).await,
        Command::Runs(command) => runs::dispatch(ctx, command).await,
        Command::Dev(command) => dev::dispatch(ctx, command).await,
        Command::Mcp(command) => mcp::dispatch(ctx, command).await,
        Command::Webhooks(command) => webhooks::dispatch(ctx, command).await,
        Command::Completion(args) => completion::run(ctx, args),
    }
}

/// Commands that stop cleanly on Ctrl-C themselves (a server, or `apply`, which reports what
/// it applied), rather than being cut off with 130.
pub fn handles_own_interrupts(command: &Command) -> bool {
    matches!(
        command,
        Command::Dev(dev::DevCommand::Serve(_))
            | Command::Chat(_)
            | Command::Mcp(mcp::McpCommand::Serve(_))
            | Command::Personas(personas::PersonasCommand::Apply(_))
    )
}
