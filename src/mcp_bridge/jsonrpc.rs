//! JSON-RPC 2.0 as the bridge sees it: messages stay `serde_json::Value`s (ids, key order and
//! unknown fields as they came), sorted into requests, notifications and responses.

use serde_json::{Value, json};

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'a> {
    Request(&'a str),
    Notification(&'a str),
    Response,
}

/// The kind of `message`, or None when it is none of the three.
pub fn kind(message: &Value) -> Option<Kind<'_>> {
    let object = message.as_object()?;
    let method = object.get("method").and_then(Value::as_str);
    match (method, object.contains_key("id")) {
        (Some(method), true) => Some(Kind::Request(method)),
        (Some(method), false) => Some(Kind::Notification(method)),
        (None, true) if object.contains_key("result") || object.contains_key("error") => {
            Some(Kind::Response)
        }
        _ => None,
    }
}

/// The id of a message (`null` when it has none).
pub fn id(message: &Value) -> Value {
    message.get("id").cloned().unwrap_or(Value::Null)
}

/// A text that tells ids apart exactly: `1` and `"1"` differ.
pub fn id_key(id: &Value) -> String {
    id.to_string()
}

/// An error answer.
pub fn error(id: Value, code: i64, message: impl Into<String>, data: Option<Value>) -> Value {
    let mut error = json!({ "code": code, "message": message.into() });
    if let Some(data) = data {
        error["data"] = data;
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": error })
}

/// A success answer.
pub fn result(id: Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// A one-line summary for logs: `tools/call #3`, `response #3`, `error #3 -32000`.
pub fn summary(message: &Value) -> String {
    let id = message
        .get("id")
        .map(|id| format!(" #{id}"))
        .unwrap_or_default();
    match kind(message) {
        Some(Kind::Request(method)) | Some(Kind::Notification(method)) => format!("{method}{id}"),
        Some(Kind::Response) => match message.pointer("/error/code") {
            Some(code) => format!("error{id} {code}"),
            None => format!("response{id}"),
        },
        None => "message".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::jsonrpc::PARSE_ERROR;

    #[test]
    fn messages_are_sorted_by_their_fields() {
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let response = json!({"jsonrpc": "2.0", "id": "a", "result": {}});
        assert_eq!(kind(&request), Some(Kind::Request("tools/list")));
        assert_eq!(
            kind(&notification),
            Some(Kind::Notification("notifications/initialized"))
        );
        assert_eq!(kind(&response), Some(Kind::Response));
        assert_eq!(kind(&json!({"id": 1})), None);
        assert_eq!(kind(&json!([1, 2])), None);
    }

    #[test]
    fn ids_keep_their_type() {
        assert_ne!(id_key(&json!(1)), id_key(&json!("1")));
        let answer = error(json!("x-1"), PARSE_ERROR, "bad", None);
        assert_eq!(
            answer.to_string(),
            r#"{"jsonrpc":"2.0","id":"x-1","error":{"code":-32700,"message":"bad"}}"#
        );
    }
}
