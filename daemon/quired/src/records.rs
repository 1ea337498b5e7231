//! The scheduler's objects as the job store's records: what a batch of changes saves, and
//! what the import from CUPS records in one transaction.

use quire_core::{persist, Job, Printer, Scheduler, Subscription};
use quire_store::{
    Change, DocumentRecord, DocumentStorage, JobRecord, PrinterRecord, SubscriptionRecord,
};
use std::path::PathBuf;

/// Job `j` as it is saved: its documents unless purged (a Print-URI document has no bytes
/// to store yet: the job record keeps it).
pub fn job(j: &Job) -> Change {
    let documents = if j.files_purged {
        Vec::new()
    } else {
        j.documents
            .iter()
            .filter(|d| d.uri.is_none())
            .map(|d| DocumentRecord {
                number: d.number,
                format: d.format.clone(),
                size: d.size,
                file: PathBuf::from(&d.file),
                compression: d.compression.clone(),
                // The bytes were staged by spool_stream; the store thread attaches them.
                storage: if d.is_inline() {
                    DocumentStorage::Inline
                } else {
                    DocumentStorage::File
                },
            })
            .collect()
    };
    Change::PutJob(JobRecord {
        id: j.id,
        printer: j.printer.to_string(),
        state: j.state as i32,
        owner: j.owner.to_string(),
        created: j.created,
        completed: j.completed_at,
        attrs: persist::job_to_blob(j),
        documents,
    })
}

/// Printer or class `p`, under its key (the lowercase name).
pub fn printer(key: &str, p: &Printer) -> Change {
    Change::PutPrinter(PrinterRecord {
        name: key.to_string(),
        is_class: p.is_class,
        attrs: persist::printer_to_blob(p),
    })
}

pub fn subscription(x: &Subscription) -> Change {
    Change::PutSubscription(SubscriptionRecord {
        id: x.id,
        attrs: persist::subscription_to_blob(x),
    })
}

/// The server's own keys: the next ids and the default destination.
pub fn server(s: &Scheduler) -> Vec<Change> {
    vec![
        Change::SetKv("next-job-id".into(), s.next_job_id.to_string()),
        Change::SetKv("next-printer-id".into(), s.next_printer_id.to_string()),
        Change::SetKv("next-subscription-id".into(), s.next_subscription_id.to_string()),
        match &s.default_printer {
            Some(d) => Change::SetKv("default-printer".into(), d.clone()),
            None => Change::DeleteKv("default-printer".into()),
        },
    ]
}
