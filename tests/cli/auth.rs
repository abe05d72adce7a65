//! `persona auth` with the real binary against `persona dev serve`: keys from stdin, the device
//! login approved over HTTP by a signed-in browser or by `dev keys approve`, status, token,
//! switch, logout and revocation, and secrets kept out of output.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{DevServer, TestEnv};

/// A lasting key on the server's store, made with `persona dev keys create`.
fn lasting_key(env: &TestEnv, data_dir: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec![
        "dev",
        "keys",
        "create",
        "--json",
        "--data-dir",
        data_dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    env.run(&args).success().json()["api_key"]
        .as_str()
        .unwrap()
        .to_string()
}

fn server(env: &TestEnv) -> DevServer {
    env.serve(&["--data-dir", env.path("server-store").to_str().unwrap()])
}

fn login_with_key(
    env: &TestEnv,
    server: &DevServer,
    key: &str,
    profile: &str,
) -> crate::common::Outcome {
    env.run_with_stdin(
        &[
            "--profile",
            profile,
            "auth",
            "login",
            "--api-url",
            &server.base_url,
            "--with-key",
        ],
        &format!("{key}\n"),
    )
}

#[test]
fn a_key_from_stdin_is_checked_stored_privately_and_used() {
    let env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    let login = login_with_key(&env, &server, &key, "dev").success();
    assert!(login.stderr.contains("ws_local"), "{}", login.stderr);
    assert!(
        !login.stderr.contains(&key) && !login.stdout.contains(&key),
        "the key is never printed"
    );

    let config = std::fs::read_to_string(env.path("config/config.yml")).unwrap();
    assert!(
        config.contains("active_profile: dev") && !config.contains(&key),
        "{config}"
    );
    let credentials = env.path("config/credentials.yml");
    assert!(
        std::fs::read_to_string(&credentials)
            .unwrap()
            .contains(&key)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    // The profile is now the active backend of every command.
    let created = env.create("a 40-year-old cheerful baker in Lyon", &[]);
    let listed = env.run(&["personas", "list", "--json"]).success().json();
    assert_eq!(listed[0]["id"], created["id"]);
    let token = env.run(&["auth", "token"]).success();
    assert_eq!(token.stdout.trim(), key);
}

#[test]
fn a_refused_key_is_not_stored() {
    let env = TestEnv::new();
    let server = server(&env);
    let login = login_with_key(&env, &server, "pk_test_notarealkey", "dev").code(4);
    assert!(
        login.stderr.contains("auth.invalid_key"),
        "{}",
        login.stderr
    );
    assert!(!env.path("config/credentials.yml").exists());
    let empty = env.run_with_stdin(
        &["auth", "login", "--api-url", &server.base_url, "--with-key"],
        "",
    );
    assert_eq!(empty.code, 2, "{}", empty.stderr);
}

#[test]
fn status_reports_source_expiry_and_acceptance_and_fails_for_a_revoked_key() {
    let env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    login_with_key(&env, &server, &key, "dev").success();

    let status = env.run(&["auth", "status"]).success();
    assert!(status.stdout.contains("* dev"), "{}", status.stdout);
    assert!(
        status.stdout.contains("credentials file") && status.stdout.contains("accepted"),
        "{}",
        status.stdout
    );
    assert!(
        status.stderr.contains("plain file"),
        "a file-stored key is warned about: {}",
        status.stderr
    );
    assert!(!status.stdout.contains(&key) && status.stdout.contains(&key[key.len() - 4..]));
    let json = env.run(&["auth", "status", "--json"]).success().json();
    assert_eq!(json["active_profile"], "dev");
    let dev = json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "dev")
        .unwrap()
        .clone();
    assert_eq!(dev["accepted"], true);
    assert!(
        (88..=90).contains(&dev["expires_in_days"].as_i64().unwrap()),
        "{dev}"
    );

    // Revoked elsewhere (another machine logs out with the same key): status must say so.
    let other = TestEnv::new();
    login_with_key(&other, &server, &key, "dev").success();
    other.run(&["auth", "logout"]).success();
    let status = env.run(&["auth", "status"]).code(4);
    assert!(status.stdout.contains("refused"), "{}", status.stdout);
    env.run(&["personas", "list"]).code(4);
}

#[test]
fn the_environment_key_wins_and_status_says_so() {
    let mut env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    let status = env.run(&["auth", "status", "--json"]).success().json();
    assert_eq!(status["active_profile"], "environment");
    assert_eq!(status["profiles"][0]["key_source"], "PERSONA_API_KEY");
    let login = env
        .run(&["auth", "login", "--api-url", &server.base_url])
        .success();
    assert!(
        login.stderr.contains("PERSONA_API_KEY is set"),
        "{}",
        login.stderr
    );
}

#[test]
fn logout_revokes_on_the_server_then_forgets_locally() {
    let mut env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    login_with_key(&env, &server, &key, "dev").success();
    let logout = env.run(&["auth", "logout"]).success();
    assert!(logout.stderr.contains("revoked"), "{}", logout.stderr);
    let credentials =
        std::fs::read_to_string(env.path("config/credentials.yml")).unwrap_or_default();
    assert!(!credentials.contains(&key));
    // Back on the local profile; the revoked key is refused by the server.
    env.run(&["auth", "status"]).success();
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    env.run(&["personas", "list"]).code(4);
}

#[test]
fn logout_keeps_a_key_it_could_not_revoke_unless_told_local() {
    let env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    login_with_key(&env, &server, &key, "dev").success();
    server.kill();
    let stored = || {
        std::fs::read_to_string(env.path("config/credentials.yml"))
            .unwrap_or_default()
            .contains(&key)
    };
    let logout = env.run(&["auth", "logout"]).code(9);
    assert!(
        logout.stderr.contains("kept the login of `dev`"),
        "{}",
        logout.stderr
    );
    assert!(logout.stderr.contains("--local"), "{}", logout.stderr);
    assert!(stored(), "a key that may still be valid was thrown away");

    let logout = env.run(&["auth", "logout", "--local"]).success();
    assert!(logout.stderr.contains("here only"), "{}", logout.stderr);
    assert!(!stored());
}

#[test]
fn logout_refuses_when_the_key_comes_from_the_environment() {
    let env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    login_with_key(&env, &server, &key, "dev").success();
    let outcome = env
        .command(&["auth", "logout"])
        .env("PERSONA_API_URL", &server.base_url)
        .env("PERSONA_API_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(outcome.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&outcome.stderr).contains("PERSONA_API_KEY"));
    // Nothing was revoked: the stored login still works.
    env.run(&["personas", "list"]).success();
}

#[test]
fn switch_and_token_follow_the_active_profile() {
    let env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    login_with_key(&env, &server, &key, "dev").success();
    env.run(&["auth", "switch", "local"]).success();
    env.run(&["auth", "token"]).code(4);
    env.run(&["auth", "switch", "nope"]).code(2);
    env.run(&["auth", "switch", "dev"]).success();
    assert_eq!(env.run(&["auth", "token"]).success().stdout.trim(), key);
    assert_eq!(
        env.run(&["auth", "token", "--json"]).success().json()["token"],
        key.as_str()
    );
    let switched = env
        .run(&["auth", "switch", "local", "--json"])
        .success()
        .json();
    assert_eq!(switched["active_profile"], "local");
}

#[test]
fn verbose_output_never_shows_the_key() {
    let mut env = TestEnv::new();
    let server = server(&env);
    let key = lasting_key(&env, &env.path("server-store"), &[]);
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    let out = env.run(&["-vv", "personas", "list"]).success();
    assert!(
        out.stderr.contains("authorization: Bearer [redacted]"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&key) && !out.stdout.contains(&key));
}

/// Runs `persona auth login --no-browser` in the background and returns the child, the user
/// code and the verification URL it printed.
fn start_device_login(env: &TestEnv, server: &DevServer) -> (std::process::Child, String, String) {
    let mut child = env
        .command(&[
            "--profile",
            "dev",
            "auth",
            "login",
            "--api-url",
            &server.base_url,
            "--no-browser",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (mut code, mut url) = (None, None);
    let mut line = String::new();
    while (code.is_none() || url.is_none()) && stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.split("one-time code: ").nth(1) {
            code = Some(rest.trim().to_string());
        }
        if let Some(found) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            url = Some(found.to_string());
        }
        line.clear();
    }
    // Keep the pipe drained so the login never blocks on writing.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = stderr.read_to_string(&mut sink);
    });
    (
        child,
        code.expect("printed a code"),
        url.expect("printed a URL"),
    )
}

/// What a person's browser would do: sign in with the link `dev serve` printed, load the page,
/// then submit the form with a decision.
fn decide(server: &DevServer, url: &str, decision: &str) -> String {
    let cookie = crate::common::sign_in(&server.signin_url).expect("the link signs in");
    let page = crate::common::http_get(url, &cookie);
    let token =
        crate::common::html_input_value(&page, "token").expect("the form carries its token");
    let user_code =
        crate::common::html_input_value(&page, "user_code").expect("the form carries the code");
    let origin = url.split("/cli/").next().unwrap();
    crate::common::http_post_form(
        &format!("{origin}/cli/activate"),
        &[
            ("user_code", &user_code),
            ("token", &token),
            ("decision", decision),
        ],
        &cookie,
    )
}

fn wait(child: &mut std::process::Child, limit: Duration) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(start.elapsed() < limit, "login did not finish in {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fast_login_server(env: &TestEnv, ttl: &str) -> DevServer {
    env.serve(&[
        "--data-dir",
        env.path("server-store").to_str().unwrap(),
        "--device-poll-interval",
        "1",
        "--device-code-ttl",
        ttl,
    ])
}

#[test]
fn the_device_login_completes_once_approved_in_the_browser_page() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    let (mut child, code, url) = start_device_login(&env, &server);
    assert!(
        url.contains(&code.replace('-', "")) || url.contains(&code),
        "{url} {code}"
    );
    let result = decide(&server, &url, "approve");
    assert!(
        result.contains("close this window") || result.contains("approved"),
        "{result}"
    );
    assert_eq!(wait(&mut child, Duration::from_secs(20)), 0);
    let status = env.run(&["auth", "status", "--json"]).success().json();
    assert_eq!(status["active_profile"], "dev");
}

#[test]
fn a_denied_device_login_exits_4() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    let (mut child, _, url) = start_device_login(&env, &server);
    decide(&server, &url, "deny");
    assert_eq!(wait(&mut child, Duration::from_secs(20)), 4);
    assert!(!env.path("config/credentials.yml").exists());
}

#[test]
fn an_expired_device_login_exits_4() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "2");
    let (mut child, _, _) = start_device_login(&env, &server);
    assert_eq!(wait(&mut child, Duration::from_secs(20)), 4);
}

#[test]
fn dev_keys_approve_completes_a_waiting_login_with_the_scopes_it_asked() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    let store = env.path("server-store");
    let store = store.to_str().unwrap();
    let (mut child, code, _) = start_device_login(&env, &server);

    let approve = |typed: &str| env.run(&["dev", "keys", "approve", typed, "--data-dir", store]);
    let out = approve(&code.to_lowercase().replace('-', "")).success();
    assert!(
        out.stdout
            .contains(&format!("Approved {code} for workspace ws_local"))
            && out.stdout.contains(&persona::model::CLI_SCOPES.join(" ")),
        "{}",
        out.stdout
    );
    assert_eq!(wait(&mut child, Duration::from_secs(20)), 0);
    let status = env.run(&["auth", "status", "--json"]).success().json();
    assert_eq!(status["active_profile"], "dev");

    let again = approve(&code).code(5);
    assert!(again.stderr.contains("was approved"), "{}", again.stderr);
    let unknown = approve("BBBB-BBBB").code(3);
    assert!(
        unknown.stderr.contains("no login waits"),
        "{}",
        unknown.stderr
    );
    let malformed = approve("WDJB-MJH0").code(2);
    assert!(
        malformed.stderr.contains("8 letters"),
        "{}",
        malformed.stderr
    );
}

#[test]
fn dev_keys_approve_says_what_it_granted_in_json() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    let started = crate::common::http_request_json(
        "POST",
        &format!("{}/auth/device/code", server.base_url),
        Some(&serde_json::json!({
            "client_id": "persona-cli", "scopes": ["runs:read", "keys:manage"]
        })),
    );
    let code = started["user_code"].as_str().unwrap();
    let store = env.path("server-store");
    let granted = env
        .run(&[
            "dev",
            "keys",
            "approve",
            code,
            "--json",
            "--data-dir",
            store.to_str().unwrap(),
        ])
        .success()
        .json();
    assert_eq!(
        granted,
        serde_json::json!({
            "user_code": code, "status": "approved",
            "workspace": { "id": "ws_local", "name": "Local workspace" },
            "scopes": ["runs:read", "keys:manage"], "approved_by": "local",
        })
    );
}

#[test]
fn a_login_without_a_credential_cannot_be_approved_on_the_page() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    let store = env.path("server-store");
    lasting_key(&env, &store, &["--workspace", "ws_other"]);
    // No Authorization header anywhere: start a login for ws_other with every scope...
    let login = crate::common::http_request_json(
        "POST",
        &format!("{}/auth/device/code", server.base_url),
        Some(&serde_json::json!({
            "client_id": "persona-cli", "workspace": "ws_other",
            "scopes": persona::server::ALL_SCOPES,
        })),
    );
    let url = login["verification_uri_complete"].as_str().unwrap();
    let user_code = login["user_code"].as_str().unwrap();
    // ...open the page, and post its form with Approve.
    let page = crate::common::http_get(url, "");
    assert!(page.contains("Sign in to approve logins"), "{page}");
    assert!(crate::common::html_input_value(&page, "token").is_none());
    let origin = url.split("/cli/").next().unwrap();
    let refused = crate::common::http_post_form(
        &format!("{origin}/cli/activate"),
        &[
            ("user_code", user_code),
            ("token", "anything"),
            ("decision", "approve"),
        ],
        "",
    );
    assert!(refused.contains("Sign in to approve logins"), "{refused}");
    let polled = crate::common::http_request_json(
        "POST",
        &format!("{}/auth/device/token", server.base_url),
        Some(&serde_json::json!({ "device_code": login["device_code"] })),
    );
    assert_eq!(
        polled["error"]["code"], "auth.authorization_pending",
        "{polled}"
    );
    assert!(polled.get("api_key").is_none());
}

#[test]
fn the_link_dev_serve_prints_signs_in_once_and_signin_url_makes_another() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    assert!(
        server
            .signin_url
            .starts_with(&format!("http://{}/cli/signin?token=", server.addr())),
        "{}",
        server.signin_url
    );
    let cookie = crate::common::sign_in(&server.signin_url).expect("the printed link signs in");
    assert!(cookie.starts_with("persona_session_"), "{cookie}");
    assert_eq!(crate::common::sign_in(&server.signin_url), None);

    let store = env.path("server-store");
    let fresh = env
        .run(&[
            "dev",
            "signin-url",
            "--addr",
            &server.addr(),
            "--data-dir",
            store.to_str().unwrap(),
        ])
        .success()
        .stdout;
    let fresh = fresh.trim();
    assert!(fresh.starts_with(&format!("http://{}/cli/signin?token=", server.addr())));
    assert_ne!(fresh, server.signin_url);
    assert!(crate::common::sign_in(fresh).is_some());
    assert_eq!(crate::common::sign_in(fresh), None);
    let bad = env
        .run(&["dev", "signin-url", "--addr", "evil.example:80"])
        .code(2);
    assert!(bad.stderr.contains("IP:PORT"), "{}", bad.stderr);
}

/// `persona ARGS` under a pseudo-terminal (util-linux `script`), in `env`: the child, a writer
/// to the terminal, and the terminal's output as it comes, line by line.
struct OnTerminal {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::sync::mpsc::Receiver<String>,
    seen: String,
}

impl OnTerminal {
    fn start(env: &TestEnv, args: &str) -> OnTerminal {
        let mut child = env
            .program(
                "script",
                &[
                    "-q",
                    "-f",
                    "-e",
                    "-c",
                    &format!("\"$PERSONA\" {args}"),
                    "/dev/null",
                ],
            )
            .env("PERSONA", crate::common::BIN)
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script (util-linux) runs");
        let input = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (sender, output) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0
                    || sender
                        .send(String::from_utf8_lossy(&buffer[..n]).into_owned())
                        .is_err()
                {
                    break;
                }
            }
        });
        OnTerminal {
            child,
            input,
            output,
            seen: String::new(),
        }
    }

    /// Everything shown so far once `text` is among it.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(chunk) => self.seen.push_str(&chunk),
                Err(_) => panic!("never showed {text:?}; showed:\n{}", self.seen),
            }
        }
        self.seen.clone()
    }

    fn type_line(&mut self, text: &str) {
        use std::io::Write;
        self.input
            .write_all(format!("{text}\r").as_bytes())
            .unwrap();
        self.input.flush().unwrap();
    }

    /// The exit code, and everything shown.
    fn finish(mut self) -> (i32, String) {
        let code = wait(&mut self.child, Duration::from_secs(30));
        while let Ok(chunk) = self.output.recv_timeout(Duration::from_secs(1)) {
            self.seen.push_str(&chunk);
        }
        (code, self.seen)
    }
}

#[test]
fn on_a_terminal_the_login_shows_the_code_and_url_first_and_asks_for_what_the_cli_uses() {
    let env = TestEnv::new();
    let server = fast_login_server(&env, "60");
    let store = env.path("server-store");
    let mut login = OnTerminal::start(
        &env,
        &format!("--profile dev auth login --api-url {}", server.base_url),
    );
    let shown = login.wait_for("/cli/activate");
    let first = shown.lines().find(|line| !line.trim().is_empty()).unwrap();
    assert!(first.contains("First copy your one-time code: "), "{shown}");
    assert!(!shown.contains("How would you like"), "{shown}");
    let code = first
        .split("one-time code: ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .to_string();
    let approved = env
        .run(&[
            "dev",
            "keys",
            "approve",
            &code,
            "--data-dir",
            store.to_str().unwrap(),
        ])
        .success();
    assert!(
        approved
            .stdout
            .contains(&persona::model::CLI_SCOPES.join(" ")),
        "{}",
        approved.stdout
    );
    let (code, shown) = login.finish();
    assert_eq!(code, 0, "{shown}");
    // The commands a user runs next have the scopes they need.
    env.run(&["webhooks", "list"]).success();
    env.run(&["runs", "list"]).success();
    env.run(&["personas", "list"]).success();
}

/// Waits (up to 30 s) until the terminal of the process whose command line names `needle`
/// no longer echoes what is typed.
fn wait_until_echo_is_off(needle: &str) {
    let echo_off = || {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return false;
        };
        entries.flatten().any(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            if !cmdline.contains(needle) || !cmdline.contains("--with-key") {
                return false;
            }
            let Ok(tty) = std::fs::read_link(entry.path().join("fd/0")) else {
                return false;
            };
            Command::new("stty")
                .arg("-F")
                .arg(&tty)
                .arg("-a")
                .output()
                .is_ok_and(|out| {
                    String::from_utf8_lossy(&out.stdout)
                        .split_whitespace()
                        .any(|flag| flag == "-echo")
                })
        })
    };
    assert!(
        crate::common::eventually(Duration::from_secs(30), echo_off),
        "the key prompt never turned echo off"
    );
}

#[test]
fn with_key_on_a_terminal_asks_for_the_key_without_showing_it() {
    let env = TestEnv::new();
    let server = server(&env);
    let mut login = OnTerminal::start(
        &env,
        &format!(
            "--profile pasted auth login --api-url {} --with-key",
            server.base_url
        ),
    );
    login.wait_for("Paste your API key");
    // The prompt turns echo off after it is shown; a key typed before would be shown, or
    // dropped with the input the terminal had not yet read.
    wait_until_echo_is_off(&server.base_url);
    login.type_line(&server.key);
    let (code, shown) = login.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("Logged in to"), "{shown}");
    assert!(!shown.contains(&server.key), "the key was shown:\n{shown}");
    let status = env.run(&["auth", "status", "--json"]).success().json();
    assert_eq!(status["active_profile"], "pasted");
}

#[test]
fn a_missing_scope_says_how_to_log_in_again_with_it() {
    let mut env = TestEnv::new();
    let server = server(&env);
    let narrow = lasting_key(
        &env,
        &env.path("server-store"),
        &["--scopes", "personas:read,runs:read"],
    );
    login_with_key(&env, &server, &narrow, "narrow").success();
    let refused = env.run(&["webhooks", "list"]).code(4);
    assert!(
        refused.stderr.contains("webhooks:manage")
            && refused.stderr.contains(
                "hint: log in again for a key with `webhooks:manage`: `persona auth login --profile narrow`"
            ),
        "{}",
        refused.stderr
    );
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &narrow);
    let refused = env.run(&["webhooks", "list"]).code(4);
    assert!(
        refused
            .stderr
            .contains("hint: the key in PERSONA_API_KEY lacks `webhooks:manage`"),
        "{}",
        refused.stderr
    );
}
