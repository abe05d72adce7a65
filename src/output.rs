//! One place that decides what reaches the terminal: data on stdout (tables on a terminal,
//! tab-separated rows when piped, JSON under `--json`), messages and progress on stderr.

use std::io::{IsTerminal, Write};

use serde_json::Value;

use crate::error::CliError;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How this invocation prints.
#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    stdout_tty: bool,
    stderr_tty: bool,
    stdout_color: bool,
    stderr_color: bool,
    no_progress: bool,
}

impl Output {
    /// Reads the terminal state and the colour rules (`--color`, `NO_COLOR`, `CLICOLOR`,
    /// `CLICOLOR_FORCE`) from the process.
    pub fn from_process(json: bool, quiet: bool, verbose: u8, color: ColorChoice) -> Self {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let wants = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if env("NO_COLOR").is_some() {
                    false
                } else if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    true
                } else if env("CLICOLOR").is_some_and(|v| v == "0") {
                    false
                } else {
                    tty && std::env::var("TERM").map_or(true, |t| t != "dumb")
                }
            }
        };
        Output {
            json,
            quiet,
            verbose,
            stdout_tty,
            stderr_tty,
            stdout_color: wants(stdout_tty),
            stderr_color: wants(stderr_tty),
            no_progress: env("PERSONA_NO_PROGRESS").is_some() || env("CI").is_some(),
        }
    }

    /// Whether stdout is a terminal (human views) rather than a pipe (plain rows).
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout_tty
    }

    /// Whether a spinner or progress bar may be drawn on stderr.
    pub fn progress_allowed(&self) -> bool {
        self.stderr_tty && !self.quiet && !self.json && !self.no_progress
    }

    /// Whether a person can answer a prompt.
    pub fn can_prompt(&self) -> bool {
        self.stderr_tty && std::io::stdin().is_terminal()
    }

    /// A line of data on stdout.
    pub fn line(&self, text: impl AsRef<str>) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", text.as_ref());
    }

    /// Data on stdout with no newline added.
    pub fn raw(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// A JSON value on stdout, pretty on a terminal and compact when piped.
    pub fn json_value(&self, value: &Value) {
        let text = if self.stdout_tty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        self.line(text.unwrap_or_default());
    }

    /// A status message for people on stderr (silenced by `-q`).
    pub fn info(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A message on stderr that `-q` does not silence, for what a command exists to tell.
    pub fn notice(&self, text: impl AsRef<str>) {
        eprintln!("{}", text.as_ref());
    }

    /// A success message on stderr, marked with a green tick on a colour terminal.
    pub fn success(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{} {}", self.paint_err("✓", "32"), text.as_ref());
        }
    }

    /// A warning on stderr; shown even with `-q`.
    pub fn warn(&self, text: impl AsRef<str>) {
        eprintln!("{} {}", self.paint_err("warning:", "33"), text.as_ref());
    }

    /// Detail shown with `-v`.
    pub fn debug(&self, text: impl AsRef<str>) {
        if self.verbose > 0 {
            eprintln!("{}", self.paint_err(text.as_ref(), "2"));
        }
    }

    /// Reports an error: the rendered text on stderr, and the error object on stdout under
    /// `--json`. An error with no message was already shown and only sets the exit code.
    pub fn error(&self, error: &CliError) {
        if error.message.is_empty() {
            return;
        }
        if self.json {
            self.line(error.to_json().to_string());
        }
        let text = error.render();
        let mut lines = text.lines();
        if let Some(first) = lines.next() {
            let rest = first.strip_prefix("error:").unwrap_or(first);
            eprintln!("{}{rest}", self.paint_err("error:", "1;31"));
        }
        for line in lines {
            eprintln!("{line}");
        }
    }

    /// Colours `text` for stdout with an SGR code, when colour is on.
    pub fn paint(&self, text: &str, sgr: &str) -> String {
        paint(self.stdout_color, text, sgr)
    }

    /// Colours `text` for stderr with an SGR code, when colour is on.
    pub fn paint_err(&self, text: &str, sgr: &str) -> String {
        paint(self.stderr_color, text, sgr)
    }

    /// Rows of data: aligned columns under a bold header on a terminal, tab-separated rows
    /// without a header when piped.
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) {
        if !self.stdout_tty {
            for row in rows {
                self.line(row.join("\t"));
            }
            return;
        }
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let format_row = |cells: Vec<String>| {
            let last = cells.len().saturating_sub(1);
            cells
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    if i == last {
                        cell.clone()
                    } else {
                        let pad = widths[i].saturating_sub(cell.chars().count());
                        format!("{cell}{}", " ".repeat(pad))
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let header = format_row(headers.iter().map(|h| h.to_uppercase()).collect());
        self.line(self.paint(&header, "1"));
        for row in rows {
            self.line(format_row(row.clone()));
        }
    }
}

fn paint(enabled: bool, text: &str, sgr: &str) -> String {
    if enabled {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
