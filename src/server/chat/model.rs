//! The model chat engine: answers as a persona through an OpenAI-compatible model server, with
//! the persona's runtime prompt built from its layers, streaming the server's deltas as they come.

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::text::non_blank;
use super::{
    ChatEngine, ChatMessage, ChatReply, ChatTurn, EmbedFuture, ReplyFuture, ToolCall, count_tokens,
};
use crate::model::Persona;
use crate::server::engine::EngineError;
use crate::server::engine::model::{ModelClient, language_name};

/// Talks to a model server as the persona.
pub struct ModelChat {
    client: ModelClient,
}

impl ModelChat {
    pub fn new(client: ModelClient) -> Self {
        ModelChat { client }
    }

    async fn answer(
        &self,
        turn: ChatTurn<'_>,
        deltas: mpsc::UnboundedSender<String>,
    ) -> Result<ChatReply, EngineError> {
        let messages = messages(&turn);
        let mut body = json!({
            "messages": messages,
            "stream_options": { "include_usage": true },
        });
        if !turn.tools.is_empty() {
            body["tools"] = Value::Array(turn.tools.to_vec());
            if let Some(choice) = turn.tool_choice {
                body["tool_choice"] = choice.clone();
            }
        }
        if let Some(spec) = turn.json_schema {
            body["response_format"] = json!({ "type": "json_schema", "json_schema": spec });
        } else if turn.json_mode {
            body["response_format"] = json!({ "type": "json_object" });
        }
        if !turn.stop.is_empty() {
            body["stop"] = json!(turn.stop);
        }
        if let Some(max_tokens) = turn.max_tokens {
            body["max_tokens"] = json!(max_tokens);
        }
        if let Some(temperature) = turn.temperature {
            body["temperature"] = json!(temperature);
        }
        let response = self.client.start_stream(body).await?;
        let streamed = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/event-stream"));
        let mut reply = Reply::default();
        if streamed {
            let mut events = std::pin::pin!(crate::sse::parse_events(response.bytes_stream()));
            let mut done = false;
            while let Some(event) = events.next().await {
                let event = event.map_err(|err| {
                    self.client
                        .failure(&format!("broke off its stream ({err})"))
                })?;
                let data = event.data.trim();
                if data == "[DONE]" {
                    done = true;
                    break;
                }
                if data.is_empty() {
                    continue;
                }
                let chunk: Value = serde_json::from_str(data).map_err(|err| {
                    self.client
                        .malformed(&format!("a stream chunk is not JSON ({err})"))
                })?;
                reply
                    .take_chunk(&chunk, &deltas)
                    .map_err(|detail| self.fail(detail))?;
            }
            if !done && reply.finish_reason.is_none() {
                return Err(self
                    .client
                    .failure("closed its stream before the reply was finished"));
            }
        } else {
            // A server that ignores `stream: true` answers in one piece.
            let text = response
                .text()
                .await
                .map_err(|err| self.client.transport(&err))?;
            let answer: Value = serde_json::from_str(&text).map_err(|err| {
                self.client
                    .malformed(&format!("the answer is not JSON ({err})"))
            })?;
            reply
                .take_whole(&answer, &deltas)
                .map_err(|detail| self.fail(detail))?;
        }
        let prompt: String = messages
            .iter()
            .filter_map(|message| message["content"].as_str())
            .collect::<Vec<_>>()
            .join("\n");
        Ok(reply.finish(&prompt))
    }

    fn fail(&self, detail: ChunkProblem) -> EngineError {
        match detail {
            ChunkProblem::Upstream(message) => self
                .client
                .failure(&format!("answered with an error: {message}")),
            ChunkProblem::Malformed(message) => self.client.malformed(&message),
        }
    }
}

impl ChatEngine for ModelChat {
    fn name(&self) -> &'static str {
        "model"
    }

    fn reply<'a>(
        &'a self,
        turn: ChatTurn<'a>,
        deltas: mpsc::UnboundedSender<String>,
    ) -> ReplyFuture<'a> {
        Box::pin(self.answer(turn, deltas))
    }

    fn embed<'a>(&'a self, inputs: &'a [String]) -> EmbedFuture<'a> {
        Box::pin(self.client.embeddings(inputs))
    }
}

/// What went wrong with one piece of an answer.
enum ChunkProblem {
    /// The server sent an error object.
    Upstream(String),
    /// The piece is not shaped like OpenAI's.
    Malformed(String),
}

/// A reply as it is assembled from the server's chunks.
#[derive(Default)]
struct Reply {
    content: String,
    /// Tool calls by their `index` in the stream: (id, name, arguments so far).
    tool_calls: Vec<(String, String, String)>,
    finish_reason: Option<String>,
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

impl Reply {
    /// Takes one streamed chunk: its text goes on to `deltas` at once.
    fn take_chunk(
        &mut self,
        chunk: &Value,
        deltas: &mpsc::UnboundedSender<String>,
    ) -> Result<(), ChunkProblem> {
        check_error(chunk)?;
        self.take_usage(chunk);
        let Some(choices) = chunk.get("choices") else {
            return Ok(());
        };
        let choices = choices
            .as_array()
            .ok_or_else(|| ChunkProblem::Malformed("`choices` is not a list".to_owned()))?;
        let Some(choice) = choices.first() else {
            return Ok(());
        };
        let delta = &choice["delta"];
        if let Some(text) = delta["content"].as_str().filter(|text| !text.is_empty()) {
            self.content.push_str(text);
            let _ = deltas.send(text.to_owned());
        }
        for (position, call) in delta["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let index = call["index"].as_u64().unwrap_or(position as u64) as usize;
            if self.tool_calls.len() <= index {
                self.tool_calls
                    .resize_with(index + 1, || (String::new(), String::new(), String::new()));
            }
            let slot = &mut self.tool_calls[index];
            if let Some(id) = call["id"].as_str() {
                slot.0 = id.to_owned();
            }
            if let Some(name) = call["function"]["name"].as_str() {
                slot.1.push_str(name);
            }
            if let Some(arguments) = call["function"]["arguments"].as_str() {
                slot.2.push_str(arguments);
            }
        }
        if let Some(reason) = choice["finish_reason"].as_str() {
            self.finish_reason = Some(reason.to_owned());
        }
        Ok(())
    }

    /// Takes a whole (non-streamed) answer, sending its text as one delta.
    fn take_whole(
        &mut self,
        answer: &Value,
        deltas: &mpsc::UnboundedSender<String>,
    ) -> Result<(), ChunkProblem> {
        check_error(answer)?;
        self.take_usage(answer);
        let choice = &answer["choices"][0];
        let message = &choice["message"];
        if !message.is_object() {
            return Err(ChunkProblem::Malformed(
                "no choices[0].message in the answer".to_owned(),
            ));
        }
        if let Some(text) = message["content"].as_str().filter(|text| !text.is_empty()) {
            self.content.push_str(text);
            let _ = deltas.send(text.to_owned());
        }
        for call in message["tool_calls"].as_array().into_iter().flatten() {
            let arguments = match &call["function"]["arguments"] {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            self.tool_calls.push((
                call["id"].as_str().unwrap_or_default().to_owned(),
                call["function"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                arguments,
            ));
        }
        self.finish_reason = choice["finish_reason"].as_str().map(str::to_owned);
        Ok(())
    }

    fn take_usage(&mut self, piece: &Value) {
        let usage = &piece["usage"];
        if let Some(tokens) = usage["prompt_tokens"].as_u64() {
            self.prompt_tokens = Some(tokens);
        }
        if let Some(tokens) = usage["completion_tokens"].as_u64() {
            self.completion_tokens = Some(tokens);
        }
    }

    /// The engine's answer; token counts from the server, else estimated from the texts.
    fn finish(self, prompt: &str) -> ChatReply {
        let tool_calls: Vec<ToolCall> = self
            .tool_calls
            .into_iter()
            .enumerate()
            .filter(|(_, (_, name, _))| !name.is_empty())
            .map(|(index, (id, name, arguments))| ToolCall {
                id: if id.is_empty() {
                    format!("call_{index}")
                } else {
                    id
                },
                name,
                arguments: if arguments.trim().is_empty() {
                    "{}".to_owned()
                } else {
                    arguments
                },
            })
            .collect();
        let written_out: String = std::iter::once(self.content.as_str())
            .chain(tool_calls.iter().map(|call| call.arguments.as_str()))
            .collect();
        ChatReply {
            tokens_in: self
                .prompt_tokens
                .unwrap_or_else(|| count_tokens(prompt).max(1)),
            tokens_out: self
                .completion_tokens
                .unwrap_or_else(|| count_tokens(&written_out)),
            truncated: self.finish_reason.as_deref() == Some("length"),
            content: self.content,
            tool_calls,
        }
    }
}

fn check_error(piece: &Value) -> Result<(), ChunkProblem> {
    match piece.get("error") {
        None | Some(Value::Null) => Ok(()),
        Some(error) => Err(ChunkProblem::Upstream(
            error["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| error.to_string()),
        )),
    }
}

/// The messages sent upstream: the runtime prompt (with the caller's overlay, and a word on
/// the messages older than the window), the window of history, the new message, and any tool
/// round trip that followed it.
fn messages(turn: &ChatTurn<'_>) -> Vec<Value> {
    let mut system = runtime_prompt(turn.persona, turn.system_overlay, turn.json_mode);
    if turn.earlier > 0 {
        system.push_str(&format!(
            "\n\nThe conversation began {} messages before those that follow, which are not \
             repeated here.",
            turn.earlier
        ));
    }
    let mut messages = vec![json!({ "role": "system", "content": system })];
    messages.extend(turn.history.iter().map(wire_message));
    messages.push(json!({ "role": "user", "content": turn.message }));
    messages.extend(turn.tool_exchange.iter().map(wire_message));
    messages
}

fn wire_message(message: &ChatMessage) -> Value {
    let mut wire = json!({ "role": message.role, "content": message.content });
    if !message.tool_calls.is_empty() {
        if message.content.is_empty() {
            wire["content"] = Value::Null;
        }
        wire["tool_calls"] = message
            .tool_calls
            .iter()
            .map(|call| {
                json!({
                    "id": call.id,
                    "type": "function",
                    "function": { "name": call.name, "arguments": call.arguments },
                })
            })
            .collect();
    }
    if let Some(id) = &message.tool_call_id {
        wire["tool_call_id"] = json!(id);
    }
    wire
}

/// The persona's runtime prompt: who they are from each layer, how they speak, the language
/// to answer in, then the caller's system messages as an overlay.
pub fn runtime_prompt(persona: &Persona, overlay: Option<&str>, json_mode: bool) -> String {
    let text = |text: Option<&str>| non_blank(text).map(str::to_owned);
    let name = text(persona.surface_name()).unwrap_or_else(|| "this persona".to_owned());
    let mut identity = format!("You are {name}");
    if let Some(age) = persona.surface.get("age").and_then(Value::as_u64) {
        identity.push_str(&format!(", {age} years old"));
    }
    if let Some(occupation) = text(persona.surface_text("occupation")) {
        identity.push_str(&format!(", {occupation}"));
    }
    if let Some(place) = text(persona.surface_text("place")) {
        identity.push_str(&format!(", living in {place}"));
    }
    identity.push('.');
    let mut lines = vec![
        identity,
        "Stay in character in every reply: speak as this person, from their life and \
         knowledge, and never say you are an AI, a model or an assistant."
            .to_owned(),
    ];
    if let Some(register) = text(persona.voice_register()) {
        lines.push(format!("Your voice: {register}."));
    }
    if let Some(bio) = text(persona.public_bio()) {
        lines.push(format!("How others know you: {bio}"));
    }
    for (label, field) in [
        ("What you want most", "core_desire"),
        ("What you fear most", "core_fear"),
        ("Your old wound", "wound"),
    ] {
        if let Some(value) = text(persona.soul_text(field)) {
            lines.push(format!("{label}: {value}"));
        }
    }
    let traits = big_five_in_words(persona);
    if !traits.is_empty() {
        lines.push(format!("Your temperament: {}.", traits.join("; ")));
    }
    if let Some(archetype) = text(persona.archetype()) {
        lines.push(format!("Your archetype: {}.", archetype.replace('-', " ")));
    }
    lines.push(format!("Answer in {}.", language_name(&persona.language)));
    if json_mode {
        lines.push("Answer with one JSON object and nothing else.".to_owned());
    }
    if let Some(overlay) = overlay.map(str::trim).filter(|o| !o.is_empty()) {
        lines.push(format!(
            "The application you speak through adds these instructions:\n{overlay}"
        ));
    }
    lines.join("\n")
}

/// Each Big Five score as words: a high and a low description per trait, with a degree.
fn big_five_in_words(persona: &Persona) -> Vec<String> {
    const TRAITS: [(&str, &str, &str); 5] = [
        (
            "O",
            "curious and open to new ideas",
            "conventional, fond of the familiar",
        ),
        (
            "C",
            "organised and dependable",
            "spontaneous and careless of plans",
        ),
        ("E", "outgoing and talkative", "reserved and quiet"),
        ("A", "warm and cooperative", "blunt and wary of others"),
        ("N", "anxious and easily shaken", "calm and even-tempered"),
    ];
    TRAITS
        .iter()
        .filter_map(|(key, high, low)| {
            let score = persona.big_five(key)?;
            Some(match score {
                s if s >= 0.8 => format!("very {high}"),
                s if s >= 0.6 => (*high).to_owned(),
                s if s > 0.4 => format!("between {high} and {low}"),
                s if s > 0.2 => (*low).to_owned(),
                _ => format!("very {low}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::engine::ModelSettings;
    use crate::server::engine::model::ModelClient;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn persona() -> Persona {
        Persona::with_fields(json!({
            "id": "psn_test", "language": "tr",
            "soul": { "core_desire": "To be read.", "core_fear": "Silence.", "wound": "A closed shop." },
            "self": { "big_five": { "O": 0.82, "C": 0.5, "E": 0.1, "A": 0.3, "N": 0.7 }, "archetype": "the-sage" },
            "mask": { "voice": { "register": "wry, slightly archaic" }, "public_bio": "Sells old books." },
            "surface": { "name": "Mert Kavaklı", "age": 35, "occupation": "bookseller", "place": "Istanbul" },
        }))
    }

    fn turn<'a>(
        persona: &'a Persona,
        history: &'a [ChatMessage],
        tools: &'a [Value],
    ) -> ChatTurn<'a> {
        ChatTurn {
            persona,
            history,
            earlier: 0,
            system_overlay: Some("Keep it short."),
            message: "Which poet do you love?",
            tool_exchange: &[],
            json_mode: false,
            json_schema: None,
            tools,
            tool_choice: None,
            max_tokens: None,
            stop: &[],
            temperature: None,
        }
    }

    /// A stand-in model server for these tests: answers every connection with `answer` (a
    /// whole HTTP response) and keeps the request bodies it got.
    async fn stand_in(answer: String) -> (String, Arc<Mutex<Vec<Value>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    let n = socket.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            recorded
                                .lock()
                                .unwrap()
                                .push(serde_json::from_str(body).unwrap());
                            break;
                        }
                    }
                }
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        (url, seen)
    }

    fn chat(url: &str) -> ModelChat {
        ModelChat::new(
            ModelClient::new(ModelSettings::new(url, "stand-in", None).unwrap()).unwrap(),
        )
    }

    fn sse(chunks: &[Value], done: bool) -> String {
        let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
        if done {
            body.push_str("data: [DONE]\n\n");
        }
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn the_runtime_prompt_tells_who_speaks_how_and_in_which_language() {
        let prompt = runtime_prompt(&persona(), Some("Keep it short."), true);
        for expected in [
            "You are Mert Kavaklı, 35 years old, bookseller, living in Istanbul.",
            "Your voice: wry, slightly archaic.",
            "Sells old books.",
            "What you want most: To be read.",
            "What you fear most: Silence.",
            "Your old wound: A closed shop.",
            "very curious and open to new ideas",
            "very reserved and quiet",
            "anxious and easily shaken",
            "Your archetype: the sage.",
            "Answer in Turkish.",
            "JSON",
            "Keep it short.",
        ] {
            assert!(
                prompt.contains(expected),
                "{expected:?} missing from:\n{prompt}"
            );
        }
        assert!(prompt.find("Answer in Turkish").unwrap() < prompt.find("Keep it short").unwrap());
    }

    #[tokio::test]
    async fn deltas_stream_through_and_tool_calls_and_usage_are_kept() {
        let chunks = [
            json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Nâzım"}}]}),
            json!({"choices": [{"index": 0, "delta": {"content": " Hikmet."}}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": "web_search", "arguments": "{\"q\":"}}]}}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"poet\"}"}}]}, "finish_reason": "tool_calls"}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 40, "completion_tokens": 9}}),
        ];
        let (url, seen) = stand_in(sse(&chunks, true)).await;
        let persona = persona();
        let history = [
            ChatMessage::new("user", "Hello"),
            ChatMessage::new("assistant", "Hoş geldiniz."),
        ];
        let tools = [json!({"type": "function", "function": {"name": "web.search"}})];
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let reply = chat(&url)
            .reply(turn(&persona, &history, &tools), sender)
            .await
            .unwrap();
        assert_eq!(reply.content, "Nâzım Hikmet.");
        let mut pieces = Vec::new();
        while let Ok(piece) = receiver.try_recv() {
            pieces.push(piece);
        }
        assert_eq!(pieces, ["Nâzım", " Hikmet."]);
        assert_eq!(
            reply.tool_calls,
            [ToolCall {
                id: "call_9".into(),
                name: "web_search".into(),
                arguments: "{\"q\":\"poet\"}".into()
            }]
        );
        assert_eq!((reply.tokens_in, reply.tokens_out), (40, 9));
        let request = seen.lock().unwrap()[0].clone();
        assert_eq!(request["model"], "stand-in");
        assert_eq!(request["stream"], true);
        assert_eq!(request["tools"][0]["function"]["name"], "web.search");
        let messages = request["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 4);
        assert!(
            messages[0]["content"]
                .as_str()
                .unwrap()
                .contains("Mert Kavaklı")
        );
        assert_eq!(
            messages[3],
            json!({"role": "user", "content": "Which poet do you love?"})
        );
    }

    #[tokio::test]
    async fn a_plain_answer_and_missing_usage_are_handled() {
        let body = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"poet\": \"Nâzım\"}"}, "finish_reason": "length"}]}).to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let spec = json!({"name": "poet", "strict": true, "schema": {"type": "object"}});
        for (json_schema, sent) in [
            (None, json!({"type": "json_object"})),
            (
                Some(&spec),
                json!({"type": "json_schema", "json_schema": spec}),
            ),
        ] {
            let (url, seen) = stand_in(answer.clone()).await;
            let persona = persona();
            let mut json_turn = turn(&persona, &[], &[]);
            json_turn.json_mode = true;
            json_turn.json_schema = json_schema;
            let (sender, _receiver) = mpsc::unbounded_channel();
            let reply = chat(&url).reply(json_turn, sender).await.unwrap();
            assert_eq!(reply.content, "{\"poet\": \"Nâzım\"}");
            assert!(reply.truncated);
            assert!(reply.tokens_in > 0 && reply.tokens_out > 0);
            assert_eq!(seen.lock().unwrap()[0]["response_format"], sent);
        }
    }

    #[tokio::test]
    async fn upstream_failures_are_provider_failures() {
        let server_error = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops".to_owned();
        let cut_short = sse(
            &[json!({"choices": [{"index": 0, "delta": {"content": "Nâ"}}]})],
            false,
        );
        let error_chunk = sse(&[json!({"error": {"message": "model not loaded"}})], true);
        for (answer, expected) in [
            (server_error, "answered HTTP 500: oops"),
            (cut_short, "closed its stream"),
            (error_chunk, "model not loaded"),
        ] {
            let (url, _) = stand_in(answer).await;
            let persona = persona();
            let (sender, _receiver) = mpsc::unbounded_channel();
            let error = chat(&url)
                .reply(turn(&persona, &[], &[]), sender)
                .await
                .unwrap_err();
            assert_eq!(
                error.kind,
                crate::server::engine::EngineErrorKind::ProviderUnavailable
            );
            assert!(error.message.contains(expected), "{error}");
        }
    }
}
