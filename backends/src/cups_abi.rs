//! Every scheme Quire has no native backend for: run `<ServerBin>/backend/<scheme>` as cupsd
//! runs a CUPS backend (backend(7)), so the backends CUPS and printer drivers install (usb,
//! smb, dnssd, vendor ones...) work unchanged.
//!
//! - argv: the device URI without credentials, job id, user, title, copies, the job options
//!   (cupsd's encoding), and the document file when the backend can read it itself.
//! - One run per job, like cupsd. A single uncompressed document the backend may read is
//!   passed as argv[6]; otherwise (several documents, compressed ones, or a backend running
//!   as another user, who cannot read the spool) the documents are streamed on stdin,
//!   decompressed, each repeated `copies` times with a `PAGE: 1 1` per copy — exactly what
//!   cupsd's gziptoany prefilter does for a raw queue.
//! - A clean environment (DEVICE_URI, CONTENT_TYPE, PRINTER, CUPS_* directories, TMPDIR...);
//!   the directories come from `QUIRE_CUPS_*` environment variables ([`CupsConfig`]).
//! - As root, the backend runs as root only if nobody else may execute it (mode 0700, 0744...),
//!   else as the unprivileged user (`lp`). Backends that are writable by group or others,
//!   set-id, or (as root) not owned by root are refused.
//! - stderr is parsed line by line ([`status`]); the exit code maps to [`BackendError`].
//! - Cancel sends SIGTERM to the backend's process group, SIGKILL 5 s later.

pub mod discovery;
mod invocation;
pub(crate) mod security;
mod session;
pub mod status;

use crate::cups_config::CupsConfig;
use crate::sandbox::{Account, PrivateDir};
use crate::{open_document, BackendError, Cancel, DocumentSource, JobInfo, Progress};
use invocation::Invocation;
use security::Refusal;
use session::Session;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often the child is polled while no status line arrives.
const POLL: Duration = Duration::from_millis(50);
/// How long stderr may stay open after the backend exited (a leftover child holding it).
const DRAIN: Duration = Duration::from_secs(2);

/// Delivers through the CUPS backend for the URI's scheme, configured from the environment.
pub fn deliver(
    uri: &str,
    job: &JobInfo,
    documents: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    deliver_with(&job.launch.cups, uri, job, documents, cancel, progress)
}

/// The schemes with a CUPS backend installed, sorted (what cupsd accepts as device URIs
/// besides its own), in the ServerBin of the environment ([`CupsConfig::from_env`]).
pub fn backend_schemes() -> Vec<String> {
    backend_schemes_in(&CupsConfig::from_env())
}

/// The schemes with a CUPS backend in `config`'s ServerBin.
pub fn backend_schemes_in(config: &CupsConfig) -> Vec<String> {
    let dir = config.backend_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().filter_map(|e| e.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.retain(|n| {
        invocation::scheme_of(&format!("{n}:")) == Some(n.as_str()) && dir.join(n).is_file()
    });
    names.sort();
    names
}

pub(crate) fn deliver_with(
    config: &CupsConfig,
    uri: &str,
    job: &JobInfo,
    documents: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let shown = invocation::sanitize_uri(uri);
    let scheme = invocation::scheme_of(uri)
        .ok_or_else(|| BackendError::BadUri(format!("{shown}: no valid scheme")))?;
    let program = config.backend_dir().join(scheme);
    let euid = security::effective_uid(&job.work_dir)
        .map_err(|e| BackendError::Device(format!("Unable to tell which user we are: {e}")))?;
    let meta = checked_program(&program, scheme, euid)?;
    if documents.is_empty() {
        return Err(BackendError::Document("The job has no documents to print.".into()));
    }
    if cancel.is_canceled() {
        return Err(BackendError::Canceled);
    }
    // As root, a backend others may run runs as `User`/`Group` (the daemon resolved them).
    let account = match job.launch.account {
        _ if euid != 0 || security::wants_root(meta.permissions().mode()) => None,
        Some(a) => Some(a),
        None => Some(run_user(config)?),
    };
    let direct = documents.len() == 1 && documents[0].compression.is_none() && account.is_none();
    let mut tmp = PrivateDir::create(&job.work_dir, account, "quire-backend").map_err(|e| {
        BackendError::Device(format!("Unable to create a temporary directory for the backend: {e}"))
    })?;
    tmp.shred_on_drop(job.confidential);
    let inv = Invocation {
        config,
        uri,
        job,
        documents,
        file: direct.then(|| documents[0].path.as_path()),
        tmp_dir: tmp.path(),
    };
    let mut cmd = Command::new(&program);
    cmd.arg0(&shown)
        .args(inv.args())
        .env_clear()
        .envs(inv.env())
        .current_dir(tmp.path())
        .stdin(if direct { Stdio::null() } else { Stdio::piped() })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, so a cancel reaches the programs a script backend starts.
        .process_group(0);
    if let Some(a) = account {
        cmd.uid(a.uid).gid(a.gid);
    }
    let mut child = cmd.spawn().map_err(|e| {
        BackendError::StopPrinter(format!("Unable to start the backend {}: {e}", program.display()))
    })?;
    tracing::info!(
        "[Job {}] Started backend {} (PID {}) for {shown}",
        job.id,
        program.display(),
        child.id()
    );
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(256);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = child.stdin.take().map(|stdin| {
        feed(stdin, documents.to_vec(), invocation::copies(job), tx.clone(), stop.clone())
    });
    match child.stderr.take() {
        Some(stderr) => read_lines(stderr, tx),
        None => drop(tx),
    }
    let mut session = Session::new(progress, job.id);
    let supervised = supervise(&mut child, &rx, cancel, config.kill_grace, &mut session);
    stop.store(true, Ordering::SeqCst);
    let (status, canceled) = supervised
        .map_err(|e| BackendError::Device(format!("Unable to wait for the backend: {e}")))?;
    let fed = writer.filter(|w| w.is_finished()).and_then(|w| w.join().ok());
    tracing::info!("[Job {}] Backend {} exited: {status}", job.id, program.display());
    outcome(scheme, status, canceled, fed, &session)
}

/// The backend program for `scheme`, if it exists and its permissions are safe to run it with
/// (cupsd's rules: as root, only a program nobody else can change).
fn checked_program(
    program: &Path,
    scheme: &str,
    euid: u32,
) -> Result<std::fs::Metadata, BackendError> {
    security::check_program(program, euid == 0).map_err(|r| match r {
        Refusal::Missing => BackendError::BadUri(format!(
            "no backend for scheme \"{scheme}\" ({} is missing)",
            program.display()
        )),
        Refusal::NotProgram(m) => {
            BackendError::StopPrinter(format!("Unable to run the backend: {m}."))
        }
        Refusal::Insecure(m) => {
            BackendError::StopPrinter(format!("The backend has insecure permissions: {m}."))
        }
    })
}

fn run_user(config: &CupsConfig) -> Result<Account, BackendError> {
    security::lookup_account(&config.user, config.group.as_deref()).ok_or_else(|| {
        BackendError::StopPrinter(format!(
            "Unable to run the backend as user \"{}\"{}: no such user or group.",
            config.user,
            config.group.as_deref().map(|g| format!(" group \"{g}\"")).unwrap_or_default()
        ))
    })
}

/// The job's result from how the backend ended (CUPS backend.h exit codes).
fn outcome(
    scheme: &str,
    status: ExitStatus,
    canceled: bool,
    fed: Option<Result<(), BackendError>>,
    session: &Session<'_>,
) -> Result<(), BackendError> {
    if canceled {
        return Err(BackendError::Canceled);
    }
    // The device got a truncated job when the spool could not be read.
    if let Some(Err(e)) = fed {
        return Err(e);
    }
    let why = |default: &str| session.failure_message(default);
    let Some(code) = status.code() else {
        let signal = status.signal().unwrap_or(0);
        let last = session.failure_message("");
        let detail = if last.is_empty() { String::new() } else { format!(" ({last})") };
        return Err(BackendError::Device(format!(
            "The \"{scheme}\" backend crashed: signal {signal}{detail}"
        )));
    };
    match code {
        0 => Ok(()),
        2 => Err(BackendError::AuthRequired(why("The backend needs credentials."))),
        3 => Err(BackendError::Hold(why("The backend held the job."))),
        4 => Err(BackendError::StopPrinter(why("The backend stopped the printer."))),
        5 => Err(BackendError::CanceledByDevice(why("The backend canceled the job."))),
        6 => Err(BackendError::Retry(why("The backend asked to retry the job later."))),
        7 => Err(BackendError::RetryCurrent(why("The backend asked to retry the job now."))),
        // 1 is CUPS_BACKEND_FAILED; cupsd treats unknown codes the same way.
        n => Err(BackendError::Device(why(&format!(
            "The \"{scheme}\" backend failed (exit status {n})."
        )))),
    }
}

/// Processes status lines until the backend has exited and its stderr is drained;
/// returns its exit status and whether it was canceled.
fn supervise(
    child: &mut Child,
    rx: &Receiver<Vec<u8>>,
    cancel: &Cancel,
    grace: Duration,
    session: &mut Session<'_>,
) -> io::Result<(ExitStatus, bool)> {
    let mut open = true;
    let mut term_sent: Option<Instant> = None;
    let mut killed = false;
    let mut exited: Option<(ExitStatus, Instant)> = None;
    loop {
        if open {
            match rx.recv_timeout(POLL) {
                Ok(line) => session.handle(&line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        } else if exited.is_none() {
            thread::sleep(POLL);
        }
        if exited.is_none() {
            if cancel.is_canceled() && term_sent.is_none() {
                term_sent = Some(Instant::now());
                if !signal_group(child.id(), "TERM") {
                    killed = true;
                    let _ = child.kill();
                }
            }
            if term_sent.is_some_and(|t| t.elapsed() >= grace) && !killed {
                killed = true;
                signal_group(child.id(), "KILL");
                let _ = child.kill();
            }
            exited = child.try_wait()?.map(|status| (status, Instant::now()));
        }
        if let Some((status, at)) = exited {
            if !open || at.elapsed() >= DRAIN {
                // Whatever was already read still counts; a leftover writer is not waited for.
                for line in rx.try_iter().take(1024) {
                    session.handle(&line);
                }
                return Ok((status, term_sent.is_some()));
            }
        }
    }
}

/// Sends a signal to the backend's process group with kill(1): std has no way to send
/// anything but SIGKILL without `unsafe`.
fn signal_group(pgid: u32, signal: &str) -> bool {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Reads stderr into lines of at most [`status::MAX_LINE`] bytes (the rest of a longer
/// line is dropped) and sends them on.
fn read_lines(stderr: impl Read + Send + 'static, tx: SyncSender<Vec<u8>>) {
    thread::spawn(move || {
        let mut reader = BufReader::with_capacity(8192, stderr);
        let mut line = Vec::new();
        loop {
            let buf = match reader.fill_buf() {
                Ok([]) => break,
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let newline = buf.iter().position(|b| *b == b'\n');
            let take = newline.unwrap_or(buf.len());
            let room = status::MAX_LINE.saturating_sub(line.len());
            line.extend_from_slice(&buf[..take.min(room)]);
            reader.consume(newline.map_or(take, |n| n + 1));
            if newline.is_some() && tx.send(std::mem::take(&mut line)).is_err() {
                return;
            }
        }
        if !line.is_empty() {
            let _ = tx.send(line);
        }
    });
}

/// Streams the documents, decompressed, into the backend's stdin: each one `copies` times,
/// announcing each copy with `PAGE: 1 1` as cupsd's gziptoany does for a raw queue.
fn feed(
    mut stdin: ChildStdin,
    documents: Vec<DocumentSource>,
    copies: i32,
    tx: SyncSender<Vec<u8>>,
    stop: Arc<AtomicBool>,
) -> JoinHandle<Result<(), BackendError>> {
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        for doc in &documents {
            for _ in 0..copies {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let _ = tx.send(b"PAGE: 1 1".to_vec());
                let mut input = open_document(doc)?;
                loop {
                    let n = match input.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            return Err(BackendError::Spool(format!("{}: {e}", doc.path.display())))
                        }
                    };
                    // The backend stopped reading (it failed or is done): its exit code tells.
                    if stdin.write_all(&buf[..n]).is_err() {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
#[path = "cups_abi_tests.rs"]
mod tests;
