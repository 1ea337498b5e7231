//! The filter worker: the daemon's executable started again as `quired --filter-worker MODE`,
//! as cups-files.conf's `User`, in a private directory (see [`crate::sandbox`]). Everything
//! that parses a document runs here, never in the daemon.
//!
//! - `convert`: one job's conversions. stdin: the plan, then each document to convert as a
//!   chunked stream; stdout: each result as a chunked stream (see `filter_chain::wire`).
//! - `count`: page counts for submitted PDFs, one after another while stdin stays open.
//!   Each request is a chunked stream; each answer one line: `pages N`, `empty`,
//!   `corrupt MESSAGE`, `unsupported MESSAGE` or `error MESSAGE`.
//!
//! Messages for the daemon go to stderr as CUPS filters write them (`DEBUG: `, `ERROR: `).
//! The worker refuses to run as root.

use crate::filter_chain::wire::{read_plan, read_stream, write_stream};
use crate::filter_chain::{execute, Plan};
use quire_filters::FilterError;
use std::io::{self, BufRead, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The largest PDF the count mode takes (the daemon counts only documents up to this size:
/// lopdf holds the whole file in memory).
pub const MAX_COUNTED: u64 = 64 * 1024 * 1024;

/// The worker's `main`: `args` are what follows `--filter-worker`.
pub fn main(args: &[String]) -> ExitCode {
    use nix::unistd::{getegid, geteuid, getgroups, getpid};
    if geteuid().is_root() {
        eprintln!("ERROR: The filter worker does not run as root.");
        return ExitCode::from(1);
    }
    let mode = args.first().map(String::as_str).unwrap_or("");
    let groups: Vec<String> =
        getgroups().unwrap_or_default().iter().map(|g| g.to_string()).collect();
    eprintln!(
        "DEBUG: Filter worker ({mode}) PID {} runs as uid {}, gid {}, groups [{}]",
        getpid(),
        geteuid(),
        getegid(),
        groups.join(",")
    );
    let stdin = io::stdin();
    let stdout = io::stdout();
    let result = match mode {
        "convert" => std::env::current_dir()
            .map_err(|e| e.to_string())
            .and_then(|dir| convert(&mut stdin.lock(), &mut BufWriter::new(stdout.lock()), &dir)),
        "count" => count(&mut stdin.lock(), &mut stdout.lock()),
        "deliver" => std::env::current_dir().map_err(|e| e.to_string()).and_then(|dir| {
            crate::delivery::worker_main(
                &mut io::BufReader::new(io::stdin()),
                &mut io::stdout(),
                &dir,
            )
        }),
        _ => Err("usage: quired --filter-worker convert|count|deliver".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ERROR: {}", one_line(&e));
            ExitCode::from(1)
        }
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// One job's conversions, in `work` (the worker's own directory).
pub(crate) fn convert(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    work: &Path,
) -> Result<(), String> {
    let plan: Plan =
        read_plan(input).map_err(|e| format!("Unable to read the filter plan: {e}"))?;
    let mut inputs: Vec<PathBuf> = Vec::new();
    for i in 0..plan.formats.len() {
        let path = work.join(format!("in-{i}"));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        read_stream(input, &mut file, u64::MAX)
            .map_err(|e| format!("Unable to read document {}: {e}", i + 1))?;
        inputs.push(path);
    }
    let mut emit = |path: &Path| -> Result<(), FilterError> {
        let mut file = std::fs::File::open(path)
            .map_err(|source| FilterError::Io { path: path.to_path_buf(), source })?;
        write_stream(&mut file, out)
            .and_then(|_| out.flush())
            .map_err(|source| FilterError::Io { path: "<output>".into(), source })
    };
    execute(&plan, &inputs, work, &mut emit).map_err(|e| e.to_string())
}

/// Counts pages until the daemon closes stdin.
pub(crate) fn count(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), String> {
    loop {
        // The end of stdin between requests: the daemon is done with us.
        if input.fill_buf().map_err(|e| e.to_string())?.is_empty() {
            return Ok(());
        }
        let mut data = Vec::new();
        let answer = match read_stream(input, &mut data, MAX_COUNTED) {
            Ok(Some(_)) => match quire_filters::page_count_mem(&data) {
                Ok(n) => format!("pages {n}"),
                Err(FilterError::Empty) => "empty".into(),
                Err(FilterError::Corrupt(m)) => format!("corrupt {}", one_line(&m)),
                Err(FilterError::Unsupported(m)) => format!("unsupported {}", one_line(&m)),
                Err(e) => format!("error {}", one_line(&e.to_string())),
            },
            // The rest of that request is still in the pipe: no way to go on.
            Ok(None) => return Err(format!("a document larger than {MAX_COUNTED} bytes to count")),
            Err(e) => return Err(format!("Unable to read a document to count: {e}")),
        };
        writeln!(out, "{answer}").and_then(|_| out.flush()).map_err(|e| e.to_string())?;
    }
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;
