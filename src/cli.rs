//! What a user can type: the clap definitions of every command, flag and help text.
//! Command logic lives in `commands/`; doc comments here and on each `Args` are the help.

use clap::builder::Resettable;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
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
9 network or provider unavailable, 130 interrupted, 141 stdout closed.";

/// Flags every command takes (that means something for it: see [`NOT_OFFERED`]), shown in
/// help under their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
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

/// Global flags that mean nothing for a command, by the path of the command: they are not
/// offered there (not in its help, completions or man page, and refused as unknown after it).
const NOT_OFFERED: &[(&[&str], &[&str])] = &[
    (&["completion"], &["json", "quiet", "verbose", "profile"]),
    (&["webhooks", "verify"], &["profile", "verbose"]),
    (&["auth", "switch"], &["verbose"]),
    (&["mcp", "serve"], &["json"]),
    (&["dev", "serve"], &["json", "profile"]),
    (&["dev", "keys", "create"], &["profile", "verbose"]),
    (&["dev", "keys", "approve"], &["profile", "verbose"]),
    (&["dev", "signin-url"], &["profile", "verbose"]),
];

/// The clap command tree, for completions and man pages: each command with the global flags
/// that mean something for it ([`NOT_OFFERED`]), its examples and notes in `after_long_help`
/// (see [`split_examples`]).
pub fn tree() -> clap::Command {
    let root = Cli::command();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .collect();
    // The root keeps them as plain flags (written before the command): clap would hand a
    // global flag to every command.
    let root = root.mut_args(|arg| arg.global(false));
    offer_globals(root, &[], &globals)
}

/// Gives each command under `command` (at `path`) its own copies of the global flags that mean
/// something for it. A command without subcommands marks them global: that is how clap carries
/// their values back up to the root, where [`GlobalArgs`] reads them.
fn offer_globals(
    mut command: clap::Command,
    path: &[&str],
    globals: &[clap::Arg],
) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        let sub_path: Vec<&str> = path.iter().copied().chain([name.as_str()]).collect();
        command = command.mut_subcommand(&name, |sub| {
            let not_offered = NOT_OFFERED
                .iter()
                .find(|(at, _)| *at == sub_path.as_slice())
                .map_or(&[][..], |(_, flags)| *flags);
            let leaf = !sub.has_subcommands();
            let own: Vec<clap::Arg> = globals
                .iter()
                .filter(|flag| !not_offered.contains(&flag.get_id().as_str()))
                .filter(|flag| sub.get_arguments().all(|arg| arg.get_id() != flag.get_id()))
                .map(|flag| flag.clone().global(leaf))
                .collect();
            offer_globals(sub.args(own), &sub_path, globals)
        });
    }
    command
}

/// The command tree help is drawn from: [`tree`], with each command's examples kept as
/// written, never wrapped in the middle of a command (clap wraps `after_long_help` to the
/// terminal; the literal text of a help template it leaves alone).
fn command() -> clap::Command {
    let width = console::Term::stdout()
        .size_checked()
        .map(|(_, columns)| usize::from(columns));
    examples_verbatim(tree(), width)
}

/// Parses the command line.
pub fn parse() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os())
}

/// Parses `args` (the program name first) with [`command`].
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<T> = args.into_iter().collect();
    // Only help shows the examples: a command that runs skips rewriting every help template.
    let help_asked = args.len() < 2
        || args.iter().skip(1).any(|arg| {
            let arg: std::ffi::OsString = arg.clone().into();
            arg == "-h" || arg == "--help" || arg == "help"
        });
    let mut command = if help_asked { command() } else { tree() };
    let matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|err| err.format(&mut command))
}

fn examples_verbatim(command: clap::Command, width: Option<usize>) -> clap::Command {
    let help = command
        .get_after_long_help()
        .or_else(|| command.get_after_help())
        .map(|help| help.to_string());
    let mut command = match help.as_deref().and_then(split_examples) {
        Some((examples, notes)) => {
            let header = clap::builder::Styles::default().get_header().to_owned();
            let (heading, lines) = examples.split_once('\n').unwrap_or((&examples, ""));
            let lines: Vec<String> = lines.lines().map(|line| fit_example(line, width)).collect();
            let examples = format!("{header}{heading}{header:#}\n{}", lines.join("\n"));
            let command = command
                .help_template(format!("{HELP_TEMPLATE}\n\n{examples}{{after-help}}"))
                .after_help(Resettable::Reset)
                .after_long_help(Resettable::Reset);
            if notes.is_empty() {
                command
            } else {
                command.after_long_help(notes)
            }
        }
        None => command,
    };
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |sub| examples_verbatim(sub, width));
    }
    command
}

/// An example line wider than the terminal (`width` columns) with a `# comment` after its
/// command: the comment goes on lines of its own above the command, under the same indent,
/// wrapped at words; the command stays one line as written.
fn fit_example(line: &str, width: Option<usize>) -> String {
    let (Some(width), Some(at)) = (width, line.find(" # ")) else {
        return line.to_string();
    };
    if console::measure_text_width(line) <= width {
        return line.to_string();
    }
    let command = line[..at].trim_end();
    let comment = &line[at + " # ".len()..];
    let indent = &command[..command.len() - command.trim_start().len()];
    let prefix = format!("{indent}# ");
    let wrapped = crate::output::WordWrap::new(width, prefix.len(), &prefix).wrap(comment.trim());
    format!("{prefix}{wrapped}\n{command}")
}

/// Prose written with line breaks as one line a paragraph, for clap to wrap to the terminal;
/// indented lines (a command, a table) keep their own.
fn reflow(notes: &str) -> String {
    let mut text = String::new();
    let mut previous_indented = true;
    for line in notes.lines() {
        let indented = line.starts_with(char::is_whitespace);
        if !text.is_empty() {
            let joined = !line.is_empty() && !indented && !previous_indented;
            text.push(if joined { ' ' } else { '\n' });
        }
        text.push_str(line);
        previous_indented = indented || line.is_empty();
    }
    text
}

/// clap's own help template, which the examples follow.
const HELP_TEMPLATE: &str =
    "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}";

/// A command's `after_long_help` as (examples, notes): the examples are its first paragraph
/// when that is a heading (`Examples:`) over indented lines, one command a line as written;
/// the notes are the paragraphs after it, each made one line (see [`reflow`]).
pub fn split_examples(help: &str) -> Option<(String, String)> {
    let (examples, notes) = help.split_once("\n\n").unwrap_or((help, ""));
    let mut lines = examples.trim_end().lines();
    let heading = lines.next()?;
    let is_heading = heading.ends_with(':') && !heading.starts_with(char::is_whitespace);
    let mut commands = lines.peekable();
    if !is_heading
        || commands.peek().is_none()
        || !commands.all(|line| line.starts_with(char::is_whitespace))
    {
        return None;
    }
    Some((examples.trim_end().to_string(), reflow(notes.trim())))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn a_comment_too_wide_goes_above_its_example_wrapped_at_words() {
        let line = "  persona runs tail run_x --json   # every event as a line, for scripts";
        assert_eq!(fit_example(line, Some(100)), line);
        assert_eq!(fit_example(line, None), line);
        assert_eq!(
            fit_example(line, Some(30)),
            "  # every event as a line, for\n  # scripts\n  persona runs tail run_x --json"
        );
        let bare = "  persona personas create --intent \"a tailor in Lyon\" --language fr";
        assert_eq!(fit_example(bare, Some(30)), bare);
    }

    #[test]
    fn the_command_tree_is_consistent() {
        command().debug_assert();
    }

    /// Every command's examples, in its help, one whole command a line as written, whatever the
    /// width of the terminal; global flags under their heading, and not where they mean nothing.
    #[test]
    fn examples_are_never_wrapped_and_global_flags_are_apart() {
        fn check(raw: &clap::Command, built: &mut clap::Command, path: &str, seen: &mut usize) {
            let help = built.clone().term_width(40).render_long_help().to_string();
            if let Some((examples, _)) = raw
                .get_after_long_help()
                .or_else(|| raw.get_after_help())
                .and_then(|help| split_examples(&help.to_string()))
            {
                for line in examples.lines().skip(1) {
                    assert!(
                        help.lines().any(|l| l == line),
                        "{path}: {line:?} not whole in:\n{help}"
                    );
                    *seen += 1;
                }
            }
            if !built.is_disable_help_flag_set() && built.get_name() != "help" {
                let global = help.find("Global options:");
                let options = help.find("Options:");
                assert!(
                    global.is_some() && options.is_some() && global > options,
                    "{path}:\n{help}"
                );
            }
            for raw_sub in raw.get_subcommands() {
                let name = raw_sub.get_name();
                let mut built_sub = built.find_subcommand_mut(name).unwrap().clone();
                check(raw_sub, &mut built_sub, &format!("{path} {name}"), seen);
            }
        }
        let mut raw = Cli::command();
        raw.build();
        let mut built = command();
        built.build();
        let mut seen = 0;
        check(&raw, &mut built, "persona", &mut seen);
        assert!(seen > 60, "{seen} examples");

        let mut render = |path: &[&str]| {
            let mut command = &mut built;
            for name in path {
                command = command.find_subcommand_mut(name).unwrap();
            }
            command
                .clone()
                .term_width(200)
                .render_long_help()
                .to_string()
        };
        let help = render(&["personas", "create"]);
        assert!(
            help.contains("A brief is Markdown: its body is the intent (1 to 4000 characters), and an optional YAML front matter"),
            "notes flow as one paragraph: {help}"
        );
        let help = render(&["completion"]);
        assert!(
            !help.contains("--json") && !help.contains("--profile"),
            "{help}"
        );
        let help = render(&["webhooks", "verify"]);
        assert!(
            help.contains("--json") && !help.contains("--profile"),
            "{help}"
        );
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
        for args in [
            &["persona", "personas", "list", "--json", "-q"][..],
            &["persona", "--json", "-q", "personas", "list"],
            &["persona", "personas", "--json", "list", "-q"],
        ] {
            let cli = parse_from(args).unwrap();
            assert!(cli.global.json && cli.global.quiet, "{args:?}");
        }
        let cli = parse_from(["persona", "runs", "list", "-vv", "--color", "never"]).unwrap();
        assert_eq!(cli.global.verbose, 2);
        assert_eq!(cli.global.color, ColorChoice::Never);
        let cli = parse_from(["persona", "runs", "list", "--profile", "staging"]).unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("staging"));
        let cli = parse_from(["persona", "runs", "list"]).unwrap();
        assert!(!cli.global.json && cli.global.verbose == 0 && cli.global.profile.is_none());
    }

    #[test]
    fn examples_are_a_heading_over_indented_lines() {
        let (examples, notes) = split_examples(
            "Enable it:\n  bash  source <(persona completion bash)\n\nThe package\ninstalls them.",
        )
        .unwrap();
        assert_eq!(
            examples,
            "Enable it:\n  bash  source <(persona completion bash)"
        );
        assert_eq!(notes, "The package installs them.");
        assert_eq!(
            split_examples("Examples:\n  persona runs list").unwrap().1,
            ""
        );
        for prose in [
            "Exits with 1 when it failed.",
            "Note:\nnot indented",
            "Examples:",
        ] {
            assert_eq!(split_examples(prose), None, "{prose}");
        }
    }

    #[test]
    fn flags_that_mean_nothing_for_a_command_are_refused_there() {
        for args in [
            &["persona", "completion", "bash", "--json"][..],
            &[
                "persona",
                "webhooks",
                "verify",
                "--profile",
                "x",
                "--secret",
                "s",
                "--header",
                "h",
            ],
            &["persona", "mcp", "serve", "--json"],
        ] {
            let err = parse_from(args).map(|_| ()).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::UnknownArgument,
                "{args:?}"
            );
        }
        assert!(
            parse_from([
                "persona", "webhooks", "verify", "--json", "--secret", "s", "--header", "h"
            ])
            .is_ok()
        );
    }
}
