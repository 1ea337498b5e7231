//! Job control: cancel, purge, hold, release, restart, set attributes, move.

use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{Job, JobState, Scheduler};
use crate::request::{Request, Requester};
use crate::request::Target;
use crate::{response, schedule, template};
use quire_ipp::{DelimiterTag, Value};

fn job_of<'a>(s: &'a mut Scheduler, t: &Target, who: &Requester) -> IppResult<&'a mut Job> {
    let Target::Job(id) = t else {
        return Err(IppError::BadRequest("Missing job-uri or job-id.".into()));
    };
    let job = s.jobs.get_mut(id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    Ok(job)
}

/// The job, for an operation its owner (or an admin) may do; a confidential PIN job is
/// released by whoever has the PIN, so ownership is checked by `check_release`.
fn confidential_or_owned<'a>(s: &'a mut Scheduler, t: &Target, who: &Requester) -> IppResult<&'a mut Job> {
    let pin_job = matches!(t, Target::Job(id) if s.jobs.get(id).and_then(|j| j.confidential.as_ref()).is_some_and(|c| c.release == crate::model::Release::Pin));
    if !pin_job {
        return job_of(s, t, who);
    }
    let Target::Job(id) = t else { return job_of(s, t, who) };
    s.jobs.get_mut(id).map(|j| &mut **j).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))
}

/// A split job is printed by its parts: holding, moving or restarting it means doing so
/// to them.
fn not_split(job: &Job, what: &str) -> IppResult<()> {
    if job.is_split() {
        let ids: Vec<String> = job.children.iter().map(i32::to_string).collect();
        return Err(IppError::NotPossible(format!("Job #{} was split into jobs {}: {what} those instead.", job.id, ids.join(", "))));
    }
    Ok(())
}

/// A confidential job nobody has released yet leaves its hold only through Release-Job or
/// CUPS-Authenticate-Job, which check its password or PIN (`confidential::check_release`).
/// Any other change to that hold (a `job-hold-until` of `no-hold`, `resume` or a time, even
/// `indefinite`, which would drop `job-password-wait`) would print it unproven.
fn keep_confidential_hold(job: &Job) -> IppResult<()> {
    if job.confidential.as_ref().is_some_and(|c| !c.released) {
        return Err(IppError::NotPossible(format!("Confidential job #{} is released with Release-Job by its owner (or its PIN).", job.id)));
    }
    Ok(())
}

/// A confidential job's documents are destroyed when it ends, and bringing it back would
/// skip its release: it is never restarted.
fn not_confidential(job: &Job, what: &str) -> IppResult<()> {
    if job.confidential.is_some() {
        return Err(IppError::NotPossible(format!("Job #{} is confidential: it cannot be {what}; its documents are destroyed when it ends.", job.id)));
    }
    Ok(())
}

/// A part of a split job may only move to a printer that qualifies for its parent's.
fn check_part_move(s: &Scheduler, id: i32, dest: &str) -> IppResult<()> {
    let Some(job) = s.jobs.get(&id) else { return Ok(()) };
    let (Some(parent), Some(to)) = (job.parent_job_id.and_then(|p| s.jobs.get(&p)), s.printer(dest)) else { return Ok(()) };
    let Some(first) = s.printer(&parent.printer) else { return Ok(()) };
    match crate::security::printer_qualifies(to, first, s.settings.security_rule) {
        Ok(()) => Ok(()),
        Err(why) => Err(IppError::NotPossible(format!("Job #{id} is part of job #{} sent to \"{}\"; \"{}\" does not qualify: {why}.", parent.id, first.name, to.name))),
    }
}

/// A confidential job may move only to a printer that qualifies against the one it is on,
/// so a move cannot carry it to a weaker (or an attacker's) printer.
fn check_confidential_move(s: &Scheduler, job: &Job, dest: &str) -> IppResult<()> {
    if job.confidential.is_none() {
        return Ok(());
    }
    let (Some(from), Some(to)) = (s.printer(&job.printer), s.printer(dest)) else {
        return Err(IppError::NotPossible(format!("Confidential job #{} cannot move to \"{dest}\".", job.id)));
    };
    match crate::security::printer_qualifies(to, from, s.settings.security_rule) {
        Ok(()) => Ok(()),
        Err(why) => Err(IppError::NotPossible(format!("Job #{} is confidential; \"{}\" does not qualify: {why}.", job.id, to.name))),
    }
}

fn done(req: &Request, effects: Vec<Effect>) -> IppResult<Outcome> {
    Ok(Outcome { response: response::ok(&req.message), effects })
}

pub fn cancel_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let job = job_of(s, t, who)?;
    crate::confidential::check_owner(job, who, true)?;
    let id = job.id;
    if job.state.is_terminal() {
        let what = job.state.keyword();
        return Err(IppError::NotPossible(format!("Job #{id} is already {what} - can't cancel.")));
    }
    let purge = req.message.operation_attr("purge-job").and_then(|a| a.first_bool()).unwrap_or(false);
    let mut effects = Vec::new();
    crate::lifecycle::terminate(s, id, JobState::Canceled, "job-canceled-by-user", now, &mut effects);
    if purge {
        s.jobs.remove(&id);
        effects.push(Effect::DeleteJob(id));
    }
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

/// The jobs a Cancel-Jobs / Cancel-My-Jobs / Purge-Jobs request covers.
fn selected_jobs(s: &Scheduler, req: &Request, t: &Target, only_user: Option<&str>, include_done: bool) -> IppResult<Vec<i32>> {
    let queue = match t {
        Target::Printer(key) => s.printer(key).map(|p| p.name.clone()),
        _ => None,
    };
    let wanted: Option<Vec<i32>> = req
        .message
        .operation_attr("job-ids")
        .map(|a| a.values.iter().filter_map(Value::as_i32).collect());
    if let Some(ids) = &wanted {
        if let Some(missing) = ids.iter().find(|id| !s.jobs.contains_key(id)) {
            return Err(IppError::NotFound(format!("Job #{missing} does not exist.")));
        }
    }
    Ok(s.jobs
        .values()
        .filter(|j| include_done || !j.state.is_terminal())
        .filter(|j| queue.as_ref().is_none_or(|q| j.printer.eq_ignore_ascii_case(q)))
        .filter(|j| only_user.is_none_or(|u| j.owner == u))
        .filter(|j| wanted.as_ref().is_none_or(|w| w.contains(&j.id)))
        .map(|j| j.id)
        .collect())
}

/// A confidential job among those selected needs the same proof as Cancel-Job (all or
/// nothing: a claimed name cancels none of them).
fn check_confidential_owners(s: &Scheduler, ids: &[i32], who: &Requester) -> IppResult<()> {
    for job in ids.iter().filter_map(|id| s.jobs.get(id)) {
        crate::confidential::check_owner(job, who, true)?;
    }
    Ok(())
}

pub fn cancel_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    // An admin cancels everyone's jobs; anyone else only their own (cupsd's @OWNER rule).
    let only = if who.admin { None } else { Some(who.user.as_str()) };
    let ids = selected_jobs(s, req, t, only, false)?;
    check_confidential_owners(s, &ids, who)?;
    let mut effects = Vec::new();
    for id in ids {
        crate::lifecycle::terminate(s, id, JobState::Canceled, "job-canceled-by-user", now, &mut effects);
    }
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn cancel_my_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let ids = selected_jobs(s, req, t, Some(&who.user), false)?;
    check_confidential_owners(s, &ids, who)?;
    let mut effects = Vec::new();
    for id in ids {
        crate::lifecycle::terminate(s, id, JobState::Canceled, "job-canceled-by-user", now, &mut effects);
    }
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn cancel_current_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let Target::Printer(key) = t else {
        return Err(IppError::NotFound("The printer or class does not exist.".into()));
    };
    let name = s.printer(key).map(|p| p.name.clone()).unwrap_or_default();
    let current = s
        .jobs
        .values()
        .find(|j| j.state == JobState::Processing && j.output_device.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&name)))
        .map(|j| (j.id, j.owner.clone()));
    let Some((id, owner)) = current else {
        return Err(IppError::NotPossible("No job is printing.".into()));
    };
    if !who.may_manage_job(&owner) {
        return Err(IppError::NotAuthorized(format!("You are not the owner of job #{id}.")));
    }
    check_confidential_owners(s, &[id], who)?;
    let mut effects = Vec::new();
    crate::lifecycle::terminate(s, id, JobState::Canceled, "job-canceled-by-user", now, &mut effects);
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn purge_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let only = if who.admin { None } else { Some(who.user.as_str()) };
    let ids = selected_jobs(s, req, t, only, true)?;
    check_confidential_owners(s, &ids, who)?;
    let mut effects = Vec::new();
    for id in ids {
        crate::lifecycle::terminate(s, id, JobState::Canceled, "job-canceled-by-user", now, &mut effects);
        s.jobs.remove(&id);
        effects.push(Effect::DeleteJob(id));
    }
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn hold_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let until = match req.message.operation_attr("job-hold-until") {
        Some(a) => a.first_str().filter(|v| template::valid_hold_until(v) && *v != "no-hold").map(str::to_string).ok_or_else(|| {
            IppError::unsupported("Unsupported job-hold-until value.", a.clone())
        })?,
        None => "indefinite".into(),
    };
    let job = job_of(s, t, who)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    not_split(job, "hold")?;
    keep_confidential_hold(job)?;
    if !matches!(job.state, JobState::Pending | JobState::Held) {
        return Err(IppError::NotPossible(format!("Job #{id} is not pending - can't hold.")));
    }
    hold(job, &until, now);
    let mut effects = vec![Effect::PersistJob(id)];
    if let Some(at) = s.jobs.get(&id).and_then(|j| j.hold_until_time) {
        effects.push(Effect::ArmTimer { at });
    }
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    // A hold whose time has already come ("resume", an open window) released the job.
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

/// Holds the job until `until`. A value whose time has already come (`no-hold`, `resume`,
/// day-time at 09:00) does not hold: it releases the job instead, so no job is left held
/// with nothing to release it.
fn hold(job: &mut Job, until: &str, now: i64) {
    if template::hold_is_due(until, now) {
        unhold(job);
        return;
    }
    job.state = JobState::Held;
    job.hold_until = until.into();
    job.hold_until_time = template::hold_until_time(until, now);
    job.state_reasons = vec!["job-hold-until-specified".into()];
    job.set_attribute(quire_ipp::Attribute::new("job-hold-until", template::hold_until_value(until)));
}

fn release(job: &mut Job) {
    job.state = JobState::Pending;
    job.hold_until = "no-hold".into();
    job.hold_until_time = None;
    job.state_reasons = vec!["none".into()];
    job.remove_attribute("job-hold-until");
}

/// Takes away the job's hold: a held job becomes pending (an open one waits for its last
/// document); a pending one just forgets its `job-hold-until`.
fn unhold(job: &mut Job) {
    if job.state == JobState::Held && !job.open {
        release(job);
    } else {
        job.hold_until = "no-hold".into();
        job.hold_until_time = None;
        job.remove_attribute("job-hold-until");
    }
}

pub fn release_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let job = confidential_or_owned(s, t, who)?;
    let id = job.id;
    not_split(job, "release")?;
    if job.state != JobState::Held || job.open {
        return Err(IppError::NotPossible(format!("Job #{id} is not held.")));
    }
    let mut effects = vec![Effect::PersistJob(id)];
    if job.confidential.is_some() {
        if let Err(e) = crate::confidential::check_release(job, who, req) {
            // A wrong PIN is counted (and kept) even though the release fails.
            if crate::confidential::note_wrong_pin(job, req) {
                return Ok(Outcome { response: crate::response::error(&req.message, &e), effects });
            }
            return Err(e);
        }
        crate::confidential::release(job);
        // A PIN proves who holds it, not who they are: the name is only what they claimed.
        let by = if req.pin_ok == Some(true) { format!("the PIN holder (claimed: {})", who.user) } else { who.user.clone() };
        effects.push(Effect::Log(format!("[Job {id}] confidential job released by {by}")));
    } else {
        release(job);
    }
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn restart_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let job = job_of(s, t, who)?;
    let id = job.id;
    not_split(job, "restart")?;
    crate::confidential::check_owner(job, who, true)?;
    not_confidential(job, "restarted")?;
    if !job.state.is_terminal() {
        return Err(IppError::NotPossible(format!("Job #{id} is not complete.")));
    }
    if job.files_purged || job.documents.is_empty() {
        return Err(IppError::NotPossible(format!("Job #{id} cannot be restarted - no files.")));
    }
    job.completed_at = None;
    job.impressions_completed = 0;
    job.pages_completed = 0;
    job.state_message.clear();
    release(job);
    if let Some(until) = req.message.operation_attr("job-hold-until").and_then(|a| a.first_str()).filter(|v| template::valid_hold_until(v)) {
        hold(job, until, now);
    }
    let mut effects = vec![Effect::PersistJob(id)];
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn set_job_attributes(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let attrs = req.message.group(DelimiterTag::Job).map(|g| g.attributes.clone()).unwrap_or_default();
    if attrs.is_empty() {
        return Err(IppError::BadRequest("No job attributes to set.".into()));
    }
    if let Some(bad) = attrs.iter().find(|a| !crate::attrs::settable::JOB_ATTRIBUTES.contains(&a.name.as_str())) {
        return Err(IppError::NotSettable(format!("The \"{}\" attribute cannot be changed.", bad.name), vec![bad.clone()]));
    }
    let job = job_of(s, t, who)?;
    let id = job.id;
    crate::confidential::check_owner(job, who, true)?;
    if job.state.is_terminal() || job.state == JobState::Processing {
        return Err(IppError::NotPossible(format!("Job #{id} is finished or printing and cannot be altered.")));
    }
    if attrs.iter().any(|a| a.name == "job-hold-until") {
        keep_confidential_hold(job)?;
    }
    // All or nothing (RFC 3380 section 4.2): check every value before changing anything.
    for a in &attrs {
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
    // Changed on a copy: new values count in the owner's spool quota (and the cap) first.
    let mut changed = job.clone();
    for a in attrs {
        match a.name.as_str() {
            "job-hold-until" => hold(&mut changed, a.first_str().unwrap_or("no-hold"), now),
            "job-priority" => changed.priority = a.first_i32().unwrap_or(changed.priority),
            "job-name" => {
                changed.name = a.first_str().unwrap_or("").into();
                changed.set_attribute(a);
            }
            _ => changed.set_attribute(a),
        }
    }
    let before = s.jobs.get(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    crate::quota::check_growth(s, before, &changed)?;
    if let Some(job) = s.jobs.get_mut(&id) {
        **job = changed;
    }
    let mut effects = vec![Effect::PersistJob(id)];
    if let Some(at) = s.jobs.get(&id).and_then(|j| j.hold_until_time).filter(|t| *t > now) {
        effects.push(Effect::ArmTimer { at });
    }
    events::emit_job(s, EventKind::JobConfigChanged, id, now);
    effects.extend(schedule::run(s, now));
    done(req, effects)
}

pub fn move_job(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let dest_uri = req
        .message
        .attr(DelimiterTag::Job, "job-printer-uri")
        .and_then(|a| a.first_str())
        .ok_or_else(|| IppError::BadRequest("Missing job-printer-uri attribute.".into()))?;
    let path = crate::request::uri_path(dest_uri)?;
    let dest_name = path
        .strip_prefix("/printers/")
        .or_else(|| path.strip_prefix("/classes/"))
        .ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    let dest = s.printer(dest_name).map(|p| p.name.clone()).ok_or_else(|| IppError::NotFound(format!("The printer or class \"{dest_name}\" does not exist.")))?;
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
        let job = job_of(s, t, who)?;
        crate::confidential::check_owner(job, who, true)?;
        if let Some(mut effects) = crate::failover::choose(s, *id, &dest, who, now)? {
            effects.extend(schedule::run(s, now));
            return done(req, effects);
        }
    }
    // All or nothing: check every job before moving any.
    for &id in &ids {
        let job = job_of(s, &Target::Job(id), who)?;
        if job.state.is_terminal() {
            return Err(IppError::NotPossible(format!("Job #{id} is finished and cannot be altered.")));
        }
        not_split(job, "move")?;
        crate::confidential::check_owner(job, who, true)?;
        let job = s.jobs.get(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
        check_confidential_move(s, job, &dest)?;
        check_part_move(s, id, &dest)?;
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
    done(req, effects)
}
