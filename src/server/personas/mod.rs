//! The persona service: every rule about personas once, for every surface (REST routes, MCP
//! tools, chat, the OpenAI endpoint): resolve a reference with its version and visibility,
//! create and fork (`generation`), list, patch, archive and unarchive, versions; the schema in
//! `rules`.

mod generation;
pub mod rules;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

pub use generation::{Answer, Request, WaitMode, create, fork};
use rules::{not_ready, schema_violations, slug_taken};

use crate::clock;
use crate::json::{EDITABLE_FIELDS, fingerprint, merge_patch_apply};
use crate::model::{ErrorCode, Persona, PersonaRef};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::http::Caller;
use crate::server::store::{Connection, PersonaFilter, Store};
use crate::server::webhooks::record_persona_event;

/// Parses a reference from a path or an argument; 400 says how one is written.
pub fn parse_reference(text: &str) -> ApiResult<PersonaRef> {
    PersonaRef::parse(text).map_err(|err| ApiError::invalid(err.to_string()))
}

/// The persona `reference` names, at its version, when the caller may see it: 404 otherwise,
/// whether it is missing, of another workspace or private to another owner.
pub fn resolve(state: &AppState, caller: &Caller, reference: &PersonaRef) -> ApiResult<Persona> {
    let base = &reference.base;
    let persona = state
        .store
        .visible_persona(&caller.workspace.id, &caller.owner, base)?
        .ok_or_else(|| ApiError::not_found(&format!("persona `{base}`")))?;
    match reference.version {
        None => Ok(persona),
        Some(version) => state
            .store
            .persona_version(&persona.id, version)?
            .ok_or_else(|| ApiError::not_found(&format!("version {version} of persona `{base}`"))),
    }
}

/// A completed persona the caller may see, at the version named, for a conversation: 409
/// `persona.not_ready` while it is being generated (or failed).
pub fn resolve_for_chat(state: &AppState, caller: &Caller, reference: &str) -> ApiResult<Persona> {
    let persona = resolve(state, caller, &parse_reference(reference)?)?;
    if !persona.is_completed() {
        return Err(ApiError::conflict(
            ErrorCode::PersonaNotReady,
            format!(
                "persona {} is {}; only a completed persona can chat",
                persona.id,
                persona.status.as_str()
            ),
        ));
    }
    Ok(persona)
}

/// Whether the caller may see the persona `persona_id` (a conversation's, a run's).
pub fn is_visible(state: &AppState, caller: &Caller, persona_id: &str) -> ApiResult<bool> {
    Ok(state
        .store
        .persona_visible(&caller.workspace.id, &caller.owner, persona_id)?)
}

/// One page of the personas the caller may see, newest first, as (sequence, JSON text).
pub fn list(
    state: &AppState,
    caller: &Caller,
    filter: &PersonaFilter,
    limit: usize,
    before: Option<i64>,
) -> ApiResult<Vec<(i64, String)>> {
    caller.require("personas:read")?;
    if let Some(visibility) = filter.visibility {
        rules::check_visibility(visibility)?;
    }
    Ok(state
        .store
        .list_personas(&caller.workspace.id, &caller.owner, filter, limit, before)?)
}

/// The versions of a persona, oldest first.
pub fn versions(state: &AppState, caller: &Caller, reference: &PersonaRef) -> ApiResult<Value> {
    caller.require("personas:read")?;
    let persona = resolve(state, caller, reference)?;
    let data: Vec<Value> = state
        .store
        .persona_versions(&persona.id)?
        .into_iter()
        .map(|(version, fingerprint, created_at, run_id)| {
            json!({ "version": version, "fingerprint": fingerprint, "created_at": clock::rfc3339(created_at), "run_id": run_id })
        })
        .collect();
    Ok(json!({ "data": data, "next_cursor": null }))
}

/// The persona itself, refused with `@vN` (a past version cannot change).
fn current_only<'r>(reference: &'r PersonaRef, refusal: &str) -> ApiResult<&'r str> {
    match reference.version {
        None => Ok(&reference.base),
        Some(_) => Err(ApiError::invalid(refusal.to_string())),
    }
}

/// Applies a merge patch of editable fields as a new version. `if_match` (a fingerprint, or
/// `*`) refuses the patch with 412 when the persona changed since it was read.
pub fn patch(
    state: &AppState,
    caller: &Caller,
    reference: &PersonaRef,
    patch: Map<String, Value>,
    if_match: Option<&str>,
) -> ApiResult<Persona> {
    caller.require("personas:write")?;
    let base = current_only(
        reference,
        "a past version cannot be changed; patch the persona without `@vN`",
    )?;
    let workspace_id = &caller.workspace.id;
    state.store.write(|tx| {
        let current = Store::visible_persona_in(tx, workspace_id, &caller.owner, base)?
            .ok_or_else(|| ApiError::not_found(&format!("persona `{base}`")))?;
        if let Some(expected) = if_match
            && expected != "*"
            && current.fingerprint.as_deref() != Some(expected)
        {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                ErrorCode::PersonaVersionConflict,
                format!(
                    "the persona changed since you read it: it is now version {} with fingerprint {}",
                    current.version, current.fingerprint.as_deref().unwrap_or("")
                ),
            )
            .with_details(json!({ "version": current.version, "fingerprint": current.fingerprint })));
        }
        if !current.is_completed() {
            return Err(not_ready(&current));
        }
        // The patch is checked on the untyped document: it may put any JSON anywhere.
        let current_doc = current.to_value();
        let mut editable = Map::new();
        for (field, value) in &patch {
            if EDITABLE_FIELDS.contains(&field.as_str()) {
                editable.insert(field.clone(), value.clone());
            } else if let Some(current_value) = current_doc.get(field) {
                if current_value != value {
                    return Err(ApiError::invalid(format!(
                        "`{field}` is read-only and cannot be changed; remove it from the patch"
                    ))
                    .with_details(json!([{ "pointer": format!("/{field}") }])));
                }
            } else {
                return Err(ApiError::invalid(format!("unknown field `{field}`"))
                    .with_details(json!([{ "pointer": format!("/{field}") }])));
            }
        }
        let mut next = current_doc;
        merge_patch_apply(&mut next, &Value::Object(editable));
        let violations = schema_violations(&next);
        if !violations.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PersonaSchemaViolation,
                format!(
                    "the persona breaks {} schema rule(s): {}",
                    violations.len(),
                    violations
                        .iter()
                        .map(|v| v.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
            .with_details(json!(violations)));
        }
        let new_fingerprint = fingerprint(&next);
        if current.fingerprint.as_deref() == Some(new_fingerprint.as_str()) {
            return Ok(current);
        }
        let mut next: Persona = serde_json::from_value(next).map_err(|err| {
            ApiError::internal(format!("the patched persona is not a persona document: {err}"))
        })?;
        if next.slug != current.slug
            && let Some(slug) = &next.slug
        {
            ensure_slug_free(tx, caller, slug)?;
        }
        let now = clock::now();
        next.fingerprint = Some(new_fingerprint);
        next.version = current.version + 1;
        next.updated_at = clock::rfc3339(now);
        let doc = next.to_value();
        Store::save_persona(tx, &doc)?;
        Store::insert_version(tx, &doc, now)?;
        record_persona_event(tx, workspace_id, "persona.updated", &doc)?;
        Ok(next)
    })
}

/// 409 `persona.slug_taken` when `slug` is used in the caller's workspace, naming the persona
/// that holds it when the caller may see it.
fn ensure_slug_free(tx: &Connection, caller: &Caller, slug: &str) -> ApiResult<()> {
    let workspace_id = &caller.workspace.id;
    if !Store::slug_taken(tx, workspace_id, slug)? {
        return Ok(());
    }
    let holder = Store::slug_holder(tx, workspace_id, &caller.owner, slug)?;
    Err(slug_taken(slug, holder.as_ref()))
}

/// Archives the persona (idempotent: an archived persona is given back as it is).
pub fn archive(state: &AppState, caller: &Caller, reference: &PersonaRef) -> ApiResult<Persona> {
    set_archived(state, caller, reference, true)
}

/// Brings an archived persona back into lists, with its slug (idempotent: a persona that is not
/// archived is given back as it is). Webhook `persona.updated`.
pub fn unarchive(state: &AppState, caller: &Caller, reference: &PersonaRef) -> ApiResult<Persona> {
    set_archived(state, caller, reference, false)
}

/// Archives the persona, or brings it back, with its webhook event; a persona already so is
/// given back as it is.
fn set_archived(
    state: &AppState,
    caller: &Caller,
    reference: &PersonaRef,
    archived: bool,
) -> ApiResult<Persona> {
    caller.require("personas:write")?;
    let (verb, event) = if archived {
        ("archive", "persona.archived")
    } else {
        ("unarchive", "persona.updated")
    };
    let base = current_only(
        reference,
        &format!("{verb} the persona itself, without `@vN`"),
    )?;
    let workspace_id = &caller.workspace.id;
    state.store.write(|tx| {
        let mut persona = Store::visible_persona_in(tx, workspace_id, &caller.owner, base)?
            .ok_or_else(|| ApiError::not_found(&format!("persona `{base}`")))?;
        if persona.archived_at.is_some() != archived {
            let now = clock::rfc3339(clock::now());
            persona.archived_at = archived.then(|| now.clone());
            persona.updated_at = now;
            let doc = persona.to_value();
            Store::save_persona(tx, &doc)?;
            record_persona_event(tx, workspace_id, event, &doc)?;
        }
        Ok::<_, ApiError>(persona)
    })
}
