//! The daemon's side of a filter worker run: start the worker as `User` in a private
//! directory, feed it the plan and the documents (decompressed) on stdin, and take its
//! results from stdout into files only we can read. Its stderr is logged; its last `ERROR:`
//! line explains a failure. Canceling kills its process group (Ghostscript too).

use super::wire::{encode_plan, read_results, write_stream, WireError};
use super::Plan;
use crate::sandbox::kill_group;
use crate::{open_document, BackendError, Cancel, DocumentSource, JobInfo};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// How often cancellation is checked while the worker runs.
const POLL: Duration = Duration::from_millis(50);
/// How long the worker may take to exit once it has sent its results, and how long its
/// stderr may stay open after it exited.
const GRACE: Duration = Duration::from_secs(5);
/// The longest stderr line kept (the rest of a longer line is dropped).
const MAX_LINE: usize = 4096;

/// Converts `inputs` by `plan` in the filter worker; the results are files in `work`.
pub(super) fn convert(
    job: &JobInfo,
    plan: &Plan,
    inputs: &[&DocumentSource],
    work: &Path,
    cancel: &Cancel,
) -> Result<Vec<DocumentSource>, BackendError> {
    let mut dir = job.launch.private_dir("quire-filter").map_err(|e| {
        BackendError::Device(format!("Unable to create a directory for the filters: {e}"))
    })?;
    dir.shred_on_drop(job.confidential);
    let mut cmd = job
        .launch
        .worker_command("convert", dir.path())
        .ok_or_else(|| BackendError::Device("No filter worker is configured.".into()))?;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| BackendError::StopPrinter(format!("Unable to start the filters: {e}")))?;
    let id = job.id;
    tracing::debug!(
        "[Job {id}] Started the filter worker (PID {}) for {} document(s)",
        child.id(),
        inputs.len()
    );
    let feeder = child.stdin.take().map(|stdin| {
        feed(stdin, encode_plan(plan).encode(), inputs.iter().map(|d| (*d).clone()).collect())
    });
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        thread::spawn(move || {
            let _ = err_tx.send(read_stderr(stderr, id));
        });
    }
    let outputs: Vec<PathBuf> =
        (0..plan.outputs()).map(|i| work.join(format!("out-{i}"))).collect();
    let (out_tx, out_rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        let paths = outputs.clone();
        thread::spawn(move || drop(out_tx.send(receive_results(stdout, &paths))));
    }
    // The results, unless canceled; then the worker's exit.
    let read = loop {
        match out_rx.recv_timeout(POLL) {
            _ if cancel.is_canceled() => {
                stop(&mut child);
                return Err(BackendError::Canceled);
            }
            Ok(r) => break r.map_err(|e| e.to_string()),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                break Err("the filter worker's output was lost".into())
            }
        }
    };
    let Some(status) = wait(&mut child, cancel) else { return Err(BackendError::Canceled) };
    let last_error = err_rx.recv_timeout(GRACE).ok().flatten();
    if let Some(Err(e)) = feeder.and_then(|f| f.join().ok()) {
        return Err(e);
    }
    if let (Ok(()), true) = (&read, status.success()) {
        let format = plan.output_format();
        return Ok(outputs
            .into_iter()
            .map(|path| DocumentSource {
                path,
                format: format.into(),
                name: "banner".into(),
                compression: None,
            })
            .collect());
    }
    tracing::debug!("[Job {id}] Filter worker exited: {status}; {read:?}");
    Err(BackendError::Document(last_error.unwrap_or_else(|| failure(status, read.err()))))
}

/// Reads the worker's results from its stdout into new 0600 files at `paths`, ours.
fn receive_results(stdout: std::process::ChildStdout, paths: &[PathBuf]) -> Result<(), WireError> {
    let mut open = |i: usize| -> io::Result<Box<dyn Write>> {
        let file =
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&paths[i])?;
        Ok(Box::new(io::BufWriter::new(file)))
    };
    read_results(&mut BufReader::new(stdout), paths.len(), &mut open)
}

/// What to say when the worker gave no `ERROR:` line.
fn failure(status: ExitStatus, read: Option<String>) -> String {
    match (status.signal(), read) {
        (Some(sig), _) => format!("The filters crashed (signal {sig})."),
        (None, Some(why)) => format!("The filters failed: {why}."),
        (None, None) => format!("The filters failed ({status})."),
    }
}

/// Writes the plan and each document, decompressed, to the worker's stdin (on a thread: the
/// worker answers on stdout meanwhile). A document we cannot read is a spool error; the
/// worker going away is not ours to report (its exit status tells).
fn feed(
    mut stdin: std::process::ChildStdin,
    header: Vec<u8>,
    docs: Vec<DocumentSource>,
) -> thread::JoinHandle<Result<(), BackendError>> {
    thread::spawn(move || {
        if stdin.write_all(&header).is_err() {
            return Ok(());
        }
        for doc in &docs {
            let mut input = open_document(doc)?;
            let mut reader = SpoolReader { inner: &mut *input, failed: None };
            let written = write_stream(&mut reader, &mut stdin);
            if let Some(e) = reader.failed {
                return Err(BackendError::Spool(format!("{}: {e}", doc.path.display())));
            }
            if written.is_err() {
                return Ok(());
            }
        }
        Ok(())
    })
}

/// Tells a read error on the spool side apart from a write error on the pipe.
struct SpoolReader<'a> {
    inner: &'a mut dyn Read,
    failed: Option<io::Error>,
}

impl Read for SpoolReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let kept = io::Error::new(e.kind(), e.to_string());
            self.failed = Some(e);
            kept
        })
    }
}

/// Logs the worker's stderr lines; returns the last `ERROR:` message.
pub(crate) fn read_stderr(stderr: impl Read, job: i32) -> Option<String> {
    let mut reader = BufReader::new(stderr);
    let mut last_error = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(MAX_LINE as u64).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return last_error,
            Ok(_) => {}
        }
        if line.last() != Some(&b'\n') {
            // Skip the rest of an overlong line.
            let mut rest = Vec::new();
            let _ = reader.read_until(b'\n', &mut rest);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        match text.split_once(": ") {
            Some(("ERROR", m)) => {
                tracing::debug!("[Job {job}] filter: {m}");
                last_error = Some(m.to_string());
            }
            Some(("DEBUG", m)) => tracing::debug!("[Job {job}] filter: {m}"),
            _ => tracing::debug!("[Job {job}] filter: {text}"),
        }
    }
}

/// The worker's exit status, once it has sent everything. One that lingers is killed after
/// [`GRACE`]; `None` when the job was canceled meanwhile.
pub(crate) fn wait(child: &mut Child, cancel: &Cancel) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if cancel.is_canceled() => {
                stop(child);
                return None;
            }
            Ok(None) if start.elapsed() >= GRACE => {
                stop(child);
                return child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(_) => {
                stop(child);
                return child.wait().ok();
            }
        }
    }
}

/// Kills the worker and everything it started (its process group), then reaps it. The
/// group is signalled before the reap, while its id cannot have been reused.
pub(crate) fn stop(child: &mut Child) {
    kill_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
}
