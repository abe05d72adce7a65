//! MCP latency: spawn of `persona mcp serve` to its `initialize` answer, and the round trip of
//! `tools/call persona.search` through the bridge against the same call sent straight to `/mcp`,
//! and through `mcp-remote` (npm) when PERSONA_BENCH_MCP_REMOTE names its executable.
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

    let persona_bridge = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_persona"));
        command
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
            .env("PERSONA_DATA_DIR", data.path().join("cli-data"));
        command
    };
    let (direct_median, direct_p99) = quantiles(direct);
    println!(
        "tools/call persona.search, straight to /mcp   median {:>7.3} ms  p99 {:>7.3} ms",
        ms(direct_median),
        ms(direct_p99)
    );
    let bridge = measure_stdio_peer(persona_bridge, "persona_search", SPAWNS, CALLS);
    bridge.print("persona mcp serve", direct_median);

    match std::env::var_os("PERSONA_BENCH_MCP_REMOTE") {
        Some(executable) => {
            let header_file = data.path().join("mcp-remote-headers");
            std::fs::write(&header_file, format!("Authorization: Bearer {key}\n")).unwrap();
            let mcp_remote = || {
                let mut command = Command::new(&executable);
                command
                    .arg(format!("{origin}/mcp"))
                    .args(["--transport", "http-only", "--header-file"])
                    .arg(&header_file)
                    .env("MCP_REMOTE_CONFIG_DIR", data.path().join("mcp-remote"));
                command
            };
            let remote = measure_stdio_peer(mcp_remote, "persona.search", 10, CALLS);
            remote.print("mcp-remote", direct_median);
            println!(
                "mcp-remote over persona mcp serve at the median: spawn to initialize {:.1}x, tools/call {:.2}x",
                ms(remote.spawn.0) / ms(bridge.spawn.0),
                ms(remote.call.0) / ms(bridge.call.0)
            );
        }
        None => {
            println!("mcp-remote: not measured (set PERSONA_BENCH_MCP_REMOTE to its executable)")
        }
    }
    runtime.block_on(handle.shutdown());
}

/// Median and p99 of spawn to the `initialize` answer, and of a `tools/call` round trip, of a
/// program that speaks MCP over stdio.
struct StdioPeer {
    spawn: (Duration, Duration),
    call: (Duration, Duration),
}

impl StdioPeer {
    fn print(&self, name: &str, direct_median: Duration) {
        println!(
            "tools/call through {name:<24}   median {:>7.3} ms  p99 {:>7.3} ms; added at the median {:.3} ms (ratio {:.2})",
            ms(self.call.0),
            ms(self.call.1),
            ms(self.call.0) - ms(direct_median),
            ms(self.call.0) / ms(direct_median)
        );
        println!(
            "{name}: spawn to initialize answer median {:>7.3} ms  p99 {:>7.3} ms",
            ms(self.spawn.0),
            ms(self.spawn.1)
        );
    }
}

fn measure_stdio_peer(
    command: impl Fn() -> Command,
    tool: &str,
    spawns: usize,
    calls: usize,
) -> StdioPeer {
    let start = || {
        command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut spawn_times = Vec::with_capacity(spawns);
    for _ in 0..spawns {
        let started = Instant::now();
        let mut child = start();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", initialize(1)).unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        spawn_times.push(started.elapsed());
        assert!(line.contains("\"result\""), "{line}");
        drop(stdin);
        let _ = child.kill();
        let _ = child.wait();
    }

    let mut child = start();
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
    let mut call_times = Vec::with_capacity(calls);
    for n in 0..calls {
        line.clear();
        let started = Instant::now();
        writeln!(stdin, "{}", search(10 + n as u64, tool)).unwrap();
        stdout.read_line(&mut line).unwrap();
        call_times.push(started.elapsed());
        assert!(line.contains("\"result\""), "{line}");
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    StdioPeer {
        spawn: quantiles(spawn_times),
        call: quantiles(call_times),
    }
}
