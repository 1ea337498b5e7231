//! The one error type of this crate. Display texts are meant to be shown to a user as the
//! job's `job-state-message`, so they say what went wrong with the document and, where possible,
//! what to do about it.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a conversion failed.
#[derive(Debug)]
pub enum FilterError {
    /// The document format (or a variant of it, or an option value) is not supported.
    Unsupported(String),
    /// The document could not be read: it is damaged or not what its format claims.
    Corrupt(String),
    /// The document (or the selection of pages from it) has no pages to print.
    Empty,
    /// Ghostscript failed; `status` is its exit code (`None` if killed by a signal).
    Ghostscript { status: Option<i32>, stderr_tail: String },
    /// Ghostscript took longer than the time limit and was stopped.
    Timeout,
    /// Reading or writing a file failed.
    Io { path: PathBuf, source: io::Error },
}

impl FilterError {
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        FilterError::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        FilterError::Corrupt(what.into())
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Unsupported(what) => {
                write!(f, "unsupported document format or option: {what}; send PDF, PostScript, JPEG or plain text")
            }
            FilterError::Corrupt(why) => write!(f, "the document is damaged or unreadable: {why}"),
            FilterError::Empty => write!(f, "the document has no pages to print"),
            FilterError::Ghostscript { status, stderr_tail } => {
                match status {
                    Some(code) => {
                        write!(f, "PostScript conversion failed (Ghostscript exit status {code})")?
                    }
                    None => write!(
                        f,
                        "PostScript conversion failed (Ghostscript was killed by a signal)"
                    )?,
                }
                let tail = stderr_tail.trim();
                if !tail.is_empty() {
                    write!(f, ": {tail}")?;
                }
                Ok(())
            }
            FilterError::Timeout => {
                write!(f, "PostScript conversion took too long and was stopped; simplify the document or send PDF")
            }
            FilterError::Io { path, source } => {
                write!(f, "cannot access {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for FilterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FilterError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
