//! The embedded server over real HTTP: create modes, SSE, patches, idempotency, errors.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use persona::server::{self, ServerConfig, ServerHandle, store::Store};
use serde_json::{Value, json};

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

/// An in-process server over a temp store, with a client bound to its development key.
struct Api {
    handle: Option<ServerHandle>,
    base: String,
    key: String,
    http: reqwest::Client,
    data: tempfile::TempDir,
}

impl Api {
    async fn start() -> Api {
        Self::start_with(|_| {}).await
    }

    async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Api {
        let (handle, data) = crate::common::spawn_server(configure).await;
        Api {
            base: handle.base_url(),
            key: handle.dev_key.clone(),
            handle: Some(handle),
            http: crate::common::http_client(),
            data,
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.send(self.request(reqwest::Method::GET, path)).await;
        (status, body)
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (status, _, body) = self
            .send(self.request(reqwest::Method::POST, path).json(&body))
            .await;
        (status, body)
    }

    async fn create(&self, body: Value) -> Value {
        let (status, persona) = self.post("/personas", body).await;
        assert_eq!(status, 201, "{persona}");
        persona
    }

    /// A lasting key on this store with the given workspace and scopes.
    fn key(&self, workspace: &str, scopes: &[&str]) -> String {
        let store = Store::open(self.data.path()).unwrap();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        server::create_key(&store, workspace, "test", &scopes, server::LOCAL_OWNER, 90)
            .unwrap()
            .0
    }

    /// The raw SSE text of a run's events after `last_event_id`.
    async fn events(&self, run_id: &str, last_event_id: Option<i64>) -> String {
        let mut request = self.request(reqwest::Method::GET, &format!("/runs/{run_id}/events"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        tokio::time::timeout(Duration::from_secs(20), response.text())
            .await
            .unwrap()
            .unwrap()
    }

    async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown().await;
        }
    }
}

fn layers(persona: &Value) -> Value {
    json!({ "soul": persona["soul"], "self": persona["self"], "mask": persona["mask"], "surface": persona["surface"] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_create_answers_201_with_every_layer_filled() {
    let api = Api::start().await;
    let (status, headers, persona) = api
        .send(
            api.request(reqwest::Method::POST, "/personas")
                .json(&json!({ "intent": BRIEF, "language": "tr", "visibility": "workspace" })),
        )
        .await;
    assert_eq!(status, 201, "{persona}");
    assert!(persona["id"].as_str().unwrap().starts_with("psn_"));
    assert_eq!(persona["status"], "completed");
    assert_eq!(persona["language"], "tr");
    assert_eq!(persona["visibility"], "workspace");
    assert_eq!(persona["version"], 1);
    assert_eq!(persona["surface"]["age"], 35);
    assert!(
        persona["surface"]["occupation"]
            .as_str()
            .unwrap()
            .contains("Bookseller")
    );
    assert!(persona["self"]["big_five"]["E"].as_f64().unwrap() < 0.35);
    assert!(persona["self"]["big_five"]["O"].as_f64().unwrap() > 0.7);
    for field in ["core_desire", "core_fear", "wound"] {
        assert!(
            !persona["soul"][field].as_str().unwrap().is_empty(),
            "soul.{field}"
        );
    }
    assert!(
        !persona["mask"]["voice"]["register"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        persona["fingerprint"],
        json!(persona::json::fingerprint(&persona))
    );
    assert!(persona["run"]["tokens"].as_u64().unwrap() > 0);
    assert!(
        headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
    for header in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(headers.contains_key(header), "{header}");
    }
    let (status, run) = api
        .get(&format!("/runs/{}", persona["run"]["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(run["engine"], "offline");
    assert_eq!(run["status"], "completed");
    assert_eq!(run["steps"].as_array().unwrap().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_create_emits_the_run_and_its_patches_rebuild_the_persona() {
    let api = Api::start().await;
    let response = api
        .request(reqwest::Method::POST, "/personas?stream=true")
        .header("Accept", "text/event-stream")
        .json(&json!({ "intent": BRIEF, "pipeline": "strict-audit" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    // The reconnect advice comes once, in the first event's block.
    assert!(text.starts_with("retry: 2000\nid: 1\n"), "{text}");
    assert_eq!(text.matches("retry:").count(), 1);
    let events = crate::common::sse_frames(&text);
    let ids: Vec<i64> = events.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, (1..=events.len() as i64).collect::<Vec<_>>());
    assert_eq!(events.first().unwrap().1, "run.started");
    let (_, last, data) = events.last().unwrap();
    assert_eq!(last, "run.completed");
    let steps: Vec<&str> = events
        .iter()
        .filter(|(_, e, _)| e == "step.completed")
        .map(|(_, _, d)| d["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps.len(), 7, "strict-audit has 7 steps: {steps:?}");
    assert!(steps.contains(&"adversarial_audit"));

    let mut rebuilt = json!({});
    for (_, event, data) in &events {
        if event == "layer.delta" {
            persona::json::json_patch_apply(&mut rebuilt, &data["patch"]).unwrap();
        }
    }
    let (_, persona) = api
        .get(&format!(
            "/personas/{}",
            data["persona_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(rebuilt, layers(&persona));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_create_answers_202_and_the_run_completes() {
    let api = Api::start().await;
    let (status, _, accepted) = api
        .send(
            api.request(reqwest::Method::POST, "/personas")
                .header("Prefer", "respond-async")
                .json(&json!({ "intent": BRIEF })),
        )
        .await;
    assert_eq!(status, 202, "{accepted}");
    assert_eq!(accepted["status"], "queued");
    let run_id = accepted["run"]["id"].as_str().unwrap().to_string();
    let events = crate::common::sse_frames(&api.events(&run_id, None).await);
    assert_eq!(events.last().unwrap().1, "run.completed");
    let (_, persona) = api
        .get(&format!("/personas/{}", accepted["id"].as_str().unwrap()))
        .await;
    assert_eq!(persona["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_resume_after_last_event_id_with_none_lost_or_repeated() {
    let api = Api::start().await;
    let persona = api.create(json!({ "intent": BRIEF })).await;
    let run_id = persona["run"]["id"].as_str().unwrap();
    let all = crate::common::sse_frames(&api.events(run_id, None).await);
    let tail = crate::common::sse_frames(&api.events(run_id, Some(5)).await);
    assert_eq!(tail.first().unwrap().0, 6);
    assert_eq!(&all[5..], &tail[..]);
    let nothing_after_the_end =
        crate::common::sse_frames(&api.events(run_id, Some(all.len() as i64)).await);
    assert!(nothing_after_the_end.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_is_followed_and_sends_keepalives_while_idle() {
    let api = Api::start_with(|config| {
        config.step_delay = Duration::from_millis(400);
        config.keepalive = Duration::from_millis(200);
    })
    .await;
    let (status, accepted) = {
        let (status, _, body) = api
            .send(
                api.request(reqwest::Method::POST, "/personas")
                    .header("Prefer", "respond-async")
                    .json(&json!({ "intent": BRIEF })),
            )
            .await;
        (status, body)
    };
    assert_eq!(status, 202);
    let text = api
        .events(accepted["run"]["id"].as_str().unwrap(), None)
        .await;
    assert!(text.contains(": keepalive\n\n"), "{text}");
    assert_eq!(
        crate::common::sse_frames(&text).last().unwrap().1,
        "run.completed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let api = Api::start().await;
    let persona = api.create(json!({ "intent": BRIEF })).await;
    let path = format!("/personas/{}", persona["id"].as_str().unwrap());
    let fingerprint = persona["fingerprint"].as_str().unwrap();
    let patch = |value: &str, if_match: &str| {
        api.request(reqwest::Method::PATCH, &path)
            .header("If-Match", format!("\"{if_match}\""))
            .json(&json!({ "mask": { "voice": { "register": value } } }))
    };
    let (status, _, updated) = api.send(patch("dry and precise", fingerprint)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["mask"]["voice"]["register"], "dry and precise");

    let (status, _, conflict) = api.send(patch("loud", fingerprint)).await;
    assert_eq!(status, 412);
    assert_eq!(conflict["error"]["code"], "persona.version_conflict");
    assert_eq!(conflict["error"]["details"]["version"], 2);
    let (_, current) = api.get(&path).await;
    assert_eq!(current, updated);

    let (status, _, same) = api
        .send(patch(
            "dry and precise",
            updated["fingerprint"].as_str().unwrap(),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        same["version"], 2,
        "a patch that changes nothing keeps the version"
    );
    let (_, versions) = api.get(&format!("{path}/versions")).await;
    assert_eq!(versions["data"].as_array().unwrap().len(), 2);
    let (_, first) = api.get(&format!("{path}@v1")).await;
    assert_eq!(first["mask"], persona["mask"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_violations_are_422_with_pointers_and_read_only_fields_are_guarded() {
    let api = Api::start().await;
    let persona = api.create(json!({ "intent": BRIEF })).await;
    let path = format!("/personas/{}", persona["id"].as_str().unwrap());
    let (status, _, error) = api
        .send(api.request(reqwest::Method::PATCH, &path).json(&json!({
            "self": { "big_five": { "O": 1.5 } }, "surface": { "age": 400 }
        })))
        .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["error"]["code"], "persona.schema_violation");
    let pointers: Vec<&str> = error["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    assert!(
        pointers.contains(&"/self/big_five/O") && pointers.contains(&"/surface/age"),
        "{pointers:?}"
    );

    let (status, _, error) = api
        .send(
            api.request(reqwest::Method::PATCH, &path)
                .json(&json!({ "version": 9 })),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );
    let (status, _, _) = api
        .send(
            api.request(reqwest::Method::PATCH, &path)
                .json(&json!({ "version": 1, "id": persona["id"] })),
        )
        .await;
    assert_eq!(
        status, 200,
        "read-only fields equal to the stored value are ignored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotent_retry_replays_the_same_persona_and_creates_no_second() {
    let api = Api::start().await;
    let body = json!({ "intent": BRIEF, "seed": 7 });
    let send = || {
        api.request(reqwest::Method::POST, "/personas")
            .header("Idempotency-Key", "retry-me-1")
            .json(&body)
    };
    let (status, _, first) = api.send(send()).await;
    assert_eq!(status, 201);
    let (status, headers, second) = api.send(send()).await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(first, second);
    let (_, list) = api.get("/personas").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    let (status, _, conflict) = api
        .send(
            api.request(reqwest::Method::POST, "/personas")
                .header("Idempotency-Key", "retry-me-1")
                .json(&json!({ "intent": "someone else entirely" })),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"]["code"], "request.idempotency_conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_post_replays_its_answer_for_the_same_idempotency_key() {
    let api = Api::start().await;
    let (_, persona) = api.post("/personas", json!({ "intent": BRIEF })).await;
    let persona_id = persona["id"].as_str().unwrap().to_string();
    let post = |path: String, key: &'static str, body: Value| {
        api.send(
            api.request(reqwest::Method::POST, &path)
                .header("Idempotency-Key", key)
                .json(&body),
        )
    };

    // A conversation, then one turn in it, each sent twice: one of each is made.
    let start = json!({ "persona_id": persona_id });
    let (status, _, first) = post("/chat/conversations".into(), "conv-1", start.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (status, headers, again) = post("/chat/conversations".into(), "conv-1", start).await;
    assert_eq!((status, &again), (201, &first));
    assert_eq!(headers["idempotent-replayed"], "true");
    let conversation = first["id"].as_str().unwrap();
    let turn_path = format!("/chat/conversations/{conversation}/messages");
    let turn = json!({ "message": "Hello" });
    let (status, _, first_turn) = post(turn_path.clone(), "turn-1", turn.clone()).await;
    assert_eq!(status, 200, "{first_turn}");
    let (_, _, second_turn) = post(turn_path.clone(), "turn-1", turn).await;
    assert_eq!(first_turn, second_turn);
    let (_, stored) = api
        .get(&format!("/chat/conversations/{conversation}"))
        .await;
    assert_eq!(stored["messages"].as_array().unwrap().len(), 2, "{stored}");

    // An OpenAI completion, and a caller's error, are replayed as they were answered.
    let completion = json!({ "model": format!("persona/{persona_id}"),
        "messages": [{ "role": "user", "content": "Hi" }] });
    let (_, _, first) = post(
        "/openai/chat/completions".into(),
        "cmpl-1",
        completion.clone(),
    )
    .await;
    let (_, headers, again) = post("/openai/chat/completions".into(), "cmpl-1", completion).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(headers["idempotent-replayed"], "true");
    let missing = "/chat/conversations/conv_nope/messages".to_string();
    let (status, _, error) = post(missing.clone(), "missing-1", json!({ "message": "x" })).await;
    assert_eq!(status, 404);
    let (status, headers, replayed) = post(missing, "missing-1", json!({ "message": "x" })).await;
    assert_eq!((status, &replayed), (404, &error));
    assert_eq!(headers["idempotent-replayed"], "true");

    // One key for two different requests: the second is refused, whatever the endpoint (under
    // /v1/openai in OpenAI's error shape).
    let other = json!({ "model": format!("persona/{persona_id}"),
        "messages": [{ "role": "user", "content": "Something else" }] });
    let (status, _, conflict) = post("/openai/chat/completions".into(), "cmpl-1", other).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"]["code"], "request.idempotency_conflict");
    assert_eq!(conflict["error"]["type"], "invalid_request_error");
    // The same body for another conversation is another request.
    let same_body = json!({ "model": format!("persona/{persona_id}"),
        "messages": [{ "role": "user", "content": "Hi" }] });
    let (status, _, conflict) = api
        .send(
            api.request(reqwest::Method::POST, "/openai/chat/completions")
                .header("Idempotency-Key", "cmpl-1")
                .header("X-Persona-Conversation-Id", conversation)
                .json(&same_body),
        )
        .await;
    assert_eq!(status, 409, "{conflict}");
    let (status, _, conflict) = post(turn_path, "turn-1", json!({ "message": "Other" })).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["error"]["code"], "request.idempotency_conflict");
    let body = json!({ "intent": BRIEF });
    let (status, _, _) = post("/personas".into(), "shared-1", body.clone()).await;
    assert_eq!(status, 201);
    let (status, _, conflict) =
        post(format!("/personas/{persona_id}/fork"), "shared-1", body).await;
    assert_eq!(status, 409);
    assert!(
        conflict["error"]["message"]
            .as_str()
            .unwrap()
            .contains("another endpoint"),
        "{conflict}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_overrun_is_402_on_a_plain_create_and_run_failed_on_a_stream() {
    let api = Api::start().await;
    let (status, error) = api
        .post("/personas", json!({ "intent": BRIEF, "budget_usd": 0.01 }))
        .await;
    assert_eq!(status, 402, "{error}");
    assert_eq!(error["error"]["code"], "persona.cost_budget_exceeded");
    assert_eq!(error["error"]["type"], "billing");
    let run_id = error["error"]["run_id"].as_str().unwrap();
    let (_, run) = api.get(&format!("/runs/{run_id}")).await;
    assert_eq!(run["status"], "failed");
    assert_eq!(run["error"]["code"], "persona.cost_budget_exceeded");

    let text = api
        .request(reqwest::Method::POST, "/personas?stream=true")
        .json(&json!({ "intent": BRIEF, "budget_usd": 0.01 }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = crate::common::sse_frames(&text);
    let (_, last, data) = events.last().unwrap();
    assert_eq!(last, "run.failed");
    assert_eq!(data["error"]["code"], "persona.cost_budget_exceeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_and_workspaces_are_enforced() {
    let mut api = Api::start().await;
    let persona = api.create(json!({ "intent": BRIEF })).await;
    let id = persona["id"].as_str().unwrap().to_string();

    let reader = api.key("ws_local", &["personas:read"]);
    api.key = reader;
    let (status, _) = api.get(&format!("/personas/{id}")).await;
    assert_eq!(status, 200);
    let (status, error) = api.post("/personas", json!({ "intent": BRIEF })).await;
    assert_eq!(status, 403);
    assert_eq!(error["error"]["code"], "auth.insufficient_scope");

    api.key = api.key("ws_other", &["personas:*"]);
    let (status, error) = api.get(&format!("/personas/{id}")).await;
    assert_eq!(
        status, 404,
        "another workspace's persona does not exist for this key"
    );
    assert_eq!(error["error"]["code"], "resource.not_found");
    let (status, _, error) = api
        .send(
            api.request(reqwest::Method::GET, "/personas")
                .header("Persona-Workspace", "ws_local"),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(error["error"]["code"], "auth.workspace_forbidden");

    api.key = "pk_test_not_a_key".to_string();
    let (status, error) = api.get("/auth/whoami").await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["code"], "auth.invalid_key");
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_error_envelope() {
    let api = Api::start().await;
    let (status, error) = api
        .post("/personas", json!({ "intent": BRIEF, "colour": "red" }))
        .await;
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{error}"
    );
    assert_eq!(error["error"]["details"][0]["pointer"], "/colour");
    assert!(
        error["error"]["request_id"]
            .as_str()
            .unwrap()
            .starts_with("req_")
    );

    let big = "x".repeat(1024 * 1024 + 10);
    let (status, error) = api.post("/personas", json!({ "intent": big })).await;
    assert_eq!(status, 413);
    assert_eq!(error["error"]["code"], "request.too_large");

    let (status, error) = api
        .post("/personas", json!({ "intent": "x".repeat(4001) }))
        .await;
    assert_eq!(status, 400);
    assert!(error["error"]["message"].as_str().unwrap().contains("4001"));

    let (status, error) = api
        .post(
            "/personas",
            json!({ "intent": BRIEF, "pipeline": "fastest" }),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("fastest")
    );

    let (status, error) = api.get("/nowhere").await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "resource.not_found");
    // A path segment that is not UTF-8 is refused by the router itself: still the envelope
    // (OpenAI's shape under /v1/openai).
    for path in [
        "/personas/%FF",
        "/runs/%FF/events",
        "/chat/conversations/%FF",
    ] {
        let (status, error) = api.get(path).await;
        assert_eq!(status, 400, "{path}: {error}");
        assert_eq!(error["error"]["code"], "request.invalid", "{path}");
        assert!(
            error["error"]["request_id"]
                .as_str()
                .unwrap()
                .starts_with("req_")
        );
    }
    let (status, error) = api.get("/openai/models/%FF").await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    let (status, _, error) = api
        .send(api.request(reqwest::Method::DELETE, "/personas"))
        .await;
    assert_eq!(status, 405);
    assert!(error["error"]["code"].is_string());

    let (status, error) = api
        .post("/personas", json!({ "intent": BRIEF, "slug": "taken-one" }))
        .await;
    assert_eq!(status, 201, "{error}");
    let (status, error) = api
        .post("/personas", json!({ "intent": BRIEF, "slug": "taken-one" }))
        .await;
    assert_eq!(status, 409);
    assert_eq!(error["error"]["code"], "persona.slug_taken");

    let (status, error) = api.get("/personas?limit=0").await;
    assert_eq!(status, 400, "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_free_plan_answers_429_with_retry_after() {
    let api = Api::start_with(|config| config.plan = server::ratelimit::Plan::Free).await;
    for _ in 0..5 {
        api.create(json!({ "intent": BRIEF })).await;
    }
    let (status, headers, error) = api
        .send(
            api.request(reqwest::Method::POST, "/personas")
                .json(&json!({ "intent": BRIEF })),
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(error["error"]["code"], "rate_limit.exceeded");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(headers["x-ratelimit-remaining"], "0");

    // A chat turn counts against the chat window, and its headers say so.
    let (_, list) = api.get("/personas").await;
    let persona_id = list["data"][0]["id"].as_str().unwrap();
    let (_, conversation) = api
        .post("/chat/conversations", json!({ "persona_id": persona_id }))
        .await;
    let path = format!(
        "/chat/conversations/{}/messages",
        conversation["id"].as_str().unwrap()
    );
    let (status, headers, _) = api
        .send(
            api.request(reqwest::Method::POST, &path)
                .json(&json!({ "message": "Hi" })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-ratelimit-limit"], "30");
    assert_eq!(headers["x-ratelimit-remaining"], "29");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_fork_and_archive() {
    let api = Api::start().await;
    for i in 0..5 {
        api.create(json!({ "intent": format!("{BRIEF} number {i}") }))
            .await;
    }
    let (_, first) = api.get("/personas?limit=2").await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = api.get(&format!("/personas?limit=2&cursor={cursor}")).await;
    assert_ne!(first["data"][0]["id"], second["data"][0]["id"]);

    let parent = &first["data"][0];
    let slug = parent["slug"].as_str().unwrap();
    let (status, copy) = api.post(&format!("/personas/{slug}/fork"), json!({})).await;
    assert_eq!(status, 201, "{copy}");
    assert_eq!(copy["parent_id"], parent["id"]);
    assert_eq!(layers(&copy), layers(parent));
    let (status, refined) = api
        .post(
            &format!("/personas/{slug}/fork"),
            json!({ "intent": "twenty years older", "slug": "older-one" }),
        )
        .await;
    assert_eq!(status, 201, "{refined}");
    assert_eq!(refined["slug"], "older-one");
    assert_eq!(refined["surface"]["name"], parent["surface"]["name"]);

    let (status, archived) = api
        .post(&format!("/personas/{slug}/archive"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert!(archived["archived_at"].is_string());
    let is_listed = || async {
        let (_, listed) = api.get("/personas?limit=100").await;
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["slug"] == slug)
    };
    assert!(!is_listed().await);
    let (_, archived_list) = api.get("/personas?archived=true").await;
    assert_eq!(archived_list["data"][0]["slug"], slug);

    // Unarchived, it is listed again with its slug; a past version cannot be unarchived.
    let (status, back) = api
        .post(&format!("/personas/{slug}/unarchive"), json!({}))
        .await;
    assert_eq!(status, 200, "{back}");
    assert!(back["archived_at"].is_null());
    let (status, refused) = api
        .post(&format!("/personas/{slug}@v1/unarchive"), json!({}))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(is_listed().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_by_status() {
    let api = Api::start().await;
    api.create(json!({ "intent": BRIEF })).await;
    let (status, _) = api
        .post("/personas", json!({ "intent": BRIEF, "budget_usd": 0.01 }))
        .await;
    assert_eq!(status, 402);
    let statuses = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = api.get("/personas").await;
    assert_eq!(statuses(&all), ["failed", "completed"]);
    let (_, failed) = api.get("/personas?status=failed").await;
    assert_eq!(statuses(&failed), ["failed"]);
    let (_, live) = api.get("/personas?status=queued,running,completed").await;
    assert_eq!(statuses(&live), ["completed"]);
    let (status, refused) = api.get("/personas?status=lost").await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "request.invalid");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`lost`"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_interrupted_by_a_stopped_server_is_finished_by_the_next_one() {
    let data = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(data.path().to_path_buf());
    config.step_delay = Duration::from_millis(300);
    let first = server::spawn(config.clone(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let http = crate::common::http_client();
    let accepted: Value = http
        .post(format!("{}/personas", first.base_url()))
        .bearer_auth(&first.dev_key)
        .header("Prefer", "respond-async")
        .json(&json!({ "intent": BRIEF }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let run_id = accepted["run"]["id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(700)).await;
    first.shutdown().await;

    let store = Store::open(data.path()).unwrap();
    let (_, _, run) = store.run_request(&run_id).unwrap().unwrap();
    assert_eq!(
        run.status.as_str(),
        "running",
        "the run was cut off mid-way"
    );
    drop(store);

    config.step_delay = Duration::ZERO;
    let second = server::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let text = http
        .get(format!("{}/runs/{run_id}/events", second.base_url()))
        .bearer_auth(&second.dev_key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = crate::common::sse_frames(&text);
    let ids: Vec<i64> = events.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(
        ids,
        (1..=events.len() as i64).collect::<Vec<_>>(),
        "no event lost or repeated"
    );
    assert_eq!(events.last().unwrap().1, "run.completed");
    let persona: Value = http
        .get(format!(
            "{}/personas/{}",
            second.base_url(),
            accepted["id"].as_str().unwrap()
        ))
        .bearer_auth(&second.dev_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(persona["status"], "completed");
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route_the_router_serves() {
    let api = Api::start().await;
    let response = api
        .http
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut documented: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    documented.sort();
    // A catch-all `{*name}` of the router is the path parameter `{name}` in OpenAPI.
    let mut served: Vec<String> = server::route_list()
        .into_iter()
        .map(|route| route.replace("{*", "{"))
        .collect();
    served.sort();
    assert_eq!(documented, served);
}

/// A page served from a loopback origin (a local playground, a browser MCP client) may call the
/// API: its preflight is answered and answers name its origin; another site's is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_on_loopback_origins_pass_cors_and_other_sites_do_not() {
    let api = Api::start().await;
    let preflight = |origin: &'static str| {
        api.http
            .request(reqwest::Method::OPTIONS, format!("{}/personas", api.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type, x-stainless-os",
            )
            .send()
    };
    let allowed = preflight("http://localhost:3000").await.unwrap();
    assert_eq!(allowed.status(), 204);
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(
        allowed_headers.contains("authorization") && allowed_headers.contains("x-stainless-os"),
        "the headers asked for, an SDK's own included: {allowed_headers}"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );

    for (origin, named) in [
        ("http://127.0.0.1:5173", true),
        ("https://evil.example", false),
    ] {
        let (status, headers, _) = api
            .send(
                api.request(reqwest::Method::GET, "/personas")
                    .header("Origin", origin),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            headers.contains_key("access-control-allow-origin"),
            named,
            "{origin}"
        );
        if named {
            assert_eq!(headers["access-control-allow-origin"], origin);
            assert!(
                headers["access-control-expose-headers"]
                    .to_str()
                    .unwrap()
                    .contains("x-request-id")
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_describes_the_key() {
    let api = Api::start().await;
    let (status, me) = api.get("/auth/whoami").await;
    assert_eq!(status, 200);
    assert_eq!(me["workspace"]["id"], "ws_local");
    assert_eq!(me["mode"], "test");
    assert!(me["scopes"].as_array().unwrap().len() >= 11);
    assert!(me["expires_at"].as_str().unwrap().ends_with('Z'));
}

/// The endpoint of a key's listen streams goes when the key is revoked: no endpoint is left
/// that nobody can open again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_key_removes_the_endpoint_of_its_listen_streams() {
    let api = Api::start().await;
    let key = api.key("ws_local", &["webhooks:manage"]);
    let mut listen = api
        .http
        .get(format!("{}/webhooks/listen", api.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(listen.status(), 200);
    let first = listen.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("listen.ready"));
    drop(listen);
    let (_, endpoints) = api.get("/webhooks").await;
    assert_eq!(
        endpoints["data"].as_array().unwrap().len(),
        1,
        "{endpoints}"
    );
    let (status, _, _) = api
        .send(
            api.http
                .delete(format!("{}/auth/keys/current", api.base))
                .bearer_auth(&key),
        )
        .await;
    assert_eq!(status, 204);
    let (_, endpoints) = api.get("/webhooks").await;
    assert_eq!(
        endpoints["data"].as_array().unwrap().len(),
        0,
        "{endpoints}"
    );
}

/// A conversation turn that the moderation policy flags records `moderation.flagged`, which a
/// listen stream then carries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flagged_chat_turn_emits_moderation_flagged() {
    let api = Api::start().await;
    let (_, persona) = api.post("/personas", json!({ "intent": BRIEF })).await;
    let (_, conversation) = api
        .post(
            "/chat/conversations",
            json!({ "persona_id": persona["id"] }),
        )
        .await;
    let conversation_id = conversation["id"].as_str().unwrap();
    let mut listen = api
        .request(
            reqwest::Method::GET,
            "/webhooks/listen?events=moderation.flagged",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(listen.status(), 200);
    let path = format!("/chat/conversations/{conversation_id}/messages");
    let (status, _) = api.post(&path, json!({ "message": "Hello there" })).await;
    assert_eq!(status, 200);
    let (status, _) = api
        .post(&path, json!({ "message": "I will kill you" }))
        .await;
    assert_eq!(status, 200);
    let mut text = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains("event: moderation.flagged") && std::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), listen.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let frames = crate::common::sse_frames(&text);
    let flagged: Vec<_> = frames
        .iter()
        .filter(|(_, event, _)| event == "moderation.flagged")
        .collect();
    assert_eq!(flagged.len(), 1, "only the threatening turn: {text}");
    // A listen frame carries the delivery: its signed body is the event.
    let event: Value = serde_json::from_str(flagged[0].2["body"].as_str().unwrap()).unwrap();
    let data = &event["data"];
    assert_eq!(data["conversation_id"], conversation_id, "{text}");
    assert_eq!(data["flagged"][0]["role"], "user");
    assert_eq!(
        data["flagged"][0]["categories"][0],
        "harassment/threatening"
    );
}
