//! The answers of the OpenAI-compatible chat completions endpoint as OpenAI's SDKs read them:
//! a completion, its streamed chunks, tool calls, usage, and what Persona adds (`persona`).

use serde::Serialize;
use serde_json::Value;

use crate::server::chat::{ToolCall, Turn};

/// A chat completion (`object: "chat.completion"`).
#[derive(Serialize)]
pub(super) struct Completion<'a> {
    pub(super) id: String,
    pub(super) object: &'static str,
    pub(super) created: i64,
    pub(super) model: &'a str,
    pub(super) system_fingerprint: String,
    pub(super) choices: [Choice<'a>; 1],
    pub(super) usage: Usage,
    pub(super) persona: PersonaPart<'a>,
}

#[derive(Serialize)]
pub(super) struct Choice<'a> {
    pub(super) index: u32,
    pub(super) message: AssistantMessage<'a>,
    /// Always `null`: no log probabilities are computed.
    pub(super) logprobs: (),
    pub(super) finish_reason: &'static str,
}

#[derive(Serialize)]
pub(super) struct AssistantMessage<'a> {
    pub(super) role: &'static str,
    pub(super) content: Option<&'a str>,
    /// Always `null`: a persona answers in character rather than refusing.
    pub(super) refusal: (),
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tool_calls: Vec<OutToolCall<'a>>,
}

/// A tool call as OpenAI gives it; in a streamed delta, with its `index`.
#[derive(Serialize)]
pub(super) struct OutToolCall<'a> {
    pub(super) id: &'a str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) function: OutFunction<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) index: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct OutFunction<'a> {
    pub(super) name: &'a str,
    pub(super) arguments: &'a str,
}

impl<'a> From<&'a ToolCall> for OutToolCall<'a> {
    fn from(call: &'a ToolCall) -> Self {
        OutToolCall {
            id: &call.id,
            kind: "function",
            function: OutFunction {
                name: &call.name,
                arguments: &call.arguments,
            },
            index: None,
        }
    }
}

/// A streamed piece of a completion (`object: "chat.completion.chunk"`); the last one carries
/// `persona`, and the usage chunk (when asked for) `usage` with no choices.
#[derive(Serialize)]
pub(super) struct Chunk<'a> {
    pub(super) id: &'a str,
    pub(super) object: &'static str,
    pub(super) created: i64,
    pub(super) model: &'a str,
    pub(super) system_fingerprint: &'a str,
    pub(super) choices: Vec<ChunkChoice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) persona: Option<PersonaPart<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) usage: Option<Usage>,
}

#[derive(Serialize)]
pub(super) struct ChunkChoice<'a> {
    pub(super) index: u32,
    pub(super) delta: Delta<'a>,
    /// Always `null`: no log probabilities are computed.
    pub(super) logprobs: (),
    pub(super) finish_reason: Option<&'static str>,
}

/// What every chunk of one streamed completion repeats.
pub(super) struct ChunkHead {
    pub(super) id: String,
    pub(super) created: i64,
    pub(super) model: String,
    pub(super) system_fingerprint: String,
}

impl ChunkHead {
    pub(super) fn chunk<'a>(&'a self, choices: Vec<ChunkChoice<'a>>) -> Chunk<'a> {
        Chunk {
            id: &self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: &self.model,
            system_fingerprint: &self.system_fingerprint,
            choices,
            persona: None,
            usage: None,
        }
    }
}

/// The one choice of a chunk.
pub(super) fn delta<'a>(
    delta: Delta<'a>,
    finish_reason: Option<&'static str>,
) -> Vec<ChunkChoice<'a>> {
    vec![ChunkChoice {
        index: 0,
        delta,
        logprobs: (),
        finish_reason,
    }]
}

/// A chunk as one event of the stream.
pub(super) fn frame(chunk: Chunk) -> String {
    let chunk = serde_json::to_string(&chunk).expect("a chunk serialises");
    format!("data: {chunk}\n\n")
}

/// What a chunk adds to the message: its role (first chunk), text, or tool calls.
#[derive(Serialize, Default)]
pub(super) struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tool_calls: Option<Vec<OutToolCall<'a>>>,
}

pub(super) fn finish_reason(turn: &Turn) -> &'static str {
    if !turn.tool_calls.is_empty() {
        "tool_calls"
    } else if turn.truncated {
        "length"
    } else {
        "stop"
    }
}

#[derive(Serialize)]
pub(super) struct Usage {
    pub(super) prompt_tokens: u64,
    pub(super) completion_tokens: u64,
    pub(super) total_tokens: u64,
}

impl From<&Turn> for Usage {
    fn from(turn: &Turn) -> Self {
        Usage {
            prompt_tokens: turn.tokens_in,
            completion_tokens: turn.tokens_out,
            total_tokens: turn.tokens_in + turn.tokens_out,
        }
    }
}

/// What Persona adds to a completion: the engine, drift, cost, and where the turn was recorded.
#[derive(Serialize)]
pub(super) struct PersonaPart<'a> {
    pub(super) persona_id: &'a str,
    pub(super) conversation_id: Option<&'a str>,
    pub(super) message_id: &'a str,
    pub(super) engine: &'static str,
    pub(super) drift: Value,
    pub(super) coherence: f64,
    pub(super) cost_usd: f64,
}

impl<'a> From<&'a Turn> for PersonaPart<'a> {
    fn from(turn: &'a Turn) -> Self {
        PersonaPart {
            persona_id: &turn.persona_id,
            conversation_id: turn.conversation_id.as_deref(),
            message_id: &turn.message_id,
            engine: turn.engine,
            drift: turn.drift.to_json(),
            coherence: turn.drift.coherence,
            cost_usd: turn.cost_usd,
        }
    }
}
