//! Running CUPS's ipptool test files and reading their results.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tempfile::TempDir;

use crate::process::{other, run_with_timeout};

/// Where Debian's cups-ipp-utils installs the test files (`$QUIRE_IPPTOOL_DIR` overrides).
pub const SYSTEM_TEST_DIR: &str = "/usr/share/cups/ipptool";

/// The document passed with `-f` (becomes `$filename`, and `$filetype` = application/pdf).
pub const DEFAULT_DOCUMENT: &str = "document-letter.pdf";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

/// One ipptool run of one test file.
#[derive(Debug, Clone)]
pub struct IpptoolResult {
    pub file: String,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Names of failed tests, plus `TIMEOUT after Ns` when ipptool had to be killed.
    pub failed_names: Vec<String>,
    /// Every test in order. Names are as ipptool prints them (cut at 68 characters).
    pub tests: Vec<(String, Status)>,
    pub rc: i32,
    pub seconds: f64,
    pub output: String,
}

impl IpptoolResult {
    /// Names of passed tests, each suffixed with `#n` when the name occurs more than once.
    pub fn passed_keys(&self) -> Vec<String> {
        keyed(&self.tests).into_iter().filter(|(_, s)| *s == Status::Pass).map(|(k, _)| k).collect()
    }

    pub fn status_of(&self, key: &str) -> Option<Status> {
        keyed(&self.tests).into_iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }
}

fn keyed(tests: &[(String, Status)]) -> Vec<(String, Status)> {
    let mut seen: Vec<&str> = Vec::new();
    tests
        .iter()
        .map(|(name, status)| {
            let n = seen.iter().filter(|s| **s == name.as_str()).count();
            seen.push(name);
            let key = if n == 0 { name.clone() } else { format!("{name} #{}", n + 1) };
            (key, *status)
        })
        .collect()
}

/// Parses ipptool's plain/`-t` output: test lines end in `[PASS]`, `[FAIL]` or `[SKIP]`
/// (repeat lines end in `[0001]` and are ignored).
pub fn parse_output(text: &str) -> Vec<(String, Status)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let (head, status) = if let Some(h) = line.strip_suffix("[PASS]") {
                (h, Status::Pass)
            } else if let Some(h) = line.strip_suffix("[FAIL]") {
                (h, Status::Fail)
            } else if let Some(h) = line.strip_suffix("[SKIP]") {
                (h, Status::Skip)
            } else {
                return None;
            };
            Some((head.trim().to_string(), status))
        })
        .collect()
}

/// A private copy of the CUPS test files with the documents they need next to them.
///
/// ipptool resolves `FILE name` relative to its working directory when the test file is named
/// without a directory, so the tests run with the staging dir as cwd: `FILE document-a4.pdf`
/// finds `<stage>/ipptool/document-a4.pdf` and `FILE ../data/testprint.ps` finds
/// `<stage>/data/testprint.ps` (Debian ships neither).
pub struct IppSuite {
    dir: TempDir,
}

impl IppSuite {
    pub fn stage() -> io::Result<IppSuite> {
        let src = std::env::var_os("QUIRE_IPPTOOL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_TEST_DIR));
        let dir = tempfile::Builder::new().prefix("quire-ipptool-").tempdir()?;
        let tests = dir.path().join("ipptool");
        fs::create_dir_all(&tests)?;
        fs::create_dir_all(dir.path().join("data"))?;
        let mut count = 0;
        for entry in fs::read_dir(&src).map_err(|e| other(format!("{}: {e}", src.display())))? {
            let path = entry?.path();
            if let Some(name) =
                path.file_name().filter(|_| path.extension() == Some("test".as_ref()))
            {
                fs::copy(&path, tests.join(name))?;
                count += 1;
            }
        }
        if count == 0 {
            return Err(other(format!("no .test files in {}", src.display())));
        }
        let docs = crate::data_dir().join("documents");
        for entry in fs::read_dir(&docs)? {
            let path = entry?.path();
            if let Some(name) = path.file_name() {
                fs::copy(&path, tests.join(name))?;
            }
        }
        fs::copy(docs.join("testprint.ps"), dir.path().join("data/testprint.ps"))?;
        Ok(IppSuite { dir })
    }

    /// The working directory for ipptool runs (holds the .test files and documents).
    pub fn cwd(&self) -> PathBuf {
        self.dir.path().join("ipptool")
    }

    pub fn document(&self, name: &str) -> PathBuf {
        self.cwd().join(name)
    }

    /// Test file names (without `.test`): the ipp-* suites first, then the rest alphabetically,
    /// the order of the reference results.
    pub fn files(&self) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = fs::read_dir(self.cwd())?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".test").map(String::from))
            .collect();
        // Sort as `ls *.test` does ("create-job-format.test" before "create-job.test").
        names.sort_by_key(|n| (!is_ipp_suite(n), format!("{n}.test")));
        Ok(names)
    }
}

fn is_ipp_suite(name: &str) -> bool {
    matches!(name, "ipp-1.1" | "ipp-2.0" | "ipp-2.1" | "ipp-2.2" | "ipp-everywhere")
}

/// Runs `timeout -s KILL SECS ipptool -t -I -T 10 -f document-letter.pdf EXTRA... URI FILE.test`
/// in the suite's directory. `-I` keeps going after a failed test, so every test gets a result.
pub fn run_ipptool(
    suite: &IppSuite,
    uri: &str,
    file: &str,
    extra: &[String],
    timeout_secs: u64,
) -> io::Result<IpptoolResult> {
    let mut args: Vec<String> =
        ["-t", "-I", "-T", "10", "-f", DEFAULT_DOCUMENT].map(String::from).to_vec();
    args.extend(extra.iter().cloned());
    args.push(uri.to_string());
    args.push(format!("{file}.test"));
    let start = Instant::now();
    let out = run_with_timeout(timeout_secs, "ipptool", &args, Some(&suite.cwd()), &[])?;
    let seconds = start.elapsed().as_secs_f64();
    let output = format!("{}{}", out.stdout, out.stderr);
    Ok(summarize(file, &output, out.rc, seconds, timeout_secs))
}

fn summarize(file: &str, output: &str, rc: i32, seconds: f64, timeout_secs: u64) -> IpptoolResult {
    let tests = parse_output(output);
    let count = |s: Status| tests.iter().filter(|(_, t)| *t == s).count();
    let mut failed_names: Vec<String> = Vec::new();
    if rc == 137 || rc == 124 {
        failed_names.push(format!("TIMEOUT after {timeout_secs}s"));
    }
    failed_names.extend(tests.iter().filter(|(_, s)| *s == Status::Fail).map(|(n, _)| n.clone()));
    IpptoolResult {
        file: file.to_string(),
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        skipped: count(Status::Skip),
        failed_names,
        tests,
        rc,
        seconds,
        output: output.to_string(),
    }
}

/// Runs one of the harness's own helper tests in tests/data/ipptool and returns the value of
/// the first `DISPLAY`ed attribute (`name (type) = value` in `-t` output).
pub fn helper_display(uri: &str, helper: &str, document: Option<&Path>) -> io::Result<String> {
    let test = crate::data_dir().join("ipptool").join(helper);
    let mut args: Vec<String> = vec!["-t".into(), "-T".into(), "10".into()];
    if let Some(doc) = document {
        args.push("-f".into());
        args.push(doc.to_string_lossy().into_owned());
    }
    args.push(uri.to_string());
    args.push(test.to_string_lossy().into_owned());
    let out = run_with_timeout(30, "ipptool", &args, None, &[])?;
    let value =
        out.stdout.lines().find_map(|l| l.split_once(") = ").map(|(_, v)| v.trim().to_string()));
    match value {
        Some(v) if out.rc == 0 => Ok(v),
        _ => Err(other(format!("{helper} against {uri}: {}", out.text()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_results_and_numbers_repeated_names() {
        let text = "\"x.test\":\n    A                     [PASS]\n    Wait   [0001]\n        job-state (enum) = processing\n    Wait   [PASS]\n    A    [FAIL]\n        EXPECTED: x\n    B [SKIP]\nSummary: 4 tests\n";
        let r = summarize("x", text, 1, 0.0, 30);
        assert_eq!((r.passed, r.failed, r.skipped), (2, 1, 1));
        assert_eq!(r.failed_names, vec!["A".to_string()]);
        assert_eq!(r.passed_keys(), vec!["A".to_string(), "Wait".to_string()]);
        assert_eq!(r.status_of("A #2"), Some(Status::Fail));
    }

    #[test]
    fn a_killed_run_reports_the_timeout() {
        let r = summarize("x", "    A [PASS]\n", 137, 30.0, 30);
        assert_eq!(r.failed_names, vec!["TIMEOUT after 30s".to_string()]);
    }
}
