//! Faults the other tests leave out: servers SIGKILLed mid-create and mid-push, a CLI killed
//! mid-pull, racing pushes, a 429 storm, a read-only or full store, corrupt files, a hung keyring,
//! an API nothing answers at.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{DevServer, TestEnv, spawn};

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

/// A key stored in the env's store, so that it outlives any one `dev serve` process.
fn lasting_key(env: &TestEnv) -> String {
    env.run(&["dev", "keys", "create", "--json"])
        .success()
        .json()["api_key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits for a spawned command, failing the test after `limit`.
fn finish(mut child: Child, limit: Duration) -> (i32, String, String) {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A TCP proxy in front of a server that lets everything through, except the answer to the first
/// request whose request line starts with `target`: when the server starts answering it, the
/// proxy holds the answer back, reports it, and on `cut` drops the client's connection, as a
/// crash of the server would look from the client.
struct CutProxy {
    addr: String,
    answered: mpsc::Receiver<()>,
    cut: Arc<(Mutex<bool>, std::sync::Condvar)>,
}

impl CutProxy {
    fn start(upstream: &str, target: &'static str) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (answered_tx, answered) = mpsc::channel();
        let cut = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let armed_once = Arc::new(AtomicBool::new(false));
        let upstream = upstream.to_string();
        let shared_cut = cut.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue; // the server is down: the client sees the connection close
                };
                let armed = Arc::new(AtomicBool::new(false));
                // Client to server, watching for the target's request line.
                {
                    let (mut from, mut to) =
                        (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let (armed, armed_once) = (armed.clone(), armed_once.clone());
                    std::thread::spawn(move || {
                        let mut buffer = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buffer) {
                            if n == 0 {
                                break;
                            }
                            let seen = String::from_utf8_lossy(&buffer[..n]).contains(target);
                            if seen && !armed_once.swap(true, Ordering::SeqCst) {
                                armed.store(true, Ordering::SeqCst);
                            }
                            if to.write_all(&buffer[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
                // Server to client, holding back the target's answer.
                let (mut from, mut to) = (server, client);
                let (answered_tx, cut) = (answered_tx.clone(), shared_cut.clone());
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 16 * 1024];
                    while let Ok(n) = from.read(&mut buffer) {
                        if n == 0 {
                            break;
                        }
                        if armed.load(Ordering::SeqCst) {
                            let _ = answered_tx.send(());
                            let (lock, signal) = &*cut;
                            let mut done = lock.lock().unwrap();
                            while !*done {
                                done = signal.wait(done).unwrap();
                            }
                            let _ = to.shutdown(std::net::Shutdown::Both);
                            return;
                        }
                        if to.write_all(&buffer[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        CutProxy {
            addr,
            answered,
            cut,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Waits until the server has begun to answer the target request.
    fn wait_answered(&self) {
        self.answered
            .recv_timeout(Duration::from_secs(30))
            .expect("the server never answered the request the proxy waits for");
    }

    /// Drops the client's connection of the held answer.
    fn cut(&self) {
        let (lock, signal) = &*self.cut;
        *lock.lock().unwrap() = true;
        signal.notify_all();
    }
}

/// `server` SIGKILLed, then a new `dev serve` on the same address and store.
fn crash_and_restart(env: &TestEnv, server: DevServer) -> DevServer {
    let addr = server.addr();
    server.kill();
    env.serve_on(&addr, &[])
}

#[test]
fn a_create_cut_off_by_a_server_crash_is_retried_and_makes_one_persona() {
    let mut env = TestEnv::new();
    let key = lasting_key(&env);
    let server = env.serve(&["--step-delay-ms", "300"]);
    let proxy = CutProxy::start(&server.addr(), "POST /v1/personas");
    env.set("PERSONA_API_URL", &proxy.url());
    env.set("PERSONA_API_KEY", &key);
    let create = spawn(&env, &["personas", "create", "--intent", BRIEF, "--json"]);

    // The server stored the persona and started its run; it dies before the client hears back.
    proxy.wait_answered();
    let restarted = crash_and_restart(&env, server);
    proxy.cut();

    let (code, stdout, stderr) = finish(create, Duration::from_secs(60));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stderr.contains("retrying"), "the CLI retried: {stderr}");
    let persona: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(persona["status"], "completed");

    env.set("PERSONA_API_URL", &restarted.base_url);
    let personas = env.run(&["personas", "list", "--json"]).success().json();
    assert_eq!(
        personas.as_array().unwrap().len(),
        1,
        "the retry with the same Idempotency-Key made no second persona: {personas}"
    );
    assert_eq!(personas[0]["id"], persona["id"]);
    let runs = env.run(&["runs", "list", "--json"]).success().json();
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(
        runs[0]["status"], "completed",
        "the interrupted run was finished"
    );
    drop(restarted);
    let store = persona::server::store::Store::open(&env.data_dir()).expect("the store opens");
    let (_, _, run) = store
        .run_request(runs[0]["id"].as_str().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(run.status.as_str(), "completed");
}

/// Pulls a new persona to `name` and changes its voice register in the file.
fn pull_and_edit(env: &TestEnv, id: &str, name: &str, register: &str) -> String {
    env.run(&["personas", "pull", id, "-o", name]).success();
    let text = env.read(name);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("register:"))
        .unwrap()
        .to_string();
    let indent = &line[..line.len() - line.trim_start().len()];
    let edited = text.replace(&line, &format!("{indent}register: {register}"));
    env.write(name, &edited);
    edited
}

fn register_on_server(env: &TestEnv, id: &str) -> String {
    env.run(&["personas", "get", id, "--json"]).success().json()["mask"]["voice"]["register"]
        .as_str()
        .unwrap()
        .to_string()
}

fn versions(env: &TestEnv, id: &str) -> usize {
    env.run(&["personas", "versions", id, "--json"])
        .success()
        .json()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_push_whose_answer_is_lost_in_a_server_crash_loses_no_edit_and_applies_once() {
    let mut env = TestEnv::new();
    let key = lasting_key(&env);
    let server = env.serve(&[]);
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    let id = env.create(BRIEF, &[])["id"].as_str().unwrap().to_string();
    let edited = pull_and_edit(&env, &id, "p.yml", "clipped and wary");

    let proxy = CutProxy::start(&server.addr(), "PATCH /v1/personas/");
    let push = env
        .command(&["personas", "push", "p.yml"])
        .env("PERSONA_API_URL", proxy.url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server committed the edit and began to answer; it dies before the answer arrives.
    proxy.wait_answered();
    let restarted = crash_and_restart(&env, server);
    proxy.cut();
    let (code, _, stderr) = finish(push, Duration::from_secs(60));
    assert_ne!(code, 0, "the push could not know its outcome: {stderr}");
    assert_eq!(
        env.read("p.yml"),
        edited,
        "the working copy is untouched, edit included"
    );

    env.set("PERSONA_API_URL", &restarted.base_url);
    env.run(&["personas", "push", "p.yml"]).success();
    assert_eq!(register_on_server(&env, &id), "clipped and wary");
    assert_eq!(versions(&env, &id), 2, "the edit was applied once");
    let file = persona::persona_file::from_yaml(&env.read("p.yml"), "p.yml").unwrap();
    let server_copy = env
        .run(&["personas", "get", &id, "--json"])
        .success()
        .json();
    assert_eq!(
        file["fingerprint"], server_copy["fingerprint"],
        "the working copy caught up with the server's version"
    );
    assert_eq!(file["version"], 2);
    let diff = env.run(&["personas", "diff", "p.yml", "--exit-code"]);
    assert_eq!(diff.code, 0, "no edit left to push: {}", diff.stdout);
}

#[test]
fn a_pull_killed_at_any_moment_leaves_the_old_file_or_the_new_one() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let id = env.create(BRIEF, &[])["id"].as_str().unwrap().to_string();
    env.run(&["personas", "pull", &id, "-o", "old.yml"])
        .success();
    let old = env.read("old.yml");
    pull_and_edit(&env, &id, "edit.yml", "terse");
    env.run(&["personas", "push", "edit.yml"]).success();
    env.run(&["personas", "pull", &id, "-o", "new.yml"])
        .success();
    let new = env.read("new.yml");
    assert_ne!(old, new);

    let mut kept_old = 0;
    for attempt in 0..16u64 {
        env.write("target.yml", &old);
        let mut pull = env
            .command(&["personas", "pull", &id, "-o", "target.yml"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(attempt * 4));
        let _ = pull.kill();
        let _ = pull.wait();
        let now = env.read("target.yml");
        assert!(
            now == old || now == new,
            "attempt {attempt}: the file is neither the old nor the new version:\n{now}"
        );
        kept_old += usize::from(now == old);
    }
    assert!(kept_old > 0, "some pulls were killed before they wrote");
    for name in crate::common::list_dir(&env.work()) {
        assert!(
            name.ends_with(".yml") || name.ends_with(".tmp"),
            "unexpected file {name}"
        );
    }
}

#[test]
fn two_pushes_of_one_persona_at_once_one_wins_and_the_other_gets_412() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    for round in 0..3 {
        let id = env.create(&format!("{BRIEF}, round {round}"), &[])["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (file_a, file_b) = (format!("a{round}.yml"), format!("b{round}.yml"));
        let a = pull_and_edit(&env, &id, &file_a, "edited by a");
        let b = pull_and_edit(&env, &id, &file_b, "edited by b");
        let push_a = spawn(&env, &["personas", "push", &file_a]);
        let push_b = spawn(&env, &["personas", "push", &file_b]);
        let (code_a, _, err_a) = finish(push_a, Duration::from_secs(30));
        let (code_b, _, err_b) = finish(push_b, Duration::from_secs(30));
        let (winner, loser_file, loser_text, loser_err) = match (code_a, code_b) {
            (0, 5) => ("edited by a", file_b, b, err_b),
            (5, 0) => ("edited by b", file_a, a, err_a),
            other => panic!("exit codes {other:?}\na: {err_a}\nb: {err_b}"),
        };
        assert!(loser_err.contains("stale"), "{loser_err}");
        assert_eq!(register_on_server(&env, &id), winner);
        assert_eq!(versions(&env, &id), 2, "exactly one push was applied");
        assert_eq!(
            env.read(&loser_file),
            loser_text,
            "the losing file keeps its edit for a later push"
        );
    }
}

/// A server that answers every request with 429 and `Retry-After: retry_after`, recording the
/// requests it got.
fn storm(retry_after: u64) -> (String, Arc<Mutex<Vec<String>>>) {
    crate::common::http_double(move |_| {
        let envelope = r#"{"error":{"code":"rate_limit.exceeded","message":"Slow down.","type":"rate_limit","request_id":"req_storm"}}"#;
        format!(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {retry_after}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{envelope}",
            envelope.len()
        )
    })
}

#[test]
fn a_429_storm_is_waited_out_as_told_then_given_up_with_exit_6() {
    let mut env = TestEnv::new();
    let (url, requests) = storm(1);
    env.set("PERSONA_API_URL", &url);
    env.set("PERSONA_API_KEY", "pk_test_storm");
    let started = Instant::now();
    let outcome = env.run(&["personas", "create", "--intent", BRIEF]).code(6);
    let took = started.elapsed();
    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 5, "a bounded number of attempts");
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(20),
        "waited Retry-After between attempts, and no longer: {took:?}"
    );
    assert!(outcome.stderr.contains("429"), "{}", outcome.stderr);
    let keys: Vec<&str> = requests
        .iter()
        .filter_map(|head| {
            head.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("idempotency-key:"))
        })
        .collect();
    assert_eq!(keys.len(), 5, "every attempt carried an Idempotency-Key");
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "the same key each time: {keys:?}"
    );

    // A server asking for an hour is not waited for.
    let (url, requests) = storm(3600);
    env.set("PERSONA_API_URL", &url);
    let started = Instant::now();
    env.run(&["personas", "list"]).code(6);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(requests.lock().unwrap().len(), 1);
}

/// Whether `unshare -Urm` works here (a user and mount namespace: a read-only or tiny file
/// system without being root, and one that root cannot write either).
fn namespaces() -> bool {
    let works = Command::new("unshare")
        .args(["-Urm", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works && std::env::var_os("PERSONA_REQUIRE_EXTERNAL").is_some() {
        panic!("`unshare -Urm` does not work here; the store fault tests need it");
    }
    works
}

/// Runs `script` with sh in a new user and mount namespace, in `env`, with `$PERSONA` and `$D`.
fn in_namespace(env: &TestEnv, dir: &std::path::Path, script: &str) -> String {
    let output = env
        .program("unshare", &["-Urm", "sh", "-c", script])
        .env("PERSONA", crate::common::BIN)
        .env("D", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn a_store_on_a_read_only_or_full_disk_gives_a_clear_error_and_stays_whole() {
    if !namespaces() {
        return;
    }
    let env = TestEnv::new();
    env.create(BRIEF, &[]);
    let store = env.data_dir().join("persona.db");
    let read_only = in_namespace(
        &env,
        &env.data_dir(),
        r#"mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" || exit 99
           "$PERSONA" personas list; echo "exit=$?"
           "$PERSONA" personas create --intent "a night-shift baker"; echo "exit=$?""#,
    );
    assert_eq!(read_only.matches("exit=1").count(), 2, "{read_only}");
    assert!(
        read_only.contains(&format!(
            "cannot open the persona store {}",
            store.display()
        )),
        "{read_only}"
    );
    assert!(!read_only.contains("panicked"), "{read_only}");
    assert_eq!(
        env.run(&["personas", "list", "--json"])
            .success()
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let tiny = env.path("tiny");
    std::fs::create_dir_all(&tiny).unwrap();
    let full = in_namespace(
        &env,
        &tiny,
        r#"mount -t tmpfs -o size=1m tmpfs "$D" || exit 99
           export PERSONA_DATA_DIR="$D"
           "$PERSONA" personas create --intent "a lighthouse keeper" --json > /dev/null; echo "first=$?"
           head -c 4000000 /dev/zero > "$D/filler" 2> /dev/null
           "$PERSONA" personas create --intent "a night-shift baker"; echo "full=$?"
           rm "$D/filler"
           "$PERSONA" personas list; echo "after=$?""#,
    );
    assert!(full.contains("first=0"), "{full}");
    assert!(full.contains("full=1"), "{full}");
    assert!(
        full.contains(&format!("{}/persona.db", tiny.display())),
        "the error names the store: {full}"
    );
    assert!(
        full.contains("free space") || full.contains("free some space"),
        "the error says what to do: {full}"
    );
    assert!(!full.contains("panicked"), "{full}");
    assert!(
        full.contains("after=0") && full.matches("psn_").count() == 1,
        "with space again the store opens and holds the first persona only: {full}"
    );
}

#[test]
fn a_corrupt_config_or_credentials_file_is_named_and_left_as_it_is() {
    let env = TestEnv::new();
    let server = env.serve(&[]);
    let config = env.path("config/config.yml");
    std::fs::write(&config, "profiles: [unclosed\n").unwrap();
    for args in [
        vec!["personas", "list"],
        vec!["auth", "login", "--api-url", &server.base_url, "--with-key"],
    ] {
        let outcome = env.run_with_stdin(&args, &format!("{}\n", server.key));
        assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(&config.display().to_string()),
            "names the file: {}",
            outcome.stderr
        );
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "profiles: [unclosed\n"
        );
    }

    std::fs::remove_file(&config).unwrap();
    let credentials = env.path("config/credentials.yml");
    std::fs::write(&credentials, "dev: [\n").unwrap();
    let outcome = env.run(&["--profile", "dev", "auth", "token"]);
    assert_ne!(outcome.code, 0);
    assert!(
        outcome.stderr.contains(&credentials.display().to_string()),
        "{}",
        outcome.stderr
    );
    let outcome = env.run_with_stdin(
        &["auth", "login", "--api-url", &server.base_url, "--with-key"],
        &format!("{}\n", server.key),
    );
    assert_ne!(outcome.code, 0, "login does not overwrite it either");
    assert_eq!(std::fs::read_to_string(&credentials).unwrap(), "dev: [\n");
}

#[test]
fn a_keyring_that_never_answers_costs_3s_then_the_file_is_used_with_a_warning() {
    let needed = ["dbus-run-session", "dbus-send", "gnome-keyring-daemon"];
    let missing: Vec<&str> = needed
        .into_iter()
        .filter(|p| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {p}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("PERSONA_REQUIRE_EXTERNAL").is_none(),
            "missing {missing:?}: scripts/test installs them"
        );
        return;
    }
    let env = TestEnv::new();
    let key = lasting_key(&env);
    let server = env.serve(&[]);
    // A real Secret Service that owns its D-Bus name and then stops (SIGSTOP): every call to it
    // waits for an answer that never comes, as with a keyring stuck on an unseen prompt.
    let script = r#"
        printf 'keyring-password' | gnome-keyring-daemon --foreground --unlock --components=secrets > /dev/null 2>&1 &
        daemon=$!
        trap 'kill -CONT $daemon 2> /dev/null; kill -KILL $daemon 2> /dev/null' EXIT
        for _ in $(seq 200); do
            dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2> /dev/null | grep -q 'boolean true' && break
            sleep 0.05
        done
        kill -STOP $daemon
        timed() { start=$(date +%s%N); "$@"; echo "$? $(( ($(date +%s%N) - start) / 1000000 ))"; }
        printf '%s\n' "$KEY" | timed "$PERSONA" --profile kr auth login --api-url "$URL" --with-key 2> login.err > login.time
        timed "$PERSONA" --profile kr auth token 2> token.err > token.out
    "#;
    let out = env
        .program("dbus-run-session", &["--", "bash", "-c", script])
        .env_remove("PERSONA_CREDENTIAL_STORE")
        .env("KEY", &key)
        .env("URL", &server.base_url)
        .env("PERSONA", crate::common::BIN)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(env.work().join(name)).unwrap();
    let timing = |text: String| -> (i32, u64) {
        let mut parts = text.split_whitespace();
        (
            parts.next().unwrap().parse().unwrap(),
            parts.next().unwrap().parse().unwrap(),
        )
    };
    let (code, millis) = timing(read("login.time"));
    assert_eq!(code, 0, "{}", read("login.err"));
    assert!(
        (3000..6000).contains(&millis),
        "login waited the 3 s bound once: {millis} ms"
    );
    let warning = read("login.err");
    assert!(
        warning.contains("did not answer within 3s") && warning.contains("credentials.yml"),
        "{warning}"
    );
    let credentials = env.path("config/credentials.yml");
    assert!(
        std::fs::read_to_string(&credentials)
            .unwrap()
            .contains(&key)
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let token = read("token.out");
    let (token_line, timing_line) = token.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(token_line.trim(), key, "the key comes from the file");
    let (code, millis) = timing(timing_line.to_string());
    assert_eq!(code, 0, "{}", read("token.err"));
    assert!(millis < 6000, "token waited the bound once: {millis} ms");
}

#[test]
fn an_unreachable_api_is_one_error_line_and_its_causes_show_with_verbose() {
    // A port nothing listens on any more.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut env = TestEnv::new();
    env.set("PERSONA_API_URL", &format!("http://127.0.0.1:{port}/v1"));
    env.set("PERSONA_API_KEY", "pk_test_unreachable");
    // A cancel is not retried: one attempt, refused at once.
    let plain = env.run(&["runs", "cancel", "run_1"]).code(9);
    assert!(
        plain.stderr.contains("error: cannot reach the Persona API")
            && !plain.stderr.contains("caused by"),
        "{}",
        plain.stderr
    );
    let verbose = env.run(&["-v", "runs", "cancel", "run_1"]).code(9);
    assert!(
        verbose
            .stderr
            .contains("caused by: error sending request for url"),
        "{}",
        verbose.stderr
    );
}
