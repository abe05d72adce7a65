//! The contract's own vocabulary, shared by the client, the commands and the embedded server:
//! persona references, visibility and request bodies, parsed once and spelt one way on every
//! side.

mod reference;
mod requests;
mod visibility;

pub use reference::{PersonaRef, ReferenceError};
pub use requests::{CreatePersona, ForkPersona};
pub use visibility::Visibility;
