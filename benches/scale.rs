//! How costs grow with the store and with a conversation, for `scripts/bench --scale`.
//!
//! `cargo bench --bench scale -- seed DIR PERSONAS` fills a store through the store itself:
//! copies of personas the offline engine really made (with their versions, runs and run
//! events), under varied names, one slug base shared by a tenth of them, and conversations of
//! 10, 1,000 and 10,000 turns. `measure DIR` times, against `persona dev serve` over that store
//! (the binary named by PERSONA_BIN), creates on a new and on the crowded base, list pages,
//! `q=` searches, runs, event replays, chat turns, `personas list --json` on the local profile
//! and the server's start-up. `soak DIR SECONDS` mixes them all and samples the server's memory.
//! Each figure is printed as `name|value`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use persona::model::{Run, RunEventKind, RunRequest};
use persona::server::store::{Conversation, Store, StoredMessage};
use persona::server::{self, LOCAL_WORKSPACE_ID, ServerConfig};
use serde_json::{Value, json};

/// The brief and seed whose persona takes the crowded slug base.
const CROWD_INTENT: &str = "a fez weaver in the old bazaar of Bursa";
const CROWD_SEED: u64 = 7;
/// Personas whose occupation holds a word no other has (the rare `q=`), at every size.
const RARE: usize = 10;
const RARE_WORD: &str = "zebrafinch";
/// The word of one in eight briefs (the common `q=`).
const COMMON_WORD: &str = "bookseller";
/// Conversations seeded, by their number of turns.
const CONVERSATIONS: [usize; 3] = [10, 1_000, 10_000];

const INTENTS: [&str; 8] = [
    "a 35-year-old lonely bookseller in Istanbul",
    "a retired lighthouse keeper in Brittany who writes letters",
    "a night-shift nurse in Lyon, tired and funny",
    "a young chef opening a tiny restaurant in Oaxaca",
    "a beekeeper in the Black Forest who distrusts cities",
    "a sailor on a cargo ship between Valencia and Genoa",
    "a high-school physics teacher in Izmir who paints",
    "a potter in Kyoto who sells at the Sunday market",
];
const LANGUAGES: [&str; 5] = ["en", "tr", "de", "fr", "es"];
const FIRST: [&str; 24] = [
    "Deniz", "Ada", "Lena", "Marco", "Yuki", "Omar", "Sofia", "Ivan", "Chen", "Maria", "Elif",
    "Jonas", "Ines", "Tariq", "Nora", "Pablo", "Aiko", "Selin", "Hugo", "Zeynep", "Mateo", "Clara",
    "Emre", "Louise",
];
const LAST: [&str; 20] = [
    "Aksoy", "Moreau", "Keller", "Rossi", "Tanaka", "Haddad", "Garcia", "Petrov", "Wang", "Silva",
    "Yilmaz", "Weber", "Laurent", "Costa", "Novak", "Ortiz", "Sato", "Demir", "Fischer", "Blanc",
];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["seed", dir, personas] => {
            runtime.block_on(seed(Path::new(dir), personas.parse().unwrap()))
        }
        ["measure", dir] => runtime.block_on(measure(Path::new(dir))),
        ["soak", dir, seconds] => runtime.block_on(soak(Path::new(dir), seconds.parse().unwrap())),
        _ => panic!("usage: scale seed DIR PERSONAS | measure DIR | soak DIR SECONDS"),
    }
}

fn figure(name: &str, value: impl std::fmt::Display) {
    println!("{name}|{value}");
}

fn median_ms(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!("{:.2} ms", samples[samples.len() / 2].as_secs_f64() * 1e3)
}

/// The median and the least of `samples`: a process started on a busy machine waits for a core
/// now and then, and the least shows what it costs when it does not.
fn median_and_least_ms(samples: Vec<Duration>) -> String {
    let least = samples.iter().min().copied().unwrap_or_default();
    format!(
        "{} (least {:.2})",
        median_ms(samples),
        least.as_secs_f64() * 1e3
    )
}

// ---- seeding ------------------------------------------------------------------------------------

/// A persona the offline engine made, with its versions, run and events, as stored.
struct Sample {
    id: String,
    slug: String,
    run_id: String,
    doc: Value,
    versions: Vec<(Value, i64)>,
    request: RunRequest,
    run: Run,
    events: Vec<(RunEventKind, String)>,
}

/// Personas made through a real server on a scratch store: one per brief and language, and
/// the one of the crowded base.
async fn samples() -> (Vec<Sample>, String) {
    let scratch = tempfile::tempdir().unwrap();
    let handle = server::spawn(
        ServerConfig::new(scratch.path().to_path_buf()),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut made = Vec::new();
    let mut crowd_slug = String::new();
    for (n, (intent, language)) in INTENTS
        .iter()
        .flat_map(|intent| LANGUAGES.iter().map(move |language| (*intent, *language)))
        .chain([(CROWD_INTENT, "en")])
        .enumerate()
    {
        let seed = if intent == CROWD_INTENT {
            CROWD_SEED
        } else {
            n as u64
        };
        let persona: Value = http
            .post(format!("{}/personas", handle.base_url()))
            .bearer_auth(&handle.dev_key)
            .json(&json!({ "intent": intent, "language": language, "seed": seed }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if intent == CROWD_INTENT {
            crowd_slug = persona["slug"].as_str().unwrap().to_string();
        }
        made.push(persona["id"].as_str().unwrap().to_string());
    }
    handle.shutdown().await;
    let store = Store::open(scratch.path()).unwrap();
    let samples = made
        .iter()
        .map(|id| {
            let doc = store.persona(LOCAL_WORKSPACE_ID, id).unwrap().unwrap();
            let versions = store
                .persona_versions(id)
                .unwrap()
                .into_iter()
                .map(|(version, _, created_at, _)| {
                    let doc = store.persona_version(id, version).unwrap().unwrap();
                    (doc.to_value(), created_at)
                })
                .collect();
            let run_id = doc.run.id.clone();
            let (_, request, run) = store.run_request(&run_id).unwrap().unwrap();
            let events = store
                .events_after(&run_id, 0, 100_000)
                .unwrap()
                .into_iter()
                .map(|event| (RunEventKind::parse(&event.event).unwrap(), event.data))
                .collect();
            Sample {
                id: id.clone(),
                slug: doc.slug.clone().unwrap(),
                run_id,
                doc: doc.to_value(),
                versions,
                request,
                run,
                events,
            }
        })
        .collect();
    (samples, crowd_slug)
}

/// `text` (JSON) with the sample's ids and slug made those of copy `n`.
fn renamed(text: &str, sample: &Sample, n: usize, slug: &str) -> String {
    text.replace(&sample.id, &format!("psn_scale{n}"))
        .replace(&sample.run_id, &format!("run_scale{n}"))
        .replace(
            &format!("\"slug\":\"{}\"", sample.slug),
            &format!("\"slug\":\"{slug}\""),
        )
}

fn reparsed<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: &T,
    sample: &Sample,
    n: usize,
    slug: &str,
) -> T {
    let text = serde_json::to_string(value).unwrap();
    serde_json::from_str(&renamed(&text, sample, n, slug)).unwrap()
}

async fn seed(dir: &Path, personas: usize) {
    let started = Instant::now();
    let (samples, crowd_slug) = samples().await;
    let crowd = personas / 10;
    let store = Store::open(dir).unwrap();
    store
        .ensure_workspace(LOCAL_WORKSPACE_ID, "Local workspace", "test")
        .unwrap();
    let mut taken: HashMap<String, usize> = HashMap::new();
    for chunk in (0..personas).collect::<Vec<_>>().chunks(1_000) {
        store
            .write(|tx| -> rusqlite::Result<()> {
                for &n in chunk {
                    let sample = &samples[n % (samples.len() - 1)];
                    let first = FIRST[n % FIRST.len()];
                    let last = LAST[(n / FIRST.len()) % LAST.len()];
                    // A tenth on the crowded base; the others on the slug of their name, with
                    // the suffixes the engine would give a repeated name.
                    let base = if n < crowd {
                        crowd_slug.clone()
                    } else {
                        format!("{}-{}", first.to_lowercase(), last.to_lowercase())
                    };
                    let count = taken.entry(base.clone()).or_default();
                    *count += 1;
                    let slug = match *count {
                        1 => base,
                        k => format!("{base}-{k}"),
                    };
                    let mut doc: Value = reparsed(&sample.doc, sample, n, &slug);
                    doc["surface"]["name"] = json!(format!("{first} {last}"));
                    if n % (personas / RARE).max(1) == 1 {
                        doc["surface"]["occupation"] = json!(format!("{RARE_WORD} breeder"));
                    }
                    if n % 10 == 3 {
                        doc["visibility"] = json!("private");
                    }
                    if n % 20 == 5 {
                        doc["archived_at"] = doc["updated_at"].clone();
                    }
                    Store::insert_persona(tx, LOCAL_WORKSPACE_ID, "local", &doc)?;
                    Store::save_persona(tx, &doc)?;
                    for (version, created_at) in &sample.versions {
                        let version: Value = reparsed(version, sample, n, &slug);
                        Store::insert_version(tx, &version, *created_at)?;
                    }
                    let request = reparsed(&sample.request, sample, n, &slug);
                    let run = reparsed(&sample.run, sample, n, &slug);
                    Store::insert_run(tx, LOCAL_WORKSPACE_ID, &request, &run)?;
                    for (kind, data) in &sample.events {
                        let data: Value =
                            serde_json::from_str(&renamed(data, sample, n, &slug)).unwrap();
                        Store::append_event(tx, &run.id, *kind, &data)?;
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    // The size of the personas and what came with them, before the conversations (closing the
    // store moves its write-ahead log into the file).
    drop(store);
    let size = std::fs::metadata(dir.join("persona.db")).unwrap().len();
    let store = Store::open(dir).unwrap();
    for turns in CONVERSATIONS {
        let conversation = Conversation {
            id: format!("conv_scale{turns}"),
            workspace_id: LOCAL_WORKSPACE_ID.to_string(),
            persona_id: "psn_scale0".to_string(),
            persona_version: 1,
            created_at: 1_767_225_600,
        };
        store.insert_conversation(&conversation).unwrap();
        store
            .write(|tx| -> rusqlite::Result<()> {
                for n in 0..turns {
                    let question = format!("What became of the {n} letters you never sent?");
                    Store::append_message(tx, &conversation.id, &message("user", &question))?;
                    let answer = "I kept them in the drawer under the counter, with the receipts \
                                  of the books nobody came back for.";
                    Store::append_message(tx, &conversation.id, &message("assistant", answer))?;
                }
                Ok(())
            })
            .unwrap();
    }
    let events: usize = samples.iter().map(|s| s.events.len()).sum::<usize>() / samples.len();
    figure("seeded personas", personas);
    figure("run events per persona (mean of the samples)", events);
    figure(
        "crowded slug base",
        format!("{crowd_slug} ({crowd} personas)"),
    );
    figure(
        "store size per persona",
        format!("{:.1} KB", size as f64 / personas as f64 / 1e3),
    );
    figure(
        "seeding took",
        format!("{:.0} s", started.elapsed().as_secs_f64()),
    );
}

fn message(role: &str, content: &str) -> StoredMessage {
    StoredMessage::text(server::ids::new_id("msg"), role, content, 1_767_225_600)
}

// ---- the server under measure -----------------------------------------------------------------

fn binary() -> PathBuf {
    PathBuf::from(std::env::var("PERSONA_BIN").expect("PERSONA_BIN names the release binary"))
}

/// `persona dev serve` over `dir` on a free port: the process, its base URL and its key.
struct Served {
    child: Child,
    base: String,
    key: String,
}

impl Served {
    fn start(dir: &Path) -> (Served, Duration) {
        let started = Instant::now();
        let mut child = Command::new(binary())
            .args(["dev", "serve", "-q", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut base = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut base)
            .unwrap();
        let up = started.elapsed();
        let mut key = String::new();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        while !key.starts_with("pk_") {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "dev serve printed no key"
            );
            key = line
                .split_whitespace()
                .find(|word| word.starts_with("pk_"))
                .unwrap_or_default()
                .to_string();
        }
        // Whatever else it says is read and dropped, so that it never waits on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let served = Served {
            child,
            base: base.trim().to_string(),
            key,
        };
        (served, up)
    }

    /// The server's resident memory, from /proc.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }

    async fn get(&self, http: &reqwest::Client, path: &str) -> Duration {
        let started = Instant::now();
        let response = http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.bytes().await.unwrap();
        started.elapsed()
    }

    async fn post(&self, http: &reqwest::Client, path: &str, body: Value) -> (Duration, Value) {
        let started = Instant::now();
        let response = http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        assert!(status.is_success(), "POST {path}: {answer}");
        (started.elapsed(), answer)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn times(count: usize, mut one: impl AsyncFnMut(usize) -> Duration) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(count);
    for n in 0..count {
        samples.push(one(n).await);
    }
    samples
}

async fn measure(dir: &Path) {
    // The CLI on the local profile, process start to exit, before any server holds the store.
    let config = tempfile::tempdir().unwrap();
    let list = times(30, async |_| {
        let started = Instant::now();
        let status = Command::new(binary())
            .args(["personas", "list", "--json"])
            .env("PERSONA_DATA_DIR", dir)
            .env("PERSONA_CONFIG_DIR", config.path())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        started.elapsed()
    })
    .await;
    figure(
        "`personas list --json`, local profile, start to exit",
        median_and_least_ms(list),
    );

    let mut start_ups = Vec::new();
    for _ in 0..30 {
        start_ups.push(Served::start(dir).1);
    }
    figure(
        "`dev serve` start-up (to its URL)",
        median_and_least_ms(start_ups),
    );

    let (served, _) = Served::start(dir);
    let http = reqwest::Client::new();
    let s = &served;
    let rounds = 200;
    let pages = [
        (
            "GET /v1/personas?limit=100, first page",
            "/personas?limit=100".to_string(),
        ),
        (
            "GET /v1/personas?limit=100, last page",
            "/personas?limit=100&cursor=c101".to_string(),
        ),
        (
            "`q=` search, rare word (10 matches)",
            format!("/personas?limit=100&q={RARE_WORD}"),
        ),
        (
            "`q=` search, common word (a full page)",
            format!("/personas?limit=100&q={COMMON_WORD}"),
        ),
        ("GET /v1/runs?limit=100", "/runs?limit=100".to_string()),
        (
            "replay of a run's events",
            "/runs/run_scale6/events".to_string(),
        ),
    ];
    for (name, path) in &pages {
        s.get(&http, path).await;
        let samples = times(rounds, async |_| s.get(&http, path).await).await;
        figure(name, median_ms(samples));
    }
    for turns in CONVERSATIONS {
        let path = format!("/chat/conversations/conv_scale{turns}/messages");
        let samples = times(50, async |n| {
            let body = json!({ "message": format!("And the letter number {n}, where is it?") });
            s.post(&http, &path, body).await.0
        })
        .await;
        figure(
            &format!("chat turn, conversation of {turns} turns"),
            median_ms(samples),
        );
    }
    let creates = times(100, async |n| {
        let body = json!({ "intent": INTENTS[n % INTENTS.len()], "seed": 1_000_000 + n });
        s.post(&http, "/personas", body).await.0
    })
    .await;
    figure("create, new slug base", median_ms(creates));
    let mut slug = String::new();
    let crowded = times(100, async |_| {
        let body = json!({ "intent": CROWD_INTENT, "seed": CROWD_SEED });
        let (took, persona) = s.post(&http, "/personas", body).await;
        slug = persona["slug"].as_str().unwrap_or_default().to_string();
        took
    })
    .await;
    figure(
        &format!("create, crowded slug base (last: {slug})"),
        median_ms(crowded),
    );
}

// ---- soak ---------------------------------------------------------------------------------------

async fn soak(dir: &Path, seconds: u64) {
    let (served, _) = Served::start(dir);
    let http = reqwest::Client::new();
    let s = &served;
    let (_, conversation) = s
        .post(
            &http,
            "/chat/conversations",
            json!({ "persona_id": "psn_scale0" }),
        )
        .await;
    let conversation = conversation["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let mut next_sample = Duration::ZERO;
    let mut samples = Vec::new();
    let mut n = 0usize;
    while started.elapsed() < Duration::from_secs(seconds) {
        if started.elapsed() >= next_sample {
            samples.push((started.elapsed().as_secs(), s.rss_mib()));
            next_sample += Duration::from_secs(seconds / 10);
        }
        match n % 5 {
            0 => {
                let body = json!({ "intent": INTENTS[n % INTENTS.len()], "seed": 2_000_000 + n });
                s.post(&http, "/personas", body).await;
            }
            1 => {
                let path = format!("/personas?limit=100&cursor=c{}", 101 + n);
                s.get(&http, &path).await;
            }
            2 => {
                let word = ["ada", COMMON_WORD, RARE_WORD][n % 3];
                s.get(&http, &format!("/personas?limit=20&q={word}")).await;
            }
            3 => {
                let path = format!("/chat/conversations/{conversation}/messages");
                s.post(
                    &http,
                    &path,
                    json!({ "message": format!("Tell me about letter {n}.") }),
                )
                .await;
            }
            _ => {
                s.get(&http, &format!("/runs/run_scale{}/events", n % 1_000))
                    .await;
            }
        }
        n += 1;
    }
    samples.push((started.elapsed().as_secs(), s.rss_mib()));
    let line: Vec<String> = samples
        .iter()
        .map(|(at, rss)| format!("{at} s: {rss:.1}"))
        .collect();
    figure("soak: requests", n);
    figure("soak: chat turns in one conversation", n / 5);
    figure("soak: server RSS (MiB) over time", line.join(", "));
}
