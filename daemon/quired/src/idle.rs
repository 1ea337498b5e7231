//! `-l` (on demand, as systemd's cups.service runs cupsd): exit after `IdleExitTimeout` with
//! nothing to do, for the socket to start the server again at the next connection. cupsd's
//! rule (scheduler/main.c): a timeout is set, the web interface is off (a systemd build of
//! cupsd stays up while it is on), no job is unfinished (pending and held ones count), and
//! with `Browsing` on no printer is shared; then the time passes with no client connected.
//!
//! The keep-alive file (`CacheDir/org.cups.cupsd`, what cups.path watches) exists while the
//! server runs and stays after it exits with unfinished jobs, so they are printed after a
//! reboot; it is removed when the server leaves nothing to do.

use crate::command::Command;
use crate::live::Live;
use crate::net::OpenConnections;
use quire_config::ServerConfig;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// How often a configuration that never exits (timeout 0, web interface on) is looked at
/// again, as a reload may change it.
const RECHECK: Duration = Duration::from_secs(60);

/// Resolves when the server may exit (never, if the scheduler task is gone).
pub async fn idle_exit(
    config: Arc<Live<ServerConfig>>,
    conns: Arc<OpenConnections>,
    tx: mpsc::UnboundedSender<Command>,
) {
    loop {
        let c = config.get();
        let timeout = c.idle_exit_timeout;
        if timeout.is_zero() || c.web_interface {
            tokio::time::sleep(RECHECK).await;
            continue;
        }
        let left = match conns.quiet_since() {
            Some(since) => (since + timeout).saturating_duration_since(Instant::now()),
            None => timeout,
        };
        if !left.is_zero() {
            tokio::time::sleep(left).await;
            continue;
        }
        match nothing_to_do(&tx, c.browsing).await {
            Some(true) => {
                tracing::info!("No jobs and no clients for {timeout:?} (IdleExitTimeout): exiting until the next connection starts the server again.");
                return;
            }
            Some(false) => tokio::time::sleep(timeout).await,
            None => std::future::pending::<()>().await,
        }
    }
}

/// The scheduler's answer: no unfinished job (and no shared printer while browsing).
pub async fn nothing_to_do(tx: &mpsc::UnboundedSender<Command>, browsing: bool) -> Option<bool> {
    let (reply, answer) = oneshot::channel();
    tx.send(Command::Idle { browsing, reply }).ok()?;
    answer.await.ok()
}

pub fn keepalive_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("org.cups.cupsd")
}

/// Writes our pid in the keep-alive file.
pub fn keepalive_create(path: &Path) {
    if let Err(e) = std::fs::write(path, format!("{}\n", std::process::id())) {
        tracing::error!("Unable to create the keep-alive file \"{}\": {e}", path.display());
    }
}

/// At exit: the keep-alive file stays only if jobs are left to print.
pub async fn keepalive_at_exit(path: &Path, tx: &mpsc::UnboundedSender<Command>, browsing: bool) {
    let answer = tokio::time::timeout(Duration::from_secs(5), nothing_to_do(tx, browsing)).await;
    // Unknown (the scheduler is gone): kept, at worst the server starts once for nothing.
    if answer.ok().flatten() != Some(true) {
        return;
    }
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::error!("Unable to remove the keep-alive file \"{}\": {e}", path.display())
        }
    }
}
