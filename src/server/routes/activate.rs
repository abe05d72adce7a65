//! The device login's activation pages: `GET /cli/signin` signs a browser in with a one-time
//! link, `GET /cli/activate` shows a code's request to a signed-in browser with Approve and Deny
//! buttons, `POST /cli/activate` records the decision. Plain HTML, no script.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::normalize_user_code;
use crate::clock;
use crate::server::error::ApiError;
use crate::server::ratelimit::{ClientAddr, Guarded};
use crate::server::store::{self, DeviceCode, Store, Workspace};
use crate::server::{AppState, ids, signin};

const STYLE: &str = "
:root { color-scheme: light dark; --fg: #1d2127; --bg: #f6f7f9; --card: #fff; --muted: #59606b;
  --line: #d5d9e0; --accent: #1f5fbf; --danger: #a3261b; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaee; --bg: #14171c; --card: #1e2229;
  --muted: #a9b0bb; --line: #3a404b; --accent: #7fb0ff; --danger: #ff9a8f; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 34rem; margin: 3rem auto; padding: 2rem; background: var(--card);
  border: 1px solid var(--line); border-radius: 12px; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
.code { font: 700 2.25rem/1.2 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
  letter-spacing: 0.15em; margin: 0.5rem 0 1.5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1rem; margin: 0 0 1.5rem; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
ul { margin: 0; padding-left: 1.2rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; }
.muted { color: var(--muted); }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; }
button, input { font: inherit; }
button { padding: 0.6rem 1.4rem; border-radius: 8px; border: 2px solid var(--accent);
  cursor: pointer; background: transparent; color: var(--accent); }
button.primary { background: var(--accent); color: var(--card); }
button.danger { border-color: var(--danger); color: var(--danger); }
button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
label { display: block; margin-bottom: 0.4rem; }
input { padding: 0.5rem; border: 1px solid var(--line); border-radius: 6px; width: 12rem;
  text-transform: uppercase; font-family: ui-monospace, Menlo, Consolas, monospace;
  background: var(--bg); color: var(--fg); margin-right: 0.5rem; }
";

#[derive(Deserialize)]
pub struct ActivateQuery {
    user_code: Option<String>,
}

#[derive(Default, Deserialize)]
pub struct SigninQuery {
    token: Option<String>,
    user_code: Option<String>,
}

/// The activation form. Nothing else is accepted: in particular the scopes granted are those
/// the login asked for and the page showed, never a field of the form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateForm {
    user_code: String,
    token: String,
    decision: String,
}

/// A signed-in browser: the owner it acts as, and the hash of its session secret.
struct Session {
    owner: String,
    hash: String,
}

/// The session of the browser that sent `headers`, if it is signed in to this server.
fn session(state: &AppState, headers: &HeaderMap) -> store::Result<Option<Session>> {
    let now = clock::now_millis();
    // A few cookies of that name at most are worth a look (paths may differ).
    for secret in signin::session_secrets(headers, state.addr.port())
        .into_iter()
        .take(4)
    {
        let hash = ids::hash_secret(&secret);
        if let Some(owner) = state.store.browser_session_owner(&hash, now)? {
            return Ok(Some(Session { owner, hash }));
        }
    }
    Ok(None)
}

/// The stored form of a page's token: bound to the session that was shown the page.
fn approval_hash(session: &Session, token: &str) -> String {
    ids::hash_secret(&format!("{}:{token}", session.hash))
}

/// `GET /cli/signin?token=...[&user_code=...]`: uses up a one-time sign-in link, signs this
/// browser in (an HttpOnly, SameSite=Strict session cookie) and goes on to the activation page.
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if local_host(&headers).is_none() {
        return foreign_host();
    }
    if let Err(err) = state.address_limits.check(Guarded::WrongGuesses, client) {
        return too_many(&err);
    }
    let query: SigninQuery =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let token = query.token.unwrap_or_default();
    let session_secret = ids::base62(32);
    let now = clock::now_millis();
    let owner = if token.is_empty() {
        Ok(None)
    } else {
        state.store.redeem_signin_link(
            &ids::hash_secret(&token),
            &ids::hash_secret(&session_secret),
            now,
            now + signin::SESSION_TTL_MS,
        )
    };
    match owner {
        Ok(Some(_)) => {}
        Ok(None) => {
            state.address_limits.count(Guarded::WrongGuesses, client);
            return page(
                StatusCode::FORBIDDEN,
                "Sign-in link not valid",
                "<h1>This sign-in link is not valid</h1>\n<p>It was used already (each link works \
                 once), it expired (after a day), or it was copied incompletely. In a shell that \
                 can open this server's store, run <code>persona dev signin-url</code> for a new \
                 one.</p>\n<p>If this browser signed in already, <a href=\"/cli/activate\">go on to \
                 the activation page</a>.</p>",
            );
        }
        Err(err) => return store_failure(&err.to_string()),
    }
    let next = match query.user_code.as_deref().and_then(normalize_user_code) {
        Some(code) => format!("/cli/activate?user_code={code}"),
        None => "/cli/activate".to_string(),
    };
    let mut response = page(
        StatusCode::SEE_OTHER,
        "Signed in",
        &format!(
            "<h1>Signed in</h1>\n<p>This browser may now approve logins. <a href=\"{next}\">Go on \
             to the activation page</a>.</p>"
        ),
    );
    let cookie = format!(
        "{}={session_secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        signin::cookie_name(state.addr.port()),
        signin::SESSION_TTL_MS / 1000
    );
    let headers = response.headers_mut();
    for (name, value) in [(header::LOCATION, next), (header::SET_COOKIE, cookie)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    // The link's secret is in this page's address: tell nobody where the browser came from.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `GET /cli/activate[?user_code=...]`: to a signed-in browser, the code's request or a form
/// to type a code; to any other, how to sign in.
pub async fn show(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(host) = local_host(&headers) else {
        return foreign_host();
    };
    let query: ActivateQuery = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .unwrap_or(ActivateQuery { user_code: None });
    let typed = query.user_code.unwrap_or_default();
    let session = match session(&state, &headers) {
        Ok(Some(session)) => session,
        Ok(None) => return sign_in_first(host, &typed),
        Err(err) => return store_failure(&err.to_string()),
    };
    if typed.trim().is_empty() {
        return page(
            StatusCode::OK,
            "Authorize the Persona CLI",
            &code_form(None),
        );
    }
    if let Err(err) = state.address_limits.check(Guarded::WrongGuesses, client) {
        return too_many(&err);
    }
    let Some(user_code) = normalize_user_code(&typed) else {
        return wrong_code(&state, client, &typed);
    };
    let token = ids::base62(32);
    let now = clock::now_millis();
    let found = state.store.write(|tx| {
        let Some(code) = Store::device_code_by_user_code(tx, &user_code)? else {
            return Ok(None);
        };
        if code.status == "pending" && code.expires_at > now {
            Store::set_device_approval_hash(tx, &code.hash, &approval_hash(&session, &token))?;
        }
        let workspace = Store::workspace_in(tx, &code.workspace_id)?;
        Ok::<_, store::Error>(Some((code, workspace)))
    });
    match found {
        Ok(None) => wrong_code(&state, client, &user_code),
        Ok(Some((code, _))) if code.expires_at <= now => expired(&code),
        Ok(Some((code, _))) if code.status != "pending" => already_decided(&code),
        Ok(Some((code, workspace))) => confirm(&code, workspace.as_ref(), &token, now),
        Err(err) => store_failure(&err.to_string()),
    }
}

/// `POST /cli/activate`: records Approve or Deny, from a signed-in browser, for a code whose
/// page it was shown.
pub async fn decide(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(host) = local_host(&headers) else {
        return foreign_host();
    };
    if let Some(sent) = headers.get(header::ORIGIN) {
        let expected = format!("http://{host}");
        if !sent
            .to_str()
            .is_ok_and(|sent| sent.eq_ignore_ascii_case(&expected))
        {
            return page(
                StatusCode::FORBIDDEN,
                "Request refused",
                "<h1>Request refused</h1>\n<p>This form was sent from another site. Approve or \
                 deny a login only on the page this server showed you.</p>",
            );
        }
    }
    let form = serde_urlencoded::from_bytes::<ActivateForm>(&body);
    let session = match session(&state, &headers) {
        Ok(Some(session)) => session,
        Ok(None) => {
            let typed = form.as_ref().map(|f| f.user_code.as_str()).unwrap_or("");
            return sign_in_first(host, typed);
        }
        Err(err) => return store_failure(&err.to_string()),
    };
    if let Err(err) = state.address_limits.check(Guarded::WrongGuesses, client) {
        return too_many(&err);
    }
    let Ok(form) = form else {
        return bad_form(
            "The form is incomplete or has fields it should not: it needs the code, its token \
             and a decision.",
        );
    };
    let approve = match form.decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => return bad_form("The decision must be Approve or Deny."),
    };
    let Some(user_code) = normalize_user_code(&form.user_code) else {
        return wrong_code(&state, client, &form.user_code);
    };
    let token_hash = approval_hash(&session, &form.token);
    let now = clock::now_millis();
    let outcome = state.store.write(|tx| {
        let Some(code) = Store::device_code_by_user_code(tx, &user_code)? else {
            return Ok(Decision::Unknown);
        };
        if code.expires_at <= now {
            return Ok(Decision::Expired(code));
        }
        let token_ok = code
            .approval_hash
            .as_deref()
            .is_some_and(|stored| constant_time_eq(stored, &token_hash));
        let wanted = if approve { "approved" } else { "denied" };
        if code.status != "pending" {
            let same = code.status == wanted || (approve && code.status == "consumed");
            return Ok(if same && token_ok {
                Decision::Recorded(approve)
            } else {
                Decision::Closed(code)
            });
        }
        if !token_ok {
            return Ok(Decision::StaleToken);
        }
        if approve && Store::workspace_in(tx, &code.workspace_id)?.is_none() {
            return Ok(Decision::NoWorkspace(code));
        }
        Ok::<_, store::Error>(
            if Store::decide_device_code(tx, &code.hash, wanted, &session.owner)? {
                Decision::Recorded(approve)
            } else {
                Decision::Closed(code)
            },
        )
    });
    match outcome {
        Ok(Decision::Recorded(true)) => page(
            StatusCode::OK,
            "Login approved",
            "<h1>Login approved</h1>\n<p>The Persona CLI is now getting its API key.</p>\n\
             <p>You can close this window and return to the terminal.</p>",
        ),
        Ok(Decision::Recorded(false)) => page(
            StatusCode::OK,
            "Login denied",
            "<h1>Login denied</h1>\n<p>The Persona CLI gets no key from this request.</p>\n\
             <p>You can close this window and return to the terminal.</p>",
        ),
        Ok(Decision::Unknown) => wrong_code(&state, client, &user_code),
        Ok(Decision::Expired(code)) => expired(&code),
        Ok(Decision::Closed(code)) => already_decided(&code),
        Ok(Decision::NoWorkspace(code)) => page(
            StatusCode::CONFLICT,
            "Cannot approve",
            &format!(
                "<h1>This login cannot be approved</h1>\n<p>It asks for the workspace \
                 <code>{}</code>, which this server does not have. <a \
                 href=\"/cli/activate?user_code={}\">Deny it</a>, and check the workspace given \
                 to <code>persona auth login</code>.</p>",
                escape(&code.workspace_id),
                escape(&code.user_code)
            ),
        ),
        Ok(Decision::StaleToken) => page(
            StatusCode::FORBIDDEN,
            "Page out of date",
            &format!(
                "<h1>This page is out of date</h1>\n<p>The code was opened again in another \
                 window, or the form was changed. <a href=\"/cli/activate?user_code={}\">Open \
                 the code again</a> and decide there.</p>",
                escape(&user_code)
            ),
        ),
        Err(err) => store_failure(&err.to_string()),
    }
}

enum Decision {
    Recorded(bool),
    Unknown,
    Expired(DeviceCode),
    Closed(DeviceCode),
    NoWorkspace(DeviceCode),
    StaleToken,
}

/// A code that matches no login: counted against the client's wrong guesses.
fn wrong_code(state: &AppState, client: Option<IpAddr>, typed: &str) -> Response {
    state.address_limits.count(Guarded::WrongGuesses, client);
    unknown_code(typed)
}

/// The page that asks for a decision. A workspace this server does not have can only be denied.
fn confirm(code: &DeviceCode, workspace: Option<&Workspace>, token: &str, now: i64) -> Response {
    let scopes: String = code
        .scopes
        .iter()
        .map(|scope| {
            format!(
                "<li><code>{}</code> <span class=\"muted\">— {}</span></li>",
                escape(scope),
                scope_meaning(scope)
            )
        })
        .collect();
    let minutes = (code.expires_at - now).div_euclid(60_000);
    let left = match minutes {
        0 => "in less than a minute".to_string(),
        1 => "in about a minute".to_string(),
        n => format!("in about {n} minutes"),
    };
    let (workspace, warning, approve) = match workspace {
        Some(workspace) => (
            format!(
                "{} (<code>{}</code>)",
                escape(&workspace.name),
                escape(&workspace.id)
            ),
            String::new(),
            "<button type=\"submit\" class=\"primary\" name=\"decision\" value=\"approve\" \
             id=\"approve\">Approve</button>\n",
        ),
        None => (
            format!(
                "<code>{}</code> (not on this server)",
                escape(&code.workspace_id)
            ),
            "<p role=\"alert\">This login asks for a workspace this server does not have, so it \
             cannot be approved. Deny it, and check the workspace given to <code>persona auth \
             login</code>.</p>\n"
                .to_string(),
            "",
        ),
    };
    let body = format!(
        "<h1>Authorize the Persona CLI</h1>
<p>The Persona CLI asks for an API key. Approve only if this code is the one your terminal shows:</p>
<p class=\"code\" id=\"user-code\">{user_code}</p>
{warning}<dl>
<dt>Workspace</dt><dd>{workspace}</dd>
<dt>Permissions</dt><dd><ul>{scopes}</ul></dd>
<dt>Code expires</dt><dd><time datetime=\"{expires}\">{expires}</time> ({left})</dd>
<dt>Key valid for</dt><dd>90 days, unless revoked with <code>persona auth logout</code></dd>
</dl>
<form method=\"post\" action=\"/cli/activate\">
<input type=\"hidden\" name=\"user_code\" value=\"{user_code}\">
<input type=\"hidden\" name=\"token\" value=\"{token}\">
<div class=\"actions\">
{approve}<button type=\"submit\" class=\"danger\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>
</div>
</form>",
        user_code = escape(&code.user_code),
        expires = clock::rfc3339(code.expires_at / 1000),
        token = escape(token),
    );
    page(StatusCode::OK, "Authorize the Persona CLI", &body)
}

/// The page a browser that is not signed in gets instead of a code's request.
fn sign_in_first(host: &str, typed: &str) -> Response {
    let code = normalize_user_code(typed).unwrap_or_else(|| "CODE".to_string());
    page(
        StatusCode::FORBIDDEN,
        "Sign in to approve logins",
        &format!(
            "<h1>Sign in to approve logins</h1>
<p>Only a browser signed in to this server may approve a login, so that nobody else who can \
reach the server can give themselves a key.</p>
<p>Open the sign-in link that <code>persona dev serve</code> printed when it started. Each link \
works once; for a new one, run in a shell that can open the server's store:</p>
<p><code>persona dev signin-url --addr {host}</code></p>
<p>Or approve from that shell, without a browser:</p>
<p><code>persona dev keys approve {code}</code></p>
<p class=\"muted\">Add <code>--data-dir DIR</code> to either command when the server was \
started with one.</p>",
            host = escape(host),
            code = escape(&code),
        ),
    )
}

/// A 429 page that says when to try again.
fn too_many(err: &ApiError) -> Response {
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts",
        &format!(
            "<h1>Too many attempts</h1>\n<p>{}.</p>",
            escape(&err.message)
        ),
    );
    if let Some(seconds) = err.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The form that asks for a code, with an optional message above it.
fn code_form(message: Option<&str>) -> String {
    let message = message
        .map(|m| format!("<p role=\"alert\">{m}</p>\n"))
        .unwrap_or_default();
    format!(
        "<h1>Authorize the Persona CLI</h1>
{message}<p>Type the code that <code>persona auth login</code> shows in your terminal.</p>
<form method=\"get\" action=\"/cli/activate\">
<label for=\"user_code\">Code</label>
<input id=\"user_code\" name=\"user_code\" placeholder=\"WDJB-MJHT\" autocomplete=\"off\" \
autocapitalize=\"characters\" spellcheck=\"false\" required maxlength=\"12\">
<button type=\"submit\" class=\"primary\">Continue</button>
</form>"
    )
}

fn unknown_code(typed: &str) -> Response {
    let message = format!(
        "There is no login waiting for the code <code>{}</code>. Check it against your terminal, \
         or start <code>persona auth login</code> again.",
        escape(typed.trim())
    );
    page(
        StatusCode::NOT_FOUND,
        "Unknown code",
        &code_form(Some(&message)),
    )
}

fn expired(code: &DeviceCode) -> Response {
    page(
        StatusCode::GONE,
        "Code expired",
        &format!(
            "<h1>This code has expired</h1>\n<p>The code <code>{}</code> expired at {}. Run \
             <code>persona auth login</code> again for a new one.</p>",
            escape(&code.user_code),
            clock::rfc3339(code.expires_at / 1000)
        ),
    )
}

fn already_decided(code: &DeviceCode) -> Response {
    let what = match code.status.as_str() {
        "denied" => "was denied",
        "consumed" => "was approved, and the CLI has its key",
        _ => "was already approved",
    };
    page(
        StatusCode::GONE,
        "Code already used",
        &format!(
            "<h1>This code is no longer waiting</h1>\n<p>The login for <code>{}</code> {what}. \
             To decide again, run <code>persona auth login</code> again.</p>",
            escape(&code.user_code)
        ),
    )
}

fn bad_form(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Bad request",
        &format!("<h1>Bad request</h1>\n<p>{message}</p>"),
    )
}

fn store_failure(detail: &str) -> Response {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Server error",
        &format!(
            "<h1>Something went wrong</h1>\n<p>The server could not read its store: {}</p>",
            escape(detail)
        ),
    )
}

/// The Host of a request to these pages when it names this machine by address or as
/// `localhost`; a page reached through another name may be a DNS-rebinding attack.
fn local_host(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|host| host_is_local(host))
}

fn foreign_host() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "<h1>Request refused</h1>\n<p>Open this page at the address the Persona CLI printed, \
         which names this machine by its IP address or as <code>localhost</code>.</p>",
    )
}

/// Whether `host` (`name[:port]`, `[v6][:port]`) is `localhost` or an IP address.
fn host_is_local(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, "")) => (name, None),
            Some((name, after)) => match after.strip_prefix(':') {
                Some(port) => (name, Some(port)),
                None => return false,
            },
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    port.is_none_or(|port| port.parse::<u16>().is_ok())
        && (name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok())
}

/// What a scope lets the key do, for people.
fn scope_meaning(scope: &str) -> &'static str {
    match scope {
        "personas:*" => "everything on personas",
        "personas:read" => "read personas",
        "personas:write" => "create, change and archive personas",
        "personas:fork" => "fork personas",
        "runs:*" => "everything on runs",
        "runs:read" => "read runs and follow their events",
        "runs:cancel" => "cancel runs",
        "chat:*" => "everything on chat",
        "chat:invoke" => "chat with personas",
        "chat:read" => "read conversations",
        "webhooks:manage" | "webhooks:*" => "manage webhooks",
        "config:*" => "read and change configuration",
        "config:read" => "read configuration",
        "config:write" => "change configuration",
        "keys:manage" | "keys:*" => "manage API keys",
        _ => "as named",
    }
}

/// A complete HTML page with the headers that keep it from being framed, scripted or cached.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<meta name=\"referrer\" content=\"same-origin\">
<title>{title} · Persona</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
",
        title = escape(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Text made safe inside HTML content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_answer_only_to_addresses_and_localhost() {
        for ok in [
            "127.0.0.1:8787",
            "localhost:1",
            "LOCALHOST",
            "[::1]:8787",
            "[::1]",
            "10.0.0.2",
        ] {
            assert!(host_is_local(ok), "{ok}");
        }
        for refused in [
            "evil.example:8787",
            "evil.example",
            "",
            "127.0.0.1:x",
            "localhost.evil:1",
        ] {
            assert!(!host_is_local(refused), "{refused}");
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
