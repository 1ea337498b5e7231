//! The first start against an existing CUPS install: decide, back up, read, add, record, and
//! only then take the imported jobs' files out of cupsd's spool.

use super::backup;
use super::import_jobs::{self, SpoolListing};
use super::import_queues;
use super::IMPORT_MARK;
use crate::records;
use quire_config::ServerConfig;
use quire_core::Scheduler;
use quire_cupsfiles::{parse_classes_conf, parse_printers_conf, parse_subscriptions_conf};
use quire_store::{Change, Store};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What the import did, for the log and the benchmark.
#[derive(Debug, Default)]
pub struct Imported {
    pub printers: usize,
    pub classes: usize,
    pub jobs: usize,
    pub subscriptions: usize,
    /// Queues, jobs and subscriptions left out (each with a warning).
    pub left_out: usize,
    pub backup: PathBuf,
    pub seconds: f64,
}

/// cupsd's files, read whole (a missing file reads as empty).
struct CupsFiles {
    printers: (PathBuf, Vec<u8>),
    classes: (PathBuf, Vec<u8>),
    subscriptions: (PathBuf, Vec<u8>),
    spool: SpoolListing,
}

impl CupsFiles {
    fn read(c: &ServerConfig) -> std::io::Result<CupsFiles> {
        let read = |name: &str| -> std::io::Result<(PathBuf, Vec<u8>)> {
            let path = c.server_root.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => Ok((path, bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((path, Vec::new())),
                Err(e) => Err(std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
            }
        };
        Ok(CupsFiles {
            printers: read("printers.conf")?,
            classes: read("classes.conf")?,
            subscriptions: read("subscriptions.conf")?,
            spool: import_jobs::list_spool(&c.request_root)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.printers.1.is_empty()
            && self.classes.1.is_empty()
            && self.subscriptions.1.is_empty()
            && self.spool.controls.is_empty()
    }
}

/// On quired's first start (its store has no import mark), takes over what cupsd left in
/// ServerRoot and RequestRoot. `Ok(None)`: nothing was imported (not the first start, nothing
/// there, or quired already had queues of its own: then CUPS's files are only backed up).
/// An error leaves cupsd's files as they were and nothing recorded: the next start tries
/// again.
pub fn import_if_first_start(
    state: &mut Scheduler,
    store: &mut Store,
    c: &ServerConfig,
    spool_dir: &Path,
    now: i64,
) -> Result<Option<Imported>, String> {
    if store.get_kv(IMPORT_MARK).map_err(|e| e.to_string())?.is_some() {
        return Ok(None);
    }
    let files = CupsFiles::read(c).map_err(|e| format!("Unable to read CUPS's files: {e}"))?;
    if files.is_empty() {
        store.set_kv(IMPORT_MARK, "nothing to import").map_err(|e| e.to_string())?;
        return Ok(None);
    }
    let dir = backup::new_dir(spool_dir, now);
    let dirs = (c.server_root.as_path(), c.request_root.as_path(), c.cache_dir.as_path());
    backup::take(dirs, &files.spool.names, &dir)
        .map_err(|e| format!("Unable to back CUPS's files up in \"{}\": {e}", dir.display()))?;
    if !state.printers.is_empty() || !state.jobs.is_empty() {
        tracing::warn!(
            "Not importing CUPS's queues and jobs: quired has queues of its own. CUPS's files \
             are backed up in \"{}\"; printers.conf and classes.conf will be Quire's.",
            dir.display()
        );
        let mark = format!("skipped at {now}: quired had queues; backup {}", dir.display());
        store.set_kv(IMPORT_MARK, &mark).map_err(|e| e.to_string())?;
        return Ok(None);
    }
    let started = Instant::now();
    let (mut imported, taken) = add_everything(state, c, &files, spool_dir, now);
    imported.backup = dir.clone();
    let mark = format!("imported at {now}; backup {}", dir.display());
    let mut changes = changes_for(state);
    changes.push(Change::SetKv(IMPORT_MARK.into(), mark));
    if let Err(e) = store.apply(&changes) {
        // The linked documents are orphans now: the store's next open removes them.
        return Err(format!("Unable to record the queues and jobs imported from CUPS: {e}"));
    }
    take_out_of_cupsd_spool(&c.request_root, &taken);
    // cupsd's cache of its jobs lists those just taken: without it, cupsd reads the spool
    // (finding only the jobs left out) instead of dropping each with "Files have gone away".
    if let Err(e) = std::fs::remove_file(c.cache_dir.join("job.cache")) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("Unable to remove CUPS's job.cache: {e}");
        }
    }
    imported.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        "Imported {} printers, {} classes, {} jobs and {} subscriptions from CUPS in {:.1} s \
         ({} left out, see the warnings); CUPS's files are backed up in \"{}\"",
        imported.printers,
        imported.classes,
        imported.jobs,
        imported.subscriptions,
        imported.seconds,
        imported.left_out,
        dir.display()
    );
    Ok(Some(imported))
}

/// Parses the files and adds what they hold; the spool files of the jobs added.
fn add_everything(
    s: &mut Scheduler,
    c: &ServerConfig,
    files: &CupsFiles,
    spool_dir: &Path,
    now: i64,
) -> (Imported, Vec<String>) {
    let (printers, warnings) = parse_printers_conf(&files.printers.1, &files.printers.0);
    warnings.iter().for_each(|d| tracing::warn!("{d}"));
    let (classes, warnings) = parse_classes_conf(&files.classes.1, &files.classes.0);
    warnings.iter().for_each(|d| tracing::warn!("{d}"));
    let (subs, warnings) = parse_subscriptions_conf(&files.subscriptions.1, &files.subscriptions.0);
    warnings.iter().for_each(|d| tracing::warn!("{d}"));
    // cupsd loads file: queues and queues of backends it lacks regardless of FileDevice;
    // so does the import (printing says what is missing).
    let saved = (s.settings.file_device, s.settings.cups_backends.clone());
    s.settings.file_device = true;
    for q in &printers.queues {
        let scheme = q.device_uri.as_deref().and_then(|u| u.split(':').next());
        if let Some(scheme) = scheme.filter(|sc| !s.settings.cups_backends.iter().any(|b| b == sc))
        {
            s.settings.cups_backends.push(scheme.to_string());
        }
    }
    let ppd = (c.server_root.join("ppd"), c.default_shared);
    let ppd = (ppd.0.as_path(), ppd.1);
    let p = import_queues::add_all(s, &printers, &files.printers.0, &files.printers.1, ppd, now);
    let k = import_queues::add_all(s, &classes, &files.classes.0, &files.classes.1, ppd, now);
    (s.settings.file_device, s.settings.cups_backends) = saved;
    if let Some(default) = quire_cupsfiles::default_destination(&printers, &classes) {
        if let Some(q) = s.printer(&default.name) {
            s.default_printer = Some(q.name.clone());
        }
    }
    let jobs = import_jobs::add_all(s, &files.spool, &c.request_root, spool_dir, now);
    let subscriptions = import_jobs::add_subscriptions(s, &subs, &files.subscriptions.0, now);
    s.next_printer_id = s
        .next_printer_id
        .max(printers.next_printer_id.unwrap_or(1))
        .max(s.printers.values().map(|p| p.id + 1).max().unwrap_or(1));
    s.next_job_id = s.next_job_id.max(s.jobs.keys().next_back().map_or(1, |id| id + 1));
    let imported = Imported {
        printers: p.added + p.partly,
        classes: k.added + k.partly,
        jobs: jobs.added,
        subscriptions,
        left_out: p.left_out + k.left_out + jobs.left_out + subs.subscriptions.len()
            - subscriptions,
        ..Default::default()
    };
    (imported, jobs.taken)
}

/// Everything in the scheduler as store changes (it held nothing before the import).
fn changes_for(s: &Scheduler) -> Vec<Change> {
    let mut changes = Vec::with_capacity(s.printers.len() + s.jobs.len() + 8);
    changes.extend(s.printers.iter().map(|(key, p)| records::printer(key, p)));
    changes.extend(s.jobs.values().map(|j| records::job(j)));
    changes.extend(s.subscriptions.values().map(records::subscription));
    changes.extend(records::server(s));
    changes
}

/// The imported jobs' files leave cupsd's spool (they are in the backup and, linked, in
/// quired's), so that cupsd started again does not print them a second time.
fn take_out_of_cupsd_spool(request_root: &Path, names: &[String]) {
    for name in names {
        if let Err(e) = std::fs::remove_file(request_root.join(name)) {
            tracing::warn!("Unable to remove \"{}\" from CUPS's spool: {e}", name);
        }
    }
}
