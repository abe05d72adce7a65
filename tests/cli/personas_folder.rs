//! Personas as code: `personas pull --all` into a folder, `personas status` of the folder, and
//! `personas apply` of its briefs and working copies, against the embedded server, including
//! another tool's edits, a change between plan and apply, failures halfway, Ctrl-C and SIGKILL.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{BIN, TestEnv, eventually, pyyaml_rewrite, spawn, test_python};

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

/// Pulls one persona into the folder.
fn pull_into_folder(env: &TestEnv, slug: &str) {
    std::fs::create_dir_all(personas_dir(env)).unwrap();
    env.run(&[
        "personas",
        "pull",
        slug,
        "-o",
        &format!("personas/{slug}.yml"),
    ])
    .success();
}

/// Shell commands that wait until `log` shows apply's question, then type `key`.
fn answer(log: &Path, key: &str) -> String {
    format!(
        "for i in $(seq 600); do grep -q 'Apply th' {} 2>/dev/null && break; sleep 0.1; done; printf {key}; sleep 2",
        log.display()
    )
}

fn get(env: &TestEnv, reference: &str) -> Value {
    env.run(&["personas", "get", reference, "--json"])
        .success()
        .json()
}

/// Every persona of the workspace (archived ones with `archived`).
fn all_personas(env: &TestEnv, archived: bool) -> Vec<Value> {
    let mut args = vec!["personas", "list", "--all", "--limit", "100", "--json"];
    if archived {
        args.push("--archived");
    }
    match env.run(&args).success().json() {
        Value::Array(items) => items,
        other => panic!("{other}"),
    }
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

/// The `persona:` a brief records, if any.
fn recorded(env: &TestEnv, brief: &str) -> Option<String> {
    read(env, brief)
        .lines()
        .find_map(|line| line.strip_prefix("persona: "))
        .map(str::to_string)
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

// ---------------------------------------------------------------------------------------------
// apply
// ---------------------------------------------------------------------------------------------

/// A folder of two briefs and an edited working copy: planned, refused without a terminal,
/// applied with --yes, and planned again as nothing.
#[test]
fn apply_plans_applies_and_then_has_nothing_to_do() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    pull_into_folder(&env, "poet");
    let poet = read(&env, "poet.yml");
    write(&env, "poet.yml", &set_register(&poet, "brisk and dry"));
    write(
        &env,
        "keeper.md",
        &brief("A retired lighthouse keeper in Brittany.", "language: fr\n"),
    );
    write(
        &env,
        "crew/tailor.md",
        &brief(TAILOR, "slug: tailor\nseed: 7\n"),
    );

    let plan = env
        .run(&["personas", "apply", "personas", "--dry-run"])
        .code(2);
    let lines: Vec<&str> = plan.stdout.lines().collect();
    assert_eq!(
        lines[0], "Plan: 2 to create, 1 to update, 0 to archive.",
        "{}",
        plan.stdout
    );
    assert!(
        lines.contains(&"+ create   personas/crew/tailor.md"),
        "{}",
        plan.stdout
    );
    assert!(
        lines.contains(&"+ create   personas/keeper.md"),
        "{}",
        plan.stdout
    );
    assert!(
        lines.contains(&"~ update   personas/poet.yml (poet v1)"),
        "{}",
        plan.stdout
    );
    let changed: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("      +") || l.starts_with("      -"))
        .collect();
    assert_eq!(changed.len(), 2, "{}", plan.stdout);
    assert_eq!(*changed[1], "      +    register: brisk and dry");

    let refused = env.run(&["personas", "apply", "personas"]).code(2);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(
        all_personas(&env, false).len() == 1,
        "something was applied"
    );

    let applied = env
        .run(&["personas", "apply", "personas", "--yes", "--json"])
        .success()
        .json();
    assert_eq!(applied["plan"]["changes"], 3);
    let actions: Vec<&str> = applied["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "create", "create"]);
    assert_eq!(applied["not_applied"], json!([]));
    assert_eq!(
        get(&env, "poet")["mask"]["voice"]["register"],
        "brisk and dry"
    );
    assert!(read(&env, "poet.yml").contains("\nversion: 2\n"));

    let tailor_id = recorded(&env, "crew/tailor.md").expect("the brief records its persona");
    assert_eq!(get(&env, "tailor")["id"], tailor_id.as_str());
    assert!(
        read(&env, "crew/tailor.md").ends_with(&format!("slug: tailor\nseed: 7\n---\n{TAILOR}\n"))
    );
    assert!(read(&env, "crew/tailor.yml").contains(&format!("id: {tailor_id}")));
    let keeper_id = recorded(&env, "keeper.md").unwrap();
    let keeper = get(&env, &keeper_id);
    let keeper_copy = format!("{}.yml", keeper["slug"].as_str().unwrap());
    assert!(read(&env, &keeper_copy).contains(&format!("id: {keeper_id}")));

    let again = env
        .run(&["personas", "apply", "personas", "--dry-run"])
        .success();
    assert!(again.stdout.is_empty(), "{}", again.stdout);
    assert!(again.stderr.contains("Nothing to do"), "{}", again.stderr);
    let json = env
        .run(&["personas", "apply", "personas", "--dry-run", "--json"])
        .success()
        .json();
    assert_eq!(json["plan"]["changes"], 0);
    env.run(&["personas", "status", "personas", "--exit-code"])
        .success();
    assert_eq!(all_personas(&env, false).len(), 3);
}

/// An edit made by another tool (PyYAML load/dump) is planned as exactly the field it changed,
/// and a file it only rewrote is not planned at all.
#[test]
fn apply_plans_an_edit_made_by_another_tool_as_exactly_that_field() {
    let Some(python) = test_python("PyYAML") else {
        return;
    };
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    env.create(TAILOR, &["--slug", "tailor"]);
    pull_folder(&env, &[]);
    let file = |name: &str| format!("personas/{name}");
    pyyaml_rewrite(&env, &python, &file("tailor.yml"), "");
    pyyaml_rewrite(
        &env,
        &python,
        &file("poet.yml"),
        "d['surface']['occupation'] = 'retired poet and gardener'",
    );
    let plan = env
        .run(&["personas", "apply", "personas", "--dry-run", "--json"])
        .code(2)
        .json();
    assert_eq!(
        plan["plan"]["update"].as_array().unwrap().len(),
        1,
        "{plan}"
    );
    assert_eq!(plan["plan"]["update"][0]["file"], "personas/poet.yml");
    assert_eq!(
        plan["plan"]["update"][0]["patch"],
        json!({ "surface": { "occupation": "retired poet and gardener" } })
    );
    assert_eq!(plan["plan"]["create"], json!([]));
    assert_eq!(plan["plan"]["archive"], json!([]));
    env.run(&["personas", "apply", "personas", "--yes"])
        .success();
    assert_eq!(
        get(&env, "poet")["surface"]["occupation"],
        "retired poet and gardener"
    );
    assert_eq!(get(&env, "tailor")["version"], 1);
}

/// Two personas pulled into the folder, both edited there, and a brief for a third.
fn edited_folder() -> TestEnv {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    env.create(TAILOR, &["--slug", "tailor"]);
    pull_folder(&env, &[]);
    edit_register(&env, "poet.yml", "mine");
    edit_register(&env, "tailor.yml", "mine too");
    write(
        &env,
        "keeper.md",
        &brief("A lighthouse keeper in Brittany.", ""),
    );
    env
}

/// A copy edited here and changed on the server stops the whole apply (exit 5), naming it;
/// --force applies it over the server's change.
#[test]
fn a_conflict_applies_nothing_until_forced() {
    let env = edited_folder();
    change_on_server(&env, "poet", "theirs");

    for mode in ["--yes", "--dry-run"] {
        let outcome = env.run(&["personas", "apply", "personas", mode]).code(5);
        assert!(
            outcome.stdout.contains(
                "! conflict  personas/poet.yml (poet): edited here, and changed on the server since v1 (now v2)"
            ),
            "{}",
            outcome.stdout
        );
        assert!(
            outcome.stderr.contains("nothing was applied"),
            "{}",
            outcome.stderr
        );
        assert!(outcome.stderr.contains("--force"), "{}", outcome.stderr);
    }
    assert_eq!(get(&env, "tailor")["version"], 1);
    assert_eq!(get(&env, "poet")["mask"]["voice"]["register"], "theirs");
    assert_eq!(recorded(&env, "keeper.md"), None);
    assert_eq!(all_personas(&env, false).len(), 2);

    env.run(&["personas", "apply", "personas", "--yes", "--force"])
        .success();
    assert_eq!(get(&env, "poet")["mask"]["voice"]["register"], "mine");
    assert_eq!(get(&env, "tailor")["mask"]["voice"]["register"], "mine too");
    assert!(recorded(&env, "keeper.md").is_some());
}

/// On a terminal apply asks first; a push made by someone else while it asks makes the apply
/// refuse (exit 5) before its first write.
#[test]
fn a_change_on_the_server_between_plan_and_apply_applies_nothing() {
    let env = edited_folder();
    env.run(&["personas", "pull", "tailor", "-o", "../elsewhere.yml"])
        .success();
    let elsewhere = env.path("elsewhere.yml");
    let text = std::fs::read_to_string(&elsewhere).unwrap();
    std::fs::write(&elsewhere, set_register(&text, "pushed meanwhile")).unwrap();

    let log = env.path("first.log");
    let feed = format!(
        "for i in $(seq 600); do grep -q 'Apply th' {log} 2>/dev/null && break; sleep 0.1; done; \
         {BIN} personas push {elsewhere} >/dev/null 2>&1; printf y; sleep 2",
        log = log.display(),
        elsewhere = elsewhere.display()
    );
    let (code, shown) = on_terminal(&env, &feed, "personas apply personas", &log);
    assert_eq!(code, 5, "{shown}");
    assert!(shown.contains("~ update   personas/tailor.yml"), "{shown}");
    assert!(
        shown.contains("tailor changed on the server since the plan was made: nothing was applied"),
        "{shown}"
    );
    assert_eq!(get(&env, "poet")["version"], 1);
    assert_eq!(
        get(&env, "tailor")["mask"]["voice"]["register"],
        "pushed meanwhile"
    );
    assert_eq!(recorded(&env, "keeper.md"), None);
    assert_eq!(all_personas(&env, false).len(), 2);

    // Declining applies nothing either; saying yes applies the new plan.
    write(
        &env,
        "tailor.yml",
        &std::fs::read_to_string(&elsewhere).unwrap(),
    );
    let log = env.path("second.log");
    let (code, shown) = on_terminal(&env, &answer(&log, "n"), "personas apply personas", &log);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("Nothing was applied."), "{shown}");
    assert_eq!(get(&env, "poet")["version"], 1);
    let log = env.path("third.log");
    let (code, shown) = on_terminal(&env, &answer(&log, "y"), "personas apply personas", &log);
    assert_eq!(code, 0, "{shown}");
    assert_eq!(get(&env, "poet")["mask"]["voice"]["register"], "mine");
    assert!(recorded(&env, "keeper.md").is_some());
}

#[test]
fn prune_archives_the_personas_no_file_names() {
    let env = TestEnv::new();
    for (intent, slug) in [(POET, "poet"), (TAILOR, "tailor"), (FISHER, "fisher")] {
        env.create(intent, &["--slug", slug]);
    }
    pull_folder(&env, &[]);
    std::fs::remove_file(personas_dir(&env).join("fisher.yml")).unwrap();
    env.run(&["personas", "apply", "personas", "--dry-run"])
        .success();
    let plan = env
        .run(&["personas", "apply", "personas", "--dry-run", "--prune"])
        .code(2);
    assert!(
        plan.stdout.contains("- archive  fisher (psn_"),
        "{}",
        plan.stdout
    );
    let result = env
        .run(&[
            "personas", "apply", "personas", "--yes", "--prune", "--json",
        ])
        .success()
        .json();
    assert_eq!(result["applied"][0]["action"], "archive");
    assert_eq!(result["applied"][0]["slug"], "fisher");
    let active: Vec<String> = all_personas(&env, false)
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(active.len(), 2);
    assert!(!active.contains(&"fisher".to_string()));
    assert!(get(&env, "fisher")["archived_at"].is_string());
    env.run(&["personas", "apply", "personas", "--dry-run", "--prune"])
        .success();
    // A folder that names no persona at all is never taken to mean "archive them all".
    std::fs::create_dir(env.work().join("empty")).unwrap();
    let refused = env
        .run(&["personas", "apply", "empty", "--yes", "--prune"])
        .code(2);
    assert!(
        refused.stderr.contains("refusing to archive every persona"),
        "{}",
        refused.stderr
    );
    assert_eq!(all_personas(&env, false).len(), 2);
}

/// A create that fails halfway through the plan: what came before stays applied and is said,
/// the files match the server, and once the brief is fixed a rerun finishes the rest.
#[test]
fn a_failure_halfway_reports_what_was_applied_and_a_rerun_finishes() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    pull_into_folder(&env, "poet");
    edit_register(&env, "poet.yml", "applied first");
    write(&env, "a.md", &brief(TAILOR, ""));
    write(&env, "b.md", &brief(FISHER, "budget_usd: 0.0001\n"));
    write(&env, "c.md", &brief(BAKER, ""));

    let outcome = env.run(&["personas", "apply", "personas", "--yes", "--json"]);
    assert_eq!(outcome.code, 7, "{}\n{}", outcome.stdout, outcome.stderr);
    let report = outcome.json();
    let applied: Vec<(&str, &str)> = report["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        applied,
        [("update", "personas/poet.yml"), ("create", "personas/a.md")]
    );
    assert_eq!(
        report["not_applied"],
        json!(["+ create personas/b.md", "+ create personas/c.md"])
    );
    assert_eq!(report["error"]["code"], "persona.cost_budget_exceeded");
    assert!(read(&env, "poet.yml").contains("\nversion: 2\n"));
    assert!(recorded(&env, "a.md").is_some());
    assert_eq!(recorded(&env, "b.md"), None);
    assert_eq!(recorded(&env, "c.md"), None);

    let human = env.run(&["personas", "apply", "personas", "--yes"]).code(7);
    assert!(
        human.stderr.contains(
            "applied 0 of 2 changes; not applied: + create personas/b.md; + create personas/c.md"
        ),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("run `persona personas apply` again"),
        "{}",
        human.stderr
    );

    write(&env, "b.md", &brief(FISHER, "budget_usd: 5\n"));
    env.run(&["personas", "apply", "personas", "--yes"])
        .success();
    for name in ["a.md", "b.md", "c.md"] {
        assert!(recorded(&env, name).is_some(), "{name}");
    }
    env.run(&["personas", "apply", "personas", "--dry-run"])
        .success();
}

/// Briefs whose personas are still to be made when apply is stopped: by Ctrl-C (it reports what
/// it applied and exits 130) and by SIGKILL. A rerun finishes, and each brief has exactly one
/// persona.
#[test]
fn apply_stopped_during_creates_then_rerun_makes_one_persona_per_brief() {
    let intents = [POET, TAILOR, FISHER, BAKER];
    for signal in ["INT", "KILL"] {
        let mut env = TestEnv::new();
        env.set("PERSONA_STEP_DELAY_MS", "150");
        for (index, intent) in intents.iter().enumerate() {
            write(&env, &format!("b{index}.md"), &brief(intent, ""));
        }
        let child = spawn(&env, &["personas", "apply", "personas", "--yes"]);
        assert!(
            eventually(Duration::from_secs(60), || recorded(&env, "b0.md")
                .is_some()),
            "the first create never finished"
        );
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let output = child.wait_with_output().unwrap();
        if signal == "INT" {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(130), "{stderr}");
            assert!(
                stderr.contains("not applied: + create personas/b"),
                "{stderr}"
            );
            assert!(
                stderr.contains("interrupted during `+ create personas/b"),
                "{stderr}"
            );
        }
        env.run(&["personas", "apply", "personas", "--yes"])
            .success();
        let personas = all_personas(&env, false);
        for (index, intent) in intents.iter().enumerate() {
            let made: Vec<&Value> = personas.iter().filter(|p| p["intent"] == *intent).collect();
            assert_eq!(made.len(), 1, "{signal}: {intent}: {personas:?}");
            assert_eq!(
                recorded(&env, &format!("b{index}.md")).as_deref(),
                made[0]["id"].as_str()
            );
        }
        assert_eq!(personas.len(), intents.len(), "{signal}");
        env.run(&["personas", "apply", "personas", "--dry-run"])
            .success();
    }
}

/// A working copy of a persona this workspace does not have (another workspace's, a mistyped
/// id) is `gone` in status and stops apply before anything is written (exit 3): most likely
/// the wrong profile or workspace, where --prune would archive the wrong personas.
#[test]
fn a_file_naming_a_persona_the_workspace_lacks_stops_apply() {
    let env = TestEnv::new();
    env.create(POET, &["--slug", "poet"]);
    env.create(TAILOR, &["--slug", "tailor"]);
    pull_folder(&env, &[]);
    let tailor = read(&env, "tailor.yml");
    let id = get(&env, "tailor")["id"].as_str().unwrap().to_string();
    write(&env, "ghost.yml", &tailor.replace(&id, "psn_ghost0000000"));
    edit_register(&env, "poet.yml", "mine");
    let status = env.run(&["personas", "status", "personas"]).success();
    assert!(
        status.stdout.contains("gone\tpersonas/ghost.yml"),
        "{}",
        status.stdout
    );
    for mode in ["--yes", "--dry-run"] {
        let outcome = env
            .run(&["personas", "apply", "personas", mode, "--prune"])
            .code(3);
        assert!(
            outcome.stderr.contains("personas/ghost.yml"),
            "{}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("nothing was applied"),
            "{}",
            outcome.stderr
        );
    }
    assert_eq!(get(&env, "poet")["version"], 1);
    assert_eq!(all_personas(&env, false).len(), 2);
}
