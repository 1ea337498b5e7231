//! What keeps a confidential job confidential beyond its release: no operation but
//! Release-Job / CUPS-Authenticate-Job lifts its hold; the parts that splitting and
//! failover make of it can decrypt its documents and are not held again; and the access
//! policy a queue gets (DefaultPolicy, cupsd's built-in one when cupsd.conf has none).

mod common;

use common::*;
use quire_core::model::AccessRules;
use quire_core::{Effect, JobResult, JobState, Outcome, Requester, Settings};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Operation, StatusCode, Value};
use std::sync::Arc;

/// Sealed document keys as the daemon would record them (opaque to the core).
const KEY: &str = "v1.sealed-key-of-document-1";

/// Sends `req` as if the daemon had encrypted its document with `KEY`.
fn send_sealed(w: &mut World, req: Req, who: &Requester) -> Outcome {
    let mut r = req.request();
    r.sealed_key = Some(KEY.into());
    r.pin_check = r.message.operation_attr("job-password").map(|_| "v1.pin-check".into());
    quire_core::handle(&mut w.s, &r, who, w.now)
}

/// A held owner job of alice's (`quire-confidential`), `pages` pages, with `attrs`.
fn owner_job(w: &mut World, queue: &str, pages: u32, attrs: &[Attribute]) -> i32 {
    let mut req =
        World::print_req(queue, "alice").doc(pdf(pages)).job_attr(boolean(v::CONFIDENTIAL, true));
    for a in attrs {
        req = req.job_attr(a.clone());
    }
    let out = send_sealed(w, req, &anon("alice"));
    assert_accepted(&out);
    let id = job_id_of(&out.response);
    assert_eq!(w.job(id).state, JobState::Held);
    id
}

/// Created. (template.rs does not list `quire-confidential` among the job template
/// attributes it knows, so it is also reported as ignored although it was applied.)
#[track_caller]
fn assert_accepted(out: &Outcome) {
    let code = status(&out.response);
    assert!(
        matches!(
            code,
            StatusCode::SuccessfulOk | StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes
        ),
        "{}",
        code.name()
    );
}

/// A held PIN job of alice's.
fn pin_job(w: &mut World) -> i32 {
    let req = World::print_req("Q", "alice")
        .op(Attribute::new("job-password", Value::OctetString(b"4321".to_vec())));
    let out = send_sealed(w, req, &anon("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    job_id_of(&out.response)
}

fn set_hold(w: &mut World, id: i32, until: &str, who: &Requester) -> Outcome {
    w.send(
        Req::new(Operation::SetJobAttributes).job(id).user(&who.user).job_attr(hold_until(until)),
        who,
    )
}

fn hold(w: &mut World, id: i32, until: &str, who: &Requester) -> Outcome {
    w.send(Req::new(Operation::HoldJob).job(id).user(&who.user).op(hold_until(until)), who)
}

/// `job-hold-until`: a keyword, or a name for a time of day.
fn hold_until(until: &str) -> Attribute {
    if until.contains(':') {
        nm("job-hold-until", until)
    } else {
        kw("job-hold-until", until)
    }
}

/// Still held as a confidential job waiting for its owner, after `out` was refused.
#[track_caller]
fn still_waiting(w: &World, id: i32, out: &Outcome, reason: &str) {
    assert_status(out, StatusCode::ClientErrorNotPossible);
    let msg = status_message(&out.response).unwrap_or_default();
    assert!(msg.contains("Release-Job") && msg.contains(&format!("#{id}")), "{msg}");
    let job = w.job(id);
    assert_eq!(
        (job.state, job.hold_until.as_ref(), job.hold_until_time),
        (JobState::Held, "indefinite", None)
    );
    assert_eq!(job.state_reasons, [reason]);
    assert!(starts(&out.effects).is_empty());
}

#[test]
fn set_job_attributes_does_not_lift_a_confidential_hold() {
    let mut w = World::with_printers(&["Q"]);
    let owner = owner_job(&mut w, "Q", 1, &[]);
    let pin = pin_job(&mut w);
    for until in ["no-hold", "resume", "evening", "23:59", "indefinite"] {
        // Even the owner, proven by a password: only Release-Job releases.
        let out = set_hold(&mut w, owner, until, &user("alice"));
        still_waiting(&w, owner, &out, "job-hold-until-specified");
        let out = set_hold(&mut w, pin, until, &user("alice"));
        still_waiting(&w, pin, &out, "job-password-wait");
        // A claimed name changes nothing of a confidential job: it is asked for proof.
        assert_status(
            &set_hold(&mut w, pin, until, &anon("alice")),
            StatusCode::ClientErrorNotAuthenticated,
        );
    }
    // Nothing a timer could release later.
    w.fire(w.now + 3 * 3600);
    assert_eq!((w.job(owner).state, w.job(pin).state), (JobState::Held, JobState::Held));
    // Other attributes still change (all or nothing: not together with a hold).
    w.send_ok(
        Req::new(Operation::SetJobAttributes).job(owner).user("alice").job_attr(int("copies", 2)),
        &user("alice"),
    );
    let both = Req::new(Operation::SetJobAttributes)
        .job(owner)
        .user("alice")
        .job_attr(int("copies", 3))
        .job_attr(kw("job-hold-until", "no-hold"));
    assert_status(&w.send(both, &user("alice")), StatusCode::ClientErrorNotPossible);
    assert_eq!(w.job(owner).attribute("copies").and_then(|a| a.first_i32()), Some(2));
}

#[test]
fn hold_job_does_not_lift_a_confidential_hold() {
    let mut w = World::with_printers(&["Q"]);
    let owner = owner_job(&mut w, "Q", 1, &[]);
    let pin = pin_job(&mut w);
    for until in ["resume", "evening", "23:59", "indefinite"] {
        let out = hold(&mut w, owner, until, &user("alice"));
        still_waiting(&w, owner, &out, "job-hold-until-specified");
        let out = hold(&mut w, pin, until, &admin());
        still_waiting(&w, pin, &out, "job-password-wait");
    }
    // The right way still works.
    let out = w.send(Req::new(Operation::ReleaseJob).job(owner).user("alice"), &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_ne!(w.job(owner).state, JobState::Held);
}

#[test]
fn an_open_confidential_job_keeps_its_hold_when_it_closes() {
    let mut w = World::with_printers(&["Q"]);
    let create = Req::new(Operation::CreateJob)
        .printer("Q")
        .user("alice")
        .job_attr(boolean(v::CONFIDENTIAL, true));
    let out = w.send(create, &anon("alice"));
    assert_accepted(&out);
    let id = job_id_of(&out.response);
    assert_eq!(w.job(id).state, JobState::Held);
    let out = set_hold(&mut w, id, "no-hold", &user("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    let mut req =
        Req::new(Operation::SendDocument).job(id).user("alice").op(boolean("last-document", true));
    req.document = Some(doc());
    let out = send_sealed(&mut w, req, &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.job(id).state, JobState::Held);
    assert!(starts(&out.effects).is_empty());
}

#[test]
fn a_confidential_job_is_never_restarted() {
    let mut w = World::with_printers(&["Q"]);
    let id = owner_job(&mut w, "Q", 1, &[]);
    w.send_ok(Req::new(Operation::CancelJob).job(id).user("alice"), &user("alice"));
    // Before the history timer shreds its documents: a restart would print it unreleased.
    let out = w.send(Req::new(Operation::RestartJob).job(id).user("alice"), &user("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    assert!(status_message(&out.response).unwrap_or_default().contains("confidential"));
    assert_eq!(w.job(id).state, JobState::Canceled);
    assert!(starts(&out.effects).is_empty());
}

#[test]
fn a_released_job_is_held_and_resumed_like_any_other_by_its_proven_owner() {
    let mut w = World::with_printers(&["Q"]);
    w.send_ok(Req::new(Operation::PausePrinter).printer("Q"), &admin());
    let id = owner_job(&mut w, "Q", 1, &[]);
    w.send_ok(Req::new(Operation::ReleaseJob).job(id).user("alice"), &user("alice"));
    assert_eq!(w.job(id).state, JobState::Pending);
    // A claimed name is not proof of ownership for a confidential job.
    assert_status(
        &hold(&mut w, id, "indefinite", &anon("alice")),
        StatusCode::ClientErrorNotAuthenticated,
    );
    assert_status(
        &set_hold(&mut w, id, "indefinite", &anon("alice")),
        StatusCode::ClientErrorNotAuthenticated,
    );
    w.send_ok(Req::new(Operation::HoldJob).job(id).user("alice"), &user("alice"));
    assert_eq!(w.job(id).state, JobState::Held);
    assert_status(&set_hold(&mut w, id, "no-hold", &user("alice")), StatusCode::SuccessfulOk);
    assert_eq!(w.job(id).state, JobState::Pending);
}

// ---- parts of a confidential job ------------------------------------------------------

/// The part's confidentiality: released, with the parent's keys, no PIN of its own.
#[track_caller]
fn carries_keys(w: &World, child: i32, keys: &[&str]) {
    let job = w.job(child);
    let c =
        job.confidential.as_ref().unwrap_or_else(|| panic!("job {child} lost its confidentiality"));
    assert!(c.released, "job {child} is not held as a new confidential job");
    assert_eq!(c.keys, keys, "job {child}: one key per linked document, in order");
    assert_eq!((c.pin_check.as_deref(), c.pin_failures), (None, 0));
    assert_ne!(job.state, JobState::Held);
}

#[test]
fn split_parts_of_a_confidential_job_can_decrypt_its_documents() {
    let mut w = fleet(FLEET);
    let id = owner_job(&mut w, "secure", 4, &[int("copies", 100), kw(v::SPLIT, "auto")]);
    assert!(w.job(id).children.is_empty(), "nothing is split before the release");
    let out = w.send(Req::new(Operation::ReleaseJob).job(id).user("alice"), &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let kids = w.job(id).children.clone();
    assert_eq!(kids.len(), 2, "{:?}", w.job(id).state_message);
    for k in &kids {
        carries_keys(&w, *k, &[KEY]);
        assert_eq!(w.job(*k).documents.len(), 1);
        let action = w
            .job(*k)
            .attribute("job-release-action")
            .and_then(|a| a.first_str().map(str::to_string));
        assert_eq!(action.as_deref(), Some("owner-authorized"));
    }
    let started: Vec<i32> = starts(&out.effects).into_iter().map(|(j, _)| j).collect();
    assert!(kids.iter().all(|k| started.contains(k)), "the parts print at once: {started:?}");
    // They are not expired as unreleased jobs.
    let expires = w.job(id).confidential.as_ref().map_or(0, |c| c.expires);
    w.fire(expires + 1);
    for k in &kids {
        assert!(!w.job(*k).state_reasons.iter().any(|r| r == v::REASON_EXPIRED), "{k}");
    }
    // Once printed, the parts' files go as soon as they end (confidential), like the parent's.
    let mut purged = Vec::new();
    for k in &kids {
        purged.extend(w.finish(*k));
    }
    purged.extend(w.fire(w.now + 1));
    assert_eq!(w.job(id).state, JobState::Completed);
    for k in kids.iter().chain([&id]) {
        assert!(purged.contains(&Effect::PurgeJobFiles(*k)), "{k}: {purged:?}");
    }
}

#[test]
fn a_failed_over_confidential_job_continues_with_its_keys() {
    let mut w = fleet(FLEET);
    for (name, ..) in FLEET {
        let req = Req::new(Operation::CupsAddModifyPrinter)
            .printer(name)
            .printer_attr(uri("device-uri", &format!("ipp://127.0.0.1:8631/ipp/print/{name}")))
            .printer_attr(kw(v::FAILOVER_DEFAULT, "auto"))
            .printer_attr(int(v::FAILOVER_GRACE_TIME, 5));
        w.send_ok(req, &admin());
    }
    let id = owner_job(&mut w, "office", 20, &[]);
    w.send_ok(Req::new(Operation::ReleaseJob).job(id).user("alice"), &user("alice"));
    assert_eq!(w.job(id).state, JobState::Processing);
    let run = w.job(id).run;
    quire_core::schedule::job_progress(&mut w.s, id, run, 7, w.now);
    quire_core::device::device_state(
        &mut w.s,
        id,
        run,
        vec!["media-empty-error".into()],
        String::new(),
        w.now,
    );
    let effects = w.fire(w.now + 6);
    assert!(effects.contains(&Effect::StopJob { job_id: id }), "{effects:?}");
    w.report(id, JobResult::Stopped);
    let kids = w.job(id).children.clone();
    assert_eq!(kids.len(), 2, "a record of office's pages and one continuation");
    carries_keys(&w, kids[1], &[KEY]);
    assert_eq!(w.job(kids[1]).state, JobState::Processing, "the continuation prints");
    // The record of what office printed has no documents, and stays private.
    let record = w.job(kids[0]).confidential.as_ref().expect("record is confidential");
    assert!(record.released && record.keys.is_empty());
}

// ---- the policy a queue gets ----------------------------------------------------------

fn rules(cupsd: &str) -> Arc<AccessRules> {
    let (nodes, _) = quire_config::parse(cupsd, std::path::Path::new("cupsd.conf"));
    let (c, _) = quire_config::validate(&nodes, &[]);
    Arc::new(AccessRules::from_config(&c))
}

fn world_with(access: Arc<AccessRules>) -> World {
    let mut w = World::with(Settings {
        start_time: NOW - 3600,
        access: Some(access),
        ..Settings::default()
    });
    w.add_printer("Q");
    w
}

#[test]
fn new_queues_get_the_configured_default_policy() {
    let conf = format!("{}\nDefaultPolicy authenticated\n", quire_config::DEFAULT_CUPSD_CONF);
    let w = world_with(rules(&conf));
    assert_eq!(w.printer("Q").op_policy, "authenticated");
    // Without configured rules (embedded use), the name cupsd uses.
    assert_eq!(World::with_printers(&["Q"]).printer("Q").op_policy, "default");
    // A DefaultPolicy that names no policy: "default" stands in, as in cupsd.
    let w = world_with(rules(&format!(
        "{}\nDefaultPolicy missing\n",
        quire_config::DEFAULT_CUPSD_CONF
    )));
    assert_eq!(w.printer("Q").op_policy, "default");
}

#[test]
fn without_any_policy_cupsd_s_default_policy_applies() {
    let access = rules("Listen 631\n");
    assert_eq!(access.default_policy, "default");
    assert_eq!(access.policies, [quire_config::Policy::cupsd_default()]);
    let mut w = world_with(access);
    // Administration needs @SYSTEM, proven.
    let add = Req::new(Operation::CupsAddModifyPrinter)
        .printer("R")
        .user("bob")
        .printer_attr(uri("device-uri", "file:///dev/null"));
    assert_status(&w.send(add.clone(), &anon("bob")), StatusCode::ClientErrorNotAuthenticated);
    assert_status(&w.send(add, &user("bob")), StatusCode::ClientErrorForbidden);
    // Anyone submits; only the owner (or @SYSTEM) manages the job.
    let id = w.print("Q", &anon("alice"));
    let cancel = |who: &str| Req::new(Operation::CancelJob).job(id).user(who);
    assert_status(&w.send(cancel("bob"), &user("bob")), StatusCode::ClientErrorForbidden);
    w.send_ok(cancel("alice"), &anon("alice"));
}
