//! quire-sim, the printer simulator, driven as a real process over IPP (quire-client and
//! ipptool) and its control listener. Printing runs at 60000 ppm (1 ms a page).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use quire_client::{Client, Destination};
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, StatusCode, Value};
use quire_tests::process::{run_with_timeout, tcp_connects, wait_until};
use quire_tests::simulated_printer::{empty_pdf, expected_markers, PageRecord};
use quire_tests::{marked_pdf, run_ipptool, sim_binary, IppSuite, Sim, SimFault, SimOptions};

const WAIT: Duration = Duration::from_secs(10);

fn client(sim: &Sim) -> Client {
    let dest = Destination::Tcp { host: "127.0.0.1".into(), port: sim.port };
    Client::connect(dest)
        .expect("connect")
        .with_user("tester")
        .with_timeout(Duration::from_secs(10))
}

fn status(msg: &Message) -> StatusCode {
    StatusCode::from_u16(msg.code).expect("status code")
}

/// Print-Job of `doc` (a PDF unless `format` says otherwise) with `copies`; returns the job id.
fn print(sim: &Sim, doc: &[u8], copies: i32, name: &str) -> i32 {
    let mut c = client(sim);
    let mut req = c.request(Operation::PrintJob, Some(&sim.uri()));
    let ops = req.group_mut(DelimiterTag::Operation);
    ops.push(Attribute::new("job-name", Value::Name(name.into())));
    ops.push(Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())));
    req.group_mut(DelimiterTag::Job).push(Attribute::new("copies", Value::Integer(copies)));
    let resp = c.send("/ipp/print", &req, Some(&mut &doc[..])).expect("Print-Job");
    assert_eq!(status(&resp), StatusCode::SuccessfulOk, "{resp:?}");
    resp.attr(DelimiterTag::Job, "job-id").and_then(Attribute::first_i32).expect("job-id")
}

fn job_attrs(sim: &Sim, id: i32) -> Message {
    let mut c = client(sim);
    let mut req = c.request(Operation::GetJobAttributes, Some(&sim.uri()));
    req.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
    c.send("/ipp/print", &req, None).expect("Get-Job-Attributes")
}

fn job_int(msg: &Message, name: &str) -> Option<i32> {
    msg.attr(DelimiterTag::Job, name).and_then(Attribute::first_i32)
}

fn strs(msg: &Message, tag: DelimiterTag, name: &str) -> Vec<String> {
    msg.attr(tag, name).map(|a| a.strs().map(String::from).collect()).unwrap_or_default()
}

fn printer_attrs(sim: &Sim) -> Message {
    let mut c = client(sim);
    let req = c.request(Operation::GetPrinterAttributes, Some(&sim.uri()));
    c.send("/ipp/print", &req, None).expect("Get-Printer-Attributes")
}

fn markers(log: &[PageRecord]) -> Vec<String> {
    log.iter().map(|r| r.marker.clone().unwrap_or_default()).collect()
}

/// Stops when `printed` impressions are out and the printer is stopped, and checks that
/// nothing more comes out for a while.
fn wait_stopped_at(sim: &Sim, printed: u64) {
    sim.wait_for(WAIT, |s| s.state == "stopped" && s.printed == printed).expect("printer stops");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(sim.status().expect("status").printed, printed, "printed while stopped");
}

#[test]
fn twenty_marked_pages_are_logged_exactly_once() {
    let sim = SimOptions::new().name("sim-a").start().expect("start sim");
    let id = print(&sim, &marked_pdf("doc1", 20), 1, "twenty");
    sim.wait_idle(WAIT).expect("idle");
    let log = sim.page_log().expect("page log");
    assert_eq!(markers(&log), expected_markers("doc1", 20));
    let r = &log[19];
    assert_eq!(
        (r.printer.as_str(), r.job_id, r.job_name.as_str(), r.user.as_str()),
        ("sim-a", id, "twenty", "tester")
    );
    assert_eq!((r.document, r.copy, r.page), (1, 1, 20));
    let job = job_attrs(&sim, id);
    assert_eq!(job_int(&job, "job-state"), Some(9));
    assert_eq!(job_int(&job, "job-impressions-completed"), Some(20));
    assert_eq!(job_int(&job, "job-impressions"), Some(20));
    assert_eq!(strs(&job, DelimiterTag::Job, "job-state-reasons"), ["job-completed-successfully"]);
}

#[test]
fn copies_are_printed_collated() {
    let sim = SimOptions::new().start().expect("start sim");
    let id = print(&sim, &marked_pdf("c", 20), 3, "copies");
    sim.wait_idle(WAIT).expect("idle");
    let log = sim.page_log().expect("page log");
    assert_eq!(log.len(), 60);
    let want: Vec<String> = (0..3).flat_map(|_| expected_markers("c", 20)).collect();
    assert_eq!(markers(&log), want);
    assert_eq!(
        log.iter().map(|r| r.copy).collect::<Vec<_>>(),
        (1..=3).flat_map(|c| [c; 20]).collect::<Vec<_>>()
    );
    assert_eq!(job_int(&job_attrs(&sim, id), "job-impressions-completed"), Some(60));
}

#[test]
fn media_empty_stops_the_printer_until_repaired() {
    let sim = SimOptions::new().ppm(6000).start().expect("start sim");
    sim.fault(SimFault::MediaEmptyAfter(5)).expect("fault");
    let id = print(&sim, &marked_pdf("m", 20), 1, "paper");
    wait_stopped_at(&sim, 5);
    let printer = printer_attrs(&sim);
    assert_eq!(
        strs(&printer, DelimiterTag::Printer, "printer-state-reasons"),
        ["media-empty-error"]
    );
    assert_eq!(
        printer.attr(DelimiterTag::Printer, "printer-state").and_then(Attribute::first_i32),
        Some(5)
    );
    let msg =
        printer.attr(DelimiterTag::Printer, "printer-state-message").and_then(Attribute::first_str);
    assert_eq!(msg, Some("Out of paper"));
    let job = job_attrs(&sim, id);
    assert_eq!(job_int(&job, "job-state"), Some(5));
    assert_eq!(job_int(&job, "job-impressions-completed"), Some(5));
    assert!(
        strs(&job, DelimiterTag::Job, "job-state-reasons").contains(&"printer-stopped".to_string())
    );
    assert_eq!(sim.page_log().expect("log").len(), 5);
    sim.repair().expect("repair");
    sim.wait_idle(WAIT).expect("idle");
    assert_eq!(markers(&sim.page_log().expect("log")), expected_markers("m", 20));
    assert_eq!(job_int(&job_attrs(&sim, id), "job-impressions-completed"), Some(20));
}

#[test]
fn a_jammed_page_is_reprinted_after_repair() {
    let sim = SimOptions::new().ppm(6000).jam_after(3).start().expect("start sim");
    let id = print(&sim, &marked_pdf("j", 20), 1, "jam");
    wait_stopped_at(&sim, 3);
    let printer = printer_attrs(&sim);
    assert_eq!(strs(&printer, DelimiterTag::Printer, "printer-state-reasons"), ["media-jam-error"]);
    assert_eq!(job_int(&job_attrs(&sim, id), "job-impressions-completed"), Some(3));
    sim.repair().expect("repair");
    sim.wait_idle(WAIT).expect("idle");
    assert_eq!(markers(&sim.page_log().expect("log")), expected_markers("j", 20));
}

#[test]
fn an_offline_printer_takes_jobs_and_prints_them_after_repair() {
    let sim = SimOptions::new().offline(true).start().expect("start sim");
    let id = print(&sim, &marked_pdf("o", 4), 1, "offline");
    std::thread::sleep(Duration::from_millis(200));
    let s = sim.status().expect("status");
    assert_eq!(
        (s.state.as_str(), s.reasons.clone(), s.printed),
        ("stopped", vec!["offline-report".to_string()], 0)
    );
    assert_eq!(s.job(id).map(|j| j.state.as_str()), Some("pending"));
    sim.repair().expect("repair");
    sim.wait_idle(WAIT).expect("idle");
    assert_eq!(markers(&sim.page_log().expect("log")), expected_markers("o", 4));
}

#[test]
fn refused_connections_come_back_on_repair() {
    let sim = SimOptions::new().start().expect("start sim");
    let mut open = TcpStream::connect(("127.0.0.1", sim.port)).expect("connect before the fault");
    let s = sim.fault(SimFault::RefuseConnections).expect("fault");
    assert!(s.refusing_connections);
    assert!(wait_until(WAIT, || !tcp_connects(sim.port)), "the listener is still open");
    let err = TcpStream::connect(("127.0.0.1", sim.port)).expect_err("connect while refusing");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    // The connection opened before the fault was dropped.
    open.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let _ = open.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = [0u8; 64];
    assert!(matches!(open.read(&mut buf), Ok(0) | Err(_)), "old connection still served");
    sim.repair().expect("repair");
    assert!(wait_until(WAIT, || tcp_connects(sim.port)), "listener not back");
    print(&sim, &marked_pdf("r", 2), 1, "back");
    sim.wait_idle(WAIT).expect("idle");
    assert_eq!(sim.page_log().expect("log").len(), 2);
}

#[test]
fn unreadable_and_empty_pdfs_abort_with_document_format_error() {
    let sim = SimOptions::new().start().expect("start sim");
    let corrupt = print(&sim, b"%PDF-1.4\nnot really a PDF\n%%EOF\n", 1, "corrupt");
    let empty = print(&sim, &empty_pdf(), 1, "empty");
    sim.wait_idle(WAIT).expect("idle");
    for id in [corrupt, empty] {
        let job = job_attrs(&sim, id);
        assert_eq!(job_int(&job, "job-state"), Some(8), "job {id}");
        assert_eq!(strs(&job, DelimiterTag::Job, "job-state-reasons"), ["document-format-error"]);
        assert!(!strs(&job, DelimiterTag::Job, "job-state-message").is_empty());
    }
    assert!(sim.page_log().expect("log").is_empty());
}

#[test]
fn multi_document_jobs_and_kept_documents() {
    let keep = tempfile::tempdir().expect("tempdir");
    let sim = SimOptions::new().keep(keep.path()).start().expect("start sim");
    let mut c = client(&sim);
    let req = c.request(Operation::CreateJob, Some(&sim.uri()));
    let resp = c.send("/ipp/print", &req, None).expect("Create-Job");
    let id = job_int(&resp, "job-id").expect("job-id");
    for (n, last) in [(1, false), (2, true)] {
        let mut req = c.request(Operation::SendDocument, Some(&sim.uri()));
        let ops = req.group_mut(DelimiterTag::Operation);
        ops.push(Attribute::new("job-id", Value::Integer(id)));
        ops.push(Attribute::new("last-document", Value::Boolean(last)));
        let doc = marked_pdf(&format!("d{n}"), n);
        let resp = c.send("/ipp/print", &req, Some(&mut &doc[..])).expect("Send-Document");
        assert_eq!(status(&resp), StatusCode::SuccessfulOk);
    }
    sim.wait_idle(WAIT).expect("idle");
    let log = sim.page_log().expect("log");
    assert_eq!(markers(&log), ["QPAGE:d1:p1", "QPAGE:d2:p1", "QPAGE:d2:p2"]);
    assert_eq!(log.iter().map(|r| r.document).collect::<Vec<_>>(), [1, 2, 2]);
    assert_eq!(
        std::fs::read(keep.path().join(format!("{id}-2.pdf"))).expect("kept"),
        marked_pdf("d2", 2)
    );
}

#[test]
fn printer_attributes_and_bad_requests() {
    let sim = SimOptions::new()
        .name("secure")
        .auth("pin")
        .encrypts(true)
        .ppm(30)
        .start()
        .expect("start sim");
    let p = printer_attrs(&sim);
    let get = |n: &str| p.attr(DelimiterTag::Printer, n).cloned();
    assert_eq!(
        get("printer-name").and_then(|a| a.first_str().map(String::from)).as_deref(),
        Some("secure")
    );
    assert_eq!(
        get("quire-authentication-method").and_then(|a| a.first_str().map(String::from)).as_deref(),
        Some("pin")
    );
    assert_eq!(get("quire-encrypts-job-data").and_then(|a| a.first_bool()), Some(true));
    assert_eq!(get("quire-erases-storage").and_then(|a| a.first_bool()), Some(false));
    assert!(get("job-password-supported").and_then(|a| a.first_i32()).is_some_and(|n| n >= 4));
    assert_eq!(get("pages-per-minute").and_then(|a| a.first_i32()), Some(30));
    assert_eq!(get("page-ranges-supported").and_then(|a| a.first_bool()), Some(false));
    let mut c = client(&sim);
    let mut req = c.request(Operation::PrintJob, Some(&sim.uri()));
    req.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("document-format", Value::MimeMediaType("image/gif".into())));
    let resp = c.send("/ipp/print", &req, Some(&mut &b"GIF89a"[..])).expect("Print-Job");
    assert_eq!(status(&resp), StatusCode::ClientErrorDocumentFormatNotSupported);
    let mut req = c.request(Operation::GetJobAttributes, Some(&sim.uri()));
    req.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(42)));
    assert_eq!(
        status(&c.send("/ipp/print", &req, None).expect("send")),
        StatusCode::ClientErrorNotFound
    );
    let req = c.request(Operation::PausePrinter, Some(&sim.uri()));
    assert_eq!(
        status(&c.send("/ipp/print", &req, None).expect("send")),
        StatusCode::ServerErrorOperationNotSupported
    );
}

#[test]
fn ipptool_suites_pass() {
    let sim = SimOptions::new().start().expect("start sim");
    let suite = IppSuite::stage().expect("stage ipptool files");
    for file in ["ipp-1.1", "ipp-2.0"] {
        let r = run_ipptool(&suite, &sim.uri(), file, &[], 60).expect("ipptool");
        assert!(r.failed == 0 && r.passed > 20, "{file}: {:?}\n{}", r.failed_names, r.output);
    }
}

#[test]
fn command_line_and_ctl_client() {
    let bin = sim_binary().expect("quire-sim binary");
    let bin = bin.to_string_lossy();
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run_with_timeout(10, &bin, &args, None, &[]).expect("run quire-sim")
    };
    assert_eq!(run(&["--bogus"]).rc, 2);
    assert_eq!(run(&["--listen", "127.0.0.1:1", "--ppm", "fast"]).rc, 2);
    let help = run(&["--help"]);
    assert!(help.rc == 0 && help.stdout.contains("--media-empty-after"), "{}", help.text());
    let sim = SimOptions::new().start().expect("start sim");
    let addr = sim.control_addr();
    let out = run(&["ctl", &addr, "fault", "media-empty-after", "0"]);
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(sim.status().expect("status").reasons, ["media-empty-error"]);
    let out = run(&["ctl", &addr, "repair"]);
    assert!(out.rc == 0 && out.stdout.contains("\"state\":\"idle\""), "{}", out.text());
    print(&sim, &marked_pdf("ctl", 1), 1, "ctl");
    sim.wait_idle(WAIT).expect("idle");
    let out = run(&["ctl", &addr, "log"]);
    assert!(out.stdout.contains("\"marker\":\"QPAGE:ctl:p1\""), "{}", out.text());
    assert_eq!(run(&["ctl", &addr, "fault", "fire"]).rc, 2);
}
