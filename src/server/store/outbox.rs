//! Store queries of the outbox: events recorded in the transaction that makes the change, for
//! webhook deliveries and listen streams to read in order.

use rusqlite::{Connection, Row, params};
use serde_json::Value;

use super::{Store, parse_doc};

/// An event waiting in the outbox for webhook delivery.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub seq: i64,
    pub id: String,
    pub workspace_id: String,
    /// `conversation.drift_detected`, ...
    pub kind: String,
    pub data: Value,
    pub created_at: i64,
}

impl Store {
    /// Records an event for webhook delivery; returns its id (`evt_...`).
    pub fn insert_outbox(
        tx: &Connection,
        workspace_id: &str,
        kind: &str,
        data: &Value,
    ) -> rusqlite::Result<String> {
        let id = crate::server::ids::new_id("evt");
        tx.execute(
            "INSERT INTO outbox (id, workspace_id, type, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, workspace_id, kind, data.to_string(), crate::clock::now()],
        )?;
        Ok(id)
    }

    /// Outbox events after the sequence number `after`, oldest first, at most `limit`.
    pub fn outbox_after(&self, after: i64, limit: usize) -> rusqlite::Result<Vec<OutboxEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, id, workspace_id, type, data, created_at FROM outbox
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            stmt.query_map(params![after, limit as i64], outbox_row)?
                .collect()
        })
    }

    /// The sequence number of the newest outbox event (0 when there is none).
    pub fn outbox_position(&self) -> rusqlite::Result<i64> {
        self.read(Self::outbox_position_in)
    }

    /// The sequence number of the newest outbox event (0 when there is none), inside
    /// a transaction.
    pub(super) fn outbox_position_in(conn: &Connection) -> rusqlite::Result<i64> {
        conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM outbox", [], |row| {
            row.get(0)
        })
    }

    /// Events of one workspace after the sequence number `after`, oldest first.
    pub fn workspace_events_after(
        &self,
        workspace_id: &str,
        after: i64,
        limit: usize,
    ) -> rusqlite::Result<Vec<OutboxEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, id, workspace_id, type, data, created_at FROM outbox
                 WHERE seq > ?1 AND workspace_id = ?2 ORDER BY seq LIMIT ?3",
            )?;
            stmt.query_map(params![after, workspace_id, limit as i64], outbox_row)?
                .collect()
        })
    }
}

pub(super) fn outbox_row(row: &Row) -> rusqlite::Result<OutboxEvent> {
    Ok(OutboxEvent {
        seq: row.get(0)?,
        id: row.get(1)?,
        workspace_id: row.get(2)?,
        kind: row.get(3)?,
        data: parse_doc(row.get(4)?),
        created_at: row.get(5)?,
    })
}
