//! The operations IPP/2.1 and 2.2 (PWG 5100.12) add to what every queue must support:
//! Set-Printer-Attributes, the printer power/restart operations, job suspension,
//! promotion, reprocessing and document-level cancel/set.

use super::printers::require_admin;
use crate::document::Document;
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{JobState, PrinterState, Scheduler};
use crate::request::{Request, Requester};
use crate::request::Target;
use crate::{response, schedule};
use quire_ipp::{Attribute, DelimiterTag};

fn printer_key(t: &Target) -> IppResult<String> {
    match t {
        Target::Printer(k) => Ok(k.clone()),
        _ => Err(IppError::NotFound("The printer or class does not exist.".into())),
    }
}

fn job_id(t: &Target) -> IppResult<i32> {
    match t {
        Target::Job(id) => Ok(*id),
        _ => Err(IppError::BadRequest("Missing job-uri or job-id.".into())),
    }
}

fn ok(req: &Request, effects: Vec<Effect>) -> IppResult<Outcome> {
    Ok(Outcome { response: response::ok(&req.message), effects })
}

pub fn set_printer_attributes(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    require_admin(who)?;
    let key = printer_key(t)?;
    let attrs: Vec<Attribute> = req.message.group(DelimiterTag::Printer).map(|g| g.attributes.clone()).unwrap_or_default();
    if attrs.is_empty() {
        return Err(IppError::BadRequest("No printer attributes to set.".into()));
    }
    let bad: Vec<Attribute> = attrs.iter().filter(|a| !crate::attrs::settable::PRINTER_ATTRIBUTES.contains(&a.name.as_str()) && !crate::attrs::settable::VENDOR_ATTRIBUTES.contains(&a.name.as_str()) && !a.name.ends_with("-default")).cloned().collect();
    if !bad.is_empty() {
        return Err(IppError::NotSettable("These attributes cannot be set.".into(), bad));
    }
    for a in &attrs {
        quire_ipp::registry::check(a).map_err(|e| IppError::unsupported(format!("Bad \"{}\" value: {e}", a.name), a.clone()))?;
    }
    let p = s.printer_mut(&key).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    // All or nothing: apply to a copy, keep it only if every value is good.
    let mut changed = p.clone();
    for a in super::admin::confirmation_first(&attrs) {
        super::admin::apply_vendor(&mut changed, a)?;
    }
    *p = changed;
    for a in attrs.into_iter().filter(|a| !crate::attrs::settable::VENDOR_ATTRIBUTES.contains(&a.name.as_str())) {
        let text = a.first_str().unwrap_or("").to_string();
        match a.name.as_str() {
            "printer-info" => p.info = text,
            "printer-location" => p.location = text,
            _ => p.set_capability(a),
        }
    }
    p.config_change_time = now;
    let name = p.name.clone();
    events::emit_printer(s, EventKind::PrinterConfigChanged, &name, now);
    ok(req, vec![Effect::PersistPrinter(key)])
}

/// Changes the printer's state and reasons; `shutdown` adds/removes that reason.
fn power(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64, up: bool) -> IppResult<Outcome> {
    require_admin(who)?;
    let key = printer_key(t)?;
    let p = s.printer_mut(&key).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    p.state_reasons.retain(|r| r != "shutdown" && r != "paused" && r != "none");
    if up {
        p.state = PrinterState::Idle;
        p.state_message.clear();
    } else {
        p.state = PrinterState::Stopped;
        p.state_reasons.push("shutdown".into());
        p.state_message = "Shut down by the administrator.".into();
    }
    p.state_change_time = now;
    let name = p.name.clone();
    events::emit_printer(s, EventKind::PrinterStateChanged, &name, now);
    let mut effects = vec![Effect::PersistPrinter(key)];
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

pub fn restart_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    power(s, req, t, who, now, true)
}

pub fn startup_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    power(s, req, t, who, now, true)
}

pub fn shutdown_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    power(s, req, t, who, now, false)
}

/// The current job is stopped (processing-stopped, job-suspended) and the printer freed.
pub fn suspend_current_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let key = printer_key(t)?;
    let name = s.printer(&key).map(|p| p.name.clone()).unwrap_or_default();
    let current = s.jobs.values().find(|j| j.state == JobState::Processing && j.output_device.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&name))).map(|j| (j.id, j.owner.clone()));
    let Some((id, owner)) = current else {
        return Err(IppError::NotPossible("No job is printing.".into()));
    };
    if !who.may_manage_job(&owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    if let Some(j) = s.jobs.get(&id) {
        crate::confidential::check_owner(j, who, true)?;
    }
    if let Some(j) = s.jobs.get_mut(&id) {
        j.state = JobState::Stopped;
        j.state_reasons = vec!["job-suspended".into()];
        j.output_device = None;
    }
    if let Some(p) = s.printer_mut(&key) {
        p.state = if p.state == PrinterState::Processing { PrinterState::Idle } else { p.state };
        p.state_change_time = now;
    }
    events::emit_job(s, EventKind::JobStopped, id, now);
    let mut effects = vec![Effect::StopJob { job_id: id }, Effect::PersistJob(id)];
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// A suspended job becomes pending again; it restarts from its first page.
pub fn resume_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let id = job_id(t)?;
    let job = s.jobs.get_mut(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    crate::confidential::check_owner(job, who, true)?;
    if job.state != JobState::Stopped {
        return Err(IppError::NotPossible(format!("Job #{id} is not suspended.")));
    }
    job.state = JobState::Pending;
    job.state_reasons = vec!["none".into()];
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    let mut effects = vec![Effect::PersistJob(id)];
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// The job prints next: it takes the highest priority (an operator operation).
pub fn promote_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    require_admin(who)?;
    let id = job_id(t)?;
    let job = s.jobs.get_mut(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    crate::confidential::check_owner(job, who, true)?;
    if !matches!(job.state, JobState::Pending | JobState::Held) {
        return Err(IppError::NotPossible(format!("Job #{id} is not pending.")));
    }
    job.priority = 100;
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    let mut effects = vec![Effect::PersistJob(id)];
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// The job takes the priority of `job-after-id`'s job, so it is scheduled with it.
pub fn schedule_job_after(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    require_admin(who)?;
    let id = job_id(t)?;
    let after = req.message.operation_attr("job-after-id").and_then(|a| a.first_i32());
    let priority = match after {
        Some(a) => s.jobs.get(&a).map(|j| j.priority).ok_or_else(|| IppError::NotFound(format!("Job #{a} does not exist.")))?,
        None => 1,
    };
    let job = s.jobs.get_mut(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    crate::confidential::check_owner(job, who, true)?;
    if !matches!(job.state, JobState::Pending | JobState::Held) {
        return Err(IppError::NotPossible(format!("Job #{id} is not pending.")));
    }
    job.priority = priority;
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    ok(req, vec![Effect::PersistJob(id)])
}

fn document_number(req: &Request) -> IppResult<i32> {
    req.message
        .operation_attr("document-number")
        .and_then(|a| a.first_i32())
        .ok_or_else(|| IppError::BadRequest("Missing document-number.".into()))
}

pub fn cancel_document(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let id = job_id(t)?;
    let number = document_number(req)?;
    let job = s.jobs.get_mut(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    crate::confidential::check_owner(job, who, true)?;
    if job.state.is_terminal() || job.state == JobState::Processing {
        return Err(IppError::NotPossible(format!("Job #{id} is printing or finished.")));
    }
    if !job.documents.iter().any(|d| d.number == number) {
        return Err(IppError::NotFound(format!("Document #{number} does not exist.")));
    }
    if job.confidential.is_some() {
        // Its sealed keys pair with its documents in order: cancel the whole job instead.
        return Err(IppError::NotPossible(format!("Job #{id} is confidential: cancel the job, not one of its documents.")));
    }
    job.documents.retain(|d| d.number != number);
    let effects = vec![Effect::PersistJob(id)];
    if job.documents.is_empty() && !job.open {
        job.state = JobState::Canceled;
        job.state_reasons = vec!["job-canceled-by-user".into()];
        job.completed_at = Some(now);
        events::emit_job(s, EventKind::JobCompleted, id, now);
    }
    ok(req, effects)
}

pub fn set_document_attributes(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let id = job_id(t)?;
    let number = document_number(req)?;
    let attrs: Vec<Attribute> = req.message.group(DelimiterTag::Document).map(|g| g.attributes.clone()).unwrap_or_default();
    if let Some(bad) = attrs.iter().find(|a| a.name != "document-name") {
        return Err(IppError::NotSettable(format!("The \"{}\" attribute cannot be changed.", bad.name), vec![bad.clone()]));
    }
    let job = s.jobs.get_mut(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    crate::confidential::check_owner(job, who, true)?;
    let doc = job.documents.iter_mut().find(|d| d.number == number).ok_or_else(|| IppError::NotFound(format!("Document #{number} does not exist.")))?;
    for a in attrs {
        doc.name = a.first_str().unwrap_or("").to_string();
    }
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    ok(req, vec![Effect::PersistJob(id)])
}

/// Reprocess-Job and Resubmit-Job: a new job with the same documents (hard links in the
/// spool) and attributes, with Resubmit-Job's Job group applied on top.
fn copy_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let id = job_id(t)?;
    let old = s.jobs.get(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    if !who.may_manage_job(&old.owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    crate::confidential::check_owner(old, who, true)?;
    if !old.state.is_terminal() || old.files_purged || old.documents.is_empty() {
        return Err(IppError::NotPossible(format!("Job #{id} cannot be reprocessed: it is not finished or its documents are gone.")));
    }
    if old.confidential.is_some() {
        return Err(IppError::NotPossible(format!("Job #{id} is confidential: it cannot be reprocessed; its documents are destroyed when it ends.")));
    }
    let new_id = s.next_job_id;
    s.next_job_id += 1;
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
    for a in req.message.group(DelimiterTag::Job).map(|g| g.attributes.clone()).unwrap_or_default() {
        job.set_attribute(a);
    }
    s.jobs.insert(new_id, Box::new(job));
    events::emit_job(s, EventKind::JobCreated, new_id, now);
    effects.extend([Effect::PersistJob(new_id), Effect::PersistServer]);
    effects.extend(schedule::run(s, now));
    let mut out = super::jobs::job_response(s, req, new_id);
    out.code = response::ok(&req.message).code;
    Ok(Outcome { response: out, effects })
}

pub fn reprocess_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    copy_job(s, req, t, who, now)
}

pub fn resubmit_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    copy_job(s, req, t, who, now)
}
