//! The bridge's connection to the remote server: opened by the host's `initialize`, reopened with
//! backoff (replaying that `initialize`) after a drop or an expired session, closed at exit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

use super::jsonrpc;
use super::outbox::{Log, Outbox};
use super::remote::{self, Detected, Dial, LinkError, Session, TransportChoice};
use super::target::Target;
use crate::model::jsonrpc::{AUTH_REFUSED, INVALID_REQUEST, METHOD_NOT_FOUND, UNAVAILABLE};

/// How long the host's `initialize` keeps trying a server that refuses connections.
const FIRST_CONNECT_WINDOW: Duration = Duration::from_secs(3);
/// How long a request waits for a connection being reopened before failing.
const WAIT_FOR_LINK: Duration = Duration::from_secs(10);
/// The first and the longest pause between two reconnection attempts.
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

#[derive(Clone)]
enum State {
    /// No `initialize` from the host yet.
    Unopened,
    Connecting,
    /// A session, numbered so a late report about an older one changes nothing.
    Up(u64, Arc<Session>),
    /// Not connected; `retrying` while a reconnection loop runs.
    Down {
        error: LinkError,
        retrying: bool,
    },
    Closed,
}

/// The host's `initialize` request, and whether it went on with `notifications/initialized`.
#[derive(Clone)]
struct Memo {
    request: Value,
    initialized: bool,
}

pub struct Link {
    target: Target,
    choice: TransportChoice,
    http: reqwest::Client,
    log: Log,
    outbox: Outbox,
    state: watch::Sender<State>,
    memo: Mutex<Option<Memo>>,
    detected: Mutex<Option<Detected>>,
    key_source: Mutex<String>,
    /// The key stateless requests use: read at the first, and again after a refusal.
    stateless_key: Mutex<Option<Option<String>>>,
    serial: AtomicU64,
    /// Bumped by each `initialize` from the host, so an older reconnection loop steps aside.
    epoch: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Link {
    pub fn new(
        target: Target,
        choice: TransportChoice,
        log: Log,
        outbox: Outbox,
    ) -> Result<Arc<Link>, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("persona-cli/", env!("CARGO_PKG_VERSION"), " mcp"));
        if target.url.scheme() == "http" {
            // Plain HTTP to loopback: no need to load the system's certificate store.
            builder = builder.tls_certs_only(Vec::new());
        }
        let http = builder
            .build()
            .map_err(|err| format!("cannot set up HTTP: {err}"))?;
        Ok(Arc::new(Link {
            target,
            choice,
            http,
            log,
            outbox,
            state: watch::Sender::new(State::Unopened),
            memo: Mutex::new(None),
            detected: Mutex::new(None),
            key_source: Mutex::new(String::new()),
            stateless_key: Mutex::new(None),
            serial: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
        }))
    }

    /// Whether the host has sent `initialize`.
    pub fn opened(&self) -> bool {
        lock(&self.memo).is_some()
    }

    /// Answers the host's `initialize`: opens a session with it (retrying a refused connection
    /// for a few seconds) and gives the server's answer, or an error answer. The request counts
    /// at once, before the returned future runs, so messages the host sends right after it wait
    /// for this connection instead of being refused.
    pub fn initialize(
        self: &Arc<Self>,
        request: Value,
    ) -> impl Future<Output = Value> + Send + 'static {
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        *lock(&self.memo) = Some(Memo {
            request: request.clone(),
            initialized: false,
        });
        let previous = self.set(epoch, State::Connecting);
        let link = self.clone();
        async move {
            if let State::Up(_, session) = previous {
                session.close().await;
            }
            link.connect_first(epoch, request).await
        }
    }

    async fn connect_first(self: &Arc<Self>, epoch: u64, request: Value) -> Value {
        let started = Instant::now();
        let mut delay = FIRST_DELAY;
        loop {
            match self.open(&request).await {
                Ok((serial, session, answer)) => {
                    if let Some(error) = answer.get("error") {
                        session.close().await;
                        let detail = format!("the server refused `initialize`: {error}");
                        self.set(epoch, down(LinkError::Failed(detail), false));
                    } else {
                        let session = Arc::new(session);
                        if let State::Closed = self.set(epoch, State::Up(serial, session.clone())) {
                            session.close().await;
                        } else {
                            self.log.info(format!("connected to {}", self.describe()));
                        }
                    }
                    return answer;
                }
                Err(LinkError::Unreachable(detail))
                    if started.elapsed() + delay < FIRST_CONNECT_WINDOW =>
                {
                    self.log.debug(format!("{detail}; trying again"));
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(error) => {
                    self.set(epoch, down(error.clone(), false));
                    let answer = self.error_answer(jsonrpc::id(&request), &error);
                    self.log
                        .warn(answer["error"]["message"].as_str().unwrap_or(""));
                    return answer;
                }
            }
        }
    }

    /// Whether the remote may take stateless requests (2026-07-28): not over HTTP+SSE.
    pub fn may_be_stateless(&self) -> bool {
        self.choice != TransportChoice::Sse && *lock(&self.detected) != Some(Detected::Sse)
    }

    /// Answers a request of the stateless era, `server/discover` included: each goes on its own,
    /// with no session to keep, and is never repeated.
    pub async fn stateless(self: &Arc<Self>, request: Value) -> Value {
        let id = jsonrpc::id(&request);
        let method = request["method"].as_str().unwrap_or("").to_string();
        let cached = lock(&self.stateless_key).clone();
        let secret = match cached {
            Some(secret) => secret,
            None => match self.target.key().await {
                Ok(key) => {
                    if let Some(secret) = &key.secret {
                        self.log.keep_secret(secret);
                    }
                    *lock(&self.key_source) = key.source;
                    *lock(&self.stateless_key) = Some(key.secret.clone());
                    self.log
                        .info(format!("stateless requests go to {}", self.describe()));
                    key.secret
                }
                Err(error) => return self.error_answer(id, &error),
            },
        };
        let dial = Dial {
            http: &self.http,
            url: &self.target.url,
            key: secret.as_deref(),
            workspace: self.target.workspace.as_deref(),
            log: &self.log,
            outbox: &self.outbox,
        };
        match remote::stateless(&dial, &request).await {
            Ok(answer) => answer,
            Err(LinkError::Failed(detail)) if method == "server/discover" => jsonrpc::error(
                id,
                METHOD_NOT_FOUND,
                format!(
                    "server/discover is not available: the MCP server at {} keeps sessions ({detail}); \
                     send `initialize`",
                    self.target.url
                ),
                None,
            ),
            Err(error) => {
                if let LinkError::Auth(_) = error {
                    lock(&self.stateless_key).take();
                }
                self.error_answer(id, &error)
            }
        }
    }

    /// Answers one request of the host through the remote server. A request is never repeated
    /// after it may have reached the server; one the server never saw (its session had expired)
    /// is sent again on the new session, except `tools/call`.
    pub async fn call(self: &Arc<Self>, request: Value) -> Value {
        let id = jsonrpc::id(&request);
        let method = request["method"].as_str().unwrap_or("").to_string();
        let mut repeated = false;
        loop {
            let (serial, session) = match self.session().await {
                Ok(up) => up,
                Err(error) => return self.error_answer(id, &error),
            };
            match session.request(&request).await {
                Ok(answer) => return answer,
                Err(LinkError::SessionGone) => {
                    self.lost(serial, LinkError::SessionGone);
                    if method != "tools/call" && !repeated {
                        repeated = true;
                        continue;
                    }
                    return jsonrpc::error(
                        id,
                        UNAVAILABLE,
                        format!(
                            "the MCP session at {} had expired, so `{method}` did not run; the \
                             bridge opened a new session but does not repeat tool calls by itself: \
                             call the tool again",
                            self.target.url
                        ),
                        None,
                    );
                }
                Err(LinkError::Unreachable(detail)) => {
                    self.lost(serial, LinkError::Unreachable(detail.clone()));
                    return jsonrpc::error(
                        id,
                        UNAVAILABLE,
                        format!(
                            "the connection to the Persona MCP server at {} broke while `{method}` \
                             was in flight ({detail}); it was not repeated. The bridge is \
                             reconnecting: send it again",
                            self.target.url
                        ),
                        None,
                    );
                }
                Err(error) => {
                    if matches!(error, LinkError::Auth(_)) {
                        self.lost(serial, error.clone());
                    }
                    return self.error_answer(id, &error);
                }
            }
        }
    }

    /// Passes a notification, or the host's answer to a server request, to the server when
    /// connected; drops it otherwise (it belonged to a session that is gone).
    pub async fn notify(self: &Arc<Self>, message: &Value) {
        let initialized = message["method"] == "notifications/initialized";
        if initialized && let Some(memo) = lock(&self.memo).as_mut() {
            memo.initialized = true;
        }
        let current = self.state.borrow().clone();
        let up = match current {
            State::Up(serial, session) => Some((serial, session)),
            // The host may not wait for the answer to `initialize` before it goes on.
            State::Connecting => self.until_up().await,
            _ => None,
        };
        let Some((serial, session)) = up else {
            self.log.debug(format!(
                "not connected: dropped {}",
                jsonrpc::summary(message)
            ));
            return;
        };
        match session.send(message).await {
            Ok(()) if initialized => session.listen(),
            Ok(()) => {}
            Err(
                error @ (LinkError::Unreachable(_) | LinkError::SessionGone | LinkError::Auth(_)),
            ) => self.lost(serial, error),
            Err(error) => self.log.warn(format!(
                "the server did not take {}: {}",
                jsonrpc::summary(message),
                error.detail()
            )),
        }
    }

    /// Ends the session at exit.
    pub async fn close(&self) {
        if let State::Up(_, session) = self.state.send_replace(State::Closed) {
            session.close().await;
        }
    }

    /// Sets the state unless the bridge is closing or a newer `initialize` took over, and gives
    /// the state it replaced (`Closed` when it was refused).
    fn set(&self, epoch: u64, state: State) -> State {
        let mut previous = None;
        self.state.send_if_modified(|current| {
            if matches!(current, State::Closed) || self.epoch.load(Ordering::SeqCst) != epoch {
                return false;
            }
            previous = Some(std::mem::replace(current, state.clone()));
            true
        });
        previous.unwrap_or(State::Closed)
    }

    /// Opens a session with an `initialize` request, reading the key again.
    async fn open(self: &Arc<Self>, init: &Value) -> Result<(u64, Session, Value), LinkError> {
        let key = self.target.key().await?;
        if let Some(secret) = &key.secret {
            self.log.keep_secret(secret);
        }
        *lock(&self.key_source) = key.source;
        let serial = self.serial.fetch_add(1, Ordering::SeqCst) + 1;
        let weak = Arc::downgrade(self);
        let on_lost = move |reason: String| {
            if let Some(link) = weak.upgrade() {
                link.lost(serial, LinkError::Unreachable(reason));
            }
        };
        let choice = match *lock(&self.detected) {
            Some(Detected::StreamableHttp) => TransportChoice::StreamableHttp,
            Some(Detected::Sse) => TransportChoice::Sse,
            None => self.choice,
        };
        let dial = Dial {
            http: &self.http,
            url: &self.target.url,
            key: key.secret.as_deref(),
            workspace: self.target.workspace.as_deref(),
            log: &self.log,
            outbox: &self.outbox,
        };
        let (session, answer, detected) = remote::connect(&dial, choice, init, on_lost).await?;
        *lock(&self.detected) = Some(detected);
        Ok((serial, session, answer))
    }

    /// The session to send on: the current one, or the next one once reopened (waiting up to
    /// 10 s); a connection that failed for good is tried once more, reading the key again.
    async fn session(self: &Arc<Self>) -> Result<(u64, Arc<Session>), LinkError> {
        let mut watcher = self.state.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT_FOR_LINK;
        let mut kicked = false;
        loop {
            let state = watcher.borrow_and_update().clone();
            let last = match state {
                State::Up(serial, session) => return Ok((serial, session)),
                State::Unopened => return Err(LinkError::NotInitialized),
                State::Closed => {
                    return Err(LinkError::Unreachable("the bridge is stopping".to_string()));
                }
                State::Down {
                    error,
                    retrying: false,
                } => {
                    if kicked {
                        return Err(error);
                    }
                    kicked = true;
                    self.kick();
                    continue;
                }
                State::Down { error, .. } => Some(error),
                State::Connecting => None,
            };
            let changed = tokio::time::timeout_at(deadline, watcher.changed()).await;
            if !matches!(changed, Ok(Ok(()))) {
                return Err(last.unwrap_or_else(|| {
                    LinkError::Unreachable(format!(
                        "still connecting after {}s",
                        WAIT_FOR_LINK.as_secs()
                    ))
                }));
            }
        }
    }

    /// The session once a connection being made is up; None if it fails or takes over 10 s.
    async fn until_up(&self) -> Option<(u64, Arc<Session>)> {
        let mut watcher = self.state.subscribe();
        let wait = async {
            loop {
                match watcher.borrow_and_update().clone() {
                    State::Up(serial, session) => return Some((serial, session)),
                    State::Connecting => {}
                    _ => return None,
                }
                watcher.changed().await.ok()?;
            }
        };
        tokio::time::timeout(WAIT_FOR_LINK, wait)
            .await
            .ok()
            .flatten()
    }

    /// Starts a reconnection when the connection is down and none is running.
    fn kick(self: &Arc<Self>) {
        let kicked = self.state.send_if_modified(|state| {
            if matches!(
                state,
                State::Down {
                    retrying: false,
                    ..
                }
            ) {
                *state = State::Connecting;
                true
            } else {
                false
            }
        });
        if kicked {
            tokio::spawn(self.clone().reconnect(self.epoch.load(Ordering::SeqCst)));
        }
    }

    /// The session numbered `serial` is gone: reconnect, unless the key was refused.
    fn lost(self: &Arc<Self>, serial: u64, error: LinkError) {
        let retrying = !matches!(error, LinkError::Auth(_));
        let mut gone = None;
        self.state.send_if_modified(|state| match state {
            State::Up(current, session) if *current == serial => {
                gone = Some(session.clone());
                *state = down(error.clone(), retrying);
                true
            }
            _ => false,
        });
        let Some(session) = gone else { return };
        match &error {
            LinkError::SessionGone => self.log.info("the session expired; opening a new one"),
            LinkError::Auth(_) => self
                .log
                .warn(format!("the server refused the key: {}", error.detail())),
            _ => self.log.warn(format!(
                "lost the connection to {}: {}; reconnecting",
                self.target.url,
                error.detail()
            )),
        }
        tokio::spawn(async move { session.close().await });
        if retrying {
            tokio::spawn(self.clone().reconnect(self.epoch.load(Ordering::SeqCst)));
        }
    }

    /// Reopens the session with backoff, replaying the host's `initialize` (under an id of the
    /// bridge's own, its answer kept from the host) and `notifications/initialized`.
    async fn reconnect(self: Arc<Self>, epoch: u64) {
        let mut delay = Duration::ZERO;
        loop {
            if !delay.is_zero() {
                let jitter = 0.8 + rand::random::<f64>() * 0.4;
                tokio::time::sleep(delay.mul_f64(jitter)).await;
            }
            delay = (delay * 2).clamp(FIRST_DELAY, MAX_DELAY);
            if self.epoch.load(Ordering::SeqCst) != epoch
                || matches!(*self.state.borrow(), State::Closed)
            {
                return;
            }
            let Some(memo) = lock(&self.memo).clone() else {
                return;
            };
            let mut request = memo.request.clone();
            let serial = self.serial.load(Ordering::SeqCst) + 1;
            request["id"] = json!(format!("persona-mcp-bridge:initialize:{serial}"));
            match self.open(&request).await {
                Ok((serial, session, answer)) => {
                    if let Some(error) = answer.get("error") {
                        session.close().await;
                        let detail =
                            format!("the server refused the repeated `initialize`: {error}");
                        self.log.warn(&detail);
                        self.set(epoch, down(LinkError::Failed(detail), false));
                        return;
                    }
                    if memo.initialized {
                        let initialized =
                            json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
                        if let Err(error) = session.send(&initialized).await {
                            self.log
                                .debug(format!("notifications/initialized: {}", error.detail()));
                        }
                        session.listen();
                    }
                    let session = Arc::new(session);
                    if let State::Closed = self.set(epoch, State::Up(serial, session.clone())) {
                        session.close().await;
                    } else {
                        self.log.info(format!("reconnected to {}", self.describe()));
                    }
                    return;
                }
                Err(LinkError::Unreachable(detail)) => {
                    self.log.debug(format!("reconnecting: {detail}"));
                    self.set(epoch, down(LinkError::Unreachable(detail), true));
                }
                Err(error) => {
                    self.log
                        .warn(format!("cannot reconnect: {}", error.detail()));
                    self.set(epoch, down(error, false));
                    return;
                }
            }
        }
    }

    /// `URL (workspace W, key from S)`.
    fn describe(&self) -> String {
        let transport = match *lock(&self.detected) {
            Some(Detected::Sse) => "HTTP+SSE",
            _ => "Streamable HTTP",
        };
        format!(
            "{} over {transport} (workspace {}, key from {})",
            self.target.url,
            self.target.workspace.as_deref().unwrap_or("not set"),
            lock(&self.key_source)
        )
    }

    /// The error answer for a request that could not be carried.
    fn error_answer(&self, id: Value, error: &LinkError) -> Value {
        let url = &self.target.url;
        match error {
            LinkError::Auth(detail) => {
                let workspace = self
                    .target
                    .workspace
                    .as_deref()
                    .unwrap_or("(none: pass --workspace)");
                let source = lock(&self.key_source).clone();
                jsonrpc::error(
                    id,
                    AUTH_REFUSED,
                    format!(
                        "the Persona MCP server at {url} did not accept the API key for workspace \
                         {workspace} ({detail}); the key came from {source}. Run `persona auth \
                         login` or set PERSONA_API_KEY: the bridge reads the key again on the next \
                         request"
                    ),
                    Some(
                        json!({ "url": url.as_str(), "workspace": workspace, "key_source": source }),
                    ),
                )
            }
            LinkError::Unreachable(detail) => jsonrpc::error(
                id,
                UNAVAILABLE,
                format!(
                    "cannot reach the Persona MCP server at {url}: {detail}; the bridge keeps trying"
                ),
                None,
            ),
            LinkError::NotInitialized => jsonrpc::error(
                id,
                INVALID_REQUEST,
                "send `initialize` first: the bridge connects to the server then",
                None,
            ),
            other => jsonrpc::error(
                id,
                UNAVAILABLE,
                format!("the Persona MCP server at {url}: {}", other.detail()),
                None,
            ),
        }
    }
}

fn down(error: LinkError, retrying: bool) -> State {
    State::Down { error, retrying }
}
