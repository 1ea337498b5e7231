//! `ipp:`/`http:` devices: a basic IPP client backend (Print-Job or Create-Job +
//! Send-Document, then follow the job to its end). The full backend, with printer-state
//! mirroring, retries and TLS, is issue 3's.

use crate::{open_document, BackendError, Cancel, DocumentSource, JobInfo, Progress};
use quire_client::{Client, Destination};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, StatusCode, Value};
use std::thread::sleep;
use std::time::Duration;

/// Job attributes that describe the job on this server, not what the device should do.
const NOT_FORWARDED: &[&str] = &["job-hold-until", "job-priority", "job-sheets", "job-password", "job-password-encryption", "job-impressions", "job-media-sheets"];

/// (host, port, resource) of an ipp/http URI.
pub fn split_uri(uri: &str) -> Result<(String, u16, String), BackendError> {
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| BackendError::BadUri(uri.into()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let default_port = if scheme == "http" { 80 } else { 631 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, tail) = v6.split_once(']').ok_or_else(|| BackendError::BadUri(uri.into()))?;
        let port = tail.strip_prefix(':').map(str::parse).transpose().map_err(|_| BackendError::BadUri(uri.into()))?;
        (h.to_string(), port.unwrap_or(default_port))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| BackendError::BadUri(uri.into()))?),
            None => (authority.to_string(), default_port),
        }
    };
    if host.is_empty() {
        return Err(BackendError::BadUri(uri.into()));
    }
    Ok((host, port, path.to_string()))
}

fn check(resp: &Message, what: &str) -> Result<(), BackendError> {
    match StatusCode::from_u16(resp.code) {
        Some(s) if s.is_success() => Ok(()),
        other => {
            let msg = resp.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or("");
            let status = other.map_or_else(|| format!("{:#06x}", resp.code), |s| s.name().to_string());
            Err(BackendError::Device(format!("{what} failed: {status} {msg}")))
        }
    }
}

pub fn deliver(uri: &str, job: &JobInfo, docs: &[DocumentSource], cancel: &Cancel, progress: &mut dyn Progress) -> Result<(), BackendError> {
    if uri.starts_with("ipps:") || uri.starts_with("https:") {
        return Err(BackendError::BadUri("ipps/https devices are not supported yet".into()));
    }
    let (host, port, _) = split_uri(uri)?;
    let mut client = Client::connect(Destination::Tcp { host, port })
        .map_err(|e| BackendError::Device(format!("Unable to connect to {uri}: {e}")))?
        .with_user(&job.user);
    let prepared = crate::filter_chain::prepare(job, docs)?;
    let job = &JobInfo { attributes: prepared.attributes.clone(), ..job.clone() };
    let remote_id = submit(&mut client, uri, job, &prepared.documents)?;
    follow(&mut client, uri, remote_id, cancel, progress)
}

fn job_request(client: &Client, op: Operation, uri: &str, job: &JobInfo) -> Message {
    let mut req = client.request(op, Some(uri));
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-name", Value::Name(job.name.clone())));
    let forwarded: Vec<Attribute> = job.attributes.iter().filter(|a| !NOT_FORWARDED.contains(&a.name.as_str()) && a.name != "job-name").cloned().collect();
    if !forwarded.is_empty() {
        let mut jg = Group::new(DelimiterTag::Job);
        jg.attributes = forwarded;
        req.push_group(jg);
    }
    req
}

/// Submits the job; a device that refuses some job attributes gets the job again without
/// them (as cupsd's ipp backend does), rather than the job failing.
fn submit(client: &mut Client, uri: &str, job: &JobInfo, docs: &[DocumentSource]) -> Result<i32, BackendError> {
    match submit_once(client, uri, job, docs) {
        Err(Refused::Attributes(names)) if !job.attributes.is_empty() => {
            let mut job = job.clone();
            job.attributes.retain(|a| !names.is_empty() && !names.contains(&a.name));
            submit_once(client, uri, &job, docs).map_err(Refused::into_error)
        }
        other => other.map_err(Refused::into_error),
    }
}

/// Why a submission failed.
enum Refused {
    /// The device refused these job attributes (all of them when the list is empty).
    Attributes(Vec<String>),
    Other(BackendError),
}

impl Refused {
    fn into_error(self) -> BackendError {
        match self {
            Refused::Attributes(names) => BackendError::Device(format!("The printer refused the job's attributes {names:?}.")),
            Refused::Other(e) => e,
        }
    }
}

impl From<BackendError> for Refused {
    fn from(e: BackendError) -> Self {
        Refused::Other(e)
    }
}

/// The attribute names a client-error-attributes-or-values-not-supported answer lists.
fn refused(resp: &Message) -> Option<Vec<String>> {
    let code = resp.code;
    let attrs_refused = code == StatusCode::ClientErrorAttributesOrValuesNotSupported.code() || code == StatusCode::ClientErrorConflictingAttributes.code();
    attrs_refused.then(|| resp.group(DelimiterTag::Unsupported).map(|g| g.attributes.iter().map(|a| a.name.clone()).collect()).unwrap_or_default())
}

fn submit_once(client: &mut Client, uri: &str, job: &JobInfo, docs: &[DocumentSource]) -> Result<i32, Refused> {
    let job_id = |resp: &Message| resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).ok_or_else(|| BackendError::Device("The printer did not return a job-id.".into()));
    if let [doc] = docs {
        let mut req = job_request(client, Operation::PrintJob, uri, job);
        req.group_mut(DelimiterTag::Operation).push(Attribute::new("document-format", Value::MimeMediaType(doc.format.clone())));
        let mut input = open_document(doc)?;
        let resp = client.send(&resource(uri), &req, Some(&mut input)).map_err(|e| BackendError::Device(e.to_string()))?;
        if let Some(names) = refused(&resp) {
            return Err(Refused::Attributes(names));
        }
        check(&resp, "Print-Job")?;
        return Ok(job_id(&resp)?);
    }
    let req = job_request(client, Operation::CreateJob, uri, job);
    let resp = client.send(&resource(uri), &req, None).map_err(|e| BackendError::Device(e.to_string()))?;
    if let Some(names) = refused(&resp) {
        return Err(Refused::Attributes(names));
    }
    check(&resp, "Create-Job")?;
    let id = job_id(&resp)?;
    for (i, doc) in docs.iter().enumerate() {
        let mut req = client.request(Operation::SendDocument, Some(uri));
        let g = req.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-id", Value::Integer(id)));
        g.push(Attribute::new("document-format", Value::MimeMediaType(doc.format.clone())));
        g.push(Attribute::new("last-document", Value::Boolean(i + 1 == docs.len())));
        let mut input = open_document(doc)?;
        let resp = client.send(&resource(uri), &req, Some(&mut input)).map_err(|e| BackendError::Device(e.to_string()))?;
        check(&resp, "Send-Document")?;
    }
    Ok(id)
}

fn resource(uri: &str) -> String {
    split_uri(uri).map(|(_, _, r)| r).unwrap_or_else(|_| "/".into())
}

/// Polls the device's job until it ends, reporting progress; cancels it remotely if asked.
fn follow(client: &mut Client, uri: &str, id: i32, cancel: &Cancel, progress: &mut dyn Progress) -> Result<(), BackendError> {
    loop {
        if cancel.is_canceled() {
            let mut req = client.request(Operation::CancelJob, Some(uri));
            req.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
            let _ = client.send(&resource(uri), &req, None);
            return Err(BackendError::Canceled);
        }
        let mut req = client.request(Operation::GetJobAttributes, Some(uri));
        let g = req.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-id", Value::Integer(id)));
        g.push(Attribute::set("requested-attributes", ["job-state", "job-state-reasons", "job-impressions-completed"].iter().map(|s| Value::Keyword(s.to_string())).collect()));
        let resp = client.send(&resource(uri), &req, None).map_err(|e| BackendError::Device(e.to_string()))?;
        check(&resp, "Get-Job-Attributes")?;
        let get = |n: &str| resp.attr(DelimiterTag::Job, n);
        if let Some(done) = get("job-impressions-completed").and_then(|a| a.first_i32()) {
            progress.pages(done);
        }
        match get("job-state").and_then(|a| a.first_i32()) {
            Some(9) => return Ok(()),
            Some(7) => return Err(BackendError::CanceledByDevice("canceled".into())),
            Some(8) => return Err(BackendError::Device("The printer aborted the job.".into())),
            _ => {}
        }
        sleep(Duration::from_millis(250));
    }
}
