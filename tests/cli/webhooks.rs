//! Webhooks from the real binary and `persona dev serve`: a receiver started here checks every
//! signature with its own HMAC-SHA256 (RFC 2104 over `sha2`, not the project's code).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{TestEnv, eventually};

/// One second between attempts: five attempts take about four seconds.
const FAST_RETRIES: [&str; 2] = ["--webhook-retry-schedule", "1,1,1,1"];
const KEEPER: &str = "a retired lighthouse keeper in Cornwall, patient and wry";

/// HMAC-SHA256 after RFC 2104: the key zero-padded to the 64-byte block (hashed first when
/// longer), `H((K ^ opad) || H((K ^ ipad) || message))`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// `t=<unix>,v1=<hex HMAC(secret, t + "." + body)>`.
fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mac = hmac_sha256(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// The timestamp of a `Persona-Signature` value whose v1 matches `body` under `secret`.
fn verified_timestamp(secret: &str, header: &str, body: &str) -> Option<i64> {
    let timestamp: i64 = header
        .split(',')
        .find_map(|part| part.strip_prefix("t="))?
        .parse()
        .ok()?;
    let expected = sign(secret, timestamp, body);
    header
        .split(',')
        .filter(|part| part.starts_with("v1="))
        .any(|part| expected.ends_with(&format!(",{part}")))
        .then_some(timestamp)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    at: Instant,
    event_id: String,
    event_type: String,
    attempt: Option<String>,
    signature: String,
    body: String,
    /// The status answered; None when the request was held and never answered.
    answered: Option<u16>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    /// Checks the signature against `secret` and that it is fresh.
    #[track_caller]
    fn assert_signed(&self, secret: &str) {
        let timestamp = verified_timestamp(secret, &self.signature, &self.body)
            .unwrap_or_else(|| panic!("bad signature {:?} on {}", self.signature, self.body));
        assert!(
            (now() - timestamp).abs() < 300,
            "stale timestamp {timestamp}"
        );
        let body = self.json();
        assert_eq!(body["id"], self.event_id.as_str(), "Persona-Event-Id");
        assert_eq!(body["type"], self.event_type.as_str(), "Persona-Event-Type");
    }
}

/// A small HTTP receiver on loopback: answers each POST with the status `respond` gives for
/// its index, or holds it unanswered while `hold` is set.
struct Receiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    hold: Arc<AtomicBool>,
}

impl Receiver {
    fn start(respond: impl Fn(usize) -> u16 + Send + Sync + 'static) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let hold = Arc::new(AtomicBool::new(false));
        let respond = Arc::new(respond);
        let (log, holding) = (received.clone(), hold.clone());
        std::thread::spawn(move || {
            for (index, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { continue };
                let (log, holding, respond) = (log.clone(), holding.clone(), respond.clone());
                std::thread::spawn(move || serve_one(stream, index, &log, &holding, &*respond));
            }
        });
        Receiver {
            port,
            received,
            hold,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/persona", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn answered(&self, status: u16) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == Some(status))
            .collect()
    }

    fn hold(&self, on: bool) {
        self.hold.store(on, Ordering::SeqCst);
    }

    #[track_caller]
    fn wait_for(&self, what: &str, check: impl Fn(&[Received]) -> bool) {
        assert!(
            eventually(Duration::from_secs(45), || check(&self.received())),
            "waited for {what}; received: {:#?}",
            self.received()
        );
    }
}

fn serve_one(
    stream: TcpStream,
    index: usize,
    log: &Mutex<Vec<Received>>,
    hold: &AtomicBool,
    respond: &(dyn Fn(usize) -> u16 + Send + Sync),
) {
    let mut reader = BufReader::new(stream);
    let mut headers = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut received = Received {
        at: Instant::now(),
        event_id: header("persona-event-id").unwrap_or_default(),
        event_type: header("persona-event-type").unwrap_or_default(),
        attempt: header("persona-delivery-attempt"),
        signature: header("persona-signature").unwrap_or_default(),
        body: String::from_utf8(body).expect("a UTF-8 body"),
        answered: None,
    };
    if hold.load(Ordering::SeqCst) {
        log.lock().unwrap().push(received);
        while hold.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        return;
    }
    let status = respond(index);
    received.answered = Some(status);
    log.lock().unwrap().push(received);
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Answer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.flush();
}

/// `persona webhooks listen` running in the background, its output collected.
struct Listen {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Listen {
    fn start(env: &TestEnv, forward_to: &str) -> Listen {
        let mut child = env
            .command(&[
                "webhooks",
                "listen",
                "--forward-to",
                forward_to,
                "--print-secret",
                "--json",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn persona webhooks listen");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (lines, text) = (stdout.clone(), stderr.clone());
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        std::thread::spawn(move || {
            let mut line = String::new();
            while err.read_line(&mut line).unwrap_or(0) > 0 {
                text.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Listen {
            child,
            stdout,
            stderr,
        }
    }

    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lock()
            .unwrap()
            .iter()
            .map(|line| serde_json::from_str(line).expect("NDJSON"))
            .collect()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The secret of the first line, once the stream is open.
    fn secret(&self) -> String {
        self.wait_for_lines(1);
        let ready = &self.lines()[0];
        assert_eq!(ready["event"], "listen.ready", "{ready}");
        ready["secret"].as_str().unwrap().to_string()
    }

    /// The line of each forwarded event.
    fn forwarded(&self) -> Vec<Value> {
        self.lines().into_iter().skip(1).collect()
    }

    #[track_caller]
    fn wait_for_lines(&self, n: usize) {
        assert!(
            eventually(Duration::from_secs(45), || self
                .stdout
                .lock()
                .unwrap()
                .len()
                >= n),
            "listen printed {:?}\nstderr: {}",
            self.stdout.lock().unwrap(),
            self.stderr()
        );
    }
}

impl Listen {
    /// Stops it with SIGINT, as Ctrl-C does: its exit code, stdout lines and stderr.
    fn interrupt(mut self) -> (i32, Vec<String>, String) {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut code = None;
        assert!(
            eventually(Duration::from_secs(15), || {
                code = self.child.try_wait().unwrap().and_then(|s| s.code());
                code.is_some()
            }),
            "listen did not stop on SIGINT"
        );
        // The pipes close with the process: what it wrote is all read once they do.
        assert!(eventually(Duration::from_secs(5), || Arc::strong_count(
            &self.stdout
        ) == 1
            && Arc::strong_count(&self.stderr) == 1));
        let lines = self.stdout.lock().unwrap().clone();
        (code.unwrap(), lines, self.stderr())
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `webhooks create` for `url` and `events`: (endpoint id, secret).
fn create_endpoint(env: &TestEnv, url: &str, events: &str) -> (String, String) {
    let endpoint = env
        .run(&[
            "webhooks", "create", "--url", url, "--events", events, "--json",
        ])
        .success()
        .json();
    let secret = endpoint["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{endpoint}");
    (endpoint["id"].as_str().unwrap().to_string(), secret)
}

fn deliveries(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["webhooks", "deliveries", "--json"];
    args.extend_from_slice(extra);
    env.run(&args).success().json().as_array().unwrap().clone()
}

fn types(received: &[Received]) -> Vec<&str> {
    received.iter().map(|r| r.event_type.as_str()).collect()
}

#[test]
fn listen_forwards_create_update_fork_archive_and_unarchive_once_each_signed_in_order() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let receiver = Receiver::start(|_| 200);
    let listen = Listen::start(&env, &receiver.url());
    let secret = listen.secret();

    let persona = env.create(KEEPER, &["--slug", "keeper"]);
    env.run(&["personas", "pull", "keeper", "-o", "keeper.yml"])
        .success();
    let edited = env
        .read("keeper.yml")
        .replace("visibility: private", "visibility: workspace");
    env.write("keeper.yml", &edited);
    env.run(&["personas", "push", "keeper.yml"]).success();
    let fork = env
        .run(&["personas", "fork", "keeper", "--json"])
        .success()
        .json();
    env.run(&["personas", "archive", "keeper"]).success();
    env.run(&["personas", "unarchive", "keeper"]).success();

    let expected = [
        "run.completed",
        "persona.created",
        "persona.updated",
        "run.completed",
        "persona.forked",
        "persona.archived",
        "persona.updated",
    ];
    receiver.wait_for("seven events", |r| r.len() >= expected.len());
    listen.wait_for_lines(1 + expected.len());
    std::thread::sleep(Duration::from_millis(500));
    let received = receiver.received();
    assert_eq!(types(&received), expected, "in order, each once");
    for event in &received {
        event.assert_signed(&secret);
    }
    let ids: HashSet<&str> = received.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids.len(), expected.len(), "no event twice");

    let data = |index: usize| received[index].json()["data"].clone();
    assert_eq!(data(1)["persona"]["id"], persona["id"]);
    assert_eq!(data(2)["persona"]["id"], persona["id"]);
    assert_eq!(data(2)["persona"]["version"], 2);
    assert_eq!(data(2)["persona"]["visibility"], "workspace");
    assert_eq!(data(4)["persona"]["id"], fork["id"]);
    assert_eq!(data(4)["persona"]["parent_id"], persona["id"]);
    assert_eq!(data(5)["persona"]["id"], persona["id"]);
    assert!(data(5)["persona"]["archived_at"].is_string());
    assert_eq!(data(6)["persona"]["id"], persona["id"]);
    assert!(data(6)["persona"]["archived_at"].is_null());
    assert_eq!(data(3)["run"]["id"], fork["run"]["id"]);

    let lines = listen.forwarded();
    let printed: Vec<&str> = lines
        .iter()
        .map(|l| l["event_id"].as_str().unwrap())
        .collect();
    let forwarded: Vec<&str> = received.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(printed, forwarded, "one line per delivery");
    assert!(
        lines
            .iter()
            .all(|l| l["status"] == 200 && l["latency_ms"].is_u64())
    );
}

/// A forward target that is down: the line says which address refused and what to check, in a
/// person's words (no "(os error N)").
#[test]
fn listen_says_which_handler_refused_the_connection() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let listen = Listen::start(&env, &target);
    listen.secret();
    env.create(KEEPER, &["--slug", "keeper"]);
    listen.wait_for_lines(2);
    let line = &listen.forwarded()[0];
    assert_eq!(
        line["error"],
        format!("could not connect to {target} (connection refused): is your handler running?"),
        "{line}"
    );
}

/// A hostile API double for `GET /v1/webhooks/listen`: every stream opens with a UTF-8
/// byte-order mark (which SSE allows) cut across two reads, then names its session and sends one
/// event, and stays open.
fn hostile_listen_api() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    line.clear();
                }
                let mut stream = reader.into_inner();
                let body = "{\"id\":\"evt_bom\",\"type\":\"persona.created\"}";
                let event = serde_json::json!({
                    "id": "evt_bom", "signature": "t=1,v1=00", "body": body,
                });
                let rest = format!(
                    "id: 1\nevent: listen.ready\ndata: {{\"endpoint_id\":\"we_bom\",\"secret\":\"whsec_bom\"}}\n\n\
                     id: 2\nevent: persona.created\ndata: {event}\n\n"
                );
                let bom = "\u{feff}".as_bytes();
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
                );
                let _ = stream.write_all(&bom[..1]);
                let _ = stream.flush();
                std::thread::sleep(Duration::from_millis(100));
                let _ = stream.write_all(&bom[1..]);
                let _ = stream.write_all(rest.as_bytes());
                let _ = stream.flush();
                std::thread::sleep(Duration::from_secs(60));
            });
        }
    });
    format!("http://127.0.0.1:{port}/v1")
}

#[test]
fn listen_reads_a_stream_that_opens_with_a_byte_order_mark_cut_across_reads() {
    let receiver = Receiver::start(|_| 200);
    let mut env = TestEnv::new();
    env.set("PERSONA_API_URL", &hostile_listen_api());
    env.set("PERSONA_API_KEY", "pk_test_hostile_listen_0001");
    let mut listen = Listen::start(&env, &receiver.url());
    assert_eq!(listen.secret(), "whsec_bom");
    receiver.wait_for("the event after the mark", |got| {
        got.iter().any(|r| r.event_id == "evt_bom")
    });
    listen.wait_for_lines(2);
    let forwarded = listen.forwarded();
    assert_eq!(forwarded[0]["event_id"], "evt_bom", "{forwarded:?}");
    assert_eq!(forwarded[0]["status"], 200, "{forwarded:?}");
    assert!(
        listen.child.try_wait().unwrap().is_none(),
        "listen is still running: {}",
        listen.stderr()
    );
}

#[test]
fn a_receiver_that_fails_once_gets_a_retry_that_succeeds() {
    let mut env = TestEnv::new();
    let server = env.serve(&[FAST_RETRIES[0], FAST_RETRIES[1], "--retention-days", "7"]);
    env.use_server(&server);
    let receiver = Receiver::start(|index| if index == 0 { 500 } else { 200 });
    let (_, secret) = create_endpoint(&env, &receiver.url(), "persona.created");

    env.create(KEEPER, &[]);
    receiver.wait_for("a retry", |r| r.len() >= 2);
    std::thread::sleep(Duration::from_millis(2500));
    let received = receiver.received();
    assert_eq!(received.len(), 2, "no attempt after the success");
    assert_eq!(received[0].event_id, received[1].event_id);
    assert_eq!(
        received[0].body, received[1].body,
        "same bytes each attempt"
    );
    assert_eq!(received[0].attempt.as_deref(), Some("1"));
    assert_eq!(received[1].attempt.as_deref(), Some("2"));
    assert!(received[1].at - received[0].at >= Duration::from_millis(700));
    for event in &received {
        event.assert_signed(&secret);
    }

    let listed = deliveries(&env, &[]);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["status"], "succeeded");
    assert_eq!(listed[0]["attempts"], 2);
    assert_eq!(listed[0]["attempt_log"][0]["status_code"], 500);
    assert_eq!(listed[0]["attempt_log"][1]["status_code"], 200);
    // Kept, and replayable, for the days the server was told.
    let time = |field: &str| persona::clock::unix_seconds(listed[0][field].as_str().unwrap());
    let kept = time("replayable_until").unwrap() - time("created_at").unwrap();
    assert!((7 * 86_400 - 5..=7 * 86_400).contains(&kept), "{kept}");

    let refused = env.run(&["dev", "serve", "--retention-days", "0"]).code(2);
    assert!(
        refused.stderr.contains("--retention-days"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_receiver_that_never_succeeds_gets_five_attempts_then_a_replay_delivers() {
    let mut env = TestEnv::new();
    let server = env.serve(&FAST_RETRIES);
    env.use_server(&server);
    let failing = Arc::new(AtomicBool::new(true));
    let receiver = Receiver::start({
        let failing = failing.clone();
        move |_| {
            if failing.load(Ordering::SeqCst) {
                500
            } else {
                200
            }
        }
    });
    let (endpoint_id, secret) = create_endpoint(&env, &receiver.url(), "persona.created");

    env.create(KEEPER, &[]);
    receiver.wait_for("five attempts", |r| r.len() >= 5);
    let mut dead = Vec::new();
    assert!(eventually(Duration::from_secs(10), || {
        dead = deliveries(&env, &["--status", "failed"]);
        !dead.is_empty()
    }));
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        receiver.received().len(),
        5,
        "nothing after the last attempt"
    );
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["attempts"], 5);
    assert_eq!(dead[0]["endpoint_id"], endpoint_id.as_str());
    assert!(dead[0]["next_attempt_at"].is_null());

    failing.store(false, Ordering::SeqCst);
    let dead_id = dead[0]["id"].as_str().unwrap();
    let replay = env
        .run(&["webhooks", "replay", dead_id, "--json"])
        .success()
        .json();
    assert_eq!(replay["status"], "succeeded", "{replay}");
    assert_eq!(replay["replay_of"], dead_id);
    assert_eq!(replay["event_id"], dead[0]["event_id"]);

    let received = receiver.received();
    assert_eq!(received.len(), 6);
    assert_eq!(received[5].answered, Some(200));
    assert!(received.iter().all(|r| r.body == received[0].body));
    for event in &received {
        event.assert_signed(&secret);
    }
}

#[test]
fn events_pending_when_the_server_dies_are_all_delivered_after_a_restart() {
    let mut env = TestEnv::new();
    // A key that outlives the server process (the dev key of `dev serve` does not).
    let key = env
        .run(&["dev", "keys", "create", "--json"])
        .success()
        .json()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    let server = env.serve(&FAST_RETRIES);
    let addr = server.addr();
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);

    let endpoint = Receiver::start(|_| 200);
    endpoint.hold(true);
    let (_, endpoint_secret) = create_endpoint(&env, &endpoint.url(), "*");
    let local = Receiver::start(|_| 200);
    let listen = Listen::start(&env, &local.url());
    let listen_secret = listen.secret();

    // Deliveries in flight (held by the receiver) when the server is killed.
    env.create(KEEPER, &[]);
    endpoint.wait_for("two deliveries in flight", |r| r.len() >= 2);
    listen.wait_for_lines(3);
    server.kill();

    // Events recorded while no server listens for the stream: a command on the local
    // profile writes them to the same store.
    let offline = env
        .command(&[
            "personas",
            "create",
            "--intent",
            "a baker in Lyon",
            "--json",
        ])
        .env_remove("PERSONA_API_URL")
        .env_remove("PERSONA_API_KEY")
        .output()
        .unwrap();
    assert!(offline.status.success(), "{offline:?}");

    let restarted = env.serve_on(&addr, &FAST_RETRIES);
    assert_eq!(restarted.addr(), addr);
    endpoint.hold(false);

    endpoint.wait_for("every event answered", |_| {
        endpoint.answered(200).len() >= 4
    });
    listen.wait_for_lines(5);
    std::thread::sleep(Duration::from_millis(1500));

    let answered = endpoint.answered(200);
    let delivered: Vec<&str> = answered.iter().map(|r| r.event_id.as_str()).collect();
    let unique: HashSet<&str> = delivered.iter().copied().collect();
    assert_eq!(unique.len(), 4, "each event answered once: {delivered:?}");
    assert_eq!(
        delivered.len(),
        4,
        "each event answered once: {delivered:?}"
    );
    for event in endpoint.received() {
        event.assert_signed(&endpoint_secret);
    }

    let forwarded = local.received();
    assert_eq!(
        types(&forwarded),
        [
            "run.completed",
            "persona.created",
            "run.completed",
            "persona.created"
        ],
        "the listen stream resumed with nothing lost or repeated"
    );
    for event in &forwarded {
        event.assert_signed(&listen_secret);
    }
    let streamed: HashSet<&str> = forwarded.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(streamed, unique, "the same events by both ways");
    let baker = &forwarded[3].json()["data"]["persona"];
    assert!(
        baker["intent"].as_str().unwrap().contains("baker"),
        "{baker}"
    );
    assert!(
        listen.stderr().contains("reconnected"),
        "listen says it reconnected: {}",
        listen.stderr()
    );
}

#[test]
fn verify_accepts_a_real_signature_and_rejects_a_tampered_body_and_a_stale_timestamp() {
    let env = TestEnv::new();
    let secret = "whsec_test0123456789";
    let body = r#"{"id":"evt_1","type":"webhook.test","data":{"n":1}}"#;
    let verify = |header: &str, body: &str, extra: &[&str]| {
        let mut args = vec!["webhooks", "verify", "--secret", secret, "--header", header];
        args.extend_from_slice(extra);
        env.run_with_stdin(&args, body)
    };

    let fresh = format!("Persona-Signature: {}", sign(secret, now(), body));
    let valid = verify(&fresh, body, &[]).success();
    assert!(valid.stdout.starts_with("valid"), "{}", valid.stdout);

    let tampered = body.replace("\"n\":1", "\"n\":2");
    let refused = verify(&fresh, &tampered, &[]).code(4);
    assert!(
        refused.stderr.contains("does not match"),
        "{}",
        refused.stderr
    );

    let stale = sign(secret, now() - 600, body);
    let refused = verify(&stale, body, &["--json"]).code(4);
    assert_eq!(refused.json()["verdict"], "timestamp_outside_tolerance");
    verify(&stale, body, &["--tolerance", "900"]).success();

    let unreadable = verify("t=soon", body, &[]).code(2);
    assert!(
        unreadable.stderr.contains("cannot be read"),
        "{}",
        unreadable.stderr
    );
    // Usage errors, not mismatches: another header, no body, no secret.
    let other = format!("X-Other: {}", sign(secret, now(), body));
    let wrong_header = verify(&other, body, &[]).code(2);
    assert!(
        wrong_header.stderr.contains("`X-Other`"),
        "{}",
        wrong_header.stderr
    );
    verify(&fresh, "", &[]).code(2);
    let no_secret = env
        .run_with_stdin(
            &["webhooks", "verify", "--secret", "", "--header", &fresh],
            body,
        )
        .code(2);
    assert!(
        no_secret.stderr.contains("secret is empty"),
        "{}",
        no_secret.stderr
    );
}

#[test]
fn an_endpoint_url_with_credentials_is_refused_so_no_list_can_show_them() {
    let env = TestEnv::new();
    let refused = env
        .run(&[
            "webhooks",
            "create",
            "--url",
            "http://user:secret@127.0.0.1:9/hook",
        ])
        .code(2);
    assert!(
        refused.stderr.contains("user name or password"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("secret@"), "{}", refused.stderr);
    let listed = env.run(&["webhooks", "list"]).success();
    assert!(!listed.stdout.contains("secret"), "{}", listed.stdout);

    // Deliveries of an endpoint that does not exist are not an empty list.
    let unknown = env
        .run(&["webhooks", "deliveries", "--endpoint", "whk_nothing"])
        .code(3);
    assert!(unknown.stderr.contains("whk_nothing"), "{}", unknown.stderr);
}

#[test]
fn a_refusal_reported_as_json_is_told_once_and_keeps_its_exit_code() {
    let env = TestEnv::new();
    let secret = "whsec_test0123456789";
    let body = r#"{"id":"evt_1","type":"webhook.test","data":{"n":1}}"#;
    let header = sign(secret, now(), body);
    let args = [
        "webhooks",
        "verify",
        "--secret",
        "whsec_other",
        "--header",
        &header,
        "--json",
    ];
    let refused = env.run_with_stdin(&args, body).code(4);
    // The verdict on stdout is the whole report: no error object after it, nothing on stderr.
    assert_eq!(refused.stdout.lines().count(), 1, "{}", refused.stdout);
    assert_eq!(refused.json()["verdict"], "signature_mismatch");
    assert_eq!(refused.stderr, "", "{}", refused.stderr);
}

/// Ctrl-C is how `listen` is stopped ("Press Ctrl-C to stop"): exit 130, no error message, and
/// under --json no error object after the lines it printed.
#[test]
fn ctrl_c_stops_listen_with_130_and_no_message() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let receiver = Receiver::start(|_| 200);
    let listen = Listen::start(&env, &receiver.url());
    listen.secret();
    assert!(
        eventually(Duration::from_secs(15), || listen
            .stderr()
            .contains("Press Ctrl-C to stop")),
        "{}",
        listen.stderr()
    );
    let (code, lines, stderr) = listen.interrupt();
    assert_eq!(code, 130, "stderr: {stderr}");
    assert_eq!(lines.len(), 1, "only the listen.ready line: {lines:?}");
    assert!(
        !stderr.contains("error") && !stderr.contains("interrupted"),
        "{stderr}"
    );
}

/// `persona webhooks listen --json | head -1`: once the reader has gone, the next event ends
/// listen by SIGPIPE, as it ends any Unix tool, instead of listening on for nobody.
#[test]
fn listen_ends_when_the_reader_of_its_output_has_gone() {
    use std::os::unix::process::ExitStatusExt;
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let receiver = Receiver::start(|_| 200);
    let mut child = env
        .command(&[
            "webhooks",
            "listen",
            "--forward-to",
            &receiver.url(),
            "--print-secret",
            "--json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn persona webhooks listen");
    // A reader of the first line alone, which then goes away.
    let stdout = child.stdout.take().unwrap();
    let (sender, first) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let first = first.recv_timeout(Duration::from_secs(30));
    if first.is_err() {
        let _ = child.kill();
    }
    let first = first.expect("listen printed its first line");
    assert!(first.contains("listen.ready"), "{first}");
    // The next event is written to nobody.
    env.create("a quiet lighthouse keeper", &[]);
    let mut status = None;
    let ended = eventually(Duration::from_secs(30), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    assert!(ended, "listen went on after its reader left");
    assert_eq!(status.unwrap().signal(), Some(libc::SIGPIPE));
}
