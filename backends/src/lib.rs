//! Backends: deliver a spooled job's documents to the device named by a device URI.
//!
//! Synchronous by design: the daemon runs each delivery on a blocking thread and cancels
//! it through [`Cancel`]. This issue ships `file:` and a basic `ipp:`/`ipps:`.
//!
//! Documents are converted by the filter worker ([`worker::main`], started as `User`; see
//! [`sandbox`]), and submitted PDFs are page-counted by it too ([`PageCounter`]).

mod connect;
mod cups_abi;
mod cups_config;
mod decompress;
pub mod delivery;
mod delivery_run;
mod file;
mod filter_chain;
mod ipp;
mod lpd;
mod page_count;
pub mod sandbox;
mod socket;
pub mod worker;

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub use cups_abi::discovery as cups_discovery;
pub use cups_abi::status as cups_status;
pub use cups_abi::{
    backend_schemes as cups_backend_schemes, backend_schemes_in as cups_backend_schemes_in,
};
pub use cups_config::CupsConfig;
pub use decompress::open_document;
pub use filter_chain::{wire as filter_wire, Plan as FilterPlan};
pub use ipp::destination as ipp_destination;
pub use ipp::MAX_DEVICE_REPLY;
pub use page_count::{CountError, CountInput, PageCounter, COUNT_TIMEOUT};
pub use sandbox::{Account, Launch, Worker};

/// One document to deliver.
#[derive(Debug, Clone)]
pub struct DocumentSource {
    pub path: PathBuf,
    pub format: String,
    pub name: String,
    /// "gzip" or "deflate" when the client sent it compressed; delivered decompressed.
    pub compression: Option<String>,
}

/// What a backend needs to know about the job.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub id: i32,
    pub name: String,
    pub user: String,
    /// Job template attributes to forward to an IPP device.
    pub attributes: Vec<quire_ipp::Attribute>,
    /// The queue's capabilities (what the device accepts), to decide what to convert.
    pub capabilities: Vec<quire_ipp::Attribute>,
    pub printer: String,
    pub created: i64,
    /// Where conversions may write temporary files (removed after delivery).
    pub work_dir: PathBuf,
    /// The device's id of this job from an earlier run that the device accepted (the
    /// daemon restarted meanwhile): follow that job rather than print it again.
    pub resume_device_job: Option<i32>,
    /// The job is moving to another printer: only stop `resume_device_job` on the device,
    /// report its final count through [`Progress::pages`], and end (failover after a restart).
    pub handoff: bool,
    /// Who filters and CUPS backends run as, and how they are started.
    pub launch: Arc<Launch>,
    /// A confidential job: temporary copies of its documents (the filters' inputs and
    /// results) are shredded, not just removed.
    pub confidential: bool,
}

/// Cancellation flag shared with the daemon.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_canceled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Progress reported while printing. The daemon mirrors it onto the queue and the job.
pub trait Progress: Send {
    /// Impressions the device has confirmed printed for this job so far, all copies counted.
    /// Never decreases within one delivery. When a delivery is canceled, the IPP backend
    /// cancels the device's job and reports its final count before it returns.
    fn pages(&mut self, completed: i32);
    /// The device's `printer-state-reasons` keywords, spelled as the device spells them
    /// ("media-empty-error"; no "none"), and its `printer-state-message`. Each report
    /// replaces the previous one; an empty list means the device is fine again.
    fn printer_state(&mut self, reasons: Vec<String>, message: String);
    /// A printer attribute the device reported (CUPS backend `ATTR:` lines: marker-levels…).
    fn printer_attribute(&mut self, _attr: quire_ipp::Attribute) {}
    /// The device accepted the job as its job `device_job` (IPP devices). The daemon keeps
    /// it, so that a restart follows this job instead of printing it again.
    fn submitted(&mut self, _device_job: i32) {}
}

/// How a delivery failed, in CUPS backend exit-code terms.
#[derive(Debug)]
pub enum BackendError {
    /// Unknown or unsupported scheme / malformed URI (CUPS_BACKEND_STOP).
    BadUri(String),
    /// The device could not be reached or failed (CUPS_BACKEND_FAILED; error policy applies).
    Device(String),
    /// The document could not be read from the spool.
    Spool(String),
    /// The document cannot be printed as it is (corrupt, empty, unsupported format).
    Document(String),
    /// The device canceled the job (CUPS_BACKEND_CANCEL).
    CanceledByDevice(String),
    /// Hold the job (CUPS_BACKEND_HOLD).
    Hold(String),
    /// The device needs credentials (CUPS_BACKEND_AUTH_REQUIRED): the job is held.
    AuthRequired(String),
    /// Stop the queue and keep the job (CUPS_BACKEND_STOP).
    StopPrinter(String),
    /// Retry the job later, whatever the error policy (CUPS_BACKEND_RETRY).
    Retry(String),
    /// Retry the job now on the same printer (CUPS_BACKEND_RETRY_CURRENT).
    RetryCurrent(String),
    /// Canceled by us.
    Canceled,
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::BadUri(m) => write!(f, "Bad device URI: {m}"),
            BackendError::Device(m) => write!(f, "{m}"),
            BackendError::Spool(m) => write!(f, "Unable to read print file: {m}"),
            BackendError::Document(m) => write!(f, "{m}"),
            BackendError::CanceledByDevice(m) => write!(f, "Job canceled at printer: {m}"),
            BackendError::Hold(m)
            | BackendError::StopPrinter(m)
            | BackendError::Retry(m)
            | BackendError::RetryCurrent(m) => write!(f, "{m}"),
            BackendError::AuthRequired(m) => write!(f, "Authentication is required: {m}"),
            BackendError::Canceled => write!(f, "Job canceled."),
        }
    }
}

impl std::error::Error for BackendError {}

/// Delivers the job to `device_uri`. Blocks until done, failed or canceled. Quire's own
/// network backends run in the worker as `User` when the daemon has one to run as
/// ([`delivery`]); `file:` here, CUPS's backends as cupsd runs them.
pub fn deliver(
    device_uri: &str,
    job: &JobInfo,
    documents: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let scheme = device_uri.split(':').next().unwrap_or("");
    let unprivileged = job.launch.account.is_some() && job.launch.worker.is_some();
    if unprivileged && delivery::WORKER_SCHEMES.contains(&scheme) {
        return delivery_run::in_worker(device_uri, job, documents, cancel, progress);
    }
    deliver_here(device_uri, job, documents, cancel, progress)
}

/// [`deliver`] in this process (the worker's, or a daemon with no `User` to run as).
pub(crate) fn deliver_here(
    device_uri: &str,
    job: &JobInfo,
    documents: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let scheme = device_uri.split(':').next().unwrap_or("");
    match scheme {
        "file" => file::deliver(device_uri, documents, cancel),
        "ipp" | "ipps" | "http" | "https" => {
            ipp::deliver(device_uri, job, documents, cancel, progress)
        }
        "socket" => socket::deliver(device_uri, job, documents, cancel, progress),
        "lpd" => lpd::deliver(device_uri, job, documents, cancel, progress),
        // Any other scheme: the CUPS backend of that name, run as cupsd runs it.
        _ => cups_abi::deliver(device_uri, job, documents, cancel, progress),
    }
}

#[cfg(test)]
mod tests;
