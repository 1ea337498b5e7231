//! `ipp:`/`http:` devices (IPP Everywhere printers), as cupsd's ipp backend drives them:
//!
//! 1. wait until the printer answers and accepts jobs: a printer that is off or unreachable
//!    is offline, not broken, so the job waits (the queue shows `offline-report`), with
//!    backoff between attempts;
//! 2. submit: Create-Job + Send-Document, or Print-Job per document when the printer lacks
//!    Create-Job; a network error before the printer has the job retries the submission;
//! 3. follow the printer's job to its end, mirroring `job-impressions-completed` and the
//!    printer's `printer-state-reasons`/`printer-state-message` (media-empty, jams,
//!    offline…) onto Quire's job and queue; a lost connection is re-established.

use crate::connect::{backoff_delay, sleep_cancelable};
use crate::{open_document, BackendError, Cancel, DocumentSource, JobInfo, Progress};
use quire_client::{Client, ClientError, Destination};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, StatusCode, Value};
use std::time::Duration;

/// Job attributes that describe the job on this server, not what the device should do.
const NOT_FORWARDED: &[&str] = &[
    "job-hold-until",
    "job-priority",
    "job-sheets",
    "job-password",
    "job-password-encryption",
    "job-impressions",
    "job-media-sheets",
];

/// The printer's job and state are polled first after `POLL_FIRST`, then ever less often up
/// to `POLL_MAX`: a fast printer's job is seen done within milliseconds (so the next job
/// starts at once), a long one costs four requests a second.
const POLL_FIRST: Duration = Duration::from_millis(1);
const POLL_MAX: Duration = Duration::from_millis(250);
/// A single request may take this long (a large document upload included) before the
/// connection is considered lost.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer taken from a device: its answers are claims, maybe hostile, and are
/// held in memory whole. A Get-Printer-Attributes answer with `media-col-database` is
/// usually far smaller.
pub const MAX_DEVICE_REPLY: usize = 4 * 1024 * 1024;

const PRINTER_STATE_ATTRS: &[&str] = &[
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "operations-supported",
];

/// (host, port, resource) of an ipp/http URI. User information (`user:password@`) is not
/// part of the host: this backend sends no credentials to the device (not supported yet),
/// and an error names the URI without them.
pub fn split_uri(uri: &str) -> Result<(String, u16, String), BackendError> {
    let shown = quire_ipp::uri::without_userinfo(uri);
    let (scheme, rest) =
        shown.split_once("://").ok_or_else(|| BackendError::BadUri(shown.clone()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let uri = shown.as_str();
    let default_port = match scheme {
        "http" => 80,
        "https" => 443,
        _ => 631,
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, tail) = v6.split_once(']').ok_or_else(|| BackendError::BadUri(uri.into()))?;
        let port = tail
            .strip_prefix(':')
            .map(str::parse)
            .transpose()
            .map_err(|_| BackendError::BadUri(uri.into()))?;
        (h.to_string(), port.unwrap_or(default_port))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => {
                (h.to_string(), p.parse().map_err(|_| BackendError::BadUri(uri.into()))?)
            }
            None => (authority.to_string(), default_port),
        }
    };
    if host.is_empty() {
        return Err(BackendError::BadUri(uri.into()));
    }
    Ok((host, port, path.to_string()))
}

/// Where an ipp/ipps/http/https device URI points: the connection and the resource.
/// ipps/https use TLS from the first byte; the certificate is accepted unvalidated, as with
/// CUPS's AllowAnyRoot default (see quire-client's `tls` module).
pub fn destination(uri: &str) -> Result<(Destination, String), BackendError> {
    let (host, port, resource) = split_uri(uri)?;
    let dest = if uri.starts_with("ipps:") || uri.starts_with("https:") {
        Destination::Tls { host, port }
    } else {
        Destination::Tcp { host, port }
    };
    Ok((dest, resource))
}

/// Why a step failed: worth retrying after a pause (the network, a busy printer), or not.
enum Failure {
    Transient(String),
    Fatal(BackendError),
}

impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Self {
        Failure::Fatal(e)
    }
}

fn client_failure(what: &str, e: ClientError) -> Failure {
    match e {
        ClientError::Io(_) | ClientError::Timeout | ClientError::Protocol(_) => {
            Failure::Transient(format!("{what}: {e}"))
        }
        ClientError::Http { status, .. } if status >= 500 => {
            Failure::Transient(format!("{what}: {e}"))
        }
        other => Failure::Fatal(BackendError::Device(format!("{what}: {other}"))),
    }
}

/// Statuses a printer gives while it cannot take the request right now.
fn status_is_transient(code: u16) -> bool {
    [
        StatusCode::ServerErrorBusy,
        StatusCode::ServerErrorServiceUnavailable,
        StatusCode::ServerErrorNotAcceptingJobs,
        StatusCode::ServerErrorTemporaryError,
    ]
    .iter()
    .any(|s| s.code() == code)
}

fn check(resp: &Message, what: &str) -> Result<(), Failure> {
    match StatusCode::from_u16(resp.code) {
        Some(s) if s.is_success() => Ok(()),
        other => {
            let msg =
                resp.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or("");
            let status =
                other.map_or_else(|| format!("{:#06x}", resp.code), |s| s.name().to_string());
            let text = format!("{what} failed: {status} {msg}");
            Err(if status_is_transient(resp.code) {
                Failure::Transient(text)
            } else {
                Failure::Fatal(BackendError::Device(text))
            })
        }
    }
}

/// The printer we talk to, its connection, and the state last mirrored to the queue.
struct Device<'a> {
    /// `printer-uri` of every request: the device URI without user information (cupsd's
    /// ipp backend does not send it in the request either).
    uri: String,
    resource: String,
    dest: Destination,
    user: String,
    cancel: &'a Cancel,
    client: Option<Client>,
    failures: u32,
    mirrored: Option<(Vec<String>, String)>,
    /// The device's job being followed, and the impressions earlier submissions printed.
    remote: Option<(i32, i32)>,
}

impl<'a> Device<'a> {
    fn new(uri: &'a str, job: &JobInfo, cancel: &'a Cancel) -> Result<Self, BackendError> {
        let (dest, resource) = destination(uri)?;
        Ok(Device {
            uri: quire_ipp::uri::without_userinfo(uri),
            resource,
            dest,
            user: job.user.clone(),
            cancel,
            client: None,
            failures: 0,
            mirrored: None,
            remote: None,
        })
    }

    /// The connection, opened if needed (failures are transient: the printer may be off).
    fn client(&mut self) -> Result<&mut Client, Failure> {
        if self.cancel.is_canceled() {
            return Err(Failure::Fatal(BackendError::Canceled));
        }
        self.connection()
    }

    /// The connection, even once canceled (to cancel the printer's job).
    fn connection(&mut self) -> Result<&mut Client, Failure> {
        if self.client.is_none() {
            let c = Client::connect(self.dest.clone()).map_err(|e| {
                Failure::Transient(format!("Unable to connect to the printer: {e}"))
            })?;
            self.client = Some(
                c.with_user(&self.user)
                    .with_timeout(REQUEST_TIMEOUT)
                    .with_max_reply(MAX_DEVICE_REPLY),
            );
        }
        self.client.as_mut().ok_or_else(|| Failure::Transient("no connection".into()))
    }

    fn send(
        &mut self,
        req: &Message,
        doc: Option<&mut dyn std::io::Read>,
        what: &str,
    ) -> Result<Message, Failure> {
        let resource = self.resource.clone();
        let result = self.client()?.send(&resource, req, doc);
        let resp = result.map_err(|e| {
            self.client = None;
            client_failure(what, e)
        })?;
        self.failures = 0;
        Ok(resp)
    }

    fn request(&self, op: Operation) -> Message {
        quire_client::request_as(op, Some(&self.uri), &self.user)
    }

    /// After a transient failure: shows the printer offline and waits with backoff.
    fn pause(&mut self, why: &str, progress: &mut dyn Progress) -> Result<(), BackendError> {
        self.client = None;
        self.failures = self.failures.saturating_add(1);
        let delay = backoff_delay(self.failures);
        let message = format!(
            "The printer is not responding ({why}); will retry in {} seconds.",
            delay.as_secs().max(1)
        );
        self.mirror(vec!["offline-report".into()], message, progress);
        sleep_cancelable(delay, self.cancel)
    }

    /// Reports the printer's state to the queue when it changed.
    fn mirror(&mut self, reasons: Vec<String>, message: String, progress: &mut dyn Progress) {
        let now = (reasons, message);
        if self.mirrored.as_ref() != Some(&now) {
            progress.printer_state(now.0.clone(), now.1.clone());
            self.mirrored = Some(now);
        }
    }

    fn mirror_printer(&mut self, resp: &Message, progress: &mut dyn Progress) {
        let get = |n: &str| resp.attr(DelimiterTag::Printer, n);
        let reasons: Vec<String> = get("printer-state-reasons")
            .map(|a| a.strs().filter(|r| *r != "none").map(str::to_string).collect())
            .unwrap_or_default();
        let message =
            get("printer-state-message").and_then(|a| a.first_str()).unwrap_or("").to_string();
        self.mirror(reasons, message, progress);
    }

    fn get_printer(&mut self) -> Result<Message, Failure> {
        let mut req = self.request(Operation::GetPrinterAttributes);
        req.group_mut(DelimiterTag::Operation)
            .push(keywords("requested-attributes", PRINTER_STATE_ATTRS));
        let resp = self.send(&req, None, "Get-Printer-Attributes")?;
        check(&resp, "Get-Printer-Attributes")?;
        Ok(resp)
    }
}

fn keywords(name: &str, list: &[&str]) -> Attribute {
    Attribute::set(name, list.iter().map(|s| Value::Keyword(s.to_string())).collect())
}

pub fn deliver(
    uri: &str,
    job: &JobInfo,
    docs: &[DocumentSource],
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let mut dev = Device::new(uri, job, cancel)?;
    if job.handoff {
        if let Some(remote) = job.resume_device_job {
            stop_and_count(&mut dev, remote, 0, progress);
        }
        return Err(BackendError::Canceled);
    }
    let result = deliver_to(&mut dev, job, docs, progress);
    // Canceled (by the user, or to move the rest elsewhere): the device's job is canceled
    // and its final count reported, so the rest starts exactly after the last page printed.
    if let (Err(BackendError::Canceled), Some((remote, before))) = (&result, dev.remote) {
        stop_and_count(&mut dev, remote, before, progress);
    }
    result
}

/// How long the device gets to confirm a canceled job has ended.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Cancels the device's job `remote` and reports its final impressions count once the
/// device says the job has ended. An unreachable device leaves the last count reported.
fn stop_and_count(dev: &mut Device<'_>, remote: i32, before: i32, progress: &mut dyn Progress) {
    cancel_remote(dev, remote);
    let deadline = std::time::Instant::now() + STOP_TIMEOUT;
    let mut interval = POLL_FIRST;
    while std::time::Instant::now() < deadline {
        let mut req = dev.request(Operation::GetJobAttributes);
        let g = req.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-id", Value::Integer(remote)));
        g.push(keywords("requested-attributes", &["job-state", "job-impressions-completed"]));
        let resource = dev.resource.clone();
        let Ok(Ok(resp)) = dev.connection().map(|c| c.send(&resource, &req, None)) else {
            dev.client = None;
            return;
        };
        let get = |n: &str| resp.attr(DelimiterTag::Job, n).and_then(|a| a.first_i32());
        if let Some(done) = get("job-impressions-completed") {
            progress.pages(before + done.max(0));
        }
        if !StatusCode::from_u16(resp.code).is_some_and(|s| s.is_success())
            || get("job-state").is_some_and(|s| s >= 7)
        {
            return;
        }
        std::thread::sleep(interval);
        interval = (interval * 2).min(POLL_MAX);
    }
}

fn deliver_to(
    dev: &mut Device<'_>,
    job: &JobInfo,
    docs: &[DocumentSource],
    progress: &mut dyn Progress,
) -> Result<(), BackendError> {
    let printer = wait_until_ready(dev, progress)?;
    let supports = |op: Operation| {
        printer
            .attr(DelimiterTag::Printer, "operations-supported")
            .is_some_and(|a| a.values.contains(&Value::Enum(op as i32)))
    };
    let prepared = crate::filter_chain::prepare(job, docs, dev.cancel)?;
    let job = &JobInfo { attributes: prepared.attributes.clone(), ..job.clone() };
    let documents = &prepared.documents;
    // Without Create-Job each document is its own Print-Job, printed one after the other.
    let batches: Vec<&[DocumentSource]> = if documents.len() > 1 && !supports(Operation::CreateJob)
    {
        documents.chunks(1).collect()
    } else {
        vec![documents.as_slice()]
    };
    let mut done_before = 0;
    if let Some(remote) = job.resume_device_job.filter(|_| batches.len() == 1) {
        if let Some(done) = resume(dev, remote, progress)? {
            dev.mirror(Vec::new(), String::new(), progress);
            return done;
        }
    }
    for batch in batches {
        let remote = loop {
            match submit(dev, job, batch) {
                Ok(id) => break id,
                Err(Failure::Transient(why)) => dev.pause(&why, progress)?,
                Err(Failure::Fatal(e)) => return Err(e),
            }
        };
        progress.submitted(remote);
        dev.remote = Some((remote, done_before));
        done_before = follow(dev, remote, done_before, progress)?;
    }
    dev.mirror(Vec::new(), String::new(), progress);
    Ok(())
}

/// After a restart: the device's job `remote` from the earlier run. `Ok(None)` when the
/// device no longer has it, or canceled or aborted it (it prints again from the start);
/// otherwise it is followed to its end and that is the delivery's result.
fn resume(
    dev: &mut Device<'_>,
    remote: i32,
    progress: &mut dyn Progress,
) -> Result<Option<Result<(), BackendError>>, BackendError> {
    dev.remote = Some((remote, 0));
    let state = loop {
        let mut req = dev.request(Operation::GetJobAttributes);
        let g = req.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-id", Value::Integer(remote)));
        g.push(keywords("requested-attributes", &["job-state"]));
        match dev.send(&req, None, "Get-Job-Attributes") {
            Ok(resp) if StatusCode::from_u16(resp.code).is_some_and(|s| s.is_success()) => {
                break resp.attr(DelimiterTag::Job, "job-state").and_then(|a| a.first_i32());
            }
            Ok(_) => return Ok(None),
            Err(Failure::Transient(why)) => dev.pause(&why, progress)?,
            Err(Failure::Fatal(e)) => return Err(e),
        }
    };
    if matches!(state, Some(7) | Some(8) | None) {
        dev.remote = None;
        return Ok(None);
    }
    Ok(Some(follow(dev, remote, 0, progress).map(|_| ())))
}

/// Waits until the printer answers and accepts jobs; returns its answer.
fn wait_until_ready(
    dev: &mut Device<'_>,
    progress: &mut dyn Progress,
) -> Result<Message, BackendError> {
    loop {
        match dev.get_printer() {
            Ok(resp) => {
                dev.mirror_printer(&resp, progress);
                let accepting = resp
                    .attr(DelimiterTag::Printer, "printer-is-accepting-jobs")
                    .and_then(|a| a.first_bool())
                    .unwrap_or(true);
                if accepting {
                    return Ok(resp);
                }
                dev.failures = dev.failures.saturating_add(1);
                sleep_cancelable(backoff_delay(dev.failures), dev.cancel)?;
            }
            Err(Failure::Transient(why)) => dev.pause(&why, progress)?,
            Err(Failure::Fatal(e)) => return Err(e),
        }
    }
}

fn job_request(dev: &Device<'_>, op: Operation, job: &JobInfo) -> Message {
    let mut req = dev.request(op);
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-name", Value::Name(job.name.clone())));
    // Quire's own attributes (the splitter's) are for this server, not the device.
    let forwarded: Vec<Attribute> = job
        .attributes
        .iter()
        .filter(|a| {
            !NOT_FORWARDED.contains(&a.name.as_str())
                && a.name != "job-name"
                && !a.name.starts_with("quire-")
        })
        .cloned()
        .collect();
    if !forwarded.is_empty() {
        let mut jg = Group::new(DelimiterTag::Job);
        jg.attributes = forwarded;
        req.push_group(jg);
    }
    req
}

/// Submits the job; a printer that refuses some job attributes gets the job again without
/// them (as cupsd's ipp backend does), rather than the job failing.
fn submit(dev: &mut Device<'_>, job: &JobInfo, docs: &[DocumentSource]) -> Result<i32, Failure> {
    match submit_once(dev, job, docs) {
        Err(Refused::Attributes(names)) if !job.attributes.is_empty() => {
            let mut job = job.clone();
            job.attributes.retain(|a| !names.is_empty() && !names.contains(&a.name));
            submit_once(dev, &job, docs).map_err(Refused::into_failure)
        }
        other => other.map_err(Refused::into_failure),
    }
}

/// Why a submission failed.
enum Refused {
    /// The printer refused these job attributes (all of them when the list is empty).
    Attributes(Vec<String>),
    Other(Failure),
}

impl Refused {
    fn into_failure(self) -> Failure {
        match self {
            Refused::Attributes(names) => Failure::Fatal(BackendError::Device(format!(
                "The printer refused the job's attributes {names:?}."
            ))),
            Refused::Other(e) => e,
        }
    }
}

impl From<Failure> for Refused {
    fn from(e: Failure) -> Self {
        Refused::Other(e)
    }
}

impl From<BackendError> for Refused {
    fn from(e: BackendError) -> Self {
        Refused::Other(Failure::Fatal(e))
    }
}

/// The attribute names a client-error-attributes-or-values-not-supported answer lists.
fn refused(resp: &Message) -> Option<Vec<String>> {
    let code = resp.code;
    let attrs_refused = code == StatusCode::ClientErrorAttributesOrValuesNotSupported.code()
        || code == StatusCode::ClientErrorConflictingAttributes.code();
    attrs_refused.then(|| {
        resp.group(DelimiterTag::Unsupported)
            .map(|g| g.attributes.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default()
    })
}

fn job_id(resp: &Message) -> Result<i32, BackendError> {
    resp.attr(DelimiterTag::Job, "job-id")
        .and_then(|a| a.first_i32())
        .ok_or_else(|| BackendError::Device("The printer did not return a job-id.".into()))
}

fn submit_once(
    dev: &mut Device<'_>,
    job: &JobInfo,
    docs: &[DocumentSource],
) -> Result<i32, Refused> {
    if let [doc] = docs {
        let mut req = job_request(dev, Operation::PrintJob, job);
        req.group_mut(DelimiterTag::Operation)
            .push(Attribute::new("document-format", Value::MimeMediaType(doc.format.clone())));
        let mut input = open_document(doc)?;
        let resp = dev.send(&req, Some(&mut input), "Print-Job")?;
        if let Some(names) = refused(&resp) {
            return Err(Refused::Attributes(names));
        }
        check(&resp, "Print-Job")?;
        return Ok(job_id(&resp)?);
    }
    let req = job_request(dev, Operation::CreateJob, job);
    let resp = dev.send(&req, None, "Create-Job")?;
    if let Some(names) = refused(&resp) {
        return Err(Refused::Attributes(names));
    }
    check(&resp, "Create-Job")?;
    let id = job_id(&resp)?;
    for (i, doc) in docs.iter().enumerate() {
        let mut req = dev.request(Operation::SendDocument);
        let g = req.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-id", Value::Integer(id)));
        g.push(Attribute::new("document-format", Value::MimeMediaType(doc.format.clone())));
        g.push(Attribute::new("last-document", Value::Boolean(i + 1 == docs.len())));
        let mut input = open_document(doc)?;
        let sent = dev
            .send(&req, Some(&mut input), "Send-Document")
            .and_then(|resp| check(&resp, "Send-Document"));
        if let Err(e) = sent {
            // The printer holds a half-sent job: cancel it before submitting again.
            cancel_remote(dev, id);
            return Err(Refused::Other(e));
        }
    }
    Ok(id)
}

fn cancel_remote(dev: &mut Device<'_>, id: i32) {
    let mut req = dev.request(Operation::CancelJob);
    req.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
    let resource = dev.resource.clone();
    // Not `send`: that refuses to talk once the delivery is canceled.
    let sent = dev.connection().map(|c| c.send(&resource, &req, None));
    if !matches!(sent, Ok(Ok(_))) {
        dev.client = None;
    }
}

/// Follows printer job `id` until it ends, mirroring progress and the printer's state.
/// `before` impressions were printed by earlier submissions of this job; returns the
/// total after this one.
fn follow(
    dev: &mut Device<'_>,
    id: i32,
    before: i32,
    progress: &mut dyn Progress,
) -> Result<i32, BackendError> {
    let mut printed = before;
    let mut interval = POLL_FIRST;
    loop {
        if dev.cancel.is_canceled() {
            // `deliver` cancels the device's job and reads its final count.
            return Err(BackendError::Canceled);
        }
        match poll(dev, id, progress) {
            Ok((state, done)) => {
                if before + done > printed {
                    printed = before + done;
                    progress.pages(printed);
                }
                match state {
                    Some(9) => return Ok(printed),
                    Some(7) => {
                        return Err(BackendError::CanceledByDevice(
                            "The job was canceled at the printer.".into(),
                        ))
                    }
                    Some(8) => return Err(aborted(dev, id)),
                    _ => {
                        // Canceled while waiting: the printer's job is canceled too (at
                        // the top of the loop).
                        let _ = sleep_cancelable(interval, dev.cancel);
                        interval = (interval * 2).min(POLL_MAX);
                    }
                }
            }
            Err(Failure::Transient(why)) => dev.pause(&why, progress)?,
            Err(Failure::Fatal(e)) => return Err(e),
        }
    }
}

/// Why the printer aborted job `id`: a document it could not print is the document's
/// fault (the job aborts, the queue goes on), anything else the printer's.
fn aborted(dev: &mut Device<'_>, id: i32) -> BackendError {
    let mut req = dev.request(Operation::GetJobAttributes);
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(keywords("requested-attributes", &["job-state-reasons", "job-state-message"]));
    let resp = dev.send(&req, None, "Get-Job-Attributes").ok();
    let get = |n: &str| resp.as_ref().and_then(|r| r.attr(DelimiterTag::Job, n).cloned());
    let reasons: Vec<String> = get("job-state-reasons")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    let message = get("job-state-message")
        .and_then(|a| a.first_str().map(str::to_string))
        .unwrap_or_default();
    if reasons.iter().any(|r| r == "document-format-error" || r == "document-unprintable-error") {
        return BackendError::Document(
            format!("The printer could not print the document: {message}")
                .trim_end_matches([':', ' '])
                .to_string()
                + ".",
        );
    }
    BackendError::Device(
        format!("The printer aborted the job ({}). {message}", reasons.join(", "))
            .trim()
            .to_string(),
    )
}

/// One look at the printer and its job: (job-state, impressions completed).
fn poll(
    dev: &mut Device<'_>,
    id: i32,
    progress: &mut dyn Progress,
) -> Result<(Option<i32>, i32), Failure> {
    let printer = dev.get_printer()?;
    dev.mirror_printer(&printer, progress);
    let mut req = dev.request(Operation::GetJobAttributes);
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(keywords(
        "requested-attributes",
        &["job-state", "job-state-reasons", "job-impressions-completed"],
    ));
    let resp = dev.send(&req, None, "Get-Job-Attributes")?;
    if resp.code == StatusCode::ClientErrorNotFound.code() {
        return Err(Failure::Fatal(BackendError::Device(format!("The printer lost job {id}."))));
    }
    check(&resp, "Get-Job-Attributes")?;
    let get = |n: &str| resp.attr(DelimiterTag::Job, n);
    let done = get("job-impressions-completed").and_then(|a| a.first_i32()).unwrap_or(0).max(0);
    Ok((get("job-state").and_then(|a| a.first_i32()), done))
}
