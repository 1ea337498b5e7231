//! Printer and class operations: Get-Printer-Attributes, state control, defaults, CUPS
//! printer lists, classes, deletion, and admin authorization.

mod common;

use common::*;
use quire_core::{Effect, JobState, PrinterState};
use quire_ipp::{DelimiterTag, Group, Operation, StatusCode, Value, ValueTag};

fn gpa(w: &mut World, name: &str, requested: Option<&[&str]>) -> Group {
    let mut req = Req::new(Operation::GetPrinterAttributes).printer(name);
    if let Some(r) = requested {
        req = req.requested(r);
    }
    let out = w.send_ok(req, &anon("a"));
    out.response.group(DelimiterTag::Printer).expect("printer group").clone()
}

fn tag_of(g: &Group, name: &str) -> u32 {
    let a = g.get(name).unwrap_or_else(|| panic!("missing {name}"));
    assert!(!a.values.is_empty(), "{name} has values");
    let t = a.values[0].tag();
    assert!(a.values.iter().all(|v| v.tag() == t), "{name} has one value tag");
    t
}

// ---- Get-Printer-Attributes -------------------------------------------------------------

#[test]
fn add_printer_makes_an_idle_accepting_queue() {
    let mut w = World::new();
    let out = w.add_printer("Q");
    assert!(out.effects.contains(&Effect::PersistPrinter("q".into())));
    assert!(out.effects.contains(&Effect::PersistServer));
    let p = w.printer("Q");
    assert_eq!(p.state, PrinterState::Idle);
    assert!(p.accepting);
    assert_eq!(p.device_uri, "file:///dev/null");
    assert!(p.state_reasons.iter().all(|r| r != "paused"));
}

#[test]
fn get_printer_attributes_required_attributes_and_tags() {
    let mut w = World::with_printers(&["Q"]);
    let g = gpa(&mut w, "Q", None);
    use ValueTag as T;
    let expected: &[(&str, T)] = &[
        ("printer-uri-supported", T::Uri),
        ("uri-security-supported", T::Keyword),
        ("uri-authentication-supported", T::Keyword),
        ("printer-name", T::NameWithoutLanguage),
        ("printer-state", T::Enum),
        ("printer-state-reasons", T::Keyword),
        ("ipp-versions-supported", T::Keyword),
        ("operations-supported", T::Enum),
        ("charset-configured", T::Charset),
        ("charset-supported", T::Charset),
        ("natural-language-configured", T::NaturalLanguage),
        ("generated-natural-language-supported", T::NaturalLanguage),
        ("document-format-default", T::MimeMediaType),
        ("document-format-supported", T::MimeMediaType),
        ("printer-is-accepting-jobs", T::Boolean),
        ("queued-job-count", T::Integer),
        ("pdl-override-supported", T::Keyword),
        ("printer-up-time", T::Integer),
        ("compression-supported", T::Keyword),
    ];
    for (name, tag) in expected {
        assert_eq!(tag_of(&g, name), *tag as u32, "value tag of {name}");
    }
    assert_eq!(g.get("printer-uri-supported").unwrap().values, [Value::Uri(printer_uri("Q"))]);
    assert_eq!(g.get("printer-name").unwrap().values, [Value::Name("Q".into())]);
    assert_eq!(g.get("printer-state").unwrap().values, [Value::Enum(3)]);
    assert_eq!(strs(g.get("printer-state-reasons")), ["none"]);
    assert_eq!(g.get("printer-is-accepting-jobs").unwrap().values, [Value::Boolean(true)]);
    assert_eq!(g.get("queued-job-count").unwrap().values, [Value::Integer(0)]);
    assert!(g.get("printer-up-time").unwrap().values[0].as_i32().unwrap() > 0);
    let charsets = strs(g.get("charset-supported"));
    assert!(charsets.contains(&"utf-8".to_string()));
    let versions = strs(g.get("ipp-versions-supported"));
    for v in ["1.1", "2.0"] {
        assert!(versions.contains(&v.to_string()), "ipp-versions-supported has {v}");
    }
    let ops: Vec<i32> =
        g.get("operations-supported").unwrap().values.iter().filter_map(Value::as_i32).collect();
    for op in [
        Operation::PrintJob,
        Operation::ValidateJob,
        Operation::CreateJob,
        Operation::SendDocument,
        Operation::CancelJob,
        Operation::GetJobAttributes,
        Operation::GetJobs,
        Operation::GetPrinterAttributes,
    ] {
        assert!(ops.contains(&i32::from(op.code())), "operations-supported has {}", op.name());
    }
    assert!(!ops.contains(&i32::from(Operation::PrintUri.code())), "Print-URI is not implemented");
    let formats = strs(g.get("document-format-supported"));
    let default = strs(g.get("document-format-default"));
    assert!(formats.contains(&default[0]), "the default format is supported");
    assert!(strs(g.get("compression-supported")).contains(&"none".to_string()));
}

#[test]
fn queued_job_count_and_state_follow_jobs() {
    let mut w = World::with_printers(&["Q"]);
    w.print("Q", &anon("a"));
    w.print("Q", &anon("a"));
    let g = gpa(&mut w, "Q", Some(&["queued-job-count", "printer-state"]));
    assert_eq!(g.get("queued-job-count").unwrap().values, [Value::Integer(2)]);
    assert_eq!(g.get("printer-state").unwrap().values, [Value::Enum(4)]);
}

#[test]
fn requested_attributes_filter() {
    let mut w = World::with_printers(&["Q"]);
    let g = gpa(&mut w, "Q", Some(&["printer-name", "printer-state"]));
    let names: Vec<&str> = g.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"printer-name") && names.contains(&"printer-state"));

    let g = gpa(&mut w, "Q", Some(&["job-template"]));
    assert!(g.get("copies-supported").is_some());
    assert!(g.get("sides-default").is_some());
    assert!(g.get("printer-name").is_none());

    let g = gpa(&mut w, "Q", Some(&["printer-description"]));
    assert!(g.get("printer-name").is_some());
    assert!(g.get("printer-state").is_some());

    let g = gpa(&mut w, "Q", Some(&["no-such-attribute"]));
    assert!(g.attributes.is_empty());
}

#[test]
fn get_printer_attributes_with_bad_document_format_is_bad_request() {
    let mut w = World::with_printers(&["Q"]);
    let req =
        Req::new(Operation::GetPrinterAttributes).printer("Q").op(kw("document-format", "pdf"));
    assert_status(&w.send(req, &anon("a")), StatusCode::ClientErrorBadRequest);
}

// ---- Pause / Resume / Hold-New-Jobs / Accept / Reject -----------------------------------

#[test]
fn pause_and_resume() {
    let mut w = World::with_printers(&["Q"]);
    let out = w.printer_op(Operation::PausePrinter, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(out.effects.contains(&Effect::PersistPrinter("q".into())));
    let g = gpa(&mut w, "Q", Some(&["printer-state", "printer-state-reasons"]));
    assert_eq!(g.get("printer-state").unwrap().values, [Value::Enum(5)]);
    assert!(strs(g.get("printer-state-reasons")).contains(&"paused".to_string()));

    let out = w.send(World::print_req("Q", "a"), &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    assert!(starts(&out.effects).is_empty(), "paused: nothing starts");
    assert_eq!(w.job(id).state, JobState::Pending);

    let out = w.printer_op(Operation::ResumePrinter, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    assert_eq!(w.printer("Q").state, PrinterState::Processing);
    assert!(!w.printer("Q").state_reasons.iter().any(|r| r == "paused"));
}

#[test]
fn pause_while_printing_then_finish_keeps_printer_stopped() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print("Q", &anon("a"));
    let b = w.print("Q", &anon("a"));
    w.printer_op(Operation::PausePrinter, "Q", &admin());
    let effects = w.finish(a);
    assert!(starts(&effects).is_empty());
    assert_eq!(w.printer("Q").state, PrinterState::Stopped);
    let out = w.printer_op(Operation::ResumePrinter, "Q", &admin());
    assert_eq!(starts(&out.effects), [(b, "Q".to_string())]);
}

#[test]
fn hold_new_jobs_and_release_held_new_jobs() {
    let mut w = World::with_printers(&["Q"]);
    assert_status(&w.printer_op(Operation::HoldNewJobs, "Q", &admin()), StatusCode::SuccessfulOk);
    assert!(w.printer("Q").state_reasons.iter().any(|r| r == "hold-new-jobs"));
    let out = w.send(World::print_req("Q", "a"), &anon("a"));
    let id = job_id_of(&out.response);
    assert!(starts(&out.effects).is_empty());
    assert_eq!(w.job(id).state, JobState::Held);
    assert_eq!(w.job(id).state_reasons, ["job-held-for-review"]);

    let out = w.printer_op(Operation::ReleaseHeldNewJobs, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(starts(&out.effects), [(id, "Q".to_string())]);
    assert!(!w.printer("Q").state_reasons.iter().any(|r| r == "hold-new-jobs"));
    let next = w.print("Q", &anon("a"));
    assert_eq!(w.job(next).state, JobState::Pending);
}

#[test]
fn release_held_new_jobs_keeps_user_holds() {
    let mut w = World::with_printers(&["Q"]);
    w.printer_op(Operation::HoldNewJobs, "Q", &admin());
    let own = w.print_with("Q", &anon("a"), &[kw("job-hold-until", "indefinite")]);
    let out = w.printer_op(Operation::ReleaseHeldNewJobs, "Q", &admin());
    assert!(starts(&out.effects).is_empty(), "{:?}", out.effects);
    assert_eq!(w.job(own).state, JobState::Held);
    assert_eq!(w.job(own).hold_until, "indefinite");
}

#[test]
fn reject_and_accept_jobs() {
    let mut w = World::with_printers(&["Q"]);
    let req = Req::new(Operation::CupsRejectJobs)
        .printer("Q")
        .op(txt("printer-state-message", "maintenance"));
    w.send_ok(req, &admin());
    let g = gpa(
        &mut w,
        "Q",
        Some(&["printer-is-accepting-jobs", "printer-state-message", "printer-type"]),
    );
    assert_eq!(g.get("printer-is-accepting-jobs").unwrap().values, [Value::Boolean(false)]);
    assert_eq!(strs(g.get("printer-state-message")), ["maintenance"]);
    assert_ne!(
        g.get("printer-type").unwrap().first_i32().unwrap() & 0x8000,
        0,
        "CUPS_PRINTER_REJECTING"
    );
    assert_status(
        &w.send(World::print_req("Q", "a"), &anon("a")),
        StatusCode::ServerErrorNotAcceptingJobs,
    );
    w.send_ok(Req::new(Operation::CupsAcceptJobs).printer("Q"), &admin());
    assert!(w.printer("Q").accepting);
    w.print("Q", &anon("a"));
}

// ---- Default printer --------------------------------------------------------------------

#[test]
fn set_and_get_default() {
    let mut w = World::with_printers(&["Q", "R"]);
    assert_status(
        &w.send(Req::new(Operation::CupsGetDefault), &anon("a")),
        StatusCode::ClientErrorNotFound,
    );
    let out = w.send_ok(Req::new(Operation::CupsSetDefault).printer("R"), &admin());
    assert!(out.effects.contains(&Effect::PersistServer));
    assert_eq!(w.s.default_printer.as_deref(), Some("R"));
    let out = w.send_ok(
        Req::new(Operation::CupsGetDefault).requested(&["printer-name", "printer-type"]),
        &anon("a"),
    );
    let g = out.response.group(DelimiterTag::Printer).unwrap();
    assert_eq!(g.get("printer-name").unwrap().values, [Value::Name("R".into())]);
    assert_ne!(
        g.get("printer-type").unwrap().first_i32().unwrap() & 0x20000,
        0,
        "CUPS_PRINTER_DEFAULT"
    );
}

// ---- CUPS-Get-Printers / CUPS-Get-Classes -----------------------------------------------

fn names(out: &quire_core::Outcome) -> Vec<String> {
    groups(&out.response, DelimiterTag::Printer)
        .iter()
        .flat_map(|g| strs(g.get("printer-name")))
        .collect()
}

fn fleet() -> World {
    let mut w = World::with_printers(&["Alpha", "Beta", "Gamma"]);
    w.add_class("Team", &["Alpha", "Beta"]);
    w
}

#[test]
fn get_printers_lists_printers_and_classes() {
    let mut w = fleet();
    let out =
        w.send_ok(Req::new(Operation::CupsGetPrinters).requested(&["printer-name"]), &anon("a"));
    assert_eq!(names(&out), ["Alpha", "Beta", "Gamma", "Team"]);
}

#[test]
fn get_printers_type_mask_limit_and_first_name() {
    let mut w = fleet();
    let base = || Req::new(Operation::CupsGetPrinters).requested(&["printer-name"]);
    let only_classes = base().op(en("printer-type", 1)).op(en("printer-type-mask", 1));
    assert_eq!(names(&w.send_ok(only_classes, &anon("a"))), ["Team"]);
    assert_eq!(names(&w.send_ok(base().op(int("limit", 2)), &anon("a"))), ["Alpha", "Beta"]);
    assert_eq!(
        names(&w.send_ok(base().op(nm("first-printer-name", "beta")), &anon("a"))),
        ["Beta", "Gamma", "Team"]
    );
    let both = base().op(nm("first-printer-name", "Beta")).op(int("limit", 1));
    assert_eq!(names(&w.send_ok(both, &anon("a"))), ["Beta"]);
    // Rejecting queues via the CUPS_PRINTER_REJECTING bit.
    w.send_ok(Req::new(Operation::CupsRejectJobs).printer("Gamma"), &admin());
    let rejecting = base().op(en("printer-type", 0x8000)).op(en("printer-type-mask", 0x8000));
    assert_eq!(names(&w.send_ok(rejecting, &anon("a"))), ["Gamma"]);
}

#[test]
fn get_printers_accepts_printer_type_zero() {
    let mut w = fleet();
    let req = Req::new(Operation::CupsGetPrinters)
        .requested(&["printer-name"])
        .op(en("printer-type", 0))
        .op(en("printer-type-mask", 1));
    assert_eq!(names(&w.send_ok(req, &anon("a"))), ["Alpha", "Beta", "Gamma"]);
}

#[test]
fn get_classes_lists_only_classes_with_members() {
    let mut w = fleet();
    let out = w.send_ok(
        Req::new(Operation::CupsGetClasses).requested(&[
            "printer-name",
            "member-names",
            "member-uris",
        ]),
        &anon("a"),
    );
    assert_eq!(names(&out), ["Team"]);
    let g = out.response.group(DelimiterTag::Printer).unwrap();
    assert_eq!(strs(g.get("member-names")), ["Alpha", "Beta"]);
    assert_eq!(strs(g.get("member-uris")), [printer_uri("Alpha"), printer_uri("Beta")]);
}

// ---- Classes ----------------------------------------------------------------------------

#[test]
fn class_job_starts_on_an_idle_member() {
    let mut w = fleet();
    let a = w.print("Alpha", &anon("a"));
    let req = Req::new(Operation::PrintJob).class("Team").user("a").doc(doc());
    let out = w.send(req, &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    assert_eq!(starts(&out.effects), [(id, "Beta".to_string())]);
    let job = w.job(id);
    assert_eq!(job.printer, "Team");
    assert_eq!(job.output_device.as_deref(), Some("Beta"));
    // All members busy: the next class job waits for the first free member.
    let waiting = w.print("Team", &anon("a"));
    assert_eq!(w.job(waiting).state, JobState::Pending);
    let effects = w.finish(a);
    assert_eq!(starts(&effects), [(waiting, "Alpha".to_string())]);
}

#[test]
fn add_modify_class_errors() {
    let mut w = fleet();
    let req = Req::new(Operation::CupsAddModifyClass)
        .class("Bad")
        .printer_attr(uri("member-uris", &printer_uri("Nope")));
    assert_status(&w.send(req, &admin()), StatusCode::ClientErrorNotFound);
    let req = Req::new(Operation::CupsAddModifyClass)
        .class("Alpha")
        .printer_attr(uri("member-uris", &printer_uri("Beta")));
    assert_status(&w.send(req, &admin()), StatusCode::ClientErrorNotPossible);
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer("Team")
        .printer_attr(uri("device-uri", "file:///dev/null"));
    assert_status(&w.send(req, &admin()), StatusCode::ClientErrorNotPossible);
}

#[test]
fn paused_class_does_not_dispatch() {
    let mut w = fleet();
    w.printer_op(Operation::PausePrinter, "Team", &admin());
    let out = w.send(World::print_req("Team", "a"), &anon("a"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert!(starts(&out.effects).is_empty(), "a job on a paused class started: {:?}", out.effects);
}

// ---- CUPS-Delete-Printer ----------------------------------------------------------------

#[test]
fn delete_printer_cancels_jobs_updates_classes_and_default() {
    let mut w = fleet();
    w.send_ok(Req::new(Operation::CupsSetDefault).printer("Alpha"), &admin());
    let running = w.print("Alpha", &anon("a"));
    let pending = w.print("Alpha", &anon("a"));
    let out = w.send_ok(Req::new(Operation::CupsDeletePrinter).printer("Alpha"), &admin());
    assert!(out.effects.contains(&Effect::DeletePrinter("alpha".into())));
    assert_eq!(stops(&out.effects), [running]);
    for id in [running, pending] {
        assert_eq!(w.job(id).state, JobState::Canceled);
        assert!(w.job(id).completed_at.is_some());
        assert!(out.effects.contains(&Effect::PersistJob(id)));
    }
    assert!(w.s.printer("Alpha").is_none());
    assert_eq!(w.printer("Team").members, ["Beta"]);
    assert!(out.effects.contains(&Effect::PersistPrinter("team".into())));
    assert_eq!(w.s.default_printer, None);
    assert_status(
        &w.send(Req::new(Operation::CupsGetDefault), &anon("a")),
        StatusCode::ClientErrorNotFound,
    );
    assert_status(
        &w.send(Req::new(Operation::GetPrinterAttributes).printer("Alpha"), &anon("a")),
        StatusCode::ClientErrorNotFound,
    );
}

#[test]
fn delete_class() {
    let mut w = fleet();
    let out = w.send_ok(Req::new(Operation::CupsDeleteClass).class("Team"), &admin());
    assert!(out.effects.contains(&Effect::DeletePrinter("team".into())));
    assert!(w.s.printer("Team").is_none());
    assert!(w.s.printer("Alpha").is_some());
}

#[test]
fn delete_printer_stops_class_job_printing_on_it() {
    let mut w = fleet();
    let id = w.print("Team", &anon("a"));
    assert_eq!(w.job(id).output_device.as_deref(), Some("Alpha"));
    let out = w.send_ok(Req::new(Operation::CupsDeletePrinter).printer("Alpha"), &admin());
    assert_eq!(stops(&out.effects), [id]);
    let job = w.job(id);
    assert!(
        job.state != JobState::Processing
            || job.output_device.as_deref().is_some_and(|d| w.s.printer(d).is_some())
    );
}

// ---- Admin authorization ----------------------------------------------------------------

#[test]
fn admin_operations_need_an_admin() {
    let mut w = fleet();
    let ops: Vec<Req> = vec![
        Req::new(Operation::PausePrinter).printer("Alpha"),
        Req::new(Operation::ResumePrinter).printer("Alpha"),
        Req::new(Operation::HoldNewJobs).printer("Alpha"),
        Req::new(Operation::ReleaseHeldNewJobs).printer("Alpha"),
        Req::new(Operation::CupsAcceptJobs).printer("Alpha"),
        Req::new(Operation::CupsRejectJobs).printer("Alpha"),
        Req::new(Operation::CupsSetDefault).printer("Alpha"),
        Req::new(Operation::CupsDeletePrinter).printer("Alpha"),
        Req::new(Operation::CupsDeleteClass).class("Team"),
        Req::new(Operation::CupsAddModifyPrinter)
            .printer("New")
            .printer_attr(uri("device-uri", "file:///dev/null")),
        Req::new(Operation::CupsAddModifyClass)
            .class("New2")
            .printer_attr(uri("member-uris", &printer_uri("Alpha"))),
        Req::new(Operation::CupsGetDevices),
    ];
    let before = format!("{:?}", w.s);
    for req in ops {
        let name = quire_ipp::Operation::from_u16(req.msg.code).unwrap().name();
        let out = w.send(req.clone().user("mallory"), &anon("mallory"));
        assert_eq!(
            status(&out.response),
            StatusCode::ClientErrorNotAuthenticated,
            "{name} unauthenticated"
        );
        assert!(out.effects.is_empty());
        let out = w.send(req.user("mallory"), &user("mallory"));
        assert_eq!(
            status(&out.response),
            StatusCode::ClientErrorForbidden,
            "{name} as a plain user"
        );
        assert!(status_message(&out.response).is_some());
    }
    assert_eq!(format!("{:?}", w.s), before, "refused admin operations change nothing");
}

#[test]
fn add_printer_validation() {
    let mut w = World::new();
    // No device-uri for a new printer.
    let req = Req::new(Operation::CupsAddModifyPrinter).printer("P");
    assert_status(&w.send(req, &admin()), StatusCode::ClientErrorBadRequest);
    // Bad scheme.
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer("P")
        .printer_attr(uri("device-uri", "gopher://x/"));
    assert_status(&w.send(req, &admin()), StatusCode::ClientErrorNotPossible);
    // Bad name.
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .op(uri("printer-uri", &format!("ipp://{HOST}/printers/bad'name")))
        .printer_attr(uri("device-uri", "file:///dev/null"));
    assert!(!status(&w.send(req, &admin()).response).is_success());
    assert!(w.s.printers.is_empty());
    // A new printer without printer-state/accepting is stopped and rejecting, like cupsd.
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer("P")
        .printer_attr(uri("device-uri", "file:///dev/null"));
    w.send_ok(req, &admin());
    assert_eq!(w.printer("P").state, PrinterState::Stopped);
    assert!(!w.printer("P").accepting);
}

#[test]
fn modify_printer_keeps_jobs_and_changes_info() {
    let mut w = World::with_printers(&["Q"]);
    let id = w.print("Q", &anon("a"));
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer("Q")
        .printer_attr(txt("printer-info", "Front desk"))
        .printer_attr(txt("printer-location", "Lobby"));
    w.send_ok(req, &admin());
    let g = gpa(&mut w, "Q", Some(&["printer-info", "printer-location"]));
    assert_eq!(strs(g.get("printer-info")), ["Front desk"]);
    assert_eq!(strs(g.get("printer-location")), ["Lobby"]);
    assert_eq!(w.job(id).state, JobState::Processing);
    assert_eq!(w.printer("Q").state, PrinterState::Processing);
}

// Printers of one model share one capability set; changing one printer's copies it.
#[test]
fn printers_of_one_model_share_their_capabilities() {
    let mut w = World::with_printers(&["a", "b"]);
    let (a, b) = (&w.s.printers["a"], &w.s.printers["b"]);
    assert!(std::sync::Arc::ptr_eq(&a.capabilities, &b.capabilities));
    let changed = quire_ipp::Attribute::new("copies-default", Value::Integer(2));
    w.s.printers.get_mut("a").expect("printer a").set_capability(changed.clone());
    let (a, b) = (&w.s.printers["a"], &w.s.printers["b"]);
    assert_eq!(a.capability("copies-default"), Some(&changed));
    assert_eq!(b.capability("copies-default").and_then(|c| c.first_i32()), Some(1));
    let mut sets = quire_core::model::CapabilitySets::default();
    let shared = sets.share(a.capabilities.to_vec());
    assert!(std::sync::Arc::ptr_eq(&shared, &sets.share(a.capabilities.to_vec())));
    assert!(!std::sync::Arc::ptr_eq(&shared, &sets.share(b.capabilities.to_vec())));
}
