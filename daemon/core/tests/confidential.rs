//! Confidential PIN jobs in the core: wrong PINs are counted and kept, a job locks after
//! MAX_PIN_FAILURES of them, and its owner's password still releases it.

mod common;

use common::*;
use quire_core::model::MAX_PIN_FAILURES;
use quire_core::{Effect, JobState};
use quire_ipp::{Attribute, Operation, StatusCode, Value};

fn pin_job(w: &mut World) -> i32 {
    let req = World::print_req("Q", "alice")
        .op(Attribute::new("job-password", Value::OctetString(b"4321".to_vec())));
    let out = w.send_ok(req, &anon("alice"));
    let id = job_id_of(&out.response);
    assert_eq!(w.job(id).state, JobState::Held);
    id
}

/// Release-Job with a PIN the daemon found right (`Some(true)`) or wrong.
fn release(
    w: &mut World,
    id: i32,
    pin_ok: Option<bool>,
    who: &quire_core::Requester,
) -> quire_core::Outcome {
    let mut req = Req::new(Operation::ReleaseJob).job(id).user(&who.user);
    if pin_ok.is_some() {
        req = req.op(Attribute::new("job-password", Value::OctetString(b"0000".to_vec())));
    }
    let mut r = req.request();
    r.pin_ok = pin_ok;
    quire_core::handle(&mut w.s, &r, who, w.now)
}

#[test]
fn wrong_pins_are_counted_and_lock_the_job() {
    let mut w = World::with_printers(&["Q"]);
    let id = pin_job(&mut w);
    for n in 1..=MAX_PIN_FAILURES {
        let out = release(&mut w, id, Some(false), &anon("mallory"));
        assert_status(&out, StatusCode::ClientErrorNotAuthorized);
        assert!(out.effects.contains(&Effect::PersistJob(id)), "the count is saved");
        assert_eq!(w.job(id).confidential.as_ref().map(|c| c.pin_failures), Some(n));
    }
    // Locked: now even the right PIN is refused.
    let out = release(&mut w, id, Some(true), &anon("mallory"));
    assert_status(&out, StatusCode::ClientErrorNotAuthorized);
    assert!(status_message(&out.response).unwrap_or_default().contains("locked"));
    assert_eq!(w.job(id).state, JobState::Held);
    // Its owner, signed in with a password, still releases it.
    let out = release(&mut w, id, None, &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_ne!(w.job(id).state, JobState::Held);
}

#[test]
fn the_right_pin_releases_and_a_claimed_owner_without_it_does_not() {
    let mut w = World::with_printers(&["Q"]);
    let id = pin_job(&mut w);
    let out = release(&mut w, id, None, &anon("alice"));
    assert_status(&out, StatusCode::ClientErrorNotAuthorized);
    assert_eq!(
        w.job(id).confidential.as_ref().map(|c| c.pin_failures),
        Some(0),
        "no PIN sent, nothing counted"
    );
    let out = release(&mut w, id, Some(true), &anon("kiosk"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_ne!(w.job(id).state, JobState::Held);
}
