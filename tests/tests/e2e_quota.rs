//! Spool quotas end to end (Quire extensions `SpoolQuota`, `SpoolQuotaPerUser`): the real
//! quired refuses a job that would not fit when it has read the attributes, before the
//! document's data (the client is answered while most of its body is still unsent), keeps
//! nothing of it, shows `spool-area-full`, and `job-k-octets-supported` follows the disk.

use quire_ipp::{Attribute, DelimiterTag, Message, MessageDecoder, Value};
use quire_tests::confidential::{add_office_queue, job_request};
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, Server, Via};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

const MIB: usize = 1024 * 1024;

/// quired with `extra` appended to its cupsd.conf and a file queue "office".
fn server(extra: &str) -> Option<Server> {
    let server = Server::start_quired_with_conf(&format!("{extra}\nPreserveJobFiles No"))
        .expect("start quired")?;
    add_office_queue(&server);
    Some(server)
}

/// A held Print-Job of `user` whose body is the attributes and `doc_len` bytes.
fn print_job(server: &Server, user: &str) -> Vec<u8> {
    let hold = vec![
        Attribute::new("document-format", Value::MimeMediaType("application/octet-stream".into())),
        Attribute::new("job-hold-until", Value::Keyword("indefinite".into())),
    ];
    job_request(server, 0x0002, 0, user, hold).encode()
}

/// Sends the HTTP head and the IPP attributes, then document bytes until the server
/// answers or `doc_len` bytes are sent (chunked when `chunked`). Returns the IPP answer and
/// how many document bytes went out before it came.
fn post_until_answered(
    server: &Server,
    attrs: &[u8],
    doc_len: usize,
    chunked: bool,
) -> (Message, usize) {
    let mut tcp = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_millis(20))).expect("timeout");
    let length = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", attrs.len() + doc_len)
    };
    let head = format!("POST /printers/office HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/ipp\r\n{length}\r\n\r\n", server.port());
    tcp.write_all(head.as_bytes()).expect("head");
    let frame = |data: &[u8]| {
        if chunked {
            [format!("{:x}\r\n", data.len()).as_bytes(), data, b"\r\n"].concat()
        } else {
            data.to_vec()
        }
    };
    tcp.write_all(&frame(attrs)).expect("attributes");
    let block = vec![b'Q'; 64 * 1024];
    let mut sent = 0;
    let mut reply = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let mut buf = [0u8; 4096];
        match tcp.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(_) if !reply.is_empty() => break,
            Err(_) => {}
        }
        if reply.is_empty() && sent < doc_len && tcp.write_all(&frame(&block)).is_ok() {
            sent += block.len();
        }
    }
    let text = String::from_utf8_lossy(&reply);
    let body_at = text.find("\r\n\r\n").expect("an HTTP answer") + 4;
    let mut dec = MessageDecoder::new(Default::default());
    let body = dechunk(
        &reply[body_at..],
        text[..body_at].to_ascii_lowercase().contains("transfer-encoding: chunked"),
    );
    let (msg, _) = dec.feed(&body).ok().flatten().expect("an IPP answer");
    (msg, sent)
}

fn dechunk(body: &[u8], chunked: bool) -> Vec<u8> {
    if !chunked {
        return body.to_vec();
    }
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let n =
            usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < eol + 2 + n {
            break;
        }
        out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
        rest = &rest[(eol + 4 + n).min(rest.len())..];
    }
    out
}

fn message_of(m: &Message) -> String {
    m.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or_default().to_string()
}

/// Spool files ("d…") quired holds.
fn spool_files(server: &Server) -> Vec<String> {
    let dir = server.dir().join("spool/quire");
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('d'))
        .collect()
}

fn printer_attr(server: &Server, name: &str) -> Vec<Value> {
    let req = job_request(
        server,
        0x000B,
        0,
        "root",
        vec![Attribute::new("requested-attributes", Value::Keyword(name.into()))],
    )
    .encode();
    let (m, _) = post_until_answered(server, &req, 0, false);
    m.group(DelimiterTag::Printer)
        .and_then(|g| g.get(name))
        .map(|a| a.values.clone())
        .unwrap_or_default()
}

/// Submits a held job of `size` bytes as `user` (Content-Length) and returns its status.
fn submit(server: &Server, user: &str, size: usize) -> (u16, String) {
    let (m, _) = post_until_answered(server, &print_job(server, user), size, false);
    (m.code, message_of(&m))
}

#[test]
fn a_job_over_the_users_quota_is_refused_before_its_data_is_sent() {
    let Some(server) = server("SpoolQuotaPerUser 1m") else { return };
    let (m, sent) = post_until_answered(&server, &print_job(&server, "alice"), 8 * MIB, false);
    assert_eq!(m.code, 0x0408, "client-error-request-entity-too-large: {}", message_of(&m));
    assert!(
        message_of(&m).contains("SpoolQuotaPerUser") && message_of(&m).contains("alice"),
        "{}",
        message_of(&m)
    );
    assert!(sent < 2 * MIB, "answered after {sent} of 8 MiB: before the data, not after it");
    assert!(spool_files(&server).is_empty(), "nothing stored: {:?}", spool_files(&server));
    // Within the quota it is taken; then the rest of alice's quota is what is left.
    assert_eq!(submit(&server, "alice", 700 * 1024).0, 0);
    let (code, msg) = submit(&server, "alice", 400 * 1024);
    assert_eq!(code, 0x0408, "{msg}");
    assert!(msg.contains("324 KB left"), "{msg}");
    assert_eq!(submit(&server, "bob", 700 * 1024).0, 0, "bob has his own quota");
    let audit = std::fs::read_to_string(server.error_log()).unwrap_or_default();
    assert!(!audit.contains("panicked"), "{audit}");
}

#[test]
fn a_chunked_document_is_cut_off_at_the_quota_and_nothing_is_kept() {
    let Some(server) = server("SpoolQuotaPerUser 1m") else { return };
    let (m, sent) = post_until_answered(&server, &print_job(&server, "alice"), 8 * MIB, true);
    assert_eq!(m.code, 0x0408, "{}", message_of(&m));
    assert!(sent < 4 * MIB, "stopped reading near the quota, sent {sent}");
    assert!(
        wait_until(Duration::from_secs(5), || spool_files(&server).is_empty()),
        "partial file removed: {:?}",
        spool_files(&server)
    );
    // lp (Create-Job + chunked Send-Document) of a file over the quota fails and says why.
    let big = server.dir().join("big.bin");
    std::fs::write(&big, vec![b'x'; 3 * MIB]).expect("write");
    let out = cups_tool(
        &server,
        Via::Tcp,
        "lp",
        &["-d", "office", "-U", "alice", "-o", "job-hold-until=indefinite", &big.to_string_lossy()],
    )
    .expect("lp");
    assert_ne!(out.rc, 0, "lp fails: {}", out.text());
    assert!(
        wait_until(Duration::from_secs(5), || spool_files(&server).is_empty()),
        "{:?}",
        spool_files(&server)
    );
}

#[test]
fn a_full_spool_shows_spool_area_full_until_files_go() {
    let Some(server) = server("SpoolQuota 1m") else { return };
    assert!(!printer_attr(&server, "printer-state-reasons")
        .contains(&Value::Keyword("spool-area-full".into())));
    assert_eq!(
        printer_attr(&server, "job-k-octets-supported"),
        [Value::RangeOfInteger { lower: 0, upper: 1024 }]
    );
    let held = |user: &str, size: usize| {
        let (code, msg) = submit(&server, user, size);
        assert_eq!(code, 0, "{msg}");
    };
    // The jobs' records (their attributes) take a few hundred bytes of the quota too.
    held("alice", 512 * 1024);
    held("bob", 511 * 1024);
    let reasons = printer_attr(&server, "printer-state-reasons");
    assert!(reasons.contains(&Value::Keyword("spool-area-full".into())), "{reasons:?}");
    assert_eq!(
        printer_attr(&server, "job-k-octets-supported"),
        [Value::RangeOfInteger { lower: 0, upper: 0 }]
    );
    let (code, msg) = submit(&server, "carol", 1);
    assert_eq!(code, 0x0408, "{msg}");
    assert!(msg.contains("SpoolQuota"), "{msg}");
    // lpstat shows the reason; cancelling a job (PreserveJobFiles No) frees its room.
    let out = cups_tool(&server, Via::Tcp, "lpstat", &["-l", "-p", "office"]).expect("lpstat");
    assert!(out.text().contains("spool-area-full"), "{}", out.text());
    let out = cups_tool(&server, Via::Tcp, "cancel", &["-a", "office"]).expect("cancel");
    assert_eq!(out.rc, 0, "{}", out.text());
    assert!(
        wait_until(Duration::from_secs(10), || !printer_attr(&server, "printer-state-reasons")
            .contains(&Value::Keyword("spool-area-full".into()))),
        "cleared: {:?} {}",
        spool_files(&server),
        cups_tool(&server, Via::Tcp, "lpstat", &["-W", "all", "-o"])
            .map(|o| o.text())
            .unwrap_or_default()
    );
    held("carol", 511 * 1024);
}

#[test]
fn job_k_octets_supported_follows_the_free_disk() {
    let Some(server) = server("") else { return };
    let spool = server.dir().join("spool/quire");
    let free_kib = free_kib(&spool);
    let [Value::RangeOfInteger { upper, .. }] = printer_attr(&server, "job-k-octets-supported")[..]
    else {
        panic!("one range")
    };
    let reserve = 16 * 1024;
    let expected = free_kib.saturating_sub(reserve).min(i32::MAX as u64) as i64;
    // Other processes write to this disk meanwhile; 256 MiB of slack.
    assert!(
        (i64::from(upper) - expected).abs() < 256 * 1024,
        "upper {upper} KiB, df says {free_kib} KiB free"
    );
}

fn free_kib(dir: &Path) -> u64 {
    let out = std::process::Command::new("df")
        .args(["--output=avail", "-B1024"])
        .arg(dir)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df's answer")
}
