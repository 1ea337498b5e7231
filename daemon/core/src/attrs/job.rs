//! The attributes of a job object.

use crate::model::{Job, JobState, Scheduler};
use crate::request::UriBase;
use crate::time::date_time;
use quire_ipp::build::keyword as kw;
use quire_ipp::registry::RequestedSet;
use quire_ipp::{Attribute, Value};

/// Every attribute of a job that `want` asks for. Values are only built for attributes
/// that are asked for (Get-Jobs over thousands of jobs usually wants a handful).
pub fn job_attributes(
    s: &Scheduler,
    job: &Job,
    base: &UriBase,
    want: &RequestedSet,
) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = Vec::new();
    let mut add = |name: &str, values: &dyn Fn() -> Vec<Value>| {
        if want.contains(name) {
            let values = values();
            if !values.is_empty() {
                out.push(Attribute::set(name, values));
            }
        }
    };
    identity_attributes(s, job, base, &mut add);
    progress_attributes(s, job, base, &mut add);
    part_attributes(s, job, &mut add);
    client_attributes(job, want, &mut out);
    out
}

/// Which job it is, whose, and its state.
fn identity_attributes(
    s: &Scheduler,
    job: &Job,
    base: &UriBase,
    add: &mut impl FnMut(&str, &dyn Fn() -> Vec<Value>),
) {
    add("job-id", &|| vec![Value::Integer(job.id)]);
    add("job-uri", &|| vec![Value::Uri(base.uri(&format!("/jobs/{}", job.id)))]);
    add("job-uuid", &|| vec![Value::Uri(job.uuid())]);
    add("job-printer-uri", &|| {
        let queue_path = s
            .printer(&job.printer)
            .map(|p| p.resource())
            .unwrap_or_else(|| format!("/printers/{}", job.printer));
        vec![Value::Uri(base.uri(&queue_path))]
    });
    add("job-name", &|| vec![Value::Name(job.name.to_string())]);
    add("job-originating-user-name", &|| vec![Value::Name(job.owner.to_string())]);
    add("job-originating-host-name", &|| vec![Value::Name(job.originating_host.to_string())]);
    add("job-state", &|| vec![Value::Enum(job.state as i32)]);
    add("job-state-reasons", &|| job.state_reasons.iter().map(|r| kw(r)).collect());
    add("job-state-message", &|| {
        vec![Value::Text(if job.state_message.is_empty() {
            state_text(job)
        } else {
            job.state_message.to_string()
        })]
    });
    if !job.printer_state_reasons.is_empty() {
        add("job-printer-state-reasons", &|| {
            job.printer_state_reasons.iter().map(|r| kw(r)).collect()
        });
        add("job-printer-state-message", &|| {
            vec![Value::Text(job.printer_state_message.to_string())]
        });
    }
    add("job-priority", &|| vec![Value::Integer(job.priority)]);
    add("job-hold-until", &|| vec![crate::template::hold_until_value(&job.hold_until)]);
}

/// When it was created, processed and completed, and how far it got.
fn progress_attributes(
    s: &Scheduler,
    job: &Job,
    base: &UriBase,
    add: &mut impl FnMut(&str, &dyn Fn() -> Vec<Value>),
) {
    add("job-printer-up-time", &|| vec![Value::Integer(s.settings.start_time.max(1) as i32)]);
    add("time-at-creation", &|| vec![Value::Integer(job.created as i32)]);
    add("date-time-at-creation", &|| vec![date_time(job.created)]);
    add("time-at-processing", &|| vec![opt_time(job.processing_at)]);
    add("date-time-at-processing", &|| vec![opt_date(job.processing_at)]);
    add("time-at-completed", &|| vec![opt_time(job.completed_at)]);
    add("date-time-at-completed", &|| vec![opt_date(job.completed_at)]);
    add("job-k-octets", &|| {
        vec![Value::Integer(job.k_octets.clamp(0, i64::from(i32::MAX)) as i32)]
    });
    add("job-impressions", &|| vec![job.impressions.map_or(Value::NoValue, Value::Integer)]);
    add("job-impressions-completed", &|| vec![Value::Integer(job.impressions_completed)]);
    add("job-media-sheets-completed", &|| vec![Value::Integer(job.impressions_completed)]);
    add("job-pages-completed", &|| vec![Value::Integer(job.pages_completed)]);
    add("number-of-documents", &|| vec![Value::Integer(job.documents.len() as i32)]);
    // Counting intervening jobs scans the queue: only when asked (Get-Jobs over 10k jobs).
    add("number-of-intervening-jobs", &|| vec![Value::Integer(intervening(s, job))]);
    add("job-more-info", &|| {
        vec![Value::Uri(format!("http://{}/jobs/{}", base.authority, job.id))]
    });
    add("document-format-supplied", &|| {
        job.documents.first().map(|d| Value::MimeMediaType(d.format.clone())).into_iter().collect()
    });
    add("document-name-supplied", &|| {
        job.documents.first().map(|d| Value::Name(d.name.clone())).into_iter().collect()
    });
}

/// How it is divided (split parts, failover, its parent) and whether it is confidential.
fn part_attributes(s: &Scheduler, job: &Job, add: &mut impl FnMut(&str, &dyn Fn() -> Vec<Value>)) {
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
}

/// The client's own attributes, decoded only if one of them is wanted.
fn client_attributes(job: &Job, want: &RequestedSet, out: &mut Vec<Attribute>) {
    // The client's attributes stay encoded; decode them only if one of them is wanted.
    let hidden =
        |n: &str| matches!(n, "job-password" | "job-name" | "job-hold-until" | "job-priority");
    if job.attributes.names().any(|n| !hidden(n) && want.contains(n)) {
        for a in job.attributes.to_vec() {
            if !hidden(&a.name) && want.contains(&a.name) && !out.iter().any(|x| x.name == a.name) {
                out.push(a);
            }
        }
    }
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
