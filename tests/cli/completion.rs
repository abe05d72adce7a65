//! Live completion: bash and zsh, interactive on a pseudo-terminal (made by `script`), load the
//! committed live scripts, a Tab is typed, and the candidates their completion functions produce
//! are read back; on the local profile (from the store) and against `persona dev serve`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::require;
use crate::common::{BIN, TestEnv, eventually};
use crate::personas::set_register;

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

#[derive(Clone, Copy, Debug)]
enum Shell {
    Bash,
    Zsh,
}

/// The committed live script of `shell`.
fn script(shell: Shell) -> std::path::PathBuf {
    let name = match shell {
        Shell::Bash => "persona.bash",
        Shell::Zsh => "_persona",
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions/live")
        .join(name)
}

/// What `shell`'s completion function offers for each of `lines` (the line typed, then Tab),
/// in an interactive shell on a pseudo-terminal that loaded the live script as a user would:
/// bash sources it, zsh autoloads it from `fpath` under `compinit`.
fn complete_in(env: &TestEnv, shell: Shell, lines: &[&str]) -> Vec<Vec<String>> {
    let out = env.path("offered.txt");
    let _ = std::fs::remove_file(&out);
    // Each Tab runs the completion; Ctrl-U clears the line; the marker ends each answer. They
    // are typed once the shell is up, with the terminal out of canonical mode, so that no
    // Ctrl-U typed ahead is taken by the terminal's own line editing.
    let mut typed = String::new();
    let (program, setup, mark) = match shell {
        Shell::Bash => (
            "stty -icanon -echo; exec bash --norc --noprofile -i",
            format!(
                "PS1=''\nsource {}\n\
                 _offered() {{ _persona \"$@\"; printf '%s\\n' \"${{COMPREPLY[@]}}\" >> \"$OFFERED\"; }}\n\
                 complete -o nospace -F _offered persona\n",
                script(shell).display()
            ),
            "echo '--' >> \"$OFFERED\"\n",
        ),
        Shell::Zsh => (
            "stty -icanon -echo; exec zsh -f -i",
            format!(
                "PS1=''\nbindkey -e\nfpath=({} $fpath)\nautoload -U compinit && compinit -u -D\n\
                 compadd() {{ if [[ ${{@[(I)-[OAD]]}} -eq 0 ]]; then local -a offered; \
                 builtin compadd -O offered \"$@\"; print -rl -- $offered >> \"$OFFERED\"; fi; \
                 builtin compadd \"$@\"; }}\n",
                script(shell).parent().unwrap().display()
            ),
            "print -r -- '--' >> \"$OFFERED\"\n",
        ),
    };
    typed.push_str(&setup);
    let ready = env.path("ready");
    let _ = std::fs::remove_file(&ready);
    typed.push_str(&format!(": > {}\n", ready.display()));
    let mut completions = String::new();
    for line in lines {
        completions.push_str(line);
        completions.push_str("\t\x15");
        completions.push_str(mark);
    }
    completions.push_str("exit\n");
    let bin_dir = Path::new(BIN).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let mut child = env
        .program("script", &["-qec", program, "/dev/null"])
        .env("PATH", path)
        .env("TERM", "xterm")
        .env("OFFERED", &out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn script");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(typed.as_bytes()).unwrap();
    // The shell has run the setup, so the terminal is out of canonical mode.
    assert!(
        eventually(Duration::from_secs(30), || ready.exists()),
        "{shell:?} did not start"
    );
    stdin.write_all(completions.as_bytes()).unwrap();
    drop(stdin);
    wait_or_kill(&mut child, Duration::from_secs(60), "the shell");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let mut answers = vec![Vec::new()];
    for line in text.lines() {
        if line == "--" {
            answers.push(Vec::new());
        } else if !line.is_empty() {
            let last = answers.last_mut().unwrap();
            if !last.contains(&line.to_string()) {
                last.push(line.to_string());
            }
        }
    }
    answers.truncate(lines.len());
    assert_eq!(answers.len(), lines.len(), "{shell:?} answered:\n{text}");
    answers
}

/// Waits for `child`, failing the test (after killing it) when it has not exited in `limit`:
/// a guard against a hang, not a measure of speed.
fn wait_or_kill(child: &mut std::process::Child, limit: Duration, what: &str) {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Two personas (`mert` in two versions, and `merve`) and the run that made `mert`.
fn personas_and_a_run(env: &TestEnv) -> String {
    let mert = env.create(BRIEF, &["--slug", "mert"]);
    env.create(BRIEF, &["--slug", "merve", "--seed", "2"]);
    env.run(&["personas", "pull", "mert", "-o", "mert.yml"])
        .success();
    let text = env.read("mert.yml");
    env.write("mert.yml", &set_register(&text, "dry and slow"));
    env.run(&["personas", "push", "mert.yml"]).success();
    mert["run"]["id"].as_str().unwrap().to_string()
}

/// Slugs, `slug@v` versions and run ids, in bash and in zsh.
fn check_both_shells(env: &TestEnv, run_id: &str) {
    let run_prefix = &run_id[..5];
    let run_line = format!("persona runs get {run_prefix}");
    let lines = ["persona personas get me", "persona chat mert@v", &run_line];
    for shell in [Shell::Bash, Shell::Zsh] {
        if !require(&[shell_name(shell), "script"]) {
            continue;
        }
        let answers = complete_in(env, shell, &lines);
        assert_eq!(answers[0], ["mert", "merve"], "{shell:?}: {answers:?}");
        // Bash replaces only the word after its break at `@`.
        let versions = match shell {
            Shell::Bash => ["@v1", "@v2"],
            Shell::Zsh => ["mert@v1", "mert@v2"],
        };
        assert_eq!(answers[1], versions, "{shell:?}: {answers:?}");
        assert!(
            answers[2].iter().any(|id| id == run_id)
                && answers[2].iter().all(|id| id.starts_with(run_prefix)),
            "{shell:?}: {answers:?}"
        );
    }
}

fn shell_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
    }
}

#[test]
fn bash_and_zsh_complete_slugs_versions_and_run_ids_from_the_local_store() {
    let env = TestEnv::new();
    let run_id = personas_and_a_run(&env);
    check_both_shells(&env, &run_id);
}

#[test]
fn bash_and_zsh_complete_slugs_versions_and_run_ids_from_dev_serve() {
    let mut env = TestEnv::new();
    // The server has a store of its own: the names can only come from its API.
    let server = env.serve(&["--data-dir", env.path("served").to_str().unwrap()]);
    env.use_server(&server);
    let run_id = personas_and_a_run(&env);
    check_both_shells(&env, &run_id);
}

/// The completion request as the zsh script sends it, for the candidates alone.
fn ask(env: &TestEnv, words: &[&str]) -> (i32, String, String) {
    let index = (words.len() - 1).to_string();
    let mut args = vec!["--"];
    args.extend_from_slice(words);
    let mut child = env
        .command(&args)
        .env("PERSONA_COMPLETE", "zsh")
        .env("_CLAP_COMPLETE_INDEX", index)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_or_kill(&mut child, Duration::from_secs(20), "the completion");
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The values of each kind (without descriptions, which follow a `:`).
fn values(env: &TestEnv, words: &[&str]) -> Vec<String> {
    let (code, stdout, stderr) = ask(env, words);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    stdout
        .lines()
        .map(|l| l.split_once(':').map_or(l, |(value, _)| value).to_string())
        .collect()
}

#[test]
fn conversations_profiles_and_webhook_endpoints_complete_too() {
    let env = TestEnv::new();
    env.create(BRIEF, &["--slug", "mert"]);
    let turn = env
        .run(&["chat", "mert", "-m", "Hello", "--json"])
        .success()
        .json();
    let conversation = turn["conversation_id"].as_str().unwrap();
    let endpoint = env
        .run(&[
            "webhooks",
            "create",
            "--url",
            "http://127.0.0.1:9/hook",
            "--events",
            "*",
            "--json",
        ])
        .success()
        .json();
    let endpoint = endpoint["id"].as_str().unwrap();

    let offered = values(&env, &["persona", "chat", "mert", "--conversation", ""]);
    assert_eq!(offered, [conversation]);
    assert_eq!(
        values(&env, &["persona", "webhooks", "test", "whk"]),
        [endpoint]
    );
    assert_eq!(
        values(
            &env,
            &["persona", "webhooks", "deliveries", "--endpoint", ""]
        ),
        [endpoint]
    );
    assert_eq!(values(&env, &["persona", "auth", "switch", ""]), ["local"]);
    assert_eq!(
        values(&env, &["persona", "runs", "list", "--persona", "m"]),
        ["mert"]
    );
    // A slug goes with a version only where the command takes one.
    assert!(values(&env, &["persona", "personas", "versions", "mert@"]).is_empty());
    assert_eq!(
        values(&env, &["persona", "personas", "pull", "mert@"]),
        ["mert@v1"]
    );
}

#[test]
fn with_the_server_down_or_silent_completion_offers_nothing_and_exits_0() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    env.create(BRIEF, &["--slug", "mert"]);
    assert_eq!(values(&env, &["persona", "personas", "get", "m"]), ["mert"]);
    drop(server);
    for words in [
        &["persona", "personas", "get", "m"][..],
        &["persona", "runs", "tail", ""],
        &["persona", "webhooks", "delete", ""],
    ] {
        assert!(values(&env, words).is_empty(), "{words:?}");
    }

    // A server that accepts the connection and never answers: the bound ends the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", silent.local_addr().unwrap());
    let mut env = TestEnv::new();
    env.set("PERSONA_API_URL", &url);
    env.set("PERSONA_API_KEY", "pk_test_silent");
    assert!(values(&env, &["persona", "personas", "get", ""]).is_empty());
    drop(silent);
}

#[test]
fn a_completion_request_never_runs_a_command_or_touches_the_store() {
    let env = TestEnv::new();
    // No store yet: nothing is offered, and none is created.
    assert!(values(&env, &["persona", "personas", "get", ""]).is_empty());
    assert!(!env.data_dir().join("persona.db").exists());
    // Words that would be a command are only completed.
    let (code, stdout, stderr) = ask(
        &env,
        &["persona", "personas", "create", "--intent", "x", ""],
    );
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    assert!(!env.data_dir().join("persona.db").exists());
    // Without words, the request prints the script that enables completion.
    let outcome = Command::new(BIN)
        .env("PERSONA_COMPLETE", "bash")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&outcome.stdout),
        std::fs::read_to_string(script(Shell::Bash)).unwrap()
    );
}

#[test]
fn unarchive_completes_archived_personas_and_get_the_others() {
    let env = TestEnv::new();
    env.create(BRIEF, &["--slug", "mert"]);
    env.create(BRIEF, &["--slug", "merve"]);
    env.run(&["personas", "archive", "merve"]).success();
    assert_eq!(
        values(&env, &["persona", "personas", "unarchive", "me"]),
        ["merve"]
    );
    assert_eq!(
        values(&env, &["persona", "personas", "get", "me"]),
        ["mert"]
    );
}
