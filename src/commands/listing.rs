//! What the list verbs share: the `--limit` and `--all` flags, and the table of the items
//! listed, each read from the server's JSON text.

use clap::Args;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::model::view_text;
use crate::output::Output;

/// How much of a list to fetch.
#[derive(Debug, Args)]
pub struct Paging {
    /// How many to list (1 to 100; with --all, the page size)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,

    /// Follow every page to the end
    #[arg(long)]
    pub all: bool,
}

/// `items` as a table under `headers`, a row each made by `row`; `empty` when there are none.
pub fn show_table<T: DeserializeOwned + Default>(
    output: &Output,
    items: &[Box<RawValue>],
    empty: &str,
    headers: &[&str],
    row: impl Fn(T) -> Vec<String>,
) {
    if items.is_empty() {
        output.info(empty);
        return;
    }
    let rows: Vec<Vec<String>> = items.iter().map(|raw| row(view_text(raw.get()))).collect();
    output.table(headers, &rows);
}
