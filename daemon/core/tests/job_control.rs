//! Cancel-Job, Cancel-Jobs, Cancel-My-Jobs, Purge-Jobs, CUPS-Move-Job, Get-Jobs and
//! Get-Job-Attributes.

mod common;

use common::*;
use quire_core::{schedule, Effect, JobResult, JobState, PrinterState};
use quire_ipp::{Attribute, DelimiterTag, Operation, StatusCode, Value};

// ---- Cancel-Job -----------------------------------------------------------------------

#[test]
fn cancel_pending_job() {
    let mut w = World::with_printers(&["Q"]);
    let running = w.print("Q", &anon("a"));
    let id = w.print("Q", &anon("a"));
    w.now += 5;
    let out = w.job_op(Operation::CancelJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(stops(&out.effects).is_empty());
    assert!(out.effects.contains(&Effect::PersistJob(id)));
    let job = w.job(id);
    assert_eq!(job.state, JobState::Canceled);
    assert_eq!(job.completed_at, Some(NOW + 5));
    assert_eq!(job.state_reasons, ["job-canceled-by-user"]);
    assert_eq!(w.job(running).state, JobState::Processing);
}

#[test]
fn cancel_processing_job_stops_it_and_frees_the_printer() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    let out = w.job_op(Operation::CancelJob, id, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(stops(&out.effects), [id]);
    assert_eq!(w.job(id).state, JobState::Canceled);
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
}

#[test]
fn cancel_processing_job_starts_the_next() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let b = w.print("Q", &anon("a"));
    let out = w.job_op(Operation::CancelJob, a, &anon("a"));
    assert_eq!(stops(&out.effects), [a]);
    assert_eq!(starts(&out.effects), [(b, "Q".to_string())]);
    let stop = out.effects.iter().position(|e| matches!(e, Effect::StopJob { .. })).unwrap();
    let start = out.effects.iter().position(|e| matches!(e, Effect::StartJob { .. })).unwrap();
    assert!(stop < start, "the old job is stopped before the next starts");
}

/// Regression: the backend of a canceled job reports `Stopped` after the printer was given
/// to the next job; that report must not free the printer.
#[test]
fn late_stopped_report_does_not_free_a_busy_printer() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let b = w.print("Q", &anon("a"));
    let c = w.print("Q", &anon("a"));
    let run = w.job(a).run;
    let out = w.job_op(Operation::CancelJob, a, &anon("a"));
    assert_eq!(starts(&out.effects), [(b, "Q".to_string())]);
    let effects = schedule::job_finished(&mut w.s, a, run, JobResult::Stopped, NOW);
    assert!(starts(&effects).is_empty(), "job {c} started while {b} prints: {effects:?}");
    assert_eq!(w.printer("Q").state, PrinterState::Processing);
    let processing = w.s.jobs.values().filter(|j| j.state == JobState::Processing).count();
    assert_eq!(processing, 1);
}

#[test]
fn late_stopped_report_after_move_does_not_free_the_new_printer() {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = w.print("Q", &anon("a"));
    let run = w.job(a).run;
    let out = w.send(
        Req::new(Operation::CupsMoveJob).job(a).job_attr(uri("job-printer-uri", &printer_uri("R"))),
        &admin(),
    );
    assert_eq!(stops(&out.effects), [a]);
    assert_eq!(starts(&out.effects), [(a, "R".to_string())]);
    let b = w.print("R", &anon("a"));
    // The Q backend of job a exits because it was stopped.
    let effects = schedule::job_finished(&mut w.s, a, run, JobResult::Stopped, NOW);
    assert_eq!(w.printer("R").state, PrinterState::Processing, "R still prints job {a}");
    assert!(
        starts(&effects).is_empty(),
        "job {b} started on R while {a} prints there: {effects:?}"
    );
}

#[test]
fn cancel_already_canceled_or_completed_is_not_possible() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    w.job_op(Operation::CancelJob, id, &anon("a"));
    let out = w.job_op(Operation::CancelJob, id, &anon("a"));
    assert_error(&out, 42, StatusCode::ClientErrorNotPossible);
    let done = w.print("Q", &anon("a"));
    w.finish(done);
    assert_status(
        &w.job_op(Operation::CancelJob, done, &anon("a")),
        StatusCode::ClientErrorNotPossible,
    );
}

#[test]
fn cancel_by_non_owner_is_not_authorized() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &user("alice"));
    let out = w.job_op(Operation::CancelJob, id, &user("bob"));
    assert_error(&out, 42, StatusCode::ClientErrorNotAuthorized);
    assert_eq!(w.job(id).state, JobState::Processing);
    // The owner and an admin may.
    assert_status(&w.job_op(Operation::CancelJob, id, &admin()), StatusCode::SuccessfulOk);
}

#[test]
fn cancel_job_with_purge_deletes_it() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    let out = w.send(
        Req::new(Operation::CancelJob).job(id).user("a").op(boolean("purge-job", true)),
        &anon("a"),
    );
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(deleted(&out.effects), [id]);
    assert!(!w.s.jobs.contains_key(&id));
}

#[test]
fn cancel_current_job() {
    let mut w = World::with_printers(&["Q"]);
    assert_status(
        &w.printer_op(Operation::CancelCurrentJob, "Q", &admin()),
        StatusCode::ClientErrorNotPossible,
    );
    let id = w.print("Q", &anon("a"));
    let out = w.printer_op(Operation::CancelCurrentJob, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(stops(&out.effects), [id]);
}

// ---- Cancel-Jobs / Cancel-My-Jobs / Purge-Jobs ----------------------------------------

fn three_users() -> (World, i32, i32, i32) {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = w.print("Q", &user("alice"));
    let b = w.print("Q", &user("bob"));
    let c = w.print("R", &user("alice"));
    (w, a, b, c)
}

#[test]
fn cancel_jobs_by_admin_cancels_all_on_the_printer() {
    let (mut w, a, b, c) = three_users();
    let out = w.printer_op(Operation::CancelJobs, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.job(a).state, JobState::Canceled);
    assert_eq!(w.job(b).state, JobState::Canceled);
    assert_eq!(w.job(c).state, JobState::Processing, "other printer untouched");
    assert_eq!(stops(&out.effects), [a]);
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
}

#[test]
fn cancel_jobs_with_job_ids() {
    let (mut w, a, b, _) = three_users();
    let req = Req::new(Operation::CancelJobs).printer("Q").op(ints("job-ids", &[b]));
    assert_status(&w.send(req, &admin()), StatusCode::SuccessfulOk);
    assert_eq!(w.job(a).state, JobState::Processing);
    assert_eq!(w.job(b).state, JobState::Canceled);
    let req = Req::new(Operation::CancelJobs).printer("Q").op(ints("job-ids", &[a, 999]));
    assert_status(&w.send(req, &admin()), StatusCode::ClientErrorNotFound);
    assert_eq!(w.job(a).state, JobState::Processing);
}

#[test]
fn cancel_my_jobs_only_cancels_own_jobs() {
    let (mut w, a, b, c) = three_users();
    let out = w.send(Req::new(Operation::CancelMyJobs).printer("Q").user("alice"), &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.job(a).state, JobState::Canceled);
    assert_eq!(
        w.job(b).state,
        JobState::Processing,
        "bob's job started after alice's was canceled"
    );
    assert_eq!(w.job(c).state, JobState::Processing, "other printer untouched");
    // Server-wide (no printer-uri): all of alice's jobs.
    let out = w.send(Req::new(Operation::CancelMyJobs).user("alice"), &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.job(c).state, JobState::Canceled);
    assert_eq!(w.job(b).state, JobState::Processing);
    // Even an admin's Cancel-My-Jobs only covers the admin's own jobs.
    w.send_ok(Req::new(Operation::CancelMyJobs).user("root"), &admin());
    assert_eq!(w.job(b).state, JobState::Processing);
}

#[test]
fn purge_jobs_deletes_jobs_including_history() {
    let (mut w, a, b, c) = three_users();
    w.finish(c);
    let out = w.printer_op(Operation::PurgeJobs, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    let mut gone = deleted(&out.effects);
    gone.sort();
    assert_eq!(gone, [a, b]);
    assert_eq!(stops(&out.effects), [a]);
    assert!(w.s.jobs.contains_key(&c));
    let out = w.send(Req::new(Operation::PurgeJobs), &admin());
    assert_eq!(deleted(&out.effects), [c], "completed jobs are purged too");
    assert!(w.s.jobs.is_empty());
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
}

// ---- Get-Jobs ---------------------------------------------------------------------------

/// Q: job 1 completed, 2 canceled, 3 processing, 4 pending, 5 held (alice owns 1, 3, 5).
fn history() -> World {
    let mut w = World::with_printers(&["Q", "R"]);
    let j1 = w.print("Q", &user("alice"));
    w.finish(j1);
    let j2 = w.print("Q", &user("bob"));
    w.job_op(Operation::CancelJob, j2, &user("bob"));
    w.print("Q", &user("alice"));
    w.print("Q", &user("bob"));
    w.print_with("Q", &user("alice"), &[kw("job-hold-until", "indefinite")]);
    w
}

fn get_jobs(w: &mut World, req: Req) -> Vec<i32> {
    let out = w.send(req, &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    job_ids(&out.response)
}

#[test]
fn get_jobs_which_jobs() {
    let mut w = history();
    let q = || Req::new(Operation::GetJobs).printer("Q").user("alice");
    assert_eq!(get_jobs(&mut w, q()), [3, 4, 5], "default is not-completed");
    assert_eq!(get_jobs(&mut w, q().op(kw("which-jobs", "not-completed"))), [3, 4, 5]);
    let mut completed = get_jobs(&mut w, q().op(kw("which-jobs", "completed")));
    completed.sort();
    assert_eq!(completed, [1, 2]);
    assert_eq!(get_jobs(&mut w, q().op(kw("which-jobs", "all"))).len(), 5);
    assert_eq!(get_jobs(&mut w, q().op(kw("which-jobs", "pending-held"))), [5]);
    assert_eq!(get_jobs(&mut w, q().op(kw("which-jobs", "processing"))), [3]);
    assert_eq!(get_jobs(&mut w, q().op(kw("which-jobs", "canceled"))), [2]);
    assert!(get_jobs(
        &mut w,
        Req::new(Operation::GetJobs).printer("R").op(kw("which-jobs", "all"))
    )
    .is_empty());
    // No printer-uri: every queue.
    assert_eq!(get_jobs(&mut w, Req::new(Operation::GetJobs).op(kw("which-jobs", "all"))).len(), 5);
}

#[test]
fn get_jobs_completed_lists_most_recent_first() {
    let mut w = history();
    assert_eq!(
        get_jobs(
            &mut w,
            Req::new(Operation::GetJobs).printer("Q").op(kw("which-jobs", "completed"))
        ),
        [1, 2],
        "completed at the same time: lowest id first, as cupsd"
    );
}

#[test]
fn get_jobs_bad_which_jobs_is_unsupported() {
    let mut w = history();
    let out =
        w.send(Req::new(Operation::GetJobs).printer("Q").op(kw("which-jobs", "bogus")), &anon("a"));
    assert_error(&out, 42, StatusCode::ClientErrorAttributesOrValuesNotSupported);
    let g = out.response.group(DelimiterTag::Unsupported).expect("unsupported group");
    assert_eq!(strs(g.get("which-jobs")), ["bogus"]);
}

#[test]
fn get_jobs_my_jobs() {
    let mut w = history();
    let req = Req::new(Operation::GetJobs)
        .printer("Q")
        .user("alice")
        .op(boolean("my-jobs", true))
        .op(kw("which-jobs", "all"));
    assert_eq!(get_jobs(&mut w, req), [1, 3, 5]);
}

#[test]
fn get_jobs_limit_and_first_index() {
    let mut w = history();
    let q = || Req::new(Operation::GetJobs).printer("Q").op(kw("which-jobs", "all"));
    assert_eq!(get_jobs(&mut w, q().op(int("limit", 2))), [1, 2]);
    assert_eq!(get_jobs(&mut w, q().op(int("first-index", 2)).op(int("limit", 2))), [2, 3]);
    assert_eq!(get_jobs(&mut w, q().op(int("first-index", 5))), [5]);
    assert!(get_jobs(&mut w, q().op(int("first-index", 6))).is_empty());
    // limit is 1:MAX.
    assert_status(&w.send(q().op(int("limit", 0)), &anon("a")), StatusCode::ClientErrorBadRequest);
}

#[test]
fn get_jobs_job_ids() {
    let mut w = history();
    let req = Req::new(Operation::GetJobs).printer("Q").op(ints("job-ids", &[1, 4]));
    assert_eq!(get_jobs(&mut w, req), [1, 4]);
    let req = Req::new(Operation::GetJobs)
        .printer("Q")
        .op(ints("job-ids", &[1]))
        .op(kw("which-jobs", "all"));
    assert_status(&w.send(req, &anon("a")), StatusCode::ClientErrorConflictingAttributes);
}

#[test]
fn get_jobs_default_and_requested_attributes() {
    let mut w = history();
    let out = w.send_ok(Req::new(Operation::GetJobs).printer("Q"), &anon("a"));
    for g in groups(&out.response, DelimiterTag::Job) {
        let names: Vec<&str> = g.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["job-id", "job-uri"], "default attributes are job-uri and job-id");
    }
    let req = Req::new(Operation::GetJobs)
        .printer("Q")
        .requested(&["job-state", "job-originating-user-name"]);
    let out = w.send_ok(req, &anon("a"));
    let g = groups(&out.response, DelimiterTag::Job);
    assert_eq!(g.len(), 3);
    assert_eq!(g[0].get("job-state").unwrap().values, [Value::Enum(5)]);
    assert_eq!(
        g[0].get("job-originating-user-name").unwrap().values,
        [Value::Name("alice".into())]
    );
    assert!(g[0].get("job-id").is_none());
    assert_eq!(g[2].get("job-state").unwrap().values, [Value::Enum(4)]);
}

// ---- Get-Job-Attributes -----------------------------------------------------------------

fn gja(w: &mut World, id: i32, requested: Option<&[&str]>) -> quire_ipp::Group {
    let mut req = Req::new(Operation::GetJobAttributes).job(id);
    if let Some(r) = requested {
        req = req.requested(r);
    }
    let out = w.send_ok(req, &anon("a"));
    out.response.group(DelimiterTag::Job).expect("job group").clone()
}

#[test]
fn get_job_attributes_groups() {
    let mut w = World::with_printers(&["Q"]);
    let id =
        w.print_with("Q", &user("alice"), &[int("copies", 3), kw("sides", "two-sided-long-edge")]);
    let all = gja(&mut w, id, None);
    for name in [
        "job-id",
        "job-uri",
        "job-state",
        "job-state-reasons",
        "job-printer-uri",
        "job-name",
        "copies",
        "sides",
        "job-priority",
        "time-at-creation",
    ] {
        assert!(all.get(name).is_some(), "all includes {name}");
    }
    assert_eq!(all.get("job-printer-uri").unwrap().values, [Value::Uri(printer_uri("Q"))]);
    assert_eq!(all.get("job-originating-user-name").unwrap().values, [Value::Name("alice".into())]);
    assert_eq!(all.get("time-at-completed").unwrap().values, [Value::NoValue]);

    let template = gja(&mut w, id, Some(&["job-template"]));
    assert!(template.get("copies").is_some());
    assert!(template.get("sides").is_some());
    assert!(template.get("job-priority").is_some());
    assert!(template.get("job-state").is_none(), "job-state is not a template attribute");
    assert!(template.get("job-id").is_none());

    let description = gja(&mut w, id, Some(&["job-description"]));
    assert!(description.get("job-state").is_some());
    assert!(description.get("job-id").is_some());
    assert!(description.get("job-name").is_some());
    assert!(description.get("copies").is_none(), "copies is a template attribute");

    let one = gja(&mut w, id, Some(&["job-state"]));
    assert_eq!(one.attributes.len(), 1);
}

#[test]
fn get_job_attributes_of_finished_job() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    w.now += 30;
    w.finish(id);
    let g = gja(
        &mut w,
        id,
        Some(&["job-state", "job-state-reasons", "time-at-completed", "number-of-documents"]),
    );
    assert_eq!(g.get("job-state").unwrap().values, [Value::Enum(9)]);
    assert_eq!(strs(g.get("job-state-reasons")), ["job-completed-successfully"]);
    assert_eq!(g.get("time-at-completed").unwrap().values, [Value::Integer((NOW + 30) as i32)]);
    assert_eq!(g.get("number-of-documents").unwrap().values, [Value::Integer(1)]);
}

#[test]
fn job_password_is_never_returned() {
    let mut w = World::with_printers(&["Q"]);
    let req = World::print_req("Q", "a")
        .op(Attribute::new("job-password", Value::OctetString(b"1234".to_vec())));
    let id = job_id_of(&w.send_ok(req, &anon("a")).response);
    let g = gja(&mut w, id, None);
    assert!(g.get("job-password").is_none());
}

// ---- CUPS-Move-Job ----------------------------------------------------------------------

fn move_req(dest: &str) -> Req {
    Req::new(Operation::CupsMoveJob).job_attr(uri("job-printer-uri", &printer_uri(dest)))
}

#[test]
fn move_pending_job() {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = w.print("Q", &anon("a"));
    w.send_ok(Req::new(Operation::PausePrinter).printer("R"), &admin());
    let b = w.print("Q", &anon("a"));
    let out = w.send(move_req("R").job(b).user("a"), &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.job(b).printer, "R");
    assert!(out.effects.contains(&Effect::PersistJob(b)));
    assert!(starts(&out.effects).is_empty(), "R is paused");
    let out = w.printer_op(Operation::ResumePrinter, "R", &admin());
    assert_eq!(starts(&out.effects), [(b, "R".to_string())]);
    assert_eq!(w.job(a).printer, "Q");
}

#[test]
fn move_processing_job_stops_and_restarts_it() {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = w.print("Q", &anon("a"));
    let out = w.send(move_req("R").job(a), &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(stops(&out.effects), [a]);
    assert_eq!(starts(&out.effects), [(a, "R".to_string())]);
    assert_eq!(w.printer("Q").state, PrinterState::Idle);
    assert_eq!(w.job(a).output_device.as_deref(), Some("R"));
}

#[test]
fn move_all_jobs_of_a_printer() {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = w.print("Q", &anon("a"));
    let b = w.print("Q", &anon("b"));
    let done = w.print("Q", &anon("b"));
    w.s.jobs.get_mut(&done).unwrap().state = JobState::Completed;
    w.s.jobs.get_mut(&done).unwrap().completed_at = Some(NOW);
    let out = w.send(move_req("R").printer("Q"), &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!((w.job(a).printer.as_str(), w.job(b).printer.as_str()), ("R", "R"));
    assert_eq!(w.job(done).printer, "Q", "finished jobs stay");
    assert_eq!(starts(&out.effects), [(a, "R".to_string())]);
}

#[test]
fn move_job_errors() {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = w.print("Q", &user("alice"));
    assert_status(&w.send(move_req("Nope").job(a), &admin()), StatusCode::ClientErrorNotFound);
    assert_status(
        &w.send(Req::new(Operation::CupsMoveJob).job(a), &admin()),
        StatusCode::ClientErrorBadRequest,
    );
    assert_status(
        &w.send(move_req("R").job(a).user("bob"), &user("bob")),
        StatusCode::ClientErrorNotAuthorized,
    );
    w.finish(a);
    assert_status(&w.send(move_req("R").job(a), &admin()), StatusCode::ClientErrorNotPossible);
    assert_eq!(w.job(a).printer, "Q");
}

#[test]
fn move_all_jobs_is_all_or_nothing() {
    let mut w = World::with_printers(&["Q", "R"]);
    let mine = w.print("Q", &user("bob"));
    let theirs = w.print("Q", &user("alice"));
    let out = w.send(move_req("R").printer("Q").user("bob"), &user("bob"));
    assert_status(&out, StatusCode::ClientErrorNotAuthorized);
    assert_eq!(w.job(theirs).printer, "Q");
    assert_eq!(w.job(mine).printer, "Q", "job {mine} was moved by a refused request");
}
