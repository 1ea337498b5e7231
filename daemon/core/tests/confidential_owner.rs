//! Who may change a confidential job (its proven owner, or a proven administrator; never a
//! claimed name), where it may move (only to a printer that qualifies), and what
//! `dispatch::admit` lets the daemon do before the scheduler runs a request.

mod common;

use common::*;
use quire_core::dispatch::{admit, Admission};
use quire_core::{JobState, Outcome, Requester};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Operation, StatusCode, Value};

fn pin(p: &str) -> Attribute {
    Attribute::new("job-password", Value::OctetString(p.as_bytes().to_vec()))
}

/// A held confidential job of alice's on `queue`: an owner job, or a PIN job with `pin`.
fn confidential_job(w: &mut World, queue: &str, with_pin: Option<&str>) -> i32 {
    let mut req = World::print_req(queue, "alice");
    req = match with_pin {
        Some(p) => req.op(pin(p)),
        None => req.job_attr(boolean(v::CONFIDENTIAL, true)),
    };
    let mut r = req.request();
    r.sealed_key = Some("v1.sealed".into());
    r.pin_check = with_pin.map(|_| "v1.pin-check".into());
    let out = quire_core::handle(&mut w.s, &r, &anon("alice"), w.now);
    let id = job_id_of(&out.response);
    assert_eq!(w.job(id).state, JobState::Held);
    id
}

/// Sets security facts on `queue`, as an administrator.
fn facts(w: &mut World, queue: &str, encrypts: bool) {
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer(queue)
        .user("root")
        .printer_attr(boolean(v::ENCRYPTS_JOB_DATA, encrypts))
        .printer_attr(boolean(v::ERASES_STORAGE, encrypts));
    w.send_ok(req, &admin());
}

fn move_to(w: &mut World, id: i32, dest: &str, who: &Requester) -> Outcome {
    w.send(
        Req::new(Operation::CupsMoveJob)
            .job(id)
            .user(&who.user)
            .job_attr(uri("job-printer-uri", &printer_uri(dest))),
        who,
    )
}

/// Every operation that changes a job, as it would be sent for job `id`.
fn changes(id: i32, user: &str) -> Vec<(&'static str, Req)> {
    let job = |op| Req::new(op).job(id).user(user);
    let doc1 = || int("document-number", 1);
    vec![
        (
            "CUPS-Move-Job",
            job(Operation::CupsMoveJob).job_attr(uri("job-printer-uri", &printer_uri("B"))),
        ),
        (
            "CUPS-Move-Job (all of A)",
            Req::new(Operation::CupsMoveJob)
                .printer("A")
                .user(user)
                .job_attr(uri("job-printer-uri", &printer_uri("B"))),
        ),
        ("Set-Job-Attributes", job(Operation::SetJobAttributes).job_attr(int("job-priority", 80))),
        (
            "Set-Document-Attributes",
            job(Operation::SetDocumentAttributes)
                .op(doc1())
                .attr(DelimiterTag::Document, nm("document-name", "x")),
        ),
        ("Cancel-Document", job(Operation::CancelDocument).op(doc1())),
        ("Hold-Job", job(Operation::HoldJob)),
        ("Restart-Job", job(Operation::RestartJob)),
        ("Resume-Job", job(Operation::ResumeJob)),
        ("Close-Job", job(Operation::CloseJob)),
        ("Reprocess-Job", job(Operation::ReprocessJob)),
        ("Cancel-Job", job(Operation::CancelJob)),
        ("Cancel-My-Jobs", Req::new(Operation::CancelMyJobs).printer("A").user(user)),
        ("Cancel-Jobs", Req::new(Operation::CancelJobs).printer("A").user(user)),
        ("Purge-Jobs", Req::new(Operation::PurgeJobs).printer("A").user(user)),
    ]
}

#[test]
fn a_claimed_owner_changes_nothing_of_a_confidential_job() {
    for with_pin in [None, Some("4321")] {
        let mut w = World::with_printers(&["A", "B"]);
        let id = confidential_job(&mut w, "A", with_pin);
        let before = w.job(id).clone();
        for (what, req) in changes(id, "alice") {
            let out = w.send(req, &anon("alice"));
            assert_eq!(
                status(&out.response),
                StatusCode::ClientErrorNotAuthenticated,
                "{what} (PIN job: {})",
                with_pin.is_some()
            );
            assert!(out.effects.is_empty(), "{what}: {:?}", out.effects);
        }
        assert_eq!(*w.job(id), before, "nothing changed");
    }
}

#[test]
fn the_proven_owner_and_an_administrator_may_change_it() {
    let mut w = World::with_printers(&["A", "B"]);
    // Moves need printers whose facts an administrator vouched for (security::printer_qualifies).
    facts(&mut w, "A", false);
    facts(&mut w, "B", false);
    let id = confidential_job(&mut w, "A", None);
    let set = Req::new(Operation::SetJobAttributes)
        .job(id)
        .user("alice")
        .job_attr(int("job-priority", 80));
    w.send_ok(set, &user("alice"));
    assert_eq!(w.job(id).priority, 80);
    move_to(&mut w, id, "B", &user("alice"));
    assert_eq!(&*w.job(id).printer, "B");
    // Another proven user may not; a proven administrator may.
    assert_eq!(
        status(&move_to(&mut w, id, "A", &user("bob")).response),
        StatusCode::ClientErrorNotAuthorized
    );
    assert_eq!(status(&move_to(&mut w, id, "A", &admin()).response), StatusCode::SuccessfulOk);
    assert_eq!(&*w.job(id).printer, "A");
}

#[test]
fn a_confidential_job_moves_only_to_a_printer_that_qualifies() {
    let mut w = World::with_printers(&["A", "B", "Weak"]);
    facts(&mut w, "A", true);
    facts(&mut w, "B", true);
    let id = confidential_job(&mut w, "A", None);
    let plain = w.print_with("A", &admin(), &[kw("job-hold-until", "indefinite")]);
    let out = move_to(&mut w, id, "Weak", &user("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    let msg = status_message(&out.response).unwrap_or_default();
    assert!(
        msg.contains(&format!("Job #{id} is confidential")) && msg.contains("does not qualify"),
        "{msg}"
    );
    assert_eq!(&*w.job(id).printer, "A");
    // Moving all of A's jobs would carry it along: refused as a whole, even for an admin.
    let all = Req::new(Operation::CupsMoveJob)
        .printer("A")
        .user("root")
        .job_attr(uri("job-printer-uri", &printer_uri("Weak")));
    assert_status(&w.send(all, &admin()), StatusCode::ClientErrorNotPossible);
    assert_eq!((&*w.job(id).printer, &*w.job(plain).printer), ("A", "A"));
    // A plain job goes anywhere; the confidential one to a printer as strong as its own.
    move_to(&mut w, plain, "Weak", &admin());
    assert_eq!(
        status(&move_to(&mut w, id, "B", &user("alice")).response),
        StatusCode::SuccessfulOk
    );
}

/// The PIN work phase one asks for (on a copy: phase one of a Print-Job reserves its id).
fn admitted(w: &World, req: Req, who: &Requester) -> Result<Admission, StatusCode> {
    admit(&mut w.s.clone(), &req.request(), who, w.now).map(|a| a.work).map_err(|m| status(&m))
}

#[test]
fn admit_refuses_before_any_device_query() {
    let w = World::with_printers(&["A"]);
    let add = || {
        Req::new(Operation::CupsAddModifyPrinter)
            .printer("New")
            .user("mallory")
            .op(nm("ppd-name", "everywhere"))
            .printer_attr(uri("device-uri", "ipp://192.0.2.9:631/ipp/print"))
    };
    assert_eq!(admitted(&w, add(), &anon("mallory")), Err(StatusCode::ClientErrorNotAuthenticated));
    assert_eq!(admitted(&w, add(), &user("mallory")), Err(StatusCode::ClientErrorForbidden));
    assert_eq!(admitted(&w, add(), &admin()), Ok(Admission::Proceed));
    assert_eq!(
        admitted(&w, Req::new(Operation::CupsGetDevices).user("mallory"), &anon("mallory")),
        Err(StatusCode::ClientErrorNotAuthenticated)
    );
    // CUPS-Create-Local-Printer: only on this host's socket (no client address), as cupsd.
    let local = || {
        Req::new(Operation::CupsCreateLocalPrinter)
            .user("mallory")
            .printer_attr(nm("printer-name", "x"))
            .printer_attr(uri("device-uri", "ipp://192.0.2.9/ipp/print"))
    };
    let remote = Requester { addr: Some("192.0.2.7".parse().expect("address")), ..anon("mallory") };
    assert_eq!(admitted(&w, local(), &remote), Err(StatusCode::ClientErrorForbidden));
    assert_eq!(admitted(&w, local(), &anon("mallory")), Ok(Admission::Proceed));
}

#[test]
fn admit_asks_for_pin_work_only_where_a_pin_can_serve() {
    let mut w = World::with_printers(&["A"]);
    let create = |p: Option<&str>| {
        let r = Req::new(Operation::CreateJob).printer("A").user("alice");
        match p {
            Some(p) => r.op(pin(p)),
            None => r,
        }
    };
    assert_eq!(admitted(&w, create(Some("4321")), &anon("alice")), Ok(Admission::SealPin));
    assert_eq!(admitted(&w, create(None), &anon("alice")), Ok(Admission::Proceed));
    // A new job that would be refused costs no hash: the refusal comes first.
    w.send_ok(Req::new(Operation::CupsRejectJobs).printer("A").user("root"), &admin());
    assert_eq!(
        admitted(&w, create(Some("4321")), &anon("alice")),
        Err(StatusCode::ServerErrorNotAcceptingJobs)
    );
    w.send_ok(Req::new(Operation::CupsAcceptJobs).printer("A").user("root"), &admin());
    let pin_job = confidential_job(&mut w, "A", Some("4321"));
    let owner_job = confidential_job(&mut w, "A", None);
    let release =
        |id: i32, p: &str| Req::new(Operation::ReleaseJob).job(id).user("mallory").op(pin(p));
    assert_eq!(
        admitted(&w, release(pin_job, "0000"), &anon("mallory")),
        Ok(Admission::CheckPin { job_id: pin_job, check: "v1.pin-check".into() })
    );
    assert_eq!(
        admitted(&w, release(pin_job, "12"), &anon("mallory")),
        Ok(Admission::Proceed),
        "not a PIN's form"
    );
    assert_eq!(
        admitted(&w, release(owner_job, "0000"), &anon("alice")),
        Ok(Admission::Proceed),
        "not a PIN job"
    );
    // Locked after five wrong PINs: no check, whatever is sent.
    for _ in 0..5 {
        let mut r = release(pin_job, "0000").request();
        r.pin_ok = Some(false);
        quire_core::handle(&mut w.s, &r, &anon("mallory"), w.now);
    }
    assert_eq!(admitted(&w, release(pin_job, "4321"), &anon("mallory")), Ok(Admission::Proceed));
}
