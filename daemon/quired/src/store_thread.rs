//! The job store on its own thread, with group commit: every batch of changes waiting
//! when the thread wakes is written in one durable transaction, then each sender is told.

use quire_store::{Change, Store, StoreError};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// A batch of changes and who to tell once it is durable.
pub struct Batch {
    pub changes: Vec<Change>,
    pub done: oneshot::Sender<Result<(), String>>,
}

#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Batch>,
}

impl StoreHandle {
    /// Queues changes; the receiver resolves once they are committed.
    pub fn submit(&self, changes: Vec<Change>) -> oneshot::Receiver<Result<(), String>> {
        let (done, rx) = oneshot::channel();
        if changes.is_empty() {
            let _ = done.send(Ok(()));
            return rx;
        }
        if self.tx.send(Batch { changes, done }).is_err() {
            tracing::error!("job store thread is gone; changes not saved");
        }
        rx
    }
}

pub fn spawn(mut store: Store) -> StoreHandle {
    let (tx, rx) = mpsc::channel::<Batch>();
    std::thread::Builder::new()
        .name("quire-store".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batches = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batches.push(more);
                }
                let changes: Vec<Change> = batches.iter_mut().flat_map(|b| std::mem::take(&mut b.changes)).collect();
                let result = store.apply(&changes).map_err(|e: StoreError| e.to_string());
                if let Err(e) = &result {
                    tracing::error!("Unable to save {} change(s) to the job store: {e}", changes.len());
                }
                for b in batches {
                    let _ = b.done.send(result.clone());
                }
            }
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("unable to start the store thread: {e}"));
    StoreHandle { tx }
}
