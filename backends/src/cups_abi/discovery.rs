//! Discovery mode (backend(7)): a CUPS backend run without arguments prints one line per
//! device it finds, `class uri "make-and-model" "info" ["device-id" ["location"]]`. Run
//! as cupsd's cups-deviced runs them: every installed backend at once, each as root only
//! when nobody else may execute it (else as `User`), in a clean environment, until they all
//! exit or the time is up (then they are killed), duplicates dropped.
//!
//! What a backend prints is a claim from another program: lines are bounded, strictly
//! parsed (a malformed one is logged and skipped), control characters dropped, fields cut
//! to cups-deviced's sizes, and the number of devices and backends is bounded.

use super::security::{self, Refusal};
use crate::cups_config::CupsConfig;
use crate::sandbox::{kill_group, Account, PrivateDir};
use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The longest line read from a backend (cups-deviced's buffer); longer ones are dropped.
pub const MAX_LINE: usize = 2048;
/// Field sizes, as cups-deviced copies them (bytes, without its NUL).
const MAX_CLASS: usize = 127;
const MAX_INFO: usize = 127;
const MAX_URI: usize = 1023;
const MAX_TEXT: usize = 1023;
/// Backends run at most (cups-deviced's MAX_BACKENDS).
pub const MAX_BACKENDS: usize = 200;
/// Devices kept at most, whatever the request's limit.
pub const MAX_DEVICES: usize = 1000;
/// cupsd's default `timeout` for CUPS-Get-Devices, and the most a request may ask for.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
pub const MAX_TIMEOUT: Duration = Duration::from_secs(120);

/// One device line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub class: String,
    pub uri: String,
    pub make_and_model: String,
    pub info: String,
    pub device_id: String,
    pub location: String,
}

/// Why a line is not a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    TooLong,
    /// No class, or one that is not a keyword.
    BadClass,
    /// No URI, or one without a valid scheme.
    BadUri,
    /// A field that should be a quoted string is missing or not closed.
    BadQuoting(&'static str),
    /// Something after the last field.
    TrailingText,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::TooLong => write!(f, "line longer than {MAX_LINE} bytes"),
            LineError::BadClass => f.write_str("no device class"),
            LineError::BadUri => f.write_str("no valid device URI"),
            LineError::BadQuoting(field) => write!(f, "{field} is not a quoted string"),
            LineError::TrailingText => f.write_str("text after the last field"),
        }
    }
}

/// Parses one line (without its newline). Bytes that are not UTF-8 become U+FFFD; control
/// characters are dropped from the quoted strings.
pub fn parse_line(line: &[u8]) -> Result<Device, LineError> {
    if line.len() > MAX_LINE {
        return Err(LineError::TooLong);
    }
    let text = String::from_utf8_lossy(line);
    let mut rest = text.trim_end_matches(['\r', '\n']).trim_start();
    let class = take_word(&mut rest);
    if class.is_empty()
        || class.len() > MAX_CLASS
        || !class.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(LineError::BadClass);
    }
    let uri = take_word(&mut rest);
    // A full URI, or a bare scheme (`network socket`: the backend takes any address).
    let scheme_ok = if uri.contains(':') {
        super::invocation::scheme_of(uri).is_some()
    } else {
        super::invocation::scheme_of(&format!("{uri}:")).is_some()
    };
    if !scheme_ok || uri.len() > MAX_URI || uri.chars().any(char::is_control) {
        return Err(LineError::BadUri);
    }
    let make_and_model =
        take_quoted(&mut rest).ok_or(LineError::BadQuoting("device-make-and-model"))?;
    let info = take_quoted(&mut rest).ok_or(LineError::BadQuoting("device-info"))?;
    let mut optional = |name| match rest.is_empty() {
        true => Ok(String::new()),
        false => take_quoted(&mut rest).ok_or(LineError::BadQuoting(name)),
    };
    let device_id = optional("device-id")?;
    let location = optional("device-location")?;
    if !rest.is_empty() {
        return Err(LineError::TrailingText);
    }
    Ok(Device {
        class: class.to_string(),
        uri: uri.to_string(),
        make_and_model: cut(make_and_model, MAX_TEXT),
        info: cut(info, MAX_INFO),
        device_id: cut(device_id, MAX_TEXT),
        location: cut(location, MAX_TEXT),
    })
}

/// The next whitespace-delimited word; `rest` is left at the following one.
fn take_word<'a>(rest: &mut &'a str) -> &'a str {
    let end = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
    let (word, tail) = rest.split_at(end);
    *rest = tail.trim_start();
    word
}

/// A `"..."` string (`\x` stands for `x`), control characters dropped; `None` when `rest`
/// does not start with a quote, the string is not closed, or it runs into the next field.
fn take_quoted(rest: &mut &str) -> Option<String> {
    let body = rest.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let tail = &body[i + 1..];
                if !tail.is_empty() && !tail.starts_with(|c: char| c.is_ascii_whitespace()) {
                    return None;
                }
                *rest = tail.trim_start();
                return Some(out);
            }
            '\\' => out.extend(chars.next().map(|(_, c)| c).filter(|c| !c.is_control())),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    None
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// What to discover (CUPS-Get-Devices' operation attributes).
#[derive(Debug, Clone)]
pub struct Query {
    /// How long backends may run (the request's `timeout`, else 15 s; at most [`MAX_TIMEOUT`]).
    pub timeout: Duration,
    /// At most this many devices (the request's `limit`; [`MAX_DEVICES`] in any case).
    pub limit: usize,
    /// Only these backends (`include-schemes`), if given.
    pub include: Option<Vec<String>>,
    /// Not these (`exclude-schemes`, and the schemes the caller serves itself).
    pub exclude: Vec<String>,
}

impl Default for Query {
    fn default() -> Self {
        Query { timeout: DEFAULT_TIMEOUT, limit: MAX_DEVICES, include: None, exclude: Vec::new() }
    }
}

impl Query {
    /// True when devices of backend `name` are wanted.
    pub fn wants(&self, name: &str) -> bool {
        !self.exclude.iter().any(|s| s == name)
            && self.include.as_ref().is_none_or(|inc| inc.iter().any(|s| s == name))
    }
}

/// The devices the installed backends report (after `skip`'s, which the caller already
/// has: they count for duplicates and the limit), in the order they were reported.
pub fn discover(config: &CupsConfig, account: Option<Account>, query: &Query) -> Vec<Device> {
    let deadline = Instant::now() + query.timeout.clamp(Duration::from_secs(1), MAX_TIMEOUT);
    let limit = query.limit.min(MAX_DEVICES);
    let euid = security::effective_uid(&std::env::temp_dir()).unwrap_or(u32::MAX);
    // As root, the backends others may run run as `User`: their TMPDIR is that user's.
    let account = match (euid, account) {
        (0, None) => security::lookup_account(&config.user, config.group.as_deref()),
        (0, some) => some,
        _ => None,
    };
    let dir = PrivateDir::create(&std::env::temp_dir(), account, "quire-deviced");
    let dir = match dir {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!("[cups-deviced] Unable to create a temporary directory: {e}");
            return Vec::new();
        }
    };
    let (tx, rx) = mpsc::sync_channel::<(String, Vec<u8>)>(256);
    let mut children: Vec<Child> = Vec::new();
    for name in super::backend_schemes_in(config).into_iter().filter(|n| query.wants(n)) {
        if children.len() >= MAX_BACKENDS {
            tracing::warn!("[cups-deviced] Too many backends ({MAX_BACKENDS}): {name} not run");
            continue;
        }
        if let Some(mut child) = start(config, account, euid, &name, dir.path()) {
            if let Some(out) = child.stdout.take() {
                read_lines(name, out, tx.clone());
            }
            children.push(child);
        }
    }
    drop(tx);
    let found = collect(&rx, deadline, limit);
    for mut child in children {
        // Done, or out of time: whatever still runs in its group is stopped (a program it
        // left behind too). Not reaped yet, so its pid still names its group.
        kill_group(child.id());
        let _ = child.wait();
    }
    found
}

/// Reads device lines until every backend closed its output, the deadline, or `limit`.
fn collect(rx: &mpsc::Receiver<(String, Vec<u8>)>, deadline: Instant, limit: usize) -> Vec<Device> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    while found.len() < limit {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((name, line)) = rx.recv_timeout(left) else { break };
        match parse_line(&line) {
            Ok(d) => {
                // cups-deviced's duplicates: the same info, class and URI (case aside).
                let key = (d.info.to_lowercase(), d.class.to_lowercase(), d.uri.to_lowercase());
                if seen.insert(key) {
                    tracing::debug!("[cups-deviced] Found device \"{}\" ({name})", d.uri);
                    found.push(d);
                }
            }
            Err(e) => tracing::warn!(
                "[cups-deviced] Bad line from \"{name}\" ({e}): {}",
                String::from_utf8_lossy(&line[..line.len().min(200)]).escape_debug()
            ),
        }
    }
    found
}

/// Starts backend `name` in discovery mode, or logs why not.
fn start(
    config: &CupsConfig,
    account: Option<Account>,
    euid: u32,
    name: &str,
    tmp: &Path,
) -> Option<Child> {
    let program = config.backend_dir().join(name);
    let meta = match security::check_program(&program, euid == 0) {
        Ok(m) => m,
        Err(Refusal::Missing) => return None,
        Err(Refusal::NotProgram(why) | Refusal::Insecure(why)) => {
            tracing::warn!("[cups-deviced] Not running backend {}: {why}", program.display());
            return None;
        }
    };
    // As root, a backend others may run runs as `User` (cups-deviced's rule).
    let as_ourselves = euid != 0 || security::wants_root(meta.permissions().mode());
    let run_as = if as_ourselves {
        None
    } else if account.is_none() {
        tracing::warn!("[cups-deviced] No user \"{}\" to run {name} as", config.user);
        return None;
    } else {
        account
    };
    let mut cmd = Command::new(&program);
    cmd.arg0(name)
        .env_clear()
        .envs(environment(config, tmp))
        .current_dir(tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    if let Some(a) = run_as {
        cmd.uid(a.uid).gid(a.gid);
    }
    match cmd.spawn() {
        Ok(child) => {
            tracing::debug!(
                "[cups-deviced] Started backend {} (PID {})",
                program.display(),
                child.id()
            );
            Some(child)
        }
        Err(e) => {
            tracing::warn!("[cups-deviced] Unable to execute \"{}\": {e}", program.display());
            None
        }
    }
}

/// cupsd's environment for its helper programs (scheduler/env.c), as a backend sees it.
fn environment(c: &CupsConfig, tmp: &Path) -> Vec<(String, String)> {
    let path = |p: &Path| p.to_string_lossy().into_owned();
    let mut env = vec![
        ("CUPS_CACHEDIR".into(), path(&c.cache_dir)),
        ("CUPS_DATADIR".into(), path(&c.data_dir)),
        ("CUPS_REQUESTROOT".into(), path(&c.request_root)),
        ("CUPS_SERVERBIN".into(), path(&c.server_bin)),
        ("CUPS_SERVERROOT".into(), path(&c.server_root)),
        ("CUPS_STATEDIR".into(), path(&c.state_dir)),
        ("HOME".into(), path(tmp)),
        ("PATH".into(), format!("{}/filter:/usr/bin:/usr/sbin:/bin:/usr/bin", path(&c.server_bin))),
        ("SERVER_ADMIN".into(), c.server_admin.clone()),
        ("SOFTWARE".into(), format!("Quire/{}", env!("CARGO_PKG_VERSION"))),
        ("TMPDIR".into(), path(tmp)),
        ("USER".into(), "root".into()),
        ("LANG".into(), "C".into()),
        ("CHARSET".into(), "utf-8".into()),
    ];
    for name in ["TZ", "LD_LIBRARY_PATH", "LD_PRELOAD", "NLSPATH"] {
        if let Ok(v) = std::env::var(name) {
            env.push((name.into(), v));
        }
    }
    env
}

/// Sends each line of `out` (cut at [`MAX_LINE`] + 1 bytes, so an overlong one is seen as
/// such) until EOF or the collector is gone.
fn read_lines(
    name: String,
    out: impl Read + Send + 'static,
    tx: mpsc::SyncSender<(String, Vec<u8>)>,
) {
    thread::spawn(move || {
        let mut reader = BufReader::with_capacity(8192, out);
        let mut line = Vec::new();
        loop {
            let buf = match reader.fill_buf() {
                Ok([]) => break,
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let newline = buf.iter().position(|b| *b == b'\n');
            let take = newline.unwrap_or(buf.len());
            let room = (MAX_LINE + 1).saturating_sub(line.len());
            line.extend_from_slice(&buf[..take.min(room)]);
            reader.consume(newline.map_or(take, |n| n + 1));
            if newline.is_some() && tx.send((name.clone(), std::mem::take(&mut line))).is_err() {
                return;
            }
        }
        if !line.is_empty() {
            let _ = tx.send((name, line));
        }
    });
}

#[cfg(test)]
#[path = "discovery_tests.rs"]
mod tests;
