//! JSON-RPC 2.0 messages and the MCP methods (`initialize`, `ping`, `server/discover`,
//! `tools/list`, `tools/call`), with version negotiation for the session and stateless eras.

use std::sync::Arc;

use serde_json::{Value, json};

use super::session::Sessions;
use super::tools;
use crate::model::jsonrpc::{INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND};
use crate::server::AppState;
use crate::server::http::Caller;

/// Versions that open with `initialize` and live in a session, newest first.
pub const LEGACY_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// Stateless versions: every request carries its version in `_meta`.
pub const MODERN_VERSIONS: [&str; 1] = ["2026-07-28"];

/// The `_meta` key of a stateless request's client capabilities.
pub const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";

/// How long a stateless client may keep the answers of `server/discover` and `tools/list`.
const CACHE_TTL_MS: u64 = 300_000;

/// A JSON-RPC error object.
#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// Which rules a request is answered under.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Era {
    /// In a session opened by `initialize` (2024-11-05 to 2025-11-25).
    Session,
    /// Self-describing requests without a session (2026-07-28).
    Stateless,
}

/// What a method needs: the server, the caller, and the session if there is one.
pub struct Context<'a> {
    pub state: &'a Arc<AppState>,
    pub caller: &'a Caller,
    pub sessions: &'a Sessions,
    pub session_id: Option<&'a str>,
    pub era: Era,
    /// Whether this transport serves 2026-07-28's sessionless requests too (Streamable HTTP
    /// does; the HTTP+SSE transport is sessions only, so it must not offer that version).
    pub serves_stateless: bool,
}

/// Every version this server speaks, newest first.
pub fn supported_versions() -> Vec<&'static str> {
    MODERN_VERSIONS
        .iter()
        .chain(&LEGACY_VERSIONS)
        .copied()
        .collect()
}

/// The session version for an `initialize` asking for `requested`: that one when this
/// server speaks it, else the newest.
pub fn negotiate(requested: Option<&str>) -> &'static str {
    LEGACY_VERSIONS
        .iter()
        .find(|version| Some(**version) == requested)
        .copied()
        .unwrap_or(LEGACY_VERSIONS[0])
}

/// Why a session of `version` cannot take `body`: batches ended with 2025-06-18.
pub fn batch_refusal(version: Option<&str>, body: &Value) -> Option<RpcError> {
    let batch = body.as_array()?;
    let allowed = matches!(version, None | Some("2024-11-05" | "2025-03-26"));
    if batch.is_empty() {
        Some(RpcError::new(INVALID_REQUEST, "an empty batch"))
    } else if !allowed {
        Some(RpcError::new(
            INVALID_REQUEST,
            format!(
                "MCP {} takes one JSON-RPC message per request, not a batch",
                version.unwrap_or_default()
            ),
        ))
    } else {
        None
    }
}

/// A response object for the request `id`.
pub fn response(id: Value, outcome: Result<Value, RpcError>) -> Value {
    match outcome {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => error_response(Some(id), error),
    }
}

/// An error response; without an id when the request's id could not be read.
pub fn error_response(id: Option<Value>, error: RpcError) -> Value {
    let mut body = json!({ "code": error.code, "message": error.message });
    if let Some(data) = error.data {
        body["data"] = data;
    }
    // JSON-RPC 2.0: an error whose request id is unknown carries `"id": null`.
    json!({ "jsonrpc": "2.0", "id": id.unwrap_or(Value::Null), "error": body })
}

/// Answers a message or a batch of them: None when nothing in it needs an answer.
pub async fn answer_body(ctx: &Context<'_>, body: Value) -> Option<Value> {
    let Value::Array(messages) = body else {
        return answer(ctx, body).await;
    };
    let mut answers = Vec::new();
    for message in messages {
        answers.extend(answer(ctx, message).await);
    }
    (!answers.is_empty()).then_some(Value::Array(answers))
}

/// Answers one message: None for notifications and responses, which get no answer.
pub async fn answer(ctx: &Context<'_>, message: Value) -> Option<Value> {
    let Value::Object(mut message) = message else {
        return Some(error_response(
            None,
            RpcError::new(INVALID_REQUEST, "a JSON-RPC message must be an object"),
        ));
    };
    let id = message.remove("id");
    let method = message.get("method").and_then(Value::as_str);
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(error_response(
            id,
            RpcError::new(INVALID_REQUEST, "`jsonrpc` must be \"2.0\""),
        ));
    }
    match (id, method) {
        (Some(id), Some(method)) if id.is_string() || id.is_i64() || id.is_u64() => {
            let params = message.get("params").cloned().unwrap_or(json!({}));
            Some(response(id, call(ctx, method, &params).await))
        }
        (Some(id), Some(_)) => Some(error_response(
            Some(id),
            RpcError::new(
                INVALID_REQUEST,
                "a request id must be a string or an integer",
            ),
        )),
        // A notification, or the client's answer to a request: nothing to say back.
        (None, Some(_)) => None,
        (Some(_), None) if message.contains_key("result") || message.contains_key("error") => None,
        (id, None) => Some(error_response(
            id,
            RpcError::new(INVALID_REQUEST, "a JSON-RPC request needs a `method`"),
        )),
    }
}

async fn call(ctx: &Context<'_>, method: &str, params: &Value) -> Result<Value, RpcError> {
    if !params.is_object() {
        return Err(RpcError::new(INVALID_PARAMS, "`params` must be an object"));
    }
    let mut result = match (method, ctx.era) {
        ("initialize", Era::Session) => initialize(ctx, params),
        ("ping", _) => json!({}),
        ("server/discover", _) => discover(ctx),
        ("tools/list", _) => json!({ "tools": tools::definitions() }),
        ("tools/call", _) => tools::call(ctx, params).await?,
        _ => {
            return Err(RpcError::new(
                METHOD_NOT_FOUND,
                format!("this server has no method `{method}`"),
            ));
        }
    };
    // The fields of 2026-07-28 results; `server/discover` has them whoever asks.
    if ctx.era == Era::Stateless || method == "server/discover" {
        result["resultType"] = json!("complete");
        result["_meta"] = json!({ "io.modelcontextprotocol/serverInfo": server_info() });
        if matches!(method, "server/discover" | "tools/list") {
            // The same for every caller until this server is upgraded.
            result["ttlMs"] = json!(CACHE_TTL_MS);
            result["cacheScope"] = json!("public");
        }
    }
    Ok(result)
}

fn initialize(ctx: &Context<'_>, params: &Value) -> Value {
    let version = negotiate(params["protocolVersion"].as_str());
    if let Some(id) = ctx.session_id {
        ctx.sessions.set_version(id, version);
    }
    json!({
        "protocolVersion": version,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": INSTRUCTIONS,
    })
}

/// The answer to `server/discover`, which needs no session.
fn discover(ctx: &Context<'_>) -> Value {
    let versions: Vec<&str> = if ctx.serves_stateless {
        supported_versions()
    } else {
        LEGACY_VERSIONS.to_vec()
    };
    json!({
        "supportedVersions": versions,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": INSTRUCTIONS,
    })
}

fn capabilities() -> Value {
    json!({ "tools": { "listChanged": false } })
}

fn server_info() -> Value {
    json!({ "name": "persona", "title": "Persona", "version": env!("CARGO_PKG_VERSION") })
}

/// The tools are described, not named: a bridge may list them under other names (dots replaced
/// for hosts that refuse them), and the instructions must hold for either.
const INSTRUCTIONS: &str = "Tools over the personas of your workspace: the search tool finds \
    them, the invoke tool chats with one, the fork tool derives a new one, and the scenario tool \
    stages a scene between several. Private personas made with other API keys are not shown.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::jsonrpc::PARSE_ERROR;

    #[test]
    fn initialize_answers_the_clients_version_or_the_newest() {
        assert_eq!(negotiate(Some("2025-03-26")), "2025-03-26");
        assert_eq!(negotiate(Some("2024-11-05")), "2024-11-05");
        assert_eq!(negotiate(Some("2026-07-28")), "2025-11-25");
        assert_eq!(negotiate(Some("1999-01-01")), "2025-11-25");
        assert_eq!(negotiate(None), "2025-11-25");
        let batch = json!([{ "jsonrpc": "2.0", "method": "ping", "id": 1 }]);
        assert!(batch_refusal(Some("2025-03-26"), &batch).is_none());
        assert!(batch_refusal(Some("2025-06-18"), &batch).is_some());
        assert!(batch_refusal(None, &json!([])).is_some());
        assert!(batch_refusal(Some("2025-06-18"), &json!({})).is_none());
    }

    #[test]
    fn errors_without_a_readable_id_have_a_null_id() {
        let error = error_response(None, RpcError::new(PARSE_ERROR, "bad"));
        assert_eq!(error["id"], Value::Null);
        assert!(error.as_object().unwrap().contains_key("id"));
        assert_eq!(error["error"]["code"], PARSE_ERROR);
        let error = response(json!(7), Err(RpcError::new(INVALID_PARAMS, "x")));
        assert_eq!(error["id"], 7);
    }
}
