//! One measured job: a held Print-Job of the document, plain or confidential, timed and
//! checked (held; its spool file of the right size, sealed or in the clear), then purged
//! while another connection sends Get-Jobs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, JobState, Operation, Value};
use quire_tests::Server;

use super::Args;
use crate::client::{self, Conn};
use crate::server::{self, queue_path, queue_uri, QUEUE};
use crate::upload::{self, Document, MIB};

/// How long one upload may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(600);

/// `len` bytes of pseudo-random data (xorshift64*, fixed seed): incompressible, and its first
/// byte is 0, so no format sniffer takes it for a PDF, PostScript, an image or text.
pub fn payload(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    if let Some(b) = out.first_mut() {
        *b = 0;
    }
    out
}

/// How the job is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `job-hold-until=indefinite`: an ordinary held job, spooled in the clear.
    Plain,
    /// `quire-confidential=true` (job template attribute): held automatically, and its document
    /// encrypted as it spools.
    Confidential,
}

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Plain => "plain",
            Variant::Confidential => "confidential",
        }
    }
}

/// The Print-Job request (attributes only; the document follows it in the body),
/// `document-format=application/octet-stream`.
fn print_job_header(printer_uri: &str, job_name: &str, variant: Variant) -> Vec<u8> {
    let mark = match variant {
        Variant::Plain => client::held(),
        Variant::Confidential => Attribute::new("quire-confidential", Value::Boolean(true)),
    };
    client::print_job_header(
        printer_uri,
        client::USER,
        job_name,
        "application/octet-stream",
        vec![mark],
    )
}

/// One measured job.
#[derive(Debug, Clone)]
pub struct Sample {
    /// First byte sent to the whole IPP answer.
    pub secs: f64,
    /// The server process's user + system CPU over the upload (10 ms resolution).
    pub cpu: Option<f64>,
    /// Size of the spool file the job left.
    pub on_disk: u64,
    /// `cancel -x -a Q` until the spool file is gone.
    pub purge_secs: f64,
    /// The slowest Get-Jobs answered (or still waiting) on another connection during the purge.
    pub purge_probe_ms: Option<f64>,
}

/// The size quire-vault gives `plain` bytes once sealed (quire_vault::encrypted_len: a 12-byte
/// header, then 64 KiB segments each with a 16-byte tag, at least one segment).
pub fn sealed_len(plain: u64) -> u64 {
    12 + plain + plain.div_ceil(64 * 1024).max(1) * 16
}

/// The spool file of `job_id`'s first document under `dir`, with its size and first bytes.
fn spool_file(dir: &Path, job_id: i32) -> Option<(PathBuf, u64, Vec<u8>)> {
    let path = dir.join(format!("d{job_id:05}-001"));
    let size = fs::metadata(&path).ok()?.len();
    let mut head = vec![0u8; 16];
    let n = fs::File::open(&path).and_then(|mut f| io::Read::read(&mut f, &mut head)).unwrap_or(0);
    head.truncate(n);
    Some((path, size, head))
}

/// Get-Job-Attributes: job-state, job-state-reasons and job-release-action.
fn job_facts(
    port: u16,
    printer_uri: &str,
    job_id: i32,
) -> io::Result<(i32, Vec<String>, Option<String>)> {
    let mut msg = client::request_as(Operation::GetJobAttributes, printer_uri, client::USER);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(job_id)));
    g.push(client::requested(&["job-state", "job-state-reasons", "job-release-action"]));
    let resp = Conn::connect(port, Duration::from_secs(30))?.call(&queue_path(), &msg.encode())?;
    if !client::is_ok(resp.code) {
        return Err(client::other(format!(
            "Get-Job-Attributes of job {job_id}: status 0x{:04x}",
            resp.code
        )));
    }
    let attr = |name: &str| resp.attr(DelimiterTag::Job, name);
    let state = attr("job-state").and_then(|a| a.first_i32()).unwrap_or(0);
    let reasons = attr("job-state-reasons")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    let release = attr("job-release-action").and_then(|a| a.first_str()).map(str::to_string);
    Ok((state, reasons, release))
}

pub fn sync() {
    let _ = Command::new("sync").status();
}

/// One Print-Job of `doc`, checked, then purged.
pub fn one_job(
    srv: &Server,
    spool: &Path,
    args: &Args,
    doc: &[u8],
    v: Variant,
    name: &str,
) -> io::Result<Sample> {
    let (port, uri) = (srv.port(), queue_uri(srv));
    // Start clean: nothing of the previous job (or of cupsd's unsynced writes) still in flight.
    sync();
    std::thread::sleep(Duration::from_millis(200));
    let header = print_job_header(&uri, name, v);
    let cpu0 = srv.cpu_time(false);
    let pieces = Document { pieces: doc.chunks(MIB), len: doc.len() as u64, chunked: args.chunked };
    let up = upload::upload(port, &queue_path(), &header, pieces, TIMEOUT)?;
    let cpu1 = srv.cpu_time(false);
    let accepted = up.http_status == 200 && up.ipp_status.is_some_and(client::is_ok);
    let Some(job_id) = up.job_id.filter(|_| accepted) else {
        return Err(client::other(format!(
            "{} Print-Job {name} refused: HTTP {}, IPP status {}, \"{}\"",
            v.name(),
            up.http_status,
            up.ipp_status.map(|s| format!("0x{s:04x}")).unwrap_or_else(|| "-".into()),
            up.message
        )));
    };
    let (file, on_disk) = check_spooled(srv, spool, doc, v, name, job_id)?;
    let (purge, probe) = purge_timed(srv, &file, job_id)?;
    Ok(Sample {
        secs: up.elapsed.as_secs_f64(),
        cpu: cpu0.zip(cpu1).map(|(a, b)| b.saturating_sub(a).as_secs_f64()),
        on_disk,
        purge_secs: purge.as_secs_f64(),
        purge_probe_ms: probe,
    })
}

/// The job is held, and its document is on disk, sealed or in the clear as it should be: the
/// spool file and its size.
fn check_spooled(
    srv: &Server,
    spool: &Path,
    doc: &[u8],
    v: Variant,
    name: &str,
    job_id: i32,
) -> io::Result<(PathBuf, u64)> {
    let (state, reasons, release) = job_facts(srv.port(), &queue_uri(srv), job_id)?;
    let rebuild = " (does this quired support confidential jobs? rebuild it)";
    if state != JobState::Held as i32 {
        let hint = if v == Variant::Confidential { rebuild } else { "" };
        return Err(client::other(format!(
            "job {job_id} ({name}) is in job-state {state} {reasons:?}, not held (4){hint}"
        )));
    }
    let want_release = (v == Variant::Confidential).then_some("owner-authorized");
    if release.as_deref() != want_release {
        return Err(client::other(format!(
            "job {job_id} ({name}): job-release-action {release:?}, expected {want_release:?}{rebuild}"
        )));
    }
    let Some((file, on_disk, head)) = spool_file(spool, job_id) else {
        return Err(client::other(format!(
            "job {job_id} ({name}) answered but no spool file {}/d{job_id:05}-001",
            spool.display()
        )));
    };
    let size = doc.len() as u64;
    let problem = match v {
        Variant::Plain if on_disk != size || !doc.starts_with(&head) => {
            Some(format!("{on_disk} bytes, expected {size} in the clear"))
        }
        Variant::Confidential if on_disk != sealed_len(size) || !head.starts_with(b"QVLT") => {
            Some(format!(
                "{on_disk} bytes starting {:02x?}, expected {} sealed (QVLT...)",
                &head[..head.len().min(4)],
                sealed_len(size)
            ))
        }
        _ => None,
    };
    if let Some(p) = problem {
        return Err(client::other(format!(
            "{} job {job_id} ({name}): spool file {}: {p}",
            srv.kind(),
            file.display()
        )));
    }
    Ok((file, on_disk))
}

/// Purges the queue (quired shreds a sealed file first), timing until `file` is gone, while
/// another connection sends Get-Jobs back to back: the purge and the slowest Get-Jobs.
fn purge_timed(srv: &Server, file: &Path, job_id: i32) -> io::Result<(Duration, Option<f64>)> {
    let (port, uri) = (srv.port(), queue_uri(srv));
    let stop = AtomicBool::new(false);
    let (purge, probe) = std::thread::scope(|s| {
        let prober = s.spawn(|| -> Option<f64> {
            let body = client::get_jobs(&uri);
            let mut conn = Conn::connect(port, Duration::from_secs(120)).ok()?;
            let mut worst = 0f64;
            while !stop.load(Ordering::SeqCst) {
                let t = Instant::now();
                conn.call_status(&queue_path(), &body).ok()?;
                worst = worst.max(t.elapsed().as_secs_f64() * 1000.0);
            }
            Some(worst)
        });
        std::thread::sleep(Duration::from_millis(50));
        let t0 = Instant::now();
        let out = server::tool(srv, 300, "cancel", &["-x", "-a", QUEUE]);
        let gone = loop {
            if !file.exists() {
                break true;
            }
            if t0.elapsed() > Duration::from_secs(300) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let purge = t0.elapsed();
        stop.store(true, Ordering::SeqCst);
        (out.map(|o| (o, gone, purge)), prober.join().ok().flatten())
    });
    let (out, gone, purge) = purge?;
    if out.rc != 0 {
        return Err(client::other(format!(
            "cancel -x -a {QUEUE} after job {job_id}: {}",
            out.text()
        )));
    }
    if !gone {
        return Err(client::other(format!("{} still there 300 s after cancel -x", file.display())));
    }
    Ok((purge, probe))
}
