//! The "sizes" measurement: one Print-Job whose document is a big "PDF" streamed over a raw
//! HTTP/1.1 POST (generated on the fly, 1 MiB at a time: the client never holds the document),
//! against `dd conv=fdatasync` of the same size to the same disk. The server's VmRSS is
//! sampled while it spools.

use std::fs;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use quire_tests::process::rss_kib;

use crate::client;
use crate::upload::{self, Document, MIB};

/// How long the upload (or dd) may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(900);

/// `dd if=/dev/zero of=FILE bs=1M count=MIB conv=fdatasync`, timed from spawn to exit (dd's own
/// figure is in `note`); the file is deleted afterwards.
pub struct DdResult {
    pub elapsed: Duration,
    pub bytes: u64,
    pub note: String,
}

pub fn dd(file: &Path, mib: u64) -> io::Result<DdResult> {
    let _ = fs::remove_file(file);
    let t0 = Instant::now();
    let out = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", file.display()))
        .arg("bs=1M")
        .arg(format!("count={mib}"))
        .arg("conv=fdatasync")
        .stdin(Stdio::null())
        .output();
    let elapsed = t0.elapsed();
    let _ = fs::remove_file(file);
    let out = out?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(io::Error::other(format!("dd failed: {}", stderr.trim())));
    }
    let note = stderr.lines().last().unwrap_or("").trim().to_string();
    Ok(DdResult { elapsed, bytes: mib * MIB as u64, note })
}

/// The Print-Job request (operation attributes only; the document follows it in the body):
/// application/pdf, held with job-hold-until=indefinite so nothing prints.
pub fn print_job_held_header(printer_uri: &str, user: &str) -> Vec<u8> {
    client::print_job_header(
        printer_uri,
        user,
        "bench-big",
        "application/pdf",
        vec![client::held()],
    )
}

/// One MiB of PDF comment lines; the first chunk of the document starts with a PDF header.
fn filler(first: bool) -> Vec<u8> {
    let line =
        b"% quire-bench-print filler: a big document spooled, never printed ...............\n";
    let mut chunk: Vec<u8> = line.iter().copied().cycle().take(MIB).collect();
    if first {
        let head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
        chunk[..head.len()].copy_from_slice(head);
    }
    chunk
}

pub struct UploadResult {
    /// Document bytes written to the socket (all of them unless the server cut us off).
    pub sent: u64,
    /// From the first byte sent to the whole HTTP response read.
    pub elapsed: Duration,
    pub http_status: u16,
    /// The IPP status-code of the response.
    pub ipp_status: Option<u16>,
    /// The job-id in the response, if any.
    pub job_id: Option<i32>,
    /// VmRSS / VmHWM of the server (KiB) just before the upload, and after the response.
    pub before: Option<(u64, u64)>,
    pub after: Option<(u64, u64)>,
    /// The highest VmRSS sampled (every 20 ms) while spooling.
    pub rss_peak: Option<u64>,
}

/// POSTs the Print-Job with a `mib`-MiB document to `path` on 127.0.0.1:`port` with
/// Content-Length, sampling the server's (`pid`) memory meanwhile.
pub fn upload(
    port: u16,
    path: &str,
    header: &[u8],
    mib: u64,
    pid: Option<u32>,
) -> io::Result<UploadResult> {
    let (first, rest) = (filler(true), filler(false));
    let pieces = (0..mib).map(|i| if i == 0 { first.as_slice() } else { rest.as_slice() });
    let doc = Document { pieces, len: mib * MIB as u64, chunked: false };
    let before = pid.and_then(rss_kib);
    let done = AtomicBool::new(false);
    let (up, peak) = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut peak = None::<u64>;
            while !done.load(Ordering::SeqCst) {
                if let Some((rss, _)) = pid.and_then(rss_kib) {
                    peak = Some(peak.map_or(rss, |p| p.max(rss)));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        });
        let up = upload::upload(port, path, header, doc, TIMEOUT);
        done.store(true, Ordering::SeqCst);
        (up, sampler.join().ok().flatten())
    });
    let up = up?;
    let after = pid.and_then(rss_kib);
    Ok(UploadResult {
        sent: up.sent,
        elapsed: up.elapsed,
        http_status: up.http_status,
        ipp_status: up.ipp_status,
        job_id: up.job_id,
        before,
        after,
        rss_peak: peak,
    })
}

/// A reference spooler: the least a server can do with the same upload. One thread accepts one
/// connection on a loopback port, reads the request with a 256 KiB buffer, writes the body to
/// `file` (fdatasync'ed at the end, then deleted) and answers a minimal IPP successful-ok.
/// Returns what [`upload()`] measured against it: the ceiling of this machine's loopback TCP
/// plus disk for a durable spool.
pub fn reference_spooler(file: &Path, header: &[u8], mib: u64) -> io::Result<UploadResult> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let _ = fs::remove_file(file);
    let res = std::thread::scope(|s| {
        let server = s.spawn(|| -> io::Result<()> {
            let (mut conn, _) = listener.accept()?;
            conn.set_read_timeout(Some(TIMEOUT))?;
            let mut out = fs::File::create(file)?;
            let mut buf = vec![0u8; 256 * 1024];
            let mut head = Vec::new();
            let (mut body_left, mut skip_ipp) = loop {
                let n = conn.read(&mut buf)?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                head.extend_from_slice(&buf[..n]);
                if let Some(end) = find(&head, b"\r\n\r\n") {
                    let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
                    let len: u64 = text
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    let body = &head[end + 4..];
                    let ipp = body.len().min(header.len());
                    out.write_all(&body[ipp..])?;
                    break (len - body.len() as u64, header.len() - ipp);
                }
            };
            while body_left > 0 {
                let want = (body_left as usize).min(buf.len());
                let n = conn.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                body_left -= n as u64;
                let skip = skip_ipp.min(n);
                skip_ipp -= skip;
                out.write_all(&buf[skip..n])?;
            }
            out.sync_data()?;
            let ipp_ok = [2u8, 0, 0, 0, 0, 0, 0, 1, 3];
            let mut resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
                ipp_ok.len()
            )
            .into_bytes();
            resp.extend_from_slice(&ipp_ok);
            conn.write_all(&resp)
        });
        let res = upload(port, "/printers/reference", header, mib, None);
        match server.join() {
            Ok(Ok(())) => res,
            Ok(Err(e)) => Err(io::Error::other(format!("reference spooler: {e}"))),
            Err(_) => Err(io::Error::other("reference spooler panicked")),
        }
    });
    let _ = fs::remove_file(file);
    res
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
