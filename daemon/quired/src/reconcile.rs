//! After a batch the store could not save (a full disk, an I/O error): memory takes back what
//! the store holds for every object the batch touched, so what clients are shown is what a
//! restart would show. A purge that did not commit brings its jobs back; a job whose creation
//! was not saved is gone (with its spool file); a state change that was lost is undone.
//!
//! What only runs in memory is kept consistent with it: a job that is no longer printing has
//! its backend stopped and its printer freed; a job the store says is printing but that no
//! backend runs goes back to pending, as after a restart.

use crate::store_thread::Reloaded;
use quire_core::{persist, Effect, Job, JobState, PrinterState, Scheduler};
use std::collections::BTreeSet;
use std::path::Path;

/// Applies what the store holds; returns the timers and stops to carry out (nothing to save).
pub fn apply(s: &mut Scheduler, spool_dir: &Path, stored: Reloaded) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut gone: Vec<Box<Job>> = Vec::new();
    for (id, record) in stored.jobs {
        let old = s.jobs.remove(&id);
        let was_printing = old.as_ref().is_some_and(|o| o.state == JobState::Processing);
        let Some(mut job) = record.and_then(|r| crate::restore::restore_job(r, false)) else {
            if was_printing {
                effects.push(Effect::StopJob { job_id: id });
            }
            gone.extend(old);
            tracing::warn!("[Job {id}] not in the job store: dropped from memory");
            continue;
        };
        if let Some(o) = &old {
            // Run numbers only grow: a late report of the run in memory stays recognisable.
            job.run = job.run.max(o.run);
        }
        match (job.state == JobState::Processing, was_printing) {
            (true, true) => job.output_device = old.as_ref().and_then(|o| o.output_device.clone()),
            (true, false) => {
                job.state = JobState::Pending;
                job.state_reasons = vec!["none".into()];
                job.output_device = None;
            }
            (false, true) => effects.push(Effect::StopJob { job_id: id }),
            (false, false) => {}
        }
        tracing::warn!("[Job {id}] reloaded from the job store: {}", job.state.keyword());
        s.jobs.insert(id, job);
    }
    remove_orphans(s, spool_dir, &gone);
    free_idle_printers(s);
    printers(s, stored.printers);
    subscriptions(s, stored.subscriptions);
    if let Some(at) = quire_core::schedule::next_timer(s, crate::clock::now()) {
        effects.push(Effect::ArmTimer { at });
    }
    effects
}

/// Spool files of jobs the store never recorded, unless a job in memory names them too.
fn remove_orphans(s: &Scheduler, spool_dir: &Path, gone: &[Box<Job>]) {
    let kept: BTreeSet<&str> =
        s.jobs.values().flat_map(|j| j.documents.iter().map(|d| d.file.as_str())).collect();
    for job in gone {
        for d in
            job.documents.iter().filter(|d| d.uri.is_none() && !d.is_inline() && !d.file.is_empty())
        {
            if kept.contains(d.file.as_str()) {
                continue;
            }
            let path = spool_dir.join(&d.file);
            let removed = if job.confidential.is_some() {
                quire_vault::shred(&path).map(|_| ())
            } else {
                std::fs::remove_file(&path)
            };
            if let Err(e) = removed.filter_not_found() {
                tracing::error!("Unable to remove {}: {e}", path.display());
            }
        }
    }
}

trait NotFoundIsFine {
    fn filter_not_found(self) -> std::io::Result<()>;
}

impl NotFoundIsFine for std::io::Result<()> {
    fn filter_not_found(self) -> std::io::Result<()> {
        match self {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// A printer shown as printing with no job printing on it is idle.
fn free_idle_printers(s: &mut Scheduler) {
    let busy: BTreeSet<String> = s
        .jobs
        .values()
        .filter(|j| j.state == JobState::Processing)
        .map(|j| j.output_device.as_deref().unwrap_or(&j.printer).to_ascii_lowercase())
        .collect();
    for (key, p) in s.printers.iter_mut() {
        if p.state == PrinterState::Processing && !busy.contains(key) {
            p.state = PrinterState::Idle;
        }
    }
}

fn printers(s: &mut Scheduler, stored: Vec<(String, Option<quire_store::PrinterRecord>)>) {
    for (name, record) in stored {
        let key = name.to_ascii_lowercase();
        match record.map(|r| persist::printer_from_blob(&r.attrs)) {
            Some(Ok(mut p)) => {
                if let Some(old) = s.printers.get(&key) {
                    // Whether it is printing, and what its device says, live in memory only.
                    if old.state == PrinterState::Processing && p.state == PrinterState::Idle {
                        p.state = PrinterState::Processing;
                    }
                    p.device = old.device.clone();
                }
                s.printers.insert(key, p);
            }
            Some(Err(e)) => tracing::error!("Printer \"{name}\" could not be reloaded: {}", e.0),
            None => {
                s.printers.remove(&key);
            }
        }
    }
}

fn subscriptions(s: &mut Scheduler, stored: Vec<(i32, Option<quire_store::SubscriptionRecord>)>) {
    for (id, record) in stored {
        match record.map(|r| persist::subscription_from_blob(&r.attrs)) {
            Some(Ok(mut sub)) => {
                // Events waiting for delivery are not stored: keep them.
                if let Some(old) = s.subscriptions.remove(&id) {
                    sub.pending = old.pending;
                    sub.next_sequence = old.next_sequence;
                }
                s.subscriptions.insert(id, sub);
            }
            Some(Err(e)) => tracing::error!("Subscription {id} could not be reloaded: {}", e.0),
            None => {
                s.subscriptions.remove(&id);
            }
        }
    }
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
