//! Who a backend runs as, and which backends may run at all (cupsd's _cupsFileCheck and
//! its "backends are root only when nobody else may execute them" rule).

use std::fs::Metadata;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_IWGRP: u32 = 0o020;
const S_IWOTH: u32 = 0o002;
const S_IXOTH: u32 = 0o001;

pub use crate::sandbox::Account;

/// Why a backend program may not be run.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    /// Not a regular executable file.
    NotProgram(String),
    /// Writable by others, set-id, or not owned by root while we are root.
    Insecure(String),
}

/// Checks the program and the directory holding it as cupsd does before starting a backend:
/// no set-id bits, not writable by group or others, and owned by root when we are root.
pub fn check_program(program: &Path, as_root: bool) -> Result<Metadata, Refusal> {
    let meta = match std::fs::metadata(program) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Refusal::Missing),
        Err(e) => return Err(Refusal::NotProgram(format!("{}: {e}", program.display()))),
    };
    let mode = meta.permissions().mode();
    if !meta.is_file() || mode & 0o111 == 0 {
        return Err(Refusal::NotProgram(format!(
            "{} is not an executable file",
            program.display()
        )));
    }
    if mode & (S_ISUID | S_ISGID) != 0 {
        return Err(Refusal::Insecure(format!("{} is set-user/group-ID", program.display())));
    }
    if let Some(refusal) = insecure(program, &meta, as_root) {
        return Err(refusal);
    }
    if let Some(dir) = program.parent() {
        let dir_meta = std::fs::metadata(dir)
            .map_err(|e| Refusal::NotProgram(format!("{}: {e}", dir.display())))?;
        if let Some(refusal) = insecure(dir, &dir_meta, as_root) {
            return Err(refusal);
        }
    }
    Ok(meta)
}

fn insecure(path: &Path, meta: &Metadata, as_root: bool) -> Option<Refusal> {
    let mode = meta.permissions().mode();
    if mode & (S_IWGRP | S_IWOTH) != 0 {
        return Some(Refusal::Insecure(format!(
            "{} is writable by group or others (mode {:04o})",
            path.display(),
            mode & 0o7777
        )));
    }
    if as_root && meta.uid() != 0 {
        return Some(Refusal::Insecure(format!("{} is not owned by root", path.display())));
    }
    None
}

/// cupsd runs a backend as root only if it is neither group/other writable nor executable
/// by others (0700, 0744, 0750...); every other backend runs as the unprivileged user.
pub fn wants_root(mode: u32) -> bool {
    mode & (S_IWGRP | S_IWOTH | S_IXOTH) == 0
}

/// Our effective user id: the owner of /proc/self, else of a file we just created.
pub fn effective_uid(scratch_dir: &Path) -> io::Result<u32> {
    if let Ok(meta) = std::fs::metadata("/proc/self") {
        return Ok(meta.uid());
    }
    let probe = tempfile_in(scratch_dir)?;
    let uid = std::fs::metadata(&probe).map(|m| m.uid());
    let _ = std::fs::remove_file(&probe);
    uid
}

fn tempfile_in(dir: &Path) -> io::Result<std::path::PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    for attempt in 0..16u32 {
        let path = dir.join(format!(".quire-uid-probe-{}-{attempt}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free probe file name"))
}

/// The user (and group, else the user's primary group) by name, from the system's user
/// database through NSS (files, LDAP, SSSD, macOS's directory services).
pub fn lookup_account(user: &str, group: Option<&str>) -> Option<Account> {
    use nix::unistd::{Group, User};
    let found = User::from_name(user).ok().flatten()?;
    let gid = match group {
        None => found.gid,
        Some(name) => Group::from_name(name).ok().flatten()?.gid,
    };
    Some(Account { uid: found.uid.as_raw(), gid: gid.as_raw() })
}

#[cfg(test)]
#[path = "security_tests.rs"]
mod tests;
