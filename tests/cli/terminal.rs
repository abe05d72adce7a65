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
    terminal.wait_for("a finished step", |text| text.contains("✓ intent_parse"));
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
