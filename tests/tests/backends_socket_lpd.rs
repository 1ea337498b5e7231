//! `socket:` (AppSocket) and `lpd:` (RFC 1179) device URIs end to end: a real server, a raw
//! queue made with the real `lpadmin`, a job submitted with the real `lp`, and a loopback
//! "printer" written here that records exactly what arrives.
//!
//! Each test runs against cupsd too (both_servers): cupsd's own socket and lpd backends run
//! in this harness (`/usr/lib/cups/backend/socket` is world-executable and runs as `lp`; `lpd`
//! is 0744 and cupsd runs it as root, which the tests are).
//!
//! While quired is not built the quired variants print "SKIPPED: quired binary not built".

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, data_dir, CmdOutput, Server, Via};

/// How long a test printer waits for the server to connect and send.
const PRINTER_WAIT: Duration = Duration::from_secs(60);

fn document() -> PathBuf {
    data_dir().join("documents/document-letter.pdf")
}

fn ok(server: &Server, program: &str, args: &[&str]) -> CmdOutput {
    let out = cups_tool(server, Via::Tcp, program, args).expect("run CUPS tool");
    assert_eq!(
        out.rc,
        0,
        "{}: {program} {args:?}\n{}\n{}",
        server.name(),
        out.text(),
        server.log_tail(30)
    );
    out
}

/// `lpadmin -p Q -v URI -E` (a raw queue), then `lp -d Q document`; the job id.
fn raw_queue_and_print(server: &Server, q: &str, uri: &str) -> u32 {
    ok(server, "lpadmin", &["-p", q, "-v", uri, "-E"]);
    let doc = document().to_string_lossy().into_owned();
    let out = ok(server, "lp", &["-d", q, &doc]);
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
}

fn job_listed(server: &Server, q: &str, id: u32, which: &str) -> bool {
    let out = ok(server, "lpstat", &["-W", which, "-o", q]);
    out.stdout.lines().any(|l| l.split_whitespace().next() == Some(&format!("{q}-{id}")))
}

fn assert_completes(server: &Server, q: &str, id: u32) {
    let done = wait_until(Duration::from_secs(30), || job_listed(server, q, id, "completed"));
    assert!(done, "{} job {q}-{id} did not complete\n{}", server.name(), server.log_tail(40));
}

/// A loopback printer on a fresh port; accepts one connection within [`PRINTER_WAIT`].
fn listen() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (listener, port)
}

fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let start = Instant::now();
    loop {
        match listener.accept() {
            Ok((conn, _)) => {
                conn.set_nonblocking(false).expect("blocking");
                conn.set_read_timeout(Some(PRINTER_WAIT)).expect("timeout");
                return conn;
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock && start.elapsed() < PRINTER_WAIT =>
            {
                thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("the server never connected to the printer: {e}"),
        }
    }
}

/// An AppSocket printer: everything sent until the server closes its side.
fn socket_printer(listener: TcpListener) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut conn = accept(&listener);
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read print data");
        got
    })
}

/// What an RFC 1179 server received: the queue and (kind, name, bytes) per file, in order.
#[derive(Debug, Default)]
struct LpdJob {
    queue: String,
    files: Vec<(u8, String, Vec<u8>)>,
}

/// An RFC 1179 server for one job: acknowledges every step with a zero byte.
fn lpd_printer(listener: TcpListener) -> JoinHandle<LpdJob> {
    thread::spawn(move || {
        let conn = accept(&listener);
        let mut out = conn.try_clone().expect("clone");
        let mut input = BufReader::new(conn);
        let mut line = Vec::new();
        input.read_until(b'\n', &mut line).expect("receive-job command");
        assert!(
            line.len() >= 2 && line[0] == 2 && line.ends_with(b"\n"),
            "not a receive-job command: {line:?}"
        );
        let mut job = LpdJob {
            queue: String::from_utf8_lossy(&line[1..line.len() - 1]).into_owned(),
            files: Vec::new(),
        };
        out.write_all(&[0]).expect("ack");
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line).expect("subcommand") == 0 {
                return job;
            }
            assert!(
                line.len() >= 2 && (line[0] == 2 || line[0] == 3),
                "unexpected subcommand {line:?}"
            );
            let text = String::from_utf8_lossy(&line[1..line.len() - 1]).into_owned();
            let (count, name) = text.split_once(' ').expect("count and name");
            let count: usize = count.parse().expect("count");
            out.write_all(&[0]).expect("ack");
            let mut body = vec![0u8; count + 1];
            input.read_exact(&mut body).expect("file body");
            assert_eq!(body.pop(), Some(0), "file not followed by a zero byte");
            job.files.push((line[0], name.to_string(), body));
            out.write_all(&[0]).expect("ack");
        }
    })
}

#[test]
fn lp_to_a_socket_queue_sends_the_file_unchanged() {
    let want = std::fs::read(document()).expect("read document");
    for server in quire_tests::both_servers() {
        let (listener, port) = listen();
        let printer = socket_printer(listener);
        let id = raw_queue_and_print(&server, "sock", &format!("socket://127.0.0.1:{port}"));
        let got = printer.join().expect("printer");
        assert!(
            got == want,
            "{}: the printer got {} bytes, want the file's {}",
            server.name(),
            got.len(),
            want.len()
        );
        assert_completes(&server, "sock", id);
    }
}

#[test]
fn lp_to_an_lpd_queue_sends_control_and_data_files() {
    let want = std::fs::read(document()).expect("read document");
    for server in quire_tests::both_servers() {
        let (listener, port) = listen();
        let printer = lpd_printer(listener);
        let id = raw_queue_and_print(&server, "lpdq", &format!("lpd://127.0.0.1:{port}/q"));
        let job = printer.join().expect("printer");
        let name = server.name();
        assert_eq!(job.queue, "q", "{name}");
        let kinds: Vec<u8> = job.files.iter().map(|f| f.0).collect();
        assert_eq!(kinds, [2, 3], "{name}: control file, then one data file");
        let (_, cf, control) = &job.files[0];
        let (_, df, data) = &job.files[1];
        assert!(
            cf.starts_with("cfA") && df.starts_with("dfA") && cf[3..] == df[3..],
            "{name}: file names {cf} {df}"
        );
        let control = String::from_utf8_lossy(control);
        let lines: Vec<&str> = control.lines().collect();
        for prefix in ["H", "P", "J"] {
            assert!(
                lines.iter().any(|l| l.starts_with(prefix) && l.len() > 1),
                "{name}: no {prefix} line in\n{control}"
            );
        }
        assert!(
            lines.contains(&format!("l{df}").as_str())
                && lines.contains(&format!("U{df}").as_str()),
            "{name}: control file\n{control}"
        );
        assert!(
            data == &want,
            "{name}: the data file has {} bytes, want the file's {}",
            data.len(),
            want.len()
        );
        assert_completes(&server, "lpdq", id);
    }
}

/// The printer is off when the job is submitted (connection refused): the job waits for it
/// instead of failing, and prints once it comes up.
#[test]
fn a_job_for_an_offline_socket_printer_waits_for_it() {
    let want = std::fs::read(document()).expect("read document");
    for server in quire_tests::both_servers() {
        let port = listen().1; // nobody listens there now
        let id = raw_queue_and_print(&server, "offline", &format!("socket://127.0.0.1:{port}"));
        thread::sleep(Duration::from_millis(1500));
        assert!(
            job_listed(&server, "offline", id, "not-completed"),
            "{}: job {id} did not wait for the printer",
            server.name()
        );
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the printer comes up");
        let got = socket_printer(listener).join().expect("printer");
        assert!(
            got == want,
            "{}: the printer got {} bytes, want {}",
            server.name(),
            got.len(),
            want.len()
        );
        assert_completes(&server, "offline", id);
    }
}
