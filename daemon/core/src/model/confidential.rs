//! What makes a job confidential (its rules are in the `confidential` module).

/// How a confidential job is released (`job-release-action`, PWG 5100.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// The owner authenticates with a password (`owner-authorized`).
    Owner,
    /// Whoever gives the job's PIN (`job-password`).
    Pin,
}

impl Release {
    pub fn keyword(self) -> &'static str {
        match self {
            Release::Owner => "owner-authorized",
            Release::Pin => "job-password",
        }
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        [Release::Owner, Release::Pin].into_iter().find(|r| r.keyword() == s)
    }
}

/// What makes a job confidential, kept with the job. No secret: the PIN is not kept; the
/// document keys are sealed by the daemon's master key (and the PIN, for PIN jobs).
#[derive(Debug, Clone, PartialEq)]
pub struct Confidential {
    pub release: Release,
    /// When it is deleted unprinted if nobody released it (unix seconds).
    pub expires: i64,
    /// One sealed document key per document, in document order.
    pub keys: Vec<String>,
    /// Released by its owner: printing may start (the hold is gone).
    pub released: bool,
    /// PIN jobs: a key sealed with the PIN; the PIN is right when it opens.
    pub pin_check: Option<String>,
    /// Wrong PINs sent for this job so far; at [`MAX_PIN_FAILURES`] the PIN no longer works.
    pub pin_failures: u32,
}

/// Wrong PINs a job takes before only its owner's password releases it: a 4-digit PIN
/// would otherwise fall to 10,000 guesses.
pub const MAX_PIN_FAILURES: u32 = 5;

/// Shortest and longest PIN accepted (`job-password-length-supported`).
pub const PIN_LENGTH: (usize, usize) = (4, 255);
