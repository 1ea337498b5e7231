//! Listeners and accept loops: connection limit and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::conn::{self, shutdown_requested, Shared};
use super::{remove_socket_file, ListenSpec, LocalEnd, NetConfig, NetError};

/// cupsd's listen backlog (`ListenBackLog` default).
const BACKLOG: i32 = 128;
/// Pause after a failed accept (e.g. EMFILE) so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

pub(crate) enum Listener {
    Tcp(TcpListener),
    Unix {
        listener: UnixListener,
        path: PathBuf,
    },
}

impl Listener {
    pub(crate) async fn bind(spec: &ListenSpec) -> Result<Self, NetError> {
        let err = |source| NetError::Bind {
            addr: spec.to_string(),
            source,
        };
        match spec {
            ListenSpec::Tcp(addr) => bind_tcp(*addr).map(Listener::Tcp).map_err(err),
            ListenSpec::Unix(path) => {
                let listener = bind_unix(path).await.map_err(err)?;
                Ok(Listener::Unix {
                    listener,
                    path: path.clone(),
                })
            }
        }
    }

    pub(crate) fn local_end(&self) -> LocalEnd {
        match self {
            Listener::Tcp(l) => match l.local_addr() {
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

pub(crate) async fn serve(
    cfg: NetConfig,
    listeners: Vec<Listener>,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NetError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let acceptor = cfg.tls.clone().map(TlsAcceptor::from);
    let limit = Arc::new(Semaphore::new(cfg.max_connections.max(1)));
    let shared = Arc::new(Shared {
        cfg,
        router,
        acceptor,
        shutdown: stop_rx,
    });
    let mut loops = JoinSet::new();
    for listener in listeners {
        loops.spawn(accept_loop(
            listener,
            Arc::clone(&shared),
            Arc::clone(&limit),
        ));
    }
    shutdown.await;
    tracing::info!("network shutdown: no longer accepting connections");
    // Ignore the error: it only means every receiver is gone already.
    let _ = stop_tx.send(true);
    while loops.join_next().await.is_some() {}
    Ok(())
}

/// Accept until shutdown, then give this listener's connections `shutdown_grace` to end
/// before aborting them, and remove the socket file.
async fn accept_loop(listener: Listener, shared: Arc<Shared>, limit: Arc<Semaphore>) {
    let mut conns = JoinSet::new();
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            () = shutdown_requested(&mut shutdown) => break,
            accepted = accept_one(&listener, &shared) => {
                let Some(serve) = accepted else {
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                };
                match Arc::clone(&limit).try_acquire_owned() {
                    Ok(permit) => {
                        conns.spawn(async move {
                            serve.await;
                            drop(permit);
                        });
                    }
                    // Dropping the stream closes it: the cheapest answer to a flood.
                    Err(_) => tracing::warn!("too many connections, closing a new one"),
                }
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    let unix_path = match &listener {
        Listener::Unix { path, .. } => Some(path.clone()),
        Listener::Tcp(_) => None,
    };
    drop(listener);
    if let Some(path) = unix_path {
        remove_socket_file(&path);
    }
    let drained = tokio::time::timeout(shared.cfg.shutdown_grace, async {
        while conns.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::info!(
            "aborting {} connection(s) still open after the grace period",
            conns.len()
        );
        conns.shutdown().await;
    }
}

/// Accept one connection and return the future that serves it; `None` on accept errors.
async fn accept_one(
    listener: &Listener,
    shared: &Arc<Shared>,
) -> Option<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>> {
    let shared = Arc::clone(shared);
    match listener {
        Listener::Tcp(l) => match l.accept().await {
            Ok((stream, peer)) => {
                // Small IPP responses should not wait for Nagle (cupsd sets this too).
                let _ = stream.set_nodelay(true);
                Some(Box::pin(conn::serve_tcp(shared, stream, peer)))
            }
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                None
            }
        },
        Listener::Unix { listener, path } => match listener.accept().await {
            Ok((stream, _)) => Some(Box::pin(conn::serve_unix(shared, stream, path.clone()))),
            Err(e) => {
                tracing::warn!("accept failed on {}: {e}", path.display());
                None
            }
        },
    }
}
