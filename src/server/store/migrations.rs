//! The store's schema: the migrations in order, and how a file is brought up to this build's
//! version (each migration in an exclusive transaction, skipped when another process won).

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::OpenError;

/// Schema version this build writes. Migrations below run in order from the file's version.
pub const SCHEMA_VERSION: i64 = 8;

pub(super) const MIGRATIONS: &[&str] = &[
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
    // 8: indexes so that no hot query reads a table whole (their plans are checked by a test):
    // lists by workspace and archived state, slugs by their series (`base-N` by base and N,
    // for the next free slug), a persona's runs, the runs a stopping server leased, a workspace's events, events and idempotency records by age and deliveries by
    // event (for retention); and substring search of the list's `q` (a trigram index over the
    // same text, newest first).
    "CREATE INDEX personas_listed ON personas (workspace_id, archived, seq);
     DROP INDEX personas_by_workspace;
     CREATE INDEX runs_by_persona ON runs (persona_id, seq);
     CREATE INDEX runs_leased ON runs (lease_owner) WHERE lease_owner IS NOT NULL;
     CREATE INDEX personas_slug_series ON personas (workspace_id, rtrim(slug, '0123456789'),
        CAST(substr(slug, length(rtrim(slug, '0123456789')) + 1) AS INTEGER))
        WHERE slug IS NOT NULL;
     CREATE INDEX outbox_by_workspace ON outbox (workspace_id, seq);
     CREATE INDEX outbox_by_age ON outbox (created_at);
     CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
     CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, seq);
     CREATE INDEX idempotency_by_age ON idempotency (created_at);
     CREATE VIRTUAL TABLE persona_text USING fts5(search_text, tokenize = 'trigram');
     CREATE TRIGGER persona_text_insert AFTER INSERT ON personas BEGIN
        INSERT INTO persona_text (rowid, search_text) VALUES (new.seq, new.search_text);
     END;
     CREATE TRIGGER persona_text_update AFTER UPDATE OF search_text ON personas
        WHEN old.search_text IS NOT new.search_text BEGIN
        UPDATE persona_text SET search_text = new.search_text WHERE rowid = new.seq;
     END;
     CREATE TRIGGER persona_text_delete AFTER DELETE ON personas BEGIN
        DELETE FROM persona_text WHERE rowid = old.seq;
     END;
     INSERT INTO persona_text (rowid, search_text) SELECT seq, search_text FROM personas;",
];

/// Brings the schema of `conn` (the store at `path`) up to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), OpenError> {
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

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::*;

    #[test]
    fn personas_stored_before_the_trigram_index_are_found_by_their_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("persona.db")).unwrap();
        let tx = conn.transaction().unwrap();
        for migration in &MIGRATIONS[..7] {
            tx.execute_batch(migration).unwrap();
        }
        tx.execute_batch(
            "INSERT INTO personas (id, workspace_id, slug, visibility, status, version, search_text, doc)
             VALUES ('psn_1', 'ws', 'ada', 'workspace', 'completed', 1, 'ada lighthouse keeper', '{}');
             PRAGMA user_version = 7;",
        )
        .unwrap();
        tx.commit().unwrap();
        drop(conn);
        let store = Store::open(dir.path()).unwrap();
        let filter = |query| super::super::PersonaFilter {
            query: Some(query),
            ..Default::default()
        };
        let found = store
            .list_personas("ws", "local", &filter("house k"), 10, None)
            .unwrap();
        assert_eq!(found.len(), 1);
        assert!(
            store
                .list_personas("ws", "local", &filter("housek"), 10, None)
                .unwrap()
                .is_empty()
        );
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
}
