//! The server side of `persona auth` over real HTTP: the device login with its activation pages
//! (approved only by a browser signed in through a one-time link), denial, expiry, slow_down,
//! used codes, refused origins, escaping, per-address limits, and key revocation.

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
    /// `name=value` of the session cookie of a browser signed in at start.
    cookie: String,
}

/// A page: status, headers, HTML.
type Page = (u16, reqwest::header::HeaderMap, String);

impl Api {
    async fn start() -> Api {
        Self::start_with(|_| {}).await
    }

    async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Api {
        let (handle, data) = crate::common::spawn_server(configure).await;
        let mut api = Api {
            origin: format!("http://{}", handle.addr),
            handle,
            http: crate::common::http_client(),
            data,
            cookie: String::new(),
        };
        api.cookie = api.new_session().await;
        api
    }

    /// Opens `url` as a browser would, without following a redirect: status and headers.
    async fn open_signin(&self, url: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// Signs a new browser in with a fresh link; the session cookie as `name=value`.
    async fn new_session(&self) -> String {
        let url = self.handle.signin_url().unwrap();
        let (status, headers, body) = self.open_signin(&url).await;
        assert_eq!(status, 303, "{body}");
        set_cookie(&headers).split(';').next().unwrap().to_string()
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

    /// A page as the signed-in browser sees it.
    async fn page_at(&self, url: &str) -> Page {
        self.page_as(url, Some(&self.cookie)).await
    }

    async fn page_as(&self, url: &str, cookie: Option<&str>) -> Page {
        let mut request = self.http.get(url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// The activation page of a login, as its `verification_uri_complete` shows it.
    async fn page(&self, login: &Value) -> Page {
        self.page_at(login["verification_uri_complete"].as_str().unwrap())
            .await
    }

    /// Posts the activation form as the signed-in browser on this server's page would.
    async fn decide(
        &self,
        fields: &[(&str, &str)],
        origin: Option<&str>,
        host: Option<&str>,
    ) -> (u16, String) {
        self.decide_as(fields, origin, host, Some(&self.cookie))
            .await
    }

    async fn decide_as(
        &self,
        fields: &[(&str, &str)],
        origin: Option<&str>,
        host: Option<&str>,
        cookie: Option<&str>,
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
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
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

/// The one Set-Cookie header of an answer.
fn set_cookie(headers: &reqwest::header::HeaderMap) -> String {
    let all: Vec<_> = headers.get_all("set-cookie").iter().collect();
    assert_eq!(all.len(), 1, "{headers:?}");
    all[0].to_str().unwrap().to_string()
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
    let now = persona::clock::now();
    let in_89_days = persona::clock::rfc3339(now + 89 * 86_400);
    let in_91_days = persona::clock::rfc3339(now + 91 * 86_400);
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
            json!({ "client_id": "persona-cli", "workspace": "nowhere" }),
            400,
            "request.invalid",
        ),
        (
            json!({ "client_id": "persona-cli", "workspace": format!("ws_{}", "a".repeat(200)) }),
            400,
            "request.invalid",
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_is_not_signed_in_can_neither_see_nor_approve_a_login() {
    let api = Api::start().await;
    api.store()
        .ensure_workspace("ws_other", "Other studio", "test")
        .unwrap();
    // Someone who can reach the port but holds no credential asks for everything on ws_other.
    let login = api
        .start_login(json!({
            "client_id": "persona-cli", "workspace": "ws_other", "scopes": persona::model::ALL_SCOPES,
        }))
        .await;
    let user_code = login["user_code"].as_str().unwrap();
    let url = login["verification_uri_complete"].as_str().unwrap();
    let (status, headers, html) = api.page_as(url, None).await;
    assert_eq!(status, 403, "{html}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(html.contains("Sign in to approve logins"), "{html}");
    assert!(html.contains("persona dev signin-url --addr 127.0.0.1:"));
    assert!(html.contains(&format!("persona dev keys approve {user_code}")));
    assert!(
        !html.contains("name=\"token\""),
        "no form to approve: {html}"
    );
    assert!(!html.contains("Other studio") && !html.contains("keys:manage"));

    // The page's own form, with a token that is valid (a signed-in browser was shown the page),
    // posted by a browser that is not signed in; then with a made-up session cookie.
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 200, "{html}");
    let token = hidden(&html, "token");
    let approve = [
        ("user_code", user_code),
        ("token", token.as_str()),
        ("decision", "approve"),
    ];
    let port = api.handle.addr.port();
    let forged = format!("persona_session_{port}=not-a-session");
    for cookie in [None, Some(forged.as_str())] {
        let (status, html) = api
            .decide_as(&approve, Some(&api.origin), None, cookie)
            .await;
        assert_eq!(status, 403, "{html}");
        assert!(html.contains("Sign in to approve logins"), "{html}");
    }

    // Denying needs a session too: a stranger cannot cancel someone's login either.
    let deny = [approve[0], approve[1], ("decision", "deny")];
    let (status, _) = api.decide_as(&deny, None, None, None).await;
    assert_eq!(status, 403);
    let (status, pending) = api.poll(&login["device_code"]).await;
    assert_eq!(
        (status, code(&pending)),
        (400, "auth.authorization_pending")
    );
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_link_works_once_and_sets_a_strict_session_cookie() {
    let api = Api::start().await;
    let login = api.start_login(json!({ "client_id": "persona-cli" })).await;
    let user_code = login["user_code"].as_str().unwrap();
    let link = api.handle.signin_url().unwrap();
    assert!(
        link.starts_with(&format!("{}/cli/signin?token=", api.origin)),
        "{link}"
    );
    let token = link.split("token=").nth(1).unwrap().to_string();
    assert!(token.len() >= 32, "{token}");

    let with_code = format!("{link}&user_code={}", user_code.to_lowercase());
    let (status, headers, _) = api.open_signin(&with_code).await;
    assert_eq!(status, 303);
    assert_eq!(
        headers["location"],
        format!("/cli/activate?user_code={user_code}")
    );
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let cookie = set_cookie(&headers);
    let mut parts = cookie.split("; ");
    let (name, secret) = parts.next().unwrap().split_once('=').unwrap();
    assert_eq!(name, format!("persona_session_{}", api.handle.addr.port()));
    assert!(secret.len() >= 32 && secret != token, "{cookie}");
    let mut attributes: Vec<&str> = parts.collect();
    attributes.sort();
    assert_eq!(
        attributes,
        ["HttpOnly", "Max-Age=43200", "Path=/", "SameSite=Strict"],
        "{cookie}"
    );

    // The session shows the code's page; the link does not work a second time.
    let session = format!("{name}={secret}");
    let url = login["verification_uri_complete"].as_str().unwrap();
    let (status, _, html) = api.page_as(url, Some(&session)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"approve\">Approve</button>"));
    let (status, headers, html) = api.open_signin(&link).await;
    assert_eq!(status, 403, "{html}");
    assert!(headers.get("set-cookie").is_none());
    assert!(html.contains("not valid") && html.contains("persona dev signin-url"));
    for wrong in ["", "?token=", "?token=x"] {
        let (status, headers, _) = api
            .open_signin(&format!("{}/cli/signin{wrong}", api.origin))
            .await;
        assert_eq!(status, 403, "{wrong}");
        assert!(headers.get("set-cookie").is_none());
    }
    // A page reached through another name (DNS rebinding) signs nobody in.
    let fresh = api.handle.signin_url().unwrap();
    let response = api
        .http
        .get(&fresh)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_none());

    // The store keeps hashes only: neither secret is in its files.
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(api.data.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains(&token) && !stored.contains(secret));
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_approver_grants_exactly_the_scopes_shown_and_owns_the_key() {
    let api = Api::start().await;
    let login = api
        .start_login(json!({ "client_id": "persona-cli", "scopes": ["runs:read"] }))
        .await;
    let user_code = login["user_code"].as_str().unwrap();
    let (status, _, html) = api.page(&login).await;
    assert_eq!(status, 200);
    let token = hidden(&html, "token");
    // A form that names more scopes is refused whole; the code still waits.
    let (status, html) = api
        .decide(
            &[
                ("user_code", user_code),
                ("token", &token),
                ("decision", "approve"),
                ("scopes", "keys:manage"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 400, "{html}");
    let (status, pending) = api.poll(&login["device_code"]).await;
    assert_eq!(
        (status, code(&pending)),
        (400, "auth.authorization_pending")
    );

    // The token is bound to the browser it was shown to.
    let other_browser = api.new_session().await;
    let approve = [
        ("user_code", user_code),
        ("token", token.as_str()),
        ("decision", "approve"),
    ];
    let (status, html) = api
        .decide_as(&approve, None, None, Some(&other_browser))
        .await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("out of date"));

    let (status, html) = api.decide(&approve, None, None).await;
    assert_eq!(status, 200, "{html}");
    let (status, minted) = api.poll(&login["device_code"]).await;
    assert_eq!(status, 200, "{minted}");
    assert_eq!(minted["scopes"], json!(["runs:read"]));
    let (status, refused) = api
        .with_key(
            reqwest::Method::DELETE,
            "/webhooks/whk_none",
            minted["api_key"].as_str().unwrap(),
        )
        .await;
    assert_eq!((status, code(&refused)), (403, "auth.insufficient_scope"));
    let key = api
        .store()
        .key_by_hash(&persona::server::ids::hash_secret(
            minted["api_key"].as_str().unwrap(),
        ))
        .unwrap()
        .unwrap();
    assert_eq!(key.owner, "local");
    assert_eq!(key.scopes, ["runs:read"]);
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_workspace_answers_as_a_refused_one() {
    let api = Api::start_with(|c| c.device_poll_interval = Duration::from_secs(1)).await;
    api.store()
        .ensure_workspace("ws_other", "Other studio", "test")
        .unwrap();
    let mut answers = Vec::new();
    for workspace in ["ws_other", "ws_nowhere"] {
        let login = api
            .start_login(json!({ "client_id": "persona-cli", "workspace": workspace }))
            .await;
        let (status, polled) = api.poll(&login["device_code"]).await;
        answers.push((login, status, polled));
    }
    let shape = |value: &Value| {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let (known, unknown) = (&answers[0], &answers[1]);
    assert_eq!(shape(&known.0), shape(&unknown.0));
    for field in ["expires_in", "interval"] {
        assert_eq!(known.0[field], unknown.0[field], "{field}");
    }
    assert_eq!(known.1, unknown.1);
    assert_eq!(code(&known.2), "auth.authorization_pending");
    assert_eq!(code(&unknown.2), "auth.authorization_pending");
    assert_eq!(shape(&known.2["error"]), shape(&unknown.2["error"]));
    assert_eq!(known.2["error"]["message"], unknown.2["error"]["message"]);

    // The signed-in approver sees which it is: the unknown one can only be denied.
    let (status, _, html) = api.page(&unknown.0).await;
    assert_eq!(status, 200);
    assert!(html.contains("ws_nowhere") && html.contains("not on this server"));
    assert!(!html.contains("id=\"approve\""), "{html}");
    let token = hidden(&html, "token");
    let user_code = unknown.0["user_code"].as_str().unwrap();
    let (status, html) = api
        .decide(
            &[
                ("user_code", user_code),
                ("token", &token),
                ("decision", "approve"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("cannot be approved"));
    // Refused and unknown then end alike for the one who asked.
    api.press(&known.0, "deny").await;
    let (status, html) = api
        .decide(
            &[
                ("user_code", user_code),
                ("token", &token),
                ("decision", "deny"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{html}");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (known_status, known_denied) = api.poll(&known.0["device_code"]).await;
    let (unknown_status, unknown_denied) = api.poll(&unknown.0["device_code"]).await;
    assert_eq!((known_status, unknown_status), (400, 400));
    assert_eq!(code(&known_denied), "auth.access_denied");
    assert_eq!(
        known_denied["error"]["message"],
        unknown_denied["error"]["message"]
    );
    assert_eq!(code(&unknown_denied), "auth.access_denied");
    api.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_logins_and_wrong_codes_are_rate_limited_with_retry_after() {
    let api = Api::start().await;
    let mut last = None;
    for _ in 0..10 {
        last = Some(api.start_login(json!({ "client_id": "persona-cli" })).await);
    }
    let response = api
        .http
        .post(format!("{}/v1/auth/device/code", api.origin))
        .json(&json!({ "client_id": "persona-cli" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body), "rate_limit.exceeded");
    assert_eq!(body["error"]["type"], "rate_limit");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("10 a minute"),
        "{body}"
    );

    // Five wrong codes a minute, on the page and in the form alike; then even a right one waits.
    let login = last.unwrap();
    for wrong in ["BBBB-BBBB", "CCCC-CCCC", "not-a-code"] {
        let (status, _, _) = api
            .page_at(&format!("{}/cli/activate?user_code={wrong}", api.origin))
            .await;
        assert_eq!(status, 404, "{wrong}");
    }
    for wrong in ["DDDD-DDDD", "FFFF-FFFF"] {
        let (status, _) = api
            .decide(
                &[
                    ("user_code", wrong),
                    ("token", "x"),
                    ("decision", "approve"),
                ],
                None,
                None,
            )
            .await;
        assert_eq!(status, 404, "{wrong}");
    }
    let (status, headers, html) = api.page(&login).await;
    assert_eq!(status, 429, "{html}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(html.contains("Too many attempts") && html.contains("5 a minute"));
    let (status, _) = api
        .decide(
            &[
                ("user_code", login["user_code"].as_str().unwrap()),
                ("token", "x"),
                ("decision", "approve"),
            ],
            None,
            None,
        )
        .await;
    assert_eq!(status, 429);
    // Sign-in links count as guesses too.
    let link = api.handle.signin_url().unwrap();
    let (status, headers, _) = api.open_signin(&link).await;
    assert_eq!(status, 429);
    assert!(headers.get("set-cookie").is_none());
    api.handle.shutdown().await;
}
