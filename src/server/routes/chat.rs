//! Conversation endpoints of contract §6: start a conversation with a persona, post a message
//! (plain, or streamed as `message.delta` / `message.completed` events), read it back.

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::clock;
use crate::server::AppState;
use crate::server::chat::{self, MAX_MESSAGE_CHARS, PendingTurn, Turn, TurnInput};
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::{sse_frame, sse_response};
use crate::server::http::{Caller, JsonBody, RequestId};
use crate::server::personas;
use crate::server::store::{Conversation, StoredMessage};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateConversation {
    persona_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    persona_id: Option<String>,
    message: String,
    tools: Option<Vec<Value>>,
    stream: Option<bool>,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: JsonBody<CreateConversation>,
) -> ApiResult<Response> {
    caller.require("chat:invoke")?;
    let persona = personas::resolve_for_chat(&state, &caller, &body.value.persona_id)
        .map_err(|err| point_at(err, "/persona_id"))?;
    let conversation = chat::start_conversation(&state, &caller.workspace.id, &persona)?;
    Ok((
        StatusCode::CREATED,
        Json(ConversationJson::new(&conversation, None)),
    )
        .into_response())
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require("chat:read")?;
    let conversation = chat::load_conversation(&state, &caller, &id)?;
    let messages = state.store.messages(&conversation.id)?;
    let messages = messages.iter().map(MessageJson::from).collect();
    Ok(Json(ConversationJson::new(&conversation, Some(messages))).into_response())
}

pub async fn post_message(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    body: JsonBody<PostMessage>,
) -> ApiResult<Response> {
    caller.require("chat:invoke")?;
    let input = body.value;
    let chars = input.message.chars().count();
    if input.message.trim().is_empty() || chars > MAX_MESSAGE_CHARS {
        return Err(point_at(
            ApiError::invalid(format!(
                "`message` has {chars} characters; send 1 to {MAX_MESSAGE_CHARS} that are not all blank"
            )),
            "/message",
        ));
    }
    let workspace_id = caller.workspace.id.clone();
    let conversation = chat::load_conversation(&state, &caller, &id)?;
    let persona = chat::conversation_persona(&state, &conversation)?;
    if let Some(reference) = &input.persona_id {
        let named = personas::resolve_for_chat(&state, &caller, reference)
            .map_err(|err| point_at(err, "/persona_id"))?;
        if named.id != persona.id {
            return Err(point_at(
                ApiError::invalid(format!(
                    "conversation {} is with persona {}, not `{reference}`",
                    conversation.id, conversation.persona_id
                )),
                "/persona_id",
            ));
        }
    }
    let tools = input
        .tools
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, tool)| tool_definition(tool, index))
        .collect::<ApiResult<Vec<Value>>>()?;
    let turn = TurnInput {
        workspace_id,
        persona,
        conversation: Some(conversation),
        message: input.message,
        tools,
        ..TurnInput::default()
    };
    if input.stream == Some(true) {
        let pending = chat::begin_turn(&state, turn).await?;
        let mut seq = 0;
        return Ok(stream_turn(pending, move |item| {
            let (event, data) = match item {
                Streamed::Start => return String::new(),
                Streamed::Delta(content) => (
                    "message.delta",
                    serde_json::to_string(&MessageDelta { content }).expect("a delta serialises"),
                ),
                Streamed::Done(Ok(turn)) => ("message.completed", turn.to_json().to_string()),
                Streamed::Done(Err(err)) => ("message.failed", err.body(&request_id.0).to_string()),
            };
            seq += 1;
            sse_frame(seq, event, &data)
        }));
    }
    let turn = chat::run_turn(&state, turn).await?;
    Ok(Json(turn.to_json()).into_response())
}

/// A tool as the engine takes it (OpenAI's function definition) from a name such as
/// `"web.search"` or from a definition given whole.
fn tool_definition(tool: Value, index: usize) -> ApiResult<Value> {
    let named = tool.as_str().is_some_and(|name| !name.trim().is_empty())
        || tool["function"]["name"].is_string()
        || tool["name"].is_string();
    match tool {
        Value::String(name) if named => Ok(json!({ "type": "function", "function": {
            "name": name, "parameters": chat::named_tool_parameters(),
        } })),
        Value::Object(_) if named => Ok(tool),
        _ => Err(point_at(
            ApiError::invalid(
                "each of `tools` must be a tool name, or a definition with `function.name`",
            ),
            &format!("/tools/{index}"),
        )),
    }
}

/// Names the request field an error is about.
fn point_at(error: ApiError, pointer: &str) -> ApiError {
    if error.status == StatusCode::BAD_REQUEST && error.details.is_none() {
        error.with_details(json!([{ "pointer": pointer }]))
    } else {
        error
    }
}

/// A conversation; read back, with its messages.
#[derive(Serialize)]
struct ConversationJson<'a> {
    id: &'a str,
    persona_id: &'a str,
    persona_version: i64,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<Vec<MessageJson<'a>>>,
}

impl<'a> ConversationJson<'a> {
    fn new(conversation: &'a Conversation, messages: Option<Vec<MessageJson<'a>>>) -> Self {
        ConversationJson {
            id: &conversation.id,
            persona_id: &conversation.persona_id,
            persona_version: conversation.persona_version,
            created_at: clock::rfc3339(conversation.created_at),
            messages,
        }
    }
}

/// A stored message; an assistant message with its turn's scores and costs.
#[derive(Serialize)]
struct MessageJson<'a> {
    id: &'a str,
    role: &'a str,
    content: &'a str,
    created_at: String,
    #[serde(flatten)]
    scores: Option<Scores<'a>>,
}

/// What an assistant message adds; `drift` and `tools_used` are the stored JSON as it is.
#[derive(Serialize)]
struct Scores<'a> {
    drift: Option<&'a Value>,
    coherence: Option<f64>,
    tools_used: &'a Value,
    tokens: Tokens,
    cost_usd: Option<f64>,
    engine: Option<&'a str>,
}

#[derive(Serialize)]
struct Tokens {
    #[serde(rename = "in")]
    tokens_in: Option<u64>,
    #[serde(rename = "out")]
    tokens_out: Option<u64>,
}

impl<'a> From<&'a StoredMessage> for MessageJson<'a> {
    fn from(message: &'a StoredMessage) -> Self {
        MessageJson {
            id: &message.id,
            role: &message.role,
            content: &message.content,
            created_at: clock::rfc3339(message.created_at),
            scores: (message.role == "assistant").then_some(Scores {
                drift: message.drift.as_ref(),
                coherence: message.coherence,
                tools_used: &message.tool_calls,
                tokens: Tokens {
                    tokens_in: message.tokens_in,
                    tokens_out: message.tokens_out,
                },
                cost_usd: message.cost_usd,
                engine: message.engine.as_deref(),
            }),
        }
    }
}

/// A `message.delta` event's data.
#[derive(Serialize)]
struct MessageDelta<'a> {
    content: &'a str,
}

/// What a streamed turn has to say, in order: it starts, its text comes in pieces, it ends.
pub enum Streamed<'a> {
    Start,
    Delta(&'a str),
    Done(&'a ApiResult<Turn>),
}

/// Runs a turn in the background and answers with an event stream whose text `render` makes
/// of each step. The turn runs to its end (and is recorded) even when the client leaves.
pub fn stream_turn(
    pending: PendingTurn,
    mut render: impl FnMut(Streamed) -> String + Send + 'static,
) -> Response {
    let (delta_tx, mut delta_rx) = mpsc::unbounded_channel::<String>();
    let (body_tx, mut body_rx) = mpsc::unbounded_channel::<Bytes>();
    let finishing = tokio::spawn(pending.finish(delta_tx));
    tokio::spawn(async move {
        let send = |text: String| {
            if !text.is_empty() {
                let _ = body_tx.send(Bytes::from(text));
            }
        };
        send(render(Streamed::Start));
        while let Some(delta) = delta_rx.recv().await {
            send(render(Streamed::Delta(&delta)));
        }
        let outcome = finishing
            .await
            .unwrap_or_else(|err| Err(ApiError::internal(format!("the chat turn stopped: {err}"))));
        send(render(Streamed::Done(&outcome)));
    });
    sse_response(futures_util::stream::poll_fn(move |cx| {
        body_rx.poll_recv(cx)
    }))
}
