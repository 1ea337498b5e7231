//! The scheduler's objects: printers (and classes), jobs with documents, subscriptions.

use quire_ipp::Attribute;
use std::collections::{BTreeMap, VecDeque};

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

/// A printer or a class (a class has members and no device).
#[derive(Debug, Clone, PartialEq)]
pub struct Printer {
    pub name: String,
    pub id: i32,
    pub uuid: String,
    pub is_class: bool,
    /// Class members, by printer name.
    pub members: Vec<String>,
    pub device_uri: String,
    pub ppd_name: String,
    pub info: String,
    pub location: String,
    pub make_and_model: String,
    pub state: PrinterState,
    pub state_reasons: Vec<String>,
    pub state_message: String,
    pub accepting: bool,
    pub shared: bool,
    pub hold_new_jobs: bool,
    pub state_change_time: i64,
    pub config_change_time: i64,
    /// Capabilities: the `*-supported`, `*-default` and `*-ready` attributes and other
    /// device facts, from the device (`-m everywhere`) or Quire's generic set.
    pub capabilities: Vec<Attribute>,
    /// `requesting-user-name-allowed`/`-denied` (lpadmin -u).
    pub users_allowed: Vec<String>,
    pub users_denied: Vec<String>,
    pub error_policy: String,
    pub op_policy: String,
    pub job_sheets_default: (String, String),
}

impl Printer {
    pub fn capability(&self, name: &str) -> Option<&Attribute> {
        self.capabilities.iter().find(|a| a.name == name)
    }
    pub fn set_capability(&mut self, attr: Attribute) {
        match self.capabilities.iter_mut().find(|a| a.name == attr.name) {
            Some(slot) => *slot = attr,
            None => self.capabilities.push(attr),
        }
    }
    pub fn resource(&self) -> String {
        let dir = if self.is_class { "classes" } else { "printers" };
        format!("/{dir}/{}", self.name)
    }
}

/// One document of a job, spooled by the daemon before the core sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub number: i32,
    pub format: String,
    pub name: String,
    pub size: u64,
    /// Spool file name, relative to the spool directory.
    pub file: String,
    pub compression: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i32,
    pub uuid: String,
    /// The queue (printer or class) the job was submitted to.
    pub printer: String,
    /// The printer actually printing it (differs from `printer` for classes).
    pub output_device: Option<String>,
    pub parent_job_id: Option<i32>,
    pub owner: String,
    pub originating_host: String,
    pub name: String,
    pub state: JobState,
    pub state_reasons: Vec<String>,
    pub state_message: String,
    pub printer_state_reasons: Vec<String>,
    pub printer_state_message: String,
    pub priority: i32,
    pub hold_until: String,
    /// When a timed `job-hold-until` ends (unix seconds).
    pub hold_until_time: Option<i64>,
    pub created: i64,
    pub processing_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Job template and other client-supplied job attributes, kept as sent.
    pub attributes: Vec<Attribute>,
    pub documents: Vec<Document>,
    /// Create-Job leaves a job open until the last document arrives.
    pub open: bool,
    pub k_octets: i64,
    pub impressions: Option<i32>,
    pub impressions_completed: i32,
    pub pages_completed: i32,
    /// Documents were discarded (PreserveJobFiles expired).
    pub files_purged: bool,
    /// Which backend run of the job this is: bumped each time the job starts, carried in
    /// `Effect::StartJob` and given back with the run's reports, so a late report from an
    /// earlier run (stopped by cancel, move, ...) is told apart from the current one.
    pub run: u32,
}

impl Job {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn set_attribute(&mut self, attr: Attribute) {
        match self.attributes.iter_mut().find(|a| a.name == attr.name) {
            Some(slot) => *slot = attr,
            None => self.attributes.push(attr),
        }
    }
    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.retain(|a| a.name != name);
    }
    pub fn set_reason(&mut self, reason: &str) {
        if !self.state_reasons.iter().any(|r| r == reason) {
            self.state_reasons.retain(|r| r != "none");
            self.state_reasons.push(reason.to_string());
        }
    }
    pub fn clear_reason(&mut self, reason: &str) {
        self.state_reasons.retain(|r| r != reason);
    }
}

/// A subscription (RFC 3995) with pull delivery (RFC 3996, ippget).
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i32,
    pub uuid: String,
    pub owner: String,
    /// Printer the subscription is on (None: server-wide).
    pub printer: Option<String>,
    pub job_id: Option<i32>,
    pub events: Vec<String>,
    pub recipient_uri: Option<String>,
    pub pull_method: Option<String>,
    pub user_data: Option<Vec<u8>>,
    pub charset: String,
    pub language: String,
    pub lease_duration: i32,
    /// Unix seconds when the lease expires (None: never).
    pub expires_at: Option<i64>,
    pub time_interval: i32,
    pub next_sequence: i32,
    pub pending: VecDeque<Event>,
}

/// A notification event queued for pull delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub sequence: i32,
    pub subscribed_event: String,
    pub text: String,
    pub time: i64,
    pub printer: Option<String>,
    pub job_id: Option<i32>,
    /// Snapshot of the object's state at event time.
    pub printer_state: Option<(i32, Vec<String>, bool)>,
    pub job_state: Option<(i32, Vec<String>)>,
}

/// Server-wide settings the handlers need (from cupsd.conf / cups-files.conf).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub server_name: String,
    pub max_jobs: usize,
    pub max_jobs_per_printer: usize,
    pub max_jobs_per_user: usize,
    pub max_copies: i32,
    /// Seconds completed jobs stay in history (None: forever; Some(0): not kept).
    pub preserve_job_history: Option<i64>,
    pub preserve_job_files: Option<i64>,
    pub multiple_operation_timeout: i64,
    pub max_subscriptions: usize,
    pub max_events: usize,
    pub default_lease_duration: i32,
    pub max_lease_duration: i32,
    /// `FileDevice Yes`: allow file: device URIs for new queues.
    pub file_device: bool,
    pub start_time: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server_name: "localhost".into(),
            max_jobs: 500,
            max_jobs_per_printer: 0,
            max_jobs_per_user: 0,
            max_copies: 9999,
            preserve_job_history: None,
            preserve_job_files: Some(86400),
            multiple_operation_timeout: 900,
            max_subscriptions: 100,
            max_events: 100,
            default_lease_duration: 86400,
            max_lease_duration: 0,
            file_device: true,
            start_time: 0,
        }
    }
}

/// All scheduler state. Owned by one task in the daemon; handlers get `&mut`.
#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    /// Printers and classes, keyed by lower-cased name (CUPS names are case-insensitive).
    pub printers: BTreeMap<String, Printer>,
    pub jobs: BTreeMap<i32, Job>,
    pub subscriptions: BTreeMap<i32, Subscription>,
    pub default_printer: Option<String>,
    pub next_job_id: i32,
    pub next_printer_id: i32,
    pub next_subscription_id: i32,
    pub settings: Settings,
}

impl Scheduler {
    pub fn new(settings: Settings) -> Self {
        Scheduler {
            next_job_id: 1,
            next_printer_id: 1,
            next_subscription_id: 1,
            settings,
            ..Default::default()
        }
    }
    pub fn printer(&self, name: &str) -> Option<&Printer> {
        self.printers.get(&name.to_ascii_lowercase())
    }
    pub fn printer_mut(&mut self, name: &str) -> Option<&mut Printer> {
        self.printers.get_mut(&name.to_ascii_lowercase())
    }
    /// Jobs not yet in a terminating state.
    pub fn active_jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values().filter(|j| !j.state.is_terminal())
    }
}
