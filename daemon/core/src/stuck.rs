//! `MaxJobTime` and `job-cancel-after`: a job printing for longer than that is cancelled,
//! as cupsd cancels a "stuck" job (job-state canceled; the reason here is the registered
//! `job-canceled-after-timeout`, where cupsd says `job-canceled-by-user`). The clock starts
//! when the job starts processing, fetching its document included, so a Print-URI document
//! served a byte at a time cannot hold its printer forever.

use crate::effect::Effect;
use crate::model::{Job, JobState, Scheduler};

/// The job-state-reasons keyword of a job cancelled for taking too long.
pub const REASON: &str = "job-canceled-after-timeout";

/// Seconds job `j` may print: its `job-cancel-after`, else `MaxJobTime` (None: no limit).
fn limit(s: &Scheduler, j: &Job) -> Option<(i64, &'static str)> {
    let own = j.attribute("job-cancel-after").and_then(|a| a.first_i32()).filter(|n| *n > 0);
    match own {
        Some(n) => Some((i64::from(n), "job-cancel-after")),
        None => (s.settings.max_job_time > 0).then_some((s.settings.max_job_time, "MaxJobTime")),
    }
}

/// When job `j` must be done printing, if it is printing and has a limit. A split job's
/// parts print it, each on its own clock.
pub fn deadline(s: &Scheduler, j: &Job) -> Option<i64> {
    if j.state != JobState::Processing || j.is_split() {
        return None;
    }
    let (secs, _) = limit(s, j)?;
    Some(j.processing_at?.saturating_add(secs))
}

/// Cancels every job printing past its limit (its backend is stopped).
pub fn cancel_overdue(s: &mut Scheduler, now: i64, effects: &mut Vec<Effect>) {
    let due: Vec<(i32, i64, &'static str)> = s
        .jobs
        .values()
        .filter(|j| deadline(s, j).is_some_and(|d| d <= now))
        .filter_map(|j| limit(s, j).map(|(secs, what)| (j.id, secs, what)))
        .collect();
    for (id, secs, what) in due {
        crate::lifecycle::terminate(s, id, JobState::Canceled, REASON, now, effects);
        let message = format!("Canceling stuck job after {secs} seconds ({what}).");
        if let Some(job) = s.jobs.get_mut(&id) {
            job.state_message = message.as_str().into();
        }
        effects.push(Effect::Log(format!("[Job {id}] {message}")));
    }
}

/// The earliest deadline of a printing job.
pub fn next_deadline(s: &Scheduler) -> Option<i64> {
    s.active_jobs().filter_map(|j| deadline(s, j)).min()
}
