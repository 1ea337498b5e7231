//! Operations on a job's documents: Send-Document, Send-URI, Close-Job, Cancel-Document,
//! Set-Document-Attributes, Get-Documents and Get-Document-Attributes.

use super::job_create::{job_response, keep_sealed_key};
use super::Reservation;
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{Job, JobState, Scheduler};
use crate::request::{Request, Requester, Target};
use crate::{response, schedule};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};

/// Send-URI: Send-Document whose document is fetched from `document-uri` when the job prints.
pub fn send_uri(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let number = t.job(s).map_or(1, |j| j.documents.len() as i32 + 1);
    let mut req = req.clone();
    req.document = Some(super::job_create::pull_document(s, &req.message, number)?);
    send_document(s, &req, t, who, now)
}

pub fn send_document(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let last = last_document(&req.message)?;
    let job = super::owned_job(s, t, who)?;
    crate::confidential::check_owner(job, who, false)?;
    append(s, req, job.id, last, now)
}

/// Phase one of Send-Document: every check before its document is read, and where the
/// document goes.
pub(crate) fn reserve(
    s: &Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
) -> IppResult<Reservation> {
    let job = super::owned_job(s, t, who)?;
    let id = job.id;
    if !job.open {
        return Err(IppError::NotPossible(format!("Job #{id} is not open for documents.")));
    }
    crate::confidential::check_owner(job, who, false)?;
    let room = crate::quota::check(s, req, &job.owner, 0)?;
    last_document(&req.message)?;
    Ok(Reservation {
        job_id: id,
        doc_number: job.documents.len() as i32 + 1,
        confidential: job.confidential.is_some(),
        room,
    })
}

/// Send-Document's `last-document`.
pub(crate) fn last_document(msg: &Message) -> IppResult<bool> {
    match msg.operation_attr("last-document") {
        Some(a) => match a.values.as_slice() {
            [Value::Boolean(b)] => Ok(*b),
            _ => Err(IppError::BadRequest("Bad last-document attribute.".into())),
        },
        None => Err(IppError::BadRequest("Missing last-document attribute.".into())),
    }
}

/// Adds the request's document to open job `id`; the last one closes the job.
pub(crate) fn append(
    s: &mut Scheduler,
    req: &Request,
    id: i32,
    last: bool,
    now: i64,
) -> IppResult<Outcome> {
    let job = s.job_mut(id)?;
    if !job.open {
        return Err(IppError::NotPossible(format!("Job #{id} is not open for documents.")));
    }
    if let Some(mut doc) = req.document.clone().filter(|d| d.size > 0 || d.uri.is_some()) {
        doc.number = job.documents.len() as i32 + 1;
        if let Some(n) = doc.pages.map(|n| i32::try_from(n).unwrap_or(i32::MAX)) {
            job.impressions = if doc.number == 1 {
                Some(n)
            } else {
                job.impressions.map(|t| t.saturating_add(n))
            };
        }
        job.k_octets += (doc.size as i64 + 1023) / 1024;
        job.documents.push(doc);
        job.documents.shrink_to_fit();
        keep_sealed_key(job, req);
    } else if !last {
        return Err(IppError::BadRequest("No file in print request.".into()));
    }
    let mut effects = vec![Effect::PersistJob(id)];
    if last {
        crate::lifecycle::close(s, id, now);
        effects.extend(schedule::run(s, now));
    }
    Ok(Outcome { response: job_response(s, req, id), effects })
}

pub fn close_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let job = super::owned_job(s, t, who)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    if !job.open {
        return Err(IppError::NotPossible(format!("Job #{id} is not open.")));
    }
    let mut effects = vec![Effect::PersistJob(id)];
    crate::lifecycle::close(s, id, now);
    effects.extend(schedule::run(s, now));
    Ok(Outcome { response: job_response(s, req, id), effects })
}

fn document_number(req: &Request) -> IppResult<i32> {
    req.message
        .operation_attr("document-number")
        .and_then(|a| a.first_i32())
        .ok_or_else(|| IppError::BadRequest("Missing document-number.".into()))
}

pub fn cancel_document(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let number = document_number(req)?;
    let job = super::owned_job_mut(s, t, who)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    if job.state.is_terminal() || job.state == JobState::Processing {
        return Err(IppError::NotPossible(format!("Job #{id} is printing or finished.")));
    }
    if !job.documents.iter().any(|d| d.number == number) {
        return Err(IppError::NotFound(format!("Document #{number} does not exist.")));
    }
    if job.confidential.is_some() {
        // Its sealed keys pair with its documents in order: cancel the whole job instead.
        return Err(IppError::NotPossible(format!(
            "Job #{id} is confidential: cancel the job, not one of its documents."
        )));
    }
    job.documents.retain(|d| d.number != number);
    let effects = vec![Effect::PersistJob(id)];
    if job.documents.is_empty() && !job.open {
        job.state = JobState::Canceled;
        job.state_reasons = vec!["job-canceled-by-user".into()];
        job.completed_at = Some(now);
        events::emit_job(s, EventKind::JobCompleted, id, now);
    }
    super::ok(req, effects)
}

pub fn set_document_attributes(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let number = document_number(req)?;
    let attrs: Vec<Attribute> =
        req.message.group(DelimiterTag::Document).map(|g| g.attributes.clone()).unwrap_or_default();
    if let Some(bad) = attrs.iter().find(|a| a.name != "document-name") {
        return Err(IppError::NotSettable(
            format!("The \"{}\" attribute cannot be changed.", bad.name),
            vec![bad.clone()],
        ));
    }
    let job = super::owned_job_mut(s, t, who)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    let doc = job
        .documents
        .iter_mut()
        .find(|d| d.number == number)
        .ok_or_else(|| IppError::NotFound(format!("Document #{number} does not exist.")))?;
    for a in attrs {
        doc.name = a.first_str().unwrap_or("").to_string();
    }
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    super::ok(req, vec![Effect::PersistJob(id)])
}

fn document_attributes(job: &Job, number: i32) -> Option<Vec<Attribute>> {
    let d = job.documents.iter().find(|d| d.number == number)?;
    Some(vec![
        Attribute::new("document-number", Value::Integer(d.number)),
        Attribute::new("document-format", Value::MimeMediaType(d.format.clone())),
        Attribute::new("document-name", Value::Name(d.name.clone())),
        Attribute::new("document-state", Value::Enum(if job.state.is_terminal() { 9 } else { 3 })),
        Attribute::new(
            "k-octets",
            Value::Integer(d.size.div_ceil(1024).min(i32::MAX as u64) as i32),
        ),
        Attribute::new(
            "compression",
            Value::Keyword(d.compression.clone().unwrap_or_else(|| "none".into())),
        ),
    ])
}

pub fn get_documents(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let job = t.job(s)?;
    crate::confidential::check_visible(job, who)?;
    let mut resp = response::ok(&req.message);
    for d in &job.documents {
        let mut g = Group::new(DelimiterTag::Document);
        g.attributes = document_attributes(job, d.number).unwrap_or_default();
        resp.push_group(g);
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

pub fn get_document_attributes(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let job = t.job(s)?;
    crate::confidential::check_visible(job, who)?;
    let number = super::int_attr(&req.message, "document-number")?
        .ok_or_else(|| IppError::BadRequest("Missing document-number.".into()))?;
    let attrs = document_attributes(job, number)
        .ok_or_else(|| IppError::NotFound(format!("Document #{number} does not exist.")))?;
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Document);
    g.attributes = attrs;
    resp.push_group(g);
    Ok(Outcome { response: resp, effects: Vec::new() })
}
