//! Job queries: Get-Job-Attributes, Get-Jobs.

use crate::effect::Outcome;
use crate::error::{IppError, IppResult};
use crate::model::{Job, JobState, Scheduler};
use crate::request::Target;
use crate::request::{Request, Requester};
use crate::response;
use quire_ipp::registry::{expand_requested, ObjectKind, RequestedSet};
use quire_ipp::{DelimiterTag, Group, Message, Value};

fn requested(msg: &Message, default: &[&str], kind: ObjectKind) -> RequestedSet {
    let names: Vec<&str> = match msg.operation_attr("requested-attributes") {
        Some(a) => a.strs().collect(),
        None => default.to_vec(),
    };
    expand_requested(&names, kind)
}

pub fn get_job_attributes(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let job = t.job(s)?;
    let want = requested(&req.message, &["all"], ObjectKind::Job);
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Job);
    g.attributes = crate::attrs::job::job_attributes(s, job, &req.base, &want);
    crate::confidential::hide_private(&mut g.attributes, job, who);
    crate::privacy::of_job(s, job, who).strip(&mut g.attributes, crate::privacy::JOB_KEPT);
    resp.push_group(g);
    Ok(Outcome { response: resp, effects: Vec::new() })
}

const WHICH_JOBS: &[&str] = &[
    "completed",
    "not-completed",
    "all",
    "aborted",
    "canceled",
    "pending",
    "pending-held",
    "processing",
    "processing-stopped",
    "fetchable",
    "proof-print",
    "saved",
];

pub fn get_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let msg = &req.message;
    let which = match msg.operation_attr("which-jobs") {
        Some(a) => match a.first_str() {
            Some(w) if WHICH_JOBS.contains(&w) => w.to_string(),
            _ => return Err(IppError::unsupported("Unsupported which-jobs value.", a.clone())),
        },
        None => "not-completed".into(),
    };
    let my_jobs = msg.operation_attr("my-jobs").and_then(|a| a.first_bool()).unwrap_or(false);
    let user = msg
        .operation_attr("requesting-user-name")
        .and_then(|a| a.first_str())
        .unwrap_or(&who.user)
        .to_string();
    let limit = super::int_attr(msg, "limit")?.unwrap_or(i32::MAX).max(0) as usize;
    let first_index = super::int_attr(msg, "first-index")?.unwrap_or(1).max(1) as usize;
    let job_ids: Option<Vec<i32>> =
        msg.operation_attr("job-ids").map(|a| a.values.iter().filter_map(Value::as_i32).collect());
    if job_ids.is_some() && msg.operation_attr("which-jobs").is_some() {
        return Err(IppError::Conflicting(
            "job-ids and which-jobs cannot be used together.".into(),
        ));
    }
    let queue = match t {
        Target::Printer(key) => s.printer(key).map(|p| p.name.clone()),
        _ => None,
    };
    let keep = |j: &&Job| {
        queue.as_ref().is_none_or(|q| j.printer.eq_ignore_ascii_case(q))
            && (!my_jobs || j.owner == user)
            && match &job_ids {
                Some(ids) => ids.contains(&j.id),
                None => matches_which(j.state, &which),
            }
    };
    // Finished jobs most recently completed first (ties: lowest id first, as cupsd), others
    // oldest first. Lazily, so a page of `limit` jobs from `first-index` walks only the jobs up to
    // its end, never the whole history, and nothing is collected.
    let all = s.jobs.values().map(|j| &**j);
    let unfinished = matches!(
        which.as_str(),
        "not-completed" | "pending" | "pending-held" | "processing" | "processing-stopped"
    );
    // With job-ids, which-jobs is not given: its default says nothing.
    let jobs: Box<dyn Iterator<Item = &Job>> = if job_ids.is_some() {
        Box::new(all)
    } else if unfinished {
        // The jobs still to print only, not the history.
        Box::new(s.jobs.active().into_iter())
    } else if matches!(which.as_str(), "completed" | "aborted" | "canceled") {
        // cupsd's completed-jobs order, from the index by completion time.
        Box::new(s.jobs.finished_newest_first())
    } else {
        Box::new(all)
    };
    let want = requested(msg, &["job-uri", "job-id"], ObjectKind::Job);
    let mut resp = response::ok(msg);
    for job in jobs.filter(keep).skip(first_index - 1).take(limit) {
        let mut g = Group::new(DelimiterTag::Job);
        g.attributes = crate::attrs::job::job_attributes(s, job, &req.base, &want);
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
