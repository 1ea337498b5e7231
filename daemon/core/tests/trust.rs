//! Device-reported facts are claims: what `-m everywhere` and CUPS-Create-Local-Printer read
//! from a device is shown and never relied on until an administrator confirms it; temporary
//! queues are local users' and never trusted; device text and URIs are cleaned before they
//! are shown.

mod common;

use common::*;
use quire_core::model::{Security, Trust};
use quire_core::{device, handle, Effect, Outcome, Request, Requester};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Operation, StatusCode, Value};

/// What a rogue IPP server says about itself: biometric release, encryption, erasing.
fn level_5_claim() -> Vec<Attribute> {
    vec![
        kw(v::AUTHENTICATION_METHOD, "biometric"),
        boolean(v::ENCRYPTS_JOB_DATA, true),
        boolean(v::ERASES_STORAGE, true),
        txt("printer-make-and-model", "Rogue 5000\n*FoomaticRIPCommandLine: \"id\""),
    ]
}

fn send_with_device(w: &mut World, req: Req, device: Vec<Attribute>, who: &Requester) -> Outcome {
    let mut r: Request = req.request();
    r.device_attributes = Some(device);
    handle(&mut w.s, &r, who, w.now)
}

/// `lpadmin -p NAME -v ipp://NAME/ipp/print -m everywhere -E` against a device saying `device`.
fn add_everywhere(w: &mut World, name: &str, device: Vec<Attribute>) {
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer(name)
        .op(nm("ppd-name", "everywhere"))
        .printer_attr(uri("device-uri", &format!("ipp://{name}/ipp/print")))
        .printer_attr(boolean("printer-is-accepting-jobs", true))
        .printer_attr(en("printer-state", 3));
    assert_status(&send_with_device(w, req, device, &admin()), StatusCode::SuccessfulOk);
}

fn set(w: &mut World, name: &str, attrs: Vec<Attribute>) -> Outcome {
    let mut req = Req::new(Operation::CupsAddModifyPrinter).printer(name);
    for a in attrs {
        req = req.printer_attr(a);
    }
    w.send(req, &admin())
}

fn printer_attrs(w: &mut World, name: &str) -> Vec<Attribute> {
    let out = w.send(
        Req::new(Operation::GetPrinterAttributes).printer(name).requested(&["all"]),
        &anon("mallory"),
    );
    out.response.group(DelimiterTag::Printer).map(|g| g.attributes.clone()).unwrap_or_default()
}

fn attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name == name)
}

fn parts_on(w: &World, id: i32) -> Vec<String> {
    w.job(id).children.iter().map(|c| w.job(*c).printer.to_string()).collect()
}

#[test]
fn a_devices_claim_is_shown_and_counts_only_once_an_administrator_confirms_it() {
    let mut w = fleet(&[("office", "pin", false, false, 40)]);
    add_everywhere(&mut w, "rogue", level_5_claim());
    let p = w.printer("rogue");
    assert_eq!(
        (p.trust, p.security),
        (Trust::Unconfirmed, Security::default()),
        "nothing in effect"
    );
    assert_eq!(p.claim.map(|c| c.level()), Some(5));
    let shown = printer_attrs(&mut w, "rogue");
    assert_eq!(attr(&shown, v::SECURITY_SOURCE).and_then(|a| a.first_str()), Some("unconfirmed"));
    assert_eq!(attr(&shown, v::SECURITY_CONFIRMED).and_then(|a| a.first_bool()), Some(false));
    assert_eq!(attr(&shown, v::SECURITY_LEVEL).and_then(|a| a.first_i32()), Some(0));
    let claim = attr(&shown, v::SECURITY_CLAIM)
        .and_then(|a| a.first())
        .and_then(Value::as_collection)
        .expect("the claim is shown");
    assert_eq!(attr(claim, v::SECURITY_LEVEL).and_then(|a| a.first_i32()), Some(5));

    // The splitter leaves it out, and says why.
    let id = job_id_of(
        &submit(&mut w, "office", 1, &[int("copies", 40), kw(v::SPLIT, "auto")]).response,
    );
    assert!(w.job(id).children.is_empty(), "not split");
    let message = w.job(id).state_message.to_string();
    assert!(
        message.contains("\"rogue\": its security facts are not confirmed by an administrator"),
        "{message}"
    );
    w.finish(id);

    // Confirmed: the claim is in effect, and rogue takes part.
    assert_status(
        &set(&mut w, "rogue", vec![boolean(v::SECURITY_CONFIRMED, true)]),
        StatusCode::SuccessfulOk,
    );
    let p = w.printer("rogue");
    assert_eq!((p.trust, p.security.level()), (Trust::Confirmed, 5));
    let id = job_id_of(
        &submit(&mut w, "office", 1, &[int("copies", 40), kw(v::SPLIT, "auto")]).response,
    );
    assert!(
        parts_on(&w, id).iter().any(|q| q == "rogue"),
        "{:?} {}",
        parts_on(&w, id),
        w.job(id).state_message
    );
}

#[test]
fn a_fact_an_administrator_sets_does_not_confirm_the_rest_of_the_claim() {
    let mut w = World::new();
    add_everywhere(&mut w, "rogue", level_5_claim());
    assert_status(
        &set(&mut w, "rogue", vec![boolean(v::ENCRYPTS_JOB_DATA, true)]),
        StatusCode::SuccessfulOk,
    );
    let p = w.printer("rogue");
    assert_eq!(p.trust, Trust::Configured);
    assert_eq!(p.security, Security { encrypts: true, ..Security::default() }, "only what was set");
    // Confirming first, then refining, in one request (in either order).
    let out = set(
        &mut w,
        "rogue",
        vec![boolean(v::ERASES_STORAGE, false), boolean(v::SECURITY_CONFIRMED, true)],
    );
    assert_status(&out, StatusCode::SuccessfulOk);
    let p = w.printer("rogue");
    assert_eq!(
        (p.trust, p.security.auth.keyword(), p.security.encrypts, p.security.erases),
        (Trust::Configured, "biometric", true, false)
    );
    // Withdrawn: nothing in effect again.
    assert_status(
        &set(&mut w, "rogue", vec![boolean(v::SECURITY_CONFIRMED, false)]),
        StatusCode::SuccessfulOk,
    );
    assert_eq!(
        (w.printer("rogue").trust, w.printer("rogue").security),
        (Trust::Unconfirmed, Security::default())
    );
}

#[test]
fn a_new_claim_is_not_covered_by_the_old_confirmation_but_set_facts_stay() {
    let mut w = World::new();
    add_everywhere(&mut w, "p", vec![kw(v::AUTHENTICATION_METHOD, "pin")]);
    set(&mut w, "p", vec![boolean(v::SECURITY_CONFIRMED, true)]);
    add_everywhere(&mut w, "p", vec![kw(v::AUTHENTICATION_METHOD, "pin")]);
    assert_eq!(w.printer("p").trust, Trust::Confirmed, "the same claim stays confirmed");
    add_everywhere(&mut w, "p", level_5_claim());
    assert_eq!(
        (w.printer("p").trust, w.printer("p").security),
        (Trust::Unconfirmed, Security::default()),
        "a different device answered"
    );
    set(&mut w, "p", vec![kw(v::AUTHENTICATION_METHOD, "id-card")]);
    add_everywhere(&mut w, "p", vec![]);
    assert_eq!(
        (w.printer("p").trust, w.printer("p").security.auth.keyword()),
        (Trust::Configured, "id-card"),
        "the administrator's facts win"
    );
}

#[test]
fn a_job_sent_to_an_unconfirmed_printer_is_shared_with_no_one() {
    let mut w = fleet(&[("vault", "biometric", true, true, 20)]);
    add_everywhere(&mut w, "rogue", level_5_claim());
    let id =
        job_id_of(&submit(&mut w, "rogue", 1, &[int("copies", 10), kw(v::SPLIT, "auto")]).response);
    let job = w.job(id);
    assert!(job.children.is_empty());
    assert!(
        job.state_reasons.iter().any(|r| r == v::REASON_NO_QUALIFIED_PRINTER),
        "{:?}",
        job.state_reasons
    );
    assert!(
        job.state_message.contains("\"rogue\": its security facts are not confirmed"),
        "{}",
        job.state_message
    );
    // A manual list is refused at submission, naming why.
    let out = submit(&mut w, "rogue", 1, &[int("copies", 10), nm(v::SPLIT_PRINTERS, "vault")]);
    assert_status(&out, StatusCode::ClientErrorAttributesOrValuesNotSupported);
    assert!(
        status_message(&out.response).unwrap_or_default().contains("where the job was sent"),
        "{:?}",
        status_message(&out.response)
    );
}

#[test]
fn a_split_part_moves_only_to_a_confirmed_printer() {
    let mut w =
        fleet(&[("office", "pin", false, false, 40), ("secure", "id-card", true, true, 40)]);
    add_everywhere(&mut w, "rogue", level_5_claim());
    let id = job_id_of(
        &submit(&mut w, "office", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    let kid = w.job(id).children[0];
    let mv = Req::new(Operation::CupsMoveJob)
        .job(kid)
        .user("alice")
        .job_attr(uri("job-printer-uri", &printer_uri("rogue")));
    let out = w.send(mv, &anon("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    assert!(
        status_message(&out.response)
            .unwrap_or_default()
            .contains("not confirmed by an administrator"),
        "{:?}",
        status_message(&out.response)
    );
}

fn remote(name: &str) -> Requester {
    Requester { addr: Some("10.0.0.2".parse().expect("addr")), ..anon(name) }
}

fn create_local(w: &mut World, name: &str, who: &Requester) -> Outcome {
    let req = Req::new(Operation::CupsCreateLocalPrinter)
        .op(uri("printer-uri", "ipp://localhost/"))
        .printer_attr(nm("printer-name", name))
        .printer_attr(uri("device-uri", &format!("ipp://{name}.local/ipp/print")))
        .printer_attr(txt("printer-info", "Lobby\n*cupsFilter2: \"x\""));
    send_with_device(w, req, level_5_claim(), who)
}

#[test]
fn only_local_users_create_local_printers_and_those_are_temporary_and_untrusted() {
    let mut w = fleet(&[("office", "pin", false, false, 40)]);
    let out = create_local(&mut w, "rogue", &remote("mallory"));
    assert_status(&out, StatusCode::ClientErrorForbidden);
    assert_eq!(
        status_message(&out.response).as_deref(),
        Some("Only local users can create a local printer.")
    );
    assert!(w.s.printer("rogue").is_none() && out.effects.is_empty(), "nothing made");

    let out = create_local(&mut w, "lobby", &anon("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(
        out.effects.iter().any(|e| matches!(e, Effect::PersistPrinter(_))),
        "saved, so its jobs survive a restart: {:?}",
        out.effects
    );
    let p = w.printer("lobby");
    assert!(p.temporary && !p.shared);
    assert_eq!(
        (p.info.as_str(), p.make_and_model.as_str()),
        ("Lobby", "Rogue 5000 - IPP Everywhere"),
        "device text ends at its line break"
    );
    let shown = printer_attrs(&mut w, "lobby");
    assert_eq!(attr(&shown, "printer-is-temporary").and_then(|a| a.first_bool()), Some(true));

    // Never a split target, and its facts cannot be set or confirmed while it is temporary.
    let id = job_id_of(
        &submit(&mut w, "office", 1, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    assert!(
        w.job(id).state_message.contains("\"lobby\": it is a temporary queue"),
        "{}",
        w.job(id).state_message
    );
    let out = set(&mut w, "lobby", vec![boolean(v::SECURITY_CONFIRMED, true)]);
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    let out = w.send(
        Req::new(Operation::SetPrinterAttributes)
            .printer("lobby")
            .printer_attr(kw(v::AUTHENTICATION_METHOD, "biometric")),
        &admin(),
    );
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    // An administrator may keep it; then it is saved and may be confirmed.
    let out = set(
        &mut w,
        "lobby",
        vec![boolean("printer-is-temporary", false), boolean(v::SECURITY_CONFIRMED, true)],
    );
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(out.effects.contains(&Effect::PersistPrinter("lobby".into())));
    assert_eq!((w.printer("lobby").temporary, w.printer("lobby").trust), (false, Trust::Confirmed));
}

#[test]
fn an_unused_temporary_queue_is_deleted_after_five_minutes() {
    let mut w = World::with_printers(&["office"]);
    assert_status(&create_local(&mut w, "lobby", &anon("alice")), StatusCode::SuccessfulOk);
    assert_status(&create_local(&mut w, "busy", &anon("alice")), StatusCode::SuccessfulOk);
    let job = w.print("busy", &anon("alice"));
    let at = w.now + quire_core::temporary::TEMPORARY_UNUSED_SECS;
    assert!(
        quire_core::schedule::next_timer(&w.s, w.now).is_some_and(|t| t <= at),
        "a timer is due"
    );
    assert!(w.fire(at - 1).iter().all(|e| !matches!(e, Effect::DeletePrinter(_))), "not yet");
    let effects = w.fire(at);
    assert!(effects.contains(&Effect::DeletePrinter("lobby".into())), "{effects:?}");
    assert!(w.s.printer("lobby").is_none());
    assert!(w.s.printer("busy").is_some(), "a queue with a job stays");
    w.finish(job);
    w.fire(w.now + 2 * quire_core::temporary::TEMPORARY_UNUSED_SECS);
    assert!(w.s.printer("busy").is_none(), "gone once unused");
    assert!(w.s.printer("office").is_some(), "permanent queues stay");
}

#[test]
fn device_reports_are_cleaned_before_they_are_shown() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let (run, now) = (w.job(a).run, w.now);
    let reasons = vec!["media-empty-error".into(), "Bad Reason\n*Foo: 1".into()];
    device::device_state(
        &mut w.s,
        a,
        run,
        reasons,
        "Out of paper\n*FoomaticRIPCommandLine: x".into(),
        now,
    );
    assert_eq!(w.printer("Q").state_reasons_all().collect::<Vec<_>>(), ["media-empty-error"]);
    assert_eq!(w.printer("Q").state_message_shown(), "Out of paper");
    assert_eq!(&*w.job(a).printer_state_message, "Out of paper");
    device::device_attribute(
        &mut w.s,
        a,
        run,
        Attribute::set("marker-names", vec![Value::Name("Black\n*Foo".into())]),
    );
    assert_eq!(w.printer("Q").device.attributes[0].values, [Value::Name("Black".into())]);
}

#[test]
fn a_device_uri_is_shown_without_its_credentials() {
    let mut w = World::new();
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer("vault")
        .printer_attr(uri("device-uri", "ipps://alice:s3cret@vault.example/ipp/print"));
    w.send_ok(req, &admin());
    let shown = printer_attrs(&mut w, "vault");
    assert_eq!(
        attr(&shown, "device-uri").and_then(|a| a.first_str()),
        Some("ipps://vault.example/ipp/print")
    );
    assert_eq!(
        w.printer("vault").device_uri,
        "ipps://alice:s3cret@vault.example/ipp/print",
        "the backend gets it whole"
    );
}

/// cupsd forgets temporary queues at a restart, and drops their jobs. Quire forgets the
/// unused ones only: a temporary queue with an unfinished job is back after a restart (its
/// record is saved) and goes once its jobs are done.
#[test]
fn a_temporary_queue_outlives_a_restart_only_while_it_has_jobs() {
    let mut w = fleet(&[("office", "pin", false, false, 40)]);
    for name in ["lobby", "hall"] {
        assert_status(&create_local(&mut w, name, &anon("alice")), StatusCode::SuccessfulOk);
    }
    let held = w.print_with("lobby", &anon("alice"), &[kw("job-hold-until", "indefinite")]);
    let mut s = reload(&w.s);
    let effects = quire_core::schedule::recover(&mut s, w.now);
    assert!(s.printer("lobby").is_some_and(|p| p.temporary), "the queue of a held job is kept");
    assert!(s.printer("hall").is_none(), "an unused temporary queue is forgotten");
    assert!(effects.contains(&Effect::DeletePrinter("hall".into())), "{effects:?}");
    assert_eq!(
        s.jobs.get(&held).map(|j| j.state),
        Some(quire_core::JobState::Held),
        "the job is not lost"
    );
}
