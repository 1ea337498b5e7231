//! RFC 8011 section 4.1 request validation, through `quire_core::handle`.

mod common;

use common::*;
use quire_ipp::{Attribute, DelimiterTag, Group, Operation, StatusCode, Value};

fn gpa(id: i32) -> Req {
    Req::new(Operation::GetPrinterAttributes).id(id).printer("Q")
}

fn world() -> World {
    World::with_printers(&["Q"])
}

#[test]
fn a_valid_request_succeeds_and_echoes_request_id() {
    let mut w = world();
    let out = w.send(gpa(77), &anon("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(out.response.request_id, 77);
    assert_eq!(out.response.version, (2, 0));
}

#[test]
fn request_id_zero_is_bad_request() {
    let mut w = world();
    let out = w.send(gpa(0), &anon("alice"));
    assert_error(&out, 0, StatusCode::ClientErrorBadRequest);
}

#[test]
fn negative_request_id_is_bad_request() {
    let mut w = world();
    let out = w.send(gpa(-5), &anon("alice"));
    assert_error(&out, -5, StatusCode::ClientErrorBadRequest);
}

#[test]
fn missing_operation_group_is_bad_request() {
    let mut w = world();
    let mut req = gpa(3);
    req.msg.groups.clear();
    assert_error(&w.send(req, &anon("a")), 3, StatusCode::ClientErrorBadRequest);

    // A request whose first group is not the operation group.
    let mut req = gpa(4);
    req.msg.groups.insert(0, Group { tag: DelimiterTag::Job, attributes: vec![int("copies", 1)] });
    assert_error(&w.send(req, &anon("a")), 4, StatusCode::ClientErrorBadRequest);
}

#[test]
fn missing_charset_is_bad_request() {
    let mut w = world();
    let mut req = gpa(5);
    req.msg.groups[0].attributes.remove(0);
    assert_error(&w.send(req, &anon("a")), 5, StatusCode::ClientErrorBadRequest);
}

#[test]
fn missing_natural_language_is_bad_request() {
    let mut w = world();
    let mut req = gpa(6);
    req.msg.groups[0].attributes.remove(1);
    assert_error(&w.send(req, &anon("a")), 6, StatusCode::ClientErrorBadRequest);
}

#[test]
fn misordered_charset_and_language_is_bad_request() {
    let mut w = world();
    let mut req = gpa(7);
    req.msg.groups[0].attributes.swap(0, 1);
    assert_error(&w.send(req, &anon("a")), 7, StatusCode::ClientErrorBadRequest);

    // Charset first but something else between it and the language.
    let mut req = gpa(8);
    req.msg.groups[0].attributes.insert(1, nm("requesting-user-name", "a"));
    assert_error(&w.send(req, &anon("a")), 8, StatusCode::ClientErrorBadRequest);
}

#[test]
fn charset_with_wrong_value_tag_is_bad_request() {
    let mut w = world();
    let mut req = gpa(9);
    req.msg.groups[0].attributes[0] = kw("attributes-charset", "utf-8");
    assert_error(&w.send(req, &anon("a")), 9, StatusCode::ClientErrorBadRequest);

    let mut req = gpa(10);
    req.msg.groups[0].attributes[1] = kw("attributes-natural-language", "en");
    assert_error(&w.send(req, &anon("a")), 10, StatusCode::ClientErrorBadRequest);
}

#[test]
fn unsupported_charset_is_charset_not_supported() {
    let mut w = world();
    let mut req = gpa(11);
    req.msg.groups[0].attributes[0] =
        Attribute::new("attributes-charset", Value::Charset("iso-8859-1".into()));
    let out = w.send(req, &anon("a"));
    assert_error(&out, 11, StatusCode::ClientErrorCharsetNotSupported);
    // The response itself is in a charset we support.
    assert_eq!(
        values(&out.response, DelimiterTag::Operation, "attributes-charset"),
        &[Value::Charset("utf-8".into())]
    );
}

#[test]
fn us_ascii_and_upper_case_utf8_are_accepted() {
    let mut w = world();
    for cs in ["us-ascii", "UTF-8"] {
        let mut req = gpa(12);
        req.msg.groups[0].attributes[0] =
            Attribute::new("attributes-charset", Value::Charset(cs.into()));
        assert_status(&w.send(req, &anon("a")), StatusCode::SuccessfulOk);
    }
}

#[test]
fn unsupported_versions_are_version_not_supported() {
    let mut w = world();
    for v in [(0, 0), (3, 0), (9, 9)] {
        let out = w.send(gpa(13).version(v), &anon("a"));
        assert_error(&out, 13, StatusCode::ServerErrorVersionNotSupported);
        let rv = out.response.version;
        assert!(
            matches!(rv, (1, 0) | (1, 1) | (2, 0) | (2, 1) | (2, 2)),
            "response version {rv:?} for request {v:?}"
        );
    }
}

#[test]
fn supported_versions_are_answered_in_the_same_version() {
    let mut w = world();
    for v in [(1, 0), (1, 1), (2, 0), (2, 1), (2, 2)] {
        let out = w.send(gpa(14).version(v), &anon("a"));
        assert_status(&out, StatusCode::SuccessfulOk);
        assert_eq!(out.response.version, v);
    }
}

#[test]
fn unknown_operation_is_operation_not_supported() {
    let mut w = world();
    let out = w.send(Req::code(0x0099).id(15).printer("Q"), &anon("a"));
    assert_error(&out, 15, StatusCode::ServerErrorOperationNotSupported);
    let out = w.send(Req::code(0x7fff).id(16), &anon("a"));
    assert_error(&out, 16, StatusCode::ServerErrorOperationNotSupported);
}

#[test]
fn known_but_unimplemented_operation_is_operation_not_supported() {
    let mut w = world();
    let req = Req::new(Operation::PrintUri)
        .id(17)
        .printer("Q")
        .op(uri("document-uri", "http://example.com/x.pdf"));
    assert_error(&w.send(req, &anon("a")), 17, StatusCode::ServerErrorOperationNotSupported);
}

#[test]
fn missing_printer_uri_is_bad_request() {
    let mut w = world();
    let out = w.send(Req::new(Operation::GetPrinterAttributes).id(18), &anon("a"));
    assert_error(&out, 18, StatusCode::ClientErrorBadRequest);
    let out = w.send(Req::new(Operation::PrintJob).id(19).user("a").doc(doc()), &anon("a"));
    assert_error(&out, 19, StatusCode::ClientErrorBadRequest);
    assert!(w.s.jobs.is_empty());
}

#[test]
fn printer_uri_with_wrong_syntax_is_bad_request() {
    let mut w = world();
    let req =
        Req::new(Operation::GetPrinterAttributes).id(20).op(txt("printer-uri", &printer_uri("Q")));
    assert_error(&w.send(req, &anon("a")), 20, StatusCode::ClientErrorBadRequest);
}

#[test]
fn printer_uri_of_missing_queue_is_not_found() {
    let mut w = world();
    let out = w.send(Req::new(Operation::GetPrinterAttributes).id(21).printer("Nope"), &anon("a"));
    assert_error(&out, 21, StatusCode::ClientErrorNotFound);
    let out = w.send(World::print_req("Nope", "a").id(22), &anon("a"));
    assert_error(&out, 22, StatusCode::ClientErrorNotFound);
    let out = w.send(Req::new(Operation::GetPrinterAttributes).id(23).class("Q2"), &anon("a"));
    assert_error(&out, 23, StatusCode::ClientErrorNotFound);
}

#[test]
fn printer_operation_on_the_server_uri_is_not_found() {
    let mut w = world();
    let req = Req::new(Operation::PrintJob)
        .id(24)
        .op(uri("printer-uri", &format!("ipp://{HOST}/")))
        .user("a")
        .doc(doc());
    assert_error(&w.send(req, &anon("a")), 24, StatusCode::ClientErrorNotFound);
}

#[test]
fn queue_names_are_case_insensitive() {
    let mut w = world();
    let out = w.send(
        Req::new(Operation::GetPrinterAttributes).id(25).printer("q").requested(&["printer-name"]),
        &anon("a"),
    );
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(
        values(&out.response, DelimiterTag::Printer, "printer-name"),
        &[Value::Name("Q".into())]
    );
}

#[test]
fn requesting_user_name_with_wrong_syntax_is_bad_request() {
    let mut w = world();
    let out = w.send(gpa(26).op(int("requesting-user-name", 5)), &anon("a"));
    assert_error(&out, 26, StatusCode::ClientErrorBadRequest);
    let req = World::print_req("Q", "a").id(27).op(boolean("job-name", true));
    assert_error(&w.send(req, &anon("a")), 27, StatusCode::ClientErrorBadRequest);
    assert!(w.s.jobs.is_empty());
}

#[test]
fn bad_job_target_attributes() {
    let mut w = world();
    let id = w.print("Q", &anon("a"));
    // job-id 0 and a job-id of the wrong type.
    let req = Req::new(Operation::GetJobAttributes).id(28).printer("Q").op(int("job-id", 0));
    assert_error(&w.send(req, &anon("a")), 28, StatusCode::ClientErrorBadRequest);
    let req = Req::new(Operation::GetJobAttributes).id(29).printer("Q").op(nm("job-id", "1"));
    assert_error(&w.send(req, &anon("a")), 29, StatusCode::ClientErrorBadRequest);
    // printer-uri without job-id for a job operation.
    let req = Req::new(Operation::GetJobAttributes).id(30).printer("Q");
    assert_error(&w.send(req, &anon("a")), 30, StatusCode::ClientErrorBadRequest);
    // A job that does not exist, by job-uri and by job-id.
    let req = Req::new(Operation::GetJobAttributes).id(31).job(id + 100);
    assert_error(&w.send(req, &anon("a")), 31, StatusCode::ClientErrorNotFound);
    let req =
        Req::new(Operation::CancelJob).id(32).printer("Q").op(int("job-id", id + 100)).user("a");
    assert_error(&w.send(req, &anon("a")), 32, StatusCode::ClientErrorNotFound);
    // A job-uri that is not a job URI.
    let req = Req::new(Operation::GetJobAttributes).id(33).op(uri("job-uri", &printer_uri("Q")));
    assert_error(&w.send(req, &anon("a")), 33, StatusCode::ClientErrorBadRequest);
    // And the good forms work.
    let req = Req::new(Operation::GetJobAttributes).id(34).printer("Q").op(int("job-id", id));
    assert_status(&w.send(req, &anon("a")), StatusCode::SuccessfulOk);
    let req = Req::new(Operation::GetJobAttributes).id(35).job(id);
    assert_status(&w.send(req, &anon("a")), StatusCode::SuccessfulOk);
}

#[test]
fn duplicate_operation_group_is_bad_request() {
    let mut w = world();
    let mut req = gpa(36);
    let op = req.msg.groups[0].clone();
    req.msg.groups.push(op);
    assert_error(&w.send(req, &anon("a")), 36, StatusCode::ClientErrorBadRequest);
}

#[test]
fn every_error_has_status_message_and_request_id() {
    let mut w = world();
    let mut cases: Vec<(Req, StatusCode)> = vec![
        (gpa(0), StatusCode::ClientErrorBadRequest),
        (gpa(101).version((0, 0)), StatusCode::ServerErrorVersionNotSupported),
        (Req::code(0x0050).id(102).printer("Q"), StatusCode::ServerErrorOperationNotSupported),
        (Req::new(Operation::GetPrinterAttributes).id(103), StatusCode::ClientErrorBadRequest),
        (
            Req::new(Operation::GetPrinterAttributes).id(104).printer("X"),
            StatusCode::ClientErrorNotFound,
        ),
        (gpa(105).op(int("requesting-user-name", 1)), StatusCode::ClientErrorBadRequest),
        (
            Req::new(Operation::PrintJob).id(106).printer("Q").user("a"),
            StatusCode::ClientErrorBadRequest,
        ),
        (
            Req::new(Operation::CancelJob).id(107).job(999).user("a"),
            StatusCode::ClientErrorNotFound,
        ),
        (
            Req::new(Operation::PausePrinter).id(108).printer("Q").user("a"),
            StatusCode::ClientErrorNotAuthenticated,
        ),
    ];
    let mut bad_cs = gpa(109);
    bad_cs.msg.groups[0].attributes[0] =
        Attribute::new("attributes-charset", Value::Charset("koi8-r".into()));
    cases.push((bad_cs, StatusCode::ClientErrorCharsetNotSupported));
    for (req, expected) in cases {
        let id = req.msg.request_id;
        let out = w.send(req, &anon("a"));
        assert_error(&out, id, expected);
    }
}

#[test]
fn validation_failures_do_not_change_state() {
    let mut w = world();
    let before = format!("{:?}", w.s);
    let mut bad = World::print_req("Q", "a").id(0);
    w.send(bad.clone(), &anon("a"));
    bad = bad.id(1).version((3, 0));
    w.send(bad, &anon("a"));
    assert_eq!(format!("{:?}", w.s), before);
}
