//! `persona`: the command-line tool for the Persona API, and an embedded implementation of
//! that API (`server`) that serves as the offline default backend and as every test's server.

pub mod brief;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod context;
pub mod credentials;
pub mod docs;
pub mod error;
pub mod json;
pub mod output;
pub mod persona_file;
pub mod server;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{CliError, ExitKind};

/// Parses the command line, runs the command, renders any error, and gives the exit code.
pub fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
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

async fn run(cli: cli::Cli, output: output::Output) -> error::Result<()> {
    let config = config::Config::load()?;
    let ctx = context::Context::new(output, config, cli.global.profile.clone())?;
    let result = if commands::handles_own_interrupts(&cli.command) {
        commands::dispatch(&ctx, cli.command).await
    } else {
        tokio::select! {
            result = commands::dispatch(&ctx, cli.command) => result,
            _ = tokio::signal::ctrl_c() => Err(CliError::new(ExitKind::Interrupted, "interrupted")),
        }
    };
    ctx.finish().await;
    result
}
