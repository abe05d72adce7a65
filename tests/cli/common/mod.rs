//! `TestEnv`: the real `persona` binary in an isolated home (temp config, data and working
//! directories, file credentials, no colour), and `DevServer`: `persona dev serve` on a free port.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_persona");

/// What a finished command gave.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "stdout is not JSON ({err}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(
            self.code, expected,
            "expected exit {expected}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// An isolated environment for the binary.
pub struct TestEnv {
    pub root: tempfile::TempDir,
    /// Extra environment for every command.
    pub env: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["home", "config", "data", "work"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        TestEnv {
            root,
            env: Vec::new(),
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    pub fn work(&self) -> PathBuf {
        self.path("work")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    /// Writes a file in the working directory.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.work().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.work().join(name)).unwrap()
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.env.push((name.to_string(), value.to_string()));
    }

    pub fn command(&self, args: &[&str]) -> Command {
        self.program(BIN, args)
    }

    /// Any program, in this environment (working directory and variables).
    pub fn program(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(self.work())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("home/.config"))
            .env("XDG_DATA_HOME", self.path("home/.local/share"))
            .env("PERSONA_CONFIG_DIR", self.path("config"))
            .env("PERSONA_DATA_DIR", self.data_dir())
            .env("PERSONA_CREDENTIAL_STORE", "file")
            .env("NO_COLOR", "1")
            .env("TMPDIR", self.path("home"));
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Runs the binary to completion with no stdin.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Outcome {
        run_to_end(self.command(args), stdin)
    }

    /// Runs `script` with bash in this environment, `$PERSONA` naming the binary: for what only
    /// a shell writes, such as process substitution (`-f <(cat brief.md)`).
    pub fn run_in_bash(&self, script: &str) -> Outcome {
        let mut command = self.program("bash", &["-c", script]);
        command.env("PERSONA", BIN);
        run_to_end(command, "")
    }

    /// Creates a persona on the active backend and returns it.
    pub fn create(&self, intent: &str, extra: &[&str]) -> Value {
        let mut args = vec!["personas", "create", "--intent", intent, "--json"];
        args.extend_from_slice(extra);
        self.run(&args).success().json()
    }

    /// Points every later command at `server` instead of the embedded default.
    pub fn use_server(&mut self, server: &DevServer) {
        self.set("PERSONA_API_URL", &server.base_url);
        self.set("PERSONA_API_KEY", &server.key);
    }

    /// Starts `persona dev serve` over this environment's data directory.
    pub fn serve(&self, extra: &[&str]) -> DevServer {
        self.serve_on("127.0.0.1:0", extra)
    }

    pub fn serve_on(&self, addr: &str, extra: &[&str]) -> DevServer {
        let mut args = vec!["dev", "serve", "--addr", addr];
        args.extend_from_slice(extra);
        let mut child = self
            .command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn persona dev serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut base_url = String::new();
        stdout.read_line(&mut base_url).unwrap();
        let base_url = base_url.trim().to_string();
        assert!(
            base_url.starts_with("http://127.0.0.1:"),
            "dev serve printed {base_url:?}"
        );
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let (mut key, mut signin_url) = (None, None);
        let mut line = String::new();
        while (key.is_none() || signin_url.is_none()) && stderr.read_line(&mut line).unwrap() > 0 {
            let words = || line.split_whitespace();
            if let Some(found) = words().find(|w| w.starts_with("pk_test_")) {
                key = Some(found.to_string());
            }
            if let Some(found) = words().find(|w| w.contains("/cli/signin?token=")) {
                signin_url = Some(found.to_string());
            }
            line.clear();
        }
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        DevServer {
            child,
            base_url,
            key: key.expect("dev serve printed a development key"),
            signin_url: signin_url.expect("dev serve printed a sign-in link"),
        }
    }
}

/// Runs `command` to its end with `stdin` as its standard input, capturing its output.
pub fn run_to_end(mut command: Command, stdin: &str) -> Outcome {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the command");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Whether the programs exist; without them the test is skipped, except under `scripts/test`
/// (PERSONA_REQUIRE_EXTERNAL=1), which installs them and where a missing one fails the test.
pub fn require(programs: &[&str]) -> bool {
    let missing: Vec<&&str> = programs
        .iter()
        .filter(|p| {
            !Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {p}"))
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("PERSONA_REQUIRE_EXTERNAL").is_some() {
        panic!("missing programs {missing:?}: scripts/test installs them");
    }
    eprintln!("skipped: {missing:?} not installed (scripts/test installs them)");
    false
}

/// The binary on a real terminal: a detached tmux session of a set size, on a tmux server of its
/// own, whose pane stays after the program exits so that its screen and status can be read.
pub struct Terminal {
    socket: PathBuf,
    /// Where the exit status is written when the program ends.
    status: PathBuf,
}

impl TestEnv {
    /// Runs `persona ARGS` in a terminal `width` columns wide and `height` rows high; None
    /// (the test skipped) when tmux is missing outside `scripts/test`.
    pub fn terminal(&self, width: u16, height: u16, args: &[&str]) -> Option<Terminal> {
        let command: Vec<&str> = std::iter::once(BIN).chain(args.iter().copied()).collect();
        self.terminal_running(width, height, &command)
    }

    /// Runs the bash script `script` in a terminal as [`TestEnv::terminal`] does, with the
    /// binary's path as `$1`: to see what the program leaves to the shell after it.
    pub fn terminal_script(&self, width: u16, height: u16, script: &str) -> Option<Terminal> {
        self.terminal_running(width, height, &["bash", "-c", script, "bash", BIN])
    }

    fn terminal_running(&self, width: u16, height: u16, command: &[&str]) -> Option<Terminal> {
        if !require(&["tmux"]) {
            return None;
        }
        // A server and a status file for each terminal of the test.
        let number = (0..)
            .find(|n| !self.path(&format!("tmux-{n}.sock")).exists())
            .unwrap();
        let socket = self.path(&format!("tmux-{number}.sock"));
        let config = self.path("tmux.conf");
        let status = self.path(&format!("terminal-{number}.status"));
        std::fs::write(
            &config,
            "set -g remain-on-exit on\nset -g status off\nset -g history-limit 50000\n",
        )
        .unwrap();
        // A shell around the program writes its exit status down (tmux may lose it). It waits
        // out Ctrl-C, which goes to the whole foreground group, and the program gets it as
        // usual: a trapped signal is reset for the commands a shell runs.
        let script = "status=$1; shift; trap : INT; \"$@\"; echo $? > \"$status\"";
        let (width, height) = (width.to_string(), height.to_string());
        let mut tmux_args = vec![
            "-S",
            socket.to_str().unwrap(),
            "-f",
            config.to_str().unwrap(),
            "new-session",
            "-d",
            "-x",
            &width,
            "-y",
            &height,
            "sh",
            "-c",
            script,
            "sh",
            status.to_str().unwrap(),
        ];
        tmux_args.extend_from_slice(command);
        let started = self.program("tmux", &tmux_args).status().unwrap();
        assert!(started.success(), "tmux did not start");
        Some(Terminal { socket, status })
    }
}

impl Terminal {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses keys, in tmux's names (`Enter`, `Up`, `C-c`, `C-d`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types `text` as it is.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    /// Everything the terminal shows and has scrolled away, lines as the program wrote them
    /// (a line the terminal wrapped is joined again), trailing blanks trimmed.
    pub fn history(&self) -> String {
        let text = self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", "0"]);
        // tmux's own last line once the program exited ("Pane is dead ...") is left out.
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim_end)
            .filter(|line| !line.starts_with("Pane is dead"))
            .collect();
        lines.join("\n").trim_end().to_string()
    }

    /// The rows on the screen now, as the terminal shows them (wrapped lines apart).
    pub fn screen(&self) -> Vec<String> {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
            .lines()
            .map(|line| line.trim_end().to_string())
            .collect()
    }

    /// Waits (up to 60 s) until the history satisfies `check`, and returns it.
    #[track_caller]
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let mut text = String::new();
        if eventually(Duration::from_secs(60), || {
            text = self.history();
            check(&text)
        }) {
            return text;
        }
        panic!("the terminal never showed {what}:\n{text}");
    }

    /// A tmux format (`#{cursor_flag}`) of the pane, as it is now.
    pub fn display(&self, format: &str) -> String {
        self.tmux(&["display", "-p", "-t", "0", format])
            .trim()
            .to_string()
    }

    /// Waits for the program to exit and gives its exit status.
    #[track_caller]
    pub fn exit_code(&self) -> i32 {
        let mut code = None;
        let exited = eventually(Duration::from_secs(60), || {
            code = std::fs::read_to_string(&self.status)
                .ok()
                .and_then(|text| text.trim().parse().ok());
            code.is_some()
        });
        assert!(exited, "the program did not exit:\n{}", self.history());
        code.unwrap()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// A running `persona dev serve`.
pub struct DevServer {
    pub child: Child,
    pub base_url: String,
    pub key: String,
    /// The one-time link that signs a browser in to approve device logins.
    pub signin_url: String,
}

impl DevServer {
    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        self.base_url
            .trim_start_matches("http://")
            .trim_end_matches("/v1")
            .to_string()
    }

    /// Stops the server with SIGKILL, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server with SIGTERM and waits for it.
    pub fn terminate(mut self) -> i32 {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let status = self.child.wait().unwrap();
        status.code().unwrap_or(-1)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python named by PERSONA_TEST_PYTHON (scripts/test makes a venv with the clients' pinned
/// packages), for a test that needs `packages`; None (the test is skipped) when it is unset,
/// except under `scripts/test` (PERSONA_REQUIRE_EXTERNAL), where that fails.
pub fn test_python(packages: &str) -> Option<String> {
    match std::env::var("PERSONA_TEST_PYTHON") {
        Ok(python) if !python.trim().is_empty() => Some(python),
        _ if std::env::var_os("PERSONA_REQUIRE_EXTERNAL").is_some() => {
            panic!("PERSONA_TEST_PYTHON is not set: scripts/test makes a venv with {packages}")
        }
        _ => {
            eprintln!("skipped: set PERSONA_TEST_PYTHON to a Python with {packages}");
            None
        }
    }
}

/// Rewrites a YAML file as another tool would: PyYAML loads it and dumps it back (keys sorted,
/// comments dropped, its own quoting), after `edit`, Python statements on the document `d`.
pub fn pyyaml_rewrite(env: &TestEnv, python: &str, file: &str, edit: &str) {
    let script = format!(
        "import yaml\nwith open({file:?}) as f:\n    d = yaml.safe_load(f)\n{edit}\n\
         with open({file:?}, 'w') as f:\n    yaml.safe_dump(d, f, allow_unicode=True)\n"
    );
    let outcome = env.program(python, &["-c", &script]).output().unwrap();
    assert!(
        outcome.status.success(),
        "PyYAML failed: {}",
        String::from_utf8_lossy(&outcome.stderr)
    );
}

/// Starts the binary with no stdin, its stdout and stderr piped.
pub fn spawn(env: &TestEnv, args: &[&str]) -> Child {
    env.command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn persona")
}

/// Waits for `check` to hold, up to `limit`.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// Files in a directory, for "nothing else was written" checks.
pub fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A plain HTTP/1.1 GET on loopback (no client library) with the cookie `name=value` of a
/// signed-in browser, returning the body.
pub fn http_get(url: &str, cookie: &str) -> String {
    http_exchange("GET", url, &[("Cookie", cookie)], "").1
}

/// Opens a sign-in link as a browser would and returns the session cookie it set, as
/// `name=value` for a Cookie header; None when it set none.
pub fn sign_in(signin_url: &str) -> Option<String> {
    let (head, _) = http_exchange("GET", signin_url, &[], "");
    head.iter().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("set-cookie")
            .then(|| value.trim().split(';').next().unwrap().to_string())
    })
}

/// A form POST on loopback, as a signed-in browser submits it, returning the body.
pub fn http_post_form(url: &str, fields: &[(&str, &str)], cookie: &str) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{}={}", form_encode(name), form_encode(value)))
        .collect();
    let origin = url.split('/').take(3).collect::<Vec<_>>().join("/");
    http_exchange(
        "POST",
        url,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &origin),
            ("Cookie", cookie),
        ],
        &body.join("&"),
    )
    .1
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A JSON request on loopback (a WebDriver command, say), returning the JSON answer.
pub fn http_request_json(method: &str, url: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let text = http_request(method, url, &[("Content-Type", "application/json")], &body);
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn http_request(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> String {
    http_exchange(method, url, headers, body).1
}

/// The header lines (status line first) and the body of an HTTP/1.1 exchange on loopback.
fn http_exchange(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (Vec<String>, String) {
    use std::io::Read as _;
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut content_length = None;
    let mut chunked = false;
    let mut head = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        head.push(line.trim_end().to_string());
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            content_length = value.trim().parse::<usize>().ok();
        }
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = content_length {
        body.resize(length, 0);
        reader.read_exact(&mut body).unwrap();
    } else {
        reader.read_to_end(&mut body).unwrap();
    }
    (head, String::from_utf8_lossy(&body).into_owned())
}

/// The `value` of the `<input name="NAME" ...>` of an HTML page.
pub fn html_input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let tag_start = html.match_indices("<input").map(|(i, _)| i).find(|&i| {
        let end = html[i..].find('>').map_or(html.len(), |e| i + e);
        html[i..end].contains(&marker)
    })?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let value = tag.split("value=\"").nth(1)?.split('"').next()?;
    Some(
        value
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

/// The embedded server, in process on an ephemeral loopback port, over a new temporary store
/// set up by `configure`; the directory must outlive the server.
pub async fn spawn_server(
    configure: impl FnOnce(&mut persona::server::ServerConfig),
) -> (persona::server::ServerHandle, tempfile::TempDir) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let mut config = persona::server::ServerConfig::new(data.path().to_path_buf());
    configure(&mut config);
    let loopback = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    let handle = persona::server::spawn(config, loopback).await.unwrap();
    (handle, data)
}

/// A reqwest client for tests (the crate builds reqwest without a default TLS provider).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// (id, event, data) of each frame of an SSE body whose data is JSON.
pub fn sse_frames(text: &str) -> Vec<(i64, String, Value)> {
    text.split("\n\n")
        .filter_map(|frame| {
            let (mut id, mut event, mut data) = (None, None, None);
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(v).ok();
                }
            }
            Some((id?, event?, data?))
        })
        .collect()
}

/// A tool call over MCP Streamable HTTP to the server at `root` (no `/v1`), in a session of
/// its own; the result (or error) object of the answer.
pub async fn mcp_tool_call(
    http: &reqwest::Client,
    root: &str,
    key: &str,
    tool: &str,
    arguments: Value,
) -> Value {
    let post = |body: Value, session: Option<String>| {
        let mut request = http
            .post(format!("{root}/mcp"))
            .bearer_auth(key)
            .header("Accept", "application/json, text/event-stream")
            .json(&body);
        if let Some(session) = session {
            request = request
                .header("Mcp-Session-Id", session)
                .header("Mcp-Protocol-Version", "2025-06-18");
        }
        request.send()
    };
    let answer = |text: String| -> Value {
        let json = text
            .lines()
            .find_map(|line| line.strip_prefix("data:"))
            .map_or(text.as_str(), str::trim)
            .to_string();
        serde_json::from_str(&json).unwrap()
    };
    let init = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": { "name": "security-test", "version": "1" } } });
    let response = post(init, None).await.unwrap();
    assert_eq!(response.status(), 200);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let _ = response.text().await;
    post(
        json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
        Some(session.clone()),
    )
    .await
    .unwrap();
    let call = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": { "name": tool, "arguments": arguments } });
    let response = post(call, Some(session)).await.unwrap();
    let message = answer(response.text().await.unwrap());
    message.get("result").cloned().unwrap_or(message)
}

/// One HTTP/1.1 request read off a connection by a test double: its head (the request line
/// and headers, as sent) and its body (as long as `Content-Length` says).
pub fn read_http_request(reader: &mut impl BufRead) -> (String, Vec<u8>) {
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    (head, body)
}

/// A TCP relay in front of a server that cuts its first connection after `cut_after` bytes of
/// the server's answer (mid-frame), as a proxy or a flaky network would; later ones pass whole.
pub fn cutting_proxy(upstream: &str, cut_after: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let upstream = upstream.to_string();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let budget = (counter.fetch_add(1, Ordering::SeqCst) == 0).then_some(cut_after);
            let upstream = upstream.clone();
            std::thread::spawn(move || relay(client, &upstream, budget));
        }
    });
    (addr, connections)
}

fn relay(client: TcpStream, upstream: &str, budget: Option<usize>) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let (mut request_from, mut request_to) =
        (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut request_from, &mut request_to);
    });
    let (mut from, mut to) = (server, client);
    let mut sent = 0usize;
    let mut buffer = [0u8; 4096];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = budget.map_or(n, |b| n.min(b - sent));
        if to.write_all(&buffer[..n]).is_err() {
            break;
        }
        sent += n;
        if budget.is_some_and(|b| sent >= b) {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// A test double of an API on loopback: the `n`th request it gets (from 0) is answered with
/// `answer(n)`, a whole HTTP/1.1 answer; the URL to use (ending in `/v1`), and the head of each
/// request it got.
pub fn http_double(
    answer: impl Fn(usize) -> String + Send + 'static,
) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (head, _) = read_http_request(&mut reader);
            seen.lock().unwrap().push(head);
            let _ = stream.write_all(answer(n).as_bytes());
        }
    });
    (url, requests)
}

/// Appends exchanges `turns` (a question and its answer each, numbered) to a conversation of
/// the store in `data_dir`, through the store, as a long conversation would have left them.
pub fn seed_turns(data_dir: &Path, conversation_id: &str, turns: std::ops::Range<usize>) {
    use persona::server::store::{Store, StoredMessage};
    let message = |role: &str, content: String| {
        StoredMessage::text(
            persona::server::ids::new_id("msg"),
            role,
            &content,
            1_767_225_600,
        )
    };
    let store = Store::open(data_dir).unwrap();
    store
        .write(|tx| {
            for n in turns {
                let question = format!("Which of the {n} books on the shelf would you keep?");
                Store::append_message(tx, conversation_id, &message("user", question))?;
                let answer = format!("Book {n}, the one whose owner never came back for it.");
                Store::append_message(tx, conversation_id, &message("assistant", answer))?;
            }
            Ok::<_, persona::server::store::Error>(())
        })
        .unwrap();
}
