//! The printing benchmark's metrics, the stdout table and the TSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quire_tests::ServerKind;

use crate::common::{fmt_value, ratio};

#[derive(Clone, Copy, PartialEq)]
pub enum Better {
    Higher,
    Lower,
    /// A check (counts), context, or a figure whose ratio means nothing (a ratio of ratios,
    /// a growth that may be 0): no ratio.
    Info,
}

/// A project target. `RatioMin(25.0)`: quired ≥ 25× cupsd. `QuiredMin(0.8)` / `QuiredMax(16.0)`:
/// quired's own figure (not the ratio) at least / at most that.
#[derive(Clone, Copy)]
pub enum Target {
    None,
    RatioMin(f64),
    QuiredMin(f64),
    QuiredMax(f64),
}

pub struct Metric {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub better: Better,
    pub target: Target,
}

const fn m(id: &'static str, label: &'static str, unit: &'static str, better: Better, target: Target) -> Metric {
    Metric { id, label, unit, better, target }
}

use Better::{Higher, Info, Lower};

pub const METRICS: &[Metric] = &[
    m("e2e_rate", "Print N small PDFs end to end (at the printer)", "jobs/s", Higher, Target::RatioMin(25.0)),
    m("e2e_s", "  first submission to N jobs completed at the printer", "s", Lower, Target::None),
    m("first_page", "  first submission to first page printed", "ms", Lower, Target::None),
    m("cycle", "  printer-side time per job (page log: last - first page, / (N-1))", "ms", Lower, Target::None),
    m("submit_s", "  submission only (N Print-Jobs, 1 conn, sequential)", "s", Lower, Target::None),
    m("submit_rate", "  submission rate", "jobs/s", Higher, Target::None),
    m("e2e_cpu", "  CPU per job: server + reaped children (filters, backends)", "ms", Lower, Target::None),
    m("sim_jobs", "Jobs completed by the printer (check = N)", "jobs", Info, Target::None),
    m("sim_pages", "Impressions in the printer's page log (check = N)", "pages", Info, Target::None),
    m("dd_rate", "dd bs=1M conv=fdatasync of the big size, same disk (median of 3)", "MB/s", Info, Target::None),
    m("ref_rate", "reference spooler (socket -> file, fdatasync), same upload", "MB/s", Info, Target::None),
    m("big_rate", "Print-Job (held) of a big PDF: first byte to IPP answer", "MB/s", Higher, Target::None),
    m("big_s", "  time for the big PDF", "s", Lower, Target::None),
    m("big_vs_dd", "  big PDF rate / dd rate", "x", Info, Target::QuiredMin(0.8)),
    m("big_vs_ref", "  big PDF rate / reference spooler rate", "x", Info, Target::None),
    m("big_rss_growth", "  peak VmRSS while spooling - VmRSS before", "MiB", Info, Target::QuiredMax(16.0)),
    m("big_hwm_growth", "  VmHWM after - VmHWM before", "MiB", Info, Target::None),
    m("big_rss_after", "  VmRSS after the answer", "MiB", Lower, Target::None),
];

/// One server's figures (metric id -> value) and notes (failures, oddities).
#[derive(Default)]
pub struct Results {
    pub values: BTreeMap<&'static str, f64>,
    pub notes: Vec<String>,
}

impl Results {
    pub fn set(&mut self, id: &'static str, v: f64) {
        debug_assert!(METRICS.iter().any(|m| m.id == id), "unknown metric {id}");
        self.values.insert(id, v);
    }
    pub fn note(&mut self, kind: ServerKind, msg: String) {
        eprintln!("  [{kind}] NOTE: {msg}");
        self.notes.push(msg);
    }
}

fn target_text(t: Target) -> String {
    match t {
        Target::None => String::new(),
        Target::RatioMin(x) => format!(">= {x}x"),
        Target::QuiredMin(x) => format!("q >= {x}"),
        Target::QuiredMax(x) => format!("q <= {x}"),
    }
}

fn met(t: Target, ratio: Option<f64>, quired: Option<f64>) -> &'static str {
    let yes_no = |ok: bool| if ok { "yes" } else { "NO" };
    match (t, ratio, quired.filter(|q| q.is_finite())) {
        (Target::RatioMin(x), Some(r), _) => yes_no(r >= x),
        (Target::QuiredMin(x), _, Some(q)) => yes_no(q >= x),
        (Target::QuiredMax(x), _, Some(q)) => yes_no(q <= x),
        _ => "",
    }
}

/// The stdout table and the TSV, both headed by `header` lines.
pub fn render(header: &[String], cupsd: &Results, quired: &Results) -> (String, String) {
    let mut table = String::new();
    let mut tsv = String::new();
    for h in header {
        let _ = writeln!(table, "{h}");
        let _ = writeln!(tsv, "# {h}");
    }
    let _ = writeln!(table);
    let w = METRICS.iter().map(|m| m.label.len() + m.unit.len() + 3).max().unwrap_or(40);
    let _ = writeln!(table, "{:<w$} {:>10} {:>10} {:>9} {:>9} {:>4}", "metric", "cupsd", "quired", "q/c", "target", "met");
    let _ = writeln!(table, "{}", "-".repeat(w + 47));
    let _ = writeln!(tsv, "metric\tdescription\tunit\tcupsd\tquired\tratio_quired_over_cupsd\ttarget\tmet");
    for m in METRICS {
        let (c, q) = (cupsd.values.get(m.id).copied(), quired.values.get(m.id).copied());
        let rt = if m.better == Info { None } else { ratio(c, q) };
        let ok = met(m.target, rt, q);
        let _ = writeln!(
            table,
            "{:<w$} {:>10} {:>10} {:>9} {:>9} {:>4}",
            format!("{} ({})", m.label, m.unit),
            fmt_value(c),
            fmt_value(q),
            rt.map(|r| format!("{r:.2}x")).unwrap_or_default(),
            target_text(m.target),
            ok
        );
        let num = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| format!("{v:.3}")).unwrap_or_default();
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            m.id,
            m.label.trim(),
            m.unit,
            num(c),
            num(q),
            rt.map(|r| format!("{r:.3}")).unwrap_or_default(),
            target_text(m.target),
            ok
        );
    }
    let _ = writeln!(
        table,
        "\nq/c = quired / cupsd. \"q >= x\" / \"q <= x\" targets apply to quired's own figure. MB = 10^6 bytes."
    );
    for (name, res) in [("cupsd", cupsd), ("quired", quired)] {
        for n in &res.notes {
            let _ = writeln!(table, "NOTE {name}: {n}");
            let _ = writeln!(tsv, "# NOTE {name}: {}", n.replace('\n', " | "));
        }
    }
    (table, tsv)
}
