//! A job's own transitions that every layer above may cause: ending it (cancel, abort,
//! expiry), and closing it once its last document arrived. Below the scheduler: these change
//! the job and free its printer; the caller runs the scheduler afterwards.

use crate::effect::Effect;
use crate::events::{self, EventKind};
use crate::model::{JobState, PrinterState, Scheduler};

/// Moves a job to a terminating state, stopping its backend if it is printing.
pub fn terminate(
    s: &mut Scheduler,
    id: i32,
    state: JobState,
    reason: &str,
    now: i64,
    effects: &mut Vec<Effect>,
) {
    let Some(job) = s.jobs.get_mut(&id) else { return };
    if job.state.is_terminal() {
        return;
    }
    let was_processing = job.state == JobState::Processing;
    let device = job.output_device.clone();
    job.state = state;
    job.state_reasons = vec![reason.into()];
    job.completed_at = Some(now);
    job.open = false;
    let children = job.children.clone();
    effects.push(Effect::PersistJob(id));
    if was_processing && children.is_empty() {
        effects.push(Effect::StopJob { job_id: id });
        free_device(s, device.as_deref(), now);
    }
    // Ending a split job ends its parts.
    for child in children {
        terminate(s, child, state, reason, now, effects);
    }
    events::emit_job(s, EventKind::JobCompleted, id, now);
}

pub fn free_device(s: &mut Scheduler, device: Option<&str>, now: i64) {
    if let Some(p) = device.and_then(|d| s.printer_mut(d)) {
        if p.state == PrinterState::Processing {
            p.state = PrinterState::Idle;
            p.state_change_time = now;
        }
    }
}

/// The last document arrived: the job becomes pending (or held). The caller then runs the
/// scheduler, which may start it.
pub fn close(s: &mut Scheduler, id: i32, now: i64) {
    let Some(job) = s.jobs.get_mut(&id) else { return };
    job.open = false;
    job.clear_reason("job-incoming");
    if job.documents.is_empty() {
        job.state = JobState::Aborted;
        job.completed_at = Some(now);
        job.set_reason("aborted-by-system");
        job.state_message = "No documents in job.".into();
        events::emit_job(s, EventKind::JobCompleted, id, now);
    } else if job.state == JobState::Held && job.hold_until == "no-hold" {
        // No event: cupsd sends none when the last document arrives (the job's start is
        // the next one).
        job.state = JobState::Pending;
        job.state_reasons = vec!["none".into()];
    }
}
