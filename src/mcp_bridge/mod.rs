//! The MCP bridge behind `persona mcp serve`: a host's JSON-RPC on stdio carried to a remote MCP
//! server over Streamable HTTP or HTTP+SSE, with reconnection, tool renaming and redacted logs.
//!
//! `stdio` reads the host and answers it through `outbox` (the only writer of stdout); `link`
//! keeps one session with the server described by `target`, opened by `remote` over either
//! transport; `names` maps tool names both ways; `jsonrpc` sorts and builds messages.

pub mod jsonrpc;
mod link;
pub mod names;
mod outbox;
mod remote;
mod stdio;
mod target;

pub use remote::TransportChoice;
pub use stdio::{Options, serve};
