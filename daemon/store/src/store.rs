//! The store: SQLite transactions for metadata, spool files for documents.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::spool::{check_file_name, Spool};
use crate::{
    Change, DocumentRecord, DocumentStorage, JobRecord, MissingDocument, PrinterRecord,
    RecoveryReport, Snapshot, SpoolWriter, StoreError, SubscriptionRecord,
};

/// Jobs deleted per transaction by [`Store::purge_jobs`]: small enough that a purge of
/// thousands of jobs never holds the write lock for long.
pub const PURGE_CHUNK: usize = 256;

/// The job store. Not `Sync`: the daemon owns it on one thread and sends it batches.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) spool: Spool,
    recovery: RecoveryReport,
}

impl Store {
    /// Opens or creates the store, then recovers the spool directory (see [`RecoveryReport`]).
    pub fn open(db_path: &Path, spool_dir: &Path) -> Result<Store, StoreError> {
        let spool = Spool::create(spool_dir)?;
        let conn = crate::schema::open_connection(db_path)?;
        let referenced = referenced_files(&conn)?;
        let recovery = spool.recover(&referenced)?;
        Ok(Store { conn, spool, recovery })
    }

    /// What `open` cleaned up.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// A clonable, `Send` handle on the spool directory for streaming documents elsewhere.
    pub fn spool(&self) -> Spool {
        self.spool.clone()
    }

    /// Starts streaming document `doc_number` of job `job_id` to a temp spool file.
    pub fn spool_writer(&self, job_id: i32, doc_number: i32) -> Result<SpoolWriter, StoreError> {
        self.spool.writer(job_id, doc_number)
    }

    /// Absolute path of a spool file named relative to the spool directory.
    pub fn spool_path(&self, file: &Path) -> PathBuf {
        self.spool.path(file)
    }

    /// Opens a committed document for reading.
    pub fn open_document(&self, rec: &DocumentRecord) -> Result<File, StoreError> {
        self.spool.open_document(rec)
    }

    /// The bytes of an inline document (by its unique document name), or `None` if no
    /// inline document has that name.
    pub fn inline_document(&self, file: &Path) -> Result<Option<Vec<u8>>, StoreError> {
        let name = check_file_name(file)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM documents WHERE file = ?1 AND data IS NOT NULL")?;
        Ok(stmt.query_row([name], |r| r.get(0)).optional()?)
    }

    /// Applies a batch in ONE durable transaction: all changes or none. Spool files of deleted
    /// jobs/documents are removed only after the commit, so a crash can at worst leave an
    /// orphan file (removed by the next `open`), never a row without its document.
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        for change in changes {
            validate(change)?;
        }
        // Spool files are renamed into place without a directory fsync (see
        // `SpoolWriter::commit`); make their names durable before any row names them.
        // Inline documents have no file: a batch of only those costs one WAL fsync.
        if changes.iter().any(|c| {
            matches!(c, Change::PutJob(j) if j.documents.iter().any(|d| !d.storage.is_inline()))
        }) {
            crate::spool::sync_dir(self.spool.dir())?;
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut doomed = Vec::new();
        for change in changes {
            apply_one(&tx, change, &mut doomed)?;
        }
        let doomed = still_unreferenced(&tx, doomed)?;
        tx.commit()?;
        self.spool.remove_files(&doomed);
        Ok(())
    }

    /// Sets one server key durably.
    pub fn set_kv(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.apply(&[Change::SetKv(key.to_owned(), value.to_owned())])
    }

    /// Reads one server key.
    pub fn get_kv(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM kv WHERE key = ?1")?;
        Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
    }

    /// Reads one job (with its documents).
    pub fn get_job(&self, id: i32) -> Result<Option<JobRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{JOB_SELECT} WHERE id = ?1"))?;
        let Some(mut job) = stmt.query_row([id], job_from_row).optional()? else {
            return Ok(None);
        };
        let mut docs =
            self.conn.prepare_cached(&format!("{DOC_SELECT} WHERE job_id = ?1 ORDER BY number"))?;
        for doc in docs.query_map([id], doc_from_row)? {
            job.documents.push(doc??.1);
        }
        Ok(Some(job))
    }

    /// Deletes jobs in transactions of [`PURGE_CHUNK`] jobs, removing each chunk's spool
    /// files after its commit. Returns how many jobs existed and were deleted. If it fails
    /// midway, earlier chunks stay deleted (each chunk is atomic on its own).
    pub fn purge_jobs(&mut self, ids: &[i32]) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for chunk in ids.chunks(PURGE_CHUNK) {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut doomed = Vec::new();
            for &id in chunk {
                deleted += delete_job(&tx, id, &mut doomed)?;
            }
            tx.commit()?;
            self.spool.remove_files(&doomed);
        }
        Ok(deleted)
    }

    /// Maintenance: folds the WAL back into the database and truncates it, then lets SQLite
    /// refresh its query-planner statistics. Cheap; run it when idle.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        self.conn.execute_batch("PRAGMA optimize;")?;
        Ok(())
    }

    /// Maintenance: rewrites the database to reclaim space after large purges. Takes time
    /// proportional to the database size and blocks the store meanwhile.
    pub fn vacuum(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("VACUUM;")?;
        self.checkpoint()
    }

    /// Loads everything, one query per table, in one read transaction (a consistent view).
    pub fn load(&self) -> Result<Snapshot, StoreError> {
        let mut jobs = Vec::new();
        let mut snapshot = self.load_each(|job, _| jobs.push(job))?;
        snapshot.jobs = jobs;
        Ok(snapshot)
    }

    /// Like [`Store::load`], but hands each job (with its documents, and whether any of
    /// its spool files is missing) to `on_job` as it is read, in id order, instead of
    /// collecting them: start-up never holds every record at once. The returned snapshot
    /// has no jobs; `missing_documents` still lists every missing file.
    pub fn load_each(
        &self,
        mut on_job: impl FnMut(JobRecord, bool),
    ) -> Result<Snapshot, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let present = self.spool.list()?;
        let mut missing_documents = Vec::new();
        {
            let mut job_stmt = tx.prepare(&format!("{JOB_SELECT} ORDER BY id"))?;
            let mut doc_stmt = tx.prepare(&format!("{DOC_SELECT} ORDER BY job_id, number"))?;
            let mut docs = doc_stmt
                .query_map([], doc_from_row)?
                .map(|r| r.map_err(StoreError::from).and_then(|d| d))
                .peekable();
            for row in job_stmt.query_map([], job_from_row)? {
                let mut job = row?;
                let mut missing = false;
                while let Some(next) = docs.peek() {
                    let job_id = match next {
                        Ok((id, _)) => *id,
                        Err(_) => {
                            return Err(docs
                                .next()
                                .and_then(Result::err)
                                .unwrap_or_else(|| StoreError::corrupt("document row")));
                        }
                    };
                    if job_id > job.id {
                        break;
                    }
                    let Some(Ok((_, doc))) = docs.next() else { break };
                    if job_id < job.id {
                        return Err(StoreError::corrupt(format!(
                            "document row for unknown job {job_id}"
                        )));
                    }
                    let file_present = check_file_name(&doc.file).is_ok()
                        && present.contains(doc.file.as_os_str());
                    if !doc.storage.is_inline() && !file_present {
                        missing = true;
                        missing_documents.push(MissingDocument {
                            job_id,
                            number: doc.number,
                            file: doc.file.clone(),
                        });
                    }
                    job.documents.push(doc);
                }
                job.documents.shrink_to_fit();
                on_job(job, missing);
            }
            if let Some(Ok((job_id, _))) = docs.next() {
                return Err(StoreError::corrupt(format!("document row for unknown job {job_id}")));
            }
        }
        let (printers, subscriptions, kv) = load_rest(&tx)?;
        tx.finish()?;
        Ok(Snapshot {
            jobs: Vec::new(),
            printers,
            subscriptions,
            kv,
            missing_documents,
            recovery: self.recovery.clone(),
        })
    }
}

type Rest = (Vec<PrinterRecord>, Vec<SubscriptionRecord>, BTreeMap<String, String>);

/// Printers, subscriptions and server keys: small tables, read whole.
fn load_rest(tx: &Connection) -> Result<Rest, StoreError> {
    let printers = tx
        .prepare("SELECT name, is_class, attrs FROM printers ORDER BY name")?
        .query_map([], |r| {
            Ok(PrinterRecord { name: r.get(0)?, is_class: r.get(1)?, attrs: r.get(2)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let subscriptions = tx
        .prepare("SELECT id, attrs FROM subscriptions ORDER BY id")?
        .query_map([], |r| Ok(SubscriptionRecord { id: r.get(0)?, attrs: r.get(1)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    let kv = tx
        .prepare("SELECT key, value FROM kv")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<BTreeMap<String, String>, _>>()?;
    Ok((printers, subscriptions, kv))
}

const JOB_SELECT: &str = "SELECT id, printer, state, owner, created, completed, attrs FROM jobs";
const DOC_SELECT: &str =
    "SELECT job_id, number, format, size, file, compression, data IS NOT NULL FROM documents";

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        id: r.get(0)?,
        printer: r.get(1)?,
        state: r.get(2)?,
        owner: r.get(3)?,
        created: r.get(4)?,
        completed: r.get(5)?,
        attrs: r.get(6)?,
        documents: Vec::new(),
    })
}

/// A document row with its job id. The inner `Result` carries store-level corruption
/// (negative size, non-plain file name) that rusqlite's error type cannot express.
fn doc_from_row(r: &Row<'_>) -> rusqlite::Result<Result<(i32, DocumentRecord), StoreError>> {
    let job_id: i32 = r.get(0)?;
    let number: i32 = r.get(1)?;
    let size: i64 = r.get(3)?;
    let file: String = r.get(4)?;
    let Ok(size) = u64::try_from(size) else {
        return Ok(Err(StoreError::corrupt(format!(
            "job {job_id} document {number} has negative size {size}"
        ))));
    };
    let doc = DocumentRecord {
        number,
        format: r.get(2)?,
        size,
        file: PathBuf::from(file),
        compression: r.get(5)?,
        storage: if r.get(6)? { DocumentStorage::Inline } else { DocumentStorage::File },
    };
    Ok(Ok((job_id, doc)))
}

/// Every spool file some (non-inline) document row names.
fn referenced_files(conn: &Connection) -> Result<HashSet<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT file FROM documents WHERE data IS NULL")?;
    let files = stmt.query_map([], |r| r.get(0))?.collect::<Result<HashSet<String>, _>>()?;
    Ok(files)
}

/// Checks done before the transaction starts, so a bad batch costs no I/O.
fn validate(change: &Change) -> Result<(), StoreError> {
    let Change::PutJob(job) = change else {
        return Ok(());
    };
    for doc in &job.documents {
        check_file_name(&doc.file)?;
        if i64::try_from(doc.size).is_err() {
            return Err(StoreError::invalid(format!("document size {} too large", doc.size)));
        }
        if let DocumentStorage::InlineData(data) = &doc.storage {
            if data.len() as u64 != doc.size {
                return Err(StoreError::invalid(format!(
                    "inline document {} has {} bytes but size {}",
                    doc.number,
                    data.len(),
                    doc.size
                )));
            }
        }
    }
    Ok(())
}

fn apply_one(
    tx: &Transaction<'_>,
    change: &Change,
    doomed: &mut Vec<String>,
) -> Result<(), StoreError> {
    match change {
        Change::PutJob(job) => put_job(tx, job, doomed)?,
        Change::DeleteJob(id) => {
            delete_job(tx, *id, doomed)?;
        }
        Change::DeleteJobs(ids) => {
            for &id in ids {
                delete_job(tx, id, doomed)?;
            }
        }
        Change::PutPrinter(p) => {
            tx.prepare_cached(
                "INSERT INTO printers (name, is_class, attrs) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET is_class = excluded.is_class, attrs = excluded.attrs",
            )?
            .execute(params![p.name, p.is_class, p.attrs])?;
        }
        Change::DeletePrinter(name) => {
            tx.prepare_cached("DELETE FROM printers WHERE name = ?1")?.execute([name])?;
        }
        Change::PutSubscription(s) => {
            tx.prepare_cached(
                "INSERT INTO subscriptions (id, attrs) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET attrs = excluded.attrs",
            )?
            .execute(params![s.id, s.attrs])?;
        }
        Change::DeleteSubscription(id) => {
            tx.prepare_cached("DELETE FROM subscriptions WHERE id = ?1")?.execute([id])?;
        }
        Change::SetKv(k, v) => {
            tx.prepare_cached(
                "INSERT INTO kv (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute([k, v])?;
        }
        Change::DeleteKv(k) => {
            tx.prepare_cached("DELETE FROM kv WHERE key = ?1")?.execute([k])?;
        }
    }
    Ok(())
}

/// Upsert (not `INSERT OR REPLACE`, whose implicit delete would cascade to the documents)
/// then bring the document rows in line with the record. An unchanged document row is not
/// touched, so a job state change never rewrites an inline document's bytes. Files the job
/// no longer lists become candidates for removal.
fn put_job(
    tx: &Transaction<'_>,
    job: &JobRecord,
    doomed: &mut Vec<String>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO jobs (id, printer, state, owner, created, completed, attrs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET printer = excluded.printer, state = excluded.state,
             owner = excluded.owner, created = excluded.created,
             completed = excluded.completed, attrs = excluded.attrs",
    )?
    .execute(params![
        job.id,
        job.printer,
        job.state,
        job.owner,
        job.created,
        job.completed,
        job.attrs
    ])?;
    let mut existing: BTreeMap<i32, DocumentRecord> = BTreeMap::new();
    {
        let mut stmt = tx.prepare_cached(&format!("{DOC_SELECT} WHERE job_id = ?1"))?;
        for doc in stmt.query_map([job.id], doc_from_row)? {
            let (_, doc) = doc??;
            existing.insert(doc.number, doc);
        }
    }
    let wanted: HashSet<i32> = job.documents.iter().map(|d| d.number).collect();
    for (number, old) in &existing {
        if !wanted.contains(number) {
            tx.prepare_cached("DELETE FROM documents WHERE job_id = ?1 AND number = ?2")?
                .execute(params![job.id, number])?;
            doomed.push(old.file.to_string_lossy().into_owned());
        }
    }
    for d in &job.documents {
        put_document(tx, job.id, d, existing.get(&d.number), doomed)?;
    }
    Ok(())
}

/// Writes document `d` of job `job_id` where `old` was its row; a file it no longer uses
/// becomes a candidate for removal.
fn put_document(
    tx: &Transaction<'_>,
    job_id: i32,
    d: &DocumentRecord,
    old: Option<&DocumentRecord>,
    doomed: &mut Vec<String>,
) -> Result<(), StoreError> {
    // validate() checked both conversions.
    let file = check_file_name(&d.file)?;
    let size = i64::try_from(d.size).map_err(|_| StoreError::invalid("document size"))?;
    if let Some(old) = old {
        if old == d {
            return Ok(()); // same metadata, same storage kind: leave the row (and bytes) alone
        }
        if old.file != d.file || (!old.storage.is_inline() && d.storage.is_inline()) {
            doomed.push(old.file.to_string_lossy().into_owned());
        }
    }
    match (&d.storage, old) {
        (DocumentStorage::Inline, Some(old)) if old.storage.is_inline() => {
            tx.prepare_cached(
                "UPDATE documents SET format = ?3, size = ?4, file = ?5, compression = ?6
                 WHERE job_id = ?1 AND number = ?2",
            )?
            .execute(params![
                job_id,
                d.number,
                d.format,
                size,
                file,
                d.compression
            ])?;
        }
        (DocumentStorage::Inline, _) => {
            return Err(StoreError::invalid(format!(
                "job {} document {} is inline but its bytes were never stored",
                job_id, d.number
            )));
        }
        (storage, old) => {
            let data = match storage {
                DocumentStorage::InlineData(data) => Some(data.as_slice()),
                _ => None,
            };
            // A plain INSERT for a new number, so a record listing one number twice
            // fails on the primary key instead of silently keeping the last one.
            let sql = if old.is_some() {
                "UPDATE documents SET format = ?3, size = ?4, file = ?5, compression = ?6,
                     data = ?7
                 WHERE job_id = ?1 AND number = ?2"
            } else {
                "INSERT INTO documents (job_id, number, format, size, file, compression, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            };
            tx.prepare_cached(sql)?.execute(params![
                job_id,
                d.number,
                d.format,
                size,
                file,
                d.compression,
                data
            ])?;
        }
    }
    Ok(())
}

/// Deletes a job (documents cascade); returns 1 if it existed.
fn delete_job(
    tx: &Transaction<'_>,
    id: i32,
    doomed: &mut Vec<String>,
) -> Result<usize, StoreError> {
    doomed.extend(job_files(tx, id)?);
    Ok(tx.prepare_cached("DELETE FROM jobs WHERE id = ?1")?.execute([id])?)
}

fn job_files(tx: &Transaction<'_>, id: i32) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        tx.prepare_cached("SELECT file FROM documents WHERE job_id = ?1 AND data IS NULL")?;
    let files = stmt.query_map([id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(files)
}

/// Keeps only the files no row names at the end of the batch (a later change in the same
/// batch may have re-recorded a file an earlier one dropped).
fn still_unreferenced(
    tx: &Transaction<'_>,
    mut doomed: Vec<String>,
) -> Result<Vec<String>, StoreError> {
    doomed.sort();
    doomed.dedup();
    let mut stmt = tx.prepare_cached("SELECT 1 FROM documents WHERE file = ?1 AND data IS NULL")?;
    let mut keep = Vec::with_capacity(doomed.len());
    for f in doomed {
        if !stmt.exists([&f])? {
            keep.push(f);
        }
    }
    Ok(keep)
}
