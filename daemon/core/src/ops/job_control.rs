//! A job's state: Cancel-Job, Cancel-Jobs, Cancel-My-Jobs, Cancel-Current-Job, Purge-Jobs,
//! Hold-Job, Release-Job, Restart-Job, Suspend-Current-Job and Resume-Job.

use super::{ok, owned_job_mut};
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{Job, JobState, PrinterState, Release, Scheduler};
use crate::request::Target;
use crate::request::{Request, Requester};
use crate::{schedule, template};
use quire_ipp::Value;

/// The job, for an operation its owner (or an admin) may do; a confidential PIN job is
/// released by whoever has the PIN, so ownership is checked by `check_release`.
fn confidential_or_owned<'a>(
    s: &'a mut Scheduler,
    t: &Target,
    who: &Requester,
) -> IppResult<&'a mut Job> {
    let pin_job = t
        .job(s)
        .ok()
        .and_then(|j| j.confidential.as_ref())
        .is_some_and(|c| c.release == Release::Pin);
    if pin_job {
        t.job_mut(s)
    } else {
        owned_job_mut(s, t, who)
    }
}

/// A split job is printed by its parts: holding, moving or restarting it means doing so
/// to them.
pub(super) fn not_split(job: &Job, what: &str) -> IppResult<()> {
    if job.is_split() {
        let ids: Vec<String> = job.children.iter().map(i32::to_string).collect();
        return Err(IppError::NotPossible(format!(
            "Job #{} was split into jobs {}: {what} those instead.",
            job.id,
            ids.join(", ")
        )));
    }
    Ok(())
}

/// A confidential job nobody has released yet leaves its hold only through Release-Job or
/// CUPS-Authenticate-Job, which check its password or PIN (`confidential::check_release`).
/// Any other change to that hold (a `job-hold-until` of `no-hold`, `resume` or a time, even
/// `indefinite`, which would drop `job-password-wait`) would print it unproven.
pub(super) fn keep_confidential_hold(job: &Job) -> IppResult<()> {
    if job.confidential.as_ref().is_some_and(|c| !c.released) {
        return Err(IppError::NotPossible(format!(
            "Confidential job #{} is released with Release-Job by its owner (or its PIN).",
            job.id
        )));
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

pub fn cancel_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let job = owned_job_mut(s, t, who)?;
    crate::confidential::check_owner(job, who, true)?;
    let id = job.id;
    if job.state.is_terminal() {
        let what = job.state.keyword();
        return Err(IppError::NotPossible(format!("Job #{id} is already {what} - can't cancel.")));
    }
    let purge =
        req.message.operation_attr("purge-job").and_then(|a| a.first_bool()).unwrap_or(false);
    let mut effects = Vec::new();
    crate::lifecycle::terminate(
        s,
        id,
        JobState::Canceled,
        "job-canceled-by-user",
        now,
        &mut effects,
    );
    if purge {
        s.jobs.remove(&id);
        effects.push(Effect::DeleteJob(id));
    }
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// The jobs a Cancel-Jobs / Cancel-My-Jobs / Purge-Jobs request covers.
fn selected_jobs(
    s: &Scheduler,
    req: &Request,
    t: &Target,
    only_user: Option<&str>,
    include_done: bool,
) -> IppResult<Vec<i32>> {
    Ok(selection(s, req, t, only_user, include_done)?.map(|j| j.id).collect())
}

/// The jobs a Cancel-Jobs / Cancel-My-Jobs / Purge-Jobs request covers, walked once.
fn selection<'a>(
    s: &'a Scheduler,
    req: &Request,
    t: &Target,
    only_user: Option<&'a str>,
    include_done: bool,
) -> IppResult<impl Iterator<Item = &'a Job> + 'a> {
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
            return Err(IppError::job_not_found(*missing));
        }
    }
    // Without the finished jobs, only the unfinished ones are walked, not the history.
    let jobs: Box<dyn Iterator<Item = &Job>> = if include_done {
        Box::new(s.jobs.values().map(|j| &**j))
    } else {
        Box::new(s.active_jobs())
    };
    Ok(jobs
        .filter(move |j| queue.as_ref().is_none_or(|q| j.printer.eq_ignore_ascii_case(q)))
        .filter(move |j| only_user.is_none_or(|u| j.owner == u))
        .filter(move |j| wanted.as_ref().is_none_or(|w| w.contains(&j.id))))
}

/// A confidential job among those selected needs the same proof as Cancel-Job (all or
/// nothing: a claimed name cancels none of them).
fn check_confidential_owners(s: &Scheduler, ids: &[i32], who: &Requester) -> IppResult<()> {
    for job in ids.iter().filter_map(|id| s.jobs.get(id)) {
        crate::confidential::check_owner(job, who, true)?;
    }
    Ok(())
}

pub fn cancel_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    // An admin cancels everyone's jobs; anyone else only their own (cupsd's @OWNER rule).
    let only = if who.admin { None } else { Some(who.user.as_str()) };
    let ids = selected_jobs(s, req, t, only, false)?;
    check_confidential_owners(s, &ids, who)?;
    let mut effects = Vec::new();
    for id in ids {
        crate::lifecycle::terminate(
            s,
            id,
            JobState::Canceled,
            "job-canceled-by-user",
            now,
            &mut effects,
        );
    }
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

pub fn cancel_my_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let ids = selected_jobs(s, req, t, Some(&who.user), false)?;
    check_confidential_owners(s, &ids, who)?;
    let mut effects = Vec::new();
    for id in ids {
        crate::lifecycle::terminate(
            s,
            id,
            JobState::Canceled,
            "job-canceled-by-user",
            now,
            &mut effects,
        );
    }
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// The job the target printer is printing, which `who` must own (or administer).
fn current_job(s: &Scheduler, t: &Target, who: &Requester) -> IppResult<i32> {
    let name = &t.printer(s)?.name;
    let current = s.active_jobs().find(|j| {
        j.state == JobState::Processing
            && j.output_device.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(name))
    });
    let Some(job) = current else {
        return Err(IppError::NotPossible("No job is printing.".into()));
    };
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::not_owner(job.id));
    }
    Ok(job.id)
}

pub fn cancel_current_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let id = current_job(s, t, who)?;
    check_confidential_owners(s, &[id], who)?;
    let mut effects = Vec::new();
    crate::lifecycle::terminate(
        s,
        id,
        JobState::Canceled,
        "job-canceled-by-user",
        now,
        &mut effects,
    );
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

pub fn purge_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let only = if who.admin { None } else { Some(who.user.as_str()) };
    // One walk: every id, and apart the few jobs that need more than deleting (unfinished,
    // or confidential), so a purge of a million jobs of history looks none up again.
    let (mut ids, mut notable) = (Vec::new(), Vec::new());
    for j in selection(s, req, t, only, true)? {
        ids.push(j.id);
        if !j.state.is_terminal() || j.confidential.is_some() {
            notable.push(j.id);
        }
    }
    check_confidential_owners(s, &notable, who)?;
    let mut effects = Vec::new();
    for &id in &notable {
        crate::lifecycle::terminate(
            s,
            id,
            JobState::Canceled,
            "job-canceled-by-user",
            now,
            &mut effects,
        );
    }
    // Every job (`cancel -x -a` of a server with one queue): set aside whole, in no time.
    if ids.len() == s.jobs.len() {
        s.jobs.detach_all();
    } else {
        for id in &ids {
            s.jobs.detach(id);
        }
    }
    effects.push(Effect::DeleteJobs(ids));
    // The detached jobs are freed in slices by the timed work, requests served between.
    if s.jobs.detached() > 0 {
        effects.push(Effect::ArmTimer { at: now });
    }
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

pub fn hold_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let until = match req.message.operation_attr("job-hold-until") {
        Some(a) => a
            .first_str()
            .filter(|v| template::valid_hold_until(v) && *v != "no-hold")
            .map(str::to_string)
            .ok_or_else(|| IppError::unsupported("Unsupported job-hold-until value.", a.clone()))?,
        None => "indefinite".into(),
    };
    let job = owned_job_mut(s, t, who)?;
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
    ok(req, effects)
}

/// Holds the job until `until`. A value whose time has already come (`no-hold`, `resume`,
/// day-time at 09:00) does not hold: it releases the job instead, so no job is left held
/// with nothing to release it.
pub(super) fn hold(job: &mut Job, until: &str, now: i64) {
    if template::hold_is_due(until, now) {
        unhold(job);
        return;
    }
    job.state = JobState::Held;
    job.hold_until = until.into();
    job.hold_until_time = template::hold_until_time(until, now);
    job.state_reasons = vec!["job-hold-until-specified".into()];
    job.set_attribute(quire_ipp::Attribute::new(
        "job-hold-until",
        template::hold_until_value(until),
    ));
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

pub fn release_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
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
        let by = if req.pin_ok == Some(true) {
            format!("the PIN holder (claimed: {})", who.user)
        } else {
            who.user.clone()
        };
        effects.push(Effect::Log(format!("[Job {id}] confidential job released by {by}")));
    } else {
        release(job);
    }
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

pub fn restart_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let job = owned_job_mut(s, t, who)?;
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
    if let Some(until) = req
        .message
        .operation_attr("job-hold-until")
        .and_then(|a| a.first_str())
        .filter(|v| template::valid_hold_until(v))
    {
        hold(job, until, now);
    }
    let mut effects = vec![Effect::PersistJob(id)];
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// The current job is stopped (processing-stopped, job-suspended) and the printer freed.
pub fn suspend_current_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let id = current_job(s, t, who)?;
    if let Some(j) = s.jobs.get(&id) {
        crate::confidential::check_owner(j, who, true)?;
    }
    if let Some(j) = s.jobs.get_mut(&id) {
        j.state = JobState::Stopped;
        j.state_reasons = vec!["job-suspended".into()];
        j.output_device = None;
    }
    if let Ok(p) = t.printer_mut(s) {
        p.state = if p.state == PrinterState::Processing { PrinterState::Idle } else { p.state };
        p.state_change_time = now;
    }
    events::emit_job(s, EventKind::JobStopped, id, now);
    let mut effects = vec![Effect::StopJob { job_id: id }, Effect::PersistJob(id)];
    effects.extend(schedule::run(s, now));
    ok(req, effects)
}

/// A suspended job becomes pending again; it restarts from its first page.
pub fn resume_job(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let job = owned_job_mut(s, t, who)?;
    let id = job.id;
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
