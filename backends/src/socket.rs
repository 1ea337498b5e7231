//! `socket://host[:port][?options]` devices: AppSocket / HP JetDirect (port 9100), like
//! CUPS's socket backend.
//!
//! The documents are sent **raw**: exactly as submitted (only the transfer compression is
//! undone), one after the other on one connection, with no filter chain. AppSocket printers
//! take PDF, PostScript or PCL directly, and this is what CUPS does for a raw queue; a device
//! that needs conversions is better reached through `ipp:`. Nothing on the connection says
//! how many pages printed, so no page count is reported.
//!
//! Options (as CUPS): `waiteof=BOOL` (default on: after sending, close our side and wait for
//! the printer to close its, discarding back-channel data, so the job completes when the
//! printer has taken it all), `contimeout=SECONDS` (how long to keep trying to connect,
//! default a week). `snmp=` and unknown options are accepted and ignored.

use crate::connect::{self, NetUri, ReadOutcome};
use crate::{open_document, BackendError, Cancel, DocumentSource, JobInfo, Progress};
use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// AppSocket's port.
pub const DEFAULT_PORT: u16 = 9100;
/// With `waiteof`, how long the printer may stay silent before we stop waiting for it to
/// close (CUPS's 90 s), so a dead printer does not hold the job.
const WAITEOF_IDLE: Duration = Duration::from_secs(90);
/// Copy buffer; Cancel is checked between chunks.
const CHUNK: usize = 64 * 1024;
/// More copies than any sane job asks for; bounds a bogus `copies` value.
const MAX_COPIES: i32 = 9999;

/// The settings a socket URI carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SocketUri {
    pub host: String,
    pub port: u16,
    pub waiteof: bool,
    pub contimeout: Duration,
}

/// Parses a `socket:` device URI (pure; never panics).
pub(crate) fn parse_uri(uri: &str) -> Result<SocketUri, BackendError> {
    let NetUri { host, port, options, .. } = connect::parse_net_uri(uri, "socket", DEFAULT_PORT)?;
    let mut out = SocketUri { host, port, waiteof: true, contimeout: connect::DEFAULT_CONTIMEOUT };
    for (name, value) in &options {
        match name.as_str() {
            "waiteof" => out.waiteof = connect::option_bool(value),
            "contimeout" => out.contimeout = connect::option_secs(value).unwrap_or(out.contimeout),
            _ => {}
        }
    }
    Ok(out)
}

/// The job's `copies` (1 when absent or nonsense). A raw device knows nothing of IPP
/// attributes, so copies are made by sending the data again, as CUPS does for raw queues.
pub(crate) fn copies(job: &JobInfo) -> u32 {
    let n =
        job.attributes.iter().find(|a| a.name == "copies").and_then(|a| a.first_i32()).unwrap_or(1);
    n.clamp(1, MAX_COPIES).unsigned_abs()
}

/// The order documents are sent in for `copies` copies of `docs` documents: collated
/// (1 2 1 2) unless the job asks for `separate-documents-uncollated-copies` (1 1 2 2).
pub(crate) fn send_order(job: &JobInfo, docs: usize, copies: u32) -> Vec<usize> {
    let uncollated = job
        .attributes
        .iter()
        .find(|a| a.name == "multiple-document-handling")
        .and_then(|a| a.first_str())
        .is_some_and(|v| v == "separate-documents-uncollated-copies");
    let copies = copies as usize;
    if uncollated {
        (0..docs).flat_map(|d| std::iter::repeat_n(d, copies)).collect()
    } else {
        (0..copies).flat_map(|_| 0..docs).collect()
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
    // A missing spool file fails now, before the printer is taken.
    for doc in docs {
        open_document(doc)?;
    }
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
    let mut buf = vec![0u8; CHUNK];
    for i in send_order(job, docs.len(), copies(job)) {
        if let Some(doc) = docs.get(i) {
            send_document(&mut stream, doc, &mut buf, cancel)?;
        }
    }
    if dev.waiteof {
        wait_for_eof(&mut stream, cancel)?;
    }
    Ok(())
}

/// Streams one document (decompressed) to the printer.
fn send_document(
    stream: &mut TcpStream,
    doc: &DocumentSource,
    buf: &mut [u8],
    cancel: &Cancel,
) -> Result<(), BackendError> {
    let mut input = open_document(doc)?;
    loop {
        if cancel.is_canceled() {
            return Err(BackendError::Canceled);
        }
        let n = input
            .read(buf)
            .map_err(|e| BackendError::Spool(format!("{}: {e}", doc.path.display())))?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            return Ok(());
        };
        connect::write_all(stream, chunk, cancel, None, "print data to the printer")?;
    }
}

/// Closes our side and waits for the printer to close its, discarding what it sends back.
/// Everything was sent, so a printer that resets or goes silent does not fail the job.
fn wait_for_eof(stream: &mut TcpStream, cancel: &Cancel) -> Result<(), BackendError> {
    let _ = stream.shutdown(Shutdown::Write);
    let mut buf = [0u8; 1024];
    loop {
        match connect::read_some(stream, &mut buf, cancel, WAITEOF_IDLE, "back-channel data") {
            Ok(ReadOutcome::Data(_)) => {}
            Ok(ReadOutcome::Eof | ReadOutcome::Idle) | Err(BackendError::Device(_)) => {
                return Ok(())
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;
