//! Job creation and lifecycle: Print-Job, Validate-Job, Create-Job/Send-Document/Close-Job,
//! finishing, and job-hold-until handling (Hold-Job, Release-Job, Set-Job-Attributes, timers).

mod common;

use common::*;
use quire_core::{schedule, Effect, JobResult, JobState, PrinterState};
use quire_ipp::{Attribute, DelimiterTag, Operation, StatusCode, Value};

// ---- Print-Job ------------------------------------------------------------------------

#[test]
fn print_job_creates_and_starts_a_job() {
    let mut w = World::with_printers(&["Q"]);
    let out = w.send(World::print_req("Q", "alice"), &anon("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let r = &out.response;
    let id = job_id_of(r);
    assert_eq!(id, 1);
    assert_eq!(values(r, DelimiterTag::Job, "job-uri"), &[Value::Uri(job_uri(id))]);
    assert_eq!(
        values(r, DelimiterTag::Job, "job-state"),
        &[Value::Enum(JobState::Processing as i32)]
    );
    assert_eq!(strs(r.attr(DelimiterTag::Job, "job-state-reasons")), ["job-printing"]);

    assert!(out.effects.contains(&Effect::PersistJob(id)));
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    let job = w.job(id);
    assert_eq!(job.state, JobState::Processing);
    assert_eq!(job.owner, "alice");
    assert_eq!(job.name, "test");
    assert_eq!(job.output_device.as_deref(), Some("Q"));
    assert_eq!(job.documents.len(), 1);
    assert_eq!(job.k_octets, 2);
    assert_eq!(job.processing_at, Some(NOW));
    assert_eq!(w.printer("Q").state, PrinterState::Processing);
    assert_eq!(w.s.next_job_id, 2);
}

#[test]
fn print_job_uses_the_reserved_job_id() {
    let mut w = World::with_printers(&["Q"]);
    w.s.next_job_id = 17;
    // Phase one reserves the id the document is spooled under; phase two creates the job.
    let req = World::print_req("Q", "a").request();
    let admitted = quire_core::dispatch::admit(&mut w.s, &req, &anon("a"), NOW).expect("admitted");
    assert_eq!(admitted.document.as_ref().map(|d| d.job_id), Some(17));
    let out = quire_core::dispatch::complete(&mut w.s, admitted, &req, &anon("a"), NOW);
    assert_eq!(job_id_of(&out.response), 17);
    assert!(w.s.next_job_id > 17);
}

#[test]
fn second_job_waits_and_starts_when_the_first_completes() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("alice"));
    let out = w.send(World::print_req("Q", "bob"), &anon("bob"));
    let b = job_id_of(&out.response);
    assert!(starts(&out.effects).is_empty(), "busy printer: no StartJob");
    assert_eq!(values(&out.response, DelimiterTag::Job, "job-state"), &[Value::Enum(3)]);
    assert_eq!(w.job(b).state, JobState::Pending);

    w.now += 60;
    let effects = w.finish(a);
    let job = w.job(a);
    assert_eq!(job.state, JobState::Completed);
    assert_eq!(job.completed_at, Some(NOW + 60));
    assert_eq!(job.state_reasons, ["job-completed-successfully"]);
    assert!(effects.contains(&Effect::PersistJob(a)));
    assert_eq!(starts(&effects), [(b, "Q".to_string())]);
    assert_eq!(w.job(b).state, JobState::Processing);
    assert_eq!(w.printer("Q").state, PrinterState::Processing);

    let effects = w.finish(b);
    assert!(starts(&effects).is_empty());
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
}

#[test]
fn pending_jobs_start_in_priority_then_id_order() {
    let mut w = World::with_printers(&["Q"]);
    let first = w.print("Q", &anon("a"));
    let low = w.print_with("Q", &anon("a"), &[int("job-priority", 10)]);
    let mid1 = w.print_with("Q", &anon("a"), &[int("job-priority", 50)]);
    let high = w.print_with("Q", &anon("a"), &[int("job-priority", 90)]);
    let mid2 = w.print("Q", &anon("a"));
    let mut order = Vec::new();
    let mut current = first;
    for _ in 0..4 {
        let started = starts(&w.finish(current));
        assert_eq!(started.len(), 1);
        current = started[0].0;
        order.push(current);
    }
    assert_eq!(order, [high, mid1, mid2, low]);
}

#[test]
fn print_job_without_document_is_bad_request() {
    let mut w = World::with_printers(&["Q"]);
    let mut req = World::print_req("Q", "a");
    req.document = None;
    assert_error(&w.send(req, &anon("a")), 42, StatusCode::ClientErrorBadRequest);
    let req = World::print_req("Q", "a").doc(doc_sized(0));
    assert_error(&w.send(req, &anon("a")), 42, StatusCode::ClientErrorBadRequest);
    assert!(w.s.jobs.is_empty());
}

#[test]
fn rejecting_printer_is_not_accepting_jobs() {
    let mut w = World::with_printers(&["Q"]);
    w.send_ok(Req::new(Operation::CupsRejectJobs).printer("Q"), &admin());
    let out = w.send(World::print_req("Q", "a"), &anon("a"));
    assert_error(&out, 42, StatusCode::ServerErrorNotAcceptingJobs);
    assert_eq!(
        status_message(&out.response).as_deref(),
        Some("Destination \"Q\" is not accepting jobs.")
    );
    let out = w.send(Req::new(Operation::CreateJob).printer("Q").user("a"), &anon("a"));
    assert_status(&out, StatusCode::ServerErrorNotAcceptingJobs);
    assert!(w.s.jobs.is_empty());
}

#[test]
fn unsupported_document_format() {
    let mut w = World::with_printers(&["Q"]);
    // print_req has document-format application/pdf; replace it.
    let mut req = World::print_req("Q", "a");
    let g = &mut req.msg.groups[0].attributes;
    g.retain(|a| a.name != "document-format");
    g.push(mime("document-format", "application/x-bogus"));
    assert_error(&w.send(req, &anon("a")), 42, StatusCode::ClientErrorDocumentFormatNotSupported);
    // application/octet-stream (auto-typing) is always accepted.
    let mut req = World::print_req("Q", "a");
    req.msg.groups[0].attributes.retain(|a| a.name != "document-format");
    let req = req.op(mime("document-format", "application/octet-stream"));
    assert_status(&w.send(req, &anon("a")), StatusCode::SuccessfulOk);
}

#[test]
fn fidelity_true_with_unsupported_value_fails() {
    let mut w = World::with_printers(&["Q"]);
    let req = World::print_req("Q", "a")
        .op(boolean("ipp-attribute-fidelity", true))
        .job_attr(kw("sides", "bogus"));
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::ClientErrorAttributesOrValuesNotSupported);
    let unsupported = out.response.group(DelimiterTag::Unsupported).expect("unsupported group");
    assert_eq!(strs(unsupported.get("sides")), ["bogus"]);
    assert!(status_message(&out.response).is_some());
    assert!(w.s.jobs.is_empty());
    assert!(out.effects.is_empty());
}

#[test]
fn fidelity_false_with_unsupported_value_substitutes() {
    let mut w = World::with_printers(&["Q"]);
    let req = World::print_req("Q", "a")
        .op(boolean("ipp-attribute-fidelity", false))
        .job_attr(kw("sides", "bogus"))
        .job_attr(int("copies", 2));
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes);
    let unsupported = out.response.group(DelimiterTag::Unsupported).expect("unsupported group");
    assert_eq!(strs(unsupported.get("sides")), ["bogus"]);
    let id = job_id_of(&out.response);
    let job = w.job(id);
    assert!(job.attribute("sides").is_none(), "the unsupported value is not kept");
    assert_eq!(job.attribute("copies").and_then(|a| a.first_i32()), Some(2));
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
}

#[test]
fn copies_beyond_max_copies_is_unsupported() {
    let mut w = World::with_printers(&["Q"]);
    let req = World::print_req("Q", "a")
        .op(boolean("ipp-attribute-fidelity", true))
        .job_attr(int("copies", 10_000));
    assert_status(&w.send(req, &anon("a")), StatusCode::ClientErrorAttributesOrValuesNotSupported);
}

#[test]
fn validate_job_creates_nothing() {
    let mut w = World::with_printers(&["Q"]);
    let mut req = World::print_req("Q", "a");
    req.msg.code = Operation::ValidateJob.code();
    req.document = None;
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(out.effects.is_empty());
    assert!(w.s.jobs.is_empty());
    assert_eq!(w.s.next_job_id, 1);
}

#[test]
fn max_jobs_limit_is_not_possible() {
    let mut w = World::with(quire_core::Settings { max_jobs_per_user: 1, ..Default::default() });
    w.add_printer("Q");
    w.print("Q", &anon("a"));
    assert_status(
        &w.send(World::print_req("Q", "a"), &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
    w.print("Q", &anon("b"));
}

#[test]
fn denied_user_is_forbidden() {
    let mut w = World::with_printers(&["Q"]);
    let req = Req::new(Operation::CupsAddModifyPrinter).printer("Q").printer_attr(Attribute::set(
        "requesting-user-name-denied",
        vec![Value::Name("mallory".into())],
    ));
    w.send_ok(req, &admin());
    assert_status(
        &w.send(World::print_req("Q", "mallory"), &anon("mallory")),
        StatusCode::ClientErrorForbidden,
    );
    w.print("Q", &anon("alice"));
}

// ---- Create-Job / Send-Document / Close-Job -------------------------------------------

#[test]
fn create_job_then_send_documents() {
    let mut w = World::with_printers(&["Q"]);
    let out = w.send(Req::new(Operation::CreateJob).printer("Q").user("a"), &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    assert!(starts(&out.effects).is_empty(), "an open job does not start");
    assert_eq!(timers(&out.effects), [NOW + 900], "multiple-operation-time-out timer");
    assert_eq!(w.job(id).state, JobState::Held);
    assert!(w.job(id).open);
    assert!(w.job(id).state_reasons.iter().any(|r| r == "job-incoming"));

    let out = w.send_document(id, &anon("a"), false, Some(doc()));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(starts(&out.effects).is_empty());
    assert!(w.job(id).open);

    let out = w.send_document(id, &anon("a"), true, Some(doc_sized(5000)));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    let job = w.job(id);
    assert!(!job.open);
    assert_eq!(job.state, JobState::Processing);
    assert_eq!(job.documents.iter().map(|d| d.number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(job.k_octets, 2 + 5);
    assert!(!job.state_reasons.iter().any(|r| r == "job-incoming"));
    assert_eq!(job_id_of(&out.response), id);
}

#[test]
fn last_document_without_data_closes_the_job() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &anon("a"), &[]);
    assert_status(&w.send_document(id, &anon("a"), false, Some(doc())), StatusCode::SuccessfulOk);
    let out = w.send_document(id, &anon("a"), true, None);
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    assert_eq!(w.job(id).documents.len(), 1);
}

#[test]
fn send_document_without_data_and_not_last_is_bad_request() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &anon("a"), &[]);
    assert_status(&w.send_document(id, &anon("a"), false, None), StatusCode::ClientErrorBadRequest);
}

#[test]
fn close_job_starts_the_job() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &anon("a"), &[]);
    w.send_document(id, &anon("a"), false, Some(doc()));
    let out = w.job_op(Operation::CloseJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    assert_eq!(w.job(id).state, JobState::Processing);
    // Closing twice is not possible.
    assert_status(
        &w.job_op(Operation::CloseJob, id, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
}

#[test]
fn close_job_with_no_documents_aborts_it() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &anon("a"), &[]);
    let out = w.job_op(Operation::CloseJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.job(id).state, JobState::Aborted);
    assert!(w.job(id).completed_at.is_some());
}

#[test]
fn send_document_to_closed_job_is_not_possible() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    let out = w.send_document(id, &anon("a"), true, Some(doc()));
    assert_error(&out, 42, StatusCode::ClientErrorNotPossible);
    let id2 = w.create_job("Q", &anon("a"), &[]);
    w.send_document(id2, &anon("a"), true, Some(doc()));
    assert_status(
        &w.send_document(id2, &anon("a"), true, Some(doc())),
        StatusCode::ClientErrorNotPossible,
    );
}

#[test]
fn send_document_without_last_document_is_bad_request() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &anon("a"), &[]);
    let out = w.send(Req::new(Operation::SendDocument).job(id).user("a").doc(doc()), &anon("a"));
    assert_error(&out, 42, StatusCode::ClientErrorBadRequest);
    assert!(w.job(id).documents.is_empty());
}

#[test]
fn send_document_by_another_user_is_not_authorized() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &user("alice"), &[]);
    assert_status(
        &w.send_document(id, &user("bob"), true, Some(doc())),
        StatusCode::ClientErrorNotAuthorized,
    );
    assert_status(
        &w.job_op(Operation::CloseJob, id, &user("bob")),
        StatusCode::ClientErrorNotAuthorized,
    );
    assert_status(&w.send_document(id, &admin(), true, Some(doc())), StatusCode::SuccessfulOk);
}

#[test]
fn multiple_operation_timeout_closes_an_open_job() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.create_job("Q", &anon("a"), &[]);
    w.send_document(id, &anon("a"), false, Some(doc()));
    let empty = w.create_job("Q", &anon("a"), &[]);
    // Not yet.
    let effects = w.fire(NOW + 899);
    assert!(starts(&effects).is_empty());
    assert!(w.job(id).open);
    assert!(timers(&effects).contains(&(NOW + 900)), "re-arms for the timeout: {effects:?}");
    let effects = w.fire(NOW + 900);
    assert!(!w.job(id).open);
    assert_eq!(starts(&effects), [(id, "Q".to_string())]);
    assert_eq!(w.job(id).state, JobState::Processing);
    // The job that never got a document is aborted.
    assert_eq!(w.job(empty).state, JobState::Aborted);
    assert!(!w.job(empty).open);
    assert!(effects.contains(&Effect::PersistJob(empty)));
}

// ---- job-hold-until ---------------------------------------------------------------------

#[test]
fn indefinite_hold_does_not_start_and_release_job_starts_it() {
    let mut w = World::with_printers(&["Q"]);
    let req = World::print_req("Q", "a").job_attr(kw("job-hold-until", "indefinite"));
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    assert!(starts(&out.effects).is_empty());
    assert!(timers(&out.effects).is_empty());
    assert_eq!(values(&out.response, DelimiterTag::Job, "job-state"), &[Value::Enum(4)]);
    assert_eq!(
        strs(out.response.attr(DelimiterTag::Job, "job-state-reasons")),
        ["job-hold-until-specified"]
    );
    assert_eq!(w.printer("Q").state, PrinterState::Idle);

    let out = w.job_op(Operation::ReleaseJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    assert_eq!(w.job(id).hold_until, "no-hold");
    // Releasing a job that is not held is not possible.
    assert_status(
        &w.job_op(Operation::ReleaseJob, id, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
}

#[test]
fn set_job_attributes_no_hold_releases_like_lp_resume() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print_with("Q", &anon("a"), &[kw("job-hold-until", "indefinite")]);
    let req = Req::new(Operation::SetJobAttributes)
        .printer("Q")
        .op(int("job-id", id))
        .user("a")
        .job_attr(kw("job-hold-until", "no-hold"));
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    assert_eq!(w.job(id).state, JobState::Processing);
}

#[test]
fn set_job_attributes_can_hold_a_pending_job() {
    let mut w = World::with_printers(&["Q"]);
    w.print("Q", &anon("a"));
    let id = w.print("Q", &anon("a"));
    let req = Req::new(Operation::SetJobAttributes)
        .job(id)
        .user("a")
        .job_attr(kw("job-hold-until", "indefinite"));
    assert_status(&w.send(req, &anon("a")), StatusCode::SuccessfulOk);
    assert_eq!(w.job(id).state, JobState::Held);
}

#[test]
fn set_job_attributes_rejects_unsettable_and_processing() {
    let mut w = World::with_printers(&["Q"]);
    let running = w.print("Q", &anon("a"));
    let id = w.print("Q", &anon("a"));
    let req = Req::new(Operation::SetJobAttributes).job(id).user("a").job_attr(int("job-id", 9));
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::ClientErrorAttributesNotSettable);
    assert!(out
        .response
        .group(DelimiterTag::Unsupported)
        .is_some_and(|g| g.get("job-id").is_some()));
    let req = Req::new(Operation::SetJobAttributes)
        .job(running)
        .user("a")
        .job_attr(int("job-priority", 10));
    assert_status(&w.send(req, &anon("a")), StatusCode::ClientErrorNotPossible);
    let req = Req::new(Operation::SetJobAttributes).job(id).user("a");
    assert_status(&w.send(req, &anon("a")), StatusCode::ClientErrorBadRequest);
    let req = Req::new(Operation::SetJobAttributes)
        .job(id)
        .user("a")
        .job_attr(int("job-priority", 80))
        .job_attr(nm("job-name", "renamed"));
    assert_status(&w.send(req, &anon("a")), StatusCode::SuccessfulOk);
    assert_eq!((w.job(id).priority, w.job(id).name.as_str()), (80, "renamed"));
}

#[test]
fn set_job_attributes_is_atomic() {
    let mut w = World::with_printers(&["Q"]);
    w.print("Q", &anon("a"));
    let id = w.print("Q", &anon("a"));
    let req = Req::new(Operation::SetJobAttributes)
        .job(id)
        .user("a")
        .job_attr(nm("job-name", "changed"))
        .job_attr(int("job-priority", 500));
    let out = w.send(req, &anon("a"));
    assert!(!status(&out.response).is_success());
    assert_eq!(w.job(id).name, "test", "a failed Set-Job-Attributes must not change the job");
}

#[test]
fn hold_job_on_pending_job() {
    let mut w = World::with_printers(&["Q"]);
    let running = w.print("Q", &anon("a"));
    let id = w.print("Q", &anon("a"));
    let out = w.job_op(Operation::HoldJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(out.effects.contains(&Effect::PersistJob(id)));
    assert_eq!(w.job(id).state, JobState::Held);
    assert_eq!(w.job(id).hold_until, "indefinite");
    // Finishing the running job does not start the held one.
    assert!(starts(&w.finish(running)).is_empty());
    // Hold-Job on a processing or finished job is not possible.
    let other = w.print("Q", &anon("a"));
    assert_status(
        &w.job_op(Operation::HoldJob, other, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
    assert_status(
        &w.job_op(Operation::HoldJob, running, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
    // A bad job-hold-until value is unsupported.
    let req = Req::new(Operation::HoldJob).job(id).user("a").op(kw("job-hold-until", "someday"));
    assert_status(&w.send(req, &anon("a")), StatusCode::ClientErrorAttributesOrValuesNotSupported);
}

#[test]
fn restart_job_on_completed_job() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    assert_status(
        &w.job_op(Operation::RestartJob, id, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
    w.finish(id);
    let out = w.job_op(Operation::RestartJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    let job = w.job(id);
    assert_eq!(job.state, JobState::Processing);
    assert_eq!(job.completed_at, None);
}

#[test]
fn restart_job_without_files_is_not_possible() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    w.finish(id);
    w.s.jobs.get_mut(&id).unwrap().files_purged = true;
    assert_status(
        &w.job_op(Operation::RestartJob, id, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
}

/// 2023-11-15 09:00:00 UTC.
const MORNING: i64 = 1_700_038_800;

#[test]
fn timed_hold_arms_a_timer_and_fire_releases_it() {
    let mut w = World::with_printers(&["Q"]);
    w.now = MORNING;
    let out =
        w.send(World::print_req("Q", "a").job_attr(nm("job-hold-until", "10:30")), &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    let at = MORNING + 90 * 60;
    assert!(starts(&out.effects).is_empty());
    assert_eq!(timers(&out.effects), [at]);
    assert_eq!(w.job(id).hold_until_time, Some(at));
    assert_eq!(schedule::next_timer(&w.s, MORNING), Some(at));

    // Too early: nothing happens.
    let effects = w.fire(at - 1);
    assert!(starts(&effects).is_empty());
    assert_eq!(w.job(id).state, JobState::Held);
    let effects = w.fire(at);
    assert_eq!(starts(&effects), [(id, "Q".to_string())]);
    assert_eq!(w.job(id).state, JobState::Processing);
}

#[test]
fn timed_hold_earlier_than_now_is_tomorrow() {
    let mut w = World::with_printers(&["Q"]);
    w.now = MORNING;
    let id = w.print_with("Q", &anon("a"), &[nm("job-hold-until", "08:00")]);
    assert_eq!(w.job(id).hold_until_time, Some(MORNING - 3600 + 86400));
}

#[test]
fn hold_job_with_timed_value_arms_timer() {
    let mut w = World::with_printers(&["Q"]);
    w.now = MORNING;
    w.print("Q", &anon("a"));
    let id = w.print("Q", &anon("a"));
    let req = Req::new(Operation::HoldJob).job(id).user("a").op(nm("job-hold-until", "12:00"));
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(timers(&out.effects), [MORNING + 3 * 3600]);
}

#[test]
fn hold_until_window_already_open_does_not_strand_the_job() {
    let mut w = World::with_printers(&["Q"]);
    w.now = MORNING;
    let out =
        w.send(World::print_req("Q", "a").job_attr(kw("job-hold-until", "day-time")), &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    let released_now = !starts(&out.effects).is_empty();
    let timer_armed = timers(&out.effects).iter().any(|at| *at <= MORNING + 1);
    assert!(
        released_now || timer_armed,
        "job {id} is {:?} with no timer: {:?}",
        w.job(id).state,
        out.effects
    );
}

#[test]
fn backend_hold_and_cancel_results() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let b = w.print("Q", &anon("a"));
    let effects = w.report(a, JobResult::Hold("auth".into()));
    assert_eq!(w.job(a).state, JobState::Held);
    assert_eq!(starts(&effects), [(b, "Q".to_string())]);
    let effects = w.report(b, JobResult::Cancel("bad".into()));
    assert_eq!(w.job(b).state, JobState::Canceled);
    assert!(w.job(b).completed_at.is_some());
    assert!(starts(&effects).is_empty());
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
}

#[test]
fn backend_failure_follows_error_policy() {
    let mut w = World::with_printers(&["Q"]);
    // Default policy for printers: stop-printer. The job goes back to pending.
    let a = w.print("Q", &anon("a"));
    let effects = w.report(a, JobResult::Failed("offline".into()));
    assert_eq!(w.job(a).state, JobState::Pending);
    assert_eq!(w.printer("Q").state, PrinterState::Stopped);
    assert!(starts(&effects).is_empty());
    // Resume starts it again.
    let out = w.printer_op(Operation::ResumePrinter, "Q", &admin());
    assert_eq!(starts(&out.effects), [(a, "Q".to_string())]);

    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer("Q")
        .printer_attr(nm("printer-error-policy", "abort-job"));
    w.send_ok(req, &admin());
    w.report(a, JobResult::Failed("offline".into()));
    assert_eq!(w.job(a).state, JobState::Aborted);
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
}
