//! Reading and writing YAML working copies from commands: errors become exit code 2 with the
//! file's name, writes are atomic, a file named after a persona stays in its directory, and
//! where a copy stands against the server is decided once, for every verb.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::brief::parse_brief;
use crate::client::ApiClient;
use crate::error::{CliError, ExitKind, Result};
use crate::json::EDITABLE_FIELDS;
use crate::model::{PersonaRef, PersonaStamp, PersonaSummary, view};
use crate::persona_file::{self, Comparison, Standing};

/// Reads and parses a working copy; a missing or invalid file is a usage error that says what
/// a working copy is and how to get one (a persona reference or a brief given instead, say).
pub fn read(path: &Path) -> Result<(String, Value)> {
    let text = persona_file::read_text_file(path).map_err(|err| unreadable(path, err))?;
    let persona = persona_file::from_yaml(&text, &path.display().to_string()).map_err(|err| {
        if looks_like_a_brief(path, &text) {
            return CliError::usage(format!(
                "{} is a brief (Markdown with an optional front matter), not a working copy",
                path.display()
            ))
            .with_hint(format!(
                "create a persona from it with `persona personas create -f {}`; push and diff \
                 take the YAML working copy that `persona personas pull REF` writes",
                path.display()
            ))
            .with_source(err);
        }
        CliError::usage(err.to_string())
            .with_hint("fix the file, or pull it again with `persona personas pull REF --force`")
            .with_source(err)
    })?;
    Ok((text, persona))
}

/// The error for a working copy that cannot be read. A name with no such file that reads as a
/// persona reference (`the-istanbul-bookseller`, `psn_...`, `slug@v2`) was most likely meant as
/// one: the hint says how to pull its working copy.
fn unreadable(path: &Path, err: std::io::Error) -> CliError {
    let shown = path.display();
    if err.kind() != std::io::ErrorKind::NotFound {
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let error = CliError::io(
            ExitKind::Usage,
            format!("cannot read the working copy {shown}"),
            err,
        );
        return if special {
            error.with_hint(
                "a working copy is rewritten after a push, so it must be a regular file: save \
                 the YAML to a file and name that (a brief for `personas create -f` may be a pipe)",
            )
        } else {
            error
        };
    }
    let hint = match path.to_str().filter(|text| names_a_persona(text)) {
        Some(reference) => {
            let stem = reference.split('@').next().unwrap_or(reference);
            format!(
                "to work on the persona `{reference}`, pull its working copy first with \
                 `persona personas pull {reference} -o {stem}.yml`, then name {stem}.yml"
            )
        }
        None => "check the path, or pull a working copy with `persona personas pull REF -o FILE`"
            .to_string(),
    };
    CliError::usage(format!(
        "there is no file {shown}; this command takes a working copy, the YAML file that \
         `persona personas pull` writes"
    ))
    .with_hint(hint)
    .with_source(err)
}

/// Whether `text` reads as a persona reference rather than a path: an id or slug of letters,
/// digits, `-` and `_` (no separator, no extension), perhaps with `@vN`.
fn names_a_persona(text: &str) -> bool {
    PersonaRef::parse(text).is_ok_and(|reference| {
        !reference.base.is_empty()
            && reference
                .base
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Whether a file that is not a working copy is a persona brief: Markdown by its extension, or
/// a front matter between `---` lines with a description after it (which YAML reads as two
/// documents).
fn looks_like_a_brief(path: &Path, text: &str) -> bool {
    let markdown = path
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"));
    let front_matter = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|line| line.trim_end() == "---");
    (markdown || front_matter) && parse_brief(text).is_ok()
}

/// Writes `persona` as a working copy, atomically.
pub fn write(path: &Path, persona: &Value) -> Result<()> {
    persona_file::write_atomic(path, &persona_file::to_yaml(persona)).map_err(|err| {
        CliError::io(
            ExitKind::General,
            format!("cannot write the working copy {}", path.display()),
            err,
        )
    })
}

/// The persona's id as the working copy records it.
pub fn id_of(path: &Path, persona: &Value) -> Result<String> {
    persona["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| CliError::usage(format!("{}: the working copy has no `id`", path.display())))
}

/// `err` with the file it is about named first, for errors that do not name it already.
pub fn about(path: &Path, mut err: CliError) -> CliError {
    err.message = format!("{}: {}", path.display(), err.message);
    err
}

/// Where the working copy `local`, read from `path`, stands against `server`. A copy edited
/// here whose persona changed since the pull is settled against the version it was pulled at.
pub async fn standing(
    client: &ApiClient,
    path: &Path,
    local: &Value,
    server: &Value,
) -> Result<Standing> {
    if let Comparison::Settled(standing) = persona_file::compare(local, server) {
        return Ok(standing);
    }
    let pulled: PersonaStamp = view(local);
    let (Some(id), Some(version)) = (pulled.id, pulled.version) else {
        return Ok(Standing::Conflict);
    };
    match client.get_persona(&format!("{id}@v{version}")).await {
        Ok(base) => Ok(persona_file::settle(local, server, &base)),
        Err(err) if err.kind == ExitKind::NotFound => Ok(Standing::Conflict),
        Err(err) => Err(about(path, err)),
    }
}

/// Refuses a working copy that cannot be pushed onto `server`: a changed read-only field, or a
/// field the persona does not have (a typo), are errors, never silently dropped changes. A copy
/// pulled at another version whose fields set at creation differ is not a copy of this persona
/// at all (its `id` was edited): never pushed, even with --force.
pub fn check_copy(path: &Path, local: &Value, server: &Value) -> Result<()> {
    const SET_AT_CREATION: [&str; 4] = ["created_at", "intent", "parent_id", "owner_key_id"];
    const SERVER_MAINTAINED: [&str; 5] = [
        "fingerprint",
        "version",
        "status",
        "updated_at",
        "archived_at",
    ];
    let (Some(fields), Some(current)) = (local.as_object(), server.as_object()) else {
        return Ok(());
    };
    let stale = view::<PersonaStamp>(local).fingerprint != view::<PersonaStamp>(server).fingerprint;
    for field in SET_AT_CREATION.iter().filter(|_| stale) {
        if let (Some(mine), Some(theirs)) = (fields.get(*field), current.get(*field))
            && mine != theirs
        {
            return Err(CliError::usage(format!(
                "{}: this is not a working copy of {} (its `{field}` differs from the persona's); was its `id` edited?",
                path.display(),
                view::<PersonaStamp>(server).id.unwrap_or_default()
            ))
            .with_hint("pull the persona you mean with `persona personas pull REF -o FILE`"));
        }
    }
    for (field, value) in fields {
        if EDITABLE_FIELDS.contains(&field.as_str()) || SERVER_MAINTAINED.contains(&field.as_str())
        {
            continue;
        }
        match current.get(field) {
            None => {
                return Err(CliError::usage(format!(
                    "{}: unknown field `{field}`; the editable fields are {}",
                    path.display(),
                    EDITABLE_FIELDS.join(", ")
                )));
            }
            Some(theirs) if theirs != value => {
                return Err(CliError::usage(format!(
                    "{}: `{field}` is read-only and was changed; revert it (editable fields: {})",
                    path.display(),
                    EDITABLE_FIELDS.join(", ")
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The longest slug a file is named after: the contract's limit on slugs.
const MAX_FILE_SLUG: usize = 64;

/// Whether `slug`, text from a server, may name a file: one plain name of 1 to 64 lowercase
/// ASCII letters, digits and dashes, not starting with a dash. Never a separator, `..`, an
/// absolute path, a drive, a control character, or something that reads as a flag.
pub fn is_plain_file_stem(slug: &str) -> bool {
    (1..=MAX_FILE_SLUG).contains(&slug.len())
        && !slug.starts_with('-')
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Where a persona's working copy goes when no file is named: `<slug>.yml` in the working
/// directory. A slug that is not a plain file name is refused (exit 2), naming it.
pub fn default_path(persona: &Value) -> Result<PathBuf> {
    let slug = view::<PersonaSummary>(persona).slug.unwrap_or_default();
    let slug = slug.as_str();
    if is_plain_file_stem(slug) {
        return Ok(PathBuf::from(format!("{slug}.yml")));
    }
    let shown: String = slug.chars().take(80).collect();
    let more = if shown.len() < slug.len() { "…" } else { "" };
    Err(CliError::usage(format!(
        "the server gave this persona the slug `{shown}{more}`, which is not a plain file name \
         (1 to {MAX_FILE_SLUG} lowercase letters, digits and dashes); refusing to write a file named after it"
    ))
    .with_hint("name the file to write with -o FILE"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_plain_slugs_name_files() {
        for plain in ["the-istanbul-bookseller", "a", "v2", &"x".repeat(64)] {
            assert!(is_plain_file_stem(plain), "{plain}");
        }
        for hostile in [
            "",
            "../escaped_by_slug",
            "..",
            ".",
            "/tmp/abs",
            "a/b",
            "a\\b",
            "C:x",
            "-rf",
            "Upper",
            "snake_case",
            "dot.yml",
            "esc\u{1b}[2J",
            "caf\u{e9}",
            &"x".repeat(65),
        ] {
            assert!(!is_plain_file_stem(hostile), "{hostile:?}");
        }
    }

    #[test]
    fn the_default_path_is_the_slug_in_the_working_directory_or_an_error() {
        let path = default_path(&json!({ "slug": "the-bookseller" })).unwrap();
        assert_eq!(path, PathBuf::from("the-bookseller.yml"));
        for persona in [
            json!({ "slug": "/tmp/abs" }),
            json!({}),
            json!({ "slug": 7 }),
        ] {
            let err = default_path(&persona).unwrap_err();
            assert_eq!(err.kind, ExitKind::Usage);
            assert!(err.hint.unwrap().contains("-o FILE"));
        }
        let err = default_path(&json!({ "slug": format!("../{}", "a".repeat(500)) })).unwrap_err();
        assert!(err.message.contains("`../aaa"), "{}", err.message);
        assert!(err.message.len() < 300, "{}", err.message);
    }
}
