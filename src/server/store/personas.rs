//! Store queries of personas: documents and their versions, the list and its filters, keyword
//! search, and the visibility rule every read of a persona applies.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, named_params, params};
use serde_json::Value;

use super::{NameHint, Store, parse_doc};
use crate::model::{Persona, PersonaStatus};

/// The visibility rule (contract §2) over the `personas` table aliased `p`, for a viewer whose
/// owner is bound to `:owner`: a private persona shows only to keys of its owner.
pub(super) const VISIBLE_TO_OWNER: &str = "(p.visibility != 'private' OR p.owner = :owner)";

/// One row of a persona's version list: version, fingerprint, created at, run id.
pub type VersionRow = (i64, String, i64, Option<String>);

/// Filters of the persona list.
#[derive(Debug, Default)]
pub struct PersonaFilter<'a> {
    pub query: Option<&'a str>,
    pub visibility: Option<&'a str>,
    pub archived: bool,
    /// Only personas with one of these statuses; every status when empty.
    pub statuses: &'a [PersonaStatus],
}

/// The persona that holds a slug, as a slug collision names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlugHolder {
    pub id: String,
    pub archived: bool,
}

/// One persona found by [`Store::search_personas`].
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub doc: Value,
    /// The best matching passage, matched words in `[...]`.
    pub snippet: String,
}

/// The FTS5 expression for free text: every word must occur, as a word or a word's prefix.
/// None when the text has no word.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{word}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Inserts a new persona document of `owner`. Fails with a constraint error when the slug
    /// is taken.
    pub fn insert_persona(
        tx: &Connection,
        workspace_id: &str,
        owner: &str,
        doc: &Value,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO personas (id, workspace_id, slug, visibility, status, version, archived, search_text, doc, owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9)",
            params![
                doc["id"].as_str(),
                workspace_id,
                doc["slug"].as_str(),
                doc["visibility"].as_str(),
                doc["status"].as_str(),
                doc["version"].as_i64(),
                search_text(doc),
                doc.to_string(),
                owner
            ],
        )?;
        Ok(())
    }

    /// Replaces a persona's document (the indexed columns follow it).
    pub fn save_persona(tx: &Connection, doc: &Value) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE personas SET slug = ?2, visibility = ?3, status = ?4, version = ?5,
                archived = ?6, search_text = ?7, doc = ?8 WHERE id = ?1",
            params![
                doc["id"].as_str(),
                doc["slug"].as_str(),
                doc["visibility"].as_str(),
                doc["status"].as_str(),
                doc["version"].as_i64(),
                !doc["archived_at"].is_null(),
                search_text(doc),
                doc.to_string()
            ],
        )?;
        Ok(())
    }

    /// Records `doc` as version `doc.version` of its persona.
    pub fn insert_version(tx: &Connection, doc: &Value, created_at: i64) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT OR REPLACE INTO persona_versions (persona_id, version, fingerprint, run_id, created_at, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                doc["id"].as_str(),
                doc["version"].as_i64(),
                doc["fingerprint"].as_str(),
                doc["run"]["id"].as_str(),
                created_at,
                doc.to_string()
            ],
        )?;
        Ok(())
    }

    pub fn persona_in(
        tx: &Connection,
        workspace_id: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Option<Persona>> {
        let column = id_or_slug_column(id_or_slug);
        tx.query_row(
            &format!("SELECT doc FROM personas WHERE workspace_id = ?1 AND {column} = ?2"),
            params![workspace_id, id_or_slug],
            persona_row,
        )
        .optional()
    }

    /// The persona `persona_id`, whatever its workspace (a run's persona, say).
    pub fn persona_by_id(tx: &Connection, persona_id: &str) -> rusqlite::Result<Option<Persona>> {
        tx.query_row(
            "SELECT doc FROM personas WHERE id = ?1",
            [persona_id],
            persona_row,
        )
        .optional()
    }

    pub fn persona(
        &self,
        workspace_id: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Option<Persona>> {
        self.read(|conn| Self::persona_in(conn, workspace_id, id_or_slug))
    }

    /// The persona `id_or_slug` of the workspace when a key of `owner` may see it.
    pub fn visible_persona(
        &self,
        workspace_id: &str,
        owner: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Option<Persona>> {
        self.read(|conn| Self::visible_persona_in(conn, workspace_id, owner, id_or_slug))
    }

    /// Whether a key of `owner` may see the persona `id_or_slug` of the workspace, without
    /// reading its document.
    pub fn persona_visible(
        &self,
        workspace_id: &str,
        owner: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<bool> {
        let column = id_or_slug_column(id_or_slug);
        self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT 1 FROM personas p
                     WHERE workspace_id = :workspace AND {column} = :name AND {VISIBLE_TO_OWNER}"
                ),
                named_params! { ":workspace": workspace_id, ":name": id_or_slug, ":owner": owner },
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
        })
    }

    /// [`Store::visible_persona`] inside a transaction.
    pub fn visible_persona_in(
        conn: &Connection,
        workspace_id: &str,
        owner: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Option<Persona>> {
        let column = id_or_slug_column(id_or_slug);
        conn.query_row(
            &format!(
                "SELECT doc FROM personas p
                 WHERE workspace_id = :workspace AND {column} = :name AND {VISIBLE_TO_OWNER}"
            ),
            named_params! { ":workspace": workspace_id, ":name": id_or_slug, ":owner": owner },
            persona_row,
        )
        .optional()
    }

    pub fn persona_version(
        &self,
        persona_id: &str,
        version: i64,
    ) -> rusqlite::Result<Option<Persona>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT doc FROM persona_versions WHERE persona_id = ?1 AND version = ?2",
                params![persona_id, version],
                persona_row,
            )
            .optional()
        })
    }

    /// `{version, fingerprint, created_at, run_id}` rows, oldest first.
    pub fn persona_versions(&self, persona_id: &str) -> rusqlite::Result<Vec<VersionRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT version, fingerprint, created_at, run_id FROM persona_versions
                 WHERE persona_id = ?1 ORDER BY version",
            )?;
            stmt.query_map([persona_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect()
        })
    }

    pub fn slug_taken(tx: &Connection, workspace_id: &str, slug: &str) -> rusqlite::Result<bool> {
        tx.query_row(
            "SELECT 1 FROM personas WHERE workspace_id = ?1 AND slug = ?2",
            params![workspace_id, slug],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
    }

    /// Where the series `base`, `base-2`, `base-3`, ... of a workspace has got to: None while
    /// `base` itself is free, else the highest number in use (1 when only `base` is). Numbers
    /// of eight digits or more are not counted, so that the next one still fits a slug. Two
    /// index seeks, however many slugs share the base.
    pub fn slug_series_end(
        tx: &Connection,
        workspace_id: &str,
        base: &str,
    ) -> rusqlite::Result<Option<u64>> {
        // The expressions of the index `personas_slug_series`: the slug without its trailing
        // digits, and those digits as a number.
        let (taken, highest): (Option<i64>, Option<i64>) = tx
            .prepare_cached(
                "SELECT (SELECT 1 FROM personas WHERE workspace_id = :workspace AND slug = :base),
                   (SELECT CAST(substr(slug, length(rtrim(slug, '0123456789')) + 1) AS INTEGER)
                      AS number FROM personas
                    WHERE workspace_id = :workspace AND slug IS NOT NULL
                      AND rtrim(slug, '0123456789') = :base || '-'
                      AND CAST(substr(slug, length(rtrim(slug, '0123456789')) + 1) AS INTEGER)
                        < 9999999
                    ORDER BY number DESC LIMIT 1)",
            )?
            .query_row(
                named_params! { ":workspace": workspace_id, ":base": base },
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
        Ok(taken.map(|_| highest.unwrap_or(1).max(1) as u64))
    }

    /// The persona of the workspace holding `slug`, when a key of `owner` may see it: `None`
    /// when the slug is free or held by a persona the owner may not see.
    pub fn slug_holder(
        tx: &Connection,
        workspace_id: &str,
        owner: &str,
        slug: &str,
    ) -> rusqlite::Result<Option<SlugHolder>> {
        tx.query_row(
            &format!(
                "SELECT id, archived FROM personas p
                 WHERE workspace_id = :workspace AND slug = :slug AND {VISIBLE_TO_OWNER}"
            ),
            named_params! { ":workspace": workspace_id, ":slug": slug, ":owner": owner },
            |row| {
                Ok(SlugHolder {
                    id: row.get(0)?,
                    archived: row.get(1)?,
                })
            },
        )
        .optional()
    }

    /// Newest first, as (sequence, JSON text); `before` is the cursor of the previous page.
    /// `query` finds its text within slug, name, occupation or intent, whatever the case,
    /// through a trigram index read newest first: a page costs about the same whether the
    /// text is rare or common, and whatever the size of the store.
    pub fn list_personas(
        &self,
        workspace_id: &str,
        owner: &str,
        filter: &PersonaFilter,
        limit: usize,
        before: Option<i64>,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        let pattern = filter
            .query
            .map(|q| q.to_lowercase().replace(['%', '_'], ""))
            .filter(|q| !q.is_empty())
            .map(|q| format!("%{q}%"));
        let rows = if pattern.is_some() {
            format!(
                "SELECT p.seq, p.doc FROM persona_text t CROSS JOIN personas p ON p.seq = t.rowid
                 WHERE t.search_text LIKE :pattern AND t.rowid < :before
                   AND p.workspace_id = :workspace AND p.archived = :archived
                   AND (:visibility IS NULL OR p.visibility = :visibility)
                   AND (:statuses IS NULL OR instr(:statuses, ',' || p.status || ',') > 0)
                   AND {VISIBLE_TO_OWNER}
                 ORDER BY t.rowid DESC LIMIT :limit"
            )
        } else {
            format!(
                "SELECT seq, doc FROM personas p
                 WHERE workspace_id = :workspace AND archived = :archived AND seq < :before
                   AND (:visibility IS NULL OR visibility = :visibility)
                   AND (:statuses IS NULL OR instr(:statuses, ',' || status || ',') > 0)
                   AND {VISIBLE_TO_OWNER}
                 ORDER BY seq DESC LIMIT :limit"
            )
        };
        // `,failed,canceled,`: one parameter for any set of statuses.
        let statuses = (!filter.statuses.is_empty()).then(|| {
            let names: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            format!(",{},", names.join(","))
        });
        let (before, limit) = (before.unwrap_or(i64::MAX), limit as i64);
        self.rows_of(
            &rows,
            &[
                (":workspace", &workspace_id),
                (":archived", &filter.archived),
                (":visibility", &filter.visibility),
                (":statuses", &statuses),
                (":pattern", &pattern),
                (":before", &before),
                (":owner", &owner),
                (":limit", &limit),
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
    }

    /// Completed, unarchived personas of `workspace_id` matching the FTS5 expression `query`
    /// (see [`fts_query`]), best first (BM25, name weighing most), that a key of `owner` may
    /// see.
    pub fn search_personas(
        &self,
        workspace_id: &str,
        owner: &str,
        query: &str,
        limit: usize,
    ) -> rusqlite::Result<Vec<SearchHit>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT p.doc, snippet(persona_search, -1, '[', ']', '...', 12)
                 FROM persona_search JOIN personas p ON p.seq = persona_search.rowid
                 WHERE persona_search MATCH :query AND p.workspace_id = :workspace AND p.archived = 0
                   AND p.status = 'completed' AND {VISIBLE_TO_OWNER}
                 ORDER BY bm25(persona_search, 2.0, 3.0, 2.0, 1.0, 1.0) LIMIT :limit"
            ))?;
            let bound = named_params! {
                ":query": query, ":workspace": workspace_id, ":owner": owner, ":limit": limit as i64,
            };
            stmt.query_map(bound, |row| {
                Ok(SearchHit {
                    doc: parse_doc(row.get(0)?),
                    snippet: row.get(1)?,
                })
            })?
            .collect()
        })
    }

    /// The slugs (or, for a prefix `psn_`, the ids) beginning with `prefix` of the unarchived
    /// (or, with `archived`, the archived) personas of a workspace that a key of `owner` may
    /// see, in order, at most `limit`, each with its name: what a shell completes a persona
    /// reference from.
    pub fn persona_names(
        &self,
        workspace_id: &str,
        owner: &str,
        prefix: &str,
        archived: bool,
        limit: usize,
    ) -> rusqlite::Result<Vec<NameHint>> {
        let column = id_or_slug_column(prefix);
        let archived = u8::from(archived);
        let sql = format!(
            "SELECT p.{column}, COALESCE(json_extract(p.doc, '$.surface.name'), '')
             FROM personas p
             WHERE workspace_id = :workspace AND archived = {archived} AND p.{column} >= :prefix
               AND substr(p.{column}, 1, length(:prefix)) = :prefix AND {VISIBLE_TO_OWNER}
             ORDER BY p.{column} LIMIT :limit"
        );
        self.name_hints(&sql, workspace_id, owner, prefix, limit)
    }

    /// The version numbers, oldest first, of the persona `id_or_slug` of a workspace when a key
    /// of `owner` may see it (none otherwise).
    pub fn persona_version_numbers(
        &self,
        workspace_id: &str,
        owner: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Vec<i64>> {
        let column = id_or_slug_column(id_or_slug);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT v.version FROM persona_versions v JOIN personas p ON p.id = v.persona_id
                 WHERE p.workspace_id = :workspace AND p.{column} = :name AND {VISIBLE_TO_OWNER}
                 ORDER BY v.version"
            ))?;
            let bound = named_params! {
                ":workspace": workspace_id, ":owner": owner, ":name": id_or_slug,
            };
            stmt.query_map(bound, |row| row.get(0))?.collect()
        })
    }

    /// Completed, unarchived personas of a workspace, oldest first, each with its creation time
    /// in unix seconds (the models of the OpenAI-compatible endpoint), that a key of `owner`
    /// may see.
    pub fn chat_personas(
        &self,
        workspace_id: &str,
        owner: &str,
    ) -> rusqlite::Result<Vec<(Persona, i64)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT doc, CAST(strftime('%s', json_extract(doc, '$.created_at')) AS INTEGER)
                 FROM personas p WHERE workspace_id = :workspace AND status = 'completed'
                   AND archived = 0 AND {VISIBLE_TO_OWNER}
                 ORDER BY seq"
            ))?;
            stmt.query_map(
                named_params! { ":workspace": workspace_id, ":owner": owner },
                |row| {
                    Ok((
                        persona_row(row)?,
                        row.get::<_, Option<i64>>(1)?.unwrap_or(0),
                    ))
                },
            )?
            .collect()
        })
    }
}

/// The persona document of a row's first column; one that does not read as a persona is an
/// error of the store.
fn persona_row(row: &rusqlite::Row) -> rusqlite::Result<Persona> {
    let text: String = row.get(0)?;
    serde_json::from_str(&text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err)))
}

/// The column a persona reference names: `id` for `psn_...`, else `slug`.
fn id_or_slug_column(id_or_slug: &str) -> &'static str {
    if id_or_slug.starts_with("psn_") {
        "id"
    } else {
        "slug"
    }
}

/// What `q` searches: slug, name, occupation and intent, lowercased.
fn search_text(doc: &Value) -> String {
    [
        &doc["slug"],
        &doc["surface"]["name"],
        &doc["surface"]["occupation"],
        &doc["intent"],
    ]
    .iter()
    .filter_map(|v| v.as_str())
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_becomes_a_prefix_query_of_every_word() {
        assert_eq!(
            fts_query("Istanbul book-seller!").as_deref(),
            Some("\"Istanbul\"* \"book\"* \"seller\"*")
        );
        assert_eq!(fts_query(" \"*() "), None);
    }

    #[test]
    fn search_follows_persona_writes_and_hides_private_personas_of_other_owners() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let persona = |id: &str, owner: &str, visibility: &str, occupation: &str| {
            serde_json::json!({
                "id": id, "slug": id.replace('_', "-"), "status": "completed", "version": 1,
                "visibility": visibility, "owner_key_id": owner, "intent": "a character",
                "surface": { "name": "Deniz", "occupation": occupation }, "mask": {},
                "archived_at": null,
            })
        };
        store
            .write(|tx| {
                let ada = persona("psn_a", "key_a", "private", "bookseller");
                Store::insert_persona(tx, "ws", "ada", &ada)?;
                let bo = persona("psn_b", "key_b", "private", "bookseller");
                Store::insert_persona(tx, "ws", "bo", &bo)?;
                let shared = persona("psn_c", "key_b", "workspace", "baker");
                Store::insert_persona(tx, "ws", "bo", &shared)
            })
            .unwrap();
        let ids = |query: &str| -> Vec<String> {
            store
                .search_personas("ws", "ada", &fts_query(query).unwrap(), 10)
                .unwrap()
                .iter()
                .map(|hit| hit.doc["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids("booksell"), vec!["psn_a"]);
        assert_eq!(ids("baker"), vec!["psn_c"]);
        let mut changed = persona("psn_c", "key_b", "workspace", "potter");
        changed["version"] = serde_json::json!(2);
        store.write(|tx| Store::save_persona(tx, &changed)).unwrap();
        assert!(ids("baker").is_empty());
        assert_eq!(ids("potter"), vec!["psn_c"]);
    }
}
