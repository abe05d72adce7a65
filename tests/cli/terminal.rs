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
