//! The print engine: one job at a time in arrival order, one impression every 60/ppm seconds.
//!
//! An impression is logged (and the log flushed) before it is counted, so whatever reads
//! `job-impressions-completed` never sees a page the log does not have. A page that is in
//! flight when the printer stops (jam, runtime fault) is neither logged nor counted, and is
//! printed again after `repair`: nothing is lost and nothing is printed twice.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{watch, Notify};

use crate::json;
use crate::state::{unix_ms, JobState, Slot, State, MULTIPLE_OPERATION_TIMEOUT};

/// The printer state plus the signals the tasks share.
pub struct Shared {
    state: Mutex<State>,
    /// Wakes the engine when a job, document, cancel or repair may let it move on.
    pub wake: Notify,
    /// Whether the IPP listener must be closed (refuse-connections).
    pub refuse: watch::Sender<bool>,
}

impl Shared {
    pub fn new(state: State) -> Arc<Shared> {
        let refuse = watch::Sender::new(state.faults.refuse_connections);
        Arc::new(Shared { state: Mutex::new(state), wake: Notify::new(), refuse })
    }

    /// Locks the state. A poisoned lock is taken over: every change under it is a few field
    /// writes, and a simulator that keeps answering is more useful than one that panics.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the engine and the listener that the state changed.
    pub fn changed(&self) {
        self.wake.notify_one();
        let refuse = self.lock().faults.refuse_connections;
        self.refuse.send_if_modified(|r| std::mem::replace(r, refuse) != refuse);
    }
}

/// What the engine does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Wait,
    Print { job: i32, slot: Slot },
}

/// Picks the next impression, finishing, cancelling or timing out jobs on the way.
pub fn next_step(st: &mut State) -> Step {
    loop {
        let Some(job) = st.jobs.iter().find(|j| !j.state.is_terminal()) else {
            return Step::Wait;
        };
        let id = job.id;
        if job.cancel_requested {
            st.finish(
                id,
                JobState::Canceled,
                "job-canceled-by-user",
                "Canceled by the user.".into(),
            );
            continue;
        }
        if let Some(slot) = job.next_slot() {
            if st.stopped() {
                return Step::Wait;
            }
            let now = st.stamp();
            if let Some(job) = st.job_mut(id) {
                job.state = JobState::Processing;
                job.processing.get_or_insert(now);
            }
            st.in_flight = Some(id);
            return Step::Print { job: id, slot };
        }
        if job.is_done() {
            complete(st, id);
            continue;
        }
        if job.receiving == 0 && job.touched.elapsed() >= MULTIPLE_OPERATION_TIMEOUT {
            // No Send-Document came in time: print what arrived (RFC 8011 section 5.4.31).
            if let Some(job) = st.job_mut(id) {
                job.open = false;
            }
            continue;
        }
        return Step::Wait;
    }
}

/// A closed job with nothing left to print: completed, or aborted if it never had pages.
fn complete(st: &mut State, id: i32) {
    let (printed, docs) = st.job(id).map_or((0, 0), |j| (j.printed, j.docs.len()));
    if docs == 0 {
        st.finish(id, JobState::Aborted, "aborted-by-system", "The job has no documents.".into());
    } else {
        let msg = format!("Printed {printed} impressions.");
        st.finish(id, JobState::Completed, "job-completed-successfully", msg);
    }
}

/// Records one impression that finished printing: jam check, page log, counters, faults.
pub fn commit(st: &mut State, id: i32, slot: &Slot) {
    st.in_flight = None;
    let stopped_meanwhile = st.stopped();
    if st.faults.jam_left == Some(0) && !stopped_meanwhile {
        st.faults.jam_left = None;
        st.faults.jammed = true;
        eprintln!("quire-sim: paper jam on job {id} page {}", slot.page);
    }
    let Some(job) = st.job(id).filter(|j| !j.state.is_terminal()) else {
        return;
    };
    if st.stopped() || job.next_slot().as_ref() != Some(slot) {
        // Not printed: it is printed again once the printer runs.
        finish_if_canceled(st, id);
        return;
    }
    let line = page_line(&st.opts.name, job, slot);
    if let Err(e) = st.log_line(&line) {
        eprintln!("quire-sim: page log: {e}");
    }
    if let Some(job) = st.job_mut(id) {
        job.printed = job.printed.saturating_add(1);
        job.sheets = job.sheets.saturating_add(u32::from(slot.new_sheet));
    }
    st.total_impressions = st.total_impressions.saturating_add(1);
    let f = &mut st.faults;
    f.jam_left = f.jam_left.map(|n| n.saturating_sub(1));
    if let Some(n) = f.media_left {
        f.media_left = n.checked_sub(1).filter(|&left| left > 0);
        if f.media_left.is_none() {
            f.media_empty = true;
            eprintln!("quire-sim: out of paper after job {id} page {}", slot.page);
        }
    }
    finish_if_canceled(st, id);
    if st.job(id).is_some_and(|j| j.is_done() && !j.state.is_terminal()) {
        complete(st, id);
    }
}

fn finish_if_canceled(st: &mut State, id: i32) {
    if st.job(id).is_some_and(|j| j.cancel_requested) {
        st.finish(id, JobState::Canceled, "job-canceled-by-user", "Canceled by the user.".into());
    }
}

/// One page-log record.
pub fn page_line(printer: &str, job: &crate::state::Job, slot: &Slot) -> String {
    json::Object::new()
        .str("printer", printer)
        .raw("job-id", job.id)
        .str("job-name", &job.name)
        .str("user", &job.user)
        .raw("document", slot.document)
        .raw("copy", slot.copy)
        .raw("page", slot.page)
        .raw("marker", json::opt_string(slot.marker.as_deref()))
        .raw("ms", unix_ms())
        .finish()
}

/// The time one impression takes; zero for `--ppm 0`.
pub fn page_time(ppm: u32) -> Duration {
    match ppm {
        0 => Duration::ZERO,
        n => Duration::from_secs_f64(60.0 / f64::from(n)),
    }
}

/// Runs forever, printing.
pub async fn run(shared: Arc<Shared>) {
    let interval = page_time(shared.lock().opts.ppm);
    loop {
        let step = {
            let mut st = shared.lock();
            let step = next_step(&mut st);
            st.note_state();
            step
        };
        match step {
            Step::Wait => {
                // Wakes are stored (notify_one), so none is missed; the timeout is for the
                // multiple-operation time-out of open jobs.
                let _ = tokio::time::timeout(Duration::from_secs(1), shared.wake.notified()).await;
            }
            Step::Print { job, slot } => {
                if interval.is_zero() {
                    tokio::task::yield_now().await;
                } else {
                    tokio::time::sleep(interval).await;
                }
                let mut st = shared.lock();
                commit(&mut st, job, &slot);
                st.note_state();
            }
        }
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
