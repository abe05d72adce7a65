//! `persona runs`: list, get, cancel, and tail (replay, follow, filters, reconnection).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{DevServer, Outcome, TestEnv, cutting_proxy, eventually};

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";
const OTHER_BRIEF: &str = "28-year-old cheerful, curious street musician in Lisbon";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A `persona dev serve` whose runs take a few seconds, and an environment pointed at it.
fn live_env(step_delay_ms: u64) -> (TestEnv, DevServer) {
    let mut env = TestEnv::new();
    let server = env.serve(&["--step-delay-ms", &step_delay_ms.to_string()]);
    env.use_server(&server);
    (env, server)
}

/// Starts a create without waiting; returns the run id printed on stdout.
fn start_run(env: &TestEnv, intent: &str) -> String {
    let out = env
        .run(&["personas", "create", "--intent", intent, "--no-wait"])
        .success();
    let run_id = out.stdout.trim().to_string();
    assert!(
        run_id.starts_with("run_") && !run_id.contains(char::is_whitespace),
        "--no-wait should print only the run id on stdout, got {:?}",
        out.stdout
    );
    run_id
}

/// The run id of a persona created (and finished) on the active backend.
fn run_of(persona: &Value) -> String {
    persona["run"]["id"]
        .as_str()
        .expect("persona.run.id")
        .to_string()
}

/// NDJSON from `runs tail --json`: every line one object with exactly `id`, `event`, `data`.
#[track_caller]
fn ndjson(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|err| {
                panic!("not a JSON line ({err}): {line:?}\nstdout:\n{stdout}")
            });
            let keys: BTreeSet<&str> = value
                .as_object()
                .unwrap_or_else(|| panic!("not an object: {line}"))
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                BTreeSet::from(["data", "event", "id"]),
                "an NDJSON event has exactly id, event and data: {line}"
            );
            assert!(value["id"].is_i64(), "numeric id: {line}");
            assert!(value["event"].is_string(), "string event: {line}");
            value
        })
        .collect()
}

fn ids(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect()
}

/// Every id from 1 to N exactly once, in order, and the last event is `terminal`.
#[track_caller]
fn assert_whole_log(events: &[Value], terminal: &str) {
    assert!(!events.is_empty(), "no events");
    let expected: Vec<i64> = (1..=events.len() as i64).collect();
    assert_eq!(
        ids(events),
        expected,
        "ids 1..N, each exactly once, in order"
    );
    assert_eq!(
        events.last().unwrap()["event"],
        terminal,
        "the stream ends with {terminal}: {:?}",
        kinds(events)
    );
    let terminals = events
        .iter()
        .filter(|e| {
            matches!(
                e["event"].as_str(),
                Some("run.completed" | "run.failed" | "run.canceled")
            )
        })
        .count();
    assert_eq!(
        terminals,
        1,
        "exactly one terminal event: {:?}",
        kinds(events)
    );
    assert_eq!(events[0]["event"], "run.started");
}

/// Reads `GET {base_url}/runs/{id}/events` over a plain TCP socket (HTTP/1.1, read until the
/// server closes), and returns its events as `{id, event, data}` objects.
fn raw_events(base_url: &str, key: &str, run_id: &str, last_event_id: Option<i64>) -> Vec<Value> {
    let rest = base_url.strip_prefix("http://").expect("http base url");
    let (addr, prefix) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = format!(
        "GET /{prefix}/runs/{run_id}/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Accept: text/event-stream\r\nConnection: close\r\n"
    );
    if let Some(id) = last_event_id {
        request.push_str(&format!("Last-Event-ID: {id}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("read the event stream until the server closes it");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = &raw[split + 4..];
    assert!(
        head.starts_with("HTTP/1.1 200"),
        "raw GET events answered:\n{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "event stream content type:\n{head}"
    );
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_vec()
    };
    parse_sse(&String::from_utf8(body).expect("UTF-8 event stream"))
}

/// Decodes an HTTP/1.1 chunked body.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = String::from_utf8_lossy(&body[..line_end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
        body = &body[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// The events of an SSE text: frames with an `id:` (comments and `retry:` skipped).
fn parse_sse(text: &str) -> Vec<Value> {
    let mut events = Vec::new();
    for frame in text.split("\n\n") {
        let (mut id, mut event, mut data) = (None, None, Vec::new());
        for line in frame.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                id = Some(v.trim().parse::<i64>().expect("numeric SSE id"));
            } else if let Some(v) = line.strip_prefix("event:") {
                event = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
            }
        }
        if let Some(id) = id {
            let data: Value = serde_json::from_str(&data.join("\n")).expect("JSON data");
            events.push(json!({ "id": id, "event": event.unwrap_or_else(|| "message".into()), "data": data }));
        }
    }
    events
}

/// A `persona` child process whose stdout lines and stderr are collected as they arrive.
struct Spawned {
    child: Child,
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

fn spawn(env: &TestEnv, args: &[&str]) -> Spawned {
    let mut child = env
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn persona");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(String::new()));
    let stdout_pipe = BufReader::new(child.stdout.take().unwrap());
    let mut stderr_pipe = BufReader::new(child.stderr.take().unwrap());
    let sink = lines.clone();
    let out_reader = std::thread::spawn(move || {
        for line in stdout_pipe.lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push((Instant::now(), line));
        }
    });
    let err_sink = stderr.clone();
    let err_reader = std::thread::spawn(move || {
        let mut line = String::new();
        while stderr_pipe
            .read_line(&mut line)
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            err_sink.lock().unwrap().push_str(&line);
            line.clear();
        }
    });
    Spawned {
        child,
        lines,
        stderr,
        readers: vec![out_reader, err_reader],
    }
}

impl Spawned {
    fn line_count(&self) -> usize {
        self.lines.lock().unwrap().len()
    }

    /// Waits until it printed at least `n` lines.
    #[track_caller]
    fn wait_for_lines(&self, n: usize, limit: Duration) {
        let printed = eventually(limit, || self.line_count() >= n);
        assert!(
            printed,
            "expected {n} lines within {limit:?}; stdout so far: {:?}\nstderr: {}",
            self.lines.lock().unwrap(),
            self.stderr.lock().unwrap()
        );
    }

    /// Waits for the exit (killing it after `limit`): exit code, stdout lines with arrival
    /// times, stderr.
    fn finish(mut self, limit: Duration) -> (i32, Vec<(Instant, String)>, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "persona did not exit within {limit:?}\nstdout: {:?}\nstderr: {}",
                    self.lines.lock().unwrap(),
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let lines = std::mem::take(&mut *self.lines.lock().unwrap());
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code().unwrap_or(-1), lines, stderr)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary to completion with extra environment for this command only.
fn run_with(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> Outcome {
    let mut command = env.command(args);
    for (name, value) in extra {
        command.env(name, value);
    }
    let output = command.stdin(Stdio::null()).output().expect("run persona");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn stdout_of(lines: &[(Instant, String)]) -> String {
    lines.iter().map(|(_, l)| format!("{l}\n")).collect()
}

/// `18,421`, as the CLI writes counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$0.07`, or `$0.0042` below a cent, as the CLI writes money.
fn usd(amount: f64) -> String {
    if amount != 0.0 && amount.abs() < 0.01 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

// ---------------------------------------------------------------------------------------------
// runs list / get
// ---------------------------------------------------------------------------------------------

/// Three runs on the local profile: two completed (one with a known slug), one over budget.
fn env_with_three_runs() -> (TestEnv, Value, Value, String) {
    let env = TestEnv::new();
    let first = env.create(BRIEF, &["--slug", "the-bookseller"]);
    let second = env.create(OTHER_BRIEF, &[]);
    env.run(&[
        "personas",
        "create",
        "--intent",
        "a grumpy lighthouse keeper",
        "--budget-usd",
        "0.01",
    ])
    .code(7);
    let failed = env
        .run(&["runs", "list", "--status", "failed", "--json"])
        .success()
        .json();
    let failed_id = failed[0]["id"].as_str().expect("a failed run").to_string();
    (env, first, second, failed_id)
}

#[test]
fn list_prints_tab_separated_rows_and_json_and_filters() {
    let (env, first, second, failed_id) = env_with_three_runs();

    let all = env.run(&["runs", "list", "--json"]).success().json();
    let all = all.as_array().expect("--json prints an array");
    assert_eq!(all.len(), 3, "three runs: {all:?}");
    let listed: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        listed,
        vec![
            failed_id.as_str(),
            run_of(&second).as_str(),
            run_of(&first).as_str()
        ],
        "newest first"
    );

    // Piped: one tab-separated row per run, no header, same order as --json.
    let table = env.run(&["runs", "list"]).success();
    let rows: Vec<Vec<&str>> = table
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(
        rows.len(),
        3,
        "one row per run, no header:\n{}",
        table.stdout
    );
    for (row, run) in rows.iter().zip(all) {
        assert_eq!(
            row.len(),
            7,
            "id persona kind status tokens cost created: {row:?}"
        );
        assert_eq!(row[0], run["id"].as_str().unwrap());
        // The persona by the slug the run carries (as it is now); by its id when it has none
        // (a failed creation).
        let persona_id = run["persona_id"].as_str().unwrap();
        let persona = env
            .run(&["personas", "get", persona_id, "--json"])
            .success()
            .json();
        assert_eq!(run["persona_slug"], persona["slug"], "{run}");
        assert_eq!(row[1], persona["slug"].as_str().unwrap_or(persona_id));
        assert_eq!(row[2], "create");
        assert_eq!(row[3], run["status"].as_str().unwrap());
        assert_eq!(row[4], thousands(run["tokens"].as_u64().unwrap()));
        assert_eq!(row[5], usd(run["cost_usd"].as_f64().unwrap()));
        // Times in full when piped, as in --json.
        assert_eq!(row[6], run["created_at"].as_str().unwrap());
        assert!(row[6].ends_with('Z') && row[6].contains('T'), "{row:?}");
    }
    assert!(
        !table.stdout.contains("  "),
        "no column padding when piped:\n{}",
        table.stdout
    );

    // --persona by slug.
    let by_slug = env
        .run(&["runs", "list", "--persona", "the-bookseller", "--json"])
        .success()
        .json();
    let by_slug = by_slug.as_array().unwrap();
    assert_eq!(by_slug.len(), 1, "{by_slug:?}");
    assert_eq!(by_slug[0]["id"], first["run"]["id"]);
    assert_eq!(by_slug[0]["persona_id"], first["id"]);
    // And by id.
    let by_id = env
        .run(&[
            "runs",
            "list",
            "--persona",
            second["id"].as_str().unwrap(),
            "--json",
        ])
        .success()
        .json();
    assert_eq!(by_id.as_array().unwrap().len(), 1);
    assert_eq!(by_id[0]["id"], second["run"]["id"]);
    // An unknown persona is not found, not an empty list.
    env.run(&["runs", "list", "--persona", "nobody-at-all"])
        .code(3);

    // --status.
    let failed = env
        .run(&["runs", "list", "--status", "failed", "--json"])
        .success()
        .json();
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["id"], failed_id.as_str());
    assert_eq!(failed[0]["status"], "failed");
    let completed = env
        .run(&["runs", "list", "--status", "completed", "--json"])
        .success()
        .json();
    assert_eq!(completed.as_array().unwrap().len(), 2);
    assert!(
        completed
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "completed")
    );
    let canceled = env.run(&["runs", "list", "--status", "canceled"]).success();
    assert_eq!(
        canceled.stdout, "",
        "no rows on stdout when nothing matches"
    );
    env.run(&["runs", "list", "--status", "finished"]).code(2);

    // --limit and --all.
    let one = env
        .run(&["runs", "list", "--limit", "1", "--json"])
        .success()
        .json();
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["id"], failed_id.as_str(), "the newest");
    let two = env.run(&["runs", "list", "--limit", "2"]).success();
    assert_eq!(two.stdout.lines().count(), 2);
    let every = env
        .run(&["runs", "list", "--limit", "1", "--all", "--json"])
        .success()
        .json();
    let every: Vec<&str> = every
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(every, listed, "--all follows every page of --limit 1");
    env.run(&["runs", "list", "--limit", "0"]).code(2);
    env.run(&["runs", "list", "--limit", "101"]).code(2);
}

#[test]
fn get_shows_steps_tokens_cost_and_engine() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &[]);
    let run_id = run_of(&persona);

    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(run["id"], run_id.as_str());
    assert_eq!(run["persona_id"], persona["id"]);
    assert_eq!(run["status"], "completed");
    assert_eq!(run["kind"], "create");
    assert_eq!(run["engine"], "offline");
    assert!(run["error"].is_null(), "{run}");
    let steps = run["steps"].as_array().expect("steps");
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "intent_parse",
            "soul_draft",
            "self_draft",
            "mask_draft",
            "surface_draft",
            "consistency_audit"
        ],
        "the default pipeline's steps"
    );
    let tokens: u64 = steps.iter().map(|s| s["tokens"].as_u64().unwrap()).sum();
    let cost: f64 = steps.iter().map(|s| s["cost_usd"].as_f64().unwrap()).sum();
    assert!(tokens > 0);
    assert_eq!(
        run["tokens"].as_u64(),
        Some(tokens),
        "run tokens = sum of steps"
    );
    assert!(
        (run["cost_usd"].as_f64().unwrap() - cost).abs() < 0.0005,
        "run cost {} = sum of step costs {cost}",
        run["cost_usd"]
    );
    assert!(
        steps
            .iter()
            .all(|s| s["status"] == "completed" && s["started_at"].is_string())
    );
    assert_eq!(persona["run"]["tokens"], run["tokens"]);
    assert_eq!(persona["run"]["cost_usd"], run["cost_usd"]);

    let human = env.run(&["runs", "get", &run_id]).success();
    let text = &human.stdout;
    assert!(
        text.contains(&run_id) && text.contains("completed"),
        "{text}"
    );
    assert!(text.contains("engine offline"), "{text}");
    assert!(
        text.contains(&format!("tokens {}", thousands(tokens))),
        "total tokens shown:\n{text}"
    );
    assert!(
        text.contains(&format!("cost {}", usd(run["cost_usd"].as_f64().unwrap()))),
        "total cost shown:\n{text}"
    );
    for step in steps {
        let name = step["name"].as_str().unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("a line for step {name}:\n{text}"));
        assert!(line.contains("completed"), "{line}");
        assert!(
            line.contains(&thousands(step["tokens"].as_u64().unwrap())),
            "tokens of {name}: {line}"
        );
        assert!(
            line.contains(&usd(step["cost_usd"].as_f64().unwrap())),
            "cost of {name}: {line}"
        );
    }
    assert!(!text.contains("error:"), "{text}");
}

#[test]
fn get_of_a_failed_run_shows_its_error() {
    let env = TestEnv::new();
    env.run(&[
        "personas",
        "create",
        "--intent",
        BRIEF,
        "--budget-usd",
        "0.01",
    ])
    .code(7);
    let run = env.run(&["runs", "list", "--json"]).success().json()[0].clone();
    let run_id = run["id"].as_str().unwrap();
    let got = env.run(&["runs", "get", run_id, "--json"]).success().json();
    assert_eq!(got["status"], "failed");
    assert_eq!(got["error"]["code"], "persona.cost_budget_exceeded");
    let human = env.run(&["runs", "get", run_id]).success();
    assert!(
        human.stdout.contains("persona.cost_budget_exceeded")
            && human.stdout.contains("would cost"),
        "the human view names the error:\n{}",
        human.stdout
    );
}

#[test]
fn unknown_runs_are_not_found() {
    let env = TestEnv::new();
    let out = env.run(&["runs", "get", "run_doesnotexist0"]).code(3);
    assert!(out.stderr.contains("run_doesnotexist0"), "{}", out.stderr);
    env.run(&["runs", "get", "run_doesnotexist0", "--json"])
        .code(3);
    env.run(&["runs", "tail", "run_doesnotexist0"]).code(3);
    env.run(&["runs", "cancel", "run_doesnotexist0"]).code(3);
}

// ---------------------------------------------------------------------------------------------
// runs cancel
// ---------------------------------------------------------------------------------------------

#[test]
fn cancel_of_a_live_run_ends_it_canceled() {
    let (env, _server) = live_env(300);
    let run_id = start_run(&env, BRIEF);
    let before = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert!(
        matches!(before["status"].as_str(), Some("queued" | "running")),
        "the run is still live: {before}"
    );

    let canceled = env
        .run(&["runs", "cancel", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(canceled["id"], run_id.as_str());
    assert_eq!(canceled["status"], "canceled");

    // It stays canceled: the engine writes nothing more.
    std::thread::sleep(Duration::from_millis(700));
    let after = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(after["status"], "canceled", "{after}");
    let steps = after["steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|s| s["status"] == "canceled"),
        "unfinished steps are marked canceled: {after}"
    );
    let persona = env
        .run(&[
            "personas",
            "get",
            after["persona_id"].as_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(persona["status"], "canceled", "{persona}");
    // The persona and the run agree on what the run spent and how long it took.
    assert_eq!(persona["run"]["tokens"], after["tokens"], "{persona}");
    assert_eq!(persona["run"]["cost_usd"], after["cost_usd"], "{persona}");
    assert!(after["latency_ms"].as_i64().is_some(), "{after}");

    // The tail replays up to run.canceled; --exit-status turns that into 8.
    let tail = env
        .run(&["runs", "tail", &run_id, "--json", "--exit-status"])
        .code(8);
    let events = ndjson(&tail.stdout);
    assert_whole_log(&events, "run.canceled");
    assert!(!kinds(&events).contains(&"run.completed"));
    let plain = env.run(&["runs", "tail", &run_id]).success();
    assert!(plain.stderr.contains("run canceled"), "{}", plain.stderr);

    // Cancelling it again is a conflict.
    let again = env.run(&["runs", "cancel", &run_id]).code(5);
    assert!(
        again.stderr.contains("already ended (canceled)"),
        "{}",
        again.stderr
    );
}

#[test]
fn cancel_of_a_completed_run_is_a_conflict_with_a_clear_message() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &[]);
    let run_id = run_of(&persona);
    let out = env.run(&["runs", "cancel", &run_id]).code(5);
    assert_eq!(out.stdout, "", "nothing on stdout");
    assert!(
        out.stderr.contains("error:") && out.stderr.contains("already ended (completed)"),
        "says why: {}",
        out.stderr
    );
    assert!(out.stderr.contains("run.not_cancelable"), "{}", out.stderr);
    let json_out = env.run(&["runs", "cancel", &run_id, "--json"]).code(5);
    assert_eq!(json_out.json()["error"]["code"], "run.not_cancelable");
    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(run["status"], "completed", "the run is unchanged");
}

// ---------------------------------------------------------------------------------------------
// runs tail: replay, NDJSON, --since, --filter, patches
// ---------------------------------------------------------------------------------------------

#[test]
fn tail_of_a_finished_run_replays_the_event_log_exactly_once() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let persona = env.create(BRIEF, &[]);
    let run_id = run_of(&persona);

    let first = env.run(&["runs", "tail", &run_id, "--json"]).success();
    let events = ndjson(&first.stdout);
    assert_whole_log(&events, "run.completed");
    assert_eq!(events.last().unwrap()["data"]["persona_id"], persona["id"]);
    assert!(
        !first.stderr.contains("reconnecting"),
        "a finished run replays without reconnecting: {}",
        first.stderr
    );

    let second = env.run(&["runs", "tail", &run_id, "--json"]).success();
    assert_eq!(
        second.stdout, first.stdout,
        "a replay is the same every time"
    );

    let raw = raw_events(&server.base_url, &server.key, &run_id, None);
    assert_eq!(
        events, raw,
        "the NDJSON is the server's event log, each event once"
    );

    // Every step of the run completed in the log, with the run's tokens.
    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    let step_tokens: u64 = events
        .iter()
        .filter(|e| e["event"] == "step.completed")
        .map(|e| e["data"]["tokens"].as_u64().unwrap())
        .sum();
    assert_eq!(Some(step_tokens), run["tokens"].as_u64());

    // The human view: one line per event on stdout, the outcome on stderr.
    let human = env.run(&["runs", "tail", &run_id]).success();
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        events.len(),
        "one line per event:\n{}",
        human.stdout
    );
    for (line, event) in lines.iter().zip(&events) {
        assert!(
            line.contains(event["event"].as_str().unwrap()),
            "{line} / {event}"
        );
        assert!(
            line.contains(&format!(" {} ", event["id"])),
            "event id in {line}"
        );
        if event["event"] == "layer.delta" {
            assert!(
                line.contains(event["data"]["path"].as_str().unwrap()),
                "path in {line}"
            );
        }
        if event["event"] == "step.completed" {
            let tokens = thousands(event["data"]["tokens"].as_u64().unwrap());
            assert!(
                line.contains(&format!("{tokens} tokens")),
                "tokens in {line}"
            );
        }
    }
    assert!(
        human.stderr.contains("run completed")
            && human.stderr.contains(persona["id"].as_str().unwrap())
            && human
                .stderr
                .contains(&format!("{} tokens", thousands(step_tokens))),
        "closing line with outcome and totals: {}",
        human.stderr
    );
}

#[test]
fn tail_since_and_filter() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let run_id = run_of(&env.create(BRIEF, &[]));
    let all = ndjson(
        &env.run(&["runs", "tail", &run_id, "--json"])
            .success()
            .stdout,
    );
    let n = all.len() as i64;
    assert!(n > 8, "a run has more than 8 events: {n}");

    // --since 5 starts at 6, and equals a raw read with Last-Event-ID: 5.
    let since = ndjson(
        &env.run(&["runs", "tail", &run_id, "--json", "--since", "5"])
            .success()
            .stdout,
    );
    assert_eq!(ids(&since), (6..=n).collect::<Vec<_>>());
    assert_eq!(since.as_slice(), &all[5..]);
    assert_eq!(
        since,
        raw_events(&server.base_url, &server.key, &run_id, Some(5))
    );
    // --filter.
    let completed = ndjson(
        &env.run(&[
            "runs",
            "tail",
            &run_id,
            "--json",
            "--filter",
            "step.completed",
        ])
        .success()
        .stdout,
    );
    let expected: Vec<&Value> = all
        .iter()
        .filter(|e| e["event"] == "step.completed")
        .collect();
    assert_eq!(completed.iter().collect::<Vec<_>>(), expected);
    assert_eq!(completed.len(), 6, "one per step of the default pipeline");

    let two = ndjson(
        &env.run(&[
            "runs",
            "tail",
            &run_id,
            "--json",
            "--filter",
            "step.completed",
            "--filter",
            "run.completed",
        ])
        .success()
        .stdout,
    );
    let expected: Vec<&Value> = all
        .iter()
        .filter(|e| e["event"] == "step.completed" || e["event"] == "run.completed")
        .collect();
    assert_eq!(two.iter().collect::<Vec<_>>(), expected);
    assert_eq!(two.last().unwrap()["event"], "run.completed");

    // Both together.
    let both = ndjson(
        &env.run(&[
            "runs",
            "tail",
            &run_id,
            "--json",
            "--since",
            "10",
            "--filter",
            "layer.delta",
        ])
        .success()
        .stdout,
    );
    let expected: Vec<&Value> = all
        .iter()
        .filter(|e| e["id"].as_i64().unwrap() > 10 && e["event"] == "layer.delta")
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(both.iter().collect::<Vec<_>>(), expected);

    // Human view with a filter: only those lines.
    let human = env
        .run(&["runs", "tail", &run_id, "--filter", "step.completed"])
        .success();
    assert_eq!(human.stdout.lines().count(), 6, "{}", human.stdout);
    assert!(human.stdout.lines().all(|l| l.contains("step.completed")));

    let bogus = env
        .run(&["runs", "tail", &run_id, "--filter", "step.done"])
        .code(2);
    assert!(bogus.stderr.contains("step.completed"), "{}", bogus.stderr);

    // The closing line gives the whole run's tokens, however late the view starts, even past
    // the last event.
    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    let tokens = run["tokens"].as_u64().unwrap();
    assert!(tokens > 1000, "{run}");
    for since in ["0", "30", "999"] {
        let human = env
            .run(&["runs", "tail", &run_id, "--since", since])
            .success();
        let closing = human.stderr.lines().last().unwrap_or_default();
        assert!(
            closing.starts_with("run completed"),
            "--since {since}: {}",
            human.stderr
        );
        assert!(
            closing.contains(&format!("{} tokens", thousands(tokens))),
            "--since {since}: {closing} ({tokens} tokens)"
        );
    }
}

/// The server closes a caught-up stream of an ended run without sending anything; the tail
/// must then end (the run is over), not reconnect until its bound and exit 9.
#[test]
fn tail_since_the_last_event_of_an_ended_run_prints_nothing_and_exits_0() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let run_id = run_of(&env.create(BRIEF, &[]));
    let n = ndjson(
        &env.run(&["runs", "tail", &run_id, "--json"])
            .success()
            .stdout,
    )
    .len();
    // A short reconnect bound, so that a tail waiting for a terminal event it will never get
    // fails fast instead of after the default 60 s.
    let started = Instant::now();
    let at_end = run_with(
        &env,
        &["runs", "tail", &run_id, "--json", "--since", &n.to_string()],
        &[("PERSONA_RECONNECT_TIMEOUT_SECS", "4")],
    );
    assert_eq!(
        (at_end.code, at_end.stdout.as_str()),
        (0, ""),
        "tail --since <last id> of an ended run prints nothing and exits 0\nstderr: {}",
        at_end.stderr
    );
    assert!(!at_end.stderr.contains("reconnecting"), "{}", at_end.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn layer_delta_patches_rebuild_the_final_persona() {
    let env = TestEnv::new();
    let persona = env.create(BRIEF, &["--language", "tr"]);
    let run_id = run_of(&persona);
    let events = ndjson(
        &env.run(&["runs", "tail", &run_id, "--json"])
            .success()
            .stdout,
    );
    let mut doc = json!({});
    let mut deltas = 0;
    for event in events.iter().filter(|e| e["event"] == "layer.delta") {
        persona::json::json_patch_apply(&mut doc, &event["data"]["patch"])
            .unwrap_or_else(|err| panic!("patch of event {} does not apply: {err}", event["id"]));
        deltas += 1;
    }
    assert!(deltas > 4, "{deltas} deltas");
    let stored = env
        .run(&["personas", "get", persona["id"].as_str().unwrap(), "--json"])
        .success()
        .json();
    let layers = json!({
        "soul": stored["soul"], "self": stored["self"], "mask": stored["mask"], "surface": stored["surface"],
    });
    assert_eq!(
        doc, layers,
        "applying every patch to {{}} gives the final layers"
    );

    // `--render` (not a terminal) appends a frame per change and a last one, each a YAML
    // document: the stream reads as YAML, and its last document is the final persona.
    let rendered = env.run(&["runs", "tail", &run_id, "--render"]).success();
    let frames: Vec<Value> = serde_norway::Deserializer::from_str(&rendered.stdout)
        .map(|document| {
            serde::Deserialize::deserialize(document)
                .unwrap_or_else(|err| panic!("--render prints YAML ({err}):\n{}", rendered.stdout))
        })
        .collect();
    assert_eq!(frames.len(), deltas + 1, "{}", rendered.stdout);
    assert!(
        rendered
            .stdout
            .trim_end()
            .lines()
            .rfind(|line| line.starts_with("--- # event "))
            .is_some_and(|title| title.ends_with("run.completed")),
        "{}",
        rendered.stdout
    );
    assert_eq!(
        frames.last(),
        Some(&layers),
        "the last frame is the final persona"
    );
    assert_ne!(
        frames[0], layers,
        "the first frame is the persona just begun"
    );
}

// ---------------------------------------------------------------------------------------------
// runs tail: live runs, exit status
// ---------------------------------------------------------------------------------------------

#[test]
fn tail_of_a_live_run_follows_it_to_the_end() {
    let (env, server) = live_env(300);
    let run_id = start_run(&env, BRIEF);
    let tail = spawn(&env, &["runs", "tail", &run_id, "--json", "--exit-status"]);
    let (code, lines, stderr) = tail.finish(Duration::from_secs(30));
    assert_eq!(code, 0, "stderr: {stderr}");
    let events = ndjson(&stdout_of(&lines));
    assert_whole_log(&events, "run.completed");
    let spread = lines.last().unwrap().0 - lines.first().unwrap().0;
    assert!(
        spread >= Duration::from_millis(900),
        "events arrived as the run went (over {spread:?}), not all at once"
    );
    assert!(!stderr.contains("reconnecting"), "{stderr}");
    assert_eq!(
        events,
        raw_events(&server.base_url, &server.key, &run_id, None)
    );
    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(run["status"], "completed");
}

#[test]
fn exit_status_on_a_failed_run() {
    let env = TestEnv::new();
    env.run(&[
        "personas",
        "create",
        "--intent",
        BRIEF,
        "--budget-usd",
        "0.01",
    ])
    .code(7);
    let run_id = env
        .run(&["runs", "list", "--status", "failed", "--json"])
        .success()
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let strict = env.run(&["runs", "tail", &run_id, "--exit-status"]).code(8);
    assert!(
        strict.stderr.contains("run failed")
            && strict.stderr.contains("persona.cost_budget_exceeded"),
        "{}",
        strict.stderr
    );
    let relaxed = env.run(&["runs", "tail", &run_id]).success();
    assert!(relaxed.stderr.contains("run failed"), "{}", relaxed.stderr);

    let json_strict = env
        .run(&["runs", "tail", &run_id, "--json", "--exit-status"])
        .code(8);
    let events = ndjson(&json_strict.stdout);
    assert_whole_log(&events, "run.failed");
    assert_eq!(
        events.last().unwrap()["data"]["error"]["code"],
        "persona.cost_budget_exceeded"
    );
    let json_relaxed = env.run(&["runs", "tail", &run_id, "--json"]).success();
    assert_eq!(json_relaxed.stdout, json_strict.stdout);

    // A completed run with --exit-status exits 0.
    let ok = run_of(&env.create(OTHER_BRIEF, &[]));
    env.run(&["runs", "tail", &ok, "--exit-status"]).success();
}

// ---------------------------------------------------------------------------------------------
// runs tail: faults
// ---------------------------------------------------------------------------------------------

#[test]
fn tail_survives_a_server_crash_and_restart_on_the_same_port_and_store() {
    restart_mid_stream(false);
}

#[test]
fn tail_survives_a_graceful_server_restart_on_the_same_port_and_store() {
    restart_mid_stream(true);
}

/// The server stops (SIGKILL, or SIGTERM when `graceful`) while a tail follows a live run, and
/// a new one starts on the same address and store, resuming the run.
fn restart_mid_stream(graceful: bool) {
    let mut env = TestEnv::new();
    // A key that outlives the server process (the dev key of `dev serve` does not).
    let key = env
        .run(&["dev", "keys", "create", "--json"])
        .success()
        .json()["api_key"]
        .as_str()
        .expect("api_key")
        .to_string();
    let server = env.serve(&["--step-delay-ms", "400"]);
    let addr = server.addr();
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    env.set("PERSONA_RECONNECT_TIMEOUT_SECS", "30");
    let run_id = start_run(&env, BRIEF);

    let tail = spawn(&env, &["runs", "tail", &run_id, "--json"]);
    tail.wait_for_lines(3, Duration::from_secs(15));
    if graceful {
        assert_eq!(server.terminate(), 0, "dev serve stops cleanly on SIGTERM");
    } else {
        server.kill();
    }
    let printed_before = tail.line_count();
    let restarted = env.serve_on(&addr, &["--step-delay-ms", "400"]);
    assert_eq!(restarted.addr(), addr);

    let (code, lines, stderr) = tail.finish(Duration::from_secs(40));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(
        stderr.contains("reconnecting"),
        "says it reconnects: {stderr}"
    );
    let events = ndjson(&stdout_of(&lines));
    assert_whole_log(&events, "run.completed");
    assert!(
        events.len() > printed_before,
        "events after the restart were printed too"
    );
    assert_eq!(
        events,
        raw_events(&restarted.base_url, &key, &run_id, None),
        "the tail printed the store's whole log, each event once"
    );
    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(
        run["status"], "completed",
        "the new server finished the run: {run}"
    );
    assert_resumed_run_is_whole(&env, &run, &events);
}

/// A run finished by another server than the one that started it is the same as one run in
/// one go: every step completed once, tokens adding up, patches giving the stored layers.
fn assert_resumed_run_is_whole(env: &TestEnv, run: &Value, events: &[Value]) {
    let steps = run["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["status"] == "completed"), "{run}");
    let step_events: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "step.completed")
        .map(|e| e["data"]["step"].as_str().unwrap())
        .collect();
    let step_names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        step_events, step_names,
        "each step completed once, in order"
    );
    let tokens: u64 = events
        .iter()
        .filter(|e| e["event"] == "step.completed")
        .map(|e| e["data"]["tokens"].as_u64().unwrap())
        .sum();
    assert_eq!(run["tokens"].as_u64(), Some(tokens), "{run}");
    let persona = env
        .run(&[
            "personas",
            "get",
            run["persona_id"].as_str().unwrap(),
            "--json",
        ])
        .success()
        .json();
    assert_eq!(persona["status"], "completed");
    let mut doc = json!({});
    for event in events.iter().filter(|e| e["event"] == "layer.delta") {
        persona::json::json_patch_apply(&mut doc, &event["data"]["patch"]).unwrap();
    }
    let layers = json!({
        "soul": persona["soul"], "self": persona["self"], "mask": persona["mask"], "surface": persona["surface"],
    });
    assert_eq!(
        doc, layers,
        "the patches of the resumed run rebuild the stored persona"
    );
}

#[test]
fn tail_gives_up_with_exit_9_when_the_server_never_comes_back() {
    let (mut env, server) = live_env(1000);
    env.set("PERSONA_RECONNECT_TIMEOUT_SECS", "3");
    let run_id = start_run(&env, BRIEF);
    let human = spawn(&env, &["runs", "tail", &run_id]);
    let json_tail = spawn(&env, &["runs", "tail", &run_id, "--json"]);
    human.wait_for_lines(1, Duration::from_secs(15));
    json_tail.wait_for_lines(1, Duration::from_secs(15));
    server.kill();
    let killed_at = Instant::now();

    let (code, lines, stderr) = human.finish(Duration::from_secs(20));
    let took = killed_at.elapsed();
    assert_eq!(code, 9, "unavailable; stderr: {stderr}");
    assert!(
        took < Duration::from_secs(10),
        "gave up within the bound, took {took:?}"
    );
    assert!(stderr.contains("reconnecting"), "{stderr}");
    assert!(
        stderr.contains("could not reconnect") && stderr.contains(&run_id),
        "says it could not reconnect, and which run: {stderr}"
    );
    assert!(stderr.contains("--since"), "hints how to resume: {stderr}");
    assert!(!lines.is_empty());

    // Under --json: whole NDJSON events, then the error as JSON on stdout.
    let (code, lines, stderr) = json_tail.finish(Duration::from_secs(20));
    assert_eq!(code, 9, "stderr: {stderr}");
    assert!(killed_at.elapsed() < Duration::from_secs(10));
    let (error_line, event_lines) = lines.split_last().expect("output");
    let error: Value = serde_json::from_str(&error_line.1).expect("the error as JSON");
    assert_eq!(error["error"]["exit_code"], 9, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("could not reconnect"),
        "{error}"
    );
    let events = ndjson(&stdout_of(event_lines));
    assert!(!events.is_empty());
    assert_eq!(ids(&events), (1..=events.len() as i64).collect::<Vec<_>>());
    assert!(
        !kinds(&events)
            .iter()
            .any(|k| k.starts_with("run.") && *k != "run.started")
    );
}

#[test]
fn tail_reconnects_after_a_connection_cut_mid_event_and_prints_each_event_once() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let run_id = run_of(&env.create(BRIEF, &[]));
    let log = raw_events(&server.base_url, &server.key, &run_id, None);

    // Cut after the response head and some events, in the middle of a frame.
    let (proxy, connections) = cutting_proxy(&server.addr(), 1700);
    let out = run_with(
        &env,
        &["runs", "tail", &run_id, "--json"],
        &[
            ("PERSONA_API_URL", &format!("http://{proxy}/v1")),
            ("PERSONA_RECONNECT_TIMEOUT_SECS", "15"),
        ],
    );
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(
        connections.load(Ordering::SeqCst) >= 2,
        "the tail connected again after the cut"
    );
    assert!(out.stderr.contains("reconnecting"), "{}", out.stderr);
    let events = ndjson(&out.stdout);
    assert_whole_log(&events, "run.completed");
    assert_eq!(events, log, "every event exactly once, none half-printed");
}

#[test]
fn ctrl_c_stops_a_tail_at_once_with_130_whole_lines_and_no_message() {
    let (env, _server) = live_env(1000);
    let run_id = start_run(&env, BRIEF);
    let tail = spawn(&env, &["runs", "tail", &run_id, "--json"]);
    tail.wait_for_lines(2, Duration::from_secs(15));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &tail.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let sent_at = Instant::now();
    let (code, lines, stderr) = tail.finish(Duration::from_secs(10));
    assert_eq!(code, 130, "stderr: {stderr}");
    assert!(
        sent_at.elapsed() < Duration::from_secs(3),
        "took {:?}",
        sent_at.elapsed()
    );
    // A stop asked for is not an error: no message, and the NDJSON holds events only.
    assert!(stderr.trim().is_empty(), "stderr: {stderr}");
    let events = ndjson(&stdout_of(&lines));
    assert!(
        events.iter().all(|e| e.get("error").is_none()),
        "{events:?}"
    );
    assert_eq!(ids(&events), (1..=events.len() as i64).collect::<Vec<_>>());
    assert!(
        !kinds(&events).contains(&"run.completed"),
        "interrupted before the end"
    );
}

#[test]
fn ctrl_c_during_a_create_names_the_run_that_goes_on() {
    let (env, _server) = live_env(1000);
    let create = spawn(&env, &["personas", "create", "--intent", BRIEF]);
    // Once the server has the run, and its first event has had time to arrive.
    let mut run_id = String::new();
    assert!(crate::common::eventually(Duration::from_secs(15), || {
        let runs = env.run(&["runs", "list", "--json"]).success().json();
        run_id = runs[0]["id"].as_str().unwrap_or_default().to_string();
        !run_id.is_empty()
    }));
    std::thread::sleep(Duration::from_millis(500));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &create.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let (code, _, stderr) = create.finish(Duration::from_secs(10));
    assert_eq!(code, 130, "stderr: {stderr}");
    assert!(
        stderr.contains(&format!("run {run_id} was not canceled")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("persona runs tail {run_id}")),
        "{stderr}"
    );
}

#[test]
fn no_wait_on_the_local_profile_then_tail_in_a_new_process_completes_the_run() {
    let mut env = TestEnv::new();
    env.set("PERSONA_STEP_DELAY_MS", "250");
    let run_id = start_run(&env, BRIEF);
    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert!(
        matches!(run["status"].as_str(), Some("queued" | "running")),
        "the create process left the run unfinished: {run}"
    );

    let tail = env
        .run(&["runs", "tail", &run_id, "--json", "--exit-status"])
        .success();
    let events = ndjson(&tail.stdout);
    assert_whole_log(&events, "run.completed");
    let persona_id = events.last().unwrap()["data"]["persona_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(persona_id, run["persona_id"].as_str().unwrap());

    let done = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    assert_eq!(done["status"], "completed");
    let persona = env
        .run(&["personas", "get", &persona_id, "--json"])
        .success()
        .json();
    assert_eq!(persona["status"], "completed");
    assert_eq!(persona["run"]["id"], run_id.as_str());
    assert_resumed_run_is_whole(&env, &done, &events);
    // A second tail replays the same log.
    let again = env.run(&["runs", "tail", &run_id, "--json"]).success();
    assert_eq!(again.stdout, tail.stdout);
}
