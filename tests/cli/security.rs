//! Security: every route's key, scope and workspace checks in one table, MCP across workspaces,
//! keys hashed and kept out of output and logs, no plain HTTP to remote hosts, private files.

use persona::server::{self, ALL_SCOPES, ServerHandle, store::Store};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestEnv;

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

/// An in-process server, its development key (workspace `ws_local`, every scope) and a client.
struct Api {
    handle: ServerHandle,
    base: String,
    http: reqwest::Client,
    data: tempfile::TempDir,
}

impl Api {
    async fn start() -> Api {
        let (handle, data) = crate::common::spawn_server(|_| {}).await;
        Api {
            base: format!("http://{}", handle.addr),
            handle,
            http: reqwest::Client::new(),
            data,
        }
    }

    fn dev_key(&self) -> String {
        self.handle.dev_key.clone()
    }

    /// A lasting key of `workspace` with `scopes`, of the development key's owner.
    fn key(&self, workspace: &str, scopes: &[&str]) -> String {
        self.key_of(workspace, scopes, server::LOCAL_OWNER)
    }

    /// A lasting key of `workspace` with `scopes` that belongs to `owner`.
    fn key_of(&self, workspace: &str, scopes: &[&str], owner: &str) -> String {
        let store = Store::open(self.data.path()).unwrap();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        server::create_key(&store, workspace, "test", &scopes, owner, 90)
            .unwrap()
            .0
    }

    /// (status, body) of a request; the body is JSON when it parses, else a string.
    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(std::time::Duration::from_secs(30));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// One route: how to call it on workspace A's resources, and what guards it.
struct Route {
    method: Method,
    /// As the router names it.
    template: &'static str,
    /// `None`: no key needed. `Some("")`: any valid key.
    scope: Option<&'static str>,
    /// What another workspace's key gets: `Hidden` (404), `Own` (200 with none of A's ids).
    other_workspace: Isolation,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Isolation {
    Hidden,
    Own,
    /// Not about workspace data (public routes, the caller's own key or stream).
    NotApplicable,
}

fn routes() -> Vec<Route> {
    use Isolation::*;
    let route = |method: Method, template, scope, other_workspace| Route {
        method,
        template,
        scope,
        other_workspace,
    };
    vec![
        route(Method::GET, "/v1/openapi.json", None, NotApplicable),
        route(Method::GET, "/v1/auth/whoami", Some(""), NotApplicable),
        route(
            Method::DELETE,
            "/v1/auth/keys/current",
            Some(""),
            NotApplicable,
        ),
        route(Method::POST, "/v1/auth/device/code", None, NotApplicable),
        route(Method::POST, "/v1/auth/device/token", None, NotApplicable),
        route(Method::GET, "/cli/activate", None, NotApplicable),
        route(Method::POST, "/cli/activate", None, NotApplicable),
        route(Method::GET, "/cli/signin", None, NotApplicable),
        route(
            Method::POST,
            "/v1/personas",
            Some("personas:write"),
            NotApplicable,
        ),
        route(Method::GET, "/v1/personas", Some("personas:read"), Own),
        route(
            Method::GET,
            "/v1/personas/{ref}",
            Some("personas:read"),
            Hidden,
        ),
        route(
            Method::PATCH,
            "/v1/personas/{ref}",
            Some("personas:write"),
            Hidden,
        ),
        route(
            Method::GET,
            "/v1/personas/{ref}/versions",
            Some("personas:read"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/personas/{ref}/fork",
            Some("personas:fork"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/personas/{ref}/archive",
            Some("personas:write"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/personas/{ref}/unarchive",
            Some("personas:write"),
            Hidden,
        ),
        route(Method::GET, "/v1/runs", Some("runs:read"), Own),
        route(Method::GET, "/v1/runs/{id}", Some("runs:read"), Hidden),
        route(
            Method::POST,
            "/v1/runs/{id}/cancel",
            Some("runs:cancel"),
            Hidden,
        ),
        route(
            Method::GET,
            "/v1/runs/{id}/events",
            Some("runs:read"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/chat/conversations",
            Some("chat:invoke"),
            Hidden,
        ),
        route(
            Method::GET,
            "/v1/chat/conversations/{id}",
            Some("chat:read"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/chat/conversations/{id}/messages",
            Some("chat:invoke"),
            Hidden,
        ),
        route(Method::GET, "/v1/openai/models", Some("personas:read"), Own),
        route(
            Method::GET,
            "/v1/openai/models/{*model}",
            Some("personas:read"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/openai/chat/completions",
            Some("chat:invoke"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/openai/embeddings",
            Some("chat:invoke"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/openai/moderations",
            Some("chat:invoke"),
            NotApplicable,
        ),
        route(
            Method::POST,
            "/v1/webhooks",
            Some("webhooks:manage"),
            NotApplicable,
        ),
        route(Method::GET, "/v1/webhooks", Some("webhooks:manage"), Own),
        route(
            Method::DELETE,
            "/v1/webhooks/{id}",
            Some("webhooks:manage"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/webhooks/{id}/test",
            Some("webhooks:manage"),
            Hidden,
        ),
        route(
            Method::GET,
            "/v1/webhooks/listen",
            Some("webhooks:manage"),
            NotApplicable,
        ),
        route(
            Method::GET,
            "/v1/webhooks/deliveries",
            Some("webhooks:manage"),
            Own,
        ),
        route(
            Method::GET,
            "/v1/webhooks/deliveries/{id}",
            Some("webhooks:manage"),
            Hidden,
        ),
        route(
            Method::POST,
            "/v1/webhooks/deliveries/{id}/replay",
            Some("webhooks:manage"),
            Hidden,
        ),
    ]
}

/// Workspace A's resources, named in the paths and bodies of the table.
struct Resources {
    persona: String,
    run: String,
    conversation: String,
    webhook: String,
    delivery: String,
}

impl Resources {
    async fn create(api: &Api) -> Resources {
        let key = api.dev_key();
        let (status, persona) = api
            .call(
                Method::POST,
                "/v1/personas",
                Some(&key),
                Some(&json!({ "intent": BRIEF })),
            )
            .await;
        assert_eq!(status, 201, "{persona}");
        let (_, conversation) = api
            .call(
                Method::POST,
                "/v1/chat/conversations",
                Some(&key),
                Some(&json!({ "persona_id": persona["id"] })),
            )
            .await;
        // A closed port on loopback: deliveries fail here and go nowhere else.
        let (status, webhook) = api
            .call(
                Method::POST,
                "/v1/webhooks",
                Some(&key),
                Some(&json!({ "url": "http://127.0.0.1:9/hook" })),
            )
            .await;
        assert_eq!(status, 201, "{webhook}");
        let webhook = webhook["id"].as_str().unwrap().to_string();
        let (status, sent) = api
            .call(
                Method::POST,
                &format!("/v1/webhooks/{webhook}/test"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(status, 202, "{sent}");
        Resources {
            persona: persona["id"].as_str().unwrap().to_string(),
            run: persona["run"]["id"].as_str().unwrap().to_string(),
            conversation: conversation["id"].as_str().unwrap().to_string(),
            webhook,
            delivery: sent["delivery_id"].as_str().unwrap().to_string(),
        }
    }

    fn path(&self, template: &str) -> String {
        let id = if template.starts_with("/v1/runs") {
            &self.run
        } else if template.starts_with("/v1/chat/conversations") {
            &self.conversation
        } else if template.starts_with("/v1/webhooks/deliveries") {
            &self.delivery
        } else {
            &self.webhook
        };
        template
            .replace("{ref}", &self.persona)
            .replace("{id}", id)
            .replace("{*model}", &format!("persona/{}", self.persona))
    }

    fn body(&self, route: &Route) -> Option<Value> {
        let model = format!("persona/{}", self.persona);
        Some(match (route.method.as_str(), route.template) {
            ("POST", "/v1/personas") => json!({ "intent": BRIEF }),
            ("PATCH", _) => json!({ "mask": { "voice": { "register": "taken over" } } }),
            ("POST", "/v1/chat/conversations") => json!({ "persona_id": self.persona }),
            ("POST", "/v1/chat/conversations/{id}/messages") => json!({ "message": "hello" }),
            ("POST", "/v1/openai/chat/completions") => {
                json!({ "model": model, "messages": [{ "role": "user", "content": "hello" }] })
            }
            ("POST", "/v1/openai/embeddings") => json!({ "model": model, "input": "hello" }),
            ("POST", "/v1/openai/moderations") => json!({ "input": "hello" }),
            ("POST", "/v1/webhooks") => json!({ "url": "http://127.0.0.1:9/other" }),
            ("POST", "/v1/auth/device/code") => json!({ "client_id": "persona-cli" }),
            ("POST", "/v1/auth/device/token") => json!({ "device_code": "nope" }),
            ("POST", _) => json!({}),
            _ => return None,
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_needs_its_key_and_scope_and_keeps_other_workspaces_out() {
    let api = Api::start().await;
    let table = routes();
    let mut listed: Vec<String> = table
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    listed.sort();
    let mut served = server::route_list();
    served.sort();
    assert_eq!(
        listed, served,
        "a route was added or removed: extend this table"
    );

    let a = Resources::create(&api).await;
    let other = api.key("ws_other", &ALL_SCOPES);
    // Another workspace makes resources of its own, so its lists are not empty by chance.
    let _ = Resources::create_for(&api, &other).await;

    for route in &table {
        let path = a.path(route.template);
        let body = a.body(route);
        let name = format!("{} {}", route.method, route.template);
        if route.template == "/v1/webhooks/listen" {
            // A stream that stays open: only its guards are checked (below, with short reads).
            continue;
        }
        let Some(scope) = route.scope else {
            let (status, _) = api
                .call(route.method.clone(), &path, None, body.as_ref())
                .await;
            assert!(
                status < 500 && status != 401,
                "{name}: no key needed, got {status}"
            );
            continue;
        };

        let (status, error) = api
            .call(route.method.clone(), &path, None, body.as_ref())
            .await;
        assert_eq!(status, 401, "{name} without a key: {error}");

        if !scope.is_empty() {
            let others: Vec<&str> = ALL_SCOPES.iter().copied().filter(|s| *s != scope).collect();
            let lacking = api.key("ws_local", &others);
            let (status, error) = api
                .call(route.method.clone(), &path, Some(&lacking), body.as_ref())
                .await;
            assert_eq!(status, 403, "{name} without {scope}: {error}");
            if !route.template.starts_with("/v1/openai") {
                assert_eq!(error["error"]["code"], "auth.insufficient_scope", "{name}");
            }
        }

        match route.other_workspace {
            Isolation::Hidden => {
                let (status, error) = api
                    .call(route.method.clone(), &path, Some(&other), body.as_ref())
                    .await;
                assert_eq!(status, 404, "{name} with another workspace's key: {error}");
            }
            Isolation::Own => {
                let (status, page) = api
                    .call(route.method.clone(), &path, Some(&other), None)
                    .await;
                assert_eq!(status, 200, "{name}: {page}");
                let text = page.to_string();
                for id in [&a.persona, &a.run, &a.conversation, &a.webhook, &a.delivery] {
                    assert!(
                        !text.contains(id.as_str()),
                        "{name} shows {id} to another workspace"
                    );
                }
            }
            Isolation::NotApplicable => {}
        }
    }

    // Nothing of A's changed through B's key.
    let key = api.dev_key();
    let (_, persona) = api
        .call(
            Method::GET,
            &format!("/v1/personas/{}", a.persona),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(persona["version"], 1);
    assert!(persona["archived_at"].is_null());
    let (status, _) = api
        .call(
            Method::GET,
            &format!("/v1/webhooks/deliveries/{}", a.delivery),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(status, 200);

    // The listen stream: a key and the scope before anything is streamed.
    let listen = "/v1/webhooks/listen";
    let (status, _) = api.call(Method::GET, listen, None, None).await;
    assert_eq!(status, 401);
    let lacking = api.key("ws_local", &["personas:read"]);
    let (status, _) = api.call(Method::GET, listen, Some(&lacking), None).await;
    assert_eq!(status, 403);

    // Revoking "the current key" revokes the caller's own key and no other.
    let doomed = api.key("ws_other", &["personas:read"]);
    let (status, _) = api
        .call(Method::DELETE, "/v1/auth/keys/current", Some(&doomed), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .call(Method::GET, "/v1/auth/whoami", Some(&doomed), None)
        .await;
    assert_eq!(status, 401);
    for key in [&key, &other] {
        let (status, _) = api
            .call(Method::GET, "/v1/auth/whoami", Some(key), None)
            .await;
        assert_eq!(status, 200);
    }
    api.handle.shutdown().await;
}

impl Resources {
    /// A persona of another workspace, so that its lists have something in them.
    async fn create_for(api: &Api, key: &str) -> Value {
        let (status, persona) = api
            .call(
                Method::POST,
                "/v1/personas",
                Some(key),
                Some(&json!({ "intent": "a night-shift baker" })),
            )
            .await;
        assert_eq!(status, 201, "{persona}");
        persona
    }
}

/// Whether a route reads or changes a persona or what hangs off one (its runs, conversations,
/// the OpenAI models standing for it): the routes a private persona is hidden on.
fn shows_persona_data(template: &str) -> bool {
    [
        "/v1/personas",
        "/v1/runs",
        "/v1/chat",
        "/v1/openai/models",
        "/v1/openai/chat",
        "/v1/openai/embeddings",
    ]
    .iter()
    .any(|prefix| template.starts_with(prefix))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_persona_shows_only_to_keys_of_its_owner_on_every_read_route() {
    let api = Api::start().await;
    // The development key's private persona (private is the default), its run, a conversation.
    let a = Resources::create(&api).await;
    let same_owner = api.key("ws_local", &ALL_SCOPES);
    let other_owner = api.key_of("ws_local", &ALL_SCOPES, "ada");
    let (_, whoami) = api
        .call(Method::GET, "/v1/auth/whoami", Some(&other_owner), None)
        .await;
    assert_eq!(whoami["owner"], "ada");
    let (_, whoami) = api
        .call(Method::GET, "/v1/auth/whoami", Some(&same_owner), None)
        .await;
    assert_eq!(whoami["owner"], server::LOCAL_OWNER);
    let (_, persona) = api
        .call(
            Method::GET,
            &format!("/v1/personas/{}", a.persona),
            Some(&same_owner),
            None,
        )
        .await;
    let slug = persona["slug"].as_str().unwrap().to_string();
    // Ada's own persona, so that her lists are not empty by chance.
    let hers = Resources::create_for(&api, &other_owner).await;

    let table: Vec<Route> = routes()
        .into_iter()
        .filter(|route| {
            shows_persona_data(route.template) && route.other_workspace != Isolation::NotApplicable
        })
        .collect();
    assert!(table.len() >= 15, "the table lost its persona routes");
    for route in &table {
        let path = a.path(route.template);
        let body = a.body(route);
        let name = format!("{} {}", route.method, route.template);
        match route.other_workspace {
            Isolation::Hidden => {
                let (status, error) = api
                    .call(
                        route.method.clone(),
                        &path,
                        Some(&other_owner),
                        body.as_ref(),
                    )
                    .await;
                assert_eq!(status, 404, "{name} with another owner's key: {error}");
            }
            Isolation::Own => {
                let (status, page) = api
                    .call(route.method.clone(), &path, Some(&other_owner), None)
                    .await;
                assert_eq!(status, 200, "{name}: {page}");
                let text = page.to_string();
                for id in [&a.persona, &a.run] {
                    assert!(
                        !text.contains(id.as_str()),
                        "{name} shows {id} to another owner"
                    );
                }
                // The owner's other key lists it (the models list names it by its slug).
                let (_, page) = api
                    .call(route.method.clone(), &path, Some(&same_owner), None)
                    .await;
                let text = page.to_string();
                assert!(
                    text.contains(a.persona.as_str()) || text.contains(&format!("persona/{slug}")),
                    "{name}: {page}"
                );
            }
            Isolation::NotApplicable => unreachable!(),
        }
    }
    // Another key of the same owner reads it all (writes last, so the reads see version 1).
    let mut reads: Vec<&Route> = table.iter().filter(|r| r.method == Method::GET).collect();
    reads.extend(table.iter().filter(|r| r.method != Method::GET));
    for route in reads {
        let path = a.path(route.template);
        let body = a.body(route);
        let name = format!("{} {}", route.method, route.template);
        let (status, answer) = api
            .call(
                route.method.clone(),
                &path,
                Some(&same_owner),
                body.as_ref(),
            )
            .await;
        // Canceling a run that already ended is a conflict, not a hidden run.
        assert!(
            status < 400 || status == 409,
            "{name} with the owner's other key: {status} {answer}"
        );
    }
    // A version reference is hidden the same way, and Ada's persona is hers alone.
    let (status, _) = api
        .call(
            Method::GET,
            &format!("/v1/personas/{}@v1", a.persona),
            Some(&other_owner),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .call(
            Method::GET,
            &format!("/v1/personas/{}", hers["id"].as_str().unwrap()),
            Some(&same_owner),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // MCP: search, invoke and fork do not find it for Ada.
    let found = mcp_tool(
        &api,
        &other_owner,
        "persona.search",
        json!({ "query": "bookseller" }),
    )
    .await;
    assert!(!found.to_string().contains(a.persona.as_str()), "{found}");
    for (tool, arguments) in [
        (
            "persona.invoke",
            json!({ "persona": a.persona, "message": "hello" }),
        ),
        ("persona.fork", json!({ "persona": a.persona })),
    ] {
        let answer = mcp_tool(&api, &other_owner, tool, arguments).await;
        assert_eq!(answer["isError"], true, "{tool}: {answer}");
        assert!(answer.to_string().contains("not found"), "{tool}: {answer}");
    }
    let found = mcp_tool(
        &api,
        &same_owner,
        "persona.search",
        json!({ "query": "bookseller" }),
    )
    .await;
    assert!(found.to_string().contains(a.persona.as_str()), "{found}");
}

/// A tool call over MCP Streamable HTTP; the result (or error) object of the answer.
async fn mcp_tool(api: &Api, key: &str, tool: &str, arguments: Value) -> Value {
    crate::common::mcp_tool_call(&api.http, &api.base, key, tool, arguments).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_tools_see_nothing_of_another_workspace() {
    let api = Api::start().await;
    let a = Resources::create(&api).await;
    let other = api.key("ws_other", &ALL_SCOPES);
    let theirs = Resources::create_for(&api, &other).await;

    let invoke = mcp_tool(
        &api,
        &other,
        "persona.invoke",
        json!({ "persona": a.persona, "message": "hello" }),
    )
    .await;
    assert_eq!(invoke["isError"], true, "{invoke}");
    assert!(invoke.to_string().contains("not found"), "{invoke}");
    let fork = mcp_tool(
        &api,
        &other,
        "persona.fork",
        json!({ "persona": a.persona }),
    )
    .await;
    assert_eq!(fork["isError"], true, "{fork}");
    let scene = mcp_tool(
        &api,
        &other,
        "ensemble.scenario",
        json!({ "personas": [a.persona, theirs["id"]], "scene": "a bookshop at closing time" }),
    )
    .await;
    assert_eq!(scene["isError"], true, "{scene}");
    let search = mcp_tool(
        &api,
        &other,
        "persona.search",
        json!({ "query": "bookseller Istanbul" }),
    )
    .await;
    assert!(!search.to_string().contains(&a.persona), "{search}");

    // Scopes hold over MCP as over REST.
    let reader = api.key("ws_local", &["personas:read"]);
    let invoke = mcp_tool(
        &api,
        &reader,
        "persona.invoke",
        json!({ "persona": a.persona, "message": "hello" }),
    )
    .await;
    assert_eq!(invoke["isError"], true, "{invoke}");
    assert!(
        invoke.to_string().contains("insufficient_scope"),
        "{invoke}"
    );
    api.handle.shutdown().await;
}

#[test]
fn keys_are_hashed_at_rest_and_kept_out_of_output_and_logs() {
    let env = TestEnv::new();
    let created = env.run(&["dev", "keys", "create", "--json"]).success();
    let key = created.json()["api_key"].as_str().unwrap().to_string();
    let server = env.serve(&[]);
    let mut client = TestEnv::new();
    client.set("PERSONA_API_URL", &server.base_url);
    client.set("PERSONA_API_KEY", &key);
    client.create(BRIEF, &["-vv"]);
    let outcome = client.run(&["-vv", "personas", "list"]).success();
    assert!(
        outcome.stderr.contains("GET"),
        "-vv shows requests: {}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains(&key) && !outcome.stdout.contains(&key));
    drop(server);

    // Neither the dev server's own key nor the lasting one is in the store, in any form but a hash.
    for entry in std::fs::read_dir(env.data_dir()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&key), "a key in plain text in the store");
        assert!(!text.contains(&key["pk_test_".len()..]));
    }

    // The server's log names requests, never the key they carried.
    let mut serve = env
        .command(&["dev", "serve", "--addr", "127.0.0.1:0", "-vv"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(serve.stdout.take().unwrap()),
        &mut url,
    )
    .unwrap();
    client.set("PERSONA_API_URL", url.trim());
    client.run(&["personas", "list"]).success();
    client.run(&["runs", "list"]).success();
    let _ = serve.kill();
    let output = serve.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("GET /v1/personas"), "{log}");
    assert!(!log.contains(&key), "the key in the server's log:\n{log}");
}

#[test]
fn a_key_is_never_sent_over_plain_http_to_a_remote_host() {
    let mut env = TestEnv::new();
    // `.invalid` never resolves: nothing could be sent even if the check were missing.
    env.set("PERSONA_API_URL", "http://persona.invalid/v1");
    env.set("PERSONA_API_KEY", "pk_test_notsentanywhere");
    let outcome = env.run(&["personas", "list"]).code(2);
    assert!(
        outcome
            .stderr
            .contains("refusing to send an API key over plain HTTP"),
        "{}",
        outcome.stderr
    );
    let login = env.run_with_stdin(
        &[
            "--profile",
            "remote",
            "auth",
            "login",
            "--api-url",
            "http://persona.invalid/v1",
            "--with-key",
        ],
        "pk_test_notsentanywhere\n",
    );
    assert_ne!(login.code, 0);
    assert!(login.stderr.contains("plain HTTP"), "{}", login.stderr);
    assert!(
        !env.path("config/credentials.yml").exists(),
        "nothing stored"
    );
}

#[test]
fn files_holding_secrets_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let server = env.serve(&[]);
    env.run_with_stdin(
        &[
            "--profile",
            "dev",
            "auth",
            "login",
            "--api-url",
            &server.base_url,
            "--with-key",
        ],
        &format!("{}\n", server.key),
    )
    .success();
    let credentials = env.path("config/credentials.yml");
    assert_eq!(
        std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    // Logging in again rewrites the file; it stays private.
    env.run_with_stdin(
        &[
            "--profile",
            "dev2",
            "auth",
            "login",
            "--api-url",
            &server.base_url,
            "--with-key",
        ],
        &format!("{}\n", server.key),
    )
    .success();
    assert_eq!(
        std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let config = std::fs::read_to_string(env.path("config/config.yml")).unwrap();
    assert!(
        !config.contains(&server.key),
        "the config file holds no key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_activation_page_cannot_be_framed() {
    let api = Api::start().await;
    let (_, login) = api
        .call(
            Method::POST,
            "/v1/auth/device/code",
            None,
            Some(&json!({ "client_id": "persona-cli" })),
        )
        .await;
    let page = api
        .http
        .get(login["verification_uri_complete"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    // Without a session the page says how to sign in; it is no more frameable than the code's.
    assert_eq!(page.status(), 403);
    let headers = page.headers();
    assert_eq!(headers["x-frame-options"], "DENY");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("form-action 'self'"), "{policy}");
    api.handle.shutdown().await;
}
