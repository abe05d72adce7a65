//! Integration tests: the real `persona` binary, and the embedded server over real HTTP.

mod auth;
mod auth_server;
mod common;
mod external;
mod generated;
mod personas;
mod runs;
mod server_api;
