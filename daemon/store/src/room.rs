//! A full disk: the store keeps a reserve file it can give up, so that deleting jobs (which
//! SQLite must write to its WAL, and `secure_delete` zeroes) still commits when the disk
//! has filled; and a batch that still does not fit is applied in its smallest steps, the WAL
//! emptied between them. Everything else a full disk refuses, with the error saying so.
//!
//! Applied in steps, a batch is no longer all-or-nothing: when [`Store::apply_making_room`]
//! fails, part of it may be committed. The caller must then read back what the batch
//! touched ([`Store::get_job`], [`Store::get_printer`], [`Store::get_subscription`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::{Change, PrinterRecord, Store, StoreError, SubscriptionRecord};

/// The reserve file in the spool directory (not a document name: recovery leaves it alone).
pub const RESERVE_FILE: &str = "quire.reserve";

impl StoreError {
    /// Did this fail for want of disk space (SQLite's SQLITE_FULL, or an I/O error that
    /// may be one: SQLite reports a failed WAL-index growth as SQLITE_IOERR)?
    pub fn is_disk_full(&self) -> bool {
        use rusqlite::ErrorCode;
        match self {
            StoreError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::DiskFull | ErrorCode::SystemIoFailure)
            ),
            StoreError::Io { source, .. } => source.raw_os_error() == Some(28), // ENOSPC
            _ => false,
        }
    }
}

/// The most a single step of [`Store::apply_making_room`] writes: a job's attributes (the
/// daemon caps them at 64 KiB) or an inline document (at most 256 KiB), zeroed by
/// `secure_delete`, and the b-tree pages around them.
const LARGEST_STEP: u64 = 512 << 10;

impl Store {
    /// Sizes the WAL for a file system of `total` bytes, and returns the reserve to keep
    /// ([`Store::keep_reserve`]). Until a checkpoint copies them into the database, new
    /// pages live only in the WAL; a checkpoint on a full disk then needs room for them.
    /// So the WAL is checkpointed (and truncated back) after a 64th of the disk, between 64
    /// and 1000 pages (SQLite's default), and the reserve covers that plus one step.
    pub fn fit_to_disk(&mut self, total: u64) -> Result<u64, StoreError> {
        let page: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let page = u64::try_from(page).unwrap_or(4096);
        let pages = (total / 64 / page.max(512)).clamp(64, 1000);
        self.conn.query_row(&format!("PRAGMA wal_autocheckpoint = {pages}"), [], |_| Ok(()))?;
        self.conn.query_row(
            &format!("PRAGMA journal_size_limit = {}", pages * page),
            [],
            |_| Ok(()),
        )?;
        Ok(pages * page + LARGEST_STEP)
    }

    /// Keeps a reserve file of `bytes` zeros (written, so the blocks are really taken) in
    /// the spool directory. Returns whether it is in place; a disk without the room for it
    /// is not an error (nothing is left behind).
    pub fn keep_reserve(&mut self, bytes: u64) -> Result<bool, StoreError> {
        let path = self.spool.dir().join(RESERVE_FILE);
        if fs::metadata(&path).is_ok_and(|m| m.len() >= bytes) {
            return Ok(true);
        }
        let temp = self.spool.dir().join(format!("{RESERVE_FILE}.tmp"));
        let written = write_zeros(&temp, bytes).and_then(|()| fs::rename(&temp, &path));
        match written {
            Ok(()) => Ok(true),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                if e.raw_os_error() == Some(28) {
                    Ok(false)
                } else {
                    Err(StoreError::io(&path, e))
                }
            }
        }
    }

    /// Is the reserve file in place?
    pub fn has_reserve(&self) -> bool {
        self.spool.dir().join(RESERVE_FILE).exists()
    }

    /// Applies `changes` as [`Store::apply`]; on a full disk, gives up the reserve file and
    /// empties the WAL, tries again, and then applies the batch one change at a time (a job
    /// delete a document at a time), emptying the WAL after each, so that clean-up commits
    /// on a disk with little room. On error, part of the batch may be committed.
    pub fn apply_making_room(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        match self.apply(changes) {
            Err(e) if e.is_disk_full() => {}
            done => return done,
        }
        let _ = fs::remove_file(self.spool.dir().join(RESERVE_FILE));
        let _ = self.empty_wal();
        match self.apply(changes) {
            Err(e) if e.is_disk_full() => {}
            done => return done,
        }
        for change in changes {
            match change {
                Change::DeleteJob(id) => self.delete_job_in_steps(*id)?,
                Change::DeleteJobs(ids) => {
                    for &id in ids {
                        self.delete_job_in_steps(id)?;
                        let _ = self.empty_wal();
                    }
                }
                other => self.apply(std::slice::from_ref(other))?,
            }
            let _ = self.empty_wal();
        }
        Ok(())
    }

    /// Deletes job `id` one document row per transaction, then its row.
    fn delete_job_in_steps(&mut self, id: i32) -> Result<(), StoreError> {
        let numbers: Vec<i32> = self
            .conn
            .prepare_cached("SELECT number FROM documents WHERE job_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for number in numbers {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let file: Option<String> = tx
                .prepare_cached(
                    "SELECT file FROM documents WHERE job_id = ?1 AND number = ?2 AND data IS NULL",
                )?
                .query_row(params![id, number], |r| r.get(0))
                .optional()?;
            tx.prepare_cached("DELETE FROM documents WHERE job_id = ?1 AND number = ?2")?
                .execute(params![id, number])?;
            tx.commit()?;
            self.spool.remove_files(&file.into_iter().collect::<Vec<_>>());
            let _ = self.empty_wal();
        }
        self.apply(&[Change::DeleteJob(id)])
    }

    /// Folds the WAL into the database and truncates it to nothing: the room it took is
    /// the disk's again (a delete frees pages inside the database, so this needs none).
    fn empty_wal(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Reads one printer or class.
    pub fn get_printer(&self, name: &str) -> Result<Option<PrinterRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, is_class, attrs FROM printers WHERE name = ?1")?;
        Ok(stmt
            .query_row([name], |r| {
                Ok(PrinterRecord { name: r.get(0)?, is_class: r.get(1)?, attrs: r.get(2)? })
            })
            .optional()?)
    }

    /// Reads one subscription.
    pub fn get_subscription(&self, id: i32) -> Result<Option<SubscriptionRecord>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, attrs FROM subscriptions WHERE id = ?1")?;
        Ok(stmt
            .query_row([id], |r| Ok(SubscriptionRecord { id: r.get(0)?, attrs: r.get(1)? }))
            .optional()?)
    }
}

/// Writes `bytes` zeros to a new private file and syncs it.
fn write_zeros(path: &std::path::Path, bytes: u64) -> io::Result<()> {
    let mut f: File =
        OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    let block = vec![0u8; 64 * 1024];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n])?;
        left -= n as u64;
    }
    f.sync_all()
}
