//! The scheduler's objects: printers (and classes), jobs with documents, subscriptions.

use crate::ids;
use quire_ipp::Attribute;
pub use quire_ipp::{JobState, PrinterState};
use std::collections::{BTreeMap, VecDeque};

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
    /// What the device last reported while printing. Not persisted: the next job asks
    /// the device again.
    pub device: DeviceStatus,
    /// The security facts in effect: set by an administrator, or the device's claim once an
    /// administrator confirmed it; the defaults (no protection) otherwise.
    pub security: crate::security::Security,
    /// Who vouches for `security` (see [`crate::security::printer_qualifies`]).
    pub trust: crate::security::Trust,
    /// What the device said about itself (`-m everywhere`, CUPS-Create-Local-Printer): shown,
    /// never relied on.
    pub claim: Option<crate::security::Security>,
    /// Made by CUPS-Create-Local-Printer for a local user (`printer-is-temporary`): not
    /// saved, deleted once unused, never trusted.
    pub temporary: bool,
    /// The queue's policy for splitting jobs between printers.
    pub split: crate::split::SplitPolicy,
    /// The queue's failover policy (what happens to a job when its printer stops).
    pub failover: crate::failover::FailoverPolicy,
    /// A release queue: every job sent here is confidential (`quire-confidential-default`).
    pub confidential_default: bool,
}

/// The device's own state as its backend reports it, shown on the queue beside the
/// queue's own reasons (cupsd's backend `STATE:`/`ATTR:` lines, IPP printer-state).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceStatus {
    /// `printer-state-reasons` keywords as the device spells them ("media-empty-error").
    pub reasons: Vec<String>,
    pub message: String,
    /// Device attributes (marker-levels, printer-alert…).
    pub attributes: Vec<Attribute>,
}

impl DeviceStatus {
    /// A reason that stops printing until someone acts (RFC 8011 §5.4.12 "-error" suffix;
    /// a bare keyword counts as an error too).
    pub fn is_stopped(&self) -> bool {
        self.reasons.iter().any(|r| !r.ends_with("-report") && !r.ends_with("-warning"))
    }
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
    /// `printer-state-reasons`: the queue's own reasons, then the device's.
    pub fn state_reasons_all(&self) -> impl Iterator<Item = &str> {
        self.state_reasons.iter().chain(self.device.reasons.iter().filter(|r| !self.state_reasons.contains(r))).map(String::as_str)
    }
    /// `printer-state-message`: the device's message while it reports one.
    pub fn state_message_shown(&self) -> &str {
        if self.device.message.is_empty() { &self.state_message } else { &self.device.message }
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
    /// Pages, when the daemon counted them at submission (PDF); the job's
    /// `job-impressions` is their sum. Not persisted: the job keeps the total.
    pub pages: Option<u32>,
    /// Print-URI / Send-URI: the document is fetched from here each time the job prints
    /// (a held job's only at release); `file` is empty and `size` 0.
    pub uri: Option<String>,
}

impl Document {
    /// Name of a document whose bytes the daemon stores inside the job store (no spool
    /// file): `i%05d-%03d`, next to CUPS's `d%05d-%03d` spool file names.
    pub fn inline_name(job_id: i32, number: i32) -> String {
        format!("i{job_id:05}-{number:03}")
    }

    /// True when `file` names a document stored inside the job store, not a spool file.
    pub fn is_inline_name(file: &str) -> bool {
        file.starts_with('i')
    }

    /// True when this document is stored inside the job store, not as a spool file.
    pub fn is_inline(&self) -> bool {
        Self::is_inline_name(&self.file)
    }
}

/// A job. Kept compact: a scheduler holds tens of thousands of them (held jobs, history),
/// so short strings are stored inline ([`Str`]), the UUID is derived from the id and
/// creation time, and the client's attributes stay IPP-encoded ([`JobAttrs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i32,
    /// `None` (the usual case): the UUID is [`ids::uuid_for`]`("job", id, created)`;
    /// `Some`: a record from elsewhere whose UUID differs (see [`Job::uuid`]).
    pub uuid: Option<Box<str>>,
    /// The queue (printer or class) the job was submitted to.
    pub printer: Str,
    /// The printer actually printing it (differs from `printer` for classes).
    pub output_device: Option<Str>,
    pub parent_job_id: Option<i32>,
    pub owner: Str,
    pub originating_host: Str,
    pub name: Str,
    pub state: JobState,
    pub state_reasons: Vec<Str>,
    pub state_message: Str,
    pub printer_state_reasons: Vec<Str>,
    pub printer_state_message: Str,
    pub priority: i32,
    pub hold_until: Str,
    /// When a timed `job-hold-until` ends (unix seconds).
    pub hold_until_time: Option<i64>,
    pub created: i64,
    pub processing_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Job template and other client-supplied job attributes, kept as sent (encoded).
    pub attributes: JobAttrs,
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
    /// Failed runs so far, for `JobRetryLimit`.
    pub tries: u16,
    /// A split job's parts (child jobs, each with `parent_job_id` set to this job).
    pub children: Vec<i32>,
    /// The device's id of this job once the device accepted it: after a restart the
    /// backend follows that job instead of printing it again.
    pub device_job: Option<i32>,
    /// The splitter has decided about this job (split it, or not): it does not again.
    pub split_decided: bool,
    /// The job's printer stopped while printing it: where moving the remainder stands,
    /// and every decision made (boxed: rare, and a `Job` is kept small).
    pub failover: Option<Box<crate::failover::Failover>>,
    /// Held until its owner proves who they are (boxed: rare).
    pub confidential: Option<Box<crate::confidential::Confidential>>,
}

impl Job {
    /// `job-uuid`.
    pub fn uuid(&self) -> String {
        match &self.uuid {
            Some(u) => u.to_string(),
            None => ids::uuid_for("job", self.id as u64, self.created),
        }
    }
    pub fn attribute(&self, name: &str) -> Option<Attribute> {
        self.attributes.get(name)
    }
    pub fn set_attribute(&mut self, attr: Attribute) {
        let mut all = self.attributes.to_vec();
        match all.iter_mut().find(|a| a.name == attr.name) {
            Some(slot) => *slot = attr,
            None => all.push(attr),
        }
        self.attributes = JobAttrs::from(all);
    }
    pub fn remove_attribute(&mut self, name: &str) {
        if self.attributes.contains(name) {
            let mut all = self.attributes.to_vec();
            all.retain(|a| a.name != name);
            self.attributes = JobAttrs::from(all);
        }
    }
    /// A new pending job `id` with this one's owner, attributes and documents (the caller
    /// gives it its own document files), as Reprocess-Job and the splitter make them.
    pub fn copy_as_new(&self, id: i32, now: i64) -> Job {
        Job {
            id,
            uuid: None, // derived from the new id and creation time
            state: JobState::Pending,
            state_reasons: vec!["none".into()],
            state_message: Str::default(),
            printer_state_reasons: Vec::new(),
            printer_state_message: Str::default(),
            created: now,
            processing_at: None,
            completed_at: None,
            output_device: None,
            impressions_completed: 0,
            pages_completed: 0,
            run: 0,
            tries: 0,
            device_job: None,
            children: Vec::new(),
            split_decided: false,
            failover: None,
            confidential: None,
            files_purged: false,
            ..self.clone()
        }
    }
    /// A split job: its children print it, it never prints itself.
    pub fn is_split(&self) -> bool {
        !self.children.is_empty()
    }
    pub fn set_reason(&mut self, reason: &str) {
        if !self.state_reasons.iter().any(|r| r == reason) {
            self.state_reasons.retain(|r| r != "none");
            self.state_reasons.push(reason.into());
            self.state_reasons.shrink_to_fit();
        }
    }
    pub fn clear_reason(&mut self, reason: &str) {
        self.state_reasons.retain(|r| r != reason);
    }
}

/// A job's client-supplied attributes, IPP-encoded back to back as inside a group (the
/// codec's own format): one small allocation per job instead of one per name and value.
/// Decoded only when a response, the backend or a change needs them.
#[derive(Clone, Default, PartialEq)]
pub struct JobAttrs(Box<[u8]>);

impl JobAttrs {
    /// The encoded attributes (as inside a group, without the group tag).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn from_bytes(bytes: &[u8]) -> Self {
        JobAttrs(bytes.into())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Names of the attributes, in order, read straight from the encoding.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans().map(|(name, _)| name)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }
    /// Decodes every attribute.
    pub fn to_vec(&self) -> Vec<Attribute> {
        decode_attrs(&self.0)
    }
    /// Decodes one attribute.
    pub fn get(&self, name: &str) -> Option<Attribute> {
        let (_, span) = self.spans().find(|(n, _)| *n == name)?;
        decode_attrs(self.0.get(span)?).pop()
    }
    /// Each top-level attribute's name and byte range. Within an attribute, additional
    /// values and collection members all have empty names, so a non-empty name starts
    /// the next attribute.
    fn spans(&self) -> impl Iterator<Item = (&str, std::ops::Range<usize>)> + '_ {
        let b = &self.0[..];
        let field = |at: usize| -> Option<(usize, usize)> {
            let len = u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize;
            Some((at + 2, at + 2 + len))
        };
        // One value: tag, name, value; returns (name range, end).
        let entry = move |at: usize| -> Option<(std::ops::Range<usize>, usize)> {
            let (ns, ne) = field(at + 1)?;
            let (_, ve) = field(ne)?;
            (ve <= b.len()).then_some((ns..ne, ve))
        };
        let mut at = 0;
        std::iter::from_fn(move || {
            let (name, mut end) = entry(at)?;
            let start = at;
            while let Some((n, e)) = entry(end) {
                if !n.is_empty() {
                    break;
                }
                end = e;
            }
            at = end;
            Some((std::str::from_utf8(b.get(name)?).unwrap_or(""), start..end))
        })
    }
}

impl From<Vec<Attribute>> for JobAttrs {
    fn from(attrs: Vec<Attribute>) -> Self {
        JobAttrs::from(attrs.as_slice())
    }
}

impl From<&[Attribute]> for JobAttrs {
    fn from(attrs: &[Attribute]) -> Self {
        let mut out = Vec::with_capacity(attrs.iter().map(Attribute::encoded_len).sum());
        for a in attrs {
            a.encode_into(&mut out);
        }
        JobAttrs(out.into_boxed_slice())
    }
}

impl std::fmt::Debug for JobAttrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

/// Decodes attributes encoded as inside a group, by framing them as a message.
fn decode_attrs(bytes: &[u8]) -> Vec<Attribute> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut framed = Vec::with_capacity(bytes.len() + 10);
    framed.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 0, quire_ipp::DelimiterTag::Job as u8]);
    framed.extend_from_slice(bytes);
    framed.push(quire_ipp::DelimiterTag::EndOfAttributes as u8);
    match quire_ipp::decode(&framed) {
        Ok((mut m, _)) => m.groups.pop().map(|g| g.attributes).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// A string that is usually short (names, keywords): up to [`Str::INLINE`] bytes are kept
/// inside the value itself, well-known longer keywords as `&'static str`, anything else
/// on the heap. Derefs to `str`.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Inline(u8, [u8; Str::INLINE]),
    Static(&'static str),
    Heap(Box<str>),
}

/// Keywords longer than [`Str::INLINE`] that jobs carry often.
const LONG_KEYWORDS: &[&str] = &[
    "job-hold-until-specified", "job-completed-successfully", "job-completed-with-warnings",
    "job-completed-with-errors", "job-canceled-by-operator", "processing-to-stop-point",
    "job-canceled-at-device", "resources-are-not-ready", "job-suspended-by-operator",
    "printer-stopped-partly", "job-data-insufficient", "document-format-error",
    "unsupported-document-format", "service-off-line", "queued-in-device",
];

impl Str {
    pub const INLINE: usize = 22;
    pub fn new(s: &str) -> Self {
        if s.len() <= Self::INLINE {
            let mut buf = [0u8; Self::INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            return Str(Repr::Inline(s.len() as u8, buf));
        }
        match LONG_KEYWORDS.iter().find(|k| **k == s) {
            Some(k) => Str(Repr::Static(k)),
            None => Str(Repr::Heap(s.into())),
        }
    }
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always valid: the bytes were copied from a `str`.
            Repr::Inline(len, buf) => std::str::from_utf8(&buf[..*len as usize]).unwrap_or(""),
            Repr::Static(s) => s,
            Repr::Heap(s) => s,
        }
    }
    pub fn clear(&mut self) {
        *self = Str::default();
    }
}

impl Default for Str {
    fn default() -> Self {
        Str(Repr::Inline(0, [0; Str::INLINE]))
    }
}

impl std::ops::Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        if s.len() <= Self::INLINE || LONG_KEYWORDS.contains(&s.as_str()) {
            Str::new(&s)
        } else {
            Str(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Self {
        Str::new(s)
    }
}

impl From<Str> for String {
    fn from(s: Str) -> Self {
        s.as_str().to_string()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Str {}
impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}
impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}
impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}
impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    /// `JobRetryInterval`: seconds a job waits before it is retried (retry-job policy).
    pub job_retry_interval: i64,
    /// `JobRetryLimit`: failed runs before a retried job is aborted (0: no limit).
    pub job_retry_limit: u32,
    /// Schemes with a CUPS backend in ServerBin/backend: device URIs a queue may use besides
    /// the native ones (cupsd accepts a scheme when its backend exists).
    pub cups_backends: Vec<String>,
    /// How printers are compared when a job is split or fails over.
    pub security_rule: crate::security::Rule,
    /// cupsd's policies and locations; `None` checks nothing (embedding and unit tests).
    pub access: Option<std::sync::Arc<crate::policy::AccessRules>>,
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
        }
    }
}

/// All scheduler state. Owned by one task in the daemon; handlers get `&mut`.
#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    /// Printers and classes, keyed by lower-cased name (CUPS names are case-insensitive).
    pub printers: BTreeMap<String, Printer>,
    /// Boxed: a map node holds up to 11 entries but is often half full, and a `Job` is
    /// a few hundred bytes.
    pub jobs: BTreeMap<i32, Box<Job>>,
    pub subscriptions: BTreeMap<i32, Subscription>,
    pub default_printer: Option<String>,
    pub next_job_id: i32,
    pub next_printer_id: i32,
    pub next_subscription_id: i32,
    pub settings: Settings,
    /// Bytes free on the spool's file system, as the daemon last measured it (`None`: not
    /// measured). An observation, not configuration: see [`crate::quota`].
    pub spool_free: Option<u64>,
    /// The size of the spool's file system (sets how much of it is kept free).
    pub spool_total: Option<u64>,
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
        self.jobs.values().map(|j| &**j).filter(|j| !j.state.is_terminal())
    }
}
