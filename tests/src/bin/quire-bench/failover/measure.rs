//! One failover run on each server, timed and checked against the simulators' page logs.
//!
//! Instants are the simulators' page-log stamps (`ms`, unix milliseconds, written when an
//! impression finishes printing). The fault instant is the stamp of the origin's last page
//! (page `--fault-after`): quire-sim sets media-empty-error in the same locked step that logs
//! that page (tests/sim/src/engine.rs `commit`), which is also when the next page would have
//! started. The remainder instant is the stamp of the first page of the job logged by any
//! other printer, i.e. the end of that page's impression (one page time after it started).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use quire_tests::fleet::FLEET;
use quire_tests::simulated_printer::{marked_pdf, Sim, SimFault};

use super::{admin, Args, ORIGIN};
use crate::client::Conn;
use crate::env::unix_ms;
use crate::fleet::{Fleet, JobInfo, JobSpec, COMPLETED};

/// One impression of the job under test, from a page log.
#[derive(Debug, Clone)]
struct Page {
    printer: String,
    /// The marker's page number; the simulator's own page number when the marker is hidden.
    page: u32,
    marked: bool,
    ms: u64,
}

/// What one quired run measured.
#[derive(Debug, Clone)]
pub struct QuireRun {
    pub grace: u32,
    /// Print-Job sent to the fault instant.
    pub submit_to_fault_ms: i64,
    /// Fault instant to the first / last page of the remainder on another printer.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    /// Pages the origin printed, and each other printer that printed some, with its count.
    pub origin_pages: usize,
    pub remainder_on: Vec<(String, usize)>,
    /// Why the run is not correct (lost, duplicated or misplaced pages), if it is not.
    pub check_error: Option<String>,
}

impl QuireRun {
    /// Fault to first remainder page, minus the grace time, in seconds.
    pub fn beyond_grace_s(&self) -> Option<f64> {
        self.first_ms.map(|ms| ms as f64 / 1000.0 - f64::from(self.grace))
    }

    pub fn summary(&self) -> String {
        let on: Vec<String> = self.remainder_on.iter().map(|(n, c)| format!("{n}:{c}")).collect();
        format!(
            "fault {:.2} s after Print-Job; fault -> 1st remainder page {} s ({} s beyond grace {} s), last {} s; {ORIGIN}:{} {}; {}",
            self.submit_to_fault_ms as f64 / 1000.0,
            secs(self.first_ms),
            self.beyond_grace_s().map_or("-".into(), |s| format!("{s:.2}")),
            self.grace,
            secs(self.last_ms),
            self.origin_pages,
            on.join(" "),
            self.check_error.as_deref().unwrap_or("every page exactly once")
        )
    }
}

fn secs(ms: Option<i64>) -> String {
    ms.map_or("-".into(), |ms| format!("{:.2}", ms as f64 / 1000.0))
}

/// What one cupsd run saw.
#[derive(Debug, Clone)]
pub struct CupsRun {
    pub origin_pages: usize,
    /// Fault instant to the first page of the job on another printer (None: none printed).
    pub moved_ms: Option<i64>,
    /// Pages each other printer printed for the job.
    pub elsewhere: Vec<(String, Vec<u32>)>,
    /// How long after the fault the bench watched.
    pub watched_ms: i64,
    /// The job at cupsd when the watch ended.
    pub job_state: Option<i32>,
    pub job_message: String,
    /// The origin simulator's state and reasons when the watch ended.
    pub origin_status: String,
}

impl CupsRun {
    pub fn summary(&self) -> String {
        let moved = match self.moved_ms {
            Some(ms) => format!(
                "first page elsewhere {:.2} s after the fault: {:?}",
                ms as f64 / 1000.0,
                self.elsewhere
            ),
            None => format!(
                "no page elsewhere in {:.1} s after the fault",
                self.watched_ms as f64 / 1000.0
            ),
        };
        format!(
            "{ORIGIN}:{} pages; {moved}; job-state {} ({:?}); {ORIGIN} {}",
            self.origin_pages,
            self.job_state.map_or("?".into(), |s| s.to_string()),
            self.job_message,
            self.origin_status
        )
    }
}

fn diff(later: u64, earlier: u64) -> i64 {
    later as i64 - earlier as i64
}

fn sim<'a>(sims: &'a [Sim], name: &str) -> Result<&'a Sim, String> {
    sims.iter().find(|s| s.name == name).ok_or_else(|| format!("no simulator named {name}"))
}

/// Every impression of job `tag` in the simulators' page logs: pages whose marker is the
/// job's, or (the marker hidden, as behind cupsd's pdftopdf) whose job name is `tag`.
fn job_pages(sims: &[Sim], tag: &str) -> Result<Vec<Page>, String> {
    let prefix = format!("QPAGE:{tag}:p");
    let mut out = Vec::new();
    for s in sims {
        let log = s.page_log().map_err(|e| format!("page log of {}: {e}", s.name))?;
        for rec in log {
            let page = match rec.marker.as_deref().and_then(|m| m.strip_prefix(&prefix)) {
                Some(n) => {
                    let n = n
                        .parse::<u32>()
                        .map_err(|_| format!("stray marker on {}: {:?}", s.name, rec.marker))?;
                    Page { printer: s.name.clone(), page: n, marked: true, ms: rec.ms }
                }
                None if rec.marker.is_none() && rec.job_name == tag => {
                    Page { printer: s.name.clone(), page: rec.page, marked: false, ms: rec.ms }
                }
                None => continue,
            };
            out.push(page);
        }
    }
    Ok(out)
}

/// Whether `printer` is at least as secure as `origin` (authentication method, encryption,
/// storage erasure), by the fleet's facts.
fn qualifies(origin: &str, printer: &str) -> bool {
    const AUTHS: [&str; 4] = ["none", "pin", "id-card", "biometric"];
    let facts = |name: &str| {
        FLEET.iter().find(|f| f.0 == name).map(|&(_, auth, enc, erase)| {
            (AUTHS.iter().position(|a| *a == auth).unwrap_or(0), enc, erase)
        })
    };
    match (facts(origin), facts(printer)) {
        (Some(o), Some(p)) => p.0 >= o.0 && p.1 >= o.1 && p.2 >= o.2,
        _ => false,
    }
}

/// The origin simulator repaired (if a fault is left) and idle, ready for the next run.
fn ready_origin(origin: &Sim) -> Result<(), String> {
    let st = origin.status().map_err(|e| format!("{ORIGIN} status: {e}"))?;
    if st.state == "stopped" || st.reasons.iter().any(|r| r != "none") {
        origin.repair().map_err(|e| format!("repairing {ORIGIN}: {e}"))?;
    }
    origin
        .wait_idle(Duration::from_secs(60))
        .map(drop)
        .map_err(|e| format!("{ORIGIN} not idle: {e}"))
}

/// Get-Job-Attributes, reconnecting once if the keep-alive connection was closed.
fn job_state(fleet: &Fleet, conn: &mut Conn, id: i32) -> Result<JobInfo, String> {
    match fleet.job_state(conn, id) {
        Ok(info) => Ok(info),
        Err(_) => {
            *conn = fleet.connect().map_err(|e| e.to_string())?;
            fleet.job_state(conn, id).map_err(|e| e.to_string())
        }
    }
}

/// Waits until job `id` is completed; an error if it ends otherwise or `limit` passes.
fn wait_completed(fleet: &Fleet, id: i32, limit: Duration) -> Result<(), String> {
    let mut conn = fleet.connect().map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    loop {
        let info = job_state(fleet, &mut conn, id)?;
        match info.state {
            Some(COMPLETED) => return Ok(()),
            Some(s @ (7 | 8)) => {
                return Err(format!("job {id} ended in state {s}: {}", info.message))
            }
            s if t0.elapsed() >= limit => {
                return Err(format!(
                    "job {id} not completed after {} s: state {s:?} ({})",
                    limit.as_secs(),
                    info.message
                ))
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Submits the marked PDF `tag` to `queue`; the job id and the time it was sent.
fn submit(fleet: &Fleet, queue: &str, args: &Args, tag: &str) -> Result<(i32, u64), String> {
    let pdf = marked_pdf(tag, args.pages);
    let sent = unix_ms();
    let job = JobSpec { tag: tag.to_string(), copies: 1, split: false };
    let (id, _) = fleet.submit(queue, &job, &pdf).map_err(|e| e.to_string())?;
    Ok((id, sent))
}

/// One quired run: fault injected on the origin, the job sent to it, waited for until
/// completed; then the origin repaired (a device job quired failed to stop would now print
/// its pages a second time) and the page logs checked and timed.
pub fn quired_run(
    fleet: &Fleet,
    sims: &[Sim],
    args: &Args,
    grace: u32,
    tag: &str,
) -> Result<QuireRun, String> {
    let origin = sim(sims, ORIGIN)?;
    ready_origin(origin)?;
    origin
        .fault(SimFault::MediaEmptyAfter(args.fault_after))
        .map_err(|e| format!("fault on {ORIGIN}: {e}"))?;
    let (id, sent) = submit(fleet, ORIGIN, args, tag)?;
    let waited = wait_completed(fleet, id, args.timeout);
    origin.repair().map_err(|e| format!("repairing {ORIGIN}: {e}"))?;
    origin
        .wait_idle(Duration::from_secs(60))
        .map_err(|e| format!("{ORIGIN} not idle after repair: {e}"))?;
    // Anything still on its way to a page log gets two page times to arrive.
    std::thread::sleep(2 * quire_page_time(args) + Duration::from_millis(200));
    let pages = job_pages(sims, tag)?;
    if let Err(e) = waited {
        return Err(format!("{e}; pages logged: {}", describe(&pages)));
    }
    Ok(analyse_quired(&pages, args, grace, sent))
}

fn quire_page_time(args: &Args) -> Duration {
    Duration::from_secs_f64(60.0 / f64::from(args.ppm.max(1)))
}

/// "office:1-7 secure:8-20" (in log order), for error messages.
fn describe(pages: &[Page]) -> String {
    let mut by: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for p in pages {
        by.entry(p.printer.as_str()).or_default().push(p.page);
    }
    let parts: Vec<String> = by.iter().map(|(n, v)| format!("{n}:{v:?}")).collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" ")
    }
}

/// Times and checks one quired run's pages.
fn analyse_quired(pages: &[Page], args: &Args, grace: u32, sent: u64) -> QuireRun {
    let mut errors = Vec::new();
    let unmarked = pages.iter().filter(|p| !p.marked).count();
    if unmarked > 0 {
        errors.push(format!("{unmarked} impressions without their marker"));
    }
    let mut tally: BTreeMap<u32, usize> = BTreeMap::new();
    for p in pages.iter().filter(|p| p.marked) {
        *tally.entry(p.page).or_default() += 1;
    }
    let pages_of_job = 1..=args.pages;
    let wrong: Vec<String> = pages_of_job
        .clone()
        .chain(tally.keys().copied().filter(|n| !pages_of_job.contains(n)))
        .filter_map(|n| {
            let c = tally.get(&n).copied().unwrap_or(0);
            (c != 1 || !pages_of_job.contains(&n)).then(|| format!("p{n}x{c}"))
        })
        .collect();
    if !wrong.is_empty() {
        errors.push(format!("NOT exactly once: {}", wrong.join(" ")));
    }
    let mut on_origin: Vec<&Page> = pages.iter().filter(|p| p.printer == ORIGIN).collect();
    on_origin.sort_by_key(|p| p.ms);
    let origin_list: Vec<u32> = on_origin.iter().map(|p| p.page).collect();
    if origin_list != (1..=args.fault_after).collect::<Vec<_>>() {
        errors.push(format!("{ORIGIN} printed pages {origin_list:?}, not 1-{}", args.fault_after));
    }
    let mut remainder_on: BTreeMap<String, usize> = BTreeMap::new();
    for p in pages.iter().filter(|p| p.printer != ORIGIN) {
        *remainder_on.entry(p.printer.clone()).or_default() += 1;
    }
    for name in remainder_on.keys().filter(|n| !qualifies(ORIGIN, n)) {
        errors.push(format!("pages printed on {name}, which is less secure than {ORIGIN}"));
    }
    let fault = on_origin.last().map(|p| p.ms);
    let others = || pages.iter().filter(|p| p.printer != ORIGIN).map(|p| p.ms);
    let (first, last) = match fault {
        Some(f) => (others().min().map(|m| diff(m, f)), others().max().map(|m| diff(m, f))),
        None => (None, None),
    };
    if first.is_none() {
        errors.push("no page of the remainder on another printer".into());
    }
    QuireRun {
        grace,
        submit_to_fault_ms: fault.map_or(0, |f| diff(f, sent)),
        first_ms: first,
        last_ms: last,
        origin_pages: on_origin.len(),
        remainder_on: remainder_on.into_iter().collect(),
        check_error: (!errors.is_empty()).then(|| errors.join("; ")),
    }
}

/// Polls the page logs every 50 ms until `done` holds for the job's pages; the pages then,
/// or an error after `limit`.
fn wait_pages(
    sims: &[Sim],
    tag: &str,
    limit: Duration,
    what: &str,
    done: impl Fn(&[Page]) -> bool,
) -> Result<Vec<Page>, String> {
    let t0 = Instant::now();
    loop {
        let pages = job_pages(sims, tag)?;
        if done(&pages) {
            return Ok(pages);
        }
        if t0.elapsed() >= limit {
            return Err(format!(
                "{what}: not seen in {} s; pages logged: {}",
                limit.as_secs(),
                describe(&pages)
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One cupsd run: the fault on the origin, the other class members disabled until the job
/// prints its first page on the origin, then enabled again, and the page logs watched for
/// `args.cupsd_wait()` after the fault. The job is then cancelled and the origin repaired.
pub fn cupsd_run(fleet: &Fleet, sims: &[Sim], args: &Args, tag: &str) -> Result<CupsRun, String> {
    let origin = sim(sims, ORIGIN)?;
    ready_origin(origin)?;
    origin
        .fault(SimFault::MediaEmptyAfter(args.fault_after))
        .map_err(|e| format!("fault on {ORIGIN}: {e}"))?;
    admin::others_enabled(fleet, false).map_err(|e| e.to_string())?;
    let started = submit(fleet, admin::CLASS, args, tag).and_then(|(id, _)| {
        let on_origin = |p: &[Page]| p.iter().any(|p| p.printer == ORIGIN);
        wait_pages(sims, tag, Duration::from_secs(60), "the job's first page on office", on_origin)
            .map(|_| id)
    });
    // Enabled again whatever happened: from now on the class has two idle qualifying printers.
    let enabled = admin::others_enabled(fleet, true).map_err(|e| e.to_string());
    let id = started?;
    enabled?;
    let run = watch_cupsd(fleet, sims, args, tag, id);
    let cancelled = admin::tool(fleet, "cancel", &[&id.to_string()]).map_err(|e| e.to_string());
    let mut conn = fleet.connect().map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(30)
        && job_state(fleet, &mut conn, id)?.state.is_some_and(|s| s < 7)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    ready_origin(origin)?;
    cancelled?;
    run
}

/// From the origin's last page on, whether and when any page of the job prints elsewhere.
fn watch_cupsd(
    fleet: &Fleet,
    sims: &[Sim],
    args: &Args,
    tag: &str,
    id: i32,
) -> Result<CupsRun, String> {
    let n = args.fault_after as usize;
    let stopped = |p: &[Page]| p.iter().filter(|p| p.printer == ORIGIN).count() >= n;
    let pages = wait_pages(
        sims,
        tag,
        Duration::from_secs(60),
        "office's last page before the fault",
        stopped,
    )?;
    let fault = pages.iter().filter(|p| p.printer == ORIGIN).map(|p| p.ms).max().unwrap_or(0);
    let wait_ms = args.cupsd_wait().as_millis() as u64;
    let elsewhere =
        |p: &[Page]| p.iter().any(|p| p.printer != ORIGIN) || unix_ms() >= fault + wait_ms;
    let pages = wait_pages(
        sims,
        tag,
        args.cupsd_wait() + Duration::from_secs(5),
        "the end of the watch",
        elsewhere,
    )?;
    let watched_ms = diff(unix_ms(), fault);
    let mut conn = fleet.connect().map_err(|e| e.to_string())?;
    let info = job_state(fleet, &mut conn, id)?;
    let status = sim(sims, ORIGIN)?.status().map_err(|e| format!("{ORIGIN} status: {e}"))?;
    let mut by: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for p in pages.iter().filter(|p| p.printer != ORIGIN) {
        by.entry(p.printer.clone()).or_default().push(p.page);
    }
    let first_elsewhere = pages.iter().filter(|p| p.printer != ORIGIN).map(|p| p.ms).min();
    Ok(CupsRun {
        origin_pages: pages.iter().filter(|p| p.printer == ORIGIN).count(),
        moved_ms: first_elsewhere.map(|m| diff(m, fault)),
        elsewhere: by.into_iter().collect(),
        watched_ms,
        job_state: info.state,
        job_message: info.message,
        origin_status: format!("{} [{}]", status.state, status.reasons.join(", ")),
    })
}
