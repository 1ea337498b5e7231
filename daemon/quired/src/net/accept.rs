//! Listeners and accept loops: connection limits (see `admission.rs`) and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::admission::{Admission, Class, Refusal};
use super::conn::{self, shutdown_requested, Shared};
use super::refuse::Refuser;
use super::{remove_socket_file, ListenSpec, LocalEnd, NetConfig, NetError};
use crate::ratelog::{left_out, RateLimited};

/// cupsd's listen backlog (`ListenBackLog` default).
const BACKLOG: i32 = 128;
/// Pause after a failed accept (e.g. EMFILE) so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// At most one line per kind of refusal in this time (cupsd logs its "Possible DoS attack"
/// once a minute).
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(60);

pub(crate) enum Listener {
    /// `owned`: bound by us, not passed by a service manager.
    Tcp { listener: TcpListener, owned: bool },
    /// `owned`: we made the socket file (and remove it at exit); a passed one is left alone.
    Unix { listener: UnixListener, path: PathBuf, owned: bool },
}

impl Listener {
    pub(crate) async fn bind(spec: &ListenSpec) -> Result<Self, NetError> {
        let err = |source| NetError::Bind { addr: spec.to_string(), source };
        match spec {
            ListenSpec::Tcp(addr) => {
                bind_tcp(*addr).map(|listener| Listener::Tcp { listener, owned: true }).map_err(err)
            }
            ListenSpec::Unix(path) => {
                let listener = bind_unix(path).await.map_err(err)?;
                Ok(Listener::Unix { listener, path: path.clone(), owned: true })
            }
        }
    }

    /// A socket the service manager passed, served as it is.
    pub(crate) fn passed(p: crate::service::Passed) -> Result<Self, NetError> {
        use crate::service::PassedSocket;
        let err = |source| NetError::Bind { addr: format!("passed socket {}", p.name), source };
        match p.socket {
            PassedSocket::Tcp(l) => {
                l.set_nonblocking(true).map_err(err)?;
                let listener = TcpListener::from_std(l).map_err(err)?;
                Ok(Listener::Tcp { listener, owned: false })
            }
            PassedSocket::Unix(l) => {
                let path = l.local_addr().ok().and_then(|a| a.as_pathname().map(Path::to_path_buf));
                l.set_nonblocking(true).map_err(err)?;
                let listener = UnixListener::from_std(l).map_err(err)?;
                let path = path.unwrap_or_else(|| PathBuf::from(format!("@{}", p.name)));
                Ok(Listener::Unix { listener, path, owned: false })
            }
        }
    }

    /// Bound by us, not passed by a service manager.
    pub(crate) fn owned(&self) -> bool {
        match self {
            Listener::Tcp { owned, .. } | Listener::Unix { owned, .. } => *owned,
        }
    }

    /// Is this the socket `spec` asks for?
    pub(crate) fn serves(&self, spec: &ListenSpec) -> bool {
        match (self, spec) {
            (Listener::Tcp { listener, .. }, ListenSpec::Tcp(want)) => {
                listener.local_addr().is_ok_and(|a| a == *want)
            }
            (Listener::Unix { path, .. }, ListenSpec::Unix(want)) => path == want,
            _ => false,
        }
    }

    /// A TCP socket on every address of `spec`'s port (it takes that port from any bind).
    pub(crate) fn covers_port_of(&self, spec: &ListenSpec) -> bool {
        match (self, spec) {
            (Listener::Tcp { listener: l, .. }, ListenSpec::Tcp(want)) => {
                l.local_addr().is_ok_and(|a| a.ip().is_unspecified() && a.port() == want.port())
            }
            _ => false,
        }
    }

    pub(crate) fn local_end(&self) -> LocalEnd {
        match self {
            Listener::Tcp { listener: l, .. } => match l.local_addr() {
                Ok(addr) => LocalEnd::Tcp(addr),
                Err(_) => LocalEnd::Tcp(SocketAddr::from(([0, 0, 0, 0], 0))),
            },
            Listener::Unix { path, .. } => LocalEnd::Unix(path.clone()),
        }
    }
}

/// IPv6 sockets are v6-only (as in cupsd) so `[::]:631` and `0.0.0.0:631` can coexist.
fn bind_tcp(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    TcpListener::from_std(socket.into())
}

/// Replace a stale socket file (never any other kind of file) and open the socket to all
/// local users, like cupsd's `/run/cups/cups.sock`.
async fn bind_unix(path: &Path) -> std::io::Result<UnixListener> {
    match tokio::fs::symlink_metadata(path).await {
        Ok(meta) if meta.file_type().is_socket() => tokio::fs::remove_file(path).await?,
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a socket",
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).await?;
    Ok(listener)
}

/// A new set of `Listen` addresses for a running server (SIGHUP), and where to say which
/// could not be bound.
pub(crate) struct Relisten {
    pub(crate) listen: Vec<ListenSpec>,
    pub(crate) done: oneshot::Sender<Vec<NetError>>,
}

pub(crate) async fn serve(
    cfg: NetConfig,
    listeners: Vec<Listener>,
    admission: Arc<Admission>,
    mut relisten: mpsc::UnboundedReceiver<Relisten>,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NetError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let acceptor = cfg.tls.clone().map(TlsAcceptor::from);
    let gate =
        Gate { admission, log: Arc::new(RefusalLog::default()), refuser: Refuser::default() };
    let shared = Arc::new(Shared { cfg, router, acceptor, shutdown: stop_rx });
    let mut loops = JoinSet::new();
    let mut running: Vec<Running> =
        listeners.into_iter().map(|l| start_loop(&mut loops, l, &shared, &gate)).collect();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(change) = relisten.recv() => {
                let errors = relisten_to(&change.listen, &mut running, &mut loops, &shared, &gate);
                let _ = change.done.send(errors.await);
            }
        }
    }
    tracing::info!("network shutdown: no longer accepting connections");
    // Ignore the error: it only means every receiver is gone already.
    let _ = stop_tx.send(true);
    while loops.join_next().await.is_some() {}
    // Only now: a loop whose own stop is dropped would stop.
    drop(running);
    Ok(())
}

/// A listener being served, and how to stop that one alone.
struct Running {
    end: LocalEnd,
    /// False for a socket a service manager passed: it stays, whatever `Listen` says.
    owned: bool,
    stop: watch::Sender<bool>,
}

impl Running {
    /// Is `spec` served here (by this very socket, or by a passed wildcard one on its port)?
    fn serves(&self, spec: &ListenSpec) -> bool {
        match (&self.end, spec) {
            (LocalEnd::Tcp(a), ListenSpec::Tcp(want)) => {
                a == want || (!self.owned && a.ip().is_unspecified() && a.port() == want.port())
            }
            (LocalEnd::Unix(p), ListenSpec::Unix(want)) => p == want,
            _ => false,
        }
    }
}

fn start_loop(
    loops: &mut JoinSet<()>,
    listener: Listener,
    shared: &Arc<Shared>,
    gate: &Gate,
) -> Running {
    let (stop, stopped) = watch::channel(false);
    let running = Running { end: listener.local_end(), owned: listener.owned(), stop };
    loops.spawn(accept_loop(listener, Arc::clone(shared), gate.clone(), stopped));
    running
}

/// Stops serving what `listen` no longer names (not a passed socket, nor the connections
/// already accepted), and binds what it adds. cupsd logs a `Listen` it cannot bind and
/// serves the others: so does a reload (a start refuses them all).
async fn relisten_to(
    listen: &[ListenSpec],
    running: &mut Vec<Running>,
    loops: &mut JoinSet<()>,
    shared: &Arc<Shared>,
    gate: &Gate,
) -> Vec<NetError> {
    running.retain(|r| {
        let keep = !r.owned || listen.iter().any(|spec| r.serves(spec));
        if !keep {
            tracing::info!("No longer listening on {:?}", r.end);
            let _ = r.stop.send(true);
        }
        keep
    });
    let mut errors = Vec::new();
    for spec in listen {
        if running.iter().any(|r| r.serves(spec)) {
            continue;
        }
        match Listener::bind(spec).await {
            Ok(listener) => {
                tracing::info!("Listening on {spec}");
                running.push(start_loop(loops, listener, shared, gate));
            }
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// The connection limits shared by every accept loop of a server.
#[derive(Clone)]
struct Gate {
    admission: Arc<Admission>,
    log: Arc<RefusalLog>,
    refuser: Refuser,
}

/// The messages a flood would repeat, each rate-limited.
struct RefusalLog {
    full: RateLimited,
    per_host: RateLimited,
    accept_error: RateLimited,
}

impl Default for RefusalLog {
    fn default() -> Self {
        let every = || RateLimited::new(REFUSAL_LOG_INTERVAL);
        RefusalLog { full: every(), per_host: every(), accept_error: every() }
    }
}

impl Gate {
    fn refused(&self, why: Refusal, peer: &str) {
        let l = self.admission.limits();
        let now = Instant::now();
        match why {
            Refusal::Full => {
                if let Some(n) = self.log.full.allow(now) {
                    tracing::warn!("Too many connections (MaxClients {}, {} of them for remote clients): answering new connections 503 and closing them, the first from {peer}{}", l.total, l.remote, left_out(n));
                }
            }
            Refusal::PerHost => {
                if let Some(n) = self.log.per_host.allow(now) {
                    tracing::warn!("Possible DoS attack: more than {} connections from {peer} (MaxClientsPerHost): answering new ones 503 and closing them{}", l.per_host, left_out(n));
                }
            }
        }
    }
}

/// Accept until shutdown, then give this listener's connections `shutdown_grace` to end
/// before aborting them, and remove the socket file. Stopped alone (a reload dropped its
/// `Listen`), it leaves its connections running.
async fn accept_loop(
    listener: Listener,
    shared: Arc<Shared>,
    gate: Gate,
    mut own_stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let mut shutdown = shared.shutdown.clone();
    let mut alone = false;
    loop {
        tokio::select! {
            () = shutdown_requested(&mut shutdown) => break,
            () = shutdown_requested(&mut own_stop) => {
                alone = true;
                break;
            }
            accepted = accept_one(&listener, &gate.log) => {
                let Some(Accepted { class, peer, stream }) = accepted else {
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                };
                match gate.admission.admit(class) {
                    Ok(ticket) => {
                        let serve = stream.serve(Arc::clone(&shared));
                        let activity = Arc::clone(&shared.cfg.activity);
                        activity.opened();
                        conns.spawn(async move {
                            serve.await;
                            drop(ticket);
                            activity.closed();
                        });
                    }
                    Err(why) => {
                        gate.refused(why, &peer);
                        stream.refuse(&gate.refuser, why);
                    }
                }
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    let unix_path = match &listener {
        Listener::Unix { path, owned: true, .. } => Some(path.clone()),
        _ => None,
    };
    drop(listener);
    if let Some(path) = unix_path {
        remove_socket_file(&path);
    }
    if alone {
        // The server goes on: so do the connections this listener accepted.
        conns.detach_all();
        return;
    }
    let drained = tokio::time::timeout(shared.cfg.shutdown_grace, async {
        while conns.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::info!("aborting {} connection(s) still open after the grace period", conns.len());
        conns.shutdown().await;
    }
}

/// A connection accepted, not yet admitted.
struct Accepted {
    class: Class,
    /// Who connected, for the log.
    peer: String,
    stream: AcceptedStream,
}

enum AcceptedStream {
    Tcp(TcpStream, SocketAddr),
    Unix(UnixStream, PathBuf),
}

impl AcceptedStream {
    /// The future that serves an admitted connection.
    fn serve(self, shared: Arc<Shared>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        match self {
            AcceptedStream::Tcp(stream, peer) => Box::pin(conn::serve_tcp(shared, stream, peer)),
            AcceptedStream::Unix(stream, path) => Box::pin(conn::serve_unix(shared, stream, path)),
        }
    }

    /// Answers a connection that was not admitted (see `refuse.rs`).
    fn refuse(self, refuser: &Refuser, why: Refusal) {
        match self {
            AcceptedStream::Tcp(stream, _) => refuser.refuse(stream, why),
            AcceptedStream::Unix(stream, _) => refuser.refuse(stream, why),
        }
    }
}

/// Accept one connection; `None` on accept errors.
async fn accept_one(listener: &Listener, log: &RefusalLog) -> Option<Accepted> {
    let failed = |e: std::io::Error, on: &str| {
        // EMFILE and the like repeat every ACCEPT_ERROR_PAUSE while they last.
        if let Some(n) = log.accept_error.allow(Instant::now()) {
            tracing::warn!("accept failed{on}: {e}{}", left_out(n));
        }
        None
    };
    match listener {
        Listener::Tcp { listener: l, .. } => match l.accept().await {
            Ok((stream, peer)) => {
                // Small IPP responses should not wait for Nagle (cupsd sets this too).
                let _ = stream.set_nodelay(true);
                Some(Accepted {
                    class: Class::of_tcp(peer.ip()),
                    peer: peer.ip().to_string(),
                    stream: AcceptedStream::Tcp(stream, peer),
                })
            }
            Err(e) => failed(e, ""),
        },
        Listener::Unix { listener, path, .. } => match listener.accept().await {
            Ok((stream, _)) => {
                // No credentials: counted as a local user; serve_unix then closes it.
                let uid = stream.peer_cred().map(|c| c.uid()).ok();
                let class = uid.map_or(Class::Local, Class::of_unix);
                let peer = uid.map_or_else(
                    || "the local socket".to_string(),
                    |u| format!("uid {u} on the local socket"),
                );
                Some(Accepted { class, peer, stream: AcceptedStream::Unix(stream, path.clone()) })
            }
            Err(e) => failed(e, &format!(" on {}", path.display())),
        },
    }
}
