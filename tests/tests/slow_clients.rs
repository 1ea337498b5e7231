//! Slow clients against the real quired (`Timeout 2`, which also bounds the time to send a
//! request head): a header sent a byte at a time, a body trickled with pauses longer than
//! `Timeout`, and answers never read are each cut off, and a client pipelining a flood is
//! served in full, while another client keeps getting its answers meanwhile. The deadlines below are generous bounds for "is cut off at all",
//! not measurements.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use quire_tests::{Server, Via};

/// How long a slow client may hold on before the test fails: `Timeout` many times over.
const CUT_OFF_WITHIN: Duration = Duration::from_secs(30);

fn quired() -> Server {
    Server::start_quired_with_conf("Timeout 2")
        .expect("start quired")
        .expect("quired is not built: cargo build --workspace first")
}

fn addr(server: &Server) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], server.port()))
}

fn get_printers() -> Vec<u8> {
    let msg = quire_client::request_as(Operation::CupsGetPrinters, None, "alice");
    quire_tests::http::ipp_post_bytes("/", &msg.encode())
}

/// Runs `slow` while another client sends CUPS-Get-Printers on new connections one after the
/// other; how many it got answered (HTTP 200 with an IPP body) while `slow` ran, and `slow`'s
/// result.
fn while_others_are_served<T>(server: &Server, slow: impl FnOnce() -> T + Send) -> (usize, T)
where
    T: Send,
{
    let (done, answered, at) = (AtomicBool::new(false), AtomicUsize::new(0), addr(server));
    let request = get_printers();
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                let resp = quire_tests::http::exchange_at(at, &request, false, CUT_OFF_WITHIN)
                    .expect("another client is answered");
                assert_eq!(resp.status, 200);
                assert!(resp.ipp().is_some(), "an IPP answer");
                answered.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let out = slow();
        done.store(true, Ordering::SeqCst);
        (answered.load(Ordering::SeqCst), out)
    })
}

/// Sends `bytes` one at a time, `pause` apart; true once the server has closed the
/// connection (a write fails), false if every byte went out.
fn trickle(stream: &mut TcpStream, bytes: &[u8], pause: Duration) -> bool {
    for b in bytes {
        std::thread::sleep(pause);
        if stream.write_all(std::slice::from_ref(b)).is_err() {
            return true;
        }
    }
    false
}

/// True if the server closes `stream` (end of file or reset) within `within`, reading and
/// discarding whatever it sends first.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 64 * 1024];
    while Instant::now() < deadline {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn a_header_sent_a_byte_at_a_time_is_cut_off_and_others_are_served() {
    let server = quired();
    let (answered, cut) = while_others_are_served(&server, || {
        let mut slow = TcpStream::connect(addr(&server)).expect("connect");
        slow.write_all(b"POST / HTTP/1.1\r\n").expect("write");
        // A byte every 300 ms: never silent for `Timeout`, but the head is never done.
        let header = "X-Slow: ".to_string() + &"a".repeat(200);
        let pause = Duration::from_millis(300);
        let limit = CUT_OFF_WITHIN.as_millis() / pause.as_millis();
        let bytes = &header.as_bytes()[..usize::try_from(limit).unwrap_or(100).min(200)];
        trickle(&mut slow, bytes, pause) || closed_within(&mut slow, Duration::from_secs(5))
    });
    assert!(cut, "a head trickled a byte at a time is cut off by the header timeout");
    assert!(answered > 0, "another client was answered meanwhile");
}

#[test]
fn a_body_trickled_with_long_pauses_is_cut_off_and_others_are_served() {
    let server = quired();
    let (answered, cut) = while_others_are_served(&server, || {
        let mut slow = TcpStream::connect(addr(&server)).expect("connect");
        let head = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\n\
                    Content-Length: 1000\r\n\r\n";
        slow.write_all(head.as_bytes()).expect("write");
        // Pauses longer than `Timeout` (2 s) with the request in flight.
        trickle(&mut slow, &[1u8; 10], Duration::from_secs(3))
            || closed_within(&mut slow, Duration::from_secs(5))
    });
    assert!(cut, "a body stalled for longer than Timeout is cut off");
    assert!(answered > 0, "another client was answered meanwhile");
}

/// Get-Printer-Attributes (all) on a queue added for it: an answer of some kilobytes.
fn printer_attributes(server: &Server) -> Vec<u8> {
    let out = quire_tests::cups_tool(
        server,
        Via::Socket,
        "lpadmin",
        &["-p", "q", "-E", "-v", "file:///dev/null"],
    )
    .expect("lpadmin");
    assert_eq!(out.rc, 0, "lpadmin: {}", out.text());
    let mut msg = quire_client::request_as(
        Operation::GetPrinterAttributes,
        Some(&server.printer_uri("q")),
        "alice",
    );
    msg.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("requested-attributes", Value::Keyword("all".into())));
    quire_tests::http::ipp_post_bytes("/printers/q", &msg.encode())
}

#[test]
fn a_client_that_never_reads_its_answers_is_cut_off_and_others_are_served() {
    let server = quired();
    let (answered, (sent, got, closed)) = while_others_are_served(&server, || {
        let mut slow = TcpStream::connect(addr(&server)).expect("connect");
        let request = printer_attributes(&server);
        // Pipelined requests whose answers are never read: once the socket buffers are
        // full the server cannot write, and `Timeout` later it gives up.
        let _ = slow.set_write_timeout(Some(Duration::from_secs(5)));
        let mut sent = 0;
        while sent < 200_000 && slow.write_all(&request).is_ok() {
            sent += 1;
        }
        std::thread::sleep(Duration::from_secs(5));
        let (mut got, mut buf) = (Vec::new(), vec![0u8; 64 * 1024]);
        let _ = slow.set_read_timeout(Some(CUT_OFF_WITHIN));
        let closed = loop {
            match slow.read(&mut buf) {
                Ok(0) => break true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => break false,
            }
        };
        (sent, got.windows(9).filter(|w| w == b"HTTP/1.1 ").count(), closed)
    });
    assert!(closed, "the server closed the connection");
    assert!(got < sent, "the server gave up on the answers ({got} of {sent} were written)");
    assert!(answered > 0, "another client was answered meanwhile");
}

#[test]
fn a_client_pipelining_a_flood_does_not_starve_others() {
    let server = quired();
    let request = printer_attributes(&server);
    let (answered, flooded) = while_others_are_served(&server, || {
        let mut flood = TcpStream::connect(addr(&server)).expect("connect");
        let mut reader = flood.try_clone().expect("clone");
        // 500 requests in a few writes, their answers read as fast as they come.
        let burst: Vec<u8> = request.iter().copied().cycle().take(request.len() * 500).collect();
        let writer = std::thread::spawn(move || flood.write_all(&burst).is_ok());
        let (mut got, mut heads, mut buf) = (Vec::new(), 0, vec![0u8; 256 * 1024]);
        let _ = reader.set_read_timeout(Some(CUT_OFF_WITHIN));
        while heads < 500 {
            let from = got.len().saturating_sub(8);
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            heads += got[from..].windows(9).filter(|w| w == b"HTTP/1.1 ").count();
        }
        let sent = writer.join().unwrap_or(false);
        (sent, heads)
    });
    assert_eq!(flooded, (true, 500), "the flood was answered in full");
    assert!(answered > 0, "another client was answered meanwhile");
}
