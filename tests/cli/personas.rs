//! `persona personas`: every command, bad inputs with their exit codes, and the YAML round trips.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Outcome, TestEnv, eventually, list_dir, pyyaml_rewrite, test_python};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const ISTANBUL: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul.";
const BERGEN: &str = "A 52-year-old weathered fisherman in Bergen who distrusts the city.";
const POET: &str = "A 67-year-old retired poet who writes in the early morning.";

/// A brief file with front matter.
fn brief(front_matter: &str, body: &str) -> String {
    format!("---\n{front_matter}---\n{body}\n")
}

/// `personas list --json` with extra flags.
fn list(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["personas", "list", "--json"];
    args.extend_from_slice(extra);
    match env.run(&args).success().json() {
        Value::Array(items) => items,
        other => panic!("list --json printed {other}"),
    }
}

fn slugs(personas: &[Value]) -> Vec<String> {
    personas
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect()
}

/// `personas get REF --json`.
fn get(env: &TestEnv, reference: &str) -> Value {
    env.run(&["personas", "get", reference, "--json"])
        .success()
        .json()
}

/// The four generated layers.
fn layers(persona: &Value) -> Value {
    serde_json::json!({
        "soul": persona["soul"],
        "self": persona["self"],
        "mask": persona["mask"],
        "surface": persona["surface"],
    })
}

/// Pulls `reference` into `file` in the working directory and returns the file's text.
fn pull(env: &TestEnv, reference: &str, file: &str) -> String {
    env.run(&["personas", "pull", reference, "-o", file])
        .success();
    env.read(file)
}

/// `personas pull REF --version N -o FILE`.
fn pull_version(env: &TestEnv, reference: &str, version: &str, file: &str) -> String {
    env.run(&[
        "personas",
        "pull",
        reference,
        "--version",
        version,
        "-o",
        file,
    ])
    .success();
    env.read(file)
}

fn parse_yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap_or_else(|err| panic!("not YAML ({err}):\n{text}"))
}

/// Replaces the value of the first line that starts with `prefix` (e.g. `"    register: "`).
fn replace_line(text: &str, prefix: &str, value: &str) -> String {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !found && line.starts_with(prefix) {
                found = true;
                format!("{prefix}{value}")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(found, "no line starts with {prefix:?} in:\n{text}");
    lines.join("\n") + "\n"
}

/// Sets `mask.voice.register` in a working copy's text.
pub(crate) fn set_register(text: &str, register: &str) -> String {
    replace_line(text, "    register: ", register)
}

/// Writes a shell script into the temp root and returns an `EDITOR` value that runs it.
fn editor_script(env: &TestEnv, name: &str, body: &str) -> String {
    let path = env.path(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    format!("sh {}", path.display())
}

/// True when `text` has `file:LINE:COL` with numeric line and column.
fn has_file_line_col(text: &str, file: &str) -> bool {
    let needle = format!("{file}:");
    text.match_indices(&needle).any(|(start, _)| {
        let rest = &text[start + needle.len()..];
        let mut parts = rest.splitn(3, ':');
        let numeric = |part: Option<&str>| {
            part.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        };
        numeric(parts.next()) && numeric(parts.next()) && parts.next().is_some()
    })
}

/// An invalid input: exit 2, the work directory holds only `files`, and no persona exists.
#[track_caller]
fn assert_rejected_cleanly(env: &TestEnv, outcome: Outcome, files: &[&str]) -> Outcome {
    let outcome = outcome.code(2);
    assert!(
        outcome.stdout.trim().is_empty(),
        "stdout: {}",
        outcome.stdout
    );
    assert_eq!(list_dir(&env.work()), files, "the work directory changed");
    assert!(list(env, &[]).is_empty(), "a persona was created");
    outcome
}

fn is_turkish_letter(c: char) -> bool {
    "çğıöşüÇĞİÖŞÜ".contains(c)
}

// ---------------------------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------------------------

#[test]
fn create_from_a_brief_file_honours_its_front_matter() {
    let env = TestEnv::new();
    env.write(
        "brief.md",
        &brief("language: tr\nvisibility: workspace\nseed: 42\n", ISTANBUL),
    );
    let persona = env
        .run(&["personas", "create", "-f", "brief.md", "--json"])
        .success()
        .json();
    assert_eq!(persona["language"], "tr");
    assert_eq!(persona["visibility"], "workspace");
    assert_eq!(persona["status"], "completed");
    assert_eq!(persona["intent"], ISTANBUL);
    assert_eq!(persona["version"], 1);
    assert!(persona["id"].as_str().unwrap().starts_with("psn_"));

    // The name comes from the Turkish pool: not the one the same brief and seed give in English.
    let english = env.create(
        ISTANBUL,
        &["--seed", "42", "--language", "en", "--slug", "english"],
    );
    let name = persona["surface"]["name"].as_str().unwrap();
    assert_ne!(name, english["surface"]["name"].as_str().unwrap());
    assert!(
        !english["surface"]["name"]
            .as_str()
            .unwrap()
            .chars()
            .any(is_turkish_letter)
    );
}

#[test]
fn the_istanbul_brief_reads_age_role_and_temperament() {
    let env = TestEnv::new();
    let persona = env.create(ISTANBUL, &["--language", "tr"]);
    let surface = &persona["surface"];
    assert_eq!(surface["age"], 35, "{surface}");
    assert!(
        surface["occupation"]
            .as_str()
            .unwrap()
            .contains("Bookseller"),
        "{surface}"
    );
    let big_five = &persona["self"]["big_five"];
    assert!(big_five["E"].as_f64().unwrap() < 0.35, "{big_five}");
    assert!(big_five["O"].as_f64().unwrap() > 0.7, "{big_five}");
    for trait_name in ["O", "C", "E", "A", "N"] {
        let value = big_five[trait_name].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&value), "{trait_name} = {value}");
    }
}

#[test]
fn create_reads_the_brief_from_stdin() {
    let env = TestEnv::new();
    let persona = env
        .run_with_stdin(
            &["personas", "create", "-f", "-", "--json"],
            &brief("language: de\nvisibility: public\n", BERGEN),
        )
        .success()
        .json();
    assert_eq!(persona["intent"], BERGEN);
    assert_eq!(persona["language"], "de");
    assert_eq!(persona["visibility"], "public");
    assert_eq!(list(&env, &[]).len(), 1);
}

#[test]
fn a_brief_may_come_from_a_pipe_with_the_same_size_cap() {
    let env = TestEnv::new();
    env.write("brief.md", &brief("language: tr\n", ISTANBUL));
    let persona = env
        .run_in_bash(r#""$PERSONA" personas create -f <(cat brief.md) --json"#)
        .success()
        .json();
    assert_eq!(persona["intent"], ISTANBUL);
    assert_eq!(persona["language"], "tr");
    let persona = env
        .run_with_stdin(
            &["personas", "create", "-f", "/dev/stdin", "--json"],
            &brief("language: de\n", BERGEN),
        )
        .success()
        .json();
    assert_eq!(persona["language"], "de");

    // A pipe that never ends is refused once past the cap, as a file would be.
    let endless = env
        .run_in_bash(r#""$PERSONA" personas create -f <(yes)"#)
        .code(2);
    assert!(
        endless.stderr.contains("larger than 8 MiB"),
        "{}",
        endless.stderr
    );
    assert_eq!(list(&env, &[]).len(), 2);

    // A working copy, which push writes back, is never a pipe.
    pull(&env, persona["id"].as_str().unwrap(), "bergen.yml");
    let piped = env
        .run_in_bash(r#""$PERSONA" personas push <(cat bergen.yml)"#)
        .code(2);
    assert!(
        piped.stderr.contains("it is a pipe, not a regular file")
            && piped.stderr.contains("rewritten after a push"),
        "{}",
        piped.stderr
    );
}

#[test]
fn create_from_intent_uses_the_defaults() {
    let env = TestEnv::new();
    let persona = env.create(POET, &[]);
    assert_eq!(persona["intent"], POET);
    assert_eq!(persona["language"], "en");
    assert_eq!(persona["visibility"], "private");
    assert_eq!(persona["status"], "completed");
    assert!(persona["parent_id"].is_null());
    assert_eq!(surface_age(&persona), 67);
    assert_eq!(
        get(&env, persona["slug"].as_str().unwrap())["id"],
        persona["id"]
    );
}

fn surface_age(persona: &Value) -> u64 {
    persona["surface"]["age"].as_u64().unwrap()
}

#[test]
fn flags_override_the_front_matter() {
    let env = TestEnv::new();
    env.write(
        "brief.md",
        &brief(
            "language: tr\nvisibility: workspace\nslug: from-the-brief\nseed: 3\n",
            ISTANBUL,
        ),
    );
    let persona = env
        .run(&[
            "personas",
            "create",
            "-f",
            "brief.md",
            "--json",
            "--language",
            "de",
            "--visibility",
            "public",
            "--slug",
            "from-the-flag",
        ])
        .success()
        .json();
    assert_eq!(persona["language"], "de");
    assert_eq!(persona["visibility"], "public");
    assert_eq!(persona["slug"], "from-the-flag");
    // The front matter's seed, not overridden, still applies.
    let again = env.create(
        ISTANBUL,
        &["--seed", "3", "--language", "de", "--slug", "again"],
    );
    assert_eq!(layers(&persona), layers(&again));
}

#[test]
fn create_with_output_writes_a_working_copy() {
    let env = TestEnv::new();
    let persona = env.create(POET, &["-o", "poet.yml"]);
    let copy = parse_yaml(&env.read("poet.yml"));
    assert_eq!(copy["id"], persona["id"]);
    assert_eq!(copy["version"], 1);
    assert_eq!(copy["fingerprint"], persona["fingerprint"]);
    assert!(copy["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(layers(&copy), layers(&persona));
    // The working copy is in sync with the server: nothing to push.
    env.run(&["personas", "diff", "poet.yml", "--exit-code"])
        .success();
}

#[test]
fn create_json_prints_only_the_persona() {
    let env = TestEnv::new();
    let outcome = env
        .run(&["personas", "create", "--intent", POET, "--json"])
        .success();
    let persona: Value = serde_json::from_str(outcome.stdout.trim()).expect("one JSON value");
    assert!(persona.is_object());
    assert!(persona["id"].as_str().unwrap().starts_with("psn_"));
    assert_eq!(
        outcome.stdout.trim().lines().count(),
        1,
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stderr.contains(persona["id"].as_str().unwrap()));
}

#[test]
fn create_without_a_terminal_shows_no_spinner() {
    let env = TestEnv::new();
    let outcome = env
        .run(&["personas", "create", "--intent", ISTANBUL])
        .success();
    let persona = &list(&env, &[])[0];
    assert!(
        outcome
            .stdout
            .contains(persona["surface"]["name"].as_str().unwrap())
    );
    assert!(outcome.stdout.contains(persona["id"].as_str().unwrap()));
    for text in [&outcome.stdout, &outcome.stderr] {
        assert!(!text.contains('\x1b'), "escape code in {text:?}");
        assert!(!text.contains('\r'), "carriage return in {text:?}");
        assert!(
            !text.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
            "spinner frame in {text:?}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_layers() {
    let env = TestEnv::new();
    let first = env.create(ISTANBUL, &["--seed", "7", "--slug", "first"]);
    let second = env.create(ISTANBUL, &["--seed", "7", "--slug", "second"]);
    assert_ne!(first["id"], second["id"]);
    assert_eq!(layers(&first), layers(&second));
    let other = env.create(ISTANBUL, &["--seed", "8", "--slug", "third"]);
    assert_ne!(layers(&first), layers(&other), "the seed changes nothing");
}

#[test]
fn no_wait_prints_the_run_id_and_the_run_completes() {
    let env = TestEnv::new();
    let outcome = env
        .run(&["personas", "create", "--intent", BERGEN, "--no-wait"])
        .success();
    let run_id = outcome.stdout.trim().to_string();
    assert!(run_id.starts_with("run_"), "{}", outcome.stdout);
    assert_eq!(run_id.lines().count(), 1);

    let mut run = Value::Null;
    let completed = eventually(Duration::from_secs(20), || {
        run = env
            .run(&["runs", "get", &run_id, "--json"])
            .success()
            .json();
        run["status"] == "completed"
    });
    assert!(completed, "the run never completed: {run}");
    let personas = list(&env, &[]);
    assert_eq!(personas.len(), 1);
    assert_eq!(personas[0]["id"], run["persona_id"]);
    assert_eq!(personas[0]["status"], "completed");
    assert_eq!(personas[0]["intent"], BERGEN);
}

#[test]
fn a_budget_too_small_exits_7() {
    let env = TestEnv::new();
    let outcome = env
        .run(&[
            "personas",
            "create",
            "--intent",
            ISTANBUL,
            "--budget-usd",
            "0.01",
        ])
        .code(7);
    assert!(
        outcome.stderr.to_lowercase().contains("budget"),
        "{}",
        outcome.stderr
    );
    // `code: ...  request: req_...`: a request line never shows an empty id.
    for (at, _) in outcome.stderr.match_indices("request:") {
        let rest = outcome.stderr[at + "request:".len()..].trim_start_matches(' ');
        assert!(
            rest.starts_with("req_"),
            "empty request id in:\n{}",
            outcome.stderr
        );
    }
    let outcome = env
        .run(&[
            "personas",
            "create",
            "--intent",
            ISTANBUL,
            "--budget-usd",
            "0.1",
            "--json",
        ])
        .code(7);
    let error = outcome.json();
    assert_eq!(error["error"]["code"], "persona.cost_budget_exceeded");
    let request_id = &error["error"]["request_id"];
    assert!(
        request_id.is_null() || request_id.as_str().is_some_and(|id| id.starts_with("req_")),
        "{error}"
    );

    // The failed persona's run summary tells what its run spent.
    let run_id = error["error"]["run_id"].as_str().unwrap();
    let run = env.run(&["runs", "get", run_id, "--json"]).success().json();
    let failed = get(&env, run["persona_id"].as_str().unwrap());
    assert_eq!(failed["status"], "failed");
    // It ran the steps the budget allowed, and stopped before the one that would pass it.
    assert!(run["tokens"].as_u64().unwrap() > 0, "{run}");
    assert!(run["cost_usd"].as_f64().unwrap() <= 0.1, "{run}");
    assert_eq!(failed["run"]["tokens"], run["tokens"]);
    assert_eq!(failed["run"]["cost_usd"], run["cost_usd"]);
}

// ---------------------------------------------------------------------------------------------
// bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn a_brief_with_front_matter_and_no_body_is_rejected() {
    let env = TestEnv::new();
    env.write("brief.md", "---\nlanguage: tr\n---\n\n  \n");
    let outcome = env.run(&["personas", "create", "-f", "brief.md"]);
    let outcome = assert_rejected_cleanly(&env, outcome, &["brief.md"]);
    assert!(outcome.stderr.contains("brief.md"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("no text"), "{}", outcome.stderr);
    let outcome = env.run_with_stdin(&["personas", "create", "-f", "-"], "\n  \n");
    let outcome = assert_rejected_cleanly(&env, outcome, &["brief.md"]);
    assert!(outcome.stderr.contains("empty"), "{}", outcome.stderr);
}

#[test]
fn an_intent_over_4000_characters_is_rejected_with_its_count() {
    let env = TestEnv::new();
    let long = "ş".repeat(4001);
    let outcome = env.run(&["personas", "create", "--intent", &long]);
    let outcome = assert_rejected_cleanly(&env, outcome, &[]);
    assert!(outcome.stderr.contains("4001"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("4000"), "{}", outcome.stderr);

    env.write("long.md", &brief("language: tr\n", &"a".repeat(4321)));
    let outcome = env.run(&["personas", "create", "-f", "long.md"]);
    let outcome = assert_rejected_cleanly(&env, outcome, &["long.md"]);
    assert!(outcome.stderr.contains("4321"), "{}", outcome.stderr);
}

#[test]
fn an_unknown_front_matter_key_is_named_with_its_line() {
    let env = TestEnv::new();
    env.write("brief.md", &brief("language: tr\ncolour: red\n", ISTANBUL));
    let outcome = env.run(&["personas", "create", "-f", "brief.md"]);
    let outcome = assert_rejected_cleanly(&env, outcome, &["brief.md"]);
    assert!(outcome.stderr.contains("colour"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("line 3"), "{}", outcome.stderr);
}

#[test]
fn a_yaml_syntax_error_in_front_matter_gives_the_line() {
    let env = TestEnv::new();
    env.write(
        "brief.md",
        &brief("language: tr\nseed: 1\nvisibility: a: b\n", ISTANBUL),
    );
    let outcome = env.run(&["personas", "create", "-f", "brief.md"]);
    let outcome = assert_rejected_cleanly(&env, outcome, &["brief.md"]);
    assert!(outcome.stderr.contains("line 4"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("brief.md"), "{}", outcome.stderr);
}

#[test]
fn a_wrong_type_in_front_matter_is_rejected() {
    let env = TestEnv::new();
    env.write("brief.md", &brief("seed: abc\n", ISTANBUL));
    let outcome = env.run(&["personas", "create", "-f", "brief.md"]);
    let outcome = assert_rejected_cleanly(&env, outcome, &["brief.md"]);
    assert!(outcome.stderr.contains("seed"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("integer"), "{}", outcome.stderr);
}

#[test]
fn a_missing_brief_file_is_rejected() {
    let env = TestEnv::new();
    let outcome = env.run(&["personas", "create", "-f", "nowhere.md"]);
    let outcome = assert_rejected_cleanly(&env, outcome, &[]);
    assert!(outcome.stderr.contains("nowhere.md"), "{}", outcome.stderr);
}

#[test]
fn an_unknown_visibility_is_a_usage_error() {
    let env = TestEnv::new();
    let outcome = env.run(&[
        "personas",
        "create",
        "--intent",
        POET,
        "--visibility",
        "secret",
    ]);
    let outcome = assert_rejected_cleanly(&env, outcome, &[]);
    assert!(outcome.stderr.contains("secret"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("private"), "{}", outcome.stderr);
}

#[test]
fn an_unknown_persona_exits_3() {
    let env = TestEnv::new();
    let outcome = env.run(&["personas", "get", "nope"]).code(3);
    assert!(outcome.stderr.contains("nope"), "{}", outcome.stderr);
    assert!(outcome.stdout.is_empty());
    for args in [
        &["personas", "versions", "nope"][..],
        &["personas", "pull", "nope"],
        &["personas", "archive", "nope"],
        &["personas", "fork", "nope"],
    ] {
        env.run(args).code(3);
    }
    assert!(list_dir(&env.work()).is_empty());
}

#[test]
fn a_wrong_reference_suggests_the_nearest_slugs() {
    let env = TestEnv::new();
    env.create(ISTANBUL, &["--slug", "the-istanbul-bookseller"]);
    env.create(BERGEN, &["--slug", "the-bergen-fisherman"]);
    for args in [
        &["personas", "get", "the-istanbul-bookseler"][..],
        &["personas", "versions", "the-istanbul-bookseler"],
        &["personas", "pull", "the-istanbul-bookseler"],
        &["personas", "archive", "the-istanbul-bookseler"],
        &["personas", "fork", "the-istanbul-bookseler"],
        &["chat", "the-istanbul-bookseler", "-m", "hello"],
    ] {
        let outcome = env.run(args).code(3);
        assert!(
            outcome
                .stderr
                .contains("hint: did you mean `the-istanbul-bookseller`?"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    let error = env
        .run(&["personas", "get", "the-bergen-fishermen@v1", "--json"])
        .code(3)
        .json();
    assert_eq!(
        error["error"]["hint"],
        "did you mean `the-bergen-fisherman@v1`?"
    );
    let missing_version = env
        .run(&["personas", "get", "the-bergen-fisherman@v9"])
        .code(3);
    assert!(
        missing_version.stderr.contains("has no version 9")
            && missing_version
                .stderr
                .contains("persona personas versions the-bergen-fisherman"),
        "{}",
        missing_version.stderr
    );
    let far = env.run(&["personas", "get", "lighthouse-keeper"]).code(3);
    assert!(
        far.stderr
            .contains("hint: list the personas with `persona personas list`"),
        "{}",
        far.stderr
    );
    assert!(list_dir(&env.work()).is_empty());
}

#[test]
fn diff_or_push_of_a_persona_reference_says_to_pull_a_working_copy() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "the-poet"]);
    for verb in ["diff", "push"] {
        let outcome = env.run(&["personas", verb, "the-poet"]).code(2);
        assert!(
            outcome.stderr.contains("there is no file the-poet")
                && outcome.stderr.contains("working copy")
                && outcome
                    .stderr
                    .contains("`persona personas pull the-poet -o the-poet.yml`"),
            "{verb}: {}",
            outcome.stderr
        );
        assert!(!outcome.stderr.contains("os error"), "{}", outcome.stderr);
    }
    let outcome = env
        .run(&["personas", "diff", "drafts/the-poet.yml"])
        .code(2);
    assert!(
        outcome.stderr.contains("hint: check the path"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn pushing_a_brief_says_to_create_a_persona_from_it() {
    let env = TestEnv::new();
    env.write("brief.md", &brief("language: tr\nseed: 7\n", ISTANBUL));
    env.write("notes.md", &format!("{POET}\n"));
    for (verb, file) in [
        ("push", "brief.md"),
        ("diff", "brief.md"),
        ("push", "notes.md"),
    ] {
        let outcome = env.run(&["personas", verb, file]).code(2);
        assert!(
            outcome.stderr.contains(&format!("{file} is a brief"))
                && outcome
                    .stderr
                    .contains(&format!("`persona personas create -f {file}`")),
            "{verb} {file}: {}",
            outcome.stderr
        );
        assert!(
            !outcome.stderr.contains("more than one document"),
            "{}",
            outcome.stderr
        );
    }
    // What the hint says works.
    env.run(&["personas", "create", "-f", "brief.md", "--json"])
        .success();
}

#[test]
fn budgets_are_positive_numbers_and_the_abort_says_the_run_would_exceed() {
    let env = TestEnv::new();
    for bad in ["-1", "-0.5", "0", "abc", "inf", "NaN"] {
        let outcome = env
            .run(&["personas", "create", "--intent", POET, "--budget-usd", bad])
            .code(2);
        assert!(
            outcome
                .stderr
                .contains("a budget is a positive number of US dollars"),
            "{bad}: {}",
            outcome.stderr
        );
        assert!(
            !outcome.stderr.contains("unexpected argument"),
            "{}",
            outcome.stderr
        );
    }
    assert!(list(&env, &[]).is_empty());

    let outcome = env
        .run(&[
            "personas",
            "create",
            "--intent",
            POET,
            "--budget-usd",
            "0.01",
        ])
        .code(7);
    assert!(
        outcome.stderr.contains("Run aborted before step")
            && outcome.stderr.contains("would cost")
            && outcome.stderr.contains("over its budget of $0.01"),
        "{}",
        outcome.stderr
    );
    // The cap holds: what the run spent stays within it.
    let runs = env.run(&["runs", "list", "--json"]).success().json();
    assert!(runs[0]["cost_usd"].as_f64().unwrap() <= 0.01, "{runs}");
}

#[test]
fn a_data_directory_that_cannot_be_used_is_named_with_how_to_fix_it() {
    let mut env = TestEnv::new();
    let file = env.write("not-a-directory", "x");
    env.set("PERSONA_DATA_DIR", file.to_str().unwrap());
    let outcome = env.run(&["personas", "list"]).code(1);
    assert!(
        outcome.stderr.contains("cannot use the data directory")
            && outcome.stderr.contains("PERSONA_DATA_DIR"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("os error"), "{}", outcome.stderr);
}

#[test]
fn json_errors_go_to_stdout() {
    let env = TestEnv::new();
    let outcome = env.run(&["personas", "get", "nope", "--json"]).code(3);
    let error = outcome.json();
    assert_eq!(error["error"]["code"], "resource.not_found");
    assert!(error["error"]["message"].as_str().unwrap().contains("nope"));

    // Arguments that cannot be parsed at all are usage errors, as JSON when asked.
    for (args, says) in [
        (vec!["--json", "personas", "get"], "<REF>"),
        (vec!["--json", "no-such-command"], "no-such-command"),
        (
            vec![
                "personas",
                "create",
                "--intent",
                "x",
                "--budget-usd",
                "abc",
                "--json",
            ],
            "abc",
        ),
    ] {
        let error = env.run(&args).code(2).json();
        assert_eq!(error["error"]["exit_code"], 2, "{args:?}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{args:?}: {message}");
    }
}

#[test]
fn a_taken_slug_exits_5() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "the-poet"]);
    let outcome = env
        .run(&[
            "personas", "create", "--intent", BERGEN, "--slug", "the-poet",
        ])
        .code(5);
    assert!(outcome.stderr.contains("the-poet"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("--slug"), "{}", outcome.stderr);
    let personas = list(&env, &[]);
    assert_eq!(slugs(&personas), ["the-poet"]);
    assert_eq!(personas[0]["intent"], POET);
}

// ---------------------------------------------------------------------------------------------
// list, get, versions, fork, archive
// ---------------------------------------------------------------------------------------------

#[test]
fn list_filters_by_query_visibility_and_limit() {
    let env = TestEnv::new();
    let bergen = env.create(BERGEN, &["--visibility", "public"]);
    let istanbul = env.create(ISTANBUL, &["--visibility", "workspace"]);
    let poet = env.create(POET, &[]);

    let all = list(&env, &[]);
    // Newest first.
    assert_eq!(
        all.iter().map(|p| p["id"].clone()).collect::<Vec<_>>(),
        [
            poet["id"].clone(),
            istanbul["id"].clone(),
            bergen["id"].clone()
        ]
    );
    let found = list(&env, &["--query", "Bergen"]);
    assert_eq!(slugs(&found), [bergen["slug"].as_str().unwrap()]);
    assert!(list(&env, &["--query", "no-such-words-anywhere"]).is_empty());
    let public = list(&env, &["--visibility", "public"]);
    assert_eq!(slugs(&public), [bergen["slug"].as_str().unwrap()]);
    let private = list(&env, &["--visibility", "private"]);
    assert_eq!(slugs(&private), [poet["slug"].as_str().unwrap()]);
    assert_eq!(list(&env, &["--limit", "2"]).len(), 2);
    env.run(&["personas", "list", "--limit", "0"]).code(2);
}

#[test]
fn list_all_follows_every_page() {
    let env = TestEnv::new();
    for n in 0..25 {
        env.create(
            &format!("A cartographer of rivers, number {n}"),
            &["--slug", &format!("mapper-{n}")],
        );
    }
    assert_eq!(list(&env, &["--limit", "10"]).len(), 10);
    let all = list(&env, &["--limit", "10", "--all"]);
    let mut ids: Vec<String> = all
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 25);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25, "a persona was listed twice");
}

#[test]
fn piped_list_is_tab_separated_without_a_header() {
    let env = TestEnv::new();
    let first = env.create(POET, &[]);
    let second = env.create(BERGEN, &["--visibility", "public"]);
    let outcome = env.run(&["personas", "list"]).success();
    let rows: Vec<Vec<&str>> = outcome
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{}", outcome.stdout);
    for (row, persona) in rows.iter().zip([&second, &first]) {
        assert!(row.len() >= 5, "{row:?}");
        assert_eq!(row[0], persona["id"].as_str().unwrap());
        assert_eq!(row[1], persona["slug"].as_str().unwrap());
        assert!(
            row.contains(&persona["surface"]["name"].as_str().unwrap()),
            "{row:?}"
        );
        assert!(
            row.contains(&persona["visibility"].as_str().unwrap()),
            "{row:?}"
        );
    }
    assert!(
        !outcome.stdout.to_lowercase().contains("slug"),
        "a header: {}",
        outcome.stdout
    );
}

#[test]
fn get_by_id_slug_and_version() {
    let env = TestEnv::new();
    let persona = env.create(POET, &["--slug", "poet"]);
    let by_id = get(&env, persona["id"].as_str().unwrap());
    let by_slug = get(&env, "poet");
    assert_eq!(by_id, by_slug);
    assert_eq!(by_id["fingerprint"], persona["fingerprint"]);

    let original_register = persona["mask"]["voice"]["register"]
        .as_str()
        .unwrap()
        .to_string();
    let text = pull(&env, "poet", "poet.yml");
    env.write("poet.yml", &set_register(&text, "brisk and dry"));
    env.run(&["personas", "push", "poet.yml"]).success();

    let current = get(&env, "poet");
    assert_eq!(current["version"], 2);
    assert_eq!(current["mask"]["voice"]["register"], "brisk and dry");
    let v1 = get(&env, "poet@v1");
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["mask"]["voice"]["register"], original_register.as_str());
    assert_eq!(v1["fingerprint"], persona["fingerprint"]);
    env.run(&["personas", "get", "poet@v9"]).code(3);

    let human = env.run(&["personas", "get", "poet"]).success();
    assert!(
        human
            .stdout
            .contains(persona["surface"]["name"].as_str().unwrap())
    );
    assert!(human.stdout.contains("brisk and dry"));

    let yaml = env.run(&["personas", "get", "poet", "--yaml"]).success();
    let copy = parse_yaml(&yaml.stdout);
    assert_eq!(copy["id"], persona["id"]);
    assert_eq!(copy["version"], 2);
    assert_eq!(copy["fingerprint"], current["fingerprint"]);
    assert_eq!(layers(&copy), layers(&current));
}

#[test]
fn versions_lists_each_push() {
    let env = TestEnv::new();
    let persona = env.create(BERGEN, &["--slug", "fisher"]);
    let versions = env
        .run(&["personas", "versions", "fisher", "--json"])
        .success()
        .json();
    assert_eq!(versions.as_array().unwrap().len(), 1);

    let text = pull(&env, "fisher", "fisher.yml");
    env.write("fisher.yml", &set_register(&text, "slow and salty"));
    env.run(&["personas", "push", "fisher.yml"]).success();

    let versions = env
        .run(&["personas", "versions", "fisher", "--json"])
        .success()
        .json();
    let versions = versions.as_array().unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v["version"].clone())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(versions[0]["fingerprint"], persona["fingerprint"]);
    assert_eq!(
        versions[1]["fingerprint"],
        get(&env, "fisher")["fingerprint"]
    );
    assert_ne!(versions[0]["fingerprint"], versions[1]["fingerprint"]);

    // A past version pulls as a working copy of that version, and pushing it is stale.
    let old = pull_version(&env, "fisher", "1", "v1.yml");
    let copy = parse_yaml(&old);
    assert_eq!(copy["version"], 1);
    assert_eq!(copy["fingerprint"], persona["fingerprint"]);
    env.write("v1.yml", &set_register(&old, "from the past"));
    env.run(&["personas", "push", "v1.yml"]).code(5);
    assert_eq!(get(&env, "fisher")["version"], 2);

    let human = env.run(&["personas", "versions", "fisher"]).success();
    let firsts: Vec<&str> = human
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(firsts, ["v1", "v2"], "{}", human.stdout);
}

#[test]
fn fork_without_and_with_an_intent() {
    let env = TestEnv::new();
    let parent = env.create(POET, &["--slug", "poet"]);

    let plain = env
        .run(&["personas", "fork", "poet", "--json"])
        .success()
        .json();
    assert_eq!(plain["parent_id"], parent["id"]);
    assert_ne!(plain["id"], parent["id"]);
    assert_ne!(plain["slug"], parent["slug"]);
    assert_eq!(layers(&plain), layers(&parent));

    let refined = env
        .run(&[
            "personas",
            "fork",
            "poet",
            "--intent",
            "Now a 45-year-old teacher in Lisbon",
            "--slug",
            "lisbon-teacher",
            "--visibility",
            "public",
            "--json",
        ])
        .success()
        .json();
    assert_eq!(refined["parent_id"], parent["id"]);
    assert_eq!(refined["slug"], "lisbon-teacher");
    assert_eq!(refined["visibility"], "public");
    assert_eq!(refined["surface"]["age"], 45, "{}", refined["surface"]);
    assert_ne!(layers(&refined), layers(&parent));
    // The parent is untouched.
    assert_eq!(get(&env, "poet"), get(&env, parent["id"].as_str().unwrap()));
    assert_eq!(get(&env, "poet")["version"], 1);
    assert_eq!(list(&env, &[]).len(), 3);
}

#[test]
fn archive_hides_from_lists() {
    let env = TestEnv::new();
    let kept = env.create(POET, &["--slug", "kept"]);
    let gone = env.create(BERGEN, &["--slug", "gone"]);
    let archived = env
        .run(&["personas", "archive", "gone", "--json"])
        .success()
        .json();
    assert!(archived["archived_at"].is_string(), "{archived}");

    assert_eq!(slugs(&list(&env, &[])), ["kept"]);
    let listed = list(&env, &["--archived"]);
    assert_eq!(slugs(&listed), ["gone"]);
    assert_eq!(listed[0]["id"], gone["id"]);
    // Still readable.
    assert!(get(&env, "gone")["archived_at"].is_string());
    assert!(get(&env, "kept")["archived_at"].is_null());
    assert_ne!(kept["id"], gone["id"]);
}

#[test]
fn unarchive_brings_a_persona_back_and_a_slug_collision_names_the_archived_holder() {
    let env = TestEnv::new();
    let gone = env.create(BERGEN, &["--slug", "young-bookseller"]);
    let id = gone["id"].as_str().unwrap();
    env.run(&["personas", "archive", "young-bookseller"])
        .success();
    let take_the_slug = || {
        env.run(&[
            "personas",
            "create",
            "--intent",
            POET,
            "--slug",
            "young-bookseller",
        ])
        .code(5)
    };

    let taken = take_the_slug();
    assert!(
        taken
            .stderr
            .contains(&format!("held by the archived persona {id}"))
            && taken.stderr.contains(&format!(
                "hint: bring the archived persona back with `persona personas unarchive {id}`"
            )),
        "{}",
        taken.stderr
    );

    let back = env
        .run(&["personas", "unarchive", id, "--json"])
        .success()
        .json();
    assert!(back["archived_at"].is_null(), "{back}");
    assert_eq!(back["version"], 1);
    assert_eq!(slugs(&list(&env, &[])), ["young-bookseller"]);
    assert!(list(&env, &["--archived"]).is_empty());
    // Again: nothing to do, same answer.
    let again = env
        .run(&["personas", "unarchive", "young-bookseller"])
        .success();
    assert!(
        again.stderr.contains("Unarchived young-bookseller"),
        "{}",
        again.stderr
    );
    // A live persona's slug: the collision names it, and says to choose another.
    let taken = take_the_slug();
    assert!(
        taken.stderr.contains(&format!("used by persona {id}"))
            && taken
                .stderr
                .contains("hint: choose another slug with `--slug`"),
        "{}",
        taken.stderr
    );
    let unknown = env
        .run(&["personas", "unarchive", "young-bookseler"])
        .code(3);
    assert!(
        unknown.stderr.contains("did you mean `young-bookseller`?"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn failed_creations_are_listed_only_when_asked_for_with_what_failed() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "the-poet"]);
    env.run(&[
        "personas",
        "create",
        "--intent",
        BERGEN,
        "--budget-usd",
        "0.01",
    ])
    .code(7);

    assert_eq!(slugs(&list(&env, &[])), ["the-poet"]);
    let human = env.run(&["personas", "list"]).success();
    assert!(!human.stdout.contains("failed"), "{}", human.stdout);

    let failed = list(&env, &["--status", "failed"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["status"], "failed");
    assert_eq!(failed[0]["intent"], BERGEN);
    // The human view says what was asked for and what failed.
    let human = env
        .run(&["personas", "list", "--status", "failed"])
        .success();
    let row = human.stdout.lines().next().unwrap_or_default();
    let columns: Vec<&str> = row.split('\t').collect();
    assert_eq!(columns.len(), 5, "{row}");
    assert_eq!(columns[0], failed[0]["id"]);
    assert_eq!(columns[1], "failed");
    assert!(
        columns[2].starts_with("A 52-year-old weathered fisherman"),
        "{row}"
    );
    assert!(
        columns[3].starts_with("Run aborted before step") && columns[3].contains("budget"),
        "{row}"
    );

    assert_eq!(list(&env, &["--status", "all"]).len(), 2);
    assert_eq!(list(&env, &["--status", "completed,failed"]).len(), 2);
    let wrong = env.run(&["personas", "list", "--status", "broken"]).code(2);
    assert!(wrong.stderr.contains("failed"), "{}", wrong.stderr);
}

// ---------------------------------------------------------------------------------------------
// YAML round trips, push, pull
// ---------------------------------------------------------------------------------------------

#[test]
fn pull_parses_its_own_flags() {
    let env = TestEnv::new();
    let outcome = env.run(&["personas", "pull", "--help"]).success();
    assert!(outcome.stdout.contains("--force"), "{}", outcome.stdout);
}

#[test]
fn pull_then_push_changes_nothing() {
    let env = TestEnv::new();
    let persona = env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let outcome = env.run(&["personas", "push", "poet.yml"]).success();
    assert!(outcome.stderr.contains("up to date"), "{}", outcome.stderr);
    assert_eq!(env.read("poet.yml"), text);
    let after = get(&env, "poet");
    assert_eq!(after["version"], 1);
    assert_eq!(after["fingerprint"], persona["fingerprint"]);
    assert_eq!(after["updated_at"], persona["updated_at"]);
}

#[test]
fn pull_twice_gives_identical_bytes() {
    let env = TestEnv::new();
    env.create(ISTANBUL, &["--slug", "bookseller", "--language", "tr"]);
    let first = pull(&env, "bookseller", "a.yml");
    let outcome = env
        .run(&["personas", "pull", "bookseller", "-o", "a.yml"])
        .success();
    assert_eq!(env.read("a.yml"), first, "{}", outcome.stderr);
    let other = pull(&env, "bookseller", "b.yml");
    assert_eq!(other, first);
    // The default file name is the slug.
    env.run(&["personas", "pull", "bookseller"]).success();
    assert_eq!(env.read("bookseller.yml"), first);
    assert_eq!(list_dir(&env.work()), ["a.yml", "b.yml", "bookseller.yml"]);
}

#[test]
fn pull_edit_push_pull_gives_the_edit() {
    let env = TestEnv::new();
    let persona = env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let edited = set_register(&text, "brisk, wry and dry");
    assert_ne!(edited, text);
    env.write("poet.yml", &edited);

    let outcome = env.run(&["personas", "push", "poet.yml"]).success();
    assert!(outcome.stderr.contains("v2"), "{}", outcome.stderr);
    let server = get(&env, "poet");
    assert_eq!(server["version"], 2);
    assert_eq!(server["mask"]["voice"]["register"], "brisk, wry and dry");
    assert_ne!(server["fingerprint"], persona["fingerprint"]);

    let rewritten = env.read("poet.yml");
    let copy = parse_yaml(&rewritten);
    assert_eq!(copy["version"], 2);
    assert_eq!(copy["fingerprint"], server["fingerprint"]);
    assert_eq!(copy["mask"]["voice"]["register"], "brisk, wry and dry");

    let pulled = pull(&env, "poet", "again.yml");
    assert!(pulled.contains("register: brisk, wry and dry"), "{pulled}");
    assert_eq!(pulled, rewritten);
    // Pushing the rewritten file again is a no-op.
    env.run(&["personas", "push", "poet.yml"]).success();
    assert_eq!(get(&env, "poet")["version"], 2);
}

#[test]
fn a_norwegian_persona_survives_the_round_trip() {
    let env = TestEnv::new();
    let persona = env.create(BERGEN, &["--language", "no", "--slug", "fisher"]);
    assert_eq!(persona["language"], "no");
    let text = pull(&env, "fisher", "fisher.yml");
    assert!(
        text.lines()
            .any(|l| l == "language: \"no\"" || l == "language: 'no'"),
        "{text}"
    );
    assert_eq!(parse_yaml(&text)["language"], "no");

    env.run(&["personas", "push", "fisher.yml"]).success();
    assert_eq!(env.read("fisher.yml"), text);
    env.write("fisher.yml", &set_register(&text, "slow and salty"));
    env.run(&["personas", "push", "fisher.yml"]).success();
    let server = get(&env, "fisher");
    assert_eq!(server["language"], "no");
    assert_eq!(server["version"], 2);
    let rewritten = env.read("fisher.yml");
    assert!(
        rewritten
            .lines()
            .any(|l| l == "language: \"no\"" || l == "language: 'no'"),
        "{rewritten}"
    );
}

#[test]
fn pull_to_dash_prints_the_yaml_and_empty_or_unknown_references_are_named() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let printed = env.run(&["personas", "pull", "poet", "-o", "-"]).success();
    assert_eq!(printed.stdout, text);
    assert!(!env.work().join("-").exists());

    let empty = env.run(&["personas", "get", ""]).code(2);
    assert!(empty.stderr.contains("<REF>"), "{}", empty.stderr);
    for verb in ["archive", "get"] {
        let missing = env.run(&["personas", verb, "nope"]).code(3);
        assert!(
            missing.stderr.contains("nope"),
            "{verb}: {}",
            missing.stderr
        );
    }
}

#[test]
fn pushing_several_files_reports_each_even_when_one_fails() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    env.write(
        "poet.yml",
        &set_register(&text, "pushed with a missing friend"),
    );
    let outcome = env
        .run(&["personas", "push", "poet.yml", "missing.yml", "--json"])
        .code(2);
    let reports = outcome.json();
    let reports = reports.as_array().expect("one entry per file");
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0]["file"], "poet.yml");
    assert_eq!(reports[0]["version"], 2);
    assert_eq!(reports[0]["changed"], true);
    assert_eq!(reports[1]["file"], "missing.yml");
    assert!(
        reports[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing.yml")
    );
    assert_eq!(get(&env, "poet")["version"], 2);
}

#[test]
fn a_working_copy_whose_id_was_edited_is_never_pushed_onto_another_persona() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let tailor = env.create("a tailor in Lyon", &["--slug", "tailor"]);
    let tailor_id = tailor["id"].as_str().unwrap();
    let text = pull(&env, "poet", "poet.yml");
    let hijacked = replace_line(&replace_line(&text, "id: ", tailor_id), "slug: ", "tailor");
    let hijacked = set_register(&hijacked, "the poet's voice");
    env.write("poet.yml", &hijacked);
    for force in [false, true] {
        let mut args = vec!["personas", "push", "poet.yml"];
        if force {
            args.push("--force");
        }
        let outcome = env.run(&args).code(2);
        assert!(
            outcome.stderr.contains("not a working copy of"),
            "{}",
            outcome.stderr
        );
    }
    assert_eq!(get(&env, "tailor")["version"], 1);
    assert_eq!(env.read("poet.yml"), hijacked);
}

#[test]
fn a_stale_push_changes_nothing_until_forced() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let a = pull(&env, "poet", "a.yml");
    let b = pull(&env, "poet", "b.yml");
    env.write("a.yml", &set_register(&a, "from a"));
    env.run(&["personas", "push", "a.yml"]).success();
    let after_a = get(&env, "poet");
    assert_eq!(after_a["version"], 2);

    let b_edited = set_register(&b, "from b");
    env.write("b.yml", &b_edited);
    let outcome = env.run(&["personas", "push", "b.yml"]).code(5);
    assert!(
        outcome.stderr.contains("diff") || outcome.stderr.contains("--force"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("hint:"), "{}", outcome.stderr);
    assert_eq!(env.read("b.yml"), b_edited, "the stale file was changed");
    assert_eq!(get(&env, "poet"), after_a, "the server was changed");

    let json = env
        .run(&["personas", "push", "b.yml", "--json"])
        .code(5)
        .json();
    assert_eq!(json["error"]["code"], "persona.version_conflict");

    env.run(&["personas", "push", "b.yml", "--force"]).success();
    let forced = get(&env, "poet");
    assert_eq!(forced["version"], 3);
    assert_eq!(forced["mask"]["voice"]["register"], "from b");
    let copy = parse_yaml(&env.read("b.yml"));
    assert_eq!(copy["version"], 3);
    assert_eq!(copy["fingerprint"], forced["fingerprint"]);
}

#[test]
fn pull_refuses_to_overwrite_local_edits_unless_forced() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let edited = set_register(&text, "mine, not yet pushed");
    env.write("poet.yml", &edited);

    let outcome = env
        .run(&["personas", "pull", "poet", "-o", "poet.yml"])
        .code(5);
    assert!(outcome.stderr.contains("--force"), "{}", outcome.stderr);
    assert_eq!(env.read("poet.yml"), edited);

    env.run(&["personas", "pull", "poet", "-o", "poet.yml", "--force"])
        .success();
    assert_eq!(env.read("poet.yml"), text);
}

#[cfg(unix)]
#[test]
fn pull_writes_through_a_symlink_and_refuses_what_is_not_a_regular_file() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    env.write("real.yml", "old");
    std::os::unix::fs::symlink("real.yml", env.work().join("link.yml")).unwrap();
    env.run(&["personas", "pull", "poet", "-o", "link.yml", "--force"])
        .success();
    let link = std::fs::symlink_metadata(env.work().join("link.yml")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert!(env.read("real.yml").contains("slug: poet"));

    // A directory or a pipe is neither read nor replaced (a device would be the same).
    std::fs::create_dir(env.work().join("a-directory")).unwrap();
    let fifo = env.work().join("a-pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for target in ["a-directory", "a-pipe"] {
        let outcome = env
            .run(&["personas", "pull", "poet", "-o", target, "--force"])
            .code(2);
        assert!(
            outcome.stderr.contains("not a regular file"),
            "{target}: {}",
            outcome.stderr
        );
        let outcome = env.run(&["personas", "push", target]).code(2);
        assert!(
            outcome.stderr.contains("not a regular file"),
            "{target}: {}",
            outcome.stderr
        );
    }
    // A brief may be a pipe; a named one with no writer reads as empty, without waiting.
    let outcome = env
        .run(&["personas", "create", "-f", "a-directory"])
        .code(2);
    assert!(
        outcome
            .stderr
            .contains("it is a directory, not a regular file"),
        "{}",
        outcome.stderr
    );
    let outcome = env.run(&["personas", "create", "-f", "a-pipe"]).code(2);
    assert!(
        outcome.stderr.contains("the brief is empty"),
        "{}",
        outcome.stderr
    );
    assert!(env.work().join("a-directory").is_dir());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn a_working_copy_or_brief_over_8_mib_is_refused_before_it_is_read_whole() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let huge = format!("{text}# {}\n", "x".repeat(9 * 1024 * 1024));
    env.write("poet.yml", &huge);
    env.write("brief.md", &huge);
    for command in [
        vec!["personas", "push", "poet.yml"],
        vec!["personas", "diff", "poet.yml"],
        vec!["personas", "create", "-f", "brief.md"],
    ] {
        let outcome = env.run(&command).code(2);
        assert!(
            outcome.stderr.contains("larger than 8 MiB"),
            "{command:?}: {}",
            outcome.stderr
        );
    }
    assert_eq!(env.read("poet.yml"), huge);
}

#[test]
fn pushing_a_yaml_syntax_error_gives_file_line_and_column() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let broken = set_register(&text, "[never closed");
    env.write("poet.yml", &broken);
    let outcome = env.run(&["personas", "push", "poet.yml"]).code(2);
    assert!(
        has_file_line_col(&outcome.stderr, "poet.yml"),
        "{}",
        outcome.stderr
    );
    assert_eq!(env.read("poet.yml"), broken);
    assert_eq!(get(&env, "poet")["version"], 1);
}

#[test]
fn changing_a_read_only_field_is_refused() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let edited = replace_line(&text, "intent: ", "\"A completely different character.\"");
    env.write("poet.yml", &edited);
    let outcome = env.run(&["personas", "push", "poet.yml"]).code(2);
    assert!(outcome.stderr.contains("intent"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("read-only"), "{}", outcome.stderr);
    assert_eq!(env.read("poet.yml"), edited);
    let server = get(&env, "poet");
    assert_eq!(server["version"], 1);
    assert_eq!(server["intent"], POET);
}

#[test]
fn changing_a_read_only_field_with_an_editable_one_is_refused() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let edited = set_register(
        &replace_line(&text, "intent: ", "\"A completely different character.\""),
        "changed too",
    );
    env.write("poet.yml", &edited);
    let outcome = env.run(&["personas", "push", "poet.yml"]).code(2);
    assert!(outcome.stderr.contains("`intent`"), "{}", outcome.stderr);
    assert_eq!(get(&env, "poet")["version"], 1);
}

#[test]
fn a_schema_violation_names_the_field() {
    let env = TestEnv::new();
    env.create(ISTANBUL, &["--slug", "bookseller"]);
    let text = pull(&env, "bookseller", "b.yml");
    let edited = replace_line(&text, "    O: ", "1.5");
    env.write("b.yml", &edited);
    let outcome = env.run(&["personas", "push", "b.yml"]).code(2);
    assert!(
        outcome.stderr.contains("/self/big_five/O") || outcome.stderr.contains("big_five.O"),
        "{}",
        outcome.stderr
    );
    let json = env
        .run(&["personas", "push", "b.yml", "--json"])
        .code(2)
        .json();
    assert_eq!(json["error"]["code"], "persona.schema_violation");
    let pointers: Vec<&str> = json["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/self/big_five/O"]);
    assert_eq!(env.read("b.yml"), edited);
    assert_eq!(get(&env, "bookseller")["version"], 1);
}

// ---------------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------------

#[test]
fn diff_shows_edits_and_exit_code_reports_them() {
    let env = TestEnv::new();
    let persona = env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let same = env.run(&["personas", "diff", "poet.yml"]).success();
    assert!(same.stdout.is_empty(), "{}", same.stdout);
    env.run(&["personas", "diff", "poet.yml", "--exit-code"])
        .success();

    let old = persona["mask"]["voice"]["register"].as_str().unwrap();
    env.write("poet.yml", &set_register(&text, "sharper than before"));
    let outcome = env.run(&["personas", "diff", "poet.yml"]).success();
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert!(
        lines.contains(&format!("-    register: {old}").as_str()),
        "{}",
        outcome.stdout
    );
    assert!(
        lines.contains(&"+    register: sharper than before"),
        "{}",
        outcome.stdout
    );
    env.run(&["personas", "diff", "poet.yml", "--exit-code"])
        .code(1);
    // diff changes nothing.
    assert_eq!(get(&env, "poet")["version"], 1);
}

/// A copy pulled at v1 and never edited, while the persona went on to v3: push says it is
/// behind and how to update it, changes nothing, and diff shows what the server changed.
#[test]
fn pushing_an_unedited_copy_behind_the_server_says_it_is_behind() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let old = pull(&env, "poet", "old.yml");
    pull(&env, "poet", "poet.yml");
    for register in ["second", "third"] {
        env.write("poet.yml", &set_register(&env.read("poet.yml"), register));
        env.run(&["personas", "push", "poet.yml"]).success();
    }
    let outcome = env.run(&["personas", "push", "old.yml"]).success();
    assert!(
        outcome.stderr.contains("old.yml is behind (v1 of v3)"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("`persona personas pull poet -o old.yml`"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("up to date"), "{}", outcome.stderr);
    assert_eq!(env.read("old.yml"), old);
    assert_eq!(get(&env, "poet")["version"], 3);
    let json = env
        .run(&["personas", "push", "old.yml", "--json"])
        .success()
        .json();
    assert_eq!(json[0]["state"], "behind");
    assert_eq!(json[0]["changed"], false);

    let diff = env
        .run(&["personas", "diff", "old.yml", "--exit-code"])
        .code(1);
    assert!(diff.stdout.contains("+    register: "), "{}", diff.stdout);
    assert!(
        diff.stdout.contains("-    register: third"),
        "{}",
        diff.stdout
    );
    assert!(diff.stderr.contains("pulled at v1"), "{}", diff.stderr);
    // The update the message names works, and the copy is then up to date.
    env.run(&["personas", "pull", "poet", "-o", "old.yml"])
        .success();
    let pushed = env.run(&["personas", "push", "old.yml"]).success();
    assert!(
        pushed.stderr.contains("up to date (v3)"),
        "{}",
        pushed.stderr
    );
}

/// The file another tool rewrote (PyYAML: keys sorted, comments and quoting its own) without
/// changing a value has no diff; an edit made there shows as exactly that field, in the
/// file's order, and the read-only fields never show.
#[test]
fn diff_compares_the_editable_content_not_the_text() {
    let Some(python) = test_python("PyYAML") else {
        return;
    };
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let original = pull(&env, "poet", "poet.yml");
    pyyaml_rewrite(&env, &python, "poet.yml", "");
    let rewritten = env.read("poet.yml");
    assert_ne!(rewritten, original, "PyYAML wrote the same text");
    assert!(!rewritten.contains("# Persona working copy"), "{rewritten}");
    let same = env
        .run(&["personas", "diff", "poet.yml", "--exit-code"])
        .success();
    assert!(same.stdout.is_empty(), "{}", same.stdout);
    let pushed = env.run(&["personas", "push", "poet.yml"]).success();
    assert!(pushed.stderr.contains("up to date"), "{}", pushed.stderr);
    assert_eq!(get(&env, "poet")["version"], 1);

    pyyaml_rewrite(
        &env,
        &python,
        "poet.yml",
        "d['mask']['voice']['register'] = 'terse'\nd['updated_at'] = 'yesterday'",
    );
    let outcome = env
        .run(&["personas", "diff", "poet.yml", "--exit-code"])
        .code(1);
    let changed: Vec<&str> = outcome
        .stdout
        .lines()
        .filter(|line| {
            (line.starts_with('+') || line.starts_with('-'))
                && !line.starts_with("+++")
                && !line.starts_with("---")
        })
        .collect();
    assert_eq!(changed.len(), 2, "{}", outcome.stdout);
    assert_eq!(changed[1], "+    register: terse", "{}", outcome.stdout);
    for read_only in ["version", "fingerprint", "updated_at", "id:"] {
        assert!(!outcome.stdout.contains(read_only), "{}", outcome.stdout);
    }
    // The file's own order: PyYAML sorts keys, so `public_bio` comes before `voice`.
    let bio = outcome.stdout.find("public_bio").unwrap();
    let voice = outcome.stdout.find("  voice:").unwrap();
    assert!(bio < voice, "{}", outcome.stdout);
    env.run(&["personas", "push", "poet.yml"]).success();
    let server = get(&env, "poet");
    assert_eq!(server["version"], 2);
    assert_eq!(server["mask"]["voice"]["register"], "terse");
}

/// A stale push says so in one sentence that names the file once, alone or among several.
#[test]
fn a_stale_push_names_the_file_once() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let a = pull(&env, "poet", "a.yml");
    let b = pull(&env, "poet", "stale.yml");
    env.write("a.yml", &set_register(&a, "from a"));
    env.run(&["personas", "push", "a.yml"]).success();
    env.write("stale.yml", &set_register(&b, "from b"));
    for files in [vec!["stale.yml"], vec!["stale.yml", "a.yml"]] {
        let mut args = vec!["personas", "push"];
        args.extend(&files);
        let outcome = env.run(&args).code(5);
        let error = outcome
            .stderr
            .lines()
            .find(|line| line.starts_with("error:"))
            .unwrap();
        assert_eq!(
            error,
            "error: stale.yml is stale: poet changed on the server after v1 was pulled (it is now at v2), so nothing was pushed",
            "{}",
            outcome.stderr
        );
        assert!(
            outcome
                .stderr
                .contains("hint: see what changed with `persona personas diff stale.yml`"),
            "{}",
            outcome.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// edit
// ---------------------------------------------------------------------------------------------

fn edit_env() -> TestEnv {
    let env = TestEnv::new();
    env.create(ISTANBUL, &["--slug", "bookseller"]);
    env
}

fn leftover_edit_files(env: &TestEnv) -> Vec<String> {
    list_dir(&env.path("home"))
        .into_iter()
        .filter(|n| n.starts_with("persona-edit-"))
        .collect()
}

#[test]
fn edit_without_a_terminal_or_an_editor_refuses_and_says_how_to_edit() {
    let mut env = edit_env();
    // The test's commands have no terminal, and neither VISUAL nor EDITOR.
    let outcome = env.run(&["personas", "edit", "bookseller"]).code(2);
    assert!(
        outcome.stderr.contains("no editor to open")
            && outcome
                .stderr
                .contains("`EDITOR=nano persona personas edit bookseller`")
            && outcome
                .stderr
                .contains("`persona personas pull bookseller -o FILE`"),
        "{}",
        outcome.stderr
    );
    assert!(leftover_edit_files(&env).is_empty());

    // An editor that is named but not installed is said to be missing.
    env.set("EDITOR", "no-such-editor-here");
    let outcome = env.run(&["personas", "edit", "bookseller"]).code(1);
    assert!(
        outcome
            .stderr
            .contains("the editor `no-such-editor-here` was not found")
            && outcome.stderr.contains("set VISUAL or EDITOR"),
        "{}",
        outcome.stderr
    );
    assert!(leftover_edit_files(&env).is_empty());
    assert_eq!(get(&env, "bookseller")["version"], 1);
}

#[test]
fn a_working_copy_keeps_its_file_mode_when_push_or_pull_rewrites_it() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    let text = pull(&env, "poet", "poet.yml");
    let path = env.work().join("poet.yml");
    let mode = || std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    env.write("poet.yml", &set_register(&text, "dry and exact"));
    env.run(&["personas", "push", "poet.yml"]).success();
    assert!(env.read("poet.yml").contains("version: 2"));
    assert_eq!(mode(), 0o640, "push rewrote the file with another mode");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.run(&[
        "personas",
        "pull",
        "poet",
        "--version",
        "1",
        "-o",
        "poet.yml",
        "--force",
    ])
    .success();
    assert!(env.read("poet.yml").contains("version: 1"));
    assert_eq!(mode(), 0o600, "pull rewrote the file with another mode");
}

#[test]
fn edit_pushes_what_the_editor_saved() {
    let mut env = edit_env();
    let editor = editor_script(
        &env,
        "rename.sh",
        "sed -i -e 's/^  name: .*/  name: Zeynep Ak/' -e 's/^  public_bio: .*/  public_bio: Zeynep Ak sells old books in Kadıköy./' \"$1\"",
    );
    env.set("EDITOR", &editor);
    let outcome = env.run(&["personas", "edit", "bookseller"]).success();
    assert!(outcome.stderr.contains("v2"), "{}", outcome.stderr);
    let server = get(&env, "bookseller");
    assert_eq!(server["version"], 2);
    assert_eq!(server["surface"]["name"], "Zeynep Ak");
    assert_eq!(
        server["mask"]["public_bio"],
        "Zeynep Ak sells old books in Kadıköy."
    );
    assert!(leftover_edit_files(&env).is_empty());
}

#[test]
fn edit_with_no_change_pushes_nothing() {
    let mut env = edit_env();
    let before = get(&env, "bookseller");
    let editor = editor_script(&env, "nothing.sh", "true");
    env.set("EDITOR", &editor);
    let outcome = env.run(&["personas", "edit", "bookseller"]).success();
    assert!(
        outcome.stderr.to_lowercase().contains("no changes"),
        "{}",
        outcome.stderr
    );
    assert_eq!(get(&env, "bookseller"), before);
}

#[test]
fn edit_reopens_an_invalid_file_with_the_error_on_top() {
    let mut env = edit_env();
    let seen = env.path("seen.yml");
    let body = format!(
        "if head -n 1 \"$1\" | grep -q '^# ! '; then\n  cp \"$1\" '{seen}'\n  sed -i 's/^    register: .*/    register: mended and calm/' \"$1\"\nelse\n  sed -i 's/^    register: .*/    register: [never closed/' \"$1\"\nfi",
        seen = seen.display()
    );
    let editor = editor_script(&env, "twice.sh", &body);
    env.set("EDITOR", &editor);
    env.run(&["personas", "edit", "bookseller"]).success();

    let reopened =
        std::fs::read_to_string(&seen).expect("the editor was not reopened after the error");
    assert!(reopened.starts_with("# ! error: "), "{reopened}");
    // The user's text was kept, not replaced by a fresh pull.
    assert!(reopened.contains("register: [never closed"), "{reopened}");
    let server = get(&env, "bookseller");
    assert_eq!(server["version"], 2);
    assert_eq!(server["mask"]["voice"]["register"], "mended and calm");

    // Saving the reopened file unchanged ends the edit, repeating what was wrong.
    let body = "if ! head -n 1 \"$1\" | grep -q '^# ! '; then\n  sed -i 's/^    register: .*/    register: [never closed/' \"$1\"\nfi";
    let editor = editor_script(&env, "gives-up.sh", body);
    env.set("EDITOR", &editor);
    let outcome = env.run(&["personas", "edit", "bookseller"]).code(2);
    let first_line = outcome.stderr.lines().next().unwrap_or_default();
    assert!(
        first_line.contains("saved unchanged after an error: ")
            && first_line.contains("flow sequence"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("kept in"), "{}", outcome.stderr);
}

// ---------------------------------------------------------------------------------------------
// against `persona dev serve`
// ---------------------------------------------------------------------------------------------

#[test]
fn create_and_get_work_against_dev_serve() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    env.write(
        "brief.md",
        &brief("language: tr\nvisibility: workspace\n", ISTANBUL),
    );
    let persona = env
        .run(&["personas", "create", "-f", "brief.md", "--json"])
        .success()
        .json();
    assert_eq!(persona["language"], "tr");
    assert_eq!(persona["visibility"], "workspace");
    assert_eq!(persona["surface"]["age"], 35);
    let slug = persona["slug"].as_str().unwrap();
    assert_eq!(get(&env, slug), get(&env, persona["id"].as_str().unwrap()));
    assert_eq!(get(&env, slug)["fingerprint"], persona["fingerprint"]);
    assert_eq!(slugs(&list(&env, &[])), [slug]);
    env.run(&["personas", "get", "nope"]).code(3);
}

#[test]
fn create_waits_out_a_429_and_succeeds() {
    let mut env = TestEnv::new();
    let server = env.serve(&["--plan", "free", "--rate-window", "2"]);
    env.use_server(&server);
    // The free plan allows 5 generations per (2-second, fixed) window: creating quickly, one
    // create soon lands on a full window, is answered 429, waits and retries.
    let mut retried = None;
    for n in 0..15 {
        let outcome = env
            .run(&[
                "personas",
                "create",
                "--intent",
                &format!("A night-shift baker, number {n}"),
                "--json",
            ])
            .success();
        assert!(outcome.json()["id"].as_str().unwrap().starts_with("psn_"));
        if outcome.stderr.contains("retrying") {
            retried = Some((n, outcome.stderr));
            break;
        }
    }
    let (n, stderr) = retried.expect("no create was rate limited");
    assert!(
        n >= 5,
        "create {n} was rate limited before the plan's 5: {stderr}"
    );
    assert!(stderr.contains("429"), "{stderr}");
    assert_eq!(list(&env, &[]).len(), n + 1);
}
