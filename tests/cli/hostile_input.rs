//! Hostile input against `persona dev serve` and the binary: what would recurse or work without a
//! bound is refused with the limit named (a 400, or exit 2), and the server keeps answering.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::common::{DevServer, TestEnv, http_client};

const BRIEF: &str = "a calm baker in Lyon who loves old recipes";

/// `persona dev serve` with a persona to talk to; the environment points at it.
fn serve_with_persona() -> (TestEnv, DevServer, String) {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let persona = env.create(BRIEF, &["--slug", "baker"]);
    let model = format!("persona/{}", persona["slug"].as_str().unwrap());
    (env, server, model)
}

/// (status, JSON body) of a POST to `url` with the server's key.
async fn post(server: &DevServer, url: &str, body: String) -> (u16, Value) {
    let response = http_client()
        .post(url)
        .bearer_auth(&server.key)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The status of `GET /v1/auth/whoami`.
async fn whoami(server: &DevServer) -> u16 {
    http_client()
        .get(format!("{}/auth/whoami", server.base_url))
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A chat completion asking for structured output after `schema`.
fn completion(model: &str, schema: Value) -> Value {
    json!({
        "model": model,
        "messages": [{ "role": "user", "content": "Tell me about your bakery" }],
        "response_format": { "type": "json_schema", "json_schema": { "name": "answer", "schema": schema } },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pattern_of_ten_thousand_nested_groups_is_a_400_and_the_server_lives() {
    let (_env, server, model) = serve_with_persona();
    let completions = format!("{}/openai/chat/completions", server.base_url);
    let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    let schema = json!({ "type": "object", "properties": { "code": { "type": "string", "pattern": deep } } });

    // The request of the report, plain and streamed.
    for stream in [false, true] {
        let mut body = completion(&model, schema.clone());
        body["stream"] = json!(stream);
        let (status, answer) = post(&server, &completions, body.to_string()).await;
        assert_eq!(status, 400, "{answer}");
        let error = &answer["error"];
        assert_eq!(
            error["param"],
            "response_format.json_schema.schema.properties.code.pattern"
        );
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("deeper than 64 levels"), "{message}");
    }

    // The same pattern in a tool's parameters, on the conversation route.
    let (status, conversation) = post(
        &server,
        &format!("{}/chat/conversations", server.base_url),
        json!({ "persona_id": "baker" }).to_string(),
    )
    .await;
    assert_eq!(status, 201, "{conversation}");
    let tool = json!({ "type": "function", "function": { "name": "lookup",
        "parameters": { "type": "object", "properties": { "code": { "type": "string", "pattern": deep } } } } });
    let (status, answer) = post(
        &server,
        &format!(
            "{}/chat/conversations/{}/messages",
            server.base_url,
            conversation["id"].as_str().unwrap()
        ),
        json!({ "message": "look up my code", "tools": [tool] }).to_string(),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["details"][0]["pointer"],
        "/tools/0/function/parameters/properties/code/pattern"
    );

    // JSON nested past serde_json's limit, as an API body and as an MCP message.
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let body = format!(r#"{{"model": "{model}", "messages": [], "tool_choice": {nested}}}"#);
    let (status, answer) = post(&server, &completions, body).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("deeper than 127 levels"), "{message}");
    let mcp = format!("{}/mcp", server.base_url.trim_end_matches("/v1"));
    let call = format!(
        r#"{{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {{"name": "persona.search", "arguments": {{"query": {nested}}}}}}}"#
    );
    let (status, answer) = post(&server, &mcp, call).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("deeper than 127 levels"), "{message}");

    // Still up: the process did not abort.
    assert_eq!(whoami(&server).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quadratic_schema_is_a_400_and_other_requests_are_answered_meanwhile() {
    let (_env, server, model) = serve_with_persona();
    let server = Arc::new(server);
    let schema = json!({ "type": "object", "allOf": vec![json!({ "$ref": "#" }); 2000] });
    let body = completion(&model, schema).to_string();

    // Two senders keep such a request in flight, one after another, ROUNDS times each; once
    // both have had an answer, `whoami` is asked.
    const ROUNDS: usize = 20;
    let finished = Arc::new(AtomicUsize::new(0));
    let both_answered = Arc::new(Barrier::new(3));
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let (server, body, finished, both_answered) = (
                server.clone(),
                body.clone(),
                finished.clone(),
                both_answered.clone(),
            );
            tokio::spawn(async move {
                let url = format!("{}/openai/chat/completions", server.base_url);
                let mut answers = Vec::new();
                for round in 0..ROUNDS {
                    answers.push(post(&server, &url, body.clone()).await);
                    if round == 0 {
                        both_answered.wait().await;
                    }
                }
                finished.fetch_add(1, Ordering::SeqCst);
                answers
            })
        })
        .collect();
    both_answered.wait().await;
    assert_eq!(whoami(&server).await, 200);
    let senders_done_at_whoami = finished.load(Ordering::SeqCst);

    for sender in senders {
        for (status, answer) in sender.await.unwrap() {
            assert_eq!(status, 400, "{answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("schema too complex") && message.contains("100000 steps"),
                "{message}"
            );
        }
    }
    assert_eq!(
        senders_done_at_whoami, 0,
        "whoami was answered only after the hostile requests were done"
    );
}

#[test]
fn a_yaml_file_nested_a_hundred_thousand_levels_is_refused_before_parsing() {
    let (env, _server, _model) = serve_with_persona();
    env.run(&["personas", "pull", "baker", "-o", "baker.yml"])
        .success();
    // 200 KB of `[` and `]`, as the report has it.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let pulled = env.read("baker.yml");
    let lines = pulled.lines().count();
    env.write("deep.yml", &format!("{pulled}deep: {deep}\n"));
    let expected = format!(
        "deep.yml:{}: the YAML nests mappings and sequences deeper than 127 levels, the most a working copy may",
        lines + 1
    );
    for command in ["push", "diff"] {
        let outcome = env.run(&["personas", command, "deep.yml"]).code(2);
        assert!(
            outcome.stderr.contains(&expected),
            "{command}: {}",
            outcome.stderr
        );
    }

    // A brief's front matter is held to the same limit.
    env.write(
        "deep.md",
        &format!("---\nlanguage: en\ncustom_fields:\n  deep: {deep}\n---\n{BRIEF}\n"),
    );
    let outcome = env
        .run(&["personas", "create", "--file", "deep.md"])
        .code(2);
    assert!(
        outcome.stderr.contains("deeper than 127 levels on line 4"),
        "{}",
        outcome.stderr
    );
}
