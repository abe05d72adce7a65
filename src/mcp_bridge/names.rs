//! Tool names every host accepts: `persona.invoke` becomes `persona_invoke` in `tools/list`
//! answers (several hosts refuse names outside `^[a-zA-Z0-9_-]{1,64}$`) and back in `tools/call`.

use std::collections::HashMap;

use serde_json::Value;

/// The longest name hosts accept.
const MAX_LEN: usize = 64;

/// The names handed to the host and the remote names they stand for.
#[derive(Debug, Default)]
pub struct ToolNames {
    to_remote: HashMap<String, String>,
    to_host: HashMap<String, String>,
}

impl ToolNames {
    /// Rewrites the tool names of a `tools/list` answer, remembering each.
    pub fn rewrite_list(&mut self, response: &mut Value) {
        let Some(tools) = response
            .pointer_mut("/result/tools")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        let name_of = |tool: &Value| tool.get("name").and_then(Value::as_str).map(str::to_string);
        // Names that are already safe keep themselves, so a rewritten name never takes theirs.
        for name in tools.iter().filter_map(name_of) {
            if is_safe(&name) && !self.to_remote.contains_key(&name) {
                self.remember(&name, &name);
            }
        }
        for tool in tools.iter_mut() {
            if let Some(name) = name_of(tool) {
                tool["name"] = Value::String(self.host_name(&name));
            }
        }
    }

    /// Whether a `tools/call` names a tool this map has not seen listed.
    pub fn is_unknown_call(&self, request: &Value) -> bool {
        request
            .pointer("/params/name")
            .and_then(Value::as_str)
            .is_some_and(|name| !self.to_remote.contains_key(name))
    }

    /// Puts the remote name back into a `tools/call` request.
    pub fn restore_call(&self, request: &mut Value) {
        if let Some(name) = request.pointer_mut("/params/name")
            && let Some(remote) = name.as_str().and_then(|n| self.to_remote.get(n))
        {
            *name = Value::String(remote.clone());
        }
    }

    fn host_name(&mut self, remote: &str) -> String {
        if let Some(known) = self.to_host.get(remote) {
            return known.clone();
        }
        let base = sanitize(remote);
        let mut candidate = base.clone();
        let mut n = 2;
        while self.to_remote.contains_key(&candidate) {
            let suffix = format!("_{n}");
            candidate = format!(
                "{}{suffix}",
                &base[..base.len().min(MAX_LEN - suffix.len())]
            );
            n += 1;
        }
        self.remember(&candidate, remote);
        candidate
    }

    fn remember(&mut self, host: &str, remote: &str) {
        self.to_remote.insert(host.to_string(), remote.to_string());
        self.to_host.insert(remote.to_string(), host.to_string());
    }
}

fn is_safe(name: &str) -> bool {
    (1..=MAX_LEN).contains(&name.len()) && name.bytes().all(is_safe_byte)
}

fn is_safe_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Every other character becomes `_`, cut to 64.
fn sanitize(name: &str) -> String {
    let mut safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && is_safe_byte(c as u8) {
                c
            } else {
                '_'
            }
        })
        .take(MAX_LEN)
        .collect();
    if safe.is_empty() {
        safe.push_str("tool");
    }
    safe
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn list(names: &[&str]) -> Value {
        let tools: Vec<Value> = names
            .iter()
            .map(|n| json!({"name": n, "inputSchema": {"type": "object"}}))
            .collect();
        json!({"jsonrpc": "2.0", "id": 2, "result": {"tools": tools, "nextCursor": null}})
    }

    fn names(response: &Value) -> Vec<String> {
        response["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn dotted_names_become_safe_and_come_back_on_call() {
        let mut map = ToolNames::default();
        let mut response = list(&["persona.invoke", "ensemble.scenario", "plain-name"]);
        map.rewrite_list(&mut response);
        assert_eq!(
            names(&response),
            ["persona_invoke", "ensemble_scenario", "plain-name"]
        );
        assert_eq!(
            response["result"]["nextCursor"],
            Value::Null,
            "other fields stay"
        );
        let mut call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "persona_invoke", "arguments": {"x": 1}}});
        map.restore_call(&mut call);
        assert_eq!(call["params"]["name"], "persona.invoke");
        assert_eq!(call["params"]["arguments"]["x"], 1);
    }

    #[test]
    fn clashing_long_and_odd_names_stay_distinct_and_valid() {
        let mut map = ToolNames::default();
        let long = "x.".repeat(40);
        let mut response = list(&["a.b", "a_b", "", "é", &long, "a b"]);
        map.rewrite_list(&mut response);
        let got = names(&response);
        assert_eq!(got[0], "a_b_2", "the already-safe `a_b` keeps its name");
        assert_eq!(got[1], "a_b");
        assert_eq!(got[2], "tool");
        assert_eq!(got[3], "_");
        assert_eq!(got[5], "a_b_3");
        for name in &got {
            assert!(is_safe(name), "{name}");
        }
        let unique: std::collections::HashSet<_> = got.iter().collect();
        assert_eq!(unique.len(), got.len());
        let mut call = json!({"method": "tools/call", "params": {"name": "a_b_2"}});
        assert!(!map.is_unknown_call(&call));
        assert!(map.is_unknown_call(&json!({"params": {"name": "nope"}})));
        map.restore_call(&mut call);
        assert_eq!(call["params"]["name"], "a.b");
    }
}
