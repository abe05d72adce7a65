//! One chat turn from admission to record, for every caller (the conversation routes, the
//! OpenAI endpoint, MCP's `persona.invoke`): rate limit, engine reply, drift, stored messages.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::drift::{self, Drift};
use super::schema::{self, SchemaError};
use super::window::{self, Window};
use super::{ChatMessage, ChatTurn, ToolCall};
use crate::clock;
use crate::model::{ErrorCode, Persona};
use crate::server::AppState;
use crate::server::engine::EngineErrorKind;
use crate::server::error::{ApiError, ApiResult};
use crate::server::http::{Caller, escape_pointer_token};
use crate::server::personas;
use crate::server::store::{Conversation, Store, StoredMessage};
use crate::server::{compute, ids, moderation};

/// The longest user message a conversation takes, in characters.
pub const MAX_MESSAGE_CHARS: usize = 16_000;

/// Starts a conversation with `persona` (the version given is the one that will answer).
pub fn start_conversation(
    state: &AppState,
    workspace_id: &str,
    persona: &Persona,
) -> ApiResult<Conversation> {
    let conversation = Conversation {
        id: ids::new_id("conv"),
        workspace_id: workspace_id.to_string(),
        persona_id: persona.id.clone(),
        persona_version: persona.version,
        created_at: clock::now(),
    };
    state.store.insert_conversation(&conversation)?;
    Ok(conversation)
}

/// A conversation of the caller's workspace with a persona the caller may see, or 404.
pub fn load_conversation(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Conversation> {
    let not_found = || ApiError::not_found(&format!("conversation `{id}`"));
    let conversation = state
        .store
        .conversation(&caller.workspace.id, id)?
        .ok_or_else(not_found)?;
    if personas::is_visible(state, caller, &conversation.persona_id)? {
        Ok(conversation)
    } else {
        Err(not_found())
    }
}

/// The persona version a conversation talks to.
pub fn conversation_persona(state: &AppState, conversation: &Conversation) -> ApiResult<Persona> {
    state
        .store
        .persona_version(&conversation.persona_id, conversation.persona_version)?
        .ok_or_else(|| ApiError::not_found(&format!("persona `{}`", conversation.persona_id)))
}

/// What a caller asks of one turn.
#[derive(Debug, Clone, Default)]
pub struct TurnInput {
    pub workspace_id: String,
    /// The persona version that answers.
    pub persona: Persona,
    /// Record the turn in this conversation; its stored messages are then the history (their
    /// window), and `history` is not used.
    pub conversation: Option<Conversation>,
    pub history: Vec<ChatMessage>,
    pub system_overlay: Option<String>,
    pub message: String,
    pub tool_exchange: Vec<ChatMessage>,
    pub tools: Vec<Value>,
    pub tool_choice: Option<Value>,
    pub json_mode: bool,
    pub json_schema: Option<Value>,
    pub max_tokens: Option<u32>,
    pub stop: Vec<String>,
    pub temperature: Option<f64>,
}

/// A turn admitted (counted against the rate limit, its window of history read), ready to run.
pub struct PendingTurn {
    state: Arc<AppState>,
    input: TurnInput,
    window: Window,
}

/// An answered turn.
#[derive(Debug, Clone)]
pub struct Turn {
    pub message_id: String,
    pub conversation_id: Option<String>,
    pub persona_id: String,
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    /// The reply stopped at `max_tokens`.
    pub truncated: bool,
    pub drift: Drift,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub cost_usd: f64,
    pub engine: &'static str,
    pub created_at: i64,
}

impl Turn {
    /// The assistant turn of contract §6.
    pub fn to_json(&self) -> Value {
        json!({
            "message_id": self.message_id,
            "role": "assistant",
            "content": self.content,
            "drift": self.drift.to_json(),
            "coherence": self.drift.coherence,
            "tools_used": tools_json(&self.tool_calls),
            "tokens": { "in": self.tokens_in, "out": self.tokens_out },
            "cost_usd": self.cost_usd,
            "engine": self.engine,
            "created_at": clock::rfc3339(self.created_at),
        })
    }
}

/// Tool calls as `[{id, name, arguments}]`, the arguments decoded when they are JSON.
pub fn tools_json(calls: &[ToolCall]) -> Value {
    calls
        .iter()
        .map(|call| {
            let arguments = serde_json::from_str::<Value>(&call.arguments)
                .unwrap_or_else(|_| Value::String(call.arguments.clone()));
            json!({ "id": call.id, "name": call.name, "arguments": arguments })
        })
        .collect()
}

/// Counts the turn against the workspace's chat limit (429 when over), checks that a
/// conversation talks to the same persona and that the turn's schemas are within their limits
/// (400 otherwise), and reads the window of history the turn sees (see [`window`]).
pub async fn begin_turn(state: &Arc<AppState>, input: TurnInput) -> ApiResult<PendingTurn> {
    let window = match &input.conversation {
        Some(conversation) => {
            if input.persona.id != conversation.persona_id {
                return Err(ApiError::invalid(format!(
                    "conversation {} is with persona {}, not {}",
                    conversation.id, conversation.persona_id, input.persona.id
                )));
            }
            window::of_conversation(&state.store, &conversation.id)?
        }
        None => window::of_history(&input.history),
    };
    state.limiter.take_chat(&input.workspace_id)?;
    check_schemas(&input).await?;
    Ok(PendingTurn {
        state: state.clone(),
        input,
        window,
    })
}

/// Checks, on the compute pool and before any engine sees them, the JSON Schemas of a turn: the
/// response format's, and each tool's argument properties as the offline engine fills them,
/// with one budget (see `schema::check`). A schema past a limit is a 400 that points at it.
async fn check_schemas(input: &TurnInput) -> ApiResult<()> {
    if input.json_schema.is_none() && input.tools.is_empty() {
        return Ok(());
    }
    let response = input
        .json_schema
        .as_ref()
        .and_then(|spec| spec.get("schema"))
        .cloned();
    let tools = input.tools.clone();
    compute::run(move || {
        let budget = schema::Budget::default();
        if let Some(response) = &response {
            let at = "/response_format/json_schema/schema";
            schema::check(response, &budget).map_err(|error| schema_refused(error, at))?;
        }
        for (index, tool) in tools.iter().enumerate() {
            let (function, at) = match tool.get("function") {
                Some(function) => (function, format!("/tools/{index}/function/parameters")),
                None => (tool, format!("/tools/{index}/parameters")),
            };
            let Some(parameters) = function.get("parameters") else {
                continue;
            };
            schema::check_patterns(parameters).map_err(|error| schema_refused(error, &at))?;
            for (name, property) in parameters
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let at = format!("{at}/properties/{}", escape_pointer_token(name));
                schema::check(property, &budget).map_err(|error| schema_refused(error, &at))?;
            }
        }
        Ok(())
    })
    .await
}

/// A refused schema as a 400 naming the request field, `at` being the schema's pointer.
fn schema_refused(error: SchemaError, at: &str) -> ApiError {
    let pointer = format!("{at}{}", error.pointer);
    ApiError::invalid(format!("`{pointer}`: {error}")).with_details(json!([{ "pointer": pointer }]))
}

/// Runs one turn without streaming: `begin_turn`, then `PendingTurn::finish`.
pub async fn run_turn(state: &Arc<AppState>, input: TurnInput) -> ApiResult<Turn> {
    let (deltas, _) = mpsc::unbounded_channel();
    begin_turn(state, input).await?.finish(deltas).await
}

impl PendingTurn {
    /// Asks the engine (its pieces of text go to `deltas`), scores the reply, and records it
    /// when the turn belongs to a conversation, with a `conversation.drift_detected` outbox
    /// event when the reply left character. Engine failures are 503 `provider.unavailable`,
    /// but a request the engine finds invalid is a 400.
    pub async fn finish(self, deltas: mpsc::UnboundedSender<String>) -> ApiResult<Turn> {
        let PendingTurn {
            state,
            input,
            window,
        } = self;
        let history = window.messages;
        let engine = state.chat.name();
        let reply = state
            .chat
            .reply(
                ChatTurn {
                    persona: &input.persona,
                    history: &history,
                    earlier: window.earlier,
                    system_overlay: input.system_overlay.as_deref(),
                    message: &input.message,
                    tool_exchange: &input.tool_exchange,
                    json_mode: input.json_mode,
                    json_schema: input.json_schema.as_ref(),
                    tools: &input.tools,
                    tool_choice: input.tool_choice.as_ref(),
                    max_tokens: input.max_tokens,
                    stop: &input.stop,
                    temperature: input.temperature,
                },
                deltas,
            )
            .await
            .map_err(|err| match err.kind {
                EngineErrorKind::Invalid => ApiError::from(err),
                EngineErrorKind::ProviderUnavailable => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ProviderUnavailable,
                    format!("the {engine} chat engine failed: {err}"),
                ),
            })?;
        let drift = {
            let (persona, history, content) = (
                input.persona.clone(),
                history.clone(),
                reply.content.clone(),
            );
            compute::run(move || drift::score(&persona, &history, &content)).await
        };
        let tokens = reply.tokens_in + reply.tokens_out;
        let cost_usd =
            (tokens as f64 / 1000.0 * state.config.usd_per_1k_tokens * 1e6).round() / 1e6;
        let turn = Turn {
            message_id: ids::new_id("msg"),
            conversation_id: input.conversation.as_ref().map(|c| c.id.clone()),
            persona_id: input.persona.id.clone(),
            content: reply.content,
            tool_calls: reply.tool_calls,
            truncated: reply.truncated,
            drift,
            tokens_in: reply.tokens_in,
            tokens_out: reply.tokens_out,
            cost_usd,
            engine,
            created_at: clock::now(),
        };
        if let Some(conversation) = &input.conversation {
            record(&state, conversation, &input, &turn)?;
        }
        Ok(turn)
    }
}

/// Stores the user message (unless the turn only brings tool results for it) and the reply.
fn record(
    state: &AppState,
    conversation: &Conversation,
    input: &TurnInput,
    turn: &Turn,
) -> ApiResult<()> {
    let message = |id: String, role: &str, content: &str| {
        StoredMessage::text(id, role, content, turn.created_at)
    };
    let reply = StoredMessage {
        tool_calls: tools_json(&turn.tool_calls),
        drift: Some(turn.drift.to_json()),
        coherence: Some(turn.drift.coherence),
        tokens_in: Some(turn.tokens_in),
        tokens_out: Some(turn.tokens_out),
        cost_usd: Some(turn.cost_usd),
        engine: Some(turn.engine.to_string()),
        ..message(turn.message_id.clone(), "assistant", &turn.content)
    };
    let user_message_id = ids::new_id("msg");
    // Messages of the turn that the moderation policy flags, by role, with their categories.
    let flagged: Vec<Value> = [
        ("user", user_message_id.as_str(), input.message.as_str()),
        ("assistant", turn.message_id.as_str(), turn.content.as_str()),
    ]
    .into_iter()
    .filter_map(|(role, id, text)| {
        let categories: Vec<&str> = moderation::flags(text)
            .into_iter()
            .map(|(category, _)| category)
            .collect();
        (!categories.is_empty())
            .then(|| json!({ "role": role, "message_id": id, "categories": categories }))
    })
    .collect();
    state.store.write(|tx| {
        if input.tool_exchange.is_empty() {
            Store::append_message(
                tx,
                &conversation.id,
                &message(user_message_id.clone(), "user", &input.message),
            )?;
        }
        Store::append_message(tx, &conversation.id, &reply)?;
        if !flagged.is_empty() {
            Store::insert_outbox(
                tx,
                &conversation.workspace_id,
                "moderation.flagged",
                &json!({
                    "conversation_id": conversation.id,
                    "persona_id": conversation.persona_id,
                    "flagged": flagged,
                }),
            )?;
        }
        if !turn.drift.in_character() {
            Store::insert_outbox(
                tx,
                &conversation.workspace_id,
                "conversation.drift_detected",
                &json!({
                    "conversation_id": conversation.id,
                    "message_id": turn.message_id,
                    "persona_id": conversation.persona_id,
                    "persona_version": conversation.persona_version,
                    "drift": turn.drift.to_json(),
                    "coherence": turn.drift.coherence,
                }),
            )?;
        }
        Ok::<_, ApiError>(())
    })
}
