//! `--paginate`: a list followed by `next_cursor` to its last page and printed as it comes, one
//! JSON array of every page's items (or the filter's output for each page), so that memory
//! holds one page at a time.

use serde_json::Value;

use super::output::{Printer, error_of, read_body};
use crate::client::{ApiClient, Page, PageTrail, RawRequest};
use crate::error::{CliError, Result};

/// Prints every page of the list `request` reads. An error after the first page leaves the
/// array open, so that nothing reading it takes a part for the whole.
pub async fn print_every_page(
    client: &ApiClient,
    mut request: RawRequest,
    printer: &Printer<'_>,
) -> Result<()> {
    let pretty = printer.pretty();
    let mut trail = PageTrail::new("--paginate");
    let mut first_page = true;
    let mut written = 0usize;
    loop {
        let response = client.raw(&request).await?.response;
        if !response.status().is_success() {
            return Err(if first_page {
                printer.failure(response).await
            } else {
                error_of(response).await
            });
        }
        let body = read_body(response).await?;
        let page: Page<Value> = serde_json::from_slice(&body).map_err(|err| {
            CliError::general(format!(
                "--paginate follows lists, and the answer of {} is not a page of one ({{\"data\": [...], \"next_cursor\": ...}}): {err}",
                request.path
            ))
        })?;
        let count = page.data.len();
        if printer.has_filter() {
            printer.filtered(body).await?;
        } else {
            let mut chunk = String::new();
            if first_page {
                chunk.push('[');
            }
            for item in &page.data {
                if written > 0 {
                    chunk.push(',');
                }
                if pretty {
                    let text = serde_json::to_string_pretty(item).unwrap_or_default();
                    chunk.push_str("\n  ");
                    chunk.push_str(&text.replace('\n', "\n  "));
                } else {
                    chunk.push_str(&item.to_string());
                }
                written += 1;
            }
            printer.json_text(&chunk);
        }
        first_page = false;
        let Some(cursor) = trail.next(count, page.next_cursor)? else {
            break;
        };
        request.query.retain(|(name, _)| name != "cursor");
        request.query.push(("cursor".to_string(), cursor));
    }
    if !printer.has_filter() {
        printer.json_text(if pretty && written > 0 {
            "\n]\n"
        } else {
            "]\n"
        });
    }
    Ok(())
}
