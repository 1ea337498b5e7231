//! `lp` → quired → quire-sim, checked against the simulator's page log (what was really
//! printed, page by page), and faults injected into the printer mid-job: paper out, a printer
//! offline at submission, a document the printer cannot print.

use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_client::{Client, Destination};
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::simulated_printer::{
    expected_markers, write_marked_pdf, PageRecord, Sim, SimFault, SimOptions,
};
use quire_tests::{cups_tool, cups_tool_ok, Server, Via};

fn quired() -> Option<Server> {
    quire_tests::require_programs();
    let server = Server::start_quired().expect("start quired");
    if server.is_none() {
        quire_tests::skipped("quired binary not built");
    }
    server
}

fn everywhere_queue(server: &Server, queue: &str, sim: &Sim) {
    cups_tool_ok(
        server,
        Via::Tcp,
        "lpadmin",
        &["-p", queue, "-E", "-v", &sim.uri(), "-m", "everywhere"],
    )
    .expect("lpadmin -m everywhere");
}

fn lp(server: &Server, queue: &str, file: &Path, extra: &[&str]) -> i32 {
    let doc = file.to_string_lossy().into_owned();
    let mut args = vec!["-d", queue];
    args.extend_from_slice(extra);
    args.push(&doc);
    let out = cups_tool_ok(server, Via::Tcp, "lp", &args).expect("lp");
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
        as i32
}

fn ipp(server: &Server, req: &Message, resource: &str) -> Message {
    let mut c = Client::connect(Destination::Tcp { host: "127.0.0.1".into(), port: server.port() })
        .expect("connect");
    c.send(resource, req, None).expect("IPP request")
}

/// The job's attributes on quired.
fn job(server: &Server, id: i32) -> Message {
    let mut req =
        quire_client::request_as(Operation::GetJobAttributes, Some(&server.uri_base()), "tester");
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(Attribute::set("requested-attributes", vec![Value::Keyword("all".into())]));
    ipp(server, &req, "/")
}

fn job_int(m: &Message, name: &str) -> Option<i32> {
    m.attr(DelimiterTag::Job, name).and_then(|a| a.first_i32())
}

fn job_strs(m: &Message, name: &str) -> Vec<String> {
    m.attr(DelimiterTag::Job, name)
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default()
}

fn printer_reasons(server: &Server, queue: &str) -> Vec<String> {
    let mut req = quire_client::request_as(
        Operation::GetPrinterAttributes,
        Some(&server.printer_uri(queue)),
        "tester",
    );
    req.group_mut(DelimiterTag::Operation).push(Attribute::set(
        "requested-attributes",
        vec![Value::Keyword("printer-state-reasons".into())],
    ));
    let resp = ipp(server, &req, &format!("/printers/{queue}"));
    resp.attr(DelimiterTag::Printer, "printer-state-reasons")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default()
}

fn wait_state(server: &Server, id: i32, state: i32, secs: u64) -> Message {
    let ok = wait_until(Duration::from_secs(secs), || {
        job_int(&job(server, id), "job-state") == Some(state)
    });
    let m = job(server, id);
    assert!(
        ok,
        "job {id} never reached state {state}: {:?}\nlog:\n{}",
        m.groups,
        server.log_tail(40)
    );
    m
}

fn markers(log: &[PageRecord]) -> Vec<String> {
    log.iter().filter_map(|r| r.marker.clone()).collect()
}

fn marked(dir: &Path, tag: &str, pages: u32) -> PathBuf {
    let path = dir.join(format!("{tag}.pdf"));
    write_marked_pdf(&path, tag, pages).expect("write PDF");
    path
}

#[test]
fn every_page_arrives_exactly_once_with_progress_and_page_count() {
    let Some(server) = quired() else { return };
    let sim = SimOptions::new().name("plain").start().expect("quire-sim");
    everywhere_queue(&server, "simq", &sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let id = lp(&server, "simq", &marked(dir.path(), "twenty", 20), &[]);
    let m = wait_state(&server, id, 9, 30);
    assert_eq!(job_int(&m, "job-impressions"), Some(20), "page count at submission");
    assert_eq!(job_int(&m, "job-impressions-completed"), Some(20), "progress from the printer");
    assert_eq!(markers(&sim.page_log().expect("page log")), expected_markers("twenty", 20));
}

#[test]
fn page_ranges_are_applied_by_quired_for_a_printer_without_them() {
    let Some(server) = quired() else { return };
    let sim = SimOptions::new().name("ranges").start().expect("quire-sim");
    everywhere_queue(&server, "rangeq", &sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let id = lp(
        &server,
        "rangeq",
        &marked(dir.path(), "r", 10),
        &["-o", "page-ranges=3-5,9", "-n", "2"],
    );
    wait_state(&server, id, 9, 30);
    let got = markers(&sim.page_log().expect("page log"));
    let want: Vec<String> = ["p3", "p4", "p5", "p9", "p3", "p4", "p5", "p9"]
        .iter()
        .map(|p| format!("QPAGE:r:{p}"))
        .collect();
    assert_eq!(got, want, "pages 3-5 and 9, two collated copies");
}

#[test]
fn paper_out_at_page_5_of_20_then_repair_completes() {
    let Some(server) = quired() else { return };
    let sim = SimOptions::new().name("paper").ppm(600).start().expect("quire-sim");
    everywhere_queue(&server, "paperq", &sim);
    sim.fault(SimFault::MediaEmptyAfter(5)).expect("inject media-empty");
    let dir = tempfile::tempdir().expect("tempdir");
    let id = lp(&server, "paperq", &marked(dir.path(), "paper", 20), &[]);
    // The queue shows the printer's state and the job shows how far it got.
    assert!(
        wait_until(Duration::from_secs(30), || printer_reasons(&server, "paperq")
            .iter()
            .any(|r| r.starts_with("media-empty"))),
        "queue never showed media-empty: {:?}",
        printer_reasons(&server, "paperq")
    );
    assert!(wait_until(Duration::from_secs(10), || job_int(
        &job(&server, id),
        "job-impressions-completed"
    ) == Some(5)));
    let m = job(&server, id);
    assert_eq!(job_int(&m, "job-state"), Some(5), "still processing while out of paper");
    assert!(job_strs(&m, "job-printer-state-reasons").iter().any(|r| r.starts_with("media-empty")));
    assert!(
        job_strs(&m, "job-state-reasons").iter().any(|r| r == "printer-stopped"),
        "{:?}",
        job_strs(&m, "job-state-reasons")
    );
    assert_eq!(
        markers(&sim.page_log().expect("log")),
        expected_markers("paper", 5),
        "pages 1-5 printed, nothing else"
    );
    sim.repair().expect("repair");
    let m = wait_state(&server, id, 9, 60);
    assert_eq!(job_int(&m, "job-impressions-completed"), Some(20));
    assert_eq!(
        markers(&sim.page_log().expect("log")),
        expected_markers("paper", 20),
        "every page exactly once"
    );
    assert!(wait_until(Duration::from_secs(5), || !printer_reasons(&server, "paperq")
        .iter()
        .any(|r| r.starts_with("media-empty"))));
}

#[test]
fn a_printer_offline_at_submission_gets_the_job_when_it_comes_back() {
    let Some(server) = quired() else { return };
    let sim = SimOptions::new().name("offline").start().expect("quire-sim");
    everywhere_queue(&server, "offq", &sim);
    sim.fault(SimFault::RefuseConnections).expect("take printer off the network");
    let dir = tempfile::tempdir().expect("tempdir");
    let id = lp(&server, "offq", &marked(dir.path(), "off", 3), &[]);
    assert!(
        wait_until(Duration::from_secs(15), || printer_reasons(&server, "offq")
            .iter()
            .any(|r| r == "offline-report")),
        "queue never showed offline-report: {:?}",
        printer_reasons(&server, "offq")
    );
    assert_eq!(job_int(&job(&server, id), "job-state"), Some(5), "the job waits, processing");
    assert!(sim.page_log().expect("log").is_empty());
    sim.repair().expect("back online");
    wait_state(&server, id, 9, 60);
    assert_eq!(markers(&sim.page_log().expect("log")), expected_markers("off", 3));
    assert!(!printer_reasons(&server, "offq").iter().any(|r| r == "offline-report"));
}

#[test]
fn a_pdf_the_printer_cannot_read_aborts_the_job_not_the_queue() {
    let Some(server) = quired() else { return };
    let sim = SimOptions::new().name("corrupt").start().expect("quire-sim");
    everywhere_queue(&server, "badq", &sim);
    let corrupt = quire_tests::data_dir().join("bad-input/corrupt.pdf");
    let id = lp(&server, "badq", &corrupt, &[]);
    let m = wait_state(&server, id, 8, 30);
    assert!(
        job_strs(&m, "job-state-reasons").iter().any(|r| r == "document-format-error"),
        "{:?}",
        m.groups
    );
    let message = m
        .attr(DelimiterTag::Job, "job-state-message")
        .and_then(|a| a.first_str())
        .unwrap_or("")
        .to_string();
    assert!(message.contains("could not print the document"), "{message}");
    // The queue goes on: the next job prints.
    let dir = tempfile::tempdir().expect("tempdir");
    let next = lp(&server, "badq", &marked(dir.path(), "after", 2), &[]);
    wait_state(&server, next, 9, 30);
}

#[test]
fn an_empty_pdf_is_refused_at_submission() {
    let Some(server) = quired() else { return };
    let sim = SimOptions::new().name("empty").start().expect("quire-sim");
    everywhere_queue(&server, "emptyq", &sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, quire_tests::simulated_printer::empty_pdf()).expect("write");
    let out = cups_tool(&server, Via::Tcp, "lp", &["-d", "emptyq", &empty.to_string_lossy()])
        .expect("lp");
    assert_ne!(out.rc, 0, "lp must fail: {}", out.text());
    assert!(out.text().contains("no pages"), "lp should say why: {}", out.text());
    assert!(sim.page_log().expect("log").is_empty());
}
