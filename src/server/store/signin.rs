//! Store queries of who may approve device logins: one-time sign-in links and the browser
//! sessions they open, each kept as the hash of its secret, and what of logins is forgotten
//! once expired. Times are unix milliseconds.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use crate::clock;

/// Expired logins forgotten by each new code or link, so that the tables stay small even on a
/// server that runs no retention pass.
pub(super) const LOGINS_PER_WRITE: usize = 100;

impl Store {
    /// Forgets, as of `now` (unix milliseconds), up to `limit` of each: device codes that
    /// expired more than a day ago (until then a late poll still hears that its code expired),
    /// and expired sign-in links and browser sessions. Returns how many went.
    pub fn forget_expired_logins_in(
        tx: &Connection,
        now: i64,
        limit: usize,
    ) -> rusqlite::Result<usize> {
        let limit = limit as i64;
        Ok(tx.execute(
            "DELETE FROM device_codes WHERE hash IN
               (SELECT hash FROM device_codes WHERE expires_at < ?1 LIMIT ?2)",
            params![now - clock::DAY * 1000, limit],
        )? + tx.execute(
            "DELETE FROM signin_links WHERE hash IN
               (SELECT hash FROM signin_links WHERE expires_at <= ?1 LIMIT ?2)",
            params![now, limit],
        )? + tx.execute(
            "DELETE FROM browser_sessions WHERE hash IN
               (SELECT hash FROM browser_sessions WHERE expires_at <= ?1 LIMIT ?2)",
            params![now, limit],
        )?)
    }

    /// [`Store::forget_expired_logins_in`] in its own transaction.
    pub fn forget_expired_logins(&self, now: i64, limit: usize) -> rusqlite::Result<usize> {
        self.write(|tx| Self::forget_expired_logins_in(tx, now, limit))
    }

    /// Stores a sign-in link for `owner`, and forgets expired logins (see
    /// [`Store::forget_expired_logins_in`]).
    pub fn insert_signin_link(
        &self,
        link_hash: &str,
        owner: &str,
        now: i64,
        expires_at: i64,
    ) -> rusqlite::Result<()> {
        self.write(|tx| {
            Self::forget_expired_logins_in(tx, now, LOGINS_PER_WRITE)?;
            tx.execute(
                "INSERT INTO signin_links (hash, owner, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![link_hash, owner, now, expires_at],
            )?;
            Ok(())
        })
    }

    /// Uses up the sign-in link `link_hash` and opens a session for its owner in its place;
    /// None (and no session) when the link is unknown, used or expired.
    pub fn redeem_signin_link(
        &self,
        link_hash: &str,
        session_hash: &str,
        now: i64,
        session_expires_at: i64,
    ) -> rusqlite::Result<Option<String>> {
        self.write(|tx| {
            let owner: Option<String> = tx
                .query_row(
                    "DELETE FROM signin_links WHERE hash = ?1 AND expires_at > ?2 RETURNING owner",
                    params![link_hash, now],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(owner) = &owner {
                tx.execute(
                    "INSERT INTO browser_sessions (hash, owner, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![session_hash, owner, now, session_expires_at],
                )?;
            }
            Ok(owner)
        })
    }

    /// The owner of the session `session_hash`, while it has not expired.
    pub fn browser_session_owner(
        &self,
        session_hash: &str,
        now: i64,
    ) -> rusqlite::Result<Option<String>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT owner FROM browser_sessions WHERE hash = ?1 AND expires_at > ?2",
                params![session_hash, now],
                |row| row.get(0),
            )
            .optional()
        })
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::migrations::MIGRATIONS;
    use super::*;

    #[test]
    fn a_link_opens_one_session_and_sessions_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .insert_signin_link("link", "local", 1_000, 2_000)
            .unwrap();
        store
            .insert_signin_link("late", "local", 1_000, 1_500)
            .unwrap();
        assert_eq!(
            store
                .redeem_signin_link("late", "s0", 1_500, 9_000)
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .redeem_signin_link("link", "s1", 1_500, 3_000)
                .unwrap()
                .as_deref(),
            Some("local")
        );
        assert_eq!(
            store
                .redeem_signin_link("link", "s2", 1_600, 3_000)
                .unwrap(),
            None
        );
        assert_eq!(
            store.browser_session_owner("s1", 2_999).unwrap().as_deref(),
            Some("local")
        );
        assert_eq!(store.browser_session_owner("s1", 3_000).unwrap(), None);
        assert_eq!(store.browser_session_owner("s0", 2_000).unwrap(), None);
        assert_eq!(store.browser_session_owner("s2", 2_000).unwrap(), None);
    }

    #[test]
    fn a_store_of_schema_5_keeps_its_keys_and_waiting_logins() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("persona.db")).unwrap();
        for migration in &MIGRATIONS[..5] {
            conn.execute_batch(migration).unwrap();
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
        conn.execute_batch(
            "INSERT INTO workspaces VALUES ('ws_local', 'Local workspace', 'test', 0);
             INSERT INTO api_keys (id, workspace_id, hash, mode, scopes, user_email, created_at,
                expires_at) VALUES ('key_a', 'ws_local', 'h', 'test', 'runs:read', 'e', 0, 9);
             INSERT INTO device_codes (hash, user_code, workspace_id, scopes, status,
                created_at, expires_at, interval_ms)
                VALUES ('d', 'BBBB-CCCC', 'ws_local', 'runs:read', 'pending', 0, 9, 5000);",
        )
        .unwrap();
        drop(conn);

        let store = Store::open(dir.path()).unwrap();
        let key = store.key_by_hash("h").unwrap().unwrap();
        assert_eq!((key.id.as_str(), key.owner.as_str()), ("key_a", "local"));
        let code = store
            .write(|tx| Store::device_code_by_user_code(tx, "BBBB-CCCC"))
            .unwrap()
            .unwrap();
        assert_eq!((code.status.as_str(), code.decided_by), ("pending", None));
        // A login may now name a workspace the store does not have.
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO device_codes (hash, user_code, workspace_id, scopes, status,
                        created_at, expires_at, interval_ms)
                     VALUES ('e', 'DDDD-FFFF', 'ws_gone', 'runs:read', 'pending', 0, 9, 5000)",
                    [],
                )
            })
            .unwrap();
    }
}
