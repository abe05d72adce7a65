//! The chat runtime: engines that answer as a persona, behind a small async trait, and the drift
//! and coherence scores that every turn carries, computed the same way whatever the engine, over
//! the same bounded window of the conversation.

pub mod drift;
pub mod embedding;
pub mod model;
pub mod offline;
pub mod schema;
mod text;
mod turn;
pub mod window;

pub use offline::OfflineChat;
pub use turn::{
    MAX_MESSAGE_CHARS, PendingTurn, Turn, TurnInput, begin_turn, conversation_persona,
    load_conversation, run_turn, start_conversation,
};

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;
use tokio::sync::mpsc;

use super::engine::EngineError;
use crate::model::Persona;

/// One message of a conversation's history.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    /// `user`, `assistant`, `system` or `tool`.
    pub role: String,
    pub content: String,
    /// The tools an assistant message asked for (OpenAI `tool_calls`).
    pub tool_calls: Vec<ToolCall>,
    /// The call a `tool` message answers.
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    /// A message with text only.
    pub fn new(role: &str, content: &str) -> Self {
        ChatMessage {
            role: role.to_string(),
            content: content.to_string(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
}

/// Everything an engine needs to answer one turn.
#[derive(Debug, Clone)]
pub struct ChatTurn<'a> {
    /// The persona version that answers (layers, language, ...).
    pub persona: &'a Persona,
    /// Earlier messages, oldest first, without the new one: the conversation's window (see
    /// [`window`]).
    pub history: &'a [ChatMessage],
    /// Messages of the conversation older than `history`, left out.
    pub earlier: u64,
    /// System messages of the caller, merged on top of the persona's runtime prompt.
    pub system_overlay: Option<&'a str>,
    /// The new user message.
    pub message: &'a str,
    /// What followed the new message within this turn: the assistant's tool calls and the
    /// `tool` messages answering them (an OpenAI tool round trip); empty otherwise.
    pub tool_exchange: &'a [ChatMessage],
    /// Answer with one JSON object (OpenAI `response_format: json_object` or `json_schema`).
    pub json_mode: bool,
    /// OpenAI's `json_schema` object (`name`, `schema`, `strict`) the answer must follow.
    pub json_schema: Option<&'a Value>,
    /// Tool definitions offered by the caller (OpenAI `tools`), passed through to the engine.
    pub tools: &'a [Value],
    /// OpenAI `tool_choice`: `"none"`, `"auto"`, `"required"` or `{"type": "function", ...}`.
    pub tool_choice: Option<&'a Value>,
    /// The most tokens the reply may have; a longer reply is cut and marked `truncated`.
    pub max_tokens: Option<u32>,
    /// OpenAI `stop`: the reply ends before the first of these.
    pub stop: &'a [String],
    /// Sampling temperature for engines that sample (the offline engine does not).
    pub temperature: Option<f64>,
}

/// The parameters of a tool given only by name (`"web.search"`): what to look up or do, as text.
pub fn named_tool_parameters() -> Value {
    serde_json::json!({ "type": "object",
        "properties": { "query": { "type": "string", "description": "what to look up or do" } },
        "required": ["query"] })
}

/// A tool call the engine asks the caller to make.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// The arguments as a JSON text.
    pub arguments: String,
}

/// An engine's answer to one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatReply {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub tokens_in: u64,
    pub tokens_out: u64,
    /// The reply stopped at `max_tokens` (OpenAI `finish_reason: "length"`).
    pub truncated: bool,
}

/// The future of a reply.
pub type ReplyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ChatReply, EngineError>> + Send + 'a>>;

/// The future of embeddings: one vector per input, in order.
pub type EmbedFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Vec<f32>>, EngineError>> + Send + 'a>>;

/// Answers as a persona. Pieces of the reply are sent on `deltas` as they are produced (the
/// streamed `message.delta` events); their concatenation equals the returned `content`. A send
/// that fails means nobody listens (a caller that does not stream): engines ignore it.
pub trait ChatEngine: Send + Sync {
    /// `offline`, or `model` for an OpenAI-compatible model server.
    fn name(&self) -> &'static str;
    fn reply<'a>(
        &'a self,
        turn: ChatTurn<'a>,
        deltas: mpsc::UnboundedSender<String>,
    ) -> ReplyFuture<'a>;
    /// Embeds each input (`POST /v1/openai/embeddings`).
    fn embed<'a>(&'a self, inputs: &'a [String]) -> EmbedFuture<'a>;
}

/// The token count the server bills and reports for a text when the engine gives none: one
/// token per four bytes, at least one for any text (about what BPE tokenizers give for English).
pub fn count_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}
