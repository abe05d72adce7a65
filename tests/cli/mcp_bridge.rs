//! `persona mcp serve` and `persona mcp config`: the official MCP Python SDK as the host over
//! both transports (PERSONA_TEST_PYTHON), and fault tests that drive the bridge over pipes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{BIN, DevServer, TestEnv};

const CLIENT_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/mcp_client.py");

/// The Python with the `mcp` package; None (skip) when unset, except under `scripts/test`.
fn python() -> Option<String> {
    match std::env::var("PERSONA_TEST_PYTHON") {
        Ok(python) if !python.trim().is_empty() => Some(python),
        _ if std::env::var_os("PERSONA_REQUIRE_EXTERNAL").is_some() => {
            panic!(
                "PERSONA_TEST_PYTHON is not set: scripts/test makes a venv with the `mcp` package"
            )
        }
        _ => {
            eprintln!("skipped: set PERSONA_TEST_PYTHON to a Python with the `mcp` package");
            None
        }
    }
}

/// `persona dev serve` with two personas and a lasting key (one that outlives a restart).
struct World {
    env: TestEnv,
    server: DevServer,
    key: String,
}

impl World {
    fn new(serve_args: &[&str]) -> World {
        let mut env = TestEnv::new();
        let server = env.serve(serve_args);
        let key = env
            .run(&["dev", "keys", "create", "--json"])
            .success()
            .json()["api_key"]
            .as_str()
            .unwrap()
            .to_string();
        env.use_server(&server);
        env.set("PERSONA_API_KEY", &key);
        env.create(
            "a bookseller in Istanbul, 60, warm and curious",
            &["--slug", "bookseller"],
        );
        env.create(
            "a young lighthouse keeper in Brittany, shy",
            &["--slug", "keeper"],
        );
        World { env, server, key }
    }

    fn mcp_url(&self) -> String {
        format!("http://{}/mcp", self.server.addr())
    }

    /// Restarts the server on the same address (SIGKILL, as a crash).
    fn restart(&mut self, serve_args: &[&str]) {
        let addr = self.server.addr();
        let _ = self.server.child.kill();
        let _ = self.server.child.wait();
        self.server = self.env.serve_on(&addr, serve_args);
    }
}

/// Arguments for every tool, by the name the bridge lists.
fn tool_calls(dotted: bool) -> Value {
    let name = |n: &str| {
        if dotted {
            n.to_string()
        } else {
            n.replace('.', "_")
        }
    };
    let mut calls = serde_json::Map::new();
    calls.insert(
        name("persona.invoke"),
        json!({"persona": "bookseller", "message": "What are you reading?"}),
    );
    calls.insert(name("persona.search"), json!({"query": "bookseller"}));
    calls.insert(
        name("persona.fork"),
        json!({"persona": "bookseller", "intent": "ten years younger"}),
    );
    calls.insert(
        name("ensemble.scenario"),
        json!({"personas": ["bookseller", "keeper"], "scene": "They meet at a harbour cafe.", "turns": 2}),
    );
    Value::Object(calls)
}

/// Runs a command to the end, killing it after `limit`.
fn run_bounded(mut command: Command, limit: Duration) -> (i32, String, String) {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let id = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = match finished.recv_timeout(limit) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(id.to_string())
                .status();
            panic!("still running after {limit:?}");
        }
    };
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_official_python_sdk_uses_every_tool_over_both_transports() {
    let Some(python) = python() else { return };
    let world = World::new(&[]);
    let safe = tool_calls(false).to_string();
    let dotted = tool_calls(true).to_string();
    let runs: [(&str, &str, &str); 7] = [
        ("legacy", "streamable-http", "safe"),
        ("legacy", "sse", "safe"),
        ("legacy", "auto", "safe"),
        ("auto", "streamable-http", "safe"),
        ("auto", "sse", "safe"),
        ("auto", "auto", "safe"),
        ("legacy", "auto", "original"),
    ];
    for (mode, transport, names) in runs {
        let calls = if names == "safe" { &safe } else { &dotted };
        let mut args = vec![
            CLIENT_SCRIPT,
            "--bridge",
            BIN,
            "--mode",
            mode,
            "--calls",
            calls,
        ];
        if names == "original" {
            args.push("--original-names");
        }
        args.extend(["--", "--transport", transport, "--workspace", "ws_local"]);
        if names == "original" {
            args.extend(["--tool-names", "original"]);
        }
        let (code, stdout, stderr) =
            run_bounded(world.env.program(&python, &args), Duration::from_secs(120));
        let what = format!("mode={mode} transport={transport} names={names}");
        assert_eq!(code, 0, "{what}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        let summary: Value = serde_json::from_str(stdout.trim()).unwrap();
        let listed: Vec<&str> = summary["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let expected: Vec<String> = [
            "persona.invoke",
            "persona.search",
            "persona.fork",
            "ensemble.scenario",
        ]
        .iter()
        .map(|n| {
            if names == "safe" {
                n.replace('.', "_")
            } else {
                n.to_string()
            }
        })
        .collect();
        assert_eq!(listed, expected, "{what}");
        assert!(
            summary["results"]["persona_search"]
                .as_str()
                .is_none_or(|r| r.contains("bookseller")),
            "{what}: {summary}"
        );
        // The SDK's auto mode probes server/discover: the stateless era over Streamable HTTP,
        // the initialize handshake over SSE, where the bridge answers the probe with -32601.
        let protocol = summary["protocol"].as_str().unwrap();
        let stateless = mode == "auto" && transport != "sse";
        assert_eq!(
            protocol.starts_with("2026"),
            stateless,
            "{what}: protocol {protocol}"
        );
        assert!(
            !stderr.contains(&world.key),
            "{what}: the key leaked into the logs"
        );
    }
}

/// `persona mcp serve` on pipes, as a host runs it; every stdout line is kept.
struct Bridge {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Bridge {
    fn start(env: &TestEnv, args: &[&str]) -> Bridge {
        let mut child = env
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn persona mcp serve");
        let (sender, lines) = mpsc::channel();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let kept = stdout.clone();
        let out = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                let _ = sender.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_text = stderr.clone();
        let err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                let mut text = err_text.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        Bridge {
            stdin: child.stdin.take(),
            child,
            lines,
            stdout,
            stderr,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.send_line(&message.to_string());
    }

    /// The next message on stdout.
    fn next(&self, limit: Duration) -> Value {
        let line = self
            .lines
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("no message within {limit:?}\nstderr:\n{}", self.stderr()));
        serde_json::from_str(&line)
            .unwrap_or_else(|err| panic!("stdout line is not JSON ({err}): {line}"))
    }

    /// Sends a request and waits for the answer with its id.
    fn request(&mut self, id: Value, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.answer(&id, Duration::from_secs(30))
    }

    fn answer(&self, id: &Value, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let message = self.next(deadline.saturating_duration_since(Instant::now()));
            if &message["id"] == id {
                return message;
            }
        }
    }

    fn initialize(&mut self, id: Value) -> Value {
        let answer = self.request(
            id,
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "pipes", "version": "1"}}),
        );
        if answer.get("result").is_some() {
            self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        }
        answer
    }

    fn call_tool(&mut self, id: Value, name: &str, arguments: Value) -> Value {
        self.request(
            id,
            "tools/call",
            json!({"name": name, "arguments": arguments}),
        )
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the exit, at most `limit`; the exit code, or None if it did not exit.
    fn exit_within(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ok(answer: &Value) -> &Value {
    assert!(answer.get("error").is_none(), "an error answer: {answer}");
    &answer["result"]
}

fn error_of(answer: &Value) -> (i64, String) {
    let error = &answer["error"];
    assert!(error.is_object(), "not an error answer: {answer}");
    (
        error["code"].as_i64().unwrap(),
        error["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_refused_key_is_one_clear_error_and_the_bridge_stays_up() {
    let mut world = World::new(&[]);
    world
        .env
        .set("PERSONA_API_KEY", "pk_test_notarealkey0000000000000000");
    let url = world.mcp_url();
    let mut bridge = Bridge::start(
        &world.env,
        &["mcp", "serve", "--url", &url, "--workspace", "ws_local"],
    );
    let (code, message) = error_of(&bridge.initialize(json!(1)));
    assert_eq!(code, -32001, "{message}");
    assert!(
        message.contains("ws_local") && message.contains("PERSONA_API_KEY"),
        "{message}"
    );
    assert!(
        !message.contains("notarealkey"),
        "the key is not repeated: {message}"
    );
    assert_eq!(ok(&bridge.request(json!(2), "ping", json!({}))), &json!({}));
    let (code, _) = error_of(&bridge.call_tool(json!(3), "persona_search", json!({"query": "x"})));
    assert_eq!(code, -32001);
    assert!(bridge.is_running());
    assert!(
        !bridge.stderr().contains("notarealkey"),
        "{}",
        bridge.stderr()
    );
}

#[test]
fn the_key_is_read_again_so_a_login_while_the_bridge_runs_needs_no_restart() {
    let world = World::new(&[]);
    let env = TestEnv::new();
    let config = format!(
        "active_profile: dev\nprofiles:\n  dev:\n    api_url: {}\n    workspace: ws_local\n",
        world.server.base_url
    );
    std::fs::write(env.path("config/config.yml"), config).unwrap();
    let credentials = env.path("config/credentials.yml");
    std::fs::write(&credentials, "dev: pk_test_stale000000000000000000\n").unwrap();
    let mut bridge = Bridge::start(&env, &["mcp", "serve"]);
    let (code, message) = error_of(&bridge.initialize(json!("a")));
    assert_eq!(code, -32001, "{message}");
    assert!(
        message.contains("credentials file") && message.contains("`dev`"),
        "{message}"
    );
    std::fs::write(&credentials, format!("dev: {}\n", world.key)).unwrap();
    ok(&bridge.initialize(json!("b")));
    let found = bridge.call_tool(json!("c"), "persona_search", json!({"query": "bookseller"}));
    assert!(ok(&found).to_string().contains("bookseller"), "{found}");
}

#[test]
fn a_server_down_at_start_is_an_error_within_10s() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/mcp");
    for transport in ["auto", "sse"] {
        let mut env_key = TestEnv::new();
        env_key.set("PERSONA_API_KEY", "pk_test_whatever");
        let mut bridge = Bridge::start(
            &env_key,
            &["mcp", "serve", "--url", &url, "--transport", transport],
        );
        let started = Instant::now();
        let (code, message) = error_of(&bridge.initialize(json!(1)));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{transport}: took {:?}",
            started.elapsed()
        );
        assert_eq!(code, -32000, "{message}");
        assert!(
            message.contains("cannot reach") && message.contains(&port.to_string()),
            "{message}"
        );
        assert_eq!(ok(&bridge.request(json!(2), "ping", json!({}))), &json!({}));
        assert!(bridge.is_running());
    }
}

#[test]
fn a_server_restart_fails_the_call_in_flight_and_the_next_call_works() {
    let slow = ["--step-delay-ms", "3000"];
    let mut world = World::new(&slow);
    let url = world.mcp_url();
    for transport in ["streamable-http", "sse"] {
        let mut bridge = Bridge::start(
            &world.env,
            &[
                "-v",
                "mcp",
                "serve",
                "--url",
                &url,
                "--transport",
                transport,
                "--workspace",
                "ws_local",
            ],
        );
        ok(&bridge.initialize(json!(1)));
        bridge.send(
            json!({"jsonrpc": "2.0", "id": "fork", "method": "tools/call",
            "params": {"name": "persona_fork", "arguments": {"persona": "bookseller"}}}),
        );
        std::thread::sleep(Duration::from_millis(700));
        world.restart(&slow);
        let (code, message) = error_of(&bridge.answer(&json!("fork"), Duration::from_secs(15)));
        assert_eq!(code, -32000, "{transport}: {message}");
        assert!(message.contains("not repeated"), "{transport}: {message}");
        let found = bridge.call_tool(json!(3), "persona_search", json!({"query": "bookseller"}));
        assert!(
            ok(&found).to_string().contains("bookseller"),
            "{transport}: {found}\n{}",
            bridge.stderr()
        );
        // The bridge logs the reconnection as the session comes up, so the line may reach
        // stderr just after the answer that used the new session.
        assert!(
            crate::common::eventually(Duration::from_secs(10), || bridge
                .stderr()
                .contains("reconnected")),
            "{}",
            bridge.stderr()
        );
    }
}

/// A hostile MCP server double on the HTTP+SSE transport: its stream opens with a UTF-8
/// byte-order mark cut across two reads, then names `/messages`; each request POSTed there is
/// answered on the stream (`initialize` as itself, anything else with an empty result).
fn hostile_sse_mcp() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stream_of_session = Arc::new(Mutex::new(None::<std::net::TcpStream>));
    std::thread::spawn(move || {
        for connection in listener.incoming() {
            let Ok(connection) = connection else { continue };
            let session = stream_of_session.clone();
            std::thread::spawn(move || {
                let _ = connection.set_nodelay(true);
                let mut reader = BufReader::new(connection);
                let (mut head, mut line) = (String::new(), String::new());
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    head.push_str(&line);
                    line.clear();
                }
                let mut connection = reader.get_ref().try_clone().unwrap();
                if head.starts_with("GET") {
                    let _ = connection
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n");
                    let bom = "\u{feff}".as_bytes();
                    let _ = connection.write_all(&bom[..2]);
                    let _ = connection.flush();
                    std::thread::sleep(Duration::from_millis(100));
                    let _ = connection.write_all(&bom[2..]);
                    // Kept before the endpoint is named, so no POST can come before it.
                    *session.lock().unwrap() = Some(connection.try_clone().unwrap());
                    let _ = connection.write_all(b"event: endpoint\ndata: /messages\n\n");
                    std::thread::sleep(Duration::from_secs(60));
                    return;
                }
                let length = head
                    .lines()
                    .find_map(|h| {
                        h.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                let mut body = vec![0; length];
                std::io::Read::read_exact(&mut reader, &mut body).unwrap();
                let message: Value = serde_json::from_slice(&body).unwrap();
                let _ = connection.write_all(
                    b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                if message.get("id").is_none() {
                    return;
                }
                let result = if message["method"] == "initialize" {
                    json!({"protocolVersion": "2024-11-05", "capabilities": {},
                        "serverInfo": {"name": "hostile", "version": "0"}})
                } else {
                    json!({"tools": []})
                };
                let answer = json!({"jsonrpc": "2.0", "id": message["id"], "result": result});
                if let Some(stream) = session.lock().unwrap().as_mut() {
                    let _ = write!(stream, "event: message\ndata: {answer}\n\n");
                    let _ = stream.flush();
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}/mcp")
}

#[test]
fn the_sse_transport_reads_a_stream_that_opens_with_a_byte_order_mark_cut_across_reads() {
    let mut env = TestEnv::new();
    env.set("PERSONA_API_KEY", "pk_test_hostile_mcp_00000001");
    let url = hostile_sse_mcp();
    let mut bridge = Bridge::start(&env, &["mcp", "serve", "--url", &url, "--transport", "sse"]);
    let answer = bridge.initialize(json!(1));
    assert_eq!(ok(&answer)["serverInfo"]["name"], "hostile", "{answer}");
    let tools = bridge.request(json!(2), "tools/list", json!({}));
    assert_eq!(ok(&tools)["tools"], json!([]), "{tools}");
    assert!(bridge.is_running(), "{}", bridge.stderr());
}

#[test]
fn garbage_on_stdin_gets_an_error_and_the_bridge_goes_on() {
    let world = World::new(&[]);
    let url = world.mcp_url();
    let mut bridge = Bridge::start(
        &world.env,
        &["mcp", "serve", "--url", &url, "--workspace", "ws_local"],
    );
    ok(&bridge.initialize(json!(1)));
    bridge.send_line("this is not json");
    assert_eq!(error_of(&bridge.next(Duration::from_secs(5))).0, -32700);
    bridge.send_line(r#"{"jsonrpc": "2.0", "id": 7, "method": "#);
    assert_eq!(error_of(&bridge.next(Duration::from_secs(5))).0, -32700);
    bridge.send_line("[1, 2]");
    assert_eq!(error_of(&bridge.next(Duration::from_secs(5))).0, -32600);
    bridge.send_line("");
    // Ids and unknown fields travel as they came.
    bridge.send(json!({"jsonrpc": "2.0", "id": "req-ünï", "method": "tools/list", "params": {}, "x-extra": {"kept": true}}));
    let listed = bridge.answer(&json!("req-ünï"), Duration::from_secs(10));
    assert_eq!(
        ok(&listed)["tools"].as_array().unwrap().len(),
        4,
        "{listed}"
    );
    // An id the server refuses (MCP ids are strings or integers) still comes back as it went.
    let refused = bridge.call_tool(json!(9.5), "persona_search", json!({"query": "keeper"}));
    assert_eq!(refused["id"], json!(9.5), "{refused}");
    let found = bridge.call_tool(json!(10), "persona_search", json!({"query": "keeper"}));
    assert!(ok(&found).to_string().contains("keeper"), "{found}");
}

#[test]
fn end_of_input_or_sigterm_stops_the_bridge_within_2s_and_closes_the_session() {
    let world = World::new(&[]);
    let url = world.mcp_url();
    for transport in ["streamable-http", "sse"] {
        let args = [
            "-v",
            "mcp",
            "serve",
            "--url",
            &url,
            "--transport",
            transport,
            "--workspace",
            "ws_local",
        ];
        let mut bridge = Bridge::start(&world.env, &args);
        ok(&bridge.initialize(json!(1)));
        bridge.stdin.take();
        assert_eq!(
            bridge.exit_within(Duration::from_secs(2)),
            Some(0),
            "{transport}: {}",
            bridge.stderr()
        );
        if transport == "streamable-http" {
            assert!(bridge.stderr().contains("DELETE"), "{}", bridge.stderr());
        }
        let mut bridge = Bridge::start(&world.env, &args);
        ok(&bridge.initialize(json!(1)));
        Command::new("kill")
            .arg("-TERM")
            .arg(bridge.child.id().to_string())
            .status()
            .unwrap();
        assert_eq!(
            bridge.exit_within(Duration::from_secs(2)),
            Some(0),
            "{transport}: {}",
            bridge.stderr()
        );
    }
    // On the `local` profile the bridge runs the embedded server itself, and stops it too.
    let env = TestEnv::new();
    let mut bridge = Bridge::start(&env, &["mcp", "serve"]);
    ok(&bridge.initialize(json!(1)));
    bridge.stdin.take();
    assert_eq!(
        bridge.exit_within(Duration::from_secs(2)),
        Some(0),
        "{}",
        bridge.stderr()
    );
}

#[test]
fn stdout_carries_only_json_rpc_even_with_vv() {
    let world = World::new(&[]);
    let url = world.mcp_url();
    let mut bridge = Bridge::start(
        &world.env,
        &[
            "-vv",
            "mcp",
            "serve",
            "--url",
            &url,
            "--workspace",
            "ws_local",
        ],
    );
    ok(&bridge.request(json!(0), "ping", json!({})));
    ok(&bridge.initialize(json!(1)));
    ok(&bridge.request(json!(2), "tools/list", json!({})));
    ok(&bridge.call_tool(
        json!(3),
        "persona_invoke",
        json!({"persona": "keeper", "message": "Hello"}),
    ));
    bridge.send_line("{oops");
    bridge.next(Duration::from_secs(5));
    bridge.stdin.take();
    assert_eq!(bridge.exit_within(Duration::from_secs(2)), Some(0));
    let lines = bridge.stdout.lock().unwrap().clone();
    assert!(lines.len() >= 5, "{lines:?}");
    for line in &lines {
        let message: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        assert!(
            message.get("id").is_some() || message.get("method").is_some(),
            "{line}"
        );
    }
    let stderr = bridge.stderr();
    assert!(
        stderr.contains("authorization: Bearer [redacted]"),
        "{stderr}"
    );
    assert!(!stderr.contains(&world.key), "the key leaked: {stderr}");
}

#[test]
fn server_discover_is_refused_at_once_over_sse_and_forwarded_over_streamable_http() {
    let world = World::new(&[]);
    // Over SSE, nothing is listening and nothing needs to: the answer comes without a connection.
    let mut bridge = Bridge::start(
        &world.env,
        &[
            "mcp",
            "serve",
            "--url",
            "http://127.0.0.1:9/mcp",
            "--transport",
            "sse",
        ],
    );
    let started = Instant::now();
    let (code, _) = error_of(&bridge.request(json!(1), "server/discover", json!({})));
    assert_eq!(code, -32601);
    assert!(started.elapsed() < Duration::from_secs(1));
    let url = world.mcp_url();
    let mut bridge = Bridge::start(
        &world.env,
        &["mcp", "serve", "--url", &url, "--workspace", "ws_local"],
    );
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}});
    let discovered = bridge.request(json!(1), "server/discover", json!({"_meta": meta}));
    assert!(
        ok(&discovered)["supportedVersions"]
            .to_string()
            .contains("2026-07-28"),
        "{discovered}"
    );
    let session_call = bridge.call_tool(json!(2), "persona_search", json!({"query": "bookseller"}));
    assert_eq!(
        error_of(&session_call).0,
        -32600,
        "a session's request before initialize"
    );
    let found = bridge.request(
        json!(3),
        "tools/call",
        json!({"name": "persona_search", "arguments": {"query": "bookseller"}, "_meta": meta}),
    );
    assert!(ok(&found).to_string().contains("bookseller"), "{found}");
}

#[test]
fn mcp_config_prints_a_block_that_starts_the_bridge_and_installs_it() {
    let env = TestEnv::new();
    let printed = env
        .run(&["mcp", "config", "--workspace", "ws_local"])
        .success()
        .json();
    let entry = &printed["mcpServers"]["persona"];
    let command = entry["command"].as_str().unwrap();
    assert!(std::path::Path::new(command).is_absolute(), "{command}");
    assert_eq!(
        entry["args"],
        json!(["mcp", "serve", "--workspace", "ws_local"])
    );
    assert!(entry.to_string().find("pk_").is_none());
    // What a host does with the block: start it with the env it names, and initialize.
    let mut host = Command::new(command);
    host.args(
        entry["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap()),
    )
    .env_clear()
    .env("HOME", env.path("home"))
    .env("PERSONA_CREDENTIAL_STORE", "file");
    for (name, value) in entry["env"].as_object().unwrap() {
        host.env(name, value.as_str().unwrap());
    }
    let mut child = host
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"h","version":"1"}}}}}}"#).unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    drop(stdin);
    let _ = child.wait();
    assert!(line.contains("\"serverInfo\""), "{line}");

    let vscode = env
        .run(&["mcp", "config", "--client", "vscode"])
        .success()
        .json();
    assert_eq!(vscode["servers"]["persona"]["type"], "stdio");

    let cursor = env.path("home/.cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    let original = r#"{"mcpServers": {"other": {"command": "other-server"}}, "extra": 1}"#;
    std::fs::write(&cursor, original).unwrap();
    env.run(&["mcp", "config", "--client", "cursor", "--install"])
        .success();
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&cursor).unwrap()).unwrap();
    assert_eq!(merged["mcpServers"]["other"]["command"], "other-server");
    assert_eq!(merged["extra"], 1);
    assert_eq!(merged["mcpServers"]["persona"]["command"], command);
    assert_eq!(
        std::fs::read_to_string(env.path("home/.cursor/mcp.json.bak")).unwrap(),
        original
    );

    env.run(&["mcp", "config", "--install"]).success();
    let claude = env.path("home/.config/Claude/claude_desktop_config.json");
    let installed: Value =
        serde_json::from_str(&std::fs::read_to_string(&claude).unwrap()).unwrap();
    assert_eq!(
        installed["mcpServers"]["persona"]["args"],
        json!(["mcp", "serve"])
    );

    std::fs::write(&cursor, "{ not json").unwrap();
    env.run(&["mcp", "config", "--client", "cursor", "--install"])
        .code(1);
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), "{ not json");
}

#[test]
fn a_host_that_does_not_wait_for_the_initialize_answer_is_served_in_order() {
    let world = World::new(&[]);
    let url = world.mcp_url();
    let mut bridge = Bridge::start(
        &world.env,
        &["mcp", "serve", "--url", &url, "--workspace", "ws_local"],
    );
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "eager", "version": "1"}}});
    let lines = [
        init.to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string(),
    ];
    bridge.send_line(&lines.join("\n"));
    ok(&bridge.answer(&json!(1), Duration::from_secs(10)));
    let listed = bridge.answer(&json!(2), Duration::from_secs(10));
    assert_eq!(
        ok(&listed)["tools"].as_array().unwrap().len(),
        4,
        "{listed}"
    );
}

/// `persona mcp serve --workspace ws_acme_studio` as the product's brief shows it, on a fresh
/// machine (the `local` profile): the embedded server serves that workspace, and a script that
/// writes its requests and closes stdin at once still gets every answer.
#[test]
fn a_named_workspace_is_served_on_the_local_profile_and_piped_requests_are_all_answered() {
    let env = TestEnv::new();
    let created = env
        .command(&[
            "personas",
            "create",
            "--intent",
            "a baker in Porto",
            "--slug",
            "baker",
            "--json",
        ])
        .env("PERSONA_WORKSPACE", "ws_acme_studio")
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    env.create("a tailor in Porto", &["--slug", "tailor"]);

    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "script", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "persona_search", "arguments": {"query": "Porto"}}}),
    ]
    .map(|line| line.to_string())
    .join("\n");
    let outcome = env.run_with_stdin(&["mcp", "serve", "--workspace", "ws_acme_studio"], &lines);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let answers: Vec<Value> = outcome
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(answers.len(), 2, "{}", outcome.stdout);
    // The instructions hold under the bridge's tool names too: they name no tool.
    let instructions = ok(&answers[0])["instructions"].as_str().unwrap();
    assert!(
        instructions.contains("search tool") && !instructions.contains("persona.search"),
        "{instructions}"
    );
    let found = ok(&answers[1])["structuredContent"]["results"].to_string();
    assert!(found.contains("\"baker\""), "{found}");
    assert!(
        !found.contains("\"tailor\""),
        "another workspace's persona: {found}"
    );

    let bad = env
        .run(&["mcp", "serve", "--workspace", "acme studio"])
        .code(2);
    assert!(bad.stderr.contains("not a workspace id"), "{}", bad.stderr);

    // A workspace made live by `dev keys create --mode live` is served with live keys.
    env.run(&[
        "dev",
        "keys",
        "create",
        "--workspace",
        "ws_live_studio",
        "--mode",
        "live",
    ])
    .success();
    let listed = env
        .command(&["personas", "list", "--json"])
        .env("PERSONA_WORKSPACE", "ws_live_studio")
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
}
