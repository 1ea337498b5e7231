//! Builds the scheduler's state from the job store: at start-up, and for the objects a
//! failed batch touched (`reconcile`).

use crate::clock::now;
use quire_core::{persist, Scheduler};

/// Builds the scheduler state from the store, one job record at a time.
pub fn restore(
    settings: quire_core::Settings,
    store: &quire_store::Store,
) -> Result<Scheduler, quire_store::StoreError> {
    let mut s = Scheduler::new(settings);
    let jobs = &mut s.jobs;
    let snap = store.load_each(|rec, missing| {
        if let Some(job) = restore_job(rec, missing) {
            jobs.insert(job.id, job);
        }
    })?;
    for rec in snap.printers {
        match persist::printer_from_blob(&rec.attrs) {
            Ok(mut p) => {
                let caps = std::sync::Arc::unwrap_or_clone(p.capabilities);
                p.capabilities = s.capability_sets.share(caps);
                s.printers.insert(rec.name.to_ascii_lowercase(), p);
            }
            Err(e) => tracing::error!("Printer \"{}\" could not be loaded: {}", rec.name, e.0),
        }
    }
    for rec in snap.subscriptions {
        if let Ok(x) = persist::subscription_from_blob(&rec.attrs) {
            s.subscriptions.insert(rec.id, x);
        }
    }
    let kv = |k: &str| snap.kv.get(k).and_then(|v| v.parse::<i32>().ok());
    let max_job = s.jobs.keys().next_back().copied().unwrap_or(0);
    s.next_job_id = kv("next-job-id").unwrap_or(1).max(max_job + 1);
    s.next_printer_id = kv("next-printer-id")
        .unwrap_or(1)
        .max(s.printers.values().map(|p| p.id + 1).max().unwrap_or(1));
    s.next_subscription_id = kv("next-subscription-id")
        .unwrap_or(1)
        .max(s.subscriptions.keys().next_back().map_or(1, |k| k + 1));
    s.default_printer = snap.kv.get("default-printer").cloned();
    Ok(s)
}

/// A stored job; one whose spool file is gone (and that was not finished) is aborted
/// with a clear reason rather than dropped.
pub(crate) fn restore_job(
    rec: quire_store::JobRecord,
    missing: bool,
) -> Option<Box<quire_core::Job>> {
    let docs = rec
        .documents
        .iter()
        .map(|d| quire_core::Document {
            number: d.number,
            format: d.format.clone(),
            name: String::new(),
            size: d.size,
            file: d.file.to_string_lossy().into_owned(),
            compression: d.compression.clone(),
            pages: None,
            uri: None,
        })
        .collect();
    match persist::job_from_blob(&rec.attrs, docs) {
        Ok(mut j) => {
            if missing && !j.state.is_terminal() {
                j.state = quire_core::JobState::Aborted;
                j.state_reasons = vec!["document-access-error".into()];
                j.state_message = "A document of this job is missing from the spool.".into();
                j.completed_at = Some(now());
            }
            Some(Box::new(j))
        }
        Err(e) => {
            tracing::error!("Job {} could not be loaded: {}", rec.id, e.0);
            None
        }
    }
}
