//! The job store on its own thread, with group commit: every batch of changes waiting
//! when the thread wakes is written in one durable transaction, then each sender is told.
//!
//! Small documents are stored inside the database ([`quire_store::DocumentStorage`]): the
//! network side stages their bytes in the spool handle, and this thread moves them into the
//! first `PutJob` that lists them, so they become durable with the job in one WAL fsync.
//! Requests are served in the order they were sent, so a read or copy queued after a batch
//! sees that batch committed.

use quire_core::Document;
use quire_store::{Change, DocumentStorage, Spool, Store, StoreError};
use std::path::PathBuf;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// A batch of changes and who to tell once it is durable.
pub struct Batch {
    pub changes: Vec<Change>,
    pub done: oneshot::Sender<Result<(), String>>,
}

enum Message {
    Batch(Batch),
    /// The bytes of an inline document (`None`: no such inline document).
    Read { file: String, reply: oneshot::Sender<Result<Option<Vec<u8>>, String>> },
    /// Copy an inline document to spool file `to` (a reprocessed job's own copy).
    Copy { from: String, to: String },
    /// Forget a staged inline document no committed job took (e.g. a refused Print-Job).
    Discard { file: String },
    /// Overwrite the encrypted spool files of these jobs (before a later batch removes them).
    Shred { jobs: Vec<i32> },
}

#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Message>,
}

impl StoreHandle {
    /// Queues changes; the receiver resolves once they are committed.
    pub fn submit(&self, changes: Vec<Change>) -> oneshot::Receiver<Result<(), String>> {
        let (done, rx) = oneshot::channel();
        if changes.is_empty() {
            let _ = done.send(Ok(()));
            return rx;
        }
        self.send(Message::Batch(Batch { changes, done }));
        rx
    }

    /// Reads an inline document once everything queued before is committed.
    pub fn read_inline(&self, file: &str) -> oneshot::Receiver<Result<Option<Vec<u8>>, String>> {
        let (reply, rx) = oneshot::channel();
        self.send(Message::Read { file: file.to_string(), reply });
        rx
    }

    /// Copies an inline document to a durable spool file, before any later batch commits.
    pub fn copy_inline(&self, from: &str, to: &str) {
        self.send(Message::Copy { from: from.to_string(), to: to.to_string() });
    }

    /// Drops a staged document unless a batch queued before this took it.
    pub fn discard_staged(&self, file: &str) {
        self.send(Message::Discard { file: file.to_string() });
    }

    /// Shreds the jobs' encrypted spool files, in order with the batches around it.
    pub fn shred_sealed(&self, jobs: Vec<i32>) {
        self.send(Message::Shred { jobs });
    }

    fn send(&self, msg: Message) {
        if self.tx.send(msg).is_err() {
            tracing::error!("job store thread is gone; changes not saved");
        }
    }
}

pub fn spawn(store: Store) -> StoreHandle {
    let (tx, rx) = mpsc::channel::<Message>();
    std::thread::Builder::new()
        .name("quire-store".into())
        .spawn(move || serve(store, rx))
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("unable to start the store thread: {e}"));
    StoreHandle { tx }
}

fn serve(mut store: Store, rx: mpsc::Receiver<Message>) {
    let spool = store.spool();
    while let Ok(first) = rx.recv() {
        let mut pending = vec![first];
        while let Ok(more) = rx.try_recv() {
            pending.push(more);
        }
        // Consecutive batches share one transaction; anything else waits for them.
        let mut batches = Vec::new();
        for msg in pending {
            match msg {
                Message::Batch(b) => batches.push(b),
                other => {
                    commit(&mut store, &spool, std::mem::take(&mut batches));
                    serve_one(&store, &spool, other);
                }
            }
        }
        commit(&mut store, &spool, batches);
    }
}

fn serve_one(store: &Store, spool: &Spool, msg: Message) {
    match msg {
        Message::Batch(_) => unreachable!("batches are committed by `commit`"),
        Message::Read { file, reply } => {
            let _ = reply.send(store.inline_document(&PathBuf::from(file)).map_err(|e| e.to_string()));
        }
        Message::Copy { from, to } => {
            // A job split as it is created is copied before its own batch takes the
            // staged bytes.
            let found = store.inline_document(&PathBuf::from(&from)).map(|d| d.or_else(|| spool.staged_copy(&from)));
            let copied = match found {
                Ok(Some(data)) => spool.write_named(&to, &data).map(|_| ()).map_err(|e| e.to_string()),
                Ok(None) => Err("no such inline document".into()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = copied {
                tracing::error!("Unable to copy document {from} to {to}: {e}");
            }
        }
        Message::Discard { file } => {
            spool.take_staged(&file);
        }
        Message::Shred { jobs } => {
            let dir = spool.path(std::path::Path::new(""));
            for id in jobs {
                crate::pin::shred_sealed(&dir, id);
            }
        }
    }
}

/// Commits batches in one transaction. If that fails and there were several, each is
/// retried alone so one bad batch does not fail its neighbours.
fn commit(store: &mut Store, spool: &Spool, mut batches: Vec<Batch>) {
    if batches.is_empty() {
        return;
    }
    for b in &mut batches {
        attach_staged(spool, &mut b.changes);
    }
    let changes: Vec<Change> = batches.iter().flat_map(|b| b.changes.iter().cloned()).collect();
    match store.apply(&changes) {
        Ok(()) => {
            for b in batches {
                let _ = b.done.send(Ok(()));
            }
        }
        Err(e) if batches.len() == 1 => {
            tracing::error!("Unable to save {} change(s) to the job store: {e}", changes.len());
            fail(spool, batches, &e);
        }
        Err(_) => {
            for b in batches {
                match store.apply(&b.changes) {
                    Ok(()) => {
                        let _ = b.done.send(Ok(()));
                    }
                    Err(e) => {
                        tracing::error!("Unable to save {} change(s) to the job store: {e}", b.changes.len());
                        fail(spool, vec![b], &e);
                    }
                }
            }
        }
    }
}

/// Puts the bytes of failed inline documents back, so a later `PutJob` can still store them.
fn fail(spool: &Spool, batches: Vec<Batch>, e: &StoreError) {
    for b in batches {
        for change in b.changes {
            if let Change::PutJob(job) = change {
                for d in job.documents {
                    if let DocumentStorage::InlineData(data) = d.storage {
                        spool.stage(&d.file.to_string_lossy(), data);
                    }
                }
            }
        }
        let _ = b.done.send(Err(e.to_string()));
    }
}

/// Moves staged bytes into the `PutJob`s that list their document.
fn attach_staged(spool: &Spool, changes: &mut [Change]) {
    for change in changes {
        let Change::PutJob(job) = change else { continue };
        for d in &mut job.documents {
            if d.storage == DocumentStorage::Inline && Document::is_inline_name(&d.file.to_string_lossy()) {
                if let Some(data) = spool.take_staged(&d.file.to_string_lossy()) {
                    d.storage = DocumentStorage::InlineData(data);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_store::{DocumentRecord, JobRecord};

    fn job(id: i32, file: &str, size: u64) -> Change {
        Change::PutJob(JobRecord {
            id,
            printer: "lp".into(),
            state: 4,
            owner: "alice".into(),
            created: 0,
            completed: None,
            attrs: vec![],
            documents: vec![DocumentRecord {
                number: 1,
                format: "application/pdf".into(),
                size,
                file: file.into(),
                compression: None,
                storage: if Document::is_inline_name(file) { DocumentStorage::Inline } else { DocumentStorage::File },
            }],
        })
    }

    #[test]
    fn staged_documents_are_stored_read_copied_and_discarded() {
        let dir = std::env::temp_dir().join(format!("quired-store-thread-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir.join("quire.db"), &dir).expect("open");
        let spool = store.spool();
        let handle = spawn(store);

        spool.stage("i00001-001", b"%PDF one".to_vec());
        // Job 2 claims an inline document nobody staged: its batch fails, job 1's does not.
        let bad = handle.submit(vec![job(2, "i00002-001", 3)]);
        let good = handle.submit(vec![job(1, "i00001-001", 8)]);
        assert!(bad.blocking_recv().expect("reply").is_err());
        assert_eq!(good.blocking_recv().expect("reply"), Ok(()));
        assert_eq!(spool.staged_count(), 0);
        // A later state change keeps the bytes.
        assert_eq!(handle.submit(vec![job(1, "i00001-001", 8)]).blocking_recv().expect("reply"), Ok(()));
        let read = handle.read_inline("i00001-001").blocking_recv().expect("reply");
        assert_eq!(read, Ok(Some(b"%PDF one".to_vec())));

        handle.copy_inline("i00001-001", "d00003-001");
        assert_eq!(handle.submit(vec![job(3, "d00003-001", 8)]).blocking_recv().expect("reply"), Ok(()));
        assert_eq!(std::fs::read(dir.join("d00003-001")).expect("copy"), b"%PDF one");

        spool.stage("i00004-001", b"refused".to_vec());
        handle.discard_staged("i00004-001");
        let _ = handle.read_inline("i00001-001").blocking_recv(); // the discard was served
        assert_eq!(spool.staged_count(), 0);
        drop(handle);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
