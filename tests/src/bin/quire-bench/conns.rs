//! `quire-bench conns`: many connections. For cupsd, then quired, with the same config
//! (`MaxClients` raised for both to hold the idle connections): 16 active clients'
//! Get-Printer-Attributes rate and p99 with no idle connection, then with N idle keep-alive
//! connections open (each made one request first, as a print dialog or a monitor does), the
//! RSS each idle connection costs, and the same load with the server pinned (`taskset`) to
//! one core and to two.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use quire_ipp::{DelimiterTag, Operation};
use quire_tests::{Server, ServerKind};

use crate::args::{self, ServerArgs};
use crate::client::{self, Conn};
use crate::env::{self, Needs};
use crate::figures::{self, m, Better, Layout, Metric, Results, Target};
use crate::load::{self, ms, LoadResult};
use crate::server::{self, queue_path, queue_uri, ConfigOpts, QUEUE};

const PROG: &str = "quire-bench conns";

const USAGE: &str = "usage: quire-bench conns [--idle N] [--active N] [--duration SECS]
                         [--only cupsd|quired] [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]

  --idle N          idle keep-alive connections held open during the loaded run (default 10000)
  --active N        active clients sending Get-Printer-Attributes back to back (default 16)
  --duration SECS   length of each load run (default 5)
  --only KIND       run one server only
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --out FILE        TSV results (default <target>/bench/conns.tsv)
  --keep            keep the servers' directories under <target>/bench/";

/// Open files this process and the servers (which inherit it) may have: cupsd allows
/// `MaxClients` up to a third of its limit, and this process holds every idle connection.
const NOFILE: u64 = 65_536;
/// `MaxClients` above the idle connections: the active clients, the tools, some slack.
const SLACK: usize = 200;
/// Idle connections must be back within this long after the loaded run (quired's keep-alive
/// timeout is 30 s; the loaded run starts as soon as they are open).
const IDLE_OPEN_LIMIT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
struct Args {
    idle: usize,
    active: usize,
    duration: Duration,
    only: Option<ServerKind>,
    servers: ServerArgs,
    out: Option<PathBuf>,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        idle: 10_000,
        active: 16,
        duration: Duration::from_secs(5),
        only: None,
        servers: ServerArgs::default(),
        out: None,
    };
    args::scan(words, |word, scan| {
        match word {
            "--idle" => a.idle = scan.number(word)?,
            "--active" => a.active = scan.number::<usize>(word)?.max(1),
            "--duration" => {
                a.duration = Duration::from_secs_f64(scan.number::<f64>(word)?.max(0.1))
            }
            "--only" => a.only = Some(args::only(scan)?),
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    Ok(a)
}

use Better::{Higher, Info, Lower};

const METRICS: &[Metric] = &[
    m("base_rate", "GPA, active clients, no idle conns", "req/s", Higher, Target::RatioMin(3.0)),
    m("base_p99", "  p99 latency", "ms", Lower, Target::None),
    m("base_cpu", "  server CPU per request", "us", Lower, Target::RatioMax(0.2)),
    m("open_s", "Opening N idle conns (one request each)", "s", Lower, Target::None),
    m("open_ok", "  idle conns opened (N, or what fits)", "conns", Info, Target::None),
    m("rss_base", "RSS before the idle conns", "MiB", Lower, Target::None),
    m("rss_idle", "RSS with N idle conns", "MiB", Lower, Target::None),
    m("rss_per_idle", "  RSS per idle conn", "KiB", Lower, Target::None),
    m("idle_rate", "GPA, active clients, N idle conns", "req/s", Higher, Target::RatioMin(3.0)),
    m("idle_p99", "  p99 latency", "ms", Lower, Target::None),
    m("idle_p99_x", "  p99 / p99 without idle conns", "x", Info, Target::QuiredMax(2.0)),
    m("idle_left", "  idle conns still open after it (check = N)", "conns", Info, Target::None),
    m("pin1_rate", "GPA, active clients, server on 1 core", "req/s", Higher, Target::None),
    m("pin1_p99", "  p99 latency", "ms", Lower, Target::None),
    m("pin2_rate", "GPA, active clients, server on 2 cores", "req/s", Higher, Target::None),
    m("pin2_p99", "  p99 latency", "ms", Lower, Target::None),
    m("pin_scale", "  rate on 2 cores / on 1 core", "x", Info, Target::None),
];

fn bench_one(kind: ServerKind, binary: &Path, root: &Path, args: &Args, nofile: u64) -> Results {
    let mut r = Results::new(METRICS);
    let max_clients = args.idle + args.active + SLACK;
    eprintln!("== {kind}: starting {} (MaxClients {max_clients})", binary.display());
    let opts = ConfigOpts { max_clients: Some(max_clients), ..Default::default() };
    let start = server::start(kind, binary, root, opts);
    let mut srv = match start {
        Ok(s) => s,
        Err(e) => {
            r.note(kind, format!("could not start: {e}"));
            return r;
        }
    };
    let idle = idle_for(kind, args, nofile);
    if idle < args.idle {
        r.note(
            kind,
            format!("{idle} idle conns, not {}: the open-file limit is {nofile}", args.idle),
        );
    }
    if let Err(e) = steps(&srv, &mut r, args, idle) {
        r.note(kind, format!("run stopped: {e}"));
    }
    let tail = srv.log_tail(5);
    if !tail.trim().is_empty() {
        r.note(kind, format!("log tail:\n{tail}"));
    }
    if let Err(e) = srv.stop(Duration::from_secs(120)) {
        r.note(kind, format!("stop: {e}"));
    }
    r
}

fn steps(srv: &Server, r: &mut Results, args: &Args, idle: usize) -> std::io::Result<()> {
    let out =
        crate::server::tool(srv, 60, "lpadmin", &["-p", QUEUE, "-v", "file:///dev/null", "-E"])?;
    if out.rc != 0 {
        return Err(client::other(format!("lpadmin -p {QUEUE} failed: {}", out.text())));
    }
    let (kind, port, path) = (srv.kind(), srv.port(), queue_path());
    let gpa = client::get_printer_attributes(&queue_uri(srv));
    load::run(port, &path, &gpa, 1, Duration::from_millis(500), None, None);
    let cpu0 = srv.cpu_time(false);
    let base = measured(srv, r, "base", "no idle conns", args, &gpa);
    if let (Some(before), Some(after)) = (cpu0, srv.cpu_time(false)) {
        if base.ok > 0 {
            r.set("base_cpu", ms(after.saturating_sub(before)) * 1000.0 / base.ok as f64);
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let rss0 = srv.rss_kib().map(|(rss, _)| rss);
    let idle = open_idle(srv, r, idle)?;
    std::thread::sleep(Duration::from_secs(1));
    if let (Some(before), Some((after, _))) = (rss0, srv.rss_kib()) {
        r.set("rss_base", before as f64 / 1024.0);
        r.set("rss_idle", after as f64 / 1024.0);
        if !idle.is_empty() {
            let per = after.saturating_sub(before) as f64 / idle.len() as f64;
            r.set("rss_per_idle", per);
            eprintln!("  [{kind}] RSS {before} -> {after} KiB: {per:.1} KiB per idle conn");
        }
    }
    let loaded = measured(srv, r, "idle", &format!("{} idle conns", idle.len()), args, &gpa);
    if base.percentile_ms(0.99) > 0.0 {
        r.set("idle_p99_x", loaded.percentile_ms(0.99) / base.percentile_ms(0.99));
    }
    let left = still_open(&idle);
    r.set("idle_left", left as f64);
    if left < idle.len() {
        r.note(
            kind,
            format!("{} of {} idle conns were closed by the server", idle.len() - left, idle.len()),
        );
    }
    drop(idle);
    std::thread::sleep(Duration::from_secs(1));
    pinned(srv, r, args, &gpa)
}

/// One load run of the active clients, its rate and p99 set as `<id>_rate`, `<id>_p99`.
fn measured(
    srv: &Server,
    r: &mut Results,
    id: &'static str,
    what: &str,
    args: &Args,
    gpa: &[u8],
) -> LoadResult {
    let kind = srv.kind();
    let res = load::run(srv.port(), &queue_path(), gpa, args.active, args.duration, None, None);
    eprintln!("  [{kind}] GPA {} conns, {what}: {}", args.active, res.summary());
    let (rate, p99) = match id {
        "base" => ("base_rate", "base_p99"),
        "idle" => ("idle_rate", "idle_p99"),
        "pin1" => ("pin1_rate", "pin1_p99"),
        _ => ("pin2_rate", "pin2_p99"),
    };
    r.set(rate, res.rate());
    r.set(p99, res.percentile_ms(0.99));
    if res.errors > 0 {
        let first = res.first_error.clone().unwrap_or_default();
        r.note(kind, format!("{what}: {} failed requests (first: {first})", res.errors));
    }
    res
}

/// Opens `n` connections, each making one small Get-Printer-Attributes and then kept idle.
fn open_idle(srv: &Server, r: &mut Results, n: usize) -> std::io::Result<Vec<TcpStream>> {
    let kind = srv.kind();
    let mut msg =
        client::request_as(Operation::GetPrinterAttributes, &queue_uri(srv), client::USER);
    msg.group_mut(DelimiterTag::Operation).push(client::requested(&["printer-state"]));
    let small = msg.encode();
    let (t0, mut conns, mut first_error) = (Instant::now(), Vec::with_capacity(n), None);
    while conns.len() < n && t0.elapsed() < IDLE_OPEN_LIMIT {
        let opened = Conn::connect(srv.port(), Duration::from_secs(10)).and_then(|mut c| {
            let status = c.call_status(&queue_path(), &small)?;
            Ok((c, status))
        });
        match opened {
            Ok((c, status)) if client::is_ok(status) => conns.extend(c.into_tcp_stream()),
            Ok((_, status)) => {
                first_error.get_or_insert(format!("IPP status 0x{status:04x}"));
                break;
            }
            Err(e) => {
                first_error.get_or_insert(e.to_string());
                break;
            }
        }
    }
    let took = t0.elapsed();
    eprintln!("  [{kind}] {} idle conns opened in {:.1} s", conns.len(), took.as_secs_f64());
    r.set("open_s", took.as_secs_f64());
    r.set("open_ok", conns.len() as f64);
    if conns.len() < n {
        let why = first_error.unwrap_or_else(|| format!("not done in {IDLE_OPEN_LIMIT:?}"));
        r.note(kind, format!("only {} of {n} idle conns opened: {why}", conns.len()));
    }
    Ok(conns)
}

/// How many of `conns` the server has not closed (no end of file waiting to be read).
fn still_open(conns: &[TcpStream]) -> usize {
    conns
        .iter()
        .filter(|s| {
            if s.set_nonblocking(true).is_err() {
                return false;
            }
            let mut byte = [0u8; 1];
            let open = matches!((&**s).read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
            let _ = s.set_nonblocking(false);
            open
        })
        .count()
}

/// The load again with the server pinned to CPU 0, then to CPUs 0 and 1.
fn pinned(srv: &Server, r: &mut Results, args: &Args, gpa: &[u8]) -> std::io::Result<()> {
    let kind = srv.kind();
    let Some(pid) = srv.pid() else {
        return Err(client::other("no server pid".into()));
    };
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut rates = Vec::new();
    for (id, set) in [("pin1", "0"), ("pin2", "0,1")] {
        if id == "pin2" && cpus < 2 {
            r.note(kind, "one CPU only: no 2-core run".into());
            break;
        }
        let out =
            Command::new("taskset").args(["-a", "-p", "-c", set, &pid.to_string()]).output()?;
        if !out.status.success() {
            r.note(
                kind,
                format!("taskset -c {set} failed: {}", String::from_utf8_lossy(&out.stderr)),
            );
            continue;
        }
        let res = measured(srv, r, id, &format!("pinned to CPU {set}"), args, gpa);
        rates.push(res.rate());
    }
    if let [one, two] = rates[..] {
        r.set("pin_scale", two / one);
    }
    let all = format!("0-{}", cpus.saturating_sub(1));
    let _ = Command::new("taskset").args(["-a", "-p", "-c", &all, &pid.to_string()]).output();
    Ok(())
}

/// Lets this process (and the servers it starts) hold up to `NOFILE` open files, as far as
/// the hard limit allows without privilege; the soft limit it got.
fn raise_nofile() -> Result<u64, String> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(|e| e.to_string())?;
    if soft >= NOFILE {
        return Ok(soft);
    }
    if setrlimit(Resource::RLIMIT_NOFILE, NOFILE, hard.max(NOFILE)).is_ok() {
        return Ok(NOFILE);
    }
    let to = hard.min(NOFILE);
    setrlimit(Resource::RLIMIT_NOFILE, to, hard).map_err(|e| format!("setrlimit: {e}"))?;
    Ok(to)
}

/// The idle connections `kind` can hold with `nofile` descriptors: cupsd takes `MaxClients`
/// down to a third of its limit (it keeps the rest for jobs); quired keeps 512 (`fdlimit.rs`).
fn idle_for(kind: ServerKind, args: &Args, nofile: u64) -> usize {
    let nofile = usize::try_from(nofile).unwrap_or(usize::MAX);
    let room = match kind {
        ServerKind::Cupsd => nofile / 3,
        ServerKind::Quired => nofile.saturating_sub(512),
    };
    args.idle.min(room.saturating_sub(args.active + SLACK))
}

fn report(
    args: &Args,
    quired_bin: &Path,
    nofile: u64,
    cupsd: &Results,
    quired: &Results,
) -> (String, String) {
    let mut header = env::run_lines(PROG);
    header.extend([
        format!(
            "Servers: {} vs {}; same cupsd.conf (MaxClients {}, LogLevel warn), raw queue {QUEUE} -> file:///dev/null",
            args.servers.cupsd.display(),
            quired_bin.display(),
            args.idle + args.active + SLACK
        ),
        format!(
            "Load: {} active clients, closed loop, keep-alive, Get-Printer-Attributes (all), {:.1} s per run; \
             N = {} idle keep-alive conns over loopback TCP, each after one small request; client and server share the CPUs",
            args.active,
            args.duration.as_secs_f64(),
            args.idle
        ),
        format!(
            "Open-file limit {nofile}: cupsd holds at most a third of it in clients, so it gets {} idle conns, quired {}",
            idle_for(ServerKind::Cupsd, args, nofile),
            idle_for(ServerKind::Quired, args, nofile)
        ),
        "Pinned runs: taskset -a -p -c 0 (then 0,1) on the server's threads, no idle conns; the client is not pinned".into(),
    ]);
    let layout = Layout {
        target_width: 8,
        legend: "q/c = quired / cupsd. Higher is better for req/s; lower for ms, MiB, KiB. \
                 Target q <= 2 on the p99 ratio: the idle conns may at most double the active clients' p99.",
    };
    figures::render(&header, METRICS, &layout, cupsd, quired)
}

/// `quire-bench conns ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, |a| run(&a))
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpadmin", "taskset", "timeout"],
        cupsd: true,
        simulator: false,
        only_cupsd: args.only == Some(ServerKind::Cupsd),
    };
    let (quired_bin, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let nofile = raise_nofile()?;
    eprintln!("open-file limit: {nofile}");
    let binaries = [args.servers.cupsd.as_path(), quired_bin.as_path()];
    let (cupsd, quired) = figures::cupsd_then_quired(
        METRICS,
        &dirs,
        "conns",
        args.only,
        binaries,
        |kind, bin, root| bench_one(kind, bin, root, args, nofile),
    );
    let (table, tsv) = report(args, &quired_bin, nofile, &cupsd, &quired);
    figures::publish(PROG, &table, &tsv, args.out.clone(), &dirs, "conns.tsv");
    Ok(ExitCode::SUCCESS)
}
