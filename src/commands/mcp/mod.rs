//! `persona mcp`: the stdio bridge that MCP hosts spawn to reach personas (`serve`), and the
//! block that configures a host to spawn it (`config`).

mod config;
mod serve;

use clap::Subcommand;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Bridge an MCP host on stdio to the Persona MCP server
    Serve(serve::ServeArgs),
    /// Print (or install) the configuration that makes an MCP host start the bridge
    Config(config::ConfigArgs),
}

pub async fn dispatch(ctx: &Context, command: McpCommand) -> Result<()> {
    match command {
        McpCommand::Serve(args) => serve::run(ctx, args).await,
        McpCommand::Config(args) => config::run(ctx, args).await,
    }
}
