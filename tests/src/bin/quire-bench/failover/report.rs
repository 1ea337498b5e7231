//! The failover benchmark's table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use quire_tests::fleet::FLEET;

use super::admin::{CLASS, OTHERS};
use super::measure::{CupsRun, QuireRun};
use super::{Args, ORIGIN, PROG};
use crate::env::{self, Machine};
use crate::figures::fmt_value;

/// The target: the remainder's first page at most this long after the grace time ended.
pub const TARGET_BEYOND_GRACE_S: f64 = 2.0;

pub struct Report<'a> {
    pub args: &'a Args,
    pub quired: &'a Path,
    /// The cupsd binary, or why cupsd was not measured.
    pub cupsd: &'a str,
    pub quire: &'a [QuireRun],
    pub cups: &'a [CupsRun],
    pub errors: &'a [String],
    pub notes: &'a [String],
}

/// The median and largest of `v`.
fn median_max(mut v: Vec<f64>) -> Option<(f64, f64)> {
    v.sort_by(f64::total_cmp);
    let hi = *v.last()?;
    let mid = v.len() / 2;
    let median = if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 };
    Some((median, hi))
}

fn machine_line() -> String {
    let m = Machine::read();
    format!(
        "{} CPU cores ({}), Linux {}, load average {}",
        m.cpus,
        m.model,
        m.kernel,
        env::loadavg()
    )
}

fn fleet_line() -> String {
    let printers: Vec<String> = FLEET
        .iter()
        .map(|(name, auth, enc, erase)| {
            let mut facts = vec![auth.to_string()];
            facts.extend(enc.then(|| "encrypts".to_string()));
            facts.extend(erase.then(|| "erases".to_string()));
            format!("{name} ({})", facts.join(", "))
        })
        .collect();
    printers.join(", ")
}

impl Report<'_> {
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.header(&mut out);
        self.table(&mut out);
        self.per_run(&mut out);
        for (title, list) in [("NOTES", self.notes), ("ERRORS", self.errors)] {
            if !list.is_empty() {
                let _ = writeln!(out, "\n{title} ({}):", list.len());
                for e in list {
                    let _ = writeln!(out, "  - {e}");
                }
            }
        }
        out
    }

    fn header(&self, out: &mut String) {
        let a = self.args;
        let date = env::utc_now();
        let page_ms = 60_000.0 / f64::from(a.ppm);
        let lines = [
            format!("Machine: {}", machine_line()),
            format!("{PROG} {date}"),
            format!("Servers: {} vs cupsd {}, one after the other, quire-bench core's config (LogLevel warn)", self.quired.display(), self.cupsd),
            format!(
                "Printers: 4 quire-sim, {} ppm each ({page_ms:.0} ms a page): {}; one queue each, \
                 `lpadmin -p NAME -E -v ipp://127.0.0.1:PORT/ipp/print -m everywhere`",
                a.ppm,
                fleet_line()
            ),
            format!(
                "Job: a {}-page marked PDF (tests/src/simulated_printer.rs marked_pdf) to {ORIGIN}, whose simulator was told \
                 media-empty-after {} just before: it prints pages 1-{} and stops with media-empty-error",
                a.pages, a.fault_after, a.fault_after
            ),
            format!(
                "Fault instant: the page-log stamp of {ORIGIN}'s page {} (quire-sim sets media-empty-error in the step \
                 that logs it; page {} would have started then). Remainder: the stamp of the job's first page logged \
                 by another printer, written when that page finished (so it includes one page time, {page_ms:.0} ms)",
                a.fault_after,
                a.fault_after + 1
            ),
            format!(
                "quired: {ORIGIN} with quire-failover-default=auto and quire-failover-grace-time G; target: first \
                 remainder page <= G + {TARGET_BEYOND_GRACE_S:.0} s after the fault (PASS when every run meets it). \
                 Every run checked: each page exactly once, 1-{} on {ORIGIN}, the rest on printers at least as secure",
                a.fault_after
            ),
            if self.cups.is_empty() {
                "cupsd: not measured".to_string()
            } else {
                format!(
                    "cupsd: class {CLASS} of {ORIGIN}, {}; the job sent to the class while {} are disabled, which are \
                     enabled again once {ORIGIN} prints page 1; page logs watched for {} s after the fault",
                    OTHERS.join(", "),
                    OTHERS.join(" and "),
                    a.cupsd_wait().as_secs()
                )
            },
        ];
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }

    fn table(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\n{:<7} {:<32} {:>4} {:>8} {:>8} {:>8} {:>8}  {:<6}  {:<12}  Remainder on",
            "Server",
            "Set-up",
            "Runs",
            "F->R med",
            "F->R max",
            "-G med",
            "-G max",
            "Target",
            "Exactly once"
        );
        for &grace in &self.args.grace {
            let runs: Vec<&QuireRun> = self.quire.iter().filter(|r| r.grace == grace).collect();
            let _ = writeln!(out, "{}", quire_row(grace, &runs, self.args.runs));
        }
        if self.cups.is_empty() {
            let _ = writeln!(
                out,
                "{:<7} {:<32} {:>4} not measured: {}",
                "cupsd", "no failover", 0, self.cupsd
            );
        } else {
            let _ = writeln!(out, "{}", cups_row(self.cups));
        }
        let _ = writeln!(
            out,
            "F->R: fault instant to the remainder's first page on another printer, s (median, max over the runs); \
             -G: the same minus the grace time G (target <= {TARGET_BEYOND_GRACE_S:.0} s)"
        );
    }

    fn per_run(&self, out: &mut String) {
        let _ = writeln!(out, "\nPer run: fault -> first remainder page, s (beyond grace)");
        for &grace in &self.args.grace {
            let cells: Vec<String> = self
                .quire
                .iter()
                .filter(|r| r.grace == grace)
                .map(|r| format!("{} ({})", fmt_s(r.first_ms), fmt_value(r.beyond_grace_s())))
                .collect();
            let _ = writeln!(out, "  quired, grace {grace} s: {}", cells.join("  "));
            let to_fault: Vec<f64> = self
                .quire
                .iter()
                .filter(|r| r.grace == grace)
                .map(|r| r.submit_to_fault_ms as f64 / 1000.0)
                .collect();
            let last: Vec<String> =
                self.quire.iter().filter(|r| r.grace == grace).map(|r| fmt_s(r.last_ms)).collect();
            let _ = writeln!(
                out,
                "    (Print-Job -> fault median {} s; fault -> last page of the remainder: {})",
                fmt_value(median_max(to_fault).map(|m| m.0)),
                last.join(" ")
            );
        }
        for (i, r) in self.cups.iter().enumerate() {
            let _ = writeln!(out, "  cupsd run {}: {}", i + 1, r.summary());
        }
    }
}

fn fmt_s(ms: Option<i64>) -> String {
    fmt_value(ms.map(|ms| ms as f64 / 1000.0))
}

/// One grace time's row; the target is met only if all `asked` runs measured it.
fn quire_row(grace: u32, runs: &[&QuireRun], asked: usize) -> String {
    let setup = format!("failover auto, grace {grace} s");
    let first =
        median_max(runs.iter().filter_map(|r| r.first_ms).map(|ms| ms as f64 / 1000.0).collect());
    let beyond = median_max(runs.iter().filter_map(|r| r.beyond_grace_s()).collect());
    let measured = runs.iter().filter(|r| r.first_ms.is_some()).count();
    let verdict = match beyond {
        Some((_, max)) if max <= TARGET_BEYOND_GRACE_S && measured == asked => "PASS",
        Some(_) => "FAIL",
        None if asked > 0 => "FAIL",
        None => "-",
    };
    let once = runs.iter().filter(|r| r.check_error.is_none()).count();
    let mut on: BTreeMap<&str, usize> = BTreeMap::new();
    for r in runs {
        for (name, _) in &r.remainder_on {
            *on.entry(name.as_str()).or_default() += 1;
        }
    }
    let on: Vec<String> = on.iter().map(|(n, c)| format!("{n} {c}/{}", runs.len())).collect();
    let pair = |p: Option<(f64, f64)>| {
        let (m, x) = p.map_or((None, None), |(m, x)| (Some(m), Some(x)));
        format!("{:>8} {:>8}", fmt_value(m), fmt_value(x))
    };
    format!(
        "{:<7} {:<32} {:>4} {} {}  {:<6}  {:<12}  {}",
        "quired",
        setup,
        runs.len(),
        pair(first),
        pair(beyond),
        verdict,
        format!("{once}/{asked}"),
        on.join(", ")
    )
}

fn cups_row(runs: &[CupsRun]) -> String {
    let setup = format!("no failover; class {CLASS}");
    let moved: Vec<f64> =
        runs.iter().filter_map(|r| r.moved_ms).map(|ms| ms as f64 / 1000.0).collect();
    let watched = runs.iter().map(|r| r.watched_ms).min().unwrap_or(0) as f64 / 1000.0;
    let what = if moved.is_empty() {
        let states: Vec<String> = runs
            .iter()
            .map(|r| r.origin_status.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        format!(
            "never: no page of the job on another printer in {watched:.0} s after the fault, {}/{} runs \
             (the job waits on the stopped printer: {ORIGIN} {})",
            runs.len(),
            runs.len(),
            states.join(" / ")
        )
    } else {
        let (m, x) = median_max(moved.clone()).unwrap_or((0.0, 0.0));
        format!(
            "moved in {}/{} runs: median {} s, max {} s (see per run)",
            moved.len(),
            runs.len(),
            fmt_value(Some(m)),
            fmt_value(Some(x))
        )
    };
    format!("{:<7} {:<32} {:>4} {what}", "cupsd", setup, runs.len())
}
