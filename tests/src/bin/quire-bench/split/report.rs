//! The split benchmark's table.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::measure::Outcome;
use super::Args;
use crate::env::{self, Machine};
use crate::figures::fmt_value;

/// The target: the split job at least this many times faster than on one printer.
const TARGET: f64 = 3.6;

/// One workload and its three runs.
pub struct Workload {
    pub key: &'static str,
    pub label: String,
    /// Pages of the document, and copies asked for.
    pub pages: u32,
    pub copies: u32,
    pub one: Option<Outcome>,
    pub split: Option<Outcome>,
    pub cupsd: Option<Outcome>,
}

impl Workload {
    pub fn new(key: &'static str, label: String, pages: u32, copies: u32) -> Workload {
        Workload { key, label, pages, copies, one: None, split: None, cupsd: None }
    }
}

/// The splitter's cost runs (warm-up excluded).
#[derive(Default)]
pub struct Cost {
    pub pages: u32,
    pub one: Vec<Outcome>,
    pub split: Vec<Outcome>,
}

pub struct Report<'a> {
    pub args: &'a Args,
    pub quired: &'a Path,
    pub printers: usize,
    pub work: &'a [Workload],
    pub cost: Option<&'a Cost>,
    pub errors: &'a [String],
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median, smallest and largest of `v`.
fn stats(mut v: Vec<f64>) -> Option<(f64, f64, f64)> {
    v.sort_by(f64::total_cmp);
    let (lo, hi) = (*v.first()?, *v.last()?);
    let mid = v.len() / 2;
    let median = if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 };
    Some((median, lo, hi))
}

fn ratio(base: Option<f64>, new: Option<f64>) -> Option<f64> {
    match (base, new) {
        (Some(b), Some(n)) if n > 0.0 => Some(b / n),
        _ => None,
    }
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

impl Report<'_> {
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.header(&mut out);
        self.throughput(&mut out);
        self.speedups(&mut out);
        if let Some(cost) = self.cost {
            self.cost(&mut out, cost);
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nERRORS ({}):", self.errors.len());
            for e in self.errors {
                let _ = writeln!(out, "  - {e}");
            }
        }
        out
    }

    fn header(&self, out: &mut String) {
        let a = self.args;
        let date = env::utc_now();
        let cupsd = if a.skip_cupsd {
            "cupsd skipped (--skip-cupsd)".to_string()
        } else {
            a.servers.cupsd.display().to_string()
        };
        let lines = [
            format!("{} {date}", super::PROG),
            format!("Machine: {}", machine_line()),
            format!("Servers: {} vs {cupsd}, one after the other, quire-bench core's config (LogLevel warn)", self.quired.display()),
            format!(
                "Printers: {} quire-sim, {} ppm each ({:.0} ms a page), same security facts (auth none, no encryption, \
                 no erase); one queue each, `lpadmin -p sN -E -v ipp://127.0.0.1:PORT/ipp/print -m everywhere`; \
                 on cupsd also a class of the {} queues",
                self.printers,
                a.ppm,
                60_000.0 / f64::from(a.ppm),
                self.printers
            ),
            "Documents: marked PDFs (tests/src/simulated_printer.rs marked_pdf), one Print-Job each on its own connection; every page \
             checked in the simulators' page logs to print exactly as often as asked"
                .to_string(),
            "Wall: from sending the Print-Job until Get-Job-Attributes says job-state 9 (completed) and the page logs \
             hold every page; 1st/Last pg: the page logs' time of the first/last page, from sending; Ideal: pages \
             x 60/ppm on the printer with the most pages; P-Job: the Print-Job request alone"
                .to_string(),
        ];
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }

    fn throughput(&self, out: &mut String) {
        let ppm = f64::from(self.args.ppm);
        let _ = writeln!(
            out,
            "\n{:<24} {:<38} {:>8} {:>9} {:>9} {:>8} {:>8} {:>5}  Pages per printer",
            "Workload", "Run", "Wall s", "1st pg s", "Last pg s", "Ideal s", "P-Job ms", "Parts"
        );
        for w in self.work {
            let total = f64::from(w.pages) * f64::from(w.copies);
            let n = self.printers as f64;
            let rows = [
                ("quired, 1 printer, no split".to_string(), &w.one, total * 60.0 / ppm),
                (
                    format!("quired, {} printers, quire-split=auto", self.printers),
                    &w.split,
                    (total / n).ceil() * 60.0 / ppm,
                ),
                (
                    format!("cupsd, class of {} (one job)", self.printers),
                    &w.cupsd,
                    total * 60.0 / ppm,
                ),
            ];
            for (i, (run, o, ideal)) in rows.iter().enumerate() {
                let label = if i == 0 { w.label.as_str() } else { "" };
                let _ = writeln!(out, "{label:<24} {run:<38} {}", row(o.as_ref(), *ideal));
            }
        }
        let runs = self.work.iter().flat_map(|w| [&w.one, &w.split, &w.cupsd]).flatten();
        if runs.into_iter().any(|o| !o.by_marker) {
            let _ = writeln!(
                out,
                "(*) no page markers visible to the simulator (cupsd's pdftopdf moves page content into a form \
                 XObject): checked by the simulator's copy/page numbers instead, each once and as many as asked"
            );
        }
    }

    fn speedups(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nSpeed-up of the split: quired on 1 printer / quired split over {} (target >= {TARGET}x, ideal {}x)",
            self.printers, self.printers
        );
        for w in self.work {
            let wall =
                ratio(w.one.as_ref().map(|o| secs(o.done)), w.split.as_ref().map(|o| secs(o.done)));
            let last = ratio(
                w.one.as_ref().map(|o| o.last_page_ms),
                w.split.as_ref().map(|o| o.last_page_ms),
            );
            let verdict = match wall {
                Some(x) if x >= TARGET => "meets the target",
                Some(_) => "BELOW the target",
                None => "not measured",
            };
            let _ = writeln!(
                out,
                "  {:<24} wall clock {:>5}x  {verdict:<17} (by last page printed: {}x)",
                w.label,
                fmt_value(wall),
                fmt_value(last)
            );
        }
        if self.work.iter().any(|w| w.cupsd.is_some()) {
            let _ = writeln!(
                out,
                "cupsd (class of {} queues) / quired split, wall clock:",
                self.printers
            );
            for w in self.work {
                let x = ratio(
                    w.cupsd.as_ref().map(|o| secs(o.done)),
                    w.split.as_ref().map(|o| secs(o.done)),
                );
                let _ = writeln!(out, "  {:<24} {:>5}x", w.label, fmt_value(x));
            }
        }
    }

    fn cost(&self, out: &mut String, cost: &Cost) {
        let n = cost.one.len().min(cost.split.len());
        let pdf_kib = quire_tests::simulated_printer::marked_pdf("cost0-split", cost.pages).len()
            as f64
            / 1024.0;
        let _ = writeln!(
            out,
            "\nSplitter cost: {}-page PDF ({pdf_kib:.0} KiB), {} instant quire-sim printers (--ppm 0), quired only; \
             {n} runs each, alternating, after 1 warm-up; median (min-max)",
            cost.pages, self.printers
        );
        let _ = writeln!(
            out,
            "{:<58} {:>20} {:>20} {:>10}",
            "", "1 printer, no split", "quire-split=auto", "difference"
        );
        let lat = |v: &[Outcome]| stats(v.iter().map(|o| ms(o.latency)).collect());
        let e2e = |v: &[Outcome]| stats(v.iter().map(|o| ms(o.done)).collect());
        let rows = [
            (
                "Print-Job response time (spool, page count, split), ms",
                lat(&cost.one),
                lat(&cost.split),
            ),
            (
                "End to end, Print-Job to completed + all pages, ms",
                e2e(&cost.one),
                e2e(&cost.split),
            ),
        ];
        for (label, one, split) in rows {
            let cell = |s: Option<(f64, f64, f64)>| {
                s.map_or("-".to_string(), |(m, lo, hi)| {
                    format!(
                        "{} ({}-{})",
                        fmt_value(Some(m)),
                        fmt_value(Some(lo)),
                        fmt_value(Some(hi))
                    )
                })
            };
            let diff = match (one, split) {
                (Some((a, _, _)), Some((b, _, _))) => format!("{:+.1}", b - a),
                _ => "-".into(),
            };
            let _ = writeln!(out, "{label:<58} {:>20} {:>20} {diff:>10}", cell(one), cell(split));
        }
        let parts: Vec<usize> = cost.split.iter().map(|o| o.parts).collect();
        let _ = writeln!(
            out,
            "  (the split Print-Job's difference is the split decision plus the {} child jobs quired makes, stores durably and starts \
             before it answers; parts per split job: {parts:?})",
            parts.first().copied().unwrap_or(0)
        );
    }
}

/// One table row's figures.
fn row(o: Option<&Outcome>, ideal: f64) -> String {
    let Some(o) = o else {
        return format!(
            "{:>8} {:>9} {:>9} {:>8.2} {:>8} {:>5}  failed or not run",
            "-", "-", "-", ideal, "-", "-"
        );
    };
    let spread: Vec<String> = o.printers.iter().map(|(n, c)| format!("{n}:{c}")).collect();
    let parts = if o.parts == 0 { "-".to_string() } else { o.parts.to_string() };
    let checked = if o.by_marker { "" } else { " (*)" };
    format!(
        "{:>8.2} {:>9.2} {:>9.2} {:>8.2} {:>8.1} {:>5}  {}{checked}",
        secs(o.done),
        o.first_page_ms / 1000.0,
        o.last_page_ms / 1000.0,
        ideal,
        ms(o.latency),
        parts,
        spread.join(" ")
    )
}
