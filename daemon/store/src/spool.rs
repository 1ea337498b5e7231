//! Spool files: streamed writes to a temp file, `fsync` + rename on commit.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::{DocumentRecord, RecoveryReport, StoreError};

const TEMP_SUFFIX: &str = ".tmp";
/// Large enough that a document arriving in small HTTP chunks turns into few syscalls.
const WRITE_BUFFER: usize = 64 * 1024;

/// A handle on the spool directory. Cheap to clone and `Send`, so the network side can
/// stream documents without going through the store's thread.
///
/// It also holds *staged* inline documents: bytes received by the network side, waiting
/// for the `PutJob` that stores them inside the database (see
/// [`crate::DocumentStorage::InlineData`]). They are not durable until that commit.
#[derive(Clone)]
pub struct Spool {
    dir: PathBuf,
    staged: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("dir", &self.dir)
            .field("staged", &self.staged_lock().len())
            .finish()
    }
}

/// A committed spool file, to be recorded in a [`DocumentRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpooledDocument {
    /// File name relative to the spool directory (e.g. `d00012-001`).
    pub file: PathBuf,
    /// Bytes written.
    pub size: u64,
}

/// CUPS's spool file name for a document: `d%05d-%03d`.
pub fn document_file_name(job_id: i32, doc_number: i32) -> String {
    format!("d{job_id:05}-{doc_number:03}")
}

/// True for names the store itself creates (`dNNNNN-NNN`, optionally `.tmp`). Recovery only
/// ever deletes such names, so anything else an admin keeps in the directory is safe.
fn is_store_name(name: &str) -> bool {
    let base = name.strip_suffix(TEMP_SUFFIX).unwrap_or(name);
    let Some((job, doc)) = base.strip_prefix('d').and_then(|s| s.split_once('-')) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(job) && digits(doc)
}

/// Checks that `file` is one plain file name, so no row can make the store read or delete
/// a file outside the spool directory.
pub fn check_file_name(file: &Path) -> Result<&str, StoreError> {
    let mut comps = file.components();
    match (comps.next(), comps.next()) {
        (Some(Component::Normal(name)), None) => name
            .to_str()
            .ok_or_else(|| StoreError::invalid(format!("spool file name {file:?} is not UTF-8"))),
        _ => Err(StoreError::invalid(format!(
            "spool file {file:?} must be a plain file name inside the spool directory"
        ))),
    }
}

impl Spool {
    /// Creates the spool directory (0700) if needed. An existing directory keeps its mode:
    /// packagers may deliberately use CUPS's 0710 root:lp.
    pub fn create(dir: &Path) -> Result<Spool, StoreError> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| StoreError::io(dir, e))?;
        Ok(Spool { dir: dir.to_path_buf(), staged: Arc::default() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Absolute path of a spool file given relative to the spool directory.
    pub fn path(&self, file: &Path) -> PathBuf {
        self.dir.join(file)
    }

    fn staged_lock(&self) -> MutexGuard<'_, HashMap<String, Vec<u8>>> {
        // The map holds plain data; a panic elsewhere cannot leave it inconsistent.
        self.staged.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps an inline document's bytes in memory under its (unique) document name until
    /// [`Spool::take_staged`] hands them to the `PutJob` that stores them.
    pub fn stage(&self, name: &str, data: Vec<u8>) {
        self.staged_lock().insert(name.to_owned(), data);
    }

    /// Removes and returns a staged document.
    pub fn take_staged(&self, name: &str) -> Option<Vec<u8>> {
        self.staged_lock().remove(name)
    }

    /// A copy of a staged document, left staged.
    pub fn staged_copy(&self, name: &str) -> Option<Vec<u8>> {
        self.staged_lock().get(name).cloned()
    }

    /// Number of staged documents (for tests and diagnostics).
    pub fn staged_count(&self) -> usize {
        self.staged_lock().len()
    }

    /// Writes a whole document as spool file `name` (a `dNNNNN-NNN` name), like a
    /// [`SpoolWriter`] does: durable under its final name once this returns, and the
    /// directory entry made durable by the `Store::apply` that records it.
    pub fn write_named(&self, name: &str, data: &[u8]) -> Result<SpooledDocument, StoreError> {
        if !is_store_name(name) || name.ends_with(TEMP_SUFFIX) {
            return Err(StoreError::invalid(format!("{name:?} is not a spool document name")));
        }
        let mut w = self.writer_named(name.to_owned())?;
        w.write_all(data).map_err(|e| StoreError::io(&w.temp, e))?;
        w.commit()
    }

    /// Starts writing document `doc_number` of job `job_id`.
    pub fn writer(&self, job_id: i32, doc_number: i32) -> Result<SpoolWriter, StoreError> {
        if job_id <= 0 || doc_number <= 0 {
            return Err(StoreError::invalid(format!(
                "job id {job_id} and document number {doc_number} must be positive"
            )));
        }
        self.writer_named(document_file_name(job_id, doc_number))
    }

    fn writer_named(&self, name: String) -> Result<SpoolWriter, StoreError> {
        let temp = self.dir.join(format!("{name}{TEMP_SUFFIX}"));
        // create_new: two writers for the same document is a caller bug; fail loudly.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .map_err(|e| StoreError::io(&temp, e))?;
        Ok(SpoolWriter {
            out: Some(BufWriter::with_capacity(WRITE_BUFFER, file)),
            dir: self.dir.clone(),
            temp,
            name: PathBuf::from(name),
            size: 0,
            renamed: false,
        })
    }

    /// Opens a committed document for reading.
    pub fn open_document(&self, rec: &DocumentRecord) -> Result<File, StoreError> {
        let path = self.dir.join(check_file_name(&rec.file)?);
        File::open(&path).map_err(|e| StoreError::io(path, e))
    }

    /// Best-effort removal after a commit. A failure only leaves an orphan, which the next
    /// `open` removes, so it is not worth failing an already-committed batch over.
    pub(crate) fn remove_files(&self, files: &[String]) {
        for f in files {
            let _ = fs::remove_file(self.dir.join(f));
        }
    }

    /// Names of all entries in the spool directory (one `readdir`, no per-file `stat`).
    pub(crate) fn list(&self) -> Result<HashSet<OsString>, StoreError> {
        let rd = fs::read_dir(&self.dir).map_err(|e| StoreError::io(&self.dir, e))?;
        let mut names = HashSet::new();
        for entry in rd {
            names.insert(entry.map_err(|e| StoreError::io(&self.dir, e))?.file_name());
        }
        Ok(names)
    }

    /// Removes temp files and committed files no document row references.
    pub(crate) fn recover(
        &self,
        referenced: &HashSet<String>,
    ) -> Result<RecoveryReport, StoreError> {
        let mut report = RecoveryReport::default();
        for name in self.list()? {
            let Some(name) = name.to_str().filter(|n| is_store_name(n)) else {
                continue;
            };
            let temp = name.ends_with(TEMP_SUFFIX);
            if !temp && referenced.contains(name) {
                continue;
            }
            let path = self.dir.join(name);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io(path, e)),
            }
            let list = if temp { &mut report.removed_temp } else { &mut report.removed_orphans };
            list.push(PathBuf::from(name));
        }
        report.removed_temp.sort();
        report.removed_orphans.sort();
        Ok(report)
    }
}

/// Streams one document to `dNNNNN-NNN.tmp`. [`SpoolWriter::commit`] makes it durable under
/// its final name; dropping the writer without committing removes the temp file.
#[derive(Debug)]
pub struct SpoolWriter {
    out: Option<BufWriter<File>>,
    dir: PathBuf,
    temp: PathBuf,
    name: PathBuf,
    size: u64,
    /// Set once the rename succeeded: from then on the temp file no longer exists.
    renamed: bool,
}

impl SpoolWriter {
    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Flushes, `fsync`s the file, renames it to its final name and `fsync`s the directory,
    /// so that once this returns the document survives a crash. Record it with a `PutJob`
    /// afterwards; until then a restart treats it as an orphan and removes it.
    pub fn commit(mut self) -> Result<SpooledDocument, StoreError> {
        let out = self.out.take().ok_or_else(|| StoreError::invalid("writer already closed"))?;
        let file = out.into_inner().map_err(|e| StoreError::io(&self.temp, e.into_error()))?;
        // fdatasync: the data and the size are what must survive; timestamps need not.
        file.sync_data().map_err(|e| StoreError::io(&self.temp, e))?;
        drop(file);
        let dest = self.dir.join(&self.name);
        fs::rename(&self.temp, &dest).map_err(|e| StoreError::io(&dest, e))?;
        self.renamed = true;
        // The directory entry is made durable by `Store::apply`, once per batch, before
        // the row that names this file commits: one directory fsync for many documents.
        Ok(SpooledDocument { file: self.name.clone(), size: self.size })
    }
}

impl Write for SpoolWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let out = self.out.as_mut().ok_or_else(|| io::Error::other("spool writer closed"))?;
        let n = out.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for SpoolWriter {
    fn drop(&mut self) {
        // into_parts: discard buffered bytes instead of flushing them to a doomed file.
        if let Some(out) = self.out.take() {
            drop(out.into_parts());
        }
        if !self.renamed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// `fsync` a directory so a rename or create in it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| StoreError::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(document_file_name(12, 1), "d00012-001");
        assert_eq!(document_file_name(123456, 1000), "d123456-1000");
        assert!(is_store_name("d00012-001"));
        assert!(is_store_name("d00012-001.tmp"));
        assert!(!is_store_name("c00012"));
        assert!(!is_store_name("d00012-"));
        assert!(!is_store_name("d-001"));
        assert!(!is_store_name("d0001x-001"));
        assert!(check_file_name(Path::new("d00001-001")).is_ok());
        assert!(check_file_name(Path::new("../x")).is_err());
        assert!(check_file_name(Path::new("/etc/passwd")).is_err());
        assert!(check_file_name(Path::new("a/b")).is_err());
        assert!(check_file_name(Path::new("")).is_err());
    }
}
