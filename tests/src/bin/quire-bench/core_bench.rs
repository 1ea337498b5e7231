//! `quire-bench core`: the cupsd-vs-quired benchmark, both servers measured in one run on
//! this machine.
//!
//! Starts the real cupsd, then quired, one after the other (never both under load at once),
//! each with the same cupsd.conf / cups-files.conf and a raw `file:///dev/null` queue `Q`, and
//! measures Get-Printer-Attributes and Print-Job throughput, Get-Jobs over N held jobs, RSS,
//! start-up with N jobs, and responsiveness while N jobs are purged. Prints a table with the
//! ratios next to the project's targets and writes `target/bench/results.tsv`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quire_tests::{Server, ServerKind};

use crate::args::{self, ServerArgs};
use crate::client::{self, Conn};
use crate::env::{self, Machine, Needs};
use crate::figures::{self, m, Better, Layout, Metric, Results, Target};
use crate::load::{self, ms, LoadResult};
use crate::server::{self, queue_path, queue_uri, ConfigOpts, QUEUE};

/// The most jobs one Print-Job throughput run submits.
const PJ_CAP: usize = 5_000;

const PROG: &str = "quire-bench core";

const USAGE: &str =
    "usage: quire-bench core [--jobs N] [--duration SECS] [--only cupsd|quired] [--cupsd-durable]
                        [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]

  --jobs N          held jobs for the Get-Jobs / RSS / start-up / purge measurements (default 10000)
  --duration SECS   length of each throughput run (default 5)
  --only KIND       run one server only (its column is still written; ratios need both)
  --cupsd-durable   give cupsd DirtyCleanInterval 0 and SyncOnClose Yes (job files written at
                    once and fsynced) instead of its defaults (written up to 30 s later, no fsync)
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --out FILE        TSV results (default <target>/bench/results.tsv)
  --keep            keep the servers' directories (config, spool, logs) under <target>/bench/";

#[derive(Debug, Clone)]
struct Args {
    jobs: usize,
    duration: Duration,
    only: Option<ServerKind>,
    cupsd_durable: bool,
    servers: ServerArgs,
    out: Option<PathBuf>,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        jobs: 10_000,
        duration: Duration::from_secs(5),
        only: None,
        cupsd_durable: false,
        servers: ServerArgs::default(),
        out: None,
    };
    args::scan(words, |word, scan| {
        match word {
            "--jobs" => a.jobs = scan.number(word)?,
            "--duration" => {
                a.duration = Duration::from_secs_f64(scan.number::<f64>(word)?.max(0.1))
            }
            "--only" => a.only = Some(args::only(scan)?),
            "--cupsd-durable" => a.cupsd_durable = true,
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    Ok(a)
}

// ---------------------------------------------------------------------------------------------
// Metrics

use Better::{Higher, Info, Lower};

const METRICS: &[Metric] = &[
    m("gpa_c1", "Get-Printer-Attributes (all), 1 conn", "req/s", Higher, Target::RatioMin(3.0)),
    m("gpa_c16", "Get-Printer-Attributes (all), 16 conns", "req/s", Higher, Target::RatioMin(3.0)),
    m("gpa_c16_p99", "  p99 latency at 16 conns", "ms", Lower, Target::None),
    m("gpa_cpu", "  server CPU per request at 16 conns", "us", Lower, Target::RatioMax(0.33)),
    m("pj_c1", "Print-Job held PDF, 1 conn, empty queue", "jobs/s", Higher, Target::RatioMin(3.0)),
    m("pj_c8", "Print-Job held PDF, 8 conns, empty queue", "jobs/s", Higher, Target::RatioMin(3.0)),
    m("pj_c8_p99", "  p99 latency at 8 conns", "ms", Lower, Target::None),
    m("pj_cpu", "  server CPU per job at 8 conns", "us", Lower, Target::None),
    m("fill_s", "Submitting N held jobs, 8 conns", "s", Lower, Target::None),
    m("fill_rate", "  rate while filling", "jobs/s", Higher, Target::None),
    m("jobs_held", "Jobs held before Get-Jobs (check = N)", "jobs", Info, Target::None),
    m("gj_c1", "Get-Jobs over N jobs, 1 conn", "req/s", Higher, Target::RatioMin(10.0)),
    m("gj_c1_mean", "  mean latency, 1 conn", "ms", Lower, Target::None),
    m("gj_c1_p50", "  median latency, 1 conn", "ms", Lower, Target::RatioMax(0.1)),
    m("gj_cpu", "  server CPU per Get-Jobs, 1 conn", "ms", Lower, Target::RatioMax(0.1)),
    m("gj_c4", "Get-Jobs over N jobs, 4 conns", "req/s", Higher, Target::RatioMin(10.0)),
    m("rss", "RSS with N held jobs (after the runs)", "MiB", Lower, Target::RatioMax(0.5)),
    m("hwm", "  peak RSS (VmHWM) so far", "MiB", Lower, Target::None),
    m("stop", "SIGTERM to exit with N jobs", "ms", Lower, Target::None),
    m("start", "Start-up with N jobs, to first GPA answer", "ms", Lower, Target::RatioMax(1.0)),
    m("jobs_after_restart", "Jobs after restart (check = N)", "jobs", Info, Target::None),
    m("rss_restart", "RSS right after restart with N jobs", "MiB", Lower, Target::RatioMax(0.5)),
    m("purge", "Purge-Jobs (cancel -x -a Q) of N jobs", "ms", Lower, Target::None),
    m("purge_gpa_max", "  max GPA latency while purging", "ms", Lower, Target::None),
    m("purge_gpa_n", "  GPAs answered while purging", "req", Info, Target::None),
    m("purge_base_max", "  max GPA latency before the purge (1 s)", "ms", Lower, Target::None),
    m("jobs_after_purge", "Jobs left after the purge (check = 0)", "jobs", Info, Target::None),
];

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------------
// The run on one server

fn bench_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args, pdf: &[u8]) -> Results {
    let mut r = Results::new(METRICS);
    let _ = fs::remove_dir_all(root);
    let opts = ConfigOpts { cupsd_durable: args.cupsd_durable, ..Default::default() };
    eprintln!("== {kind}: starting {} (dir {})", binary.display(), root.display());
    let mut srv = match server::start(kind, binary, root, opts) {
        Ok(s) => s,
        Err(e) => {
            r.note(kind, format!("could not start: {e}"));
            return r;
        }
    };
    if let Err(e) = steps(&mut srv, &mut r, args, pdf) {
        r.note(kind, format!("run stopped: {e}"));
        r.note(kind, format!("log tail:\n{}", srv.log_tail(20)));
    }
    if let Some(e) = server::stop_if_running(&mut srv, Duration::from_secs(120)) {
        r.note(kind, format!("final stop: {e}"));
    }
    r
}

fn steps(srv: &mut Server, r: &mut Results, args: &Args, pdf: &[u8]) -> io::Result<()> {
    let out = server::tool(srv, 60, "lpadmin", &["-p", QUEUE, "-v", "file:///dev/null", "-E"])?;
    if out.rc != 0 {
        return Err(client::other(format!("lpadmin -p {QUEUE} failed: {}", out.text())));
    }
    let gpa = printer_attributes(srv, r, args)?;
    let pj = client::print_job_held(&queue_uri(srv), pdf);
    print_jobs(srv, r, args, &pj)?;
    fill(srv, r, args, &pj)?;
    let held = get_jobs(srv, r, args)?;

    // 4. RSS.
    let kind = srv.kind();
    if let Some((rss, hwm)) = srv.rss_kib() {
        eprintln!("  [{kind}] RSS {:.1} MiB, peak {:.1} MiB", mib(rss), mib(hwm));
        r.set("rss", mib(rss));
        r.set("hwm", mib(hwm));
    }

    // 5. Stop, start again, time until it answers; the jobs must still be there.
    let stop = srv.stop(Duration::from_secs(300))?;
    r.set("stop", ms(stop));
    let start = server::restart_timed(srv, Duration::from_secs(300))?;
    eprintln!("  [{kind}] stopped in {:.0} ms, started again in {:.0} ms", ms(stop), ms(start));
    r.set("start", ms(start));
    if let Some((rss, _)) = srv.rss_kib() {
        r.set("rss_restart", mib(rss));
    }
    let after = count_jobs(srv.port(), &queue_path(), &queue_uri(srv))?;
    r.set("jobs_after_restart", after as f64);
    if after != held {
        r.note(kind, format!("{after} jobs after restart, {held} before"));
    }

    // 6. Purge all jobs while one connection keeps sending Get-Printer-Attributes.
    purge(srv, r, &gpa)
}

/// Step 1: Get-Printer-Attributes, 1 and 16 connections; the request, for the purge's monitor.
fn printer_attributes(srv: &Server, r: &mut Results, args: &Args) -> io::Result<Vec<u8>> {
    let (kind, port, path, d) = (srv.kind(), srv.port(), queue_path(), args.duration);
    let gpa = client::get_printer_attributes(&queue_uri(srv));
    let check = Conn::connect(port, Duration::from_secs(10))?.call(&path, &gpa)?;
    if !client::is_ok(check.code) {
        return Err(client::other(format!(
            "Get-Printer-Attributes on {QUEUE}: status 0x{:04x}",
            check.code
        )));
    }
    let gpa_bytes = Conn::connect(port, Duration::from_secs(10))?.post(&path, &gpa)?.len();
    eprintln!("  [{kind}] GPA response is {gpa_bytes} bytes; warming up");
    load::run(port, &path, &gpa, 1, Duration::from_millis(500), None, None);
    let res = step(kind, "GPA 1 conn", load::run(port, &path, &gpa, 1, d, None, None));
    r.set("gpa_c1", res.rate());
    note_errors(r, kind, "Get-Printer-Attributes, 1 conn", &res);
    let cpu0 = srv.cpu_time(false);
    let res = step(kind, "GPA 16 conns", load::run(port, &path, &gpa, 16, d, None, None));
    if let Some(us) = cpu_per(srv, cpu0, res.ok) {
        r.set("gpa_cpu", us * 1000.0);
    }
    r.set("gpa_c16", res.rate());
    r.set("gpa_c16_p99", res.percentile_ms(0.99));
    note_errors(r, kind, "Get-Printer-Attributes, 16 conns", &res);
    Ok(gpa)
}

/// Step 2: Print-Job `pj`, held, each run on an empty queue and capped at PJ_CAP jobs (a fast
/// server would otherwise pile up tens of thousands); the queue is purged after each run.
fn print_jobs(srv: &Server, r: &mut Results, args: &Args, pj: &[u8]) -> io::Result<()> {
    let (kind, port, path) = (srv.kind(), srv.port(), queue_path());
    for (conns, id, p99) in [(1, "pj_c1", None), (8, "pj_c8", Some("pj_c8_p99"))] {
        let cap = AtomicI64::new(PJ_CAP as i64);
        let cpu0 = srv.cpu_time(false);
        let res = step(
            kind,
            &format!("Print-Job {conns} conn(s)"),
            load::run(port, &path, pj, conns, args.duration, Some(&cap), None),
        );
        r.set(id, res.rate());
        if let Some(p99) = p99 {
            r.set(p99, res.percentile_ms(0.99));
            if let Some(v) = cpu_per(srv, cpu0, res.ok) {
                r.set("pj_cpu", v * 1000.0);
            }
        }
        note_errors(r, kind, &format!("Print-Job, {conns} conn(s)"), &res);
        if res.ok + res.errors >= PJ_CAP as u64 {
            r.note(
                kind,
                format!(
                    "Print-Job {conns} conn(s) hit the {PJ_CAP}-job cap after {:.2} s",
                    res.elapsed.as_secs_f64()
                ),
            );
        }
        empty_queue(srv, r)?;
    }
    Ok(())
}

/// Fills the queue up to N held jobs with `pj`, 8 connections, timed.
fn fill(srv: &Server, r: &mut Results, args: &Args, pj: &[u8]) -> io::Result<()> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), queue_path(), queue_uri(srv));
    let have = count_jobs(port, &path, &uri)?;
    let missing = args.jobs.saturating_sub(have);
    eprintln!("  [{kind}] {have} jobs held; submitting {missing} more");
    let budget = AtomicI64::new(missing as i64);
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let res = std::thread::scope(|s| {
        s.spawn(|| {
            let t0 = Instant::now();
            let mut last = Instant::now();
            while !finished.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                if last.elapsed() >= Duration::from_secs(15) {
                    last = Instant::now();
                    let n = done.load(Ordering::Relaxed);
                    eprintln!(
                        "  [{kind}]   ... {n}/{missing} after {:.0} s",
                        t0.elapsed().as_secs_f64()
                    );
                }
            }
        });
        let res = load::run(
            port,
            &path,
            pj,
            8,
            Duration::from_secs(24 * 3600),
            Some(&budget),
            Some(&done),
        );
        finished.store(true, Ordering::SeqCst);
        res
    });
    let res = step(kind, "fill", res);
    r.set("fill_s", res.elapsed.as_secs_f64());
    r.set("fill_rate", res.rate());
    note_errors(r, kind, "filling", &res);
    if res.elapsed > Duration::from_secs(180) {
        r.note(
            kind,
            format!(
                "submitting the jobs took {:.0} s (> 3 min); --jobs N scales it down",
                res.elapsed.as_secs_f64()
            ),
        );
    }
    Ok(())
}

/// Step 3: Get-Jobs over the N held jobs, 1 and 4 connections; how many jobs are held.
fn get_jobs(srv: &Server, r: &mut Results, args: &Args) -> io::Result<usize> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), queue_path(), queue_uri(srv));
    let held = count_jobs(port, &path, &uri)?;
    r.set("jobs_held", held as f64);
    if held != args.jobs {
        r.note(kind, format!("{held} jobs held, expected {}", args.jobs));
    }
    let gj = client::get_jobs(&uri);
    let gj_bytes = Conn::connect(port, load::REQUEST_TIMEOUT)?.post(&path, &gj)?.len();
    eprintln!("  [{kind}] Get-Jobs response is {gj_bytes} bytes");
    // At least 10 s: a Get-Jobs over 10,000 jobs can take most of a second.
    let dj = args.duration.max(Duration::from_secs(10));
    let cpu0 = srv.cpu_time(false);
    let res = step(kind, "Get-Jobs 1 conn", load::run(port, &path, &gj, 1, dj, None, None));
    r.set("gj_c1", res.rate());
    r.set("gj_c1_mean", res.mean_ms());
    r.set("gj_c1_p50", res.percentile_ms(0.5));
    if let Some(v) = cpu_per(srv, cpu0, res.ok) {
        r.set("gj_cpu", v);
    }
    note_errors(r, kind, "Get-Jobs, 1 conn", &res);
    let res = step(kind, "Get-Jobs 4 conns", load::run(port, &path, &gj, 4, dj, None, None));
    r.set("gj_c4", res.rate());
    note_errors(r, kind, "Get-Jobs, 4 conns", &res);
    Ok(held)
}

/// Purges the queue (`cancel -x -a Q`, unmeasured) and waits until Get-Jobs shows no job.
fn empty_queue(srv: &Server, r: &mut Results) -> io::Result<()> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), queue_path(), queue_uri(srv));
    let t0 = Instant::now();
    let out = server::tool(srv, 900, "cancel", &["-x", "-a", QUEUE])?;
    if out.rc != 0 {
        r.note(kind, format!("cancel -x -a {QUEUE} (between runs) failed: {}", out.text().trim()));
    }
    loop {
        let n = count_jobs(port, &path, &uri)?;
        if n == 0 {
            eprintln!("  [{kind}] queue emptied in {:.0} ms", ms(t0.elapsed()));
            return Ok(());
        }
        if t0.elapsed() > Duration::from_secs(120) {
            return Err(client::other(format!(
                "{n} jobs still there 120 s after cancel -x -a {QUEUE}"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn purge(srv: &Server, r: &mut Results, gpa: &[u8]) -> io::Result<()> {
    let (kind, port, path, uri) = (srv.kind(), srv.port(), queue_path(), queue_uri(srv));
    let stop = AtomicBool::new(false);
    let t0 = Instant::now();
    let (samples, cancel, window) = std::thread::scope(|s| {
        let mon = s.spawn(|| load::monitor(port, &path, gpa, t0, &stop));
        std::thread::sleep(Duration::from_secs(1));
        let begin = t0.elapsed();
        let out = server::tool(srv, 900, "cancel", &["-x", "-a", QUEUE]);
        let end = t0.elapsed();
        // Keep watching a little: a server may finish the purge after answering.
        std::thread::sleep(Duration::from_millis(500));
        stop.store(true, Ordering::SeqCst);
        (mon.join().unwrap_or_default(), out, (begin, end))
    });
    let cancel = cancel?;
    let (begin, end) = window;
    eprintln!(
        "  [{kind}] cancel -x -a {QUEUE}: rc {} in {:.0} ms {}",
        cancel.rc,
        ms(end - begin),
        cancel.stderr.trim()
    );
    if cancel.rc != 0 {
        r.note(kind, format!("cancel -x -a {QUEUE} failed: {}", cancel.text().trim()));
    }
    r.set("purge", ms(end - begin));
    // A request is "during the purge" if it was in flight at any time in [begin, end + 0.5 s].
    let during: Vec<_> = samples
        .iter()
        .filter(|s| s.sent + s.latency >= begin && s.sent <= end + Duration::from_millis(500))
        .collect();
    let before: Vec<_> = samples.iter().filter(|s| s.sent + s.latency < begin).collect();
    let max = |v: &[&load::Sample]| v.iter().map(|s| ms(s.latency)).fold(f64::NAN, f64::max);
    r.set("purge_gpa_max", max(&during));
    r.set("purge_gpa_n", during.iter().filter(|s| s.ok).count() as f64);
    r.set("purge_base_max", max(&before));
    let failed = during.iter().filter(|s| !s.ok).count();
    if failed > 0 {
        r.note(kind, format!("{failed} Get-Printer-Attributes requests failed during the purge"));
    }
    eprintln!(
        "  [{kind}] during purge: {} GPAs, max latency {:.1} ms (before: max {:.1} ms)",
        during.len(),
        max(&during),
        max(&before)
    );
    let left = count_jobs(port, &path, &uri)?;
    r.set("jobs_after_purge", left as f64);
    Ok(())
}

/// Not-completed jobs on the queue, with one Get-Jobs.
fn count_jobs(port: u16, path: &str, uri: &str) -> io::Result<usize> {
    let resp = Conn::connect(port, load::REQUEST_TIMEOUT)?.call(path, &client::get_jobs(uri))?;
    if !client::is_ok(resp.code) {
        return Err(client::other(format!("Get-Jobs: status 0x{:04x}", resp.code)));
    }
    Ok(client::job_count(&resp))
}

/// Server CPU milliseconds per successful request since `before`.
fn cpu_per(srv: &Server, before: Option<Duration>, requests: u64) -> Option<f64> {
    let used = srv.cpu_time(false)?.checked_sub(before?)?;
    (requests > 0).then(|| ms(used) / requests as f64)
}

fn step(kind: ServerKind, what: &str, res: LoadResult) -> LoadResult {
    eprintln!("  [{kind}] {what}: {}", res.summary());
    res
}

fn note_errors(r: &mut Results, kind: ServerKind, what: &str, res: &LoadResult) {
    if res.errors > 0 {
        let first = res.first_error.clone().unwrap_or_default();
        r.note(kind, format!("{what}: {} failed requests (first: {first})", res.errors));
    }
}

// ---------------------------------------------------------------------------------------------
// Output

fn durability_lines(args: &Args) -> Vec<String> {
    let cupsd = if args.cupsd_durable {
        "cupsd (--cupsd-durable: DirtyCleanInterval 0, SyncOnClose Yes): the spool file is written before the \
         answer; the job's control file and job.cache are written by the dirty-file timer just after it (\"as soon \
         as possible\"), with fsync. Not durable at the moment Print-Job is answered, close to it."
    } else {
        "cupsd (defaults: DirtyCleanInterval 30, SyncOnClose No): the spool file is written before the answer, \
         without fsync; the job's control file and job.cache are written by the dirty-file timer up to 30 s after \
         the answer, without fsync. A crash or power loss can lose jobs cupsd has acknowledged."
    };
    vec![
        format!("Durability: {cupsd}"),
        "Durability: quired answers Print-Job only after the document and the job row are durable: documents up \
         to 256 KiB are stored in the same SQLite transaction as the row (WAL, synchronous=FULL, one fsync shared \
         by the concurrent requests of a group commit); larger ones are spool files, fdatasync'ed and renamed, with \
         the directory fsynced once per batch before the row commits."
            .into(),
    ]
}

fn machine_line() -> String {
    let Machine { cpus, model, kernel } = Machine::read();
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|k| format!("{:.1} GiB RAM", k as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cpus} CPUs ({model}), {mem}, Linux {kernel}")
}

fn report(
    args: &Args,
    quired_bin: &Path,
    pdf_len: usize,
    cupsd: &Results,
    quired: &Results,
) -> (String, String) {
    let mut header = vec![
        format!("{PROG} {}", env::utc_now()),
        format!("Machine: {}", machine_line()),
        format!(
            "Servers: {} vs {}; same cupsd.conf/cups-files.conf (LogLevel warn, MaxJobs 0), raw queue {QUEUE} -> file:///dev/null",
            args.servers.cupsd.display(),
            quired_bin.display()
        ),
        format!(
            "Load: closed loop, keep-alive, one thread per connection, {:.1} s per throughput run; client and server share the CPUs",
            args.duration.as_secs_f64()
        ),
        format!(
            "N = {} held jobs (job-hold-until=indefinite, {pdf_len}-byte PDF){}",
            args.jobs,
            if args.jobs != 10_000 { " -- SCALED DOWN from 10,000 with --jobs" } else { "" }
        ),
    ];
    header.extend(durability_lines(args));
    let layout = Layout {
        target_width: 8,
        legend: "q/c = quired / cupsd. Higher is better for /s figures; lower for ms, s and MiB.",
    };
    figures::render(&header, METRICS, &layout, cupsd, quired)
}

/// `quire-bench core ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, |a| run(&a))
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpadmin", "cancel", "timeout", "kill", "ipptool"],
        cupsd: true,
        simulator: false,
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
        "run",
        args.only,
        binaries,
        |kind, bin, root| bench_one(kind, bin, root, args, &pdf),
    );
    let (table, tsv) = report(args, &quired_bin, pdf.len(), &cupsd, &quired);
    figures::publish(PROG, &table, &tsv, args.out.clone(), &dirs, "results.tsv");
    Ok(ExitCode::SUCCESS)
}
