//! The client over TLS against a tiny in-test rustls server with a self-signed
//! certificate (made with rcgen), the way a printer presents one.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufReader, Cursor, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use quire_ipp::{DelimiterTag, Operation};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::*;
use crate::http::Conn;
use crate::{Client, Destination};
use support::{ipp_ok, noise, read_request, request_id_of, respond_len, serve_keepalive};

type ServerStream = StreamOwned<ServerConnection, TcpStream>;

/// A server config with a fresh self-signed certificate for "localhost".
fn server_config() -> Arc<ServerConfig> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .unwrap();
    Arc::new(config)
}

fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// Accepts one connection and completes the handshake; also returns the SNI sent.
fn accept_tls(l: &TcpListener, config: &Arc<ServerConfig>) -> (ServerStream, Option<String>) {
    let (mut tcp, _) = l.accept().unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut conn = ServerConnection::new(Arc::clone(config)).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).unwrap();
    }
    let sni = conn.server_name().map(str::to_string);
    (StreamOwned::new(conn, tcp), sni)
}

fn tls_dest(host: &str, port: u16) -> Destination {
    Destination::Tls { host: host.into(), port }
}

#[test]
fn ipp_requests_and_a_document_over_one_tls_connection() {
    let (l, port) = listener();
    let config = server_config();
    // Exactly one connection: keep-alive must reuse the TLS session's socket.
    let server = thread::spawn(move || {
        let (s, sni) = accept_tls(&l, &config);
        drop(l);
        (sni, serve_keepalive(s))
    });
    let mut c = Client::connect(tls_dest("localhost", port)).unwrap().with_user("alice");
    for _ in 0..2 {
        let req = c.request(Operation::GetJobs, Some("ipps://localhost/printers/Q"));
        let resp = c.send("/printers/Q", &req, None).unwrap();
        assert_eq!(resp.request_id, req.request_id);
        assert_eq!(resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()), Some(42));
    }
    let doc = noise(300 * 1024);
    let req = c.request(Operation::PrintJob, Some("ipps://localhost/printers/Q"));
    let resp = c.send("/printers/Q", &req, Some(&mut Cursor::new(doc.clone()))).unwrap();
    assert_eq!(resp.request_id, req.request_id);
    drop(c);
    let (sni, seen) = server.join().unwrap();
    assert_eq!(sni.as_deref(), Some("localhost"));
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].header("Host"), Some(format!("localhost:{port}").as_str()));
    let print = &seen[2];
    assert!(print.chunked);
    let ipp_len = req.encode().len();
    assert_eq!(&print.body[ipp_len..], &doc[..], "document bytes arrive intact");
}

#[test]
fn ip_literal_sends_no_sni_and_get_works() {
    let (l, port) = listener();
    let config = server_config();
    let server = thread::spawn(move || {
        let (s, sni) = accept_tls(&l, &config);
        let mut r = BufReader::new(s);
        let req = read_request(&mut r).unwrap();
        let w = r.get_mut();
        w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            .unwrap();
        w.conn.send_close_notify();
        w.flush().unwrap();
        (sni, req.line)
    });
    let mut c = Client::connect(tls_dest("127.0.0.1", port)).unwrap();
    assert_eq!(c.get("/ppd").unwrap(), (200, b"hello".to_vec()));
    let (sni, line) = server.join().unwrap();
    assert_eq!(sni, None, "no SNI for an IP address");
    assert_eq!(line, "GET /ppd HTTP/1.1");
}

#[test]
fn stale_probe_over_tls() {
    let (l, port) = listener();
    let config = server_config();
    let (close_tx, close_rx) = mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (mut s, _) = accept_tls(&l, &config);
        // Idle until told to close, then close cleanly.
        close_rx.recv().unwrap();
        s.conn.send_close_notify();
        s.flush().unwrap();
    });
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut conn =
        rt.block_on(Conn::open(&tls_dest("localhost", port), Duration::from_secs(10))).unwrap();
    // Give TLS 1.3 session tickets time to arrive: the probe must consume them quietly.
    thread::sleep(Duration::from_millis(100));
    assert!(!rt.block_on(conn.is_stale()), "an idle, open TLS connection is not stale");
    assert!(!rt.block_on(conn.is_stale()), "and probing twice changes nothing");
    close_tx.send(()).unwrap();
    server.join().unwrap();
    let start = Instant::now();
    while !rt.block_on(conn.is_stale()) {
        assert!(start.elapsed() < Duration::from_secs(10), "close_notify never noticed");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn reconnects_after_the_server_closes_an_idle_tls_connection() {
    let (l, port) = listener();
    let config = server_config();
    let (closed_tx, closed_rx) = mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (s, _) = accept_tls(&l, &config);
        let mut r = BufReader::new(s);
        let req = read_request(&mut r).unwrap();
        respond_len(r.get_mut(), "", &ipp_ok(request_id_of(&req.body)));
        let mut s = r.into_inner();
        s.conn.send_close_notify();
        s.flush().unwrap();
        drop(s);
        closed_tx.send(()).unwrap();
        let (s, _) = accept_tls(&l, &config);
        1 + serve_keepalive(s).len()
    });
    let mut c = Client::connect(tls_dest("localhost", port)).unwrap();
    for round in 0..2 {
        let req = c.request(Operation::GetPrinterAttributes, Some("ipps://localhost/printers/Q"));
        let resp = c.send("/printers/Q", &req, None).unwrap();
        assert_eq!(resp.request_id, req.request_id);
        if round == 0 {
            closed_rx.recv().unwrap();
            thread::sleep(Duration::from_millis(50));
        }
    }
    drop(c);
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn a_plain_http_server_fails_the_handshake() {
    let (l, port) = listener();
    let server = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 512];
        let _ = s.read(&mut buf);
        let _ = s.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let result = Client::connect(tls_dest("localhost", port));
    assert!(result.is_err(), "handshake with a non-TLS server must fail");
    server.join().unwrap();
}

#[test]
fn server_names() {
    assert!(matches!(server_name("localhost"), Ok(ServerName::DnsName(_))));
    assert!(matches!(server_name("printer.local"), Ok(ServerName::DnsName(_))));
    assert!(matches!(server_name("127.0.0.1"), Ok(ServerName::IpAddress(_))));
    assert!(matches!(server_name("::1"), Ok(ServerName::IpAddress(_))));
    assert!(matches!(server_name("bad host"), Err(ClientError::BadDestination(_))));
}

#[test]
fn destination_tls_display_and_host_header() {
    let d = tls_dest("::1", 8631);
    assert_eq!(d.host_header(), "[::1]:8631");
    assert_eq!(d.to_string(), "[::1]:8631 (TLS)");
}

#[test]
fn dropping_the_client_sends_close_notify() {
    let (l, port) = listener();
    let config = server_config();
    let server = thread::spawn(move || {
        let (s, _) = accept_tls(&l, &config);
        let mut r = BufReader::new(s);
        let req = read_request(&mut r).unwrap();
        respond_len(r.get_mut(), "", &ipp_ok(request_id_of(&req.body)));
        // A clean end (Ok(0)) only after close_notify; a bare TCP close is UnexpectedEof.
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).map(|_| rest.len())
    });
    let mut c = Client::connect(tls_dest("localhost", port)).unwrap();
    let req = c.request(Operation::GetPrinterAttributes, Some("ipps://localhost/printers/Q"));
    c.send("/printers/Q", &req, None).unwrap();
    drop(c);
    assert_eq!(server.join().unwrap().unwrap(), 0);
}
