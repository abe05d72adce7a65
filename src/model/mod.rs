//! The contract's own vocabulary, shared by the client side and the embedded server so that
//! both read the wire the same way: the persona and run documents, persona references, visibility,
//! request bodies, scopes, run event kinds, webhook event types, JSON-RPC, and the typed views
//! the commands read the server's answers through.

mod errors;
mod events;
pub mod jsonrpc;
mod persona;
mod reference;
mod requests;
mod run;
mod scopes;
mod views;
mod visibility;
mod webhooks;

pub use errors::ErrorCode;
pub use events::RunEventKind;
pub use persona::{LAYERS, Persona, PersonaRunFigures, PersonaStatus};
pub use reference::{PersonaRef, ReferenceError};
pub use requests::{CreatePersona, ForkPersona};
pub use run::{
    ErrorObject, Run, RunKind, RunParent, RunRequest, RunStatus, RunStep, StepStatus, usd,
};
pub use scopes::{ALL_SCOPES, CLI_SCOPES, grants, is_known_scope};
pub use views::{
    Conversation, Delivery, ErrorSummary, Failure, PersonaStamp, PersonaSummary, PersonaVersion,
    RunEventFields, RunSummary, Turn, WebhookEndpoint, WebhookTestSent, view, view_text,
};
pub use visibility::Visibility;
pub use webhooks::WEBHOOK_EVENT_TYPES;
