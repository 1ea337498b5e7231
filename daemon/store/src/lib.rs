//! Crash-safe job store for Quire: job metadata in SQLite, documents as spool files or,
//! when small, inside the database itself.
//!
//! The API is synchronous; the daemon owns a [`Store`] on a dedicated thread and sends it
//! batches. The store never interprets IPP: job, printer and subscription attributes are
//! opaque encoded blobs next to a few indexed columns.
//!
//! # Guarantees
//!
//! Once [`Store::apply`] returns `Ok`, its batch survives `kill -9` and power loss (WAL
//! journal, `synchronous=FULL`). Once [`SpoolWriter::commit`] returns, the document's bytes
//! are on disk under their final name. The protocol for accepting a job is therefore:
//!
//! 1. stream the document through [`Store::spool_writer`] (or [`Spool::writer`] from
//!    another thread) and [`SpoolWriter::commit`] it;
//! 2. [`Store::apply`] a [`Change::PutJob`] that lists the returned file;
//! 3. only then answer the client.
//!
//! A small document can skip step 1: give its bytes in the `PutJob` as
//! [`DocumentStorage::InlineData`] and they become durable in the same transaction as the
//! job (one WAL fsync, shared by the whole batch; no spool file or directory fsync). Later
//! `PutJob`s of the job say [`DocumentStorage::Inline`] and leave the stored bytes alone;
//! [`Store::inline_document`] reads them back, and deleting the job or dropping the document
//! deletes them with the row. The network side may park the bytes meanwhile with
//! [`Spool::stage`].
//!
//! A crash between 1 and 2 leaves an unreferenced file; a crash during a delete leaves
//! files whose row is gone. [`Store::open`] removes both, plus any `*.tmp` spool file, and
//! says so in its [`RecoveryReport`]. A row whose file is missing (e.g. an admin deleted
//! it) is kept and listed in [`Snapshot::missing_documents`] so the daemon can abort the job
//! with a reason instead of silently losing it.
//!
//! A full disk: deleting needs room in the WAL too. [`Store::keep_reserve`] keeps a reserve
//! file (sized for the disk by [`Store::fit_to_disk`]) that [`Store::apply_making_room`] gives
//! up to commit, applying a batch in small steps if it still does not fit; then a failed
//! batch may be committed in part, and the caller reads back what it touched.
//!
//! # Layout
//!
//! * Database: tables `schema_version`, `jobs`, `documents`, `printers`, `subscriptions`,
//!   `kv`; `documents.data` holds inline documents (NULL for spool files, schema v2).
//!   Migrations are append-only; a database from a newer schema is refused with
//!   [`StoreError::NewerSchema`]. The DB file is created 0600.
//! * Spool directory (created 0700): `dNNNNN-NNN` per document (CUPS's naming), written
//!   as `dNNNNN-NNN.tmp` first. Files are 0600. Recovery only deletes names of that shape,
//!   so other files in the directory are left alone. A document's `file` must be a plain
//!   file name inside the spool directory, and a file belongs to one document only.
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::Write;
//! use quire_store::{Change, DocumentRecord, DocumentStorage, JobRecord, Store};
//! # let tmp = std::env::temp_dir().join(format!("quire-store-doc-{}", std::process::id()));
//! let mut store = Store::open(&tmp.join("jobs.db"), &tmp.join("spool"))?;
//! let mut w = store.spool_writer(1, 1)?;
//! w.write_all(b"%!PS\n")?;
//! let doc = w.commit()?;
//! store.apply(&[Change::PutJob(JobRecord {
//!     id: 1, printer: "lp".into(), state: 3, owner: "alice".into(), created: 0,
//!     completed: None, attrs: vec![],
//!     documents: vec![DocumentRecord {
//!         number: 1, format: "application/postscript".into(), size: doc.size,
//!         file: doc.file, compression: None, storage: DocumentStorage::File,
//!     }],
//! })])?;
//! assert_eq!(store.load()?.jobs.len(), 1);
//! # drop(store); let _ = std::fs::remove_dir_all(&tmp);
//! # Ok(()) }
//! ```

mod error;
mod record;
mod room;
mod schema;
mod spool;
mod store;

#[cfg(test)]
#[path = "store_tests.rs"]
mod store_tests;

#[cfg(test)]
#[path = "room_tests.rs"]
mod room_tests;

pub use error::StoreError;
pub use record::{
    Change, DocumentRecord, DocumentStorage, JobRecord, MissingDocument, PrinterRecord,
    RecoveryReport, Snapshot, SubscriptionRecord,
};
pub use room::RESERVE_FILE;
pub use schema::SCHEMA_VERSION;
pub use spool::{document_file_name, Spool, SpoolWriter, SpooledDocument};
pub use store::{Store, PURGE_CHUNK};
