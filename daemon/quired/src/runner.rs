//! Runs backends: one blocking task per printing job, reporting back to the scheduler.

use crate::command::Command;
use crate::store_thread::StoreHandle;
use quire_backends::{BackendError, Cancel, DocumentSource, JobInfo, Progress};
use quire_core::{JobResult, Scheduler};
use std::collections::HashMap;
use std::path::PathBuf;
use tokio::sync::mpsc::UnboundedSender;

pub struct Runner {
    spool_dir: PathBuf,
    /// Which document URIs Print-URI/Send-URI jobs may be fetched from.
    pull: crate::fetch::PullPolicy,
    keyring: std::sync::Arc<quire_vault::Keyring>,
    store: StoreHandle,
    tx: UnboundedSender<Command>,
    /// The current run of each printing job and its cancel handle.
    running: HashMap<i32, (u32, Cancel)>,
    /// Who filters and CUPS backends run as (cups-files.conf `User`/`Group`).
    launch: std::sync::Arc<quire_backends::Launch>,
}

struct Report {
    job_id: i32,
    run: u32,
    tx: UnboundedSender<Command>,
    /// The device URI, whose credentials no report may carry.
    uri: String,
}

impl Progress for Report {
    fn pages(&mut self, completed: i32) {
        let _ = self.tx.send(Command::JobProgress {
            job_id: self.job_id,
            run: self.run,
            pages: completed,
        });
    }
    fn printer_state(&mut self, reasons: Vec<String>, message: String) {
        let message = quire_ipp::uri::redact(&message, &self.uri);
        let _ = self.tx.send(Command::DeviceState {
            job_id: self.job_id,
            run: self.run,
            reasons,
            message,
        });
    }
    fn printer_attribute(&mut self, attr: quire_ipp::Attribute) {
        let _ = self.tx.send(Command::DeviceAttribute { job_id: self.job_id, run: self.run, attr });
    }
    fn submitted(&mut self, device_job: i32) {
        let _ = self.tx.send(Command::DeviceJob { job_id: self.job_id, run: self.run, device_job });
    }
}

/// `result` with the device URI's credentials taken out of its message: it is logged, and
/// shown as the job's or the queue's state message.
fn redacted(result: JobResult, uri: &str) -> JobResult {
    let r = |m: String| quire_ipp::uri::redact(&m, uri);
    match result {
        JobResult::Failed(m) => JobResult::Failed(r(m)),
        JobResult::Cancel(m) => JobResult::Cancel(r(m)),
        JobResult::DocumentError(m) => JobResult::DocumentError(r(m)),
        JobResult::DocumentAccessError(m) => JobResult::DocumentAccessError(r(m)),
        JobResult::Hold(m) => JobResult::Hold(r(m)),
        JobResult::StopPrinter(m) => JobResult::StopPrinter(r(m)),
        JobResult::AuthRequired(m) => JobResult::AuthRequired(r(m)),
        JobResult::Retry(m) => JobResult::Retry(r(m)),
        JobResult::RetryCurrent(m) => JobResult::RetryCurrent(r(m)),
        other @ (JobResult::Completed | JobResult::Stopped) => other,
    }
}

fn result_of(r: Result<(), BackendError>) -> JobResult {
    match r {
        Ok(()) => JobResult::Completed,
        Err(BackendError::Canceled) => JobResult::Stopped,
        Err(e @ BackendError::CanceledByDevice(_)) => JobResult::Cancel(e.to_string()),
        Err(e @ BackendError::BadUri(_)) => JobResult::StopPrinter(e.to_string()),
        Err(BackendError::StopPrinter(m)) => JobResult::StopPrinter(m),
        Err(BackendError::Document(m)) => JobResult::DocumentError(m),
        Err(BackendError::Hold(m)) => JobResult::Hold(m),
        Err(e @ BackendError::AuthRequired(_)) => JobResult::AuthRequired(e.to_string()),
        Err(BackendError::Retry(m)) => JobResult::Retry(m),
        Err(BackendError::RetryCurrent(m)) => JobResult::RetryCurrent(m),
        Err(e) => JobResult::Failed(e.to_string()),
    }
}

impl Runner {
    /// A reloaded `PullSchemes`/`PullHosts`/`PullMinRate` (fetches begun keep theirs).
    pub fn set_pull(&mut self, pull: crate::fetch::PullPolicy) {
        self.pull = pull;
    }

    pub fn new(
        spool_dir: PathBuf,
        store: StoreHandle,
        tx: UnboundedSender<Command>,
        keyring: std::sync::Arc<quire_vault::Keyring>,
        pull: crate::fetch::PullPolicy,
        launch: std::sync::Arc<quire_backends::Launch>,
    ) -> Self {
        // Copies a crash mid-delivery left: exported inline documents, and decrypted,
        // fetched or converted ones (shredded: they may hold a confidential job's plaintext).
        if let Ok(dir) = std::fs::read_dir(spool_dir.join("tmp")) {
            for entry in dir.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if quire_core::Document::is_inline_name(name) {
                    let _ = std::fs::remove_file(entry.path());
                } else if is_run_copy(name) {
                    let _ = quire_vault::shred(&entry.path());
                } else if name.starts_with("filter-") && entry.file_type().is_ok_and(|t| t.is_dir())
                {
                    // A conversion's results (only ever ours: the filters never enter the spool).
                    quire_backends::sandbox::shred_files(&entry.path());
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Runner { spool_dir, pull, keyring, store, tx, running: HashMap::new(), launch }
    }

    pub fn start(&mut self, state: &Scheduler, job_id: i32, run: u32, printer: &str) {
        let (Some(job), Some(p)) = (state.jobs.get(&job_id), state.printer(printer)) else {
            let _ = self.tx.send(Command::JobDone {
                job_id,
                run,
                result: JobResult::Failed("The printer or job is gone.".into()),
            });
            return;
        };
        let uri = p.device_uri.clone();
        let work_dir = self.spool_dir.join("tmp");
        let sources = self.sources(job, run, &work_dir);
        let cancel = Cancel::default();
        let pulls = Pulls {
            docs: job
                .documents
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((i, d.uri.clone()?, sources.docs[i].path.clone())))
                .collect(),
            policy: self.pull.clone(),
            options: crate::fetch::FetchOptions {
                // A fetched copy takes spool disk while it prints: the owner's room bounds it.
                max_bytes: quire_core::quota::room(state, Some(&job.owner))
                    .map_or(0, |r| r.bytes.max(1)),
                min_rate: self.pull.min_rate,
                // Cancel, hold or MaxJobTime stop a fetch too, not only the backend.
                cancel: Some(cancel.clone()),
                ..Default::default()
            },
            runtime: tokio::runtime::Handle::current(),
            confidential: job.confidential.is_some(),
        };
        // A run started to stop a job whose rest moves to another printer (after a restart).
        let handoff =
            job.failover.as_ref().is_some_and(|f| f.phase == quire_core::model::Phase::HandingOff);
        let info = JobInfo {
            id: job_id,
            name: job.name.to_string(),
            user: job.owner.to_string(),
            attributes: job.attributes.to_vec(),
            capabilities: p.capabilities.to_vec(),
            printer: p.name.clone(),
            created: job.created,
            work_dir,
            resume_device_job: job.device_job,
            handoff,
            launch: self.launch.clone(),
            confidential: job.confidential.is_some(),
        };
        self.running.insert(job_id, (run, cancel.clone()));
        let shown = quire_ipp::uri::without_userinfo(&uri);
        match job.device_job {
            Some(d) if handoff => tracing::info!(
                "[Job {job_id}] stopping job {d} on {printer} ({shown}) to hand the rest on"
            ),
            Some(d) => tracing::info!(
                "[Job {job_id}] following job {d} on {printer} ({shown}) after a restart"
            ),
            None => tracing::info!("[Job {job_id}] printing on {printer} ({shown})"),
        }
        let backend = Backend {
            run: Report { job_id, run, tx: self.tx.clone(), uri },
            info,
            sources,
            pulls,
            cancel,
            keyring: self.keyring.clone(),
        };
        tokio::task::spawn_blocking(move || backend.run());
    }

    /// Where run `run` of `job` reads its documents, and what must be done to them first.
    fn sources(&self, job: &quire_core::Job, run: u32, work_dir: &std::path::Path) -> Sources {
        let job_id = job.id;
        // Inline documents are exported to a private temporary file for the backend. The
        // read is queued behind every batch sent so far, so it sees the job committed.
        let mut exports = Vec::new();
        let mut barriers = Vec::new();
        let sealed_keys: Vec<String> =
            job.confidential.as_ref().map(|c| c.keys.clone()).unwrap_or_default();
        let mut docs: Vec<DocumentSource> = job
            .documents
            .iter()
            .map(|d| {
                let path = if d.uri.is_some() {
                    work_dir.join(format!("u{job_id:05}-{:03}-r{run}", d.number))
                } else if d.is_inline() {
                    let path = work_dir.join(format!("{}-r{run}", d.file));
                    exports.push((self.store.read_inline(&d.file), path.clone()));
                    path
                } else {
                    let path = self.spool_dir.join(&d.file);
                    // A copy of an inline document (a split job's part) is written by the
                    // store thread: wait until it has served what was queued before.
                    if !path.exists() {
                        barriers.push(self.store.read_inline(&d.file));
                    }
                    path
                };
                DocumentSource {
                    path,
                    format: d.format.clone(),
                    name: d.name.clone(),
                    compression: d.compression.clone(),
                }
            })
            .collect();
        // A confidential job's documents are decrypted into private temporary files for
        // this run only (shredded when it ends).
        // (Keys belong to the stored documents in order; fetched ones have none.)
        let mut unseal = Vec::new();
        let stored = docs.iter_mut().zip(&job.documents).filter(|(_, d)| d.uri.is_none());
        for ((d, doc), key) in stored.zip(&sealed_keys) {
            let plain = work_dir.join(format!("p{job_id:05}-{:03}-r{run}", doc.number));
            unseal.push((d.path.clone(), plain.clone(), key.clone()));
            d.path = plain;
        }
        Sources { docs, exports, barriers, unseal }
    }

    /// A copied job's document: the store thread links its spool file (an inline document:
    /// copies it), before the batch that records the copy; the scheduler task does no I/O.
    pub fn link_document(&self, from: &str, to: &str) {
        if from.is_empty() {
            // A Print-URI document: nothing stored; the copy fetches it too.
            return;
        }
        self.store.copy_document(from, to);
    }

    pub fn stop(&self, job_id: i32) {
        if let Some((_, c)) = self.running.get(&job_id) {
            c.cancel();
        }
    }

    /// Run `run` of the job ended; a newer run (the job was moved or restarted) keeps its handle.
    pub fn finished(&mut self, job_id: i32, run: u32) {
        if self.running.get(&job_id).is_some_and(|(r, _)| *r == run) {
            self.running.remove(&job_id);
        }
    }
}

/// A run's private copy: `p00012-001-r3` (decrypted) or `u00012-001-r3` (fetched).
fn is_run_copy(name: &str) -> bool {
    let b = name.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    b.len() > 13
        && matches!(b[0], b'p' | b'u')
        && digits(1..6)
        && b[6] == b'-'
        && digits(7..10)
        && &b[10..12] == b"-r"
        && digits(12..b.len())
}

/// The Print-URI / Send-URI documents of a run, fetched into private temporary files just
/// before it prints (so a held job's document is fetched only once it is released).
struct Pulls {
    /// (index in the run's documents, document-uri, temporary file)
    docs: Vec<(usize, String, PathBuf)>,
    policy: crate::fetch::PullPolicy,
    options: crate::fetch::FetchOptions,
    runtime: tokio::runtime::Handle,
    /// A confidential job's document URI is private: its failure message leaves it out.
    confidential: bool,
}

impl Pulls {
    /// Fetches each document (on this blocking thread); a document sent as
    /// application/octet-stream gets the format its bytes show. A document the server
    /// cannot reach aborts the job (`document-access-error`); a local failure is the
    /// printer's error policy's to handle.
    fn fetch(&self, docs: &mut [DocumentSource]) -> Result<(), JobResult> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let local = |path: &std::path::Path, e: std::io::Error| {
            JobResult::Failed(format!("{}: {e}", path.display()))
        };
        for (i, uri, path) in &self.docs {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| local(dir, e))?;
            }
            let _ = quire_vault::shred(path);
            let file =
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
            let mut out = std::io::BufWriter::new(file.map_err(|e| local(path, e))?);
            let mut head: Vec<u8> = Vec::with_capacity(512);
            let mut sink = |chunk: &[u8]| {
                head.extend(chunk.iter().take(512 - head.len()));
                out.write_all(chunk)
            };
            let fetched = self.runtime.block_on(crate::fetch::fetch_with(
                uri,
                &self.policy,
                &self.options,
                &mut sink,
            ));
            fetched.map_err(|e| {
                if matches!(e, crate::fetch::FetchError::Canceled) {
                    return JobResult::Stopped;
                }
                // job-state-message is public (Get-Jobs): a confidential job's says why
                // without naming the URI or its host; the error log has the details.
                let why = if self.confidential {
                    tracing::error!("Unable to fetch a confidential job's document: {e}.");
                    e.without_uri()
                } else {
                    e.to_string()
                };
                match e.job_state_reason() {
                    "document-access-error" => JobResult::DocumentAccessError(format!(
                        "Unable to fetch the document: {why}."
                    )),
                    _ => JobResult::Failed(format!("Unable to fetch the document: {why}.")),
                }
            })?;
            out.flush().map_err(|e| local(path, e))?;
            if let Some(d) = docs.get_mut(*i).filter(|d| d.format == "application/octet-stream") {
                d.format = crate::sniff::detect(&head).to_string();
            }
        }
        Ok(())
    }
}

type Export = (tokio::sync::oneshot::Receiver<Result<Option<Vec<u8>>, String>>, PathBuf);

/// A run's documents: where the backend reads them, and what is done first (inline ones
/// exported, copies waited for, sealed ones decrypted: each into a temporary file).
struct Sources {
    docs: Vec<DocumentSource>,
    exports: Vec<Export>,
    barriers: Vec<tokio::sync::oneshot::Receiver<Result<Option<Vec<u8>>, String>>>,
    /// (sealed file, plain temporary file, sealed key)
    unseal: Vec<(PathBuf, PathBuf, String)>,
}

/// One backend run, carried out on a blocking thread.
struct Backend {
    run: Report,
    info: JobInfo,
    sources: Sources,
    pulls: Pulls,
    cancel: Cancel,
    keyring: std::sync::Arc<quire_vault::Keyring>,
}

impl Backend {
    /// Fetches, exports and decrypts the documents, delivers the job, shreds the temporary
    /// files and reports how the run ended.
    fn run(self) {
        let Backend { run: mut report, info, sources, pulls, cancel, keyring } = self;
        let Sources { mut docs, exports, barriers, unseal } = sources;
        let (job_id, run, tx, uri) =
            (report.job_id, report.run, report.tx.clone(), report.uri.clone());
        let mut temps: Vec<PathBuf> = exports.iter().map(|(_, p)| p.clone()).collect();
        temps.extend(unseal.iter().map(|(_, plain, _)| plain.clone()));
        temps.extend(pulls.docs.iter().map(|(_, _, path)| path.clone()));
        if let Err(result) = pulls.fetch(&mut docs) {
            tracing::error!("[Job {job_id}] {result:?}");
            for t in &temps {
                let _ = quire_vault::shred(t);
            }
            let _ = tx.send(Command::JobDone { job_id, run, result });
            return;
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for b in barriers {
                let _ = b.blocking_recv();
            }
            export(&info.work_dir, exports)?;
            decrypt(&keyring, &unseal)?;
            quire_backends::deliver(&uri, &info, &docs, &cancel, &mut report)
        }));
        for t in &temps {
            let _ = quire_vault::shred(t);
        }
        let result = match result {
            Ok(r) => redacted(result_of(r), &uri),
            Err(_) => JobResult::Failed("The backend crashed.".into()),
        };
        let _ = tx.send(Command::JobDone { job_id, run, result });
    }
}

/// Writes inline documents to their temporary files (0600, in the spool's tmp directory).
fn export(dir: &std::path::Path, exports: Vec<Export>) -> Result<(), BackendError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if exports.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| BackendError::Spool(format!("{}: {e}", dir.display())))?;
    for (rx, path) in exports {
        let data = match rx.blocking_recv() {
            Ok(Ok(Some(data))) => data,
            Ok(Ok(None)) => {
                return Err(BackendError::Spool(
                    "the document is missing from the job store".into(),
                ))
            }
            Ok(Err(e)) => return Err(BackendError::Spool(e)),
            Err(_) => return Err(BackendError::Spool("the job store is gone".into())),
        };
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(&data))
            .map_err(|e| BackendError::Spool(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// Decrypts each sealed document (`from`, a spool file or an exported inline one) to `to`.
fn decrypt(
    keyring: &quire_vault::Keyring,
    unseal: &[(PathBuf, PathBuf, String)],
) -> Result<(), BackendError> {
    for (from, to, key) in unseal {
        // A temporary copy left by a crash would make the exclusive create fail.
        let _ = quire_vault::shred(to);
        let key = quire_vault::SealedKey::from_text(key)
            .and_then(|k| keyring.open_document_key(&k, None))
            .map_err(|e| {
                BackendError::Spool(format!(
                    "{}: unable to open the document key: {e}",
                    from.display()
                ))
            })?;
        quire_vault::decrypt_file(from, to, &key)
            .map_err(|e| BackendError::Spool(format!("{}: {e}", from.display())))?;
    }
    Ok(())
}
