#![no_main]
//! Fuzz request dispatch: any request that decodes, sent by an administrator to a scheduler
//! with three printers of different security levels (one splitting jobs by policy), must get a
//! response carrying the same request-id, without panicking, and the response must encode to
//! a message that decodes again. Print-Job and Send-Document get a counted PDF document, so
//! the splitter runs on whatever job attributes the request carries. Job 1 waits on "office",
//! whose printer stopped (manual failover): a CUPS-Move-Job of it goes through the failover
//! choice, and the run ending afterwards through the hand-off. A request the daemon would
//! send in two phases (`Facts::two_phases`) goes through them half the time, as the daemon
//! sends it: `dispatch::admit`, then `dispatch::complete` with the document.

use libfuzzer_sys::fuzz_target;
use quire_core::{handle, Document, Request, Requester, Scheduler, Settings, UriBase};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

const NOW: i64 = 1_700_000_000;

fn base() -> UriBase {
    UriBase { scheme: "ipp".into(), authority: "localhost:631".into() }
}

fn admin() -> Requester {
    Requester {
        user: "root".into(),
        authenticated: true,
        admin: true,
        host: "localhost".into(),
        ..Default::default()
    }
}

/// A scheduler with idle, accepting queues made as `lpadmin -p NAME -v file:///dev/null -E
/// -o ...` would: "fuzz" (PIN, splits every job), "secure" (badge, encrypts, erases), "draft".
fn scheduler() -> Scheduler {
    let mut s = Scheduler::new(Settings { start_time: NOW - 3600, ..Settings::default() });
    let kw = |n: &str, v: &str| Attribute::new(n, Value::Keyword(v.into()));
    let yes = |n: &str| Attribute::new(n, Value::Boolean(true));
    use quire_ipp::vendor as v;
    add_printer(
        &mut s,
        "fuzz",
        vec![kw(v::AUTHENTICATION_METHOD, "pin"), kw(v::SPLIT_DEFAULT, "auto")],
    );
    add_printer(
        &mut s,
        "secure",
        vec![
            kw(v::AUTHENTICATION_METHOD, "id-card"),
            yes(v::ENCRYPTS_JOB_DATA),
            yes(v::ERASES_STORAGE),
        ],
    );
    add_printer(&mut s, "draft", Vec::new());
    let int = |n: &str, v: i32| Attribute::new(n, Value::Integer(v));
    add_printer(
        &mut s,
        "office",
        vec![
            kw(v::AUTHENTICATION_METHOD, "pin"),
            kw(v::FAILOVER_DEFAULT, "manual"),
            int(v::FAILOVER_GRACE_TIME, 0),
        ],
    );
    stopped_job(&mut s);
    s
}

/// Job 1: 20 pages on "office", 7 printed, then the device ran out of paper; the user is to
/// choose where the rest goes.
fn stopped_job(s: &mut Scheduler) {
    let mut msg = Message::new((2, 0), Operation::PrintJob.code(), 2);
    let mut op = Group::new(DelimiterTag::Operation);
    op.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    op.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    op.push(Attribute::new(
        "printer-uri",
        Value::Uri("ipp://localhost:631/printers/office".into()),
    ));
    op.push(Attribute::new("requesting-user-name", Value::Name("root".into())));
    msg.push_group(op);
    let mut req = Request::new(msg, "/printers/office", base());
    req.document = Some(pdf(20));
    let out = handle(s, &req, &admin(), NOW);
    assert!(out.response.code < 0x0100, "setup: Print-Job failed: {:?}", out.response);
    let run = s.jobs.get(&1).map_or(0, |j| j.run);
    quire_core::schedule::job_progress(s, 1, run, 7, NOW);
    quire_core::device::device_state(
        s,
        1,
        run,
        vec!["media-empty-error".into()],
        String::new(),
        NOW,
    );
    quire_core::schedule::fire(s, NOW + 1);
}

fn pdf(pages: u32) -> Document {
    Document {
        number: 1,
        format: "application/pdf".into(),
        name: "fuzz.pdf".into(),
        size: 4096,
        file: "d00001-001".into(),
        compression: None,
        pages: Some(pages),
        uri: None,
    }
}

fn add_printer(s: &mut Scheduler, name: &str, extra: Vec<Attribute>) {
    let mut msg = Message::new((2, 0), Operation::CupsAddModifyPrinter.code(), 1);
    let mut op = Group::new(DelimiterTag::Operation);
    op.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    op.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    op.push(Attribute::new(
        "printer-uri",
        Value::Uri(format!("ipp://localhost:631/printers/{name}")),
    ));
    op.push(Attribute::new("requesting-user-name", Value::Name("root".into())));
    msg.push_group(op);
    let mut p = Group::new(DelimiterTag::Printer);
    p.push(Attribute::new("device-uri", Value::Uri("file:///dev/null".into())));
    p.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
    p.push(Attribute::new("printer-state", Value::Enum(3)));
    for a in extra {
        p.push(a);
    }
    msg.push_group(p);
    let out = handle(s, &Request::new(msg, "/admin/", base()), &admin(), NOW);
    assert!(
        out.response.code < 0x0100,
        "setup: CUPS-Add-Modify-Printer failed: {:?}",
        out.response
    );
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
    let op = message.code;
    let mut s = scheduler();
    let mut req = Request::new(message, resource, base());
    let two_phases = Operation::from_u16(op)
        .and_then(quire_core::ops::facts)
        .is_some_and(|f| f.two_phases(&req.message));
    let mut document = None;
    if op == Operation::PrintJob.code() || op == Operation::SendDocument.code() {
        let pages = u32::from(data.first().copied().unwrap_or(1));
        document = Some(pdf(pages));
    }
    let response = if two_phases && data.len() % 2 == 0 {
        match quire_core::dispatch::admit(&mut s, &req, &admin(), NOW + 2) {
            Ok(admitted) => {
                req.document = document;
                quire_core::dispatch::complete(&mut s, admitted, &req, &admin(), NOW + 2).response
            }
            Err(refused) => refused,
        }
    } else {
        req.document = document;
        handle(&mut s, &req, &admin(), NOW + 2).response
    };
    assert_eq!(response.request_id, request_id, "response request-id");
    // Job 1's run ends (stopped for a hand-off, or by whatever the request did).
    let run = s.jobs.get(&1).map_or(0, |j| j.run);
    quire_core::schedule::job_finished(&mut s, 1, run, quire_core::JobResult::Stopped, NOW + 3);
    let encoded = response.encode();
    quire_ipp::decode(&encoded).expect("the response decodes");
});
