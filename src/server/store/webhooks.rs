//! Store queries of webhooks: endpoints and their secrets, the fan-out of the outbox into one
//! delivery per subscribed endpoint, leased attempts, the dead-letter queue, replays, retention.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::outbox::outbox_row;
use super::{NameHint, OutboxEvent, Store, parse_doc};
use crate::clock;
use crate::server::ids;
use crate::server::webhooks::{TEST_EVENT, subscribes};

/// A webhook endpoint of a workspace.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    pub id: String,
    pub workspace_id: String,
    /// Where deliveries are POSTed; None for the endpoint of `persona webhooks listen`.
    pub url: Option<String>,
    /// Event types it wants, or `*`.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    /// The endpoint of one key's listen streams: its events go over SSE, not by POST.
    pub listen: bool,
    /// The outbox sequence number when it was created: it gets only later events.
    pub after_seq: i64,
    pub created_at: i64,
}

/// One event to deliver to one endpoint, with its attempts so far.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `succeeded`, or `failed` (the dead-letter queue).
    pub status: String,
    pub attempts: i64,
    /// When the next attempt is due (unix milliseconds), while pending.
    pub next_attempt_at_ms: Option<i64>,
    /// `[{attempt, at, status_code, error, duration_ms}]`.
    pub attempt_log: Value,
    /// The delivery this one replays.
    pub replay_of: Option<String>,
    pub event_created_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A delivery leased for one attempt, with what the attempt needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    pub url: String,
    pub secret: String,
    /// The number of this attempt, from 1.
    pub attempt: i64,
    pub event: OutboxEvent,
}

/// What one attempt gave.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    /// When it was sent (unix seconds; also the signature's timestamp).
    pub at: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, Copy)]
pub enum AfterAttempt {
    Succeeded,
    /// Pending, due again at this time (unix milliseconds).
    RetryAt(i64),
    /// The last attempt failed: into the dead-letter queue.
    DeadLetter,
}

/// Why a delivery cannot be replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayRefusal {
    NotFound,
    StillPending,
    TooOld,
}

/// Filters of the delivery list.
#[derive(Debug, Default)]
pub struct DeliveryFilter<'a> {
    pub status: Option<&'a str>,
    pub endpoint_id: Option<&'a str>,
}

#[cfg(test)]
impl WebhookEndpoint {
    /// For tests: an endpoint of `workspace_id` that wants every event, at `url` (a listen
    /// endpoint has none).
    pub(crate) fn wanting_all(workspace_id: &str, url: Option<&str>) -> Self {
        WebhookEndpoint {
            id: ids::new_id("whk"),
            workspace_id: workspace_id.to_string(),
            url: url.map(str::to_string),
            events: vec!["*".to_string()],
            description: None,
            secret: "whsec_test".to_string(),
            listen: false,
            after_seq: 0,
            created_at: 0,
        }
    }
}

const ENDPOINT_COLUMNS: &str =
    "id, workspace_id, url, events, description, secret, listen, after_seq, created_at";

const DELIVERY_COLUMNS: &str = "d.seq, d.id, d.endpoint_id, d.event_id, d.event_type, d.status,
    d.attempts, d.next_attempt_at, d.attempt_log, d.replay_of, COALESCE(o.created_at, 0),
    d.created_at, d.updated_at";

fn endpoint_row(row: &Row) -> rusqlite::Result<WebhookEndpoint> {
    let events: String = row.get(3)?;
    Ok(WebhookEndpoint {
        id: row.get(0)?,
        workspace_id: row.get(1)?,
        url: row.get(2)?,
        events: events.split_whitespace().map(String::from).collect(),
        description: row.get(4)?,
        secret: row.get(5)?,
        listen: row.get(6)?,
        after_seq: row.get(7)?,
        created_at: row.get(8)?,
    })
}

fn delivery_row(row: &Row) -> rusqlite::Result<(i64, Delivery)> {
    Ok((
        row.get(0)?,
        Delivery {
            id: row.get(1)?,
            endpoint_id: row.get(2)?,
            event_id: row.get(3)?,
            event_type: row.get(4)?,
            status: row.get(5)?,
            attempts: row.get(6)?,
            next_attempt_at_ms: row.get(7)?,
            attempt_log: parse_doc(row.get(8)?),
            replay_of: row.get(9)?,
            event_created_at: row.get(10)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        },
    ))
}

impl Store {
    // ---- webhook endpoints ---------------------------------------------------------------

    /// Stores a new endpoint; it receives the events recorded from now on.
    pub fn insert_webhook_endpoint(
        &self,
        mut endpoint: WebhookEndpoint,
    ) -> rusqlite::Result<WebhookEndpoint> {
        self.write(|tx| {
            endpoint.after_seq = Self::outbox_position_in(tx)?;
            tx.execute(
                "INSERT INTO webhook_endpoints (id, workspace_id, url, events, description, secret,
                    listen, after_seq, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8)",
                params![
                    endpoint.id,
                    endpoint.workspace_id,
                    endpoint.url,
                    endpoint.events.join(" "),
                    endpoint.description,
                    endpoint.secret,
                    endpoint.after_seq,
                    endpoint.created_at
                ],
            )?;
            Ok(endpoint)
        })
    }

    /// The listen endpoint of `key_id` in `workspace_id`, made from `new` the first time: one
    /// key keeps one signing secret across listen sessions until the endpoint is deleted.
    pub fn listen_endpoint(
        &self,
        key_id: &str,
        mut new: WebhookEndpoint,
    ) -> rusqlite::Result<WebhookEndpoint> {
        self.write(|tx| {
            let existing = tx
                .query_row(
                    &format!(
                        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints
                         WHERE workspace_id = ?1 AND owner_key_id = ?2 AND listen = 1"
                    ),
                    params![new.workspace_id, key_id],
                    endpoint_row,
                )
                .optional()?;
            if let Some(endpoint) = existing {
                return Ok(endpoint);
            }
            new.listen = true;
            new.after_seq = Self::outbox_position_in(tx)?;
            tx.execute(
                "INSERT INTO webhook_endpoints (id, workspace_id, url, events, description, secret,
                    listen, owner_key_id, after_seq, created_at)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, 1, ?6, ?7, ?8)",
                params![
                    new.id,
                    new.workspace_id,
                    new.events.join(" "),
                    new.description,
                    new.secret,
                    key_id,
                    new.after_seq,
                    new.created_at
                ],
            )?;
            Ok(new)
        })
    }

    /// Endpoints of a workspace, newest first; `before` is the cursor of the previous page.
    pub fn webhook_endpoints(
        &self,
        workspace_id: &str,
        limit: usize,
        before: Option<i64>,
    ) -> rusqlite::Result<Vec<(i64, WebhookEndpoint)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ENDPOINT_COLUMNS}, seq FROM webhook_endpoints
                 WHERE workspace_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
            ))?;
            let before = before.unwrap_or(i64::MAX);
            stmt.query_map(params![workspace_id, before, limit as i64], |row| {
                Ok((row.get(9)?, endpoint_row(row)?))
            })?
            .collect()
        })
    }

    /// The ids beginning with `prefix` of the endpoints of a workspace, newest first, at most
    /// `limit`, each with its URL (`listen` for the endpoint of `persona webhooks listen`).
    pub fn webhook_endpoint_names(
        &self,
        workspace_id: &str,
        prefix: &str,
        limit: usize,
    ) -> rusqlite::Result<Vec<NameHint>> {
        let sql = "SELECT id, COALESCE(url, 'listen') FROM webhook_endpoints
             WHERE workspace_id = :workspace AND substr(id, 1, length(:prefix)) = :prefix
             ORDER BY seq DESC LIMIT :limit";
        self.name_hints(sql, workspace_id, "", prefix, limit)
    }

    pub fn webhook_endpoint(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> rusqlite::Result<Option<WebhookEndpoint>> {
        self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints
                     WHERE id = ?1 AND workspace_id = ?2"
                ),
                params![id, workspace_id],
                endpoint_row,
            )
            .optional()
        })
    }

    /// Deletes an endpoint with its deliveries; false when there is no such endpoint.
    pub fn delete_webhook_endpoint(&self, workspace_id: &str, id: &str) -> rusqlite::Result<bool> {
        self.write(|tx| {
            let deleted = tx.execute(
                "DELETE FROM webhook_endpoints WHERE id = ?1 AND workspace_id = ?2",
                params![id, workspace_id],
            )?;
            if deleted > 0 {
                tx.execute(
                    "DELETE FROM webhook_deliveries WHERE endpoint_id = ?1",
                    [id],
                )?;
            }
            Ok(deleted > 0)
        })
    }

    // ---- events --------------------------------------------------------------------------

    /// Records `webhook.test` for one endpoint, with its delivery unless the endpoint is a
    /// listen endpoint (whose streams send it): the event id and the delivery id.
    pub fn send_test_event(
        &self,
        endpoint: &WebhookEndpoint,
        now_ms: i64,
    ) -> rusqlite::Result<(String, Option<String>)> {
        self.write(|tx| {
            let data = json!({
                "endpoint_id": endpoint.id,
                "message": "A test event sent by `persona webhooks test`.",
            });
            let event_id = Self::insert_outbox(tx, &endpoint.workspace_id, TEST_EVENT, &data)?;
            let delivery_id = if endpoint.listen {
                None
            } else {
                Some(Self::insert_delivery(
                    tx,
                    &endpoint.id,
                    &endpoint.workspace_id,
                    (&event_id, TEST_EVENT),
                    None,
                    now_ms,
                )?)
            };
            Ok((event_id, delivery_id))
        })
    }

    /// Turns up to `limit` new outbox events into deliveries, one per endpoint that wants the
    /// event and existed before it, and moves the fan-out position past them, in one
    /// transaction: each event is fanned out once, whichever server gets there first.
    pub fn fan_out_webhooks(&self, limit: usize, now_ms: i64) -> rusqlite::Result<usize> {
        let (position, newest) = self.read(|conn| {
            Ok((
                Self::fan_out_position(conn)?,
                Self::outbox_position_in(conn)?,
            ))
        })?;
        if newest <= position {
            return Ok(0);
        }
        self.write(|tx| {
            let position = Self::fan_out_position(tx)?;
            let events: Vec<(i64, String, String, String)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT seq, id, workspace_id, type FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )?;
                stmt.query_map(params![position, limit as i64], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()?
            };
            let mut created = 0;
            for (seq, event_id, workspace_id, kind) in &events {
                if kind == TEST_EVENT {
                    continue;
                }
                let endpoints: Vec<(String, String)> = {
                    let mut stmt = tx.prepare_cached(
                        "SELECT id, events FROM webhook_endpoints
                         WHERE workspace_id = ?1 AND listen = 0 AND after_seq < ?2 ORDER BY seq",
                    )?;
                    stmt.query_map(params![workspace_id, seq], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?
                };
                for (endpoint_id, wanted) in endpoints {
                    let wanted: Vec<String> =
                        wanted.split_whitespace().map(String::from).collect();
                    if subscribes(&wanted, kind) {
                        Self::insert_delivery(
                            tx,
                            &endpoint_id,
                            workspace_id,
                            (event_id, kind),
                            None,
                            now_ms,
                        )?;
                        created += 1;
                    }
                }
            }
            if let Some((last, ..)) = events.last() {
                tx.execute("UPDATE webhook_fanout SET after_seq = ?1 WHERE id = 1", [last])?;
            }
            Ok(created)
        })
    }

    // ---- deliveries ----------------------------------------------------------------------

    /// Leases up to `limit` due deliveries to `owner` until `lease_until_ms`: those whose lease
    /// is free, expired, or held by an owner that `is_dead` (a delivery in flight when its
    /// server died is attempted again).
    pub fn claim_deliveries(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
        is_dead: impl Fn(&str) -> bool,
    ) -> rusqlite::Result<Vec<DueDelivery>> {
        let candidates: Vec<(String, Option<String>, Option<i64>)> = self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, lease_owner, lease_expires_at FROM webhook_deliveries
                 WHERE status = 'pending' AND next_attempt_at <= ?1
                   AND (lease_owner IS NULL OR lease_owner != ?2 OR lease_expires_at < ?1)
                 ORDER BY next_attempt_at LIMIT ?3",
            )?;
            stmt.query_map(params![now_ms, owner, limit as i64], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect()
        })?;
        let free: Vec<(String, Option<String>)> = candidates
            .into_iter()
            .filter(|(_, holder, expires)| match holder {
                None => true,
                Some(holder) => expires.unwrap_or(0) < now_ms || is_dead(holder),
            })
            .map(|(id, holder, _)| (id, holder))
            .collect();
        if free.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|tx| {
            let mut claimed = Vec::new();
            for (id, holder) in &free {
                let taken = tx.execute(
                    "UPDATE webhook_deliveries SET lease_owner = ?2, lease_expires_at = ?3
                     WHERE id = ?1 AND status = 'pending' AND lease_owner IS ?4",
                    params![id, owner, lease_until_ms, holder],
                )?;
                if taken == 0 {
                    continue;
                }
                let due = tx
                    .query_row(
                        "SELECT o.seq, o.id, o.workspace_id, o.type, o.data, o.created_at, d.id,
                            e.url, e.secret, d.attempts + 1
                         FROM webhook_deliveries d
                         JOIN webhook_endpoints e ON e.id = d.endpoint_id
                         JOIN outbox o ON o.id = d.event_id
                         WHERE d.id = ?1 AND e.url IS NOT NULL",
                        [id],
                        |row| {
                            Ok(DueDelivery {
                                event: outbox_row(row)?,
                                id: row.get(6)?,
                                url: row.get(7)?,
                                secret: row.get(8)?,
                                attempt: row.get(9)?,
                            })
                        },
                    )
                    .optional()?;
                claimed.extend(due);
            }
            Ok(claimed)
        })
    }

    /// Records an attempt of a delivery that `owner` leased, and where the delivery goes
    /// next. False when the lease was lost meanwhile (nothing is written then).
    pub fn finish_attempt(
        &self,
        id: &str,
        owner: &str,
        record: &AttemptRecord,
        after: AfterAttempt,
    ) -> rusqlite::Result<bool> {
        let (status, next_attempt_at) = match after {
            AfterAttempt::Succeeded => ("succeeded", None),
            AfterAttempt::RetryAt(ms) => ("pending", Some(ms)),
            AfterAttempt::DeadLetter => ("failed", None),
        };
        self.write(|tx| {
            let attempt: i64 = tx
                .query_row(
                    "SELECT attempts + 1 FROM webhook_deliveries
                     WHERE id = ?1 AND lease_owner = ?2 AND status = 'pending'",
                    params![id, owner],
                    |row| row.get(0),
                )
                .optional()?
                .unwrap_or(0);
            if attempt == 0 {
                return Ok(false);
            }
            let entry = json!({
                "attempt": attempt,
                "at": clock::rfc3339(record.at),
                "status_code": record.status_code,
                "error": record.error,
                "duration_ms": record.duration_ms,
            });
            tx.execute(
                "UPDATE webhook_deliveries SET attempts = ?3, status = ?4, next_attempt_at = ?5,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = ?6,
                    attempt_log = json_insert(attempt_log, '$[#]', json(?7))
                 WHERE id = ?1 AND lease_owner = ?2",
                params![
                    id,
                    owner,
                    attempt,
                    status,
                    next_attempt_at,
                    clock::now(),
                    entry.to_string()
                ],
            )?;
            Ok(true)
        })
    }

    /// Deliveries of a workspace, newest first; `before` is the cursor of the previous page.
    pub fn deliveries(
        &self,
        workspace_id: &str,
        filter: &DeliveryFilter,
        limit: usize,
        before: Option<i64>,
    ) -> rusqlite::Result<Vec<(i64, Delivery)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
                 LEFT JOIN outbox o ON o.id = d.event_id
                 WHERE d.workspace_id = ?1 AND (?2 IS NULL OR d.status = ?2)
                   AND (?3 IS NULL OR d.endpoint_id = ?3) AND d.seq < ?4
                 ORDER BY d.seq DESC LIMIT ?5"
            ))?;
            stmt.query_map(
                params![
                    workspace_id,
                    filter.status,
                    filter.endpoint_id,
                    before.unwrap_or(i64::MAX),
                    limit as i64
                ],
                delivery_row,
            )?
            .collect()
        })
    }

    pub fn delivery(&self, workspace_id: &str, id: &str) -> rusqlite::Result<Option<Delivery>> {
        self.read(|conn| Self::delivery_in(conn, workspace_id, id))
    }

    /// A new pending delivery of the same event to the same endpoint, if the delivery is
    /// finished (delivered or dead-lettered) and its event is not older than `oldest_event`.
    pub fn replay_delivery(
        &self,
        workspace_id: &str,
        id: &str,
        oldest_event: i64,
        now_ms: i64,
    ) -> rusqlite::Result<Result<Delivery, ReplayRefusal>> {
        self.write(|tx| {
            let Some(original) = Self::delivery_in(tx, workspace_id, id)? else {
                return Ok(Err(ReplayRefusal::NotFound));
            };
            if original.status == "pending" {
                return Ok(Err(ReplayRefusal::StillPending));
            }
            if original.event_created_at < oldest_event {
                return Ok(Err(ReplayRefusal::TooOld));
            }
            let replay_id = Self::insert_delivery(
                tx,
                &original.endpoint_id,
                workspace_id,
                (&original.event_id, &original.event_type),
                Some(&original.id),
                now_ms,
            )?;
            Self::delivery_in(tx, workspace_id, &replay_id)?
                .map(Ok)
                .ok_or(rusqlite::Error::QueryReturnedNoRows)
        })
    }

    /// Forgets up to `limit` outbox events that nobody may need any more, with their
    /// deliveries, and returns how many went: events fanned out before any endpoint of their
    /// workspace (a webhook or a listen stream) existed to want them, and events older than
    /// `kept_since` (unix seconds) none of whose deliveries is still being attempted.
    pub fn prune_events(&self, kept_since: i64, limit: usize) -> rusqlite::Result<usize> {
        self.write(|tx| {
            let fanned = Self::fan_out_position(tx)?;
            let mut doomed: Vec<(i64, String)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT o.seq, o.id FROM outbox o
                     WHERE o.created_at < ?1 AND o.seq <= ?2
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                                       WHERE d.event_id = o.id AND d.status = 'pending')
                     ORDER BY o.created_at LIMIT ?3",
                )?;
                stmt.query_map(params![kept_since, fanned, limit as i64], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?
            };
            // Per workspace, the events before its first endpoint: no delivery or stream will
            // ever read them.
            let unwanted: Vec<(String, i64)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT w.id, MIN(?1, COALESCE((SELECT MIN(e.after_seq) FROM webhook_endpoints e
                                                     WHERE e.workspace_id = w.id), ?1))
                     FROM workspaces w",
                )?;
                stmt.query_map([fanned], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            for (workspace_id, through) in unwanted {
                let room = limit.saturating_sub(doomed.len());
                if room == 0 {
                    break;
                }
                let mut stmt = tx.prepare_cached(
                    "SELECT seq, id FROM outbox WHERE workspace_id = ?1 AND seq <= ?2
                     ORDER BY seq LIMIT ?3",
                )?;
                let rows = stmt.query_map(params![workspace_id, through, room as i64], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?;
                for row in rows {
                    let row: (i64, String) = row?;
                    if !doomed.contains(&row) {
                        doomed.push(row);
                    }
                }
            }
            for (seq, id) in &doomed {
                tx.execute("DELETE FROM webhook_deliveries WHERE event_id = ?1", [id])?;
                tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            }
            Ok(doomed.len())
        })
    }

    // ---- shared by the queries above ---------------------------------------------------------

    /// Adds a pending delivery, due at `now_ms`; returns its id.
    fn insert_delivery(
        tx: &Connection,
        endpoint_id: &str,
        workspace_id: &str,
        event: (&str, &str),
        replay_of: Option<&str>,
        now_ms: i64,
    ) -> rusqlite::Result<String> {
        let id = ids::new_id("dlv");
        tx.execute(
            "INSERT INTO webhook_deliveries (id, endpoint_id, workspace_id, event_id, event_type,
                replay_of, status, next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?8)",
            params![
                id,
                endpoint_id,
                workspace_id,
                event.0,
                event.1,
                replay_of,
                now_ms,
                now_ms / 1000
            ],
        )?;
        Ok(id)
    }

    /// [`Store::delivery`] inside a transaction.
    fn delivery_in(
        conn: &Connection,
        workspace_id: &str,
        id: &str,
    ) -> rusqlite::Result<Option<Delivery>> {
        conn.query_row(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
                 LEFT JOIN outbox o ON o.id = d.event_id WHERE d.id = ?1 AND d.workspace_id = ?2"
            ),
            params![id, workspace_id],
            delivery_row,
        )
        .optional()
        .map(|found| found.map(|(_, delivery)| delivery))
    }

    /// How far the outbox has been fanned out into deliveries.
    fn fan_out_position(conn: &Connection) -> rusqlite::Result<i64> {
        conn.query_row(
            "SELECT after_seq FROM webhook_fanout WHERE id = 1",
            [],
            |row| row.get(0),
        )
    }
}
