//! The embedded Persona API: a real implementation of the contract over a SQLite store, used
//! by the `local` profile in-process, by `persona dev serve`, and by every test.
//!
//! Routes (see `routes::table`, documented in `routes/openapi.json`):
//!
//! | method | path | scope |
//! |---|---|---|
//! | GET | /v1/openapi.json | none |
//! | GET | /v1/auth/whoami | any key |
//! | DELETE | /v1/auth/keys/current | any key |
//! | POST | /v1/auth/device/code, /v1/auth/device/token | none |
//! | GET, POST | /cli/activate (HTML) | a browser session (`signin`) |
//! | GET | /cli/signin (HTML) | a one-time sign-in link |
//! | POST, GET | /v1/personas | personas:write, personas:read |
//! | GET, PATCH | /v1/personas/{ref} | personas:read, personas:write |
//! | GET | /v1/personas/{ref}/versions | personas:read |
//! | POST | /v1/personas/{ref}/fork | personas:fork |
//! | POST | /v1/personas/{ref}/archive, /v1/personas/{ref}/unarchive | personas:write |
//! | GET | /v1/runs, /v1/runs/{id}, /v1/runs/{id}/events | runs:read |
//! | POST | /v1/runs/{id}/cancel | runs:cancel |
//! | POST | /v1/chat/conversations, /v1/chat/conversations/{id}/messages | chat:invoke |
//! | GET | /v1/chat/conversations/{id} | chat:read |
//! | GET | /v1/openai/models, /v1/openai/models/{model} | personas:read |
//! | POST | /v1/openai/chat/completions, /v1/openai/embeddings, /v1/openai/moderations | chat:invoke |
//! | POST, GET | /v1/webhooks | webhooks:manage |
//! | DELETE | /v1/webhooks/{id} | webhooks:manage |
//! | POST | /v1/webhooks/{id}/test, /v1/webhooks/deliveries/{id}/replay | webhooks:manage |
//! | GET | /v1/webhooks/deliveries, /v1/webhooks/deliveries/{id} | webhooks:manage |
//! | GET | /v1/webhooks/listen (SSE) | webhooks:manage |

pub mod chat;
mod compute;
mod conn;
mod cors;
pub mod engine;
mod english;
mod error;
mod events;
mod http;
mod idempotency;
pub mod ids;
mod keywatch;
mod mcp;
mod moderation;
mod personas;
pub mod ratelimit;
pub mod retention;
mod routes;
mod runner;
pub mod signin;
pub mod store;
pub mod webhooks;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::clock;
use engine::model::ModelClient;
use engine::{Engine, ModelEngine, ModelSettings, OfflineEngine};
use ratelimit::{AddressLimiter, Plan, RateLimiter};
use store::{KeyRecord, Store};

pub use conn::ConnectionLimits;
pub use routes::OPENAPI_JSON;
pub use store::OpenError;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The workspace every store has, for use without an account.
pub const LOCAL_WORKSPACE_ID: &str = "ws_local";
/// The owner of the embedded server's keys (unless `dev keys create --owner` names another),
/// its browser sessions and its shell approvals: the person running it.
pub const LOCAL_OWNER: &str = "local";
const LOCAL_WORKSPACE_NAME: &str = "Local workspace";
const LOCAL_KEY_ID: &str = "key_local_dev";

pub use crate::model::ALL_SCOPES;

/// How a server is set up.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub plan: Plan,
    /// Length of the rate-limit window in seconds (60 in production; shorter in tests).
    pub rate_window_seconds: u32,
    /// Pause after each pipeline step (zero by default; lets people and tests watch a run live).
    pub step_delay: Duration,
    /// Idle time after which an event stream sends a `: keepalive` comment.
    pub keepalive: Duration,
    /// Nominal price the offline engine charges, in USD per 1,000 tokens.
    pub usd_per_1k_tokens: f64,
    /// Log one line per request on stderr.
    pub log_requests: bool,
    /// How long a device login code stays usable (`expires_in`).
    pub device_code_ttl: Duration,
    /// The least time between two polls of one device code (`interval`, whole seconds).
    pub device_poll_interval: Duration,
    /// An OpenAI-compatible model server for chat and generation; `None`: the offline engines.
    pub model: Option<ModelSettings>,
    /// Waits between the attempts of a webhook delivery: one attempt more than waits, then
    /// the dead-letter queue.
    pub webhook_retry_schedule: Vec<Duration>,
    /// Whether webhooks may target loopback and private-range addresses even when this server
    /// listens on another address than loopback.
    pub allow_private_webhooks: bool,
    /// Timeouts of client connections, and how many may be open.
    pub connections: ConnectionLimits,
    /// How long webhook events and their deliveries are kept (and a delivery can be replayed)
    /// once no endpoint is still attempting them.
    pub retention: Duration,
}

impl ServerConfig {
    pub fn new(data_dir: PathBuf) -> Self {
        ServerConfig {
            data_dir,
            plan: Plan::Unlimited,
            rate_window_seconds: 60,
            step_delay: Duration::ZERO,
            keepalive: Duration::from_secs(15),
            usd_per_1k_tokens: 0.04,
            log_requests: false,
            device_code_ttl: Duration::from_secs(900),
            device_poll_interval: Duration::from_secs(5),
            model: None,
            webhook_retry_schedule: webhooks::DEFAULT_RETRY_SCHEDULE.to_vec(),
            allow_private_webhooks: false,
            connections: ConnectionLimits::default(),
            retention: Duration::from_secs(retention::DEFAULT_RETENTION_DAYS * clock::DAY as u64),
        }
    }
}

/// What every handler shares.
pub struct AppState {
    store: Store,
    engine: Box<dyn Engine>,
    /// Answers chat turns and embeds text.
    chat: Box<dyn chat::ChatEngine>,
    hub: events::EventHub,
    limiter: RateLimiter,
    /// Per-address limits on what needs no key (device logins, guessed codes).
    address_limits: AddressLimiter,
    config: ServerConfig,
    /// Keys valid only while this server runs (hash → key), such as the development key.
    session_keys: Mutex<HashMap<String, KeyRecord>>,
    /// The address this server listens on.
    addr: SocketAddr,
    /// Lease owner name of this server: `pid:<pid>:<random>`.
    instance_id: String,
    stopping: AtomicBool,
    /// Bumped on every revocation by this server, to wake the streams that end with their key.
    revocations: watch::Sender<u64>,
}

impl AppState {
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    fn session_key(&self, secret_hash: &str) -> Option<KeyRecord> {
        let keys = self.session_keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.get(secret_hash).cloned()
    }

    /// Revokes the key `key_id`, whether it lives in this server's memory or in the store.
    fn revoke_key(&self, key_id: &str) -> store::Result<bool> {
        let now = clock::now();
        let mut keys = self.session_keys.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(key) = keys.values_mut().find(|key| key.id == key_id) {
            key.revoked_at.get_or_insert(now);
            drop(keys);
            self.revocations.send_modify(|n| *n += 1);
            return Ok(true);
        }
        drop(keys);
        let revoked = self.store.revoke_key(key_id, now)?;
        self.revocations.send_modify(|n| *n += 1);
        Ok(revoked)
    }

    /// Whether the key `key_id` is still valid: neither revoked nor expired, here or in the
    /// store (where another process may have revoked it).
    fn key_in_force(&self, key_id: &str) -> store::Result<bool> {
        let keys = self.session_keys.lock().unwrap_or_else(|p| p.into_inner());
        let validity = match keys.values().find(|key| key.id == key_id) {
            Some(key) => Some((key.revoked_at, key.expires_at)),
            None => {
                drop(keys);
                self.store.key_validity(key_id)?
            }
        };
        Ok(validity.is_some_and(|(revoked_at, expires_at)| {
            revoked_at.is_none() && expires_at > clock::now()
        }))
    }
}

/// Lease owners of the servers alive in this process.
static LIVE_INSTANCES: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn set_instance_live(instance_id: &str, live: bool) {
    let mut instances = LIVE_INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
    let instances = instances.get_or_insert_with(HashSet::new);
    if live {
        instances.insert(instance_id.to_string());
    } else {
        instances.remove(instance_id);
    }
}

fn instance_is_live(instance_id: &str) -> bool {
    LIVE_INSTANCES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .is_some_and(|instances| instances.contains(instance_id))
}

/// A running server.
pub struct ServerHandle {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// A key valid while this server runs, with every scope on the local workspace.
    pub dev_key: String,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    /// A key valid while this server runs, with every scope on `workspace_id`, which is created
    /// in the store when new: the embedded server of the `local` profile serves whichever
    /// workspace its one user names (`--workspace`, PERSONA_WORKSPACE).
    pub fn session_key_for(&self, workspace_id: &str) -> store::Result<String> {
        if workspace_id == LOCAL_WORKSPACE_ID {
            return Ok(self.dev_key.clone());
        }
        // A workspace made live (`persona dev keys create --mode live`) takes live keys.
        let mode = match self.state.store.workspace(workspace_id)? {
            Some(existing) => existing.mode,
            None => "test".to_string(),
        };
        self.state
            .store
            .ensure_workspace(workspace_id, &workspace_name(workspace_id), &mode)?;
        let scopes: Vec<String> = ALL_SCOPES.iter().map(|s| s.to_string()).collect();
        let (key, mut record) = new_key(workspace_id, &mode, &scopes, LOCAL_OWNER, 90);
        // One owner per workspace across runs, as for the local workspace: private personas
        // made by one invocation stay visible to the next.
        record.id = format!("{LOCAL_KEY_ID}_{workspace_id}");
        self.state
            .session_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(ids::hash_secret(&key), record);
        Ok(key)
    }

    /// A new one-time link that signs a browser in to approve device logins, as `local`.
    pub fn signin_url(&self) -> store::Result<String> {
        let secret = signin::mint_link(&self.state.store, LOCAL_OWNER)?;
        Ok(signin::link_url(&self.addr.to_string(), &secret))
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Stops accepting, ends open streams, and hands unfinished runs to the next server.
    pub async fn shutdown(mut self) {
        self.state.stopping.store(true, Ordering::Relaxed);
        self.state.hub.notify();
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut self.served)
            .await
            .is_err()
        {
            self.served.abort();
        }
        let _ = self.state.store.release_leases(&self.state.instance_id);
        set_instance_live(&self.state.instance_id, false);
    }
}

/// Opens the store of `config.data_dir`, binds `addr` and serves until `shutdown`.
pub async fn spawn(config: ServerConfig, addr: SocketAddr) -> Result<ServerHandle, SpawnError> {
    let (engine, chat) = engines(config.model.clone()).map_err(SpawnError::Model)?;
    let store = Store::open(&config.data_dir).map_err(SpawnError::Store)?;
    store
        .ensure_workspace(LOCAL_WORKSPACE_ID, LOCAL_WORKSPACE_NAME, "test")
        .map_err(|e| SpawnError::Store(OpenError::Sqlite(store.path().to_path_buf(), e)))?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| SpawnError::Bind(addr, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| SpawnError::Bind(addr, e))?;

    let scopes: Vec<String> = ALL_SCOPES.iter().map(|s| s.to_string()).collect();
    let (dev_key, mut dev_record) = new_key(LOCAL_WORKSPACE_ID, "test", &scopes, LOCAL_OWNER, 90);
    dev_record.id = LOCAL_KEY_ID.to_string();
    let instance_id = format!("pid:{}:{}", std::process::id(), ids::base62(8));
    set_instance_live(&instance_id, true);
    let state = Arc::new(AppState {
        store,
        engine,
        chat,
        hub: events::EventHub::default(),
        limiter: RateLimiter::new(config.plan, config.rate_window_seconds),
        address_limits: AddressLimiter::default(),
        config,
        addr,
        session_keys: Mutex::new(HashMap::from([(ids::hash_secret(&dev_key), dev_record)])),
        instance_id,
        stopping: AtomicBool::new(false),
        revocations: watch::channel(0).0,
    });

    let router = router(state.clone());
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let served = tokio::spawn(conn::serve(
        listener,
        router,
        state.config.connections.clone(),
        shutdown_rx,
    ));
    tokio::spawn(runner::sweep_forever(state.clone()));
    tokio::spawn(webhooks::worker::deliver_forever(state.clone()));
    tokio::spawn(retention::prune_forever(state.clone()));
    Ok(ServerHandle {
        addr,
        dev_key,
        state,
        shutdown: Some(shutdown_tx),
        served,
    })
}

/// The engine that writes personas and the one that answers chat turns.
type Engines = (Box<dyn Engine>, Box<dyn chat::ChatEngine>);

/// The generation and chat engines: both talk to the model server when one is set, else both
/// are offline.
fn engines(model: Option<ModelSettings>) -> Result<Engines, String> {
    Ok(match model {
        Some(settings) => {
            let client = ModelClient::new(settings)?;
            (
                Box::new(ModelEngine::new(client.clone())),
                Box::new(chat::model::ModelChat::new(client)),
            )
        }
        None => (Box::new(OfflineEngine), Box::new(chat::OfflineChat)),
    })
}

/// `METHOD /path` of every route the router serves.
pub fn route_list() -> Vec<String> {
    routes::table()
        .into_iter()
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect()
}

fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in routes::table() {
        router = router.route(path, handler);
    }
    router
        .merge(mcp::router())
        .fallback(http::unknown_route)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::envelope,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Why a server could not start.
#[derive(Debug)]
pub enum SpawnError {
    Store(OpenError),
    Bind(SocketAddr, std::io::Error),
    /// The model server's settings cannot be used.
    Model(String),
}

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpawnError::Store(err) => err.fmt(f),
            SpawnError::Bind(addr, err) => write!(f, "cannot listen on {addr}: {err}"),
            SpawnError::Model(err) => f.write_str(err),
        }
    }
}

impl std::error::Error for SpawnError {}

/// Creates a key that outlives the server (for `persona dev keys create`): returns the secret,
/// which is shown once and stored only as a hash. Creates the workspace if it is new.
pub fn create_key(
    store: &Store,
    workspace_id: &str,
    mode: &str,
    scopes: &[String],
    owner: &str,
    expires_in_days: i64,
) -> store::Result<(String, KeyRecord)> {
    store.ensure_workspace(workspace_id, &workspace_name(workspace_id), mode)?;
    let (secret, record) = new_key(workspace_id, mode, scopes, owner, expires_in_days);
    store.insert_key(&record, &ids::hash_secret(&secret))?;
    Ok((secret, record))
}

/// Whether `text` is a workspace id: `ws_` then letters, digits or `_`.
pub fn is_workspace_id(text: &str) -> bool {
    text.strip_prefix("ws_").is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The name a workspace made locally gets: `ws_acme_studio` → `acme studio`.
fn workspace_name(workspace_id: &str) -> String {
    if workspace_id == LOCAL_WORKSPACE_ID {
        LOCAL_WORKSPACE_NAME.to_string()
    } else {
        workspace_id
            .strip_prefix("ws_")
            .unwrap_or(workspace_id)
            .replace('_', " ")
    }
}

/// A new key secret and its record, not yet stored.
fn new_key(
    workspace_id: &str,
    mode: &str,
    scopes: &[String],
    owner: &str,
    expires_in_days: i64,
) -> (String, KeyRecord) {
    let now = clock::now();
    let record = KeyRecord {
        id: ids::new_id("key"),
        workspace_id: workspace_id.to_string(),
        mode: mode.to_string(),
        scopes: scopes.to_vec(),
        user_email: "developer@localhost".to_string(),
        owner: owner.to_string(),
        created_at: now,
        expires_at: now + expires_in_days * clock::DAY,
        revoked_at: None,
    };
    (ids::new_key_secret(mode), record)
}
