//! The contract's own vocabulary, shared by the client, the commands and the embedded server:
//! persona references, visibility and request bodies, parsed once and spelt one way on every
//! side, and the typed views the commands read the server's answers through.

mod reference;
mod requests;
mod views;
mod visibility;

pub use reference::{PersonaRef, ReferenceError};
pub use requests::{CreatePersona, ForkPersona};
pub use views::{
    Conversation, Delivery, Failure, PersonaSummary, PersonaVersion, RunEventFields, RunSummary,
    Turn, WebhookEndpoint, WebhookTestSent, view, view_text,
};
pub use visibility::Visibility;
