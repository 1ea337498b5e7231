//! quired as the system's print service (issue 15), run as systemd and an admin run it:
//! cupsd's command line (`-h`, `-t` without `-c`), the background start that waits for the
//! server and reports its failure, socket activation with `Type=notify` readiness
//! (systemd-socket-activate passing the sockets, a notify socket of the test's own), SIGHUP
//! reloading the configuration under a stream of Print-Jobs, and `-l` with IdleExitTimeout.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use quire_tests::cli::parse_request_id;
use quire_tests::http::{exchange_at, read_response_within};
use quire_tests::process::{
    free_port, have_program, run_with_timeout, tcp_connects, wait_until, ChildGuard,
};
use quire_tests::server::write_config;
use quire_tests::{
    both_servers, cups_tool, cups_tool_ok, data_dir, quired_binary, require_programs, skipped,
    CmdOutput, Server, ServerKind, Via,
};

const CUPSD: &str = "/usr/sbin/cupsd";
const LIMIT: Duration = Duration::from_secs(30);

fn quired() -> Option<PathBuf> {
    require_programs();
    let bin = quired_binary();
    if bin.is_none() {
        skipped("quired binary not built");
    }
    bin
}

fn run(program: &Path, args: &[&str]) -> CmdOutput {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    run_with_timeout(60, &program.to_string_lossy(), &args, None, &[]).unwrap()
}

fn path_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A private directory with the harness's cupsd.conf and cups-files.conf on `port`.
fn configured(port: u16) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("quire-service-").tempdir().unwrap();
    write_config(dir.path(), port).unwrap();
    dir
}

fn conf_args(dir: &Path) -> [String; 4] {
    let etc = dir.join("etc");
    let [c, s] = ["cupsd.conf", "cups-files.conf"].map(|f| etc.join(f).display().to_string());
    ["-c".into(), c, "-s".into(), s]
}

fn lpstat_r(server: &str) -> CmdOutput {
    let args = ["-h".to_string(), server.to_string(), "-r".to_string()];
    run_with_timeout(30, "lpstat", &args, None, &[]).unwrap()
}

fn signal(pid: u32, sig: &str) {
    let out = run(Path::new("kill"), &[format!("-{sig}").as_str(), pid.to_string().as_str()]);
    assert_eq!(out.rc, 0, "kill -{sig} {pid}: {}", out.text());
}

/// The processes whose command line has `arg` (the server a background start left running).
fn processes_with(arg: &str) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).any(|w| w == arg.as_bytes()))
        })
        .collect()
}

/// Kills (SIGKILL) what a background start left running, when the test ends either way.
struct Detached(String);

impl Drop for Detached {
    fn drop(&mut self) {
        for pid in processes_with(&self.0) {
            let _ = run_with_timeout(10, "kill", &["-KILL".into(), pid.to_string()], None, &[]);
        }
    }
}

/// `-h` prints the usage on stdout and exits 0, listing every option cupsd's usage lists;
/// an unknown option prints it on stderr and exits 1. Both servers.
#[test]
fn h_prints_the_usage_as_cupsd_does() {
    let Some(bin) = quired() else { return };
    let cupsd = run(Path::new(CUPSD), &["-h"]);
    let quired = run(&bin, &["-h"]);
    assert_eq!((cupsd.rc, quired.rc), (0, 0), "{}\n{}", cupsd.text(), quired.text());
    assert!(quired.stdout.starts_with("Usage: quired [options]"), "{}", quired.text());
    let first_word = |l: &str| l.split_whitespace().next().map(str::to_string);
    let ours: Vec<String> = quired.stdout.lines().filter_map(first_word).collect();
    for line in cupsd.stdout.lines().filter(|l| l.starts_with('-')) {
        let option = first_word(line).unwrap();
        assert!(ours.contains(&option), "cupsd's {option} missing from: {}", quired.stdout);
    }
    for (name, program) in [("cupsd", Path::new(CUPSD)), ("quired", bin.as_path())] {
        let out = run(program, &["-x"]);
        assert_eq!(out.rc, 1, "{name} -x: {}", out.text());
        assert!(out.stderr.contains("Usage:"), "{name} -x: {}", out.text());
    }
}

/// Without `-c`, `-t` checks the system's files, /etc/cups/cupsd.conf and the
/// cups-files.conf beside it, and says so in cupsd's words.
#[test]
fn t_without_c_checks_the_system_configuration() {
    let Some(bin) = quired() else { return };
    if !Path::new("/etc/cups/cupsd.conf").exists() {
        skipped("no /etc/cups/cupsd.conf (install cups-daemon)");
        return;
    }
    let cupsd = run(Path::new(CUPSD), &["-t"]);
    let quired = run(&bin, &["-t"]);
    assert_eq!(cupsd.rc, 0, "{}", cupsd.text());
    assert_eq!(quired.rc, 0, "{}", quired.text());
    assert_eq!(quired.stdout, cupsd.stdout, "quired -t and cupsd -t say different things");
    assert!(quired.stdout.contains("\"/etc/cups/cupsd.conf\" is OK."), "{}", quired.text());
}

/// Without `-f`, the command returns only once the server serves (a client connects at
/// once), and a port in use or a broken configuration makes it fail with the reason and a
/// non-zero status. quired
/// only: cupsd keeps running on its other listeners (here the Unix socket) when one fails.
#[test]
fn background_start_waits_for_the_server_and_reports_a_taken_port() {
    let Some(bin) = quired() else { return };
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = configured(port);
    let args = conf_args(dir.path());
    let _cleanup = Detached(args[1].clone());
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&bin, &words);
    assert_ne!(out.rc, 0, "started although its port is taken: {}", out.text());
    let want = format!("127.0.0.1:{port}");
    assert!(out.stderr.contains(&want) && out.stderr.contains("in use"), "{}", out.text());
    assert!(processes_with(&args[1]).is_empty(), "a server was left running");

    // A configuration with an error: refused with its file:line, nothing left running.
    let conf = dir.path().join("etc/cupsd.conf");
    let good = fs::read_to_string(&conf).unwrap();
    fs::write(&conf, format!("{good}</Location>\n")).unwrap();
    let out = run(&bin, &words);
    assert_ne!(out.rc, 0, "started with a broken configuration: {}", out.text());
    assert!(out.stderr.contains("cupsd.conf:"), "no file:line: {}", out.text());
    assert!(processes_with(&args[1]).is_empty(), "a server was left running");
    fs::write(&conf, good).unwrap();

    drop(taken);
    let out = run(&bin, &words);
    assert_eq!(out.rc, 0, "background start: {}", out.text());
    let answer = lpstat_r(&want);
    assert!(answer.stdout.contains("scheduler is running"), "not serving yet: {}", answer.text());
    let pids = processes_with(&args[1]);
    assert_eq!(pids.len(), 1, "one server in the background: {pids:?}");
    signal(pids[0], "TERM");
    assert!(wait_until(LIMIT, || processes_with(&args[1]).is_empty()), "no exit on SIGTERM");
}

/// Receives notifications until one has `KEY=value`; every line seen so far is returned.
fn notified(socket: &UnixDatagram, line: &str, seen: &mut Vec<String>) -> bool {
    let mut buf = [0u8; 4096];
    while let Ok(n) = socket.recv(&mut buf) {
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        seen.extend(text.lines().map(str::to_string));
        if text.lines().any(|l| l == line) {
            return true;
        }
    }
    false
}

/// GET / over a Unix socket; the status line.
fn get_over_unix(mut s: UnixStream) -> String {
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or("").to_string()
}

/// As systemd's cups.socket and cups.service (`Type=notify`, `cupsd -l`) start it: the
/// sockets systemd-socket-activate made are served as they are (a client that connected
/// before quired ran is answered, the socket file is never replaced or removed), READY=1
/// (with MAINPID) and STOPPING=1 reach the notify socket.
#[test]
fn socket_activation_serves_the_passed_sockets_and_notifies() {
    let Some(bin) = quired() else { return };
    if !have_program("systemd-socket-activate") {
        skipped("systemd-socket-activate missing (package systemd)");
        return;
    }
    let port = free_port().unwrap();
    let dir = configured(port);
    let sock = dir.path().join("cups.sock");
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(LIMIT)).unwrap();
    let log = fs::File::create(dir.path().join("log/activate.log")).unwrap();
    let mut cmd = Command::new("systemd-socket-activate");
    let tcp = format!("127.0.0.1:{port}");
    cmd.args(["-l", tcp.as_str(), "-l", path_arg(&sock)])
        .arg("--fdname=ipp:cups")
        .arg("-E")
        .arg(format!("NOTIFY_SOCKET={}", notify_path.display()))
        .arg(&bin)
        .arg("-l")
        .args(conf_args(dir.path()))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    let mut child = ChildGuard::spawn("systemd-socket-activate", &mut cmd).unwrap();
    let pid = child.id().unwrap();
    assert!(wait_until(LIMIT, || sock.exists()), "systemd-socket-activate made no socket");
    let inode = fs::metadata(&sock).unwrap().ino();
    // quired starts on this first connection, already queued on the socket it is given.
    let early = UnixStream::connect(&sock).unwrap();
    let status = get_over_unix(early);
    let logs = || fs::read_to_string(dir.path().join("log/error_log")).unwrap_or_default();
    assert!(status.starts_with("HTTP/1.1 200"), "early client: {status:?}\n{}", logs());
    let mut seen = Vec::new();
    assert!(notified(&notify, "READY=1", &mut seen), "no READY=1: {seen:?}\n{}", logs());
    assert!(seen.contains(&format!("MAINPID={pid}")), "{seen:?}");
    assert!(seen.iter().any(|l| l.starts_with("STATUS=")), "{seen:?}");
    for server in [path_arg(&sock).to_string(), format!("127.0.0.1:{port}")] {
        let out = lpstat_r(&server);
        assert!(out.stdout.contains("scheduler is running"), "{server}: {}", out.text());
    }
    assert_eq!(fs::metadata(&sock).unwrap().ino(), inode, "the passed socket was bound again");
    signal(pid, "TERM");
    assert!(notified(&notify, "STOPPING=1", &mut seen), "no STOPPING=1: {seen:?}");
    assert!(wait_until(LIMIT, || child.check_alive().is_err()), "no exit on SIGTERM");
    assert_eq!(fs::metadata(&sock).map(|m| m.ino()).ok(), Some(inode), "socket file removed");
}

fn http_status(server: &Server, path: &str, conn: Option<&mut TcpStream>) -> u16 {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let response = match conn {
        Some(s) => {
            s.write_all(request.as_bytes()).unwrap();
            read_response_within(s, LIMIT)
        }
        None => {
            let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
            exchange_at(addr, request.as_bytes(), false, LIMIT)
        }
    };
    response.map(|r| r.status).unwrap_or(0)
}

/// The HTTP status of a Get-Jobs posted to /jobs (what the `<Location /jobs>` rules decide).
fn jobs_status(server: &Server) -> u16 {
    let body = quire_ipp::Message::request(quire_ipp::Operation::GetJobs, 1).encode();
    let request = quire_tests::http::ipp_post_bytes("/jobs", &body);
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    exchange_at(addr, &request, false, LIMIT).map(|r| r.status).unwrap_or(0)
}

/// A rule local clients are subject to too (host rules always let localhost in, in cupsd
/// and quired alike): a user nobody is.
const LOCK_JOBS: &str =
    "<Location /jobs>\n  AuthType Basic\n  Require user nobody-at-all\n</Location>\n";

fn locked(status: u16) -> bool {
    matches!(status, 401 | 403)
}

fn append_to_conf(server: &Server, text: &str) {
    let conf = server.dir().join("etc/cupsd.conf");
    let old = fs::read_to_string(&conf).unwrap();
    fs::write(&conf, format!("{old}{text}")).unwrap();
}

/// SIGHUP reads cupsd.conf again: a `<Location>` added to it is enforced afterwards. Both
/// servers.
#[test]
fn sighup_applies_a_new_location_rule() {
    for server in both_servers() {
        let name = server.name();
        assert_eq!(jobs_status(&server), 200, "{name}: Get-Jobs on /jobs");
        append_to_conf(&server, LOCK_JOBS);
        signal(server.pid().unwrap(), "HUP");
        let denied = wait_until(LIMIT, || locked(jobs_status(&server)));
        assert!(denied, "{name}: the new <Location> is not applied:\n{}", server.log_tail(30));
    }
}

/// SIGHUP in the middle of a stream of Print-Jobs: every job is accepted and kept, a
/// connection open across the reloads keeps working, the new configuration applies, and
/// one that fails validation is not applied (the running one stays). quired only: cupsd
/// closes its listeners and its idle clients to reload.
#[test]
fn sighup_during_print_jobs_loses_nothing() {
    let Some(server) = Server::start_quired().unwrap() else {
        skipped("quired binary not built");
        return;
    };
    cups_tool_ok(&server, Via::Tcp, "lpadmin", &["-p", "q", "-v", "file:///dev/null", "-E"])
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let mut kept = TcpStream::connect(addr).unwrap();
    assert_eq!(http_status(&server, "/printers/", Some(&mut kept)), 200);
    let host = server.host_port();
    let doc = data_dir().join("documents/testfile.txt");
    const JOBS: usize = 100;
    let submitter = std::thread::spawn(move || {
        let args: Vec<String> =
            ["-h", host.as_str(), "-d", "q", path_arg(&doc)].map(String::from).to_vec();
        (0..JOBS).map(|_| run_with_timeout(30, "lp", &args, None, &[]).unwrap()).collect::<Vec<_>>()
    });
    append_to_conf(&server, LOCK_JOBS);
    let pid = server.pid().unwrap();
    let mut hangups = 0;
    while !submitter.is_finished() {
        signal(pid, "HUP");
        hangups += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(hangups >= 3, "only {hangups} SIGHUPs during the stream: make it longer");
    assert_eq!(http_status(&server, "/printers/", Some(&mut kept)), 200, "kept connection");
    let submitted = submitter.join().unwrap();
    let ids: Vec<u32> = submitted
        .iter()
        .map(|out| parse_request_id(&out.stdout).unwrap_or_else(|| panic!("lp: {}", out.text())))
        .collect();
    assert_eq!(ids.len(), JOBS);
    let listed = cups_tool(&server, Via::Tcp, "lpstat", &["-W", "all", "-o", "q"]).unwrap();
    for id in &ids {
        let job = format!("q-{id} ");
        assert!(listed.stdout.contains(&job), "job {id} lost: {}", listed.text());
    }
    assert!(wait_until(LIMIT, || locked(jobs_status(&server))), "the new rule is not applied");

    // A configuration with an error is not applied: the rule above stays.
    let mut kept = TcpStream::connect(addr).unwrap();
    assert_eq!(http_status(&server, "/printers/", Some(&mut kept)), 200);
    // Without the rule, and with a stray `</Location>` (an error): applied, it would open /jobs.
    let conf = server.dir().join("etc/cupsd.conf");
    let text = fs::read_to_string(&conf).unwrap().replace(LOCK_JOBS, "");
    fs::write(&conf, format!("{text}</Location>\n")).unwrap();
    signal(pid, "HUP");
    let refused = wait_until(LIMIT, || {
        fs::read_to_string(server.error_log()).is_ok_and(|l| l.contains("was not reloaded"))
    });
    assert!(refused, "no word of the refused reload:\n{}", server.log_tail(30));
    assert!(locked(jobs_status(&server)), "a broken configuration was applied");
    assert_eq!(http_status(&server, "/printers/", Some(&mut kept)), 200, "kept connection");
}

/// `-l` (on demand): with no job and no client for IdleExitTimeout the server exits (0),
/// for the socket to start it again, and removes its keep-alive file. Both servers, each
/// binding its own listeners (no socket passed).
#[test]
fn on_demand_server_exits_when_idle() {
    require_programs();
    let mut servers = vec![(ServerKind::Cupsd, PathBuf::from(CUPSD))];
    match quired_binary() {
        Some(bin) => servers.push((ServerKind::Quired, bin)),
        None => skipped("quired binary not built"),
    }
    for (kind, bin) in servers {
        let port = free_port().unwrap();
        let dir = configured(port);
        let conf = dir.path().join("etc/cupsd.conf");
        let text = fs::read_to_string(&conf).unwrap();
        fs::write(&conf, format!("{text}IdleExitTimeout 2\n")).unwrap();
        let log = fs::File::create(dir.path().join("log/stdout.log")).unwrap();
        let mut cmd = Command::new(&bin);
        cmd.arg("-l")
            .args(conf_args(dir.path()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let mut child = ChildGuard::spawn(&kind.to_string(), &mut cmd).unwrap();
        let up = wait_until(LIMIT, || {
            tcp_connects(port)
                && lpstat_r(&format!("127.0.0.1:{port}")).stdout.contains("scheduler is running")
        });
        let logs = || fs::read_to_string(dir.path().join("log/error_log")).unwrap_or_default();
        assert!(up, "{kind} -l did not start:\n{}", logs());
        let exited = wait_until(Duration::from_secs(60), || child.check_alive().is_err());
        assert!(exited, "{kind} -l did not exit when idle:\n{}", logs());
        let status = child.check_alive().unwrap_err().to_string();
        assert!(status.contains("exit status: 0"), "{kind}: {status}");
        let keepalive = dir.path().join("cache/org.cups.cupsd");
        if kind == ServerKind::Quired {
            assert!(!keepalive.exists(), "keep-alive file left with nothing to do");
        }
    }
}

/// SIGHUP applies `LogLevel`: at `warn` the reload's own info line is not written, back at
/// `debug` it is again. Each reload is known to be done by a `<Location>` change it carries.
/// quired only (the log's wording is its own).
#[test]
fn sighup_changes_the_log_level() {
    let Some(server) = Server::start_quired().unwrap() else {
        skipped("quired binary not built");
        return;
    };
    let conf = server.dir().join("etc/cupsd.conf");
    let original = fs::read_to_string(&conf).unwrap();
    let reloads = || {
        let log = fs::read_to_string(server.error_log()).unwrap_or_default();
        log.matches("configuration reloaded").count()
    };
    let reload_with = |text: String, want_locked: bool| {
        fs::write(&conf, text).unwrap();
        signal(server.pid().unwrap(), "HUP");
        let done = wait_until(LIMIT, || locked(jobs_status(&server)) == want_locked);
        assert!(done, "reload not applied:\n{}", server.log_tail(30));
    };
    reload_with(format!("{original}LogLevel warn\n{LOCK_JOBS}"), true);
    reload_with(format!("{original}LogLevel warn\n"), false);
    assert_eq!(reloads(), 0, "info lines written at LogLevel warn:\n{}", server.log_tail(30));
    reload_with(format!("{original}{LOCK_JOBS}"), true);
    assert!(wait_until(LIMIT, || reloads() == 1), "back at debug:\n{}", server.log_tail(30));
}

/// `-l`: the keep-alive file (what cups.path watches) exists while the server runs and stays
/// after it stops with a job left (held jobs count), so the server comes back for it.
/// quired only: cupsd writes its keep-alive file at a fixed system path.
#[test]
fn on_demand_keepalive_file_stays_with_jobs_left() {
    let Some(bin) = quired() else { return };
    let port = free_port().unwrap();
    let dir = configured(port);
    let log = fs::File::create(dir.path().join("log/stdout.log")).unwrap();
    let mut cmd = Command::new(&bin);
    cmd.arg("-l")
        .args(conf_args(dir.path()))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::null());
    let mut child = ChildGuard::spawn("quired -l", &mut cmd).unwrap();
    let host = format!("127.0.0.1:{port}");
    assert!(wait_until(LIMIT, || lpstat_r(&host).stdout.contains("scheduler is running")));
    let keepalive = dir.path().join("cache/org.cups.cupsd");
    assert!(keepalive.exists(), "no keep-alive file while running");
    let lp = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run_with_timeout(30, args[0].as_str(), &args[1..], None, &[]).unwrap()
    };
    let doc = data_dir().join("documents/testfile.txt");
    let made = lp(&["lpadmin", "-h", &host, "-p", "q", "-v", "file:///dev/null", "-E"]);
    assert_eq!(made.rc, 0, "{}", made.text());
    let held = lp(&["lp", "-h", &host, "-d", "q", "-H", "indefinite", path_arg(&doc)]);
    assert!(parse_request_id(&held.stdout).is_some(), "{}", held.text());
    signal(child.id().unwrap(), "TERM");
    assert!(wait_until(LIMIT, || child.check_alive().is_err()), "no exit on SIGTERM");
    assert!(keepalive.exists(), "keep-alive file removed with a held job left");
}

/// SIGHUP applies `Listen` lines: one added is served, one removed no longer accepts. Both
/// servers; quired also keeps serving a connection made there before (cupsd closes it).
#[test]
fn sighup_adds_and_removes_listeners() {
    for server in both_servers() {
        let name = server.name();
        let port = free_port().unwrap();
        let conf = server.dir().join("etc/cupsd.conf");
        let original = fs::read_to_string(&conf).unwrap();
        fs::write(&conf, format!("{original}Listen 127.0.0.1:{port}\n")).unwrap();
        signal(server.pid().unwrap(), "HUP");
        let host = format!("127.0.0.1:{port}");
        let served = wait_until(LIMIT, || {
            tcp_connects(port) && lpstat_r(&host).stdout.contains("scheduler is running")
        });
        assert!(served, "{name}: the added Listen is not served:\n{}", server.log_tail(30));
        let mut kept = TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert_eq!(http_status(&server, "/printers/", Some(&mut kept)), 200, "{name}");
        fs::write(&conf, &original).unwrap();
        signal(server.pid().unwrap(), "HUP");
        let gone = wait_until(LIMIT, || !tcp_connects(port));
        assert!(gone, "{name}: the removed Listen still accepts:\n{}", server.log_tail(30));
        if server.kind() == ServerKind::Quired {
            assert_eq!(http_status(&server, "/printers/", Some(&mut kept)), 200, "kept");
        }
        assert!(lpstat_r(&server.host_port()).stdout.contains("scheduler is running"));
    }
}
