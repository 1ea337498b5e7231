//! quire-bench-confidential: the cost of encrypting a confidential job's document at rest,
//! against spooling it in the clear, on one 100 MiB Print-Job; cupsd's plain spooling of the
//! same job as a reference, in the same run.
//!
//! On one running quired (private directories, quire-bench's config, one raw queue), rounds of
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
//! `job-password` slows everyone else's Get-Jobs (bench_confidential/flood.rs).
//!
//! Usage: quire-bench-confidential [--mib N] [--rounds N] [--warmup N] [--chunked]
//!                                 [--skip-cupsd] [--quired PATH] [--cupsd PATH] [--out FILE] [--keep]
//!        quire-bench-confidential --pin-flood create|release [--conns N] [--secs N] [--skip-cupsd]
//!                                 [--quired PATH] [--cupsd PATH]

// client.rs predates clippy's io_other_error lint (quire-bench has the same warning).
#[allow(dead_code, clippy::io_other_error)]
#[path = "bench/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "bench/common.rs"]
mod common;
#[allow(dead_code)]
#[path = "bench/server.rs"]
mod server;
#[path = "bench_confidential/flood.rs"]
mod flood;
#[allow(dead_code)]
#[path = "bench/load.rs"]
mod load;
#[path = "bench_confidential/upload.rs"]
mod upload;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::ServerKind;

use crate::client::Conn;
use crate::common::{fmt_value, target_dir};
use crate::server::{BenchServer, ConfigOpts, QUEUE};
use crate::upload::{Variant, MIB};

const USAGE: &str = "usage: quire-bench-confidential [--mib N] [--rounds N] [--warmup N] [--chunked]
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
  --keep          keep <target>/bench/confidential-{quired,cupsd}/ (config, logs; jobs are purged anyway)";

#[derive(Debug, Clone)]
struct Args {
    mib: usize,
    rounds: usize,
    warmup: usize,
    chunked: bool,
    skip_cupsd: bool,
    quired: Option<PathBuf>,
    cupsd: PathBuf,
    out: Option<PathBuf>,
    keep: bool,
    pin_flood: Option<flood::Flood>,
    conns: usize,
    secs: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        mib: 100,
        rounds: 9,
        warmup: 1,
        chunked: false,
        skip_cupsd: false,
        quired: None,
        cupsd: PathBuf::from("/usr/sbin/cupsd"),
        out: None,
        keep: false,
        pin_flood: None,
        conns: 16,
        secs: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, v: String| v.parse::<usize>().map_err(|e| format!("{name}: {e}"));
        match arg.as_str() {
            "--mib" => a.mib = number("--mib", value("--mib")?)?,
            "--rounds" => a.rounds = number("--rounds", value("--rounds")?)?,
            "--warmup" => a.warmup = number("--warmup", value("--warmup")?)?,
            "--chunked" => a.chunked = true,
            "--skip-cupsd" => a.skip_cupsd = true,
            "--quired" => a.quired = Some(PathBuf::from(value("--quired")?)),
            "--cupsd" => a.cupsd = PathBuf::from(value("--cupsd")?),
            "--out" => a.out = Some(PathBuf::from(value("--out")?)),
            "--keep" => a.keep = true,
            "--pin-flood" => a.pin_flood = Some(flood::Flood::parse(&value("--pin-flood")?).ok_or("--pin-flood: create or release")?),
            "--conns" => a.conns = number("--conns", value("--conns")?)?,
            "--secs" => a.secs = number("--secs", value("--secs")?)? as u64,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if a.mib == 0 || a.rounds == 0 {
        return Err("--mib and --rounds must be at least 1".into());
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// One measured job.
#[derive(Debug, Clone)]
struct Sample {
    /// First byte sent to the whole IPP answer.
    secs: f64,
    /// The server process's user + system CPU over the upload (10 ms resolution).
    cpu: Option<f64>,
    /// Size of the spool file the job left.
    on_disk: u64,
    /// `cancel -x -a Q` until the spool file is gone.
    purge_secs: f64,
    /// The slowest Get-Jobs answered (or still waiting) on another connection during the purge.
    purge_probe_ms: Option<f64>,
}

/// Everything one server's run produced.
#[derive(Default)]
struct Runs {
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

fn variant_name(v: Variant) -> &'static str {
    match v {
        Variant::Plain => "plain",
        Variant::Confidential => "confidential",
    }
}

/// The size quire-vault gives `plain` bytes once sealed (quire_vault::encrypted_len: a 12-byte
/// header, then 64 KiB segments each with a 16-byte tag, at least one segment).
fn sealed_len(plain: u64) -> u64 {
    12 + plain + plain.div_ceil(64 * 1024).max(1) * 16
}

/// The spool file of `job_id`'s first document under `dir`, with its size and first bytes.
fn spool_file(dir: &Path, job_id: i32) -> Option<(PathBuf, u64, Vec<u8>)> {
    let path = dir.join(format!("d{job_id:05}-001"));
    let size = fs::metadata(&path).ok()?.len();
    let mut head = vec![0u8; 16];
    let n = fs::File::open(&path).and_then(|mut f| io::Read::read(&mut f, &mut head)).unwrap_or(0);
    head.truncate(n);
    Some((path, size, head))
}

/// Get-Job-Attributes: job-state, job-state-reasons and job-release-action.
fn job_facts(port: u16, printer_uri: &str, job_id: i32) -> io::Result<(i32, Vec<String>, Option<String>)> {
    let mut msg = Message::new((2, 0), Operation::GetJobAttributes.code(), 1);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    g.push(Attribute::new("printer-uri", Value::Uri(printer_uri.to_string())));
    g.push(Attribute::new("job-id", Value::Integer(job_id)));
    g.push(Attribute::new("requesting-user-name", Value::Name(client::USER.into())));
    g.push(Attribute::set(
        "requested-attributes",
        ["job-state", "job-state-reasons", "job-release-action"].into_iter().map(|k| Value::Keyword(k.into())).collect(),
    ));
    let resp = Conn::connect(port, Duration::from_secs(30))?.call(&format!("/printers/{QUEUE}"), &msg.encode())?;
    if !client::is_ok(resp.code) {
        return Err(client::other(format!("Get-Job-Attributes of job {job_id}: status 0x{:04x}", resp.code)));
    }
    let attr = |name: &str| resp.attr(DelimiterTag::Job, name);
    let state = attr("job-state").and_then(|a| a.first_i32()).unwrap_or(0);
    let reasons = attr("job-state-reasons").map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default();
    let release = attr("job-release-action").and_then(|a| a.first_str()).map(str::to_string);
    Ok((state, reasons, release))
}

/// cupsd must start as root (it drops to `User lp` itself).
fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).and_then(|l| l.split_whitespace().nth(2)).map(|euid| euid == "0"))
        .unwrap_or(false)
}

fn sync() {
    let _ = Command::new("sync").status();
}

/// Runs one server: queue, warm-up, measured rounds (variants alternating), each job checked
/// and purged.
fn run_server(kind: ServerKind, binary: &Path, root: &Path, args: &Args, doc: &[u8], variants: &[Variant]) -> Runs {
    let mut runs = Runs::default();
    let _ = fs::remove_dir_all(root);
    eprintln!("== {kind}: starting {} (dir {})", binary.display(), root.display());
    let mut srv = match BenchServer::start(kind, binary, root, ConfigOpts { cupsd_durable: false }) {
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
        runs.error.get_or_insert_with(|| format!("{kind} died during the run\n{}", srv.log_tail(20)));
    }
    runs
}

fn rounds(srv: &BenchServer, spool: &Path, args: &Args, doc: &[u8], variants: &[Variant], runs: &mut Runs) -> io::Result<()> {
    let kind = srv.kind();
    let out = srv.cups_tool(60, "lpadmin", &["-p", QUEUE, "-E", "-v", "file:///dev/null"])?;
    if out.rc != 0 {
        return Err(client::other(format!("lpadmin -p {QUEUE} -v file:///dev/null failed: {}", out.text())));
    }
    for round in 0..args.warmup + args.rounds {
        let measured = round >= args.warmup;
        let mut order = variants.to_vec();
        if round % 2 == 1 {
            order.reverse();
        }
        for v in order {
            let label = if measured { format!("round {}", round - args.warmup + 1) } else { "warm-up".to_string() };
            let name = format!("bench-{}-{}", variant_name(v), round + 1);
            let s = one_job(srv, spool, args, doc, v, &name)?;
            eprintln!(
                "  [{kind}] {label:<8} {:<12} {:.3} s = {:.0} MB/s, server CPU {}, {} bytes on disk; purge {:.3} s (slowest Get-Jobs meanwhile {})",
                variant_name(v),
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

/// One Print-Job of `doc`, checked, then purged.
fn one_job(srv: &BenchServer, spool: &Path, args: &Args, doc: &[u8], v: Variant, name: &str) -> io::Result<Sample> {
    let (kind, port, uri) = (srv.kind(), srv.port(), srv.printer_uri());
    // Start clean: nothing of the previous job (or of cupsd's unsynced writes) still in flight.
    sync();
    std::thread::sleep(Duration::from_millis(200));
    let header = upload::print_job_header(&uri, client::USER, name, v);
    let cpu0 = srv.cpu_time();
    let up = upload::upload(port, &srv.printer_path(), &header, doc, args.chunked)?;
    let cpu1 = srv.cpu_time();
    let accepted = up.http_status == 200 && up.ipp_status.is_some_and(client::is_ok);
    let Some(job_id) = up.job_id.filter(|_| accepted) else {
        return Err(client::other(format!(
            "{} Print-Job {name} refused: HTTP {}, IPP status {}, \"{}\"",
            variant_name(v),
            up.http_status,
            up.ipp_status.map(|s| format!("0x{s:04x}")).unwrap_or_else(|| "-".into()),
            up.message
        )));
    };

    // The job is held, and its document is on disk, sealed or in the clear as it should be.
    let (state, reasons, release) = job_facts(port, &uri, job_id)?;
    if state != 4 {
        let hint = if v == Variant::Confidential { " (does this quired support confidential jobs? rebuild it)" } else { "" };
        return Err(client::other(format!("job {job_id} ({name}) is in job-state {state} {reasons:?}, not held (4){hint}")));
    }
    let want_release = (v == Variant::Confidential).then_some("owner-authorized");
    if release.as_deref() != want_release {
        return Err(client::other(format!(
            "job {job_id} ({name}): job-release-action {release:?}, expected {want_release:?} (does this quired support confidential jobs? rebuild it)"
        )));
    }
    let Some((file, on_disk, head)) = spool_file(spool, job_id) else {
        return Err(client::other(format!("job {job_id} ({name}) answered but no spool file {}/d{job_id:05}-001", spool.display())));
    };
    let size = doc.len() as u64;
    let problem = match v {
        Variant::Plain if on_disk != size || !doc.starts_with(&head) => Some(format!("{on_disk} bytes, expected {size} in the clear")),
        Variant::Confidential if on_disk != sealed_len(size) || !head.starts_with(b"QVLT") => {
            Some(format!("{on_disk} bytes starting {:02x?}, expected {} sealed (QVLT...)", &head[..head.len().min(4)], sealed_len(size)))
        }
        _ => None,
    };
    if let Some(p) = problem {
        return Err(client::other(format!("{kind} job {job_id} ({name}): spool file {}: {p}", file.display())));
    }

    // Purge it (quired shreds a sealed file first), timing until the file is gone, while
    // another connection sends Get-Jobs back to back.
    let stop = AtomicBool::new(false);
    let (purge, probe) = std::thread::scope(|s| {
        let prober = s.spawn(|| -> Option<f64> {
            let body = client::get_jobs(&uri);
            let mut conn = Conn::connect(port, Duration::from_secs(120)).ok()?;
            let mut worst = 0f64;
            while !stop.load(Ordering::SeqCst) {
                let t = Instant::now();
                conn.call_status(&format!("/printers/{QUEUE}"), &body).ok()?;
                worst = worst.max(t.elapsed().as_secs_f64() * 1000.0);
            }
            Some(worst)
        });
        std::thread::sleep(Duration::from_millis(50));
        let t0 = Instant::now();
        let out = srv.cups_tool(300, "cancel", &["-x", "-a", QUEUE]);
        let gone = loop {
            if !file.exists() {
                break true;
            }
            if t0.elapsed() > Duration::from_secs(300) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let purge = t0.elapsed();
        stop.store(true, Ordering::SeqCst);
        (out.map(|o| (o, gone, purge)), prober.join().ok().flatten())
    });
    let (out, gone, purge) = purge?;
    if out.rc != 0 {
        return Err(client::other(format!("cancel -x -a {QUEUE} after job {job_id}: {}", out.text())));
    }
    if !gone {
        return Err(client::other(format!("{} still there 300 s after cancel -x", file.display())));
    }
    Ok(Sample {
        secs: up.elapsed.as_secs_f64(),
        cpu: cpu0.zip(cpu1).map(|(a, b)| b.saturating_sub(a).as_secs_f64()),
        on_disk,
        purge_secs: purge.as_secs_f64(),
        purge_probe_ms: probe,
    })
}

// ---------------------------------------------------------------------------------------------
// Report

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

struct Row {
    label: String,
    samples: Vec<Sample>,
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg").map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

fn render(args: &Args, header: &[String], rows: &[Row], quired: &Runs, bytes: usize) -> (String, String) {
    let mut t = String::new();
    let mut tsv = String::new();
    for h in header {
        let _ = writeln!(t, "{h}");
        let _ = writeln!(tsv, "# {h}");
    }
    let _ = writeln!(t);
    let plain_median = rows.first().and_then(|r| median(r.samples.iter().map(|s| s.secs).collect()));
    let w = rows.iter().map(|r| r.label.len()).max().unwrap_or(20).max(8);
    let _ = writeln!(
        t,
        "{:<w$} {:>4} {:>9} {:>7} {:>7} {:>7} {:>8} {:>10} {:>12} {:>9} {:>11}",
        "variant", "n", "median s", "min s", "max s", "MB/s", "/ plain", "CPU s", "on disk MB", "purge s", "GJ max ms"
    );
    let _ = writeln!(t, "{}", "-".repeat(w + 95));
    let _ = writeln!(tsv, "variant\tn\tmedian_s\tmin_s\tmax_s\tmb_per_s\tratio_to_quired_plain\tserver_cpu_s\ton_disk_bytes\tpurge_s\tget_jobs_max_ms_during_purge");
    for r in rows {
        let secs: Vec<f64> = r.samples.iter().map(|s| s.secs).collect();
        let med = median(secs.clone());
        let min = secs.iter().copied().reduce(f64::min);
        let max = secs.iter().copied().reduce(f64::max);
        let rate = med.map(|m| bytes as f64 / 1e6 / m);
        let ratio = med.zip(plain_median).map(|(m, p)| m / p);
        let cpu = median(r.samples.iter().filter_map(|s| s.cpu).collect());
        let disk = r.samples.first().map(|s| s.on_disk as f64);
        let purge = median(r.samples.iter().map(|s| s.purge_secs).collect());
        let probe = median(r.samples.iter().filter_map(|s| s.purge_probe_ms).collect());
        let _ = writeln!(
            t,
            "{:<w$} {:>4} {:>9} {:>7} {:>7} {:>7} {:>8} {:>10} {:>12} {:>9} {:>11}",
            r.label,
            r.samples.len(),
            med.map(|m| format!("{m:.3}")).unwrap_or_else(|| "-".into()),
            min.map(|m| format!("{m:.3}")).unwrap_or_else(|| "-".into()),
            max.map(|m| format!("{m:.3}")).unwrap_or_else(|| "-".into()),
            fmt_value(rate),
            ratio.map(|x| format!("{x:.2}x")).unwrap_or_else(|| "-".into()),
            cpu.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into()),
            disk.map(|d| format!("{:.3}", d / 1e6)).unwrap_or_else(|| "-".into()),
            purge.map(|p| format!("{p:.3}")).unwrap_or_else(|| "-".into()),
            fmt_value(probe),
        );
        let num = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| format!("{v:.4}")).unwrap_or_default();
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.label.trim(),
            r.samples.len(),
            num(med),
            num(min),
            num(max),
            num(rate),
            num(ratio),
            num(cpu),
            disk.map(|d| format!("{d:.0}")).unwrap_or_default(),
            num(purge),
            num(probe)
        );
    }
    // The answer to the question: confidential / plain on the same quired.
    let p = median(quired.plain.iter().map(|s| s.secs).collect());
    let c = median(quired.confidential.iter().map(|s| s.secs).collect());
    if let (Some(p), Some(c)) = (p, c) {
        let pairs: Vec<f64> = quired.plain.iter().zip(&quired.confidential).map(|(p, c)| c.secs / p.secs).collect();
        let _ = writeln!(
            t,
            "\nConfidential / plain on quired: {:.2}x (ratio of the medians: {c:.3} s / {p:.3} s); per round: {} (median {:.2}x)",
            c / p,
            pairs.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>().join(" "),
            median(pairs.clone()).unwrap_or(f64::NAN)
        );
        let _ = writeln!(tsv, "# confidential_over_plain\t{:.4}\tper_round_median\t{:.4}", c / p, median(pairs).unwrap_or(f64::NAN));
    }
    let _ = writeln!(
        t,
        "Times: first byte sent to the whole IPP answer, {}. MB = 10^6 bytes; / plain = median / quired plain's median.\n\
         CPU s: user + system time of the server process during the upload (median; 10 ms resolution).\n\
         purge s: `cancel -x -a Q` until the spool file is gone (median); GJ max ms: the slowest Get-Jobs on another \
         connection during that purge (median over the rounds).",
        if args.chunked { "Transfer-Encoding: chunked" } else { "Content-Length" }
    );
    let _ = writeln!(t, "Per round (s):");
    for r in rows {
        let _ = writeln!(t, "  {:<w$} {}", r.label, r.samples.iter().map(|s| format!("{:.3}", s.secs)).collect::<Vec<_>>().join(" "));
    }
    (t, tsv)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("quire-bench-confidential: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let quired_bin = common::quired_or_exit("quire-bench-confidential", args.quired.clone(), false);
    let missing: Vec<&str> =
        ["lpadmin", "cancel", "timeout", "kill", "sync"].into_iter().filter(|p| !quire_tests::process::have_program(p)).collect();
    if !missing.is_empty() {
        eprintln!("quire-bench-confidential: missing {missing:?}: run tests/scripts/install-test-deps");
        std::process::exit(1);
    }
    let bench_dir = target_dir().join("bench");
    if let Err(e) = fs::create_dir_all(&bench_dir) {
        eprintln!("quire-bench-confidential: cannot create {}: {e}", bench_dir.display());
        std::process::exit(1);
    }
    if let Some(f) = args.pin_flood {
        pin_flood(&args, f, &quired_bin, &bench_dir);
        return;
    }
    let load_before = loadavg();
    let started = Instant::now();
    let doc = upload::payload(args.mib * MIB);

    let run = |kind: ServerKind, bin: &Path, variants: &[Variant]| -> Runs {
        let root = bench_dir.join(format!("confidential-{kind}"));
        let t0 = Instant::now();
        let r = run_server(kind, bin, &root, &args, &doc, variants);
        eprintln!("== {kind}: done in {:.0} s", t0.elapsed().as_secs_f64());
        if !args.keep {
            let _ = fs::remove_dir_all(&root);
        }
        r
    };
    let quired = run(ServerKind::Quired, &quired_bin, &[Variant::Plain, Variant::Confidential]);
    let cupsd_skipped = if args.skip_cupsd {
        Some("skipped (--skip-cupsd)".to_string())
    } else if !args.cupsd.is_file() {
        Some(format!("not measured: no {}", args.cupsd.display()))
    } else if !is_root() {
        Some("not measured: cupsd needs root".to_string())
    } else {
        None
    };
    let cupsd = match &cupsd_skipped {
        Some(_) => Runs::default(),
        None => run(ServerKind::Cupsd, &args.cupsd, &[Variant::Plain]),
    };

    let size = doc.len();
    let header = vec![
        format!("quire-bench-confidential {}", common::utc_now()),
        {
            let m = common::Machine::read();
            format!("Machine: {} CPU cores ({}), Linux {}; load average {load_before} before, {} after", m.cpus, m.model, m.kernel, loadavg())
        },
        format!(
            "Document: {} MiB ({size} bytes) of random data, document-format application/octet-stream, one Print-Job per job over \
             loopback TCP ({}), 1 MiB writes{}",
            args.mib,
            if args.chunked { "Transfer-Encoding: chunked" } else { "Content-Length" },
            if args.mib != 100 { " -- SIZE CHANGED from 100 MiB with --mib" } else { "" }
        ),
        format!(
            "Rounds: {} warm-up + {} measured per variant; quired plain and confidential alternate (ABBA) on one running quired ({}); \
             each job is checked (held, spool file sealed or clear) and purged, and `sync` runs, before the next",
            args.warmup,
            args.rounds,
            quired_bin.display()
        ),
        "Durability: quired answers after the spool file is fdatasync'ed and renamed, the directory fsynced and the job row \
         committed; cupsd answers without fsync (SyncOnClose No), so part of its figure is the page cache"
            .to_string(),
    ];
    let mut rows = vec![
        Row { label: "quired plain, held (job-hold-until)".into(), samples: quired.plain.clone() },
        Row { label: "quired confidential (encrypted at rest)".into(), samples: quired.confidential.clone() },
    ];
    if cupsd_skipped.is_none() {
        rows.push(Row { label: "cupsd plain, held (reference)".into(), samples: cupsd.plain.clone() });
    }
    let (mut table, mut tsv) = render(&args, &header, &rows, &quired, size);
    if let Some(why) = &cupsd_skipped {
        let _ = writeln!(table, "NOTE cupsd: {why}");
        let _ = writeln!(tsv, "# NOTE cupsd: {why}");
    }
    let mut failed = false;
    for (name, r) in [("quired", &quired), ("cupsd", &cupsd)] {
        for n in &r.notes {
            let _ = writeln!(table, "NOTE {name}: {n}");
        }
        if let Some(e) = &r.error {
            failed = true;
            let _ = writeln!(table, "ERROR {name}: {e}");
            let _ = writeln!(tsv, "# ERROR {name}: {}", e.replace('\n', " | "));
        }
    }
    println!("\n{table}");
    let out = args.out.clone().unwrap_or_else(|| bench_dir.join("confidential-results.tsv"));
    match fs::write(&out, tsv) {
        Ok(()) => eprintln!("results written to {} ({:.0} s in all)", out.display(), started.elapsed().as_secs_f64()),
        Err(e) => eprintln!("quire-bench-confidential: cannot write {}: {e}", out.display()),
    }
    if failed {
        eprintln!("quire-bench-confidential: FAILED (see ERROR above)");
        std::process::exit(1);
    }
}

/// `--pin-flood`: Get-Jobs idle and under the flood, for quired and (unless skipped) cupsd.
fn pin_flood(args: &Args, f: flood::Flood, quired_bin: &Path, bench_dir: &Path) {
    println!("quire-bench-confidential --pin-flood {}", common::utc_now());
    let m = common::Machine::read();
    println!("Machine: {} CPU cores ({}), Linux {}; load average {}", m.cpus, m.model, m.kernel, loadavg());
    println!("Flood: {} connections sending {} back to back for {} s; one other connection sends Get-Jobs meanwhile.", args.conns, f.name(), args.secs);
    let mut servers = vec![(ServerKind::Quired, quired_bin.to_path_buf())];
    if !args.skip_cupsd && args.cupsd.is_file() && is_root() {
        servers.push((ServerKind::Cupsd, args.cupsd.clone()));
    }
    for (kind, bin) in servers {
        let root = bench_dir.join(format!("pin-flood-{kind}"));
        let _ = fs::remove_dir_all(&root);
        let result = BenchServer::start(kind, &bin, &root, ConfigOpts { cupsd_durable: false }).and_then(|mut srv| {
            let out = srv.cups_tool(60, "lpadmin", &["-p", QUEUE, "-E", "-v", "file:///dev/null"])?;
            if out.rc != 0 {
                return Err(client::other(format!("lpadmin: {}", out.text())));
            }
            let r = flood::measure(srv.port(), &srv.printer_path(), &srv.printer_uri(), f, args.conns, args.secs);
            let _ = srv.stop(Duration::from_secs(30));
            r
        });
        match result {
            Ok(r) => {
                println!("{kind} ({}):", bin.display());
                println!("  Get-Jobs idle:         {}", flood::describe(&r.idle));
                println!("  Get-Jobs under flood:  {}", flood::describe(&r.flooded));
                println!("  flood requests:        {} successful-ok, {} refused or failed", r.flood_ok, r.flood_refused);
            }
            Err(e) => println!("{kind}: not measured: {e}"),
        }
        if !args.keep {
            let _ = fs::remove_dir_all(&root);
        }
    }
}
