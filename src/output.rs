//! One place that decides what reaches the terminal: data on stdout (tables on a terminal,
//! tab-separated rows when piped, JSON under `--json`), messages and progress on stderr.
//!
//! Text from a server is hostile: every writer here turns control characters (an escape
//! sequence could retitle or clear the terminal, or fake text) and bidirectional overrides into
//! visible `\uXXXX` escapes ([`escape_controls`]), which keeps JSON valid and equal in value.
//! Only the colour sequences [`Output::paint`] makes pass, and only while colour is on.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

use console::Term;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle, TermLike};
use serde::Serialize;

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

    /// Whether a spinner or progress bar may be drawn on stderr: on a terminal, unless `-q`,
    /// PERSONA_NO_PROGRESS or CI says not to (`--json` does not: its JSON is on stdout).
    pub fn progress_allowed(&self) -> bool {
        self.stderr_tty && !self.quiet && !self.no_progress
    }

    /// A spinner with `message` on stderr, when progress may be drawn: one line, its message
    /// cut to the terminal's width (print other lines inside `suspend`). Dropped unfinished
    /// (the command stopped by Ctrl-C), it clears its line rather than leave a stale one behind.
    pub fn spinner(&self, message: impl Into<Cow<'static, str>>) -> Option<ProgressBar> {
        self.progress_allowed().then(|| {
            let bar = ProgressBar::with_draw_target(
                None,
                ProgressDrawTarget::term_like_with_hz(Box::new(SpinnerTerm(Term::stderr())), 20),
            )
            .with_finish(ProgressFinish::AndClear);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(message);
            bar.enable_steady_tick(std::time::Duration::from_millis(90));
            bar
        })
    }

    /// Whether a person can answer a prompt.
    pub fn can_prompt(&self) -> bool {
        self.stderr_tty && std::io::stdin().is_terminal()
    }

    /// A line of data on stdout.
    pub fn line(&self, text: impl AsRef<str>) {
        let text = escape(text.as_ref(), self.stdout_color, true);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// Text for people on stdout with no newline added, escaped (a reply as it streams in).
    pub fn text(&self, text: &str) {
        self.write_stdout(&escape(text, self.stdout_color, true));
    }

    /// A file's contents on stdout with no newline added: the exact bytes when piped (a YAML
    /// working copy), escaped like every line on a terminal.
    pub fn raw(&self, text: &str) {
        if self.stdout_tty {
            self.text(text);
        } else {
            self.write_stdout(text);
        }
    }

    /// Text for people on stdout as it streams in, escaped, and wrapped at word boundaries by
    /// `wrap` when there is one (on a terminal): the text of a reply, a piece at a time.
    pub fn text_wrapped(&self, wrap: Option<&mut WordWrap>, text: &str) {
        match wrap {
            Some(wrap) => self.write_stdout(&wrap.push(&escape(text, self.stdout_color, true))),
            None => self.text(text),
        }
    }

    /// `text` wrapped at word boundaries to the width of the terminal on stderr, for a message
    /// of a few lines; as it is when stderr is not a terminal.
    pub fn wrap_for_stderr(&self, text: &str) -> String {
        if self.stderr_tty {
            WordWrap::new(usize::from(Term::stderr().size().1), 0, "").wrap(text)
        } else {
            text.to_string()
        }
    }

    /// The width of the terminal on stdout; None when stdout is not a terminal.
    pub fn stdout_width(&self) -> Option<usize> {
        self.stdout_tty
            .then(|| usize::from(Term::stdout().size().1))
    }

    /// A [`WordWrap`] to the width of the terminal on stdout for text that starts at `column`;
    /// None when stdout is not a terminal (text is then written as it comes).
    pub fn word_wrap(&self, column: usize) -> Option<WordWrap> {
        self.stdout_width()
            .map(|width| WordWrap::new(width, column, ""))
    }

    fn write_stdout(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// The data a command prints: `value` as JSON under `--json`, else the view `human` draws.
    pub fn emit<T: Serialize + ?Sized>(&self, value: &T, human: impl FnOnce(&Output)) {
        if self.json {
            self.json_value(value);
        } else {
            human(self);
        }
    }

    /// A JSON value on stdout, pretty on a terminal and compact when piped.
    pub fn json_value<T: Serialize + ?Sized>(&self, value: &T) {
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
            self.message(text.as_ref());
        }
    }

    /// A message on stderr that `-q` does not silence, for what a command exists to tell.
    pub fn notice(&self, text: impl AsRef<str>) {
        self.message(text.as_ref());
    }

    /// A success message on stderr, marked with a green tick on a colour terminal.
    pub fn success(&self, text: impl AsRef<str>) {
        if !self.quiet {
            self.message(&format!("{} {}", self.paint_err("✓", "32"), text.as_ref()));
        }
    }

    /// A warning on stderr; shown even with `-q`.
    pub fn warn(&self, text: impl AsRef<str>) {
        self.message(&format!(
            "{} {}",
            self.paint_err("warning:", "33"),
            text.as_ref()
        ));
    }

    /// Detail shown with `-v`.
    pub fn debug(&self, text: impl AsRef<str>) {
        if self.verbose > 0 {
            self.message(&self.paint_err(text.as_ref(), "2"));
        }
    }

    /// One message on stderr, escaped.
    fn message(&self, text: &str) {
        eprintln!("{}", escape(text, self.stderr_color, true));
    }

    /// Reports an error: the rendered text on stderr, and the error object on stdout under
    /// `--json`; with `-v`, the errors it came from. An error already reported prints nothing.
    pub fn error(&self, error: &CliError) {
        if error.is_reported() {
            return;
        }
        if self.json {
            self.line(error.to_json().to_string());
        }
        // The message, code and hint may come from a server: no colour passes from them.
        let text = error.render();
        let text = escape(&text, false, true);
        let mut lines = text.lines();
        if let Some(first) = lines.next() {
            let rest = first.strip_prefix("error:").unwrap_or(first);
            eprintln!("{}{rest}", self.paint_err("error:", "1;31"));
        }
        for line in lines {
            eprintln!("{line}");
        }
        let mut cause = std::error::Error::source(error);
        while let Some(source) = cause {
            let text = source.to_string();
            if !error.message.contains(&text) {
                self.debug(format!("caused by: {text}"));
            }
            cause = source.source();
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

    /// Rows of data. On a terminal: columns under a bold header, fitted to its width (the
    /// widest text columns cut first, with an ellipsis), numbers right-aligned, and RFC 3339 UTC
    /// times told as relative ones (`3 min ago`). Piped: tab-separated rows without a header,
    /// each value as it is (times in full).
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) {
        // A cell is one line: a tab or line break in it would fake columns or rows.
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| escape(cell, false, false).into_owned())
                    .collect()
            })
            .collect();
        if !self.stdout_tty {
            for row in rows {
                self.line(row.join("\t"));
            }
            return;
        }
        let now = crate::clock::now();
        let kinds: Vec<Column> = (0..headers.len())
            .map(|i| Column::of(rows.iter().filter_map(|row| row.get(i))))
            .collect();
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&kinds)
                    .map(|(cell, kind)| match kind {
                        Column::Time => crate::clock::utc_seconds(&cell)
                            .map_or(cell, |then| crate::clock::relative(then, now)),
                        _ => cell,
                    })
                    .collect()
            })
            .collect();
        let headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
        let mut widths: Vec<usize> = headers
            .iter()
            .map(|h| console::measure_text_width(h))
            .collect();
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(console::measure_text_width(cell));
            }
        }
        fit_columns(&mut widths, &kinds, usize::from(Term::stdout().size().1));
        let format_row = |cells: &[String]| {
            let last = cells.len().saturating_sub(1);
            cells
                .iter()
                .zip(widths.iter().zip(&kinds))
                .enumerate()
                .map(|(i, (cell, (&width, kind)))| {
                    let cell = console::truncate_str(cell, width, "…");
                    let pad = " ".repeat(width.saturating_sub(console::measure_text_width(&cell)));
                    match kind {
                        Column::Number => format!("{pad}{cell}"),
                        _ if i == last => cell.into_owned(),
                        _ => format!("{cell}{pad}"),
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        self.line(self.paint(&format_row(&headers), "1"));
        for row in rows {
            self.line(format_row(&row));
        }
    }
}

/// What a table column holds, read from its values (`-` stands for none and counts for any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Text,
    /// Counts, money, versions (`18,421`, `$0.79`, `v3`, `2/5`): right-aligned, never cut.
    Number,
    /// RFC 3339 UTC times: told relative to now, never cut.
    Time,
}

impl Column {
    fn of<'a>(cells: impl Iterator<Item = &'a String>) -> Column {
        let mut kind = None;
        for cell in cells.filter(|cell| cell.as_str() != "-") {
            let this = if is_number(cell) {
                Column::Number
            } else if crate::clock::utc_seconds(cell).is_some() {
                Column::Time
            } else {
                return Column::Text;
            };
            if kind.is_some_and(|kind| kind != this) {
                return Column::Text;
            }
            kind = Some(this);
        }
        kind.unwrap_or(Column::Text)
    }
}

/// `18,421`, `$0.0042`, `v3`, `2/5`, `12%`.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['$', 'v']).unwrap_or(cell);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '/' | '%'))
}

/// Narrows the widest text column (the last of equals: the first is usually an id), a column
/// at a time, until the row (two spaces between columns) fits `available`: first down to ten
/// columns, so that short values (a status, a kind) stay whole while long ones give way, then
/// down to three (two characters and the ellipsis). Numbers and times keep their width; a row
/// still too wide is left to wrap.
fn fit_columns(widths: &mut [usize], kinds: &[Column], available: usize) {
    let gaps = 2 * widths.len().saturating_sub(1);
    let mut total: usize = widths.iter().sum::<usize>() + gaps;
    for floor in [10, 3] {
        while total > available {
            let widest = (0..widths.len())
                .filter(|&i| kinds[i] == Column::Text && widths[i] > floor)
                .max_by_key(|&i| (widths[i], i));
            let Some(widest) = widest else {
                break;
            };
            widths[widest] -= 1;
            total -= 1;
        }
    }
}

/// Text wrapped at word boundaries to a width as it arrives in pieces (a reply streaming in):
/// a word is held back until it is whole, then written on the line if it fits, else at the
/// start of the next one, which begins with `indent`; only a word longer than a whole line is
/// broken. Widths are the terminal's (wide characters count two, colour sequences none).
#[derive(Debug)]
pub struct WordWrap {
    width: usize,
    indent: String,
    /// The column the text of this line started at: nothing wraps before its first word.
    line_start: usize,
    column: usize,
    spaces: usize,
    word: String,
}

impl WordWrap {
    /// Wrapping to `width` columns for text that starts at `column` (after a prompt), each
    /// further line starting with `indent`.
    pub fn new(width: usize, column: usize, indent: &str) -> WordWrap {
        let indent_width = console::measure_text_width(indent);
        WordWrap {
            // Room for a word or two past the indent, however narrow the terminal.
            width: width.max(indent_width + 12).max(column + 1),
            indent: indent.to_string(),
            line_start: column,
            column,
            spaces: 0,
            word: String::new(),
        }
    }

    /// `text` wrapped: what to write now (the last word waits for what follows it).
    pub fn push(&mut self, text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '\n' => {
                    self.put_word(&mut out);
                    self.new_line(&mut out);
                }
                ' ' | '\t' => {
                    self.put_word(&mut out);
                    self.spaces += 1;
                }
                c => self.word.push(c),
            }
        }
        out
    }

    /// What is left: the last word.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        self.put_word(&mut out);
        out
    }

    /// The whole of `text` wrapped, as lines joined with line breaks.
    pub fn wrap(mut self, text: &str) -> String {
        let mut out = self.push(text);
        out.push_str(&self.finish());
        out
    }

    fn new_line(&mut self, out: &mut String) {
        out.push('\n');
        out.push_str(&self.indent);
        self.column = console::measure_text_width(&self.indent);
        self.line_start = self.column;
        self.spaces = 0;
    }

    fn put_word(&mut self, out: &mut String) {
        if self.word.is_empty() {
            return;
        }
        let word = std::mem::take(&mut self.word);
        let width = console::measure_text_width(&word);
        if self.column > self.line_start && self.column + self.spaces + width > self.width {
            self.new_line(out);
        } else {
            out.push_str(&" ".repeat(self.spaces));
            self.column += self.spaces;
        }
        self.spaces = 0;
        // A word longer than the room on a line of its own is broken where the line ends.
        let mut rest = word.as_str();
        while self.column + console::measure_text_width(rest) > self.width {
            let room = self.width - self.column;
            let head = console::truncate_str(rest, room, "");
            if head.is_empty() {
                break;
            }
            out.push_str(&head);
            rest = &rest[head.len()..];
            self.new_line(out);
        }
        out.push_str(rest);
        self.column += console::measure_text_width(rest);
    }
}

/// A view redrawn in place at the bottom of the terminal on stdout, as `runs tail --render`
/// draws a persona filling in: each frame replaces the one before it (the cursor goes up over
/// it, each line is cleared as it is written over, and what is left below after the frame; the
/// screen is never cleared as a whole). A frame in progress
/// is cut to the screen (lines to its width, and its last lines to its height, under a line
/// that says how many are above), so that none of it scrolls into the scrollback; the final
/// frame is drawn whole and stays there.
#[derive(Debug, Default)]
pub struct LiveView {
    rows: usize,
}

impl LiveView {
    /// Draws `frame` over the one before it; `last` for the frame that stays.
    pub fn draw(&mut self, output: &Output, frame: &str, last: bool) {
        let text = escape(frame, output.stdout_color, true);
        let mut lines: Vec<Cow<'_, str>> = text.lines().map(Cow::Borrowed).collect();
        if !last {
            let (rows, columns) = Term::stdout().size();
            fit_screen(&mut lines, usize::from(rows), usize::from(columns));
        }
        let mut out = String::new();
        if self.rows > 0 {
            out.push_str(&format!("\x1b[{}A", self.rows));
        }
        // Each line is written over the old one and cleared to its end; what is left of a taller
        // frame below is cleared after the new one. Never from the top left corner: a terminal
        // (tmux) takes clearing from there for clearing the screen and keeps a copy in its
        // scrollback.
        out.push('\r');
        for line in &lines {
            out.push_str(line);
            out.push_str("\x1b[K\n");
        }
        out.push_str("\x1b[J");
        self.rows = lines.len();
        output.write_stdout(&out);
    }
}

/// Cuts `lines` to a screen of `rows` × `columns` with a row to spare for the cursor: each
/// line to the width with an ellipsis, and when there are too many, the first line (the
/// frame's title), a line saying how many are left out, and the last ones.
fn fit_screen(lines: &mut Vec<Cow<'_, str>>, rows: usize, columns: usize) {
    let room = rows.saturating_sub(1).max(3);
    if lines.len() > room {
        let hidden = lines.len() - (room - 1);
        let tail = lines.split_off(hidden + 1);
        lines.truncate(1);
        lines.push(Cow::Owned(format!("… {} lines above", hidden)));
        lines.extend(tail);
    }
    for line in lines.iter_mut() {
        if console::measure_text_width(line) > columns {
            *line = Cow::Owned(console::truncate_str(line, columns, "…").into_owned());
        }
    }
}

/// Stderr as a spinner draws on it, two columns narrower than it is: the spinner line never
/// reaches the last column, so the `^C` a terminal echoes on Ctrl-C lands on that line and is
/// cleared with it, rather than wrapping onto a line of its own below a spinner left behind.
/// (Lines printed through the bar would count on reaching the last column to wrap: print them
/// with the bar suspended.)
#[derive(Debug)]
struct SpinnerTerm(Term);

impl TermLike for SpinnerTerm {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(2)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

fn paint(enabled: bool, text: &str, sgr: &str) -> String {
    if enabled {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// `text` with every control character (C0 but tab and line feed, DEL, C1) and every
/// bidirectional embedding, override and isolate written as a visible `\uXXXX` escape, and a
/// carriage return before a line feed dropped. In a JSON string the escape means the same
/// character, so JSON stays valid and equal in value.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false, true)
}

/// [`escape_controls`] for text that must stay on one line (a progress message, a table cell):
/// tab and line feed are escaped too.
pub fn escape_controls_one_line(text: &str) -> Cow<'_, str> {
    escape(text, false, false)
}

/// The SGR parameters [`Output::paint`] may use: reset, bold, dim, normal intensity, the
/// foreground colours and the default colour. None hides, blinks or moves anything.
const PALETTE: &[&str] = &[
    "0", "1", "2", "22", "31", "32", "33", "34", "35", "36", "37", "39",
];

/// The escaping of [`escape_controls`]; `colour` lets the palette's SGR sequences through,
/// `breaks` keeps tabs and line feeds.
fn escape(text: &str, colour: bool, breaks: bool) -> Cow<'_, str> {
    // Every character escaped is below 0x20, DEL, or starts with the byte 0xC2 (C1) or 0xE2
    // (the bidirectional controls): text without those bytes is returned as it is.
    if !text
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
    {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let rest = &text[at..];
        let mut width = c.len_utf8();
        match c {
            '\t' | '\n' if breaks => escaped.push(c),
            '\r' if breaks && rest[1..].starts_with('\n') => {}
            '\u{1b}' if colour && palette_sgr_len(rest).is_some() => {
                width = palette_sgr_len(rest).unwrap_or(1);
                escaped.push_str(&rest[..width]);
            }
            c if is_hazard(c) => escaped.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => escaped.push(c),
        }
        at += width;
    }
    Cow::Owned(escaped)
}

/// Control characters and the bidirectional embeddings, overrides and isolates.
fn is_hazard(c: char) -> bool {
    matches!(u32::from(c), 0..=0x1f | 0x7f..=0x9f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// The length of the SGR sequence of palette parameters `text` starts with, if it does.
fn palette_sgr_len(text: &str) -> Option<usize> {
    let params = text.strip_prefix("\x1b[")?;
    let end = params.bytes().take(9).position(|b| b == b'm')?;
    params[..end]
        .split(';')
        .all(|param| PALETTE.contains(&param))
        .then_some(end + 3)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_become_visible_escapes() {
        let hostile = "A\x1b]0;pwned\x07B\x1b[2J\u{9b}31m\x7f\u{202e}txt.exe\u{2066}\x00";
        assert_eq!(
            escape_controls(hostile),
            "A\\u001b]0;pwned\\u0007B\\u001b[2J\\u009b31m\\u007f\\u202etxt.exe\\u2066\\u0000"
        );
        assert_eq!(
            escape_controls("one\r\ntwo\tthree\rfake"),
            "one\ntwo\tthree\\u000dfake"
        );
        assert_eq!(escape_controls_one_line("a\tb\nc"), "a\\u0009b\\u000ac");
    }

    #[test]
    fn text_without_controls_is_left_as_it_is() {
        assert!(matches!(
            escape_controls("the-istanbul-bookseller, 35"),
            Cow::Borrowed(_)
        ));
        // Dashes, quotes and right-to-left marks are text, not controls.
        for text in [
            "Ayşe — “bookseller” …",
            "שלום\u{200f} world",
            "a\u{a0}b",
            "",
        ] {
            assert_eq!(escape_controls(text), text);
        }
    }

    #[test]
    fn escaped_json_is_the_same_json() {
        let value = serde_json::json!({ "message": "\u{1b}[2J\u{9b}\u{202e}\u{7f} ok", "n": 1 });
        for text in [
            value.to_string(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let escaped = escape_controls(&text);
            let hazard = |c: char| is_hazard(c) && c != '\n';
            assert!(!escaped.contains(hazard), "{escaped}");
            assert_eq!(serde_json::from_str::<Value>(&escaped).unwrap(), value);
        }
    }

    #[test]
    fn columns_are_read_as_numbers_times_or_text() {
        let kind = |cells: &[&str]| {
            let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            Column::of(cells.iter())
        };
        assert_eq!(kind(&["18,421", "-", "3"]), Column::Number);
        assert_eq!(kind(&["$0.79", "$0.0042"]), Column::Number);
        assert_eq!(kind(&["v3", "v12"]), Column::Number);
        assert_eq!(kind(&["2/5"]), Column::Number);
        assert_eq!(kind(&["2026-02-26T12:00:00Z", "-"]), Column::Time);
        assert_eq!(kind(&["3", "2026-02-26T12:00:00Z"]), Column::Text);
        assert_eq!(kind(&["psn_3kP9aLwX2v", "12"]), Column::Text);
        assert_eq!(kind(&["vintage", "$", ""]), Column::Text);
        assert_eq!(kind(&["-"]), Column::Text);
    }

    #[test]
    fn the_widest_text_columns_give_way_first() {
        let kinds = [
            Column::Text,
            Column::Text,
            Column::Text,
            Column::Number,
            Column::Time,
        ];
        let mut widths = [16, 30, 9, 6, 10];
        fit_columns(&mut widths, &kinds, 60);
        assert_eq!(
            widths,
            [14, 13, 9, 6, 10],
            "14 + 13 + 9 + 6 + 10 + 4 gaps of 2 = 60"
        );
        let mut narrower = [16, 30, 9, 6, 10];
        fit_columns(&mut narrower, &kinds, 45);
        assert_eq!(narrower, [7, 7, 7, 6, 10], "short values give way last");
        let mut narrowest = [16, 30, 9, 6, 10];
        fit_columns(&mut narrowest, &kinds, 10);
        assert_eq!(
            narrowest,
            [3, 3, 3, 6, 10],
            "numbers and times are never cut"
        );
        let mut fits = [4, 4];
        fit_columns(&mut fits, &kinds[..2], 80);
        assert_eq!(fits, [4, 4]);
    }

    #[test]
    fn streamed_text_wraps_at_word_boundaries_whatever_the_pieces() {
        let text = "The shop smells of paper and dust; I keep the poets near the window, \
                    where the light is kind to old bindings. Antidisestablishmentarianism!";
        let whole = WordWrap::new(20, 6, "").wrap(text);
        for pieces in [1, 2, 3, 7] {
            let mut wrap = WordWrap::new(20, 6, "");
            let chars: Vec<char> = text.chars().collect();
            let mut out = String::new();
            for chunk in chars.chunks(pieces) {
                out.push_str(&wrap.push(&chunk.iter().collect::<String>()));
            }
            out.push_str(&wrap.finish());
            assert_eq!(out, whole, "in pieces of {pieces}");
        }
        let lines: Vec<&str> = whole.lines().collect();
        assert_eq!(
            lines[0], "The shop",
            "the first line starts after a prompt of 6"
        );
        for line in &lines[1..] {
            assert!(line.chars().count() <= 20, "{line:?}");
        }
        // Only a word longer than a line is broken.
        let mut words: Vec<&str> = text.split_whitespace().collect();
        words.pop();
        words.extend(["Antidisestablishment", "arianism!"]);
        assert_eq!(whole.split_whitespace().collect::<Vec<_>>(), words);
        assert!(
            whole.ends_with("Antidisestablishment\narianism!"),
            "{whole}"
        );
    }

    #[test]
    fn wrapped_lines_keep_their_indent() {
        let wrapped = WordWrap::new(30, 13, "             ")
            .wrap("a bookseller who keeps the poets near the window");
        assert_eq!(
            wrapped,
            "a bookseller who\n             keeps the poets\n             near the window"
        );
    }

    #[test]
    fn a_frame_in_progress_is_cut_to_the_screen() {
        let text: Vec<String> = (0..30)
            .map(|i| format!("line {i} {}", "x".repeat(i)))
            .collect();
        let mut lines: Vec<Cow<'_, str>> = text.iter().map(|l| Cow::Borrowed(l.as_str())).collect();
        fit_screen(&mut lines, 10, 12);
        assert_eq!(lines.len(), 9, "a row to spare: {lines:?}");
        assert_eq!(lines[0], "line 0 ");
        assert_eq!(lines[1], "… 22 lines …");
        assert_eq!(lines[8], "line 29 xxx…");
        assert!(lines.iter().all(|l| console::measure_text_width(l) <= 12));
        let mut short = vec![Cow::Borrowed("title"), Cow::Borrowed("a")];
        fit_screen(&mut short, 10, 12);
        assert_eq!(short, ["title", "a"]);
    }

    #[test]
    fn only_palette_colours_pass_and_only_with_colour_on() {
        let painted = paint(true, "ok", "1;31");
        assert_eq!(escape(&painted, true, true), painted);
        assert_eq!(escape(&painted, false, true), "\\u001b[1;31mok\\u001b[0m");
        for hostile in [
            "\x1b[8m",
            "\x1b[2J",
            "\x1b[1;8m",
            "\x1b]0;x\x07",
            "\x1b[31;5m",
            "\x1b[",
        ] {
            assert!(
                escape(hostile, true, true).starts_with("\\u001b"),
                "{hostile:?} passed"
            );
        }
    }
}
