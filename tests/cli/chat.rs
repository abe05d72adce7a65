//! `persona chat` with the real binary on the local profile: one-shot, piped, continued, JSON.

use crate::common::TestEnv;

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

#[test]
fn one_message_streams_the_reply_and_names_the_conversation() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &["--slug", "mert"]);
    let out = env
        .run(&["chat", "mert", "-m", "Which poet do you love?"])
        .success();
    assert!(!out.stdout.trim().is_empty(), "the reply is printed");
    assert!(
        out.stderr.contains("conv_"),
        "names the conversation: {}",
        out.stderr
    );
    let json = env
        .run(&["chat", "mert", "-m", "Which poet do you love?", "--json"])
        .success()
        .json();
    assert_eq!(json["role"], "assistant");
    assert_eq!(
        json["content"].as_str().unwrap().trim(),
        out.stdout.trim(),
        "the offline engine is deterministic"
    );
    assert_eq!(json["engine"], "offline");
    assert!(json["drift"]["verdict"].is_string() && json["coherence"].is_number());
    assert!(json["tokens"]["in"].as_u64().unwrap() > 0);
    assert!(persona["id"].is_string());
}

#[test]
fn a_piped_message_and_a_continued_conversation() {
    let env = TestEnv::new();
    env.create(BRIEF, &["--slug", "mert"]);
    let first = env
        .run_with_stdin(&["chat", "mert", "--json"], "Tell me about your shop\n")
        .success()
        .json();
    let conversation = first["conversation_id"].as_str().unwrap().to_string();
    let second = env
        .run(&[
            "chat",
            "mert",
            "--conversation",
            &conversation,
            "-m",
            "And your customers?",
            "--json",
        ])
        .success()
        .json();
    assert_eq!(second["conversation_id"], conversation.as_str());
    let drift = env
        .run(&[
            "chat",
            "mert",
            "--conversation",
            &conversation,
            "-m",
            "Goodbye",
            "--show-drift",
        ])
        .success();
    assert!(drift.stderr.contains("drift: voice"), "{}", drift.stderr);
}

#[test]
fn bad_chat_inputs_have_clear_errors() {
    let env = TestEnv::new();
    env.run(&["chat", "nobody", "-m", "hi"]).code(3);
    env.create(BRIEF, &["--slug", "mert"]);
    env.run(&[
        "chat",
        "mert",
        "--conversation",
        "conv_doesnotexist",
        "-m",
        "hi",
    ])
    .code(3);
    let empty = env.run_with_stdin(&["chat", "mert"], "   \n").code(2);
    assert!(empty.stderr.contains("empty"), "{}", empty.stderr);

    // A conversation belongs to one persona: another persona cannot answer in it.
    env.create("a tailor in Lyon", &["--slug", "tailor"]);
    let with_tailor = env
        .run(&["chat", "tailor", "-m", "Bonjour", "--json"])
        .success()
        .json();
    let conversation = with_tailor["conversation_id"].as_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["chat", "mert", "--conversation", conversation, "-m", "hi"];
        if json {
            args.push("--json");
        }
        let wrong = env.run(&args).code(2);
        let said = format!("{}{}", wrong.stdout, wrong.stderr);
        assert!(said.contains(conversation), "{said}");
    }
}

/// A session on a terminal (a pseudo-terminal made by `script`): /help and a mistyped /command
/// are answered by the CLI, never sent to the persona; /exit ends the session with 0.
#[test]
fn a_terminal_session_answers_its_own_commands_and_sends_the_rest() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &["--slug", "mert"]);
    let name = persona["surface"]["name"].as_str().unwrap();
    let session = format!("{} chat mert", crate::common::BIN);
    let typed = "sleep 1; printf '/help\\n'; sleep 0.3; printf '/bogus\\n'; sleep 0.3; \
                 printf 'Hello\\n'; sleep 1; printf '/exit\\n'";
    let pipeline = format!("({typed}) | script -qec '{session}' /dev/null");
    let outcome = env
        .program("sh", &["-c", &pipeline])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&outcome.stdout).replace('\r', "");
    assert!(outcome.status.success(), "{text}");
    assert!(text.contains("/new starts a new conversation"), "{text}");
    assert!(text.contains("unknown command /bogus"), "{text}");
    let replies = text
        .lines()
        .filter(|l| l.starts_with(&format!("{name}>")))
        .count();
    assert_eq!(replies, 1, "only Hello reached the persona:\n{text}");
    assert!(text.contains("conversation conv_"), "{text}");
}
