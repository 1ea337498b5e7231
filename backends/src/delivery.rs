//! Quire's own backends (ipp, ipps, http, https, socket, lpd) run as cups-files.conf's
//! `User`, as cupsd runs CUPS's: in the worker (`quired --filter-worker deliver`), in a
//! private directory. The daemon only feeds it the job and its documents and mirrors what it
//! reports; what a device says (its IPP answers, its LPD replies) is never parsed as root.
//!
//! The worker's stdin: the job as one IPP message ([`encode_job`]: the device URI and the job's
//! facts in the operation group, its attributes in the job group, the queue's capabilities in
//! the printer group), then each document, decompressed, as a chunked stream
//! ([`crate::filter_chain::wire`]); then lines: `cancel` cancels the delivery; the end of
//! stdin (the daemon gone) ends the worker at once. Its stdout: one line per report ([`Report`]), the last one `result KIND
//! MESSAGE`. Its stderr: `DEBUG:`/`ERROR:` lines, logged.

use crate::filter_chain::wire::{read_message, read_stream, write_stream};
use crate::{BackendError, Cancel, DocumentSource, JobInfo, Launch, Progress, Worker};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The schemes the worker delivers to (`file:` stays in the daemon, as in cupsd, which writes
/// a file device's output itself; other schemes are CUPS's backends, run as cupsd runs them).
pub const WORKER_SCHEMES: [&str; 6] = ["ipp", "ipps", "http", "https", "socket", "lpd"];

/// The longest report line read from the worker.
const MAX_REPORT: usize = 64 * 1024;

/// What the worker reports while it delivers, one line each.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Pages(i32),
    /// The device's reasons and message.
    State(Vec<String>, String),
    Attribute(Attribute),
    Submitted(i32),
    /// How the delivery ended: `None` for success.
    Result(Option<(String, String)>),
}

fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

impl Report {
    /// The report as its line (without the newline).
    pub fn line(&self) -> String {
        match self {
            Report::Pages(n) => format!("pages {n}"),
            Report::State(reasons, message) => {
                let reasons: Vec<String> = reasons
                    .iter()
                    .map(|r| r.replace([',', ' '], "").replace(char::is_control, ""))
                    .filter(|r| !r.is_empty())
                    .collect();
                format!(
                    "state {} {}",
                    if reasons.is_empty() { "-".into() } else { reasons.join(",") },
                    one_line(message)
                )
            }
            Report::Attribute(a) => {
                let mut m = Message::new((2, 0), 0, 1);
                let mut g = Group::new(DelimiterTag::Printer);
                g.push(a.clone());
                m.push_group(g);
                format!("attr {}", hex(&m.encode()))
            }
            Report::Submitted(n) => format!("submitted {n}"),
            Report::Result(None) => "result ok".into(),
            Report::Result(Some((kind, message))) => format!("result {kind} {}", one_line(message)),
        }
    }

    /// A line from the worker; `None` for a line that is none of the reports.
    pub fn parse(line: &str) -> Option<Report> {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "pages" => rest.trim().parse().ok().map(Report::Pages),
            "submitted" => rest.trim().parse().ok().map(Report::Submitted),
            "state" => {
                let (reasons, message) = rest.split_once(' ').unwrap_or((rest, ""));
                let reasons = match reasons {
                    "-" | "" => Vec::new(),
                    r => r.split(',').filter(|r| !r.is_empty()).map(str::to_string).collect(),
                };
                Some(Report::State(reasons, message.to_string()))
            }
            "attr" => {
                let bytes = unhex(rest.trim())?;
                let (m, _) = quire_ipp::decode::decode(&bytes).ok()?;
                let a = m.group(DelimiterTag::Printer)?.attributes.first()?.clone();
                Some(Report::Attribute(a))
            }
            "result" => {
                let (kind, message) = rest.split_once(' ').unwrap_or((rest, ""));
                match kind {
                    "ok" => Some(Report::Result(None)),
                    "" => None,
                    k => Some(Report::Result(Some((k.to_string(), message.to_string())))),
                }
            }
            _ => None,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// A backend error as a result's kind and message, and back.
pub fn error_kind(e: &BackendError) -> (&'static str, String) {
    let m = |s: &String| s.clone();
    match e {
        BackendError::BadUri(s) => ("bad-uri", m(s)),
        BackendError::Device(s) => ("device", m(s)),
        BackendError::Spool(s) => ("spool", m(s)),
        BackendError::Document(s) => ("document", m(s)),
        BackendError::CanceledByDevice(s) => ("canceled-by-device", m(s)),
        BackendError::Hold(s) => ("hold", m(s)),
        BackendError::AuthRequired(s) => ("auth-required", m(s)),
        BackendError::StopPrinter(s) => ("stop-printer", m(s)),
        BackendError::Retry(s) => ("retry", m(s)),
        BackendError::RetryCurrent(s) => ("retry-current", m(s)),
        BackendError::Canceled => ("canceled", String::new()),
    }
}

pub fn error_of(kind: &str, message: String) -> BackendError {
    match kind {
        "bad-uri" => BackendError::BadUri(message),
        "spool" => BackendError::Spool(message),
        "document" => BackendError::Document(message),
        "canceled-by-device" => BackendError::CanceledByDevice(message),
        "hold" => BackendError::Hold(message),
        "auth-required" => BackendError::AuthRequired(message),
        "stop-printer" => BackendError::StopPrinter(message),
        "retry" => BackendError::Retry(message),
        "retry-current" => BackendError::RetryCurrent(message),
        "canceled" => BackendError::Canceled,
        _ => BackendError::Device(message),
    }
}

fn text(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Text(v.to_string()))
}

/// The job, as the worker's first message.
pub fn encode_job(uri: &str, job: &JobInfo, docs: &[DocumentSource]) -> Message {
    let mut m = Message::new((2, 0), 0, 1);
    let op = m.group_mut(DelimiterTag::Operation);
    op.push(text("device-uri", uri));
    op.push(Attribute::new("job-id", Value::Integer(job.id)));
    op.push(text("job-name", &job.name));
    op.push(text("job-originating-user-name", &job.user));
    op.push(text("printer-name", &job.printer));
    op.push(text("time-at-creation", &job.created.to_string()));
    if let Some(d) = job.resume_device_job {
        op.push(Attribute::new("resume-device-job", Value::Integer(d)));
    }
    op.push(Attribute::new("handoff", Value::Boolean(job.handoff)));
    op.push(Attribute::new("confidential", Value::Boolean(job.confidential)));
    for d in docs {
        op.push(text("document-format", &d.format));
        op.push(text("document-name", &d.name));
    }
    if let Some(w) = &job.launch.worker {
        op.push(text("worker-program", &w.program.to_string_lossy()));
        for a in &w.args {
            op.push(text("worker-arg", a));
        }
    }
    let mut g = Group::new(DelimiterTag::Job);
    g.attributes = job.attributes.clone();
    m.push_group(g);
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = job.capabilities.clone();
    m.push_group(g);
    m
}

/// The device URI, the job, and each document's format and name.
pub type SentJob = (String, JobInfo, Vec<(String, String)>);

/// The job the daemon sent, for a delivery from `work` (the worker's directory), and the
/// device URI and the documents' formats and names.
pub fn decode_job(m: &Message, work: &Path) -> Result<SentJob, String> {
    let op = m.group(DelimiterTag::Operation).ok_or("no operation group")?;
    let one = |n: &str| op.attributes.iter().find(|a| a.name == n);
    let s = |n: &str| one(n).and_then(|a| a.first_str()).unwrap_or("").to_string();
    let all = |n: &str| -> Vec<String> {
        op.attributes
            .iter()
            .filter(|a| a.name == n)
            .filter_map(|a| a.first_str())
            .map(str::to_string)
            .collect()
    };
    let uri = s("device-uri");
    if uri.is_empty() {
        return Err("no device-uri".into());
    }
    let docs: Vec<(String, String)> =
        all("document-format").into_iter().zip(all("document-name")).collect();
    let program = s("worker-program");
    let launch = Launch {
        cups: crate::CupsConfig::from_env(),
        account: None,
        worker: (!program.is_empty())
            .then(|| Worker { program: PathBuf::from(program), args: all("worker-arg") }),
        temp_dir: work.to_path_buf(),
    };
    let group = |tag| m.group(tag).map(|g| g.attributes.clone()).unwrap_or_default();
    let job = JobInfo {
        id: one("job-id").and_then(|a| a.first_i32()).unwrap_or(0),
        name: s("job-name"),
        user: s("job-originating-user-name"),
        attributes: group(DelimiterTag::Job),
        capabilities: group(DelimiterTag::Printer),
        printer: s("printer-name"),
        created: s("time-at-creation").parse().unwrap_or(0),
        work_dir: work.join("work"),
        resume_device_job: one("resume-device-job").and_then(|a| a.first_i32()),
        handoff: one("handoff").and_then(|a| a.first_bool()).unwrap_or(false),
        launch: Arc::new(launch),
        confidential: one("confidential").and_then(|a| a.first_bool()).unwrap_or(false),
    };
    Ok((uri, job, docs))
}

/// The worker's `deliver` mode: reads the job and its documents (into `work`), delivers,
/// reports on `out`. `Ok` once the result line is written.
pub fn worker_main(
    input: &mut (dyn BufRead + Send),
    out: &mut (dyn Write + Send),
    work: &Path,
) -> Result<(), String> {
    let msg = read_message(input).map_err(|e| format!("Unable to read the job: {e}"))?;
    let (uri, job, formats) = decode_job(&msg, work)?;
    let mut docs = Vec::new();
    for (i, (format, name)) in formats.into_iter().enumerate() {
        let path = work.join(format!("doc-{i}"));
        let mut file = new_file(&path)?;
        read_stream(input, &mut file, u64::MAX)
            .map_err(|e| format!("Unable to read document {}: {e}", i + 1))?;
        docs.push(DocumentSource { path, format, name, compression: None });
    }
    let cancel = Cancel::default();
    let watcher = cancel.clone();
    // After the documents: `cancel` cancels (the device's job too). The end of stdin is the
    // daemon gone (killed, say): the worker ends at once and leaves the device's job alone,
    // as a backend inside the daemon would have, so that the daemon, started again, follows
    // that job instead of finding it canceled. (The daemon closes stdin only after the result.)
    let mut rest: Box<dyn BufRead + Send> = Box::new(io::BufReader::new(ReadAll(input)));
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut line = String::new();
            loop {
                line.clear();
                match rest.read_line(&mut line) {
                    Ok(0) | Err(_) => std::process::exit(0),
                    Ok(_) if line.trim() == "cancel" => break,
                    Ok(_) => {}
                }
            }
            watcher.cancel();
        });
        let mut report = Lines(out);
        let result = crate::deliver_here(&uri, &job, &docs, &cancel, &mut report);
        let line = Report::Result(result.err().map(|e| {
            let (k, m) = error_kind(&e);
            (k.to_string(), m)
        }))
        .line();
        if job.confidential {
            for d in &docs {
                let _ = quire_vault::shred(&d.path);
            }
        }
        writeln!(report.0, "{line}").and_then(|_| report.0.flush()).map_err(|e| e.to_string())?;
        // The watcher ends when the daemon closes stdin (it does once it has the result).
        Ok(())
    })
}

/// Reads whatever `BufRead` it wraps (a `&mut dyn BufRead` as an owned reader for a thread).
struct ReadAll<'a>(&'a mut (dyn BufRead + Send));

impl io::Read for ReadAll<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

fn new_file(path: &Path) -> Result<std::fs::File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Progress as report lines.
struct Lines<'a>(&'a mut (dyn Write + Send));

impl Lines<'_> {
    fn send(&mut self, r: Report) {
        let _ = writeln!(self.0, "{}", r.line()).and_then(|_| self.0.flush());
    }
}

impl Progress for Lines<'_> {
    fn pages(&mut self, completed: i32) {
        self.send(Report::Pages(completed));
    }
    fn printer_state(&mut self, reasons: Vec<String>, message: String) {
        self.send(Report::State(reasons, message));
    }
    fn printer_attribute(&mut self, attr: Attribute) {
        self.send(Report::Attribute(attr));
    }
    fn submitted(&mut self, device_job: i32) {
        self.send(Report::Submitted(device_job));
    }
}

/// Writes the job and its documents to the worker's stdin (`write_stream` each).
pub fn write_job(
    stdin: &mut dyn Write,
    uri: &str,
    job: &JobInfo,
    docs: &[DocumentSource],
) -> Result<(), BackendError> {
    let broken = |e: io::Error| BackendError::Device(format!("The backend went away: {e}"));
    stdin.write_all(&encode_job(uri, job, docs).encode()).map_err(broken)?;
    for doc in docs {
        let mut input = crate::open_document(doc)?;
        write_stream(&mut *input, stdin)
            .map_err(|e| BackendError::Spool(format!("{}: {e}", doc.path.display())))?;
    }
    stdin.flush().map_err(broken)
}

/// The longest line of a report, for the daemon's reader.
pub fn max_report() -> usize {
    MAX_REPORT
}

#[cfg(test)]
#[path = "delivery_tests.rs"]
mod tests;
