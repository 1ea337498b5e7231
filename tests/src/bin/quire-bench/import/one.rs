//! One server's run: its copy of the install, its first start on it (timed, then checked
//! against what the install holds), and its second start on the state it keeps.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use quire_ipp::{DelimiterTag, JobState, Operation, PrinterState};
use quire_tests::cli::{cups_tool_timeout, Via};
use quire_tests::{Server, ServerKind};

use super::install::{self, Install};
use super::takeover::{self, Expect, GaveUp, Start};
use super::Args;
use crate::figures::Results;
use crate::load::ms;
use crate::server::{self as bench_server, ConfigOpts};

/// The figures of one start.
struct Ids {
    name: &'static str,
    ipp: &'static str,
    printers: &'static str,
    jobs: &'static str,
    cpu: &'static str,
    hwm: &'static str,
    rss: &'static str,
}

const FIRST: Ids = Ids {
    name: "first start",
    ipp: "first_ipp",
    printers: "first_printers",
    jobs: "first_jobs",
    cpu: "first_cpu",
    hwm: "first_hwm",
    rss: "first_rss",
};

const AGAIN: Ids = Ids {
    name: "second start",
    ipp: "again_ipp",
    printers: "again_printers",
    jobs: "again_jobs",
    cpu: "again_cpu",
    hwm: "again_hwm",
    rss: "again_rss",
};

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Copies the install at `source` into `root`, starts `binary` on it twice, and measures.
pub fn bench_one(
    kind: ServerKind,
    binary: &Path,
    root: &Path,
    source: &Path,
    args: &Args,
    made: &Install,
) -> Results {
    let mut r = Results::new(super::METRICS);
    let t = Instant::now();
    if let Err(e) = install::copy_tree(source, root) {
        r.note(kind, format!("cannot copy the install to {}: {e}", root.display()));
        return r;
    }
    eprintln!(
        "== {kind}: install copied in {:.1} s; starting {}",
        t.elapsed().as_secs_f64(),
        binary.display()
    );
    let expect = Expect { queues: made.printers + made.classes, jobs: made.jobs };
    let t0 = Instant::now();
    // LogLevel info: quired logs its import's summary at that level (cupsd logs nothing
    // per printer or job there).
    let write = |root: &Path, port| {
        let (conf, files) = bench_server::config(root, port, ConfigOpts::default());
        Ok((conf.replace("LogLevel warn", "LogLevel info"), files))
    };
    let mut srv = match Server::spawn_configured_in(root, kind, binary, &[], write) {
        Ok(s) => s,
        Err(e) => {
            r.note(kind, format!("could not start: {e}"));
            return r;
        }
    };
    let first = timed_start(&mut srv, &mut r, &FIRST, expect, t0, args.cap).gave_up.is_none();
    if first {
        checks(&srv, &mut r, made);
        if args.lpstat {
            lpstat(&srv, &mut r, args.cap);
        }
    }
    if kind == ServerKind::Quired {
        import_line(&srv, &mut r);
    }
    match srv.stop(Duration::from_secs(120)) {
        Ok(took) => r.set("stop", ms(took)),
        Err(e) => r.note(kind, format!("stop after the first start: {e}")),
    }
    if !first {
        r.note(kind, "no second start: the first did not take the install over".into());
        return r;
    }
    again(&mut srv, &mut r, expect, args.cap);
    r
}

/// The second start, on the state the server kept.
fn again(srv: &mut Server, r: &mut Results, expect: Expect, cap: Duration) {
    let kind = srv.kind();
    eprintln!("== {kind}: second start");
    let t0 = Instant::now();
    if let Err(e) = srv.respawn() {
        return r.note(kind, format!("could not start again: {e}"));
    }
    let start = timed_start(srv, r, &AGAIN, expect, t0, cap);
    if start.answered.is_some() {
        r.set("again_n_printers", start.queues as f64);
        r.set("again_n_jobs", start.jobs as f64);
    }
    if let Some(e) = bench_server::stop_if_running(srv, Duration::from_secs(120)) {
        r.note(kind, format!("stop after the second start: {e}"));
    }
}

/// Watches the start spawned at `t0` and records its figures under `ids`; what it showed.
fn timed_start(
    srv: &mut Server,
    r: &mut Results,
    ids: &Ids,
    expect: Expect,
    t0: Instant,
    cap: Duration,
) -> Start {
    let kind = srv.kind();
    let socket = srv.socket_path();
    let start = takeover::watch(&socket, expect, t0, cap, || srv.is_alive());
    let cpu = srv.cpu_time(false);
    let mem = srv.rss_kib();
    eprintln!("  [{kind}] {start:?}");
    record(r, kind, ids, &start, cap);
    if let Some(cpu) = cpu {
        r.set(ids.cpu, cpu.as_secs_f64());
    }
    if let Some((rss, hwm)) = mem {
        r.set(ids.hwm, mib(hwm));
        if start.gave_up.is_none() {
            r.set(ids.rss, mib(rss));
        }
    }
    if start.gave_up == Some(GaveUp::Exited) {
        r.note(kind, format!("log tail:\n{}", srv.log_tail(20)));
    }
    start
}

fn record(r: &mut Results, kind: ServerKind, ids: &Ids, start: &Start, cap: Duration) {
    let steps =
        [(ids.ipp, start.answered), (ids.printers, start.printers_at), (ids.jobs, start.jobs_at)];
    for (id, at) in steps {
        match (at, &start.gave_up) {
            (Some(at), _) => r.set(id, ms(at)),
            (None, Some(GaveUp::Cap)) => r.set_more_than(id, ms(cap)),
            (None, _) => {}
        }
    }
    match &start.gave_up {
        None => {}
        Some(GaveUp::Cap) => r.note(
            kind,
            format!(
                "{}: more than {:.0} s (had listed {} printers and classes, {} jobs)",
                ids.name,
                cap.as_secs_f64(),
                start.queues,
                start.jobs
            ),
        ),
        Some(GaveUp::Stalled(what)) => {
            r.note(kind, format!("{}: did not take the install over: {what}", ids.name))
        }
        Some(GaveUp::Exited) => r.note(kind, format!("{}: the server exited", ids.name)),
    }
}

/// What the server shows of the rest of the install (untimed).
fn checks(srv: &Server, r: &mut Results, made: &Install) {
    let (kind, socket, limit) = (srv.kind(), srv.socket_path(), Duration::from_secs(600));
    let names = ["printer-name", "printer-state", "printer-make-and-model"];
    match takeover::call(&socket, limit, &takeover::cups_get_printers(&names)) {
        Ok(resp) => {
            let p = DelimiterTag::Printer;
            r.set("n_printers", takeover::groups(&resp, p) as f64);
            let stopped = PrinterState::Stopped as i32;
            r.set(
                "n_stopped",
                takeover::groups_with_int(&resp, p, "printer-state", stopped) as f64,
            );
            let nick = made.ppd_nick.as_deref().unwrap_or("");
            r.set("n_ppd", takeover::groups_with(&resp, p, "printer-make-and-model", nick) as f64);
        }
        Err(e) => r.note(kind, format!("CUPS-Get-Printers: {e}")),
    }
    let classes = takeover::request(Operation::CupsGetClasses, &["printer-name"]);
    match takeover::call(&socket, limit, &classes) {
        Ok(resp) => r.set("n_classes", takeover::groups(&resp, DelimiterTag::Printer) as f64),
        Err(e) => r.note(kind, format!("CUPS-Get-Classes: {e}")),
    }
    let default = takeover::request(Operation::CupsGetDefault, &["printer-name"]);
    match takeover::call(&socket, limit, &default) {
        Ok(resp) => {
            let name = install::printer_name(0);
            let is = takeover::groups_with(&resp, DelimiterTag::Printer, "printer-name", &name);
            r.set("n_default", is as f64);
        }
        Err(e) => r.note(kind, format!("CUPS-Get-Default: {e}")),
    }
    let subs = takeover::request(Operation::GetSubscriptions, &["notify-subscription-id"]);
    match takeover::call(&socket, limit, &subs) {
        Ok(resp) => r.set("n_subs", takeover::groups(&resp, DelimiterTag::Subscription) as f64),
        Err(e) => r.note(kind, format!("Get-Subscriptions: {e}")),
    }
    match takeover::call(&socket, limit, &takeover::get_jobs_all(&["job-id", "job-state"])) {
        Ok(resp) => {
            let j = DelimiterTag::Job;
            r.set("n_jobs", takeover::groups(&resp, j) as f64);
            let held = JobState::Held as i32;
            r.set("n_held", takeover::groups_with_int(&resp, j, "job-state", held) as f64);
        }
        Err(e) => r.note(kind, format!("Get-Jobs: {e}")),
    }
}

/// `lpstat -p` and `lpstat -o` over the socket, their lines counted.
fn lpstat(srv: &Server, r: &mut Results, cap: Duration) {
    for (flag, id, starts) in [("-p", "lpstat_p", "printer "), ("-o", "lpstat_o", "")] {
        match cups_tool_timeout(srv, Via::Socket, cap.as_secs().max(30), "lpstat", &[flag]) {
            Ok(out) if out.rc == 0 => {
                let n = out.stdout.lines().filter(|l| !l.is_empty() && l.starts_with(starts));
                r.set(id, n.count() as f64);
            }
            Ok(out) => r.note(srv.kind(), format!("lpstat {flag}: {}", out.text().trim())),
            Err(e) => r.note(srv.kind(), format!("lpstat {flag}: {e}")),
        }
    }
}

/// quired's `Imported N printers, ... in T s` line from its error log, if it wrote one.
fn import_line(srv: &Server, r: &mut Results) {
    let text = fs::read_to_string(srv.error_log()).unwrap_or_default();
    let Some(line) = text.lines().find(|l| l.contains("Imported") && l.contains("from CUPS"))
    else {
        return r.note(srv.kind(), "no \"Imported ... from CUPS\" line in its error log".into());
    };
    r.note(srv.kind(), format!("logged: {}", line.trim()));
    let secs = line.split_once("from CUPS in ").and_then(|(_, t)| t.split_whitespace().next());
    if let Some(secs) = secs.and_then(|s| s.parse::<f64>().ok()) {
        r.set("import_logged", secs);
    }
}
