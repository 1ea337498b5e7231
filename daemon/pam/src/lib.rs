//! quire-pam: checks a user name and password with PAM, as cupsd does for HTTP Basic
//! authentication: `pam_authenticate`, then `pam_acct_mgmt`, for one user of one service.
//!
//! A thin layer over `nonstick`, which holds all the FFI, so this crate has no unsafe code.
//! [`authenticate`] blocks (PAM modules sleep after a failure or ask a network directory):
//! the daemon calls it off its async worker threads.

mod error;

pub use error::PamError;

use nonstick::{AuthnFlags, ConversationAdapter, Transaction, TransactionBuilder};
use std::ffi::{OsStr, OsString};

/// Authenticates `user` with `password` through the PAM service `service` (a file in
/// `/etc/pam.d`), then asks PAM whether the account may be used now (expired, locked, ...).
///
/// The conversation answers masked prompts with the password and plain prompts with the
/// user name; it ignores messages. `Ok(())` only when both steps succeed.
pub fn authenticate(service: &str, user: &str, password: &str) -> Result<(), PamError> {
    check_input(service, user, password)?;
    let answers = Answers { user, password };
    let mut txn = TransactionBuilder::new_with_service(service)
        .username(user)
        .build(answers.into_conversation())
        .map_err(|e| PamError::Unavailable(format!("pam_start (service \"{service}\"): {e}")))?;
    // SILENT: nobody reads module messages. DISALLOW_NULL_AUTHTOK: an account with an empty
    // password must not be usable from the network.
    let flags = AuthnFlags::SILENT | AuthnFlags::DISALLOW_NULL_AUTHTOK;
    txn.authenticate(flags).map_err(error::from_authenticate)?;
    txn.account_management(flags).map_err(error::from_account)?;
    Ok(())
}

/// Refuses what PAM cannot take before starting it: nonstick panics on a NUL byte (inside
/// PAM's conversation callback that would abort the daemon), and an empty user name would
/// make PAM prompt for one.
fn check_input(service: &str, user: &str, password: &str) -> Result<(), PamError> {
    if service.is_empty() || service.contains(['\0', '/']) {
        return Err(PamError::Unavailable(format!("invalid PAM service name {service:?}")));
    }
    if user.is_empty() || user.contains('\0') {
        return Err(PamError::UnknownUser);
    }
    if password.contains('\0') {
        return Err(PamError::AuthFailed);
    }
    Ok(())
}

/// The conversation: what PAM asks is answered from the request's credentials.
struct Answers<'a> {
    user: &'a str,
    password: &'a str,
}

impl ConversationAdapter for Answers<'_> {
    fn prompt(&self, _request: impl AsRef<OsStr>) -> nonstick::Result<OsString> {
        Ok(self.user.into())
    }

    fn masked_prompt(&self, _request: impl AsRef<OsStr>) -> nonstick::Result<OsString> {
        Ok(self.password.into())
    }

    fn error_msg(&self, _message: impl AsRef<OsStr>) {}

    fn info_msg(&self, _message: impl AsRef<OsStr>) {}
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
