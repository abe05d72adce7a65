//! The OpenAI-compatible endpoint of contract §7: models, chat completions (plain, streamed,
//! JSON mode, tools) and embeddings, with errors in OpenAI's shape instead of the envelope.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

mod answers;

use super::chat::{Streamed, stream_turn};
use crate::clock;
use crate::model::{ErrorCode, Persona};
use crate::server::AppState;
use crate::server::chat::{self, ChatMessage, ToolCall, TurnInput, count_tokens, embedding};
use crate::server::error::ApiError;
use crate::server::http::{Caller, parse_json};
use crate::server::{ids, moderation, personas};
use answers::{
    AssistantMessage, Choice, Chunk, ChunkHead, Completion, Delta, OutToolCall, PersonaPart, Usage,
    delta, finish_reason, frame,
};

/// The model name of the offline embedding, besides `persona/...`.
const EMBEDDING_MODEL: &str = "persona-embed";
/// The most inputs one embeddings request may carry (OpenAI's limit).
const MAX_EMBEDDING_INPUTS: usize = 2048;

/// An error in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.
pub struct OpenAiError(Box<Failure>);

struct Failure {
    error: ApiError,
    param: Option<String>,
    code: Option<String>,
}

impl OpenAiError {
    fn new(error: ApiError, param: Option<String>, code: Option<String>) -> Self {
        OpenAiError(Box::new(Failure { error, param, code }))
    }

    fn invalid(message: impl Into<String>, param: &str) -> Self {
        let mut error = OpenAiError::from(ApiError::invalid(message));
        error.0.param = Some(param.to_string());
        error
    }

    fn model_not_found(model: &str) -> Self {
        OpenAiError::new(
            ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::ResourceNotFound,
                format!(
                    "The model `{model}` does not exist or you do not have access to it. Models are `persona/<id or slug>[@vN]` (GET /v1/openai/models lists them) and, for embeddings, `{EMBEDDING_MODEL}`."
                ),
            ),
            Some("model".to_string()),
            Some("model_not_found".to_string()),
        )
    }

    fn body(&self) -> Value {
        let Failure { error, param, code } = &*self.0;
        let kind = match error.status.as_u16() {
            401 => "authentication_error",
            403 => "permission_error",
            429 => "rate_limit_error",
            500.. => "api_error",
            _ => "invalid_request_error",
        };
        json!({ "error": {
            "message": error.message,
            "type": kind,
            "param": param,
            "code": code,
        } })
    }
}

/// An error of the API in OpenAI's shape: for errors raised before an OpenAI route's handler
/// runs (an idempotency conflict, say).
pub fn openai_error_body(error: ApiError) -> Value {
    OpenAiError::from(error).body()
}

impl From<ApiError> for OpenAiError {
    fn from(error: ApiError) -> Self {
        let param = error
            .details
            .as_deref()
            .and_then(|details| details[0]["pointer"].as_str())
            .map(|pointer| pointer.trim_start_matches('/').replace('/', "."));
        let code = match error.code {
            ErrorCode::AuthInvalidKey => "invalid_api_key",
            ErrorCode::RateLimitExceeded => "rate_limit_exceeded",
            other => other.as_str(),
        };
        OpenAiError::new(error, param, Some(code.to_string()))
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let mut response = (self.0.error.status, Json(self.body())).into_response();
        if let Some(seconds) = self.0.error.retry_after {
            response
                .headers_mut()
                .insert("retry-after", seconds.to_string().parse().expect("digits"));
        }
        response
    }
}

type OpenAiResult<T> = Result<T, OpenAiError>;

/// The body as `T`; unknown fields are allowed, as OpenAI clients send many.
fn body<T: DeserializeOwned>(raw: Result<Bytes, BytesRejection>) -> OpenAiResult<T> {
    let raw = raw.map_err(|rejection| {
        OpenAiError::new(
            ApiError::new(
                rejection.status(),
                ErrorCode::RequestInvalid,
                format!("cannot read the request body: {rejection}"),
            ),
            None,
            None,
        )
    })?;
    parse_json(&raw).map_err(|err| {
        let missing = err
            .message
            .split("missing field `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        let mut err = OpenAiError::from(err);
        err.0.param = err.0.param.take().or(missing);
        err
    })
}

/// The persona a model name stands for.
fn model_persona(state: &AppState, caller: &Caller, model: &str) -> OpenAiResult<Persona> {
    let reference = model
        .strip_prefix("persona/")
        .ok_or_else(|| OpenAiError::model_not_found(model))?;
    personas::resolve_for_chat(state, caller, reference).map_err(|err| {
        if matches!(err.status.as_u16(), 400 | 404) {
            OpenAiError::model_not_found(model)
        } else {
            err.into()
        }
    })
}

/// A model object: a persona (by the name completions take) or the embedding model.
#[derive(Serialize)]
pub struct Model {
    id: String,
    object: &'static str,
    created: i64,
    owned_by: String,
}

impl Model {
    fn new(id: String, created: i64, owned_by: &str) -> Self {
        Model {
            id,
            object: "model",
            created,
            owned_by: owned_by.to_string(),
        }
    }
}

/// The answer of `GET /v1/openai/models`.
#[derive(Serialize)]
pub struct ModelList {
    object: &'static str,
    data: Vec<Model>,
}

pub async fn models(
    State(state): State<Arc<AppState>>,
    caller: Result<Caller, ApiError>,
) -> OpenAiResult<Json<ModelList>> {
    let caller = caller?;
    caller.require("personas:read")?;
    let data = state
        .store
        .chat_personas(&caller.workspace.id, &caller.owner)
        .map_err(ApiError::from)?
        .into_iter()
        .map(|(persona, created)| {
            let name = persona.slug.as_deref().unwrap_or(&persona.id);
            Model::new(format!("persona/{name}"), created, &caller.workspace.id)
        })
        .chain([embedding_model()])
        .collect();
    Ok(Json(ModelList {
        object: "list",
        data,
    }))
}

/// The embedding model as a model object (it belongs to no workspace).
fn embedding_model() -> Model {
    Model::new(EMBEDDING_MODEL.to_string(), 0, "persona")
}

/// One model, by the name completions take: `persona/<id or slug>[@vN]` (a client may send the
/// slash as `%2F` or as a path separator), or the embedding model.
pub async fn model(
    State(state): State<Arc<AppState>>,
    caller: Result<Caller, ApiError>,
    Path(model): Path<String>,
) -> OpenAiResult<Json<Model>> {
    let caller = caller?;
    caller.require("personas:read")?;
    if model == EMBEDDING_MODEL {
        return Ok(Json(embedding_model()));
    }
    let persona = model_persona(&state, &caller, &model)?;
    let created = clock::unix_seconds(&persona.created_at).unwrap_or(0);
    Ok(Json(Model::new(model, created, &caller.workspace.id)))
}

#[derive(Deserialize)]
pub struct CompletionRequest {
    model: String,
    messages: Vec<InMessage>,
    stream: Option<bool>,
    stream_options: Option<StreamOptions>,
    response_format: Option<ResponseFormat>,
    tools: Option<Vec<Value>>,
    tool_choice: Option<Value>,
    temperature: Option<f64>,
    max_tokens: Option<u32>,
    max_completion_tokens: Option<u32>,
    n: Option<u32>,
    stop: Option<Value>,
}

#[derive(Deserialize)]
struct StreamOptions {
    include_usage: Option<bool>,
}

#[derive(Deserialize)]
struct ResponseFormat {
    #[serde(rename = "type")]
    kind: String,
    json_schema: Option<Value>,
}

#[derive(Deserialize)]
struct InMessage {
    role: String,
    content: Option<Value>,
    tool_calls: Option<Vec<InToolCall>>,
    tool_call_id: Option<String>,
}

#[derive(Deserialize)]
struct InToolCall {
    id: String,
    function: InFunction,
}

#[derive(Deserialize)]
struct InFunction {
    name: String,
    arguments: String,
}

/// The text of a message's content: a string, or the `text` of its parts.
/// `temperature` within OpenAI's 0–2, and a `tool_choice` that names an offered tool.
fn check_sampling_and_tools(request: &CompletionRequest) -> OpenAiResult<()> {
    if let Some(temperature) = request.temperature
        && !(0.0..=2.0).contains(&temperature)
    {
        return Err(OpenAiError::invalid(
            format!("`temperature` is {temperature}; give a number from 0 to 2"),
            "temperature",
        ));
    }
    // OpenAI's rule for function names, which real models behind this endpoint hold to as well.
    for (index, tool) in request.tools.iter().flatten().enumerate() {
        let name = tool["function"]["name"].as_str().unwrap_or("");
        let valid = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(OpenAiError::invalid(
                format!(
                    "tool {index} has the function name `{name}`: use 1 to 64 letters, digits, _ or -"
                ),
                &format!("tools.{index}.function.name"),
            ));
        }
    }
    let offered: Vec<&str> = request
        .tools
        .iter()
        .flatten()
        .filter_map(|tool| tool["function"]["name"].as_str())
        .collect();
    match &request.tool_choice {
        Some(Value::String(choice)) if choice == "required" && offered.is_empty() => {
            Err(OpenAiError::invalid(
                "`tool_choice` is `required` but no `tools` are given",
                "tool_choice",
            ))
        }
        Some(Value::Object(choice)) => {
            let name = choice
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if offered.contains(&name) {
                Ok(())
            } else {
                Err(OpenAiError::invalid(
                    format!(
                        "`tool_choice` names the function `{name}`, which is not among the `tools` given"
                    ),
                    "tool_choice",
                ))
            }
        }
        _ => Ok(()),
    }
}

fn content_text(content: &Option<Value>, index: usize) -> OpenAiResult<String> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Array(parts)) => Ok(parts
            .iter()
            .filter_map(|part| part["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n")),
        Some(_) => Err(OpenAiError::invalid(
            "a message's `content` must be a string or an array of content parts",
            &format!("messages.{index}.content"),
        )),
    }
}

pub async fn completions(
    State(state): State<Arc<AppState>>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> OpenAiResult<Response> {
    let caller = caller?;
    caller.require("chat:invoke")?;
    let request: CompletionRequest = body(raw)?;
    let workspace_id = caller.workspace.id.clone();
    if request.n.is_some_and(|n| n != 1) {
        return Err(OpenAiError::invalid("only `n: 1` is supported", "n"));
    }
    check_sampling_and_tools(&request)?;
    let stop = match &request.stop {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) if many.len() <= 4 && many.iter().all(Value::is_string) => many
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => {
            return Err(OpenAiError::invalid(
                "`stop` is a string or a list of up to 4 strings",
                "stop",
            ));
        }
    };
    for (field, value) in [
        ("max_tokens", request.max_tokens),
        ("max_completion_tokens", request.max_completion_tokens),
    ] {
        if value == Some(0) {
            return Err(OpenAiError::invalid(
                format!("`{field}` must be at least 1"),
                field,
            ));
        }
    }
    let (json_mode, json_schema) = match request.response_format {
        None => (false, None),
        Some(format) => match format.kind.as_str() {
            "text" => (false, None),
            "json_object" => (true, None),
            "json_schema" => match format.json_schema {
                Some(spec @ Value::Object(_)) => (true, Some(spec)),
                _ => {
                    return Err(OpenAiError::invalid(
                        "`response_format.json_schema` must be an object with `name` and `schema`",
                        "response_format.json_schema",
                    ));
                }
            },
            other => {
                return Err(OpenAiError::invalid(
                    format!(
                        "unknown response_format type `{other}`; use text, json_object or json_schema"
                    ),
                    "response_format.type",
                ));
            }
        },
    };
    let mut persona = model_persona(&state, &caller, &request.model)?;
    let conversation = match headers.get("x-persona-conversation-id") {
        None => None,
        Some(value) => {
            let id = value.to_str().map_err(|_| {
                OpenAiError::invalid(
                    "X-Persona-Conversation-Id is not valid text",
                    "X-Persona-Conversation-Id",
                )
            })?;
            let conversation = chat::load_conversation(&state, &caller, id.trim())?;
            if persona.id != conversation.persona_id {
                return Err(OpenAiError::invalid(
                    format!(
                        "conversation {} is with persona {}, not the model `{}`",
                        conversation.id, conversation.persona_id, request.model
                    ),
                    "model",
                ));
            }
            persona = chat::conversation_persona(&state, &conversation)?;
            Some(conversation)
        }
    };

    if let Some((index, entry)) = request.messages.iter().enumerate().find(|(_, m)| {
        ![
            "system",
            "developer",
            "user",
            "assistant",
            "tool",
            "function",
        ]
        .contains(&m.role.as_str())
    }) {
        return Err(OpenAiError::invalid(
            format!(
                "unknown role `{}`; use system, developer, user, assistant or tool",
                entry.role
            ),
            &format!("messages.{index}.role"),
        ));
    }
    let last_user = request
        .messages
        .iter()
        .rposition(|m| m.role == "user")
        .ok_or_else(|| {
            OpenAiError::invalid("`messages` must hold at least one user message", "messages")
        })?;
    for (index, entry) in request.messages.iter().enumerate() {
        // Only an assistant message that calls tools may come without content.
        let calls_tools = entry.tool_calls.as_ref().is_some_and(|c| !c.is_empty());
        let empty = match &entry.content {
            None | Some(Value::Null) => true,
            Some(Value::Array(parts)) => parts.is_empty(),
            Some(_) => false,
        };
        if empty && !(entry.role == "assistant" && calls_tools) {
            return Err(OpenAiError::invalid(
                format!(
                    "message {index} ({}) has no content; give a string or content parts",
                    entry.role
                ),
                &format!("messages.{index}.content"),
            ));
        }
    }
    let mut overlay = Vec::new();
    let mut history = Vec::new();
    let mut exchange = Vec::new();
    let mut message = String::new();
    for (index, entry) in request.messages.iter().enumerate() {
        let text = content_text(&entry.content, index)?;
        let role = match entry.role.as_str() {
            "system" | "developer" => {
                overlay.push(text);
                continue;
            }
            "function" => "tool",
            other => other,
        };
        let converted = ChatMessage {
            tool_calls: entry
                .tool_calls
                .iter()
                .flatten()
                .map(|call| ToolCall {
                    id: call.id.clone(),
                    name: call.function.name.clone(),
                    arguments: call.function.arguments.clone(),
                })
                .collect(),
            tool_call_id: entry.tool_call_id.clone(),
            ..ChatMessage::new(role, &text)
        };
        match index.cmp(&last_user) {
            std::cmp::Ordering::Less => history.push(converted),
            std::cmp::Ordering::Equal => message = text,
            std::cmp::Ordering::Greater => exchange.push(converted),
        }
    }
    let chars = message.chars().count();
    if message.trim().is_empty() || chars > chat::MAX_MESSAGE_CHARS {
        return Err(OpenAiError::invalid(
            format!(
                "the last user message has {chars} characters; send 1 to {} that are not all blank",
                chat::MAX_MESSAGE_CHARS
            ),
            &format!("messages.{last_user}.content"),
        ));
    }
    let input = TurnInput {
        workspace_id,
        persona,
        conversation,
        history,
        system_overlay: (!overlay.is_empty()).then(|| overlay.join("\n\n")),
        message,
        tool_exchange: exchange,
        tools: request.tools.unwrap_or_default(),
        tool_choice: request.tool_choice,
        json_mode,
        json_schema,
        max_tokens: request.max_completion_tokens.or(request.max_tokens),
        stop,
        temperature: request.temperature,
    };
    let model = request.model;
    if request.stream == Some(true) {
        let include_usage = request
            .stream_options
            .and_then(|o| o.include_usage)
            .unwrap_or(false);
        let pending = chat::begin_turn(&state, input).await?;
        let head = ChunkHead {
            id: format!("chatcmpl-{}", ids::base62(24)),
            created: clock::now(),
            model,
            system_fingerprint: format!("persona-{}", state.chat.name()),
        };
        return Ok(stream_turn(pending, move |item| {
            let chunk = |choices| head.chunk(choices);
            match item {
                Streamed::Start => frame(chunk(delta(
                    Delta {
                        role: Some("assistant"),
                        content: Some(""),
                        ..Delta::default()
                    },
                    None,
                ))),
                Streamed::Delta(text) => frame(chunk(delta(
                    Delta {
                        content: Some(text),
                        ..Delta::default()
                    },
                    None,
                ))),
                Streamed::Done(Ok(turn)) => {
                    let mut text = String::new();
                    if !turn.tool_calls.is_empty() {
                        let calls = turn
                            .tool_calls
                            .iter()
                            .enumerate()
                            .map(|(index, call)| OutToolCall {
                                index: Some(index),
                                ..OutToolCall::from(call)
                            })
                            .collect();
                        text.push_str(&frame(chunk(delta(
                            Delta {
                                tool_calls: Some(calls),
                                ..Delta::default()
                            },
                            None,
                        ))));
                    }
                    text.push_str(&frame(Chunk {
                        persona: Some(PersonaPart::from(turn)),
                        ..chunk(delta(Delta::default(), Some(finish_reason(turn))))
                    }));
                    if include_usage {
                        text.push_str(&frame(Chunk {
                            usage: Some(Usage::from(turn)),
                            ..chunk(Vec::new())
                        }));
                    }
                    text.push_str("data: [DONE]\n\n");
                    text
                }
                Streamed::Done(Err(err)) => {
                    format!("data: {}\n\n", OpenAiError::from(err.clone()).body())
                }
            }
        }));
    }
    let turn = chat::run_turn(&state, input).await?;
    let tool_calls: Vec<OutToolCall> = turn.tool_calls.iter().map(OutToolCall::from).collect();
    let message = AssistantMessage {
        role: "assistant",
        // A reply that only calls tools has `content: null`, as OpenAI's do.
        content: (tool_calls.is_empty() || !turn.content.is_empty()).then_some(&turn.content),
        refusal: (),
        tool_calls,
    };
    Ok(Json(Completion {
        id: format!("chatcmpl-{}", turn.message_id.trim_start_matches("msg_")),
        object: "chat.completion",
        created: turn.created_at,
        model: &model,
        system_fingerprint: format!("persona-{}", turn.engine),
        choices: [Choice {
            index: 0,
            message,
            logprobs: (),
            finish_reason: finish_reason(&turn),
        }],
        usage: Usage::from(&turn),
        persona: PersonaPart::from(&turn),
    })
    .into_response())
}

#[derive(Deserialize)]
pub struct EmbeddingRequest {
    model: String,
    input: Value,
    encoding_format: Option<String>,
    dimensions: Option<usize>,
}

/// The model name `/v1/openai/moderations` answers with.
const MODERATION_MODEL: &str = "persona-moderation";

#[derive(Deserialize)]
pub struct ModerationRequest {
    input: Value,
    model: Option<String>,
}

/// OpenAI's moderations, from the offline policy's phrase lexicon (see `server::moderation`):
/// each input gets every category, flagged when one of its phrases occurs.
pub async fn moderations(
    caller: Result<Caller, ApiError>,
    raw: Result<Bytes, BytesRejection>,
) -> OpenAiResult<Json<Moderation>> {
    let caller = caller?;
    caller.require("chat:invoke")?;
    let request: ModerationRequest = body(raw)?;
    if let Some(model) = request.model.as_deref()
        && model != MODERATION_MODEL
        && !model.starts_with("omni-moderation")
        && !model.starts_with("text-moderation")
    {
        return Err(OpenAiError::model_not_found(model));
    }
    let inputs: Vec<String> = match &request.input {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Some(text.clone()),
                Value::Object(part) if part.get("type").and_then(Value::as_str) == Some("text") => {
                    part.get("text").and_then(Value::as_str).map(str::to_string)
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                OpenAiError::invalid(
                    "`input` is a string, a list of strings, or a list of text parts",
                    "input",
                )
            })?,
        _ => {
            return Err(OpenAiError::invalid(
                "`input` is a string, a list of strings, or a list of text parts",
                "input",
            ));
        }
    };
    let results = inputs
        .iter()
        .map(|text| {
            let found = moderation::flags(text);
            let flagged: Vec<bool> = moderation::CATEGORIES
                .iter()
                .map(|(category, _)| found.iter().any(|(hit, _)| hit == category))
                .collect();
            ModerationResult {
                flagged: !found.is_empty(),
                categories: ByCategory(flagged.clone()),
                category_scores: ByCategory(
                    flagged
                        .iter()
                        .map(|&flagged| if flagged { 0.9 } else { 0.001 })
                        .collect(),
                ),
                category_applied_input_types: ByCategory(vec![["text"]; flagged.len()]),
            }
        })
        .collect();
    Ok(Json(Moderation {
        id: format!("modr-{}", ids::base62(24)),
        model: MODERATION_MODEL,
        results,
    }))
}

/// The answer of `POST /v1/openai/moderations`.
#[derive(Serialize)]
pub struct Moderation {
    id: String,
    model: &'static str,
    results: Vec<ModerationResult>,
}

#[derive(Serialize)]
struct ModerationResult {
    flagged: bool,
    categories: ByCategory<bool>,
    category_scores: ByCategory<f64>,
    category_applied_input_types: ByCategory<[&'static str; 1]>,
}

/// One value per moderation category, in the order of `moderation::CATEGORIES`, written as an
/// object keyed by category.
struct ByCategory<T>(Vec<T>);

impl<T: Serialize> Serialize for ByCategory<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for ((category, _), value) in moderation::CATEGORIES.iter().zip(&self.0) {
            map.serialize_entry(category, value)?;
        }
        map.end()
    }
}

pub async fn embeddings(
    State(state): State<Arc<AppState>>,
    caller: Result<Caller, ApiError>,
    raw: Result<Bytes, BytesRejection>,
) -> OpenAiResult<Json<Embeddings>> {
    let caller = caller?;
    caller.require("chat:invoke")?;
    let request: EmbeddingRequest = body(raw)?;
    if request.model != EMBEDDING_MODEL {
        model_persona(&state, &caller, &request.model)?;
    }
    let not_text = || {
        OpenAiError::invalid(
            format!(
                "`input` must be a non-empty string or an array of 1 to {MAX_EMBEDDING_INPUTS} of them; token arrays are not supported"
            ),
            "input",
        )
    };
    let inputs: Vec<String> = match request.input {
        Value::String(text) => vec![text],
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err(not_text()),
            })
            .collect::<OpenAiResult<_>>()?,
        _ => return Err(not_text()),
    };
    if inputs.is_empty()
        || inputs.len() > MAX_EMBEDDING_INPUTS
        || inputs.iter().any(|text| text.trim().is_empty())
    {
        return Err(not_text());
    }
    let base64 = match request.encoding_format.as_deref() {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => {
            return Err(OpenAiError::invalid(
                format!("unknown encoding_format `{other}`; use float or base64"),
                "encoding_format",
            ));
        }
    };
    let vectors = state.chat.embed(&inputs).await.map_err(|err| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ProviderUnavailable,
            format!("the {} engine could not embed: {err}", state.chat.name()),
        )
    })?;
    let mut data = Vec::new();
    for (index, mut vector) in vectors.into_iter().enumerate() {
        if let Some(dimensions) = request.dimensions {
            if dimensions == 0 || dimensions > vector.len() {
                return Err(OpenAiError::invalid(
                    format!("`dimensions` must be from 1 to {}", vector.len()),
                    "dimensions",
                ));
            }
            if state.chat.name() == "offline" {
                vector = embedding::fold(&vector, dimensions);
            } else {
                // A model's embedding keeps its meaning in its first numbers (OpenAI's do).
                vector.truncate(dimensions);
                embedding::normalise(&mut vector);
            }
        }
        let embedding = if base64 {
            Encoded::Base64(embedding_base64(&vector))
        } else {
            Encoded::Float(vector.into_iter().map(f64::from).collect())
        };
        data.push(EmbeddingObject {
            object: "embedding",
            index,
            embedding,
        });
    }
    let tokens: u64 = inputs.iter().map(|text| count_tokens(text)).sum();
    Ok(Json(Embeddings {
        object: "list",
        data,
        model: request.model,
        usage: EmbeddingUsage {
            prompt_tokens: tokens,
            total_tokens: tokens,
        },
    }))
}

/// The answer of `POST /v1/openai/embeddings`.
#[derive(Serialize)]
pub struct Embeddings {
    object: &'static str,
    data: Vec<EmbeddingObject>,
    model: String,
    usage: EmbeddingUsage,
}

#[derive(Serialize)]
struct EmbeddingObject {
    object: &'static str,
    index: usize,
    embedding: Encoded,
}

/// An embedding as numbers or, with `encoding_format: base64`, as text.
#[derive(Serialize)]
#[serde(untagged)]
enum Encoded {
    /// Written as the f64 of each f32, as the answer has always given them.
    Float(Vec<f64>),
    Base64(String),
}

#[derive(Serialize)]
struct EmbeddingUsage {
    prompt_tokens: u64,
    total_tokens: u64,
}

/// An embedding as OpenAI's `encoding_format: base64` gives it: its little-endian f32 values
/// in standard base64 with padding (RFC 4648 §4).
fn embedding_base64(vector: &[f32]) -> String {
    let bytes: Vec<u8> = vector.iter().flat_map(|x| x.to_le_bytes()).collect();
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base64_embedding_is_its_little_endian_floats_in_padded_standard_base64() {
        assert_eq!(embedding_base64(&[]), "");
        assert_eq!(embedding_base64(&[1.0]), "AACAPw==");
        assert_eq!(embedding_base64(&[1.0, -2.0]), "AACAPwAAAMA=");
        assert_eq!(embedding_base64(&[0.5, 0.25, -1.0]), "AAAAPwAAgD4AAIC/");
    }
}
