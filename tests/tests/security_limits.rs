//! Issue 21, limits: Print-URI documents that trickle in (`PullMinRate`, `MaxJobTime`), a
//! `document-uri` naming the server itself (`PullHosts` ports), and a spool disk that fills
//! up (attributes in the quotas, a store that stays consistent, clean-up that still works).
//!
//! Requests come from another host (a network namespace, `quire_tests::lan`) to a server
//! under Debian's stock cupsd.conf. Print-URI pulling, `PullMinRate` and `SpoolQuota` are
//! Quire's (cupsd implements none of them), so those tests run against quired only.

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, ServerKind, Via};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ABORTED: i32 = 8;
const CANCELED: i32 = 7;
const COMPLETED: i32 = 9;
const FAST_DOCUMENT: &str = "FAST-PULLED-DOCUMENT-MARKER\n";

fn lan_or_skip() -> Option<Lan> {
    if !Lan::available() {
        eprintln!("SKIPPED: needs root and iproute2 (network namespaces)");
        return None;
    }
    quire_tests::require_programs();
    Some(Lan::new().expect("create the test LAN"))
}

/// quired under the stock policy with `extra` in its cupsd.conf and a queue "office" printing
/// to `out/office.out`, added by root on the local socket.
fn quired(lan: &Lan, extra: &str, files_extra: &str) -> LanServer {
    let opts = StockOptions { cupsd_extra: extra.to_string(), files_extra: files_extra.to_string(), ..Default::default() };
    let server = LanServer::start(ServerKind::Quired, lan, &opts).expect("start quired").expect("quired is built (cargo build --workspace)");
    add_queue(&server);
    server
}

fn add_queue(server: &LanServer) {
    let uri = format!("file://{}/out/office.out", server.dir().display());
    let out = cups_tool(server, Via::Socket, "lpadmin", &["-p", "office", "-E", "-v", &uri]).expect("lpadmin");
    assert_eq!(out.rc, 0, "{}: root adds a queue: {}", server.name(), out.text());
}

fn printed(server: &LanServer) -> String {
    std::fs::read(server.dir().join("out/office.out")).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// An IPP request from this host over loopback TCP (as root: peer credentials, admin).
fn local_ipp(server: &LanServer, msg: &Message) -> Message {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let req = quire_tests::http::ipp_post_bytes_to(&server.host_port(), "/", None, &msg.encode());
    let resp = quire_tests::http::exchange_at(addr, &req, false, Duration::from_secs(60)).expect("local answer");
    resp.ipp().map(|(m, _)| m).unwrap_or_else(|| panic!("{}: an IPP answer, got HTTP {}", server.name(), resp.status))
}

/// A request on the office queue as `user`, built for the LAN address.
fn lan_request(server: &LanServer, op: Operation, user: &str, extra: Vec<Attribute>) -> Message {
    let mut msg = quire_client::request_as(op, Some(&server.lan_printer_uri("office")), user);
    msg.group_mut(DelimiterTag::Operation).attributes.extend(extra);
    msg
}

/// Posts `msg` (and `doc`) from the remote host; the IPP answer.
fn remote(lan: &Lan, server: &LanServer, msg: &Message, doc: &[u8]) -> Message {
    let resp = lan.ipp(server, "/printers/office", None, msg, doc);
    assert_eq!(resp.status, 200, "{}: served from the LAN (Allow @LOCAL)", server.name());
    resp.ipp().map(|(m, _)| m).expect("an IPP answer")
}

fn status_message(m: &Message) -> String {
    m.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or_default().to_string()
}

fn job_id(m: &Message) -> i32 {
    m.group(DelimiterTag::Job).and_then(|g| g.get("job-id")).and_then(|a| a.first_i32()).unwrap_or_else(|| panic!("a job id: {m:?}"))
}

/// (job-state, job-state-reasons, job-state-message), asked locally as root.
fn job_state(server: &LanServer, id: i32) -> (i32, Vec<String>, String) {
    let mut msg = quire_client::request_as(Operation::GetJobAttributes, Some(&server.printer_uri("office")), "root");
    msg.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
    let resp = local_ipp(server, &msg);
    let Some(g) = resp.group(DelimiterTag::Job) else { return (0, Vec::new(), status_message(&resp)) };
    let state = g.get("job-state").and_then(|a| a.first_i32()).unwrap_or(0);
    let reasons = g.get("job-state-reasons").map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default();
    let message = g.get("job-state-message").and_then(|a| a.first_str()).unwrap_or_default().to_string();
    (state, reasons, message)
}

fn wait_state(server: &LanServer, id: i32, state: i32) -> (i32, Vec<String>, String) {
    let ended = wait_until(Duration::from_secs(90), || job_state(server, id).0 == state);
    let now = job_state(server, id);
    assert!(ended, "job {id} never reached state {state}: {now:?}\n{}", server.log_tail(40));
    now
}

// ---- slow pulls -----------------------------------------------------------------------

/// A document server on 127.0.0.1: `/slow` sends its head, then one byte a second for an
/// hour; anything else is [`FAST_DOCUMENT`]. It notes when a slow reader hung up.
struct Trickler {
    port: u16,
    slow_requests: Arc<AtomicUsize>,
    hung_up: Arc<AtomicBool>,
}

impl Trickler {
    fn start() -> Trickler {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (slow_requests, hung_up) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let (count, gone) = (slow_requests.clone(), hung_up.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (count, gone) = (count.clone(), gone.clone());
                std::thread::spawn(move || serve(conn, &count, &gone));
            }
        });
        Trickler { port, slow_requests, hung_up }
    }

    fn uri(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn serve(mut conn: TcpStream, slow_requests: &AtomicUsize, hung_up: &AtomicBool) {
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    if !first.contains("/slow") {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", FAST_DOCUMENT.len());
        let _ = conn.write_all(format!("{head}{FAST_DOCUMENT}").as_bytes());
        return;
    }
    slow_requests.fetch_add(1, Ordering::SeqCst);
    let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3600\r\n\r\n");
    for _ in 0..3600 {
        if conn.write_all(b"x").and_then(|_| conn.flush()).is_err() {
            hung_up.store(true, Ordering::SeqCst);
            return;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Print-URI of `uri` from the LAN as alice; the job id.
fn print_uri(lan: &Lan, server: &LanServer, uri: &str) -> i32 {
    let msg = lan_request(server, Operation::PrintUri, "alice", vec![Attribute::new("document-uri", Value::Uri(uri.into()))]);
    let resp = remote(lan, server, &msg, b"");
    assert_eq!(resp.code, 0, "Print-URI {uri}: {}", status_message(&resp));
    job_id(&resp)
}

#[test]
fn a_trickled_document_is_cut_off_at_the_minimum_rate_and_the_queue_goes_on() {
    let Some(lan) = lan_or_skip() else { return };
    let docs = Trickler::start();
    // A byte a second against at least 100 bytes a second, measured over 2 s.
    let server = quired(&lan, "PullSchemes http\nPullHosts 127.0.0.1:*\nPullMinRate 100 2\n", "");
    let slow = print_uri(&lan, &server, &docs.uri("/slow"));
    let next = print_uri(&lan, &server, &docs.uri("/fast.txt"));
    let (_, reasons, message) = wait_state(&server, slow, ABORTED);
    assert_eq!(reasons, ["document-access-error"], "{message}");
    assert!(message.contains("PullMinRate") && message.contains("too slowly"), "{message}");
    wait_state(&server, next, COMPLETED);
    assert!(printed(&server).contains(FAST_DOCUMENT.trim()), "the next job printed: {:?}", printed(&server));
    assert!(wait_until(Duration::from_secs(30), || docs.hung_up.load(Ordering::SeqCst)), "quired hung up on the trickle");
    assert_eq!(docs.slow_requests.load(Ordering::SeqCst), 1);
}

#[test]
fn max_job_time_cancels_a_job_stuck_on_its_document() {
    let Some(lan) = lan_or_skip() else { return };
    let docs = Trickler::start();
    // No rate floor: only MaxJobTime ends it (cupsd cancels a "stuck" job the same way).
    let server = quired(&lan, "PullSchemes http\nPullHosts 127.0.0.1:*\nPullMinRate 0\nMaxJobTime 3\n", "");
    let stuck = print_uri(&lan, &server, &docs.uri("/slow"));
    let next = print_uri(&lan, &server, &docs.uri("/fast.txt"));
    let (_, reasons, message) = wait_state(&server, stuck, CANCELED);
    assert_eq!(reasons, ["job-canceled-after-timeout"], "{message}");
    assert!(message.contains("MaxJobTime"), "{message}");
    wait_state(&server, next, COMPLETED);
    assert!(printed(&server).contains(FAST_DOCUMENT.trim()));
    // The fetch itself stopped, not only the job's record.
    assert!(wait_until(Duration::from_secs(30), || docs.hung_up.load(Ordering::SeqCst)), "quired hung up on the trickle");
}

// ---- PullHosts ports ------------------------------------------------------------------

#[test]
fn a_document_uri_naming_the_server_itself_is_refused_at_submission() {
    let Some(lan) = lan_or_skip() else { return };
    for hosts in ["127.0.0.1", "127.0.0.1:*"] {
        let server = quired(&lan, &format!("PullSchemes http\nPullHosts {hosts}\n"), "");
        let own = format!("http://127.0.0.1:{}/printers/", server.port());
        let msg = lan_request(&server, Operation::PrintUri, "mallory", vec![Attribute::new("document-uri", Value::Uri(own.clone()))]);
        let resp = remote(&lan, &server, &msg, b"");
        assert_eq!(resp.code, 0x0412, "PullHosts {hosts}: client-error-document-access-error for {own}: {}", status_message(&resp));
        let why = if hosts.ends_with('*') { "this print server" } else { "PullHosts" };
        assert!(status_message(&resp).contains(why), "PullHosts {hosts}: {}", status_message(&resp));
        assert!(resp.group(DelimiterTag::Job).is_none(), "no job was made");
        let jobs = local_ipp(&server, &quire_client::request_as(Operation::GetJobs, Some(&server.printer_uri("office")), "root"));
        assert!(jobs.group(DelimiterTag::Job).is_none(), "PullHosts {hosts}: no job: {jobs:?}");
    }
    // A host alone allows its scheme's default port only; a listed port is allowed.
    let docs = Trickler::start();
    let server = quired(&lan, &format!("PullSchemes http\nPullHosts 127.0.0.1 127.0.0.1:{}\n", docs.port), "");
    let id = print_uri(&lan, &server, &docs.uri("/fast.txt"));
    wait_state(&server, id, COMPLETED);
    assert!(printed(&server).contains(FAST_DOCUMENT.trim()));
}
