//! `MaxJobTime` and `job-cancel-after`: a job printing too long is cancelled (cupsd's
//! "stuck job"), its backend stopped, and the queue goes on.

mod common;

use common::*;
use quire_core::{schedule, JobState, Settings};

fn world(max_job_time: i64) -> World {
    let mut w =
        World::with(Settings { start_time: NOW - 3600, max_job_time, ..Settings::default() });
    w.add_printer("Q");
    w
}

#[test]
fn a_job_printing_past_max_job_time_is_cancelled_and_the_next_one_starts() {
    let mut w = world(600);
    let first = w.print("Q", &user("alice"));
    let second = w.print("Q", &user("bob"));
    assert_eq!(w.job(first).state, JobState::Processing);
    assert_eq!(schedule::next_timer(&w.s, w.now), Some(NOW + 600), "a timer for the deadline");
    let effects = w.fire(NOW + 599);
    assert!(stops(&effects).is_empty());
    assert_eq!(w.job(first).state, JobState::Processing, "not yet");
    let effects = w.fire(NOW + 600);
    let job = w.job(first);
    assert_eq!(job.state, JobState::Canceled);
    assert_eq!(job.state_reasons, ["job-canceled-after-timeout"]);
    assert_eq!(job.state_message.as_ref(), "Canceling stuck job after 600 seconds (MaxJobTime).");
    assert_eq!(stops(&effects), [first], "its backend is stopped");
    assert_eq!(starts(&effects), [(second, "Q".to_string())], "the queue goes on");
    // The second job's clock started when it did.
    assert_eq!(w.job(second).processing_at, Some(NOW + 600));
    assert_eq!(schedule::next_timer(&w.s, w.now), Some(NOW + 1200));
}

#[test]
fn job_cancel_after_overrides_max_job_time_and_zero_means_no_limit() {
    let mut w = world(0);
    let free = w.print("Q", &user("alice"));
    assert_eq!(schedule::next_timer(&w.s, w.now), None, "MaxJobTime 0: no limit");
    w.fire(NOW + 10 * 86400);
    assert_eq!(w.job(free).state, JobState::Processing);
    w.finish(free);
    let own = w.print_with("Q", &user("alice"), &[int("job-cancel-after", 30)]);
    w.fire(NOW + 10 * 86400 + 29);
    assert_eq!(w.job(own).state, JobState::Processing);
    w.fire(NOW + 10 * 86400 + 30);
    assert_eq!(w.job(own).state, JobState::Canceled);
    assert_eq!(
        w.job(own).state_message.as_ref(),
        "Canceling stuck job after 30 seconds (job-cancel-after)."
    );
}
