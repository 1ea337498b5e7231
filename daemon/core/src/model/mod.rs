//! The scheduler's objects: printers (and classes), jobs with documents, subscriptions,
//! and the records the features keep on them (security facts, split and failover policies,
//! failover and confidentiality records, access rules). Data and its encoding only: the
//! rules that act on it live in the feature modules above.

mod access;
mod confidential;
mod failover;
mod job;
mod jobs;
mod printer;
mod security;
mod short_str;
mod split;
mod subscription;

pub use access::AccessRules;
pub use confidential::{Confidential, Release, MAX_PIN_FAILURES, PIN_LENGTH};
pub use failover::{log_line, Failover, FailoverMode, FailoverPolicy, Phase, DEFAULT_GRACE};
pub use job::{Job, JobAttrs, JobState};
pub use jobs::{record_bytes, Jobs, Usage};
pub use printer::{CapabilitySets, DeviceStatus, Printer, PrinterState};
pub use security::{ReleaseAuth, Rule, Security, Trust, MAX_LEVEL};
pub use short_str::Str;
pub use split::{Fallback, SplitMode, SplitPolicy};
pub use subscription::{Event, Outbox, Push, Subscription};

use crate::error::{IppError, IppResult};
use crate::request::Target;
use std::collections::BTreeMap;

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
    /// `MaxSubscriptionsPerJob`, `MaxSubscriptionsPerPrinter`, `MaxSubscriptionsPerUser`
    /// (0: no limit).
    pub max_subscriptions_per_job: usize,
    pub max_subscriptions_per_printer: usize,
    pub max_subscriptions_per_user: usize,
    /// The `notify-recipient-uri` schemes the daemon delivers (`notify-schemes-supported`).
    pub notify_schemes: Vec<String>,
    pub max_events: usize,
    pub default_lease_duration: i32,
    pub max_lease_duration: i32,
    /// `FileDevice Yes`: allow file: device URIs for new queues.
    pub file_device: bool,
    pub start_time: i64,
    /// `JobRetryInterval`: seconds a job waits before it is retried (retry-job policy).
    pub job_retry_interval: i64,
    /// `JobRetryLimit`: failed runs before a retried job is aborted (0: no limit).
    pub job_retry_limit: u32,
    /// Schemes with a CUPS backend in ServerBin/backend: device URIs a queue may use besides
    /// the native ones (cupsd accepts a scheme when its backend exists).
    pub cups_backends: Vec<String>,
    /// How printers are compared when a job is split or fails over.
    pub security_rule: Rule,
    /// cupsd's policies and locations; `None` checks nothing (embedding and unit tests).
    pub access: Option<std::sync::Arc<AccessRules>>,
    /// `ConfidentialHoldTime`: seconds a confidential job waits for its owner.
    pub confidential_hold_time: i64,
    /// `SpoolQuota`: bytes all stored documents may take (0: no quota).
    pub spool_quota: u64,
    /// `SpoolQuotaPerUser`: bytes one user's stored documents may take (0: no quota).
    pub spool_quota_per_user: u64,
    /// `PullSchemes`: document-uri schemes Print-URI/Send-URI accept (empty: those
    /// operations are not supported). The daemon checks `PullHosts` too.
    pub pull_schemes: Vec<String>,
    /// `MaxJobTime`: seconds a job may print before it is cancelled (0: no limit; the
    /// daemon passes cupsd's default, 3 hours).
    pub max_job_time: i64,
    /// `DefaultShared`: whether a new queue is shared (cupsd's default: yes).
    pub default_shared: bool,
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
            max_subscriptions_per_job: 0,
            max_subscriptions_per_printer: 0,
            max_subscriptions_per_user: 0,
            notify_schemes: Vec::new(),
            max_events: 100,
            default_lease_duration: 86400,
            max_lease_duration: 0,
            file_device: true,
            start_time: 0,
            job_retry_interval: 30,
            job_retry_limit: 5,
            cups_backends: Vec::new(),
            security_rule: Default::default(),
            access: None,
            confidential_hold_time: 4 * 3600,
            spool_quota: 0,
            spool_quota_per_user: 0,
            pull_schemes: Vec::new(),
            max_job_time: 0,
            default_shared: true,
        }
    }
}

/// All scheduler state. Owned by one task in the daemon; handlers get `&mut`.
#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    /// Printers and classes, keyed by lower-cased name (CUPS names are case-insensitive).
    pub printers: BTreeMap<String, Printer>,
    /// Boxed: a map node holds up to 11 entries but is often half full, and a `Job` is
    /// a few hundred bytes. With their spool usage kept as they change.
    pub jobs: Jobs,
    pub subscriptions: BTreeMap<i32, Subscription>,
    pub default_printer: Option<String>,
    pub next_job_id: i32,
    pub next_printer_id: i32,
    pub next_subscription_id: i32,
    pub settings: Settings,
    /// Bytes free on the spool's file system, as the daemon last measured it (`None`: not
    /// measured). An observation, not configuration: the spool quotas use it.
    pub spool_free: Option<u64>,
    /// The size of the spool's file system (sets how much of it is kept free).
    pub spool_total: Option<u64>,
    /// The printers' capability sets, shared between printers of one model.
    pub capability_sets: CapabilitySets,
    /// Events for push subscriptions, until the daemon takes them.
    pub outbox: Outbox,
    /// The names the shared queues are registered under with DNS-SD, by lower-cased queue
    /// name (`printer-dns-sd-name`): an observation of the daemon's, not saved.
    pub dnssd_names: BTreeMap<String, String>,
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
        self.jobs.active().into_iter().filter(|j| !j.state.is_terminal())
    }
    /// Job `id`, or the error that says it does not exist.
    pub fn job(&self, id: i32) -> IppResult<&Job> {
        self.jobs.get(&id).map(|j| &**j).ok_or_else(|| IppError::job_not_found(id))
    }
    pub fn job_mut(&mut self, id: i32) -> IppResult<&mut Job> {
        self.jobs.get_mut(&id).ok_or_else(|| IppError::job_not_found(id))
    }
}

/// The object a request targets, or the error the client gets when it is not there (it may
/// have gone since the request was resolved).
impl Target {
    /// The id of the job targeted.
    pub fn job_id(&self) -> IppResult<i32> {
        match self {
            Target::Job(id) => Ok(*id),
            _ => Err(IppError::BadRequest("Missing job-uri or job-id.".into())),
        }
    }
    pub fn job<'a>(&self, s: &'a Scheduler) -> IppResult<&'a Job> {
        s.job(self.job_id()?)
    }
    pub fn job_mut<'a>(&self, s: &'a mut Scheduler) -> IppResult<&'a mut Job> {
        s.job_mut(self.job_id()?)
    }
    /// The key in `Scheduler::printers` of the printer or class targeted.
    pub fn printer_key(&self) -> IppResult<&str> {
        match self {
            Target::Printer(key) => Ok(key),
            _ => Err(IppError::printer_not_found()),
        }
    }
    pub fn printer<'a>(&self, s: &'a Scheduler) -> IppResult<&'a Printer> {
        s.printers.get(self.printer_key()?).ok_or_else(IppError::printer_not_found)
    }
    pub fn printer_mut<'a>(&self, s: &'a mut Scheduler) -> IppResult<&'a mut Printer> {
        s.printers.get_mut(self.printer_key()?).ok_or_else(IppError::printer_not_found)
    }
}
