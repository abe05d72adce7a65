//! The contract's own vocabulary, shared by the client side and the embedded server so that
//! both read the wire the same way: persona references, visibility, request bodies, JSON-RPC.

pub mod jsonrpc;
mod reference;
mod requests;
mod visibility;

pub use reference::{PersonaRef, ReferenceError};
pub use requests::{CreatePersona, ForkPersona};
pub use visibility::Visibility;
