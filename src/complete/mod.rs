//! Live shell completion: the scripts that ask `persona` itself for candidates (clap_complete's
//! engine walks the command tree), and the values offered from the active profile (`values`).
//!
//! A shell asks by running `PERSONA_COMPLETE=SHELL persona -- WORDS`; with no words, `persona`
//! prints the script that enables completion in that shell. Either way it exits 0 and never
//! writes to the terminal: stdin and stderr go to /dev/null before anything else runs.

mod shells;
mod values;

use std::io::Write;

use clap_complete::Shell;
use clap_complete::env::{CompleteEnv, Elvish, EnvCompleter, Fish, Powershell, Shells};
use shells::LiveShell;

pub use values::{
    archived_persona_slugs, conversation_ids, persona_refs, persona_slugs, profile_names, run_ids,
    webhook_ids,
};

/// The variable that makes `persona` answer a completion request instead of running a command.
pub const VARIABLE: &str = "PERSONA_COMPLETE";

/// The program the scripts complete, and call to complete it (found on the `PATH`).
const PROGRAM: &str = "persona";

const SHELLS: Shells<'static> = Shells(&[
    &LiveShell::Bash,
    &LiveShell::Zsh,
    &Fish,
    &Elvish,
    &Powershell,
]);

/// When a shell asks for completions (`PERSONA_COMPLETE` set and not `0`), answers and exits 0;
/// otherwise returns at once.
pub fn answer_if_asked() {
    match std::env::var_os(VARIABLE) {
        Some(shell) if !shell.is_empty() && shell != "0" => {}
        _ => return,
    }
    silence_terminal();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    values::begin(&shells::words_of_request(&args));
    let current_dir = std::env::current_dir().ok();
    let _ = CompleteEnv::with_factory(crate::cli::tree)
        .var(VARIABLE)
        .bin(PROGRAM)
        .completer(PROGRAM)
        .shells(SHELLS)
        .try_complete(args, current_dir.as_deref());
    let _ = std::io::stdout().flush();
    std::process::exit(0)
}

/// The script that enables live completion in `shell`.
pub fn script(shell: Shell) -> String {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &LiveShell::Bash,
        Shell::Zsh => &LiveShell::Zsh,
        Shell::Fish => &Fish,
        Shell::Elvish => &Elvish,
        _ => &Powershell,
    };
    let mut buffer = Vec::new();
    let _ = completer.write_registration(VARIABLE, PROGRAM, PROGRAM, PROGRAM, &mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// Points stdin and stderr at /dev/null: a completion never prompts, and never prints an error
/// into the line being edited.
fn silence_terminal() {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        if let Ok(null) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
        {
            // SAFETY: dup2 on descriptors this process owns; nothing else runs yet.
            unsafe {
                libc::dup2(null.as_raw_fd(), 0);
                libc::dup2(null.as_raw_fd(), 2);
            }
        }
    }
}
