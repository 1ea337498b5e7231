//! Failover: when a job's printer stops mid-job (media-empty, jam, offline, any error
//! state) for longer than the queue's grace time, the unprinted remainder moves to a
//! printer at least as secure as the one the user chose, on facts an administrator vouches
//! for ([`crate::security::printer_qualifies`]).
//!
//! The job's own device job is stopped first and its final count read back from the
//! device, so the remainder starts exactly after the last page printed
//! ([`remainder`]). The job then becomes the parent of a record of what the stopped
//! printer printed and of continuation jobs ([`handoff`]): the user still sees one job.
//! Until the hand-off starts, a printer that recovers simply goes on printing the job.
//!
//! Phases, on [`Failover`]: watching (grace time) → awaiting-choice (manual) or
//! no-qualified-printer (the job waits; checked again every [`RECHECK`] seconds) →
//! handing-off (stopping and counting) → failed-over. A recovery before handing-off ends
//! the watch (`resumed`).

pub mod handoff;
pub mod remainder;

use crate::effect::Effect;
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{
    Failover, FailoverMode, Job, JobState, Phase, Printer, Scheduler, DEFAULT_GRACE,
};
use crate::request::Requester;
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// Seconds between checks for a qualifying printer while none is.
pub const RECHECK: i64 = 10;
/// The job's mode: its own `quire-failover`, else its root queue's policy.
pub fn mode_of(s: &Scheduler, job: &Job) -> FailoverMode {
    if let Some(m) =
        job.attribute(v::FAILOVER).and_then(|a| a.first_str().and_then(FailoverMode::from_keyword))
    {
        return m;
    }
    root_queue(s, job).map_or(FailoverMode::None, |p| p.failover.mode)
}

/// The queue the user chose: that of the job, or of its topmost parent (split or failover).
pub fn root_queue<'a>(s: &'a Scheduler, job: &'a Job) -> Option<&'a Printer> {
    let mut top = job;
    for _ in 0..16 {
        match top.parent_job_id.and_then(|p| s.jobs.get(&p)) {
            Some(parent) => top = parent,
            None => break,
        }
    }
    s.printer(&top.printer)
}

fn grace_of(s: &Scheduler, job: &Job) -> i64 {
    root_queue(s, job).map_or(DEFAULT_GRACE, |p| p.failover.grace)
}

/// The device's fault, if it reports one that stops the job: any error state, and
/// `offline-report` (the printer is off or unreachable).
pub fn fault_of(p: &Printer) -> Option<String> {
    let stopping: Vec<&str> = p
        .device
        .reasons
        .iter()
        .map(String::as_str)
        .filter(|r| {
            r.starts_with("offline") || (!r.ends_with("-report") && !r.ends_with("-warning"))
        })
        .collect();
    if stopping.is_empty() {
        return None;
    }
    let msg = p.device.message.trim();
    Some(if msg.is_empty() {
        stopping.join(", ")
    } else {
        format!("{}: {msg}", stopping.join(", "))
    })
}

/// Checks a new job's `quire-failover` (step one of submission).
pub fn check_request(attrs: &[Attribute]) -> IppResult<()> {
    match attrs.iter().find(|a| a.name == v::FAILOVER) {
        Some(a) if a.first_str().and_then(FailoverMode::from_keyword).is_none() => {
            Err(IppError::Unsupported {
                message: format!(
                    "Unsupported {} \"{}\" (none, auto or manual).",
                    v::FAILOVER,
                    a.first_str().unwrap_or("")
                ),
                attributes: vec![a.clone()],
            })
        }
        _ => Ok(()),
    }
}

/// The device printing job `id` reported a new state: a fault starts the watch, a
/// recovery before the hand-off ends it (the job goes on where it is).
pub fn device_changed(s: &mut Scheduler, id: i32, now: i64) -> Vec<Effect> {
    let Some(job) = s.jobs.get(&id).filter(|j| j.state == JobState::Processing) else {
        return Vec::new();
    };
    let device = job.output_device.as_deref().unwrap_or(&job.printer).to_string();
    let fault = s.printer(&device).and_then(fault_of);
    let (mode, grace) = (mode_of(s, job), grace_of(s, job));
    let phase = job.failover.as_ref().map(|f| f.phase);
    let done = job.impressions_completed;
    let mut effects = Vec::new();
    let Some(job) = s.jobs.get_mut(&id) else { return effects };
    match (phase, fault) {
        (None | Some(Phase::Resumed), Some(fault)) if mode != FailoverMode::None => {
            let log = job.failover.take().map(|f| f.log).unwrap_or_default();
            let mut f = Failover {
                phase: Phase::Watching,
                from: device.clone(),
                since: now,
                target: None,
                fault: fault.clone(),
                log,
            };
            let text = format!("\"{device}\" stopped ({fault}) after {done} impressions; failover ({}) in {grace} s unless it recovers", mode.keyword());
            f.note(now, &text, &mut effects, id);
            job.failover = Some(Box::new(f));
            effects.push(Effect::ArmTimer { at: now + grace + 1 });
        }
        (Some(p), Some(fault)) if p.is_waiting() => {
            if let Some(f) = job.failover.as_mut() {
                f.fault = fault;
            }
        }
        (Some(p), None) if p.is_waiting() => {
            let Some(f) = job.failover.as_mut() else { return effects };
            f.phase = Phase::Resumed;
            let text = format!("\"{}\" recovered: the job goes on there", f.from);
            f.note(now, &text, &mut effects, id);
            job.clear_reason(v::REASON_FAILOVER_CHOICE);
            job.clear_reason(v::REASON_FAILOVER_NO_QUALIFIED);
            job.state_message = format!("{}.", capitalize(&text)).into();
            events::emit_job_text(
                s,
                EventKind::JobStateChanged,
                id,
                &format!("{}.", capitalize(&text)),
                now,
            );
        }
        _ => return effects,
    }
    effects.push(Effect::PersistJob(id));
    effects
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// When a watched job is next due: the end of its grace time, or its next recheck.
fn due_at(s: &Scheduler, job: &Job) -> Option<i64> {
    let f = job.failover.as_ref().filter(|_| job.state == JobState::Processing)?;
    match f.phase {
        Phase::Watching => Some(f.since + grace_of(s, job) + 1),
        Phase::NoQualified => Some(f.since + RECHECK),
        _ => None,
    }
}

/// The next time [`fire`] has something to do.
pub fn next_due(s: &Scheduler) -> Option<i64> {
    s.active_jobs().filter_map(|j| due_at(s, j)).min()
}

/// Timed work: watches whose grace time ended, and jobs waiting for a qualifying printer.
pub fn fire(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let due: Vec<i32> =
        s.active_jobs().filter(|j| due_at(s, j).is_some_and(|t| t <= now)).map(|j| j.id).collect();
    due.into_iter().flat_map(|id| decide(s, id, now)).collect()
}

/// A printer that may take the remainder, or why not.
pub struct Candidate {
    pub name: String,
    pub refused: Option<String>,
    /// Estimated seconds to finish its own backlog plus `pages` more.
    finish: (u128, u128),
}

/// Every other printer, with why it cannot take job `job`'s remainder (None: it can).
pub fn candidates(s: &Scheduler, job: &Job) -> Vec<Candidate> {
    let Some(first) = root_queue(s, job) else { return Vec::new() };
    let from = job.output_device.as_deref().unwrap_or(&job.printer);
    let left = u128::from(remaining_pages(job));
    s.printers
        .values()
        .filter(|p| !p.is_class && !p.name.eq_ignore_ascii_case(from))
        .map(|p| Candidate {
            name: p.name.clone(),
            refused: crate::split::unavailable(s, p, first, &job.owner),
            finish: (
                u128::from(crate::split::backlog(s, &p.name, job.id)) + left,
                u128::from(crate::split::ppm(p).max(1)),
            ),
        })
        .collect()
}

fn remaining_pages(job: &Job) -> u64 {
    let shape = remainder::shape_of(job);
    let rem = remainder::remainder(&shape, job.impressions_completed.max(0) as u32);
    rem.rest.iter().map(|p| p.impressions).sum::<u64>().max(1)
}

/// The qualifying candidate that finishes soonest (ties: by name).
fn best(cands: &[Candidate]) -> Option<&Candidate> {
    cands.iter().filter(|c| c.refused.is_none()).min_by(|a, b| {
        (a.finish.0 * b.finish.1).cmp(&(b.finish.0 * a.finish.1)).then(a.name.cmp(&b.name))
    })
}

/// One line per candidate for the user: "vault: biometric, …; level 5; idle".
pub fn describe(s: &Scheduler, c: &Candidate) -> String {
    let Some(p) = s.printer(&c.name) else { return c.name.clone() };
    let state = if p.device.is_stopped() {
        format!("{} ({})", p.state.keyword(), p.device.reasons.join(", "))
    } else {
        p.state.keyword().to_string()
    };
    match &c.refused {
        None => format!("{}: {}; {state}", p.name, p.security.describe()),
        Some(why) => format!("{}: does not qualify: {why}", p.name),
    }
}

/// The grace time ended (or a recheck is due): move the remainder, ask the user, or wait.
fn decide(s: &mut Scheduler, id: i32, now: i64) -> Vec<Effect> {
    let Some(job) = s.jobs.get(&id) else { return Vec::new() };
    let mode = mode_of(s, job);
    let cands = candidates(s, job);
    let qualified: Vec<String> =
        cands.iter().filter(|c| c.refused.is_none()).map(|c| describe(s, c)).collect();
    let best = best(&cands).map(|c| c.name.clone());
    let Some(f) = job.failover.as_ref() else { return Vec::new() };
    let head = format!(
        "\"{}\" stopped ({}) after {} of {} impressions.",
        f.from,
        f.fault,
        job.impressions_completed,
        total_text(job)
    );
    let first = root_queue(s, job)
        .map(|p| format!("\"{}\" ({})", p.name, p.security.describe()))
        .unwrap_or_default();
    match (mode, best) {
        (FailoverMode::Auto, Some(target)) => start_handoff(
            s,
            id,
            &target,
            "picked automatically: qualifies and finishes soonest",
            now,
        ),
        (_, None) => {
            let refused: Vec<String> = cands.iter().map(|c| describe(s, c)).collect();
            let untrusted = root_queue(s, job).and_then(crate::security::untrusted);
            let why = match untrusted {
                // Every candidate is refused for the same reason: say it once.
                Some(why) => format!("{why}, so no printer can be shown to be at least as secure"),
                None if refused.is_empty() => "there is no other printer".to_string(),
                None => refused.join("; "),
            };
            let text = format!("{head} No other printer qualifies for this job, sent to {first}: {why}. The job waits: fix the fault on \"{}\" and it goes on there, or cancel it.", f.from);
            wait(s, id, Phase::NoQualified, v::REASON_FAILOVER_NO_QUALIFIED, &text, now)
        }
        (_, Some(_)) => {
            let text = format!("{head} Choose a printer for the rest with \"quire failover {id} PRINTER\" (or lpmove): {}. If \"{}\" recovers first, the job goes on there.", qualified.join("; "), f.from);
            wait(s, id, Phase::AwaitingChoice, v::REASON_FAILOVER_CHOICE, &text, now)
        }
    }
}

fn total_text(job: &Job) -> String {
    match remainder::shape_of(job) {
        remainder::Shape::Pages { selection, copies } => {
            (selection.len() as u64 * u64::from(copies)).to_string()
        }
        remainder::Shape::Copies { per_copy, copies } => {
            (u64::from(per_copy) * u64::from(copies)).to_string()
        }
        remainder::Shape::Unknown { .. } => "an unknown number of".into(),
    }
}

/// The job waits in `phase` with `reason`; the user is told once per phase.
fn wait(
    s: &mut Scheduler,
    id: i32,
    phase: Phase,
    reason: &str,
    text: &str,
    now: i64,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(job) = s.jobs.get_mut(&id) else { return effects };
    let Some(f) = job.failover.as_mut() else { return effects };
    let changed = f.phase != phase;
    f.phase = phase;
    f.since = now;
    if !changed {
        effects.push(Effect::PersistJob(id));
        return effects;
    }
    f.note(now, text, &mut effects, id);
    job.clear_reason(v::REASON_FAILOVER_CHOICE);
    job.clear_reason(v::REASON_FAILOVER_NO_QUALIFIED);
    job.set_reason(reason);
    job.state_message = text.into();
    events::emit_job_text(s, EventKind::JobStateChanged, id, text, now);
    effects.push(Effect::PersistJob(id));
    effects
}

/// Stops the job's device job so that its final count can be read; the hand-off itself
/// happens when the run ends ([`handoff::finish`]).
fn start_handoff(s: &mut Scheduler, id: i32, target: &str, why: &str, now: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(job) = s.jobs.get_mut(&id) else { return effects };
    let Some(f) = job.failover.as_mut() else { return effects };
    f.phase = Phase::HandingOff;
    f.since = now;
    f.target = Some(target.to_string());
    let text =
        format!("stopping the job on \"{}\" to move the rest to \"{target}\" ({why})", f.from);
    f.note(now, &text, &mut effects, id);
    job.clear_reason(v::REASON_FAILOVER_CHOICE);
    job.clear_reason(v::REASON_FAILOVER_NO_QUALIFIED);
    job.state_message = format!("{}.", capitalize(&text)).into();
    events::emit_job_text(
        s,
        EventKind::JobStateChanged,
        id,
        &format!("{}.", capitalize(&text)),
        now,
    );
    effects.push(Effect::PersistJob(id));
    effects.push(Effect::StopJob { job_id: id });
    effects
}

/// The user picks `dest` for the remainder of job `id` (CUPS-Move-Job while its printer
/// is stopped). `Ok(None)`: the job is not waiting on a stopped printer (an ordinary move).
pub fn choose(
    s: &mut Scheduler,
    id: i32,
    dest: &str,
    who: &Requester,
    now: i64,
) -> IppResult<Option<Vec<Effect>>> {
    let Some(job) = s.jobs.get(&id) else { return Ok(None) };
    let Some(f) =
        job.failover.as_ref().filter(|f| f.phase.is_waiting() && job.state == JobState::Processing)
    else {
        return Ok(None);
    };
    if s.printer(dest).is_some_and(|p| p.is_class) {
        return Err(IppError::NotPossible(format!(
            "\"{dest}\" is a class: choose one printer for the rest of job {id}."
        )));
    }
    let cands = candidates(s, job);
    let Some(c) = cands.iter().find(|c| c.name.eq_ignore_ascii_case(dest)) else {
        return Err(IppError::NotPossible(format!(
            "Job {id} is already on \"{dest}\", which stopped ({}); choose another printer.",
            f.fault
        )));
    };
    if let Some(why) = &c.refused {
        return Err(IppError::NotPossible(format!(
            "Printer \"{}\" cannot take the rest of job {id}: {why}.",
            c.name
        )));
    }
    let name = c.name.clone();
    Ok(Some(start_handoff(s, id, &name, &format!("chosen by {}", who.user), now)))
}

/// Failover attributes of a job, for queries.
pub fn job_attributes(s: &Scheduler, job: &Job) -> Vec<Attribute> {
    let Some(f) = job.failover.as_ref() else { return Vec::new() };
    let log = f.log.iter().map(|l| Value::Text(l.clone())).collect();
    let mut out = vec![
        Attribute::new(v::FAILOVER_STATE, Value::Keyword(f.phase.keyword().into())),
        Attribute::set(v::FAILOVER_LOG, log),
    ];
    if f.phase.is_waiting() {
        let list: Vec<Value> =
            candidates(s, job).iter().map(|c| Value::Text(describe(s, c))).collect();
        if !list.is_empty() {
            out.push(Attribute::set(v::FAILOVER_CANDIDATES, list));
        }
    }
    out
}

#[cfg(test)]
#[path = "failover_tests.rs"]
mod tests;
