//! Who reads documents. cupsd runs every filter as cups-files.conf's `User`/`Group` with no
//! other groups, never as root; so does Quire. Conversions (Ghostscript, and the Rust PDF
//! work too, since it parses hostile documents) run in a child process, the *filter worker*
//! (quired started again with `--filter-worker`), as that account, in a private directory
//! only it may enter. It gets the documents through a pipe, so it never opens the spool or a
//! confidential job's decrypted copy, and it hands its results back through another.

use crate::cups_config::CupsConfig;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

/// A numeric user and group to run as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub uid: u32,
    pub gid: u32,
}

/// The filter worker program: `program args... MODE`.
#[derive(Debug, Clone)]
pub struct Worker {
    pub program: PathBuf,
    pub args: Vec<String>,
}

/// How the daemon starts the programs that read documents (filters and CUPS backends).
#[derive(Debug, Clone)]
pub struct Launch {
    /// cups-files.conf's directories and names: CUPS backends' environment, and ServerBin
    /// for the filters' PATH.
    pub cups: CupsConfig,
    /// `User`/`Group` as ids when we are root: filters, and CUPS backends that are not
    /// root-only, run as this account. `None`: as ourselves (we cannot switch users).
    pub account: Option<Account>,
    /// The filter worker. `None` converts in this process: only for this crate's unit
    /// tests; the daemon always sets it.
    pub worker: Option<Worker>,
    /// cups-files.conf `TempDir`: a worker's private directory goes there when the account
    /// can reach it, else into the system's temporary directory.
    pub temp_dir: PathBuf,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            cups: CupsConfig::from_env(),
            account: None,
            worker: None,
            temp_dir: std::env::temp_dir(),
        }
    }
}

impl Launch {
    /// The worker started in `mode`, in `dir`, as the account, in its own process group (so a
    /// cancel reaches Ghostscript too), with a clean environment as cupsd gives filters:
    /// PATH is `<ServerBin>/filter` then the daemon's PATH.
    pub(crate) fn worker_command(&self, mode: &str, dir: &Path) -> Option<Command> {
        let worker = self.worker.as_ref()?;
        let mut cmd = Command::new(&worker.program);
        cmd.args(&worker.args)
            .arg(mode)
            .env_clear()
            .envs(self.filter_env(dir))
            .current_dir(dir)
            .process_group(0);
        if let Some(a) = self.account {
            // std drops the supplementary groups (setgroups(0)) when it sets the uid as root.
            cmd.uid(a.uid).gid(a.gid);
        }
        Some(cmd)
    }

    fn filter_env(&self, dir: &Path) -> Vec<(String, String)> {
        let inherited = std::env::var("PATH")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/usr/bin:/usr/sbin:/bin:/usr/bin".into());
        let dir = dir.to_string_lossy().into_owned();
        let mut env = vec![
            ("PATH".to_string(), format!("{}/filter:{inherited}", self.cups.server_bin.display())),
            ("HOME".to_string(), dir.clone()),
            ("TMPDIR".to_string(), dir),
            ("LANG".to_string(), "C".to_string()),
        ];
        for name in ["TZ", "LD_LIBRARY_PATH", "LD_PRELOAD", "NLSPATH"] {
            if let Ok(v) = std::env::var(name) {
                env.push((name.to_string(), v));
            }
        }
        env
    }

    /// A private directory for one worker run, owned by the account.
    pub(crate) fn private_dir(&self, prefix: &str) -> io::Result<PrivateDir> {
        PrivateDir::create(&self.temp_dir, self.account, prefix)
    }
}

/// A fresh directory for one child run (its TMPDIR and HOME): `<base>/<prefix>-…/work`, the
/// inner one mode 0700 and owned by the user the child runs as, the outer one ours (0711),
/// so the child can neither list nor rename it: whatever we later do by path inside it
/// (shredding) stays inside. Removed with everything in it afterwards; `shred` overwrites
/// the files the child left first (a confidential job's documents).
pub(crate) struct PrivateDir {
    outer: PathBuf,
    inner: PathBuf,
    shred: bool,
}

impl PrivateDir {
    pub(crate) fn create(
        base: &Path,
        account: Option<Account>,
        prefix: &str,
    ) -> io::Result<PrivateDir> {
        let _ = std::fs::create_dir_all(base);
        // The spool is usually closed to the unprivileged user, and a directory it may write
        // without the sticky bit would let it rename ours: use the system temp dir then.
        let usable = |d: &Path| {
            d.is_dir() && account.is_none_or(|a| reachable_by(d, a) && !renamable_by_others(d))
        };
        let base = if usable(base) { base.to_path_buf() } else { std::env::temp_dir() };
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for _ in 0..32 {
            let seq = SEQ.fetch_add(1, Ordering::Relaxed);
            let outer = base.join(format!("{prefix}-{}-{seq}-{nanos:x}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o711).create(&outer) {
                Ok(()) => {
                    let dir = PrivateDir { inner: outer.join("work"), outer, shred: false };
                    std::fs::DirBuilder::new().mode(0o700).create(&dir.inner)?;
                    if let Some(a) = account {
                        std::os::unix::fs::chown(&dir.inner, Some(a.uid), Some(a.gid))?;
                    }
                    return Ok(dir);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free directory name"))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.inner
    }

    /// Overwrite the files left in it before removing them.
    pub(crate) fn shred_on_drop(&mut self, shred: bool) {
        self.shred = shred;
    }
}

/// Whether `uid`/`gid` can search every directory from the root down to `dir` (owner,
/// group or other execute bit; supplementary groups are not considered).
pub(crate) fn reachable_by(dir: &Path, account: Account) -> bool {
    dir.ancestors().all(|d| {
        std::fs::metadata(d).is_ok_and(|m| {
            let mode = m.permissions().mode();
            let bit = if m.uid() == account.uid {
                0o100
            } else if m.gid() == account.gid {
                0o010
            } else {
                0o001
            };
            m.is_dir() && mode & bit != 0
        })
    })
}

/// A directory someone else may write without the sticky bit (they could rename our entries).
fn renamable_by_others(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.mode() & 0o022 != 0 && m.mode() & 0o1000 == 0)
}

/// Overwrites and removes the regular files directly in `dir` (quire_vault::shred: never
/// through a link, never a FIFO).
pub fn shred_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = quire_vault::shred(&entry.path());
        }
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        if self.shred {
            shred_files(&self.inner);
        }
        let _ = std::fs::remove_dir_all(&self.outer);
    }
}

/// SIGKILL to a child's process group (the child leads it: `process_group(0)`). Only for a
/// child not reaped yet, so its id cannot belong to anyone else.
pub(crate) fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

#[cfg(test)]
#[path = "sandbox_tests.rs"]
mod tests;
