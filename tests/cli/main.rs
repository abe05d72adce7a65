//! Integration tests: the real `persona` binary, and the embedded server over real HTTP.

mod api;
mod auth;
mod auth_server;
mod briefs;
mod chat;
mod chat_server;
mod common;
mod completion;
mod external;
mod faults;
mod generated;
mod hostile_api;
mod hostile_input;
mod hostile_peers;
mod mcp_bridge;
mod mcp_server;
mod model_engine;
mod openai_sdk;
mod personas;
mod personas_folder;
mod runs;
mod security;
mod server_api;
mod terminal;
mod webhooks;
