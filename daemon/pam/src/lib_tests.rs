//! Input checks and error mapping; real PAM runs are in tests/pam_wrapper.rs.

use super::*;
use nonstick::ErrorCode;

#[test]
fn nul_bytes_and_empty_names_are_refused_before_pam() {
    assert_eq!(authenticate("cups", "alice", "pa\0ss"), Err(PamError::AuthFailed));
    assert_eq!(authenticate("cups", "ali\0ce", "x"), Err(PamError::UnknownUser));
    assert_eq!(authenticate("cups", "", "x"), Err(PamError::UnknownUser));
    assert!(matches!(authenticate("cu\0ps", "alice", "x"), Err(PamError::Unavailable(_))));
    assert!(matches!(authenticate("", "alice", "x"), Err(PamError::Unavailable(_))));
    assert!(matches!(authenticate("../etc/cups", "alice", "x"), Err(PamError::Unavailable(_))));
}

#[test]
fn authenticate_codes_map_to_wrong_credentials_or_pam_failure() {
    assert_eq!(error::from_authenticate(ErrorCode::AuthenticationError), PamError::AuthFailed);
    assert_eq!(error::from_authenticate(ErrorCode::MaxTries), PamError::AuthFailed);
    assert_eq!(error::from_authenticate(ErrorCode::UserUnknown), PamError::UnknownUser);
    for code in [ErrorCode::AuthInfoUnavailable, ErrorCode::SystemError, ErrorCode::ServiceError] {
        assert!(matches!(error::from_authenticate(code), PamError::Unavailable(_)), "{code:?}");
    }
}

#[test]
fn account_codes_map_to_account_refusal_or_pam_failure() {
    for code in
        [ErrorCode::AccountExpired, ErrorCode::PermissionDenied, ErrorCode::NewAuthTokRequired]
    {
        assert!(matches!(error::from_account(code), PamError::AccountUnavailable(_)), "{code:?}");
    }
    assert_eq!(error::from_account(ErrorCode::UserUnknown), PamError::UnknownUser);
    assert!(matches!(error::from_account(ErrorCode::OpenError), PamError::Unavailable(_)));
}

#[test]
fn display_is_fit_for_logs() {
    assert_eq!(PamError::AuthFailed.to_string(), "authentication failed");
    assert_eq!(PamError::UnknownUser.to_string(), "unknown user");
    let expired = error::from_account(ErrorCode::AccountExpired).to_string();
    assert!(expired.starts_with("account unavailable: pam_acct_mgmt: "), "{expired}");
    assert!(expired.contains("AccountExpired"), "{expired}");
    let e: Box<dyn std::error::Error> = Box::new(PamError::Unavailable("x".into()));
    assert_eq!(e.to_string(), "PAM unavailable: x");
}
