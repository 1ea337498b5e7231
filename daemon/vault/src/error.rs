//! The vault's one error type.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in the vault.
#[derive(Debug)]
#[non_exhaustive]
pub enum VaultError {
    /// A file-system operation on `path` failed.
    Io { path: PathBuf, source: io::Error },
    /// The master key file exists but is unusable (wrong size, not a regular file, readable
    /// by group or others). Nothing was changed.
    KeyFile { path: PathBuf, problem: String },
    /// The PIN is wrong, or a PIN-bound key was opened without one.
    WrongPin,
    /// The data does not authenticate or does not parse; see [`Corruption`].
    Corrupt(Corruption),
    /// The encrypted stream stops early: at a segment boundary, or inside the header.
    Truncated,
    /// The stream's header names a format version this build does not know.
    UnsupportedVersion(u8),
    /// The stream would need more than 2^32 segments (256 TiB).
    TooLong,
    /// ring refused an operation (the system random generator failed, ...).
    Crypto(&'static str),
}

/// What exactly is corrupt. Authentication failures cannot tell damage from a wrong key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Corruption {
    /// The stream does not start with the vault magic.
    NotSealed,
    /// Segment `index` (from 0) failed authentication: damaged, reordered, or the wrong key.
    Segment { index: u32 },
    /// A sealed key's text does not parse (prefix, base64, length or flags).
    SealedKeyFormat,
    /// A sealed key does not authenticate under this master key (wrong key file or damage).
    SealedKey,
    /// A call on a stream that already returned an error.
    AfterError,
}

impl VaultError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        VaultError::Io { path: path.into(), source }
    }

    pub(crate) fn key_file(path: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        VaultError::KeyFile { path: path.into(), problem: problem.into() }
    }

    /// Wraps the error for `Read`/`Write` callers: data errors become `InvalidData`.
    pub(crate) fn into_io(self) -> io::Error {
        match self {
            VaultError::Io { source, .. } => source,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Corruption::NotSealed => write!(f, "not a Quire vault stream (bad magic)"),
            Corruption::Segment { index } => write!(
                f,
                "segment {index} failed authentication (damaged, reordered, extra data, or the wrong key)"
            ),
            Corruption::SealedKeyFormat => write!(f, "sealed key text is malformed"),
            Corruption::SealedKey => write!(
                f,
                "sealed key does not authenticate under this master key (wrong key file, or damaged)"
            ),
            Corruption::AfterError => write!(f, "the stream already failed"),
        }
    }
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            VaultError::KeyFile { path, problem } => {
                write!(f, "vault key file {}: {problem}", path.display())
            }
            VaultError::WrongPin => write!(f, "wrong or missing PIN"),
            VaultError::Corrupt(what) => write!(f, "encrypted data is corrupt: {what}"),
            VaultError::Truncated => write!(f, "encrypted data is truncated"),
            VaultError::UnsupportedVersion(v) => write!(f, "unsupported vault format version {v}"),
            VaultError::TooLong => {
                write!(f, "document too long for the vault format (2^32 segments)")
            }
            VaultError::Crypto(what) => write!(f, "cryptography failure: {what}"),
        }
    }
}

impl std::error::Error for VaultError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VaultError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
