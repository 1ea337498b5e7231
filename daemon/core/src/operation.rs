//! What is true of an operation, besides the function that performs it: what it targets,
//! who may call it, what `@OWNER` means for it, whether it carries a document, what the
//! daemon does for it before the core runs it, whether its answer may be cached and
//! whether an allowed call is audited. One row per operation in `ops::TABLE`, which the
//! core's dispatch and policy check and the daemon's HTTP path all read: adding an
//! operation means adding its row.

use quire_ipp::{Message, Operation};

/// Which target an operation needs (resolved from printer-uri / job-uri / job-id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// No target: the server.
    Nothing,
    Printer,
    /// A printer, or the server when printer-uri names none (`ipp://host/`).
    PrinterOrServer,
    /// A printer-uri naming a printer that may not exist yet (CUPS-Add-Modify-Printer).
    NewOrExistingPrinter,
    /// The same for a class (CUPS-Add-Modify-Class).
    NewOrExistingClass,
    Job,
    /// A job, or a printer (CUPS-Move-Job moves all its jobs).
    JobOrPrinter,
}

/// Who may call an operation at all, before its own rules (cupsd's `<Limit>` aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anyone,
    /// A member of the system group (`@SYSTEM`).
    Admin,
    /// A user the kernel places on this host (CUPS-Create-Local-Printer).
    OnThisHost,
}

/// The document an operation brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentUse {
    None,
    /// Sent after the attributes (Print-Job, Send-Document): the daemon spools it between the
    /// two phases.
    Spooled,
    /// Named by `document-uri` (Print-URI, Send-URI): fetched when the job prints.
    Fetched,
}

/// What the daemon fetches before the core runs the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    None,
    /// The device's attributes (a local printer): `Request::device_attributes`.
    DeviceAttributes,
    /// The same when `ppd-name` is `everywhere` (`lpadmin -m everywhere`).
    DeviceAttributesForEverywhere,
    /// The devices this build can print to: `Request::devices`.
    Devices,
}

/// What a `job-password` does in the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinUse {
    None,
    /// It makes the new job a PIN job: the daemon seals a check key with it.
    NewJob,
    /// It releases a PIN job: the daemon checks it, and it stands for `@OWNER`.
    Release,
}

/// The facts of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub op: Operation,
    pub target: Targets,
    pub caller: Caller,
    /// `@OWNER` is the requester when the request names no job or subscription (operations on
    /// one's own subscriptions).
    pub requester_owns: bool,
    pub document: DocumentUse,
    pub fetch: Fetch,
    pub pin: PinUse,
    /// The answer depends only on the request and the scheduler's state (the daemon may
    /// answer it again from its cache).
    pub cacheable: bool,
    /// An allowed call goes to the audit log (refusals always do). Not for the queries
    /// clients poll constantly.
    pub audited: bool,
}

impl Facts {
    /// An operation on `target` that anyone may call, with nothing special about it.
    pub const fn new(op: Operation, target: Targets) -> Self {
        Facts {
            op,
            target,
            caller: Caller::Anyone,
            requester_owns: false,
            document: DocumentUse::None,
            fetch: Fetch::None,
            pin: PinUse::None,
            cacheable: false,
            audited: true,
        }
    }

    /// Does the daemon work on this request between the core's two phases (spool its
    /// document, query a device, hash its PIN)? Then phase one (`dispatch::admit`) runs every
    /// check first, so a refused request causes none of that work, and phase two
    /// (`dispatch::complete`) finishes it.
    pub fn two_phases(&self, msg: &Message) -> bool {
        self.document == DocumentUse::Spooled
            || self.fetch != Fetch::None
            || (self.pin != PinUse::None && msg.operation_attr("job-password").is_some())
    }
}
