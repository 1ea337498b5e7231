//! The copy of cupsd's files taken before anything is imported: ServerRoot's printers.conf,
//! classes.conf, subscriptions.conf and `ppd/`, the job files of RequestRoot and CacheDir's
//! `job.cache`. Documents
//! are hard links when they can be (no second copy of a big spool), else copies.

use std::io;
use std::path::{Path, PathBuf};

/// The state files of ServerRoot a backup holds.
pub const STATE_FILES: [&str; 3] = ["printers.conf", "classes.conf", "subscriptions.conf"];

/// Copies cupsd's files into `dir` (made anew, mode 0700): `dir/etc/` for ServerRoot's,
/// `dir/spool/` for the spool files named in `spool_names` and cupsd's `job.cache`.
pub fn take(
    (server_root, request_root, cache_dir): (&Path, &Path, &Path),
    spool_names: &[String],
    dir: &Path,
) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let etc = dir.join("etc");
    let spool = dir.join("spool");
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&etc)?;
    std::fs::DirBuilder::new().mode(0o700).create(&spool)?;
    for name in STATE_FILES {
        copy_if_there(&server_root.join(name), &etc.join(name))?;
    }
    let ppd = server_root.join("ppd");
    if ppd.is_dir() {
        std::fs::create_dir(etc.join("ppd"))?;
        for entry in std::fs::read_dir(&ppd)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), etc.join("ppd").join(entry.file_name()))?;
            }
        }
    }
    copy_if_there(&cache_dir.join("job.cache"), &spool.join("job.cache"))?;
    for name in spool_names {
        link_or_copy(&request_root.join(name), &spool.join(name))?;
    }
    sync_dir(&spool)?;
    sync_dir(&etc)?;
    sync_dir(dir)
}

fn copy_if_there(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::copy(from, to) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// A hard link to `from` at `to`; a copy when the two are on different file systems.
pub fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => std::fs::copy(from, to).map(drop),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A directory for a new backup under `spool_dir`: `cups-import-SECONDS`, with a suffix if
/// one of that name is left from an import that did not finish.
pub fn new_dir(spool_dir: &Path, now: i64) -> PathBuf {
    let base = spool_dir.join(format!("cups-import-{now}"));
    let mut dir = base.clone();
    let mut n = 1;
    while dir.exists() {
        dir = PathBuf::from(format!("{}.{n}", base.display()));
        n += 1;
    }
    dir
}
