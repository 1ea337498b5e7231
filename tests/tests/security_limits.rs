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
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ABORTED: i32 = 8;
const CANCELED: i32 = 7;
const COMPLETED: i32 = 9;
const FAST_DOCUMENT: &str = "FAST-PULLED-DOCUMENT-MARKER\n";

/// quired under the stock policy with `extra` in its cupsd.conf and a queue "office" printing
/// to `out/office.out`, added by root on the local socket.
fn quired(lan: &Lan, extra: &str, files_extra: &str) -> LanServer {
    let opts = StockOptions {
        cupsd_extra: extra.to_string(),
        files_extra: files_extra.to_string(),
        ..Default::default()
    };
    let server = LanServer::started(ServerKind::Quired, lan, &opts);
    add_queue(&server);
    server
}

fn add_queue(server: &LanServer) {
    let uri = format!("file://{}/out/office.out", server.dir().display());
    let out = cups_tool(server, Via::Socket, "lpadmin", &["-p", "office", "-E", "-v", &uri])
        .expect("lpadmin");
    assert_eq!(out.rc, 0, "{}: root adds a queue: {}", server.name(), out.text());
}

fn printed(server: &LanServer) -> String {
    std::fs::read(server.dir().join("out/office.out"))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// An IPP request from this host over loopback TCP (as root: peer credentials, admin).
fn local_ipp(server: &LanServer, msg: &Message) -> Message {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let req = quire_tests::http::ipp_post_bytes_to(&server.host_port(), "/", None, &msg.encode());
    let resp = quire_tests::http::exchange_at(addr, &req, false, Duration::from_secs(60))
        .expect("local answer");
    resp.ipp()
        .map(|(m, _)| m)
        .unwrap_or_else(|| panic!("{}: an IPP answer, got HTTP {}", server.name(), resp.status))
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
    m.group(DelimiterTag::Job)
        .and_then(|g| g.get("job-id"))
        .and_then(|a| a.first_i32())
        .unwrap_or_else(|| panic!("a job id: {m:?}"))
}

/// (job-state, job-state-reasons, job-state-message), asked locally as root.
fn job_state(server: &LanServer, id: i32) -> (i32, Vec<String>, String) {
    let mut msg = quire_client::request_as(
        Operation::GetJobAttributes,
        Some(&server.printer_uri("office")),
        "root",
    );
    msg.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
    let resp = local_ipp(server, &msg);
    let Some(g) = resp.group(DelimiterTag::Job) else {
        return (0, Vec::new(), status_message(&resp));
    };
    let state = g.get("job-state").and_then(|a| a.first_i32()).unwrap_or(0);
    let reasons = g
        .get("job-state-reasons")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    let message =
        g.get("job-state-message").and_then(|a| a.first_str()).unwrap_or_default().to_string();
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
        let (slow_requests, hung_up) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
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
    let first = quire_tests::http::read_request_line(&conn);
    if !first.contains("/slow") {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", FAST_DOCUMENT.len());
        let _ = conn.write_all(format!("{head}{FAST_DOCUMENT}").as_bytes());
        return;
    }
    slow_requests.fetch_add(1, Ordering::SeqCst);
    let _ = conn
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3600\r\n\r\n");
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
    let msg = lan_request(
        server,
        Operation::PrintUri,
        "alice",
        vec![Attribute::new("document-uri", Value::Uri(uri.into()))],
    );
    let resp = remote(lan, server, &msg, b"");
    assert_eq!(resp.code, 0, "Print-URI {uri}: {}", status_message(&resp));
    job_id(&resp)
}

#[test]
fn a_trickled_document_is_cut_off_at_the_minimum_rate_and_the_queue_goes_on() {
    let Some(lan) = Lan::or_skip() else { return };
    let docs = Trickler::start();
    // A byte a second against at least 100 bytes a second, measured over 2 s.
    let server = quired(&lan, "PullSchemes http\nPullHosts 127.0.0.1:*\nPullMinRate 100 2\n", "");
    let slow = print_uri(&lan, &server, &docs.uri("/slow"));
    let next = print_uri(&lan, &server, &docs.uri("/fast.txt"));
    let (_, reasons, message) = wait_state(&server, slow, ABORTED);
    assert_eq!(reasons, ["document-access-error"], "{message}");
    assert!(message.contains("PullMinRate") && message.contains("too slowly"), "{message}");
    wait_state(&server, next, COMPLETED);
    assert!(
        printed(&server).contains(FAST_DOCUMENT.trim()),
        "the next job printed: {:?}",
        printed(&server)
    );
    assert!(
        wait_until(Duration::from_secs(30), || docs.hung_up.load(Ordering::SeqCst)),
        "quired hung up on the trickle"
    );
    assert_eq!(docs.slow_requests.load(Ordering::SeqCst), 1);
}

#[test]
fn max_job_time_cancels_a_job_stuck_on_its_document() {
    let Some(lan) = Lan::or_skip() else { return };
    let docs = Trickler::start();
    // No rate floor: only MaxJobTime ends it (cupsd cancels a "stuck" job the same way).
    let server =
        quired(&lan, "PullSchemes http\nPullHosts 127.0.0.1:*\nPullMinRate 0\nMaxJobTime 3\n", "");
    let stuck = print_uri(&lan, &server, &docs.uri("/slow"));
    let next = print_uri(&lan, &server, &docs.uri("/fast.txt"));
    let (_, reasons, message) = wait_state(&server, stuck, CANCELED);
    assert_eq!(reasons, ["job-canceled-after-timeout"], "{message}");
    assert!(message.contains("MaxJobTime"), "{message}");
    wait_state(&server, next, COMPLETED);
    assert!(printed(&server).contains(FAST_DOCUMENT.trim()));
    // The fetch itself stopped, not only the job's record.
    assert!(
        wait_until(Duration::from_secs(30), || docs.hung_up.load(Ordering::SeqCst)),
        "quired hung up on the trickle"
    );
}

// ---- PullHosts ports ------------------------------------------------------------------

#[test]
fn a_document_uri_naming_the_server_itself_is_refused_at_submission() {
    let Some(lan) = Lan::or_skip() else { return };
    for hosts in ["127.0.0.1", "127.0.0.1:*"] {
        let server = quired(&lan, &format!("PullSchemes http\nPullHosts {hosts}\n"), "");
        let own = format!("http://127.0.0.1:{}/printers/", server.port());
        let msg = lan_request(
            &server,
            Operation::PrintUri,
            "mallory",
            vec![Attribute::new("document-uri", Value::Uri(own.clone()))],
        );
        let resp = remote(&lan, &server, &msg, b"");
        assert_eq!(
            resp.code,
            0x0412,
            "PullHosts {hosts}: client-error-document-access-error for {own}: {}",
            status_message(&resp)
        );
        let why = if hosts.ends_with('*') { "this print server" } else { "PullHosts" };
        assert!(
            status_message(&resp).contains(why),
            "PullHosts {hosts}: {}",
            status_message(&resp)
        );
        assert!(resp.group(DelimiterTag::Job).is_none(), "no job was made");
        let jobs = local_ipp(
            &server,
            &quire_client::request_as(
                Operation::GetJobs,
                Some(&server.printer_uri("office")),
                "root",
            ),
        );
        assert!(jobs.group(DelimiterTag::Job).is_none(), "PullHosts {hosts}: no job: {jobs:?}");
    }
    // A host alone allows its scheme's default port only; a listed port is allowed.
    let docs = Trickler::start();
    let server = quired(
        &lan,
        &format!("PullSchemes http\nPullHosts 127.0.0.1 127.0.0.1:{}\n", docs.port),
        "",
    );
    let id = print_uri(&lan, &server, &docs.uri("/fast.txt"));
    wait_state(&server, id, COMPLETED);
    assert!(printed(&server).contains(FAST_DOCUMENT.trim()));
}

// ---- quotas and a full disk -----------------------------------------------------------

/// A tmpfs of `size` mounted on a fresh directory, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::Builder::new().prefix("quire-tmpfs-").tempdir().expect("tempdir");
        let path = dir.path().display().to_string();
        let args: Vec<String> =
            ["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "tmpfs", &path]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let out =
            quire_tests::process::run_with_timeout(20, "mount", &args, None, &[]).expect("mount");
        assert_eq!(out.rc, 0, "mount a tmpfs: {}", out.text());
        Tmpfs { dir }
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Fills the file system with a file of zeros until it is full; returns its path.
    fn fill(&self) -> std::path::PathBuf {
        let path = self.path().join("filler");
        let mut f = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let path = self.dir.path().display().to_string();
        let _ = quire_tests::process::run_with_timeout(
            20,
            "umount",
            &["-l".to_string(), path],
            None,
            &[],
        );
    }
}

/// quired with its RequestRoot (job store and spool) on `fs`.
fn quired_on(lan: &Lan, fs: &Tmpfs, extra: &str) -> LanServer {
    quired(
        lan,
        &format!("PreserveJobFiles No\n{extra}"),
        &format!("RequestRoot {}\n", fs.path().display()),
    )
}

/// `page-ranges` of about `bytes` bytes (13 a range): a job attribute the server keeps.
fn heavy(bytes: usize) -> Attribute {
    let range =
        |i: usize| Value::RangeOfInteger { lower: 2 * i as i32 + 1, upper: 2 * i as i32 + 1 };
    Attribute::set("page-ranges", (0..bytes / 13).map(range).collect())
}

/// Create-Job from the LAN as `user`, held, with `attrs` in the Job group.
fn create_job(lan: &Lan, server: &LanServer, user: &str, attrs: Vec<Attribute>) -> Message {
    let mut msg = lan_request(server, Operation::CreateJob, user, Vec::new());
    let mut g = quire_ipp::Group::new(DelimiterTag::Job);
    g.push(Attribute::new("job-hold-until", Value::Keyword("indefinite".into())));
    g.attributes.extend(attrs);
    msg.push_group(g);
    remote(lan, server, &msg, b"")
}

/// What Get-Jobs (all jobs of the server) says about each job, as root: what must survive a
/// restart.
fn jobs(server: &LanServer) -> Vec<(i32, i32, Vec<String>, String)> {
    let mut msg = quire_client::request_as(
        Operation::GetJobs,
        Some(&format!("{}/", server.uri_base())),
        "root",
    );
    let which = Attribute::new("which-jobs", Value::Keyword("all".into()));
    let want = Attribute::set(
        "requested-attributes",
        ["job-id", "job-state", "job-state-reasons", "job-name"]
            .iter()
            .map(|n| Value::Keyword(n.to_string()))
            .collect(),
    );
    msg.group_mut(DelimiterTag::Operation).attributes.extend([which, want]);
    let resp = local_ipp(server, &msg);
    assert_eq!(resp.code, 0, "Get-Jobs: {}", status_message(&resp));
    let s = |g: &quire_ipp::Group, n: &str| {
        g.get(n).and_then(|a| a.first_str()).unwrap_or_default().to_string()
    };
    resp.groups
        .iter()
        .filter(|g| g.tag == DelimiterTag::Job)
        .map(|g| {
            let int = |n: &str| g.get(n).and_then(|a| a.first_i32()).unwrap_or(0);
            let reasons = g
                .get("job-state-reasons")
                .map(|a| a.strs().map(str::to_string).collect())
                .unwrap_or_default();
            (int("job-id"), int("job-state"), reasons, s(g, "job-name"))
        })
        .collect()
}

/// Purge-Jobs on the office queue, as root on this host (an administrator).
fn purge(server: &LanServer) -> Message {
    let msg =
        quire_client::request_as(Operation::PurgeJobs, Some(&server.printer_uri("office")), "root");
    local_ipp(server, &msg)
}

#[test]
fn attributes_count_in_the_quotas_and_a_full_spool_can_still_be_purged() {
    let Some(lan) = Lan::or_skip() else { return };
    let fs = Tmpfs::mount("8m");
    let mut server = quired_on(&lan, &fs, "SpoolQuotaPerUser 1m\n");
    // ~760 KiB of attributes in one job: refused, naming the per-job limit.
    let resp = create_job(&lan, &server, "mallory", vec![heavy(760 * 1024)]);
    assert_eq!(
        resp.code,
        0x0408,
        "client-error-request-entity-too-large: {}",
        status_message(&resp)
    );
    assert!(status_message(&resp).contains("attributes"), "{}", status_message(&resp));
    // Attribute-heavy jobs count in the user's quota.
    let mut taken = 0;
    let refusal = loop {
        let resp = create_job(&lan, &server, "mallory", vec![heavy(48 * 1024)]);
        if resp.code != 0 {
            break resp;
        }
        taken += 1;
        assert!(taken < 100, "never refused: the attributes are not counted");
    };
    assert_eq!(refusal.code, 0x0408, "{}", status_message(&refusal));
    assert!(status_message(&refusal).contains("SpoolQuotaPerUser"), "{}", status_message(&refusal));
    assert!((10..=21).contains(&taken), "1 MiB of 48 KiB jobs: {taken}");
    // Other users fill the rest of the disk until the disk's limit refuses them.
    let mut users = 0;
    let refusal = loop {
        let user = format!("user{users}");
        let mut last = None;
        for _ in 0..20 {
            let resp = create_job(&lan, &server, &user, vec![heavy(48 * 1024)]);
            if resp.code != 0 {
                last = Some(resp);
                break;
            }
        }
        match last {
            Some(r) if !status_message(&r).contains("SpoolQuotaPerUser") => break r,
            _ => users += 1,
        }
        assert!(users < 20, "the disk never filled");
    };
    assert_eq!(refusal.code, 0x0408, "{}", status_message(&refusal));
    assert!(status_message(&refusal).contains("disk"), "{}", status_message(&refusal));
    let before = jobs(&server);
    assert!(before.len() > 20, "{} jobs", before.len());
    // Clean-up works on the full spool, and what it removed stays removed.
    let resp = purge(&server);
    assert_eq!(resp.code, 0, "Purge-Jobs: {}", status_message(&resp));
    assert_eq!(jobs(&server), [], "purged");
    server.kill9_and_restart().expect("restart");
    assert_eq!(jobs(&server), [], "purged jobs stay purged after kill -9");
    // And the spool takes jobs again.
    let resp = create_job(&lan, &server, "mallory", vec![heavy(48 * 1024)]);
    assert_eq!(resp.code, 0, "{}", status_message(&resp));
}

#[test]
fn on_a_full_disk_memory_and_store_agree_and_purge_works() {
    let Some(lan) = Lan::or_skip() else { return };
    let fs = Tmpfs::mount("8m");
    let mut server = quired_on(&lan, &fs, "");
    for user in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        let resp = create_job(&lan, &server, user, vec![heavy(40 * 1024)]);
        assert_eq!(resp.code, 0, "{}", status_message(&resp));
    }
    let filler = fs.fill();
    // A new job fails cleanly: an answer that says why, nothing half-made.
    let print = lan_request(
        &server,
        Operation::PrintJob,
        "grace",
        vec![Attribute::new("document-format", Value::MimeMediaType("text/plain".into()))],
    );
    let resp = remote(&lan, &server, &print, &b"a document for a full disk\n".repeat(2000));
    assert!(resp.code >= 0x0400, "refused: {resp:?}");
    assert!(!status_message(&resp).is_empty(), "says why");
    // Changes to existing jobs either happen or not, in memory as in the store.
    for (n, user) in ["alice", "bob"].iter().enumerate() {
        let mut cancel = lan_request(
            &server,
            Operation::CancelJob,
            user,
            vec![Attribute::new("job-id", Value::Integer(n as i32 + 1))],
        );
        cancel.request_id = 99;
        let _ = remote(&lan, &server, &cancel, b"");
    }
    let set = lan_request(
        &server,
        Operation::SetJobAttributes,
        "carol",
        vec![Attribute::new("job-id", Value::Integer(3))],
    );
    let mut set = set;
    let mut g = quire_ipp::Group::new(DelimiterTag::Job);
    g.push(heavy(40 * 1024));
    g.push(Attribute::new("job-name", Value::Name("renamed-on-a-full-disk".into())));
    set.push_group(g);
    let _ = remote(&lan, &server, &set, b"");
    let before = jobs(&server);
    server.kill9_and_restart().expect("restart on the full disk");
    assert_eq!(
        jobs(&server),
        before,
        "what Get-Jobs said before the restart is what the store had"
    );
    // The administrator's clean-up works on the full disk, and sticks.
    let resp = purge(&server);
    assert_eq!(resp.code, 0, "Purge-Jobs on a full disk: {}", status_message(&resp));
    assert_eq!(jobs(&server), [], "purged");
    server.kill9_and_restart().expect("restart");
    assert_eq!(jobs(&server), [], "purged jobs stay purged");
    std::fs::remove_file(filler).expect("remove the filler");
}

/// The clean-up part runs against cupsd too (it has no spool quotas): jobs with large
/// attributes, purged by an administrator, stay purged across kill -9.
#[test]
fn purged_jobs_stay_purged_on_both_servers() {
    let Some(lan) = Lan::or_skip() else { return };
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let fs = Tmpfs::mount("8m");
        let opts = StockOptions {
            files_extra: format!("RequestRoot {}\n", fs.path().display()),
            ..Default::default()
        };
        let mut server = LanServer::started(kind, &lan, &opts);
        add_queue(&server);
        for n in 0..8 {
            let resp = create_job(&lan, &server, &format!("user{n}"), vec![heavy(32 * 1024)]);
            assert!(resp.code < 0x0100, "{}: {}", server.name(), status_message(&resp));
        }
        assert_eq!(jobs(&server).len(), 8, "{}", server.name());
        let resp = purge(&server);
        assert_eq!(resp.code, 0, "{}: Purge-Jobs: {}", server.name(), status_message(&resp));
        assert_eq!(jobs(&server), [], "{}: purged", server.name());
        server.kill9_and_restart().expect("restart");
        assert_eq!(jobs(&server), [], "{}: purged jobs stay purged after kill -9", server.name());
    }
}

/// Another process reading the job store (sqlite3, holding a read transaction) keeps its
/// journal from being emptied: on a full disk, once the reserve is spent, a change then
/// cannot be saved at all. Memory must then take back what the store holds.
#[test]
fn a_change_the_store_cannot_save_is_undone_in_memory() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let Some(lan) = Lan::or_skip() else { return };
    if !quire_tests::process::have_program("sqlite3") {
        quire_tests::skipped("needs the sqlite3 shell");
        return;
    }
    let fs = Tmpfs::mount("8m");
    let mut server = quired_on(&lan, &fs, "");
    for user in ["alice", "bob", "carol"] {
        let resp = create_job(&lan, &server, user, vec![heavy(8 * 1024)]);
        assert_eq!(resp.code, 0, "{}", status_message(&resp));
    }
    let mut reader = Command::new("sqlite3")
        .arg(fs.path().join("quire/quire.db"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sqlite3");
    let mut stdin = reader.stdin.take().expect("stdin");
    stdin.write_all(b"BEGIN; SELECT count(*) FROM jobs;\n").expect("begin");
    let mut seen = [0u8; 2];
    reader
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut seen)
        .expect("the reader's snapshot is open");
    let cancel = |id: i32, user: &str| {
        let msg = lan_request(
            &server,
            Operation::CancelJob,
            user,
            vec![Attribute::new("job-id", Value::Integer(id))],
        );
        remote(&lan, &server, &msg, b"")
    };
    // The first change on the full disk is saved with the reserve's room.
    let first = fs.fill();
    let resp = cancel(1, "alice");
    assert_eq!(resp.code, 0, "saved from the reserve: {}", status_message(&resp));
    // Then nothing is left: the next one fails, and says so.
    let second = fs.path().join("filler2");
    std::fs::rename(&first, &second).expect("rename");
    fs.fill();
    let resp = cancel(2, "bob");
    assert_eq!(resp.code, 0x0500, "server-error-internal-error: {}", status_message(&resp));
    assert!(status_message(&resp).contains("could not save"), "{}", status_message(&resp));
    // Memory has what the store has: job 2 is still held.
    let states =
        || jobs(&server).into_iter().map(|(id, state, _, _)| (id, state)).collect::<Vec<_>>();
    assert!(
        wait_until(Duration::from_secs(60), || states() == [(1, CANCELED), (2, 4), (3, 4)]),
        "{:?}",
        states()
    );
    let before = jobs(&server);
    drop(stdin);
    let _ = reader.kill();
    let _ = reader.wait();
    server.kill9_and_restart().expect("restart");
    assert_eq!(jobs(&server), before, "the store agrees");
    let _ = std::fs::remove_file(second);
}
