//! Job queries: Get-Job-Attributes, Get-Jobs, Get-Documents, Get-Document-Attributes.

use crate::effect::Outcome;
use crate::error::{IppError, IppResult};
use crate::model::{Job, JobState, Scheduler};
use crate::request::{Request, Requester, UriBase};
use crate::request::Target;
use crate::response;
use crate::time::date_time;
use quire_ipp::registry::{expand_requested, ObjectKind, RequestedSet};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};

fn requested(msg: &Message, default: &[&str], kind: ObjectKind) -> RequestedSet {
    let names: Vec<&str> = match msg.operation_attr("requested-attributes") {
        Some(a) => a.strs().collect(),
        None => default.to_vec(),
    };
    expand_requested(&names, kind)
}

fn kw(v: &str) -> Value {
    Value::Keyword(v.to_string())
}

/// Every attribute of a job that `want` asks for. Values are only built for attributes
/// that are asked for (Get-Jobs over thousands of jobs usually wants a handful).
pub fn job_attributes(s: &Scheduler, job: &Job, base: &UriBase, want: &RequestedSet) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = Vec::new();
    let mut add = |name: &str, values: &dyn Fn() -> Vec<Value>| {
        if want.contains(name) {
            let values = values();
            if !values.is_empty() {
                out.push(Attribute::set(name, values));
            }
        }
    };
    add("job-id", &|| vec![Value::Integer(job.id)]);
    add("job-uri", &|| vec![Value::Uri(base.uri(&format!("/jobs/{}", job.id)))]);
    add("job-uuid", &|| vec![Value::Uri(job.uuid())]);
    add("job-printer-uri", &|| {
        let queue_path = s.printer(&job.printer).map(|p| p.resource()).unwrap_or_else(|| format!("/printers/{}", job.printer));
        vec![Value::Uri(base.uri(&queue_path))]
    });
    add("job-name", &|| vec![Value::Name(job.name.to_string())]);
    add("job-originating-user-name", &|| vec![Value::Name(job.owner.to_string())]);
    add("job-originating-host-name", &|| vec![Value::Name(job.originating_host.to_string())]);
    add("job-state", &|| vec![Value::Enum(job.state as i32)]);
    add("job-state-reasons", &|| job.state_reasons.iter().map(|r| kw(r)).collect());
    add("job-state-message", &|| {
        vec![Value::Text(if job.state_message.is_empty() { state_text(job) } else { job.state_message.to_string() })]
    });
    if !job.printer_state_reasons.is_empty() {
        add("job-printer-state-reasons", &|| job.printer_state_reasons.iter().map(|r| kw(r)).collect());
        add("job-printer-state-message", &|| vec![Value::Text(job.printer_state_message.to_string())]);
    }
    add("job-priority", &|| vec![Value::Integer(job.priority)]);
    add("job-hold-until", &|| vec![crate::template::hold_until_value(&job.hold_until)]);
    add("job-printer-up-time", &|| vec![Value::Integer(s.settings.start_time.max(1) as i32)]);
    add("time-at-creation", &|| vec![Value::Integer(job.created as i32)]);
    add("date-time-at-creation", &|| vec![date_time(job.created)]);
    add("time-at-processing", &|| vec![opt_time(job.processing_at)]);
    add("date-time-at-processing", &|| vec![opt_date(job.processing_at)]);
    add("time-at-completed", &|| vec![opt_time(job.completed_at)]);
    add("date-time-at-completed", &|| vec![opt_date(job.completed_at)]);
    add("job-k-octets", &|| vec![Value::Integer(job.k_octets.clamp(0, i32::MAX as i64) as i32)]);
    add("job-impressions", &|| vec![job.impressions.map_or(Value::NoValue, Value::Integer)]);
    add("job-impressions-completed", &|| vec![Value::Integer(job.impressions_completed)]);
    add("job-media-sheets-completed", &|| vec![Value::Integer(job.impressions_completed)]);
    add("job-pages-completed", &|| vec![Value::Integer(job.pages_completed)]);
    add("number-of-documents", &|| vec![Value::Integer(job.documents.len() as i32)]);
    // Counting intervening jobs scans the queue: only when asked (Get-Jobs over 10k jobs).
    add("number-of-intervening-jobs", &|| vec![Value::Integer(intervening(s, job))]);
    add("job-more-info", &|| vec![Value::Uri(format!("http://{}/jobs/{}", base.authority, job.id))]);
    add("document-format-supplied", &|| job.documents.first().map(|d| Value::MimeMediaType(d.format.clone())).into_iter().collect());
    add("document-name-supplied", &|| job.documents.first().map(|d| Value::Name(d.name.clone())).into_iter().collect());
    // A part of a split job is assigned to its printer from the start.
    let assigned = job.output_device.as_ref().or(job.parent_job_id.map(|_| &job.printer));
    if let Some(dev) = assigned {
        add("output-device-assigned", &|| vec![Value::Name(dev.to_string())]);
    }
    if job.is_split() {
        for a in crate::split::parts::parent_attributes(s, job) {
            add(&a.name, &|| a.values.clone());
        }
    }
    if job.failover.is_some() {
        for a in crate::failover::job_attributes(s, job) {
            add(&a.name, &|| a.values.clone());
        }
    }
    if let Some(parent) = job.parent_job_id {
        add("parent-job-id", &|| vec![Value::Integer(parent)]);
    }
    for a in crate::confidential::attributes(job) {
        add(&a.name, &|| a.values.clone());
    }
    add("job-originating-user-uri", &|| vec![Value::Uri(format!("urn:sub:{}", job.owner))]);
    // The client's attributes stay encoded; decode them only if one of them is wanted.
    let hidden = |n: &str| matches!(n, "job-password" | "job-name" | "job-hold-until" | "job-priority");
    if job.attributes.names().any(|n| !hidden(n) && want.contains(n)) {
        for a in job.attributes.to_vec() {
            if !hidden(&a.name) && want.contains(&a.name) && !out.iter().any(|x| x.name == a.name) {
                out.push(a);
            }
        }
    }
    out
}

fn opt_time(t: Option<i64>) -> Value {
    t.map_or(Value::NoValue, |t| Value::Integer(t as i32))
}

fn opt_date(t: Option<i64>) -> Value {
    t.map_or(Value::NoValue, date_time)
}

fn state_text(job: &Job) -> String {
    match job.state {
        JobState::Pending => "Job is pending.",
        JobState::Held => "Job is held.",
        JobState::Processing => "Job is printing.",
        JobState::Stopped => "Job is stopped.",
        JobState::Canceled => "Job was canceled.",
        JobState::Aborted => "Job was aborted.",
        JobState::Completed => "Job completed.",
    }
    .to_string()
}

fn intervening(s: &Scheduler, job: &Job) -> i32 {
    if job.state.is_terminal() {
        return 0;
    }
    s.active_jobs().filter(|j| j.printer == job.printer && j.id < job.id).count() as i32
}

pub fn get_job_attributes(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, _now: i64) -> IppResult<Outcome> {
    let Target::Job(id) = t else {
        return Err(IppError::BadRequest("Missing job-uri or job-id.".into()));
    };
    let job = s.jobs.get(id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    let want = requested(&req.message, &["all"], ObjectKind::Job);
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Job);
    g.attributes = job_attributes(s, job, &req.base, &want);
    crate::confidential::hide_private(&mut g.attributes, job, who);
    crate::privacy::of_job(s, job, who).strip(&mut g.attributes, crate::privacy::JOB_KEPT);
    resp.push_group(g);
    Ok(Outcome { response: resp, effects: Vec::new() })
}

const WHICH_JOBS: &[&str] = &[
    "completed", "not-completed", "all", "aborted", "canceled", "pending", "pending-held",
    "processing", "processing-stopped", "fetchable", "proof-print", "saved",
];

pub fn get_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, _now: i64) -> IppResult<Outcome> {
    let msg = &req.message;
    let which = match msg.operation_attr("which-jobs") {
        Some(a) => match a.first_str() {
            Some(w) if WHICH_JOBS.contains(&w) => w.to_string(),
            _ => return Err(IppError::unsupported("Unsupported which-jobs value.", a.clone())),
        },
        None => "not-completed".into(),
    };
    let my_jobs = msg.operation_attr("my-jobs").and_then(|a| a.first_bool()).unwrap_or(false);
    let user = msg.operation_attr("requesting-user-name").and_then(|a| a.first_str()).unwrap_or(&who.user).to_string();
    let limit = int_attr(msg, "limit")?.unwrap_or(i32::MAX).max(0) as usize;
    let first_index = int_attr(msg, "first-index")?.unwrap_or(1).max(1) as usize;
    let job_ids: Option<Vec<i32>> = msg.operation_attr("job-ids").map(|a| a.values.iter().filter_map(Value::as_i32).collect());
    if job_ids.is_some() && msg.operation_attr("which-jobs").is_some() {
        return Err(IppError::Conflicting("job-ids and which-jobs cannot be used together.".into()));
    }
    let queue = match t {
        Target::Printer(key) => s.printer(key).map(|p| p.name.clone()),
        _ => None,
    };
    let mut jobs: Vec<&Job> = s
        .jobs
        .values()
        .map(|j| &**j)
        .filter(|j| queue.as_ref().is_none_or(|q| j.printer.eq_ignore_ascii_case(q)))
        .filter(|j| !my_jobs || j.owner == user)
        .filter(|j| match &job_ids {
            Some(ids) => ids.contains(&j.id),
            None => matches_which(j.state, &which),
        })
        .collect();
    if which == "completed" {
        jobs.reverse();
    }
    let want = requested(msg, &["job-uri", "job-id"], ObjectKind::Job);
    let mut resp = response::ok(msg);
    let jobs = jobs.into_iter().skip(first_index - 1).take(limit);
    resp.groups.reserve_exact(jobs.len());
    for job in jobs {
        let mut g = Group::new(DelimiterTag::Job);
        g.attributes = job_attributes(s, job, &req.base, &want);
        crate::confidential::hide_private(&mut g.attributes, job, who);
        crate::privacy::of_job(s, job, who).strip(&mut g.attributes, crate::privacy::JOB_KEPT);
        resp.push_group(g);
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

fn matches_which(state: JobState, which: &str) -> bool {
    match which {
        "completed" => state.is_terminal(),
        "not-completed" => !state.is_terminal(),
        "aborted" => state == JobState::Aborted,
        "canceled" => state == JobState::Canceled,
        "pending" => state == JobState::Pending,
        "pending-held" => state == JobState::Held,
        "processing" => state == JobState::Processing,
        "processing-stopped" => state == JobState::Stopped,
        "all" => true,
        _ => false,
    }
}

fn int_attr(msg: &Message, name: &str) -> IppResult<Option<i32>> {
    match msg.operation_attr(name) {
        None => Ok(None),
        Some(a) => match a.values.as_slice() {
            [Value::Integer(n)] if *n >= 0 => Ok(Some(*n)),
            _ => Err(IppError::BadRequest(format!("Bad {name} attribute."))),
        },
    }
}

fn document_attributes(job: &Job, number: i32) -> Option<Vec<Attribute>> {
    let d = job.documents.iter().find(|d| d.number == number)?;
    Some(vec![
        Attribute::new("document-number", Value::Integer(d.number)),
        Attribute::new("document-format", Value::MimeMediaType(d.format.clone())),
        Attribute::new("document-name", Value::Name(d.name.clone())),
        Attribute::new("document-state", Value::Enum(if job.state.is_terminal() { 9 } else { 3 })),
        Attribute::new("k-octets", Value::Integer(d.size.div_ceil(1024).min(i32::MAX as u64) as i32)),
        Attribute::new("compression", Value::Keyword(d.compression.clone().unwrap_or_else(|| "none".into()))),
    ])
}

pub fn get_documents(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, _now: i64) -> IppResult<Outcome> {
    let Target::Job(id) = t else { return Err(IppError::BadRequest("Missing job-id.".into())) };
    let job = s.jobs.get(id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    crate::confidential::check_visible(job, who)?;
    let mut resp = response::ok(&req.message);
    for d in &job.documents {
        let mut g = Group::new(DelimiterTag::Document);
        g.attributes = document_attributes(job, d.number).unwrap_or_default();
        resp.push_group(g);
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

pub fn get_document_attributes(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, _now: i64) -> IppResult<Outcome> {
    let Target::Job(id) = t else { return Err(IppError::BadRequest("Missing job-id.".into())) };
    let job = s.jobs.get(id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    crate::confidential::check_visible(job, who)?;
    let number = int_attr(&req.message, "document-number")?.ok_or_else(|| IppError::BadRequest("Missing document-number.".into()))?;
    let attrs = document_attributes(job, number).ok_or_else(|| IppError::NotFound(format!("Document #{number} does not exist.")))?;
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Document);
    g.attributes = attrs;
    resp.push_group(g);
    Ok(Outcome { response: resp, effects: Vec::new() })
}
