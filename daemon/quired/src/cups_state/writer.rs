//! Keeps ServerRoot's printers.conf and classes.conf written while quired runs, as cupsd
//! writes them: a change to the queues marks them dirty; a second later (changes in between
//! are written together) the scheduler renders them and a blocking task writes each file
//! that changed to `NAME.N`, keeps the previous one as `NAME.O` and renames the new one into
//! place, with the previous file's owner and mode (0600 for a new file).

use crate::command::Command;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};

/// Changes written together: the scheduler renders the files at most once in this time.
const COALESCE: Duration = Duration::from_secs(1);

/// The two files' texts, rendered by the scheduler task.
pub type QueueTexts = (String, String);

/// The scheduler's handle: `mark` after any change to a queue or the default.
#[derive(Clone)]
pub struct CupsFilesWriter {
    dirty: Arc<Notify>,
    tx: mpsc::UnboundedSender<Command>,
    server_root: PathBuf,
}

impl CupsFilesWriter {
    /// Starts the writing task; the files are written once at start (Quire's rendering of
    /// what it imported or holds).
    pub fn start(server_root: PathBuf, tx: mpsc::UnboundedSender<Command>) -> CupsFilesWriter {
        let w = CupsFilesWriter { dirty: Arc::new(Notify::new()), tx, server_root };
        let task = w.clone();
        tokio::spawn(async move {
            let mut last: QueueTexts = Default::default();
            loop {
                task.write_now(&mut last).await;
                task.dirty.notified().await;
                tokio::time::sleep(COALESCE).await;
            }
        });
        w
    }

    pub fn mark(&self) {
        self.dirty.notify_one();
    }

    /// Writes the files as they are now (at shutdown, so no change of the last second is lost).
    pub async fn flush(&self) {
        let mut last = Default::default();
        self.write_now(&mut last).await;
    }

    async fn write_now(&self, last: &mut QueueTexts) {
        let (reply, texts) = oneshot::channel();
        if self.tx.send(Command::CupsFiles { reply }).is_err() {
            return;
        }
        let Ok(texts) = texts.await else { return };
        if texts == *last {
            return;
        }
        let root = self.server_root.clone();
        let to_write = texts.clone();
        let written = tokio::task::spawn_blocking(move || {
            let p = write_conf(&root.join("printers.conf"), &to_write.0);
            let c = write_conf(&root.join("classes.conf"), &to_write.1);
            p.and(c)
        })
        .await;
        match written {
            Ok(Ok(())) => *last = texts,
            Ok(Err(e)) => tracing::error!("Unable to write printers.conf or classes.conf: {e}"),
            Err(e) => tracing::error!("Unable to write printers.conf or classes.conf: {e}"),
        }
    }
}

/// Writes `text` to `path` as cupsd does (`crate::conf_file::replace`), 0600 when new; a file
/// that already says the same is left alone.
pub fn write_conf(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    crate::conf_file::replace(path, text.as_bytes(), 0o600)
}
