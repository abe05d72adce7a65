//! Store queries of idempotency keys: the request each key was first used for, and the run or
//! the answer it got, honoured for a day and then pruned.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use crate::clock;

/// How long an idempotency key holds its request and answer, in seconds.
pub const IDEMPOTENCY_WINDOW: i64 = clock::DAY;

/// A stored idempotency record.
#[derive(Debug, Clone)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    pub run_id: Option<String>,
    pub response: Option<(u16, String)>,
}

impl Store {
    pub fn idempotency(
        &self,
        key_id: &str,
        idem_key: &str,
    ) -> rusqlite::Result<Option<IdempotencyRecord>> {
        self.read(|conn| Self::idempotency_in(conn, key_id, idem_key))
    }

    pub fn idempotency_in(
        conn: &Connection,
        key_id: &str,
        idem_key: &str,
    ) -> rusqlite::Result<Option<IdempotencyRecord>> {
        conn.query_row(
            "SELECT request_hash, run_id, status, body FROM idempotency
             WHERE key_id = ?1 AND idem_key = ?2 AND created_at > ?3",
            params![key_id, idem_key, clock::now() - IDEMPOTENCY_WINDOW],
            |row| {
                let status: Option<u16> = row.get(2)?;
                let body: Option<String> = row.get(3)?;
                Ok(IdempotencyRecord {
                    request_hash: row.get(0)?,
                    run_id: row.get(1)?,
                    response: status.zip(body),
                })
            },
        )
        .optional()
    }

    pub fn insert_idempotency(
        tx: &Connection,
        key_id: &str,
        idem_key: &str,
        request_hash: &str,
        run_id: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT OR REPLACE INTO idempotency (key_id, idem_key, request_hash, run_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key_id, idem_key, request_hash, run_id, clock::now()],
        )?;
        Ok(())
    }

    /// Claims `idem_key` for a request that starts no run: None when it was free (or its record
    /// had expired), else the record that holds it.
    pub fn claim_idempotency(
        &self,
        key_id: &str,
        idem_key: &str,
        request_hash: &str,
    ) -> rusqlite::Result<Option<IdempotencyRecord>> {
        self.write(|tx| {
            // A claim left unanswered this long belongs to a request that died with its server.
            tx.execute(
                "DELETE FROM idempotency WHERE key_id = ?1 AND idem_key = ?2 AND run_id IS NULL
                   AND status IS NULL AND created_at < ?3",
                params![key_id, idem_key, clock::now() - 600],
            )?;
            if let Some(record) = Self::idempotency_in(tx, key_id, idem_key)? {
                return Ok(Some(record));
            }
            tx.execute(
                "INSERT OR REPLACE INTO idempotency (key_id, idem_key, request_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![key_id, idem_key, request_hash, clock::now()],
            )?;
            Ok(None)
        })
    }

    /// Forgets up to `limit` records past their window as of `now` (unix seconds); returns how
    /// many went.
    pub fn prune_idempotency(&self, now: i64, limit: usize) -> rusqlite::Result<usize> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM idempotency WHERE (key_id, idem_key) IN
                   (SELECT key_id, idem_key FROM idempotency WHERE created_at <= ?1 LIMIT ?2)",
                params![now - IDEMPOTENCY_WINDOW, limit as i64],
            )
        })
    }

    /// Frees a key whose request ended without an answer worth keeping.
    pub fn release_idempotency(&self, key_id: &str, idem_key: &str) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM idempotency WHERE key_id = ?1 AND idem_key = ?2",
                params![key_id, idem_key],
            )?;
            Ok(())
        })
    }

    pub fn complete_idempotency(
        &self,
        key_id: &str,
        idem_key: &str,
        status: u16,
        body: &str,
    ) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE idempotency SET status = ?3, body = ?4 WHERE key_id = ?1 AND idem_key = ?2",
                params![key_id, idem_key, status, body],
            )?;
            Ok(())
        })
    }
}
