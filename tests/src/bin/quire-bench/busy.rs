//! `quire-bench busy`: the per-request cost of a local client, on an idle and on a busy host.
//!
//! For cupsd, then quired (same cupsd.conf, raw queue `Q`): Get-Printer-Attributes (all) at 1
//! and 16 keep-alive connections over loopback TCP and over the Unix socket; then the same
//! with the daemon pinned to 1 core and to 2 cores (its CPU affinity from start, as
//! `taskset` sets it); then, after both servers' idle-host runs, the same unpinned loads with
//! many more TCP sockets on the host (established loopback pairs held by the bench, and
//! connect-and-close cycles left in TIME_WAIT).
//! Figures: requests per second, p99 latency, and the server's CPU (utime + stime of its
//! process, /proc/PID/stat) per request.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::unistd::Pid;
use quire_tests::busy_host::{BusyHost, SocketCensus};
use quire_tests::{Server, ServerKind};

use crate::args::{self, ServerArgs};
use crate::busy_metrics::METRICS;
use crate::client::{self, Conn, Endpoint};
use crate::env::{self, Needs};
use crate::figures::{self, Layout, Results};
use crate::load::{self, ms};
use crate::server::{self, queue_path, queue_uri, ConfigOpts, QUEUE};

const PROG: &str = "quire-bench busy";

const USAGE: &str =
    "usage: quire-bench busy [--duration SECS] [--pairs N] [--time-wait N] [--no-pinning]
                        [--only cupsd|quired] [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]

  --duration SECS   time per load, split into 3 runs whose median is shown (default 3)
  --pairs N         established loopback TCP connections held open on the busy host (default
                    10000: 20,000 sockets; fewer if the open-file limit does not allow them)
  --time-wait N     more sockets left in TIME_WAIT on the busy host (default 10000)
  --no-pinning      leave out the runs with the daemon pinned to 1 and 2 cores
  --only KIND       run one server only (its column is still written; ratios need both)
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --out FILE        TSV results (default <target>/bench/busy.tsv)
  --keep            keep the servers' directories under <target>/bench/";

#[derive(Debug, Clone)]
struct Args {
    duration: Duration,
    pairs: usize,
    time_wait: usize,
    pinning: bool,
    only: Option<ServerKind>,
    servers: ServerArgs,
    out: Option<PathBuf>,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        duration: Duration::from_secs(3),
        pairs: 10_000,
        time_wait: 10_000,
        pinning: true,
        only: None,
        servers: ServerArgs::default(),
        out: None,
    };
    args::scan(words, |word, scan| {
        match word {
            "--duration" => {
                a.duration = Duration::from_secs_f64(scan.number::<f64>(word)?.max(0.1))
            }
            "--pairs" => a.pairs = scan.number(word)?,
            "--time-wait" => a.time_wait = scan.number(word)?,
            "--no-pinning" => a.pinning = false,
            "--only" => a.only = Some(args::only(scan)?),
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    Ok(a)
}

/// The four loads: (metric id part, transport, connections).
const LOADS: [(&str, bool, usize); 4] =
    [("tcp_c1", false, 1), ("tcp_c16", false, 16), ("unix_c1", true, 1), ("unix_c16", true, 16)];

/// The metric id `{scenario}_{load}{suffix}` (all are in METRICS).
fn id(scenario: &str, load: &str, suffix: &str) -> &'static str {
    let wanted = format!("{scenario}_{load}{suffix}");
    METRICS.iter().find(|m| m.id == wanted).map_or("", |m| m.id)
}

// ---------------------------------------------------------------------------------------------
// The run on one server

/// On an idle host: unpinned, then pinned to 1 and 2 cores.
fn quiet_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args) -> Results {
    let mut r = Results::new(METRICS);
    let unpinned = start(kind, binary, &root.join("unpinned")).and_then(|mut srv| {
        let res = loads(&srv, "idle", args, &mut r);
        stop(&mut srv, &mut r);
        res
    });
    if let Err(e) = unpinned {
        r.note(kind, format!("idle host: {e}"));
    }
    if args.pinning {
        for (cores, scenario) in [(1, "cpu1"), (2, "cpu2")] {
            if let Err(e) = pinned(kind, binary, &root.join(scenario), cores, args, &mut r) {
                r.note(kind, format!("{cores} core(s): {e}"));
            }
        }
    }
    r
}

/// On a busy host: `args.pairs` established pairs and `args.time_wait` more in TIME_WAIT.
fn busy_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args) -> Results {
    let mut r = Results::new(METRICS);
    let busy = start(kind, binary, root).and_then(|mut srv| {
        let res = busy_host_loads(&srv, args, &mut r);
        stop(&mut srv, &mut r);
        res
    });
    if let Err(e) = busy {
        r.note(kind, format!("busy host: {e}"));
    }
    r
}

fn busy_host_loads(srv: &Server, args: &Args, r: &mut Results) -> Result<(), String> {
    let kind = srv.kind();
    drain_time_wait(kind);
    eprintln!("  [{kind}] opening {} loopback pairs and {} TIME_WAIT", args.pairs, args.time_wait);
    let host = BusyHost::open(args.pairs, args.time_wait).map_err(|e| format!("busy host: {e}"))?;
    let census = SocketCensus::now();
    eprintln!(
        "  [{kind}] busy host: {} pairs held; TCP in use {}, TIME_WAIT {}",
        host.pairs(),
        census.in_use,
        census.time_wait
    );
    r.set("busy_in_use", census.in_use as f64);
    r.set("busy_time_wait", census.time_wait as f64);
    loads(srv, "busy", args, r)
}

/// Waits (at most 70 s) for what earlier runs left in TIME_WAIT to go, so each server's busy
/// host has the same sockets: its own pairs and TIME_WAIT, not also the other server's.
fn drain_time_wait(kind: ServerKind) {
    let t0 = std::time::Instant::now();
    let left = |c: SocketCensus| c.time_wait;
    if left(SocketCensus::now()) > 500 {
        eprintln!("  [{kind}] waiting for earlier runs' TIME_WAIT sockets to go");
    }
    while left(SocketCensus::now()) > 500 && t0.elapsed() < Duration::from_secs(70) {
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// `busy`'s figures added to `quiet`'s, and each busy figure over its idle one.
fn merged(mut quiet: Results, busy: Results) -> Results {
    quiet.values.extend(busy.values);
    quiet.notes.extend(busy.notes);
    for (load, _, _) in LOADS {
        for suffix in ["", "_cpu"] {
            let busy = quiet.values.get(id("busy", load, suffix)).copied();
            let idle = quiet.values.get(id("idle", load, suffix)).copied().filter(|v| *v > 0.0);
            if let (Some(busy), Some(idle)) = (busy, idle) {
                quiet.set(id("change", load, suffix), busy / idle);
            }
        }
    }
    quiet
}

/// The idle host with the daemon on `cores` cores (its affinity from its start).
fn pinned(
    kind: ServerKind,
    binary: &Path,
    root: &Path,
    cores: usize,
    args: &Args,
    r: &mut Results,
) -> Result<(), String> {
    let all = sched_getaffinity(Pid::from_raw(0)).map_err(|e| e.to_string())?;
    let mut set = CpuSet::new();
    let mut have = 0;
    for cpu in (0..CpuSet::count()).filter(|&c| all.is_set(c).unwrap_or(false)) {
        if have < cores {
            set.set(cpu).map_err(|e| e.to_string())?;
            have += 1;
        }
    }
    if have < cores {
        return Err(format!("only {have} CPU(s) here: not measured"));
    }
    // The server inherits the bench's affinity at its start; the bench then takes all back.
    sched_setaffinity(Pid::from_raw(0), &set).map_err(|e| e.to_string())?;
    let started = start(kind, binary, root);
    sched_setaffinity(Pid::from_raw(0), &all).map_err(|e| e.to_string())?;
    let mut srv = started?;
    let scenario = if cores == 1 { "cpu1" } else { "cpu2" };
    let res = loads(&srv, scenario, args, r);
    stop(&mut srv, r);
    res
}

fn start(kind: ServerKind, binary: &Path, root: &Path) -> Result<Server, String> {
    eprintln!("== {kind}: starting {} (dir {})", binary.display(), root.display());
    let srv = server::start(kind, binary, root, ConfigOpts::default())
        .map_err(|e| format!("could not start: {e}"))?;
    let out = server::tool(&srv, 60, "lpadmin", &["-p", QUEUE, "-v", "file:///dev/null", "-E"])
        .map_err(|e| e.to_string())?;
    if out.rc != 0 {
        return Err(format!("lpadmin -p {QUEUE} failed: {}", out.text()));
    }
    Ok(srv)
}

fn stop(srv: &mut Server, r: &mut Results) {
    if let Some(e) = server::stop_if_running(srv, Duration::from_secs(60)) {
        r.note(srv.kind(), format!("stop: {e}"));
    }
}

/// The four loads on `srv`, as `scenario`'s figures.
fn loads(srv: &Server, scenario: &str, args: &Args, r: &mut Results) -> Result<(), String> {
    let kind = srv.kind();
    let gpa = client::get_printer_attributes(&queue_uri(srv));
    let path = queue_path();
    for (load, unix, conns) in LOADS {
        let to = if unix { Endpoint::Unix(srv.socket_path()) } else { Endpoint::Tcp(srv.port()) };
        let check = Conn::connect_to(&to, Duration::from_secs(10))
            .and_then(|mut c| c.call(&path, &gpa))
            .map_err(|e| format!("{load}: {e}"))?;
        if !client::is_ok(check.code) {
            return Err(format!("{load}: Get-Printer-Attributes status 0x{:04x}", check.code));
        }
        load::run_at(&to, &path, &gpa, conns, Duration::from_millis(300), None, None);
        let runs: Vec<Run> =
            (0..RUNS).map(|_| one_run(srv, &to, &path, &gpa, conns, args)).collect();
        let median = |f: fn(&Run) -> f64| figures::median(runs.iter().map(f).collect());
        let (rate, p99, cpu) = (median(|r| r.rate), median(|r| r.p99), median(|r| r.cpu_us));
        eprintln!(
            "  [{kind}] {scenario} {load}: median of {RUNS}: {} req/s, p99 {} ms, {} us CPU/request",
            figures::fmt_value(rate),
            figures::fmt_value(p99),
            figures::fmt_value(cpu)
        );
        if let Some(v) = rate {
            r.set(id(scenario, load, ""), v);
        }
        if let (Some(v), true) = (p99, scenario == "idle" || scenario == "busy") {
            r.set(id(scenario, load, "_p99"), v);
        }
        if let Some(v) = cpu {
            r.set(id(scenario, load, "_cpu"), v);
        }
        let errors: u64 = runs.iter().map(|r| r.errors).sum();
        if errors > 0 {
            let first = runs.iter().find_map(|r| r.first_error.clone()).unwrap_or_default();
            r.note(kind, format!("{scenario} {load}: {errors} failed (first: {first})"));
        }
    }
    Ok(())
}

/// How many runs each figure is the median of: on a small machine a closed loop is bimodal
/// from run to run (client and server on one core or not).
const RUNS: u32 = 3;

/// One run's figures.
struct Run {
    rate: f64,
    p99: f64,
    cpu_us: f64,
    errors: u64,
    first_error: Option<String>,
}

/// One run of `RUNS`, sharing `args.duration`.
fn one_run(srv: &Server, to: &Endpoint, path: &str, gpa: &[u8], conns: usize, args: &Args) -> Run {
    let cpu0 = srv.cpu_time(false);
    let res = load::run_at(to, path, gpa, conns, args.duration / RUNS, None, None);
    eprintln!("  [{}]   {}", srv.kind(), res.summary());
    let used = srv.cpu_time(false).zip(cpu0).and_then(|(b, a)| b.checked_sub(a));
    let cpu_us = match (used, res.ok) {
        (Some(used), ok) if ok > 0 => ms(used) * 1000.0 / ok as f64,
        _ => f64::NAN,
    };
    Run {
        rate: res.rate(),
        p99: res.percentile_ms(0.99),
        cpu_us,
        errors: res.errors,
        first_error: res.first_error,
    }
}

// ---------------------------------------------------------------------------------------------
// Output

fn report(args: &Args, quired_bin: &Path, cupsd: &Results, quired: &Results) -> (String, String) {
    let mut header = env::run_lines(PROG);
    header.extend([
        format!(
            "Servers: {} vs {}; same cupsd.conf/cups-files.conf (LogLevel warn), raw queue {QUEUE} -> file:///dev/null",
            args.servers.cupsd.display(),
            quired_bin.display()
        ),
        format!(
            "Load: Get-Printer-Attributes requested-attributes=all, closed loop, keep-alive, one thread per connection, \
             0.3 s of warm-up then {RUNS} runs of {:.1} s, the median shown; client and server share the CPUs",
            args.duration.as_secs_f64() / f64::from(RUNS)
        ),
        format!(
            "Busy host: up to {} established loopback TCP pairs held by the bench (2 sockets each; fewer if its \
             open-file limit is lower) and {} more left in TIME_WAIT",
            args.pairs, args.time_wait
        ),
        "Server CPU per request: utime + stime of the server process (all threads) over the run / requests answered"
            .to_string(),
        "Pinned: the daemon started with its CPU affinity set to the first 1 or 2 CPUs (as taskset -c does); the \
         client is not pinned"
            .to_string(),
    ]);
    let layout = Layout {
        target_width: 8,
        legend: "q/c = quired / cupsd. Higher is better for req/s; lower for ms and us. busy / idle: each \
                 server's figure on the busy host over its figure on the idle host (target: quired within 10 %).",
    };
    figures::render(&header, METRICS, &layout, cupsd, quired)
}

/// `quire-bench busy ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, |a| run(&a))
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpadmin", "timeout", "kill"],
        cupsd: args.only != Some(ServerKind::Quired),
        simulator: false,
        only_cupsd: args.only == Some(ServerKind::Cupsd),
    };
    let (quired_bin, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let binaries = [args.servers.cupsd.as_path(), quired_bin.as_path()];
    // The idle-host runs first, for both servers: TIME_WAIT sockets outlive a busy phase
    // by 60 s.
    let quiet =
        figures::cupsd_then_quired(METRICS, &dirs, "idle", args.only, binaries, |k, b, r| {
            quiet_one(k, b, r, args)
        });
    let busy =
        figures::cupsd_then_quired(METRICS, &dirs, "busy", args.only, binaries, |k, b, r| {
            busy_one(k, b, r, args)
        });
    let (cupsd, quired) = (merged(quiet.0, busy.0), merged(quiet.1, busy.1));
    let (table, tsv) = report(args, &quired_bin, &cupsd, &quired);
    figures::publish(PROG, &table, &tsv, args.out.clone(), &dirs, "busy.tsv");
    Ok(ExitCode::SUCCESS)
}
