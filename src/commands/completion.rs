//! `persona completion SHELL`: prints the completion script for a shell on stdout: the live one
//! (which asks `persona` for names of personas, runs and more), or with `--static` one that
//! never runs `persona`.

use clap::Args;
use clap_complete::Shell;

use crate::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(after_help = "\
Enable it:
  bash  source <(persona completion bash)                # in ~/.bashrc
  zsh   persona completion zsh > ~/.zfunc/_persona       # with fpath=(~/.zfunc $fpath) before compinit
  fish  persona completion fish > ~/.config/fish/completions/persona.fish
The Debian package installs them where each shell looks.")]
pub struct CompletionArgs {
    /// The shell: bash, zsh, fish, powershell or elvish
    pub shell: Shell,

    /// A script that completes commands and flags only, without running `persona`
    #[arg(long = "static")]
    pub fixed: bool,
}

pub fn run(ctx: &Context, args: CompletionArgs) -> Result<()> {
    let script = if args.fixed {
        crate::docs::completion_script(args.shell)
    } else {
        crate::complete::script(args.shell)
    };
    ctx.output.raw(&script);
    Ok(())
}
