//! Store queries of workspaces, their API keys (kept as hashes) and device login codes
//! (contract §2).

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::signin::LOGINS_PER_WRITE;
use crate::clock;

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

impl Store {
    // ---- workspaces and keys -------------------------------------------------------------

    pub fn ensure_workspace(&self, id: &str, name: &str, mode: &str) -> rusqlite::Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO workspaces (id, name, mode, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, mode, clock::now()],
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

    /// Stores a new code, and forgets expired logins (see [`Store::forget_expired_logins_in`]);
    /// false (and the code not stored) when its user code is in use.
    pub fn insert_device_code(&self, code: &DeviceCode) -> rusqlite::Result<bool> {
        self.write(|tx| {
            Self::forget_expired_logins_in(tx, code.created_at, LOGINS_PER_WRITE)?;
            let inserted = tx.execute(
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
            );
            match inserted {
                Ok(_) => Ok(true),
                Err(rusqlite::Error::SqliteFailure(err, _))
                    if err.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Ok(false)
                }
                Err(err) => Err(err),
            }
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
}
