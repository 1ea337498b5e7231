//! IPP operations. [`prepare`] answers everything that needs no document; Print-Job and
//! Send-Document come back as an [`Upload`], and [`upload_done`] / [`upload_failed`] finish
//! them once the document has been read (or has not).

use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, StatusCode, Value};

use crate::attrs::{self, COLOR_MODES, MEDIA, OPERATIONS, SIDES};
use crate::doc::{Analysis, DocError};
use crate::engine::Shared;
use crate::state::{Doc, JobState, State};

/// An error answer: status, status-message and the attributes to list as unsupported.
#[derive(Debug, Clone, PartialEq)]
pub struct IppError {
    pub status: StatusCode,
    pub message: String,
    pub unsupported: Vec<Attribute>,
}

impl IppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> IppError {
        IppError { status, message: message.into(), unsupported: Vec::new() }
    }

    fn bad(message: impl Into<String>) -> IppError {
        IppError::new(StatusCode::ClientErrorBadRequest, message)
    }
}

type IppResult<T> = Result<T, IppError>;

/// A successful answer's status and groups (after the operation group).
struct Reply {
    status: StatusCode,
    groups: Vec<Group>,
}

impl Reply {
    fn ok(groups: Vec<Group>) -> Reply {
        Reply { status: StatusCode::SuccessfulOk, groups }
    }
}

/// A Print-Job or Send-Document whose document is still to be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub op: Operation,
    pub version: (u8, u8),
    pub request_id: i32,
    pub job: i32,
    pub document: u32,
    /// document-format as requested (application/octet-stream is sniffed later).
    pub format: String,
    pub last: bool,
    /// Job attributes that were ignored (listed in the answer's unsupported group).
    pub ignored: Vec<Attribute>,
}

pub enum Prepared {
    Answer(Message),
    Upload(Upload),
}

/// The answer's header and operation group.
pub fn response(version: (u8, u8), request_id: i32, status: StatusCode, message: &str) -> Message {
    let version = if matches!(version.0, 1 | 2) { version } else { (1, 1) };
    let mut msg = Message::response(version, status, request_id);
    if !message.is_empty() {
        msg.group_mut(DelimiterTag::Operation)
            .push(Attribute::new("status-message", Value::Text(message.into())));
    }
    msg
}

pub fn error_response(version: (u8, u8), request_id: i32, e: &IppError) -> Message {
    let mut msg = response(version, request_id, e.status, &e.message);
    if !e.unsupported.is_empty() {
        msg.push_group(Group { tag: DelimiterTag::Unsupported, attributes: e.unsupported.clone() });
    }
    msg
}

fn reply_message(req: &Message, reply: Reply, ignored: &[Attribute]) -> Message {
    let status = if ignored.is_empty() {
        reply.status
    } else {
        StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes
    };
    let mut msg = response(req.version, req.request_id, status, "");
    if !ignored.is_empty() {
        msg.push_group(Group { tag: DelimiterTag::Unsupported, attributes: ignored.to_vec() });
    }
    reply.groups.into_iter().for_each(|g| msg.push_group(g));
    msg
}

/// Answers `req`, or hands back the upload it starts. Never panics on any message.
pub fn prepare(shared: &Shared, req: &Message) -> Prepared {
    let result = validate(req).and_then(|op| {
        let mut st = shared.lock();
        dispatch(&mut st, req, op)
    });
    let prepared = match result {
        Ok(Dispatched::Reply(reply, ignored)) => {
            Prepared::Answer(reply_message(req, reply, &ignored))
        }
        Ok(Dispatched::Upload(up)) => Prepared::Upload(up),
        Err(e) => Prepared::Answer(error_response(req.version, req.request_id, &e)),
    };
    // Jobs created or cancelled: the engine may have something to do.
    shared.changed();
    prepared
}

enum Dispatched {
    Reply(Reply, Vec<Attribute>),
    Upload(Upload),
}

fn dispatch(st: &mut State, req: &Message, op: Operation) -> IppResult<Dispatched> {
    let plain = |r: IppResult<Reply>| r.map(|r| Dispatched::Reply(r, Vec::new()));
    match op {
        Operation::PrintJob | Operation::SendDocument => {
            start_upload(st, req, op).map(Dispatched::Upload)
        }
        Operation::ValidateJob => {
            let jr = job_request(st, req)?;
            Ok(Dispatched::Reply(Reply::ok(Vec::new()), jr.ignored))
        }
        Operation::CreateJob => {
            let jr = job_request(st, req)?;
            let id = st.add_job(jr.name, jr.user, jr.copies, jr.two_sided);
            Ok(Dispatched::Reply(Reply::ok(vec![job_summary(st, id)]), jr.ignored))
        }
        Operation::CancelJob => plain(cancel_job(st, req)),
        Operation::CloseJob => plain(close_job(st, req)),
        Operation::CancelMyJobs => plain(cancel_my_jobs(st, req)),
        Operation::GetJobAttributes => plain(get_job_attributes(st, req)),
        Operation::GetJobs => plain(get_jobs(st, req)),
        Operation::GetPrinterAttributes => {
            let requested = attrs::requested(req);
            let all = attrs::printer_attributes(st);
            let list =
                attrs::filter(all, requested.as_deref(), quire_ipp::registry::ObjectKind::Printer);
            plain(Ok(Reply::ok(vec![Group { tag: DelimiterTag::Printer, attributes: list }])))
        }
        Operation::IdentifyPrinter => {
            let actions: Vec<&str> =
                req.operation_attr("identify-actions").map_or(vec![], |a| a.strs().collect());
            eprintln!("quire-sim: {}: identify-printer {}", st.opts.name, actions.join(","));
            plain(Ok(Reply::ok(Vec::new())))
        }
        _ => Err(unsupported_operation(req.code)),
    }
}

fn unsupported_operation(code: u16) -> IppError {
    let name = Operation::from_u16(code)
        .map_or_else(|| format!("0x{code:04x}"), |op| op.name().to_string());
    IppError::new(StatusCode::ServerErrorOperationNotSupported, format!("{name} is not supported."))
}

/// The checks every request passes (RFC 8011 section 4.1): version, request-id, the
/// operation group and its first two attributes, a known operation, a target.
pub fn validate(req: &Message) -> IppResult<Operation> {
    if !matches!(req.version.0, 1 | 2) {
        let (major, minor) = req.version;
        let msg = format!("IPP version {major}.{minor} is not supported.");
        return Err(IppError::new(StatusCode::ServerErrorVersionNotSupported, msg));
    }
    if req.request_id <= 0 {
        return Err(IppError::bad("Bad request-id (must be 1 or more)."));
    }
    let ops = req.groups.first().filter(|g| g.tag == DelimiterTag::Operation);
    let ops = ops.ok_or_else(|| IppError::bad("Missing operation attributes."))?;
    let mut names = ops.attributes.iter().map(|a| a.name.as_str());
    match (names.next(), names.next()) {
        (Some("attributes-charset"), Some("attributes-natural-language")) => {}
        (Some("attributes-charset"), _) => {
            return Err(IppError::bad("Missing attributes-natural-language."))
        }
        _ => return Err(IppError::bad("Missing attributes-charset.")),
    }
    let charset = ops.attributes[0].first();
    let Some(Value::Charset(cs)) = charset else {
        return Err(IppError::bad("Bad attributes-charset."));
    };
    if !cs.eq_ignore_ascii_case("utf-8") && !cs.eq_ignore_ascii_case("us-ascii") {
        let mut e = IppError::new(
            StatusCode::ClientErrorCharsetNotSupported,
            format!("Unsupported charset {cs}."),
        );
        e.unsupported.push(ops.attributes[0].clone());
        return Err(e);
    }
    let op = Operation::from_u16(req.code).filter(|op| OPERATIONS.contains(op));
    let op = op.ok_or_else(|| unsupported_operation(req.code))?;
    if ops.get("printer-uri").is_none() && ops.get("job-uri").is_none() {
        return Err(IppError::bad("Missing printer-uri."));
    }
    Ok(op)
}

/// What a job-creating request asks for.
struct JobRequest {
    name: String,
    user: String,
    copies: u32,
    two_sided: bool,
    format: String,
    ignored: Vec<Attribute>,
}

fn user_of(req: &Message) -> String {
    let user = req.operation_attr("requesting-user-name").and_then(Attribute::first_str);
    user.filter(|u| !u.is_empty()).unwrap_or("anonymous").to_string()
}

/// The document-format of a request, checked against document-format-supported.
fn document_format(st: &State, req: &Message) -> IppResult<String> {
    let Some(attr) = req.operation_attr("document-format") else {
        return Ok(st
            .opts
            .formats
            .first()
            .cloned()
            .unwrap_or_else(|| "application/octet-stream".into()));
    };
    let format = attr.first_str().unwrap_or("").to_ascii_lowercase();
    if st.opts.formats.contains(&format) {
        return Ok(format);
    }
    let mut e = IppError::new(
        StatusCode::ClientErrorDocumentFormatNotSupported,
        format!("Unsupported document-format {format:?}."),
    );
    e.unsupported.push(attr.clone());
    Err(e)
}

/// Checks a job's template attributes. Values the printer does not support are ignored
/// (and listed), or refused with `ipp-attribute-fidelity`; page ranges are never supported.
fn job_request(st: &State, req: &Message) -> IppResult<JobRequest> {
    let format = document_format(st, req)?;
    let op_str = |n| req.operation_attr(n).and_then(Attribute::first_str).filter(|s| !s.is_empty());
    let name =
        op_str("job-name").or_else(|| op_str("document-name")).unwrap_or("Untitled").to_string();
    let mut jr = JobRequest {
        name,
        user: user_of(req),
        copies: 1,
        two_sided: false,
        format,
        ignored: Vec::new(),
    };
    let empty = Vec::new();
    let job_attrs = req.group(DelimiterTag::Job).map_or(&empty, |g| &g.attributes);
    for attr in job_attrs {
        let s = attr.first_str().unwrap_or("");
        let supported = match attr.name.as_str() {
            "copies" => match attr.first_i32().and_then(|n| u32::try_from(n).ok()) {
                Some(n @ 1..=999) => {
                    jr.copies = n;
                    true
                }
                _ => false,
            },
            "sides" => {
                jr.two_sided = s.starts_with("two-sided");
                SIDES.contains(&s)
            }
            "print-color-mode" => COLOR_MODES.contains(&s),
            "media" => MEDIA.iter().any(|m| m.0 == s),
            "page-ranges" => false,
            "number-up" => attr.first_i32() == Some(1),
            _ => true,
        };
        if !supported {
            jr.ignored.push(attr.clone());
        }
    }
    if jr.ignored.iter().any(|a| a.name == "sides") {
        jr.two_sided = false;
    }
    let fidelity = req.operation_attr("ipp-attribute-fidelity").and_then(Attribute::first_bool);
    if fidelity == Some(true) && !jr.ignored.is_empty() {
        let mut e = IppError::new(
            StatusCode::ClientErrorAttributesOrValuesNotSupported,
            "Unsupported attributes.",
        );
        e.unsupported = std::mem::take(&mut jr.ignored);
        return Err(e);
    }
    Ok(jr)
}

/// The job a job operation targets: `job-id` (with printer-uri) or `job-uri`.
fn target_job(st: &State, req: &Message) -> IppResult<i32> {
    let id = match req.operation_attr("job-id") {
        Some(a) => a.first_i32(),
        None => match req.operation_attr("job-uri") {
            Some(a) => {
                a.first_str().and_then(|u| u.rsplit('/').next()).and_then(|s| s.parse().ok())
            }
            None => return Err(IppError::bad("Missing job-id.")),
        },
    };
    let id = id.ok_or_else(|| IppError::bad("Bad job-id."))?;
    match st.job(id) {
        Some(_) => Ok(id),
        None => Err(IppError::new(
            StatusCode::ClientErrorNotFound,
            format!("Job #{id} does not exist."),
        )),
    }
}

/// job-id, job-uri, job-state, job-state-reasons and job-state-message of a job.
fn job_summary(st: &State, id: i32) -> Group {
    const SUMMARY: &[&str] =
        &["job-id", "job-uri", "job-state", "job-state-reasons", "job-state-message"];
    let attributes = st.job(id).map_or_else(Vec::new, |job| {
        attrs::job_attributes(st, job)
            .into_iter()
            .filter(|a| SUMMARY.contains(&a.name.as_str()))
            .collect()
    });
    Group { tag: DelimiterTag::Job, attributes }
}

fn start_upload(st: &mut State, req: &Message, op: Operation) -> IppResult<Upload> {
    let (job, ignored, format, last) = if op == Operation::PrintJob {
        let jr = job_request(st, req)?;
        let id = st.add_job(jr.name, jr.user, jr.copies, jr.two_sided);
        (id, jr.ignored, jr.format, true)
    } else {
        let id = target_job(st, req)?;
        let last = req.operation_attr("last-document").and_then(Attribute::first_bool);
        let last = last.ok_or_else(|| IppError::bad("Missing last-document."))?;
        let format = document_format(st, req)?;
        if st.job(id).is_some_and(|j| j.state.is_terminal() || !j.open) {
            let msg = format!("Job #{id} is not open for more documents.");
            return Err(IppError::new(StatusCode::ClientErrorNotPossible, msg));
        }
        (id, Vec::new(), format, last)
    };
    let job_ref = st
        .job_mut(job)
        .ok_or_else(|| IppError::new(StatusCode::ServerErrorInternalError, "lost job"))?;
    let document =
        u32::try_from(job_ref.docs.len()).unwrap_or(u32::MAX).saturating_add(job_ref.receiving + 1);
    job_ref.receiving += 1;
    job_ref.touched = std::time::Instant::now();
    Ok(Upload {
        op,
        version: req.version,
        request_id: req.request_id,
        job,
        document,
        format,
        last,
        ignored,
    })
}

/// Finishes an upload whose document was read: `len` bytes of `format`, analysed as `analysis`.
pub fn upload_done(
    shared: &Shared,
    up: &Upload,
    len: u64,
    format: &str,
    analysis: Result<Analysis, DocError>,
) -> Message {
    let mut st = shared.lock();
    let Some(job) = st.job_mut(up.job) else {
        let e = IppError::new(
            StatusCode::ClientErrorNotFound,
            format!("Job #{} does not exist.", up.job),
        );
        return error_response(up.version, up.request_id, &e);
    };
    job.receiving = job.receiving.saturating_sub(1);
    job.touched = std::time::Instant::now();
    let terminal = job.state.is_terminal();
    let mut failure = None;
    if !terminal {
        match analysis {
            // An empty Send-Document only closes the job (RFC 8011 section 4.3.1).
            _ if len == 0 && up.op == Operation::SendDocument => {}
            Ok(a) => {
                let doc = Doc {
                    number: up.document,
                    format: format.to_string(),
                    pages: a.pages,
                    markers: a.markers,
                };
                let at = job.docs.partition_point(|d| d.number < doc.number);
                job.docs.insert(at, doc);
            }
            Err(e) => failure = Some(e.to_string()),
        }
        if up.last {
            job.open = false;
        }
    }
    if let Some(message) = failure {
        eprintln!("quire-sim: job {}: {message}", up.job);
        st.finish(up.job, JobState::Aborted, "document-format-error", message);
    }
    let summary = job_summary(&st, up.job);
    drop(st);
    shared.changed();
    let mut msg = response(up.version, up.request_id, StatusCode::SuccessfulOk, "");
    if !up.ignored.is_empty() {
        msg.code = StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes.code();
        msg.push_group(Group { tag: DelimiterTag::Unsupported, attributes: up.ignored.clone() });
    }
    msg.push_group(summary);
    msg
}

/// An upload that ended without its document (connection lost or closed by a fault):
/// a Print-Job is aborted, a Create-Job stays open for another Send-Document.
pub fn upload_failed(shared: &Shared, up: &Upload, why: &str) {
    let mut st = shared.lock();
    if let Some(job) = st.job_mut(up.job) {
        job.receiving = job.receiving.saturating_sub(1);
    }
    if up.op == Operation::PrintJob {
        st.finish(
            up.job,
            JobState::Aborted,
            "aborted-by-system",
            format!("The document upload failed: {why}."),
        );
    }
    drop(st);
    shared.changed();
}

fn cancel_job(st: &mut State, req: &Message) -> IppResult<Reply> {
    let id = target_job(st, req)?;
    cancel(st, id)?;
    Ok(Reply::ok(Vec::new()))
}

/// Cancels a job now, or after the impression being printed (processing-to-stop-point).
fn cancel(st: &mut State, id: i32) -> IppResult<()> {
    let in_flight = st.in_flight == Some(id);
    let job = st
        .job_mut(id)
        .ok_or_else(|| IppError::new(StatusCode::ClientErrorNotFound, "No such job."))?;
    if job.state.is_terminal() {
        let msg = format!("Job #{id} is already {}.", job.state.keyword());
        return Err(IppError::new(StatusCode::ClientErrorNotPossible, msg));
    }
    if in_flight {
        job.cancel_requested = true;
    } else {
        st.finish(id, JobState::Canceled, "job-canceled-by-user", "Canceled by the user.".into());
    }
    Ok(())
}

fn cancel_my_jobs(st: &mut State, req: &Message) -> IppResult<Reply> {
    let user = user_of(req);
    let wanted: Option<Vec<i32>> =
        req.operation_attr("job-ids").map(|a| a.values.iter().filter_map(Value::as_i32).collect());
    let ids: Vec<i32> = st
        .jobs
        .iter()
        .filter(|j| !j.state.is_terminal() && j.user == user)
        .filter(|j| wanted.as_ref().is_none_or(|w| w.contains(&j.id)))
        .map(|j| j.id)
        .collect();
    for id in ids {
        cancel(st, id)?;
    }
    Ok(Reply::ok(Vec::new()))
}

fn close_job(st: &mut State, req: &Message) -> IppResult<Reply> {
    let id = target_job(st, req)?;
    let job = st
        .job_mut(id)
        .ok_or_else(|| IppError::new(StatusCode::ClientErrorNotFound, "No such job."))?;
    if job.state.is_terminal() || !job.open {
        return Err(IppError::new(
            StatusCode::ClientErrorNotPossible,
            format!("Job #{id} is not open."),
        ));
    }
    job.open = false;
    Ok(Reply::ok(vec![job_summary(st, id)]))
}

fn get_job_attributes(st: &State, req: &Message) -> IppResult<Reply> {
    let id = target_job(st, req)?;
    let requested = attrs::requested(req);
    let job =
        st.job(id).ok_or_else(|| IppError::new(StatusCode::ClientErrorNotFound, "No such job."))?;
    let list = attrs::filter(
        attrs::job_attributes(st, job),
        requested.as_deref(),
        quire_ipp::registry::ObjectKind::Job,
    );
    Ok(Reply::ok(vec![Group { tag: DelimiterTag::Job, attributes: list }]))
}

fn get_jobs(st: &State, req: &Message) -> IppResult<Reply> {
    let which_attr = req.operation_attr("which-jobs");
    let which = which_attr.and_then(Attribute::first_str).unwrap_or("not-completed");
    let filter: fn(JobState) -> bool = match which {
        "not-completed" => |s| !s.is_terminal(),
        "completed" => JobState::is_terminal,
        "all" => |_| true,
        _ => {
            let mut e = IppError::new(
                StatusCode::ClientErrorAttributesOrValuesNotSupported,
                "Bad which-jobs.",
            );
            e.unsupported.extend(which_attr.cloned());
            return Err(e);
        }
    };
    let mine = req.operation_attr("my-jobs").and_then(Attribute::first_bool) == Some(true);
    let ids: Option<Vec<i32>> =
        req.operation_attr("job-ids").map(|a| a.values.iter().filter_map(Value::as_i32).collect());
    let user = user_of(req);
    let limit = req.operation_attr("limit").and_then(Attribute::first_i32).filter(|&n| n > 0);
    let limit = limit.and_then(|n| usize::try_from(n).ok()).unwrap_or(usize::MAX);
    let requested = attrs::requested(req).unwrap_or_else(|| vec!["job-id", "job-uri"]);
    let mut jobs: Vec<_> = st
        .jobs
        .iter()
        .filter(|j| filter(j.state) && (!mine || j.user == user))
        .filter(|j| ids.as_ref().is_none_or(|ids| ids.contains(&j.id)))
        .collect();
    if which == "completed" {
        jobs.reverse();
    }
    let groups = jobs
        .into_iter()
        .take(limit)
        .map(|job| {
            let all = attrs::job_attributes(st, job);
            let list = attrs::filter(all, Some(&requested), quire_ipp::registry::ObjectKind::Job);
            Group { tag: DelimiterTag::Job, attributes: list }
        })
        .collect();
    Ok(Reply::ok(groups))
}

#[cfg(test)]
#[path = "ipp_tests.rs"]
mod tests;
