//! JSON-RPC 2.0 as MCP uses it, one definition for the server's `/mcp` endpoint and the stdio
//! bridge: the error codes either end may answer with, and the `_meta` key of the stateless era.

/// The body (or the line, for the bridge) was not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a JSON-RPC request, notification or response that can be carried or answered.
pub const INVALID_REQUEST: i64 = -32600;
/// The method does not exist (for the bridge: `server/discover` on a remote that keeps sessions).
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The method's `params` are missing or of the wrong shape.
pub const INVALID_PARAMS: i64 = -32602;
/// The bridge's remote server cannot be reached, the connection broke, or it answered with an
/// error status.
pub const UNAVAILABLE: i64 = -32000;
/// The bridge's remote server refused the API key (HTTP 401 or 403), or there is none.
pub const AUTH_REFUSED: i64 = -32001;
/// A stateless request's headers do not say what its body says.
pub const HEADER_MISMATCH: i64 = -32020;
/// A stateless request asks for a protocol version the server does not speak.
pub const UNSUPPORTED_VERSION: i64 = -32022;

/// The `_meta` key that makes a request self-describing (the stateless era): its protocol version.
pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
