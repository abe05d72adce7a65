//! A real client: the official `openai` Python package, unmodified, against `persona dev serve`.
//! Its Python is named by PERSONA_TEST_PYTHON (scripts/test makes a venv with a pinned openai).

use crate::common::TestEnv;

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

/// The Python to run the client with; without one the test is skipped, except under
/// `scripts/test` (PERSONA_REQUIRE_EXTERNAL), where it fails.
fn python() -> Option<String> {
    match std::env::var("PERSONA_TEST_PYTHON") {
        Ok(python) if !python.is_empty() => Some(python),
        _ if std::env::var_os("PERSONA_REQUIRE_EXTERNAL").is_some() => {
            panic!("PERSONA_TEST_PYTHON is not set: scripts/test makes a venv with openai")
        }
        _ => {
            eprintln!("skipped: PERSONA_TEST_PYTHON is not set (a Python with the openai package)");
            None
        }
    }
}

#[test]
fn the_official_openai_client_works_against_dev_serve() {
    let Some(python) = python() else { return };
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let persona = env.create(BRIEF, &["--language", "en"]);
    let slug = persona["slug"].as_str().unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/openai_client.py"
    );
    let output = env
        .program(&python, &[script])
        .env("PERSONA_API_URL", &server.base_url)
        .env("PERSONA_API_KEY", &server.key)
        .env("PERSONA_MODEL", format!("persona/{slug}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the OpenAI client failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for check in [
        "OK models.list",
        "OK models.retrieve",
        "OK chat.completions.create:",
        "OK chat.completions.create stream=True",
        "OK JSON mode",
        "OK structured outputs",
        "OK tools",
        "OK embeddings.create",
        "OK moderations.create",
        "OK errors",
    ] {
        assert!(stdout.contains(check), "{check} missing from:\n{stdout}");
    }
}
