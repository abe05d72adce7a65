//! The server side of `persona auth` over real HTTP: the device login with its activation pages,
//! denial, expiry, slow_down, used codes, refused origins, escaping, and key revocation.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use persona::server::{self, ServerConfig, ServerHandle, store::Store};
use serde_json::{Value, json};

/// An in-process server over a temp store.
struct Api {
    handle: ServerHandle,
    /// `http://127.0.0.1:PORT`.
    origin: String,
    http: reqwest::Client,
    data: tempfile::TempDir,
}

/// A page: status, headers, HTML.
type Page = (u16, reqwest::header::HeaderMap, String);

impl Api {
    async fn start() -> Api {
        Self::start_with(|_| {}).await
    }

    async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Api {
        let data = tempfile::tempdir().unwrap();
        let mut config = ServerConfig::new(data.path().to_path_buf());
        configure(&mut config);
        let handle = server::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap();
        Api {
            origin: format!("http://{}", handle.addr),
            handle,
            http: crate::common::http_client(),
            data,
        }
    }

    async fn json(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        Self::json_of(request).await
    }

    async fn json_of(request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// A POST to `/v1{path}` without a key.
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.json(
            self.http
                .post(format!("{}/v1{path}", self.origin))
                .json(&body),
        )
        .await
    }

    /// A call to `/v1{path}` with `key`.
    async fn with_key(&self, method: reqwest::Method, path: &str, key: &str) -> (u16, Value) {
        self.json(
            self.http
                .request(method, format!("{}/v1{path}", self.origin))
                .bearer_auth(key),
        )
        .await
    }

    /// Starts a device login and checks the shape of the answer.
    async fn start_login(&self, body: Value) -> Value {
        let (status, code) = self.post("/auth/device/code", body).await;
        assert_eq!(status, 200, "{code}");
        code
    }

    async fn poll(&self, device_code: &Value) -> (u16, Value) {
        self.post("/auth/device/token", json!({ "device_code": device_code }))
            .await
    }

    async fn page_at(&self, url: &str) -> Page {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// The activation page of a login, as its `verification_uri_complete` shows it.
    async fn page(&self, login: &Value) -> Page {
        self.page_at(login["verification_uri_complete"].as_str().unwrap())
            .await
    }

    /// Posts the activation form as a browser on this server's page would.
    async fn decide(
        &self,
        fields: &[(&str, &str)],
        origin: Option<&str>,
        host: Option<&str>,
    ) -> (u16, String) {
        let mut request = self
            .http
            .post(format!("{}/cli/activate", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(host) = host {
            request = request.header("host", host);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Shows the page of `login` and presses `decision` on it, from this server's own origin.
    async fn press(&self, login: &Value, decision: &str) -> (u16, String) {
        let (status, _, html) = self.page(login).await;
        assert_eq!(status, 200, "{html}");
        let user_code = login["user_code"].as_str().unwrap();
        let token = hidden(&html, "token");
        self.decide(
            &[
                ("user_code", user_code),
                ("token", &token),
                ("decision", decision),
            ],
            Some(&self.origin),
            None,
        )
        .await
    }

    fn store(&self) -> Store {
        Store::open(self.data.path()).unwrap()
    }
}

/// The value of the hidden input `name` of a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_login_mints_a_key_once() {
    let api = Api::start_with(|c| c.device_poll_interval = Duration::from_secs(1)).await;
    let login = api
        .start_login(json!({ "client_id": "persona-cli", "scopes": ["personas:read", "runs:*"] }))
        .await;
    let user_code = login["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert!(
        user_code
            .chars()
            .all(|c| c == '-' || "BCDFGHJKLMNPQRSTVWXZ".contains(c)),
        "{user_code}"
    );
    assert_eq!(
        login["verification_uri"],
        format!("{}/cli/activate", api.origin)
    );
    assert_eq!(
        login["verification_uri_complete"],
        format!("{}/cli/activate?user_code={user_code}", api.origin)
    );
    assert_eq!(login["expires_in"], 900);
    assert_eq!(login["interval"], 1);

    let (status, pending) = api.poll(&login["device_code"]).await;
    assert_eq!(
        (status, code(&pending)),
        (400, "auth.authorization_pending")
    );
    assert_eq!(pending["error"]["type"], "auth");

    let (status, headers, html) = api.page(&login).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(html.contains("<title>Authorize the Persona CLI"), "{html}");
    assert!(html.contains(&format!("id=\"user-code\">{user_code}<")));
    assert!(html.contains("Local workspace") && html.contains("ws_local"));
    assert!(html.contains("personas:read") && html.contains("runs:*"));
    assert!(html.contains("id=\"approve\">Approve</button>"));
    assert!(html.contains("id=\"deny\">Deny</button>"));
    assert!(!html.contains("<script"));

    let token = hidden(&html, "token");
    let (status, result) = api
        .decide(
            &[
                ("user_code", &user_code.to_lowercase()),
                ("token", &token),
                ("decision", "approve"),
            ],
            Some(&api.origin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{result}");
    assert!(result.contains("You can close this window and return to the terminal"));

    // An approved code answers at once, however soon after the last poll.
    let (status, minted) = api.poll(&login["device_code"]).await;
    assert_eq!(status, 200, "{minted}");
    let key = minted["api_key"].as_str().unwrap();
    assert!(key.starts_with("pk_test_"));
    assert!(minted["key_id"].as_str().unwrap().starts_with("key_"));
    assert_eq!(
        minted["workspace"],
        json!({ "id": "ws_local", "name": "Local workspace" })
    );
    assert_eq!(minted["scopes"], json!(["personas:read", "runs:*"]));

    let (status, me) = api
        .with_key(reqwest::Method::GET, "/auth/whoami", key)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["key_id"], minted["key_id"]);
    assert_eq!(me["expires_at"], minted["expires_at"]);
    assert_eq!(me["scopes"], minted["scopes"]);
    let expires = me["expires_at"].as_str().unwrap();
    let now = persona::server::clock::now();
    let in_89_days = persona::server::clock::rfc3339(now + 89 * 86_400);
    let in_91_days = persona::server::clock::rfc3339(now + 91 * 86_400);
    assert!(
        in_89_days.as_str() < expires && expires < in_91_days.as_str(),
        "{expires}"
    );
    let (status, _) = api.with_key(reqwest::Method::GET, "/runs", key).await;
    assert_eq!(status, 200);
    let (status, refused) = api
        .with_key(reqwest::Method::POST, "/personas/psn_none/archive", key)
        .await;
    assert_eq!((status, code(&refused)), (403, "auth.insufficient_scope"));

    // The code is used up: neither a second key nor a second decision.
    let (status, again) = api.poll(&login["device_code"]).await;
    assert_eq!((status, code(&again)), (400, "auth.expired_token"));
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 410);
    assert!(html.contains("no longer waiting"), "{html}");
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_login_gets_no_key() {
    let api = Api::start().await;
    let login = api.start_login(json!({ "client_id": "persona-cli" })).await;
    let (status, html) = api.press(&login, "deny").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Login denied"));
    assert!(html.contains("return to the terminal"));
    for _ in 0..2 {
        let (status, denied) = api.poll(&login["device_code"]).await;
        assert_eq!((status, code(&denied)), (400, "auth.access_denied"));
    }
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 410);
    assert!(html.contains("was denied"));
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_can_be_neither_approved_nor_redeemed() {
    let api = Api::start_with(|c| c.device_code_ttl = Duration::from_secs(1)).await;
    let login = api.start_login(json!({ "client_id": "persona-cli" })).await;
    assert_eq!(login["expires_in"], 1);
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 200);
    let token = hidden(&html, "token");
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let (status, expired) = api.poll(&login["device_code"]).await;
    assert_eq!((status, code(&expired)), (400, "auth.expired_token"));
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 410);
    assert!(html.contains("expired"));
    let (status, html) = api
        .decide(
            &[
                ("user_code", login["user_code"].as_str().unwrap()),
                ("token", &token),
                ("decision", "approve"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 410, "{html}");
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_faster_than_the_interval_is_told_to_slow_down() {
    let api = Api::start_with(|c| c.device_poll_interval = Duration::from_secs(1)).await;
    let login = api.start_login(json!({ "client_id": "persona-cli" })).await;
    let (status, first) = api.poll(&login["device_code"]).await;
    assert_eq!((status, code(&first)), (400, "auth.authorization_pending"));
    let (status, second) = api.poll(&login["device_code"]).await;
    assert_eq!((status, code(&second)), (400, "auth.slow_down"));
    assert_eq!(second["error"]["type"], "auth");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (status, third) = api.poll(&login["device_code"]).await;
    assert_eq!((status, code(&third)), (400, "auth.authorization_pending"));

    let (status, unknown) = api.poll(&json!("not-a-device-code")).await;
    assert_eq!((status, code(&unknown)), (400, "auth.expired_token"));
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_origins_hosts_and_stale_tokens_are_refused() {
    let api = Api::start().await;
    let login = api.start_login(json!({ "client_id": "persona-cli" })).await;
    let user_code = login["user_code"].as_str().unwrap();
    let (_, _, first_page) = api.page(&login).await;
    let stale = hidden(&first_page, "token");
    let (_, _, html) = api.page(&login).await;
    let token = hidden(&html, "token");
    let approve = [
        ("user_code", user_code),
        ("token", token.as_str()),
        ("decision", "approve"),
    ];

    let (status, html) = api
        .decide(&approve, Some("http://evil.example"), None)
        .await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("another site"));
    let (status, _) = api.decide(&approve, Some("null"), None).await;
    assert_eq!(status, 403);
    // A page reached through a name that is not this machine's (DNS rebinding).
    let host = "evil.example";
    let (status, _) = api
        .decide(&approve, Some(&format!("http://{host}")), Some(host))
        .await;
    assert_eq!(status, 403);
    let response = api
        .http
        .get(format!("{}/cli/activate", api.origin))
        .header("host", host)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    let (status, html) = api
        .decide(
            &[
                ("user_code", user_code),
                ("token", &stale),
                ("decision", "approve"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("out of date"));
    let (status, html) = api
        .decide(
            &[
                ("user_code", user_code),
                ("token", &token),
                ("decision", "maybe"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 400, "{html}");
    let (status, _) = api.decide(&[("user_code", user_code)], None, None).await;
    assert_eq!(status, 400);

    let (status, pending) = api.poll(&login["device_code"]).await;
    assert_eq!(
        (status, code(&pending)),
        (400, "auth.authorization_pending")
    );

    // Without an Origin header (some clients send none), the right token still works.
    let (status, html) = api.decide(&approve, None, None).await;
    assert_eq!(status, 200, "{html}");
    let (status, _) = api.poll(&login["device_code"]).await;
    assert_eq!(status, 200);
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_escapes_what_it_shows_and_keys_follow_the_workspace_mode() {
    let api = Api::start().await;
    let hostile = "<script>alert(\"x\")</script> & Co";
    api.store()
        .ensure_workspace("ws_hostile", hostile, "live")
        .unwrap();
    let login = api
        .start_login(json!({ "client_id": "persona-cli", "workspace": "ws_hostile" }))
        .await;
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");

    let (status, html) = api.press(&login, "approve").await;
    assert_eq!(status, 200, "{html}");
    let (status, minted) = api.poll(&login["device_code"]).await;
    assert_eq!(status, 200, "{minted}");
    assert!(minted["api_key"].as_str().unwrap().starts_with("pk_live_"));
    assert_eq!(minted["workspace"]["name"], hostile);
    assert_eq!(
        minted["scopes"],
        json!(["personas:*", "runs:read", "chat:invoke"])
    );

    let typed = format!("{}/cli/activate?user_code=%3Cb%3Ex", api.origin);
    let (status, _, html) = api.page_at(&typed).await;
    assert_eq!(status, 404);
    assert!(
        html.contains("&lt;b&gt;x") && !html.contains("<b>x"),
        "{html}"
    );
    let (status, _, html) = api
        .page_at(&format!("{}/cli/activate?user_code=BBBB-BBBB", api.origin))
        .await;
    assert_eq!(status, 404);
    assert!(html.contains("name=\"user_code\""));
    let (status, headers, html) = api.page_at(&format!("{}/cli/activate", api.origin)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(html.contains("<form method=\"get\" action=\"/cli/activate\">"));
    assert!(html.contains("name=\"user_code\""));
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_login_request_is_checked() {
    let api = Api::start().await;
    let cases = [
        (json!({}), 400, "request.invalid"),
        (json!({ "client_id": "other" }), 400, "request.invalid"),
        (
            json!({ "client_id": "persona-cli", "extra": 1 }),
            400,
            "request.invalid",
        ),
        (
            json!({ "client_id": "persona-cli", "scopes": ["runs:write"] }),
            400,
            "request.invalid",
        ),
        (
            json!({ "client_id": "persona-cli", "scopes": [] }),
            400,
            "request.invalid",
        ),
        (
            json!({ "client_id": "persona-cli", "workspace": "ws_nowhere" }),
            404,
            "resource.not_found",
        ),
    ];
    for (body, expected_status, expected_code) in cases {
        let (status, answer) = api.post("/auth/device/code", body.clone()).await;
        assert_eq!(
            (status, code(&answer)),
            (expected_status, expected_code),
            "{body}"
        );
    }
    let (status, answer) = api
        .post(
            "/auth/device/code",
            json!({ "client_id": "persona-cli", "scopes": ["runs:wrong"] }),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"]["details"],
        json!([{ "pointer": "/scopes/0" }])
    );
    let (status, answer) = api
        .post(
            "/auth/device/token",
            json!({ "device_code": "x", "more": 1 }),
        )
        .await;
    assert_eq!((status, code(&answer)), (400, "request.invalid"));
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_is_refused_everywhere() {
    let api = Api::start().await;
    let scopes = vec!["personas:read".to_string()];
    let (key, _) = server::create_key(
        &api.store(),
        "ws_local",
        "test",
        &scopes,
        server::LOCAL_OWNER,
        90,
    )
    .unwrap();
    let (status, _) = api
        .with_key(reqwest::Method::GET, "/auth/whoami", &key)
        .await;
    assert_eq!(status, 200);
    let response = api
        .http
        .delete(format!("{}/v1/auth/keys/current", api.origin))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.text().await.unwrap().is_empty());
    for (method, path) in [
        (reqwest::Method::GET, "/auth/whoami"),
        (reqwest::Method::GET, "/personas"),
        (reqwest::Method::DELETE, "/auth/keys/current"),
    ] {
        let (status, refused) = api.with_key(method, path, &key).await;
        assert_eq!(
            (status, code(&refused)),
            (401, "auth.invalid_key"),
            "{path}"
        );
    }

    // The development key lives in the server's memory; it is revoked the same way.
    let dev_key = api.handle.dev_key.clone();
    let (status, _) = api
        .with_key(reqwest::Method::DELETE, "/auth/keys/current", &dev_key)
        .await;
    assert_eq!(status, 204);
    let (status, refused) = api
        .with_key(reqwest::Method::GET, "/auth/whoami", &dev_key)
        .await;
    assert_eq!((status, code(&refused)), (401, "auth.invalid_key"));
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
    let (status, _) = api
        .with_key(
            reqwest::Method::DELETE,
            "/auth/keys/current",
            "pk_test_unknown",
        )
        .await;
    assert_eq!(status, 401);
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_serve_sets_the_device_login_timing() {
    let env = crate::common::TestEnv::new();
    let server = env.serve(&["--device-code-ttl", "60", "--device-poll-interval", "2"]);
    let (status, login) = Api::json_of(
        crate::common::http_client()
            .post(format!("{}/auth/device/code", server.base_url))
            .json(&json!({ "client_id": "persona-cli" })),
    )
    .await;
    assert_eq!(status, 200, "{login}");
    assert_eq!(login["expires_in"], 60);
    assert_eq!(login["interval"], 2);
    assert_eq!(
        login["verification_uri"],
        format!("http://{}/cli/activate", server.addr())
    );
}
