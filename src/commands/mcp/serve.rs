//! `persona mcp serve`: the stdio bridge an MCP host spawns to reach personas; it speaks
//! JSON-RPC on stdin and stdout and carries each message to the Persona MCP server.

use clap::Args;

use crate::context::Context;
use crate::error::Result;
use crate::mcp_bridge::{self, TransportChoice};

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  persona mcp serve --workspace ws_acme_studio
  persona mcp serve --url https://mcp.persona.dev/sse --transport sse
  persona mcp config --client cursor --install

An MCP host starts this command and speaks JSON-RPC on its stdin and stdout. stdout carries
protocol messages only; logs go to stderr (-v, -vv), with the key masked. Nothing connects before
the host's `initialize`. The key is read again at each connection, so `persona auth login` while
the host runs needs no restart. The bridge stops on end of input or SIGTERM, closing its session.")]
pub struct ServeArgs {
    /// The workspace whose personas the host sees (default: PERSONA_WORKSPACE, else the profile's)
    #[arg(long, value_name = "WS")]
    workspace: Option<String>,

    /// The MCP server (default: the profile's; on `local`, the embedded server's /mcp)
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// How to reach the server: `auto` tries Streamable HTTP, then the older HTTP+SSE transport
    #[arg(long, value_enum, default_value_t = TransportChoice::Auto)]
    transport: TransportChoice,

    /// `safe` renames tools to ^[a-zA-Z0-9_-]{1,64}$ for hosts that refuse dots
    /// (persona.invoke → persona_invoke); `original` keeps the server's names
    #[arg(long, value_enum, default_value_t = ToolNaming::Safe, value_name = "STYLE")]
    tool_names: ToolNaming,
}

/// `--tool-names`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ToolNaming {
    Safe,
    Original,
}

pub async fn run(ctx: &Context, args: ServeArgs) -> Result<()> {
    let options = mcp_bridge::Options {
        workspace: args.workspace,
        url: args.url,
        transport: args.transport,
        safe_names: args.tool_names == ToolNaming::Safe,
    };
    mcp_bridge::serve(ctx, options).await
}
