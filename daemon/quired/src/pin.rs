//! The daemon's part of confidential jobs that needs keys: a new PIN job gets a key sealed
//! with its PIN (the PIN itself is never stored), a release with `job-password` is checked
//! by opening that key, and sealed spool files are shredded when they go. PINs are hashed
//! only for requests `dispatch::admit` let through, off the scheduler task, rate-limited per
//! client (`pin_limit`), and each hash is audited.

use crate::auth::Audit;
use crate::guard::ClientId;
use crate::pin_limit::PinLimiter;
use quire_core::dispatch::Admission;
use quire_core::{IppError, Request, Requester};
use quire_ipp::Message;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The PIN work of the daemon: keys, and how often each client may make it hash a PIN.
pub struct Pins {
    pub keyring: Arc<quire_vault::Keyring>,
    pub limiter: Mutex<PinLimiter>,
}

/// How the audit log names whoever releases with a PIN: the PIN proves they hold it, not
/// who they are.
pub fn holder(job_id: i32, claimed: &str) -> String {
    format!("PIN holder for job {job_id} (claimed: {claimed})")
}

impl Pins {
    pub fn new(keyring: Arc<quire_vault::Keyring>) -> Self {
        Pins { keyring, limiter: Mutex::new(PinLimiter::default()) }
    }

    /// Does the PIN work `dispatch::admit` asked for, so only requests the policy lets
    /// through cost a PBKDF2: fills `pin_check` (a new PIN job) or `pin_ok` (a release).
    /// The hashing runs on a blocking thread, never on the scheduler task, within the
    /// client's rate limit; `Err` is the refusal to send when the client is over it.
    pub async fn work(
        &self,
        audit: &Audit,
        admission: &Admission,
        who: &Requester,
        client: &ClientId,
        req: &mut Request,
    ) -> Result<(), Message> {
        if matches!(admission, Admission::Proceed) {
            return Ok(());
        }
        let Some(pin) = req
            .message
            .operation_attr("job-password")
            .and_then(|a| quire_core::confidential::pin_of(a).ok())
        else {
            return Ok(());
        };
        let user = match admission {
            Admission::CheckPin { job_id, .. } => holder(*job_id, &who.user),
            _ => who.user.clone(),
        };
        let admitted =
            self.limiter.lock().unwrap_or_else(|e| e.into_inner()).admit(client, Instant::now());
        if let Err(wait) = admitted {
            let msg = format!(
                "Too many PIN attempts from {}: try again in {} s.",
                who.host,
                wait.as_secs().max(1)
            );
            audit.record("pin-limited", &user, &who.host, &msg);
            // Forbidden, as the login lockout: a refusal of this client, which clients do not
            // retry on their own (server-error-busy would invite that).
            return Err(quire_core::response::error(&req.message, &IppError::Forbidden(msg)));
        }
        match admission {
            Admission::SealPin => {
                req.pin_check = self.seal(pin).await;
                audit.record("pin-set", &user, &who.host, "job-password set for a new job");
            }
            Admission::CheckPin { job_id, check } => {
                req.pin_ok = self.opens(check.clone(), pin).await;
                let what = if req.pin_ok == Some(true) { "pin-ok" } else { "pin-wrong" };
                audit.record(
                    what,
                    &user,
                    &who.host,
                    &format!("job-password checked for job {job_id}"),
                );
            }
            Admission::Proceed => {}
        }
        Ok(())
    }

    /// A new key sealed with `pin` (PBKDF2, on a blocking thread): a PIN job's check key.
    async fn seal(&self, pin: Vec<u8>) -> Option<String> {
        let keyring = self.keyring.clone();
        let sealed = tokio::task::spawn_blocking(move || {
            keyring.new_document_key(Some(&pin)).ok().map(|(_, sealed)| sealed.to_text())
        })
        .await;
        sealed.ok().flatten()
    }

    /// Does `pin` open check key `check` (PBKDF2, on a blocking thread)?
    async fn opens(&self, check: String, pin: Vec<u8>) -> Option<bool> {
        let keyring = self.keyring.clone();
        let opened = tokio::task::spawn_blocking(move || {
            quire_vault::SealedKey::from_text(&check)
                .and_then(|k| keyring.open_document_key(&k, Some(&pin)))
                .is_ok()
        })
        .await;
        opened.ok()
    }
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
        let sealed = std::fs::File::open(&path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .is_ok_and(|n| quire_vault::is_sealed(&head[..n]));
        if sealed {
            if let Err(e) = quire_vault::shred(&path) {
                tracing::error!("Unable to shred {}: {e}", path.display());
            }
        }
    }
}
