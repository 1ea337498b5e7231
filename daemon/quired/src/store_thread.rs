//! The job store on its own thread, with group commit: every batch of changes waiting
//! when the thread wakes is written in one durable transaction, then each sender is told.
//!
//! Small documents are stored inside the database ([`quire_store::DocumentStorage`]): the
//! network side stages their bytes in the spool handle, and this thread moves them into the
//! first `PutJob` that lists them, so they become durable with the job in one WAL fsync.
//! Requests are served in the order they were sent, so a read or copy queued after a batch
//! sees that batch committed.
//!
//! A full disk: the store keeps a reserve file sized for the disk and gives it up to commit
//! deletes ([`Store::apply_making_room`]); it is made again once the disk has room. A batch
//! that still cannot be saved (or was saved only in part) is reported to the scheduler with
//! what it touched ([`Touched`]), which reloads those objects from the store: memory never
//! keeps a change the store does not have.

use quire_core::Document;
use quire_store::{
    Change, DocumentStorage, JobRecord, PrinterRecord, Spool, Store, StoreError, SubscriptionRecord,
};
use std::path::PathBuf;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// A batch of changes and who to tell once it is durable.
pub struct Batch {
    pub changes: Vec<Change>,
    pub done: oneshot::Sender<Result<(), String>>,
    /// Told too (the scheduler, to start jobs once their state is saved).
    pub ack: Option<oneshot::Sender<bool>>,
}

/// The objects a batch changed: what the scheduler reloads when it was not saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Touched {
    pub jobs: Vec<i32>,
    pub printers: Vec<String>,
    pub subscriptions: Vec<i32>,
}

impl Touched {
    fn add(&mut self, changes: &[Change]) {
        for c in changes {
            match c {
                Change::PutJob(j) => self.jobs.push(j.id),
                Change::DeleteJob(id) => self.jobs.push(*id),
                Change::DeleteJobs(ids) => self.jobs.extend(ids),
                Change::PutPrinter(p) => self.printers.push(p.name.clone()),
                Change::DeletePrinter(name) => self.printers.push(name.clone()),
                Change::PutSubscription(x) => self.subscriptions.push(x.id),
                Change::DeleteSubscription(id) => self.subscriptions.push(*id),
                Change::SetKv(..) | Change::DeleteKv(_) => {}
            }
        }
        self.jobs.sort_unstable();
        self.jobs.dedup();
        self.printers.sort();
        self.printers.dedup();
        self.subscriptions.sort_unstable();
        self.subscriptions.dedup();
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty() && self.printers.is_empty() && self.subscriptions.is_empty()
    }
}

/// What the store holds now for touched objects (None: not stored).
#[derive(Debug, Default)]
pub struct Reloaded {
    pub jobs: Vec<(i32, Option<JobRecord>)>,
    pub printers: Vec<(String, Option<PrinterRecord>)>,
    pub subscriptions: Vec<(i32, Option<SubscriptionRecord>)>,
}

/// Called on the store thread with what a batch that was not saved touched.
pub type OnFailure = Box<dyn Fn(Touched) + Send>;

enum Message {
    Batch(Batch),
    /// The bytes of an inline document (`None`: no such inline document).
    Read {
        file: String,
        reply: oneshot::Sender<Result<Option<Vec<u8>>, String>>,
    },
    /// Copy an inline document to spool file `to` (a reprocessed job's own copy), or link a
    /// spool file (they never change once committed, so a copy can share one).
    Copy {
        from: String,
        to: String,
    },
    /// Forget a staged inline document no committed job took (e.g. a refused Print-Job).
    Discard {
        file: String,
    },
    /// Overwrite the encrypted spool files of these jobs (before a later batch removes them).
    Shred {
        jobs: Vec<i32>,
    },
    /// Read what the store holds for these objects, once everything queued before is done.
    Reload {
        touched: Touched,
        reply: oneshot::Sender<Result<Reloaded, String>>,
    },
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
        self.send(Message::Batch(Batch { changes, done, ack: None }));
        rx
    }

    /// [`StoreHandle::submit`], and a second receiver told `true` once the changes are
    /// committed (`false` if they were not).
    pub fn submit_acked(
        &self,
        changes: Vec<Change>,
    ) -> (oneshot::Receiver<Result<(), String>>, oneshot::Receiver<bool>) {
        let (done, rx) = oneshot::channel();
        let (ack, acked) = oneshot::channel();
        if changes.is_empty() {
            let _ = done.send(Ok(()));
            let _ = ack.send(true);
            return (rx, acked);
        }
        self.send(Message::Batch(Batch { changes, done, ack: Some(ack) }));
        (rx, acked)
    }

    /// What the store holds for `touched`, read after every batch queued before.
    pub fn reload(&self, touched: Touched) -> oneshot::Receiver<Result<Reloaded, String>> {
        let (reply, rx) = oneshot::channel();
        self.send(Message::Reload { touched, reply });
        rx
    }

    /// Reads an inline document once everything queued before is committed.
    pub fn read_inline(&self, file: &str) -> oneshot::Receiver<Result<Option<Vec<u8>>, String>> {
        let (reply, rx) = oneshot::channel();
        self.send(Message::Read { file: file.to_string(), reply });
        rx
    }

    /// Copies an inline document to a durable spool file (links a spool file), before any
    /// later batch commits.
    pub fn copy_document(&self, from: &str, to: &str) {
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

/// Starts the store thread. `on_failure` hears of every batch that was not saved.
pub fn spawn(store: Store, on_failure: OnFailure) -> StoreHandle {
    let (tx, rx) = mpsc::channel::<Message>();
    std::thread::Builder::new()
        .name("quire-store".into())
        .spawn(move || serve(store, rx, on_failure))
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("unable to start the store thread: {e}"));
    StoreHandle { tx }
}

/// The spool disk's (size, free bytes).
fn disk(spool: &Spool) -> Option<(u64, u64)> {
    let v = nix::sys::statvfs::statvfs(spool.dir()).ok()?;
    let block = v.fragment_size();
    Some((v.blocks().saturating_mul(block), v.blocks_available().saturating_mul(block)))
}

/// The reserve file: its size for this disk, and whether it is in place.
struct Reserve {
    bytes: u64,
    kept: bool,
}

impl Reserve {
    fn new(store: &mut Store, spool: &Spool) -> Reserve {
        let bytes = match disk(spool) {
            Some((total, _)) => store.fit_to_disk(total).unwrap_or_else(|e| {
                tracing::error!("Unable to size the job store's journal for the disk: {e}");
                0
            }),
            None => 0,
        };
        let mut reserve = Reserve { bytes, kept: false };
        reserve.keep(store, spool);
        reserve
    }

    /// Makes the reserve again once the disk has room for it several times over.
    fn keep(&mut self, store: &mut Store, spool: &Spool) {
        if self.bytes == 0 || (self.kept && store.has_reserve()) {
            return;
        }
        if disk(spool).is_some_and(|(_, free)| free < self.bytes.saturating_mul(4)) {
            self.kept = false;
            return;
        }
        self.kept = match store.keep_reserve(self.bytes) {
            Ok(kept) => kept,
            Err(e) => {
                tracing::error!("Unable to keep the job store's reserve file: {e}");
                false
            }
        };
    }
}

fn serve(mut store: Store, rx: mpsc::Receiver<Message>, on_failure: OnFailure) {
    let spool = store.spool();
    let mut reserve = Reserve::new(&mut store, &spool);
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
                    commit(&mut store, &spool, std::mem::take(&mut batches), &on_failure);
                    serve_one(&store, &spool, other);
                }
            }
        }
        commit(&mut store, &spool, batches, &on_failure);
        reserve.keep(&mut store, &spool);
    }
}

/// What the store holds for `touched`.
fn reload(store: &Store, touched: Touched) -> Result<Reloaded, StoreError> {
    let mut out = Reloaded::default();
    for id in touched.jobs {
        out.jobs.push((id, store.get_job(id)?));
    }
    for name in touched.printers {
        let rec = store.get_printer(&name)?;
        out.printers.push((name, rec));
    }
    for id in touched.subscriptions {
        out.subscriptions.push((id, store.get_subscription(id)?));
    }
    Ok(out)
}

fn serve_one(store: &Store, spool: &Spool, msg: Message) {
    match msg {
        Message::Batch(_) => unreachable!("batches are committed by `commit`"),
        Message::Read { file, reply } => {
            let _ =
                reply.send(store.inline_document(&PathBuf::from(file)).map_err(|e| e.to_string()));
        }
        Message::Copy { from, to } if !quire_core::Document::is_inline_name(&from) => {
            let (from_path, to_path) = (spool.path(from.as_ref()), spool.path(to.as_ref()));
            if let Err(e) = std::fs::hard_link(from_path, to_path) {
                tracing::error!("Unable to link spool file {from} to {to}: {e}");
            }
        }
        Message::Copy { from, to } => {
            // A job split as it is created is copied before its own batch takes the
            // staged bytes.
            let found = store
                .inline_document(&PathBuf::from(&from))
                .map(|d| d.or_else(|| spool.staged_copy(&from)));
            let copied = match found {
                Ok(Some(data)) => {
                    spool.write_named(&to, &data).map(|_| ()).map_err(|e| e.to_string())
                }
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
        Message::Reload { touched, reply } => {
            let _ = reply.send(reload(store, touched).map_err(|e| e.to_string()));
        }
    }
}

/// Commits batches in one transaction. If that fails, each is retried alone (making room
/// on a full disk), so one bad batch does not fail its neighbours.
fn commit(store: &mut Store, spool: &Spool, mut batches: Vec<Batch>, on_failure: &OnFailure) {
    if batches.is_empty() {
        return;
    }
    for b in &mut batches {
        attach_staged(spool, &mut b.changes);
    }
    let changes: Vec<Change> = batches.iter().flat_map(|b| b.changes.iter().cloned()).collect();
    if store.apply(&changes).is_ok() {
        for b in batches {
            succeed(b);
        }
        return;
    }
    for b in batches {
        match store.apply_making_room(&b.changes) {
            Ok(()) => succeed(b),
            Err(e) => {
                tracing::error!(
                    "Unable to save {} change(s) to the job store: {e}",
                    b.changes.len()
                );
                let mut touched = Touched::default();
                touched.add(&b.changes);
                fail(spool, b, &e);
                if !touched.is_empty() {
                    on_failure(touched);
                }
            }
        }
    }
}

fn succeed(b: Batch) {
    let _ = b.done.send(Ok(()));
    if let Some(ack) = b.ack {
        let _ = ack.send(true);
    }
}

/// Puts the bytes of failed inline documents back, so a later `PutJob` can still store them.
fn fail(spool: &Spool, b: Batch, e: &StoreError) {
    if let Some(ack) = b.ack {
        let _ = ack.send(false);
    }
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

/// Moves staged bytes into the `PutJob`s that list their document.
fn attach_staged(spool: &Spool, changes: &mut [Change]) {
    for change in changes {
        let Change::PutJob(job) = change else { continue };
        for d in &mut job.documents {
            if d.storage == DocumentStorage::Inline
                && Document::is_inline_name(&d.file.to_string_lossy())
            {
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
                storage: if Document::is_inline_name(file) {
                    DocumentStorage::Inline
                } else {
                    DocumentStorage::File
                },
            }],
        })
    }

    #[test]
    fn staged_documents_are_stored_read_copied_and_discarded() {
        let dir = std::env::temp_dir().join(format!("quired-store-thread-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir.join("quire.db"), &dir).expect("open");
        let spool = store.spool();
        let handle = spawn(store, Box::new(|_| {}));

        spool.stage("i00001-001", b"%PDF one".to_vec());
        // Job 2 claims an inline document nobody staged: its batch fails, job 1's does not.
        let bad = handle.submit(vec![job(2, "i00002-001", 3)]);
        let good = handle.submit(vec![job(1, "i00001-001", 8)]);
        assert!(bad.blocking_recv().expect("reply").is_err());
        assert_eq!(good.blocking_recv().expect("reply"), Ok(()));
        assert_eq!(spool.staged_count(), 0);
        // A later state change keeps the bytes.
        assert_eq!(
            handle.submit(vec![job(1, "i00001-001", 8)]).blocking_recv().expect("reply"),
            Ok(())
        );
        let read = handle.read_inline("i00001-001").blocking_recv().expect("reply");
        assert_eq!(read, Ok(Some(b"%PDF one".to_vec())));

        handle.copy_document("i00001-001", "d00003-001");
        assert_eq!(
            handle.submit(vec![job(3, "d00003-001", 8)]).blocking_recv().expect("reply"),
            Ok(())
        );
        assert_eq!(std::fs::read(dir.join("d00003-001")).expect("copy"), b"%PDF one");

        spool.stage("i00004-001", b"refused".to_vec());
        handle.discard_staged("i00004-001");
        let _ = handle.read_inline("i00001-001").blocking_recv(); // the discard was served
        assert_eq!(spool.staged_count(), 0);
        drop(handle);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_batch_not_saved_is_reported_with_what_it_touched_and_can_be_read_back() {
        let dir =
            std::env::temp_dir().join(format!("quired-store-thread-fail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir.join("quire.db"), &dir).expect("open");
        let spool = store.spool();
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = spawn(store, Box::new(move |t| drop(tx.send(t))));
        spool.stage("i00001-001", b"%PDF one".to_vec());
        assert_eq!(
            handle.submit(vec![job(1, "i00001-001", 8)]).blocking_recv().expect("reply"),
            Ok(())
        );
        // Job 2 names an inline document nobody staged: not saved, and so is its neighbour
        // in the same batch (a deletion of job 1).
        let (done, acked) =
            handle.submit_acked(vec![Change::DeleteJob(1), job(2, "i00002-001", 3)]);
        assert!(done.blocking_recv().expect("reply").is_err());
        assert_eq!(acked.blocking_recv(), Ok(false));
        let touched = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("reported");
        assert_eq!(touched, Touched { jobs: vec![1, 2], ..Default::default() });
        let back = handle.reload(touched).blocking_recv().expect("reply").expect("read");
        assert!(matches!(&back.jobs[..], [(1, Some(j)), (2, None)] if j.id == 1), "{back:?}");
        let (_, acked) = handle.submit_acked(vec![Change::DeleteJob(1)]);
        assert_eq!(acked.blocking_recv(), Ok(true));
        drop(handle);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
