//! Fuzz target: what the MCP bridge does with a line of stdin before anything goes out: parse it,
//! sort it (`jsonrpc::kind`), name it in logs, answer a bad one, and rename tools both ways.

#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use persona::mcp_bridge::jsonrpc::{self, Kind};
use persona::mcp_bridge::names::ToolNames;
use persona::model::jsonrpc::{INVALID_REQUEST, PARSE_ERROR};
use serde_json::{Value, json};

/// An answer the bridge writes is one line of JSON-RPC 2.0.
fn check_answer(answer: &Value) {
    let line = answer.to_string();
    assert!(!line.contains('\n'));
    assert_eq!(answer["jsonrpc"], "2.0");
    assert!(answer.get("id").is_some());
}

/// Whether a host accepts `name` as a tool name: `^[a-zA-Z0-9_-]{1,64}$`.
fn host_safe(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fuzz_target!(|line: &[u8]| {
    let text = line.trim_ascii();
    if text.is_empty() {
        return;
    }
    let message: Value = match serde_json::from_slice(text) {
        Ok(message) => message,
        Err(err) => {
            check_answer(&jsonrpc::error(
                Value::Null,
                PARSE_ERROR,
                err.to_string(),
                None,
            ));
            return;
        }
    };
    let summary = jsonrpc::summary(&message);
    let id = jsonrpc::id(&message);
    match jsonrpc::kind(&message) {
        None => check_answer(&jsonrpc::error(
            id.clone(),
            INVALID_REQUEST,
            "invalid",
            None,
        )),
        Some(Kind::Request(method) | Kind::Notification(method)) => {
            assert!(summary.starts_with(method))
        }
        Some(Kind::Response) => {}
    }
    check_answer(&jsonrpc::result(id.clone(), json!({})));
    assert_eq!(
        jsonrpc::id_key(&id) == jsonrpc::id_key(&json!("1")),
        id == json!("1")
    );

    // The line taken as a `tools/list` answer: every name the host sees is safe, distinct
    // remote names get distinct host names, and a call by host name goes out by remote name.
    let remote: Vec<String> = message
        .pointer("/result/tools")
        .and_then(Value::as_array)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|tool| tool.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut listed = message.clone();
    let mut names = ToolNames::default();
    names.rewrite_list(&mut listed);
    let hosted: Vec<String> = listed
        .pointer("/result/tools")
        .and_then(Value::as_array)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|tool| tool.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(remote.len(), hosted.len());
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for (remote, host) in remote.iter().zip(&hosted) {
        assert!(host_safe(host), "{host:?} for {remote:?}");
        let first = *owner.entry(host).or_insert(remote);
        assert_eq!(first, remote, "two tools share the host name {host:?}");
        let mut call = json!({ "method": "tools/call", "params": { "name": host } });
        assert!(!names.is_unknown_call(&call));
        names.restore_call(&mut call);
        assert_eq!(&call["params"]["name"], remote.as_str());
    }
});
