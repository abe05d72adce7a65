//! What every request goes through: the request id, authentication of the key and workspace,
//! the error envelope, rate-limit headers and the request log; plus the JSON and query extractors.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::ids;
use super::store::Workspace;
use crate::clock;
use crate::model::ErrorCode;

/// The authenticated key behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
    pub workspace: Workspace,
    pub mode: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    pub user_email: String,
    /// The person behind the key; a private persona shows only to keys of its owner.
    pub owner: String,
}

impl Caller {
    /// Whether the key holds `scope`, directly or through a `group:*` wildcard.
    pub fn has_scope(&self, scope: &str) -> bool {
        crate::model::grants(&self.scopes, scope)
    }

    pub fn require(&self, scope: &str) -> ApiResult<()> {
        if self.has_scope(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::AuthInsufficientScope,
                format!("this API key lacks the scope `{scope}`; create a key that has it"),
            )
            .with_details(serde_json::json!({ "required_scope": scope })))
        }
    }
}

/// The request id, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The outcome of authentication, in the request's extensions.
#[derive(Clone)]
struct Authentication(Result<Caller, ApiError>);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authentication>() {
            Some(Authentication(outcome)) => outcome.clone(),
            None => Err(ApiError::internal("authentication did not run")),
        }
    }
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing API key: send `Authorization: Bearer pk_...`",
        ));
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer pk_...`")
        })?;
    let hash = ids::hash_secret(secret);
    let key = match state.session_key(&hash) {
        Some(key) => Some(key),
        None => state.store.key_by_hash(&hash)?,
    };
    let key = key.ok_or_else(|| {
        ApiError::unauthorized("this API key is not valid: it is unknown or was revoked")
    })?;
    if key.revoked_at.is_some() {
        return Err(ApiError::unauthorized("this API key was revoked"));
    }
    if key.expires_at <= clock::now() {
        return Err(ApiError::unauthorized(format!(
            "this API key expired at {}; create a new one",
            clock::rfc3339(key.expires_at)
        )));
    }
    let workspace_id = match headers.get("persona-workspace") {
        Some(value) => value
            .to_str()
            .map_err(|_| ApiError::invalid("the Persona-Workspace header is not valid text"))?
            .trim()
            .to_string(),
        None => key.workspace_id.clone(),
    };
    let workspace = state.store.workspace(&workspace_id)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AuthWorkspaceForbidden,
            format!("this API key cannot use the workspace `{workspace_id}`"),
        )
    })?;
    if workspace.mode != key.mode {
        return Err(ApiError::unauthorized(format!(
            "a {} key cannot be used with the {} workspace `{}`",
            key.mode, workspace.mode, workspace.id
        )));
    }
    if workspace.id != key.workspace_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AuthWorkspaceForbidden,
            format!(
                "this API key belongs to another workspace than `{}`",
                workspace.id
            ),
        ));
    }
    Ok(Caller {
        key_id: key.id,
        workspace,
        mode: key.mode,
        scopes: key.scopes,
        expires_at: key.expires_at,
        user_email: key.user_email,
        owner: key.owner,
    })
}

/// Request id, authentication, error envelope, rate-limit headers and the request log.
pub async fn envelope(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = ids::new_id("req");
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let origin = super::cors::allowed_origin(state.addr, request.headers());
    if super::cors::is_preflight(&method, request.headers()) {
        let mut response = super::cors::preflight(origin, request.headers());
        if let Some(error) = response.extensions_mut().remove::<ApiError>() {
            response = (error.status, axum::Json(error.body(&request_id))).into_response();
        }
        response
            .headers_mut()
            .insert("x-request-id", header_value(&request_id));
        return response;
    }
    let auth = authenticate(&state, request.headers());
    let workspace_id = auth.as_ref().ok().map(|c| c.workspace.id.clone());
    let key_id = auth.as_ref().ok().map(|c| c.key_id.clone());
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    request.extensions_mut().insert(Authentication(auth));

    let (mut response, claim) =
        match super::idempotency::begin(&state, key_id.as_deref(), request).await {
            super::idempotency::Begin::Run(request, claim) => (next.run(request).await, claim),
            super::idempotency::Begin::Answer(response) => (response, None),
        };

    if response.extensions().get::<ApiError>().is_none() && is_plain_text_error(&response) {
        response = plain_error_as_json(response, &path).await;
    }
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = if path.starts_with("/v1/openai/") {
            super::routes::openai_error_body(error)
        } else {
            error.body(&request_id)
        };
        response = (status, axum::Json(body)).into_response();
        response.headers_mut().extend(headers);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if let Some(claim) = claim {
        response = claim.finish(response).await;
    }
    if let Some(origin) = origin {
        super::cors::allow(&mut response, origin);
    }
    let window = state.limiter.state(workspace_id.as_deref(), &path);
    let headers = response.headers_mut();
    headers.insert("x-request-id", header_value(&request_id));
    headers.insert("x-ratelimit-limit", header_value(&window.limit.to_string()));
    headers.insert(
        "x-ratelimit-remaining",
        header_value(&window.remaining.to_string()),
    );
    headers.insert(
        "x-ratelimit-reset",
        header_value(&window.reset_at.to_string()),
    );
    if state.config.log_requests {
        eprintln!(
            "{method} {path} {} {}ms {request_id}",
            response.status().as_u16(),
            started.elapsed().as_millis()
        );
    }
    response
}

/// An error answered in plain text by the framework itself (a path segment that is not UTF-8,
/// say) rather than by a handler.
fn is_plain_text_error(response: &Response) -> bool {
    (response.status().is_client_error() || response.status().is_server_error())
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/plain"))
}

/// The framework's plain-text error as the API's error (a JSON-RPC error under `/mcp`).
async fn plain_error_as_json(response: Response, path: &str) -> Response {
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let status = parts.status;
    let mut headers = parts.headers;
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let mut response = if path.starts_with("/mcp") {
        let body = serde_json::json!({ "jsonrpc": "2.0", "id": null,
            "error": { "code": crate::model::jsonrpc::INVALID_REQUEST, "message": text } });
        (status, axum::Json(body)).into_response()
    } else {
        // Rendered by `envelope` (in OpenAI's shape under /v1/openai).
        let code = match status.as_u16() {
            404 => ErrorCode::ResourceNotFound,
            405 => ErrorCode::RequestMethodNotAllowed,
            413 => ErrorCode::RequestTooLarge,
            500.. => ErrorCode::InternalError,
            _ => ErrorCode::RequestInvalid,
        };
        ApiError::new(status, code, text).into_response()
    };
    response.headers_mut().extend(headers);
    response
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Answers routes that do not exist.
pub async fn unknown_route(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::ResourceNotFound,
        format!(
            "no such endpoint: {} {}",
            request.method(),
            request.uri().path()
        ),
    )
}

/// Answers known routes called with a method they do not serve.
pub async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::RequestMethodNotAllowed,
        format!(
            "{} is not allowed on {}",
            request.method(),
            request.uri().path()
        ),
    )
}

/// A JSON body with the raw bytes kept (idempotency hashes them). Unknown fields, bad JSON
/// and bodies over the limit become the errors of contract §9.
pub struct JsonBody<T> {
    pub value: T,
    pub raw: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        let raw = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        ErrorCode::RequestTooLarge,
                        format!(
                            "the request body is larger than the limit of {} bytes",
                            super::MAX_BODY_BYTES
                        ),
                    )
                } else {
                    ApiError::invalid(format!("cannot read the request body: {rejection}"))
                }
            })?;
        let value = parse_json(&raw)?;
        Ok(JsonBody { value, raw })
    }
}

/// What is wrong with a JSON body, in words; a body nested too deep is said to be so, with the
/// limit (`json::MAX_DEPTH`, serde_json's own, which no parse of a request turns off).
pub fn json_error_text(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if text.starts_with("recursion limit exceeded") {
        format!(
            "it nests arrays and objects deeper than {} levels, the most a body may (line {}, \
             column {})",
            crate::json::MAX_DEPTH,
            error.line(),
            error.column()
        )
    } else {
        text
    }
}

/// Parses a JSON body, naming the offending field on error.
pub fn parse_json<T: DeserializeOwned>(raw: &[u8]) -> ApiResult<T> {
    let text = if raw.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        raw
    };
    let deserializer = &mut serde_json::Deserializer::from_slice(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let message = json_error_text(err.inner());
        let unknown = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        // A body that is not JSON at all has no place inside it to point at.
        let not_json = err.inner().is_syntax() || err.inner().is_eof();
        let mut pointer = if not_json {
            String::new()
        } else {
            json_pointer(err.path())
        };
        // For an unknown field the path ends at the object holding it, or already names it.
        if let Some(field) = unknown
            && !pointer.ends_with(&format!("/{}", escape_pointer_token(field)))
        {
            pointer = format!("{pointer}/{}", escape_pointer_token(field));
        }
        let message = match unknown {
            Some(_) => format!("invalid request body: {message} (at `{pointer}`)"),
            None if pointer.is_empty() => format!("invalid request body: {message}"),
            None => format!("invalid request body: `{pointer}`: {message}"),
        };
        let error = ApiError::invalid(message);
        if pointer.is_empty() {
            error
        } else {
            error.with_details(serde_json::json!([{ "pointer": pointer }]))
        }
    })
}

/// The RFC 6901 pointer of a deserialisation path (`""` for the whole document).
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", escape_pointer_token(key))),
            Segment::Enum { variant } => Some(format!("/{}", escape_pointer_token(variant))),
            Segment::Unknown => None,
        })
        .collect()
}

pub(crate) fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Query parameters, with the errors of contract §9.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|err| ApiError::invalid(format!("invalid query parameters: {err}")))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::Value;

    use super::parse_json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        mask: Option<Inner>,
        items: Option<Vec<Vec<u32>>>,
        #[serde(rename = "a/b")]
        slashed: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        voice: Option<String>,
    }

    fn pointer(body: &str) -> Value {
        let error = parse_json::<Outer>(body.as_bytes()).unwrap_err();
        error
            .details
            .as_deref()
            .map_or(Value::Null, |details| details[0]["pointer"].clone())
    }

    #[test]
    fn error_pointers_are_rfc_6901_pointers() {
        assert_eq!(pointer(r#"{"colour": 1}"#), "/colour");
        assert_eq!(pointer(r#"{"mask": {"mask": 1}}"#), "/mask/mask");
        assert_eq!(pointer(r#"{"mask": {"voice": 3}}"#), "/mask/voice");
        assert_eq!(pointer(r#"{"items": [[1], [2, "x"]]}"#), "/items/1/1");
        assert_eq!(pointer(r#"{"a/b": "x"}"#), "/a~1b");
        // Not JSON at all: nothing inside to point at.
        assert_eq!(pointer("{"), Value::Null);
        assert_eq!(pointer(r#"{"mask": "#), Value::Null);
    }

    #[test]
    fn a_body_nested_too_deep_is_refused_with_the_limit() {
        let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = parse_json::<Value>(body.as_bytes()).unwrap_err();
        assert_eq!(error.status, 400);
        assert!(
            error.message.contains("deeper than 127 levels"),
            "{}",
            error.message
        );
    }
}
