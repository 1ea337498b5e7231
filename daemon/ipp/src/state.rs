//! The states of IPP's objects, as the `printer-state` and `job-state` enums carry them.

/// `printer-state` (RFC 8011 section 5.4.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterState {
    Idle = 3,
    Processing = 4,
    Stopped = 5,
}

impl PrinterState {
    pub fn from_i32(v: i32) -> Option<Self> {
        match v {
            3 => Some(Self::Idle),
            4 => Some(Self::Processing),
            5 => Some(Self::Stopped),
            _ => None,
        }
    }
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Processing => "processing",
            Self::Stopped => "stopped",
        }
    }
}

/// `job-state` (RFC 8011 section 5.3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobState {
    Pending = 3,
    Held = 4,
    Processing = 5,
    Stopped = 6,
    Canceled = 7,
    Aborted = 8,
    Completed = 9,
}

impl JobState {
    pub fn from_i32(v: i32) -> Option<Self> {
        use JobState::*;
        Some(match v {
            3 => Pending,
            4 => Held,
            5 => Processing,
            6 => Stopped,
            7 => Canceled,
            8 => Aborted,
            9 => Completed,
            _ => return None,
        })
    }
    /// Terminating states: the job is history.
    pub fn is_terminal(self) -> bool {
        self >= JobState::Canceled
    }
    pub fn keyword(self) -> &'static str {
        use JobState::*;
        match self {
            Pending => "pending",
            Held => "pending-held",
            Processing => "processing",
            Stopped => "processing-stopped",
            Canceled => "canceled",
            Aborted => "aborted",
            Completed => "completed",
        }
    }
}
