//! `quire-bench print`: printing end to end and big documents, cupsd vs quired in one run.
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

mod big;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use quire_tests::simulated_printer::{Sim, SimOptions, SimStatus};
use quire_tests::{Server, ServerKind};

use crate::args::{self, ServerArgs};
use crate::client::{self, Conn};
use crate::env::{self, unix_ms, Machine, Needs};
use crate::figures::{self, m, Better, Layout, Metric, Results, Target};
use crate::server::{self, queue_path, queue_uri, ConfigOpts, QUEUE};
use crate::upload::MIB;

const PROG: &str = "quire-bench print";

const USAGE: &str =
    "usage: quire-bench print [--jobs N] [--big-mib N] [--skip-big] [--only cupsd|quired]
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
    servers: ServerArgs,
    timeout: Duration,
    out: Option<PathBuf>,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        jobs: 200,
        big_mib: 1024,
        skip_big: false,
        only: None,
        servers: ServerArgs::default(),
        timeout: Duration::from_secs(600),
        out: None,
    };
    args::scan(words, |word, scan| {
        match word {
            "--jobs" => a.jobs = scan.number(word)?,
            "--big-mib" => a.big_mib = scan.number(word)?,
            "--skip-big" => a.skip_big = true,
            "--only" => a.only = Some(args::only(scan)?),
            "--timeout" => a.timeout = Duration::from_secs(scan.number::<u64>(word)?.max(1)),
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    if a.jobs == 0 || a.big_mib == 0 {
        return Err("--jobs and --big-mib must be at least 1".into());
    }
    Ok(a)
}

use Better::{Higher, Info, Lower};

const METRICS: &[Metric] = &[
    m(
        "e2e_rate",
        "Print N small PDFs end to end (at the printer)",
        "jobs/s",
        Higher,
        Target::RatioMin(25.0),
    ),
    m("e2e_s", "  first submission to N jobs completed at the printer", "s", Lower, Target::None),
    m("first_page", "  first submission to first page printed", "ms", Lower, Target::None),
    m(
        "cycle",
        "  printer-side time per job (page log: last - first page, / (N-1))",
        "ms",
        Lower,
        Target::None,
    ),
    m("submit_s", "  submission only (N Print-Jobs, 1 conn, sequential)", "s", Lower, Target::None),
    m("submit_rate", "  submission rate", "jobs/s", Higher, Target::None),
    m(
        "e2e_cpu",
        "  CPU per job: server + reaped children (filters, backends)",
        "ms",
        Lower,
        Target::None,
    ),
    m("sim_jobs", "Jobs completed by the printer (check = N)", "jobs", Info, Target::None),
    m(
        "sim_pages",
        "Impressions in the printer's page log (check = N)",
        "pages",
        Info,
        Target::None,
    ),
    m(
        "dd_rate",
        "dd bs=1M conv=fdatasync of the big size, same disk (median of 3)",
        "MB/s",
        Info,
        Target::None,
    ),
    m(
        "ref_rate",
        "reference spooler (socket -> file, fdatasync), same upload",
        "MB/s",
        Info,
        Target::None,
    ),
    m(
        "big_rate",
        "Print-Job (held) of a big PDF: first byte to IPP answer",
        "MB/s",
        Higher,
        Target::None,
    ),
    m("big_s", "  time for the big PDF", "s", Lower, Target::None),
    m("big_vs_dd", "  big PDF rate / dd rate", "x", Info, Target::QuiredMin(0.8)),
    m("big_vs_ref", "  big PDF rate / reference spooler rate", "x", Info, Target::None),
    m(
        "big_rss_growth",
        "  peak VmRSS while spooling - VmRSS before",
        "MiB",
        Info,
        Target::QuiredMax(16.0),
    ),
    m("big_hwm_growth", "  VmHWM after - VmHWM before", "MiB", Info, Target::None),
    m("big_rss_after", "  VmRSS after the answer", "MiB", Lower, Target::None),
];

/// dd runs before each server's big document; the median counts.
const DD_RUNS: usize = 3;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------------
// One server

fn bench_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args, pdf: &[u8]) -> Results {
    let mut r = Results::new(METRICS);
    let _ = fs::remove_dir_all(root);
    let sim = match SimOptions::new().name(&format!("bench-{kind}")).start() {
        Ok(s) => s,
        Err(e) => {
            r.note(kind, format!("could not start quire-sim: {e}"));
            return r;
        }
    };
    eprintln!(
        "== {kind}: starting {} (dir {}); printer {}",
        binary.display(),
        root.display(),
        sim.uri()
    );
    let mut srv = match server::start(kind, binary, root, ConfigOpts::default()) {
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
    if let Some(e) = server::stop_if_running(&mut srv, Duration::from_secs(120)) {
        r.note(kind, format!("final stop: {e}"));
    }
    r
}

fn steps(
    srv: &Server,
    sim: &Sim,
    r: &mut Results,
    args: &Args,
    pdf: &[u8],
    root: &Path,
) -> io::Result<()> {
    let kind = srv.kind();
    let t0 = Instant::now();
    let out = server::tool(
        srv,
        120,
        "lpadmin",
        &["-p", QUEUE, "-E", "-v", &sim.uri(), "-m", "everywhere"],
    )?;
    if out.rc != 0 {
        return Err(client::other(format!(
            "lpadmin -p {QUEUE} -m everywhere failed: {}",
            out.text()
        )));
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
fn end_to_end(srv: &Server, sim: &Sim, r: &mut Results, args: &Args, pdf: &[u8]) -> io::Result<()> {
    let (kind, n) = (srv.kind(), args.jobs);
    let names: Vec<String> = (1..=n).map(|i| format!("pb-{i}")).collect();
    let uri = queue_uri(srv);
    let bodies: Vec<Vec<u8>> =
        names.iter().map(|name| client::print_job(&uri, name, Vec::new(), pdf)).collect();
    eprintln!(
        "  [{kind}] submitting {n} Print-Jobs ({} bytes of PDF each), 1 connection",
        pdf.len()
    );
    let cpu0 = srv.cpu_time(true);
    let (t0_ms, t0) = (unix_ms(), Instant::now());
    let ok = submit_all(srv, r, &bodies, t0)?;
    let (done_at, status) = wait_for_printer(srv, sim, r, args, ok, t0)?;
    let cpu1 = srv.cpu_time(true);

    let completed = status.jobs.iter().filter(|j| j.state == "completed").count();
    r.set("sim_jobs", completed as f64);
    if status.jobs.len() != n || completed != n {
        let states = status.jobs.iter().fold(HashMap::<&str, usize>::new(), |mut m, j| {
            *m.entry(j.state.as_str()).or_default() += 1;
            m
        });
        r.note(
            kind,
            format!("the printer got {} jobs for {n} submitted ({states:?})", status.jobs.len()),
        );
    }
    let elapsed = done_at.unwrap_or_else(|| t0.elapsed());
    r.set("e2e_s", elapsed.as_secs_f64());
    r.set("e2e_rate", completed as f64 / elapsed.as_secs_f64());
    if let (Some(a), Some(b)) = (cpu0, cpu1) {
        if completed > 0 {
            r.set("e2e_cpu", ms(b.saturating_sub(a)) / completed as f64);
        }
    }
    let (impressions, last, once) = check_page_log(kind, sim, r, &names, status.printed, t0_ms)?;
    eprintln!(
        "  [{kind}] {completed}/{n} jobs completed at the printer in {:.2} s = {:.2} jobs/s \
         (last page at {:.2} s, {impressions} impressions, {once} names once); CPU/job {:.1} ms",
        elapsed.as_secs_f64(),
        completed as f64 / elapsed.as_secs_f64(),
        last.unwrap_or(0) as f64 / 1000.0,
        r.values.get("e2e_cpu").copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Sends the Print-Jobs (`bodies`) sequentially on one keep-alive connection, timed from
/// `t0`; how many were accepted.
fn submit_all(srv: &Server, r: &mut Results, bodies: &[Vec<u8>], t0: Instant) -> io::Result<usize> {
    let (kind, port, path, n) = (srv.kind(), srv.port(), queue_path(), bodies.len());
    let (mut ok, mut errors, mut first_error) = (0usize, 0usize, None::<String>);
    let mut conn = Conn::connect(port, Duration::from_secs(120))?;
    for body in bodies {
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
    eprintln!(
        "  [{kind}] {ok} accepted, {errors} refused in {:.2} s ({:.1} jobs/s); waiting for the printer",
        submitted.as_secs_f64(),
        ok as f64 / submitted.as_secs_f64()
    );
    r.set("submit_s", submitted.as_secs_f64());
    r.set("submit_rate", ok as f64 / submitted.as_secs_f64());
    if errors > 0 {
        r.note(
            kind,
            format!(
                "{errors} of {n} Print-Jobs failed (first: {})",
                first_error.unwrap_or_default()
            ),
        );
    }
    Ok(ok)
}

/// Waits until the printer has completed `ok` jobs (since `t0`), or gives up; when it did, and
/// the printer's last status.
fn wait_for_printer(
    srv: &Server,
    sim: &Sim,
    r: &mut Results,
    args: &Args,
    ok: usize,
    t0: Instant,
) -> io::Result<(Option<Duration>, SimStatus)> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), queue_path(), queue_uri(srv));
    let (mut last_progress, mut last_server_check) = (Instant::now(), Instant::now());
    let mut idle_since: Option<Instant> = None;
    loop {
        let st = sim.status()?;
        let completed = st.jobs.iter().filter(|j| j.state == "completed").count();
        if completed >= ok {
            return Ok((Some(t0.elapsed()), st));
        }
        if t0.elapsed() >= args.timeout {
            r.note(
                kind,
                format!(
                    "only {completed} of {ok} jobs completed at the printer after {:?}",
                    args.timeout
                ),
            );
            return Ok((None, st));
        }
        // Stop early when the server has nothing left to do and the printer is idle too.
        if last_server_check.elapsed() >= Duration::from_secs(1) {
            last_server_check = Instant::now();
            let left = count_not_completed(port, &path, &uri).unwrap_or(usize::MAX);
            if left == 0 && st.jobs.iter().all(|j| j.is_terminal()) {
                let since = *idle_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= Duration::from_secs(3) {
                    r.note(kind, format!("the server finished every job but the printer completed only {completed} of {ok}"));
                    return Ok((None, st));
                }
            } else {
                idle_since = None;
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(15) {
            last_progress = Instant::now();
            eprintln!(
                "  [{kind}]   ... {completed}/{ok} completed at the printer after {:.0} s",
                t0.elapsed().as_secs_f64()
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The page log: one impression per submitted job, each exactly once. How many impressions,
/// the last page's time after `t0_ms`, and how many job names printed exactly once.
fn check_page_log(
    kind: ServerKind,
    sim: &Sim,
    r: &mut Results,
    names: &[String],
    printed: u64,
    t0_ms: u64,
) -> io::Result<(usize, Option<u64>, usize)> {
    let n = names.len();
    let log = sim.page_log()?;
    r.set("sim_pages", log.len() as f64);
    if printed as usize != log.len() {
        r.note(
            kind,
            format!("printer status says {printed} impressions, its page log has {}", log.len()),
        );
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
    Ok((log.len(), last, once))
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

/// What this machine does with the big size: `dd` to the bench directory's disk (its rate
/// varies a lot from one run to the next on a VM disk: the median of three), and the reference
/// spooler fed the same upload (`header` and the document).
fn baselines(kind: ServerKind, r: &mut Results, args: &Args, bench_dir: &Path, header: &[u8]) {
    let mut rates = Vec::new();
    for _ in 0..DD_RUNS {
        sync();
        match big::dd(&bench_dir.join(format!("dd-{kind}.bin")), args.big_mib) {
            Ok(dd) => {
                let rate = dd.bytes as f64 / 1e6 / dd.elapsed.as_secs_f64();
                eprintln!(
                    "  [{kind}] dd of {} MiB: {:.2} s = {rate:.0} MB/s (dd: {})",
                    args.big_mib,
                    dd.elapsed.as_secs_f64(),
                    dd.note
                );
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
    sync();
    match big::reference_spooler(&bench_dir.join(format!("ref-{kind}.bin")), header, args.big_mib) {
        Ok(res) if res.sent == args.big_mib * MIB as u64 => {
            let rate = res.sent as f64 / 1e6 / res.elapsed.as_secs_f64();
            eprintln!(
                "  [{kind}] reference spooler: {:.2} s = {rate:.0} MB/s",
                res.elapsed.as_secs_f64()
            );
            r.set("ref_rate", rate);
        }
        Ok(res) => r.note(kind, format!("reference spooler: only {} bytes sent", res.sent)),
        Err(e) => r.note(kind, format!("reference spooler failed: {e}")),
    }
}

/// Measurement 2: dd, then one held Print-Job of a `--big-mib` PDF.
fn big_document(srv: &Server, r: &mut Results, args: &Args, root: &Path) -> io::Result<()> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), queue_path(), queue_uri(srv));
    let size = args.big_mib * MIB as u64;
    let bench_dir = root.parent().unwrap_or(root);
    let header = big::print_job_held_header(&uri, client::USER);
    baselines(kind, r, args, bench_dir, &header);
    sync();
    eprintln!("  [{kind}] Print-Job (held) of a {} MiB PDF", args.big_mib);
    let res = big::upload(port, &path, &header, args.big_mib, srv.pid());
    // Where it landed, then delete it whatever happened.
    let on_disk = largest_file(root);
    let cancel = server::tool(srv, 300, "cancel", &["-x", "-a", QUEUE]);
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
        Ok(out) => {
            r.note(kind, format!("cancel -x -a {QUEUE} after the big job: {}", out.text().trim()))
        }
        Err(e) => r.note(kind, format!("cancel -x -a {QUEUE} after the big job: {e}")),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Report

fn machine_line() -> String {
    let m = Machine::read();
    format!("{} CPUs ({}), Linux {}", m.cpus, m.model, m.kernel)
}

fn header(args: &Args, quired_bin: &Path, pdf_len: usize) -> Vec<String> {
    let date = env::utc_now();
    let mut h = vec![
        format!("{PROG} {date}"),
        format!("Machine: {}", machine_line()),
        format!(
            "Servers: {} vs {}, one after the other; same cupsd.conf/cups-files.conf as quire-bench core (LogLevel warn)",
            args.servers.cupsd.display(),
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

/// `quire-bench print ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, |a| run(&a))
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpadmin", "cancel", "timeout", "kill", "dd", "sync", "ipptool"],
        cupsd: true,
        simulator: true,
        only_cupsd: args.only == Some(ServerKind::Cupsd),
    };
    let (quired_bin, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let pdf_path = quire_tests::data_dir().join("documents/document-letter.pdf");
    let pdf =
        fs::read(&pdf_path).map_err(|e| format!("cannot read {}: {e}", pdf_path.display()))?;
    let binaries = [args.servers.cupsd.as_path(), quired_bin.as_path()];
    let (cupsd, quired) = figures::cupsd_then_quired(
        METRICS,
        &dirs,
        "print",
        args.only,
        binaries,
        |kind, bin, root| bench_one(kind, bin, root, args, &pdf),
    );
    let layout = Layout {
        target_width: 9,
        legend: "q/c = quired / cupsd. \"q >= x\" / \"q <= x\" targets apply to quired's own figure. MB = 10^6 bytes.",
    };
    let (table, tsv) =
        figures::render(&header(args, &quired_bin, pdf.len()), METRICS, &layout, &cupsd, &quired);
    figures::publish(PROG, &table, &tsv, args.out.clone(), &dirs, "print-results.tsv");
    Ok(ExitCode::SUCCESS)
}
