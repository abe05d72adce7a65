//! The persona store: one SQLite file (WAL, busy timeout, versioned migrations) holding workspaces,
//! keys, device codes, personas and versions, runs, events, idempotency, conversations, an outbox.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{
    Connection, OptionalExtension, Transaction, TransactionBehavior, named_params, params,
};
use serde_json::Value;

mod signin;
mod webhooks;

pub use webhooks::{
    AfterAttempt, AttemptRecord, Delivery, DeliveryFilter, DueDelivery, ReplayRefusal,
    WebhookEndpoint,
};

/// Schema version this build writes. Migrations below run in order from the file's version.
pub const SCHEMA_VERSION: i64 = 7;

const MIGRATIONS: &[&str] = &[
    // 1: the foundation.
    "CREATE TABLE workspaces (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, mode TEXT NOT NULL, created_at INTEGER NOT NULL);
     CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        hash TEXT NOT NULL UNIQUE, mode TEXT NOT NULL, scopes TEXT NOT NULL,
        user_email TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        revoked_at INTEGER);
     CREATE TABLE personas (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        workspace_id TEXT NOT NULL, slug TEXT, visibility TEXT NOT NULL, status TEXT NOT NULL,
        version INTEGER NOT NULL, archived INTEGER NOT NULL DEFAULT 0, search_text TEXT NOT NULL,
        doc TEXT NOT NULL, UNIQUE (workspace_id, slug));
     CREATE INDEX personas_by_workspace ON personas (workspace_id, seq);
     CREATE TABLE persona_versions (
        persona_id TEXT NOT NULL, version INTEGER NOT NULL, fingerprint TEXT NOT NULL,
        run_id TEXT, created_at INTEGER NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (persona_id, version)) WITHOUT ROWID;
     CREATE TABLE runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        workspace_id TEXT NOT NULL, persona_id TEXT NOT NULL, status TEXT NOT NULL,
        request TEXT NOT NULL, lease_owner TEXT, lease_expires_at INTEGER, doc TEXT NOT NULL);
     CREATE INDEX runs_by_workspace ON runs (workspace_id, seq);
     CREATE INDEX runs_active ON runs (status) WHERE status IN ('queued', 'running');
     CREATE TABLE run_events (
        run_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
     CREATE TABLE idempotency (
        key_id TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,
        run_id TEXT, status INTEGER, body TEXT, created_at INTEGER NOT NULL,
        PRIMARY KEY (key_id, idem_key)) WITHOUT ROWID;",
    // 2: device login (contract §2). Secrets are stored hashed; times are unix milliseconds.
    "CREATE TABLE device_codes (
        hash TEXT PRIMARY KEY, user_code TEXT NOT NULL UNIQUE, approval_hash TEXT,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id), scopes TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, interval_ms INTEGER NOT NULL,
        last_poll_at INTEGER) WITHOUT ROWID;",
    // 3: keyword search of personas for MCP `persona.search` (FTS5, rowid = personas.seq),
    // kept in sync with the documents by triggers.
    "CREATE VIRTUAL TABLE persona_search USING fts5(
        slug, name, occupation, intent, bio, tokenize = 'unicode61 remove_diacritics 2');
     CREATE TRIGGER persona_search_insert AFTER INSERT ON personas BEGIN
        INSERT INTO persona_search (rowid, slug, name, occupation, intent, bio) VALUES (
            new.seq, new.slug, json_extract(new.doc, '$.surface.name'),
            json_extract(new.doc, '$.surface.occupation'), json_extract(new.doc, '$.intent'),
            json_extract(new.doc, '$.mask.public_bio'));
     END;
     CREATE TRIGGER persona_search_update AFTER UPDATE OF doc ON personas BEGIN
        DELETE FROM persona_search WHERE rowid = old.seq;
        INSERT INTO persona_search (rowid, slug, name, occupation, intent, bio) VALUES (
            new.seq, new.slug, json_extract(new.doc, '$.surface.name'),
            json_extract(new.doc, '$.surface.occupation'), json_extract(new.doc, '$.intent'),
            json_extract(new.doc, '$.mask.public_bio'));
     END;
     CREATE TRIGGER persona_search_delete AFTER DELETE ON personas BEGIN
        DELETE FROM persona_search WHERE rowid = old.seq;
     END;
     INSERT INTO persona_search (rowid, slug, name, occupation, intent, bio)
        SELECT seq, slug, json_extract(doc, '$.surface.name'), json_extract(doc, '$.surface.occupation'),
            json_extract(doc, '$.intent'), json_extract(doc, '$.mask.public_bio') FROM personas;",
    // 4: conversations (contract §6), and the outbox of events for webhooks to deliver.
    "CREATE TABLE conversations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        workspace_id TEXT NOT NULL, persona_id TEXT NOT NULL, persona_version INTEGER NOT NULL,
        created_at INTEGER NOT NULL);
     CREATE TABLE messages (
        id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id),
        seq INTEGER NOT NULL, role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL, tool_calls TEXT NOT NULL, drift TEXT, coherence REAL,
        tokens_in INTEGER, tokens_out INTEGER, cost_usd REAL, engine TEXT,
        created_at INTEGER NOT NULL, UNIQUE (conversation_id, seq));
     CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        workspace_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
        created_at INTEGER NOT NULL);",
    // 5: webhooks (contract §11): endpoints with their signing secrets (one listen endpoint per
    // key), one delivery per event and endpoint (leased while attempted; times in unix ms),
    // and how far the outbox has been fanned out into deliveries.
    "CREATE TABLE webhook_endpoints (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        workspace_id TEXT NOT NULL, url TEXT, events TEXT NOT NULL, description TEXT,
        secret TEXT NOT NULL, listen INTEGER NOT NULL DEFAULT 0, owner_key_id TEXT,
        after_seq INTEGER NOT NULL, created_at INTEGER NOT NULL);
     CREATE UNIQUE INDEX webhook_listen_endpoints ON webhook_endpoints (workspace_id, owner_key_id)
        WHERE listen = 1;
     CREATE TABLE webhook_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        endpoint_id TEXT NOT NULL, workspace_id TEXT NOT NULL, event_id TEXT NOT NULL,
        event_type TEXT NOT NULL, replay_of TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, lease_owner TEXT,
        lease_expires_at INTEGER, attempt_log TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
     CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE status = 'pending';
     CREATE INDEX webhook_deliveries_by_workspace ON webhook_deliveries (workspace_id, seq);
     CREATE TABLE webhook_fanout (id INTEGER PRIMARY KEY CHECK (id = 1), after_seq INTEGER NOT NULL);
     INSERT INTO webhook_fanout (id, after_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM outbox;",
    // 6: who approves device logins: one-time sign-in links and the browser sessions they open
    // (secrets hashed, times unix ms), the owner who decided a code, the owner of a key. A code
    // may name any workspace, so that an unknown one answers as a known one does.
    "CREATE TABLE signin_links (
        hash TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL) WITHOUT ROWID;
     CREATE TABLE browser_sessions (
        hash TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL) WITHOUT ROWID;
     ALTER TABLE api_keys ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
     CREATE TABLE device_codes_6 (
        hash TEXT PRIMARY KEY, user_code TEXT NOT NULL UNIQUE, approval_hash TEXT,
        workspace_id TEXT NOT NULL, scopes TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, interval_ms INTEGER NOT NULL,
        last_poll_at INTEGER, decided_by TEXT) WITHOUT ROWID;
     INSERT INTO device_codes_6 (hash, user_code, approval_hash, workspace_id, scopes, status,
        created_at, expires_at, interval_ms, last_poll_at)
        SELECT hash, user_code, approval_hash, workspace_id, scopes, status, created_at,
            expires_at, interval_ms, last_poll_at FROM device_codes;
     DROP TABLE device_codes;
     ALTER TABLE device_codes_6 RENAME TO device_codes;",
    // 7: the owner of each persona (contract §2), that of the key that made it: a private
    // persona shows only to keys of its owner.
    "ALTER TABLE personas ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
     UPDATE personas SET owner = COALESCE(
        (SELECT k.owner FROM api_keys k WHERE k.id = json_extract(personas.doc, '$.owner_key_id')),
        'local');",
];

/// The visibility rule (contract §2) over the `personas` table aliased `p`, for a viewer whose
/// owner is bound to `:owner`: a private persona shows only to keys of its owner.
const VISIBLE_TO_OWNER: &str = "(p.visibility != 'private' OR p.owner = :owner)";

/// Why a store could not be opened.
#[derive(Debug)]
pub enum OpenError {
    Io(PathBuf, std::io::Error),
    Sqlite(PathBuf, rusqlite::Error),
    NewerSchema { path: PathBuf, found: i64 },
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(path, err) => {
                write!(f, "cannot use the data directory {}: {err}", path.display())
            }
            OpenError::Sqlite(path, err) => {
                write!(f, "cannot open the persona store {}: {err}", path.display())?;
                match storage_advice(err) {
                    Some(advice) => write!(f, "; {advice}"),
                    None => Ok(()),
                }
            }
            OpenError::NewerSchema { path, found } => write!(
                f,
                "the persona store {} has schema version {found}, newer than this build of \
                 persona understands ({SCHEMA_VERSION}); upgrade persona, or point \
                 --data-dir / PERSONA_DATA_DIR at another directory",
                path.display()
            ),
        }
    }
}

impl std::error::Error for OpenError {}

/// What a person can do about a store error that comes from the disk or the file around it.
pub fn storage_advice(err: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ErrorCode::*;
    Some(match err.sqlite_error_code()? {
        DiskFull => "the disk holding it is full: free some space",
        SystemIoFailure => {
            "the disk holding it failed a read or write: check that it has free space and is healthy"
        }
        ReadOnly => "it is read-only: check the permissions of the data directory and its files",
        CannotOpen => "check that the data directory exists and is writable",
        DatabaseCorrupt | NotADatabase => {
            "the file is damaged or is not a persona store: restore it from a backup, or point \
             --data-dir / PERSONA_DATA_DIR at another directory"
        }
        _ => return None,
    })
}

/// A workspace row.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub mode: String,
}

/// An API key row (the secret itself is never stored).
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: String,
    pub workspace_id: String,
    pub mode: String,
    pub scopes: Vec<String>,
    pub user_email: String,
    /// The person behind the key: `local` on the embedded server, or whoever approved the
    /// device login that minted it.
    pub owner: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A device login code (contract §2); the device code and the approval token are kept hashed.
/// Times are unix milliseconds.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub hash: String,
    pub user_code: String,
    pub approval_hash: Option<String>,
    pub workspace_id: String,
    pub scopes: Vec<String>,
    /// `pending`, `approved`, `denied` or `consumed`.
    pub status: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub interval_ms: i64,
    pub last_poll_at: Option<i64>,
    /// The owner who approved or denied it.
    pub decided_by: Option<String>,
}

/// One stored run event.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: String,
    pub data: String,
}

/// One row of a persona's version list: version, fingerprint, created at, run id.
pub type VersionRow = (i64, String, i64, Option<String>);

/// A run not yet ended: id, lease owner, lease expiry.
pub type UnfinishedRun = (String, Option<String>, Option<i64>);

/// A stored idempotency record.
#[derive(Debug, Clone)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    pub run_id: Option<String>,
    pub response: Option<(u16, String)>,
}

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

/// Filters of the persona list.
#[derive(Debug, Default)]
pub struct PersonaFilter<'a> {
    pub query: Option<&'a str>,
    pub visibility: Option<&'a str>,
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

/// The SQLite store shared by every request of one server.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) `persona.db` in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store, OpenError> {
        create_private_dir(data_dir).map_err(|e| OpenError::Io(data_dir.into(), e))?;
        let path = data_dir.join("persona.db");
        keep_private(&path);
        let sqlite_err = |e| OpenError::Sqlite(path.clone(), e);
        let mut conn = Connection::open(&path).map_err(sqlite_err)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(sqlite_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sqlite_err)?;
        migrate(&mut conn, &path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Runs `f` in an immediate transaction, committed when `f` returns `Ok`.
    pub fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    // ---- workspaces and keys -------------------------------------------------------------

    pub fn ensure_workspace(&self, id: &str, name: &str, mode: &str) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO workspaces (id, name, mode, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, mode, super::clock::now()],
            )?;
            Ok(())
        })
    }

    pub fn workspace(&self, id: &str) -> rusqlite::Result<Option<Workspace>> {
        self.read(|conn| Self::workspace_in(conn, id))
    }

    pub fn workspace_in(conn: &Connection, id: &str) -> rusqlite::Result<Option<Workspace>> {
        conn.query_row(
            "SELECT id, name, mode FROM workspaces WHERE id = ?1",
            [id],
            |row| {
                Ok(Workspace {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    mode: row.get(2)?,
                })
            },
        )
        .optional()
    }

    pub fn insert_key(&self, key: &KeyRecord, secret_hash: &str) -> rusqlite::Result<()> {
        self.write(|tx| Self::insert_key_in(tx, key, secret_hash))
    }

    pub fn insert_key_in(
        tx: &Connection,
        key: &KeyRecord,
        secret_hash: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO api_keys (id, workspace_id, hash, mode, scopes, user_email, owner,
                created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                key.id,
                key.workspace_id,
                secret_hash,
                key.mode,
                key.scopes.join(" "),
                key.user_email,
                key.owner,
                key.created_at,
                key.expires_at
            ],
        )?;
        Ok(())
    }

    /// Marks a stored key revoked at `now`; false when there is no such key.
    /// Revokes a stored key; the endpoint of its listen streams (which only it could open)
    /// goes with it, deliveries included.
    pub fn revoke_key(&self, key_id: &str, now: i64) -> rusqlite::Result<bool> {
        self.write(|tx| {
            let revoked = tx.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                params![key_id, now],
            )?;
            tx.execute(
                "DELETE FROM webhook_deliveries WHERE endpoint_id IN
                   (SELECT id FROM webhook_endpoints WHERE owner_key_id = ?1 AND listen = 1)",
                [key_id],
            )?;
            tx.execute(
                "DELETE FROM webhook_endpoints WHERE owner_key_id = ?1 AND listen = 1",
                [key_id],
            )?;
            Ok(revoked > 0)
        })
    }

    pub fn key_by_hash(&self, secret_hash: &str) -> rusqlite::Result<Option<KeyRecord>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id, workspace_id, mode, scopes, user_email, owner, created_at, expires_at,
                    revoked_at
                 FROM api_keys WHERE hash = ?1",
                [secret_hash],
                |row| {
                    let scopes: String = row.get(3)?;
                    Ok(KeyRecord {
                        id: row.get(0)?,
                        workspace_id: row.get(1)?,
                        mode: row.get(2)?,
                        scopes: scopes.split_whitespace().map(String::from).collect(),
                        user_email: row.get(4)?,
                        owner: row.get(5)?,
                        created_at: row.get(6)?,
                        expires_at: row.get(7)?,
                        revoked_at: row.get(8)?,
                    })
                },
            )
            .optional()
        })
    }

    /// When the stored key `key_id` was revoked (None: it was not) and when it expires; None
    /// when there is no such key.
    pub fn key_validity(&self, key_id: &str) -> rusqlite::Result<Option<(Option<i64>, i64)>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT revoked_at, expires_at FROM api_keys WHERE id = ?1",
                [key_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
        })
    }

    // ---- device login codes --------------------------------------------------------------

    /// Stores a new code, and forgets codes that expired more than a day ago. Fails with a
    /// constraint error when the user code is in use.
    pub fn insert_device_code(&self, code: &DeviceCode) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM device_codes WHERE expires_at < ?1",
                [code.created_at - 86_400_000],
            )?;
            tx.execute(
                "INSERT INTO device_codes (hash, user_code, approval_hash, workspace_id, scopes,
                    status, created_at, expires_at, interval_ms, last_poll_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    code.hash,
                    code.user_code,
                    code.approval_hash,
                    code.workspace_id,
                    code.scopes.join(" "),
                    code.status,
                    code.created_at,
                    code.expires_at,
                    code.interval_ms,
                    code.last_poll_at
                ],
            )?;
            Ok(())
        })
    }

    pub fn device_code_by_hash(
        tx: &Connection,
        device_hash: &str,
    ) -> rusqlite::Result<Option<DeviceCode>> {
        Self::device_code_where(tx, "hash", device_hash)
    }

    pub fn device_code_by_user_code(
        tx: &Connection,
        user_code: &str,
    ) -> rusqlite::Result<Option<DeviceCode>> {
        Self::device_code_where(tx, "user_code", user_code)
    }

    fn device_code_where(
        tx: &Connection,
        column: &str,
        value: &str,
    ) -> rusqlite::Result<Option<DeviceCode>> {
        tx.query_row(
            &format!(
                "SELECT hash, user_code, approval_hash, workspace_id, scopes, status, created_at,
                    expires_at, interval_ms, last_poll_at, decided_by
                 FROM device_codes WHERE {column} = ?1"
            ),
            [value],
            |row| {
                let scopes: String = row.get(4)?;
                Ok(DeviceCode {
                    hash: row.get(0)?,
                    user_code: row.get(1)?,
                    approval_hash: row.get(2)?,
                    workspace_id: row.get(3)?,
                    scopes: scopes.split_whitespace().map(String::from).collect(),
                    status: row.get(5)?,
                    created_at: row.get(6)?,
                    expires_at: row.get(7)?,
                    interval_ms: row.get(8)?,
                    last_poll_at: row.get(9)?,
                    decided_by: row.get(10)?,
                })
            },
        )
        .optional()
    }

    /// Records a poll of a code at `now` (unix milliseconds).
    pub fn record_device_poll(
        tx: &Connection,
        device_hash: &str,
        now: i64,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE device_codes SET last_poll_at = ?2 WHERE hash = ?1",
            params![device_hash, now],
        )?;
        Ok(())
    }

    /// Records the decision of `owner` on a pending code: `approved` or `denied`; false when
    /// the code was not pending any more.
    pub fn decide_device_code(
        tx: &Connection,
        device_hash: &str,
        status: &str,
        owner: &str,
    ) -> rusqlite::Result<bool> {
        tx.execute(
            "UPDATE device_codes SET status = ?2, decided_by = ?3
             WHERE hash = ?1 AND status = 'pending'",
            params![device_hash, status, owner],
        )
        .map(|changed| changed > 0)
    }

    /// Moves a code from `from` to `to`; false when it was not in `from` any more.
    pub fn set_device_status(
        tx: &Connection,
        device_hash: &str,
        from: &str,
        to: &str,
    ) -> rusqlite::Result<bool> {
        tx.execute(
            "UPDATE device_codes SET status = ?3 WHERE hash = ?1 AND status = ?2",
            params![device_hash, from, to],
        )
        .map(|changed| changed > 0)
    }

    /// Replaces the hash of the token that the activation form must send back.
    pub fn set_device_approval_hash(
        tx: &Connection,
        device_hash: &str,
        approval_hash: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE device_codes SET approval_hash = ?2 WHERE hash = ?1",
            params![device_hash, approval_hash],
        )?;
        Ok(())
    }

    // ---- personas ------------------------------------------------------------------------

    /// Inserts a new persona document of `owner`. Fails with a constraint error when the slug
    /// is taken.
    pub fn insert_persona(
        tx: &Transaction,
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
    pub fn save_persona(tx: &Transaction, doc: &Value) -> rusqlite::Result<()> {
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
    pub fn insert_version(tx: &Transaction, doc: &Value, created_at: i64) -> rusqlite::Result<()> {
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
    ) -> rusqlite::Result<Option<Value>> {
        let column = if id_or_slug.starts_with("psn_") {
            "id"
        } else {
            "slug"
        };
        tx.query_row(
            &format!("SELECT doc FROM personas WHERE workspace_id = ?1 AND {column} = ?2"),
            params![workspace_id, id_or_slug],
            |row| row.get::<_, String>(0),
        )
        .optional()
        .map(|doc| doc.map(parse_doc))
    }

    pub fn persona(&self, workspace_id: &str, id_or_slug: &str) -> rusqlite::Result<Option<Value>> {
        self.read(|conn| Self::persona_in(conn, workspace_id, id_or_slug))
    }

    /// The persona `id_or_slug` of the workspace when a key of `owner` may see it.
    pub fn visible_persona(
        &self,
        workspace_id: &str,
        owner: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Option<Value>> {
        self.read(|conn| Self::visible_persona_in(conn, workspace_id, owner, id_or_slug))
    }

    /// [`Store::visible_persona`] inside a transaction.
    pub fn visible_persona_in(
        conn: &Connection,
        workspace_id: &str,
        owner: &str,
        id_or_slug: &str,
    ) -> rusqlite::Result<Option<Value>> {
        let column = if id_or_slug.starts_with("psn_") {
            "id"
        } else {
            "slug"
        };
        conn.query_row(
            &format!(
                "SELECT doc FROM personas p
                 WHERE workspace_id = :workspace AND {column} = :name AND {VISIBLE_TO_OWNER}"
            ),
            named_params! { ":workspace": workspace_id, ":name": id_or_slug, ":owner": owner },
            |row| row.get::<_, String>(0),
        )
        .optional()
        .map(|doc| doc.map(parse_doc))
    }

    pub fn persona_version(
        &self,
        persona_id: &str,
        version: i64,
    ) -> rusqlite::Result<Option<Value>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT doc FROM persona_versions WHERE persona_id = ?1 AND version = ?2",
                params![persona_id, version],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map(|doc| doc.map(parse_doc))
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

    /// Newest first, as (sequence, JSON text); `before` is the cursor of the previous page.
    pub fn list_personas(
        &self,
        workspace_id: &str,
        owner: &str,
        filter: &PersonaFilter,
        limit: usize,
        before: Option<i64>,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        self.read(|conn| {
            let pattern = filter
                .query
                .map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT seq, doc FROM personas p WHERE workspace_id = :workspace
                   AND archived = :archived
                   AND (:visibility IS NULL OR visibility = :visibility)
                   AND (:pattern IS NULL OR search_text LIKE :pattern)
                   AND (:before IS NULL OR seq < :before)
                   AND {VISIBLE_TO_OWNER}
                 ORDER BY seq DESC LIMIT :limit"
            ))?;
            stmt.query_map(
                named_params! {
                    ":workspace": workspace_id,
                    ":archived": filter.archived,
                    ":visibility": filter.visibility,
                    ":pattern": pattern,
                    ":before": before,
                    ":owner": owner,
                    ":limit": limit as i64,
                },
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?
            .collect()
        })
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

    // ---- runs ----------------------------------------------------------------------------

    pub fn insert_run(
        tx: &Transaction,
        workspace_id: &str,
        request: &Value,
        doc: &Value,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO runs (id, workspace_id, persona_id, status, request, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                doc["id"].as_str(),
                workspace_id,
                doc["persona_id"].as_str(),
                doc["status"].as_str(),
                request.to_string(),
                doc.to_string()
            ],
        )?;
        Ok(())
    }

    pub fn save_run(tx: &Connection, doc: &Value) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE runs SET status = ?2, doc = ?3 WHERE id = ?1",
            params![doc["id"].as_str(), doc["status"].as_str(), doc.to_string()],
        )?;
        Ok(())
    }

    pub fn run_in(conn: &Connection, run_id: &str) -> rusqlite::Result<Option<(String, Value)>> {
        conn.query_row(
            "SELECT workspace_id, doc FROM runs WHERE id = ?1",
            [run_id],
            |row| Ok((row.get(0)?, parse_doc(row.get(1)?))),
        )
        .optional()
    }

    /// A run of `workspace_id`, or None (another workspace's run is not found either).
    pub fn run(&self, workspace_id: &str, run_id: &str) -> rusqlite::Result<Option<Value>> {
        self.read(|conn| {
            Ok(Self::run_in(conn, run_id)?
                .filter(|(ws, _)| ws == workspace_id)
                .map(|(_, doc)| doc))
        })
    }

    pub fn run_status(&self, run_id: &str) -> rusqlite::Result<Option<String>> {
        self.read(|conn| {
            conn.query_row("SELECT status FROM runs WHERE id = ?1", [run_id], |row| {
                row.get(0)
            })
            .optional()
        })
    }

    pub fn run_request(&self, run_id: &str) -> rusqlite::Result<Option<(String, Value, Value)>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT workspace_id, request, doc FROM runs WHERE id = ?1",
                [run_id],
                |row| Ok((row.get(0)?, parse_doc(row.get(1)?), parse_doc(row.get(2)?))),
            )
            .optional()
        })
    }

    /// Newest first, as (sequence, JSON text).
    /// Runs of the workspace whose persona a key of `owner` may see, newest first.
    pub fn list_runs(
        &self,
        workspace_id: &str,
        owner: &str,
        persona_id: Option<&str>,
        status: Option<&str>,
        limit: usize,
        before: Option<i64>,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT r.seq, r.doc FROM runs r JOIN personas p ON p.id = r.persona_id
                 WHERE r.workspace_id = :workspace
                   AND (:persona IS NULL OR r.persona_id = :persona)
                   AND (:status IS NULL OR r.status = :status)
                   AND (:before IS NULL OR r.seq < :before) AND {VISIBLE_TO_OWNER}
                 ORDER BY r.seq DESC LIMIT :limit"
            ))?;
            let bound = named_params! {
                ":workspace": workspace_id, ":persona": persona_id, ":status": status,
                ":before": before, ":owner": owner, ":limit": limit as i64,
            };
            stmt.query_map(bound, |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
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

    pub fn renew_lease(&self, run_id: &str, owner: &str, lease_until: i64) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE runs SET lease_expires_at = ?3 WHERE id = ?1 AND lease_owner = ?2",
                params![run_id, owner, lease_until],
            )?;
            Ok(())
        })
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
        event: &str,
        data: &Value,
    ) -> rusqlite::Result<i64> {
        let seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE run_id = ?1",
            [run_id],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO run_events (run_id, seq, event, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![run_id, seq, event, data.to_string(), super::clock::now()],
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

    /// Completed, unarchived personas of a workspace, oldest first, each with its creation time
    /// in unix seconds (the models of the OpenAI-compatible endpoint), that a key of `owner`
    /// may see.
    pub fn chat_personas(
        &self,
        workspace_id: &str,
        owner: &str,
    ) -> rusqlite::Result<Vec<(Value, i64)>> {
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
                        parse_doc(row.get(0)?),
                        row.get::<_, Option<i64>>(1)?.unwrap_or(0),
                    ))
                },
            )?
            .collect()
        })
    }

    // ---- conversations -------------------------------------------------------------------

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
            let mut stmt = conn.prepare_cached(
                "SELECT id, seq, role, content, tool_calls, drift, coherence, tokens_in, tokens_out,
                    cost_usd, engine, created_at
                 FROM messages WHERE conversation_id = ?1 ORDER BY seq",
            )?;
            stmt.query_map([conversation_id], |row| {
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
            })?
            .collect()
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

    // ---- outbox --------------------------------------------------------------------------

    /// Records an event for webhook delivery; returns its id (`evt_...`).
    pub fn insert_outbox(
        tx: &Connection,
        workspace_id: &str,
        kind: &str,
        data: &Value,
    ) -> rusqlite::Result<String> {
        let id = super::ids::new_id("evt");
        tx.execute(
            "INSERT INTO outbox (id, workspace_id, type, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, workspace_id, kind, data.to_string(), super::clock::now()],
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
            stmt.query_map(params![after, limit as i64], |row| {
                Ok(OutboxEvent {
                    seq: row.get(0)?,
                    id: row.get(1)?,
                    workspace_id: row.get(2)?,
                    kind: row.get(3)?,
                    data: parse_doc(row.get(4)?),
                    created_at: row.get(5)?,
                })
            })?
            .collect()
        })
    }

    // ---- idempotency ---------------------------------------------------------------------

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
            params![key_id, idem_key, super::clock::now() - 86_400],
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
        tx: &Transaction,
        key_id: &str,
        idem_key: &str,
        request_hash: &str,
        run_id: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT OR REPLACE INTO idempotency (key_id, idem_key, request_hash, run_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key_id, idem_key, request_hash, run_id, super::clock::now()],
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
                params![key_id, idem_key, super::clock::now() - 600],
            )?;
            if let Some(record) = Self::idempotency_in(tx, key_id, idem_key)? {
                return Ok(Some(record));
            }
            tx.execute(
                "INSERT OR REPLACE INTO idempotency (key_id, idem_key, request_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![key_id, idem_key, request_hash, super::clock::now()],
            )?;
            Ok(None)
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

/// Creates `dir` (and its parents) when missing; a directory made here is readable by its owner
/// only, since the store holds webhook secrets. An existing directory is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The store file, and the WAL and shared-memory files SQLite makes beside it (with the store's
/// permissions), readable and writable by their owner only: created so when new, tightened when
/// an older store left them open. A file that cannot be changed (a read-only disk) is left alone.
fn keep_private(db: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !db.exists() {
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(db);
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            let file = Path::new(&name);
            if let Ok(metadata) = std::fs::metadata(file)
                && metadata.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), OpenError> {
    let sqlite_err = |e| OpenError::Sqlite(path.to_path_buf(), e);
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sqlite_err)?;
    if found > SCHEMA_VERSION {
        return Err(OpenError::NewerSchema {
            path: path.to_path_buf(),
            found,
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(sqlite_err)?;
        // Another process may have migrated while this one waited for the lock.
        let now_at: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(sqlite_err)?;
        if now_at > index as i64 {
            continue;
        }
        tx.execute_batch(migration).map_err(sqlite_err)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(sqlite_err)?;
        tx.commit().map_err(sqlite_err)?;
    }
    Ok(())
}

fn parse_doc(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
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

    #[cfg(unix)]
    #[test]
    fn the_store_and_its_directory_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("new/data");
        let store = Store::open(&dir).unwrap();
        store.ensure_workspace("ws_a", "a", "test").unwrap();
        assert_eq!(mode(&dir), 0o700);
        for name in ["persona.db", "persona.db-wal", "persona.db-shm"] {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }
        drop(store);

        // A store an older version left readable by all is tightened when opened.
        for name in ["persona.db", "persona.db-wal"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        drop(Store::open(&dir).unwrap());
        assert_eq!(mode(&dir.join("persona.db")), 0o600);
    }

    #[test]
    fn a_store_from_a_newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join("persona.db")).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = Store::open(dir.path())
            .err()
            .expect("newer schema must be refused");
        assert!(err.to_string().contains("newer than this build"), "{err}");
        let conn = Connection::open(dir.path().join("persona.db")).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION + 1);
    }

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

    #[test]
    fn events_get_consecutive_sequence_numbers_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for _ in 0..3 {
            store
                .write(|tx| {
                    Store::append_event(tx, "run_a", "step.started", &serde_json::json!({}))
                })
                .unwrap();
        }
        store
            .write(|tx| Store::append_event(tx, "run_b", "run.started", &serde_json::json!({})))
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
