//! The ipptool conformance run: each CUPS test file against a server's queue, with the
//! per-file variables and set-up that the files need, and the cupsd-vs-quired comparison.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

use crate::cli::{cups_tool, Via};
use crate::ippeve::IppEvePrinter;
use crate::ipptool::{
    helper_display, run_ipptool, IppSuite, IpptoolResult, Status, DEFAULT_DOCUMENT,
};
use crate::process::other;
use crate::server::Server;

/// Per-file limit. print-job-media-needed waits for a media-empty event that never comes and is
/// always cut off here (cupsd: 1 pass, then killed).
pub const FILE_TIMEOUT_SECS: u64 = 30;

/// One server's queue, backed by its own ippeveprinter.
pub struct Target<'a> {
    pub server: &'a Server,
    pub queue: &'a str,
    pub printer: &'a IppEvePrinter,
}

/// Runs one test file against the target, then purges the queue and waits for the printer to
/// go idle so the next file starts from an empty queue (the job-completion waits in the
/// ipp-* files depend on that).
pub fn run_file(suite: &IppSuite, t: &Target<'_>, file: &str) -> io::Result<IpptoolResult> {
    let (uri, extra) = prepare(suite, t, file)?;
    let result = run_ipptool(suite, &uri, file, &extra, FILE_TIMEOUT_SECS)?;
    let _ = cups_tool(t.server, Via::Tcp, "cancel", &["-a", "-x", t.queue]);
    t.printer.wait_idle(Duration::from_secs(10));
    Ok(result)
}

/// The URI and `-d` variables for a file. Most files take the printer URI and nothing else;
/// these need more (without it they fail on any server, which tests nothing):
/// - cancel-current-job: a job to find and cancel (a held job is submitted first);
/// - get-job-attributes, get-job-attributes2: `$uri` is a *job* URI (of a held job);
/// - cups-create-local-printer: `$name` and `$device` (the ippeveprinter);
/// - get-printers-printer-id: `$printer_id` (the queue's printer-id).
fn prepare(suite: &IppSuite, t: &Target<'_>, file: &str) -> io::Result<(String, Vec<String>)> {
    let printer_uri = t.server.printer_uri(t.queue);
    let define = |k: &str, v: &str| vec!["-d".to_string(), format!("{k}={v}")];
    match file {
        "cancel-current-job" => {
            hold_job(suite, &printer_uri)?;
            Ok((printer_uri, vec![]))
        }
        "get-job-attributes" | "get-job-attributes2" => {
            let id = hold_job(suite, &printer_uri)?;
            Ok((format!("{}/jobs/{id}", t.server.uri_base()), vec![]))
        }
        "cups-create-local-printer" => {
            let mut vars = define("name", "local-queue");
            vars.extend(define("device", &t.printer.uri()));
            Ok((printer_uri, vars))
        }
        "get-printers-printer-id" => {
            let id = helper_display(&printer_uri, "printer-id.test", None)?;
            Ok((printer_uri, define("printer_id", &id)))
        }
        _ => Ok((printer_uri, vec![])),
    }
}

/// Submits a job held indefinitely and returns its id.
pub fn hold_job(suite: &IppSuite, printer_uri: &str) -> io::Result<u32> {
    let doc = suite.document(DEFAULT_DOCUMENT);
    let id = helper_display(printer_uri, "hold-job.test", Some(&doc))?;
    id.parse().map_err(|_| other(format!("bad job-id {id:?} from {printer_uri}")))
}

/// A test quired is allowed to fail although cupsd passes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownUnpassable {
    pub file: String,
    pub test: String,
    pub reason: String,
}

/// Reads `file<TAB>test name<TAB>reason` lines; `#` starts a comment line.
pub fn load_known_unpassable(path: &Path) -> io::Result<Vec<KnownUnpassable>> {
    let text = fs::read_to_string(path)?;
    let mut list = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        match (cols.next(), cols.next(), cols.next()) {
            (Some(file), Some(test), Some(reason)) if !reason.trim().is_empty() => {
                list.push(KnownUnpassable {
                    file: file.trim().to_string(),
                    test: test.trim().to_string(),
                    reason: reason.trim().to_string(),
                })
            }
            _ => {
                return Err(other(format!(
                    "{}:{}: want file<TAB>test<TAB>reason",
                    path.display(),
                    n + 1
                )))
            }
        }
    }
    Ok(list)
}

/// Tests cupsd passes and quired does not, minus the known-unpassable ones.
pub fn regressions(
    cupsd: &IpptoolResult,
    quired: &IpptoolResult,
    known: &[KnownUnpassable],
) -> Vec<String> {
    cupsd
        .passed_keys()
        .into_iter()
        .filter(|key| quired.status_of(key) != Some(Status::Pass))
        .filter(|key| !known.iter().any(|k| k.file == cupsd.file && k.test == *key))
        .map(|key| {
            let got = quired.status_of(&key).map_or("missing".to_string(), |s| format!("{s:?}"));
            format!("{}: {key} (quired: {got})", cupsd.file)
        })
        .collect()
}

/// One row per file and server: `file server pass fail skip rc seconds failed-tests`.
pub fn results_tsv(rows: &[(String, Option<IpptoolResult>, Option<IpptoolResult>)]) -> String {
    let mut out = String::from("file\tserver\tpass\tfail\tskip\trc\tseconds\tfailed tests\n");
    for (file, cupsd, quired) in rows {
        for (server, result) in [("cupsd", cupsd), ("quired", quired)] {
            if let Some(r) = result {
                let _ = writeln!(
                    out,
                    "{file}\t{server}\t{}\t{}\t{}\t{}\t{:.1}\t{}",
                    r.passed,
                    r.failed,
                    r.skipped,
                    r.rc,
                    r.seconds,
                    r.failed_names.join("; ")
                );
            }
        }
    }
    out
}

/// The human-readable comparison table.
pub fn table(rows: &[(String, Option<IpptoolResult>, Option<IpptoolResult>)]) -> String {
    let cell = |r: &Option<IpptoolResult>| match r {
        Some(r) => format!("{:>3}/{:<3}/{:<3} {:>5.1}s", r.passed, r.failed, r.skipped, r.seconds),
        None => "        -         ".to_string(),
    };
    let mut out = format!("{:<36} {:<19} {:<19}\n", "file", "cupsd p/f/s", "quired p/f/s");
    for (file, cupsd, quired) in rows {
        let _ = writeln!(out, "{file:<36} {:<19} {:<19}", cell(cupsd), cell(quired));
    }
    out
}
