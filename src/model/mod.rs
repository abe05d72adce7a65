//! The contract's own vocabulary, shared by the client side and the embedded server so that
//! both read the wire the same way: persona references, visibility, request bodies, scopes,
//! run event kinds, JSON-RPC, webhook signatures.

mod events;
pub mod jsonrpc;
mod reference;
mod requests;
mod scopes;
pub mod signature;
mod visibility;

pub use events::RunEventKind;
pub use reference::{PersonaRef, ReferenceError};
pub use requests::{CreatePersona, ForkPersona};
pub use scopes::{ALL_SCOPES, grants, is_known_scope};
pub use visibility::Visibility;
