//! `persona completion SHELL`: prints the completion script for a shell on stdout.

use clap::Args;
use clap_complete::Shell;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  persona completion bash > ~/.local/share/bash-completion/completions/persona"
)]
pub struct CompletionArgs {
    /// The shell: bash, zsh, fish, powershell or elvish
    pub shell: Shell,
}

pub fn run(ctx: &Context, args: CompletionArgs) -> Result<()> {
    ctx.output.raw(&crate::docs::completion_script(args.shell));
    Ok(())
}
