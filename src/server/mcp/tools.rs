//! The MCP tools `persona.invoke`, `persona.search`, `persona.fork` and `ensemble.scenario`,
//! with JSON Schemas for their inputs, over the personas the calling key may see (contract §8).

use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::protocol::{Context, RpcError};
use crate::model::jsonrpc::INVALID_PARAMS;
use crate::model::{Failure, ForkPersona, Persona, view};
use crate::server::chat::{self, MAX_MESSAGE_CHARS, TurnInput};
use crate::server::error::ApiError;
use crate::server::ids;
use crate::server::personas::{self, Answer, WaitMode};
use crate::server::store::{self, fts_query};

/// Results `persona.search` gives by default, and at most.
const SEARCH_LIMIT: (usize, usize) = (10, 50);

/// The most personas in one `ensemble.scenario`, lines they speak, and characters of a scene.
const CAST_LIMIT: usize = 8;
const TURN_LIMIT: usize = 24;
const MAX_SCENE_CHARS: usize = 4000;

/// `tools/list`: every tool with the JSON Schema of its arguments.
pub fn definitions() -> Value {
    let reference = json!({
        "type": "string", "minLength": 1,
        "description": "The persona's id (psn_...) or slug; `@v3` after it names a past version.",
    });
    json!([
        {
            "name": "persona.invoke",
            "title": "Chat with a persona",
            "description": "Sends a message to a persona and returns its reply in character, with \
                the conversation id (pass it back to go on with the same conversation) and how \
                far the reply drifted from the character.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "persona": reference,
                    "message": {
                        "type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_CHARS,
                        "description": "What to say to the persona.",
                    },
                    "conversation_id": {
                        "type": "string",
                        "description": "A conversation a previous call returned; omit it to start a new one.",
                    },
                },
                "required": ["persona", "message"],
                "additionalProperties": false,
            },
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "openWorldHint": false },
        },
        {
            "name": "persona.search",
            "title": "Search personas",
            "description": "Keyword search over the workspace's personas: slug, name, occupation, \
                intent and public bio. Every word must match (prefixes count); best matches first.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": { "type": "string", "minLength": 1, "description": "Words to look for." },
                    "limit": {
                        "type": "integer", "minimum": 1, "maximum": SEARCH_LIMIT.1,
                        "default": SEARCH_LIMIT.0, "description": "How many personas to return at most.",
                    },
                },
                "required": ["query"],
                "additionalProperties": false,
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false },
        },
        {
            "name": "persona.fork",
            "title": "Fork a persona",
            "description": "Creates a new persona from a completed one, optionally refined by an \
                intent, and waits until it is generated.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "persona": reference,
                    "intent": {
                        "type": "string", "minLength": 1, "maxLength": 4000,
                        "description": "What to change, added to the parent's intent.",
                    },
                    "slug": {
                        "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64,
                        "description": "Slug of the new persona.",
                    },
                },
                "required": ["persona"],
                "additionalProperties": false,
            },
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "idempotentHint": false, "openWorldHint": false },
        },
        {
            "name": "ensemble.scenario",
            "title": "Stage a scene",
            "description": "Several personas take turns in a scene: each turn, the next persona in \
                the list replies in character to the scene and the lines spoken so far. Returns \
                the transcript.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "personas": {
                        "type": "array", "items": reference, "minItems": 2, "maxItems": CAST_LIMIT,
                        "description": "The cast, in speaking order.",
                    },
                    "scene": {
                        "type": "string", "minLength": 1, "maxLength": MAX_SCENE_CHARS,
                        "description": "Where they are and what is going on.",
                    },
                    "turns": {
                        "type": "integer", "minimum": 1, "maximum": TURN_LIMIT,
                        "description": "How many lines are spoken in all; two rounds of the cast by default.",
                    },
                },
                "required": ["personas", "scene"],
                "additionalProperties": false,
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false },
        },
    ])
}

/// `tools/call`: an unknown tool or unreadable params are protocol errors; everything that
/// goes wrong inside a tool is a result with `isError: true`.
pub async fn call(ctx: &Context<'_>, params: &Value) -> Result<Value, RpcError> {
    let name = params["name"]
        .as_str()
        .ok_or_else(|| RpcError::new(INVALID_PARAMS, "tools/call needs the tool's `name`"))?;
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(arguments @ Value::Object(_)) => arguments.clone(),
        Some(_) => {
            return Err(RpcError::new(
                INVALID_PARAMS,
                "`arguments` must be an object",
            ));
        }
    };
    let outcome = match name {
        "persona.invoke" => invoke(ctx, arguments).await,
        "persona.search" => search(ctx, arguments),
        "persona.fork" => fork(ctx, arguments).await,
        "ensemble.scenario" => scenario(ctx, arguments).await,
        _ => {
            return Err(RpcError::new(
                INVALID_PARAMS,
                format!("unknown tool `{name}`; tools/list names the tools of this server"),
            ));
        }
    };
    Ok(match outcome {
        Ok(structured) => json!({
            "content": [{ "type": "text", "text": structured.to_string() }],
            "structuredContent": structured,
            "isError": false,
        }),
        Err(ToolError(message)) => json!({
            "content": [{ "type": "text", "text": message }],
            "isError": true,
        }),
    })
}

/// Why a tool call failed, in words for the model and the person behind it.
struct ToolError(String);

impl From<ApiError> for ToolError {
    fn from(error: ApiError) -> Self {
        ToolError(format!("{} ({})", error.message, error.code))
    }
}

impl From<store::Error> for ToolError {
    fn from(error: store::Error) -> Self {
        ApiError::from(error).into()
    }
}

type ToolResult = Result<Value, ToolError>;

fn arguments<T: DeserializeOwned>(arguments: Value) -> Result<T, ToolError> {
    serde_json::from_value(arguments).map_err(|err| ToolError(format!("invalid arguments: {err}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvokeArgs {
    persona: String,
    message: String,
    conversation_id: Option<String>,
}

/// One chat turn through the chat runtime, recorded in a conversation (a new one unless
/// `conversation_id` names one with this persona).
async fn invoke(ctx: &Context<'_>, args: Value) -> ToolResult {
    let args: InvokeArgs = arguments(args)?;
    ctx.caller.require("chat:invoke")?;
    let chars = args.message.chars().count();
    if args.message.trim().is_empty() || chars > MAX_MESSAGE_CHARS {
        return Err(ToolError(format!(
            "`message` has {chars} characters; send 1 to {MAX_MESSAGE_CHARS} that are not all blank"
        )));
    }
    let (state, workspace_id) = (ctx.state, &ctx.caller.workspace.id);
    let named = cast_member(ctx, &args.persona)?;
    let conversation = match &args.conversation_id {
        None => chat::start_conversation(state, workspace_id, &named)?,
        Some(id) => chat::load_conversation(state, ctx.caller, id)?,
    };
    let persona = chat::conversation_persona(state, &conversation)?;
    if persona.id != named.id {
        return Err(ToolError(format!(
            "conversation {} is with persona {}, not `{}`",
            conversation.id, conversation.persona_id, args.persona
        )));
    }
    let turn = chat::run_turn(
        state,
        TurnInput {
            workspace_id: workspace_id.clone(),
            persona,
            conversation: Some(conversation),
            message: args.message,
            ..TurnInput::default()
        },
    )
    .await?;
    Ok(json!({
        "reply": turn.content, "persona_id": turn.persona_id,
        "conversation_id": turn.conversation_id, "message_id": turn.message_id,
        "drift": turn.drift.to_json(), "coherence": turn.drift.coherence,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioArgs {
    personas: Vec<String>,
    scene: String,
    turns: Option<usize>,
}

/// The cast speaks in turn; each line is a chat turn (not recorded in a conversation) whose
/// message gives the scene and the transcript so far.
async fn scenario(ctx: &Context<'_>, args: Value) -> ToolResult {
    let args: ScenarioArgs = arguments(args)?;
    ctx.caller.require("chat:invoke")?;
    if !(2..=CAST_LIMIT).contains(&args.personas.len()) {
        return Err(ToolError(format!(
            "a scene needs 2 to {CAST_LIMIT} personas, not {}",
            args.personas.len()
        )));
    }
    let scene = args.scene.trim();
    if scene.is_empty() || scene.chars().count() > MAX_SCENE_CHARS {
        return Err(ToolError(format!(
            "`scene` must say in 1 to {MAX_SCENE_CHARS} characters where the personas are and what happens"
        )));
    }
    let turns = args
        .turns
        .unwrap_or((2 * args.personas.len()).min(TURN_LIMIT));
    if !(1..=TURN_LIMIT).contains(&turns) {
        return Err(ToolError(format!(
            "`turns` must be from 1 to {TURN_LIMIT}, not {turns}"
        )));
    }
    let cast = args
        .personas
        .iter()
        .map(|reference| cast_member(ctx, reference))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = cast.iter().map(display_name).collect();
    let mut transcript: Vec<Value> = Vec::new();
    let mut said: Vec<(&str, String)> = Vec::new();
    for index in 0..turns {
        let speaker = &cast[index % cast.len()];
        let mut message = format!("Scene: {scene}\nPresent: {}.\n", names.join(", "));
        if said.is_empty() {
            message.push_str("Nobody has spoken yet.\n");
        } else {
            message.push_str("What has been said so far:\n");
            for (name, line) in &said {
                message.push_str(&format!("{name}: {line}\n"));
            }
        }
        message.push_str(&format!(
            "It is your turn, {}: say your next line in this scene, in character.",
            names[index % cast.len()]
        ));
        let turn = chat::run_turn(
            ctx.state,
            TurnInput {
                workspace_id: ctx.caller.workspace.id.clone(),
                persona: speaker.clone(),
                message,
                ..TurnInput::default()
            },
        )
        .await
        .map_err(|err| {
            ToolError(format!(
                "turn {} of {turns} failed: {} ({})",
                index + 1,
                err.message,
                err.code
            ))
        })?;
        transcript.push(json!({
            "turn": index + 1, "persona_id": speaker.id, "slug": speaker.slug,
            "name": names[index % cast.len()], "text": turn.content, "drift": turn.drift.to_json(),
        }));
        said.push((&names[index % cast.len()], turn.content));
    }
    Ok(json!({ "scene": scene, "transcript": transcript }))
}

/// A completed persona the caller may see, in the version the reference names.
fn cast_member(ctx: &Context<'_>, reference: &str) -> Result<Persona, ToolError> {
    Ok(personas::resolve_for_chat(
        ctx.state, ctx.caller, reference,
    )?)
}

fn display_name(persona: &Persona) -> String {
    [
        persona.surface_name(),
        persona.slug.as_deref(),
        Some(persona.id.as_str()),
    ]
    .into_iter()
    .flatten()
    .find(|name| !name.is_empty())
    .unwrap_or("someone")
    .to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    limit: Option<usize>,
}

fn search(ctx: &Context<'_>, args: Value) -> ToolResult {
    let args: SearchArgs = arguments(args)?;
    ctx.caller.require("personas:read")?;
    let limit = args.limit.unwrap_or(SEARCH_LIMIT.0);
    if !(1..=SEARCH_LIMIT.1).contains(&limit) {
        return Err(ToolError(format!(
            "`limit` must be from 1 to {}, not {limit}",
            SEARCH_LIMIT.1
        )));
    }
    let query = fts_query(&args.query)
        .ok_or_else(|| ToolError("`query` has no words to look for".into()))?;
    let hits = ctx.state.store.search_personas(
        &ctx.caller.workspace.id,
        &ctx.caller.owner,
        &query,
        limit,
    )?;
    let results = hits
        .into_iter()
        .map(|hit| {
            let persona = Persona::deserialize(&hit.doc).map_err(|err| {
                ToolError(format!("a stored persona is not a persona document: {err}"))
            })?;
            let mut found = summary(&persona);
            found.insert("snippet".into(), json!(hit.snippet));
            Ok(Value::Object(found))
        })
        .collect::<Result<Vec<Value>, ToolError>>()?;
    Ok(json!({ "query": args.query, "results": results }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForkArgs {
    persona: String,
    intent: Option<String>,
    slug: Option<String>,
}

/// Forks through the persona service, with the rules of `POST .../fork` (scope, checks,
/// moderation, rate limit, the run), and waits for the fork to be generated.
async fn fork(ctx: &Context<'_>, args: Value) -> ToolResult {
    let args: ForkArgs = arguments(args)?;
    let parent = personas::parse_reference(&args.persona)?;
    let input = ForkPersona {
        intent: args.intent,
        slug: args.slug,
        visibility: None,
    };
    let raw_body = serde_json::to_vec(&input).unwrap_or_default();
    let request_id = ids::new_id("req");
    let request = personas::Request {
        caller: ctx.caller,
        request_id: &request_id,
        idempotency_key: None,
        raw_body: &raw_body,
        mode: WaitMode::Block,
    };
    let (status, persona) = match personas::fork(ctx.state, request, &parent, input).await? {
        Answer::Json { status, body, .. } => (status, body),
        Answer::Stored { status, body } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            serde_json::from_str(&body).unwrap_or(Value::Null),
        ),
        Answer::Stream { .. } => return Err(ToolError("the fork answered with a stream".into())),
    };
    if status != StatusCode::CREATED {
        let error = view::<Failure>(&persona).error.unwrap_or_default();
        return Err(ToolError(format!(
            "the fork failed: {} ({})",
            error.message.as_deref().unwrap_or("no reason given"),
            error.code.as_deref().unwrap_or("unknown")
        )));
    }
    let persona = Persona::deserialize(&persona)
        .map_err(|err| ToolError(format!("the fork answered with no persona: {err}")))?;
    Ok(json!({ "persona": summary(&persona), "run_id": persona.run.id }))
}

/// What a tool says about a persona.
fn summary(persona: &Persona) -> Map<String, Value> {
    let mut summary = Map::new();
    summary.insert("id".into(), json!(persona.id));
    summary.insert("slug".into(), json!(persona.slug));
    summary.insert("name".into(), persona.surface_field("name"));
    summary.insert("occupation".into(), persona.surface_field("occupation"));
    summary.insert("visibility".into(), json!(persona.visibility));
    summary.insert("status".into(), json!(persona.status));
    summary.insert("version".into(), json!(persona.version));
    summary.insert("parent_id".into(), json!(persona.parent_id));
    summary
}
