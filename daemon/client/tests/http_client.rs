//! The client against a scripted in-test HTTP server (TCP and Unix socket).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::{BufReader, Cursor, Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::thread;
use std::time::Duration;

use quire_client::{Client, ClientError, Destination};
use quire_ipp::{DelimiterTag, Operation};
use support::*;

fn tcp_listener() -> (TcpListener, Destination) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, Destination::Tcp { host: "127.0.0.1".into(), port })
}

#[test]
fn keepalive_reuses_one_connection() {
    let (l, dest) = tcp_listener();
    // The server accepts exactly one connection, then drops the listener:
    // a second connect by the client would fail.
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        drop(l);
        serve_keepalive(s)
    });
    let mut c = Client::connect(dest).unwrap().with_user("alice");
    for _ in 0..3 {
        let req = c.request(Operation::GetJobs, Some("ipp://localhost/printers/Q"));
        let resp = c.send("/printers/Q", &req, None).unwrap();
        assert_eq!(resp.request_id, req.request_id);
        assert_eq!(resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()), Some(42));
    }
    drop(c);
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 3);
    let r = &seen[0];
    assert_eq!(r.line, "POST /printers/Q HTTP/1.1");
    assert_eq!(r.header("Content-Type"), Some("application/ipp"));
    assert_eq!(r.header("User-Agent"), Some("quire/0.1"));
    assert!(r.header("Host").is_some_and(|h| h.starts_with("127.0.0.1:")));
    assert!(!r.chunked);
    let (msg, rest) = quire_ipp::decode(&r.body).unwrap();
    assert!(rest.is_empty());
    assert_eq!(
        msg.operation_attr("requesting-user-name").and_then(|a| a.first_str()),
        Some("alice")
    );
}

/// A reader that hands out its data in odd-sized pieces, like a pipe.
struct Trickle(Cursor<Vec<u8>>);
impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1000);
        self.0.read(&mut buf[..n])
    }
}

#[test]
fn chunked_document_over_unix_socket_with_100_continue_and_chunked_response() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cups.sock");
    let l = UnixListener::bind(&path).unwrap();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        let (line, headers) = read_head(&mut r).unwrap();
        r.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
        let (body, chunked) = read_body(&mut r, &headers);
        respond_chunked(r.get_mut(), &ipp_ok(request_id_of(&body)));
        (line, headers, body, chunked)
    });
    let document = noise(300_001);
    let mut c = Client::connect(Destination::Unix(path)).unwrap();
    let req = c.request(Operation::PrintJob, Some("ipp://localhost/printers/Q"));
    let mut doc = Trickle(Cursor::new(document.clone()));
    let resp = c.send("/printers/Q", &req, Some(&mut doc)).unwrap();
    assert_eq!(resp.request_id, req.request_id);
    let (line, headers, body, chunked) = server.join().unwrap();
    assert_eq!(line, "POST /printers/Q HTTP/1.1");
    assert!(chunked);
    let get =
        |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    assert_eq!(get("Host"), Some("localhost"));
    assert_eq!(get("Expect"), Some("100-continue"));
    assert_eq!(get("Content-Length"), None);
    let encoded = req.encode();
    assert_eq!(&body[..encoded.len()], &encoded[..]);
    assert!(body[encoded.len()..] == document[..], "document must reassemble exactly");
}

#[test]
fn document_sent_even_without_100_continue() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        let req = read_request(&mut r).unwrap();
        respond_len(r.get_mut(), "", &ipp_ok(request_id_of(&req.body)));
        req.body
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::SendDocument, None);
    let mut doc = Cursor::new(b"hello".to_vec());
    c.send("/printers/Q", &req, Some(&mut doc)).unwrap();
    let body = server.join().unwrap();
    assert!(body.ends_with(b"hello"));
}

#[test]
fn connection_close_then_reconnect() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let mut lines = Vec::new();
        for _ in 0..2 {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s);
            let req = read_request(&mut r).unwrap();
            respond_len(r.get_mut(), "Connection: close\r\n", &ipp_ok(request_id_of(&req.body)));
            lines.push(req.line);
        }
        lines
    });
    let mut c = Client::connect(dest).unwrap();
    for _ in 0..2 {
        let req = c.request(Operation::CupsGetDefault, None);
        c.send("/", &req, None).unwrap();
    }
    assert_eq!(server.join().unwrap().len(), 2);
}

#[test]
fn idle_connection_closed_by_server_is_replaced() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        // First connection: answer once (keep-alive), then hang up.
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        let req = read_request(&mut r).unwrap();
        respond_len(r.get_mut(), "", &ipp_ok(request_id_of(&req.body)));
        drop(r);
        let (s, _) = l.accept().unwrap();
        serve_keepalive(s).len()
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::CupsGetDefault, None);
    c.send("/", &req, None).unwrap();
    thread::sleep(Duration::from_millis(100));
    c.send("/", &req, None).unwrap();
    drop(c);
    assert_eq!(server.join().unwrap(), 1);
}

#[test]
fn unauthorized_and_basic_auth() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        let req = read_request(&mut r).unwrap();
        r.get_mut()
            .write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"CUPS\"\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        req.header("Authorization").map(str::to_string)
    });
    let mut c = Client::connect(dest).unwrap().with_basic_auth("Aladdin", "open sesame");
    let req = c.request(Operation::CupsAddModifyPrinter, None);
    assert!(matches!(c.send("/admin/", &req, None), Err(ClientError::Unauthorized)));
    assert_eq!(server.join().unwrap().as_deref(), Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
}

#[test]
fn basic_auth_on_every_request_and_403_text() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        drop(l);
        let mut r = BufReader::new(s);
        let mut seen = Vec::new();
        for _ in 0..2 {
            let req = read_request(&mut r).unwrap();
            respond_len(r.get_mut(), "", &ipp_ok(request_id_of(&req.body)));
            seen.push(req.header("Authorization").map(str::to_string));
        }
        read_request(&mut r).unwrap();
        let text = "too many failed logins for user \"alice\"; try again in 300 s\n";
        let head = format!("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n", text.len());
        r.get_mut().write_all(format!("{head}{text}").as_bytes()).unwrap();
        seen
    });
    let mut c = Client::connect(dest).unwrap().with_basic_auth("alice", "s3cret");
    for _ in 0..2 {
        let req = c.request(Operation::ReleaseJob, None);
        c.send("/jobs/", &req, None).unwrap();
    }
    let req = c.request(Operation::ReleaseJob, None);
    match c.send("/jobs/", &req, None) {
        Err(ClientError::Http { status: 403, body, .. }) => {
            assert_eq!(body, "too many failed logins for user \"alice\"; try again in 300 s")
        }
        other => panic!("unexpected {other:?}"),
    }
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        [Some("Basic YWxpY2U6czNjcmV0".to_string()), Some("Basic YWxpY2U6czNjcmV0".to_string())]
    );
}

#[test]
fn final_status_instead_of_100_continue() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        read_head(&mut r).unwrap();
        r.get_mut()
            .write_all(b"HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        thread::sleep(Duration::from_millis(200));
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::PrintJob, None);
    let mut doc = Cursor::new(noise(10));
    match c.send("/printers/Q", &req, Some(&mut doc)) {
        Err(ClientError::Http { status: 413, reason, body }) => {
            assert_eq!(reason, "Request Entity Too Large");
            assert_eq!(body, "");
        }
        other => panic!("unexpected {other:?}"),
    }
    server.join().unwrap();
}

#[test]
fn http_error_get_and_bad_body() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        read_request(&mut r).unwrap();
        r.get_mut()
            .write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nabc")
            .unwrap();
        let get = read_request(&mut r).unwrap();
        r.get_mut().write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope").unwrap();
        read_request(&mut r).unwrap();
        r.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nxx").unwrap();
        get.line
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::GetJobs, None);
    assert!(matches!(c.send("/", &req, None), Err(ClientError::Http { status: 500, .. })));
    assert_eq!(c.get("/printers/Q.ppd").unwrap(), (404, b"nope".to_vec()));
    assert!(matches!(c.send("/", &req, None), Err(ClientError::BadResponse(_))));
    assert_eq!(server.join().unwrap(), "GET /printers/Q.ppd HTTP/1.1");
}

#[test]
fn silent_server_times_out() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        thread::sleep(Duration::from_millis(600));
        drop(s);
    });
    let mut c = Client::connect(dest).unwrap().with_timeout(Duration::from_millis(200));
    let req = c.request(Operation::GetJobs, None);
    assert!(matches!(c.send("/", &req, None), Err(ClientError::Timeout)));
    server.join().unwrap();
}

#[test]
fn garbage_response_is_a_protocol_error() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        read_request(&mut r).unwrap();
        r.get_mut().write_all(b"SSH-2.0-OpenSSH\r\n\r\n").unwrap();
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::GetJobs, None);
    assert!(matches!(c.send("/", &req, None), Err(ClientError::Protocol(_))));
    server.join().unwrap();
}

/// A peer that answers with more than the client takes, framed three ways; it counts the
/// bytes it managed to send before the client hung up.
fn oversized_reply(framing: &'static str) -> (Destination, thread::JoinHandle<usize>) {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s);
        read_request(&mut r).unwrap();
        let s = r.get_mut();
        let head = match framing {
            "length" => "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: 1073741824\r\n\r\n",
            "chunked" => "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n",
            _ => "HTTP/1.0 200 OK\r\nContent-Type: application/ipp\r\n\r\n",
        };
        let _ = s.write_all(head.as_bytes());
        let piece = vec![0u8; 64 * 1024];
        let mut sent = 0;
        // Up to 64 MiB, or until the client is gone.
        while sent < 64 << 20 {
            let ok = if framing == "chunked" {
                s.write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                    .and_then(|_| s.write_all(&piece))
                    .and_then(|_| s.write_all(b"\r\n"))
            } else {
                s.write_all(&piece)
            };
            if ok.is_err() {
                break;
            }
            sent += piece.len();
        }
        sent
    });
    (dest, server)
}

#[test]
fn a_reply_over_the_limit_is_refused_without_being_read() {
    const LIMIT: usize = 1 << 20;
    for framing in ["length", "chunked", "close"] {
        let (dest, server) = oversized_reply(framing);
        let mut c = Client::connect(dest).unwrap().with_max_reply(LIMIT);
        let req = c.request(Operation::GetPrinterAttributes, None);
        match c.send("/", &req, None) {
            Err(e @ ClientError::TooLarge { limit: LIMIT }) => {
                assert_eq!(e.to_string(), "the response is larger than the limit of 1048576 bytes")
            }
            other => panic!("{framing}: {other:?}"),
        }
        drop(c);
        // The client stopped reading at the limit (socket buffers hold a few MiB more).
        let sent = server.join().unwrap();
        assert!(sent < 32 << 20, "{framing}: the peer sent {sent} bytes");
    }
}

#[test]
fn connect_refused_is_io_error() {
    let (l, dest) = tcp_listener();
    drop(l);
    assert!(matches!(Client::connect(dest), Err(ClientError::Io(_))));
}

/// Accepts one connection, reads a request head and answers `100 Continue`.
fn accept_and_continue(l: &TcpListener) -> BufReader<std::net::TcpStream> {
    let (s, _) = l.accept().unwrap();
    let mut r = BufReader::new(s);
    read_head(&mut r).unwrap();
    r.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
    r
}

/// A document that fails after `0` bytes.
struct FailsAfter(usize);
impl Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.0);
        buf[..n].fill(b'x');
        self.0 -= n;
        Ok(n)
    }
}

#[test]
fn a_failed_document_read_never_ends_the_body() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let mut r = accept_and_continue(&l);
        let mut raw = Vec::new();
        let _ = r.read_to_end(&mut raw);
        raw
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::PrintJob, None);
    match c.send("/printers/Q", &req, Some(&mut FailsAfter(200_000))) {
        Err(ClientError::Io(e)) => assert_eq!(e.to_string(), "the disk went away"),
        other => panic!("unexpected {other:?}"),
    }
    drop(c);
    let raw = server.join().unwrap();
    // The server must not take a truncated document for a whole one: no last chunk.
    assert!(!raw.ends_with(b"\r\n0\r\n\r\n"), "the chunked body was ended ({} bytes)", raw.len());
}

#[test]
fn a_final_answer_during_the_upload_stops_it() {
    let (l, dest) = tcp_listener();
    let server = thread::spawn(move || {
        let mut r = accept_and_continue(&l);
        let mut some = vec![0u8; 4096];
        r.read_exact(&mut some).unwrap();
        r.get_mut()
            .write_all(b"HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        // Reads no more; waits for the client to hang up.
        let mut byte = [0u8; 1];
        let _ = r.get_mut().set_read_timeout(Some(Duration::from_secs(20)));
        thread::sleep(Duration::from_millis(500));
        let _ = r.get_mut().read(&mut byte);
    });
    let mut c = Client::connect(dest).unwrap();
    let req = c.request(Operation::PrintJob, None);
    let mut doc = std::io::repeat(b'x').take(1 << 30);
    let start = std::time::Instant::now();
    let got = c.send("/printers/Q", &req, Some(&mut doc));
    assert!(matches!(got, Err(ClientError::Http { status: 413, .. })), "{got:?}");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    drop(c);
    server.join().unwrap();
}
