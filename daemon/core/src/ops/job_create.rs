//! A new job: Print-Job, Print-URI, Create-Job, Validate-Job, and Reprocess-Job and
//! Resubmit-Job, which copy a finished job.

use crate::document::Document;
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{Job, JobAttrs, JobState, Printer, Release, Scheduler};
use crate::quota::Allowance;
use crate::request::Target;
use crate::request::{Request, Requester};
use crate::{response, schedule, template};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, StatusCode, Value};

/// Operation attributes copied onto the job (never `job-password`: a job keeps no secret).
const JOB_OPERATION_ATTRS: &[&str] = &["job-name", "job-impressions", "job-media-sheets"];

pub fn print_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let doc = req
        .document
        .clone()
        .filter(|d| d.size > 0)
        .ok_or_else(|| IppError::BadRequest("No file in print request.".into()))?;
    let (mut job, checked, _) = new_job(s, req, t, who, now)?;
    attach_print_document(&mut job, doc, req);
    finish_creation(s, req, job, checked.unsupported, now)
}

/// Print-URI: Print-Job whose document is fetched from `document-uri` when the job prints.
pub fn print_uri(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let req = pull_request(s, req)?;
    let (mut job, checked, _) = new_job(s, &req, t, who, now)?;
    job.documents = req.document.clone().into_iter().collect();
    job.open = false;
    finish_creation(s, &req, job, checked.unsupported, now)
}

/// The document of a Print-URI/Send-URI request. The daemon has checked the URI against
/// `PullHosts` and `PullSchemes`; the scheme is checked here too, so an embedding without
/// that check still pulls only what the settings allow.
pub(super) fn pull_document(s: &Scheduler, msg: &Message, number: i32) -> IppResult<Document> {
    if s.settings.pull_schemes.is_empty() {
        return Err(IppError::OperationNotSupported(msg.code));
    }
    let attr = msg
        .operation_attr("document-uri")
        .ok_or_else(|| IppError::BadRequest("Missing document-uri attribute.".into()))?;
    let uri = match attr.values.as_slice() {
        [Value::Uri(u)] => u.clone(),
        _ => return Err(IppError::BadRequest("Bad document-uri attribute.".into())),
    };
    let scheme = uri.split_once(':').map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
    if !s.settings.pull_schemes.contains(&scheme) {
        return Err(IppError::UriSchemeNotSupported(format!(
            "URI scheme \"{scheme}\" is not allowed for document-uri on this server."
        )));
    }
    if msg.operation_attr("compression").and_then(|a| a.first_str()).is_some_and(|c| c != "none") {
        return Err(IppError::unsupported(
            "Compressed documents are not fetched by URI.",
            msg.operation_attr("compression")
                .cloned()
                .unwrap_or_else(|| Attribute::new("compression", Value::Keyword("none".into()))),
        ));
    }
    let op = |n: &str| msg.operation_attr(n).and_then(|a| a.first_str()).map(str::to_string);
    Ok(Document {
        number,
        format: op("document-format").unwrap_or_else(|| "application/octet-stream".into()),
        name: op("document-name")
            .or_else(|| op("job-name"))
            .unwrap_or_else(|| uri.rsplit('/').next().unwrap_or_default().to_string()),
        size: 0,
        file: String::new(),
        compression: None,
        pages: None,
        uri: Some(uri),
    })
}

pub fn create_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let (mut job, checked, _) = new_job(s, req, t, who, now)?;
    job.open = true;
    finish_creation(s, req, job, checked.unsupported, now)
}

pub fn validate_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let (_, checked, _) = new_job(s, req, t, who, now)?;
    let mut resp = response::ok(&req.message);
    add_unsupported(&mut resp, checked.unsupported);
    Ok(Outcome { response: resp, effects: Vec::new() })
}

/// A new job checked in phase one (`dispatch::admit`) and created in phase two, once the
/// daemon has done its work (spooled its document, sealed its PIN's check key).
#[derive(Debug, Clone)]
pub struct NewJob {
    op: Operation,
    job: Box<Job>,
    /// Job template attributes dropped as unsupported (the answer lists them).
    unsupported: Vec<Attribute>,
    /// Bytes its document may take under the spool quotas (`None`: no limit).
    room: Option<Allowance>,
    /// Its id was reserved in phase one (Print-Job: its document's spool file is named by it).
    reserved: bool,
}

impl NewJob {
    /// How it will be released, if it is confidential.
    pub fn release(&self) -> Option<Release> {
        self.job.confidential.as_ref().map(|c| c.release)
    }
    pub fn room(&self) -> Option<&Allowance> {
        self.room.as_ref()
    }
    /// Reserves the next job id for it.
    pub(crate) fn reserve_id(&mut self, s: &mut Scheduler) -> i32 {
        self.job.id = s.next_job_id;
        s.next_job_id += 1;
        self.reserved = true;
        self.job.id
    }
}

/// Phase one of Print-Job, Print-URI and Create-Job: every check the new job can fail, and
/// the job as it will be created.
pub(crate) fn check(
    s: &Scheduler,
    req: &Request,
    op: Operation,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<NewJob> {
    let uri_req = (op == Operation::PrintUri).then(|| pull_request(s, req)).transpose()?;
    let (mut job, checked, room) = new_job(s, uri_req.as_ref().unwrap_or(req), t, who, now)?;
    job.open = op == Operation::CreateJob;
    if let Some(r) = &uri_req {
        job.documents = r.document.clone().into_iter().collect();
    }
    Ok(NewJob { op, job: Box::new(job), unsupported: checked.unsupported, room, reserved: false })
}

/// Phase two: what may have changed while the daemon worked is checked again (the queue
/// still takes the job, the limits and quotas still allow it), the daemon's work is taken
/// in (the document and its sealed key, the PIN's check key) and the job is created.
pub(crate) fn create(
    s: &mut Scheduler,
    req: &Request,
    new: NewJob,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let NewJob { op, mut job, unsupported, reserved, .. } = new;
    let uri_req = (op == Operation::PrintUri).then(|| Request {
        document: job.documents.first().cloned(),
        declared_document_size: None,
        ..req.clone()
    });
    let req = uri_req.as_ref().unwrap_or(req);
    if op == Operation::PrintJob {
        let doc = req
            .document
            .clone()
            .filter(|d| d.size > 0)
            .ok_or_else(|| IppError::BadRequest("No file in print request.".into()))?;
        still_allowed(s, req, &job, who)?;
        attach_print_document(&mut job, doc, req);
    } else {
        still_allowed(s, req, &job, who)?;
    }
    if !reserved {
        job.id = s.next_job_id;
    }
    if let Some(c) = job.confidential.as_mut() {
        c.pin_check = req.pin_check.clone();
    }
    finish_creation(s, req, *job, unsupported, now)
}

/// The checks of a new job whose answer depends on the scheduler's state, not on the request.
fn still_allowed(s: &Scheduler, req: &Request, job: &Job, who: &Requester) -> IppResult<()> {
    let printer = s.printer(&job.printer).ok_or_else(IppError::printer_not_found)?;
    if !printer.accepting {
        return Err(IppError::NotAcceptingJobs(format!(
            "Destination \"{}\" is not accepting jobs.",
            printer.name
        )));
    }
    check_user_allowed(printer, who)?;
    check_limits(s, printer, who)?;
    crate::quota::check(s, req, &who.user, crate::quota::record_bytes(job)).map(|_| ())
}

/// A Print-URI request with the document its `document-uri` names (nothing is declared
/// after the attributes: it is fetched when the job prints).
fn pull_request(s: &Scheduler, req: &Request) -> IppResult<Request> {
    Ok(Request {
        document: Some(pull_document(s, &req.message, 1)?),
        declared_document_size: None,
        ..req.clone()
    })
}

/// Print-Job's document becomes the job's only one.
fn attach_print_document(job: &mut Job, doc: Document, req: &Request) {
    if let Some(n) = doc.pages {
        // The counted pages beat what the client claimed.
        job.impressions = Some(i32::try_from(n).unwrap_or(i32::MAX));
    }
    job.documents = vec![doc];
    job.open = false;
    keep_sealed_key(job, req);
}

/// Checks everything about a new job and builds it (not yet added to the state), with the
/// room its documents have under the spool quotas.
fn new_job(
    s: &Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<(Job, template::Checked, Option<Allowance>)> {
    let printer = t.printer(s)?;
    if !printer.accepting {
        return Err(IppError::NotAcceptingJobs(format!(
            "Destination \"{}\" is not accepting jobs.",
            printer.name
        )));
    }
    check_user_allowed(printer, who)?;
    let msg = &req.message;
    check_format(printer, msg, req.document.as_ref())?;
    let fidelity =
        msg.operation_attr("ipp-attribute-fidelity").and_then(|a| a.first_bool()).unwrap_or(false);
    // The PIN is an operation attribute; in the Job group it would be kept as a job
    // attribute, in the clear.
    if let Some(a) = msg.group(DelimiterTag::Job).and_then(|g| g.get("job-password")) {
        return Err(IppError::unsupported(
            "job-password is an operation attribute: send it in the operation group.",
            a.clone(),
        ));
    }
    let job_attrs = template_attributes(msg);
    let checked = template::check(printer, &job_attrs, fidelity, s.settings.max_copies)?;
    crate::split::check_request(s, printer, &job_attrs, &who.user)?;
    crate::failover::check_request(&job_attrs)?;
    check_limits(s, printer, who)?;
    let confidential = crate::confidential::classify(printer, msg, &job_attrs)?;
    let id = s.next_job_id;
    let mut job = build_job(id, printer, msg, who, &checked.accepted, now);
    // Its attributes take room in the job store too.
    crate::quota::check_job_size(&job)?;
    let room = crate::quota::check(s, req, &who.user, crate::quota::record_bytes(&job))?;
    if let Some(release) = confidential {
        crate::confidential::apply(&mut job, release, now, s.settings.confidential_hold_time);
        if let Some(c) = job.confidential.as_mut() {
            c.pin_check = req.pin_check.clone();
        }
    }
    Ok((job, checked, room))
}

/// A confidential job keeps the sealed key of each document the daemon encrypted.
pub(super) fn keep_sealed_key(job: &mut Job, req: &Request) {
    if let (Some(c), Some(key)) = (job.confidential.as_mut(), req.sealed_key.as_ref()) {
        c.keys.push(key.clone());
    }
}

/// The Job group, plus job template attributes sent in the operation group (ipptool
/// and some clients do; cupsd finds them wherever they are).
fn template_attributes(msg: &Message) -> Vec<Attribute> {
    use quire_ipp::registry::{syntax_of, Groups};
    let mut attrs: Vec<Attribute> =
        msg.group(DelimiterTag::Job).map(|g| g.attributes.clone()).unwrap_or_default();
    if let Some(op) = msg.group(DelimiterTag::Operation) {
        for a in &op.attributes {
            let template = syntax_of(&a.name).is_some_and(|d| {
                d.groups.intersects(Groups::JOB_TEMPLATE) && !d.groups.intersects(Groups::OPERATION)
            });
            if template && !attrs.iter().any(|x| x.name == a.name) {
                attrs.push(a.clone());
            }
        }
    }
    attrs
}

fn check_user_allowed(printer: &Printer, who: &Requester) -> IppResult<()> {
    let denied = (!printer.users_allowed.is_empty()
        && !printer.users_allowed.iter().any(|u| u == &who.user))
        || printer.users_denied.iter().any(|u| u == &who.user);
    if denied && !who.admin {
        return Err(IppError::Forbidden(format!(
            "You are not allowed to print to \"{}\".",
            printer.name
        )));
    }
    Ok(())
}

fn check_format(printer: &Printer, msg: &Message, doc: Option<&Document>) -> IppResult<()> {
    if let Some(a) = msg.operation_attr("compression") {
        let c = a.first_str().unwrap_or("");
        if !matches!(c, "none" | "gzip" | "deflate") {
            return Err(IppError::Unsupported {
                message: format!("Unsupported compression \"{c}\"."),
                attributes: vec![a.clone()],
            });
        }
    }
    let Some(a) = msg.operation_attr("document-format") else { return Ok(()) };
    let format = match a.values.as_slice() {
        [Value::MimeMediaType(f)] => f.as_str(),
        _ => return Err(IppError::BadRequest("Bad document-format attribute.".into())),
    };
    let _ = doc;
    if format == "application/octet-stream" {
        return Ok(());
    }
    let supported = crate::capabilities::advertised(printer, "document-format-supported");
    if supported.is_some_and(|s| !s.strs().any(|f| f.eq_ignore_ascii_case(format))) {
        return Err(IppError::DocumentFormatNotSupported(format.to_string()));
    }
    Ok(())
}

fn check_limits(s: &Scheduler, printer: &Printer, who: &Requester) -> IppResult<()> {
    let active = s.active_jobs().count();
    if s.settings.max_jobs > 0 && active >= s.settings.max_jobs {
        return Err(IppError::NotPossible("Too many active jobs.".into()));
    }
    let per_printer = s.settings.max_jobs_per_printer;
    if per_printer > 0 && s.jobs.queued_on(&printer.name) as usize >= per_printer {
        return Err(IppError::NotPossible("Too many active jobs.".into()));
    }
    let per_user = s.settings.max_jobs_per_user;
    if per_user > 0 && s.active_jobs().filter(|j| j.owner == who.user).count() >= per_user {
        return Err(IppError::NotPossible("Too many active jobs.".into()));
    }
    Ok(())
}

fn build_job(
    id: i32,
    printer: &Printer,
    msg: &Message,
    who: &Requester,
    accepted: &[Attribute],
    now: i64,
) -> Job {
    let mut attributes: Vec<Attribute> = accepted.to_vec();
    for name in JOB_OPERATION_ATTRS {
        if let Some(a) = msg.operation_attr(name) {
            if !attributes.iter().any(|x| x.name == *name) {
                attributes.push(a.clone());
            }
        }
    }
    let name = attributes
        .iter()
        .find(|a| a.name == "job-name")
        .and_then(|a| a.first_str())
        .or_else(|| msg.operation_attr("document-name").and_then(|a| a.first_str()))
        .unwrap_or("Untitled")
        .into();
    let find = |n: &str| attributes.iter().find(|a| a.name == n);
    let requested = find("job-hold-until").and_then(|a| a.first_str()).unwrap_or("no-hold");
    // The user's own hold (one whose time has not come yet) comes first; otherwise
    // Hold-New-Jobs holds the job for review, until Release-Held-New-Jobs.
    let user_hold = !template::hold_is_due(requested, now);
    let review = printer.hold_new_jobs && !user_hold;
    let hold_until = if user_hold {
        requested.to_string()
    } else if review {
        "indefinite".into()
    } else {
        "no-hold".into()
    };
    let priority = find("job-priority").and_then(|a| a.first_i32()).unwrap_or(50);
    let held = user_hold || review;
    let mut job = Job::new(id, &printer.name, &who.user, &who.host, now);
    job.name = name;
    job.state = if held { JobState::Held } else { JobState::Pending };
    job.priority = priority;
    job.hold_until_time =
        if user_hold { template::hold_until_time(&hold_until, now) } else { None };
    job.hold_until = hold_until.into();
    job.attributes = JobAttrs::from(attributes);
    job.impressions = msg.operation_attr("job-impressions").and_then(|a| a.first_i32());
    if held {
        job.state_reasons =
            vec![if review { "job-held-for-review" } else { "job-hold-until-specified" }.into()];
    }
    job
}

fn finish_creation(
    s: &mut Scheduler,
    req: &Request,
    mut job: Job,
    unsupported: Vec<Attribute>,
    now: i64,
) -> IppResult<Outcome> {
    let id = job.id;
    s.next_job_id = s.next_job_id.max(id + 1);
    if job.open {
        job.set_reason("job-incoming");
        if job.state == JobState::Pending {
            job.state = JobState::Held;
            job.state_reasons.retain(|r| r != "none");
        }
    }
    job.k_octets = job.documents.iter().map(|d| (d.size as i64 + 1023) / 1024).sum();
    let open = job.open;
    s.jobs.insert(id, Box::new(job));
    let mut effects = vec![Effect::PersistJob(id), Effect::PersistServer];
    let mut subscribed = Vec::new();
    effects.extend(super::subscriptions::add_job_subscriptions(s, req, id, &mut subscribed, now));
    events::emit_job(s, EventKind::JobCreated, id, now);
    if open {
        effects.push(Effect::ArmTimer { at: now + s.settings.multiple_operation_timeout });
    } else {
        if let Some(at) = s.jobs.get(&id).and_then(|j| j.hold_until_time).filter(|t| *t > now) {
            effects.push(Effect::ArmTimer { at });
        }
        effects.extend(schedule::run(s, now));
    }
    if let Some(c) = s.jobs.get(&id).and_then(|j| j.confidential.as_ref()) {
        effects.push(Effect::ArmTimer { at: c.expires });
    }
    let mut resp = job_response(s, req, id);
    add_unsupported(&mut resp, unsupported);
    resp.groups.extend(subscribed);
    Ok(Outcome { response: resp, effects })
}

fn add_unsupported(resp: &mut Message, unsupported: Vec<Attribute>) {
    if unsupported.is_empty() {
        return;
    }
    resp.code = StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes.code();
    for a in unsupported {
        response::add_unsupported(resp, a);
    }
}

/// job-id, job-uri, job-state, job-state-reasons: what a job-creating operation returns.
pub fn job_response(s: &Scheduler, req: &Request, id: i32) -> Message {
    let mut resp = response::ok(&req.message);
    if let Some(job) = s.jobs.get(&id) {
        let mut g = Group::new(DelimiterTag::Job);
        g.push(Attribute::new("job-id", Value::Integer(id)));
        g.push(Attribute::new("job-uri", Value::Uri(req.base.uri(&format!("/jobs/{id}")))));
        g.push(Attribute::new("job-state", Value::Enum(job.state as i32)));
        g.push(Attribute::set(
            "job-state-reasons",
            job.state_reasons.iter().map(|r| Value::Keyword(r.to_string())).collect(),
        ));
        if !job.state_message.is_empty() {
            g.push(Attribute::new("job-state-message", Value::Text(job.state_message.to_string())));
        }
        resp.push_group(g);
    }
    resp
}

/// Reprocess-Job and Resubmit-Job: a new job with the same documents (hard links in the
/// spool) and attributes, with Resubmit-Job's Job group applied on top.
fn copy_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let old = super::owned_job(s, t, who)?;
    let id = old.id;
    crate::confidential::check_owner(old, who, true)?;
    if !old.state.is_terminal() || old.files_purged || old.documents.is_empty() {
        return Err(IppError::NotPossible(format!(
            "Job #{id} cannot be reprocessed: it is not finished or its documents are gone."
        )));
    }
    if old.confidential.is_some() {
        return Err(IppError::NotPossible(format!("Job #{id} is confidential: it cannot be reprocessed; its documents are destroyed when it ends.")));
    }
    let new_id = s.next_job_id;
    let mut job = old.copy_as_new(new_id, now);
    let mut effects = Vec::new();
    job.documents = old
        .documents
        .iter()
        .map(|d| {
            let file = format!("d{new_id:05}-{:03}", d.number);
            effects.push(Effect::LinkDocument { from: d.file.clone(), to: file.clone() });
            Document { file, ..d.clone() }
        })
        .collect();
    for a in req.message.group(DelimiterTag::Job).map(|g| g.attributes.clone()).unwrap_or_default()
    {
        job.set_attribute(a);
    }
    s.next_job_id += 1;
    s.jobs.insert(new_id, Box::new(job));
    events::emit_job(s, EventKind::JobCreated, new_id, now);
    effects.extend([Effect::PersistJob(new_id), Effect::PersistServer]);
    effects.extend(schedule::run(s, now));
    let mut out = job_response(s, req, new_id);
    out.code = response::ok(&req.message).code;
    Ok(Outcome { response: out, effects })
}

pub fn reprocess_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    copy_job(s, req, t, who, now)
}

pub fn resubmit_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    copy_job(s, req, t, who, now)
}
