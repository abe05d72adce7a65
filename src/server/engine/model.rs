//! The model engine: writes personas with any OpenAI-compatible model server (Ollama, vLLM,
//! llama.cpp server, OpenAI), and the HTTP client to that server the chat engine shares.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::layers::{from_object, lenient, lenient_object};
use super::slug::slugify;
use super::{
    Engine, EngineError, Generation, GenerationFuture, GenerationRequest, OfflineEngine, Parent,
    StepOutput, layers_from_steps,
};
use crate::model::LAYERS;

/// How long to wait for a model server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a model server may stay silent (before its answer, or within a stream) by default.
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(300);

/// The most characters of an error answer quoted in a provider error.
const QUOTED_ANSWER_CHARS: usize = 300;

/// The most characters kept of one text field a model writes.
const MAX_FIELD_CHARS: usize = 2000;

/// The highest age the persona schema allows.
const MAX_AGE: u64 = 150;

/// Where the model server is and how to talk to it (`PERSONA_MODEL_URL`, `PERSONA_MODEL`,
/// `PERSONA_MODEL_API_KEY`). `Debug` never shows the key.
#[derive(Clone)]
pub struct ModelSettings {
    /// Base URL of the OpenAI-compatible API, without a trailing slash (`.../v1`).
    pub url: String,
    /// The model named in every request.
    pub model: String,
    /// Sent as `Authorization: Bearer`; never logged.
    pub api_key: Option<String>,
    /// How long the server may stay silent before the request fails.
    pub read_timeout: Duration,
}

impl ModelSettings {
    /// Checks the settings: an http(s) URL, a model name, and no key sent in the clear to
    /// anything but a loopback address. The error says which part is wrong.
    pub fn new(url: &str, model: &str, api_key: Option<&str>) -> Result<Self, String> {
        let url = url.trim().trim_end_matches('/');
        let parsed = reqwest::Url::parse(url)
            .map_err(|err| format!("`{url}` is not a valid model server URL: {err}"))?;
        let api_key = api_key
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .map(str::to_owned);
        match parsed.scheme() {
            "https" => {}
            "http" if api_key.is_none() || is_loopback(&parsed) => {}
            "http" => {
                return Err(format!(
                    "refusing to send the model API key over plain HTTP to {}; use an https:// URL",
                    parsed.host_str().unwrap_or("?")
                ));
            }
            other => {
                return Err(format!(
                    "the model server URL must start with http:// or https://, not {other}://"
                ));
            }
        }
        let model = model.trim();
        if model.is_empty() {
            return Err("the model name is empty".to_owned());
        }
        Ok(ModelSettings {
            url: url.to_owned(),
            model: model.to_owned(),
            api_key,
            read_timeout: DEFAULT_READ_TIMEOUT,
        })
    }

    /// The URL without any user or password in it, for logs and error messages.
    pub fn public_url(&self) -> String {
        match reqwest::Url::parse(&self.url) {
            Ok(mut url) => {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.as_str().trim_end_matches('/').to_owned()
            }
            Err(_) => self.url.clone(),
        }
    }
}

impl fmt::Debug for ModelSettings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ModelSettings")
            .field("url", &self.public_url())
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("read_timeout", &self.read_timeout)
            .finish()
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

/// The HTTP client of one model server: `POST /chat/completions` (plain or streamed) and
/// `POST /embeddings`. Every failure is a provider failure (503 `provider.unavailable`).
#[derive(Clone)]
pub struct ModelClient {
    http: reqwest::Client,
    settings: Arc<ModelSettings>,
}

impl ModelClient {
    pub fn new(settings: ModelSettings) -> Result<Self, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        if settings.url.starts_with("http://") {
            // Plain HTTP: no need to load the system's certificate store.
            builder = builder.tls_certs_only(Vec::new());
        }
        let http = builder
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(settings.read_timeout)
            .user_agent(concat!("persona-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("cannot set up HTTP for the model server: {err}"))?;
        Ok(ModelClient {
            http,
            settings: Arc::new(settings),
        })
    }

    /// `POST {url}/chat/completions` with `body` (the model is added), answered in one JSON.
    pub async fn complete(&self, mut body: Value) -> Result<Value, EngineError> {
        body["model"] = json!(self.settings.model);
        body["stream"] = json!(false);
        let response = self.post("chat/completions", &body).await?;
        self.json_answer(response).await
    }

    /// `POST {url}/chat/completions` with `body` (the model and `stream: true` are added): the
    /// response once its status is a success, for the caller to read as it arrives.
    pub async fn start_stream(&self, mut body: Value) -> Result<reqwest::Response, EngineError> {
        body["model"] = json!(self.settings.model);
        body["stream"] = json!(true);
        self.post("chat/completions", &body).await
    }

    /// `POST {url}/embeddings`: one vector per input, in the order of the inputs.
    pub async fn embeddings(&self, inputs: &[String]) -> Result<Vec<Vec<f32>>, EngineError> {
        let body = json!({ "model": self.settings.model, "input": inputs });
        let response = self.post("embeddings", &body).await?;
        let answer = self.json_answer(response).await?;
        let mut rows: Vec<(u64, Vec<f32>)> = Vec::new();
        let data = from_object::<EmbeddingsAnswer>(&answer).data;
        for (position, row) in data.iter().enumerate() {
            let row: EmbeddingRow = from_object(row);
            let vector = row
                .embedding
                .ok_or_else(|| self.malformed("an embedding is not a list of numbers"))?;
            let vector = vector.into_iter().map(|value| value as f32).collect();
            rows.push((row.index.unwrap_or(position as u64), vector));
        }
        if rows.len() != inputs.len() {
            return Err(self.malformed(&format!(
                "{} embeddings for {} inputs",
                rows.len(),
                inputs.len()
            )));
        }
        rows.sort_by_key(|(index, _)| *index);
        Ok(rows.into_iter().map(|(_, vector)| vector).collect())
    }

    async fn post(&self, path: &str, body: &Value) -> Result<reqwest::Response, EngineError> {
        let mut request = self
            .http
            .post(format!("{}/{path}", self.settings.url))
            .json(body);
        if let Some(key) = &self.settings.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|err| self.transport(&err))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let quoted: String = text.trim().chars().take(QUOTED_ANSWER_CHARS).collect();
        Err(self.failure(&format!(
            "answered HTTP {}{}",
            status.as_u16(),
            if quoted.is_empty() {
                String::new()
            } else {
                format!(": {quoted}")
            }
        )))
    }

    async fn json_answer(&self, response: reqwest::Response) -> Result<Value, EngineError> {
        let text = response.text().await.map_err(|err| self.transport(&err))?;
        let answer: Value = serde_json::from_str(&text)
            .map_err(|err| self.malformed(&format!("the answer is not JSON ({err})")))?;
        if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
            let message = from_object::<ErrorAnswer>(error).message;
            let message = message.as_deref().unwrap_or("unknown error");
            return Err(self.failure(&format!("answered with an error: {message}")));
        }
        Ok(answer)
    }

    /// A failure to reach or read the server (refused, timed out, cut off).
    pub fn transport(&self, err: &reqwest::Error) -> EngineError {
        let what = if err.is_timeout() {
            "did not answer in time"
        } else if err.is_connect() {
            "cannot be reached"
        } else {
            "failed while answering"
        };
        // reqwest's message names the URL, which may hold credentials: name it ourselves.
        let mut source = std::error::Error::source(err);
        let mut cause = None;
        while let Some(inner) = source {
            cause = Some(inner.to_string());
            source = inner.source();
        }
        match cause {
            Some(cause) => self.failure(&format!("{what} ({cause})")),
            None => self.failure(what),
        }
    }

    /// An answer that is not what an OpenAI-compatible server gives.
    pub fn malformed(&self, detail: &str) -> EngineError {
        self.failure(&format!("gave an answer this server cannot use: {detail}"))
    }

    /// A provider failure naming the server and model, with the API key scrubbed out.
    pub fn failure(&self, detail: &str) -> EngineError {
        let mut message = format!(
            "the model server at {} (model {}) {detail}",
            self.settings.public_url(),
            self.settings.model
        );
        if let Some(key) = &self.settings.api_key {
            message = message.replace(key.as_str(), "[redacted]");
        }
        EngineError::provider_unavailable(message)
    }
}

/// What this client reads of a model server's answers, each field leniently: a field of
/// another shape than the OpenAI API gives reads as absent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ErrorAnswer {
    #[serde(deserialize_with = "lenient")]
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmbeddingsAnswer {
    #[serde(deserialize_with = "lenient")]
    data: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmbeddingRow {
    #[serde(deserialize_with = "lenient")]
    embedding: Option<Vec<f64>>,
    #[serde(deserialize_with = "lenient")]
    index: Option<u64>,
}

/// A chat completion: the text of its first choice and the tokens it spent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChatCompletion {
    #[serde(deserialize_with = "lenient")]
    choices: Vec<Value>,
    #[serde(deserialize_with = "lenient_object")]
    usage: TokenCounts,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Choice {
    #[serde(deserialize_with = "lenient_object")]
    message: ChoiceMessage,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChoiceMessage {
    #[serde(deserialize_with = "lenient")]
    content: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenCounts {
    #[serde(deserialize_with = "lenient")]
    prompt_tokens: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    completion_tokens: Option<u64>,
}

impl ChatCompletion {
    fn content(&self) -> Option<String> {
        from_object::<Choice>(self.choices.first()?).message.content
    }
}

/// Writes personas with a model: one non-streamed request per run for the four layers as JSON,
/// checked and clamped to the schema; what the model leaves out comes from the offline engine's
/// answer to the same brief, and the offline engine's steps give the run its shape.
pub struct ModelEngine {
    client: ModelClient,
}

impl ModelEngine {
    pub fn new(client: ModelClient) -> Self {
        ModelEngine { client }
    }

    async fn write(
        &self,
        fallback: Generation,
        instructions: String,
        request: &GenerationRequest<'_>,
    ) -> Result<Generation, EngineError> {
        let body = json!({
            "messages": [
                { "role": "system", "content": system_prompt(request.language) },
                { "role": "user", "content": instructions },
            ],
            "response_format": { "type": "json_object" },
            "seed": request.seed,
        });
        let answer: ChatCompletion = from_object(&self.client.complete(body).await?);
        let content = answer
            .content()
            .ok_or_else(|| self.client.malformed("no choices[0].message.content"))?;
        let written = parse_layers(&content).ok_or_else(|| {
            self.client
                .malformed("the message is not a JSON object with the persona's layers")
        })?;
        let fields = checked_fields(&written);
        if fields.is_empty() {
            return Err(self
                .client
                .malformed("the JSON has none of the persona's fields"));
        }
        let usage = Usage::of(&answer.usage, &instructions, &content);
        Ok(plan(&fallback, fields, usage))
    }
}

impl Engine for ModelEngine {
    fn name(&self) -> &'static str {
        "model"
    }

    fn generate<'a>(&'a self, request: GenerationRequest<'a>) -> GenerationFuture<'a> {
        Box::pin(async move {
            let fallback = Engine::generate(&OfflineEngine, request).await?;
            let instructions = format!(
                "Write the persona this brief describes.\n\nBrief: {}",
                request.intent.trim()
            );
            self.write(fallback, instructions, &request).await
        })
    }

    fn refine<'a>(
        &'a self,
        parent: Parent<'a>,
        request: GenerationRequest<'a>,
    ) -> GenerationFuture<'a> {
        Box::pin(async move {
            let fallback = Engine::refine(&OfflineEngine, parent, request).await?;
            let instructions = format!(
                "Rewrite this persona under a refinement. Keep who they are (surface.name) unless \
                 the refinement says otherwise, and change what the refinement asks for.\n\n\
                 Original brief: {}\n\nRefinement: {}\n\nThe persona now:\n{}",
                parent.intent.trim(),
                request.intent.trim(),
                parent.layers
            );
            self.write(fallback, instructions, &request).await
        })
    }
}

/// The fields a model writes, as dotted paths, in the order the pipeline fills them.
const FIELDS: [&str; 14] = [
    "soul.core_desire",
    "soul.core_fear",
    "soul.wound",
    "self.big_five.O",
    "self.big_five.C",
    "self.big_five.E",
    "self.big_five.A",
    "self.big_five.N",
    "self.archetype",
    "mask.voice.register",
    "mask.public_bio",
    "surface.name",
    "surface.age",
    "surface.occupation",
];

/// The optional field: a persona may have no place.
const PLACE: &str = "surface.place";

fn system_prompt(language: &str) -> String {
    format!(
        "You write characters for a persona platform. Answer with one JSON object and nothing \
         else, in exactly this shape:\n\
         {{\"soul\": {{\"core_desire\": \"...\", \"core_fear\": \"...\", \"wound\": \"...\"}}, \
         \"self\": {{\"big_five\": {{\"O\": 0.5, \"C\": 0.5, \"E\": 0.5, \"A\": 0.5, \"N\": 0.5}}, \
         \"archetype\": \"the-sage\"}}, \
         \"mask\": {{\"voice\": {{\"register\": \"...\"}}, \"public_bio\": \"...\"}}, \
         \"surface\": {{\"name\": \"...\", \"age\": 35, \"occupation\": \"...\", \"place\": \"...\"}}}}\n\
         soul is why they act: core_desire, core_fear and wound are one sentence each. self is \
         who they are, measured: big_five holds openness (O), conscientiousness (C), \
         extraversion (E), agreeableness (A) and neuroticism (N), each a number from 0 to 1; \
         archetype is a short lowercase slug such as the-sage or the-caregiver. mask is how they \
         present: register says in a few words how they talk; public_bio is two or three \
         sentences in the third person. surface holds the facts: a full name, an age in whole \
         years, an occupation, and the place they live (leave place out when the brief gives \
         none). Write every text in {}; the name fits the language and the place.",
        language_name(language)
    )
}

/// The layers object in a model's message: the whole message, or the JSON inside a code
/// fence, or the one object it is wrapped in (`{"persona": {...}}`).
fn parse_layers(content: &str) -> Option<Map<String, Value>> {
    let text = content.trim();
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|inner| inner.trim_end().strip_suffix("```"))
        .unwrap_or(text);
    let Value::Object(object) = serde_json::from_str::<Value>(text.trim()).ok()? else {
        return None;
    };
    let has_a_layer =
        |object: &Map<String, Value>| LAYERS.iter().any(|layer| object.contains_key(*layer));
    if !has_a_layer(&object)
        && object.len() == 1
        && let Some(Value::Object(inner)) = object.values().next()
        && has_a_layer(inner)
    {
        return Some(inner.clone());
    }
    Some(object)
}

/// The schema's fields the model wrote usably, as (dotted path, value), checked and clamped:
/// texts trimmed and bounded, Big Five numbers in [0, 1] (2 and above are read as percent),
/// the age a whole number from 0 to 150, the archetype a slug.
fn checked_fields(layers: &Map<String, Value>) -> Vec<(String, Value)> {
    let written = WrittenLayers::deserialize(layers).unwrap_or_default();
    let (soul, self_layer, mask, surface) = (
        &written.soul,
        &written.self_layer,
        &written.mask,
        &written.surface,
    );
    let big_five = &self_layer.big_five;
    // A bare `"voice": "wry"` names the register.
    let register = mask
        .voice
        .get("register")
        .filter(|register| !register.is_null())
        .unwrap_or(&mask.voice);
    let archetype = text(&self_layer.archetype)
        .map(|archetype| slugify(&archetype))
        .filter(|slug| !slug.is_empty());
    let checked: [(&str, Option<Value>); 15] = [
        ("soul.core_desire", text(&soul.core_desire).map(Value::from)),
        ("soul.core_fear", text(&soul.core_fear).map(Value::from)),
        ("soul.wound", text(&soul.wound).map(Value::from)),
        ("self.big_five.O", trait_score(&big_five.o).map(Value::from)),
        ("self.big_five.C", trait_score(&big_five.c).map(Value::from)),
        ("self.big_five.E", trait_score(&big_five.e).map(Value::from)),
        ("self.big_five.A", trait_score(&big_five.a).map(Value::from)),
        ("self.big_five.N", trait_score(&big_five.n).map(Value::from)),
        ("self.archetype", archetype.map(Value::from)),
        ("mask.voice.register", text(register).map(Value::from)),
        ("mask.public_bio", text(&mask.public_bio).map(Value::from)),
        ("surface.name", text(&surface.name).map(Value::from)),
        ("surface.age", age(&surface.age).map(Value::from)),
        (
            "surface.occupation",
            text(&surface.occupation).map(Value::from),
        ),
        (PLACE, text(&surface.place).map(Value::from)),
    ];
    checked
        .into_iter()
        .filter_map(|(path, value)| Some((path.to_owned(), value?)))
        .collect()
}

/// The layers as a model wrote them: each field as the model gave it (`null` when absent), to
/// be checked; a layer that is not an object reads as empty.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WrittenLayers {
    #[serde(deserialize_with = "lenient_object")]
    soul: WrittenSoul,
    #[serde(rename = "self", deserialize_with = "lenient_object")]
    self_layer: WrittenSelf,
    #[serde(deserialize_with = "lenient_object")]
    mask: WrittenMask,
    #[serde(deserialize_with = "lenient_object")]
    surface: WrittenSurface,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WrittenSoul {
    core_desire: Value,
    core_fear: Value,
    wound: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WrittenSelf {
    #[serde(deserialize_with = "lenient_object")]
    big_five: WrittenBigFive,
    archetype: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WrittenBigFive {
    #[serde(rename = "O")]
    o: Value,
    #[serde(rename = "C")]
    c: Value,
    #[serde(rename = "E")]
    e: Value,
    #[serde(rename = "A")]
    a: Value,
    #[serde(rename = "N")]
    n: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WrittenMask {
    /// `{"register": ...}`, or the register itself.
    voice: Value,
    public_bio: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WrittenSurface {
    name: Value,
    age: Value,
    occupation: Value,
    place: Value,
}

fn text(raw: &Value) -> Option<String> {
    let text = raw.as_str()?.trim();
    if text.is_empty() {
        return None;
    }
    Some(text.chars().take(MAX_FIELD_CHARS).collect())
}

fn number(raw: &Value) -> Option<f64> {
    let number = match raw {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    number.is_finite().then_some(number)
}

fn trait_score(raw: &Value) -> Option<f64> {
    let mut score = number(raw)?;
    if score >= 2.0 {
        // Surely a 0–100 scale: 1.4 overshoots 1, but 82 means 0.82.
        score /= 100.0;
    }
    Some((score.clamp(0.0, 1.0) * 100.0).round() / 100.0)
}

fn age(raw: &Value) -> Option<u64> {
    let age = number(raw)?.round();
    Some(age.clamp(0.0, MAX_AGE as f64) as u64)
}

/// Tokens a model spent: from its `usage` when given, else estimated from the texts.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Usage {
    prompt: u64,
    completion: u64,
}

impl Usage {
    fn of(counts: &TokenCounts, prompt: &str, completion: &str) -> Self {
        let estimate = |text: &str| (text.len() as u64).div_ceil(4).max(1);
        Usage {
            prompt: counts.prompt_tokens.unwrap_or_else(|| estimate(prompt)),
            completion: counts
                .completion_tokens
                .unwrap_or_else(|| estimate(completion)),
        }
    }
}

/// The run's steps: the fallback's step names in order; each draft step fills its layer's
/// fields (the model's, else the fallback's). Reading the brief costs the prompt's tokens, the
/// drafts share the completion's by the length of what they write, and the audits (the checks
/// above, done here) cost none.
fn plan(fallback: &Generation, written: Vec<(String, Value)>, usage: Usage) -> Generation {
    let fallback_fields: Vec<&(String, Value)> = fallback
        .steps
        .iter()
        .flat_map(|step| &step.fields)
        .collect();
    let mut fields = Vec::new();
    for path in FIELDS.iter().chain([&PLACE]) {
        let value = written
            .iter()
            .chain(fallback_fields.iter().copied())
            .find(|(field, _)| field == path)
            .map(|(_, value)| value.clone());
        if let Some(value) = value {
            fields.push((path.to_string(), value));
        }
    }
    let mut steps: Vec<StepOutput> = fallback
        .steps
        .iter()
        .map(|step| {
            let layer = step.name.strip_suffix("_draft");
            StepOutput {
                name: step.name.clone(),
                tokens: if step.name == "intent_parse" {
                    usage.prompt
                } else {
                    0
                },
                fields: fields
                    .iter()
                    .filter(|(path, _)| {
                        layer.is_some_and(|layer| path.split('.').next() == Some(layer))
                    })
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    share_completion_tokens(&mut steps, usage.completion);
    let layers = layers_from_steps(&steps);
    let suggested_slug = steps
        .iter()
        .flat_map(|step| &step.fields)
        .rfind(|(path, _)| path == "surface.name")
        .and_then(|(_, name)| name.as_str())
        .map(slugify)
        .filter(|slug| !slug.is_empty())
        .unwrap_or_else(|| fallback.suggested_slug.clone());
    Generation {
        steps,
        layers,
        suggested_slug,
    }
}

/// Adds `completion` tokens to the steps that fill fields, in proportion to the characters
/// they write; the shares add up to `completion` exactly.
fn share_completion_tokens(steps: &mut [StepOutput], completion: u64) {
    let weights: Vec<u64> = steps
        .iter()
        .map(|step| {
            step.fields
                .iter()
                .map(|(_, value)| match value {
                    Value::String(text) => text.chars().count() as u64,
                    other => other.to_string().len() as u64,
                })
                .sum()
        })
        .collect();
    let total: u64 = weights.iter().sum();
    if total == 0 {
        return;
    }
    let last = weights.iter().rposition(|weight| *weight > 0).unwrap_or(0);
    let mut given = 0;
    for (index, (step, weight)) in steps.iter_mut().zip(&weights).enumerate() {
        let share = if index == last {
            completion - given
        } else {
            completion * weight / total
        };
        given += share;
        step.tokens += share;
    }
}

/// The English name of an ISO 639-1 code, for telling a model which language to write in.
pub fn language_name(code: &str) -> String {
    let primary = code
        .split(['-', '_'])
        .next()
        .unwrap_or(code)
        .to_ascii_lowercase();
    let name = match primary.as_str() {
        "ar" => "Arabic",
        "bg" => "Bulgarian",
        "bn" => "Bengali",
        "ca" => "Catalan",
        "cs" => "Czech",
        "cy" => "Welsh",
        "da" => "Danish",
        "de" => "German",
        "el" => "Greek",
        "en" => "English",
        "eo" => "Esperanto",
        "es" => "Spanish",
        "et" => "Estonian",
        "eu" => "Basque",
        "fa" => "Persian",
        "fi" => "Finnish",
        "fr" => "French",
        "ga" => "Irish",
        "gl" => "Galician",
        "he" => "Hebrew",
        "hi" => "Hindi",
        "hr" => "Croatian",
        "hu" => "Hungarian",
        "hy" => "Armenian",
        "id" => "Indonesian",
        "is" => "Icelandic",
        "it" => "Italian",
        "ja" => "Japanese",
        "ka" => "Georgian",
        "kk" => "Kazakh",
        "ko" => "Korean",
        "la" => "Latin",
        "lt" => "Lithuanian",
        "lv" => "Latvian",
        "ms" => "Malay",
        "nb" => "Norwegian Bokmål",
        "nl" => "Dutch",
        "nn" => "Norwegian Nynorsk",
        "no" => "Norwegian",
        "pl" => "Polish",
        "pt" => "Portuguese",
        "ro" => "Romanian",
        "ru" => "Russian",
        "sk" => "Slovak",
        "sl" => "Slovenian",
        "sq" => "Albanian",
        "sr" => "Serbian",
        "sv" => "Swedish",
        "sw" => "Swahili",
        "ta" => "Tamil",
        "th" => "Thai",
        "tl" => "Tagalog",
        "tr" => "Turkish",
        "uk" => "Ukrainian",
        "ur" => "Urdu",
        "uz" => "Uzbek",
        "vi" => "Vietnamese",
        "zh" => "Chinese",
        _ => return format!("the language with ISO 639-1 code `{primary}`"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::engine::{EngineErrorKind, Pipeline};

    fn request(intent: &str) -> GenerationRequest<'_> {
        GenerationRequest {
            intent,
            language: "tr",
            seed: 7,
            pipeline: Pipeline::Default,
        }
    }

    fn settings(url: &str) -> ModelSettings {
        ModelSettings::new(url, "stand-in", None).unwrap()
    }

    #[test]
    fn settings_refuse_a_key_in_the_clear_and_hide_it_from_debug() {
        let local =
            ModelSettings::new("http://127.0.0.1:11434/v1/", "llama3", Some("sk-secret")).unwrap();
        assert_eq!(local.url, "http://127.0.0.1:11434/v1");
        assert!(!format!("{local:?}").contains("sk-secret"));
        let remote = ModelSettings::new("http://10.1.2.3/v1", "llama3", Some("sk-secret"));
        assert!(remote.unwrap_err().contains("plain HTTP"));
        assert!(ModelSettings::new("http://10.1.2.3/v1", "llama3", Some(" ")).is_ok());
        assert!(ModelSettings::new("ftp://example.com", "llama3", None).is_err());
        assert!(ModelSettings::new("https://api.openai.com/v1", " ", None).is_err());
        let with_password =
            ModelSettings::new("https://user:pw@example.com/v1", "m", None).unwrap();
        assert_eq!(with_password.public_url(), "https://example.com/v1");
    }

    #[test]
    fn fields_are_checked_clamped_and_completed_from_the_offline_answer() {
        let written = parse_layers(
            "```json\n{\"persona\": {\"soul\": {\"core_desire\": \"  To be read.  \", \"wound\": 3},\
             \"self\": {\"big_five\": {\"O\": 82, \"C\": \"0.4\", \"E\": -1, \"A\": 0.555},\
             \"archetype\": \"The Sage\"}, \"mask\": {\"voice\": \"dry and bookish\"},\
             \"surface\": {\"name\": \"Mert Kavaklı\", \"age\": 212.4, \"place\": \"Istanbul\"}}}\n```",
        )
        .unwrap();
        let fields = checked_fields(&written);
        let value = |path: &str| {
            fields
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value("soul.core_desire"), Some(json!("To be read.")));
        assert_eq!(value("soul.wound"), None, "a number is no text");
        assert_eq!(value("self.big_five.O"), Some(json!(0.82)));
        assert_eq!(value("self.big_five.C"), Some(json!(0.4)));
        assert_eq!(value("self.big_five.E"), Some(json!(0.0)));
        assert_eq!(value("self.big_five.A"), Some(json!(0.56)));
        assert_eq!(value("self.archetype"), Some(json!("the-sage")));
        assert_eq!(value("mask.voice.register"), Some(json!("dry and bookish")));
        assert_eq!(value("surface.age"), Some(json!(150)));

        let brief = "35-year-old bookseller in Istanbul";
        let fallback = OfflineEngine.generate(&request(brief)).unwrap();
        let usage = Usage {
            prompt: 100,
            completion: 57,
        };
        let generation = plan(&fallback, fields, usage);
        let names: Vec<&str> = generation.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, Pipeline::Default.steps());
        assert_eq!(generation.steps[0].tokens, 100);
        let total: u64 = generation.steps.iter().map(|s| s.tokens).sum();
        assert_eq!(total, 157, "the steps share exactly the usage");
        let layers = &generation.layers;
        assert_eq!(layers["surface"]["name"], "Mert Kavaklı");
        assert_eq!(layers["soul"]["wound"], fallback.layers["soul"]["wound"]);
        assert_eq!(
            layers["self"]["big_five"]["N"],
            fallback.layers["self"]["big_five"]["N"]
        );
        assert_eq!(
            layers["surface"]["occupation"],
            fallback.layers["surface"]["occupation"]
        );
        assert_eq!(generation.suggested_slug, "mert-kavakli");
        for step in &generation.steps {
            for (path, _) in &step.fields {
                let layer = path.split('.').next().unwrap();
                assert_eq!(step.name, format!("{layer}_draft"), "{path}");
            }
        }
    }

    #[test]
    fn text_that_is_not_a_json_object_is_no_answer() {
        assert!(parse_layers("Here is your persona!").is_none());
        assert!(parse_layers("[1, 2]").is_none());
        assert!(checked_fields(&parse_layers("{\"colour\": \"red\"}").unwrap()).is_empty());
    }

    #[test]
    fn usage_comes_from_the_answer_or_is_estimated() {
        let given = json!({"usage": {"prompt_tokens": 12, "completion_tokens": 34}});
        let counts = |answer: &Value| from_object::<ChatCompletion>(answer).usage;
        assert_eq!(
            Usage::of(&counts(&given), "x", "y"),
            Usage {
                prompt: 12,
                completion: 34
            }
        );
        assert_eq!(
            Usage::of(&counts(&json!({})), "12345678", ""),
            Usage {
                prompt: 2,
                completion: 1
            }
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_a_provider_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        drop(listener);
        let engine = ModelEngine::new(ModelClient::new(settings(&url)).unwrap());
        let error = Engine::generate(&engine, request("a bookseller in Istanbul"))
            .await
            .unwrap_err();
        assert_eq!(error.kind, EngineErrorKind::ProviderUnavailable);
        assert!(error.message.contains("cannot be reached"), "{error}");
        assert!(error.message.contains(&url), "{error}");
    }

    #[tokio::test]
    async fn an_empty_brief_is_refused_before_any_request() {
        let engine = ModelEngine::new(ModelClient::new(settings("http://127.0.0.1:9/v1")).unwrap());
        let error = Engine::generate(&engine, request("  ")).await.unwrap_err();
        assert_eq!(error.kind, EngineErrorKind::Invalid);
    }

    #[test]
    fn languages_are_named_in_english() {
        assert_eq!(language_name("tr"), "Turkish");
        assert_eq!(language_name("pt-BR"), "Portuguese");
        assert!(language_name("qu").contains("`qu`"));
    }
}
