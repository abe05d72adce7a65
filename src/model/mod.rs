//! The contract's types, shared by the client side and the embedded server, so that both read
//! the wire the same way.

pub mod jsonrpc;
