//! `quire-bench scale`: cupsd and quired at campus scale, both measured in one run on this
//! machine: 20,000 printers (start-up, CUPS-Get-Printers, Get-Printer-Attributes under load)
//! and 1,000,000 completed jobs of history (start-up, RSS, Get-Jobs with `limit` and
//! `first-index`, Purge-Jobs, and another client's Get-Printer-Attributes meanwhile).
//!
//! Each server's state is seeded on disk while it is stopped, in its own format, from a
//! template it wrote itself (`scale/seed.rs`); then it is started and timed.

mod jobs;
mod printers;
mod seed;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use quire_tests::{Server, ServerKind};

use crate::args::{self, ServerArgs};
use crate::client::{self, Conn};
use crate::env::{self, Needs};
use crate::figures::{self, m, Better, Layout, Metric, Results, Target};
use crate::load::{self, ms, Sample};
use crate::server::{self, ConfigOpts};

const PROG: &str = "quire-bench scale";

const USAGE: &str =
    "usage: quire-bench scale [--printers N] [--jobs N] [--duration SECS] [--cap SECS]
                         [--only cupsd|quired] [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]

  --printers N      printers for the printer measurements (default 20000; 0 skips them)
  --jobs N          completed jobs of history for the job measurements (default 1000000; 0 skips)
  --duration SECS   length of each timed run (default 5)
  --cap SECS        longest wait for a start-up or a purge before \"more than N s\" (default 300)
  --only KIND       run one server only
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --out FILE        TSV results (default <target>/bench/scale.tsv)
  --keep            keep the servers' directories under <target>/bench/ (big: N jobs)";

#[derive(Debug, Clone)]
pub struct Args {
    pub printers: usize,
    pub jobs: usize,
    pub duration: Duration,
    pub cap: Duration,
    only: Option<ServerKind>,
    servers: ServerArgs,
    out: Option<PathBuf>,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        printers: 20_000,
        jobs: 1_000_000,
        duration: Duration::from_secs(5),
        cap: Duration::from_secs(300),
        only: None,
        servers: ServerArgs::default(),
        out: None,
    };
    args::scan(words, |word, scan| {
        match word {
            "--printers" => a.printers = scan.number(word)?,
            "--jobs" => a.jobs = scan.number(word)?,
            "--duration" => {
                a.duration = Duration::from_secs_f64(scan.number::<f64>(word)?.max(0.1))
            }
            "--cap" => a.cap = Duration::from_secs_f64(scan.number::<f64>(word)?.max(1.0)),
            "--only" => a.only = Some(args::only(scan)?),
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    if a.printers == 1 {
        return Err("--printers: 0 (skip) or at least 2".into());
    }
    Ok(a)
}

use Better::{Higher, Info, Lower};

const METRICS: &[Metric] = &[
    m("p_seed", "Seeding P printers on disk (not the server's work)", "s", Info, Target::None),
    m(
        "p_start",
        "Start-up with P printers, to first GPA answer",
        "ms",
        Lower,
        Target::RatioMax(1.0),
    ),
    m("p_rss", "  RSS once it answers", "MiB", Lower, Target::None),
    m("p_cgp_all", "CUPS-Get-Printers, requested-attributes=all", "ms", Lower, Target::None),
    m("p_cgp_all_size", "  response size", "MiB", Info, Target::None),
    m("p_cgp_all_n", "  printers in the answer (check = P)", "printers", Info, Target::None),
    m("p_cgp_def", "CUPS-Get-Printers, default attributes", "ms", Lower, Target::None),
    m("p_cgp_def_size", "  response size", "MiB", Info, Target::None),
    m(
        "p_gpa_rate",
        "GPA (all) on random printers, 16 conns",
        "req/s",
        Higher,
        Target::RatioMin(3.0),
    ),
    m("p_gpa_p99", "  p99 latency at 16 conns", "ms", Lower, Target::None),
    m("p_rss_after", "  RSS after the printer runs", "MiB", Lower, Target::None),
    m("p_rss_per", "  RSS per printer (after, less an empty server's)", "KiB", Lower, Target::None),
    m(
        "j_seed",
        "Seeding J completed jobs on disk (not the server's work)",
        "s",
        Info,
        Target::None,
    ),
    m(
        "j_start",
        "Start-up with J jobs of history, to first GPA answer",
        "ms",
        Lower,
        Target::RatioMax(1.0),
    ),
    m("j_rss", "  RSS once it answers", "MiB", Lower, Target::RatioMax(0.5)),
    m("j_rss_per", "  RSS per history job (less an empty server's)", "bytes", Lower, Target::None),
    m("j_check", "Get-Jobs completed, limit 50: jobs (check = 50)", "jobs", Info, Target::None),
    m(
        "j_gj_p50",
        "Get-Jobs which-jobs=completed limit 50, median",
        "ms",
        Lower,
        Target::RatioMax(0.1),
    ),
    m("j_gj_p99", "  p99", "ms", Lower, Target::None),
    m("j_gj_gpa_p99", "  another client's GPA p99 meanwhile", "ms", Lower, Target::None),
    m("j_gj_gpa_max", "  another client's GPA max meanwhile", "ms", Lower, Target::None),
    m(
        "j_gjp_p50",
        "Get-Jobs completed, first-index J/2, limit 50, median",
        "ms",
        Lower,
        Target::RatioMax(0.1),
    ),
    m("j_gjp_p99", "  p99", "ms", Lower, Target::None),
    m("j_purge", "Purge-Jobs (cancel -x -a) of J jobs, answered", "ms", Lower, Target::None),
    m("j_purge_done", "  until Get-Jobs shows none", "ms", Lower, Target::None),
    m("j_purge_gpa_p99", "  another client's GPA p99 meanwhile", "ms", Lower, Target::None),
    m("j_purge_gpa_max", "  another client's GPA max meanwhile", "ms", Lower, Target::None),
    m("j_left", "Jobs left after the purge (check = 0)", "jobs", Info, Target::None),
    m(
        "j_left_restart",
        "Jobs after a restart following the purge (check = 0)",
        "jobs",
        Info,
        Target::None,
    ),
];

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Runs a CUPS tool; a non-zero exit is an error.
pub fn tool_ok(srv: &Server, secs: u64, program: &str, words: &[&str]) -> io::Result<()> {
    let out = server::tool(srv, secs, program, words)?;
    if out.rc != 0 {
        return Err(client::other(format!("{program} {words:?} failed: {}", out.text().trim())));
    }
    Ok(())
}

/// Starts the stopped `srv` and times until Get-Printer-Attributes on `queue` succeeds;
/// `Ok(None)` if it did not within `cap` (it is still starting then).
pub fn start_timed(srv: &mut Server, queue: &str, cap: Duration) -> io::Result<Option<Duration>> {
    let uri = srv.printer_uri(queue);
    let (body, path, port) =
        (client::get_printer_attributes(&uri), format!("/printers/{queue}"), srv.port());
    let ready = || {
        let Ok(mut conn) = Conn::connect(port, Duration::from_secs(2)) else { return false };
        conn.call_status(&path, &body).is_ok_and(client::is_ok)
    };
    match srv.restart_timed(cap, ready) {
        Ok(d) => Ok(Some(d)),
        Err(_) if srv.is_alive() => Ok(None),
        Err(e) => Err(e),
    }
}

/// RSS of a server that has just started with nothing in it: the base the per-object figures
/// are taken from.
pub fn empty_rss(srv: &Server) -> Option<u64> {
    srv.rss_kib().map(|(rss, _)| rss)
}

/// Runs `work` while one more connection sends Get-Printer-Attributes `gpa` to `path` back
/// to back; `work`'s result and the monitor's samples taken while it ran.
pub fn watched<T>(port: u16, path: &str, gpa: &[u8], work: impl FnOnce() -> T) -> (T, Vec<Sample>) {
    let stop = AtomicBool::new(false);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        let mon = s.spawn(|| load::monitor(port, path, gpa, t0, &stop));
        std::thread::sleep(Duration::from_millis(200));
        let begin = t0.elapsed();
        let out = work();
        let end = t0.elapsed();
        stop.store(true, Ordering::SeqCst);
        let samples = mon.join().unwrap_or_default();
        let during =
            samples.into_iter().filter(|s| s.sent + s.latency >= begin && s.sent <= end).collect();
        (out, during)
    })
}

/// p99 and max latency (ms) of the successful samples.
pub fn p99_max(samples: &[Sample]) -> (f64, f64) {
    let mut v: Vec<f64> = samples.iter().filter(|s| s.ok).map(|s| ms(s.latency)).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * 0.99).round() as usize;
    (v[i], v[v.len() - 1])
}

fn bench_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args) -> Results {
    let mut r = Results::new(METRICS);
    if args.printers > 0 {
        let dir = root.join("printers");
        on_server(kind, binary, &dir, &mut r, |srv, r| printers::steps(srv, r, args));
        let _ = std::fs::remove_dir_all(&dir);
    }
    if args.jobs > 0 {
        let dir = root.join("jobs");
        on_server(kind, binary, &dir, &mut r, |srv, r| jobs::steps(srv, r, args));
        let _ = std::fs::remove_dir_all(&dir);
    }
    r
}

/// Starts a server in `dir`, runs `steps` on it (a failure is a NOTE with the log's tail),
/// and stops it.
fn on_server(
    kind: ServerKind,
    binary: &Path,
    dir: &Path,
    r: &mut Results,
    steps: impl FnOnce(&mut Server, &mut Results) -> io::Result<()>,
) {
    eprintln!("== {kind}: starting {} (dir {})", binary.display(), dir.display());
    let mut srv = match server::start(kind, binary, dir, ConfigOpts::default()) {
        Ok(s) => s,
        Err(e) => return r.note(kind, format!("could not start: {e}")),
    };
    if let Err(e) = steps(&mut srv, r) {
        r.note(kind, format!("run stopped: {e}"));
        r.note(kind, format!("log tail:\n{}", srv.log_tail(20)));
    }
    if let Some(e) = server::stop_if_running(&mut srv, Duration::from_secs(120)) {
        r.note(kind, format!("final stop: {e}"));
    }
}

fn report(args: &Args, quired_bin: &Path, cupsd: &Results, quired: &Results) -> (String, String) {
    let mut header = env::run_lines(PROG);
    header.extend([
        format!(
            "Servers: {} vs {}; same cupsd.conf/cups-files.conf (LogLevel warn, MaxJobs 0, PreserveJobHistory Yes)",
            args.servers.cupsd.display(),
            quired_bin.display()
        ),
        format!(
            "P = {} raw printers (file:///dev/null), seeded from one lpadmin-made template{}",
            args.printers,
            if args.printers != 20_000 { " -- SCALED DOWN from 20,000" } else { "" }
        ),
        format!(
            "J = {} completed jobs (no files) on one queue, seeded from one printed template job{}",
            args.jobs,
            if args.jobs != 1_000_000 { " -- SCALED DOWN from 1,000,000" } else { "" }
        ),
        format!(
            "Timed runs {:.1} s; waits capped at {:.0} s (\"> N\": had not finished by then)",
            args.duration.as_secs_f64(),
            args.cap.as_secs_f64()
        ),
    ]);
    let layout = Layout {
        target_width: 8,
        legend: "q/c = quired / cupsd. Lower is better for ms and MiB, higher for req/s. \
                 GPA = Get-Printer-Attributes (all).",
    };
    figures::render(&header, METRICS, &layout, cupsd, quired)
}

/// `quire-bench scale ARGS`.
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
    let binaries = [args.servers.cupsd.as_path(), quired_bin.as_path()];
    let (cupsd, quired) =
        figures::cupsd_then_quired(METRICS, &dirs, "scale", args.only, binaries, |k, b, root| {
            bench_one(k, b, root, args)
        });
    let (table, tsv) = report(args, &quired_bin, &cupsd, &quired);
    figures::publish(PROG, &table, &tsv, args.out.clone(), &dirs, "scale.tsv");
    Ok(ExitCode::SUCCESS)
}
