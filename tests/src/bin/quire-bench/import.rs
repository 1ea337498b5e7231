//! `quire-bench import`: taking over a big CUPS install. One install (N printers, classes,
//! a default, subscriptions, M queued jobs with their documents) is generated in cupsd's own
//! formats with quire-cupsfiles; cupsd and quired each start on a pristine copy of it, in the
//! same run, and are timed until they answer IPP, list every printer and count every job,
//! with their CPU time and memory. quired is then started a second time on its own store
//! (no import), and cupsd on the state it wrote back.

mod install;
mod one;
mod takeover;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use quire_tests::ServerKind;

use crate::args::{self, ServerArgs};
use crate::env::{self, Needs};
use crate::figures::{self, m, Better, Layout, Metric, Target};

use install::{Install, Plan};

const PROG: &str = "quire-bench import";

/// cups-filters' generic PDF printer: a PPD a Debian host with CUPS has.
const DEFAULT_PPD: &str = "/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd";

const USAGE: &str =
    "usage: quire-bench import [--printers N] [--jobs M] [--classes C] [--ppd-every K] [--ppd FILE]
                          [--cap-secs SECS] [--lpstat] [--only cupsd|quired]
                          [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]

  --printers N      printers in the CUPS install (default 10000)
  --jobs M          pending and held jobs, one small document each (default 100000)
  --classes C       classes of 5 printers each (default N/100)
  --ppd-every K     every K-th printer has a PPD (default 10; 0: none)
  --ppd FILE        the PPD they get (default cups-filters' Generic PDF Printer)
  --cap-secs SECS   longest wait for each start before \"more than SECS s\" (default 300)
  --lpstat          also count what `lpstat -p` and `lpstat -o` list (slow at full size)
  --only KIND       run one server only
  --quired PATH     quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH      cupsd binary (default /usr/sbin/cupsd)
  --out FILE        TSV results (default <target>/bench/import.tsv)
  --keep            keep the install and the servers' directories under <target>/bench/";

#[derive(Debug, Clone)]
pub struct Args {
    pub plan: Plan,
    pub cap: Duration,
    pub lpstat: bool,
    only: Option<ServerKind>,
    servers: ServerArgs,
    out: Option<PathBuf>,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        plan: Plan {
            printers: 10_000,
            classes: usize::MAX,
            jobs: 100_000,
            ppd_every: 10,
            ppd: None,
        },
        cap: Duration::from_secs(300),
        lpstat: false,
        only: None,
        servers: ServerArgs::default(),
        out: None,
    };
    let mut ppd = PathBuf::from(DEFAULT_PPD);
    args::scan(words, |word, scan| {
        match word {
            "--printers" => a.plan.printers = scan.number(word)?,
            "--jobs" => a.plan.jobs = scan.number(word)?,
            "--classes" => a.plan.classes = scan.number(word)?,
            "--ppd-every" => a.plan.ppd_every = scan.number(word)?,
            "--ppd" => ppd = PathBuf::from(scan.value(word)?),
            "--cap-secs" => a.cap = Duration::from_secs_f64(scan.number::<f64>(word)?.max(1.0)),
            "--lpstat" => a.lpstat = true,
            "--only" => a.only = Some(args::only(scan)?),
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    if a.plan.printers == 0 {
        return Err("--printers: at least 1".into());
    }
    if a.plan.classes == usize::MAX {
        a.plan.classes = a.plan.printers / 100;
    }
    if a.plan.ppd_every > 0 {
        if !ppd.is_file() {
            return Err(format!("no PPD at {} (--ppd FILE, or --ppd-every 0)", ppd.display()));
        }
        a.plan.ppd = Some(ppd);
    }
    Ok(a)
}

use Better::{Info, Lower};

const METRICS: &[Metric] = &[
    m("first_ipp", "First start on the install: until it answers IPP", "ms", Lower, Target::None),
    m("first_printers", "  until CUPS-Get-Printers lists all N + C", "ms", Lower, Target::None),
    m("first_jobs", "  until Get-Jobs counts all M (taken over)", "ms", Lower, Target::None),
    m("first_cpu", "  CPU time used by then (user+system)", "s", Lower, Target::None),
    m("first_hwm", "  peak RSS (VmHWM) by then", "MiB", Lower, Target::None),
    m("first_rss", "  RSS once loaded", "MiB", Lower, Target::None),
    m("import_logged", "  import time the server logged", "s", Info, Target::None),
    m("n_printers", "Printers and classes listed (check = N + C)", "printers", Info, Target::None),
    m("n_stopped", "  stopped (check = N + C)", "printers", Info, Target::None),
    m("n_ppd", "  with the PPD's make and model (check = K)", "printers", Info, Target::None),
    m("n_classes", "Classes listed (check = C)", "classes", Info, Target::None),
    m("n_default", "Default destination is lab00000 (check = 1)", "1 = yes", Info, Target::None),
    m("n_subs", "Subscriptions listed (check = S)", "subs", Info, Target::None),
    m("n_jobs", "Jobs listed, not completed (check = M)", "jobs", Info, Target::None),
    m("n_held", "  held (check = H)", "jobs", Info, Target::None),
    m("lpstat_p", "lpstat -p: printer lines (check = N + C)", "lines", Info, Target::None),
    m("lpstat_o", "lpstat -o: job lines (check = M)", "lines", Info, Target::None),
    m("stop", "SIGTERM to exit, after the first start", "ms", Lower, Target::None),
    m("again_ipp", "Second start (own state): until it answers IPP", "ms", Lower, Target::None),
    m("again_printers", "  until CUPS-Get-Printers lists all N + C", "ms", Lower, Target::None),
    m("again_jobs", "  until Get-Jobs counts all M", "ms", Lower, Target::None),
    m("again_cpu", "  CPU time used by then (user+system)", "s", Lower, Target::None),
    m("again_hwm", "  peak RSS (VmHWM) by then", "MiB", Lower, Target::None),
    m("again_rss", "  RSS once loaded", "MiB", Lower, Target::None),
    m(
        "again_n_printers",
        "  printers and classes listed (check = N + C)",
        "printers",
        Info,
        Target::None,
    ),
    m("again_n_jobs", "  jobs listed (check = M)", "jobs", Info, Target::None),
];

fn report(args: &Args, quired_bin: &Path, made: &Install, made_in: Duration) -> Vec<String> {
    let mut header = env::run_lines(PROG);
    let full = args.plan.printers == 10_000 && args.plan.jobs == 100_000;
    let ppd = match &args.plan.ppd {
        Some(p) => format!(" ({} with {})", made.with_ppd, p.display()),
        None => String::new(),
    };
    header.extend([
        format!(
            "Servers: {} vs {}; same cupsd.conf/cups-files.conf (LogLevel info, MaxJobs 0)",
            args.servers.cupsd.display(),
            quired_bin.display()
        ),
        format!(
            "Install: N = {} printers{ppd}, socket:// and ipp:// devices, all stopped (nothing prints); \
             C = {} classes of 5; default lab00000; S = {} subscriptions{}",
            made.printers,
            made.classes,
            made.subscriptions,
            if full { "" } else { " -- SCALED DOWN from N = 10,000, M = 100,000" }
        ),
        format!(
            "Install: M = {} jobs (H = {} held, {} pending), one ~400-byte text/plain document each; \
             {} files, {:.1} MiB, written with quire-cupsfiles in {:.1} s, then copied for each server",
            made.jobs,
            made.held,
            made.jobs - made.held,
            made.files,
            made.bytes as f64 / 1048576.0,
            made_in.as_secs_f64()
        ),
        format!(
            "Waits capped at {:.0} s (\"> N\": not there by then); a count unchanged {} s after the \
             server answered ends the wait (\"-\", see the notes)",
            args.cap.as_secs_f64(),
            takeover::STALL.as_secs()
        ),
    ]);
    header
}

/// `quire-bench import ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, |a| run(&a))
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpstat", "timeout", "kill"],
        cupsd: true,
        simulator: false,
        only_cupsd: args.only == Some(ServerKind::Cupsd),
    };
    let (quired_bin, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let source = dirs.fresh("import-install");
    eprintln!("== generating the CUPS install in {}", source.display());
    let t0 = Instant::now();
    let made = install::write(&source, &args.plan)
        .map_err(|e| format!("cannot write the install in {}: {e}", source.display()))?;
    let made_in = t0.elapsed();
    eprintln!("   {} files, {} bytes in {:.1} s", made.files, made.bytes, made_in.as_secs_f64());
    let binaries = [args.servers.cupsd.as_path(), quired_bin.as_path()];
    let (cupsd, quired) =
        figures::cupsd_then_quired(METRICS, &dirs, "import", args.only, binaries, |k, b, root| {
            one::bench_one(k, b, root, &source, args, &made)
        });
    dirs.done_with(&source);
    let header = report(args, &quired_bin, &made, made_in);
    let layout = Layout {
        target_width: 6,
        legend: "q/c = quired / cupsd; lower is better for ms, s and MiB. Times from the spawn; \
                 requests over the Unix socket as root.",
    };
    let (table, tsv) = figures::render(&header, METRICS, &layout, &cupsd, &quired);
    figures::publish(PROG, &table, &tsv, args.out.clone(), &dirs, "import.tsv");
    Ok(ExitCode::SUCCESS)
}
