//! Hostile peers of `persona dev serve`: streams that outlive their key, webhook URLs aimed at
//! the server's own network, and clients that hold connections open without finishing requests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use persona::clock;
use persona::server::{ids, store::KeyRecord, store::Store};
use serde_json::{Value, json};

use crate::common::{BIN, TestEnv, eventually, http_client};

/// A `persona dev serve` started by `program` (the binary itself, or a shell that starts it).
struct Server {
    child: Child,
    /// `http://HOST:PORT/v1` as the server printed it.
    base_url: String,
    key: String,
}

impl Server {
    fn start(env: &TestEnv, program: &str, args: &[&str]) -> Server {
        let mut child = env
            .program(program, args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn persona dev serve");
        let mut base_url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut base_url)
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut key = None;
        let mut line = String::new();
        while key.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
            key = line
                .split_whitespace()
                .find(|word| word.starts_with("pk_test_"))
                .map(str::to_string);
            line.clear();
        }
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Server {
            child,
            base_url: base_url.trim().to_string(),
            key: key.expect("dev serve printed a development key"),
        }
    }

    fn serve(env: &TestEnv, extra: &[&str]) -> Server {
        let mut args = vec!["dev", "serve"];
        args.extend_from_slice(extra);
        Server::start(env, BIN, &args)
    }

    /// `HOST:PORT` to connect to (loopback when the server listens on every address).
    fn addr(&self) -> String {
        self.base_url
            .trim_start_matches("http://")
            .trim_end_matches("/v1")
            .replace("0.0.0.0", "127.0.0.1")
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/v1{path}", self.addr())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A lasting key of the local workspace with every scope: (secret, key id).
fn stored_key(env: &TestEnv) -> (String, String) {
    let created = env
        .run(&["dev", "keys", "create", "--json"])
        .success()
        .json();
    (
        created["api_key"].as_str().unwrap().to_string(),
        created["key_id"].as_str().unwrap().to_string(),
    )
}

/// An open SSE response, read chunk by chunk.
struct Stream {
    response: reqwest::Response,
    text: String,
}

impl Stream {
    async fn open(url: &str, key: &str) -> Stream {
        let response = http_client()
            .get(url)
            .bearer_auth(key)
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{url}");
        Stream {
            response,
            text: String::new(),
        }
    }

    /// Reads until `text` has come.
    async fn read_until(&mut self, text: &str) {
        while !self.text.contains(text) {
            let chunk = tokio::time::timeout(Duration::from_secs(30), self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {text:?} in {:?}", self.text))
                .unwrap()
                .unwrap_or_else(|| panic!("the stream ended before {text:?}: {:?}", self.text));
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Reads until the server ends the stream; the text of the whole stream.
    async fn read_to_end(mut self) -> String {
        let ended = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(chunk) = self.response.chunk().await.unwrap() {
                self.text.push_str(&String::from_utf8_lossy(&chunk));
            }
        });
        ended
            .await
            .unwrap_or_else(|_| panic!("the stream went on: {:?}", self.text));
        self.text
    }
}

/// The data of the last frame of an SSE text, which must be an `error` event.
fn final_error(text: &str) -> Value {
    let last = text
        .trim_end()
        .rsplit("\n\n")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(last.starts_with("event: error\n"), "last frame: {last:?}");
    let data = last.split_once("data: ").unwrap().1;
    serde_json::from_str(data).unwrap()
}

async fn revoke(server: &Server, key: &str) {
    let response = http_client()
        .delete(server.url("/auth/keys/current"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

/// A run that stays running for a while (slow steps), with `key`: its id.
async fn slow_run(server: &Server, key: &str) -> String {
    let response = http_client()
        .post(server.url("/personas"))
        .bearer_auth(key)
        .header("Prefer", "respond-async")
        .json(&json!({ "intent": "a patient lighthouse keeper in Brittany" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    accepted["run"]["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_key_ends_its_listen_and_run_streams_with_an_error_event() {
    let env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "127.0.0.1:0", "--step-delay-ms", "2000"]);
    let (key, _) = stored_key(&env);
    let mut listen = Stream::open(&server.url("/webhooks/listen"), &key).await;
    listen.read_until("event: listen.ready").await;
    let run_id = slow_run(&server, &key).await;
    let mut run = Stream::open(&server.url(&format!("/runs/{run_id}/events")), &key).await;
    run.read_until("event: run.started").await;

    revoke(&server, &key).await;
    for text in [listen.read_to_end().await, run.read_to_end().await] {
        let error = final_error(&text);
        assert_eq!(error["error"]["code"], "auth.invalid_key", "{error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("revoked"),
            "{error}"
        );
        assert!(!text.contains("run.completed"), "{text}");
    }
    // A stream of another, valid key goes on.
    let mut other = Stream::open(&server.url("/webhooks/listen"), &server.key).await;
    other.read_until("event: listen.ready").await;
}

#[test]
fn revoking_a_key_stops_persona_webhooks_listen_and_runs_tail_with_an_auth_error() {
    let mut env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "127.0.0.1:0", "--step-delay-ms", "2000"]);
    let (key, _) = stored_key(&env);
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    let spawn = |args: &[&str]| {
        env.command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut listen = spawn(&[
        "webhooks",
        "listen",
        "--forward-to",
        "http://127.0.0.1:9/",
        "--print-secret",
        "--json",
    ]);
    let mut ready = String::new();
    BufReader::new(listen.stdout.as_mut().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert!(ready.contains("listen.ready"), "{ready}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let run_id = runtime.block_on(slow_run(&server, &key));
    let mut tail = spawn(&["runs", "tail", &run_id, "--json"]);
    let mut first = String::new();
    BufReader::new(tail.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("run.started"), "{first}");

    runtime.block_on(revoke(&server, &key));
    for child in [&mut listen, &mut tail] {
        assert!(
            eventually(Duration::from_secs(60), || child
                .try_wait()
                .unwrap()
                .is_some()),
            "the command kept running after its key was revoked"
        );
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(4), "{stderr}");
        assert!(stderr.contains("revoked"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_in_the_store_by_another_process_ends_its_streams() {
    let env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "127.0.0.1:0"]);
    let (key, key_id) = stored_key(&env);
    let mut listen = Stream::open(&server.url("/webhooks/listen"), &key).await;
    listen.read_until("event: listen.ready").await;
    let store = Store::open(&env.data_dir()).unwrap();
    assert!(store.revoke_key(&key_id, clock::now()).unwrap());
    let error = final_error(&listen.read_to_end().await);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_expires_ends_its_streams() {
    let env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "127.0.0.1:0"]);
    let store = Store::open(&env.data_dir()).unwrap();
    let now = clock::now();
    let secret = format!("pk_test_{}", ids::base62(24));
    let record = KeyRecord {
        id: ids::new_id("key"),
        workspace_id: "ws_local".into(),
        mode: "test".into(),
        scopes: vec!["webhooks:manage".into()],
        user_email: "developer@localhost".into(),
        owner: persona::server::LOCAL_OWNER.into(),
        created_at: now,
        expires_at: now + 3,
        revoked_at: None,
    };
    store
        .insert_key(&record, &ids::hash_secret(&secret))
        .unwrap();
    let mut listen = Stream::open(&server.url("/webhooks/listen"), &secret).await;
    listen.read_until("event: listen.ready").await;
    let error = final_error(&listen.read_to_end().await);
    assert_eq!(error["error"]["code"], "auth.invalid_key");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_key_ends_its_mcp_stream_and_sessions() {
    let env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "127.0.0.1:0"]);
    let (key, _) = stored_key(&env);
    let mcp = |path: &str| format!("http://{}{path}", server.addr());
    let mut sse = Stream::open(&mcp("/mcp/sse"), &key).await;
    sse.read_until("event: endpoint").await;
    let endpoint = sse
        .text
        .split("data: ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let initialize = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": { "name": "hostile-peers", "version": "1" } } });
    let opened = http_client()
        .post(mcp("/mcp"))
        .bearer_auth(&key)
        .header("Accept", "application/json, text/event-stream")
        .json(&initialize)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();

    revoke(&server, &key).await;
    let text = sse.read_to_end().await;
    assert!(!text.contains("event: message"), "{text}");
    let ping = json!({ "jsonrpc": "2.0", "id": 2, "method": "ping" });
    let on_stream = http_client()
        .post(mcp(&endpoint))
        .bearer_auth(&key)
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(on_stream.status(), 401);
    let in_session = http_client()
        .post(mcp("/mcp"))
        .bearer_auth(&key)
        .header("Accept", "application/json, text/event-stream")
        .header("Mcp-Session-Id", &session)
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(in_session.status(), 401);
}

/// (status, body) of `POST /v1/webhooks` for `url`.
async fn create_webhook(server: &Server, url: &str) -> (u16, Value) {
    let response = http_client()
        .post(server.url("/webhooks"))
        .bearer_auth(&server.key)
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The addresses of the server's own network, each in a spelling the URL parser normalises.
const RESTRICTED: [(&str, &str); 14] = [
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://2852039166/", "metadata"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "metadata"),
    ("http://0251.0376.0251.0376/", "metadata"),
    ("http://metadata.google.internal/", "metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://10.0.0.1/", "private"),
    ("http://100.64.0.1/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_urls_of_the_servers_own_network_are_refused_in_every_spelling() {
    let env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "0.0.0.0:0"]);
    let loopback = [
        "http://localhost:22/",
        "http://127.0.0.1:8080/",
        "http://2130706433/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ];
    let all = RESTRICTED
        .iter()
        .copied()
        .chain(loopback.iter().map(|url| (*url, "loopback")));
    for (url, rule) in all {
        let (status, body) = create_webhook(&server, url).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["error"]["code"], "request.invalid", "{url}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(rule), "{url}: {message}");
    }
    let (status, body) = create_webhook(&server, "https://hooks.example.com/persona").await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_targets_need_a_loopback_server_or_the_allow_flag() {
    let env = TestEnv::new();
    let local = Server::serve(&env, &["--addr", "127.0.0.1:0"]);
    assert_eq!(
        create_webhook(&local, "http://localhost:3000/hooks")
            .await
            .0,
        201
    );
    assert_eq!(create_webhook(&local, "http://10.0.0.1/").await.0, 400);
    drop(local);

    let open = Server::serve(&env, &["--addr", "0.0.0.0:0", "--allow-private-webhooks"]);
    assert_eq!(
        create_webhook(&open, "http://localhost:3000/hooks").await.0,
        201
    );
    assert_eq!(create_webhook(&open, "http://10.0.0.1/").await.0, 201);
    for (url, rule) in RESTRICTED {
        if rule != "private" {
            let (status, body) = create_webhook(&open, url).await;
            assert_eq!(status, 400, "{url} with --allow-private-webhooks: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_check_the_target_again_when_they_are_sent() {
    let env = TestEnv::new();
    let receiver = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!(
        "http://localhost:{}/hooks",
        receiver.local_addr().unwrap().port()
    );
    // Made on a loopback server, where a loopback target is allowed ...
    let local = Server::serve(&env, &["--addr", "127.0.0.1:0"]);
    let (status, endpoint) = create_webhook(&local, &target).await;
    assert_eq!(status, 201, "{endpoint}");
    drop(local);
    // ... then delivered by a server of the same store that listens on every address.
    let open = Server::serve(&env, &["--addr", "0.0.0.0:0"]);
    let sent = http_client()
        .post(open.url(&format!(
            "/webhooks/{}/test",
            endpoint["id"].as_str().unwrap()
        )))
        .bearer_auth(&open.key)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let sent: Value = sent.json().await.unwrap();
    let delivery_url = open.url(&format!(
        "/webhooks/deliveries/{}",
        sent["delivery_id"].as_str().unwrap()
    ));
    let mut attempt = Value::Null;
    for _ in 0..600 {
        let delivery: Value = http_client()
            .get(&delivery_url)
            .bearer_auth(&open.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(first) = delivery["attempt_log"].get(0) {
            attempt = first.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let error = attempt["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{attempt}"));
    assert!(
        error.contains("refused") && error.contains("loopback"),
        "{error}"
    );
    receiver.set_nonblocking(true).unwrap();
    assert!(
        receiver.accept().is_err(),
        "the refused target was connected to"
    );
}

/// Reads until the server closes the connection (a guard of 60 s against one that never does).
fn read_to_close(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => text.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(err) => panic!("the server kept the connection open: {err}"),
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

#[test]
fn a_connection_that_never_finishes_its_headers_is_closed() {
    let env = TestEnv::new();
    let server = Server::serve(&env, &["--addr", "127.0.0.1:0"]);
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"GET /v1/auth/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bea")
        .unwrap();
    assert_eq!(read_to_close(&mut stream), "");
}

#[test]
fn connections_beyond_the_cap_are_answered_503_and_closed() {
    let env = TestEnv::new();
    // 160 descriptors leave room for 96 connections.
    let script = "ulimit -n 160 && exec \"$0\" dev serve --addr 127.0.0.1:0";
    let server = Server::start(&env, "sh", &["-c", script, BIN]);
    let request = format!(
        "POST /v1/webhooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        server.key
    );
    // Requests whose body never comes hold their connection (until the body timeout).
    let mut held = Vec::new();
    for _ in 0..96 {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        held.push(stream);
    }
    let mut refused = TcpStream::connect(server.addr()).unwrap();
    refused
        .write_all(b"GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let answer = read_to_close(&mut refused);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("96"),
        "{body}"
    );

    held.clear();
    assert!(
        eventually(Duration::from_secs(30), || {
            let mut stream = TcpStream::connect(server.addr()).unwrap();
            stream
                .write_all(b"GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            read_to_close(&mut stream).starts_with("HTTP/1.1 200")
        }),
        "the server took no new connection once the held ones closed"
    );
}
