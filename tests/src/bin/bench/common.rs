//! What the benchmark binaries (quire-bench, quire-bench-print, quire-bench-split) need:
//! where the binaries are, the machine they run on, and how figures and ratios are printed.

use std::path::PathBuf;

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| quire_tests::workspace_root().join("target"))
}

/// The quired binary: `given` (`--quired`), else `$QUIRED_BIN`, else `<target>/release/quired`.
pub fn quired_path(given: Option<PathBuf>) -> Result<PathBuf, String> {
    let path = given
        .or_else(|| std::env::var_os("QUIRED_BIN").map(PathBuf::from))
        .unwrap_or_else(|| target_dir().join("release/quired"));
    if !path.is_file() {
        return Err(format!(
            "no quired binary at {} (build it with `cargo build --release -p quired`, or run tests/scripts/bench)",
            path.display()
        ));
    }
    if path.components().any(|c| c.as_os_str() == "debug") {
        eprintln!("WARNING: {} looks like a debug build; its figures are meaningless", path.display());
    }
    Ok(path)
}

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

/// The machine a benchmark ran on, for its report.
pub struct Machine {
    pub cpus: usize,
    pub model: String,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("unknown CPU");
        Machine {
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            model: model.trim().to_string(),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
        }
    }
}

/// The quired binary for a benchmark `prog`, or exit 1 saying why; when only cupsd is
/// measured (`--only cupsd`) a missing quired is only reported.
pub fn quired_or_exit(prog: &str, given: Option<PathBuf>, only_cupsd: bool) -> PathBuf {
    match quired_path(given) {
        Ok(p) => p,
        Err(e) if only_cupsd => {
            eprintln!("{prog}: {e} (ignored with --only cupsd)");
            PathBuf::from("quired")
        }
        Err(e) => {
            eprintln!("{prog}: {e}");
            std::process::exit(1);
        }
    }
}

/// Now, "2026-11-23 15:44:30 UTC", for a report's first line (from `date`, as cupsd's
/// machine would print it; empty if `date` is missing).
#[allow(dead_code)] // not every bench prints the date
pub fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M:%S UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
