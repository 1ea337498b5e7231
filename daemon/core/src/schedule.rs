//! Choosing which pending job prints where, finishing jobs, and timed work.

use crate::effect::Effect;
use crate::events::{self, EventKind};
use crate::model::{Job, JobState, Phase, Printer, PrinterState, Scheduler};

/// How a backend run ended (mirrors the CUPS backend exit codes).
#[derive(Debug, Clone, PartialEq)]
pub enum JobResult {
    Completed,
    /// The device failed; the printer's error policy decides what happens.
    Failed(String),
    /// The backend asks to cancel the job (CUPS_BACKEND_CANCEL).
    Cancel(String),
    /// The document cannot be printed (corrupt, no pages): the job is aborted with
    /// `document-format-error`, whatever the error policy; the queue goes on.
    DocumentError(String),
    /// A Print-URI document could not be fetched: aborted with `document-access-error`.
    DocumentAccessError(String),
    /// The backend asks to hold the job (CUPS_BACKEND_HOLD).
    Hold(String),
    /// The backend asks to stop the queue (CUPS_BACKEND_STOP).
    StopPrinter(String),
    /// The device wants credentials (CUPS_BACKEND_AUTH_REQUIRED): hold the job.
    AuthRequired(String),
    /// Retry the job after `JobRetryInterval`, whatever the policy (CUPS_BACKEND_RETRY).
    Retry(String),
    /// Retry the job at once on the same printer (CUPS_BACKEND_RETRY_CURRENT).
    RetryCurrent(String),
    /// Stopped on request (cancel, hold, move); the state was already set by the operation.
    Stopped,
}

/// Starts every pending job that has a free printer. Returns the effects.
pub fn run(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    // Jobs that ask to be split are divided first: their parts are what prints.
    let mut effects = crate::split::decide_pending(s, now);
    let mut pending: Vec<(i32, i32)> = s
        .jobs
        .values()
        .filter(|j| j.state == JobState::Pending && !j.open && !j.is_split())
        .map(|j| (-j.priority, j.id))
        .collect();
    pending.sort_unstable();
    for (_, id) in pending {
        let Some(queue) = s.jobs.get(&id).map(|j| j.printer.clone()) else { continue };
        let Some(device) = free_printer_for(s, &queue) else { continue };
        if let Some(p) = s.printer_mut(&device) {
            p.state = PrinterState::Processing;
            p.state_change_time = now;
        }
        let Some(job) = s.jobs.get_mut(&id) else { continue };
        job.state = JobState::Processing;
        job.processing_at = Some(now);
        job.output_device = Some(device.as_str().into());
        // The user keeps seeing why the job was not split.
        job.state_reasons.retain(|r| r == quire_ipp::vendor::REASON_NO_QUALIFIED_PRINTER);
        job.state_reasons.insert(0, "job-printing".into());
        job.run = job.run.wrapping_add(1);
        let run = job.run;
        // The queue first, then the job, in cupsd's order.
        events::emit_printer(s, EventKind::PrinterStateChanged, &device, now);
        events::emit_job(s, EventKind::JobStateChanged, id, now);
        effects.push(Effect::PersistJob(id));
        effects.push(Effect::StartJob { job_id: id, printer: device, run });
    }
    effects.extend(crate::split::parts::settle(s, now));
    effects
}

/// An idle, enabled printer that can take a job for `queue` (itself, or a class member).
/// A stopped (paused) queue, printer or class, starts nothing.
fn free_printer_for(s: &Scheduler, queue: &str) -> Option<String> {
    let q = s.printer(queue)?;
    if q.state == PrinterState::Stopped {
        return None;
    }
    let idle =
        |name: &str| s.printer(name).is_some_and(|p| !p.is_class && p.state == PrinterState::Idle);
    if q.is_class {
        q.members
            .iter()
            .find(|m| idle(m))
            .map(|m| s.printer(m).map(|p| p.name.clone()).unwrap_or_else(|| m.clone()))
    } else if idle(&q.name) {
        Some(q.name.clone())
    } else {
        None
    }
}

/// The device reported progress on run `run_id` of job `id` (reports of an earlier run are
/// ignored).
pub fn job_progress(s: &mut Scheduler, id: i32, run_id: u32, pages: i32, now: i64) -> Vec<Effect> {
    let Some(job) = s.jobs.get_mut(&id) else { return Vec::new() };
    if job.state != JobState::Processing || job.run != run_id || pages <= job.impressions_completed
    {
        return Vec::new();
    }
    job.impressions_completed = pages;
    job.pages_completed = pages;
    let split_part = job.parent_job_id.is_some();
    events::emit_job(s, EventKind::JobProgress, id, now);
    let mut effects = vec![Effect::PersistJob(id)];
    if split_part {
        effects.extend(crate::split::parts::settle(s, now));
    }
    effects
}

/// The device accepted run `run_id` of job `id` as its job `device_job`: remembered, so
/// that after a restart the backend follows that job instead of printing it again.
pub fn device_job(s: &mut Scheduler, id: i32, run_id: u32, device_job: i32) -> Vec<Effect> {
    match s.jobs.get_mut(&id) {
        Some(job) if job.state == JobState::Processing && job.run == run_id => {
            job.device_job = Some(device_job);
            vec![Effect::PersistJob(id)]
        }
        _ => Vec::new(),
    }
}

/// Jobs that were printing when the daemon stopped go back to pending; one the device had
/// accepted keeps its `device_job`, so its backend follows it rather than printing it again
/// (cupsd restarts every job from the start). Split jobs stay as they are: their children
/// print. Returns the effects of scheduling and the first timer.
pub fn recover(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut handing_off = Vec::new();
    let printing: Vec<i32> = s
        .active_jobs()
        .filter(|j| j.state == JobState::Processing && !j.is_split())
        .map(|j| j.id)
        .collect();
    for id in printing {
        let Some(job) = s.jobs.get_mut(&id) else { continue };
        if job.failover.as_ref().is_some_and(|f| f.phase == Phase::HandingOff) {
            // Its device job is stopped and counted by a run of its own, then handed off.
            job.run = job.run.wrapping_add(1);
            let device = job.output_device.as_deref().unwrap_or(&job.printer).to_string();
            handing_off.push(device.clone());
            effects.push(Effect::PersistJob(job.id));
            effects.push(Effect::StartJob { job_id: job.id, printer: device, run: job.run });
            continue;
        }
        job.state = JobState::Pending;
        job.state_reasons = vec!["none".into()];
        job.output_device = None;
        effects.push(Effect::PersistJob(job.id));
    }
    for p in s.printers.values_mut().filter(|p| p.state == PrinterState::Processing) {
        p.state = PrinterState::Idle;
    }
    for name in handing_off {
        if let Some(p) = s.printer_mut(&name).filter(|p| p.state == PrinterState::Idle) {
            p.state = PrinterState::Processing;
        }
    }
    effects.extend(crate::temporary::forget_unused_temporary(s, now));
    effects.extend(fire(s, now));
    effects
}

/// A backend finished run `run_id` of job `id` (the `run` of its `Effect::StartJob`).
pub fn job_finished(
    s: &mut Scheduler,
    id: i32,
    run_id: u32,
    result: JobResult,
    now: i64,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(job) = s.jobs.get_mut(&id) else { return effects };
    let device = job.output_device.clone().unwrap_or_else(|| job.printer.clone());
    let policy = s.printer(&device).map(|p| p.error_policy.clone()).unwrap_or_default();
    let (interval, limit) = (s.settings.job_retry_interval, s.settings.job_retry_limit);
    let Some(job) = s.jobs.get_mut(&id) else { return effects };
    let mut stop_printer: Option<String> = None;
    // A job stopped by an operation (cancel, move) already freed its printer, which may
    // be printing another job by now: leave it alone. The same goes for a report of an
    // earlier run of a job that was restarted or moved and prints again (maybe elsewhere).
    let was_processing = job.state == JobState::Processing && job.run == run_id;
    let phase = job.failover.as_ref().map(|f| f.phase);
    // Stopped to hand the rest to another printer: the count is final now.
    let hand_off =
        was_processing && phase == Some(Phase::HandingOff) && result != JobResult::Completed;
    if was_processing && !hand_off {
        // That device job is over, whatever happens next.
        job.device_job = None;
        if let Some(f) =
            job.failover.as_mut().filter(|f| f.phase.is_waiting() || f.phase == Phase::HandingOff)
        {
            // The run ended on its own: the watch is over (the error policy applies).
            f.phase = Phase::Resumed;
            f.log.push(crate::model::log_line(
                now,
                &format!("the run on \"{}\" ended before the hand-off ({result:?})", f.from),
            ));
        }
        stop_printer = apply_result(job, result, &policy, interval, limit, now);
    }
    effects.push(Effect::PersistJob(id));
    if let Some(at) = job.hold_until_time.filter(|_| job.state == JobState::Held) {
        effects.push(Effect::ArmTimer { at });
    }
    let terminal = job.state.is_terminal();
    // The job's event comes before its printer's change, as in cupsd.
    if !hand_off {
        let kind = if terminal { EventKind::JobCompleted } else { EventKind::JobStateChanged };
        events::emit_job(s, kind, id, now);
    }
    if let Some(p) = s.printer_mut(&device).filter(|_| was_processing) {
        after_run(p, stop_printer, now, &mut effects);
    }
    if hand_off {
        effects.extend(crate::failover::handoff::finish(s, id, now));
    }
    events::emit_printer(s, EventKind::PrinterStateChanged, &device, now);
    effects.extend(history(s, now));
    effects.extend(run(s, now));
    effects
}

/// How a run ended, applied to its job (a failed run as cupsd's `printer-error-policy`
/// says); the message to stop the printer with, if it stops.
fn apply_result(
    job: &mut Job,
    result: JobResult,
    policy: &str,
    interval: i64,
    limit: u32,
    now: i64,
) -> Option<String> {
    let mut stop_printer = None;
    match result {
        JobResult::Completed => {
            finish(job, JobState::Completed, "job-completed-successfully", "", now)
        }
        JobResult::Cancel(m) => finish(job, JobState::Canceled, "job-canceled-by-system", &m, now),
        JobResult::DocumentError(m) => {
            finish(job, JobState::Aborted, "document-format-error", &m, now)
        }
        JobResult::DocumentAccessError(m) => {
            finish(job, JobState::Aborted, "document-access-error", &m, now)
        }
        JobResult::Hold(m) => hold(job, "job-hold-until-specified", &m),
        JobResult::AuthRequired(m) => hold(job, "cups-held-for-authentication", &m),
        JobResult::StopPrinter(m) => {
            requeue(job, &m);
            stop_printer = Some(m);
        }
        JobResult::Retry(m) => retry_later(job, &m, interval, limit, now),
        JobResult::RetryCurrent(m) => requeue(job, &m),
        // cupsd's printer-error-policy, applied to a failed run.
        JobResult::Failed(m) => match policy {
            "abort-job" => finish(job, JobState::Aborted, "aborted-by-system", &m, now),
            "retry-job" => retry_later(job, &m, interval, limit, now),
            "retry-current-job" => requeue(job, &m),
            _ => {
                requeue(job, &m);
                stop_printer = Some(m);
            }
        },
        JobResult::Stopped => {}
    }
    stop_printer
}

/// The printer of a run that ended: the device's reasons belonged to that run; it stops
/// (`stop`: with this message) or is idle again.
fn after_run(p: &mut Printer, stop: Option<String>, now: i64, effects: &mut Vec<Effect>) {
    // The device's reasons belonged to that run; the next run reports afresh.
    p.device.reasons.clear();
    p.device.message.clear();
    if let Some(m) = stop {
        p.state = PrinterState::Stopped;
        p.state_message = m;
        if !p.state_reasons.iter().any(|r| r == "paused") {
            p.state_reasons.push("paused".into());
        }
        effects.push(Effect::PersistPrinter(p.name.to_ascii_lowercase()));
    } else if p.state == PrinterState::Processing {
        p.state = PrinterState::Idle;
    }
    p.state_change_time = now;
}

fn finish(job: &mut Job, state: JobState, reason: &str, message: &str, now: i64) {
    job.state = state;
    // A job that could not be split says so to the end.
    let unsplit =
        job.state_reasons.iter().any(|r| r == quire_ipp::vendor::REASON_NO_QUALIFIED_PRINTER);
    job.state_reasons = vec![reason.into()];
    if unsplit {
        job.state_reasons.push(quire_ipp::vendor::REASON_NO_QUALIFIED_PRINTER.into());
    }
    if !(unsplit && message.is_empty()) {
        job.state_message = message.into();
    }
    job.completed_at = Some(now);
}

fn hold(job: &mut Job, reason: &str, message: &str) {
    job.state = JobState::Held;
    job.hold_until = "indefinite".into();
    job.hold_until_time = None;
    job.state_reasons = vec![reason.into()];
    job.state_message = message.into();
    job.output_device = None;
}

/// retry-job: the job waits `interval` seconds and runs again, until it has failed
/// `limit` times (then it is aborted, as cupsd does).
fn retry_later(job: &mut Job, message: &str, interval: i64, limit: u32, now: i64) {
    job.tries = job.tries.saturating_add(1);
    if limit > 0 && u32::from(job.tries) >= limit {
        let m = format!("Job aborted after {} unsuccessful attempts: {message}", job.tries);
        finish(job, JobState::Aborted, "aborted-by-system", &m, now);
        return;
    }
    job.state = JobState::Held;
    job.hold_until_time = Some(now + interval.max(1));
    job.state_reasons = vec!["job-hold-until-specified".into()];
    job.state_message =
        format!("Job held for {interval} seconds since it could not be sent: {message}").into();
    job.output_device = None;
}

fn requeue(job: &mut Job, message: &str) {
    job.state = JobState::Pending;
    job.state_reasons = vec!["none".into()];
    job.state_message = message.into();
    job.output_device = None;
}

/// Timed work: held jobs whose hold time came, open jobs that timed out, expired
/// subscriptions, job history and files past their preservation time. Returns effects
/// and arms the next timer.
pub fn fire(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    let due: Vec<i32> = s
        .active_jobs()
        .filter(|j| j.state == JobState::Held && j.hold_until_time.is_some_and(|t| t <= now))
        .map(|j| j.id)
        .collect();
    for id in due {
        if let Some(job) = s.jobs.get_mut(&id) {
            job.state = JobState::Pending;
            job.hold_until = "no-hold".into();
            job.hold_until_time = None;
            job.state_reasons = vec!["none".into()];
            effects.push(Effect::PersistJob(id));
        }
        events::emit_job(s, EventKind::JobStateChanged, id, now);
    }
    let timeout = s.settings.multiple_operation_timeout;
    let stale: Vec<i32> = s
        .jobs
        .active()
        .into_iter()
        .filter(|j| j.open && j.created + timeout <= now)
        .map(|j| j.id)
        .collect();
    for id in stale {
        // Like cupsd's default multiple-operation-time-out-action, close what arrived.
        effects.push(Effect::PersistJob(id));
        crate::lifecycle::close(s, id, now);
        effects.extend(run(s, now));
    }
    let expired: Vec<i32> = s
        .subscriptions
        .values()
        .filter(|x| x.expires_at.is_some_and(|t| t <= now))
        .map(|x| x.id)
        .collect();
    for id in expired {
        s.subscriptions.remove(&id);
        effects.push(Effect::DeleteSubscription(id));
    }
    effects.extend(crate::failover::fire(s, now));
    crate::confidential::expire(s, now, &mut effects);
    effects.extend(crate::temporary::expire_temporary(s, now));
    crate::stuck::cancel_overdue(s, now, &mut effects);
    effects.extend(history(s, now));
    effects.extend(run(s, now));
    if let Some(at) = next_timer(s, now) {
        effects.push(Effect::ArmTimer { at });
    }
    effects
}

/// Finished jobs deleted or purged of their files in one go of timed work: history expiry
/// of a million jobs works in slices, with requests served between them.
pub const HISTORY_SLICE: usize = 5_000;

/// Applies PreserveJobHistory / PreserveJobFiles to finished jobs, the earliest first, at
/// most [`HISTORY_SLICE`] of each at a time (then a timer is armed for now: the rest goes
/// after the requests waiting).
fn history(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    let delete = match s.settings.preserve_job_history {
        Some(k) => s.jobs.finished_until(now.saturating_sub(k), None, HISTORY_SLICE),
        None => Vec::new(),
    };
    // A confidential job's documents are shredded as soon as it ends.
    let mut purge = s.jobs.finished_until(now, Some(true), HISTORY_SLICE);
    if let Some(k) = s.settings.preserve_job_files {
        purge.extend(s.jobs.finished_until(now.saturating_sub(k), Some(false), HISTORY_SLICE));
    }
    let more = delete.len() == HISTORY_SLICE || purge.len() >= HISTORY_SLICE;
    for id in purge.into_iter().filter(|id| !delete.contains(id)) {
        if let Some(job) = s.jobs.get_mut(&id) {
            job.files_purged = true;
            effects.push(Effect::PurgeJobFiles(id));
            effects.push(Effect::PersistJob(id));
        }
    }
    for id in &delete {
        s.jobs.remove(id);
    }
    if !delete.is_empty() {
        effects.push(Effect::DeleteJobs(delete));
    }
    // Jobs a purge detached are freed here, a slice at a time.
    if more | s.jobs.bury(HISTORY_SLICE * 4) {
        effects.push(Effect::ArmTimer { at: now });
    }
    effects
}

/// The next time `fire` has something to do.
pub fn next_timer(s: &Scheduler, now: i64) -> Option<i64> {
    let mut next: Option<i64> = None;
    let mut consider = |t: i64| {
        let t = t.max(now + 1);
        next = Some(next.map_or(t, |n| n.min(t)));
    };
    for j in s.jobs.active() {
        if j.state == JobState::Held {
            if let Some(t) = j.hold_until_time {
                consider(t);
            }
        }
        if j.open {
            consider(j.created + s.settings.multiple_operation_timeout);
        }
    }
    // Finished jobs: the earliest of each index is the next due.
    if let (Some(k), Some(done)) = (s.settings.preserve_job_history, s.jobs.first_finished(None)) {
        consider(done.saturating_add(k));
    }
    if let Some(done) = s.jobs.first_finished(Some(true)) {
        consider(done);
    }
    if let (Some(k), Some(done)) =
        (s.settings.preserve_job_files, s.jobs.first_finished(Some(false)))
    {
        consider(done.saturating_add(k));
    }
    for sub in s.subscriptions.values() {
        if let Some(t) = sub.expires_at {
            consider(t);
        }
    }
    if let Some(t) = crate::failover::next_due(s) {
        consider(t);
    }
    if let Some(t) = crate::confidential::next_expiry(s) {
        consider(t);
    }
    for p in s.printers.values().filter(|p| p.temporary) {
        if let Some(t) = crate::temporary::temporary_expiry(s, p) {
            consider(t);
        }
    }
    if let Some(t) = crate::stuck::next_deadline(s) {
        consider(t);
    }
    next
}
