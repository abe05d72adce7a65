//! Store queries of runs: documents and requests, the leases of the servers that execute them,
//! and each run's event log with consecutive sequence numbers.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, named_params, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::personas::VISIBLE_TO_OWNER;
use super::{NameHint, Store};
use crate::model::{Run, RunEventKind, RunRequest, RunStatus};

/// One stored run event.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: String,
    pub data: String,
}

/// A run not yet ended: id, lease owner, lease expiry.
pub type UnfinishedRun = (String, Option<String>, Option<i64>);

/// The records a shell completes by id, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdsOf {
    Runs,
    Conversations,
}

impl Store {
    pub fn insert_run(
        tx: &Connection,
        workspace_id: &str,
        request: &RunRequest,
        run: &Run,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO runs (id, workspace_id, persona_id, status, request, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                run.id,
                workspace_id,
                run.persona_id,
                run.status.as_str(),
                to_text(request),
                to_text(run)
            ],
        )?;
        Ok(())
    }

    /// Replaces the request a run was started with (its plan is stored there once computed).
    pub fn save_run_request(
        tx: &Connection,
        run_id: &str,
        request: &RunRequest,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE runs SET request = ?2 WHERE id = ?1",
            params![run_id, to_text(request)],
        )?;
        Ok(())
    }

    pub fn save_run(tx: &Connection, run: &Run) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE runs SET status = ?2, doc = ?3 WHERE id = ?1",
            params![run.id, run.status.as_str(), to_text(run)],
        )?;
        Ok(())
    }

    /// A run of `workspace_id`, or None (another workspace's run is not found either).
    pub fn run(&self, workspace_id: &str, run_id: &str) -> rusqlite::Result<Option<Run>> {
        self.read(|conn| Self::run_in(conn, workspace_id, run_id))
    }

    /// [`Store::run`] inside a transaction.
    pub fn run_in(
        conn: &Connection,
        workspace_id: &str,
        run_id: &str,
    ) -> rusqlite::Result<Option<Run>> {
        conn.query_row(
            "SELECT doc FROM runs WHERE id = ?1 AND workspace_id = ?2",
            params![run_id, workspace_id],
            |row| parse_column(row, 0),
        )
        .optional()
    }

    /// The status of run `run_id`; None when there is no such run.
    pub fn run_status(&self, run_id: &str) -> rusqlite::Result<Option<RunStatus>> {
        self.read(|conn| {
            conn.query_row("SELECT status FROM runs WHERE id = ?1", [run_id], |row| {
                row.get::<_, String>(0)
            })
            .optional()
            .map(|status| status.as_deref().and_then(RunStatus::parse))
        })
    }

    /// A run's workspace, the request it executes, and its document.
    pub fn run_request(&self, run_id: &str) -> rusqlite::Result<Option<(String, RunRequest, Run)>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT workspace_id, request, doc FROM runs WHERE id = ?1",
                [run_id],
                |row| Ok((row.get(0)?, parse_column(row, 1)?, parse_column(row, 2)?)),
            )
            .optional()
        })
    }

    /// Runs of the workspace whose persona a key of `owner` may see, newest first, as
    /// (sequence, JSON text): each the stored run with the slug its persona has now added as
    /// `persona_slug`.
    pub fn list_runs(
        &self,
        workspace_id: &str,
        owner: &str,
        persona_id: Option<&str>,
        status: Option<&str>,
        limit: usize,
        before: Option<i64>,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        // A persona's runs are read through their own index.
        let of_persona = if persona_id.is_some() {
            "AND r.persona_id = :persona"
        } else {
            ""
        };
        let sql = format!(
            "SELECT r.seq, r.doc, p.slug FROM runs r JOIN personas p ON p.id = r.persona_id
             WHERE r.workspace_id = :workspace {of_persona} AND r.seq < :before
               AND (:status IS NULL OR r.status = :status) AND {VISIBLE_TO_OWNER}
             ORDER BY r.seq DESC LIMIT :limit"
        );
        let (before, limit) = (before.unwrap_or(i64::MAX), limit as i64);
        self.rows_of(
            &sql,
            &[
                (":workspace", &workspace_id),
                (":persona", &persona_id),
                (":status", &status),
                (":before", &before),
                (":owner", &owner),
                (":limit", &limit),
            ],
            |row| {
                let doc: String = row.get(1)?;
                let slug: Option<String> = row.get(2)?;
                Ok((row.get(0)?, with_persona_slug(doc, slug)))
            },
        )
    }

    /// The ids beginning with `prefix` of the runs or conversations of a workspace whose
    /// persona a key of `owner` may see, newest first, at most `limit`, each with its hint (a
    /// run's status and persona slug; a conversation's persona slug and version).
    pub fn newest_ids(
        &self,
        of: IdsOf,
        workspace_id: &str,
        owner: &str,
        prefix: &str,
        limit: usize,
    ) -> rusqlite::Result<Vec<NameHint>> {
        let (table, hint) = match of {
            IdsOf::Runs => ("runs", "t.status || ' ' || COALESCE(p.slug, p.id)"),
            IdsOf::Conversations => (
                "conversations",
                "COALESCE(p.slug, p.id) || ' v' || t.persona_version",
            ),
        };
        let sql = format!(
            "SELECT t.id, {hint}
             FROM {table} t JOIN personas p ON p.id = t.persona_id
             WHERE t.workspace_id = :workspace AND substr(t.id, 1, length(:prefix)) = :prefix
               AND {VISIBLE_TO_OWNER}
             ORDER BY t.seq DESC LIMIT :limit"
        );
        self.name_hints(&sql, workspace_id, owner, prefix, limit)
    }

    /// The slug the persona `persona_id` has now (answered with its runs as `persona_slug`);
    /// None when it has none (a failed creation) or there is no such persona.
    pub fn persona_slug_in(
        conn: &Connection,
        persona_id: &str,
    ) -> rusqlite::Result<Option<String>> {
        conn.query_row(
            "SELECT slug FROM personas WHERE id = ?1",
            [persona_id],
            |row| row.get(0),
        )
        .optional()
        .map(Option::flatten)
    }

    /// [`Store::persona_slug_in`] on its own.
    pub fn persona_slug(&self, persona_id: &str) -> rusqlite::Result<Option<String>> {
        self.read(|conn| Self::persona_slug_in(conn, persona_id))
    }

    /// Whether run `run_id` is of the workspace and of a persona a key of `owner` may see.
    pub fn run_visible(
        &self,
        workspace_id: &str,
        owner: &str,
        run_id: &str,
    ) -> rusqlite::Result<bool> {
        self.read(|conn| Self::run_visible_in(conn, workspace_id, owner, run_id))
    }

    /// [`Store::run_visible`] inside a transaction.
    pub fn run_visible_in(
        conn: &Connection,
        workspace_id: &str,
        owner: &str,
        run_id: &str,
    ) -> rusqlite::Result<bool> {
        conn.query_row(
            &format!(
                "SELECT 1 FROM runs r JOIN personas p ON p.id = r.persona_id
                 WHERE r.id = :run AND r.workspace_id = :workspace AND {VISIBLE_TO_OWNER}"
            ),
            named_params! { ":run": run_id, ":workspace": workspace_id, ":owner": owner },
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
    }

    /// Takes the lease of a run that is queued or running and whose lease is free, expired,
    /// or held by `is_dead`. Returns false when a live owner (this one included) holds it.
    pub fn claim_run(
        &self,
        run_id: &str,
        owner: &str,
        lease_until: i64,
        now: i64,
        is_dead: impl Fn(&str) -> bool,
    ) -> rusqlite::Result<bool> {
        self.write(|tx| {
            let current: Option<(String, Option<String>, Option<i64>)> = tx
                .query_row(
                    "SELECT status, lease_owner, lease_expires_at FROM runs WHERE id = ?1",
                    [run_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((status, lease_owner, lease_expires_at)) = current else {
                return Ok(false);
            };
            if status != "queued" && status != "running" {
                return Ok(false);
            }
            let free = match (lease_owner.as_deref(), lease_expires_at) {
                (None, _) => true,
                // This server already runs it.
                (Some(holder), _) if holder == owner => false,
                (Some(holder), expires) => expires.unwrap_or(0) < now || is_dead(holder),
            };
            if free {
                tx.execute(
                    "UPDATE runs SET lease_owner = ?2, lease_expires_at = ?3 WHERE id = ?1",
                    params![run_id, owner, lease_until],
                )?;
            }
            Ok(free)
        })
    }

    /// Extends until `lease_until` the lease `owner` holds on a run not yet ended; false when
    /// the run ended (a cancel) or another server took it over.
    pub fn renew_lease(
        tx: &Connection,
        run_id: &str,
        owner: &str,
        lease_until: i64,
    ) -> rusqlite::Result<bool> {
        tx.execute(
            "UPDATE runs SET lease_expires_at = ?3
             WHERE id = ?1 AND lease_owner = ?2 AND status IN ('queued', 'running')",
            params![run_id, owner, lease_until],
        )
        .map(|renewed| renewed > 0)
    }

    /// Gives up every lease `owner` holds, so that the next server resumes those runs at once.
    pub fn release_leases(&self, owner: &str) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?1",
                [owner],
            )?;
            Ok(())
        })
    }

    /// Ids of runs not yet ended, with their lease holder.
    pub fn unfinished_runs(&self) -> rusqlite::Result<Vec<UnfinishedRun>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, lease_owner, lease_expires_at FROM runs WHERE status IN ('queued', 'running') ORDER BY seq",
            )?;
            stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
    }

    /// Appends an event to a run's log; the sequence number is the next one of that run.
    pub fn append_event(
        tx: &Connection,
        run_id: &str,
        event: RunEventKind,
        data: &Value,
    ) -> rusqlite::Result<i64> {
        let seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE run_id = ?1",
            [run_id],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO run_events (run_id, seq, event, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![run_id, seq, event.as_str(), data.to_string(), crate::clock::now()],
        )?;
        Ok(seq)
    }

    pub fn last_event_seq(&self, run_id: &str) -> rusqlite::Result<i64> {
        self.read(|conn| {
            conn.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM run_events WHERE run_id = ?1",
                [run_id],
                |row| row.get(0),
            )
        })
    }

    /// Events of a run after `after`, in order, at most `limit`.
    pub fn events_after(
        &self,
        run_id: &str,
        after: i64,
        limit: usize,
    ) -> rusqlite::Result<Vec<StoredEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, event, data FROM run_events WHERE run_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            stmt.query_map(params![run_id, after, limit as i64], |row| {
                Ok(StoredEvent {
                    seq: row.get(0)?,
                    event: row.get(1)?,
                    data: row.get(2)?,
                })
            })?
            .collect()
        })
    }
}

/// The JSON text of a typed document (it always serializes: every map key is a string).
fn to_text(document: &impl Serialize) -> String {
    serde_json::to_string(document).unwrap_or_default()
}

/// A run's stored JSON text with `"persona_slug": slug` (or null) added as its last field.
fn with_persona_slug(doc: String, slug: Option<String>) -> String {
    let Some(fields) = doc.strip_suffix('}') else {
        return doc;
    };
    let slug = serde_json::Value::from(slug);
    format!("{fields},\"persona_slug\":{slug}}}")
}

/// The typed document in column `index`; a stored text that does not fit is a conversion error.
fn parse_column<T: DeserializeOwned>(row: &Row, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_get_consecutive_sequence_numbers_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for _ in 0..3 {
            store
                .write(|tx| {
                    Store::append_event(
                        tx,
                        "run_a",
                        RunEventKind::StepStarted,
                        &serde_json::json!({}),
                    )
                })
                .unwrap();
        }
        store
            .write(|tx| {
                Store::append_event(
                    tx,
                    "run_b",
                    RunEventKind::RunStarted,
                    &serde_json::json!({}),
                )
            })
            .unwrap();
        let seqs: Vec<i64> = store
            .events_after("run_a", 1, 10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, vec![2, 3]);
        assert_eq!(store.last_event_seq("run_b").unwrap(), 1);
    }
}
