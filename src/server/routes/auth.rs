//! Authentication endpoints of contract §2: whoami, revoking the calling key, and the device
//! login (after RFC 8628) whose codes the activation pages of `activate.rs` approve.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::clock;
use crate::model::{ErrorCode, is_known_scope};
use crate::server::error::{ApiError, ApiResult};
use crate::server::http::{Caller, JsonBody};
use crate::server::ratelimit::{ClientAddr, Guarded};
use crate::server::store::{DeviceCode, Store};
use crate::server::{
    ALL_SCOPES, AppState, LOCAL_OWNER, LOCAL_WORKSPACE_ID, ids, is_workspace_id, new_key,
};

/// The only client that may start a device login.
const CLIENT_ID: &str = "persona-cli";
/// The scopes of a login that asks for none: the contract's default key.
const DEFAULT_SCOPES: [&str; 3] = ["personas:*", "runs:read", "chat:invoke"];
/// Days a key minted by a device login stays valid.
const DEVICE_KEY_DAYS: i64 = 90;
/// Letters of a user code: consonants only, so that no code reads as a word or mixes up 0/O, 1/I.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
/// User codes drawn for one device login before giving up on finding one not in use.
const USER_CODE_DRAWS: u32 = 6;
/// The longest workspace id a device login may name.
const MAX_WORKSPACE_ID: usize = 128;
/// A poll this much sooner than the interval still counts as on time (timer and network jitter).
const POLL_GRACE_MS: i64 = 200;

pub async fn whoami(caller: Caller) -> Json<Value> {
    Json(json!({
        "key_id": caller.key_id,
        "mode": caller.mode,
        "workspace": { "id": caller.workspace.id, "name": caller.workspace.name },
        "scopes": caller.scopes,
        "expires_at": clock::rfc3339(caller.expires_at),
        "user": { "email": caller.user_email },
        "owner": caller.owner,
    }))
}

/// `DELETE /v1/auth/keys/current`: revokes the key that made the call.
pub async fn revoke_current(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<StatusCode> {
    if state.revoke_key(&caller.key_id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::unauthorized(
            "this API key is not valid: it is unknown or was revoked",
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceCodeRequest {
    client_id: String,
    scopes: Option<Vec<String>>,
    workspace: Option<String>,
}

/// `POST /v1/auth/device/code`: starts a device login. Any well-formed workspace gets a code,
/// whether this server has it or not: only the person who approves learns which it is.
pub async fn device_code(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    JsonBody { value: request, .. }: JsonBody<DeviceCodeRequest>,
) -> ApiResult<Response> {
    if request.client_id != CLIENT_ID {
        return Err(ApiError::invalid(format!(
            "unknown client_id `{}`; this server knows only `{CLIENT_ID}`",
            request.client_id
        ))
        .with_details(json!([{ "pointer": "/client_id" }])));
    }
    let scopes = check_scopes(request.scopes)?;
    let workspace_id = request
        .workspace
        .unwrap_or_else(|| LOCAL_WORKSPACE_ID.to_string());
    if !is_workspace_id(&workspace_id) || workspace_id.len() > MAX_WORKSPACE_ID {
        return Err(ApiError::invalid(format!(
            "`workspace` must be a workspace id: `ws_` then letters, digits or `_`, at most \
             {MAX_WORKSPACE_ID} characters in all"
        ))
        .with_details(json!([{ "pointer": "/workspace" }])));
    }
    state.address_limits.take(Guarded::DeviceCodes, client)?;

    let device_code = ids::base62(40);
    let ttl_ms = state.config.device_code_ttl.as_millis() as i64;
    let interval = state.config.device_poll_interval.as_secs().max(1);
    let now = clock::now_millis();
    let mut code = DeviceCode {
        hash: ids::hash_secret(&device_code),
        user_code: String::new(),
        approval_hash: None,
        workspace_id,
        scopes,
        status: "pending".to_string(),
        created_at: now,
        expires_at: now + ttl_ms,
        interval_ms: interval as i64 * 1000,
        last_poll_at: None,
        decided_by: None,
    };
    // A user code may collide with one in use; a few fresh draws make that vanishingly rare.
    let mut draws = 0;
    loop {
        code.user_code = new_user_code();
        if state.store.insert_device_code(&code)? {
            break;
        }
        draws += 1;
        if draws == USER_CODE_DRAWS {
            return Err(ApiError::internal(format!(
                "no free user code after {USER_CODE_DRAWS} draws"
            )));
        }
    }

    let verification_uri = format!("{}/cli/activate", origin(&state, &headers));
    Ok(no_store(Json(json!({
        "device_code": device_code,
        "user_code": code.user_code,
        "verification_uri_complete": format!("{verification_uri}?user_code={}", code.user_code),
        "verification_uri": verification_uri,
        "expires_in": (ttl_ms + 999) / 1000,
        "interval": interval,
    }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceTokenRequest {
    device_code: String,
}

/// `POST /v1/auth/device/token`: the CLI's poll; mints the key once the code is approved.
pub async fn device_token(
    State(state): State<Arc<AppState>>,
    JsonBody { value: request, .. }: JsonBody<DeviceTokenRequest>,
) -> ApiResult<Response> {
    let hash = ids::hash_secret(&request.device_code);
    let now = clock::now_millis();
    // Protocol answers are committed too (a poll records its time), hence the nested result.
    let answer = state.store.write(|tx| -> ApiResult<ApiResult<Value>> {
        let Some(code) = Store::device_code_by_hash(tx, &hash)? else {
            return Ok(Err(device_error(
                ErrorCode::AuthExpiredToken,
                "this device code is unknown; start the login again",
            )));
        };
        if code.status == "consumed" {
            return Ok(Err(device_error(
                ErrorCode::AuthExpiredToken,
                "this device code was already used; start the login again",
            )));
        }
        if code.expires_at <= now {
            return Ok(Err(device_error(
                ErrorCode::AuthExpiredToken,
                format!(
                    "this device code expired at {}; start the login again",
                    clock::rfc3339(code.expires_at / 1000)
                ),
            )));
        }
        match code.status.as_str() {
            "pending" => {
                let too_soon = code
                    .last_poll_at
                    .is_some_and(|last| now - last < code.interval_ms - POLL_GRACE_MS);
                Store::record_device_poll(tx, &hash, now)?;
                let seconds = code.interval_ms / 1000;
                Ok(Err(if too_soon {
                    device_error(
                        ErrorCode::AuthSlowDown,
                        format!(
                            "polling too fast: wait at least {seconds} s between polls \
                             (after slow_down, add 5 s to the interval)"
                        ),
                    )
                } else {
                    device_error(
                        ErrorCode::AuthAuthorizationPending,
                        format!("the login has not been approved yet; poll again in {seconds} s"),
                    )
                }))
            }
            "denied" => Ok(Err(device_error(
                ErrorCode::AuthAccessDenied,
                "the login was denied on the activation page",
            ))),
            _ => {
                let workspace = Store::workspace_in(tx, &code.workspace_id)?.ok_or_else(|| {
                    ApiError::internal(format!(
                        "the workspace {} of a device code is gone",
                        code.workspace_id
                    ))
                })?;
                // Exactly the scopes asked for and shown on the page; the approver owns the key.
                let approver = code.decided_by.as_deref().unwrap_or(LOCAL_OWNER);
                let (secret, key) = new_key(
                    &workspace.id,
                    &workspace.mode,
                    &code.scopes,
                    approver,
                    DEVICE_KEY_DAYS,
                );
                Store::insert_key_in(tx, &key, &ids::hash_secret(&secret))?;
                Store::set_device_status(tx, &hash, "approved", "consumed")?;
                Ok(Ok(json!({
                    "api_key": secret,
                    "key_id": key.id,
                    "workspace": { "id": workspace.id, "name": workspace.name },
                    "scopes": key.scopes,
                    "expires_at": clock::rfc3339(key.expires_at),
                })))
            }
        }
    })?;
    answer.map(|body| no_store(Json(body)))
}

fn device_error(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// The scopes asked for, each known; the default key's when none are named.
fn check_scopes(scopes: Option<Vec<String>>) -> ApiResult<Vec<String>> {
    let Some(asked) = scopes else {
        return Ok(DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect());
    };
    if asked.is_empty() {
        return Err(ApiError::invalid(
            "`scopes` is empty; name at least one scope or leave it out for the default",
        )
        .with_details(json!([{ "pointer": "/scopes" }])));
    }
    let mut scopes: Vec<String> = Vec::new();
    for (index, scope) in asked.into_iter().enumerate() {
        if !is_known_scope(&scope) {
            return Err(ApiError::invalid(format!(
                "unknown scope `{scope}`; scopes: {} (or `group:*`)",
                ALL_SCOPES.join(" ")
            ))
            .with_details(json!([{ "pointer": format!("/scopes/{index}") }])));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// A new user code such as `WDJB-MJHT`.
fn new_user_code() -> String {
    let mut rng = rand::rng();
    let letters: String = (0..8)
        .map(|_| USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A user code as a person typed it (any case, with or without the dash or spaces), in its
/// canonical form; None when it cannot be a user code.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = letters.len() == 8 && letters.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

/// `http://HOST` of this server as the client reached it (the Host header), else its address.
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{}", state.addr),
    }
}

/// Marks a response as one that no cache may keep (it carries a secret).
fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_four_unambiguous_letters() {
        let code = new_user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert_eq!(normalize_user_code(&code).as_deref(), Some(code.as_str()));
    }

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(
            normalize_user_code(" wdjb mjht ").as_deref(),
            Some("WDJB-MJHT")
        );
        assert_eq!(
            normalize_user_code("WDJBMJHT").as_deref(),
            Some("WDJB-MJHT")
        );
        assert_eq!(normalize_user_code("WDJB-MJH"), None);
        assert_eq!(normalize_user_code("WDJB-MJH0"), None);
        assert_eq!(normalize_user_code("AEIO-UBCD"), None);
    }

    #[test]
    fn scopes_default_to_the_contract_key_and_unknown_ones_are_refused() {
        assert_eq!(
            check_scopes(None).unwrap(),
            vec!["personas:*", "runs:read", "chat:invoke"]
        );
        assert_eq!(
            check_scopes(Some(vec!["runs:*".into(), "runs:*".into()])).unwrap(),
            vec!["runs:*"]
        );
        for bad in [
            vec![],
            vec!["runs:write".to_string()],
            vec!["nope:*".into()],
        ] {
            let err = check_scopes(Some(bad)).unwrap_err();
            assert_eq!(err.code, "request.invalid");
        }
    }

    #[test]
    fn device_errors_are_of_type_auth() {
        for code in [
            ErrorCode::AuthAuthorizationPending,
            ErrorCode::AuthSlowDown,
            ErrorCode::AuthAccessDenied,
            ErrorCode::AuthExpiredToken,
        ] {
            let err = device_error(code, "x");
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
            assert_eq!(err.error_type(), "auth");
        }
    }
}
