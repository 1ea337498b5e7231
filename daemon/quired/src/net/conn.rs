//! One connection: TLS sniffing, hyper HTTP/1.1 serving, timeouts, the RFC 2817 upgrade.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Limited;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::io::{Activity, InFlight, Prefixed, Tracked};
use super::tls::TLS_HANDSHAKE_RECORD;
use super::{upgrade, ConnInfo, LocalEnd, NetConfig, Peer};

/// State shared by all connections of one `serve` call.
pub(crate) struct Shared {
    pub(crate) cfg: NetConfig,
    pub(crate) router: axum::Router,
    pub(crate) acceptor: Option<TlsAcceptor>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// Resolves once shutdown has been requested (or the sender is gone).
pub(crate) async fn shutdown_requested(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// A keep-alive connection with no request for this long is parked: hyper and its buffers
/// (some 20 KiB once it has served a request) are dropped and the connection waits for its
/// next request with a one-byte read, so an idle client costs about what a new one does.
const PARK_AFTER: Duration = Duration::from_secs(1);

/// An upgrade accepted by the request service: the request head to answer again over TLS
/// once hyper has released the stream.
struct PendingUpgrade {
    replay: Bytes,
}

type UpgradeSlot = Arc<Mutex<Option<PendingUpgrade>>>;

/// Serve a TCP connection: peek at the first byte to choose direct TLS or plain HTTP.
pub(crate) async fn serve_tcp(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr) {
    let local = match stream.local_addr() {
        Ok(addr) => addr,
        Err(e) => return tracing::debug!("{peer}: local_addr failed: {e}"),
    };
    let mut info = ConnInfo {
        peer: Peer::Tcp(peer),
        local: LocalEnd::Tcp(local),
        tls: false,
        identity: Arc::default(),
    };
    let mut first = [0u8; 1];
    match timeout(shared.cfg.header_timeout, stream.peek(&mut first)).await {
        Ok(Ok(1..)) => {}
        Ok(Ok(_)) => return, // closed without sending anything
        Ok(Err(e)) => return tracing::debug!("{peer}: {e}"),
        Err(_) => return tracing::debug!("{peer}: nothing received, closing"),
    }
    let activity = Activity::new();
    let io = Tracked::new(stream, Arc::clone(&activity));
    // Boxed: a connection still waiting for its first byte holds only this small future.
    if first[0] != TLS_HANDSHAKE_RECORD {
        return Box::pin(serve_plain(&shared, io, info, activity)).await;
    }
    let Some(acceptor) = &shared.acceptor else {
        return tracing::debug!("{peer}: TLS ClientHello but TLS is not configured");
    };
    match timeout(shared.cfg.header_timeout, Box::pin(acceptor.accept(io))).await {
        Ok(Ok(tls)) => {
            info.tls = true;
            Box::pin(serve_http(&shared, tls, Arc::new(info), activity, None)).await;
        }
        Ok(Err(e)) => tracing::debug!("{peer}: TLS handshake failed: {e}"),
        Err(_) => tracing::debug!("{peer}: TLS handshake timed out"),
    }
}

/// Serve a Unix-socket connection; the peer is identified by its credentials.
pub(crate) async fn serve_unix(shared: Arc<Shared>, stream: UnixStream, path: PathBuf) {
    let peer = match stream.peer_cred() {
        Ok(cred) => Peer::Unix { uid: cred.uid(), gid: cred.gid(), pid: cred.pid() },
        Err(e) => return tracing::warn!("{}: no peer credentials: {e}", path.display()),
    };
    let info = ConnInfo { peer, local: LocalEnd::Unix(path), tls: false, identity: Arc::default() };
    let activity = Activity::new();
    let io = Tracked::new(stream, Arc::clone(&activity));
    serve_plain(&shared, io, info, activity).await;
}

/// Plain HTTP, switching to TLS in place if a request asks for it (RFC 2817).
async fn serve_plain<IO>(shared: &Shared, io: IO, mut info: ConnInfo, activity: Arc<Activity>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let slot = shared.acceptor.as_ref().map(|_| UpgradeSlot::default());
    let upgrade_slot = slot.clone();
    let released =
        serve_http(shared, io, Arc::new(info.clone()), Arc::clone(&activity), upgrade_slot).await;
    let pending = slot.and_then(|s| s.lock().unwrap_or_else(|e| e.into_inner()).take());
    let (Some(io), Some(pending), Some(acceptor)) = (released, pending, &shared.acceptor) else {
        return;
    };
    let limit = shared.cfg.header_timeout;
    match timeout(limit, acceptor.accept(io)).await {
        Ok(Ok(tls)) => {
            info.tls = true;
            let io = Prefixed::new(pending.replay, tls);
            serve_http(shared, io, Arc::new(info), activity, None).await;
        }
        Ok(Err(e)) => tracing::debug!("TLS handshake after upgrade failed: {e}"),
        Err(_) => tracing::debug!("TLS handshake after upgrade timed out"),
    }
}

/// Serve HTTP on `io` until the connection ends, times out, or shutdown completes it.
/// hyper serves one stretch of requests at a time; after `PARK_AFTER` without a request it is
/// dropped, and a new one serves the next request (see `PARK_AFTER`). With an `upgrade` slot,
/// a request may ask for TLS: then the stream is returned, with what hyper read past the
/// request, for the handshake.
async fn serve_http<IO>(
    shared: &Shared,
    io: IO,
    info: Arc<ConnInfo>,
    activity: Arc<Activity>,
    upgrade: Option<UpgradeSlot>,
) -> Option<Prefixed<IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let cfg = &shared.cfg;
    let mut io = Prefixed::new(Bytes::new(), io);
    let mut shutdown = shared.shutdown.clone();
    // When a request head began arriving before hyper was parked: its time runs on.
    let mut head_since: Option<Instant> = None;
    loop {
        let service = RequestService {
            router: shared.router.clone(),
            info: Arc::clone(&info),
            activity: Arc::clone(&activity),
            upgrade: upgrade.clone(),
            max_body: cfg.max_body_bytes,
        };
        let head_time = head_since.map_or(cfg.header_timeout, |t| {
            cfg.header_timeout.saturating_sub(t.elapsed()).max(Duration::from_millis(1))
        });
        // A head begun before parking is not parked again: its time would start over.
        let may_park = head_since.is_none();
        // Boxed: hyper's state is freed while the connection is parked.
        let stretch =
            Box::pin(serve_until_idle(shared, io, service, &activity, head_time, may_park));
        let (parts, closing) = match stretch.await {
            Stretch::Over => return None,
            Stretch::Parked(parts) => (parts, false),
            Stretch::Released(parts) => (parts, true),
        };
        let slot_used =
            upgrade.as_ref().is_some_and(|s| s.lock().unwrap_or_else(|e| e.into_inner()).is_some());
        let (unread, mut rest) = (parts.read_buf, parts.io.into_inner());
        rest.push_front(unread);
        if slot_used {
            return Some(rest);
        }
        if closing {
            // What hyper would have done: end the stream (a TLS close_notify, a FIN).
            let _ = timeout(PARK_AFTER, tokio::io::AsyncWriteExt::shutdown(&mut rest)).await;
            return None;
        }
        if *shutdown.borrow() {
            return None;
        }
        if rest.has_prefix() {
            let now = Instant::now();
            head_since.get_or_insert_with(|| now.checked_sub(PARK_AFTER).unwrap_or(now));
        } else {
            head_since = None;
            let mut first = [0u8; 1];
            let read = tokio::select! {
                r = tokio::io::AsyncReadExt::read(&mut rest, &mut first) => r,
                () = activity.expired(cfg.idle_timeout, cfg.io_timeout) => {
                    tracing::debug!("connection timed out");
                    return None;
                }
                () = shutdown_requested(&mut shutdown) => return None,
            };
            match read {
                Ok(1..) => rest.push_front(Bytes::copy_from_slice(&first)),
                Ok(0) | Err(_) => return None,
            }
        }
        io = rest;
    }
}

/// How one hyper connection ended.
enum Stretch<IO> {
    /// Closed, timed out, failed or shut down: nothing more on this connection.
    Over,
    /// Released by hyper when asked to: parked after `PARK_AFTER` idle, or at shutdown.
    Parked(http1::Parts<TokioIo<Prefixed<IO>>, RequestService>),
    /// Released by hyper on its own: the connection is to close, or a TLS upgrade follows.
    Released(http1::Parts<TokioIo<Prefixed<IO>>, RequestService>),
}

/// Runs hyper on `io` until the connection ends or has been idle for `PARK_AFTER`.
async fn serve_until_idle<IO>(
    shared: &Shared,
    io: Prefixed<IO>,
    service: RequestService,
    activity: &Activity,
    head_time: Duration,
    may_park: bool,
) -> Stretch<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let cfg = &shared.cfg;
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(head_time)
        .keep_alive(cfg.keep_alive)
        .max_buf_size(cfg.max_header_bytes.max(8192));
    let mut conn = Some(builder.serve_connection(TokioIo::new(io), service));
    let mut shutdown = shared.shutdown.clone();
    let mut parked = false;
    loop {
        let Some(c) = conn.as_mut() else { return Stretch::Over };
        let done = std::future::poll_fn(|cx| c.poll_without_shutdown(cx));
        tokio::select! {
            res = done => {
                let Some(c) = conn.take() else { return Stretch::Over };
                if let Err(e) = res {
                    log_conn_end(Err(e));
                    return Stretch::Over;
                }
                let parts = c.into_parts();
                return if parked { Stretch::Parked(parts) } else { Stretch::Released(parts) };
            }
            () = activity.expired(cfg.idle_timeout, cfg.io_timeout) => {
                tracing::debug!("connection timed out");
                return Stretch::Over;
            }
            () = activity.quiet_for(PARK_AFTER), if may_park && !parked => {
                parked = true;
                Pin::new(c).graceful_shutdown();
            }
            () = shutdown_requested(&mut shutdown), if !*shutdown.borrow() => {
                // Finish the request in flight, if any; the accept loop bounds the wait.
                parked = true;
                Pin::new(c).graceful_shutdown();
            }
        }
    }
}

fn log_conn_end(res: Result<(), hyper::Error>) {
    if let Err(e) = res {
        // Timeouts, resets and malformed requests all land here; none is the server's fault.
        tracing::debug!("connection ended: {e}");
    }
}

/// The per-connection hyper service: adds `ConnInfo`, answers `OPTIONS *` and TLS upgrade
/// requests itself, caps the body, and passes everything else to the router.
struct RequestService {
    router: axum::Router,
    info: Arc<ConnInfo>,
    activity: Arc<Activity>,
    upgrade: Option<UpgradeSlot>,
    max_body: Option<u64>,
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for RequestService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture;

    fn call(&self, mut req: Request<Incoming>) -> BoxFuture {
        let in_flight = self.activity.begin_request();
        req.extensions_mut().insert((*self.info).clone());
        if let Some(resp) = self.intercept(&req) {
            return Box::pin(std::future::ready(Ok(track(resp, in_flight))));
        }
        let req = match limit_body(req, self.max_body) {
            Ok(req) => req,
            Err(status) => {
                let mut resp = Response::new(Body::empty());
                *resp.status_mut() = status;
                return Box::pin(std::future::ready(Ok(track(resp, in_flight))));
            }
        };
        let router = self.router.clone();
        Box::pin(async move {
            let resp = match router.oneshot(req).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            };
            Ok(track(resp, in_flight))
        })
    }
}

impl RequestService {
    /// Requests this layer answers itself.
    fn intercept(&self, req: &Request<Incoming>) -> Option<Response<Body>> {
        if let Some(slot) = &self.upgrade {
            if upgrade::wants_tls_upgrade(req) {
                let replay = upgrade::replay_head(req);
                let pending = PendingUpgrade { replay };
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(pending);
                return Some(upgrade::switching_protocols());
            }
        }
        upgrade::is_options_star(req).then(upgrade::options_response)
    }
}

/// Enforce `max_body_bytes`: 413 for a declared length over the cap, a body error once a
/// chunked body passes it.
fn limit_body(req: Request<Incoming>, max: Option<u64>) -> Result<Request<Body>, StatusCode> {
    let Some(max) = max else {
        return Ok(req.map(Body::new));
    };
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    Ok(req.map(|body| Body::new(Limited::new(body, max))))
}

/// Keep the request counted as in flight until hyper drops the response body.
fn track(resp: Response<Body>, in_flight: InFlight) -> Response<Body> {
    resp.map(|inner| Body::new(TrackedBody { inner, _in_flight: in_flight }))
}

struct TrackedBody {
    inner: Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
