//! What a user can type: the clap definitions of every command, flag and help text.
//! Command logic lives in `commands/`; doc comments here and on each `Args` are the help.

use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::ArgValueCompleter;

use crate::commands::{api, auth, chat, completion, dev, mcp, personas, runs, webhooks};
use crate::output::ColorChoice;

/// Command-line tool for the Persona API: generate, version and run AI character personas.
///
/// With no account, `persona` talks to an embedded Persona API over a local store (the
/// `local` profile), so every command works offline on a fresh machine.
#[derive(Debug, Parser)]
#[command(
    name = "persona",
    version,
    after_long_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Examples:
  persona personas create -f examples/brief.md
  persona personas list
  persona personas pull the-istanbul-bookseller -o bookseller.yml
  persona personas push bookseller.yml
  persona runs tail run_a8K2zB

Exit codes: 0 ok, 1 error, 2 usage or invalid input file, 3 not found, 4 authentication,
5 conflict, 6 rate limited, 7 budget or moderation, 8 run failed or canceled,
9 network or provider unavailable, 130 interrupted.";

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print machine-readable JSON on stdout (errors too)
    #[arg(long, global = true)]
    pub json: bool,

    /// Print only data and errors, no progress or status messages
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Show HTTP requests on stderr (-vv adds headers, with the key redacted)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// The profile (backend and key) to use; `local` is the embedded server
    #[arg(long, global = true, env = "PERSONA_PROFILE", value_name = "NAME", value_parser = profile_name,
          add = ArgValueCompleter::new(crate::complete::profile_names))]
    pub profile: Option<String>,
}

/// A profile name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most
/// 64 characters; `environment` is taken by the credentials of PERSONA_API_URL/PERSONA_API_KEY.
fn profile_name(name: &str) -> Result<String, String> {
    let well_formed = name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !well_formed {
        return Err(
            "a profile name is 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit"
                .to_string(),
        );
    }
    if name == "environment" {
        return Err("`environment` names the credentials of PERSONA_API_URL and PERSONA_API_KEY; choose another name".to_string());
    }
    Ok(name.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in to a Persona API, and see which key and workspace each profile uses
    #[command(subcommand)]
    Auth(auth::AuthCommand),

    /// Talk to a persona: one message, or an interactive session
    Chat(chat::ChatArgs),

    /// Create, read, version and edit personas
    #[command(subcommand)]
    Personas(personas::PersonasCommand),

    /// Follow and manage generation runs
    #[command(subcommand)]
    Runs(runs::RunsCommand),

    /// Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them
    #[command(subcommand)]
    Mcp(mcp::McpCommand),

    /// Receive signed events: endpoints, deliveries and replays, `listen` for local development
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),

    /// Run the embedded Persona API for other programs, and manage its keys
    #[command(subcommand)]
    Dev(dev::DevCommand),

    /// Call any endpoint of the API with the profile's key: paging, event streams and jq built in
    Api(api::ApiArgs),

    /// Print the script that completes commands and live names in a shell
    Completion(completion::CompletionArgs),
}

/// The clap command tree, for completions and man pages.
pub fn command() -> clap::Command {
    Cli::command()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn the_command_tree_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn a_brief_file_and_an_intent_exclude_each_other() {
        assert!(Cli::try_parse_from(["persona", "personas", "create"]).is_err());
        assert!(
            Cli::try_parse_from([
                "persona", "personas", "create", "-f", "b.md", "--intent", "x"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["persona", "personas", "create", "-f", "b.md"]).is_ok());
    }

    #[test]
    fn global_flags_go_anywhere() {
        let cli = Cli::try_parse_from(["persona", "personas", "list", "--json", "-q"]).unwrap();
        assert!(cli.global.json && cli.global.quiet);
    }
}
