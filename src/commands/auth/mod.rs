//! `persona auth`: log in to a Persona API (browser code, or a key on stdin), see which key and
//! workspace each profile uses and whether the server accepts it, switch, and log out.

mod login;
pub use login::explain_missing_scope;
mod logout;
mod status;
mod switch;
mod token;

use clap::Subcommand;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in to a Persona API and store the key in the OS keyring
    Login(login::LoginArgs),
    /// Show every profile: API, workspace, key source, expiry, and whether the server accepts it
    Status(status::StatusArgs),
    /// Print the active profile's API key (for scripts)
    Token(token::TokenArgs),
    /// Make another profile the active one
    Switch(switch::SwitchArgs),
    /// Revoke the key on the server and forget it here
    Logout(logout::LogoutArgs),
}

pub async fn dispatch(ctx: &Context, command: AuthCommand) -> Result<()> {
    match command {
        AuthCommand::Login(args) => login::run(ctx, args).await,
        AuthCommand::Status(args) => status::run(ctx, args).await,
        AuthCommand::Token(args) => token::run(ctx, args),
        AuthCommand::Switch(args) => switch::run(ctx, args),
        AuthCommand::Logout(args) => logout::run(ctx, args).await,
    }
}
