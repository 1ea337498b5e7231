//! The daemon's side of a delivery in the worker ([`crate::delivery`]): start it as `User`
//! in a private directory, feed it the job, mirror its reports onto [`Progress`], and pass a
//! cancel on. A canceled delivery gets time to cancel the device's job and report its final
//! count; a worker that does not end by then is killed with everything it started.

use crate::delivery::{error_of, max_report, write_job, Report};
use crate::filter_chain::remote::{read_stderr, stop};
use crate::{BackendError, Cancel, DocumentSource, JobInfo, Progress};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// How often cancellation is checked.
const POLL: Duration = Duration::from_millis(50);
/// How long a canceled delivery may take to end (an IPP device's job is canceled, and its
/// final count asked for, within the backend's own timeouts).
const CANCEL_GRACE: Duration = Duration::from_secs(60);

/// Delivers in the worker. Blocks until done, failed or canceled.
pub fn in_worker(
    uri: &str,
    job: &JobInfo,
    docs: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let mut dir = job.launch.private_dir("quire-backend").map_err(|e| {
        BackendError::Device(format!("Unable to create a directory for the backend: {e}"))
    })?;
    dir.shred_on_drop(job.confidential);
    let mut cmd = job
        .launch
        .worker_command("deliver", dir.path())
        .ok_or_else(|| BackendError::Device("No backend worker is configured.".into()))?;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| BackendError::StopPrinter(format!("Unable to start the backend: {e}")))?;
    let id = job.id;
    // Never the URI's `user:password@` (the worker alone gets them, on its stdin).
    let shown = quire_ipp::uri::without_userinfo(uri);
    tracing::debug!("[Job {id}] Started the backend worker (PID {}) for {shown}", child.id());
    // A message on `then`: pass a cancel on; the sender dropped: close stdin.
    let (then_tx, then_rx) = mpsc::channel::<()>();
    let feeder = child.stdin.take().map(|stdin| {
        let (uri, job, docs) = (uri.to_string(), job.clone(), docs.to_vec());
        thread::spawn(move || feed(stdin, &uri, &job, &docs, then_rx))
    });
    if let Some(stderr) = child.stderr.take() {
        thread::spawn(move || read_stderr(stderr, id));
    }
    let (tx, reports) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        thread::spawn(move || read_reports(stdout, tx));
    }
    let outcome = follow(&reports, cancel, progress, &then_tx);
    drop(then_tx);
    let fed = feeder.and_then(|f| f.join().ok()).unwrap_or(Ok(()));
    match outcome {
        Some(result) => {
            if crate::filter_chain::remote::wait(&mut child, &Cancel::default()).is_none() {
                stop(&mut child);
            }
            // A document we could not read is ours to report, whatever the worker made of it.
            fed.and(result)
        }
        None => {
            stop(&mut child);
            fed.and(Err(if cancel.is_canceled() {
                BackendError::Canceled
            } else {
                BackendError::Device("The backend crashed.".into())
            }))
        }
    }
}

/// Mirrors reports until the result; `None` when the worker ended without one (or did not
/// end in time after a cancel).
fn follow(
    reports: &mpsc::Receiver<Report>,
    cancel: &Cancel,
    progress: &mut dyn Progress,
    then: &mpsc::Sender<()>,
) -> Option<Result<(), BackendError>> {
    let mut canceled_at: Option<Instant> = None;
    loop {
        if canceled_at.is_none() && cancel.is_canceled() {
            let _ = then.send(());
            canceled_at = Some(Instant::now());
        }
        if canceled_at.is_some_and(|t| t.elapsed() > CANCEL_GRACE) {
            return None;
        }
        match reports.recv_timeout(POLL) {
            Ok(Report::Pages(n)) => progress.pages(n),
            Ok(Report::State(reasons, message)) => progress.printer_state(reasons, message),
            Ok(Report::Attribute(a)) => progress.printer_attribute(a),
            Ok(Report::Submitted(n)) => progress.submitted(n),
            Ok(Report::Result(None)) => return Some(Ok(())),
            Ok(Report::Result(Some((kind, message)))) => {
                return Some(Err(error_of(&kind, message)))
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// Writes the job and documents, then waits to pass a cancel on or to close stdin.
fn feed(
    mut stdin: ChildStdin,
    uri: &str,
    job: &JobInfo,
    docs: &[DocumentSource],
    then: mpsc::Receiver<()>,
) -> Result<(), BackendError> {
    match write_job(&mut stdin, uri, job, docs) {
        // The worker gone early says why itself (its result or its exit).
        Err(BackendError::Device(_)) => return Ok(()),
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    if then.recv().is_ok() {
        let _ = stdin.write_all(b"cancel\n").and_then(|_| stdin.flush());
        // Keep stdin open until the delivery ends (the sender is dropped).
        while then.recv().is_ok() {}
    }
    Ok(())
}

/// Reads report lines (overlong ones are cut; lines that are no report are logged).
fn read_reports(stdout: impl Read, tx: mpsc::Sender<Report>) {
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(max_report() as u64).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        match Report::parse(text.trim_end_matches('\n')) {
            Some(r) => {
                if tx.send(r).is_err() {
                    return;
                }
            }
            None => tracing::debug!("backend worker: {}", text.trim_end()),
        }
    }
}
