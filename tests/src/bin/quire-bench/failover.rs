//! `quire-bench failover`: how soon a job's remainder prints elsewhere after its printer
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

mod admin;
mod measure;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use quire_tests::fleet::FLEET;
use quire_tests::simulated_printer::{Sim, SimOptions};
use quire_tests::ServerKind;

use self::measure::{CupsRun, QuireRun};
use self::report::Report;
use crate::args::{self, ServerArgs};
use crate::env::{self, Dirs, Needs, Problems};
use crate::fleet::Fleet;

const PROG: &str = "quire-bench failover";

const USAGE: &str = "usage: quire-bench failover [--runs N] [--grace S[,S...]] [--ppm N] [--pages N] [--fault-after N]
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
    pub servers: ServerArgs,
    pub timeout: Duration,
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
    let list: Result<Vec<u32>, _> =
        v.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse::<u32>()).collect();
    match list {
        Ok(l) if !l.is_empty() && l.iter().all(|g| *g <= 86_400) => Ok(l),
        Ok(_) => Err("--grace: one or more seconds, 0 to 86400".into()),
        Err(e) => Err(format!("--grace: {e}")),
    }
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        runs: 5,
        grace: vec![1, 5],
        ppm: 600,
        pages: 20,
        fault_after: 7,
        cupsd_runs: None,
        cupsd_wait: None,
        skip_cupsd: false,
        servers: ServerArgs::default(),
        timeout: Duration::from_secs(120),
    };
    args::scan(words, |word, scan| {
        match word {
            "--runs" => a.runs = scan.number::<u32>(word)? as usize,
            "--grace" => a.grace = parse_grace(&scan.value(word)?)?,
            "--ppm" => a.ppm = scan.number(word)?,
            "--pages" => a.pages = scan.number(word)?,
            "--fault-after" => a.fault_after = scan.number(word)?,
            "--cupsd-runs" => a.cupsd_runs = Some(scan.number::<u32>(word)? as usize),
            "--cupsd-wait" => a.cupsd_wait = Some(u64::from(scan.number::<u32>(word)?)),
            "--skip-cupsd" => a.skip_cupsd = true,
            "--timeout" => {
                a.timeout = Duration::from_secs(u64::from(scan.number::<u32>(word)?.max(1)))
            }
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    if a.runs == 0 || a.ppm == 0 || a.fault_after == 0 || a.pages <= a.fault_after {
        return Err("--runs, --ppm and --fault-after must be at least 1, and --pages more than --fault-after".into());
    }
    Ok(a)
}

/// Where the servers live, and what failed on the way.
pub struct Ctx {
    pub args: Args,
    pub quired: PathBuf,
    dirs: Dirs,
    problems: Problems,
}

impl Ctx {
    pub fn fail(&mut self, msg: String) {
        self.problems.fail(msg);
    }

    fn done_with(&self, root: &Path) {
        self.dirs.done_with(root);
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
        let root = self.dirs.fresh(&format!("failover-{kind}"));
        let t0 = Instant::now();
        match Fleet::start(kind, binary, &root, &sims, false) {
            Ok(f) => {
                eprintln!(
                    "== {kind}: {} queues ready in {:.1} s (dir {})",
                    sims.len(),
                    t0.elapsed().as_secs_f64(),
                    root.display()
                );
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
            SimOptions::new()
                .name(name)
                .ppm(ppm)
                .auth(auth)
                .encrypts(*encrypts)
                .erases_storage(*erases)
                .start()
        })
        .collect()
}

/// quired: failover auto on office, `--runs` runs per grace time.
fn quired_runs(ctx: &mut Ctx) -> Vec<QuireRun> {
    let quired = ctx.quired.clone();
    let Some((fleet, sims, root)) = ctx.fleet(ServerKind::Quired, &quired) else {
        return Vec::new();
    };
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
    let cupsd = ctx.args.servers.cupsd.clone();
    let Some((fleet, sims, root)) = ctx.fleet(ServerKind::Cupsd, &cupsd) else { return Vec::new() };
    let mut out = Vec::new();
    match admin::make_class(&fleet) {
        Err(e) => ctx.fail(format!("cupsd: making class {}: {e}", admin::CLASS)),
        Ok(()) => {
            for run in 1..=ctx.args.cupsd_runs() {
                let tag = format!("fo-c-r{run}");
                eprintln!(
                    "  [cupsd] {tag}: {} pages to class {}, watched {} s after the fault",
                    ctx.args.pages,
                    admin::CLASS,
                    ctx.args.cupsd_wait().as_secs()
                );
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

/// `quire-bench failover ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, run)
}

fn run(args: Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &[
            "lpadmin",
            "cupsenable",
            "cupsdisable",
            "cupsaccept",
            "cancel",
            "timeout",
            "kill",
            "ipptool",
        ],
        cupsd: false,
        simulator: true,
        only_cupsd: false,
    };
    let (quired, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let mut ctx = Ctx { args, quired, dirs, problems: Problems::default() };
    let t0 = Instant::now();
    let quire = quired_runs(&mut ctx);
    let cupsd = ctx.args.servers.cupsd.clone();
    let cupsd_state = if ctx.args.skip_cupsd {
        "skipped (--skip-cupsd)".to_string()
    } else if !cupsd.is_file() {
        let msg = format!("no cupsd binary at {}: cupsd not measured", cupsd.display());
        ctx.problems.note(msg.clone());
        msg
    } else {
        cupsd.display().to_string()
    };
    let cups =
        if ctx.args.skip_cupsd || !cupsd.is_file() { Vec::new() } else { cupsd_runs(&mut ctx) };
    eprintln!("== all runs done in {:.0} s", t0.elapsed().as_secs_f64());
    let p = &ctx.problems;
    let report = Report {
        args: &ctx.args,
        quired: &ctx.quired,
        cupsd: &cupsd_state,
        quire: &quire,
        cups: &cups,
        errors: &p.errors,
        notes: &p.notes,
    };
    println!("\n{}", report.render());
    Ok(if p.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
