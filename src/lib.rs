//! `persona`: the command-line tool for the Persona API, and an embedded implementation of
//! that API (`server`) that serves as the offline default backend and as every test's server.

pub mod brief;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod complete;
pub mod config;
pub mod context;
pub mod credentials;
pub mod docs;
pub mod error;
pub mod json;
pub mod mcp_bridge;
pub mod model;
pub mod output;
pub mod persona_file;
pub mod server;
pub mod signature;
pub mod sse;

use std::process::ExitCode;

use crate::error::CliError;

/// Parses the command line, runs the command, renders any error, and gives the exit code.
pub fn main() -> ExitCode {
    // A shell asking for completions gets them, and nothing else runs.
    complete::answer_if_asked();
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() && asks_for_json() => {
            // A script that asked for JSON gets its usage error as JSON on stdout too.
            let error = usage_error(&err);
            output::Output::from_process(true, false, 0, output::ColorChoice::Never).error(&error);
            return error.exit_code();
        }
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let global = &cli.global;
    let output =
        output::Output::from_process(global.json, global.quiet, global.verbose, global.color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let error = CliError::general(format!("cannot start the async runtime: {err}"));
            output.error(&error);
            return error.exit_code();
        }
    };
    let result = runtime.block_on(run(cli, output.clone()));
    // Background tasks (an embedded server's open streams) must not hold up the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output.error(&error);
            error.exit_code()
        }
    }
}

/// Whether `--json` is among the arguments (before any `--`), when they could not be parsed.
fn asks_for_json() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--json")
}

/// Clap's message as a usage error: its first paragraph on one line, with the usage and
/// `--help` advice after it as the hint.
fn usage_error(err: &clap::Error) -> CliError {
    let text = err.render().to_string();
    let text = text.trim();
    let (first, rest) = text.split_once("\n\n").unwrap_or((text, ""));
    let first = first.trim();
    let first = first.strip_prefix("error:").unwrap_or(first);
    let message: Vec<&str> = first.split_whitespace().collect();
    let error = CliError::usage(message.join(" "));
    let hint = rest.trim();
    if hint.is_empty() {
        error
    } else {
        error.with_hint(hint.to_string())
    }
}

async fn run(cli: cli::Cli, output: output::Output) -> error::Result<()> {
    let config = config::Config::load()?;
    let ctx = context::Context::new(output, config, cli.global.profile.clone())?;
    let result = if commands::handles_own_interrupts(&cli.command) {
        commands::dispatch(&ctx, cli.command).await
    } else {
        tokio::select! {
            result = commands::dispatch(&ctx, cli.command) => result,
            _ = tokio::signal::ctrl_c() => Err(ctx.interruption()),
        }
    };
    let result = result.map_err(|err| commands::auth::explain_missing_scope(&ctx, err));
    ctx.finish().await;
    result
}
