//! `quire-bench confidential`: the cost of encrypting a confidential job's document at rest,
//! against spooling it in the clear, on one 100 MiB Print-Job; cupsd's plain spooling of the
//! same job as a reference, in the same run.
//!
//! On one running quired (private directories, quire-bench core's config, one raw queue), rounds of
//! two held Print-Jobs of the same random 100 MiB `application/octet-stream` document over
//! loopback TCP: **plain** (`job-hold-until=indefinite`) and **confidential**
//! (`quire-confidential=true`: held automatically, encrypted as it spools), in alternating
//! order (ABBA), each timed from the first byte sent to the whole IPP answer. quired answers
//! only once the spool file is fdatasync'ed, renamed, its directory fsynced and the job row
//! committed (daemon/quired/src/http.rs waits for `durable`), so the time includes durable
//! storage. Each job is checked (held; spool file of the right size, sealed or not) and then
//! purged before the next round. Then cupsd, plain only, the same way.
//!
//! A benchmark, not a test: nothing asserts on timing. Exit status 1 when a job is refused or
//! fails a check. See docs/BENCHMARKS.md.
//!
//! With `--pin-flood create|release`, instead: how a flood of anonymous requests carrying a
//! `job-password` slows everyone else's Get-Jobs (confidential/flood.rs).

mod flood;
mod job;
mod report;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use quire_tests::{Server, ServerKind};

use self::job::{Sample, Variant};
use self::report::Row;
use crate::args::{self, ServerArgs};
use crate::client;
use crate::env::{self, Dirs, Machine, Needs};
use crate::server::{self, queue_path, queue_uri, ConfigOpts, QUEUE};
use crate::upload::MIB;

const PROG: &str = "quire-bench confidential";

const USAGE: &str = "usage: quire-bench confidential [--mib N] [--rounds N] [--warmup N] [--chunked]
                                [--skip-cupsd] [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]

  --mib N         size of the document, MiB (default 100)
  --rounds N      measured jobs per variant (default 9)
  --warmup N      unmeasured rounds first, per server (default 1)
  --chunked       send the body with Transfer-Encoding: chunked (default: Content-Length)
  --skip-cupsd    no cupsd reference column
  --quired PATH   quired binary (default: $QUIRED_BIN, else <target>/release/quired)
  --cupsd PATH    cupsd binary (default /usr/sbin/cupsd)
  --out FILE      TSV results (default <target>/bench/confidential-results.tsv)
  --pin-flood F   measure Get-Jobs while --conns connections send, for --secs, Create-Job with a
                  PIN (F = create) or Release-Job with a wrong PIN (F = release)
  --conns N       flooding connections (default 16)
  --secs N        length of the idle and the flooded measurement (default 10)
  --keep          keep <target>/bench/confidential-{quired,cupsd}/ (config, logs; jobs are purged anyway)
       quire-bench confidential --pin-flood create|release [--conns N] [--secs N] [--skip-cupsd]
                                [--quired PATH] [--cupsd PATH]";

#[derive(Debug, Clone)]
pub struct Args {
    mib: usize,
    rounds: usize,
    warmup: usize,
    chunked: bool,
    skip_cupsd: bool,
    servers: ServerArgs,
    out: Option<PathBuf>,
    pin_flood: Option<flood::Flood>,
    conns: usize,
    secs: u64,
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut a = Args {
        mib: 100,
        rounds: 9,
        warmup: 1,
        chunked: false,
        skip_cupsd: false,
        servers: ServerArgs::default(),
        out: None,
        pin_flood: None,
        conns: 16,
        secs: 10,
    };
    args::scan(words, |word, scan| {
        match word {
            "--mib" => a.mib = scan.number(word)?,
            "--rounds" => a.rounds = scan.number(word)?,
            "--warmup" => a.warmup = scan.number(word)?,
            "--chunked" => a.chunked = true,
            "--skip-cupsd" => a.skip_cupsd = true,
            "--out" => a.out = Some(PathBuf::from(scan.value(word)?)),
            "--pin-flood" => {
                a.pin_flood = Some(
                    flood::Flood::parse(&scan.value(word)?)
                        .ok_or("--pin-flood: create or release")?,
                )
            }
            "--conns" => a.conns = scan.number(word)?,
            "--secs" => a.secs = scan.number::<usize>(word)? as u64,
            _ => return a.servers.take(word, scan),
        }
        Ok(true)
    })?;
    if a.mib == 0 || a.rounds == 0 {
        return Err("--mib and --rounds must be at least 1".into());
    }
    Ok(a)
}

/// Everything one server's run produced.
#[derive(Default)]
pub struct Runs {
    plain: Vec<Sample>,
    confidential: Vec<Sample>,
    notes: Vec<String>,
    /// Set when the run could not complete: a refused job or a failed check.
    error: Option<String>,
}

impl Runs {
    fn samples(&mut self, v: Variant) -> &mut Vec<Sample> {
        match v {
            Variant::Plain => &mut self.plain,
            Variant::Confidential => &mut self.confidential,
        }
    }
}

/// cupsd must start as root (it drops to `User lp` itself).
fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2))
                .map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

/// Runs one server: queue, warm-up, measured rounds (variants alternating), each job checked
/// and purged.
fn run_server(
    kind: ServerKind,
    binary: &Path,
    root: &Path,
    args: &Args,
    doc: &[u8],
    variants: &[Variant],
) -> Runs {
    let mut runs = Runs::default();
    let _ = fs::remove_dir_all(root);
    eprintln!("== {kind}: starting {} (dir {})", binary.display(), root.display());
    let mut srv = match server::start(kind, binary, root, ConfigOpts::default()) {
        Ok(s) => s,
        Err(e) => {
            runs.error = Some(format!("{kind} could not start: {e}"));
            return runs;
        }
    };
    // quired keeps its spool files (and job store) in RequestRoot/quire, cupsd in RequestRoot.
    let spool = match kind {
        ServerKind::Quired => root.join("spool/quire"),
        ServerKind::Cupsd => root.join("spool"),
    };
    if let Err(e) = rounds(&srv, &spool, args, doc, variants, &mut runs) {
        runs.error = Some(format!("{kind}: {e}\n{}", srv.log_tail(20)));
    }
    if srv.is_alive() {
        if let Err(e) = srv.stop(Duration::from_secs(60)) {
            runs.notes.push(format!("{kind}: final stop: {e}"));
        }
    } else {
        runs.error
            .get_or_insert_with(|| format!("{kind} died during the run\n{}", srv.log_tail(20)));
    }
    runs
}

fn rounds(
    srv: &Server,
    spool: &Path,
    args: &Args,
    doc: &[u8],
    variants: &[Variant],
    runs: &mut Runs,
) -> io::Result<()> {
    let kind = srv.kind();
    let out = server::tool(srv, 60, "lpadmin", &["-p", QUEUE, "-E", "-v", "file:///dev/null"])?;
    if out.rc != 0 {
        return Err(client::other(format!(
            "lpadmin -p {QUEUE} -v file:///dev/null failed: {}",
            out.text()
        )));
    }
    for round in 0..args.warmup + args.rounds {
        let measured = round >= args.warmup;
        let mut order = variants.to_vec();
        if round % 2 == 1 {
            order.reverse();
        }
        for v in order {
            let label = if measured {
                format!("round {}", round - args.warmup + 1)
            } else {
                "warm-up".to_string()
            };
            let name = format!("bench-{}-{}", v.name(), round + 1);
            let s = job::one_job(srv, spool, args, doc, v, &name)?;
            eprintln!(
                "  [{kind}] {label:<8} {:<12} {:.3} s = {:.0} MB/s, server CPU {}, {} bytes on disk; purge {:.3} s (slowest Get-Jobs meanwhile {})",
                v.name(),
                s.secs,
                doc.len() as f64 / 1e6 / s.secs,
                s.cpu.map(|c| format!("{c:.2} s")).unwrap_or_else(|| "-".into()),
                s.on_disk,
                s.purge_secs,
                s.purge_probe_ms.map(|m| format!("{m:.1} ms")).unwrap_or_else(|| "-".into()),
            );
            if measured {
                runs.samples(v).push(s);
            }
        }
    }
    Ok(())
}

/// `quire-bench confidential ARGS`.
pub fn main(words: Vec<String>) -> ExitCode {
    args::command(PROG, USAGE, words, parse_args, |a| run(&a))
}

/// The whole run; a failure when a job was refused or failed a check.
fn run(args: &Args) -> Result<ExitCode, String> {
    let needs = Needs {
        programs: &["lpadmin", "cancel", "timeout", "kill", "sync", "ipptool"],
        cupsd: false,
        simulator: false,
        only_cupsd: false,
    };
    let (quired_bin, dirs) = env::prepare(PROG, &args.servers, needs)?;
    let bench_dir = &dirs.bench;
    if let Some(f) = args.pin_flood {
        pin_flood(args, f, &quired_bin, &dirs);
        return Ok(ExitCode::SUCCESS);
    }
    let load_before = env::loadavg();
    let started = Instant::now();
    let doc = job::payload(args.mib * MIB);

    let run = |kind: ServerKind, bin: &Path, variants: &[Variant]| -> Runs {
        let root = bench_dir.join(format!("confidential-{kind}"));
        let t0 = Instant::now();
        let r = run_server(kind, bin, &root, args, &doc, variants);
        eprintln!("== {kind}: done in {:.0} s", t0.elapsed().as_secs_f64());
        dirs.done_with(&root);
        r
    };
    let quired = run(ServerKind::Quired, &quired_bin, &[Variant::Plain, Variant::Confidential]);
    let cupsd_skipped = cupsd_skipped(args);
    let cupsd = match &cupsd_skipped {
        Some(_) => Runs::default(),
        None => run(ServerKind::Cupsd, &args.servers.cupsd, &[Variant::Plain]),
    };

    let header = report::header(args, &quired_bin, doc.len(), &load_before);
    let mut rows = vec![
        Row { label: "quired plain, held (job-hold-until)".into(), samples: quired.plain.clone() },
        Row {
            label: "quired confidential (encrypted at rest)".into(),
            samples: quired.confidential.clone(),
        },
    ];
    if cupsd_skipped.is_none() {
        rows.push(Row {
            label: "cupsd plain, held (reference)".into(),
            samples: cupsd.plain.clone(),
        });
    }
    let (mut table, mut tsv) = report::render(args, &header, &rows, &quired, doc.len());
    if let Some(why) = &cupsd_skipped {
        let _ = writeln!(table, "NOTE cupsd: {why}");
        let _ = writeln!(tsv, "# NOTE cupsd: {why}");
    }
    let ok = notes(&mut table, &mut tsv, &quired, &cupsd);
    println!("\n{table}");
    let out = args.out.clone().unwrap_or_else(|| bench_dir.join("confidential-results.tsv"));
    match fs::write(&out, tsv) {
        Ok(()) => eprintln!(
            "results written to {} ({:.0} s in all)",
            out.display(),
            started.elapsed().as_secs_f64()
        ),
        Err(e) => eprintln!("{PROG}: cannot write {}: {e}", out.display()),
    }
    if !ok {
        eprintln!("{PROG}: FAILED (see ERROR above)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Why cupsd is not measured, if it is not.
fn cupsd_skipped(args: &Args) -> Option<String> {
    let cupsd_bin = &args.servers.cupsd;
    if args.skip_cupsd {
        Some("skipped (--skip-cupsd)".to_string())
    } else if !cupsd_bin.is_file() {
        Some(format!("not measured: no {}", cupsd_bin.display()))
    } else if !is_root() {
        Some("not measured: cupsd needs root".to_string())
    } else {
        None
    }
}

/// Each server's notes and errors under the table (errors in the TSV too); false on an error.
fn notes(table: &mut String, tsv: &mut String, quired: &Runs, cupsd: &Runs) -> bool {
    let mut ok = true;
    for (name, r) in [("quired", quired), ("cupsd", cupsd)] {
        for n in &r.notes {
            let _ = writeln!(table, "NOTE {name}: {n}");
        }
        if let Some(e) = &r.error {
            ok = false;
            let _ = writeln!(table, "ERROR {name}: {e}");
            let _ = writeln!(tsv, "# ERROR {name}: {}", e.replace('\n', " | "));
        }
    }
    ok
}

/// `--pin-flood`: Get-Jobs idle and under the flood, for quired and (unless skipped) cupsd.
fn pin_flood(args: &Args, f: flood::Flood, quired_bin: &Path, dirs: &Dirs) {
    println!("{PROG} --pin-flood {}", env::utc_now());
    let m = Machine::read();
    println!(
        "Machine: {} CPU cores ({}), Linux {}; load average {}",
        m.cpus,
        m.model,
        m.kernel,
        env::loadavg()
    );
    println!("Flood: {} connections sending {} back to back for {} s; one other connection sends Get-Jobs meanwhile.", args.conns, f.name(), args.secs);
    let mut servers = vec![(ServerKind::Quired, quired_bin.to_path_buf())];
    if !args.skip_cupsd && args.servers.cupsd.is_file() && is_root() {
        servers.push((ServerKind::Cupsd, args.servers.cupsd.clone()));
    }
    for (kind, bin) in servers {
        let root = dirs.fresh(&format!("pin-flood-{kind}"));
        let result = server::start(kind, &bin, &root, ConfigOpts::default()).and_then(|mut srv| {
            let out =
                server::tool(&srv, 60, "lpadmin", &["-p", QUEUE, "-E", "-v", "file:///dev/null"])?;
            if out.rc != 0 {
                return Err(client::other(format!("lpadmin: {}", out.text())));
            }
            let r = flood::measure(
                srv.port(),
                &queue_path(),
                &queue_uri(&srv),
                f,
                args.conns,
                args.secs,
            );
            let _ = srv.stop(Duration::from_secs(30));
            r
        });
        match result {
            Ok(r) => {
                println!("{kind} ({}):", bin.display());
                println!("  Get-Jobs idle:         {}", flood::describe(&r.idle));
                println!("  Get-Jobs under flood:  {}", flood::describe(&r.flooded));
                println!(
                    "  flood requests:        {} successful-ok, {} refused or failed",
                    r.flood_ok, r.flood_refused
                );
            }
            Err(e) => println!("{kind}: not measured: {e}"),
        }
        dirs.done_with(&root);
    }
}
