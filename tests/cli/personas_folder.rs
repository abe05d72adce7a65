//! Personas as code: `personas pull --all` into a folder and `personas status` of the folder,
//! against the embedded server.

use std::path::Path;

use crate::common::{BIN, TestEnv};

const POET: &str = "A 67-year-old retired poet who writes in the early morning.";
const TAILOR: &str = "A 40-year-old tailor in Lyon who hums while sewing.";
const FISHER: &str = "A 52-year-old weathered fisherman in Bergen who distrusts the city.";
const BAKER: &str = "An old baker in Porto who wakes before dawn.";

fn personas_dir(env: &TestEnv) -> std::path::PathBuf {
    env.work().join("personas")
}

fn read(env: &TestEnv, name: &str) -> String {
    std::fs::read_to_string(personas_dir(env).join(name)).unwrap()
}

fn write(env: &TestEnv, name: &str, text: &str) {
    let path = personas_dir(env).join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Sets `mask.voice.register` in the folder's working copy `name`, as an edit by hand.
fn edit_register(env: &TestEnv, name: &str, register: &str) {
    write(env, name, &set_register(&read(env, name), register));
}

/// Replaces the value of `mask.voice.register` in a working copy's text.
fn set_register(text: &str, register: &str) -> String {
    let line = text
        .lines()
        .find(|line| line.starts_with("    register: "))
        .unwrap_or_else(|| panic!("no register in:\n{text}"));
    text.replacen(line, &format!("    register: {register}"), 1)
}

/// `personas pull --all -d personas` with `extra` flags.
fn pull_folder(env: &TestEnv, extra: &[&str]) -> crate::common::Outcome {
    let mut args = vec!["personas", "pull", "--all", "-d", "personas"];
    args.extend_from_slice(extra);
    env.run(&args).success()
}

/// Changes a persona on the server, as another person's push would.
fn change_on_server(env: &TestEnv, slug: &str, register: &str) {
    let file = format!("{slug}-elsewhere.yml");
    env.run(&[
        "personas",
        "pull",
        slug,
        "-o",
        &format!("../{file}"),
        "--force",
    ])
    .success();
    let path = env.path(&file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, set_register(&text, register)).unwrap();
    env.run(&["personas", "push", &format!("../{file}")])
        .success();
}

fn brief(body: &str, front_matter: &str) -> String {
    format!("---\n{front_matter}---\n{body}\n")
}

/// A shell pipeline run in the environment with a pseudo-terminal made by `script`: `feed`
/// (shell commands) writes to the terminal, `command` (arguments of the binary) runs on it,
/// and what the terminal showed is also kept in `log`, flushed as it is written.
fn on_terminal(env: &TestEnv, feed: &str, command: &str, log: &Path) -> (i32, String) {
    let pipeline = format!(
        "({feed}) | script -qfec '{BIN} {command}' {}",
        log.display()
    );
    let outcome = env
        .program("sh", &["-c", &pipeline])
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&outcome.stdout).replace('\r', "");
    (outcome.status.code().unwrap_or(-1), text)
}

// ---------------------------------------------------------------------------------------------
// pull --all
// ---------------------------------------------------------------------------------------------

#[test]
fn pull_all_writes_each_persona_once_and_a_second_run_changes_no_byte() {
    let env = TestEnv::new();
    for (intent, slug) in [(POET, "poet"), (TAILOR, "tailor"), (FISHER, "fisher")] {
        env.create(intent, &["--slug", slug]);
    }
    env.create(BAKER, &["--slug", "baker"]);
    env.run(&["personas", "archive", "baker"]).success();

    let first = pull_folder(&env, &["--json"]).json();
    let actions: Vec<(&str, &str)> = first
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["file"].as_str().unwrap(), p["action"].as_str().unwrap()))
        .collect();
    assert_eq!(actions.len(), 3, "{first}");
    assert!(
        actions.iter().all(|(_, action)| *action == "written"),
        "{first}"
    );
    assert_eq!(
        crate::common::list_dir(&personas_dir(&env)),
        ["fisher.yml", "poet.yml", "tailor.yml"]
    );
    let poet = read(&env, "poet.yml");
    env.run(&["personas", "pull", "poet", "-o", "single.yml"])
        .success();
    assert_eq!(
        env.read("single.yml"),
        poet,
        "the same bytes as a single pull"
    );

    let modified = |name: &str| {
        std::fs::metadata(personas_dir(&env).join(name))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<_> = ["fisher.yml", "poet.yml", "tailor.yml"]
        .iter()
        .map(|name| (read(&env, name), modified(name)))
        .collect();
    let second = pull_folder(&env, &[]);
    assert!(
        second.stderr.contains("0 written, 3 already up to date"),
        "{}",
        second.stderr
    );
    let after: Vec<_> = ["fisher.yml", "poet.yml", "tailor.yml"]
        .iter()
        .map(|name| (read(&env, name), modified(name)))
        .collect();
    assert_eq!(before, after, "a second run changed a file");

    // An edit here is skipped and listed; a change on the server is pulled; a copy moved to a
    // subfolder is updated where it is.
    let edited = set_register(&poet, "mine, not pushed");
    write(&env, "poet.yml", &edited);
    change_on_server(&env, "fisher", "salty");
    std::fs::create_dir(personas_dir(&env).join("sea")).unwrap();
    std::fs::rename(
        personas_dir(&env).join("tailor.yml"),
        personas_dir(&env).join("sea/tailor.yml"),
    )
    .unwrap();
    change_on_server(&env, "tailor", "humming");
    let third = pull_folder(&env, &[]);
    assert!(
        third
            .stderr
            .contains("skipped personas/poet.yml, which has local edits that pull would overwrite"),
        "{}",
        third.stderr
    );
    assert_eq!(read(&env, "poet.yml"), edited);
    assert!(read(&env, "fisher.yml").contains("register: salty"));
    assert!(read(&env, "sea/tailor.yml").contains("register: humming"));
    assert!(!personas_dir(&env).join("tailor.yml").exists());

    pull_folder(&env, &["--force", "--archived"]);
    assert_eq!(read(&env, "poet.yml"), poet);
    assert!(read(&env, "baker.yml").contains("archived_at: "));
}

#[test]
fn pull_all_draws_a_progress_bar_only_on_a_terminal() {
    let env = TestEnv::new();
    for (intent, slug) in [(POET, "poet"), (TAILOR, "tailor")] {
        env.create(intent, &["--slug", slug]);
    }
    let piped = env
        .run(&["personas", "pull", "--all", "-d", "piped"])
        .success();
    assert!(!piped.stderr.contains("/2"), "{}", piped.stderr);
    let log = env.path("pull.log");
    let (code, shown) = on_terminal(&env, "sleep 0", "personas pull --all -d shown", &log);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("/2"), "no progress bar: {shown:?}");
    assert!(shown.contains("2 written"), "{shown}");
    assert_eq!(crate::common::list_dir(&env.work().join("shown")).len(), 2);
}

// ---------------------------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------------------------

#[test]
fn status_shows_where_each_file_stands_from_paged_reads() {
    let env = TestEnv::new();
    for (intent, slug) in [
        (POET, "poet"),
        (TAILOR, "tailor"),
        (FISHER, "fisher"),
        (BAKER, "baker"),
    ] {
        env.create(intent, &["--slug", slug]);
    }
    env.create("A quiet librarian in Oslo.", &["--slug", "librarian"]);
    pull_folder(&env, &[]);
    edit_register(&env, "tailor.yml", "edited here");
    change_on_server(&env, "fisher", "changed there");
    edit_register(&env, "baker.yml", "edited here");
    change_on_server(&env, "baker", "changed there");
    env.run(&["personas", "archive", "librarian"]).success();
    write(
        &env,
        "briefs/keeper.md",
        &brief("A lighthouse keeper in Brittany.", "language: fr\n"),
    );
    write(&env, "README.md", "# Our personas\n\nNot a brief.\n");
    write(&env, "notes.yml", "unrelated: yaml\n");

    let outcome = env.run(&["personas", "status", "personas", "-v"]).success();
    let rows: Vec<Vec<&str>> = outcome
        .stdout
        .lines()
        .map(|line| line.split('\t').collect())
        .collect();
    let states: Vec<(&str, &str)> = rows.iter().map(|row| (row[1], row[0])).collect();
    assert_eq!(
        states,
        [
            ("personas/baker.yml", "conflict"),
            ("personas/briefs/keeper.md", "new"),
            ("personas/fisher.yml", "behind"),
            ("personas/librarian.yml", "archived"),
            ("personas/poet.yml", "up to date"),
            ("personas/tailor.yml", "edited"),
        ],
        "{}",
        outcome.stdout
    );
    // Two listings (active, then archived for the file not found among them) and the version
    // the conflicting copy was pulled at: never a read per file.
    let gets: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|line| line.starts_with("→ GET"))
        .collect();
    assert_eq!(gets.len(), 3, "{}", outcome.stderr);
    assert_eq!(
        gets.iter().filter(|l| l.contains("/personas?")).count(),
        2,
        "{gets:?}"
    );
    assert!(gets.iter().any(|l| l.contains("@v1")), "{gets:?}");

    let json = env
        .run(&["personas", "status", "personas", "--json", "--exit-code"])
        .code(1)
        .json();
    let fisher = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == "personas/fisher.yml")
        .unwrap();
    assert_eq!(fisher["state"], "behind");
    assert_eq!(fisher["version"], 1);
    assert_eq!(fisher["server_version"], 2);

    // Once every file is pulled again and the brief removed, all is up to date.
    std::fs::remove_dir_all(personas_dir(&env).join("briefs")).unwrap();
    pull_folder(&env, &["--force", "--archived"]);
    env.run(&["personas", "status", "personas", "--exit-code"])
        .code(1);
    std::fs::remove_file(personas_dir(&env).join("librarian.yml")).unwrap();
    let clean = env
        .run(&["personas", "status", "personas", "--exit-code"])
        .success();
    assert!(
        clean.stderr.contains("4 files: 4 up to date"),
        "{}",
        clean.stderr
    );

    write(&env, "broken.yml", "id: psn_x\nfingerprint: [unclosed\n");
    let broken = env.run(&["personas", "status", "personas"]).code(2);
    assert!(
        broken.stdout.contains("invalid\tpersonas/broken.yml"),
        "{}",
        broken.stdout
    );
}
