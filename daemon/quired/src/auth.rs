//! HTTP Basic authentication checked by PAM (on a blocking thread, behind the brute-force
//! guard), and the audit log that records every authentication and authorization decision.

use crate::guard::{AuthGuard, ClientId, GuardPolicy};
use base64::Engine;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What the Authorization header proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// No Authorization header (or a scheme we do not take): identity from the connection.
    None,
    /// PAM accepted this user's password.
    User(String),
    /// Wrong credentials: answer 401 so the client asks again.
    Failed(String),
    /// Too many failures: refuse without asking PAM.
    Locked(String),
}

pub struct Authenticator {
    service: String,
    guard: Mutex<AuthGuard>,
    audit: Audit,
}

impl Authenticator {
    pub fn new(service: String, policy: GuardPolicy, audit: Audit) -> Arc<Self> {
        Arc::new(Authenticator { service, guard: Mutex::new(AuthGuard::new(policy)), audit })
    }

    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// Checks an `Authorization: Basic ...` header value.
    pub async fn check(self: &Arc<Self>, header: Option<&str>, client: ClientId) -> Proof {
        let Some((user, password)) = header.and_then(parse_basic) else {
            return Proof::None;
        };
        let locked = self.guard.lock().unwrap_or_else(|e| e.into_inner()).check(
            &user,
            &client,
            Instant::now(),
        );
        if let Err(l) = locked {
            let msg =
                format!("{l}; try again in {} s", l.remaining(Instant::now()).as_secs().max(1));
            self.audit.record("auth-locked", &user, &client_text(&client), &msg);
            return Proof::Locked(msg);
        }
        let (service, u) = (self.service.clone(), user.clone());
        let result =
            tokio::task::spawn_blocking(move || quire_pam::authenticate(&service, &u, &password))
                .await;
        let mut guard = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(Ok(())) => {
                guard.succeeded(&user, &client, Instant::now());
                self.audit.record(
                    "auth-ok",
                    &user,
                    &client_text(&client),
                    "password accepted by PAM",
                );
                Proof::User(user)
            }
            Ok(Err(e @ quire_pam::PamError::Unavailable(_))) => {
                // PAM itself is broken: not the user's fault, so no lockout for it.
                guard.abandoned(&user, &client, Instant::now());
                self.audit.record("auth-error", &user, &client_text(&client), &e.to_string());
                Proof::Failed(e.to_string())
            }
            Ok(Err(e)) => {
                let locked_now = guard.failed(&user, &client, Instant::now());
                let note = if locked_now { format!("{e}; now locked out") } else { e.to_string() };
                self.audit.record("auth-failed", &user, &client_text(&client), &note);
                Proof::Failed(note)
            }
            Err(_) => {
                guard.abandoned(&user, &client, Instant::now());
                self.audit.record(
                    "auth-error",
                    &user,
                    &client_text(&client),
                    "the PAM thread failed",
                );
                Proof::Failed("authentication failed".into())
            }
        }
    }
}

fn client_text(c: &ClientId) -> String {
    match c {
        ClientId::Ip(ip) => ip.to_string(),
        ClientId::Local(s) => s.clone(),
    }
}

/// `Basic base64(user:password)` → (user, password).
pub fn parse_basic(value: &str) -> Option<(String, String)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    (!user.is_empty()).then(|| (user.to_string(), password.to_string()))
}

/// One line per decision: time, what, user, client, detail. Never a password.
#[derive(Clone, Default)]
pub struct Audit {
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl Audit {
    pub fn open(path: Option<PathBuf>) -> Audit {
        use std::os::unix::fs::OpenOptionsExt;
        let Some(path) = path else { return Audit::default() };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path) {
            Ok(f) => Audit { file: Some(Arc::new(Mutex::new(f))) },
            Err(e) => {
                tracing::error!("Unable to open audit log {}: {e}", path.display());
                Audit::default()
            }
        }
    }

    pub fn record(&self, what: &str, user: &str, client: &str, detail: &str) {
        use quire_core::log_text::escape;
        // One line per record: control characters escaped; in the quoted user name, quotes too.
        let user = escape(&user.replace('\\', "\\\\").replace('"', "\\\"")).into_owned();
        let line = format!(
            "{} {what} user=\"{user}\" client={} {}\n",
            crate::clock::now(),
            escape(client),
            escape(detail)
        );
        tracing::debug!(target: "audit", "{}", line.trim_end());
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
            let _ = f.write_all(line.as_bytes());
        }
    }
}
