//! What a PAM check can end with, and how PAM's return codes map onto it.

use nonstick::ErrorCode;
use std::fmt;

/// Why [`authenticate`](crate::authenticate) refused. No variant ever holds the password.
///
/// Callers should answer a client the same way for `AuthFailed`, `UnknownUser` and
/// `AccountUnavailable` (401), so a client cannot learn which user names exist; the
/// distinction is for the log. `Unavailable` is a server fault, not a wrong credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PamError {
    /// Wrong password (or PAM's retry limit was hit).
    AuthFailed,
    /// PAM does not know the user.
    UnknownUser,
    /// Right password, but `pam_acct_mgmt` refused: expired, locked, password must be changed,
    /// not allowed on this service. Holds PAM's explanation.
    AccountUnavailable(String),
    /// PAM itself failed: missing or broken service file, module error, directory unreachable.
    Unavailable(String),
}

impl fmt::Display for PamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PamError::AuthFailed => f.write_str("authentication failed"),
            PamError::UnknownUser => f.write_str("unknown user"),
            PamError::AccountUnavailable(why) => write!(f, "account unavailable: {why}"),
            PamError::Unavailable(why) => write!(f, "PAM unavailable: {why}"),
        }
    }
}

impl std::error::Error for PamError {}

/// Maps a `pam_authenticate` failure.
pub(crate) fn from_authenticate(code: ErrorCode) -> PamError {
    match code {
        ErrorCode::AuthenticationError
        | ErrorCode::CredentialsInsufficient
        | ErrorCode::MaxTries => PamError::AuthFailed,
        ErrorCode::UserUnknown => PamError::UnknownUser,
        other => PamError::Unavailable(describe("pam_authenticate", other)),
    }
}

/// Maps a `pam_acct_mgmt` failure.
pub(crate) fn from_account(code: ErrorCode) -> PamError {
    match code {
        ErrorCode::UserUnknown => PamError::UnknownUser,
        ErrorCode::AccountExpired
        | ErrorCode::PermissionDenied
        | ErrorCode::NewAuthTokRequired
        | ErrorCode::AuthTokExpired
        | ErrorCode::AuthenticationError => {
            PamError::AccountUnavailable(describe("pam_acct_mgmt", code))
        }
        other => PamError::Unavailable(describe("pam_acct_mgmt", other)),
    }
}

/// PAM's own text for the code (pam_strerror), and the code's name for grepping.
fn describe(step: &str, code: ErrorCode) -> String {
    format!("{step}: {code} ({code:?})")
}
