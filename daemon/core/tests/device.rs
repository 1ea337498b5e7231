//! Device reports mirrored onto queues and jobs, and cupsd's printer-error-policy.

mod common;

use common::*;
use quire_core::{device, schedule, Effect, JobResult, JobState, PrinterState};
use quire_ipp::{Attribute, Operation, Value};

fn reasons_of(w: &World, queue: &str) -> Vec<String> {
    w.printer(queue).state_reasons_all().map(str::to_string).collect()
}

fn set_policy(w: &mut World, queue: &str, policy: &str) {
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer(queue)
        .printer_attr(nm("printer-error-policy", policy));
    w.send_ok(req, &admin());
}

#[test]
fn device_state_shows_on_queue_and_job_until_the_run_ends() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let run = w.job(a).run;
    let now = w.now;
    let effects = device::device_state(
        &mut w.s,
        a,
        run,
        vec!["media-empty-error".into()],
        "Out of paper".into(),
        now,
    );
    assert!(effects.contains(&Effect::PersistJob(a)));
    assert_eq!(reasons_of(&w, "Q"), ["media-empty-error"]);
    assert_eq!(w.printer("Q").state_message_shown(), "Out of paper");
    let job = w.job(a);
    assert_eq!(
        job.printer_state_reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        ["media-empty-error"]
    );
    assert!(job.state_reasons.iter().any(|r| r == "printer-stopped"), "{:?}", job.state_reasons);
    assert_eq!(job.state, JobState::Processing);
    // A report of an older run is ignored.
    assert!(device::device_state(&mut w.s, a, run.wrapping_sub(1), vec![], String::new(), now)
        .is_empty());
    assert_eq!(reasons_of(&w, "Q"), ["media-empty-error"]);
    // Repaired: the reasons go, printer-stopped goes.
    device::device_state(&mut w.s, a, run, vec![], String::new(), now);
    assert!(reasons_of(&w, "Q").is_empty());
    assert!(!w.job(a).state_reasons.iter().any(|r| r == "printer-stopped"));
    // Warnings do not stop the job; the end of the run clears them.
    device::device_state(
        &mut w.s,
        a,
        run,
        vec!["toner-low-warning".into()],
        "Toner low".into(),
        now,
    );
    assert!(!w.job(a).state_reasons.iter().any(|r| r == "printer-stopped"));
    device::device_attribute(
        &mut w.s,
        a,
        run,
        Attribute::set("marker-levels", vec![Value::Integer(40)]),
    );
    w.report(a, JobResult::Completed);
    assert!(reasons_of(&w, "Q").is_empty());
    assert_eq!(w.printer("Q").device.attributes.len(), 1, "supply levels outlive the run");
}

#[test]
fn queue_reasons_and_device_reasons_combine() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let (run, now) = (w.job(a).run, w.now);
    w.printer_op(Operation::PausePrinter, "Q", &admin());
    device::device_state(
        &mut w.s,
        a,
        run,
        vec!["offline-report".into(), "none".into()],
        "Offline".into(),
        now,
    );
    assert_eq!(reasons_of(&w, "Q"), ["paused", "offline-report"]);
}

#[test]
fn retry_job_holds_for_the_interval_then_aborts_at_the_limit() {
    let mut w = World::with(quire_core::Settings {
        job_retry_interval: 30,
        job_retry_limit: 2,
        ..Default::default()
    });
    w.add_printer("Q");
    set_policy(&mut w, "Q", "retry-job");
    let a = w.print("Q", &anon("a"));
    let effects = w.report(a, JobResult::Failed("unreachable".into()));
    let job = w.job(a);
    assert_eq!(job.state, JobState::Held);
    assert_eq!(job.hold_until_time, Some(w.now + 30));
    assert!(job.state_message.contains("30 seconds"), "{}", job.state_message);
    assert!(effects.contains(&Effect::ArmTimer { at: w.now + 30 }));
    assert_eq!(w.printer("Q").state, PrinterState::Idle, "retry-job does not stop the queue");
    // The timer releases it and it runs again.
    let at = w.now + 30;
    let effects = w.fire(at);
    assert!(effects.iter().any(|e| matches!(e, Effect::StartJob { job_id, .. } if *job_id == a)));
    w.report(a, JobResult::Failed("unreachable".into()));
    let job = w.job(a);
    assert_eq!(job.state, JobState::Aborted);
    assert!(job.state_message.contains("2 unsuccessful attempts"), "{}", job.state_message);
}

#[test]
fn retry_current_job_restarts_at_once_on_the_same_printer() {
    let mut w = World::with_printers(&["Q"]);
    set_policy(&mut w, "Q", "retry-current-job");
    let a = w.print("Q", &anon("a"));
    let run = w.job(a).run;
    let effects = w.report(a, JobResult::Failed("hiccup".into()));
    assert!(effects.iter().any(
        |e| matches!(e, Effect::StartJob { job_id, printer, .. } if *job_id == a && printer == "Q")
    ));
    assert_eq!(w.job(a).state, JobState::Processing);
    assert_ne!(w.job(a).run, run);
}

#[test]
fn backend_exit_statuses_map_like_cupsd() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    w.report(a, JobResult::AuthRequired("credentials".into()));
    assert_eq!(w.job(a).state, JobState::Held);
    assert!(w.job(a).state_reasons.iter().any(|r| r == "cups-held-for-authentication"));
    let b = w.print("Q", &anon("b"));
    w.report(b, JobResult::Retry("later".into()));
    assert_eq!(w.job(b).state, JobState::Held);
    assert!(w.job(b).hold_until_time.is_some());
    let c = w.print("Q", &anon("c"));
    w.report(c, JobResult::StopPrinter("stop".into()));
    assert_eq!(w.job(c).state, JobState::Pending);
    assert_eq!(w.printer("Q").state, PrinterState::Stopped);
    let now = w.now;
    assert!(schedule::run(&mut w.s, now).is_empty(), "a stopped queue starts nothing");
}
