//! Replacing a configuration or state file as cupsd does: the new text to `NAME.N` (fsynced,
//! with the old file's owner and mode), the old file kept as `NAME.O` (a hard link, so `NAME`
//! exists at every moment), then `NAME.N` renamed into place and the directory fsynced.

use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Replaces `path` with `bytes`; `mode_if_new` when there is no old file.
pub fn replace(path: &Path, bytes: &[u8], mode_if_new: u32) -> std::io::Result<()> {
    use std::io::Write as _;
    let with = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    let (new, old) = (with(".N"), with(".O"));
    let previous = std::fs::metadata(path).ok();
    let mode = previous.as_ref().map_or(mode_if_new, |m| m.mode() & 0o7777);
    let _ = std::fs::remove_file(&new);
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&new)?;
    if let Some(m) = &previous {
        std::os::unix::fs::fchown(&f, Some(m.uid()), Some(m.gid()))?;
    }
    // The mode whatever the umask.
    f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    if previous.is_some() {
        let _ = std::fs::remove_file(&old);
        std::fs::hard_link(path, &old)?;
    }
    std::fs::rename(&new, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}
