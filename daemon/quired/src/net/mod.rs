//! The daemon's network layer: listeners, TLS, HTTP/1.1 serving.
//!
//! `bind` opens every listener (so bind errors surface before anything else starts), then
//! `BoundListeners::serve` runs one accept loop per listener and hands every connection to
//! hyper's HTTP/1.1 server, which calls the axum `Router`.
//!
//! What a handler can rely on:
//! * every request carries a [`ConnInfo`] extension (`Extension<ConnInfo>` in axum);
//! * request bodies are streamed (`axum::body::Body`), chunked or not; `Expect: 100-continue`
//!   is answered by hyper when the handler first polls the body, so a handler that rejects a
//!   request without reading the body never makes the client send it;
//! * `NetConfig::max_body_bytes` caps a body here (413 up front for a too-large
//!   `Content-Length`, a body error once a chunked body passes the cap). The IPP attribute
//!   section limit is the codec's job (`quire_ipp::Limits`), not this layer's;
//! * `OPTIONS *` is answered here (200, `Allow`, empty body), because libcups sends it to
//!   upgrade to TLS and expects exactly that;
//! * `Upgrade: TLS/1.x` (RFC 2817) on a body-less plain request is answered with
//!   `101 Switching Protocols` here when TLS is configured; the request is then answered
//!   again over TLS (see `upgrade.rs`).

mod accept;
mod admission;
mod conn;
mod io;
mod refuse;
mod tls;
mod upgrade;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_tls;

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use tls::load_or_create_self_signed;

/// Who is on the other end of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    Tcp(SocketAddr),
    /// Credentials of the process that connected to a Unix socket (SO_PEERCRED).
    Unix {
        uid: u32,
        gid: u32,
        pid: Option<i32>,
    },
}

/// Which of our listeners a connection came in on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalEnd {
    /// The address the client actually connected to (not the wildcard we listen on), so a
    /// handler can build URIs the client can reach; the `Host` header is the other source.
    Tcp(SocketAddr),
    Unix(PathBuf),
}

/// Per-connection facts, inserted into every request's extensions.
#[derive(Clone, Debug)]
pub struct ConnInfo {
    pub peer: Peer,
    pub local: LocalEnd,
    /// True once the connection is encrypted (direct TLS or after an RFC 2817 upgrade).
    pub tls: bool,
    /// Who the client is, resolved on first need and shared by the connection's requests.
    pub identity: Arc<crate::identity::ConnIdentity>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenSpec {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl fmt::Display for ListenSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenSpec::Tcp(addr) => write!(f, "{addr}"),
            ListenSpec::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Network settings. `Default` follows cupsd's defaults where cupsd has one.
#[derive(Clone, Debug)]
pub struct NetConfig {
    pub listen: Vec<ListenSpec>,
    /// Server TLS config; `None` disables direct TLS and `Upgrade: TLS`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Time allowed to send a complete request head (also bounds the first-byte peek and
    /// the TLS handshake). A client that sends half a header is dropped after this.
    pub header_timeout: Duration,
    /// Keep-alive: a connection with no request in flight and no I/O for this long is
    /// closed. hyper's header timer also runs while waiting for the next request, so the
    /// effective idle limit is the smaller of this and `header_timeout`.
    pub idle_timeout: Duration,
    /// cupsd `Timeout`: a request in flight (body upload, response download) with no I/O
    /// progress for this long is aborted.
    pub io_timeout: Duration,
    /// hyper's read buffer cap, i.e. the largest request head accepted (min 8192).
    pub max_header_bytes: usize,
    /// cupsd `MaxClients`: connections beyond this are answered 503 and closed (`refuse.rs`). Remote
    /// clients may use all but a reserve for local ones (see `admission.rs`).
    pub max_connections: usize,
    /// cupsd `MaxClientsPerHost`: connections one remote host may hold (0: all that remote
    /// clients may).
    pub max_connections_per_host: usize,
    /// cupsd `MaxRequestSize` (0 there = unlimited, `None` here).
    pub max_body_bytes: Option<u64>,
    /// How long in-flight requests may run after shutdown starts.
    pub shutdown_grace: Duration,
    /// cupsd `KeepAlive`: off, each connection is closed after its first answer.
    pub keep_alive: bool,
    /// Connections open and since when none is: what `-l`'s idle exit waits on.
    pub activity: Arc<OpenConnections>,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            listen: Vec::new(),
            tls: None,
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(900),
            max_header_bytes: 32 * 1024,
            max_connections: 100,
            max_connections_per_host: 0,
            max_body_bytes: None,
            shutdown_grace: Duration::from_secs(10),
            keep_alive: true,
            activity: Arc::new(OpenConnections::default()),
        }
    }
}

#[derive(Debug)]
pub enum NetError {
    /// A listener could not be bound (address in use, permission, bad path...).
    Bind {
        addr: String,
        source: std::io::Error,
    },
    /// Certificate or key could not be read, written or generated.
    Cert {
        path: PathBuf,
        reason: String,
    },
    /// rustls refused the configuration.
    Tls(rustls::Error),
    Io(std::io::Error),
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Bind { addr, source } => write!(f, "unable to listen on {addr}: {source}"),
            NetError::Cert { path, reason } => write!(f, "{}: {reason}", path.display()),
            NetError::Tls(e) => write!(f, "TLS configuration error: {e}"),
            NetError::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for NetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NetError::Bind { source, .. } => Some(source),
            NetError::Tls(e) => Some(e),
            NetError::Io(e) => Some(e),
            NetError::Cert { .. } => None,
        }
    }
}

impl From<std::io::Error> for NetError {
    fn from(e: std::io::Error) -> Self {
        NetError::Io(e)
    }
}

/// Listeners that are bound but not yet accepting.
pub struct BoundListeners {
    cfg: NetConfig,
    listeners: Vec<accept::Listener>,
    admission: Arc<admission::Admission>,
    relisten: (
        tokio::sync::mpsc::UnboundedSender<accept::Relisten>,
        tokio::sync::mpsc::UnboundedReceiver<accept::Relisten>,
    ),
}

/// Changes the `Listen` addresses of a running server (SIGHUP).
#[derive(Clone, Debug)]
pub struct ListenerControl(tokio::sync::mpsc::UnboundedSender<accept::Relisten>);

impl ListenerControl {
    /// Serves `listen` from now on: what it drops is no longer accepted on (connections
    /// made there stay; a socket a service manager passed stays too), what it adds is bound.
    /// The addresses that could not be bound, and why (the others are served).
    pub async fn relisten(&self, listen: Vec<ListenSpec>) -> Vec<NetError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        if self.0.send(accept::Relisten { listen, done }).is_err() {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }
}

/// `MaxClients` and `MaxClientsPerHost` of a running server, for a reload to change.
#[derive(Clone, Debug)]
pub struct ConnectionLimits(Arc<admission::Admission>);

impl ConnectionLimits {
    /// Connections open stay; new ones are admitted under the new limits.
    pub fn set(&self, max_connections: usize, max_connections_per_host: usize) {
        self.0.set_limits(admission::Limits::new(max_connections, max_connections_per_host));
    }
}

impl BoundListeners {
    pub fn listener_control(&self) -> ListenerControl {
        ListenerControl(self.relisten.0.clone())
    }

    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits(Arc::clone(&self.admission))
    }

    /// The addresses actually bound (port 0 resolved), in `NetConfig::listen` order.
    pub fn local_addrs(&self) -> Vec<LocalEnd> {
        self.listeners.iter().map(accept::Listener::local_end).collect()
    }

    /// Accept and serve until `shutdown` resolves, then stop accepting, give in-flight
    /// requests `shutdown_grace` to finish and remove the Unix socket files.
    pub async fn serve(
        self,
        router: axum::Router,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), NetError> {
        let (_, relisten) = self.relisten;
        accept::serve(self.cfg, self.listeners, self.admission, relisten, router, shutdown).await
    }
}

/// Bind every listener in `cfg.listen`. Unix sockets: a stale socket file is removed first
/// and the new one is made world-accessible (0777) like cupsd's, so any local user can print.
///
/// `passed` are the sockets a service manager passed (socket activation): a `Listen` they
/// match is served on them as they are (never unlinked or bound again), as cupsd matches
/// its listeners to them; the others are served too. A `Listen` that cannot be bound because
/// a passed wildcard socket holds its port (systemd's `ListenStream=631`) is left to that one.
pub async fn bind(
    cfg: NetConfig,
    passed: Vec<crate::service::Passed>,
) -> Result<BoundListeners, NetError> {
    let mut passed: Vec<Option<accept::Listener>> = passed
        .into_iter()
        .map(|p| accept::Listener::passed(p).map(Some))
        .collect::<Result<_, _>>()?;
    let mut listeners = Vec::with_capacity(cfg.listen.len() + passed.len());
    for spec in &cfg.listen {
        let matched = passed.iter_mut().find(|l| l.as_ref().is_some_and(|l| l.serves(spec)));
        if let Some(listener) = matched.and_then(Option::take) {
            tracing::info!("Listen {spec}: using the socket the service manager passed");
            listeners.push(listener);
            continue;
        }
        match accept::Listener::bind(spec).await {
            Ok(l) => listeners.push(l),
            Err(NetError::Bind { source, .. })
                if source.kind() == std::io::ErrorKind::AddrInUse
                    && passed
                        .iter()
                        .flatten()
                        .chain(&listeners)
                        .any(|l| !l.owned() && l.covers_port_of(spec)) =>
            {
                tracing::info!("Listen {spec}: served by a passed socket on all addresses");
            }
            // `Listen localhost:631` on a host without IPv6: as cupsd, the IPv4 one serves.
            Err(NetError::Bind { source, .. })
                if source.kind() == std::io::ErrorKind::AddrNotAvailable
                    && matches!(spec, ListenSpec::Tcp(a) if a.ip() == std::net::Ipv6Addr::LOCALHOST) =>
            {
                tracing::warn!("Listen {spec}: IPv6 is not available here; not listening there");
            }
            Err(e) => return Err(e),
        }
    }
    for extra in passed.into_iter().flatten() {
        tracing::info!("Also serving the passed socket {:?}", extra.local_end());
        listeners.push(extra);
    }
    let limits = admission::Limits::new(cfg.max_connections, cfg.max_connections_per_host);
    let admission = admission::Admission::new(limits);
    let relisten = tokio::sync::mpsc::unbounded_channel();
    Ok(BoundListeners { cfg, listeners, admission, relisten })
}

/// Connections open and since when none is (for `-l`'s idle exit).
#[derive(Debug)]
pub struct OpenConnections {
    state: std::sync::Mutex<(usize, std::time::Instant)>,
}

impl Default for OpenConnections {
    fn default() -> Self {
        OpenConnections { state: std::sync::Mutex::new((0, std::time::Instant::now())) }
    }
}

impl OpenConnections {
    fn opened(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.0 += 1;
        }
    }

    fn closed(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.0 = s.0.saturating_sub(1);
            s.1 = std::time::Instant::now();
        }
    }

    /// Since when no connection is open; `None` while one is.
    pub fn quiet_since(&self) -> Option<std::time::Instant> {
        let s = self.state.lock().ok()?;
        (s.0 == 0).then_some(s.1)
    }
}

/// Remove a Unix socket file we created; a missing file is fine.
fn remove_socket_file(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("unable to remove {}: {e}", path.display()),
    }
}
