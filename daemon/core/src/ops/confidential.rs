//! The operations of confidential jobs beyond the standard ones: CUPS-Authenticate-Job on a
//! confidential job, and Quire-Release-My-Jobs.

use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::model::{Job, JobState, Release, Scheduler};
use crate::request::{AuthMethod, Request, Requester, Target};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// Quire-Release-My-Jobs: every held confidential job of the (password-authenticated)
/// requester, on the target printer or all printers, released at once in submission
/// order. PIN jobs need their own PIN and are left held.
pub fn release_my_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    if who.method != AuthMethod::Password {
        return Err(IppError::NotAuthenticated);
    }
    let on = match t {
        Target::Printer(key) => s.printers.get(key).map(|p| p.name.clone()),
        _ => None,
    };
    let mine = |j: &Job| {
        j.owner.as_ref() == who.user
            && j.state == JobState::Held
            && !j.open
            && on.as_ref().is_none_or(|p| j.printer.eq_ignore_ascii_case(p))
    };
    let (mut ids, mut pin_ids) = (Vec::new(), Vec::new());
    for j in s.jobs.values().filter(|j| mine(j)) {
        match j.confidential.as_ref().map(|c| c.release) {
            Some(Release::Owner) => ids.push(j.id),
            Some(Release::Pin) => pin_ids.push(j.id),
            None => {}
        }
    }
    // BTreeMap order is id order, which is submission order.
    let mut effects = Vec::new();
    for id in &ids {
        if let Some(job) = s.jobs.get_mut(id) {
            crate::confidential::release(job);
            effects.push(Effect::PersistJob(*id));
        }
        crate::events::emit_job(s, crate::events::EventKind::JobStateChanged, *id, now);
    }
    let list: Vec<String> = ids.iter().map(i32::to_string).collect();
    effects.push(Effect::Log(format!(
        "{} released confidential jobs [{}] in one authentication",
        who.user,
        list.join(", ")
    )));
    effects.extend(crate::schedule::run(s, now));
    let mut resp = crate::response::ok(&req.message);
    let message = match (ids.is_empty(), pin_ids.is_empty()) {
        (true, true) => "You have no held confidential jobs.".to_string(),
        (false, true) => format!("Released {} job(s): {}.", ids.len(), list.join(", ")),
        (_, false) => {
            let pins: Vec<String> = pin_ids.iter().map(i32::to_string).collect();
            format!(
                "Released {} job(s){}; job(s) {} need their PIN.",
                ids.len(),
                if ids.is_empty() { String::new() } else { format!(": {}", list.join(", ")) },
                pins.join(", ")
            )
        }
    };
    crate::response::set_status_message(&mut resp, &message);
    if !ids.is_empty() {
        let mut g = quire_ipp::Group::new(quire_ipp::DelimiterTag::Job);
        g.push(Attribute::set(
            v::RELEASED_JOB_IDS,
            ids.iter().map(|i| Value::Integer(*i)).collect(),
        ));
        resp.push_group(g);
    }
    Ok(Outcome { response: resp, effects })
}

/// CUPS-Authenticate-Job on a confidential job: the release, with the proof the request
/// carries (a password on the connection, or `job-password`).
pub fn authenticate_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let Target::Job(id) = t else {
        return Err(IppError::BadRequest("Missing job-uri or job-id.".into()));
    };
    let confidential = s
        .jobs
        .get(id)
        .ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?
        .confidential
        .is_some();
    if !confidential {
        return Err(IppError::NotPossible(format!("Job #{id} does not need authentication.")));
    }
    super::job_control::release_job(s, req, t, who, now)
}
