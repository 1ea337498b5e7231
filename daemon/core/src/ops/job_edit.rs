//! What a job is, where and when it prints: Set-Job-Attributes, CUPS-Move-Job, Promote-Job
//! and Schedule-Job-After.

use super::{ok, owned_job_mut};
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{Job, JobState, Scheduler};
use crate::request::{Request, Requester, Target};
use crate::{schedule, template};
use quire_ipp::{Attribute, DelimiterTag};

pub fn set_job_attributes(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let attrs =
        req.message.group(DelimiterTag::Job).map(|g| g.attributes.clone()).unwrap_or_default();
    if attrs.is_empty() {
        return Err(IppError::BadRequest("No job attributes to set.".into()));
    }
    if let Some(bad) =
        attrs.iter().find(|a| !crate::attrs::settable::JOB_ATTRIBUTES.contains(&a.name.as_str()))
    {
        return Err(IppError::NotSettable(
            format!("The \"{}\" attribute cannot be changed.", bad.name),
            vec![bad.clone()],
        ));
    }
    let job = owned_job_mut(s, t, who)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    if job.state.is_terminal() || job.state == JobState::Processing {
        return Err(IppError::NotPossible(format!(
            "Job #{id} is finished or printing and cannot be altered."
        )));
    }
    if attrs.iter().any(|a| a.name == "job-hold-until") {
        super::job_control::keep_confidential_hold(job)?;
    }
    // All or nothing (RFC 3380 section 4.2): check every value before changing anything.
    check_values(&attrs)?;
    // Changed on a copy: new values count in the owner's spool quota (and the cap) first.
    let mut changed = job.clone();
    apply(&mut changed, attrs, now);
    let before = s.job(id)?;
    crate::quota::check_growth(s, before, &changed)?;
    if let Some(job) = s.jobs.get_mut(&id) {
        *job = changed;
    }
    let mut effects = vec![Effect::PersistJob(id)];
    if let Some(at) = s.jobs.get(&id).and_then(|j| j.hold_until_time).filter(|t| *t > now) {
        effects.push(Effect::ArmTimer { at });
    }
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

pub fn move_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let dest = destination(s, req)?;
    let ids: Vec<i32> = match t {
        Target::Job(id) => vec![*id],
        Target::Printer(key) => {
            let src = s.printer(key).map(|p| p.name.clone()).unwrap_or_default();
            s.active_jobs().filter(|j| j.printer.eq_ignore_ascii_case(&src)).map(|j| j.id).collect()
        }
        _ => return Err(IppError::BadRequest("Missing job or printer.".into())),
    };
    // A job waiting on its stopped printer moves only its remainder (failover by choice).
    if let Target::Job(id) = t {
        let job = owned_job_mut(s, t, who)?;
        crate::confidential::check_owner(job, who, true)?;
        if let Some(mut effects) = crate::failover::choose(s, *id, &dest, who, now)? {
            effects.extend(schedule::run(s, now));
            return ok(req, effects);
        }
    }
    // All or nothing: check every job before moving any.
    for &id in &ids {
        check_movable(s, id, &dest, who)?;
    }
    let mut effects = Vec::new();
    for id in ids {
        let Some(job) = s.jobs.get_mut(&id) else { continue };
        let device = job.output_device.take();
        if job.state == JobState::Processing {
            job.state = JobState::Pending;
            job.state_reasons = vec!["none".into()];
            effects.push(Effect::StopJob { job_id: id });
            crate::lifecycle::free_device(s, device.as_deref(), now);
        }
        if let Some(job) = s.jobs.get_mut(&id) {
            job.printer = dest.as_str().into();
            // The old device's job means nothing to the new one.
            job.device_job = None;
        }
        effects.push(Effect::PersistJob(id));
        events::emit_job(s, EventKind::JobConfigChanged, id, now);
    }
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// The values Set-Job-Attributes checks beyond their syntax.
fn check_values(attrs: &[Attribute]) -> IppResult<()> {
    for a in attrs {
        match a.name.as_str() {
            "job-hold-until" if !a.first_str().is_some_and(template::valid_hold_until) => {
                return Err(IppError::unsupported("Unsupported job-hold-until value.", a.clone()));
            }
            "job-priority" if !a.first_i32().is_some_and(|p| (1..=100).contains(&p)) => {
                return Err(IppError::unsupported("Bad job-priority value.", a.clone()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Sets the (checked) attributes on `job`.
fn apply(job: &mut Job, attrs: Vec<Attribute>, now: i64) {
    for a in attrs {
        match a.name.as_str() {
            "job-hold-until" => {
                super::job_control::hold(job, a.first_str().unwrap_or("no-hold"), now)
            }
            "job-priority" => job.priority = a.first_i32().unwrap_or(job.priority),
            "job-name" => {
                job.name = a.first_str().unwrap_or("").into();
                job.set_attribute(a);
            }
            _ => job.set_attribute(a),
        }
    }
}

/// CUPS-Move-Job's `job-printer-uri`: the name of the printer or class it names.
fn destination(s: &Scheduler, req: &Request) -> IppResult<String> {
    let dest_uri = req
        .message
        .attr(DelimiterTag::Job, "job-printer-uri")
        .and_then(|a| a.first_str())
        .ok_or_else(|| IppError::BadRequest("Missing job-printer-uri attribute.".into()))?;
    let path = crate::request::uri_path(dest_uri)?;
    let dest_name = path
        .strip_prefix("/printers/")
        .or_else(|| path.strip_prefix("/classes/"))
        .ok_or_else(IppError::printer_not_found)?;
    s.printer(dest_name).map(|p| p.name.clone()).ok_or_else(|| {
        IppError::NotFound(format!("The printer or class \"{dest_name}\" does not exist."))
    })
}

/// May `who` move job `id` to `dest`?
fn check_movable(s: &mut Scheduler, id: i32, dest: &str, who: &Requester) -> IppResult<()> {
    let job = owned_job_mut(s, &Target::Job(id), who)?;
    if job.state.is_terminal() {
        return Err(IppError::NotPossible(format!("Job #{id} is finished and cannot be altered.")));
    }
    super::job_control::not_split(job, "move")?;
    crate::confidential::check_owner(job, who, true)?;
    let job = s.job(id)?;
    check_confidential_move(s, job, dest)?;
    check_part_move(s, id, dest)
}

/// A part of a split job may only move to a printer that qualifies for its parent's.
fn check_part_move(s: &Scheduler, id: i32, dest: &str) -> IppResult<()> {
    let Some(job) = s.jobs.get(&id) else { return Ok(()) };
    let (Some(parent), Some(to)) =
        (job.parent_job_id.and_then(|p| s.jobs.get(&p)), s.printer(dest))
    else {
        return Ok(());
    };
    let Some(first) = s.printer(&parent.printer) else { return Ok(()) };
    match crate::security::printer_qualifies(to, first, s.settings.security_rule) {
        Ok(()) => Ok(()),
        Err(why) => Err(IppError::NotPossible(format!(
            "Job #{id} is part of job #{} sent to \"{}\"; \"{}\" does not qualify: {why}.",
            parent.id, first.name, to.name
        ))),
    }
}

/// A confidential job may move only to a printer that qualifies against the one it is on,
/// so a move cannot carry it to a weaker (or an attacker's) printer.
fn check_confidential_move(s: &Scheduler, job: &Job, dest: &str) -> IppResult<()> {
    if job.confidential.is_none() {
        return Ok(());
    }
    let (Some(from), Some(to)) = (s.printer(&job.printer), s.printer(dest)) else {
        return Err(IppError::NotPossible(format!(
            "Confidential job #{} cannot move to \"{dest}\".",
            job.id
        )));
    };
    match crate::security::printer_qualifies(to, from, s.settings.security_rule) {
        Ok(()) => Ok(()),
        Err(why) => Err(IppError::NotPossible(format!(
            "Job #{} is confidential; \"{}\" does not qualify: {why}.",
            job.id, to.name
        ))),
    }
}

/// The job prints next: it takes the highest priority (an operator operation).
pub fn promote_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let job = t.job_mut(s)?;
    let id = job.id;
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
pub fn schedule_job_after(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let after = req.message.operation_attr("job-after-id").and_then(|a| a.first_i32());
    let priority = match after {
        Some(a) => s.job(a)?.priority,
        None => 1,
    };
    let job = t.job_mut(s)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    if !matches!(job.state, JobState::Pending | JobState::Held) {
        return Err(IppError::NotPossible(format!("Job #{id} is not pending.")));
    }
    job.priority = priority;
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    ok(req, vec![Effect::PersistJob(id)])
}
