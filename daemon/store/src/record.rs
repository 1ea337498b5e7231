//! Plain data types exchanged with the store.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One job: indexed columns plus the job's IPP attributes as an opaque blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i32,
    pub printer: String,
    /// IPP `job-state` (3..=9); not interpreted by the store.
    pub state: i32,
    pub owner: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Completion time, unix seconds.
    pub completed: Option<i64>,
    /// Encoded IPP attributes; opaque to the store.
    pub attrs: Vec<u8>,
    /// Documents, in `number` order when loaded.
    pub documents: Vec<DocumentRecord>,
}

/// Where a document's bytes live.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DocumentStorage {
    /// In the spool file named by [`DocumentRecord::file`].
    #[default]
    File,
    /// Inside the database, in the same row as the document. Given to
    /// [`crate::Store::apply`] the first time the document is recorded: the bytes become
    /// durable in the same transaction (one WAL fsync) as the job, with no spool file.
    InlineData(Vec<u8>),
    /// Inside the database, already stored: a `PutJob` with this keeps the stored bytes
    /// (the scheduler never holds them). Loading returns this for inline documents.
    Inline,
}

impl DocumentStorage {
    /// True for documents stored in the database rather than in a spool file.
    pub fn is_inline(&self) -> bool {
        !matches!(self, DocumentStorage::File)
    }
}

/// One document of a job, stored as a spool file or inline in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub number: i32,
    /// MIME media type (`document-format`).
    pub format: String,
    /// Size of the document in bytes.
    pub size: u64,
    /// Spool file name, relative to the spool directory. Must be a single plain file name
    /// (no `/`, no `..`); each file belongs to exactly one document.
    pub file: PathBuf,
    /// `compression` applied to the spool file, if any (e.g. `gzip`).
    pub compression: Option<String>,
    /// Where the bytes are. For an inline document `file` is still its unique name (no
    /// such file exists in the spool directory).
    pub storage: DocumentStorage,
}

/// A printer or a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterRecord {
    pub name: String,
    pub is_class: bool,
    /// Encoded IPP attributes; opaque to the store.
    pub attrs: Vec<u8>,
}

/// A notification subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub id: i32,
    /// Encoded IPP attributes; opaque to the store.
    pub attrs: Vec<u8>,
}

/// One change in a batch given to [`crate::Store::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Insert or replace a job and its document list. Spool files of documents the job no
    /// longer lists are removed after the commit.
    PutJob(JobRecord),
    /// Delete a job (a missing job is not an error); its spool files are removed after
    /// the commit.
    DeleteJob(i32),
    /// [`Change::DeleteJob`] for each of these jobs (a purge of many).
    DeleteJobs(Vec<i32>),
    /// Insert or replace a printer/class.
    PutPrinter(PrinterRecord),
    /// Delete a printer/class by exact name (missing is not an error).
    DeletePrinter(String),
    /// Insert or replace a subscription.
    PutSubscription(SubscriptionRecord),
    /// Delete a subscription (missing is not an error).
    DeleteSubscription(i32),
    /// Set a server key (e.g. `next-job-id`, `default-printer`).
    SetKv(String, String),
    /// Remove a server key.
    DeleteKv(String),
}

/// A document row whose spool file is not in the spool directory (never an inline one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDocument {
    pub job_id: i32,
    pub number: i32,
    pub file: PathBuf,
}

/// What [`crate::Store::open`] cleaned up in the spool directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Temporary spool files (`dNNNNN-NNN.tmp`) of documents that were never committed.
    pub removed_temp: Vec<PathBuf>,
    /// Committed spool files (`dNNNNN-NNN`) that no document row references: the daemon
    /// died between `SpoolWriter::commit` and the `PutJob` that records the document, or
    /// between a delete's commit and its file removal.
    pub removed_orphans: Vec<PathBuf>,
}

/// Everything in the store, for start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// All jobs, ordered by id, each with its documents ordered by number.
    pub jobs: Vec<JobRecord>,
    /// All printers and classes, ordered by name.
    pub printers: Vec<PrinterRecord>,
    /// All subscriptions, ordered by id.
    pub subscriptions: Vec<SubscriptionRecord>,
    /// Server key-value pairs.
    pub kv: BTreeMap<String, String>,
    /// Document rows whose spool file is missing. They are kept (not dropped) so the daemon
    /// can decide, e.g. abort the job with a clear reason.
    pub missing_documents: Vec<MissingDocument>,
    /// What the last `open` cleaned up.
    pub recovery: RecoveryReport,
}
