//! The store's one error type.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite reported an error (I/O errors inside SQLite also land here).
    Sqlite(rusqlite::Error),
    /// A file-system operation on `path` failed.
    Io { path: PathBuf, source: io::Error },
    /// The on-disk data is not what the store wrote (not a database, bad row value, ...).
    Corrupt { what: String },
    /// The database was written by a newer Quire; opening it could lose data.
    NewerSchema { found: i64, supported: i64 },
    /// The caller passed a value the store refuses to persist (e.g. a document path
    /// that is not a plain file name inside the spool directory).
    Invalid { what: String },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io { path: path.into(), source }
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        StoreError::Corrupt { what: what.into() }
    }

    pub(crate) fn invalid(what: impl Into<String>) -> Self {
        StoreError::Invalid { what: what.into() }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "job store database error: {e}"),
            StoreError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            StoreError::Corrupt { what } => write!(f, "job store is corrupt: {what}"),
            StoreError::NewerSchema { found, supported } => write!(
                f,
                "job store schema version {found} is newer than this Quire supports \
                 (up to {supported}); refusing to open it to avoid losing data"
            ),
            StoreError::Invalid { what } => write!(f, "invalid store request: {what}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            StoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    /// "Not a database" and "corrupt" become [`StoreError::Corrupt`] so the daemon can tell
    /// an operator to restore the file rather than retry.
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                StoreError::corrupt(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}
