//! `lpd://host[:port]/queue[?options]` devices: an RFC 1179 client, like CUPS's lpd backend.
//!
//! One "receive a printer job" command (`\x02queue\n`), then the control file
//! (`\x02COUNT cfA<NNN><host>\n`) and one data file per document (`\x03COUNT dfA…`, `dfB…`),
//! each acknowledged with a zero byte; a file's bytes are followed by a zero byte and
//! acknowledged again. As with `socket:`, documents are sent raw (decompressed, unconverted)
//! and no page count is reported.
//!
//! Options (as CUPS): `banner=BOOL` (default off; on adds the C and L lines),
//! `format=C` (the control-file print command, default `l`: print raw), `order=control,data`
//! (default) or `data,control`, `contimeout=SECONDS` (default a week), `timeout=SECONDS`
//! (how long the server may stall a transfer or an answer, default 300),
//! `manual_copies=BOOL` (default on: copies are sent as repeated data, otherwise as repeated
//! print commands), `sanitize_title=BOOL` (default on). `mode`, `reserve` and `snmp` are
//! accepted and ignored: data is always sent with its size, and the connection comes from
//! an ordinary port (an LPD server that demands a privileged source port refuses it).

use crate::connect::{self, NetUri, ReadOutcome};
use crate::socket::copies;
use crate::{open_document, BackendError, Cancel, DocumentSource, JobInfo, Progress};
use std::io::Read;
use std::net::TcpStream;
use std::time::Duration;

/// The LPD port.
pub const DEFAULT_PORT: u16 = 515;
/// CUPS's default `timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// The print commands CUPS accepts for `format=`.
const FORMATS: &str = "cdfglnoprtv";
/// Data file letters: `dfA` … `dfZ`, `dfa` … `dfz`, as BSD lpr names them.
const DATA_LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHUNK: usize = 64 * 1024;

/// The settings an lpd URI carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LpdUri {
    pub host: String,
    pub port: u16,
    pub queue: String,
    /// `lpd://user@host/queue`: sent instead of the job's owner.
    pub user: Option<String>,
    pub banner: bool,
    pub format: char,
    pub data_first: bool,
    pub contimeout: Duration,
    pub timeout: Duration,
    pub manual_copies: bool,
    pub sanitize_title: bool,
}

/// Parses an `lpd:` device URI (pure; never panics). The queue name is percent-decoded.
pub(crate) fn parse_uri(uri: &str) -> Result<LpdUri, BackendError> {
    let NetUri { user, host, port, path, options } =
        connect::parse_net_uri(uri, "lpd", DEFAULT_PORT)?;
    if path.is_empty() {
        return Err(BackendError::BadUri(format!(
            "{}: missing queue name (lpd://host/queue)",
            quire_ipp::uri::without_userinfo(uri)
        )));
    }
    let mut out = LpdUri {
        host,
        port,
        queue: path,
        user: user.filter(|u| !u.is_empty()),
        banner: false,
        format: 'l',
        data_first: false,
        contimeout: connect::DEFAULT_CONTIMEOUT,
        timeout: DEFAULT_TIMEOUT,
        manual_copies: true,
        sanitize_title: true,
    };
    for (name, value) in &options {
        match name.as_str() {
            "banner" => out.banner = connect::option_bool(value),
            "format" => {
                out.format =
                    value.chars().next().filter(|c| FORMATS.contains(*c)).unwrap_or(out.format)
            }
            "order" if value.eq_ignore_ascii_case("control,data") => out.data_first = false,
            "order" if value.eq_ignore_ascii_case("data,control") => out.data_first = true,
            "contimeout" => out.contimeout = connect::option_secs(value).unwrap_or(out.contimeout),
            "timeout" => out.timeout = connect::option_secs(value).unwrap_or(out.timeout),
            "manual_copies" => out.manual_copies = connect::option_bool(value),
            "sanitize_title" => out.sanitize_title = connect::option_bool(value),
            _ => {}
        }
    }
    Ok(out)
}

/// What the control file says about the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Control {
    pub host: String,
    pub user: String,
    pub title: String,
    pub banner: bool,
    pub format: char,
    /// Print commands per data file (copies when they are not sent as repeated data).
    pub prints: u32,
    /// Job number (000–999) used in the file names.
    pub number: u32,
    /// One (document) name per data file.
    pub documents: Vec<String>,
}

/// `cfA<NNN><host>` with the host cut to 15 bytes (RFC 1179 section 7.2 / CUPS).
pub(crate) fn control_name(number: u32, host: &str) -> String {
    format!("cfA{:03}{}", number % 1000, cut(host, 15))
}

/// The data file name of document `index`: `dfA…`, `dfB…`; `None` past the 52nd.
pub(crate) fn data_name(index: usize, number: u32, host: &str) -> Option<String> {
    let letter = char::from(*DATA_LETTERS.get(index)?);
    Some(format!("df{letter}{:03}{}", number % 1000, cut(host, 15)))
}

/// The control file: H, P, J, (C, L with a banner), then per data file its print command(s),
/// U (delete it once printed) and N (its name). Every field is cleaned of control
/// characters (a newline would start a new command) and cut to RFC 1179's lengths.
pub(crate) fn control_file(c: &Control) -> String {
    let host = clean(&c.host, false);
    let host = cut(&host, 31);
    let user = clean(&c.user, false);
    let user = cut(&user, 31);
    let mut out = format!("H{host}\nP{user}\nJ{}\n", cut(&clean(&c.title, false), 99));
    if c.banner {
        out.push_str(&format!("C{host}\nL{user}\n"));
    }
    for (i, name) in c.documents.iter().enumerate() {
        let Some(df) = data_name(i, c.number, &c.host) else { break };
        for _ in 0..c.prints.max(1) {
            out.push_str(&format!("{}{df}\n", c.format));
        }
        out.push_str(&format!("U{df}\nN{}\n", cut(&clean(name, false), 131)));
    }
    out
}

/// Replaces control characters with `_`, and with `sanitize` (CUPS's `sanitize_title`)
/// everything but ASCII letters, digits and spaces, which some LPD servers choke on.
pub(crate) fn clean(s: &str, sanitize: bool) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || (sanitize && !c.is_ascii_alphanumeric() && c != ' ') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// This host's name for the H line and the file names: letters, digits, `.` and `-` only.
pub(crate) fn local_hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let name: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

/// What one acknowledgement byte means: `Some(0)` is success; anything else names the step.
pub(crate) fn check_ack(ack: Option<u8>, step: &str) -> Result<(), BackendError> {
    match ack {
        Some(0) => Ok(()),
        Some(code) => {
            Err(BackendError::Device(format!("The LPD server refused {step} (status {code}).")))
        }
        None => Err(BackendError::Device(format!(
            "The LPD server closed the connection instead of accepting {step}."
        ))),
    }
}

pub fn deliver(
    uri: &str,
    job: &JobInfo,
    docs: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let dev = parse_uri(uri)?;
    if docs.is_empty() {
        return Ok(());
    }
    if docs.len() > DATA_LETTERS.len() {
        return Err(BackendError::Document(format!(
            "LPD allows at most {} documents per job; this one has {}.",
            DATA_LETTERS.len(),
            docs.len()
        )));
    }
    let copies = copies(job);
    let repeat = if dev.manual_copies { copies } else { 1 };
    // The size goes first on the wire, so measure the decompressed documents before connecting.
    let mut sizes = Vec::with_capacity(docs.len());
    for doc in docs {
        sizes.push(document_len(doc, cancel)?.saturating_mul(u64::from(repeat)));
    }
    let host = local_hostname();
    let control = Control {
        user: clean(dev.user.as_deref().unwrap_or(&job.user), false),
        title: clean(&job.name, dev.sanitize_title),
        banner: dev.banner,
        format: dev.format,
        prints: if dev.manual_copies { 1 } else { copies },
        number: job.id.rem_euclid(1000).unsigned_abs(),
        documents: docs
            .iter()
            .map(|d| clean(if d.name.is_empty() { &job.name } else { &d.name }, dev.sanitize_title))
            .collect(),
        host,
    };
    let what = format!("{}:{}", dev.host, dev.port);
    let mut stream = connect::connect_with_backoff(
        &dev.host,
        dev.port,
        cancel,
        progress,
        &what,
        Some(dev.contimeout),
    )?;
    connect::poll_timeouts(&stream)?;
    let mut s = Session { stream: &mut stream, cancel, timeout: dev.timeout };
    s.command(
        format!("\x02{}\n", dev.queue).as_bytes(),
        &format!("the receive-job command for queue \"{}\"", dev.queue),
    )?;
    if !dev.data_first {
        s.send_control(&control)?;
    }
    for (i, (doc, size)) in docs.iter().zip(&sizes).enumerate() {
        let name = data_name(i, control.number, &control.host).unwrap_or_default();
        s.send_data(doc, *size, repeat, &name)?;
    }
    if dev.data_first {
        s.send_control(&control)?;
    }
    Ok(())
}

/// The decompressed size of a document (its file size when it is not compressed).
fn document_len(doc: &DocumentSource, cancel: &Cancel) -> Result<u64, BackendError> {
    let spool = |e: std::io::Error| BackendError::Spool(format!("{}: {e}", doc.path.display()));
    if doc.compression.as_deref().is_none_or(|c| c != "gzip" && c != "deflate") {
        return std::fs::metadata(&doc.path).map(|m| m.len()).map_err(spool);
    }
    let mut input = open_document(doc)?;
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        match input.read(&mut buf).map_err(spool)? {
            0 => return Ok(total),
            n => total += n as u64,
        }
    }
}

/// One connection to the LPD server, inside a "receive job" command.
struct Session<'a> {
    stream: &'a mut TcpStream,
    cancel: &'a Cancel,
    timeout: Duration,
}

impl Session<'_> {
    /// Sends `bytes` and reads the one-byte answer.
    fn command(&mut self, bytes: &[u8], step: &str) -> Result<(), BackendError> {
        connect::write_all(self.stream, bytes, self.cancel, Some(self.timeout), step)?;
        self.ack(step)
    }

    fn ack(&mut self, step: &str) -> Result<(), BackendError> {
        let mut byte = [0u8; 1];
        match connect::read_some(
            self.stream,
            &mut byte,
            self.cancel,
            self.timeout,
            &format!("the answer to {step}"),
        )? {
            ReadOutcome::Data(_) => check_ack(byte.first().copied(), step),
            ReadOutcome::Eof => check_ack(None, step),
            ReadOutcome::Idle => Err(BackendError::Device(format!(
                "The LPD server did not answer {step} within {} seconds.",
                self.timeout.as_secs()
            ))),
        }
    }

    fn send_control(&mut self, c: &Control) -> Result<(), BackendError> {
        let text = control_file(c);
        let name = control_name(c.number, &c.host);
        self.command(
            format!("\x02{} {name}\n", text.len()).as_bytes(),
            &format!("the control file header ({name})"),
        )?;
        let mut body = text.into_bytes();
        body.push(0);
        self.command(&body, &format!("the control file {name}"))
    }

    /// Sends one data file: `repeat` copies of the document, exactly `size` bytes in all.
    fn send_data(
        &mut self,
        doc: &DocumentSource,
        size: u64,
        repeat: u32,
        name: &str,
    ) -> Result<(), BackendError> {
        self.command(
            format!("\x03{size} {name}\n").as_bytes(),
            &format!("the data file header ({name})"),
        )?;
        let step = format!("the data file {name}");
        let mut buf = vec![0u8; CHUNK];
        let mut sent = 0u64;
        for _ in 0..repeat {
            let mut input = open_document(doc)?;
            loop {
                if self.cancel.is_canceled() {
                    return Err(BackendError::Canceled);
                }
                let n = input
                    .read(&mut buf)
                    .map_err(|e| BackendError::Spool(format!("{}: {e}", doc.path.display())))?;
                let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else { break };
                sent += n as u64;
                if sent > size {
                    break;
                }
                connect::write_all(self.stream, chunk, self.cancel, Some(self.timeout), &step)?;
            }
        }
        if sent != size {
            return Err(BackendError::Spool(format!(
                "{}: the document changed while it was sent ({sent} bytes, expected {size}).",
                doc.path.display()
            )));
        }
        self.command(&[0], &step)
    }
}

#[cfg(test)]
#[path = "lpd_tests.rs"]
mod tests;
