//! quire-bench-failover: how soon a job's remainder prints elsewhere after its printer
//! faults, quired's failover vs cupsd, in one run on one machine.
//!
//! Four quire-sim printers with the test fleet's security facts (tests/src/fleet.rs FLEET:
//! secure id-card+encrypts+erases, vault biometric+encrypts+erases, office pin, draft none),
//! each an IPP Everywhere queue made with `lpadmin -m everywhere`. Each run sends a marked
//! 20-page PDF to office after `media-empty-after 7` was injected into office's simulator:
//! office prints pages 1-7 and runs out of paper.
//!
//! 1. quired, office with `quire-failover-default=auto` and `quire-failover-grace-time` G
//!    (each G of `--grace`): the time from the fault to the first page of the remainder in
//!    another printer's page log, and that minus G against the target (≤ 2 s beyond the
//!    grace time). Every run is checked: each page printed exactly once, pages 1-7 on office,
//!    the rest on one printer at least as secure as office.
//! 2. cupsd (no failover): a class of office, secure and vault; the job goes to office (the
//!    other two are disabled until office prints its first page, then enabled again), and the
//!    bench watches the page logs for any page of the job on another printer for 3 x max(G)
//!    + 10 s after the fault.
//!
//! Times are the simulators' own page-log stamps (`ms`, unix milliseconds, written when an
//! impression finishes). The fault instant is the `ms` of office's page 7: the simulator sets
//! media-empty-error in the same step that logs that page, and page 8 would have started then.
//!
//! This is a benchmark: a missed target prints FAIL, but the exit status is non-zero only when
//! something failed (a server, a lost or duplicated page, a page on a less secure printer).
//!
//! Usage: QUIRE_SIM_BIN=target/release/quire-sim target/release/quire-bench-failover [options]
//! (see USAGE; build with `cargo build --release -p quired -p quire-sim -p quire-tests --bins`)
#![forbid(unsafe_code)]

#[path = "bench_failover/admin.rs"]
mod admin;
#[allow(dead_code, clippy::io_other_error)]
#[path = "bench/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "bench/common.rs"]
mod common;
#[allow(dead_code)]
#[path = "bench_split/fleet.rs"]
mod fleet;
#[path = "bench_failover/measure.rs"]
mod measure;
#[path = "bench_failover/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "bench/server.rs"]
mod server;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quire_tests::fleet::FLEET;
use quire_tests::simulated_printer::{Sim, SimOptions};
use quire_tests::ServerKind;

use crate::common::{quired_or_exit, target_dir};
use crate::fleet::Fleet;
use crate::measure::{CupsRun, QuireRun};
use crate::report::Report;

const USAGE: &str = "usage: quire-bench-failover [--runs N] [--grace S[,S...]] [--ppm N] [--pages N] [--fault-after N]
                            [--cupsd-runs N] [--cupsd-wait SECS] [--skip-cupsd]
                            [--quired PATH] [--cupsd PATH] [--timeout SECS] [--keep]

  --runs N          runs per grace time on quired (default 5); median and max are reported
  --grace LIST      quire-failover-grace-time values, seconds, comma-separated (default 1,5)
  --ppm N           speed of each simulated printer (default 600: 100 ms a page)
  --pages N         pages of the marked PDF (default 20)
  --fault-after N   office runs out of paper after this many pages (default 7)
  --cupsd-runs N    runs on cupsd (default: --runs)
  --cupsd-wait SECS how long after the fault cupsd is watched (default 3 x max grace + 10)
  --skip-cupsd      no cupsd runs
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --timeout SECS    longest wait for one quired job to complete (default 120)
  --keep            keep the servers' directories under <target>/bench/failover-*";

/// The queue the jobs are sent to, and the printer that runs out of paper.
pub const ORIGIN: &str = "office";

#[derive(Debug, Clone)]
pub struct Args {
    pub runs: usize,
    pub grace: Vec<u32>,
    pub ppm: u32,
    pub pages: u32,
    pub fault_after: u32,
    pub cupsd_runs: Option<usize>,
    pub cupsd_wait: Option<u64>,
    pub skip_cupsd: bool,
    quired: Option<PathBuf>,
    pub cupsd: PathBuf,
    pub timeout: Duration,
    keep: bool,
}

impl Args {
    /// How long cupsd is watched after the fault.
    pub fn cupsd_wait(&self) -> Duration {
        let max_grace = self.grace.iter().copied().max().unwrap_or(0);
        Duration::from_secs(self.cupsd_wait.unwrap_or(3 * u64::from(max_grace) + 10))
    }

    pub fn cupsd_runs(&self) -> usize {
        self.cupsd_runs.unwrap_or(self.runs)
    }
}

fn parse_grace(v: &str) -> Result<Vec<u32>, String> {
    let list: Result<Vec<u32>, _> = v.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse::<u32>()).collect();
    match list {
        Ok(l) if !l.is_empty() && l.iter().all(|g| *g <= 86_400) => Ok(l),
        Ok(_) => Err("--grace: one or more seconds, 0 to 86400".into()),
        Err(e) => Err(format!("--grace: {e}")),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        runs: 5,
        grace: vec![1, 5],
        ppm: 600,
        pages: 20,
        fault_after: 7,
        cupsd_runs: None,
        cupsd_wait: None,
        skip_cupsd: false,
        quired: None,
        cupsd: PathBuf::from("/usr/sbin/cupsd"),
        timeout: Duration::from_secs(120),
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |name: &str, v: String| v.parse::<u32>().map_err(|e| format!("{name}: {e}"));
        match arg.as_str() {
            "--runs" => a.runs = num("--runs", value("--runs")?)? as usize,
            "--grace" => a.grace = parse_grace(&value("--grace")?)?,
            "--ppm" => a.ppm = num("--ppm", value("--ppm")?)?,
            "--pages" => a.pages = num("--pages", value("--pages")?)?,
            "--fault-after" => a.fault_after = num("--fault-after", value("--fault-after")?)?,
            "--cupsd-runs" => a.cupsd_runs = Some(num("--cupsd-runs", value("--cupsd-runs")?)? as usize),
            "--cupsd-wait" => a.cupsd_wait = Some(u64::from(num("--cupsd-wait", value("--cupsd-wait")?)?)),
            "--skip-cupsd" => a.skip_cupsd = true,
            "--quired" => a.quired = Some(PathBuf::from(value("--quired")?)),
            "--cupsd" => a.cupsd = PathBuf::from(value("--cupsd")?),
            "--timeout" => a.timeout = Duration::from_secs(u64::from(num("--timeout", value("--timeout")?)?.max(1))),
            "--keep" => a.keep = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if a.runs == 0 || a.ppm == 0 || a.fault_after == 0 || a.pages <= a.fault_after {
        return Err("--runs, --ppm and --fault-after must be at least 1, and --pages more than --fault-after".into());
    }
    Ok(a)
}

/// Where the servers live, and what failed on the way.
pub struct Ctx {
    pub args: Args,
    pub quired: PathBuf,
    bench_dir: PathBuf,
    pub errors: Vec<String>,
    pub notes: Vec<String>,
}

impl Ctx {
    pub fn fail(&mut self, msg: String) {
        eprintln!("  ERROR: {msg}");
        self.errors.push(msg);
    }

    fn note(&mut self, msg: String) {
        eprintln!("  NOTE: {msg}");
        self.notes.push(msg);
    }

    fn done_with(&self, root: &Path) {
        if !self.args.keep {
            let _ = fs::remove_dir_all(root);
        }
    }

    /// Four fresh simulators (FLEET's names and security facts) and a server with one
    /// `-m everywhere` queue each.
    fn fleet(&mut self, kind: ServerKind, binary: &Path) -> Option<(Fleet, Vec<Sim>, PathBuf)> {
        let sims = match start_sims(self.args.ppm) {
            Ok(s) => s,
            Err(e) => {
                self.fail(format!("starting the simulators for {kind}: {e}"));
                return None;
            }
        };
        let root = self.bench_dir.join(format!("failover-{kind}"));
        let _ = fs::remove_dir_all(&root);
        let t0 = Instant::now();
        match Fleet::start(kind, binary, &root, &sims, false) {
            Ok(f) => {
                eprintln!("== {kind}: {} queues ready in {:.1} s (dir {})", sims.len(), t0.elapsed().as_secs_f64(), root.display());
                Some((f, sims, root))
            }
            Err(e) => {
                self.fail(format!("starting {kind} with its queues: {e}"));
                self.done_with(&root);
                None
            }
        }
    }
}

fn start_sims(ppm: u32) -> std::io::Result<Vec<Sim>> {
    FLEET
        .iter()
        .map(|(name, auth, encrypts, erases)| {
            SimOptions::new().name(name).ppm(ppm).auth(auth).encrypts(*encrypts).erases_storage(*erases).start()
        })
        .collect()
}

/// quired: failover auto on office, `--runs` runs per grace time.
fn quired_runs(ctx: &mut Ctx) -> Vec<QuireRun> {
    let quired = ctx.quired.clone();
    let Some((fleet, sims, root)) = ctx.fleet(ServerKind::Quired, &quired) else { return Vec::new() };
    let mut out = Vec::new();
    for &grace in &ctx.args.grace.clone() {
        if let Err(e) = admin::set_failover(&fleet, ORIGIN, "auto", grace) {
            ctx.fail(format!("quired: setting failover on {ORIGIN}: {e}"));
            continue;
        }
        for run in 1..=ctx.args.runs {
            let tag = format!("fo-q-g{grace}-r{run}");
            eprintln!("  [quired] {tag}: {} pages to {ORIGIN}, grace {grace} s", ctx.args.pages);
            match measure::quired_run(&fleet, &sims, &ctx.args, grace, &tag) {
                Ok(r) => {
                    eprintln!("  [quired]   {}", r.summary());
                    if let Some(e) = &r.check_error {
                        ctx.fail(format!("{tag}: {e}"));
                    }
                    out.push(r);
                }
                Err(e) => ctx.fail(format!("{tag}: {e}")),
            }
        }
    }
    if let Err(e) = fleet.stop() {
        ctx.fail(format!("stopping quired: {e}"));
    }
    ctx.done_with(&root);
    out
}

/// cupsd: the same fault on office, the job sent to a class of office and the printers
/// quired may move it to.
fn cupsd_runs(ctx: &mut Ctx) -> Vec<CupsRun> {
    let cupsd = ctx.args.cupsd.clone();
    let Some((fleet, sims, root)) = ctx.fleet(ServerKind::Cupsd, &cupsd) else { return Vec::new() };
    let mut out = Vec::new();
    match admin::make_class(&fleet) {
        Err(e) => ctx.fail(format!("cupsd: making class {}: {e}", admin::CLASS)),
        Ok(()) => {
            for run in 1..=ctx.args.cupsd_runs() {
                let tag = format!("fo-c-r{run}");
                eprintln!("  [cupsd] {tag}: {} pages to class {}, watched {} s after the fault", ctx.args.pages, admin::CLASS, ctx.args.cupsd_wait().as_secs());
                match measure::cupsd_run(&fleet, &sims, &ctx.args, &tag) {
                    Ok(r) => {
                        eprintln!("  [cupsd]   {}", r.summary());
                        out.push(r);
                    }
                    Err(e) => ctx.fail(format!("{tag}: {e}")),
                }
            }
        }
    }
    if let Err(e) = fleet.stop() {
        ctx.fail(format!("stopping cupsd: {e}"));
    }
    ctx.done_with(&root);
    out
}

fn setup() -> Result<Ctx, String> {
    let args = parse_args()?;
    let quired = quired_or_exit("quire-bench-failover", args.quired.clone(), false);
    let missing: Vec<&str> = ["lpadmin", "cupsenable", "cupsdisable", "cupsaccept", "cancel", "timeout", "kill"]
        .into_iter()
        .filter(|p| !quire_tests::process::have_program(p))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing {missing:?}: run tests/scripts/install-test-deps"));
    }
    let sim = quire_tests::simulated_printer::sim_binary().map_err(|e| e.to_string())?;
    eprintln!("quire-sim: {}\nquired: {}", sim.display(), quired.display());
    let bench_dir = target_dir().join("bench");
    fs::create_dir_all(&bench_dir).map_err(|e| format!("cannot create {}: {e}", bench_dir.display()))?;
    Ok(Ctx { args, quired, bench_dir, errors: Vec::new(), notes: Vec::new() })
}

fn main() {
    let mut ctx = match setup() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("quire-bench-failover: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let quire = quired_runs(&mut ctx);
    let cupsd_state = if ctx.args.skip_cupsd {
        "skipped (--skip-cupsd)".to_string()
    } else if !ctx.args.cupsd.is_file() {
        let msg = format!("no cupsd binary at {}: cupsd not measured", ctx.args.cupsd.display());
        ctx.note(msg.clone());
        msg
    } else {
        ctx.args.cupsd.display().to_string()
    };
    let cups = if ctx.args.skip_cupsd || !ctx.args.cupsd.is_file() { Vec::new() } else { cupsd_runs(&mut ctx) };
    eprintln!("== all runs done in {:.0} s", t0.elapsed().as_secs_f64());
    let report = Report { args: &ctx.args, quired: &ctx.quired, cupsd: &cupsd_state, quire: &quire, cups: &cups, errors: &ctx.errors, notes: &ctx.notes };
    println!("\n{}", report.render());
    if !ctx.errors.is_empty() {
        std::process::exit(1);
    }
}
