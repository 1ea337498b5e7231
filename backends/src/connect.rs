//! Reaching network devices: the address and options of a `socket:`/`lpd:` device URI,
//! connecting with retry and backoff while the device is offline, and blocking socket I/O
//! that still honours [`Cancel`] and never waits forever on a dead peer.

use crate::{BackendError, Cancel, Progress};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv6Addr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Delay after the first failed connection attempt; it doubles after each further failure.
pub(crate) const BACKOFF_FIRST: Duration = Duration::from_secs(1);
/// Longest delay between two connection attempts.
pub(crate) const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// CUPS's default `contimeout`: a week, i.e. wait for the device for all practical purposes.
pub(crate) const DEFAULT_CONTIMEOUT: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// One connection attempt. A host that drops SYNs would otherwise hold the thread for the
/// kernel's two minutes, deaf to Cancel.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a blocked read, write or backoff sleep looks at Cancel.
pub(crate) const POLL: Duration = Duration::from_millis(100);

/// The delay before the next attempt after `failures` (≥ 1) failed attempts: 1 s, 2 s, 4 s … 30 s.
pub(crate) fn backoff_delay(failures: u32) -> Duration {
    let doubled = BACKOFF_FIRST.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    doubled.min(BACKOFF_MAX)
}

/// Connects to `host:port` (`host` may be an IPv6 literal, with or without brackets),
/// retrying with backoff until it succeeds, `cancel` is set ([`BackendError::Canceled`]) or
/// `contimeout` has passed since the first attempt ([`BackendError::Device`]).
///
/// A device that refuses connections or cannot be reached is offline, not broken: the job
/// waits for it. While it does, the queue shows `offline-report` and when the next attempt
/// is; a successful connection clears the state. `what` names the device in errors.
pub(crate) fn connect_with_backoff(
    host: &str,
    port: u16,
    cancel: &Cancel,
    progress: &mut dyn Progress,
    what: &str,
    contimeout: Option<Duration>,
) -> Result<TcpStream, BackendError> {
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let start = Instant::now();
    let mut failures = 0u32;
    loop {
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        let error = match connect_once(host, port) {
            Ok(stream) => {
                progress.printer_state(Vec::new(), "Connected to printer.".into());
                return Ok(stream);
            }
            Err(e) => e,
        };
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        failures = failures.saturating_add(1);
        let mut delay = backoff_delay(failures);
        if let Some(limit) = contimeout {
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Err(BackendError::Device(format!(
                    "The printer is not responding: unable to connect to {what}: {error}"
                )));
            }
            delay = delay.min(left);
        }
        let secs = delay.as_millis().div_ceil(1000);
        progress.printer_state(
            vec!["offline-report".into()],
            format!("Unable to connect to printer; will retry in {secs} seconds."),
        );
        sleep_cancelable(delay, cancel)?;
    }
}

/// One attempt on every address `host` resolves to; the last error when none answers.
fn connect_once(host: &str, port: u16) -> Result<TcpStream, String> {
    let addrs =
        (host, port).to_socket_addrs().map_err(|e| format!("unable to locate \"{host}\": {e}"))?;
    let mut last = format!("\"{host}\" has no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, ATTEMPT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    Err(last)
}

/// Sleeps `total`, waking every [`POLL`] to honour Cancel.
pub(crate) fn sleep_cancelable(total: Duration, cancel: &Cancel) -> Result<(), BackendError> {
    let end = Instant::now() + total;
    loop {
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(POLL));
    }
}

/// Makes every blocking read and write on `stream` return after [`POLL`], so the loops
/// below can look at Cancel and measure how long the peer has been silent.
pub(crate) fn poll_timeouts(stream: &TcpStream) -> Result<(), BackendError> {
    stream
        .set_read_timeout(Some(POLL))
        .and_then(|()| stream.set_write_timeout(Some(POLL)))
        .map_err(|e| BackendError::Device(format!("Unable to set up the printer connection: {e}")))
}

fn timed_out(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted)
}

/// Writes all of `buf` (the stream must have [`poll_timeouts`]). `stall` bounds how long the
/// peer may accept nothing at all; `None` waits as long as the connection lives (a printer
/// out of paper stops reading, and a dead one is ended by the kernel's retransmission limit).
/// `step` names what is being sent, for errors.
pub(crate) fn write_all(
    stream: &mut TcpStream,
    mut buf: &[u8],
    cancel: &Cancel,
    stall: Option<Duration>,
    step: &str,
) -> Result<(), BackendError> {
    let mut last_progress = Instant::now();
    while !buf.is_empty() {
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        match stream.write(buf) {
            Ok(0) => {
                return Err(BackendError::Device(format!(
                    "Unable to send {step}: the printer closed the connection."
                )))
            }
            Ok(n) => {
                buf = buf.get(n..).unwrap_or_default();
                last_progress = Instant::now();
            }
            Err(e) if timed_out(e.kind()) => {
                if let Some(limit) = stall.filter(|l| last_progress.elapsed() >= *l) {
                    return Err(BackendError::Device(format!(
                        "Unable to send {step}: the printer accepted no data for {} seconds.",
                        limit.as_secs()
                    )));
                }
            }
            Err(e) => return Err(BackendError::Device(format!("Unable to send {step}: {e}"))),
        }
    }
    Ok(())
}

/// The outcome of [`read_some`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadOutcome {
    /// This many bytes were read into the buffer.
    Data(usize),
    /// The peer closed its side.
    Eof,
    /// Nothing arrived for the whole `idle` limit.
    Idle,
}

/// Reads what the peer sends next, waiting at most `idle` (the stream must have
/// [`poll_timeouts`]). Errors other than Cancel are the device's.
pub(crate) fn read_some(
    stream: &mut TcpStream,
    buf: &mut [u8],
    cancel: &Cancel,
    idle: Duration,
    step: &str,
) -> Result<ReadOutcome, BackendError> {
    let start = Instant::now();
    loop {
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        match stream.read(buf) {
            Ok(0) => return Ok(ReadOutcome::Eof),
            Ok(n) => return Ok(ReadOutcome::Data(n)),
            Err(e) if timed_out(e.kind()) => {
                if start.elapsed() >= idle {
                    return Ok(ReadOutcome::Idle);
                }
            }
            Err(e) => return Err(BackendError::Device(format!("Unable to read {step}: {e}"))),
        }
    }
}

/// The parts of a `socket:` or `lpd:` device URI, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetUri {
    /// The URI's user information (`lpd://user@host/queue`), if any.
    pub user: Option<String>,
    /// Host name or address; an IPv6 literal without its brackets.
    pub host: String,
    pub port: u16,
    /// The path without its leading `/` (the LPD queue name); may be empty.
    pub path: String,
    /// `?name=value` options, names lowercased, in URI order. CUPS separates them with `&`
    /// or `+`; a name without `=` has the empty value.
    pub options: Vec<(String, String)>,
}

/// Parses `scheme://[user@]host[:port][/path][?options]`. Never panics; anything malformed
/// (missing host, bad port, bad percent-encoding, control characters) is `BadUri`.
pub(crate) fn parse_net_uri(
    uri: &str,
    scheme: &str,
    default_port: u16,
) -> Result<NetUri, BackendError> {
    let bad = |why: &str| {
        BackendError::BadUri(format!("{}: {why}", quire_ipp::uri::without_userinfo(uri)))
    };
    let rest = uri
        .split_once("://")
        .filter(|(s, _)| s.eq_ignore_ascii_case(scheme))
        .map(|(_, r)| r)
        .ok_or_else(|| bad(&format!("expected {scheme}://host")))?;
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(decode(u).ok_or_else(|| bad("bad user name"))?), h),
        None => (None, authority),
    };
    let (host, port) = split_host_port(hostport).ok_or_else(|| bad("bad host or port"))?;
    let host = decode(host)
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| bad("missing or bad host name"))?;
    let port = match port {
        None | Some("") => default_port,
        Some(p) => {
            p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| bad("bad port number"))?
        }
    };
    let path = decode(path).ok_or_else(|| bad("bad percent-encoding in the path"))?;
    let mut options = Vec::new();
    for item in query.split(['&', '+']).filter(|s| !s.is_empty()) {
        let (name, value) = item.split_once('=').unwrap_or((item, ""));
        let value = decode(value).ok_or_else(|| bad("bad percent-encoding in an option"))?;
        options.push((name.to_ascii_lowercase(), value));
    }
    Ok(NetUri { user, host, port, path, options })
}

/// Splits `host[:port]` / `[v6][:port]`; `None` for an unterminated or invalid IPv6 literal.
fn split_host_port(s: &str) -> Option<(&str, Option<&str>)> {
    if let Some(v6) = s.strip_prefix('[') {
        let (addr, tail) = v6.split_once(']')?;
        addr.parse::<Ipv6Addr>().ok()?;
        let port = if tail.is_empty() { None } else { Some(tail.strip_prefix(':')?) };
        return Some((addr, port));
    }
    Some(match s.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    })
}

/// Percent-decodes `s`; `None` for a bad escape, invalid UTF-8 or a control character.
pub(crate) fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| !s.chars().any(char::is_control))
}

/// CUPS's reading of a boolean option: empty, `on`, `yes` or `true` (any case) is true.
pub(crate) fn option_bool(value: &str) -> bool {
    value.is_empty() || ["on", "yes", "true"].iter().any(|t| value.eq_ignore_ascii_case(t))
}

/// A positive number of seconds (CUPS uses `atoi(value) > 0`: leading digits count,
/// anything else leaves the default).
pub(crate) fn option_secs(value: &str) -> Option<Duration> {
    let digits: String = value.trim_start().chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<u64>().ok().filter(|n| *n > 0).map(Duration::from_secs)
}

#[cfg(test)]
#[path = "connect_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "net_test_support.rs"]
pub(crate) mod test_support;
