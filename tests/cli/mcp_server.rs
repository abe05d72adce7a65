//! The server's MCP endpoint over real HTTP: Streamable HTTP sessions, the stateless revision,
//! the 2024-11-05 SSE transport, the tools, and the origin, key and visibility rules.

use std::time::Duration;

use persona::server::{self, ServerConfig, ServerHandle, store::Store};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";
const BAKER: &str = "52-year-old cheerful baker in Lisbon who sings fado at night";

/// An in-process server over a temp store, and a client holding its development key.
struct Mcp {
    handle: ServerHandle,
    root: String,
    key: String,
    http: reqwest::Client,
    data: tempfile::TempDir,
}

/// What one HTTP exchange gave: status, headers and the body (JSON when it is JSON).
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Mcp {
    async fn start() -> Mcp {
        Self::start_with(|_| {}).await
    }

    async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Mcp {
        let (handle, data) = crate::common::spawn_server(configure).await;
        Mcp {
            root: format!("http://{}", handle.addr),
            key: handle.dev_key.clone(),
            handle,
            http: reqwest::Client::new(),
            data,
        }
    }

    /// A JSON-RPC POST to `/mcp` as a Streamable HTTP client sends it.
    fn post(&self, key: &str, session: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(format!("{}/mcp", self.root))
            .bearer_auth(key)
            .header("Accept", "application/json, text/event-stream")
            .json(body);
        if let Some(session) = session {
            request = request.header("Mcp-Session-Id", session);
        }
        request
    }

    async fn send(request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Opens a session with `version` and returns its id.
    async fn initialize(&self, key: &str, version: &str) -> String {
        let reply = Self::send(self.post(key, None, &initialize(version))).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["result"]["protocolVersion"], version);
        let session = reply.headers["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_string();
        let done = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
        let reply = Self::send(self.post(key, Some(&session), &done)).await;
        assert_eq!(reply.status, 202);
        session
    }

    /// A request in a session; the whole response object.
    async fn rpc(&self, key: &str, session: &str, method: &str, params: Value) -> Value {
        let body = json!({ "jsonrpc": "2.0", "id": 7, "method": method, "params": params });
        let reply = Self::send(self.post(key, Some(session), &body)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(
            reply.headers["content-type"].to_str().unwrap(),
            "application/json"
        );
        assert_eq!(reply.body["id"], 7);
        reply.body
    }

    /// The result of a tool call in a session.
    async fn tool(&self, key: &str, session: &str, name: &str, arguments: Value) -> Value {
        let answer = self
            .rpc(
                key,
                session,
                "tools/call",
                json!({ "name": name, "arguments": arguments }),
            )
            .await;
        answer["result"].clone()
    }

    /// Creates a persona over the REST API with `key` and waits for it.
    async fn create(&self, key: &str, body: Value) -> Value {
        let reply = Self::send(
            self.http
                .post(format!("{}/v1/personas", self.root))
                .bearer_auth(key)
                .json(&body),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body
    }

    /// A lasting key of `workspace` that belongs to another person than the development key
    /// (so the development key's private personas stay out of its sight).
    fn key(&self, workspace: &str) -> String {
        let store = Store::open(self.data.path()).unwrap();
        let scopes: Vec<String> = ["personas:*", "chat:invoke"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        server::create_key(&store, workspace, "test", &scopes, "another-person", 90)
            .unwrap()
            .0
    }

    async fn stop(self) {
        self.handle.shutdown().await;
    }
}

fn initialize(version: &str) -> Value {
    json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": { "name": "mcp-server-test", "version": "1.0" },
        },
    })
}

/// The text content of a tool result, parsed as the JSON it carries.
fn structured(result: &Value) -> Value {
    assert_eq!(result["isError"], false, "{result}");
    let text = result["content"][0]["text"].as_str().unwrap();
    let parsed: Value = serde_json::from_str(text).unwrap();
    assert_eq!(parsed, result["structuredContent"]);
    parsed
}

fn ids(results: &Value) -> Vec<String> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamable_session_lists_the_tools_and_calls_them() {
    let mcp = Mcp::start().await;
    let bookseller = mcp.create(&mcp.key, json!({ "intent": BRIEF })).await;
    let session = mcp.initialize(&mcp.key, "2025-06-18").await;

    let tools = mcp.rpc(&mcp.key, &session, "tools/list", json!({})).await;
    let tools = tools["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ensemble.scenario",
            "persona.fork",
            "persona.invoke",
            "persona.search"
        ]
    );
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(tool["inputSchema"]["required"].is_array(), "{tool}");
        assert!(!tool["description"].as_str().unwrap().is_empty());
    }

    let found = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.search",
            json!({ "query": "Istanbul booksell" }),
        )
        .await,
    );
    assert_eq!(ids(&found), vec![bookseller["id"].as_str().unwrap()]);
    assert!(
        found["results"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains('[')
    );

    let forked = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.fork",
            json!({ "persona": bookseller["slug"], "intent": "now a night-shift radio host", "slug": "radio-host" }),
        )
        .await,
    );
    assert_eq!(forked["persona"]["parent_id"], bookseller["id"]);
    assert_eq!(forked["persona"]["slug"], "radio-host");
    assert_eq!(forked["persona"]["status"], "completed");
    // The fork is a persona like any other: the REST API shows it, and search finds it.
    let rest = Mcp::send(
        mcp.http
            .get(format!("{}/v1/personas/radio-host", mcp.root))
            .bearer_auth(&mcp.key),
    )
    .await;
    assert_eq!(rest.status, 200);
    let found = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.search",
            json!({ "query": "radio" }),
        )
        .await,
    );
    assert_eq!(ids(&found), vec![forked["persona"]["id"].as_str().unwrap()]);

    let first = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.invoke",
            json!({ "persona": bookseller["slug"], "message": "What are you reading these days?" }),
        )
        .await,
    );
    assert!(!first["reply"].as_str().unwrap().is_empty());
    assert_eq!(first["persona_id"], bookseller["id"]);
    assert!(first["drift"]["verdict"].is_string(), "{first}");
    let conversation = first["conversation_id"].as_str().unwrap();
    let second = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.invoke",
            json!({ "persona": bookseller["id"], "message": "And before that?", "conversation_id": conversation }),
        )
        .await,
    );
    assert_eq!(second["conversation_id"], conversation);
    let stored = Mcp::send(
        mcp.http
            .get(format!("{}/v1/chat/conversations/{conversation}", mcp.root))
            .bearer_auth(&mcp.key),
    )
    .await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(stored.body["messages"].as_array().unwrap().len(), 4);
    let elsewhere = mcp
        .tool(
            &mcp.key,
            &session,
            "persona.invoke",
            json!({ "persona": "radio-host", "message": "Hello?", "conversation_id": conversation }),
        )
        .await;
    assert_eq!(elsewhere["isError"], true, "{elsewhere}");

    let scene = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "ensemble.scenario",
            json!({
                "personas": [bookseller["slug"], "radio-host"],
                "scene": "A power cut closes the bookshop; the two wait out the storm by candlelight.",
                "turns": 3,
            }),
        )
        .await,
    );
    let lines = scene["transcript"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    let speakers: Vec<&Value> = lines.iter().map(|line| &line["persona_id"]).collect();
    assert_eq!(
        speakers,
        [
            &bookseller["id"],
            &forked["persona"]["id"],
            &bookseller["id"]
        ]
    );
    for (index, line) in lines.iter().enumerate() {
        assert_eq!(line["turn"], index + 1);
        assert!(!line["text"].as_str().unwrap().is_empty());
        assert!(!line["name"].as_str().unwrap().is_empty());
    }
    let alone = mcp
        .tool(
            &mcp.key,
            &session,
            "ensemble.scenario",
            json!({ "personas": [bookseller["slug"]], "scene": "A monologue." }),
        )
        .await;
    assert_eq!(alone["isError"], true);

    // Tool failures are results with isError; an unknown tool is a protocol error.
    let failed = mcp
        .tool(
            &mcp.key,
            &session,
            "persona.fork",
            json!({ "persona": "nobody" }),
        )
        .await;
    assert_eq!(failed["isError"], true);
    assert!(
        failed["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not found")
    );
    let failed = mcp
        .tool(
            &mcp.key,
            &session,
            "persona.search",
            json!({ "query": "x", "limit": 0 }),
        )
        .await;
    assert_eq!(failed["isError"], true);
    let unknown = mcp
        .rpc(
            &mcp.key,
            &session,
            "tools/call",
            json!({ "name": "persona.delete" }),
        )
        .await;
    assert_eq!(unknown["error"]["code"], -32602);
    let unknown = mcp
        .rpc(&mcp.key, &session, "resources/list", json!({}))
        .await;
    assert_eq!(unknown["error"]["code"], -32601);
    let pong = mcp.rpc(&mcp.key, &session, "ping", json!({})).await;
    assert_eq!(pong["result"], json!({}));
    mcp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_negotiated_required_and_ended() {
    let mcp = Mcp::start().await;
    for (asked, agreed) in [
        ("2025-03-26", "2025-03-26"),
        ("2025-11-25", "2025-11-25"),
        ("2026-07-28", "2025-11-25"),
        ("1999-01-01", "2025-11-25"),
    ] {
        let reply = Mcp::send(mcp.post(&mcp.key, None, &initialize(asked))).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["result"]["protocolVersion"], agreed);
        assert_eq!(reply.body["result"]["serverInfo"]["name"], "persona");
        assert!(reply.body["result"]["capabilities"]["tools"].is_object());
    }

    let list = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" });
    let missing = Mcp::send(mcp.post(&mcp.key, None, &list)).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["error"]["code"], -32600);
    assert!(
        missing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("initialize")
    );
    let unknown = Mcp::send(mcp.post(&mcp.key, Some("no-such-session"), &list)).await;
    assert_eq!(unknown.status, 404);

    // A session belongs to the key that opened it.
    let session = mcp.initialize(&mcp.key, "2025-06-18").await;
    let other = mcp.key(server::LOCAL_WORKSPACE_ID);
    let stolen = Mcp::send(mcp.post(&other, Some(&session), &list)).await;
    assert_eq!(stolen.status, 404);

    let bad_version = Mcp::send(
        mcp.post(&mcp.key, Some(&session), &list)
            .header("MCP-Protocol-Version", "2030-01-01"),
    )
    .await;
    assert_eq!(bad_version.status, 400);

    // Batches belong to 2025-03-26 only.
    let batch = json!([
        { "jsonrpc": "2.0", "id": "a", "method": "ping" },
        { "jsonrpc": "2.0", "method": "notifications/initialized" },
        { "jsonrpc": "2.0", "id": "b", "method": "tools/list" },
    ]);
    let refused = Mcp::send(mcp.post(&mcp.key, Some(&session), &batch)).await;
    assert_eq!(refused.status, 400);
    let old = mcp.initialize(&mcp.key, "2025-03-26").await;
    let answered = Mcp::send(mcp.post(&mcp.key, Some(&old), &batch)).await;
    assert_eq!(answered.status, 200);
    let answers = answered.body.as_array().unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["id"], "a");
    assert!(answers[1]["result"]["tools"].is_array());

    let not_json = Mcp::send(
        mcp.http
            .post(format!("{}/mcp", mcp.root))
            .bearer_auth(&mcp.key)
            .header("Mcp-Session-Id", &session)
            .header("Content-Type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(not_json.status, 400);
    assert_eq!(not_json.body["error"]["code"], -32700);

    let get = Mcp::send(
        mcp.http
            .get(format!("{}/mcp", mcp.root))
            .bearer_auth(&mcp.key),
    )
    .await;
    assert_eq!(get.status, 405);

    let delete = |session: &str| {
        mcp.http
            .delete(format!("{}/mcp", mcp.root))
            .bearer_auth(&mcp.key)
            .header("Mcp-Session-Id", session)
    };
    assert_eq!(Mcp::send(delete(&session)).await.status, 204);
    assert_eq!(Mcp::send(delete(&session)).await.status, 404);
    let ended = Mcp::send(mcp.post(&mcp.key, Some(&session), &list)).await;
    assert_eq!(ended.status, 404);
    mcp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origins_keys_and_workspaces_are_checked() {
    let mcp = Mcp::start().await;
    let init = initialize("2025-06-18");
    let foreign = Mcp::send(
        mcp.post(&mcp.key, None, &init)
            .header("Origin", "https://evil.example"),
    )
    .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(foreign.body["jsonrpc"], "2.0");
    assert!(foreign.headers.get("mcp-session-id").is_none());
    let local = Mcp::send(
        mcp.post(&mcp.key, None, &init)
            .header("Origin", "http://localhost:6274"),
    )
    .await;
    assert_eq!(local.status, 200);

    let anonymous = Mcp::send(
        mcp.http
            .post(format!("{}/mcp", mcp.root))
            .header("Accept", "application/json, text/event-stream")
            .json(&init),
    )
    .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["jsonrpc"], "2.0");
    assert_eq!(anonymous.body["error"]["data"]["code"], "auth.invalid_key");
    assert!(
        anonymous.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let sse = mcp
        .http
        .get(format!("{}/mcp/sse", mcp.root))
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 401);

    // Persona-Workspace is honoured: this key cannot use another workspace.
    let elsewhere = mcp.key("ws_elsewhere");
    let crossed = Mcp::send(
        mcp.post(&elsewhere, None, &init)
            .header("Persona-Workspace", server::LOCAL_WORKSPACE_ID),
    )
    .await;
    assert_eq!(crossed.status, 403);
    assert_eq!(
        crossed.body["error"]["data"]["code"],
        "auth.workspace_forbidden"
    );
    mcp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_personas_of_other_owners_stay_out_of_sight() {
    let mcp = Mcp::start().await;
    let mine = mcp.create(&mcp.key, json!({ "intent": BRIEF })).await;
    assert_eq!(mine["visibility"], "private");
    let shared = mcp
        .create(
            &mcp.key,
            json!({ "intent": format!("{BRIEF}, a twin"), "visibility": "workspace" }),
        )
        .await;
    let other = mcp.key(server::LOCAL_WORKSPACE_ID);
    let theirs = mcp.create(&other, json!({ "intent": BAKER })).await;

    let session = mcp.initialize(&mcp.key, "2025-11-25").await;
    let found = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.search",
            json!({ "query": "bookseller" }),
        )
        .await,
    );
    let mut seen = ids(&found);
    seen.sort();
    let mut expected = vec![mine["id"].as_str().unwrap(), shared["id"].as_str().unwrap()];
    expected.sort();
    assert_eq!(seen, expected);
    let baker = structured(
        &mcp.tool(
            &mcp.key,
            &session,
            "persona.search",
            json!({ "query": "baker Lisbon" }),
        )
        .await,
    );
    assert!(ids(&baker).is_empty(), "{baker}");

    let session = mcp.initialize(&other, "2025-11-25").await;
    let found = structured(
        &mcp.tool(
            &other,
            &session,
            "persona.search",
            json!({ "query": "bookseller" }),
        )
        .await,
    );
    assert_eq!(ids(&found), vec![shared["id"].as_str().unwrap()]);
    let baker = structured(
        &mcp.tool(
            &other,
            &session,
            "persona.search",
            json!({ "query": "baker" }),
        )
        .await,
    );
    assert_eq!(ids(&baker), vec![theirs["id"].as_str().unwrap()]);
    let fork = mcp
        .tool(
            &other,
            &session,
            "persona.fork",
            json!({ "persona": mine["id"] }),
        )
        .await;
    assert_eq!(fork["isError"], true);
    assert!(
        fork["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not found")
    );
    let invoke = mcp
        .tool(
            &other,
            &session,
            "persona.invoke",
            json!({ "persona": mine["slug"], "message": "Hello" }),
        )
        .await;
    assert_eq!(invoke["isError"], true);
    let scene = mcp
        .tool(
            &other,
            &session,
            "ensemble.scenario",
            json!({ "personas": [theirs["id"], mine["id"]], "scene": "A market stall." }),
        )
        .await;
    assert_eq!(scene["isError"], true);
    assert!(
        scene["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not found")
    );
    mcp.stop().await;
}

/// The events of an SSE response, read as they come.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    /// The next frame as (event name, data); a comment frame is (":", its text).
    async fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::from("message");
                let mut data = Vec::new();
                for line in frame.lines() {
                    if let Some(comment) = line.strip_prefix(':') {
                        return (":".into(), comment.trim().to_string());
                    } else if let Some(name) = line.strip_prefix("event: ") {
                        event = name.to_string();
                    } else if let Some(line) = line.strip_prefix("data: ") {
                        data.push(line);
                    }
                }
                return (event, data.join("\n"));
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.response.chunk())
                .await
                .expect("an SSE event within 20 s")
                .unwrap()
                .expect("the stream stays open");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next JSON-RPC message, skipping keepalives.
    async fn message(&mut self) -> Value {
        loop {
            let (event, data) = self.next().await;
            if event == "message" {
                return serde_json::from_str(&data).unwrap();
            }
            assert_eq!(event, ":", "unexpected event {event}: {data}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sse_transport_answers_on_the_stream() {
    let mcp = Mcp::start_with(|config| config.keepalive = Duration::from_millis(300)).await;
    let bookseller = mcp.create(&mcp.key, json!({ "intent": BRIEF })).await;
    let response = mcp
        .http
        .get(format!("{}/mcp/sse", mcp.root))
        .bearer_auth(&mcp.key)
        .header("Accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut events = Events {
        response,
        buffer: String::new(),
    };
    let (event, endpoint) = events.next().await;
    assert_eq!(event, "endpoint");
    assert!(
        endpoint.starts_with("/mcp/messages?session_id="),
        "{endpoint}"
    );

    let post = |body: Value| {
        mcp.http
            .post(format!("{}{endpoint}", mcp.root))
            .bearer_auth(&mcp.key)
            .json(&body)
    };
    let accepted = Mcp::send(post(initialize("2024-11-05"))).await;
    assert_eq!(accepted.status, 202);
    let answer = events.message().await;
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["protocolVersion"], "2024-11-05");
    let accepted = Mcp::send(post(
        json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
    ))
    .await;
    assert_eq!(accepted.status, 202);

    let call = json!({
        "jsonrpc": "2.0", "id": "search-1", "method": "tools/call",
        "params": { "name": "persona.search", "arguments": { "query": "bookseller" } },
    });
    assert_eq!(Mcp::send(post(call)).await.status, 202);
    let answer = events.message().await;
    assert_eq!(answer["id"], "search-1");
    assert_eq!(
        ids(&structured(&answer["result"])),
        vec![bookseller["id"].as_str().unwrap()]
    );

    // This transport keeps sessions: it does not offer the sessionless 2026-07-28.
    let discover = json!({ "jsonrpc": "2.0", "id": "d", "method": "server/discover" });
    assert_eq!(Mcp::send(post(discover)).await.status, 202);
    let answer = events.message().await;
    let versions = answer["result"]["supportedVersions"].to_string();
    assert!(
        !versions.contains("2026-07-28") && versions.contains("2025-06-18"),
        "{answer}"
    );

    // While nothing happens the stream carries keepalive comments.
    let (event, text) = events.next().await;
    assert_eq!((event.as_str(), text.as_str()), (":", "keepalive"));

    let session_id = endpoint.split('=').nth(1).unwrap();
    let stolen = Mcp::send(
        mcp.http
            .post(format!("{}{endpoint}", mcp.root))
            .bearer_auth(mcp.key(server::LOCAL_WORKSPACE_ID))
            .json(&json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" })),
    )
    .await;
    assert_eq!(stolen.status, 404);
    let unknown = Mcp::send(
        mcp.http
            .post(format!("{}/mcp/messages?session_id=nope", mcp.root))
            .bearer_auth(&mcp.key)
            .json(&json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" })),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let missing = Mcp::send(
        mcp.http
            .post(format!("{}/mcp/messages", mcp.root))
            .bearer_auth(&mcp.key)
            .json(&json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" })),
    )
    .await;
    assert_eq!(missing.status, 400);
    // An SSE session is not a Streamable HTTP session.
    let crossed = Mcp::send(mcp.post(
        &mcp.key,
        Some(session_id),
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" }),
    ))
    .await;
    assert_eq!(crossed.status, 404);

    // Once the stream is closed, its session is gone.
    drop(events);
    let ping = json!({ "jsonrpc": "2.0", "id": 9, "method": "ping" });
    let mut gone = false;
    for _ in 0..50 {
        if Mcp::send(post(ping.clone())).await.status == 404 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the session outlived its stream");
    mcp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stateless_revision_needs_no_session() {
    let mcp = Mcp::start().await;
    // A bare server/discover, as a client probing the server sends it.
    let discover = json!({ "jsonrpc": "2.0", "id": "d", "method": "server/discover" });
    let reply = Mcp::send(mcp.post(&mcp.key, None, &discover)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.headers.get("mcp-session-id").is_none());
    let result = &reply.body["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["serverInfo"]["name"], "persona");
    assert!(result["capabilities"]["tools"].is_object());
    let versions: Vec<&str> = result["supportedVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        [
            "2026-07-28",
            "2025-11-25",
            "2025-06-18",
            "2025-03-26",
            "2024-11-05"
        ]
    );

    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { "name": "mcp-server-test", "version": "1.0" },
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    // A 2026-07-28 request: `_meta` in the body, mirrored in headers (`changed` replaces one).
    let modern_with = |method: &str, params: Value, changed: Option<(&str, &str)>| {
        let mut params = params;
        params["_meta"] = meta.clone();
        let mut headers = vec![
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", method),
        ];
        if let Some(name) = params["name"].as_str() {
            headers.push(("Mcp-Name", name));
        }
        let mut request = mcp.post(
            &mcp.key,
            None,
            &json!({ "jsonrpc": "2.0", "id": 3, "method": method, "params": params }),
        );
        for (header, value) in headers {
            let value = match changed {
                Some((name, changed)) if name == header => changed,
                _ => value,
            };
            request = request.header(header, value);
        }
        request
    };
    let modern = |method: &str, params: Value| modern_with(method, params, None);
    let reply = Mcp::send(modern("server/discover", json!({}))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["result"]["supportedVersions"][0], "2026-07-28");
    assert!(reply.body["result"]["ttlMs"].is_u64());
    let reply = Mcp::send(modern("tools/list", json!({}))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["result"]["resultType"], "complete");
    assert_eq!(
        reply.body["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "persona"
    );
    assert!(reply.headers.get("mcp-session-id").is_none());
    // Cacheable results say for how long, and for whom.
    assert_eq!(reply.body["result"]["tools"].as_array().unwrap().len(), 4);
    assert!(reply.body["result"]["ttlMs"].as_u64().unwrap() > 0);
    assert_eq!(reply.body["result"]["cacheScope"], "public");
    let reply = Mcp::send(modern(
        "tools/call",
        json!({ "name": "persona.search", "arguments": { "query": "anyone" } }),
    ))
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(structured(&reply.body["result"])["results"], json!([]));

    let unknown = Mcp::send(modern("resources/list", json!({}))).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"]["code"], -32601);
    let mismatched = Mcp::send(modern_with(
        "tools/list",
        json!({}),
        Some(("Mcp-Method", "ping")),
    ))
    .await;
    assert_eq!(mismatched.status, 400);
    assert_eq!(mismatched.body["error"]["code"], -32020);
    let renamed = Mcp::send(modern_with(
        "tools/call",
        json!({ "name": "persona.search", "arguments": { "query": "x" } }),
        Some(("Mcp-Name", "persona.fork")),
    ))
    .await;
    assert_eq!(renamed.status, 400);
    assert_eq!(renamed.body["error"]["code"], -32020);
    let future = Mcp::send(
        mcp.post(
            &mcp.key,
            None,
            &json!({
                "jsonrpc": "2.0", "id": 4, "method": "tools/list",
                "params": { "_meta": { "io.modelcontextprotocol/protocolVersion": "2030-01-01", "io.modelcontextprotocol/clientCapabilities": {} } },
            }),
        )
        .header("MCP-Protocol-Version", "2030-01-01")
        .header("Mcp-Method", "tools/list"),
    )
    .await;
    assert_eq!(future.status, 400);
    assert_eq!(future.body["error"]["code"], -32022);
    assert_eq!(future.body["error"]["data"]["requested"], "2030-01-01");
    assert_eq!(future.body["error"]["data"]["supported"][0], "2026-07-28");
    mcp.stop().await;
}
