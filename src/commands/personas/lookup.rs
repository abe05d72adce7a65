//! Naming a persona that does not exist: a 404 for a reference gets a hint with the nearest
//! slugs and ids of the workspace ("did you mean ...?"), found with one more list request.

use serde_json::Value;

use crate::client::{ApiClient, ListPersonas};
use crate::error::{CliError, ExitKind, Result};
use crate::model::{PersonaRef, PersonaSummary, view_text};

/// How many of the workspace's newest personas a suggestion looks at: one page, one request.
const LOOKED_AT: u32 = 100;
/// The most names one hint suggests.
const MAX_SUGGESTIONS: usize = 3;

/// `GET /v1/personas/{reference}`, with near names suggested when there is no such persona.
pub async fn get_persona(client: &ApiClient, reference: &str) -> Result<Value> {
    or_suggest(client, reference, client.get_persona(reference).await).await
}

/// `result` of a request about the persona `reference`; a not-found error gets a hint naming
/// the personas whose slug or id is nearest to it, or saying how to list them.
pub async fn or_suggest<T>(client: &ApiClient, reference: &str, result: Result<T>) -> Result<T> {
    match result {
        Err(err) if err.kind == ExitKind::NotFound => Err(suggest(client, reference, err).await),
        other => other,
    }
}

async fn suggest(client: &ApiClient, reference: &str, err: CliError) -> CliError {
    let Ok(wanted) = PersonaRef::parse(reference) else {
        return err;
    };
    let query = ListPersonas {
        limit: LOOKED_AT,
        ..ListPersonas::default()
    };
    // Suggestions are a courtesy: when the list cannot be read, the plain error stands.
    let Ok(page) = client.list_personas(&query, None).await else {
        return err;
    };
    let known: Vec<(String, String)> = page
        .data
        .iter()
        .map(|raw| view_text::<PersonaSummary>(raw.get()))
        .filter_map(|persona| Some((persona.id?, persona.slug.unwrap_or_default())))
        .collect();
    let hint = hint(&wanted, &known);
    err.with_hint(hint)
}

/// The hint for a reference that names nothing, given the `(id, slug)` of known personas.
fn hint(wanted: &PersonaRef, known: &[(String, String)]) -> String {
    let base = wanted.base.as_str();
    if let Some(version) = wanted.version
        && known.iter().any(|(id, slug)| id == base || slug == base)
    {
        return format!(
            "`{base}` has no version {version}; list its versions with `persona personas versions {base}`"
        );
    }
    let near = nearest(base, known);
    let version = wanted
        .version
        .map(|version| format!("@v{version}"))
        .unwrap_or_default();
    match near.as_slice() {
        [] => "list the personas with `persona personas list` (archived ones with --archived)"
            .to_string(),
        [one] => format!("did you mean `{one}{version}`?"),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|name| format!("`{name}{version}`"))
                .collect();
            format!("did you mean one of {}?", names.join(", "))
        }
    }
}

/// The names (slugs, or ids when `wanted` is written as an id) nearest to `wanted`, best first:
/// those within an edit distance of a third of its length (at least 2), or that contain it.
fn nearest<'a>(wanted: &str, known: &'a [(String, String)]) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let by_id = wanted.starts_with("psn_");
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .map(|(id, slug)| if by_id { id.as_str() } else { slug.as_str() })
        .filter(|name| !name.is_empty())
        .filter_map(|name| {
            let distance = strsim::damerau_levenshtein(&wanted, &name.to_lowercase());
            let contains = wanted.chars().count() >= 3 && name.contains(wanted.as_str());
            (distance <= limit || contains).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, name)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<(String, String)> {
        [
            ("psn_3kP9aLwX2vQ1", "the-istanbul-bookseller"),
            ("psn_7hQ2bNcV5mR8", "the-bergen-fisherman"),
            ("psn_9zZ1aAaA1aA1", "young-bookseller"),
        ]
        .iter()
        .map(|(id, slug)| (id.to_string(), slug.to_string()))
        .collect()
    }

    fn hint_for(reference: &str) -> String {
        hint(&PersonaRef::parse(reference).unwrap(), &known())
    }

    #[test]
    fn a_near_slug_or_id_is_suggested() {
        assert_eq!(
            hint_for("the-istanbul-bookseler"),
            "did you mean `the-istanbul-bookseller`?"
        );
        assert_eq!(
            hint_for("the-bergen-fishermen@v2"),
            "did you mean `the-bergen-fisherman@v2`?"
        );
        assert_eq!(
            hint_for("psn_3kP9aLwX2vQ"),
            "did you mean `psn_3kP9aLwX2vQ1`?"
        );
        assert_eq!(
            hint_for("bookseller"),
            "did you mean one of `young-bookseller`, `the-istanbul-bookseller`?"
        );
    }

    #[test]
    fn a_missing_version_and_a_name_far_from_all_get_their_own_hints() {
        assert!(hint_for("the-bergen-fisherman@v9").contains("has no version 9"));
        assert!(hint_for("lighthouse-keeper").contains("persona personas list"));
    }
}
