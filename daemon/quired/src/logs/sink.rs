//! Where one of cupsd's logs goes: a file (opened at its first line, rotated to `NAME.O`
//! once it passes `MaxLogSize`, reopened after SIGHUP, with `LogFilePerm` and
//! `LogFileGroup`), standard error (with sd-daemon(3) priority prefixes when it is the
//! journal's stream), syslog (`/dev/log`, facility LPR as cupsd), or nowhere.
//!
//! Each sink writes whole lines under its own lock: a rotation happens between two lines,
//! never inside one, and no line is lost across it.

use super::stamp::LogClock;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// The syslog severities (RFC 5424) the logs use; the journal's `<N>` prefixes are these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error = 3,
    Warning = 4,
    Info = 6,
    Debug = 7,
}

/// syslog's LPR facility, cupsd's.
const FACILITY_LPR: u8 = 6 << 3;

/// How log files are kept (cups-files.conf and cupsd.conf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRules {
    /// `MaxLogSize` in bytes; 0: never rotated.
    pub max_size: u64,
    /// `LogFilePerm`, masked as cupsd masks it (0664 at most).
    pub perm: u32,
    /// `LogFileGroup` resolved (None: the file's group is left alone).
    pub gid: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    None,
    File(PathBuf),
    Stderr,
    Syslog,
}

pub struct Sink {
    destination: Destination,
    rules: FileRules,
    /// Standard error is the journal's stream: lines carry `<N>` priorities.
    journal: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    file: Option<File>,
    /// Bytes in the open file (where the next line goes).
    size: u64,
    /// The last open failed: said once, tried again at the next reopen.
    failed: bool,
    syslog: Option<UnixDatagram>,
}

impl Sink {
    pub fn new(destination: Destination, rules: FileRules, journal: bool) -> Sink {
        Sink { destination, rules, journal, state: Mutex::new(State::default()) }
    }

    pub fn is_off(&self) -> bool {
        self.destination == Destination::None
    }

    #[cfg(test)]
    pub fn rules(&self) -> FileRules {
        self.rules
    }

    /// syslog dates its messages itself: its lines carry no date of their own (as cupsd's).
    pub fn is_syslog(&self) -> bool {
        self.destination == Destination::Syslog
    }

    /// Writes `line` (one line, no newline) at `severity`.
    pub fn write(&self, severity: Severity, line: &str, clock: &LogClock) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match &self.destination {
            Destination::None => {}
            Destination::Stderr => {
                let prefix =
                    if self.journal { format!("<{}>", severity as u8) } else { String::new() };
                let _ = std::io::stderr().lock().write_all(format!("{prefix}{line}\n").as_bytes());
            }
            Destination::Syslog => state.send_to_syslog(severity, line, clock),
            Destination::File(path) => state.append(path, &self.rules, line),
        }
    }

    /// Closes the file, so the next line opens the path again (after logrotate moved it).
    pub fn reopen(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.file = None;
        state.failed = false;
    }
}

impl State {
    fn append(&mut self, path: &Path, rules: &FileRules, line: &str) {
        // cupsd's rule: rotate when the file has passed the size, before the next line.
        let device = path.starts_with("/dev/");
        if self.file.is_some() && !device && rules.max_size > 0 && self.size > rules.max_size {
            self.file = None;
            let mut old = path.as_os_str().to_owned();
            old.push(".O");
            if let Err(e) = std::fs::rename(path, &old) {
                eprintln!("quired: Unable to rotate log file \"{}\": {e}", path.display());
            }
        }
        if self.file.is_none() && !self.failed {
            match open(path, rules, device) {
                Ok((file, size)) => {
                    self.file = Some(file);
                    self.size = size;
                }
                Err(e) => {
                    self.failed = true;
                    eprintln!("quired: Unable to open log file \"{}\": {e}", path.display());
                }
            }
        }
        let Some(file) = self.file.as_mut() else { return };
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        if file.write_all(&bytes).is_ok() {
            self.size += bytes.len() as u64;
        }
    }

    fn send_to_syslog(&mut self, severity: Severity, line: &str, clock: &LogClock) {
        if self.syslog.is_none() {
            self.syslog = UnixDatagram::unbound().ok();
        }
        let Some(socket) = &self.syslog else { return };
        let pri = FACILITY_LPR | severity as u8;
        let stamp = clock.syslog_stamp(SystemTime::now());
        let message = format!("<{pri}>{stamp} quired[{}]: {line}", std::process::id());
        let _ = socket.send_to(message.as_bytes(), "/dev/log");
    }
}

/// Opens `path` for appending (making its directory if need be) with the rules applied as
/// cupsd applies them to a log that is not a device; returns it and its size.
fn open(path: &Path, rules: &FileRules, device: bool) -> std::io::Result<(File, u64)> {
    let mut options = OpenOptions::new();
    options.create(true).append(true).mode(rules.perm);
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            options.open(path)?
        }
        Err(e) => return Err(e),
    };
    if !device {
        // Also for a file that existed: its mode and group follow the configuration.
        let _ = file.set_permissions(std::fs::Permissions::from_mode(rules.perm));
        if let Some(gid) = rules.gid {
            let _ = std::os::unix::fs::fchown(&file, None, Some(gid));
        }
    }
    let size = file.metadata().map_or(0, |m| m.size());
    Ok((file, size))
}

/// True when standard error is the journal's stream (systemd sets `JOURNAL_STREAM` to its
/// `device:inode`; a child that inherited the variable but not the stream does not match).
pub fn stderr_is_journal() -> bool {
    let Some(value) = std::env::var_os("JOURNAL_STREAM") else { return false };
    let Some((dev, ino)) = value.to_str().and_then(|v| v.split_once(':')) else { return false };
    let Ok(meta) = std::fs::metadata("/proc/self/fd/2") else { return false };
    dev.parse() == Ok(meta.dev()) && ino.parse() == Ok(meta.ino())
}

/// True when standard error goes nowhere (`/dev/null`, as for a daemon started in the
/// background): cupsd then sends what was meant for stderr to syslog.
pub fn stderr_is_null() -> bool {
    let (Ok(err), Ok(null)) =
        (std::fs::metadata("/proc/self/fd/2"), std::fs::metadata("/dev/null"))
    else {
        return false;
    };
    err.rdev() == null.rdev() && err.file_type().is_char_device()
}

#[cfg(test)]
#[path = "sink_tests.rs"]
mod tests;
