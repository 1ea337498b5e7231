//! The queues of printers.conf and classes.conf, as cupsd 2.4 keeps them there.

/// Which of the two files: they share most directives, but not all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    /// printers.conf: `<Printer name>` / `<DefaultPrinter name>` blocks.
    Printer,
    /// classes.conf: `<Class name>` / `<DefaultClass name>` blocks.
    Class,
}

impl QueueKind {
    /// The block tag's name (`Printer`, `Class`).
    pub fn tag(self) -> &'static str {
        match self {
            QueueKind::Printer => "Printer",
            QueueKind::Class => "Class",
        }
    }
    /// The default queue's block tag's name.
    pub fn default_tag(self) -> &'static str {
        match self {
            QueueKind::Printer => "DefaultPrinter",
            QueueKind::Class => "DefaultClass",
        }
    }
    /// The file's name, for messages.
    pub fn file_name(self) -> &'static str {
        match self {
            QueueKind::Printer => "printers.conf",
            QueueKind::Class => "classes.conf",
        }
    }
}

/// `State`: what cupsd saves of `printer-state` (a printing queue is saved idle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueState {
    #[default]
    Idle,
    /// cupsd adds the `paused` reason when it loads a stopped queue.
    Stopped,
}

/// `AllowUser` / `DenyUser`: cupsd keeps one list and whether it allows or denies it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum UserAccess {
    /// No list: everyone may print.
    #[default]
    All,
    /// `requesting-user-name-allowed`.
    Allow(Vec<String>),
    /// `requesting-user-name-denied`.
    Deny(Vec<String>),
}

/// One queue: a printer of printers.conf or a class of classes.conf. Fields cupsd writes for
/// every queue are plain values (with cupsd's defaults when a file leaves them out); those
/// it writes only when set are `Option`s, so writing a parsed queue gives back its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub name: String,
    /// Written as `<DefaultPrinter>` / `<DefaultClass>`: the server's default destination.
    pub is_default: bool,
    /// `PrinterId` (> 0).
    pub printer_id: Option<i32>,
    /// `UUID`, `urn:uuid:...` (cupsd makes one up when it is missing).
    pub uuid: Option<String>,
    /// `AuthInfoRequired`: `none`, `negotiate`, or some of `domain`, `username`, `password`.
    pub auth_info_required: Vec<String>,
    /// `Info` (`printer-info`).
    pub info: Option<String>,
    /// `Location` (`printer-location`).
    pub location: Option<String>,
    /// `GeoLocation` (`printer-geo-location`, a `geo:` URI). Printers only.
    pub geo_location: Option<String>,
    /// `MakeModel` (`printer-make-and-model`; none: a raw queue). Printers only.
    pub make_model: Option<String>,
    /// `Organization`, `OrganizationalUnit`. Printers only.
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    /// `DeviceURI`. Printers only, and every printer has one.
    pub device_uri: Option<String>,
    /// `PortMonitor` (a PPD's port monitor, `none` when unset). Printers only.
    pub port_monitor: Option<String>,
    pub state: QueueState,
    /// `StateMessage` (`printer-state-message`), written for a stopped queue.
    pub state_message: Option<String>,
    /// `StateTime` (Unix seconds).
    pub state_time: Option<i64>,
    /// `ConfigTime` (Unix seconds). Printers only.
    pub config_time: Option<i64>,
    /// `Reason` lines (`printer-state-reasons` kept across a restart). Printers only.
    pub reasons: Vec<String>,
    /// `Type`: cupsd's `printer-type` bits. Printers only.
    pub printer_type: Option<i32>,
    /// `Accepting` (`printer-is-accepting-jobs`).
    pub accepting: bool,
    /// `Shared` (`printer-is-shared`); when missing cupsd takes `DefaultShared`.
    pub shared: Option<bool>,
    /// `JobSheets` (`job-sheets-default`): the start and end banner.
    pub job_sheets: (String, String),
    /// `QuotaPeriod` (seconds), `PageLimit`, `KLimit` (`job-quota-period`, ...).
    pub quota_period: i32,
    pub page_limit: i32,
    pub k_limit: i32,
    pub users: UserAccess,
    /// `OpPolicy` (`printer-op-policy`: a `<Policy>` of cupsd.conf).
    pub op_policy: Option<String>,
    /// `ErrorPolicy` (`printer-error-policy`). cupsd does not apply one read from classes.conf.
    pub error_policy: Option<String>,
    /// `Printer` lines: the class's members, by name. Classes only.
    pub members: Vec<String>,
    /// `Option name value`: the queue's defaults (`lpadmin -o name-default=value` keeps
    /// `Option name value`); cupsd adds each to the jobs that do not set it. Quire's own
    /// settings travel here too ([`Queue::quire_settings`]).
    pub options: Vec<(String, String)>,
    /// `Attribute name value`: the device's marker (supply) attributes. Printers only.
    pub attributes: Vec<(String, String)>,
}

/// The prefix of Quire's own settings among a queue's options (`Option quire-split auto`):
/// cupsd keeps them and shows them as printer defaults.
pub const QUIRE_OPTION_PREFIX: &str = "quire-";

impl Queue {
    /// A queue with cupsd's defaults: idle, accepting, no banners, no quotas.
    pub fn new(name: impl Into<String>) -> Queue {
        Queue {
            name: name.into(),
            is_default: false,
            printer_id: None,
            uuid: None,
            auth_info_required: Vec::new(),
            info: None,
            location: None,
            geo_location: None,
            make_model: None,
            organization: None,
            organizational_unit: None,
            device_uri: None,
            port_monitor: None,
            state: QueueState::Idle,
            state_message: None,
            state_time: None,
            config_time: None,
            reasons: Vec::new(),
            printer_type: None,
            accepting: true,
            shared: None,
            job_sheets: ("none".into(), "none".into()),
            quota_period: 0,
            page_limit: 0,
            k_limit: 0,
            users: UserAccess::All,
            op_policy: None,
            error_policy: None,
            members: Vec::new(),
            options: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// The value of option `name` (cupsd's option names ignore case).
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Sets option `name` as cupsd does: an existing one keeps its place (and its name).
    pub fn set_option(&mut self, name: &str, value: &str) {
        match self.options.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.options.push((name.to_string(), value.to_string())),
        }
    }
}

/// The contents of printers.conf or classes.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFile {
    pub kind: QueueKind,
    /// `NextPrinterId` (printers.conf only): the id cupsd gives the next new queue.
    pub next_printer_id: Option<i32>,
    pub queues: Vec<Queue>,
}

impl QueueFile {
    pub fn new(kind: QueueKind) -> QueueFile {
        QueueFile { kind, next_printer_id: None, queues: Vec::new() }
    }
    pub fn get(&self, name: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.name.eq_ignore_ascii_case(name))
    }
    /// The queue written as the default (cupsd takes the last if there are several).
    pub fn default_queue(&self) -> Option<&Queue> {
        self.queues.iter().rev().find(|q| q.is_default)
    }
}

/// Whether cupsd accepts `name` as a queue's name (its `validate_name`): 1 to 127 bytes, no
/// space or control character, DEL, `/` or `#`.
pub fn valid_queue_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 128
        && !name.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'/' || b == b'#')
}

/// `AuthInfoRequired` keywords cupsd accepts; `none` and `negotiate` only alone.
pub fn valid_auth_info(values: &[String]) -> bool {
    let alone = |v: &str| v == "none" || v == "negotiate";
    match values {
        [] => false,
        [one] => alone(one) || ["domain", "username", "password"].contains(&one.as_str()),
        many => {
            many.len() <= 4
                && many.iter().all(|v| ["domain", "username", "password"].contains(&v.as_str()))
        }
    }
}

/// The `printer-error-policy` values cupsd reads from printers.conf.
pub const ERROR_POLICIES: [&str; 4] =
    ["abort-job", "retry-current-job", "retry-job", "stop-printer"];

/// Reasons cupsd neither saves nor reads back (it works them out again).
pub const TRANSIENT_REASONS: [&str; 3] =
    ["connecting-to-device", "cups-insecure-filter-warning", "cups-missing-filter-warning"];

/// A problem between printers.conf and classes.conf, which neither file shows alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrossProblem {
    /// A class member that is no printer (cupsd adds a stopped "remote printer" for it).
    UnknownMember { class: String, member: String },
    /// A class named as a printer (cupsd turns the printer into the class).
    ClassNamedAsPrinter(String),
}

/// The problems between the two files.
pub fn cross_check(printers: &QueueFile, classes: &QueueFile) -> Vec<CrossProblem> {
    let mut problems = Vec::new();
    for class in &classes.queues {
        if printers.get(&class.name).is_some() {
            problems.push(CrossProblem::ClassNamedAsPrinter(class.name.clone()));
        }
        for member in class.members.iter().filter(|m| printers.get(m).is_none()) {
            problems.push(CrossProblem::UnknownMember {
                class: class.name.clone(),
                member: member.clone(),
            });
        }
    }
    problems
}
