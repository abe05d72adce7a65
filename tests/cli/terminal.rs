//! The binary on a real terminal (tmux at a set size): what a person sees and scrolls back to,
//! with keys typed as a person types them.

use crate::common::TestEnv;

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

/// Ctrl-C during `personas create` leaves no spinner line behind: the terminal shows the steps
/// done and the run that goes on, exit 130.
#[test]
fn ctrl_c_during_create_clears_the_spinner_line() {
    let mut env = TestEnv::new();
    env.set("PERSONA_STEP_DELAY_MS", "1500");
    let Some(terminal) = env.terminal(100, 30, &["personas", "create", "--intent", BRIEF]) else {
        return;
    };
    terminal.wait_for("a finished step", |text| {
        text.contains("✓ 1/6 intent_parse")
    });
    terminal.keys(&["C-c"]);
    assert_eq!(terminal.exit_code(), 130, "{}", terminal.history());
    let text = terminal.history();
    assert!(text.contains("was not canceled"), "{text}");
    assert!(
        !text.contains("tokens ·") && !text.contains("starting the run"),
        "a spinner line was left:\n{text}"
    );
}

/// `runs tail --render` of a live run redraws the persona in place: the scrollback holds one
/// frame, the last, drawn whole; no frame in progress scrolled into it.
#[test]
fn render_redraws_in_place_and_leaves_one_final_frame() {
    let mut env = TestEnv::new();
    env.set("PERSONA_STEP_DELAY_MS", "150");
    let run_id = env
        .run(&["personas", "create", "--intent", BRIEF, "--no-wait"])
        .success()
        .stdout
        .trim()
        .to_string();
    let Some(terminal) = env.terminal(100, 24, &["runs", "tail", &run_id, "--render"]) else {
        return;
    };
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    let text = terminal.history();
    let titles: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("persona  event "))
        .collect();
    assert_eq!(titles.len(), 1, "one frame stays:\n{text}");
    assert!(titles[0].ends_with("run.completed"), "{text}");
    assert!(
        !text.contains("lines above"),
        "the last frame is whole:\n{text}"
    );
    let persona = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    let persona = env
        .run(&[
            "personas",
            "pull",
            persona["persona_id"].as_str().unwrap(),
            "-o",
            "-",
        ])
        .success()
        .stdout;
    for key in ["soul:", "self:", "mask:", "surface:"] {
        assert_eq!(
            text.lines().filter(|line| *line == key).count(),
            1,
            "{key} once:\n{text}"
        );
        assert!(persona.contains(&format!("\n{key}")), "{persona}");
    }
    let name = persona
        .lines()
        .find_map(|line| line.trim().strip_prefix("name: "))
        .unwrap();
    assert!(text.contains(&format!("name: {name}")), "{text}");
}

/// Tables on a terminal fit its width: the widest text columns are cut with an ellipsis (short
/// values stay whole while they can), numbers are right-aligned under their header, times read
/// as relative ones; `runs list` names each run's persona by its slug. Wide enough, nothing is
/// cut; however narrow, no line wraps.
#[test]
fn tables_fit_the_terminal_with_numbers_right_aligned_and_relative_times() {
    let env = TestEnv::new();
    let slug = "the-bookseller-of-the-old-covered-bazaar-in-istanbul";
    env.create(BRIEF, &["--slug", slug]);
    env.create("a tailor in Lyon", &["--slug", "tailor"]);
    let runs = env.run(&["runs", "list", "--json"]).success().json();
    let run_ids: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["id"].as_str().unwrap())
        .collect();

    let Some(terminal) = env.terminal(80, 20, &["runs", "list"]) else {
        return;
    };
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    let text = terminal.history();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two runs:\n{text}");
    for line in &lines {
        assert!(
            line.chars().count() <= 80,
            "wider than the terminal: {line:?}"
        );
    }
    assert!(
        lines[1].starts_with(run_ids[0]) && lines[2].starts_with(run_ids[1]),
        "{text}"
    );
    assert!(lines[1].contains(" tailor "), "{text}");
    assert!(
        lines[2].contains(" the-bookseller") && lines[2].contains('…'),
        "{text}"
    );
    assert!(!text.contains(slug) && !text.contains("psn_"), "{text}");
    assert!(
        lines[1].contains(" completed "),
        "short values whole:\n{text}"
    );
    let tokens_end = lines[0].find("TOKENS").unwrap() + "TOKENS".len();
    for row in &lines[1..] {
        let row: Vec<char> = row.chars().collect();
        assert!(
            row[tokens_end - 1].is_ascii_digit(),
            "tokens end under TOKENS:\n{text}"
        );
        assert_eq!(row.get(tokens_end), Some(&' '), "{text}");
    }
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.ends_with("ago") || l.ends_with("just now")),
        "relative times:\n{text}"
    );

    let Some(narrow) = env.terminal(50, 20, &["personas", "list"]) else {
        return;
    };
    assert_eq!(narrow.exit_code(), 0, "{}", narrow.history());
    let text = narrow.history();
    assert!(
        text.lines().all(|line| line.chars().count() <= 50),
        "{text}"
    );

    let Some(wide) = env.terminal(200, 20, &["personas", "list"]) else {
        return;
    };
    assert_eq!(wide.exit_code(), 0, "{}", wide.history());
    let text = wide.history();
    assert!(!text.contains('…') && text.contains(slug), "{text}");
    assert!(
        !text.contains("T0") && !text.contains("T1") && !text.contains("T2"),
        "{text}"
    );
}

/// An interactive chat on a terminal 50 columns wide: the line is edited (an arrow key moves the
/// cursor, it is not typed), Up recalls a message sent before, Ctrl-C clears the line and Ctrl-D
/// ends the session; the reply wraps at word boundaries, never inside a word.
#[test]
fn chat_edits_lines_keeps_history_and_wraps_replies_at_words() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &["--slug", "mert"]);
    let name = persona["surface"]["name"].as_str().unwrap();
    let question = "Which poet do you love, and why?";
    let reply = env
        .run(&["chat", "mert", "-m", question, "--json"])
        .success()
        .json();
    let reply = reply["content"].as_str().unwrap();
    assert!(
        reply.chars().count() > 100,
        "a reply long enough to wrap: {reply}"
    );

    let Some(terminal) = env.terminal(50, 40, &["chat", "mert"]) else {
        return;
    };
    let prompts = |text: &str| text.lines().filter(|l| l.starts_with("you>")).count();
    terminal.wait_for("the prompt", |text| prompts(text) == 1);
    terminal.type_text("/hep");
    terminal.keys(&["Left"]);
    terminal.type_text("l");
    terminal.keys(&["Enter"]);
    let text = terminal.wait_for("the help", |text| prompts(text) == 2);
    assert!(
        text.contains("you> /help\n/new starts a new conversation"),
        "{text}"
    );

    terminal.type_text(question);
    terminal.keys(&["Enter"]);
    let text = terminal.wait_for("the reply", |text| prompts(text) == 3);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("{name}> ")))
        .unwrap();
    let end = start
        + lines[start..]
            .iter()
            .position(|l| l.starts_with("you>"))
            .unwrap();
    let shown = &lines[start..end];
    assert!(shown.len() > 2, "the reply wrapped: {shown:#?}");
    for line in shown {
        assert!(
            line.chars().count() <= 50,
            "wider than the terminal: {line:?}"
        );
    }
    let words = |text: &str| {
        text.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let shown_words = words(&shown.join(" "));
    let prompt = words(&format!("{name}>"));
    assert_eq!(shown_words[..prompt.len()], prompt[..], "{shown:#?}");
    assert_eq!(
        shown_words[prompt.len()..],
        words(reply)[..],
        "every word whole:\n{}",
        shown.join("\n")
    );

    terminal.type_text("garbage");
    terminal.keys(&["C-c"]);
    terminal.wait_for("a new prompt", |text| prompts(text) == 4);
    terminal.keys(&["Up", "Up", "Enter"]);
    let text = terminal.wait_for("the help again", |text| prompts(text) == 5);
    assert_eq!(
        text.matches("/new starts a new conversation").count(),
        2,
        "{text}"
    );
    assert!(
        !text.contains("unknown command"),
        "the cleared line was not sent:\n{text}"
    );
    assert_eq!(text.matches(&format!("{name}> ")).count(), 1, "{text}");

    terminal.keys(&["C-d"]);
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    assert!(terminal.history().contains("conversation conv_"));
}

/// `personas create` on a terminal names the step it waits for and counts the steps, also with
/// `--json` (the progress is on stderr, the JSON on stdout); nothing of the spinner stays.
#[test]
fn create_progress_counts_steps_and_shows_under_json() {
    let mut env = TestEnv::new();
    env.set("PERSONA_STEP_DELAY_MS", "400");
    let Some(terminal) = env.terminal(50, 60, &["personas", "create", "--intent", BRIEF, "--json"])
    else {
        return;
    };
    terminal.wait_for("the step waited for, counted", |text| {
        text.contains("✓ 1/6 intent_parse") && text.contains("2/6 soul_draft ·")
    });
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    let text = terminal.history();
    assert!(text.contains("✓ 6/6 consistency_audit"), "{text}");
    assert!(
        !text.contains("tokens ·"),
        "the spinner was cleared:\n{text}"
    );
    let json = &text[text.find('{').unwrap()..];
    let persona: serde_json::Value = serde_json::from_str(&json.replace('\n', ""))
        .unwrap_or_else(|err| panic!("the JSON after the progress ({err}):\n{text}"));
    assert_eq!(persona["status"], "completed");
}

/// A persona's summary on a terminal 50 columns wide: long fields wrap at word boundaries, their
/// further lines under the start of the value.
#[test]
fn summaries_wrap_at_words_under_their_indent() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &["--slug", "mert"]);
    let bio = persona["mask"]["public_bio"].as_str().unwrap();
    assert!(bio.chars().count() > 80, "{bio}");
    let Some(terminal) = env.terminal(50, 60, &["personas", "get", "mert"]) else {
        return;
    };
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    let text = terminal.history();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 50), "{text}");
    let start = lines.iter().position(|l| l.starts_with("  bio ")).unwrap();
    let value: Vec<&str> = std::iter::once(&lines[start]["  bio".len()..])
        .chain(
            lines[start + 1..]
                .iter()
                .take_while(|l| l.starts_with(&" ".repeat(13)))
                .copied(),
        )
        .collect();
    assert!(value.len() > 1, "the bio wrapped:\n{text}");
    let shown: Vec<&str> = value.iter().flat_map(|l| l.split_whitespace()).collect();
    assert_eq!(
        shown,
        bio.split_whitespace().collect::<Vec<_>>(),
        "whole words:\n{text}"
    );
}

/// Help on a terminal 50 columns wide: an example is one line, as written, however long (the
/// terminal may fold it; clap does not break it in the middle of the command); global flags
/// have their own heading; a flag that means nothing for a command is not offered.
#[test]
fn help_keeps_examples_whole_and_global_flags_apart() {
    let env = TestEnv::new();
    let Some(terminal) = env.terminal(50, 200, &["personas", "create", "--help"]) else {
        return;
    };
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    let text = terminal.history();
    let example = "  persona personas create --intent \"35-year-old, lonely ex-academic bookseller in Istanbul\" --language tr";
    assert!(text.lines().any(|line| line == example), "{text}");
    let global = text
        .find("Global options:")
        .expect("a heading of their own");
    assert!(
        text[global..].contains("--profile") && !text[..global].contains("--profile"),
        "{text}"
    );

    let Some(terminal) = env.terminal(50, 100, &["completion", "--help"]) else {
        return;
    };
    assert_eq!(terminal.exit_code(), 0, "{}", terminal.history());
    let text = terminal.history();
    assert!(
        !text.contains("--json") && !text.contains("--profile"),
        "{text}"
    );
    let refused = env.run(&["completion", "bash", "--json"]).code(2);
    assert!(
        refused.stdout.contains("unexpected argument '--json'"),
        "{}",
        refused.stdout
    );
}
