//! Who may approve a device login on the embedded server: a browser signed in through a
//! one-time sign-in link (as `persona dev serve` prints one), or a shell that can open the store.

use axum::http::{HeaderMap, header};

use super::ids;
use super::routes::normalize_user_code;
use super::store::{self, DeviceCode, Store, Workspace};
use crate::clock;

/// The page that signs a browser in: `GET /cli/signin?token=...`.
pub const SIGNIN_PATH: &str = "/cli/signin";
/// How long a sign-in link stays usable, if nobody uses it (milliseconds): a day.
pub const LINK_TTL_MS: i64 = 24 * 3_600_000;
/// How long a browser stays signed in (milliseconds): twelve hours.
pub const SESSION_TTL_MS: i64 = 12 * 3_600_000;

/// Makes a one-time sign-in link for `owner` and returns its secret; only the hash is stored.
pub fn mint_link(store: &Store, owner: &str) -> store::Result<String> {
    let secret = ids::base62(32);
    let now = clock::now_millis();
    store.insert_signin_link(&ids::hash_secret(&secret), owner, now, now + LINK_TTL_MS)?;
    Ok(secret)
}

/// `http://HOST:PORT/cli/signin?token=SECRET` for a server listening on `addr`.
pub fn link_url(addr: &str, secret: &str) -> String {
    format!("http://{addr}{SIGNIN_PATH}?token={secret}")
}

/// The name of the session cookie of the server on `port`. Browsers do not keep cookies apart
/// by port, so servers on other ports of the same host each get their own name.
pub fn cookie_name(port: u16) -> String {
    format!("persona_session_{port}")
}

/// The session secrets that the request's cookies carry for the server on `port`.
pub fn session_secrets(headers: &HeaderMap, port: u16) -> Vec<String> {
    let name = cookie_name(port);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| *key == name)
        .map(|(_, secret)| secret.trim().to_string())
        .collect()
}

/// Why a code could not be approved from a shell.
#[derive(Debug)]
pub enum Refusal {
    /// The text cannot be a user code.
    Malformed(String),
    Unknown(String),
    Expired {
        user_code: String,
        expires_at: i64,
    },
    /// Approved, denied or used already: the status it has.
    Decided {
        user_code: String,
        status: String,
    },
    /// The code names a workspace this store does not have.
    NoWorkspace {
        user_code: String,
        workspace_id: String,
    },
    Store(store::Error),
}

impl From<store::Error> for Refusal {
    fn from(err: store::Error) -> Self {
        Refusal::Store(err)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed(typed) => write!(
                f,
                "`{typed}` is not a login code: a code is 8 letters such as WDJB-MJHT (the dash \
                 and case do not matter)"
            ),
            Refusal::Unknown(code) => write!(
                f,
                "no login waits for the code {code} in this store; check it against the terminal \
                 of `persona auth login`, and --data-dir against the server's"
            ),
            Refusal::Expired {
                user_code,
                expires_at,
            } => write!(
                f,
                "the code {user_code} expired at {}; run `persona auth login` again for a new one",
                clock::rfc3339(expires_at / 1000)
            ),
            Refusal::Decided { user_code, status } => {
                let what = match status.as_str() {
                    "denied" => "was denied",
                    "consumed" => "was approved, and its key was handed out",
                    _ => "was approved already",
                };
                write!(f, "the login for {user_code} {what}")
            }
            Refusal::NoWorkspace {
                user_code,
                workspace_id,
            } => write!(
                f,
                "the login {user_code} asks for the workspace `{workspace_id}`, which this store \
                 does not have; it cannot be approved"
            ),
            Refusal::Store(err) => write!(f, "cannot use the store: {err}"),
        }
    }
}

/// Approves the pending login of `typed` (a user code as a person types it) as `owner`:
/// the key it gets has exactly the scopes the login asked for.
pub fn approve(
    store: &Store,
    typed: &str,
    owner: &str,
) -> Result<(DeviceCode, Workspace), Refusal> {
    let user_code =
        normalize_user_code(typed).ok_or_else(|| Refusal::Malformed(typed.trim().to_string()))?;
    let now = clock::now_millis();
    store.write(|tx| {
        let code = Store::device_code_by_user_code(tx, &user_code)?
            .ok_or_else(|| Refusal::Unknown(user_code.clone()))?;
        if code.expires_at <= now {
            return Err(Refusal::Expired {
                user_code: code.user_code,
                expires_at: code.expires_at,
            });
        }
        let decided = |code: DeviceCode| Refusal::Decided {
            user_code: code.user_code,
            status: code.status,
        };
        if code.status != "pending" {
            return Err(decided(code));
        }
        let Some(workspace) = Store::workspace_in(tx, &code.workspace_id)? else {
            return Err(Refusal::NoWorkspace {
                user_code: code.user_code,
                workspace_id: code.workspace_id,
            });
        };
        if !Store::decide_device_code(tx, &code.hash, "approved", owner)? {
            return Err(decided(code));
        }
        Ok((code, workspace))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_session_cookie_is_found_by_the_port_of_its_server() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; persona_session_8787=abc ; persona_session_9000=zzz"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("persona_session_8787=def"),
        );
        assert_eq!(session_secrets(&headers, 8787), vec!["abc", "def"]);
        assert_eq!(session_secrets(&headers, 9000), vec!["zzz"]);
        assert!(session_secrets(&headers, 1).is_empty());
        assert_eq!(cookie_name(8787), "persona_session_8787");
    }
}
