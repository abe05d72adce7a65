//! For tests of what the store's queries cost: the statements a piece of work runs, the query
//! plan of each, and the virtual-machine steps it takes, which grow with the rows it reads.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::trace::{TraceEvent, TraceEventCodes};

use super::Store;

/// What a piece of work did to the store.
#[derive(Debug, Default)]
pub struct Probe {
    /// Each statement run, its parameters written in.
    pub statements: Vec<String>,
    /// Virtual-machine steps of all of them, in hundreds.
    pub steps: u64,
}

thread_local! {
    static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn record(event: TraceEvent<'_>) {
    if let TraceEvent::Stmt(statement, text) = event
        // A trigger's statements come as comments; the statement that fired it is recorded.
        && !text.starts_with("--")
    {
        let sql = statement.expanded_sql().unwrap_or_else(|| text.to_string());
        STATEMENTS.with(|statements| statements.borrow_mut().push(sql));
    }
}

impl Store {
    /// Runs `work` (on this thread) and reports what it did to the store.
    pub fn probe<T>(&self, work: impl FnOnce(&Store) -> T) -> (T, Probe) {
        let steps = Arc::new(AtomicU64::new(0));
        self.read(|conn| {
            STATEMENTS.with(|statements| statements.borrow_mut().clear());
            conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
            let counter = steps.clone();
            conn.progress_handler(
                100,
                Some(move || {
                    counter.fetch_add(1, Ordering::Relaxed);
                    false
                }),
            );
            Ok(())
        })
        .unwrap();
        let value = work(self);
        self.read(|conn| {
            conn.trace_v2(TraceEventCodes::empty(), None);
            conn.progress_handler(0, None::<fn() -> bool>);
            Ok(())
        })
        .unwrap();
        let statements = STATEMENTS.with(|statements| statements.take());
        let probe = Probe {
            statements,
            steps: steps.load(Ordering::Relaxed),
        };
        (value, probe)
    }

    /// The query plan of `sql` (`EXPLAIN QUERY PLAN`), one line per step.
    pub fn query_plan(&self, sql: &str) -> Vec<String> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            stmt.query_map([], |row| row.get::<_, String>(3))?.collect()
        })
        .unwrap()
    }
}
