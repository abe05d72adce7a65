//! The bash and zsh sides of live completion. Bash splits words at `@`, `=` and `:`
//! (COMP_WORDBREAKS), so its script sends the line up to the cursor and gets back only the part
//! after bash's own word start; zsh's script also works when autoloaded from `fpath`.

use std::ffi::{OsStr, OsString};
use std::io::Write;

use clap_complete::CompletionCandidate;
use clap_complete::env::EnvCompleter;

/// The variable carrying the word bash completes (from its last word break to the cursor).
const BASH_WORD: &str = "_PERSONA_COMPLETE_WORD";

/// Separates candidates for bash (vertical tab: never in a candidate, unlike spaces).
const BASH_SEPARATOR: &str = "\x0b";

/// A shell whose script asks `persona` for the candidates: bash (`complete -F`) or zsh (a
/// `#compdef` function, for `fpath` or `source`).
#[derive(Debug, Clone, Copy)]
pub enum LiveShell {
    Bash,
    Zsh,
}

impl EnvCompleter for LiveShell {
    fn name(&self) -> &'static str {
        match self {
            LiveShell::Bash => "bash",
            LiveShell::Zsh => "zsh",
        }
    }

    fn is(&self, name: &str) -> bool {
        name == self.name()
    }

    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        let function = format!("_{}", name.replace('-', "_"));
        let about = format!(
            "# Live completion for {bin}: `{bin}` itself offers the candidates, with the names of\n\
             # personas, runs, conversations, profiles and webhook endpoints from the active profile."
        );
        let script = Script {
            about: &about,
            var,
            bin,
            completer,
            function: &function,
        };
        match self {
            LiveShell::Bash => bash_script(&script, buf),
            LiveShell::Zsh => zsh_script(&script, buf),
        }
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        match self {
            LiveShell::Bash => bash_complete(cmd, args, current_dir, buf),
            LiveShell::Zsh => zsh_complete(cmd, args, current_dir, buf),
        }
    }
}

/// What a shell's script is made of: its opening lines, the variable that asks for
/// completions, the program, how to call it, and the shell function's name.
struct Script<'a> {
    about: &'a str,
    var: &'a str,
    bin: &'a str,
    completer: &'a str,
    function: &'a str,
}

impl Script<'_> {
    fn parts(&self) -> (&str, &str, &str, &str, &str) {
        (
            self.about,
            self.var,
            self.bin,
            self.completer,
            self.function,
        )
    }
}

fn bash_script(script: &Script, buf: &mut dyn Write) -> std::io::Result<()> {
    let (about, var, bin, completer, function) = script.parts();
    write!(
        buf,
        r#"{about}
# Enable it with `source <({bin} completion bash)` in ~/.bashrc, or save it as
# ~/.local/share/bash-completion/completions/{bin}.
{function}() {{
    local IFS=$'\013'
    COMPREPLY=( $( {BASH_WORD}="$2" {var}=bash {completer} -- "${{COMP_LINE:0:COMP_POINT}}" 2>/dev/null </dev/null ) )
    if [[ $? != 0 ]]; then
        unset COMPREPLY
    elif compopt +o nospace 2>/dev/null && [[ ${{#COMPREPLY[@]}} -eq 1 && ${{COMPREPLY[0]}} == *[/=@] ]]; then
        compopt -o nospace
    fi
}}
if [[ ${{BASH_VERSINFO[0]}} -gt 4 || ${{BASH_VERSINFO[0]}} -eq 4 && ${{BASH_VERSINFO[1]}} -ge 4 ]]; then
    complete -o nospace -o nosort -F {function} {bin}
else
    complete -o nospace -F {function} {bin}
fi
"#
    )
}

/// Bash's candidates: only the part after bash's own word start.
fn bash_complete(
    cmd: &mut clap::Command,
    args: Vec<OsString>,
    current_dir: Option<&std::path::Path>,
    buf: &mut dyn Write,
) -> std::io::Result<()> {
    let line = args
        .first()
        .map(|a| a.to_string_lossy())
        .unwrap_or_default();
    let words: Vec<OsString> = split_line(&line).into_iter().map(OsString::from).collect();
    let index = words.len().saturating_sub(1);
    let current = words.last().map(|w| w.to_string_lossy().into_owned());
    let current = current.unwrap_or_default();
    let candidates = candidates(cmd, words, index, current_dir)?;
    // Bash replaces only its own word, which starts after the last break (`@` in
    // `slug@v`): each candidate loses what comes before it.
    let bash_word = std::env::var(BASH_WORD).unwrap_or_else(|_| current.clone());
    let before = current.strip_suffix(bash_word.as_str()).unwrap_or("");
    let answers: Vec<String> = candidates
        .iter()
        .filter_map(|c| {
            let value = c.get_value().to_string_lossy();
            value.strip_prefix(before).map(str::to_string)
        })
        .collect();
    write!(buf, "{}", answers.join(BASH_SEPARATOR))
}

fn zsh_script(script: &Script, buf: &mut dyn Write) -> std::io::Result<()> {
    let (about, var, bin, completer, function) = script.parts();
    write!(
        buf,
        r#"#compdef {bin}
{about}
# Enable it by saving it as _{bin} in a directory of $fpath, or with
# `source <({bin} completion zsh)` in ~/.zshrc after compinit.
{function}() {{
    local -a answers folders others
    local answer value
    answers=("${{(@f)$(_CLAP_COMPLETE_INDEX=$((CURRENT - 1)) {var}=zsh {completer} -- "${{words[@]}}" 2>/dev/null </dev/null)}}")
    for answer in $answers; do
        value=${{answer%%:*}}
        if [[ $value == */ ]]; then
            folders+=("${{value%/}}${{answer#"$value"}}")
        elif [[ -n $answer ]]; then
            others+=("$answer")
        fi
    done
    [[ -n $folders ]] && _describe -V values folders -S / -r /
    [[ -n $others ]] && _describe -V values others
    return 0
}}
if [[ ${{funcstack[1]}} == {function} ]]; then
    {function} "$@"
else
    compdef {function} {bin}
fi
"#
    )
}

/// Zsh's candidates, `value:help` a line.
fn zsh_complete(
    cmd: &mut clap::Command,
    mut args: Vec<OsString>,
    current_dir: Option<&std::path::Path>,
    buf: &mut dyn Write,
) -> std::io::Result<()> {
    let index: usize = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse().ok())
        .unwrap_or_default();
    if args.len() == index {
        args.push(OsString::new());
    }
    // `value:help` per line, `\` and `:` escaped in the value as `_describe` reads it.
    let lines: Vec<String> = candidates(cmd, args, index, current_dir)?
        .iter()
        .map(|c| {
            let value = c.get_value().to_string_lossy();
            let value = value.replace('\\', "\\\\").replace(':', "\\:");
            match c.get_help() {
                Some(help) => {
                    let help = help.to_string();
                    let first = help.lines().next().unwrap_or_default();
                    format!("{value}:{}", first.replace('\\', "\\\\"))
                }
                None => value,
            }
        })
        .collect();
    write!(buf, "{}", lines.join("\n"))
}

/// The engine's candidates for `words[index]`; flags only once the word starts with `-`, so
/// that a value's candidates (or none) are not buried under every flag.
fn candidates(
    cmd: &mut clap::Command,
    words: Vec<OsString>,
    index: usize,
    current_dir: Option<&std::path::Path>,
) -> std::io::Result<Vec<CompletionCandidate>> {
    let wants_flags = words
        .get(index)
        .is_some_and(|word| word.to_string_lossy().starts_with('-'));
    let mut found = clap_complete::engine::complete(cmd, words, index, current_dir)?;
    if !wants_flags {
        found.retain(|c| !c.get_value().to_string_lossy().starts_with('-'));
    }
    Ok(found)
}

/// The words of a completion request (what follows `--`): as given, or for bash, its line
/// split into words.
pub fn words_of_request(args: &[OsString]) -> Vec<OsString> {
    let words: Vec<OsString> = args
        .iter()
        .skip_while(|a| a.as_os_str() != OsStr::new("--"))
        .skip(1)
        .cloned()
        .collect();
    let bash = std::env::var_os(super::VARIABLE).is_some_and(|s| s == "bash");
    match (bash, words.as_slice()) {
        (true, [line]) => split_line(&line.to_string_lossy())
            .into_iter()
            .map(OsString::from)
            .collect(),
        _ => words,
    }
}

/// The words of a shell line as the command will receive them: split at unquoted blanks, with
/// quotes and backslashes removed. A quote still open at the end runs to the end (the word
/// being typed), and a line ending in a blank ends with an empty word.
pub fn split_line(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => match chars.next() {
                Some(next @ ('"' | '\\' | '$' | '`')) => word.push(next),
                Some(next) => {
                    word.push('\\');
                    word.push(next);
                }
                None => word.push('\\'),
            },
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word || quote.is_some() || line.is_empty() || line.ends_with(char::is_whitespace) {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_splits_as_the_shell_passes_it_with_the_word_being_typed_last() {
        assert_eq!(
            split_line("persona personas get mert@v"),
            ["persona", "personas", "get", "mert@v"]
        );
        assert_eq!(
            split_line("persona runs get "),
            ["persona", "runs", "get", ""]
        );
        assert_eq!(
            split_line(r#"persona chat 'a b' "c\"d" e\ f"#),
            ["persona", "chat", "a b", "c\"d", "e f"]
        );
        assert_eq!(split_line("persona get 'open"), ["persona", "get", "open"]);
        assert_eq!(split_line("persona x ''"), ["persona", "x", ""]);
    }
}
