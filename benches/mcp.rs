//! MCP latency: spawn of `persona mcp serve` to its `initialize` answer, and the round trip of
//! `tools/call persona.search` through the bridge against the same call sent straight to `/mcp`.
//! Run with `cargo bench --bench mcp`; prints median and p99 of each, and the added time.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use persona::server::{self, ServerConfig};
use serde_json::{Value, json};

const CALLS: usize = 500;
const SPAWNS: usize = 30;

fn quantiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn initialize(id: u64) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "bench", "version": "1" } } })
}

fn search(id: u64, name: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": { "name": name, "arguments": { "query": "bookseller", "limit": 5 } } })
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let (handle, http) = runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let handle = server::spawn(
            ServerConfig::new(data.path().to_path_buf()),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        )
        .await
        .unwrap();
        (handle, reqwest::Client::new())
    });
    let origin = format!("http://{}", handle.addr);
    let key = handle.dev_key.clone();
    runtime.block_on(async {
        for i in 0..20 {
            http.post(format!("{origin}/v1/personas"))
                .bearer_auth(&key)
                .json(&json!({ "intent": format!("a {}-year-old bookseller in Istanbul", 30 + i) }))
                .send()
                .await
                .unwrap();
        }
    });

    // Straight to /mcp.
    let direct = runtime.block_on(async {
        let post = |body: Value, session: Option<String>| {
            let mut request = http
                .post(format!("{origin}/mcp"))
                .bearer_auth(&key)
                .header("Accept", "application/json, text/event-stream")
                .json(&body);
            if let Some(session) = session {
                request = request.header("Mcp-Session-Id", session);
            }
            request.send()
        };
        let response = post(initialize(1), None).await.unwrap();
        let session = response.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_string();
        response.bytes().await.unwrap();
        let notified = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
        post(notified, Some(session.clone())).await.unwrap();
        let mut samples = Vec::with_capacity(CALLS);
        for n in 0..CALLS {
            let started = Instant::now();
            let body = post(
                search(10 + n as u64, "persona.search"),
                Some(session.clone()),
            )
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
            samples.push(started.elapsed());
            assert!(!body.is_empty());
        }
        samples
    });

    let bridge = || {
        Command::new(env!("CARGO_BIN_EXE_persona"))
            .args([
                "mcp",
                "serve",
                "--url",
                &format!("{origin}/mcp"),
                "--transport",
                "streamable-http",
            ])
            .env("PERSONA_API_KEY", &key)
            .env("PERSONA_CONFIG_DIR", data.path().join("config"))
            .env("PERSONA_DATA_DIR", data.path().join("cli-data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };

    // Spawn to the initialize answer.
    let mut spawns = Vec::with_capacity(SPAWNS);
    for _ in 0..SPAWNS {
        let started = Instant::now();
        let mut child = bridge();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", initialize(1)).unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        spawns.push(started.elapsed());
        assert!(line.contains("\"result\""), "{line}");
        drop(stdin);
        let _ = child.wait();
    }

    // Round trips through one bridge.
    let mut child = bridge();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    writeln!(stdin, "{}", initialize(1)).unwrap();
    stdout.read_line(&mut line).unwrap();
    writeln!(
        stdin,
        "{}",
        json!({ "jsonrpc": "2.0", "method": "notifications/initialized" })
    )
    .unwrap();
    let mut through = Vec::with_capacity(CALLS);
    for n in 0..CALLS {
        line.clear();
        let started = Instant::now();
        writeln!(stdin, "{}", search(10 + n as u64, "persona_search")).unwrap();
        stdout.read_line(&mut line).unwrap();
        through.push(started.elapsed());
        assert!(line.contains("\"result\""), "{line}");
    }
    drop(stdin);
    let _ = child.wait();

    let (direct_median, direct_p99) = quantiles(direct);
    let (bridge_median, bridge_p99) = quantiles(through);
    let (spawn_median, spawn_p99) = quantiles(spawns);
    println!(
        "tools/call persona.search, straight to /mcp   median {:>7.3} ms  p99 {:>7.3} ms",
        ms(direct_median),
        ms(direct_p99)
    );
    println!(
        "tools/call persona_search, through the bridge median {:>7.3} ms  p99 {:>7.3} ms",
        ms(bridge_median),
        ms(bridge_p99)
    );
    println!(
        "added by the bridge at the median: {:.3} ms (ratio {:.2})",
        ms(bridge_median) - ms(direct_median),
        ms(bridge_median) / ms(direct_median)
    );
    println!(
        "spawn to initialize answer          median {:>7.3} ms  p99 {:>7.3} ms",
        ms(spawn_median),
        ms(spawn_p99)
    );
    runtime.block_on(handle.shutdown());
}
