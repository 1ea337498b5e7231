//! Helpers of security_confidential.rs: servers on a test LAN (quired with PAM users and an
//! audit log), remote requests in the clear and over TLS, local administration as root, and
//! a fake device (or document server) that counts its connections.

use quire_client::{Client, ClientError, Destination};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};
use quire_tests::confidential::USERS;
use quire_tests::http::HttpResponse;
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::pam::PamMatrix;
use quire_tests::{ServerKind, Via};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// quired's cap on a device's answer (`quire_backends::MAX_DEVICE_REPLY`).
pub const CAP: usize = 4 * 1024 * 1024;
/// PIN hashes one client may cause per minute (quired's `pin_limit::PIN_ATTEMPTS`).
pub const PIN_ATTEMPTS: usize = 20;
pub const CANCELED: i32 = 7;
pub const ABORTED: i32 = 8;
pub const COMPLETED: i32 = 9;
/// pam_matrix accounts (see `quire_tests::confidential::USERS`).
pub const ROOT: (&str, &str) = ("root", "rootpw");
pub const ALICE: (&str, &str) = ("alice", "alicepw");

/// quired under the stock policy with pam_matrix users ([`USERS`]), its audit log in
/// `etc/audit_log`, and `cupsd_extra`/`files_extra` appended. Keep the PamMatrix alive.
pub fn quired_with_pam(
    lan: &Lan,
    cupsd_extra: &str,
    files_extra: &str,
) -> Option<(LanServer, PamMatrix)> {
    if !PamMatrix::available() {
        quire_tests::skipped("needs libpam-wrapper");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir").keep();
    let pam = PamMatrix::new(&dir, "cups", &USERS).expect("pam matrix");
    // A relative AuditLog is under ServerRoot (etc/).
    let opts = StockOptions {
        cupsd_extra: cupsd_extra.into(),
        files_extra: format!("AuditLog audit_log\n{files_extra}"),
        env: pam.env(),
        ..Default::default()
    };
    let server = LanServer::started(ServerKind::Quired, lan, &opts);
    Some((server, pam))
}

/// POSTs `msg` to `/` from the LAN over TLS (ipps), with Basic credentials.
pub fn remote_tls(
    lan: &Lan,
    server: &LanServer,
    (user, password): (&str, &str),
    msg: &Message,
) -> Result<Message, ClientError> {
    let addr = server.lan_addr();
    lan.run(|| {
        let dest = Destination::Tls { host: addr.ip().to_string(), port: addr.port() };
        Client::connect(dest)?.with_basic_auth(user, password).send("/", msg, None)
    })
}

/// `n` [`remote_tls`] requests at once (threads on the remote host); their IPP statuses.
pub fn remote_tls_many(
    lan: &Lan,
    server: &LanServer,
    (user, password): (&str, &str),
    msg: &Message,
    n: usize,
) -> Vec<Result<u16, String>> {
    let addr = server.lan_addr();
    lan.run(|| {
        std::thread::scope(|scope| {
            let all: Vec<_> = (0..n)
                .map(|_| {
                    scope.spawn(move || {
                        let dest =
                            Destination::Tls { host: addr.ip().to_string(), port: addr.port() };
                        let sent = Client::connect(dest)
                            .and_then(|c| c.with_basic_auth(user, password).send("/", msg, None));
                        sent.map(|m| m.code).map_err(|e| e.to_string())
                    })
                })
                .collect();
            all.into_iter()
                .map(|t| t.join().unwrap_or_else(|_| Err("the client thread panicked".into())))
                .collect()
        })
    })
}

/// POSTs `msg` to `/admin/` over loopback as root (peer credentials: an administrator).
pub fn local_ipp(server: &LanServer, msg: &Message) -> Message {
    let mut c = Client::connect(Destination::Tcp { host: "127.0.0.1".into(), port: server.port() })
        .expect("connect");
    c.send("/admin/", msg, None).expect("a local IPP answer")
}

pub fn ipp_code(r: &HttpResponse) -> Option<u16> {
    r.ipp().map(|(m, _)| m.code)
}

pub fn status_message(m: &Message) -> Option<String> {
    m.operation_attr("status-message").and_then(|a| a.first_str()).map(str::to_string)
}

pub fn status_text(r: &HttpResponse) -> String {
    r.ipp().and_then(|(m, _)| status_message(&m)).unwrap_or_default()
}

pub fn printer_request(server: &LanServer, queue: &str) -> Message {
    quire_client::request_as(
        Operation::GetPrinterAttributes,
        Some(&server.printer_uri(queue)),
        "root",
    )
}

/// Get-Job-Attributes (all) of job `id`, as root.
pub fn job_request(server: &LanServer, id: i32) -> Message {
    let mut m = quire_client::request_as(
        Operation::GetJobAttributes,
        Some(&server.printer_uri("office")),
        "root",
    );
    let g = m.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(Attribute::new("requested-attributes", Value::Keyword("all".into())));
    m
}

pub fn job_state(server: &LanServer, id: i32) -> i32 {
    local_ipp(server, &job_request(server, id))
        .attr(DelimiterTag::Job, "job-state")
        .and_then(|a| a.first_i32())
        .unwrap_or(0)
}

/// The queue job `id` is on (the last segment of its job-printer-uri).
pub fn job_printer(server: &LanServer, id: i32) -> String {
    let resp = local_ipp(server, &job_request(server, id));
    let uri = resp
        .attr(DelimiterTag::Job, "job-printer-uri")
        .and_then(|a| a.first_str())
        .unwrap_or_default();
    uri.rsplit('/').next().unwrap_or_default().to_string()
}

/// The `document-name` of document 1 of job `id` (Get-Document-Attributes, as root).
pub fn document_name(server: &LanServer, id: i32) -> Option<String> {
    let mut m = quire_client::request_as(
        Operation::GetDocumentAttributes,
        Some(&server.printer_uri("office")),
        "root",
    );
    let g = m.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(Attribute::new("document-number", Value::Integer(1)));
    let resp = local_ipp(server, &m);
    resp.attr(DelimiterTag::Document, "document-name")
        .and_then(|a| a.first_str())
        .map(str::to_string)
}

/// A queue printing to `out/NAME.out`, added with lpadmin as root on the socket (cupsd
/// trusts root there, not on TCP).
pub fn add_queue(server: &LanServer, name: &str) {
    let uri = format!("file://{}/out/{name}.out", server.dir().display());
    let out =
        quire_tests::cups_tool(server, Via::Socket, "lpadmin", &["-p", name, "-E", "-v", &uri])
            .expect("lpadmin");
    assert_eq!(out.rc, 0, "{}: lpadmin -p {name}: {}", server.name(), out.text());
}

/// Sets printer attributes of `queue` as root (CUPS-Add-Modify-Printer).
pub fn set_printer(server: &LanServer, queue: &str, attrs: Vec<Attribute>) {
    let mut m = quire_client::request_as(
        Operation::CupsAddModifyPrinter,
        Some(&server.printer_uri(queue)),
        "root",
    );
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = attrs;
    m.push_group(g);
    let resp = local_ipp(server, &m);
    assert_eq!(resp.code, 0, "set {queue}: {:?}", status_message(&resp));
}

/// A small text document `secret.txt` in the server's directory; its path.
pub fn text_file(server: &LanServer) -> String {
    let path = server.dir().join("secret.txt");
    std::fs::write(&path, "quarterly figures\n").expect("write the document");
    path.display().to_string()
}

/// The process's resident memory in bytes (VmRSS in /proc/PID/status).
pub fn vm_rss(pid: u32) -> u64 {
    status_kb(pid, "VmRSS:") * 1024
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    kb.unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Resets the process's peak resident memory (VmHWM) to its current size (Linux 4.0+).
pub fn reset_peak_rss(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("write /proc/PID/clear_refs");
}

/// The process's peak resident memory in bytes (VmHWM).
pub fn peak_rss(pid: u32) -> u64 {
    status_kb(pid, "VmHWM:") * 1024
}

pub fn audit_log(server: &LanServer) -> String {
    std::fs::read_to_string(server.dir().join("etc/audit_log")).unwrap_or_default()
}

/// Audit lines whose WHAT (the second field) starts with `what`.
pub fn audit_count(server: &LanServer, what: &str) -> usize {
    audit_log(server)
        .lines()
        .filter(|l| l.split(' ').nth(1).is_some_and(|w| w.starts_with(what)))
        .count()
}

/// What a [`FakeDevice`] answers.
#[derive(Clone, Copy)]
pub enum Answer {
    /// A printer with this make and model (Get-Printer-Attributes).
    Printer(&'static str),
    /// A chunked IPP answer that never ends (up to 64 MiB, or until the client hangs up).
    Endless,
    /// HTTP 404 to anything (a document server without the document).
    NotFound,
}

/// An HTTP server on 127.0.0.1 standing in for a printer or a document server; it counts
/// the requests it gets (a connection that sends none is not counted).
pub struct FakeDevice {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl FakeDevice {
    pub fn start(answer: Answer) -> FakeDevice {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake device");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let count = count.clone();
                std::thread::spawn(move || serve(conn, answer, &count));
            }
        });
        FakeDevice { port, requests }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn uri(&self) -> String {
        format!("ipp://127.0.0.1:{}/ipp/print", self.port)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(mut conn: TcpStream, answer: Answer, requests: &AtomicUsize) {
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(30)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut length = 0usize;
    let mut line = String::new();
    if !reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    line.clear();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let request_id = quire_ipp::decode(&body).map(|(m, _)| m.request_id).unwrap_or(1);
    match answer {
        Answer::NotFound => {
            let _ = conn.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        Answer::Printer(model) => {
            let mut resp = Message::new((2, 0), 0, request_id);
            let g = resp.group_mut(DelimiterTag::Operation);
            g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
            g.push(Attribute::new(
                "attributes-natural-language",
                Value::NaturalLanguage("en".into()),
            ));
            let mut p = Group::new(DelimiterTag::Printer);
            p.push(Attribute::new("printer-make-and-model", Value::Text(model.into())));
            p.push(Attribute::new("printer-state", Value::Enum(3)));
            p.push(Attribute::new(
                "document-format-supported",
                Value::MimeMediaType("application/pdf".into()),
            ));
            resp.push_group(p);
            let body = resp.encode();
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = conn.write_all(head.as_bytes()).and_then(|_| conn.write_all(&body));
        }
        Answer::Endless => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n";
            let mut start = Message::new((2, 0), 0, request_id).encode();
            start.truncate(8);
            let piece = [start, vec![0x01; 64 * 1024]].concat();
            if conn.write_all(head.as_bytes()).is_err() {
                return;
            }
            for _ in 0..1024 {
                let chunk = [
                    format!("{:x}\r\n", piece.len()).into_bytes(),
                    piece.clone(),
                    b"\r\n".to_vec(),
                ]
                .concat();
                if conn.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
    }
}
