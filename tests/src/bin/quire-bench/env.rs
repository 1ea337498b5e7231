//! What a benchmark run needs from its machine: where the binaries and the bench directory
//! are, the programs it drives, and what its report says about the machine and the time.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use quire_ipp::date::CivilTime;

use crate::args::ServerArgs;

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| quire_tests::workspace_root().join("target"))
}

/// `<target>/bench`, created: the servers' directories and the results go there.
pub fn bench_dir() -> Result<PathBuf, String> {
    let dir = target_dir().join("bench");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
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
        eprintln!(
            "WARNING: {} looks like a debug build; its figures are meaningless",
            path.display()
        );
    }
    Ok(path)
}

/// What a benchmark drives besides the servers.
pub struct Needs {
    pub programs: &'static [&'static str],
    /// The cupsd binary must be there.
    pub cupsd: bool,
    /// It runs simulated printers (quire-sim).
    pub simulator: bool,
    /// `--only cupsd`: a missing quired is only reported.
    pub only_cupsd: bool,
}

/// The quired binary and the bench directory, once what the benchmark `needs` is there.
pub fn prepare(prog: &str, servers: &ServerArgs, needs: Needs) -> Result<(PathBuf, Dirs), String> {
    let quired = match quired_path(servers.quired.clone()) {
        Ok(p) => p,
        Err(e) if needs.only_cupsd => {
            eprintln!("{prog}: {e} (ignored with --only cupsd)");
            PathBuf::from("quired")
        }
        Err(e) => return Err(e),
    };
    let missing = missing_programs(needs.programs);
    if needs.cupsd && (!missing.is_empty() || !servers.cupsd.is_file()) {
        return Err(format!(
            "missing {missing:?} or {}: run tests/scripts/install-test-deps",
            servers.cupsd.display()
        ));
    }
    if !missing.is_empty() {
        return Err(format!("missing {missing:?}: run tests/scripts/install-test-deps"));
    }
    if needs.simulator {
        let bin = quire_tests::sim_binary().map_err(|e| e.to_string())?;
        eprintln!("quire-sim: {}\nquired: {}", bin.display(), quired.display());
    }
    Ok((quired, Dirs { bench: bench_dir()?, keep: servers.keep }))
}

/// The programs of `list` that are not installed.
fn missing_programs(list: &[&'static str]) -> Vec<&'static str> {
    list.iter().copied().filter(|p| !quire_tests::process::have_program(p)).collect()
}

/// The machine a benchmark ran on, for its report.
pub struct Machine {
    pub cpus: usize,
    pub model: String,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("unknown CPU");
        Machine {
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            model: model.trim().to_string(),
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_string(),
        }
    }
}

/// The first two lines of a report: the benchmark and when it ran, then the machine and its
/// load average.
pub fn run_lines(prog: &str) -> Vec<String> {
    let Machine { cpus, model, kernel } = Machine::read();
    vec![
        format!("{prog} {}", utc_now()),
        format!("Machine: {cpus} CPUs ({model}), Linux {kernel}; load average {}", loadavg()),
    ]
}

/// The 1, 5 and 15 minute load averages, "0.12 0.34 0.56".
pub fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Now, "2026-11-23 15:44:30 UTC", for a report's first line.
pub fn utc_now() -> String {
    let secs =
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    CivilTime::from_unix(i64::try_from(secs).unwrap_or(0)).to_string()
}

/// Now in Unix milliseconds: the simulators stamp their page logs with it.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The bench directory and whether the servers' directories in it are kept (`--keep`).
pub struct Dirs {
    pub bench: PathBuf,
    pub keep: bool,
}

impl Dirs {
    /// A fresh, empty path for one server's directory.
    pub fn fresh(&self, name: &str) -> PathBuf {
        let root = self.bench.join(name);
        let _ = fs::remove_dir_all(&root);
        root
    }

    /// Removes a server's directory unless `--keep`.
    pub fn done_with(&self, root: &Path) {
        if !self.keep {
            let _ = fs::remove_dir_all(root);
        }
    }
}

/// What went wrong on the way (errors make the exit status non-zero) and what is worth
/// saying in the report.
#[derive(Default)]
pub struct Problems {
    pub errors: Vec<String>,
    pub notes: Vec<String>,
}

impl Problems {
    pub fn fail(&mut self, msg: String) {
        eprintln!("  ERROR: {msg}");
        self.errors.push(msg);
    }

    pub fn note(&mut self, msg: String) {
        eprintln!("  NOTE: {msg}");
        self.notes.push(msg);
    }
}
