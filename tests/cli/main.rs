//! Integration tests: the real `persona` binary, and the embedded server over real HTTP.

mod common;
mod generated;
mod personas;
mod runs;
mod server_api;
