//! `ipps://` devices end to end: quired A prints to a queue on quired B over IPP-over-TLS.
//!
//! B has a raw `file:` queue `dest`; A has raw queues whose device is B's `dest` as an
//! `ipps://` URI. quired serves TLS on its normal port (it peeks for a ClientHello) with a
//! self-signed certificate made at first start, which A's backend accepts as CUPS does
//! (`AllowAnyRoot`). One of A's queues reaches B through a recording TCP relay written here,
//! which proves the bytes on the wire were TLS (every connection opens with a TLS handshake
//! record, and neither the document nor the request line appears in clear).
//!
//! quired only: while it is not built the test prints "SKIPPED: quired binary not built".

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, data_dir, CmdOutput, Server, Via};

/// First byte of a TLS record carrying a handshake message (the ClientHello).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

fn document() -> PathBuf {
    data_dir().join("documents/document-letter.pdf")
}

fn ok(server: &Server, program: &str, args: &[&str]) -> CmdOutput {
    let out = cups_tool(server, Via::Tcp, program, args).expect("run CUPS tool");
    assert_eq!(out.rc, 0, "{program} {args:?}\n{}\n{}", out.text(), server.log_tail(30));
    out
}

fn job_listed(server: &Server, q: &str, id: u32, which: &str) -> bool {
    let out = ok(server, "lpstat", &["-W", which, "-o", q]);
    out.stdout.lines().any(|l| l.split_whitespace().next() == Some(&format!("{q}-{id}")))
}

/// `lp -d Q document.pdf` on `server`; the job id.
fn print(server: &Server, q: &str) -> u32 {
    let doc = document().to_string_lossy().into_owned();
    let out = ok(server, "lp", &["-d", q, &doc]);
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
}

/// Connections relayed to a fixed target, with everything the client sent on each.
struct Relay {
    port: u16,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    accepter: Option<JoinHandle<()>>,
}

impl Relay {
    fn start(target_port: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let port = listener.local_addr().expect("relay addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let sent = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (Arc::clone(&sent), Arc::clone(&stop));
        let accepter = thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => relay_one(client, target_port, &s),
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Relay { port, sent, stop, accepter: Some(accepter) }
    }

    /// What the client sent, one entry per connection (so far).
    fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.accepter.take() {
            let _ = t.join();
        }
    }
}

/// Relays one connection on two threads; the client's bytes are appended to a new entry.
fn relay_one(client: TcpStream, target_port: u16, sent: &Arc<Mutex<Vec<Vec<u8>>>>) {
    let _ = client.set_nonblocking(false);
    let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else { return };
    let index = {
        let mut all = sent.lock().expect("relay log");
        all.push(Vec::new());
        all.len() - 1
    };
    let (Ok(mut client_r), Ok(mut server_w)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let log = Arc::clone(sent);
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = client_r.read(&mut buf) {
            if n == 0 || server_w.write_all(&buf[..n]).is_err() {
                break;
            }
            if let Ok(mut all) = log.lock() {
                all[index].extend_from_slice(&buf[..n]);
            }
        }
        let _ = server_w.shutdown(Shutdown::Write);
    });
    let (mut server_r, mut client_w) = (server, client);
    thread::spawn(move || {
        let _ = std::io::copy(&mut server_r, &mut client_w);
        let _ = client_w.shutdown(Shutdown::Write);
    });
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Prints on A's queue `q` and waits for A's job to complete and B's `dest.prn` to hold
/// exactly the document.
fn print_through(a: &Server, b: &Server, q: &str, input: &[u8]) {
    let out_file = b.out_dir().join("dest.prn");
    let _ = std::fs::remove_file(&out_file);
    let id = print(a, q);
    let done = wait_until(Duration::from_secs(60), || job_listed(a, q, id, "completed"));
    assert!(
        done,
        "A's job {q}-{id} did not complete\nA:\n{}\nB:\n{}",
        a.log_tail(40),
        b.log_tail(40)
    );
    let delivered = wait_until(Duration::from_secs(20), || {
        std::fs::read(&out_file).is_ok_and(|got| got == input)
    });
    let got = std::fs::read(&out_file).unwrap_or_default();
    assert!(
        delivered,
        "B's dest.prn has {} bytes, want exactly the document's {}\nB:\n{}",
        got.len(),
        input.len(),
        b.log_tail(40)
    );
}

#[test]
fn ipps_device_prints_to_another_quired_over_tls() {
    quire_tests::require_programs();
    let Some(b) = Server::start_quired().expect("start quired B") else {
        quire_tests::skipped("quired binary not built");
        return;
    };
    let a = Server::start_quired().expect("start quired A").expect("quired binary");
    let input = std::fs::read(document()).expect("read document");

    let file_uri = format!("file://{}/dest.prn", b.out_dir().display());
    ok(&b, "lpadmin", &["-p", "dest", "-v", &file_uri, "-E"]);

    // Directly to B's port.
    let direct = format!("ipps://127.0.0.1:{}/printers/dest", b.port());
    ok(&a, "lpadmin", &["-p", "viatls", "-v", &direct, "-E"]);
    let shown = ok(&a, "lpstat", &["-v", "viatls"]).stdout;
    assert!(shown.contains(&format!("device for viatls: {direct}")), "lpstat -v viatls: {shown:?}");
    print_through(&a, &b, "viatls", &input);

    // Through the recording relay: what went over the wire must be TLS.
    let relay = Relay::start(b.port());
    let relayed = format!("ipps://127.0.0.1:{}/printers/dest", relay.port);
    ok(&a, "lpadmin", &["-p", "viarelay", "-v", &relayed, "-E"]);
    print_through(&a, &b, "viarelay", &input);
    let sent = relay.sent();
    assert!(!sent.is_empty(), "A never connected through the relay");
    for (i, bytes) in sent.iter().enumerate() {
        if bytes.is_empty() {
            continue;
        }
        assert_eq!(
            bytes[0],
            TLS_HANDSHAKE_RECORD,
            "connection {i} did not start with a TLS handshake: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(64)])
        );
        assert!(!contains(bytes, b"%PDF-"), "connection {i} carried the document in clear");
        assert!(!contains(bytes, b"POST /printers/dest"), "connection {i} carried HTTP in clear");
    }
    let total: usize = sent.iter().map(Vec::len).sum();
    assert!(
        total > input.len(),
        "only {total} bytes went through the relay, less than the document"
    );
}

/// One IPP request to `server` over loopback TCP.
fn ipp(server: &Server, req: &quire_ipp::Message) -> quire_ipp::Message {
    let dest = quire_client::Destination::Tcp { host: "127.0.0.1".into(), port: server.port() };
    quire_client::Client::connect(dest).expect("connect").send("/", req, None).expect("IPP request")
}

#[test]
fn ipps_everywhere_queue_takes_the_devices_security_claim() {
    use quire_ipp::{vendor as v, Attribute, DelimiterTag, Operation, Value};
    quire_tests::require_programs();
    let Some(b) = Server::start_quired().expect("start quired B") else {
        quire_tests::skipped("quired binary not built");
        return;
    };
    let a = Server::start_quired().expect("start quired A").expect("quired binary");
    ok(&b, "lpadmin", &["-p", "badge", "-v", "file:///dev/null", "-E"]);
    let mut set = quire_client::request_as(
        Operation::CupsAddModifyPrinter,
        Some(&b.printer_uri("badge")),
        "root",
    );
    let g = set.group_mut(DelimiterTag::Printer);
    g.push(Attribute::new(v::AUTHENTICATION_METHOD, Value::Keyword("id-card".into())));
    g.push(Attribute::new(v::ERASES_STORAGE, Value::Boolean(true)));
    assert_eq!(ipp(&b, &set).code, 0, "B takes the facts");
    // A models a queue on B's printer over TLS (the device is queried over ipps).
    let uri = format!("ipps://127.0.0.1:{}/printers/badge", b.port());
    ok(&a, "lpadmin", &["-p", "remote", "-v", &uri, "-m", "everywhere", "-E"]);
    let mut get = quire_client::request_as(
        Operation::GetPrinterAttributes,
        Some(&a.printer_uri("remote")),
        "tester",
    );
    get.group_mut(DelimiterTag::Operation)
        .push(Attribute::set("requested-attributes", vec![Value::Keyword("all".into())]));
    // What B reports is a claim on A until A's administrator confirms it.
    let resp = ipp(&a, &get);
    let claim = resp
        .attr(DelimiterTag::Printer, v::SECURITY_CLAIM)
        .and_then(|x| x.first())
        .and_then(Value::as_collection)
        .map(<[Attribute]>::to_vec)
        .unwrap_or_default();
    let member = |n: &str| claim.iter().find(|m| m.name == n).cloned();
    assert_eq!(
        member(v::AUTHENTICATION_METHOD).and_then(|x| x.first_str().map(str::to_string)).as_deref(),
        Some("id-card")
    );
    assert_eq!(member(v::SECURITY_LEVEL).and_then(|x| x.first_i32()), Some(3));
    assert_eq!(
        resp.attr(DelimiterTag::Printer, v::SECURITY_SOURCE).and_then(|x| x.first_str()),
        Some("unconfirmed")
    );
    let mut confirm = quire_client::request_as(
        Operation::CupsAddModifyPrinter,
        Some(&a.printer_uri("remote")),
        "root",
    );
    confirm
        .group_mut(DelimiterTag::Printer)
        .push(Attribute::new(v::SECURITY_CONFIRMED, Value::Boolean(true)));
    assert_eq!(ipp(&a, &confirm).code, 0, "A's administrator confirms");
    let resp = ipp(&a, &get);
    let attr = |n: &str| resp.attr(DelimiterTag::Printer, n).cloned();
    assert_eq!(
        attr(v::AUTHENTICATION_METHOD).and_then(|x| x.first_str().map(str::to_string)).as_deref(),
        Some("id-card")
    );
    assert_eq!(attr(v::ERASES_STORAGE).and_then(|x| x.first_bool()), Some(true));
    assert_eq!(attr(v::SECURITY_LEVEL).and_then(|x| x.first_i32()), Some(3));
}
