#![no_main]
//! Fuzz request dispatch: any request that decodes, sent by an administrator to a scheduler
//! with one printer, must get a response carrying the same request-id, without panicking, and
//! the response must encode to a message that decodes again.

use libfuzzer_sys::fuzz_target;
use quire_core::{handle, Request, Requester, Scheduler, Settings, UriBase};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

const NOW: i64 = 1_700_000_000;

fn base() -> UriBase {
    UriBase { scheme: "ipp".into(), authority: "localhost:631".into() }
}

fn admin() -> Requester {
    Requester { user: "root".into(), authenticated: true, admin: true, host: "localhost".into() }
}

/// A scheduler with one idle, accepting queue "fuzz", made as `lpadmin -p fuzz -v file:///dev/null -E` would.
fn scheduler() -> Scheduler {
    let mut s = Scheduler::new(Settings { start_time: NOW - 3600, ..Settings::default() });
    let mut msg = Message::new((2, 0), Operation::CupsAddModifyPrinter.code(), 1);
    let mut op = Group::new(DelimiterTag::Operation);
    op.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    op.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    op.push(Attribute::new("printer-uri", Value::Uri("ipp://localhost:631/printers/fuzz".into())));
    op.push(Attribute::new("requesting-user-name", Value::Name("root".into())));
    msg.push_group(op);
    let mut p = Group::new(DelimiterTag::Printer);
    p.push(Attribute::new("device-uri", Value::Uri("file:///dev/null".into())));
    p.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
    p.push(Attribute::new("printer-state", Value::Enum(3)));
    msg.push_group(p);
    let out = handle(&mut s, &Request::new(msg, "/admin/", base()), &admin(), NOW);
    assert!(out.response.code < 0x0100, "setup: CUPS-Add-Modify-Printer failed: {:?}", out.response);
    s
}

fuzz_target!(|data: &[u8]| {
    let Ok((message, _)) = quire_ipp::decode(data) else { return };
    let request_id = message.request_id;
    // The resource matters to some operations (e.g. /admin/ for CUPS-Add-Modify-*).
    let resource = match data.len() % 3 {
        0 => "/",
        1 => "/printers/fuzz",
        _ => "/admin/",
    };
    let mut s = scheduler();
    let out = handle(&mut s, &Request::new(message, resource, base()), &admin(), NOW);
    assert_eq!(out.response.request_id, request_id, "response request-id");
    let encoded = out.response.encode();
    quire_ipp::decode(&encoded).expect("the response decodes");
});
