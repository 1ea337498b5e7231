//! Print-URI / Send-URI end to end (pull printing): the real quired, a real HTTP document
//! server on loopback that counts what it is asked for, and raw IPP requests. The document
//! is fetched only when the job prints (a held PIN job's only after its PIN releases it),
//! only from schemes and hosts the admin allows (`PullSchemes`, `PullHosts`), never through a
//! redirect to another host; the fetched copy is gone after the run.

use quire_ipp::{Attribute, DelimiterTag, Value};
use quire_tests::confidential::{
    add_office_queue, ipp, job_request, job_state, printed, COMPLETED, HELD,
};
use quire_tests::process::wait_until;
use quire_tests::Server;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const DOCUMENT: &str = "PULLED-DOCUMENT-MARKER line of text\n";

/// A tiny HTTP/1.1 server on `ip`: `/doc.txt` is DOCUMENT, `/moved` redirects to
/// `redirect_to`; it counts every request it gets.
struct DocServer {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl DocServer {
    fn start(ip: &str, redirect_to: Option<String>) -> DocServer {
        let listener = TcpListener::bind((ip, 0)).expect("bind document server");
        let port = listener.local_addr().expect("addr").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                serve(conn, redirect_to.as_deref());
            }
        });
        DocServer { port, hits }
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn serve(mut conn: TcpStream, redirect_to: Option<&str>) {
    let first = quire_tests::http::read_request_line(&conn);
    let reply = if first.contains("/moved") {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            redirect_to.unwrap_or("/doc.txt")
        )
    } else {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{DOCUMENT}", DOCUMENT.len())
    };
    let _ = conn.write_all(reply.as_bytes());
}

/// quired with pulling over http from 127.0.0.1 only (any port: the document servers here
/// listen on ephemeral ones), and a file queue "office".
fn server() -> Option<Server> {
    let server = Server::start_quired_with_conf("PullSchemes http\nPullHosts 127.0.0.1:*")
        .expect("start quired")?;
    add_office_queue(&server);
    Some(server)
}

fn uri(v: &str) -> Attribute {
    Attribute::new("document-uri", Value::Uri(v.into()))
}

/// Print-URI as alice; returns (IPP status, job id).
fn print_uri(server: &Server, document_uri: &str, extra: Vec<Attribute>) -> (u16, i32, String) {
    let mut attrs = vec![uri(document_uri)];
    attrs.extend(extra);
    let (_, resp) = ipp(server, None, &job_request(server, 0x0003, 0, "alice", attrs));
    let resp = resp.expect("an IPP answer");
    let id = resp
        .group(DelimiterTag::Job)
        .and_then(|g| g.get("job-id"))
        .and_then(|a| a.first_i32())
        .unwrap_or(0);
    let msg = resp
        .operation_attr("status-message")
        .and_then(|a| a.first_str())
        .unwrap_or_default()
        .to_string();
    (resp.code, id, msg)
}

fn fetched_copies(server: &Server) -> Vec<String> {
    let tmp = server.dir().join("spool/quire/tmp");
    std::fs::read_dir(tmp)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('u'))
        .collect()
}

#[test]
fn a_held_pin_job_is_fetched_only_when_its_pin_releases_it() {
    let Some(mut server) = server() else { return };
    let docs = DocServer::start("127.0.0.1", None);
    let pin = Attribute::new("job-password", Value::OctetString(b"2468".to_vec()));
    let (code, id, msg) =
        print_uri(&server, &format!("http://127.0.0.1:{}/doc.txt", docs.port), vec![pin]);
    assert_eq!(code, 0, "{msg}");
    assert_eq!(job_state(&server, id).0, HELD);
    // Held, and across a kill -9: nothing fetched yet.
    server.kill9_and_restart().expect("restart");
    assert_eq!(job_state(&server, id).0, HELD, "still held after kill -9");
    assert_eq!(docs.hits(), 0, "not fetched before release");
    let wrong = Attribute::new("job-password", Value::OctetString(b"1111".to_vec()));
    let (_, resp) = ipp(&server, None, &job_request(&server, 0x000D, id, "alice", vec![wrong]));
    assert_ne!(resp.map(|m| m.code), Some(0), "a wrong PIN releases nothing");
    assert_eq!(docs.hits(), 0);
    let right = Attribute::new("job-password", Value::OctetString(b"2468".to_vec()));
    let (_, resp) = ipp(&server, None, &job_request(&server, 0x000D, id, "alice", vec![right]));
    assert_eq!(resp.map(|m| m.code), Some(0), "the PIN releases it");
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, id).0 == COMPLETED),
        "prints: {:?}\n{}",
        job_state(&server, id),
        server.log_tail(30)
    );
    assert_eq!(docs.hits(), 1, "fetched once, at release");
    assert!(printed(&server).contains("PULLED-DOCUMENT-MARKER"), "the fetched document printed");
    assert!(
        fetched_copies(&server).is_empty(),
        "the fetched copy is gone: {:?}",
        fetched_copies(&server)
    );
}

#[test]
fn send_uri_adds_a_pulled_document_to_a_job() {
    let Some(server) = server() else { return };
    let docs = DocServer::start("127.0.0.1", None);
    let hold = Attribute::new("job-hold-until", Value::Keyword("indefinite".into()));
    let (_, resp) = ipp(&server, None, &job_request(&server, 0x0005, 0, "alice", vec![hold]));
    let id = resp
        .and_then(|m| {
            m.group(DelimiterTag::Job).and_then(|g| g.get("job-id")).and_then(|a| a.first_i32())
        })
        .expect("Create-Job");
    let last = Attribute::new("last-document", Value::Boolean(true));
    let (_, resp) = ipp(
        &server,
        None,
        &job_request(
            &server,
            0x0007,
            id,
            "alice",
            vec![uri(&format!("http://127.0.0.1:{}/doc.txt", docs.port)), last],
        ),
    );
    assert_eq!(resp.map(|m| m.code), Some(0), "Send-URI");
    assert_eq!(docs.hits(), 0, "held: not fetched");
    let (_, resp) = ipp(&server, None, &job_request(&server, 0x000D, id, "alice", Vec::new()));
    assert_eq!(resp.map(|m| m.code), Some(0), "Release-Job");
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, id).0 == COMPLETED),
        "{:?}",
        job_state(&server, id)
    );
    assert_eq!(docs.hits(), 1);
    assert!(printed(&server).contains("PULLED-DOCUMENT-MARKER"));
}

#[test]
fn only_allowed_schemes_and_hosts_are_fetched_and_redirects_are_checked() {
    let Some(server) = server() else { return };
    // A host the policy does not allow, listening and counting.
    let elsewhere = DocServer::start("127.0.0.2", None);
    let docs =
        DocServer::start("127.0.0.1", Some(format!("http://127.0.0.2:{}/doc.txt", elsewhere.port)));
    let (code, _, msg) = print_uri(&server, "ftp://127.0.0.1/doc.txt", Vec::new());
    assert_eq!(code, 0x040C, "client-error-uri-scheme-not-supported: {msg}");
    let (code, _, msg) =
        print_uri(&server, &format!("http://127.0.0.2:{}/doc.txt", elsewhere.port), Vec::new());
    assert_eq!(code, 0x0412, "client-error-document-access-error: {msg}");
    assert!(msg.contains("127.0.0.2"), "{msg}");
    assert_eq!(print_uri(&server, "not a uri", Vec::new()).0, 0x0400, "bad request");
    // Allowed at submission; the redirect to the other host is refused when it is fetched.
    let (code, id, msg) =
        print_uri(&server, &format!("http://127.0.0.1:{}/moved", docs.port), Vec::new());
    assert_eq!(code, 0, "{msg}");
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, id).0 == 8),
        "aborted: {:?}",
        job_state(&server, id)
    );
    assert!(
        job_state(&server, id).1.iter().any(|r| r == "document-access-error"),
        "{:?}",
        job_state(&server, id)
    );
    assert_eq!(elsewhere.hits(), 0, "never followed to a host that is not allowed");
    assert!(docs.hits() >= 1);
    assert!(fetched_copies(&server).is_empty(), "{:?}", fetched_copies(&server));
    // The queue says what it fetches.
    let (_, resp) = ipp(
        &server,
        None,
        &job_request(
            &server,
            0x000B,
            0,
            "alice",
            vec![Attribute::new("requested-attributes", Value::Keyword("all".into()))],
        ),
    );
    let resp = resp.expect("Get-Printer-Attributes");
    let g = resp.group(DelimiterTag::Printer).expect("printer group");
    let ops: Vec<i32> = g
        .get("operations-supported")
        .map(|a| {
            a.values
                .iter()
                .filter_map(|v| if let Value::Enum(e) = v { Some(*e) } else { None })
                .collect()
        })
        .unwrap_or_default();
    assert!(ops.contains(&0x0003) && ops.contains(&0x0007), "Print-URI and Send-URI: {ops:?}");
    assert_eq!(
        g.get("reference-uri-schemes-supported").map(|a| a.values.clone()),
        Some(vec![Value::UriScheme("http".into())])
    );
}

#[test]
fn without_pull_schemes_print_uri_is_not_supported() {
    // cupsd's answer too: it does not implement Print-URI.
    let Some(server) = Server::start_quired().expect("start quired") else { return };
    add_office_queue(&server);
    let (code, _, msg) = print_uri(&server, "http://127.0.0.1:9/doc.txt", Vec::new());
    assert_eq!(code, 0x0501, "server-error-operation-not-supported: {msg}");
}
