use super::*;
use crate::connect::test_support::{
    assert_cancel_while_offline, closed_port, gzipped, job, pattern, plain, Recorder,
};
use quire_ipp::{Attribute, Value};
use std::io::Write;
use std::net::TcpListener;
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// A loopback AppSocket "printer": reads everything until we close our side.
fn printer() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (listener, port)
}

fn receive_all(listener: TcpListener) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read");
        got
    })
}

fn uri(port: u16, query: &str) -> String {
    format!("socket://127.0.0.1:{port}{query}")
}

#[test]
fn sends_documents_raw_in_order_decompressed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (pattern(200_000, 1), pattern(70_001, 7));
    let docs = [plain(dir.path(), "a.pdf", &a), gzipped(dir.path(), "b.gz", &b)];
    let (listener, port) = printer();
    let server = receive_all(listener);
    let mut rec = Recorder::default();
    crate::deliver(&uri(port, ""), &job(1, "t", vec![]), &docs, &Cancel::default(), &mut rec)
        .expect("deliver");
    let got = server.join().expect("server");
    assert_eq!(got.len(), a.len() + b.len());
    assert!(got == [a, b].concat(), "bytes differ");
    assert!(rec.pages.is_empty(), "a raw socket cannot know pages: {:?}", rec.pages);
    assert_eq!(rec.states, [(Vec::<String>::new(), "Connected to printer.".to_string())]);
}

#[test]
fn copies_are_sent_again_collated_unless_asked_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"A"), plain(dir.path(), "b", b"B")];
    let copies = Attribute::new("copies", Value::Integer(2));
    let uncollated = Attribute::new(
        "multiple-document-handling",
        Value::Keyword("separate-documents-uncollated-copies".into()),
    );
    for (attrs, want) in [(vec![copies.clone()], "ABAB"), (vec![copies, uncollated], "AABB")] {
        let (listener, port) = printer();
        let server = receive_all(listener);
        deliver(
            &uri(port, ""),
            &job(1, "t", attrs),
            &docs,
            &Cancel::default(),
            &mut Recorder::default(),
        )
        .expect("deliver");
        assert_eq!(server.join().expect("server"), want.as_bytes());
    }
    assert_eq!(super::copies(&job(1, "t", vec![Attribute::new("copies", Value::Integer(-3))])), 1);
    assert_eq!(
        super::copies(&job(1, "t", vec![Attribute::new("copies", Value::Integer(i32::MAX))])),
        9999
    );
}

#[test]
fn waiteof_waits_for_the_printer_to_close() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"data")];
    let (listener, port) = printer();
    let server = thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read");
        conn.write_all(b"@PJL USTATUS back-channel").expect("back-channel");
        thread::sleep(Duration::from_millis(600));
        got
    });
    let start = Instant::now();
    deliver(
        &uri(port, "?waiteof=true"),
        &job(1, "t", vec![]),
        &docs,
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect("deliver");
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "returned before the printer closed: {:?}",
        start.elapsed()
    );
    assert_eq!(server.join().expect("server"), b"data");
}

#[test]
fn without_waiteof_it_returns_once_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"data")];
    let (listener, port) = printer();
    let server = thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = [0u8; 4];
        conn.read_exact(&mut got).expect("read");
        thread::sleep(Duration::from_secs(2));
        got
    });
    // The printer keeps the connection open for a while: without waiteof, deliver does not wait.
    let start = Instant::now();
    deliver(
        &uri(port, "?waiteof=false&contimeout=5"),
        &job(1, "t", vec![]),
        &docs,
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect("deliver");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "waited for the printer: {:?}",
        start.elapsed()
    );
    assert_eq!(&server.join().expect("server"), b"data");
}

#[test]
fn offline_at_submission_the_job_waits_for_the_printer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = pattern(10_000, 3);
    let docs = [plain(dir.path(), "a", &data)];
    let port = closed_port();
    let server = thread::spawn(move || {
        thread::sleep(Duration::from_millis(400));
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind");
        receive_all(listener).join().expect("receiver")
    });
    let mut rec = Recorder::default();
    deliver(&uri(port, ""), &job(1, "t", vec![]), &docs, &Cancel::default(), &mut rec)
        .expect("deliver");
    assert!(server.join().expect("server") == data, "bytes differ");
    assert_eq!(rec.states.first().map(|s| s.0.clone()), Some(vec!["offline-report".to_string()]));
    assert!(rec.states.last().is_some_and(|s| s.0.is_empty()), "{:?}", rec.states);
}

#[test]
fn cancel_while_the_printer_is_offline() {
    assert_cancel_while_offline(&uri(closed_port(), ""));
}

/// The printer stops reading (out of paper, say): the write blocks, yet Cancel still works.
#[test]
fn cancel_while_the_printer_stalls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "big", &pattern(48 << 20, 5))];
    let (listener, port) = printer();
    let server = thread::spawn(move || {
        let conn = listener.accept().expect("accept");
        thread::sleep(Duration::from_secs(3));
        drop(conn);
    });
    let cancel = Cancel::default();
    let c = cancel.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(500));
        c.cancel();
    });
    let start = Instant::now();
    let err =
        deliver(&uri(port, ""), &job(1, "t", vec![]), &docs, &cancel, &mut Recorder::default())
            .expect_err("canceled");
    assert!(matches!(err, BackendError::Canceled), "{err:?}");
    assert!(start.elapsed() < Duration::from_millis(1500), "took {:?}", start.elapsed());
    server.join().expect("server");
}

#[test]
fn cancel_while_waiting_for_eof() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"x")];
    let (listener, port) = printer();
    let server = thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read");
        thread::sleep(Duration::from_secs(2));
    });
    let cancel = Cancel::default();
    let c = cancel.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(400));
        c.cancel();
    });
    let err =
        deliver(&uri(port, ""), &job(1, "t", vec![]), &docs, &cancel, &mut Recorder::default())
            .expect_err("canceled");
    assert!(matches!(err, BackendError::Canceled), "{err:?}");
    server.join().expect("server");
}

#[test]
fn a_missing_spool_file_fails_before_connecting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = plain(dir.path(), "a", b"x");
    doc.path = dir.path().join("gone");
    let err = deliver(
        &uri(closed_port(), ""),
        &job(1, "t", vec![]),
        &[doc],
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect_err("missing");
    assert!(matches!(err, BackendError::Spool(_)), "{err:?}");
}

#[test]
fn socket_uri_options() {
    let d = parse_uri("socket://h").expect("defaults");
    assert_eq!(
        d,
        SocketUri {
            host: "h".into(),
            port: 9100,
            waiteof: true,
            contimeout: crate::connect::DEFAULT_CONTIMEOUT
        }
    );
    let o = parse_uri("socket://[::1]:9101/?waiteof=false+contimeout=30&snmp=off&unknown")
        .expect("options");
    assert_eq!(
        o,
        SocketUri {
            host: "::1".into(),
            port: 9101,
            waiteof: false,
            contimeout: Duration::from_secs(30)
        }
    );
    assert!(parse_uri("socket://h?waiteof=no").is_ok_and(|u| !u.waiteof));
    assert!(parse_uri("socket://h?contimeout=0")
        .is_ok_and(|u| u.contimeout == crate::connect::DEFAULT_CONTIMEOUT));
    for bad in ["socket://", "socket://h:99999", "socket:///path", "socket://[::1"] {
        let err = crate::deliver(
            bad,
            &job(1, "t", vec![]),
            &[],
            &Cancel::default(),
            &mut Recorder::default(),
        )
        .expect_err(bad);
        assert!(matches!(err, BackendError::BadUri(_)), "{bad}: {err:?}");
    }
}
