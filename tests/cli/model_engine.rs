//! The model engine against `StandInModelServer`, a stand-in OpenAI-compatible model server
//! written for these tests: generation, streamed chat, provider failures, resume, no key in logs.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::common::{DevServer, TestEnv, eventually};

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";
const MODEL: &str = "stand-in-model";
const API_KEY: &str = "sk-stand-in-7f3a9c1e5b";

/// The reply the stand-in streams, piece by piece.
const REPLY_PIECES: [&str; 3] = ["Nâzım", " Hikmet,", " elbette."];

/// Token usage the stand-in reports for a generation and for a chat turn.
const GENERATION_USAGE: (u64, u64) = (321, 123);
const CHAT_USAGE: (u64, u64) = (40, 9);

/// The layers the stand-in writes: `soul.wound` left out, two Big Five scores out of range,
/// the age as text and the archetype as a title, for the engine to complete and clamp.
fn written_layers() -> Value {
    json!({
        "soul": {
            "core_desire": "To be read by someone who stays.",
            "core_fear": "That the last good book dies with him.",
        },
        "self": {
            "big_five": { "O": 82, "C": 0.61, "E": 0.22, "A": 0.55, "N": 1.4 },
            "archetype": "The Sage",
        },
        "mask": {
            "voice": { "register": "wry, slightly archaic" },
            "public_bio": "Mert keeps a secondhand bookshop in Kadıköy.",
        },
        "surface": {
            "name": "Mert Kavaklı", "age": "35", "occupation": "Sahaf, eski akademisyen",
            "place": "İstanbul",
        },
    })
}

// ---------------------------------------------------------------------------------------------
// The stand-in model server
// ---------------------------------------------------------------------------------------------

/// A stand-in model server written for these tests (no real model is reachable here). It
/// answers `POST /v1/chat/completions` as OpenAI does: with `stream: true`, SSE chunks of
/// `REPLY_PIECES`, a usage chunk and `data: [DONE]`; otherwise one JSON answer whose message is
/// the persona layers it is set to write. It records every request (body and `Authorization`),
/// and when set failing answers HTTP 500 with an error quoting the key, as OpenAI's 401 does.
struct StandInModelServer {
    url: String,
    shared: Arc<StandIn>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct StandIn {
    requests: Mutex<Vec<Recorded>>,
    failing: AtomicBool,
    layers: Mutex<Value>,
}

#[derive(Debug, Clone)]
struct Recorded {
    authorization: Option<String>,
    body: Value,
}

impl StandInModelServer {
    fn start() -> Self {
        let shared = Arc::new(StandIn {
            layers: Mutex::new(written_layers()),
            ..StandIn::default()
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(shared.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        StandInModelServer {
            url,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The requests that asked for a persona (non-streamed, JSON mode).
    fn generation_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.body["stream"] != true)
            .collect()
    }

    fn chat_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.body["stream"] == true)
            .collect()
    }

    fn set_failing(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    fn set_layers(&self, layers: Value) {
        *self.shared.layers.lock().unwrap() = layers;
    }
}

impl Drop for StandInModelServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn completions(
    State(shared): State<Arc<StandIn>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    shared.requests.lock().unwrap().push(Recorded {
        authorization: authorization.clone(),
        body: body.clone(),
    });
    if shared.failing.load(Ordering::SeqCst) {
        let message = format!(
            "the stand-in fails on purpose; it was called with {}",
            authorization.unwrap_or_default()
        );
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": { "message": message, "type": "server_error" } })),
        )
            .into_response();
    }
    let created = 1_764_000_000;
    if body["stream"] == true {
        let mut chunks: Vec<Value> = REPLY_PIECES
            .iter()
            .enumerate()
            .map(|(index, piece)| {
                let mut delta = json!({ "content": piece });
                if index == 0 {
                    delta["role"] = json!("assistant");
                }
                json!({
                    "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": created,
                    "model": MODEL, "choices": [{ "index": 0, "delta": delta, "finish_reason": null }],
                })
            })
            .collect();
        chunks.push(json!({
            "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": created,
            "model": MODEL, "choices": [{ "index": 0, "delta": {}, "finish_reason": "stop" }],
        }));
        chunks.push(json!({
            "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": created,
            "model": MODEL, "choices": [],
            "usage": { "prompt_tokens": CHAT_USAGE.0, "completion_tokens": CHAT_USAGE.1 },
        }));
        let mut text: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
        text.push_str("data: [DONE]\n\n");
        return ([(header::CONTENT_TYPE, "text/event-stream")], text).into_response();
    }
    let content = shared.layers.lock().unwrap().to_string();
    Json(json!({
        "id": "chatcmpl-standin", "object": "chat.completion", "created": created, "model": MODEL,
        "choices": [{
            "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": GENERATION_USAGE.0, "completion_tokens": GENERATION_USAGE.1,
            "total_tokens": GENERATION_USAGE.0 + GENERATION_USAGE.1,
        },
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// An environment whose servers use `model_url` as their model server.
fn model_env(model_url: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("PERSONA_MODEL_URL", model_url);
    env.set("PERSONA_MODEL", MODEL);
    env.set("PERSONA_MODEL_API_KEY", API_KEY);
    env
}

/// `persona dev serve` with its stderr (its request log) kept in a file.
fn serve_logged(env: &TestEnv) -> (DevServer, PathBuf) {
    let log = env.path("dev-serve.log");
    let mut child = env
        .command(&["dev", "serve", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn persona dev serve");
    let mut base_url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut base_url)
        .unwrap();
    let mut key = None;
    assert!(
        eventually(Duration::from_secs(10), || {
            key = std::fs::read_to_string(&log)
                .unwrap_or_default()
                .split_whitespace()
                .find(|word| word.starts_with("pk_test_"))
                .map(str::to_owned);
            key.is_some()
        }),
        "dev serve printed no development key"
    );
    let server = DevServer {
        child,
        base_url: base_url.trim().to_owned(),
        key: key.unwrap(),
        signin_url: String::new(),
    };
    (server, log)
}

/// A JSON request to the Persona API: the status and the body as text.
fn api(method: &str, url: &str, key: &str, body: Option<&Value>) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .tls_certs_only(Vec::new())
            .build()
            .unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, url).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    })
}

/// (event, data) of each frame of an SSE body.
fn sse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|frame| {
            let event = frame.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data: String = frame
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            Some((
                event.to_owned(),
                serde_json::from_str(&data).unwrap_or(Value::Null),
            ))
        })
        .collect()
}

fn layers_of(persona: &Value) -> Value {
    json!({
        "soul": persona["soul"], "self": persona["self"], "mask": persona["mask"],
        "surface": persona["surface"],
    })
}

/// The persona came from the stand-in's layers, completed and clamped by the engine.
#[track_caller]
fn assert_written_by_the_stand_in(persona: &Value) {
    assert_eq!(persona["surface"]["name"], "Mert Kavaklı", "{persona}");
    assert_eq!(persona["surface"]["age"], 35);
    assert_eq!(persona["surface"]["occupation"], "Sahaf, eski akademisyen");
    assert_eq!(persona["surface"]["place"], "İstanbul");
    assert_eq!(
        persona["mask"]["voice"]["register"],
        "wry, slightly archaic"
    );
    assert_eq!(
        persona["soul"]["core_desire"],
        "To be read by someone who stays."
    );
    assert!(
        persona["soul"]["wound"]
            .as_str()
            .is_some_and(|w| !w.is_empty()),
        "the wound the model left out comes from the offline engine: {persona}"
    );
    assert_eq!(
        persona["self"]["big_five"]["O"], 0.82,
        "82 is read as percent"
    );
    assert_eq!(persona["self"]["big_five"]["N"], 1.0, "1.4 is clamped");
    assert_eq!(persona["self"]["archetype"], "the-sage");
}

/// The run of a model-written persona: engine `model`, the default pipeline's steps, tokens
/// from the stand-in's usage.
#[track_caller]
fn assert_model_run(env: &TestEnv, persona: &Value) {
    let run_id = persona["run"]["id"].as_str().unwrap();
    let run = env.run(&["runs", "get", run_id, "--json"]).success().json();
    assert_eq!(run["engine"], "model", "{run}");
    assert_eq!(run["status"], "completed");
    let steps: Vec<&str> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "intent_parse",
            "soul_draft",
            "self_draft",
            "mask_draft",
            "surface_draft",
            "consistency_audit"
        ]
    );
    assert_eq!(run["steps"][0]["tokens"], GENERATION_USAGE.0);
    assert_eq!(run["tokens"], GENERATION_USAGE.0 + GENERATION_USAGE.1);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn dev_serve_writes_personas_and_streams_chat_through_the_model_server() {
    let model = StandInModelServer::start();
    let mut env = model_env(&model.url);
    let (server, log) = serve_logged(&env);
    env.use_server(&server);

    let persona = env.create(BRIEF, &["--slug", "mert", "--language", "tr"]);
    assert_written_by_the_stand_in(&persona);
    assert_model_run(&env, &persona);
    let asked = model.generation_requests();
    assert_eq!(asked.len(), 1, "one request per run");
    let asked = &asked[0];
    assert_eq!(
        asked.authorization.as_deref(),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    assert_eq!(asked.body["model"], MODEL);
    assert_eq!(
        asked.body["response_format"],
        json!({ "type": "json_object" })
    );
    let prompt = asked.body["messages"].to_string();
    assert!(
        prompt.contains(BRIEF) && prompt.contains("Turkish"),
        "{prompt}"
    );

    // The CLI streams the reply; --json prints the turn, with the server's token counts.
    let reply = env
        .run(&["chat", "mert", "-m", "Which poet do you love?"])
        .success();
    assert_eq!(reply.stdout.trim(), REPLY_PIECES.concat());
    let turn = env
        .run(&["chat", "mert", "-m", "Which poet do you love?", "--json"])
        .success()
        .json();
    assert_eq!(turn["engine"], "model");
    assert_eq!(turn["content"], REPLY_PIECES.concat());
    assert_eq!(
        turn["tokens"],
        json!({ "in": CHAT_USAGE.0, "out": CHAT_USAGE.1 })
    );
    assert!(turn["drift"]["verdict"].is_string());

    // The API streams one message.delta per piece the model sent, as it sent them.
    let (status, conversation) = api(
        "POST",
        &format!("{}/chat/conversations", server.base_url),
        &server.key,
        Some(&json!({ "persona_id": "mert" })),
    );
    assert_eq!(status, 201, "{conversation}");
    let conversation: Value = serde_json::from_str(&conversation).unwrap();
    let (status, stream) = api(
        "POST",
        &format!(
            "{}/chat/conversations/{}/messages",
            server.base_url,
            conversation["id"].as_str().unwrap()
        ),
        &server.key,
        Some(&json!({ "message": "Tell me about your shop", "stream": true })),
    );
    assert_eq!(status, 200, "{stream}");
    let events = sse_events(&stream);
    let deltas: Vec<&str> = events
        .iter()
        .filter(|(event, _)| event == "message.delta")
        .map(|(_, data)| data["content"].as_str().unwrap())
        .collect();
    assert_eq!(deltas, REPLY_PIECES, "{stream}");
    let completed = &events.last().unwrap();
    assert_eq!(completed.0, "message.completed");
    assert_eq!(completed.1["content"], REPLY_PIECES.concat());

    // Upstream, the runtime prompt speaks as the persona and the history came along.
    let chats = model.chat_requests();
    assert_eq!(chats.len(), 3);
    let last = &chats[2].body;
    assert_eq!(last["stream"], true);
    let system = last["messages"][0]["content"].as_str().unwrap();
    assert_eq!(last["messages"][0]["role"], "system");
    for expected in [
        "Mert Kavaklı",
        "wry, slightly archaic",
        "Sahaf, eski akademisyen",
        "Answer in Turkish",
    ] {
        assert!(system.contains(expected), "{expected:?} not in {system}");
    }
    assert_eq!(
        last["messages"].as_array().unwrap().last().unwrap(),
        &json!({ "role": "user", "content": "Tell me about your shop" })
    );

    // The OpenAI-compatible endpoint: system messages are an overlay on the runtime prompt.
    let (status, completion) = api(
        "POST",
        &format!("{}/openai/chat/completions", server.base_url),
        &server.key,
        Some(&json!({
            "model": "persona/mert",
            "messages": [
                { "role": "system", "content": "Answer in one sentence." },
                { "role": "user", "content": "Which poet do you love?" },
            ],
        })),
    );
    assert_eq!(status, 200, "{completion}");
    let completion: Value = serde_json::from_str(&completion).unwrap();
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        REPLY_PIECES.concat()
    );
    let overlaid = model.chat_requests().last().unwrap().body["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        overlaid.contains("Mert Kavaklı") && overlaid.contains("Answer in one sentence."),
        "{overlaid}"
    );

    // A failing model server: a plain create is 503 and names its failed run; the CLI's
    // streamed create ends with run.failed (exit 8); a chat turn is 503 (exit 9).
    model.set_failing(true);
    let (status, failed) = api(
        "POST",
        &format!("{}/personas", server.base_url),
        &server.key,
        Some(&json!({ "intent": BRIEF })),
    );
    assert_eq!(status, 503, "{failed}");
    let failed: Value = serde_json::from_str(&failed).unwrap();
    assert_eq!(failed["error"]["code"], "provider.unavailable");
    assert!(failed["error"]["run_id"].is_string(), "{failed}");
    let message = failed["error"]["message"].as_str().unwrap();
    assert!(message.contains("HTTP 500"), "{message}");
    assert!(!message.contains(API_KEY), "{message}");

    let create = env.run(&["personas", "create", "--intent", BRIEF]).code(8);
    assert!(
        create.stderr.contains("model server"),
        "says why: {}",
        create.stderr
    );
    env.run(&["chat", "mert", "-m", "Hello?"]).code(9);
    let chat = env.run(&["chat", "mert", "-m", "Hello?", "--json"]).code(9);
    assert!(
        chat.stderr.contains("provider.unavailable") && chat.stderr.contains("HTTP 500"),
        "{}",
        chat.stderr
    );
    for output in [&create.stdout, &create.stderr, &chat.stdout, &chat.stderr] {
        assert!(!output.contains(API_KEY), "the key leaked: {output}");
    }

    server.terminate();
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("engine model stand-in-model at http://127.0.0.1"),
        "the log names the engine: {log}"
    );
    assert!(log.contains("/v1/personas"), "requests are logged: {log}");
    assert!(
        !log.contains(API_KEY),
        "the model API key is in the log:\n{log}"
    );
}

#[test]
fn the_model_server_is_sent_only_the_window_of_a_long_conversation() {
    use persona::server::chat::window::{WINDOW_MESSAGES, WINDOW_TOKENS};
    let model = StandInModelServer::start();
    let mut env = model_env(&model.url);
    let (server, _log) = serve_logged(&env);
    env.use_server(&server);
    let persona = env.create(BRIEF, &["--slug", "mert"]);
    let url = |path: &str| format!("{}{path}", server.base_url);
    let body = json!({ "persona_id": persona["id"] });
    let (status, conversation) = api(
        "POST",
        &url("/chat/conversations"),
        &server.key,
        Some(&body),
    );
    assert_eq!(status, 201, "{conversation}");
    let conversation: Value = serde_json::from_str(&conversation).unwrap();
    let id = conversation["id"].as_str().unwrap();
    crate::common::seed_turns(&env.data_dir(), id, 0..1_500);

    let body = json!({ "message": "Which of them would you sell last?" });
    let path = format!("/chat/conversations/{id}/messages");
    let (status, turn) = api("POST", &url(&path), &server.key, Some(&body));
    assert_eq!(status, 200, "{turn}");
    let sent = model.chat_requests().pop().expect("a chat request").body;
    let messages = sent["messages"].as_array().unwrap();
    // The runtime prompt, the window's 200 messages, the new one.
    assert_eq!(messages.len(), WINDOW_MESSAGES + 2);
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.contains("began 2800 messages before"), "{system}");
    assert!(
        messages[1]["content"]
            .as_str()
            .unwrap()
            .contains("the 1400 books")
    );
    let history: usize = messages[1..messages.len() - 1]
        .iter()
        .map(|m| m["content"].as_str().unwrap().len())
        .sum();
    assert!(
        history as u64 <= WINDOW_TOKENS * 4,
        "{history} bytes of history"
    );
}

#[test]
fn the_local_profile_uses_the_model_engine_too() {
    let model = StandInModelServer::start();
    let env = model_env(&model.url);
    let persona = env.create(BRIEF, &["--slug", "mert"]);
    assert_written_by_the_stand_in(&persona);
    assert_model_run(&env, &persona);
    let reply = env
        .run(&["chat", "mert", "-m", "Which poet do you love?", "--json"])
        .success()
        .json();
    assert_eq!(reply["content"], REPLY_PIECES.concat());
    assert_eq!(reply["engine"], "model");
    let system = model.chat_requests()[0].body["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        system.contains("Mert Kavaklı") && system.contains("wry, slightly archaic"),
        "{system}"
    );
}

#[test]
fn a_closed_port_fails_runs_with_exit_8_and_chat_with_exit_9() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let mut env = TestEnv::new();
    env.create(BRIEF, &["--slug", "mert"]);
    env.set("PERSONA_MODEL_URL", &closed_url);
    env.set("PERSONA_MODEL", MODEL);

    let create = env
        .run(&["personas", "create", "--intent", BRIEF, "--json"])
        .code(8);
    assert!(
        create.stderr.contains("cannot be reached"),
        "{}",
        create.stderr
    );
    env.run(&["chat", "mert", "-m", "Hello?"]).code(9);
    let chat = env.run(&["chat", "mert", "-m", "Hello?", "--json"]).code(9);
    assert!(chat.stderr.contains("cannot be reached"), "{}", chat.stderr);

    let runs = env
        .run(&["runs", "list", "--status", "failed", "--json"])
        .success()
        .json();
    let failed = &runs[0];
    assert_eq!(failed["engine"], "model", "{runs}");
    assert_eq!(failed["error"]["code"], "provider.unavailable");
}

#[test]
fn a_model_url_without_a_model_is_a_usage_error() {
    let mut env = TestEnv::new();
    env.set("PERSONA_MODEL_URL", "http://127.0.0.1:11434/v1");
    let out = env.run(&["personas", "list"]).code(2);
    assert!(out.stderr.contains("PERSONA_MODEL"), "{}", out.stderr);
}

#[test]
fn a_resumed_run_replays_the_plan_it_started_with() {
    let model = StandInModelServer::start();
    let mut env = model_env(&model.url);
    // A key that outlives the server process (the dev key of `dev serve` does not).
    let key = env
        .run(&["dev", "keys", "create", "--json"])
        .success()
        .json()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let server = env.serve(&["--step-delay-ms", "500"]);
    env.set("PERSONA_API_URL", &server.base_url);
    env.set("PERSONA_API_KEY", &key);
    let run_id = env
        .run(&["personas", "create", "--intent", BRIEF, "--no-wait"])
        .success()
        .stdout
        .trim()
        .to_owned();
    let mut before_the_crash = Value::Null;
    assert!(eventually(Duration::from_secs(20), || {
        before_the_crash = env
            .run(&["runs", "get", &run_id, "--json"])
            .success()
            .json();
        before_the_crash["steps"][1]["status"] == "completed"
    }));
    server.kill();
    assert_eq!(
        before_the_crash["status"], "running",
        "the crash comes mid-run: {before_the_crash}"
    );

    // The model would now write someone else: the resumed run must not ask it again.
    let mut other = written_layers();
    other["surface"]["name"] = json!("Ayşe Demir");
    model.set_layers(other);
    let restarted = env.serve(&["--step-delay-ms", "10"]);
    env.set("PERSONA_API_URL", &restarted.base_url);
    let finished = || {
        let run = env
            .run(&["runs", "get", &run_id, "--json"])
            .success()
            .json();
        run["status"] == "completed"
    };
    assert!(eventually(Duration::from_secs(30), finished));
    assert_eq!(model.generation_requests().len(), 1, "asked the model once");

    let run = env
        .run(&["runs", "get", &run_id, "--json"])
        .success()
        .json();
    let persona = env
        .run(&[
            "personas",
            "get",
            run["persona_id"].as_str().unwrap(),
            "--json",
        ])
        .success()
        .json();
    assert_written_by_the_stand_in(&persona);
    let tail = env
        .run(&["runs", "tail", &run_id, "--json"])
        .success()
        .stdout;
    let mut rebuilt = json!({});
    let mut completed_steps = Vec::new();
    for line in tail.lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        match event["event"].as_str().unwrap() {
            "layer.delta" => persona::json::json_patch_apply(&mut rebuilt, &event["data"]["patch"])
                .unwrap_or_else(|err| panic!("patch {} does not apply: {err}", event["id"])),
            "step.completed" => completed_steps.push(event["data"]["step"].clone()),
            _ => {}
        }
    }
    assert_eq!(
        rebuilt,
        layers_of(&persona),
        "the events before and after the restart describe one persona"
    );
    assert_eq!(completed_steps.len(), 6, "each step completed once: {tail}");
}
