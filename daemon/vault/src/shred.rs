//! Overwrite-then-unlink removal of a spool file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Zeros written per `write` call: the file is never held in memory.
const CHUNK: usize = 64 * 1024;

/// Overwrites the file at `path` with zeros, fsyncs, truncates it to nothing and unlinks it.
/// A missing file is `Ok` (removal is idempotent). A symbolic link is unlinked without
/// touching its target; a directory, FIFO or device is refused (`InvalidInput`). A file with
/// other hard links (a split or failed-over job's part shares its parent's spool file) is
/// only unlinked: overwriting would destroy the data under the other names; the last name
/// to go is overwritten.
///
/// Overwriting is best effort: on copy-on-write file systems (btrfs, ZFS), with data
/// journaling, on SSDs (wear levelling, over-provisioning) and with snapshots or backups,
/// the old blocks can survive elsewhere. That is why confidential documents are encrypted
/// in the first place; shredding only narrows the window for the ciphertext and for a
/// temporary plaintext copy.
pub fn shred(path: &Path) -> io::Result<()> {
    // O_NOFOLLOW: never write through a link planted in the spool. O_NONBLOCK: opening a
    // FIFO for writing must not hang; it is refused below like any non-regular file.
    let opened =
        OpenOptions::new().write(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path);
    let mut file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return remove(path),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "shred: not a regular file"));
    }
    if meta.nlink() > 1 {
        drop(file);
        return remove(path);
    }
    zero_fill(&mut file, meta.len())?;
    file.sync_all()?;
    file.set_len(0)?;
    file.sync_all()?;
    drop(file);
    remove(path)
}

/// Writes `len` zero bytes from the start of `file`, a chunk at a time.
pub(crate) fn zero_fill(file: &mut fs::File, len: u64) -> io::Result<()> {
    let zeros = [0u8; CHUNK];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
        file.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    Ok(())
}

fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
