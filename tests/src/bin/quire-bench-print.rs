//! quire-bench-print: printing end to end and big documents, cupsd vs quired in one run.
//!
//! For each server in turn (cupsd first, then quired; never both at once): a fresh quire-sim
//! printer at its instant default speed (60000 ppm), the server with the same config as
//! quire-bench, and an IPP Everywhere queue made like an admin would
//! (`lpadmin -p Q -E -v <sim> -m everywhere`). Then:
//!
//! 1. N Print-Jobs of a small 1-page PDF, sequentially on one keep-alive connection, not held;
//!    timed from the first submission until the simulator's status shows N jobs completed (the
//!    truth at the printer). The page log must show N impressions, one per submitted job.
//! 2. `dd bs=1M conv=fdatasync` of the big size into the bench directory (same disk), then one
//!    held Print-Job whose document is a big "PDF" streamed over a raw HTTP/1.1 POST; timed from
//!    the first byte sent to the IPP answer, with the server's VmRSS sampled meanwhile.
//!
//! This is a benchmark, not a test: nothing asserts on timing. See docs/BENCHMARKS.md.
//!
//! Usage: quire-bench-print [--jobs N] [--big-mib N] [--skip-big] [--only cupsd|quired]
//!                          [--quired PATH] [--cupsd PATH] [--timeout SECS] [--out FILE] [--keep]

#[path = "bench_print/big.rs"]
mod big;
// client.rs predates clippy's io_other_error lint (quire-bench has the same warning).
#[allow(dead_code, clippy::io_other_error)]
#[path = "bench/client.rs"]
mod client;
#[path = "bench/common.rs"]
mod common;
#[path = "bench_print/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "bench/server.rs"]
mod server;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use quire_tests::simulated_printer::{Sim, SimOptions};
use quire_tests::ServerKind;

use crate::big::MIB;
use crate::client::Conn;
use crate::common::target_dir;
use crate::report::Results;
use crate::server::{BenchServer, ConfigOpts, QUEUE};

const USAGE: &str = "usage: quire-bench-print [--jobs N] [--big-mib N] [--skip-big] [--only cupsd|quired]
                         [--quired PATH] [--cupsd PATH] [--timeout SECS] [--out FILE] [--keep]

  --jobs N          small PDFs printed end to end per server (default 200)
  --big-mib N       size of the big PDF and of the dd baseline, in MiB (default 1024)
  --skip-big        skip the big-document measurement (and dd)
  --only KIND       run one server only (its column is still written; ratios need both)
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --timeout SECS    longest wait for the N jobs to complete at the printer (default 600)
  --out FILE        TSV results (default <target>/bench/print-results.tsv)
  --keep            keep the servers' directories (config, spool, logs) under <target>/bench/
                    (the big document is still deleted)";

#[derive(Debug, Clone)]
struct Args {
    jobs: usize,
    big_mib: u64,
    skip_big: bool,
    only: Option<ServerKind>,
    quired: Option<PathBuf>,
    cupsd: PathBuf,
    timeout: Duration,
    out: Option<PathBuf>,
    keep: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        jobs: 200,
        big_mib: 1024,
        skip_big: false,
        only: None,
        quired: None,
        cupsd: PathBuf::from("/usr/sbin/cupsd"),
        timeout: Duration::from_secs(600),
        out: None,
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--jobs" => a.jobs = value("--jobs")?.parse().map_err(|e| format!("--jobs: {e}"))?,
            "--big-mib" => a.big_mib = value("--big-mib")?.parse().map_err(|e| format!("--big-mib: {e}"))?,
            "--skip-big" => a.skip_big = true,
            "--only" => {
                a.only = Some(match value("--only")?.as_str() {
                    "cupsd" => ServerKind::Cupsd,
                    "quired" => ServerKind::Quired,
                    other => return Err(format!("--only: unknown server {other:?}")),
                })
            }
            "--quired" => a.quired = Some(PathBuf::from(value("--quired")?)),
            "--cupsd" => a.cupsd = PathBuf::from(value("--cupsd")?),
            "--timeout" => {
                let secs: u64 = value("--timeout")?.parse().map_err(|e| format!("--timeout: {e}"))?;
                a.timeout = Duration::from_secs(secs.max(1));
            }
            "--out" => a.out = Some(PathBuf::from(value("--out")?)),
            "--keep" => a.keep = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if a.jobs == 0 || a.big_mib == 0 {
        return Err("--jobs and --big-mib must be at least 1".into());
    }
    Ok(a)
}

/// dd runs before each server's big document; the median counts.
const DD_RUNS: usize = 3;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// utime + stime + cutime + cstime of `pid` (the process, its threads, and the children it
/// has reaped: for cupsd its filters and backends), from /proc/PID/stat (USER_HZ = 100).
fn cpu_with_children(pid: Option<u32>) -> Option<Duration> {
    let stat = fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = (11..15).map(|i| f.get(i).and_then(|v| v.parse::<u64>().ok())).sum::<Option<u64>>()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Print-Job of `document` (a PDF) named `name`, not held.
fn print_job(printer_uri: &str, name: &str, document: &[u8]) -> Vec<u8> {
    client::print_job(printer_uri, name, Vec::new(), document)
}

// ---------------------------------------------------------------------------------------------
// One server

fn bench_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args, pdf: &[u8]) -> Results {
    let mut r = Results::default();
    let _ = fs::remove_dir_all(root);
    let sim = match SimOptions::new().name(&format!("bench-{kind}")).start() {
        Ok(s) => s,
        Err(e) => {
            r.note(kind, format!("could not start quire-sim: {e}"));
            return r;
        }
    };
    eprintln!("== {kind}: starting {} (dir {}); printer {}", binary.display(), root.display(), sim.uri());
    let mut srv = match BenchServer::start(kind, binary, root, ConfigOpts { cupsd_durable: false }) {
        Ok(s) => s,
        Err(e) => {
            r.note(kind, format!("could not start: {e}"));
            return r;
        }
    };
    if let Err(e) = steps(&srv, &sim, &mut r, args, pdf, root) {
        r.note(kind, format!("run stopped: {e}"));
        r.note(kind, format!("log tail:\n{}", srv.log_tail(20)));
    }
    if srv.is_alive() {
        if let Err(e) = srv.stop(Duration::from_secs(120)) {
            r.note(kind, format!("final stop: {e}"));
        }
    }
    r
}

fn steps(srv: &BenchServer, sim: &Sim, r: &mut Results, args: &Args, pdf: &[u8], root: &Path) -> io::Result<()> {
    let kind = srv.kind();
    let t0 = Instant::now();
    let out = srv.cups_tool(120, "lpadmin", &["-p", QUEUE, "-E", "-v", &sim.uri(), "-m", "everywhere"])?;
    if out.rc != 0 {
        return Err(client::other(format!("lpadmin -p {QUEUE} -m everywhere failed: {}", out.text())));
    }
    eprintln!("  [{kind}] lpadmin -m everywhere took {:.0} ms", ms(t0.elapsed()));
    end_to_end(srv, sim, r, args, pdf)?;
    if !args.skip_big {
        big_document(srv, r, args, root)?;
    }
    Ok(())
}

/// Measurement 1: N small PDFs printed, from the first submission to the printer's last
/// completed job.
fn end_to_end(srv: &BenchServer, sim: &Sim, r: &mut Results, args: &Args, pdf: &[u8]) -> io::Result<()> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), srv.printer_path(), srv.printer_uri());
    let n = args.jobs;
    let names: Vec<String> = (1..=n).map(|i| format!("pb-{i}")).collect();
    let bodies: Vec<Vec<u8>> = names.iter().map(|name| print_job(&uri, name, pdf)).collect();
    eprintln!("  [{kind}] submitting {n} Print-Jobs ({} bytes of PDF each), 1 connection", pdf.len());

    let cpu0 = cpu_with_children(srv.pid());
    let t0_ms = unix_ms();
    let t0 = Instant::now();
    let (mut ok, mut errors, mut first_error) = (0usize, 0usize, None::<String>);
    let mut conn = Conn::connect(port, Duration::from_secs(120))?;
    for body in &bodies {
        match conn.call_status(&path, body) {
            Ok(s) if client::is_ok(s) => ok += 1,
            Ok(s) => {
                errors += 1;
                first_error.get_or_insert(format!("IPP status 0x{s:04x}"));
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(e.to_string());
                conn = Conn::connect(port, Duration::from_secs(120))?;
            }
        }
    }
    let submitted = t0.elapsed();
    drop(conn);
    eprintln!(
        "  [{kind}] {ok} accepted, {errors} refused in {:.2} s ({:.1} jobs/s); waiting for the printer",
        submitted.as_secs_f64(),
        ok as f64 / submitted.as_secs_f64()
    );
    r.set("submit_s", submitted.as_secs_f64());
    r.set("submit_rate", ok as f64 / submitted.as_secs_f64());
    if errors > 0 {
        r.note(kind, format!("{errors} of {n} Print-Jobs failed (first: {})", first_error.unwrap_or_default()));
    }

    // Wait until the printer has completed as many jobs as were accepted.
    let (mut last_progress, mut last_server_check) = (Instant::now(), Instant::now());
    let mut idle_since: Option<Instant> = None;
    let (done_at, status) = loop {
        let st = sim.status()?;
        let completed = st.jobs.iter().filter(|j| j.state == "completed").count();
        if completed >= ok {
            break (Some(t0.elapsed()), st);
        }
        if t0.elapsed() >= args.timeout {
            r.note(kind, format!("only {completed} of {ok} jobs completed at the printer after {:?}", args.timeout));
            break (None, st);
        }
        // Stop early when the server has nothing left to do and the printer is idle too.
        if last_server_check.elapsed() >= Duration::from_secs(1) {
            last_server_check = Instant::now();
            let left = count_not_completed(port, &path, &uri).unwrap_or(usize::MAX);
            if left == 0 && st.jobs.iter().all(|j| j.is_terminal()) {
                let since = *idle_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= Duration::from_secs(3) {
                    r.note(kind, format!("the server finished every job but the printer completed only {completed} of {ok}"));
                    break (None, st);
                }
            } else {
                idle_since = None;
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(15) {
            last_progress = Instant::now();
            eprintln!("  [{kind}]   ... {completed}/{ok} completed at the printer after {:.0} s", t0.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let cpu1 = cpu_with_children(srv.pid());

    let completed = status.jobs.iter().filter(|j| j.state == "completed").count();
    r.set("sim_jobs", completed as f64);
    if status.jobs.len() != n || completed != n {
        let states = status.jobs.iter().fold(HashMap::<&str, usize>::new(), |mut m, j| {
            *m.entry(j.state.as_str()).or_default() += 1;
            m
        });
        r.note(kind, format!("the printer got {} jobs for {n} submitted ({states:?})", status.jobs.len()));
    }
    let elapsed = done_at.unwrap_or_else(|| t0.elapsed());
    r.set("e2e_s", elapsed.as_secs_f64());
    r.set("e2e_rate", completed as f64 / elapsed.as_secs_f64());
    if let (Some(a), Some(b)) = (cpu0, cpu1) {
        if completed > 0 {
            r.set("e2e_cpu", ms(b.saturating_sub(a)) / completed as f64);
        }
    }

    // The page log: one impression per submitted job, each exactly once.
    let log = sim.page_log()?;
    r.set("sim_pages", log.len() as f64);
    if status.printed as usize != log.len() {
        r.note(kind, format!("printer status says {} impressions, its page log has {}", status.printed, log.len()));
    }
    if let Some(first) = log.iter().map(|p| p.ms).min() {
        r.set("first_page", first.saturating_sub(t0_ms) as f64);
    }
    let last = log.iter().map(|p| p.ms).max().map(|m| m.saturating_sub(t0_ms));
    // The printer prints a page in 1 ms: the spacing of the pages is the server's cycle per job.
    let first_ms = log.iter().map(|p| p.ms).min();
    if let (Some(a), Some(b)) = (first_ms, log.iter().map(|p| p.ms).max()) {
        if log.len() > 1 {
            r.set("cycle", (b - a) as f64 / (log.len() - 1) as f64);
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for p in &log {
        *seen.entry(p.job_name.as_str()).or_default() += 1;
    }
    let once = names.iter().filter(|name| seen.get(name.as_str()) == Some(&1)).count();
    if log.len() != n || once != n {
        r.note(
            kind,
            format!(
                "page log: {} impressions for {n} one-page jobs; {once} of the {n} job names printed exactly once",
                log.len()
            ),
        );
    }
    eprintln!(
        "  [{kind}] {completed}/{n} jobs completed at the printer in {:.2} s = {:.2} jobs/s \
         (last page at {:.2} s, {} impressions, {once} names once); CPU/job {:.1} ms",
        elapsed.as_secs_f64(),
        completed as f64 / elapsed.as_secs_f64(),
        last.unwrap_or(0) as f64 / 1000.0,
        log.len(),
        r.values.get("e2e_cpu").copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Not-completed jobs on the queue, with one Get-Jobs.
fn count_not_completed(port: u16, path: &str, uri: &str) -> io::Result<usize> {
    let resp = Conn::connect(port, Duration::from_secs(30))?.call(path, &client::get_jobs(uri))?;
    if !client::is_ok(resp.code) {
        return Err(client::other(format!("Get-Jobs: status 0x{:04x}", resp.code)));
    }
    Ok(client::job_count(&resp))
}

fn sync() {
    let _ = Command::new("sync").status();
}

/// The size of the largest file under `dir` (recursively).
fn largest_file(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => largest_file(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Measurement 2: dd, then one held Print-Job of a `--big-mib` PDF.
fn big_document(srv: &BenchServer, r: &mut Results, args: &Args, root: &Path) -> io::Result<()> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), srv.printer_path(), srv.printer_uri());
    let size = args.big_mib * MIB;
    let bench_dir = root.parent().unwrap_or(root);
    // dd's rate on a VM disk varies a lot from one run to the next: the median of three.
    let mut rates = Vec::new();
    for _ in 0..DD_RUNS {
        sync();
        match big::dd(&bench_dir.join(format!("dd-{kind}.bin")), args.big_mib) {
            Ok(dd) => {
                let rate = dd.bytes as f64 / 1e6 / dd.elapsed.as_secs_f64();
                eprintln!("  [{kind}] dd of {} MiB: {:.2} s = {rate:.0} MB/s (dd: {})", args.big_mib, dd.elapsed.as_secs_f64(), dd.note);
                rates.push(rate);
            }
            Err(e) => {
                r.note(kind, format!("dd baseline failed: {e}"));
                break;
            }
        }
    }
    rates.sort_by(f64::total_cmp);
    if let Some(median) = rates.get(rates.len() / 2) {
        r.set("dd_rate", *median);
    }
    let header = big::print_job_held_header(&uri, client::USER);
    sync();
    match big::reference_spooler(&bench_dir.join(format!("ref-{kind}.bin")), &header, args.big_mib) {
        Ok(res) if res.sent == size => {
            let rate = res.sent as f64 / 1e6 / res.elapsed.as_secs_f64();
            eprintln!("  [{kind}] reference spooler: {:.2} s = {rate:.0} MB/s", res.elapsed.as_secs_f64());
            r.set("ref_rate", rate);
        }
        Ok(res) => r.note(kind, format!("reference spooler: only {} bytes sent", res.sent)),
        Err(e) => r.note(kind, format!("reference spooler failed: {e}")),
    }
    sync();
    eprintln!("  [{kind}] Print-Job (held) of a {} MiB PDF", args.big_mib);
    let res = big::upload(port, &path, &header, args.big_mib, srv.pid());
    // Where it landed, then delete it whatever happened.
    let on_disk = largest_file(root);
    let cancel = srv.cups_tool(300, "cancel", &["-x", "-a", QUEUE]);
    let res = res?;
    let secs = res.elapsed.as_secs_f64();
    let rate = res.sent as f64 / 1e6 / secs;
    eprintln!(
        "  [{kind}] HTTP {} IPP {} job {:?}: {} bytes in {secs:.2} s = {rate:.0} MB/s; largest file in its dir {} bytes",
        res.http_status,
        res.ipp_status.map(|s| format!("0x{s:04x}")).unwrap_or_else(|| "-".into()),
        res.job_id,
        res.sent,
        on_disk
    );
    let accepted = res.http_status == 200 && res.ipp_status.is_some_and(client::is_ok);
    if !accepted || res.sent != size {
        r.note(
            kind,
            format!(
                "big Print-Job not accepted: HTTP {}, IPP status {:?}, {} of {size} bytes sent",
                res.http_status, res.ipp_status, res.sent
            ),
        );
    } else {
        r.set("big_rate", rate);
        r.set("big_s", secs);
        if let Some(dd) = r.values.get("dd_rate").copied() {
            r.set("big_vs_dd", rate / dd);
        }
        if let Some(reference) = r.values.get("ref_rate").copied() {
            r.set("big_vs_ref", rate / reference);
        }
        if on_disk < size {
            r.note(kind, format!("after the big Print-Job the largest file under its directory is {on_disk} bytes, not {size}"));
        }
    }
    if let (Some((rss0, hwm0)), Some((rss1, hwm1))) = (res.before, res.after) {
        let peak = res.rss_peak.unwrap_or(rss1).max(rss1);
        eprintln!(
            "  [{kind}] VmRSS {:.1} -> peak {:.1} -> {:.1} MiB; VmHWM {:.1} -> {:.1} MiB",
            mib(rss0),
            mib(peak),
            mib(rss1),
            mib(hwm0),
            mib(hwm1)
        );
        r.set("big_rss_growth", mib(peak.saturating_sub(rss0)));
        r.set("big_hwm_growth", mib(hwm1.saturating_sub(hwm0)));
        r.set("big_rss_after", mib(rss1));
    }
    match cancel {
        Ok(out) if out.rc == 0 => {}
        Ok(out) => r.note(kind, format!("cancel -x -a {QUEUE} after the big job: {}", out.text().trim())),
        Err(e) => r.note(kind, format!("cancel -x -a {QUEUE} after the big job: {e}")),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Report

fn machine_line() -> String {
    let m = crate::common::Machine::read();
    format!("{} CPUs ({}), Linux {}", m.cpus, m.model, m.kernel)
}

fn header(args: &Args, quired_bin: &Path, pdf_len: usize) -> Vec<String> {
    let date = crate::common::utc_now();
    let mut h = vec![
        format!("quire-bench-print {date}"),
        format!("Machine: {}", machine_line()),
        format!(
            "Servers: {} vs {}, one after the other; same cupsd.conf/cups-files.conf as quire-bench (LogLevel warn)",
            args.cupsd.display(),
            quired_bin.display()
        ),
        "Printer: a fresh quire-sim per server at 60000 ppm; queue Q made with \
         `lpadmin -p Q -E -v ipp://127.0.0.1:PORT/ipp/print -m everywhere`"
            .to_string(),
        format!(
            "End to end: N = {} Print-Jobs of tests/data/documents/document-letter.pdf ({pdf_len} bytes, 1 page), not held, \
             sequential on 1 keep-alive connection; timed from the first submission until the printer's status shows N completed jobs{}",
            args.jobs,
            if args.jobs != 200 { " -- N CHANGED from 200 with --jobs" } else { "" }
        ),
    ];
    if args.skip_big {
        h.push("Big document: skipped (--skip-big)".into());
    } else {
        h.push(format!(
            "Big document: {} MiB \"PDF\" (%PDF-1.4 + comment filler), held Print-Job, raw HTTP/1.1 POST with Content-Length, \
             first byte to IPP answer; baseline: median of {DD_RUNS} `dd if=/dev/zero bs=1M count={} conv=fdatasync` into the bench dir just before, and a \
             reference spooler in the bench itself (one thread: loopback socket -> file, fdatasync) fed the same upload{}",
            args.big_mib,
            args.big_mib,
            if args.big_mib != 1024 { " -- SIZE CHANGED from 1024 MiB with --big-mib" } else { "" }
        ));
        h.push(
            "Durability: quired answers after the spool file is fdatasync'ed (like dd conv=fdatasync); cupsd answers \
             without fsync (SyncOnClose No), so its big-document rate may include data still in the page cache"
                .into(),
        );
    }
    h
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("quire-bench-print: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let quired_bin = crate::common::quired_or_exit("quire-bench-print", args.quired.clone(), args.only == Some(ServerKind::Cupsd));
    let missing: Vec<&str> = ["lpadmin", "cancel", "timeout", "kill", "dd", "sync"]
        .into_iter()
        .filter(|p| !quire_tests::process::have_program(p))
        .collect();
    if !missing.is_empty() || !args.cupsd.is_file() {
        eprintln!("quire-bench-print: missing {missing:?} or {}: run tests/scripts/install-test-deps", args.cupsd.display());
        std::process::exit(1);
    }
    let pdf_path = quire_tests::data_dir().join("documents/document-letter.pdf");
    let pdf = match fs::read(&pdf_path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("quire-bench-print: cannot read {}: {e}", pdf_path.display());
            std::process::exit(1);
        }
    };
    let bench_dir = target_dir().join("bench");
    if let Err(e) = fs::create_dir_all(&bench_dir) {
        eprintln!("quire-bench-print: cannot create {}: {e}", bench_dir.display());
        std::process::exit(1);
    }
    match quire_tests::simulated_printer::sim_binary() {
        Ok(bin) => eprintln!("quire-sim: {}", bin.display()),
        Err(e) => {
            eprintln!("quire-bench-print: {e}");
            std::process::exit(1);
        }
    }

    let run = |kind: ServerKind, bin: &Path| -> Results {
        if args.only.is_some_and(|o| o != kind) {
            return Results::default();
        }
        let root = bench_dir.join(format!("print-{kind}"));
        let t0 = Instant::now();
        let r = bench_one(kind, bin, &root, &args, &pdf);
        eprintln!("== {kind}: done in {:.0} s", t0.elapsed().as_secs_f64());
        if !args.keep {
            let _ = fs::remove_dir_all(&root);
        }
        r
    };
    let cupsd = run(ServerKind::Cupsd, &args.cupsd.clone());
    let quired = run(ServerKind::Quired, &quired_bin);

    let (table, tsv) = report::render(&header(&args, &quired_bin, pdf.len()), &cupsd, &quired);
    println!("\n{table}");
    let out = args.out.clone().unwrap_or_else(|| bench_dir.join("print-results.tsv"));
    match fs::write(&out, tsv) {
        Ok(()) => eprintln!("results written to {}", out.display()),
        Err(e) => eprintln!("quire-bench-print: cannot write {}: {e}", out.display()),
    }
}
