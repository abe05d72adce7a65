//! The accept loop: HTTP/1.1 connections served by hyper, closed when their headers, a request
//! body or an idle keep-alive stall past `ConnectionLimits`, and a 503 beyond the connection cap.

use crate::model::ErrorCode;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::{Service as _, service_fn};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::time::{Instant, Sleep};
use tower_http::timeout::TimeoutBody;

use super::ids;

/// The most connections served at once, whatever the descriptor limit allows.
const MOST_CONNECTIONS: usize = 1024;
/// Descriptors left beside the connections: the store, outgoing requests, refusals.
const SPARE_DESCRIPTORS: u64 = 64;
/// Refusals (503) being written at once; connections beyond that are closed unanswered.
const REFUSALS_AT_ONCE: usize = 16;
/// How long a refusal may take to write and to let the client finish sending.
const REFUSAL_TIME: Duration = Duration::from_secs(1);

/// When a connection is closed for stalling, and how many may be open.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// A request's headers must arrive whole within this long: from the opening of the
    /// connection, or from the first byte of a later request on it.
    pub header_timeout: Duration,
    /// A request body that brings nothing for this long fails the request (400) and its
    /// connection is closed.
    pub body_timeout: Duration,
    /// A keep-alive connection without a request for this long is closed.
    pub idle_timeout: Duration,
    /// Connections open at once; the next ones get a 503 with Retry-After and are closed.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: connection_cap(),
        }
    }
}

/// `MOST_CONNECTIONS`, or fewer when the soft descriptor limit (`ulimit -n`) is lower.
fn connection_cap() -> usize {
    match soft_descriptor_limit() {
        Some(limit) => {
            (limit.saturating_sub(SPARE_DESCRIPTORS) as usize).clamp(8, MOST_CONNECTIONS)
        }
        None => MOST_CONNECTIONS,
    }
}

#[cfg(unix)]
fn soft_descriptor_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given, which lives through the call.
    let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    // `rlim_t` is not 64 bits on every platform.
    #[allow(clippy::unnecessary_cast)]
    (status == 0).then_some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn soft_descriptor_limit() -> Option<u64> {
    None
}

/// Serves `router` on `listener` until `shutdown`; then stops accepting, lets each connection
/// finish its request (streams end as the server stops) and returns once all are closed. Each
/// request carries its client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: oneshot::Receiver<()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    pause_after_accept_error(&err).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        match open.clone().try_acquire_owned() {
            Ok(permit) => {
                let connection = Connection {
                    router: router.clone(),
                    limits: limits.clone(),
                    stopping: stopping.clone(),
                    _permit: permit,
                };
                tokio::spawn(connection.serve(stream));
            }
            Err(_) => {
                if let Ok(permit) = refusals.clone().try_acquire_owned() {
                    tokio::spawn(refuse(stream, limits.max_connections, permit));
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = open.acquire_many(all).await;
}

/// Errors of one connection (the peer left) are retried at once; others, such as running out
/// of descriptors, after a pause rather than in a busy loop.
async fn pause_after_accept_error(err: &io::Error) {
    if !matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A 503 for a connection beyond the cap, then close. The rest of the request is read (for at
/// most `REFUSAL_TIME`) so that the close does not reset the connection before it is answered.
async fn refuse(mut stream: TcpStream, max_connections: usize, _permit: OwnedSemaphorePermit) {
    let request_id = ids::new_id("req");
    let body = serde_json::json!({ "error": {
        "code": ErrorCode::ServerOverloaded,
        "message": format!("the server has {max_connections} connections open, its limit; try again in a moment"),
        "type": "rate_limit",
        "doc_url": "https://docs.persona.dev/errors#overloaded",
        "request_id": request_id,
    } })
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         x-request-id: {request_id}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        io::Result::Ok(())
    })
    .await;
}

/// One accepted connection and what it needs.
struct Connection {
    router: Router,
    limits: ConnectionLimits,
    stopping: watch::Receiver<bool>,
    /// Its place under the cap, given back when the connection closes.
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn serve(mut self, stream: TcpStream) {
        // Answers go out as soon as they are written: an event stream's last small frames
        // would otherwise wait for the client's delayed acknowledgement (about 40 ms).
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let peer = stream.peer_addr().ok();
        let io = TokioIo::new(Watched {
            stream,
            activity: activity.clone(),
            limits: self.limits.clone(),
            timer: None,
        });
        let app = TowerToHyperService::new(self.router);
        let body_timeout = self.limits.body_timeout;
        let service = service_fn(move |request: hyper::Request<Incoming>| {
            activity.begin();
            let answered = Answered(activity.clone());
            let mut request = request.map(|body| Body::new(TimeoutBody::new(body_timeout, body)));
            if let Some(peer) = peer {
                request.extensions_mut().insert(ConnectInfo(peer));
            }
            let response = app.call(request);
            async move {
                let response = response.await?;
                Ok::<_, Infallible>(response.map(|body| Tracked {
                    body,
                    _answered: answered,
                }))
            }
        });
        let connection = http1::Builder::new().serve_connection(io, service);
        let mut connection = std::pin::pin!(connection);
        if !*self.stopping.borrow() {
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = self.stopping.wait_for(|stopping| *stopping) => {}
            }
        }
        connection.as_mut().graceful_shutdown();
        let _ = connection.await;
    }
}

/// Where a connection is between requests, for its timeouts.
struct Activity(Mutex<Phase>);

struct Phase {
    /// Requests whose answer is not yet sent whole.
    answering: usize,
    /// Whether no request came yet.
    fresh: bool,
    /// When the connection opened or last finished an answer.
    idle_since: Instant,
    /// When the first byte of the next request came, if it did.
    head_since: Option<Instant>,
    /// The read that waits without a deadline while a request is answered, to wake when the
    /// answer is done and the deadline of the next request starts.
    reader: Option<Waker>,
}

impl Activity {
    fn new() -> Self {
        Activity(Mutex::new(Phase {
            answering: 0,
            fresh: true,
            idle_since: Instant::now(),
            head_since: None,
            reader: None,
        }))
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Headers arrived whole: a request begins.
    fn begin(&self) {
        let mut phase = self.phase();
        phase.answering += 1;
        phase.fresh = false;
        phase.head_since = None;
    }

    /// The answer of a request was sent whole (or dropped).
    fn answered(&self) {
        let mut phase = self.phase();
        phase.answering = phase.answering.saturating_sub(1);
        if phase.answering == 0 {
            phase.idle_since = Instant::now();
            phase.head_since = None;
            if let Some(reader) = phase.reader.take() {
                drop(phase);
                reader.wake();
            }
        }
    }

    /// Bytes came in: between requests, they start the headers of the next one.
    fn received(&self) {
        let mut phase = self.phase();
        if phase.answering == 0 && phase.head_since.is_none() {
            phase.head_since = Some(Instant::now());
        }
    }

    /// When the connection is closed unless a request's headers arrive first; None while a
    /// request is being answered (its body has a timeout of its own), and then `reader` is
    /// woken when the answer is done.
    fn deadline(&self, limits: &ConnectionLimits, reader: &Waker) -> Option<Instant> {
        let mut phase = self.phase();
        if phase.answering > 0 {
            phase.reader = Some(reader.clone());
            None
        } else if phase.fresh {
            Some(phase.idle_since + limits.header_timeout)
        } else if let Some(head_since) = phase.head_since {
            Some(head_since + limits.header_timeout)
        } else {
            Some(phase.idle_since + limits.idle_timeout)
        }
    }
}

/// Marks a request answered when its response body is done with.
struct Answered(Arc<Activity>);

impl Drop for Answered {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// A response body that marks its request answered once hyper has sent it and let it go.
struct Tracked {
    body: Body,
    _answered: Answered,
}

impl HttpBody for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket of a connection: a read that waits past the connection's deadline fails with
/// `TimedOut`, which makes hyper close the connection.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    limits: ConnectionLimits,
    timer: Option<Pin<Box<Sleep>>>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.activity.received();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => {
                let Some(deadline) = this.activity.deadline(&this.limits, cx.waker()) else {
                    return Poll::Pending;
                };
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.deadline() != deadline {
                    timer.as_mut().reset(deadline);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the connection stalled",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use axum::routing::{get, post};
    use tokio::task::JoinHandle;

    use super::*;

    /// A server of `GET /` and `POST /echo` (answers the body's length) under `limits`.
    async fn start(limits: ConnectionLimits) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<()>) {
        let router =
            Router::new()
                .route("/", get(|| async { "ok" }))
                .route("/slow", get(slow))
                .route(
                    "/peer",
                    get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                        peer.ip().to_string()
                    }),
                )
                .route(
                    "/echo",
                    post(|body: axum::body::Bytes| async move { body.len().to_string() }),
                );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel();
        let served = tokio::spawn(serve(listener, router, limits, stopped));
        (addr, stop, served)
    }

    /// An answer whose body comes in two parts a second apart, as an event stream's does.
    async fn slow() -> Body {
        let parts = futures_util::stream::unfold(0, |n| async move {
            match n {
                0 => Some((Ok::<_, Infallible>("o"), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Some((Ok("k"), 2))
                }
                _ => None,
            }
        });
        Body::from_stream(parts)
    }

    fn short() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_millis(300),
            body_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(600),
            max_connections: 8,
        }
    }

    /// Everything the server sends until it closes the connection (a guard of 10 s against a
    /// server that never does).
    async fn read_to_close(stream: &mut TcpStream) -> String {
        let mut text = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut text));
        read.await.expect("the server closed the connection").ok();
        String::from_utf8_lossy(&text).into_owned()
    }

    /// A keep-alive `GET /`.
    const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    /// Writes `request` on `stream`.
    async fn send(stream: &mut TcpStream, request: &[u8]) {
        stream.write_all(request).await.unwrap();
    }

    /// Sends `request` on a new connection to `addr` and reads until the server closes it.
    async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        send(&mut stream, request).await;
        read_to_close(&mut stream).await
    }

    /// One answer of a keep-alive connection (a small body with Content-Length).
    async fn read_answer(stream: &mut TcpStream) -> String {
        let mut text = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&text).ends_with("ok") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&text));
            text.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&text).into_owned()
    }

    #[tokio::test]
    async fn partial_headers_close_the_connection() {
        let (addr, _stop, _served) = start(short()).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        send(&mut stream, b"GET / HTTP/1.1\r\nHost: x\r\n").await;
        assert_eq!(read_to_close(&mut stream).await, "");
        // Nothing at all: the same.
        let mut silent = TcpStream::connect(addr).await.unwrap();
        assert_eq!(read_to_close(&mut silent).await, "");
    }

    #[tokio::test]
    async fn headers_sent_a_byte_at_a_time_do_not_keep_a_connection_open() {
        let (addr, _stop, _served) = start(short()).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let closed = async {
            for byte in b"GET / HTTP/1.1\r\nX-Slow: "
                .iter()
                .chain(std::iter::repeat(&b'a'))
            {
                if stream.write_all(&[*byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), closed)
            .await
            .expect("the server closed the connection");
    }

    #[tokio::test]
    async fn keep_alive_serves_several_requests_then_closes_when_idle() {
        let (addr, _stop, _served) = start(short()).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        for _ in 0..3 {
            send(&mut stream, GET).await;
            assert!(read_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
        }
        assert_eq!(read_to_close(&mut stream).await, "");
    }

    #[tokio::test]
    async fn a_keep_alive_connection_waits_the_idle_timeout_not_the_header_timeout() {
        let limits = ConnectionLimits {
            header_timeout: Duration::from_millis(100),
            idle_timeout: Duration::from_secs(30),
            ..short()
        };
        let (addr, _stop, _served) = start(limits).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        send(&mut stream, GET).await;
        assert!(read_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        send(&mut stream, GET).await;
        assert!(read_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
    }

    #[tokio::test]
    async fn an_answer_that_takes_long_is_not_cut_by_the_timeouts() {
        let (addr, _stop, _served) = start(short()).await;
        let answer = exchange(
            addr,
            b"GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            answer.ends_with("1\r\no\r\n1\r\nk\r\n0\r\n\r\n"),
            "{answer}"
        );
    }

    #[tokio::test]
    async fn requests_know_their_clients_address() {
        let (addr, _stop, _served) = start(short()).await;
        let answer = exchange(
            addr,
            b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(answer.ends_with("\r\n\r\n127.0.0.1"), "{answer}");
    }

    #[tokio::test]
    async fn a_stalled_body_fails_its_request_and_closes_the_connection() {
        let (addr, _stop, _served) = start(short()).await;
        let answer = exchange(
            addr,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }

    #[tokio::test]
    async fn connections_beyond_the_cap_get_503_and_the_cap_frees_up() {
        let limits = ConnectionLimits {
            header_timeout: Duration::from_secs(60),
            max_connections: 2,
            ..short()
        };
        let (addr, _stop, _served) = start(limits).await;
        let held_first = TcpStream::connect(addr).await.unwrap();
        let mut held = TcpStream::connect(addr).await.unwrap();
        send(&mut held, GET).await;
        assert!(read_answer(&mut held).await.starts_with("HTTP/1.1 200"));
        let mut refused = TcpStream::connect(addr).await.unwrap();
        send(&mut refused, GET).await;
        let answer = read_to_close(&mut refused).await;
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("retry-after: 1"), "{answer}");
        assert!(answer.contains("server.overloaded"), "{answer}");
        drop(held_first);
        let mut served = false;
        for _ in 0..100 {
            let again = exchange(
                addr,
                b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            if again.await.starts_with("HTTP/1.1 200") {
                served = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(served, "a freed place was never given to a new connection");
    }

    #[tokio::test]
    async fn shutdown_closes_idle_connections_and_returns() {
        let limits = ConnectionLimits {
            header_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(60),
            ..short()
        };
        let (addr, stop, served) = start(limits).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        send(&mut stream, GET).await;
        assert!(read_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), served)
            .await
            .expect("the server stopped")
            .unwrap();
        assert_eq!(read_to_close(&mut stream).await, "");
    }
}
