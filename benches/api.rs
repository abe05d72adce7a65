//! Latency of the embedded API over HTTP on loopback: create (offline engine) and a list page
//! from a store of 1,000 personas. Run with `cargo bench --bench api`; prints median and p90.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use persona::server::{self, ServerConfig};
use serde_json::json;

const PERSONAS: usize = 1_000;
const SAMPLES: usize = 200;

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!(
        "{name:<32} median {:>8.3} ms   p90 {:>8.3} ms   min {:>8.3} ms   (n={})",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples.len()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let data = tempfile::tempdir().unwrap();
        let handle = server::spawn(
            ServerConfig::new(data.path().to_path_buf()),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        )
        .await
        .unwrap();
        let http = reqwest::Client::new();
        let base = handle.base_url();
        let key = handle.dev_key.clone();

        let mut creates = Vec::with_capacity(PERSONAS);
        for i in 0..PERSONAS {
            let started = Instant::now();
            let response = http
                .post(format!("{base}/personas"))
                .bearer_auth(&key)
                .json(&json!({ "intent": format!("a {i}-year-old lonely bookseller in Istanbul"), "seed": i }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.bytes().await.unwrap();
            creates.push(started.elapsed());
        }
        summary("POST /v1/personas (create)", creates);

        for limit in [20, 100] {
            let mut lists = Vec::with_capacity(SAMPLES);
            for _ in 0..SAMPLES {
                let started = Instant::now();
                let response = http
                    .get(format!("{base}/personas?limit={limit}"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
                lists.push(started.elapsed());
            }
            summary(&format!("GET /v1/personas?limit={limit}"), lists);
        }

        let mut full = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let mut cursor: Option<String> = None;
            let mut seen = 0;
            loop {
                let mut url = format!("{base}/personas?limit=100");
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let page: serde_json::Value =
                    http.get(url).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
                seen += page["data"].as_array().unwrap().len();
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => break,
                }
            }
            assert_eq!(seen, PERSONAS);
            full.push(started.elapsed());
        }
        summary("list all 1,000 (10 pages)", full);
        handle.shutdown().await;
    });
}
