//! One connection: TLS sniffing, hyper HTTP/1.1 serving, timeouts, the RFC 2817 upgrade.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Limited;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::upgrade::OnUpgrade;
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

/// An upgrade accepted by the request service, completed once hyper releases the stream.
struct PendingUpgrade {
    on_upgrade: OnUpgrade,
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
    if first[0] != TLS_HANDSHAKE_RECORD {
        return serve_plain(&shared, io, info, activity).await;
    }
    let Some(acceptor) = &shared.acceptor else {
        return tracing::debug!("{peer}: TLS ClientHello but TLS is not configured");
    };
    match timeout(shared.cfg.header_timeout, acceptor.accept(io)).await {
        Ok(Ok(tls)) => {
            info.tls = true;
            serve_http(&shared, tls, Arc::new(info), activity, None).await;
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
    serve_http(shared, io, Arc::new(info.clone()), Arc::clone(&activity), upgrade_slot).await;
    let pending = slot.and_then(|s| s.lock().unwrap_or_else(|e| e.into_inner()).take());
    let (Some(pending), Some(acceptor)) = (pending, &shared.acceptor) else {
        return;
    };
    let limit = shared.cfg.header_timeout;
    let upgraded = match timeout(limit, pending.on_upgrade).await {
        Ok(Ok(upgraded)) => upgraded,
        Ok(Err(e)) => return tracing::debug!("upgrade failed: {e}"),
        Err(_) => return tracing::debug!("upgrade timed out"),
    };
    match timeout(limit, acceptor.accept(TokioIo::new(upgraded))).await {
        Ok(Ok(tls)) => {
            info.tls = true;
            let io = Prefixed::new(pending.replay, tls);
            serve_http(shared, io, Arc::new(info), activity, None).await;
        }
        Ok(Err(e)) => tracing::debug!("TLS handshake after upgrade failed: {e}"),
        Err(_) => tracing::debug!("TLS handshake after upgrade timed out"),
    }
}

/// Run hyper on `io` until the connection ends, times out, or shutdown completes it.
/// With an `upgrade` slot, a request may ask for TLS; hyper then ends the connection
/// future and leaves the pending upgrade in the slot.
async fn serve_http<IO>(
    shared: &Shared,
    io: IO,
    info: Arc<ConnInfo>,
    activity: Arc<Activity>,
    upgrade: Option<UpgradeSlot>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let cfg = &shared.cfg;
    let service = RequestService {
        router: shared.router.clone(),
        info,
        activity: Arc::clone(&activity),
        upgrade,
        max_body: cfg.max_body_bytes,
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(cfg.header_timeout)
        .keep_alive(true)
        .max_buf_size(cfg.max_header_bytes.max(8192));
    let conn = builder.serve_connection(TokioIo::new(io), service).with_upgrades();
    tokio::pin!(conn);
    let mut shutdown = shared.shutdown.clone();
    let expired = activity.expired(cfg.idle_timeout, cfg.io_timeout);
    tokio::pin!(expired);
    tokio::select! {
        res = conn.as_mut() => log_conn_end(res),
        () = expired.as_mut() => return tracing::debug!("connection timed out"),
        () = shutdown_requested(&mut shutdown) => {}
    }
    if *shutdown.borrow() {
        // Finish the request in flight, if any, then close; the accept loop bounds the wait.
        conn.as_mut().graceful_shutdown();
        tokio::select! {
            res = conn.as_mut() => log_conn_end(res),
            () = expired => {}
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
        if let Some(resp) = self.intercept(&mut req) {
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
    fn intercept(&self, req: &mut Request<Incoming>) -> Option<Response<Body>> {
        if let Some(slot) = &self.upgrade {
            if upgrade::wants_tls_upgrade(req) {
                let replay = upgrade::replay_head(req);
                let on_upgrade = hyper::upgrade::on(&mut *req);
                let pending = PendingUpgrade { on_upgrade, replay };
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
