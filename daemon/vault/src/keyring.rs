//! The master key and its file.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::VaultError;
use crate::wipe;

/// Length of every key in the vault: master key and data keys (256 bits).
pub const KEY_LEN: usize = 32;

/// The server's master key: it wraps every document's data key and never leaves the process
/// except in its own file. Zeroed on drop (best effort, as for [`DataKey`](crate::DataKey)).
pub struct Keyring {
    pub(crate) master: [u8; KEY_LEN],
    pub(crate) rng: SystemRandom,
    path: Option<PathBuf>,
}

impl Keyring {
    /// Loads the 32-byte master key from `path`, or creates it there if the file does not
    /// exist. Refuses a file of the wrong size, not a regular file, or accessible to group or
    /// others; the error names the path. The directory must exist.
    pub fn open_or_create(path: &Path) -> Result<Keyring, VaultError> {
        // Two rounds: another process may create the file between our open and our create.
        for _ in 0..2 {
            match File::open(path) {
                Ok(file) => return load(path, file),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(VaultError::io(path, e)),
            }
            match create(path) {
                Err(VaultError::Io { source, .. })
                    if source.kind() == io::ErrorKind::AlreadyExists =>
                {
                    continue
                }
                other => return other,
            }
        }
        Err(VaultError::key_file(path, "kept appearing and disappearing while being created"))
    }

    /// A random master key that lives only in memory (tests, or a server that keeps nothing
    /// across restarts).
    pub fn ephemeral() -> Result<Keyring, VaultError> {
        let rng = SystemRandom::new();
        let mut master = [0u8; KEY_LEN];
        rng.fill(&mut master).map_err(|_| VaultError::Crypto("random master key"))?;
        Ok(Keyring::from_bytes(master))
    }

    /// A keyring over a given master key (from a credential store, or a fixed test key).
    pub fn from_bytes(master: [u8; KEY_LEN]) -> Keyring {
        Keyring { master, rng: SystemRandom::new(), path: None }
    }

    /// The key file this keyring was loaded from or created in, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        wipe(&mut self.master);
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring").field("path", &self.path).field("master", &"<redacted>").finish()
    }
}

/// Reads an existing key file, checking what `fstat` says about the file we opened (not
/// the path, which could change under us).
fn load(path: &Path, mut file: File) -> Result<Keyring, VaultError> {
    let meta = file.metadata().map_err(|e| VaultError::io(path, e))?;
    if !meta.is_file() {
        return Err(VaultError::key_file(path, "is not a regular file"));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(VaultError::key_file(
            path,
            format!(
                "mode {mode:04o} lets group or others access the master key; \
                 it must be 0600 (chmod 600 {})",
                path.display()
            ),
        ));
    }
    let wrong_size = |len: u64| {
        VaultError::key_file(
            path,
            format!(
                "is {len} bytes, a vault key is exactly {KEY_LEN} (an empty file left by a crash \
                 during creation may be deleted if nothing was encrypted with it)"
            ),
        )
    };
    if meta.len() != KEY_LEN as u64 {
        return Err(wrong_size(meta.len()));
    }
    let mut master = [0u8; KEY_LEN];
    let mut extra = [0u8; 1];
    let read = file.read_exact(&mut master).and_then(|()| file.read(&mut extra));
    match read {
        Ok(0) => {}
        Ok(_) => {
            wipe(&mut master);
            return Err(wrong_size(meta.len().max(KEY_LEN as u64 + 1)));
        }
        Err(e) => {
            wipe(&mut master);
            return Err(VaultError::io(path, e));
        }
    }
    let mut keyring = Keyring::from_bytes(master);
    wipe(&mut master);
    keyring.path = Some(path.to_path_buf());
    Ok(keyring)
}

/// Creates the key file with `O_EXCL` and mode 0600, writes and fsyncs it, then fsyncs the
/// directory so the file's name survives a crash too. An `AlreadyExists` error means someone
/// else created it first.
fn create(path: &Path) -> Result<Keyring, VaultError> {
    let mut keyring = Keyring::ephemeral()?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| VaultError::io(path, e))?;
    let written = file.write_all(&keyring.master).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        // Leave no short file behind: it would be refused at the next start.
        let _ = std::fs::remove_file(path);
        return Err(VaultError::io(path, e));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| VaultError::io(dir, e))?;
    keyring.path = Some(path.to_path_buf());
    Ok(keyring)
}
