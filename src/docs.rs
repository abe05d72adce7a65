//! Completions and man pages, rendered from `cli::tree()` (a man page has the command's examples
//! under EXAMPLES); the committed copies under `completions/` and `man/` are checked against
//! these by a test.

use clap_complete::Shell;
use roff::{Roff, roman};

/// The static completion script for `shell`: commands and flags, without running `persona`.
pub fn completion_script(shell: Shell) -> String {
    let mut command = crate::cli::tree();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "persona", &mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// The committed completion files: (file name, shell). The static scripts are in
/// `completions/`, the live ones (see [`crate::complete`]), which the package installs, in
/// `completions/live/`.
pub const COMPLETION_FILES: [(&str, Shell); 5] = [
    ("persona.bash", Shell::Bash),
    ("_persona", Shell::Zsh),
    ("persona.fish", Shell::Fish),
    ("_persona.ps1", Shell::PowerShell),
    ("persona.elv", Shell::Elvish),
];

const EXIT_STATUS: &str = "\
0 success; 1 an error not listed here (server error, I/O); 2 usage: bad flags or an invalid local \
input file (brief, YAML); 3 not found; 4 authentication needed or refused; 5 conflict: slug taken, \
version conflict, run not cancelable; 6 rate limited after retries; 7 budget exceeded or \
moderation block; 8 the run ended failed or canceled; 9 network or provider unavailable; \
130 interrupted (Ctrl-C), with nothing printed unless a run the command started goes on.";

const ENVIRONMENT: [(&str, &str); 15] = [
    ("PERSONA_PROFILE", "the profile to use (like --profile)"),
    (
        "PERSONA_API_URL",
        "a remote API base URL, used with PERSONA_API_KEY without a stored profile",
    ),
    (
        "PERSONA_API_KEY",
        "the API key; wins over stored credentials",
    ),
    (
        "PERSONA_WORKSPACE",
        "the workspace to send in Persona-Workspace",
    ),
    (
        "PERSONA_CONFIG_DIR",
        "where config.yml and credentials live",
    ),
    ("PERSONA_DATA_DIR", "where the local persona store lives"),
    (
        "PERSONA_NO_PROGRESS",
        "never draw progress bars or spinners",
    ),
    (
        "PERSONA_STEP_DELAY_MS",
        "pause of the embedded engine after each step, to watch runs live",
    ),
    (
        "PERSONA_MODEL_URL",
        "an OpenAI-compatible model server (e.g. http://127.0.0.1:11434/v1) for the embedded server's chat and generation; unset: the offline engine",
    ),
    (
        "PERSONA_MODEL",
        "the model to ask (required with PERSONA_MODEL_URL)",
    ),
    (
        "PERSONA_MODEL_API_KEY",
        "the model server's bearer key, if it needs one; never logged",
    ),
    (
        "PERSONA_RECONNECT_TIMEOUT_SECS",
        "how long an event stream keeps reconnecting (default 60)",
    ),
    (
        "PERSONA_WEBHOOK_SECRET",
        "the signing secret for `persona webhooks verify` (as --secret)",
    ),
    ("VISUAL, EDITOR", "the editor of `persona personas edit`"),
    (
        "NO_COLOR, CLICOLOR, CLICOLOR_FORCE",
        "colour rules, as with --color",
    ),
];

/// Every man page: (file name, roff text), one per command and subcommand.
pub fn man_pages() -> Vec<(String, String)> {
    let mut command = crate::cli::tree();
    command.build();
    let mut pages = Vec::new();
    collect_pages(&command, "persona", &mut pages);
    pages
}

fn collect_pages(command: &clap::Command, name: &str, pages: &mut Vec<(String, String)>) {
    let command = command
        .clone()
        .name(name.to_string())
        .version(env!("CARGO_PKG_VERSION"));
    let man = clap_mangen::Man::new(command.clone());
    let (examples, notes) = command
        .get_after_long_help()
        .or_else(|| command.get_after_help())
        .and_then(|help| crate::cli::split_examples(&help.to_string()))
        .unzip();
    let notes = notes.filter(|notes: &String| !notes.is_empty());
    let mut buffer = Vec::new();
    let rendered = man
        .render_title(&mut buffer)
        .and_then(|_| man.render_name_section(&mut buffer))
        .and_then(|_| man.render_synopsis_section(&mut buffer))
        .and_then(|_| man.render_description_section(&mut buffer))
        .and_then(|_| notes.map_or(Ok(()), |notes| notes_roff(&notes).to_writer(&mut buffer)))
        .and_then(|_| man.render_options_section(&mut buffer))
        .and_then(|_| man.render_subcommands_section(&mut buffer));
    if rendered.is_ok() {
        buffer.extend_from_slice(b".SH \"EXIT STATUS\"\n");
        buffer.extend_from_slice(EXIT_STATUS.as_bytes());
        buffer.extend_from_slice(b"\n.SH ENVIRONMENT\n");
        for (variable, meaning) in ENVIRONMENT {
            buffer.extend_from_slice(format!(".TP\n\\fB{variable}\\fR\n{meaning}\n").as_bytes());
        }
        if let Some(examples) = examples {
            let _ = examples_roff(&examples).to_writer(&mut buffer);
        }
        let _ = man.render_version_section(&mut buffer);
    }
    pages.push((
        format!("{name}.1"),
        String::from_utf8_lossy(&buffer).into_owned(),
    ));
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// The EXAMPLES section: each example on a line of its own, as written, under its heading
/// unless that only says "Examples".
fn examples_roff(examples: &str) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]).control("nf", []);
    let plain = |line: &&str| !matches!(*line, "Examples:" | "Example:");
    for line in examples.lines().filter(plain) {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff
}

/// A command's notes, the end of its DESCRIPTION: a paragraph each, indented lines (a command,
/// a table) as written.
fn notes_roff(notes: &str) -> Roff {
    let mut roff = Roff::new();
    for paragraph in notes.split("\n\n") {
        roff.control("PP", []);
        for line in paragraph.lines() {
            if line.starts_with(char::is_whitespace) {
                roff.control("nf", []).text([roman(line)]).control("fi", []);
            } else {
                roff.text([roman(line)]);
            }
        }
    }
    roff
}
