//! Store queries of conversations (contract §6): each pinned to a persona version when it
//! starts, and its messages in order with the scores and costs of assistant turns.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

use super::{Store, parse_doc};

/// A conversation: the persona version it talks to is pinned when it starts.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: String,
    pub workspace_id: String,
    pub persona_id: String,
    pub persona_version: i64,
    pub created_at: i64,
}

/// A message of a conversation; assistant messages carry their turn's scores and costs.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: String,
    /// Position in the conversation, from 1.
    pub seq: i64,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    /// The tool calls of an assistant message: a JSON array of `{id, name, arguments}`.
    pub tool_calls: Value,
    pub drift: Option<Value>,
    pub coherence: Option<f64>,
    pub tokens_in: Option<u64>,
    pub tokens_out: Option<u64>,
    pub cost_usd: Option<f64>,
    pub engine: Option<String>,
    pub created_at: i64,
}

impl StoredMessage {
    /// A message of text only (no tool calls, scores or costs); its position is given when it
    /// is appended.
    pub fn text(id: String, role: &str, content: &str, created_at: i64) -> Self {
        StoredMessage {
            id,
            seq: 0,
            role: role.to_string(),
            content: content.to_string(),
            tool_calls: Value::Array(Vec::new()),
            drift: None,
            coherence: None,
            tokens_in: None,
            tokens_out: None,
            cost_usd: None,
            engine: None,
            created_at,
        }
    }
}

const MESSAGE_COLUMNS: &str = "id, seq, role, content, tool_calls, drift, coherence, tokens_in,
    tokens_out, cost_usd, engine, created_at";

fn message_row(row: &Row) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        id: row.get(0)?,
        seq: row.get(1)?,
        role: row.get(2)?,
        content: row.get(3)?,
        tool_calls: parse_doc(row.get(4)?),
        drift: row.get::<_, Option<String>>(5)?.map(parse_doc),
        coherence: row.get(6)?,
        tokens_in: row.get(7)?,
        tokens_out: row.get(8)?,
        cost_usd: row.get(9)?,
        engine: row.get(10)?,
        created_at: row.get(11)?,
    })
}

impl Store {
    pub fn insert_conversation(&self, conversation: &Conversation) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO conversations (id, workspace_id, persona_id, persona_version, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    conversation.id,
                    conversation.workspace_id,
                    conversation.persona_id,
                    conversation.persona_version,
                    conversation.created_at
                ],
            )?;
            Ok(())
        })
    }

    /// A conversation of `workspace_id`, or None (another workspace's is not found either).
    pub fn conversation(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> rusqlite::Result<Option<Conversation>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id, workspace_id, persona_id, persona_version, created_at
                 FROM conversations WHERE id = ?1 AND workspace_id = ?2",
                params![id, workspace_id],
                |row| {
                    Ok(Conversation {
                        id: row.get(0)?,
                        workspace_id: row.get(1)?,
                        persona_id: row.get(2)?,
                        persona_version: row.get(3)?,
                        created_at: row.get(4)?,
                    })
                },
            )
            .optional()
        })
    }

    /// The messages of a conversation, in order.
    pub fn messages(&self, conversation_id: &str) -> rusqlite::Result<Vec<StoredMessage>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 ORDER BY seq"
            ))?;
            stmt.query_map([conversation_id], message_row)?.collect()
        })
    }

    /// The last messages of a conversation, oldest first, read from the newest back for as
    /// long as `keep` takes them (and not one row further), with the number of messages that
    /// came before them.
    pub fn latest_messages(
        &self,
        conversation_id: &str,
        mut keep: impl FnMut(&StoredMessage) -> bool,
    ) -> rusqlite::Result<(Vec<StoredMessage>, u64)> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1
                 ORDER BY seq DESC"
            ))?;
            let mut rows = stmt.query([conversation_id])?;
            let mut kept = Vec::new();
            let mut earlier = 0;
            while let Some(row) = rows.next()? {
                let message = message_row(row)?;
                if !keep(&message) {
                    // Positions run from 1 without a gap: this one and those before are left.
                    earlier = message.seq as u64;
                    break;
                }
                kept.push(message);
            }
            kept.reverse();
            Ok((kept, earlier))
        })
    }

    /// Appends a message to a conversation. Its `seq` is ignored: the conversation's next one
    /// is used, and returned.
    pub fn append_message(
        tx: &Connection,
        conversation_id: &str,
        message: &StoredMessage,
    ) -> rusqlite::Result<i64> {
        let seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?1",
            [conversation_id],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO messages (id, conversation_id, seq, role, content, tool_calls, drift,
                coherence, tokens_in, tokens_out, cost_usd, engine, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                message.id,
                conversation_id,
                seq,
                message.role,
                message.content,
                message.tool_calls.to_string(),
                message.drift.as_ref().map(Value::to_string),
                message.coherence,
                message.tokens_in,
                message.tokens_out,
                message.cost_usd,
                message.engine,
                message.created_at
            ],
        )?;
        Ok(seq)
    }
}
