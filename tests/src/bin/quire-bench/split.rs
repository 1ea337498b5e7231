//! `quire-bench split`: the job splitter's speed-up, quired vs cupsd in one run.
//!
//! Four equal quire-sim printers (same `--ppm`, same security facts), each an IPP Everywhere
//! queue made with `lpadmin -m everywhere`. For a 400-page single-copy PDF and for 100 copies
//! of a 4-page PDF, timed from the Print-Job until the job is completed (job-state 9) and the
//! simulators' page logs hold every page (each checked to print exactly as often as asked):
//!
//! 1. quired, the job on one printer, not split (the baseline);
//! 2. quired, the same job with `quire-split=auto` (divided over the four printers);
//! 3. cupsd, the job sent to a class of the four queues (CUPS sends one job to one member).
//!
//! Then the splitter's own cost for a 1,000-page PDF on four instant printers: the Print-Job
//! response time with and without `quire-split=auto` (the split is decided and the parts
//! created before quired answers), and the whole job end to end (page-range extraction per
//! part included). Medians of several alternating runs.
//!
//! This is a benchmark, not a test: nothing asserts on timing, the exit status is non-zero
//! only when something failed (a server, a lost or duplicated page).

mod measure;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use quire_tests::simulated_printer::{marked_pdf, Sim};
use quire_tests::ServerKind;

use self::measure::{run_case, Outcome};
use self::report::{Cost, Report, Workload};
use crate::args::{self, ServerArgs};
use crate::env::{self, Dirs, Needs, Problems};
use crate::fleet::{start_sims, Fleet, JobSpec, CLASS};

const PROG: &str = "quire-bench split";

const USAGE: &str = "usage: quire-bench split [--ppm N] [--pages N] [--copies N] [--copy-pages N]
                         [--cost-pages N] [--cost-runs N] [--skip-cupsd] [--skip-cost]
                         [--quired PATH] [--cupsd PATH] [--timeout SECS] [--keep]

  --ppm N           speed of each of the 4 simulated printers (default 1200: 400 pages in 20 s)
  --pages N         pages of the single-copy PDF (default 400)
  --copies N        copies of the small PDF (default 100)
  --copy-pages N    pages of the small PDF (default 4)
  --cost-pages N    pages of the PDF for the splitter's cost (default 1000)
  --cost-runs N     runs with and without split for the cost; medians count (default 7)
  --skip-cupsd      no cupsd runs
  --skip-cost       no splitter cost measurement
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --timeout SECS    longest wait for one job (default 300)
  --keep            keep the servers' directories under <target>/bench/split-*";

/// How many simulated printers share the work.
const PRINTERS: usize = 4;

#[derive(Debug, Clone)]
pub struct Args {
    pub ppm: u32,
    pub pages: u32,
    pub copies: u32,
    pub copy_pages: u32,
    pub cost_pages: u32,
    pub cost_runs: usize,
    pub skip_cupsd: bool,
    pub skip_cost: bool,
    pub servers: ServerArgs,
    timeout: Duration,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        ppm: 1200,
        pages: 400,
        copies: 100,
        copy_pages: 4,
        cost_pages: 1000,
        cost_runs: 7,
        skip_cupsd: false,
        skip_cost: false,
        servers: ServerArgs::default(),
        timeout: Duration::from_secs(300),
    };
    args::scan(words, |word, scan| {
        match word {
            "--ppm" => a.ppm = scan.number(word)?,
            "--pages" => a.pages = scan.number(word)?,
            "--copies" => a.copies = scan.number(word)?,
            "--copy-pages" => a.copy_pages = scan.number(word)?,
            "--cost-pages" => a.cost_pages = scan.number(word)?,
            "--cost-runs" => a.cost_runs = scan.number::<u32>(word)? as usize,
            "--skip-cupsd" => a.skip_cupsd = true,
            "--skip-cost" => a.skip_cost = true,
            "--timeout" => {
                a.timeout = Duration::from_secs(u64::from(scan.number::<u32>(word)?.max(1)))
            }
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    if a.ppm == 0
        || a.pages < 2
        || a.copies < 2
        || a.copy_pages == 0
        || a.cost_pages < 2
        || a.cost_runs == 0
    {
        return Err("--ppm, --copy-pages and --cost-runs must be at least 1; --pages, --copies and --cost-pages at least 2".into());
    }
    Ok(a)
}

/// Where the servers live, and what failed on the way.
struct Ctx {
    args: Args,
    quired: PathBuf,
    dirs: Dirs,
    problems: Problems,
}

impl Ctx {
    fn fail(&mut self, msg: String) {
        self.problems.fail(msg);
    }

    fn done_with(&self, root: &std::path::Path) {
        self.dirs.done_with(root);
    }

    /// Starts a server with one queue per simulator (and a class of them on cupsd).
    fn fleet(&mut self, kind: ServerKind, name: &str, sims: &[Sim]) -> Option<(Fleet, PathBuf)> {
        let root = self.dirs.fresh(&format!("split-{name}"));
        let binary = match kind {
            ServerKind::Quired => self.quired.clone(),
            ServerKind::Cupsd => self.args.servers.cupsd.clone(),
        };
        let t0 = Instant::now();
        match Fleet::start(kind, &binary, &root, sims, kind == ServerKind::Cupsd) {
            Ok(f) => {
                eprintln!(
                    "== {kind} ({name}): {} queues ready in {:.1} s (dir {})",
                    sims.len(),
                    t0.elapsed().as_secs_f64(),
                    root.display()
                );
                Some((f, root))
            }
            Err(e) => {
                self.fail(format!("{kind} ({name}): {e}"));
                self.done_with(&root);
                None
            }
        }
    }

    /// One timed job; an error is recorded and shown as "-" in the table.
    fn case(
        &mut self,
        fleet: &Fleet,
        sims: &[Sim],
        queue: &str,
        job: JobSpec,
        pages: u32,
    ) -> Option<Outcome> {
        let pdf = marked_pdf(&job.tag, pages);
        eprintln!(
            "  [{}] {} to {queue}: {pages} pages x {} cop{}{}",
            fleet.kind(),
            job.tag,
            job.copies,
            if job.copies == 1 { "y" } else { "ies" },
            if job.split { ", quire-split=auto" } else { "" }
        );
        match run_case(fleet, sims, queue, &job, &pdf, pages, self.args.timeout) {
            Ok(o) => {
                let spread: Vec<String> =
                    o.printers.iter().map(|(n, c)| format!("{n}:{c}")).collect();
                eprintln!(
                    "  [{}]   {:.2} s (Print-Job {:.1} ms, first page {:.2} s, last {:.2} s), pages {}; {} parts",
                    fleet.kind(),
                    o.done.as_secs_f64(),
                    o.latency.as_secs_f64() * 1000.0,
                    o.first_page_ms / 1000.0,
                    o.last_page_ms / 1000.0,
                    spread.join(" "),
                    o.parts
                );
                Some(o)
            }
            Err(e) => {
                self.fail(format!("{}: {e}", job.tag));
                None
            }
        }
    }
}

fn spec(tag: String, copies: u32, split: bool) -> JobSpec {
    JobSpec { tag, copies, split }
}

/// quired: each workload on one printer, then split over all of them.
fn quired_runs(ctx: &mut Ctx, sims: &[Sim], work: &mut [Workload]) {
    let Some((fleet, root)) = ctx.fleet(ServerKind::Quired, "quired", sims) else { return };
    let first = fleet.queues[0].clone();
    for w in work.iter_mut() {
        w.one = ctx.case(
            &fleet,
            sims,
            &first,
            spec(format!("{}-quired-1", w.key), w.copies, false),
            w.pages,
        );
        w.split = ctx.case(
            &fleet,
            sims,
            &first,
            spec(format!("{}-quired-split", w.key), w.copies, true),
            w.pages,
        );
        if let Some(o) = &w.split {
            if o.parts < 2 {
                let msg = o.message.clone();
                ctx.fail(format!("{}: the quire-split=auto job was not split ({msg})", w.key));
            }
        }
    }
    if let Err(e) = fleet.stop() {
        ctx.fail(format!("stopping quired: {e}"));
    }
    ctx.done_with(&root);
}

/// cupsd: each workload sent to the class of all the queues.
fn cupsd_runs(ctx: &mut Ctx, sims: &[Sim], work: &mut [Workload]) {
    let Some((fleet, root)) = ctx.fleet(ServerKind::Cupsd, "cupsd", sims) else { return };
    for w in work.iter_mut() {
        w.cupsd = ctx.case(
            &fleet,
            sims,
            CLASS,
            spec(format!("{}-cupsd-class", w.key), w.copies, false),
            w.pages,
        );
    }
    if let Err(e) = fleet.stop() {
        ctx.fail(format!("stopping cupsd: {e}"));
    }
    ctx.done_with(&root);
}

/// The splitter's cost: a big PDF on instant printers, alternating without and with split
/// (after one warm-up of each), so that drift on the machine hits both alike.
fn cost_runs(ctx: &mut Ctx) -> Option<Cost> {
    let sims = match start_sims("i", PRINTERS, 0) {
        Ok(s) => s,
        Err(e) => {
            ctx.fail(format!("starting instant simulators: {e}"));
            return None;
        }
    };
    let (fleet, root) = ctx.fleet(ServerKind::Quired, "quired-cost", &sims)?;
    let (pages, first) = (ctx.args.cost_pages, fleet.queues[0].clone());
    let mut cost = Cost { pages, ..Cost::default() };
    for run in 0..=ctx.args.cost_runs {
        for split in [false, true] {
            let tag = format!("cost{run}-{}", if split { "split" } else { "one" });
            let Some(o) = ctx.case(&fleet, &sims, &first, spec(tag, 1, split), pages) else {
                continue;
            };
            if split && o.parts < 2 {
                ctx.fail(format!(
                    "cost run {run}: the quire-split=auto job was not split ({})",
                    o.message
                ));
            }
            // Run 0 warms up the page cache, the allocator and the simulators.
            if run > 0 {
                let list = if split { &mut cost.split } else { &mut cost.one };
                list.push(o);
            }
        }
    }
    if let Err(e) = fleet.stop() {
        ctx.fail(format!("stopping quired: {e}"));
    }
    ctx.done_with(&root);
    Some(cost)
}

/// `quire-bench split ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, run)
}

fn run(args: Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpadmin", "cupsenable", "cupsaccept", "timeout", "kill", "ipptool"],
        cupsd: !args.skip_cupsd,
        simulator: true,
        only_cupsd: false,
    };
    let (quired, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let mut ctx = Ctx { args, quired, dirs, problems: Problems::default() };
    let a = ctx.args.clone();
    let mut work = vec![
        Workload::new("pages", format!("{} pages, 1 copy", a.pages), a.pages, 1),
        Workload::new(
            "copies",
            format!("{} copies x {} pages", a.copies, a.copy_pages),
            a.copy_pages,
            a.copies,
        ),
    ];
    let t0 = Instant::now();
    match start_sims("s", PRINTERS, a.ppm) {
        Ok(sims) => {
            quired_runs(&mut ctx, &sims, &mut work);
            if !a.skip_cupsd {
                cupsd_runs(&mut ctx, &sims, &mut work);
            }
        }
        Err(e) => ctx.fail(format!("starting the simulators: {e}")),
    }
    let cost = if a.skip_cost { None } else { cost_runs(&mut ctx) };
    eprintln!("== all runs done in {:.0} s", t0.elapsed().as_secs_f64());

    let errors = &ctx.problems.errors;
    let report = Report {
        args: &a,
        quired: &ctx.quired,
        printers: PRINTERS,
        work: &work,
        cost: cost.as_ref(),
        errors,
    };
    println!("\n{}", report.render());
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
