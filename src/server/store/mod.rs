//! The persona store: one SQLite file (WAL, busy timeout, versioned migrations), its queries
//! in one file per aggregate: keys, personas, runs and events, conversations, outbox, webhooks.
//!
//! One calling convention. A query that takes part in the caller's read or transaction is an
//! associated function whose first argument is the connection: `Store::save_run(tx, &doc)`,
//! called inside `store.write(|tx| ..)` (one immediate transaction, committed when the closure
//! returns `Ok`) or `store.read(|conn| ..)`. A query that runs on its own is a method:
//! `store.run(workspace_id, run_id)` takes the lock for one read, or commits its own
//! transaction. When a query is wanted both ways, the function is the method's name with `_in`
//! (`store.workspace(id)`, `Store::workspace_in(conn, id)`). SQL and rusqlite stay in this
//! module: callers name its [`Connection`], [`Error`] and [`Result`] from here.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{OpenFlags, TransactionBehavior};
use serde_json::Value;

mod conversations;
mod idempotency;
mod keys;
mod migrations;
mod outbox;
mod personas;
#[cfg(test)]
mod probe;
mod runs;
mod signin;
mod webhooks;

pub use rusqlite::{Connection, Error};

/// What a store query returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use conversations::{Conversation, StoredMessage};
pub use idempotency::IdempotencyRecord;
pub use keys::{DeviceCode, KeyRecord, Workspace};
pub use migrations::SCHEMA_VERSION;
pub use outbox::OutboxEvent;
pub use personas::{PersonaFilter, SearchHit, SlugHolder, VersionRow, fts_query};
pub use runs::{IdsOf, StoredEvent, UnfinishedRun};
pub use webhooks::{
    AfterAttempt, AttemptRecord, Delivery, DeliveryFilter, DueDelivery, ReplayRefusal,
    WebhookEndpoint,
};

/// A name a shell may complete (an id or a slug), and a few words that tell it apart.
pub type NameHint = (String, String);

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

/// The store this process opened first: named in an error that comes from its disk, so that
/// a person knows which file to look after (a process serves one store).
static OPENED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The file of the store this process opened, when it opened one.
pub fn opened_path() -> Option<&'static Path> {
    OPENED.get().map(PathBuf::as_path)
}

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
        let _ = OPENED.set(path.clone());
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
        migrations::migrate(&mut conn, &path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// Opens the store in `data_dir` for reading only, as it is: None when there is none, or
    /// when its schema is not this build's. A writer's lock is waited for at most `busy`.
    pub fn open_read_only(data_dir: &Path, busy: Duration) -> Result<Option<Store>> {
        let path = data_dir.join("persona.db");
        if !path.is_file() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)?;
        conn.busy_timeout(busy)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        Ok((version == SCHEMA_VERSION).then(|| Store {
            conn: Mutex::new(conn),
            path,
        }))
    }

    /// The rows of `sql`, a query of two text columns (a name and its hint), with those of
    /// the parameters `:workspace`, `:owner`, `:prefix` and `:limit` that it names.
    fn name_hints(
        &self,
        sql: &str,
        workspace_id: &str,
        owner: &str,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<NameHint>> {
        let limit = limit as i64;
        let bound: [(&str, &dyn rusqlite::ToSql); 4] = [
            (":workspace", &workspace_id),
            (":owner", &owner),
            (":prefix", &prefix),
            (":limit", &limit),
        ];
        self.rows_of(sql, &bound, |row| Ok((row.get(0)?, row.get(1)?)))
    }

    /// The rows of `sql`, each read by `map`, with those of the named parameters `bound` that
    /// it uses (a query written for the filters given names only those).
    fn rows_of<T>(
        &self,
        sql: &str,
        bound: &[(&str, &dyn rusqlite::ToSql)],
        map: impl FnMut(&rusqlite::Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            for (name, value) in bound {
                if let Some(index) = stmt.parameter_index(name)? {
                    stmt.raw_bind_parameter(index, value)?;
                }
            }
            stmt.raw_query().mapped(map).collect()
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection, under its lock and outside any transaction: use `write` for
    /// reads that must agree with each other.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Runs `f` in an immediate transaction, committed when `f` returns `Ok`.
    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
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

fn parse_doc(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
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
}
