//! The persona's rules of contract §3: what an intent, a language, a slug and a visibility must
//! be, and the schema every stored persona keeps (fixed layer fields, bounds, cross-layer rules).

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{ErrorCode, Persona, PersonaStatus, Visibility};
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::SlugHolder;

/// A field of a layer, with the fields of its value when that is an object.
type LayerField = (&'static str, &'static [&'static str]);

/// The fields of each layer.
const LAYER_FIELDS: [(&str, &[LayerField]); 4] = [
    (
        "soul",
        &[("core_desire", &[]), ("core_fear", &[]), ("wound", &[])],
    ),
    (
        "self",
        &[("big_five", &["O", "C", "E", "A", "N"]), ("archetype", &[])],
    ),
    ("mask", &[("voice", &["register"]), ("public_bio", &[])]),
    (
        "surface",
        &[
            ("name", &[]),
            ("age", &[]),
            ("occupation", &[]),
            ("place", &[]),
        ],
    ),
];

/// ISO 639-1 language codes.
const LANGUAGES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie \
    ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi \
    mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc \
    sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi \
    vo wa wo xh yi yo za zh zu";
const MAX_INTENT_CHARS: usize = 4000;

pub fn not_ready(persona: &Persona) -> ApiError {
    ApiError::conflict(
        ErrorCode::PersonaNotReady,
        format!(
            "persona {} is {}; only a completed persona can be changed or forked",
            persona.id,
            persona.status.as_str()
        ),
    )
}

/// 409 for a slug in use, naming the persona that holds it when the caller may see that
/// persona, and saying when it is archived (an archived persona keeps its slug).
pub fn slug_taken(slug: &str, holder: Option<&SlugHolder>) -> ApiError {
    let (message, details) = match holder {
        Some(SlugHolder { id, archived: true }) => (
            format!(
                "the slug `{slug}` is held by the archived persona {id}; unarchive it \
                 (POST /v1/personas/{id}/unarchive) or choose another slug"
            ),
            json!([{ "pointer": "/slug", "persona_id": id, "archived": true }]),
        ),
        Some(SlugHolder {
            id,
            archived: false,
        }) => (
            format!(
                "the slug `{slug}` is already used by persona {id} in this workspace; choose another"
            ),
            json!([{ "pointer": "/slug", "persona_id": id, "archived": false }]),
        ),
        None => (
            format!(
                "the slug `{slug}` is already used by another persona in this workspace; choose another"
            ),
            json!([{ "pointer": "/slug" }]),
        ),
    };
    ApiError::conflict(ErrorCode::PersonaSlugTaken, message).with_details(details)
}

/// The statuses of a list filter, `failed` or `queued,running`: each one of the persona
/// statuses; 400 names one that is not.
pub fn parse_statuses(text: &str) -> ApiResult<Vec<PersonaStatus>> {
    let mut statuses = Vec::new();
    for name in text.split(',').map(str::trim) {
        let status = PersonaStatus::parse(name).ok_or_else(|| {
            let names: Vec<&str> = PersonaStatus::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::invalid(format!(
                "`status` takes one or more of {}, separated by commas, not `{name}`",
                names.join(", ")
            ))
        })?;
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    Ok(statuses)
}

pub fn check_intent(intent: &str) -> ApiResult<String> {
    let intent = intent.trim();
    let chars = intent.chars().count();
    if chars == 0 {
        return Err(ApiError::invalid(
            "`intent` is empty; describe the character in 1 to 4000 characters",
        )
        .with_details(json!([{ "pointer": "/intent" }])));
    }
    if chars > MAX_INTENT_CHARS {
        return Err(ApiError::invalid(format!(
            "`intent` has {chars} characters; the limit is {MAX_INTENT_CHARS}"
        ))
        .with_details(json!([{ "pointer": "/intent" }])));
    }
    Ok(intent.to_string())
}

pub fn check_language(language: &str) -> ApiResult<String> {
    if language.len() == 2 && LANGUAGES.split_whitespace().any(|code| code == language) {
        Ok(language.to_string())
    } else {
        Err(ApiError::invalid(format!(
            "`language` must be an ISO 639-1 code of two lowercase letters, such as `en` or `tr`; `{language}` is not one"
        ))
        .with_details(json!([{ "pointer": "/language" }])))
    }
}

pub fn check_visibility(visibility: &str) -> ApiResult<Visibility> {
    visibility.parse().map_err(|problem| {
        ApiError::invalid(problem).with_details(json!([{ "pointer": "/visibility" }]))
    })
}

fn slug_problem(slug: &str) -> Option<String> {
    let well_formed = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    (!well_formed).then(|| {
        format!("the slug `{slug}` must be 1 to 64 lowercase letters, digits and single dashes, such as `the-istanbul-bookseller`")
    })
}

pub fn check_slug(slug: &str) -> ApiResult<()> {
    match slug_problem(slug) {
        None => Ok(()),
        Some(problem) => {
            Err(ApiError::invalid(problem).with_details(json!([{ "pointer": "/slug" }])))
        }
    }
}

/// Intents the moderation policy blocks (see `server::moderation`) are refused.
pub fn check_moderation(intent: &str) -> ApiResult<()> {
    match crate::server::moderation::blocked_intent(intent) {
        None => Ok(()),
        Some(phrase) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ModerationIntentBlocked,
            format!("the intent was blocked by the moderation policy (it asks for a \"{phrase}\")"),
        )),
    }
}

/// A rule of the persona schema that a document breaks, as the error's `details` name it.
#[derive(Debug, Serialize)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

/// Every rule of the persona schema that `persona` breaks, each with its JSON pointer. The
/// document is read untyped on purpose: it is a candidate, checked before it may become a
/// `Persona`.
pub fn schema_violations(persona: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut violation = |pointer: &str, message: String| {
        found.push(Violation {
            pointer: pointer.to_string(),
            message,
        })
    };
    if persona["language"]
        .as_str()
        .is_none_or(|l| check_language(l).is_err())
    {
        violation(
            "/language",
            "language must be a two-letter ISO-639-1 code".into(),
        );
    }
    if persona["visibility"]
        .as_str()
        .is_none_or(|v| v.parse::<Visibility>().is_err())
    {
        violation(
            "/visibility",
            "visibility must be private, workspace or public".into(),
        );
    }
    match persona["slug"].as_str() {
        Some(slug) => {
            if let Some(problem) = slug_problem(slug) {
                violation("/slug", problem);
            }
        }
        None => violation("/slug", "slug must be a string".into()),
    }
    for layer in ["soul", "self", "mask", "surface", "custom_fields"] {
        if !persona[layer].is_object() {
            violation(&format!("/{layer}"), format!("{layer} must be an object"));
        }
    }
    // The layers have fixed fields, so that a misspelt one is refused rather than kept beside
    // the real one; free-form data belongs in custom_fields.
    for (layer, fields) in LAYER_FIELDS {
        for (field, value) in persona[layer].as_object().into_iter().flatten() {
            let Some((_, nested)) = fields.iter().find(|(name, _)| name == field) else {
                let known: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                violation(
                    &format!("/{layer}/{field}"),
                    format!(
                        "{layer} has no field `{field}`; its fields are {}",
                        known.join(", ")
                    ),
                );
                continue;
            };
            for key in value
                .as_object()
                .filter(|_| !nested.is_empty())
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                if !nested.contains(&key.as_str()) {
                    violation(
                        &format!("/{layer}/{field}/{key}"),
                        format!(
                            "{layer}.{field} has no field `{key}`; its fields are {}",
                            nested.join(", ")
                        ),
                    );
                }
            }
        }
    }
    let big_five = &persona["self"]["big_five"];
    if big_five.is_object() {
        for trait_name in ["O", "C", "E", "A", "N"] {
            if !big_five[trait_name]
                .as_f64()
                .is_some_and(|v| (0.0..=1.0).contains(&v))
            {
                violation(
                    &format!("/self/big_five/{trait_name}"),
                    format!("big_five.{trait_name} must be a number from 0 to 1"),
                );
            }
        }
    } else {
        violation(
            "/self/big_five",
            "self.big_five must be an object with O, C, E, A and N".into(),
        );
    }
    if persona["surface"]["name"]
        .as_str()
        .is_none_or(|n| n.trim().is_empty())
    {
        violation(
            "/surface/name",
            "surface.name must be a non-empty string".into(),
        );
    }
    let age = &persona["surface"]["age"];
    if !age.is_null() && age.as_u64().is_none_or(|a| a > 150) {
        violation(
            "/surface/age",
            "surface.age must be a whole number from 0 to 150".into(),
        );
    }
    // Cross-layer: the public bio presents the character under the name the surface gives.
    if let (Some(bio), Some(name)) = (
        persona["mask"]["public_bio"].as_str(),
        persona["surface"]["name"].as_str(),
    ) && !bio.is_empty()
        && !name.trim().is_empty()
        && !bio.contains(name.split_whitespace().next().unwrap_or(name))
    {
        violation(
            "/mask/public_bio",
            "mask.public_bio must name the character by the given name of surface.name".into(),
        );
    }
    found
}
