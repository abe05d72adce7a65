//! The host's side of the bridge: JSON-RPC read line by line from stdin, each message sent on to
//! the remote server as it came (renaming tools both ways), answers written back through the outbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::task::AbortHandle;

use super::jsonrpc::{self, Kind};
use super::link::Link;
use super::names::ToolNames;
use super::outbox::{Log, Outbox};
use super::remote::TransportChoice;
use super::target::{self, Plan};
use crate::context::Context;
use crate::error::Result;
use crate::model::jsonrpc::{
    INVALID_REQUEST, META_VERSION, METHOD_NOT_FOUND, PARSE_ERROR, UNAVAILABLE,
};

/// What `persona mcp serve` was asked for.
pub struct Options {
    /// The workspace whose personas the host sees.
    pub workspace: Option<String>,
    /// The MCP server, when not the profile's.
    pub url: Option<String>,
    pub transport: TransportChoice,
    /// Whether tools are renamed to names every host accepts (`persona.invoke` → `persona_invoke`).
    pub safe_names: bool,
}

/// The most pages of `tools/list` the bridge reads to learn tool names.
const MAX_LIST_PAGES: usize = 20;

/// How long the last answers may take to reach stdout at exit.
const FLUSH_AT_EXIT: Duration = Duration::from_millis(500);
/// How long requests already sent may take to be answered once stdin ends.
const ANSWER_AFTER_EOF: Duration = Duration::from_secs(30);

/// Requests on their way to the server: at the end of stdin they are answered before exit.
#[derive(Default)]
struct InFlight {
    count: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Held by the task of one request; its drop marks the request answered.
struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    fn start(self: &Arc<Self>) -> InFlightGuard {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlightGuard(self.clone())
    }

    /// Waits until no request is on its way, or `limit` has passed.
    async fn settle(&self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async {
            loop {
                let idle = self.idle.notified();
                if self.count.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        })
        .await;
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self
            .0
            .count
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst)
            == 1
        {
            self.0.idle.notify_waiters();
        }
    }
}

/// Serves the host on stdin and stdout until end of input, SIGTERM or Ctrl-C, then closes the
/// session.
pub async fn serve(ctx: &Context, options: Options) -> Result<()> {
    let plan = target::plan(ctx, options.url.as_deref(), options.workspace)?;
    let log = Log::new(ctx.output.clone());
    let outbox = Outbox::start(log.clone());
    let mut bridge = Bridge {
        ctx,
        plan: Some(plan),
        link: None,
        transport: options.transport,
        names: options.safe_names.then(Arc::default),
        stateless_calls: Arc::default(),
        in_flight: Arc::default(),
        log: log.clone(),
        outbox: outbox.clone(),
    };
    let stop = stop_signal();
    tokio::pin!(stop);
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = tokio::select! {
            read = stdin.read_until(b'\n', &mut line) => read,
            () = &mut stop => break,
        };
        match read {
            Ok(0) => {
                // A host (or a script) that sent its last request and closed stdin still gets
                // the answers of what it sent.
                log.debug("stdin closed: answering what was sent, then stopping");
                tokio::select! {
                    () = bridge.in_flight.settle(ANSWER_AFTER_EOF) => {}
                    () = &mut stop => {}
                }
                break;
            }
            Ok(_) => tokio::select! {
                () = bridge.handle(&line) => {}
                () = &mut stop => break,
            },
            Err(err) => {
                log.warn(format!("cannot read stdin: {err}"));
                break;
            }
        }
    }
    if let Some(link) = &bridge.link {
        link.close().await;
    }
    outbox.flush(FLUSH_AT_EXIT).await;
    Ok(())
}

struct Bridge<'a> {
    ctx: &'a Context,
    /// What to connect to, until the first `initialize` turns it into the link.
    plan: Option<Plan>,
    link: Option<Arc<Link>>,
    transport: TransportChoice,
    /// The tool-name map, with `--tool-names safe`.
    names: Option<Arc<Mutex<ToolNames>>>,
    /// Stateless requests on their way, by id, for `notifications/cancelled`.
    stateless_calls: Arc<Mutex<HashMap<String, AbortHandle>>>,
    in_flight: Arc<InFlight>,
    log: Log,
    outbox: Outbox,
}

impl Bridge<'_> {
    /// Handles one line of stdin.
    async fn handle(&mut self, line: &[u8]) {
        let text = line.trim_ascii();
        if text.is_empty() {
            return;
        }
        let message: Value = match serde_json::from_slice(text) {
            Ok(message) => message,
            Err(err) => {
                self.log
                    .debug(format!("from host: a line that is not JSON ({err})"));
                let answer = jsonrpc::error(
                    Value::Null,
                    PARSE_ERROR,
                    format!("Parse error: {err}"),
                    None,
                );
                self.outbox.send(answer);
                return;
            }
        };
        self.log
            .debug(format!("from host: {}", jsonrpc::summary(&message)));
        self.log.body("from host:", &message);
        let id = jsonrpc::id(&message);
        let opened = self.link.as_ref().is_some_and(|link| link.opened());
        match jsonrpc::kind(&message) {
            None => {
                let reason = if message.is_array() {
                    "Invalid Request: batches are not supported; send one message a line"
                } else {
                    "Invalid Request: not a JSON-RPC request, notification or response"
                };
                self.outbox
                    .send(jsonrpc::error(id, INVALID_REQUEST, reason, None));
            }
            Some(Kind::Request("ping")) => self.outbox.send(jsonrpc::result(id, json!({}))),
            Some(Kind::Request("initialize")) => match self.link().await {
                Ok(link) => {
                    let (outbox, answer) = (self.outbox.clone(), link.initialize(message));
                    let answering = self.in_flight.start();
                    tokio::spawn(async move {
                        outbox.send(answer.await);
                        drop(answering);
                    });
                }
                Err(answer) => self
                    .outbox
                    .send(jsonrpc::error(id, UNAVAILABLE, answer, None)),
            },
            Some(Kind::Request(method)) if opened => {
                let link = self.link.clone().expect("an opened link");
                self.forward(link, method.to_string(), message, false);
            }
            // Before `initialize`, only the stateless era's self-describing requests (and
            // `server/discover`, which asks whether the server speaks it) can go anywhere.
            Some(Kind::Request(method))
                if method == "server/discover" || is_stateless(&message) =>
            {
                let link = match self.link().await {
                    Ok(link) => link,
                    Err(reason) => {
                        self.outbox
                            .send(jsonrpc::error(id, UNAVAILABLE, reason, None));
                        return;
                    }
                };
                if !link.may_be_stateless() {
                    self.outbox.send(jsonrpc::error(
                        id,
                        METHOD_NOT_FOUND,
                        format!(
                            "`{method}` needs a stateless MCP server, and the HTTP+SSE transport \
                             keeps sessions: send `initialize`"
                        ),
                        None,
                    ));
                    return;
                }
                self.forward(link, method.to_string(), message, true);
            }
            Some(Kind::Request(_)) => self.outbox.send(jsonrpc::error(
                id,
                INVALID_REQUEST,
                "send `initialize` first: the bridge connects to the server then",
                None,
            )),
            // Stateless HTTP has no notifications: a cancellation ends the request's own POST.
            Some(Kind::Notification("notifications/cancelled")) if !opened => {
                let key = jsonrpc::id_key(&message["params"]["requestId"]);
                if let Some(task) = lock(&self.stateless_calls).remove(&key) {
                    task.abort();
                }
            }
            Some(Kind::Notification(_) | Kind::Response) => match &self.link {
                Some(link) => link.notify(&message).await,
                None => self.log.debug(format!(
                    "not connected: dropped {}",
                    jsonrpc::summary(&message)
                )),
            },
        }
    }

    /// Sends a request on its way in a task of its own, renaming tools both ways.
    fn forward(&self, link: Arc<Link>, method: String, message: Value, stateless: bool) {
        let (names, outbox) = (self.names.clone(), self.outbox.clone());
        let calls = self.stateless_calls.clone();
        let key = jsonrpc::id_key(&jsonrpc::id(&message));
        let task_key = key.clone();
        let answering = self.in_flight.start();
        // Held while the task starts, so that it cannot remove its entry before it is added.
        let mut stateless_calls = lock(&self.stateless_calls);
        let task = tokio::spawn(async move {
            let _answering = answering;
            let mut request = message;
            if let Some(names) = names.as_ref().filter(|_| method == "tools/call") {
                if lock(names).is_unknown_call(&request) {
                    learn_names(&link, names, &request, stateless).await;
                }
                lock(names).restore_call(&mut request);
            }
            let mut answer = if stateless {
                link.stateless(request).await
            } else {
                link.call(request).await
            };
            if let Some(names) = names.as_ref().filter(|_| method == "tools/list") {
                lock(names).rewrite_list(&mut answer);
            }
            if stateless {
                lock(&calls).remove(&task_key);
            }
            outbox.send(answer);
        });
        if stateless {
            stateless_calls.insert(key, task.abort_handle());
        }
    }

    /// The link, made at the first `initialize` (starting the embedded server on `local`).
    async fn link(&mut self) -> Result<Arc<Link>, String> {
        if let Some(link) = &self.link {
            return Ok(link.clone());
        }
        let target = match self.plan.take() {
            Some(Plan::Ready(target)) => target,
            Some(Plan::Embedded { workspace }) => {
                match target::embedded(self.ctx, &workspace).await {
                    Ok(target) => target,
                    Err(err) => {
                        self.plan = Some(Plan::Embedded { workspace });
                        return Err(format!("cannot start the embedded server: {}", err.message));
                    }
                }
            }
            None => return Err("the bridge has no server to connect to".to_string()),
        };
        let link = Link::new(
            target,
            self.transport,
            self.log.clone(),
            self.outbox.clone(),
        )?;
        self.link = Some(link.clone());
        Ok(link)
    }
}

/// Lists the tools on the bridge's own account, for a host that calls a renamed tool before
/// (or without) listing them in this process, as a host that cached the names does.
async fn learn_names(link: &Arc<Link>, names: &Mutex<ToolNames>, call: &Value, stateless: bool) {
    let mut cursor = Value::Null;
    for page in 0..MAX_LIST_PAGES {
        let mut list = json!({
            "jsonrpc": "2.0", "id": format!("persona-mcp-bridge:tools/list:{page}"),
            "method": "tools/list", "params": {},
        });
        if !cursor.is_null() {
            list["params"]["cursor"] = cursor;
        }
        if let Some(meta) = call.pointer("/params/_meta").filter(|_| stateless) {
            list["params"]["_meta"] = meta.clone();
        }
        let mut answer = if stateless {
            link.stateless(list).await
        } else {
            link.call(list).await
        };
        lock(names).rewrite_list(&mut answer);
        cursor = answer
            .pointer("/result/nextCursor")
            .cloned()
            .unwrap_or(Value::Null);
        if cursor.is_null() {
            return;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether a request describes itself (a `_meta` protocol version): the stateless era.
fn is_stateless(message: &Value) -> bool {
    message
        .pointer("/params/_meta")
        .is_some_and(|meta| meta.get(META_VERSION).is_some())
}

/// SIGTERM or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
