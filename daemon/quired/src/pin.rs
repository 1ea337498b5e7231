//! The daemon's part of confidential jobs that needs keys: a new PIN job gets a key sealed
//! with its PIN (the PIN itself is never stored), a release with `job-password` is checked
//! by opening that key, and sealed spool files are shredded when they go.

use quire_core::{Request, Scheduler};
use quire_ipp::Operation;
use std::path::Path;

/// Fills `pin_check` (new PIN job) or `pin_ok` (release with a PIN) on the request.
pub fn prove(state: &Scheduler, keyring: &quire_vault::Keyring, req: &mut Request) {
    let Some(attr) = req.message.operation_attr("job-password") else { return };
    let Ok(pin) = quire_core::confidential::pin_of(attr) else { return };
    match Operation::from_u16(req.message.code) {
        Some(Operation::PrintJob | Operation::PrintUri | Operation::CreateJob) => {
            req.pin_check = keyring.new_document_key(Some(&pin)).ok().map(|(_, sealed)| sealed.to_text());
        }
        Some(Operation::ReleaseJob | Operation::CupsAuthenticateJob) => {
            let check = job_id(req).and_then(|id| state.jobs.get(&id)).and_then(|j| j.confidential.as_ref()).and_then(|c| c.pin_check.clone());
            if let Some(check) = check {
                let opened = quire_vault::SealedKey::from_text(&check).and_then(|k| keyring.open_document_key(&k, Some(&pin)));
                req.pin_ok = Some(opened.is_ok());
            }
        }
        _ => {}
    }
}

fn job_id(req: &Request) -> Option<i32> {
    if let Some(id) = req.message.operation_attr("job-id").and_then(|a| a.first_i32()) {
        return Some(id);
    }
    let uri = req.message.operation_attr("job-uri").and_then(|a| a.first_str())?;
    uri.rsplit('/').next()?.parse().ok()
}

/// Overwrites the job's encrypted spool files before they are removed (plain ones are left
/// to the store: there is nothing secret to overwrite).
pub fn shred_sealed(spool_dir: &Path, job_id: i32) {
    let prefix = format!("d{job_id:05}-");
    let Ok(dir) = std::fs::read_dir(spool_dir) else { return };
    for entry in dir.flatten() {
        if !entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
            continue;
        }
        let path = entry.path();
        let mut head = [0u8; 16];
        let sealed = std::fs::File::open(&path).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).is_ok_and(|n| quire_vault::is_sealed(&head[..n]));
        if sealed {
            if let Err(e) = quire_vault::shred(&path) {
                tracing::error!("Unable to shred {}: {e}", path.display());
            }
        }
    }
}
