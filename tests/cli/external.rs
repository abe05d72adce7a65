//! Tests with real outside programs: a headless Chromium (through chromedriver) signing in and
//! approving a device login, and the GNOME keyring over D-Bus holding the key. `scripts/test`
//! installs them and sets PERSONA_REQUIRE_EXTERNAL=1, where a missing program fails the test
//! instead of skipping it.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{TestEnv, http_request_json, require};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A chromedriver process and one headless Chromium session, closed on drop.
struct Browser {
    driver: std::process::Child,
    base: String,
    session: String,
}

impl Browser {
    fn start(profile_dir: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", format!("--user-data-dir={}", profile_dir.display())],
            },
        } } });
        let answer = http_request_json("POST", &format!("{base}/session"), Some(&capabilities));
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {answer}"))
            .to_string();
        Browser {
            driver,
            base,
            session,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let answer = http_request_json(method, &url, body);
        assert!(
            answer["value"].get("error").is_none(),
            "webdriver {path}: {answer}"
        );
        answer["value"].clone()
    }

    fn open(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    fn click(&self, css: &str) {
        let element = self.command(
            "POST",
            "/element",
            Some(&json!({ "using": "css selector", "value": css })),
        );
        let id = element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_string();
        self.command("POST", &format!("/element/{id}/click"), Some(&json!({})));
    }

    fn page_text(&self) -> String {
        self.command("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http_request_json(
            "DELETE",
            &format!("{}/session/{}", self.base, self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn a_real_browser_approves_the_device_login() {
    if !require(&["chromedriver", "chromium"]) {
        return;
    }
    let env = TestEnv::new();
    let server = env.serve(&[
        "--data-dir",
        env.path("server-store").to_str().unwrap(),
        "--device-poll-interval",
        "1",
    ]);
    let mut login = env
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
    let mut stderr = BufReader::new(login.stderr.take().unwrap());
    let mut url = None;
    let mut line = String::new();
    while url.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
        url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_string);
        line.clear();
    }
    let url = url.expect("the login printed its URL");
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = stderr.read_to_string(&mut sink);
    });

    let browser = Browser::start(&env.path("chromium-profile"));
    browser.open(&url);
    let page = browser.page_text();
    assert!(page.contains("Sign in to approve logins"), "{page}");
    assert!(!page.contains("id=\"approve\""), "{page}");
    // Signing in with the link `dev serve` printed lands on the activation page.
    browser.open(&server.signin_url);
    let page = browser.page_text();
    assert!(page.contains("Type the code"), "{page}");
    let cookies = browser.command("GET", "/cookie", None);
    let session = cookies
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with("persona_session_"))
        .unwrap_or_else(|| panic!("no session cookie: {cookies}"));
    assert_eq!(session["httpOnly"], true, "{session}");
    assert_eq!(session["sameSite"], "Strict", "{session}");
    assert_eq!(session["path"], "/", "{session}");
    browser.open(&url);
    let page = browser.page_text();
    assert!(page.contains("Authorize the Persona CLI"), "{page}");
    assert!(page.contains("ws_local"), "the page names the workspace");
    browser.click("#approve");
    let mut result = String::new();
    let approved = crate::common::eventually(Duration::from_secs(15), || {
        result = browser.page_text();
        result.to_lowercase().contains("close this window")
    });
    assert!(approved, "the result page after Approve: {result}");

    let started = Instant::now();
    let status = loop {
        if let Some(status) = login.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the login did not finish after approval"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success());
    let whoami = env.run(&["auth", "status", "--json"]).success().json();
    assert_eq!(whoami["active_profile"], "dev");
}

#[test]
fn the_os_keyring_holds_the_key_and_nothing_is_written_to_disk() {
    if !require(&["dbus-run-session", "gnome-keyring-daemon", "secret-tool"]) {
        return;
    }
    let env = TestEnv::new();
    let store = env.path("server-store");
    let server = env.serve(&["--data-dir", store.to_str().unwrap()]);
    let key = env
        .run(&[
            "dev",
            "keys",
            "create",
            "--json",
            "--data-dir",
            store.to_str().unwrap(),
        ])
        .success()
        .json()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    let script = r#"
        set -e
        printf 'keyring-password' | gnome-keyring-daemon --unlock --components=secrets > /dev/null
        printf '%s\n' "$KEY" | "$PERSONA" --profile kr auth login --api-url "$URL" --with-key 2> login.err
        "$PERSONA" auth status --json > status.json
        secret-tool lookup service persona username kr > lookup.txt
        "$PERSONA" auth token > token.txt
        cat "$PERSONA_CONFIG_DIR"/* > config-files.txt 2> /dev/null || true
        "$PERSONA" auth logout 2> logout.err
        if secret-tool lookup service persona username kr > /dev/null; then echo present > after-logout.txt; else echo gone > after-logout.txt; fi
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
    assert!(
        !read("login.err").contains("warning"),
        "no fallback to the file: {}",
        read("login.err")
    );
    let status: Value = serde_json::from_str(&read("status.json")).unwrap();
    let kr = status["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "kr")
        .unwrap()
        .clone();
    assert_eq!(kr["key_source"], "OS keyring");
    assert_eq!(kr["accepted"], true);
    assert_eq!(read("lookup.txt").trim(), key, "the key is in the keyring");
    assert_eq!(read("token.txt").trim(), key);
    assert!(!read("config-files.txt").contains(&key), "no key on disk");
    assert!(!env.path("config/credentials.yml").exists());
    assert_eq!(read("after-logout.txt").trim(), "gone");
}
