//! Figures: how numbers, ratios and medians are printed, and the cupsd-vs-quired table of
//! metrics (stdout) with its TSV that `core` and `print` write.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use quire_tests::ServerKind;

use crate::env::Dirs;

pub fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if v.is_nan() => "-".into(),
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) if v.abs() >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// quired / cupsd, when both are there and cupsd's is not zero.
pub fn ratio(c: Option<f64>, q: Option<f64>) -> Option<f64> {
    match (c, q) {
        (Some(c), Some(q)) if c != 0.0 && c.is_finite() && q.is_finite() => Some(q / c),
        _ => None,
    }
}

/// The median of the finite values of `v`.
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

#[derive(Clone, Copy, PartialEq)]
pub enum Better {
    Higher,
    Lower,
    /// A check (counts), context, or a figure whose ratio means nothing (a ratio of ratios,
    /// a growth that may be 0): no ratio.
    Info,
}

/// A project target. `RatioMin(3.0)`: quired ≥ 3× cupsd; `RatioMax(0.5)`: quired ≤ 0.5×
/// cupsd. `QuiredMin(0.8)` / `QuiredMax(16.0)`: quired's own figure (not the ratio) at least
/// / at most that.
#[derive(Clone, Copy)]
pub enum Target {
    None,
    RatioMin(f64),
    RatioMax(f64),
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

pub const fn m(
    id: &'static str,
    label: &'static str,
    unit: &'static str,
    better: Better,
    target: Target,
) -> Metric {
    Metric { id, label, unit, better, target }
}

/// One server's figures (metric id -> value) and notes (failures, oddities).
pub struct Results {
    metrics: &'static [Metric],
    pub values: BTreeMap<&'static str, f64>,
    /// Figures that are only a lower bound: the server had not finished when the bench gave
    /// up ("more than N s"), shown as `> N`.
    pub lower_bounds: BTreeSet<&'static str>,
    pub notes: Vec<String>,
}

impl Results {
    pub fn new(metrics: &'static [Metric]) -> Results {
        Results {
            metrics,
            values: BTreeMap::new(),
            lower_bounds: BTreeSet::new(),
            notes: Vec::new(),
        }
    }
    pub fn set(&mut self, id: &'static str, v: f64) {
        debug_assert!(self.metrics.iter().any(|m| m.id == id), "unknown metric {id}");
        self.values.insert(id, v);
    }
    /// `id` took more than `v`: the server had not finished when the bench stopped waiting.
    pub fn set_more_than(&mut self, id: &'static str, v: f64) {
        self.set(id, v);
        self.lower_bounds.insert(id);
    }
    /// The figure as shown: `> v` for a lower bound.
    fn shown(&self, id: &str) -> String {
        let v = fmt_value(self.values.get(id).copied());
        if self.lower_bounds.contains(id) {
            format!("> {v}")
        } else {
            v
        }
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
        Target::RatioMax(x) => format!("<= {x}x"),
        Target::QuiredMin(x) => format!("q >= {x}"),
        Target::QuiredMax(x) => format!("q <= {x}"),
    }
}

fn met(t: Target, ratio: Option<f64>, quired: Option<f64>) -> &'static str {
    let yes_no = |ok: bool| if ok { "yes" } else { "NO" };
    match (t, ratio, quired.filter(|q| q.is_finite())) {
        (Target::RatioMin(x), Some(r), _) => yes_no(r >= x),
        (Target::RatioMax(x), Some(r), _) => yes_no(r <= x),
        (Target::QuiredMin(x), _, Some(q)) => yes_no(q >= x),
        (Target::QuiredMax(x), _, Some(q)) => yes_no(q <= x),
        _ => "",
    }
}

/// How a table is laid out: the width of its target column and the legend under it.
pub struct Layout {
    pub target_width: usize,
    pub legend: &'static str,
}

/// The stdout table and the TSV of `metrics`, both headed by `header` lines.
pub fn render(
    header: &[String],
    metrics: &[Metric],
    layout: &Layout,
    cupsd: &Results,
    quired: &Results,
) -> (String, String) {
    let mut table = String::new();
    let mut tsv = String::new();
    for h in header {
        let _ = writeln!(table, "{h}");
        let _ = writeln!(tsv, "# {h}");
    }
    let _ = writeln!(table);
    let w = metrics.iter().map(|m| m.label.len() + m.unit.len() + 3).max().unwrap_or(40);
    let tw = layout.target_width;
    let _ = writeln!(
        table,
        "{:<w$} {:>10} {:>10} {:>9} {:>tw$} {:>4}",
        "metric", "cupsd", "quired", "q/c", "target", "met"
    );
    let _ = writeln!(table, "{}", "-".repeat(w + 38 + tw));
    let _ = writeln!(
        tsv,
        "metric\tdescription\tunit\tcupsd\tquired\tratio_quired_over_cupsd\ttarget\tmet"
    );
    for m in metrics {
        let (c, q) = (cupsd.values.get(m.id).copied(), quired.values.get(m.id).copied());
        let rt = if m.better == Better::Info { None } else { ratio(c, q) };
        // A lower bound on cupsd's figure makes the ratio an upper bound, and the reverse.
        let bound = match (cupsd.lower_bounds.contains(m.id), quired.lower_bounds.contains(m.id)) {
            (true, false) => "<",
            (false, true) => ">",
            (true, true) => "?",
            _ => "",
        };
        let ok = if bound == "?" { "" } else { met(m.target, rt, q) };
        let _ = writeln!(
            table,
            "{:<w$} {:>10} {:>10} {:>9} {:>tw$} {:>4}",
            format!("{} ({})", m.label, m.unit),
            cupsd.shown(m.id),
            quired.shown(m.id),
            rt.map(|r| format!("{bound}{r:.2}x")).unwrap_or_default(),
            target_text(m.target),
            ok
        );
        let num = |v: Option<f64>, r: &Results| {
            let more = if r.lower_bounds.contains(m.id) { ">" } else { "" };
            v.filter(|v| v.is_finite()).map(|v| format!("{more}{v:.3}")).unwrap_or_default()
        };
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            m.id,
            m.label.trim(),
            m.unit,
            num(c, cupsd),
            num(q, quired),
            rt.map(|r| format!("{bound}{r:.3}")).unwrap_or_default(),
            target_text(m.target),
            ok
        );
    }
    let _ = writeln!(table, "\n{}", layout.legend);
    for (name, res) in [("cupsd", cupsd), ("quired", quired)] {
        for n in &res.notes {
            let _ = writeln!(table, "NOTE {name}: {n}");
            let _ = writeln!(tsv, "# NOTE {name}: {}", n.replace('\n', " | "));
        }
    }
    (table, tsv)
}

/// Measures cupsd, then quired (`binaries`, in that order) with `one(kind, binary, root)`, each
/// in a fresh `<bench>/<prefix>-<kind>` directory (kept with `--keep`); a server left out by
/// `--only` has no figures.
pub fn cupsd_then_quired(
    metrics: &'static [Metric],
    dirs: &Dirs,
    prefix: &str,
    only: Option<ServerKind>,
    binaries: [&Path; 2],
    mut one: impl FnMut(ServerKind, &Path, &Path) -> Results,
) -> (Results, Results) {
    let mut run = |kind: ServerKind, bin: &Path| {
        if only.is_some_and(|o| o != kind) {
            return Results::new(metrics);
        }
        let root = dirs.fresh(&format!("{prefix}-{kind}"));
        let t0 = Instant::now();
        let r = one(kind, bin, &root);
        eprintln!("== {kind}: done in {:.0} s", t0.elapsed().as_secs_f64());
        dirs.done_with(&root);
        r
    };
    let cupsd = run(ServerKind::Cupsd, binaries[0]);
    (cupsd, run(ServerKind::Quired, binaries[1]))
}

/// Prints the table and writes the TSV to `out`, else to `<bench>/<name>`.
pub fn publish(prog: &str, table: &str, tsv: &str, out: Option<PathBuf>, dirs: &Dirs, name: &str) {
    println!("\n{table}");
    let out = out.unwrap_or_else(|| dirs.bench.join(name));
    match std::fs::write(&out, tsv) {
        Ok(()) => eprintln!("results written to {}", out.display()),
        Err(e) => eprintln!("{prog}: cannot write {}: {e}", out.display()),
    }
}
