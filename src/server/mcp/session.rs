//! MCP sessions: made by `initialize` (Streamable HTTP) or by opening the SSE stream (HTTP+SSE),
//! bound to the key and workspace that made them, forgotten when idle, closed or restarted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::server::http::Caller;
use crate::server::ids;

/// A Streamable HTTP session unused this long is gone (the client then gets 404 and
/// initializes again). An HTTP+SSE session lives as long as its stream.
const IDLE_LIMIT: Duration = Duration::from_secs(3600);

/// Sessions one key may hold at once; a new one beyond that ends its least recently used.
const SESSIONS_PER_KEY: usize = 64;

/// What a request in a session needs to know about it.
#[derive(Clone)]
pub struct Session {
    /// The version agreed by `initialize`; None before it.
    pub protocol_version: Option<String>,
    /// Where answers go on the HTTP+SSE transport (JSON texts); None on Streamable HTTP.
    pub stream: Option<mpsc::Sender<String>>,
}

struct Entry {
    session: Session,
    key_id: String,
    workspace_id: String,
    last_used: Instant,
}

impl Entry {
    fn expired(&self) -> bool {
        self.session.stream.is_none() && self.last_used.elapsed() >= IDLE_LIMIT
    }
}

/// The sessions of one server, in memory.
#[derive(Default)]
pub struct Sessions {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Sessions {
    /// Registers a session of `caller` and returns its id.
    pub fn create(&self, caller: &Caller, session: Session) -> String {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, entry| !entry.expired());
        let mut own: Vec<(Instant, String)> = entries
            .iter()
            .filter(|(_, entry)| entry.key_id == caller.key_id)
            .map(|(id, entry)| (entry.last_used, id.clone()))
            .collect();
        if own.len() >= SESSIONS_PER_KEY {
            own.sort();
            for (_, id) in &own[..=own.len() - SESSIONS_PER_KEY] {
                entries.remove(id);
            }
        }
        let id = ids::base62(32);
        entries.insert(
            id.clone(),
            Entry {
                session,
                key_id: caller.key_id.clone(),
                workspace_id: caller.workspace.id.clone(),
                last_used: Instant::now(),
            },
        );
        id
    }

    /// The session `id` if `caller` made it and it is still alive; marks it used.
    pub fn get(&self, id: &str, caller: &Caller) -> Option<Session> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.get_mut(id)?;
        if entry.key_id != caller.key_id || entry.workspace_id != caller.workspace.id {
            return None;
        }
        if entry.expired() {
            entries.remove(id);
            return None;
        }
        entry.last_used = Instant::now();
        Some(entry.session.clone())
    }

    /// Records the protocol version that `initialize` agreed on.
    pub fn set_version(&self, id: &str, version: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.get_mut(id) {
            entry.session.protocol_version = Some(version.to_string());
        }
    }

    /// Drops the session `id`: it was ended, its stream closed, or its `initialize` failed.
    pub fn forget(&self, id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::Workspace;

    fn caller(key_id: &str) -> Caller {
        Caller {
            key_id: key_id.to_string(),
            workspace: Workspace {
                id: "ws".into(),
                name: "ws".into(),
                mode: "test".into(),
            },
            mode: "test".into(),
            scopes: Vec::new(),
            expires_at: 0,
            user_email: String::new(),
            owner: "local".into(),
        }
    }

    fn plain() -> Session {
        Session {
            protocol_version: None,
            stream: None,
        }
    }

    #[test]
    fn a_session_belongs_to_the_key_that_made_it() {
        let sessions = Sessions::default();
        let id = sessions.create(&caller("key_a"), plain());
        assert!(sessions.get(&id, &caller("key_b")).is_none());
        sessions.set_version(&id, "2025-06-18");
        let session = sessions.get(&id, &caller("key_a")).unwrap();
        assert_eq!(session.protocol_version.as_deref(), Some("2025-06-18"));
        sessions.forget(&id);
        assert!(sessions.get(&id, &caller("key_a")).is_none());
    }

    #[test]
    fn a_key_holds_a_bounded_number_of_sessions() {
        let sessions = Sessions::default();
        let first = sessions.create(&caller("key_a"), plain());
        let other = sessions.create(&caller("key_b"), plain());
        for _ in 0..SESSIONS_PER_KEY {
            sessions.create(&caller("key_a"), plain());
        }
        assert!(sessions.get(&first, &caller("key_a")).is_none());
        assert!(sessions.get(&other, &caller("key_b")).is_some());
    }
}
