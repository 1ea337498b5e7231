//! Issue 21, filters: what an anonymous client on the LAN sends is parsed and converted as
//! cups-files.conf's `User` (lp), never as root; `User root` is refused; and `file:` devices
//! stay off unless cups-files.conf turns FileDevice on, in quired's built-in configuration
//! too. Under Debian's stock cupsd.conf with printer sharing on; the same tests run against
//! cupsd where cupsd has the feature.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::cli::parse_request_id;
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::process::{other, wait_until, ChildGuard, CmdOutput};
use quire_tests::{cups_tool, data_dir, Dbus, IppEvePrinter, ServerKind, Via};

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// An administrator on this host, over the server's socket (peer credentials: root).
fn admin(server: &LanServer, args: &[&str]) -> CmdOutput {
    cups_tool(server, Via::Socket, "lpadmin", args).expect("run lpadmin")
}

/// lp's uid and gid, from the user database (NSS).
fn lp_ids() -> (u32, u32) {
    let lp = nix::unistd::User::from_name("lp")
        .expect("look up lp")
        .expect("an lp user (Debian's cups-files.conf default User)");
    (lp.uid.as_raw(), lp.gid.as_raw())
}

/// Who a process is, from /proc/PID/status: real, effective, saved and file-system ids, and
/// its supplementary groups.
#[derive(Debug)]
struct Ids {
    name: String,
    uid: Vec<u32>,
    gid: Vec<u32>,
    groups: Vec<u32>,
}

fn parse_status(text: &str) -> Ids {
    let field =
        |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).unwrap_or("").trim().to_string();
    let numbers =
        |key: &str| field(key).split_whitespace().filter_map(|n| n.parse().ok()).collect();
    Ids {
        name: field("Name:"),
        uid: numbers("Uid:"),
        gid: numbers("Gid:"),
        groups: numbers("Groups:"),
    }
}

/// Every id of the process is lp's, and it has no other group: it cannot get root back nor
/// use root's groups.
fn assert_lp(who: &str, ids: &Ids) {
    let (uid, gid) = lp_ids();
    assert!(
        ids.uid.len() == 4 && ids.uid.iter().all(|u| *u == uid),
        "{who} ({}) must run as lp (uid {uid}): real/effective/saved/fs uids {:?}",
        ids.name,
        ids.uid
    );
    assert!(
        ids.gid.len() == 4 && ids.gid.iter().all(|g| *g == gid),
        "{who} ({}) must run as group lp (gid {gid}): gids {:?}",
        ids.name,
        ids.gid
    );
    assert!(
        ids.groups.iter().all(|g| *g == gid),
        "{who} ({}) must have no supplementary group but lp: {:?}",
        ids.name,
        ids.groups
    );
}

/// A ServerBin whose `filter/` holds, besides the system's filters, a `gs` that records its
/// own /proc status and its parent's (the filter that started it), then runs the real
/// Ghostscript. cupsd gives filters `PATH=<ServerBin>/filter:/usr/bin:...` (its gstoraster
/// runs `gs` from PATH), and so does quired; both take ServerBin from cups-files.conf.
struct GsSpy {
    dir: tempfile::TempDir,
}

impl GsSpy {
    fn new() -> GsSpy {
        let system = Path::new("/usr/lib/cups");
        let real = ["/usr/bin/gs", "/bin/gs"]
            .into_iter()
            .find(|p| Path::new(p).is_file())
            .expect("Ghostscript (/usr/bin/gs)");
        let dir = tempfile::Builder::new().prefix("quire-gs-spy-").tempdir().expect("tempdir");
        chmod(dir.path(), 0o755);
        for (sub, mode) in [("serverbin", 0o755), ("serverbin/filter", 0o755), ("rec", 0o777)] {
            fs::create_dir(dir.path().join(sub)).expect("mkdir");
            chmod(&dir.path().join(sub), mode);
        }
        let bin = dir.path().join("serverbin");
        for entry in fs::read_dir(system).expect("read /usr/lib/cups").flatten() {
            if entry.file_name() != "filter" {
                std::os::unix::fs::symlink(entry.path(), bin.join(entry.file_name()))
                    .expect("symlink");
            }
        }
        for entry in
            fs::read_dir(system.join("filter")).expect("read /usr/lib/cups/filter").flatten()
        {
            std::os::unix::fs::symlink(entry.path(), bin.join("filter").join(entry.file_name()))
                .expect("symlink");
        }
        let rec = dir.path().join("rec");
        let script = format!(
            "#!/bin/sh\ncat /proc/$$/status > {rec}/$$.self\ncat /proc/$PPID/status > {rec}/$$.parent\nexec {real} \"$@\"\n",
            rec = rec.display()
        );
        let gs = bin.join("filter/gs");
        fs::write(&gs, script).expect("write the gs spy");
        chmod(&gs, 0o755);
        GsSpy { dir }
    }

    /// The cups-files.conf line that makes the servers use it.
    fn server_bin(&self) -> String {
        format!("ServerBin {}\n", self.dir.path().join("serverbin").display())
    }

    /// Its filters also first on the daemon's own PATH (cupsd ignores it), so a daemon that
    /// ignored ServerBin and ran `gs` itself would still be seen.
    fn path_env(&self) -> (String, String) {
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        ("PATH".into(), format!("{}:{path}", self.dir.path().join("serverbin/filter").display()))
    }

    /// The process ids Ghostscript ran as.
    fn pids(&self) -> Vec<u32> {
        let rec = self.dir.path().join("rec");
        let names = fs::read_dir(rec).expect("read the spy's records").flatten().map(|e| e.path());
        names
            .filter(|p| p.extension().is_some_and(|e| e == "self"))
            .filter_map(|p| p.file_stem()?.to_str()?.parse().ok())
            .collect()
    }

    /// (Ghostscript, its parent) for every run.
    fn runs(&self) -> Vec<(Ids, Ids)> {
        let rec = self.dir.path().join("rec");
        let mut runs = Vec::new();
        for entry in fs::read_dir(&rec).expect("read the spy's records").flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "self") {
                let own = fs::read_to_string(&path).expect("read record");
                let parent = fs::read_to_string(path.with_extension("parent")).unwrap_or_default();
                runs.push((parse_status(&own), parse_status(&parent)));
            }
        }
        runs
    }
}

fn job_completed(server: &LanServer, queue: &str, id: u32) -> bool {
    let out = cups_tool(server, Via::Socket, "lpstat", &["-W", "completed", "-o", queue])
        .expect("lpstat");
    out.stdout.lines().any(|l| l.split_whitespace().next() == Some(&format!("{queue}-{id}")))
}

/// `kind` with the Ghostscript spy in its ServerBin, and a shared queue `psq` on a new
/// ippeveprinter that takes only PDF (so PostScript goes through Ghostscript).
fn pdf_only_queue(
    kind: ServerKind,
    lan: &Lan,
    dbus: &Dbus,
    name: &str,
) -> (GsSpy, LanServer, IppEvePrinter) {
    let spy = GsSpy::new();
    let opts = StockOptions {
        files_extra: spy.server_bin(),
        env: vec![spy.path_env()],
        ..Default::default()
    };
    let server = LanServer::started(kind, lan, &opts);
    let printer = IppEvePrinter::start_with_formats(
        &format!("{kind} {name}"),
        dbus.address(),
        "application/pdf",
    )
    .expect("ippeveprinter");
    let made = admin(
        &server,
        &[
            "-p",
            "psq",
            "-E",
            "-v",
            &printer.uri(),
            "-m",
            "everywhere",
            "-o",
            "printer-is-shared=true",
        ],
    );
    assert_eq!(made.rc, 0, "{kind}: lpadmin: {}", made.text());
    (spy, server, printer)
}

/// PostScript from an anonymous LAN client to a printer that takes only PDF: Ghostscript
/// converts it, and both Ghostscript and the filter that runs it (cupsd's gstoraster,
/// quired's filter worker, which also does the PDF page work) run as lp, observed from
/// /proc while they run. Fails on a quired that converts in the daemon (as root).
#[test]
fn postscript_from_the_lan_is_converted_as_lp() {
    let Some(lan) = Lan::or_skip() else { return };
    let dbus = Dbus::start().expect("dbus");
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let (spy, server, printer) = pdf_only_queue(kind, &lan, &dbus, "pdf only");
        let doc = data_dir().join("documents/document-letter.ps");
        let sent = lan.cups_tool(&server, "lp", &["-d", "psq", &doc.to_string_lossy()]);
        assert_eq!(sent.rc, 0, "{kind}: remote lp: {}", sent.text());
        let id = parse_request_id(&sent.stdout).expect("request id");
        let done = wait_until(Duration::from_secs(90), || job_completed(&server, "psq", id));
        assert!(done, "{kind}: job {id} did not complete\n{}", server.log_tail(60));
        let pdfs = fs::read_dir(printer.spool_dir())
            .expect("printer spool")
            .flatten()
            .filter(|e| fs::read(e.path()).is_ok_and(|b| b.starts_with(b"%PDF")))
            .count();
        assert!(pdfs >= 1, "{kind}: the printer got no PDF\n{}", printer.log_text());
        let runs = spy.runs();
        assert!(
            !runs.is_empty(),
            "{kind}: Ghostscript never ran from <ServerBin>/filter\n{}",
            server.log_tail(60)
        );
        eprintln!("{kind}: gs runs: {runs:?}");
        for (gs, parent) in &runs {
            assert_lp(&format!("{kind}: Ghostscript"), gs);
            assert_lp(&format!("{kind}: the filter running Ghostscript"), parent);
        }
    }
}

/// A process that has exited (gone, or a zombie waiting to be reaped).
fn gone(pid: u32) -> bool {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("State:")).is_none_or(|s| s.trim().starts_with('Z'))
}

/// A PostScript job from the LAN that never ends (an endless loop, which -dSAFER allows),
/// canceled while Ghostscript runs it: Ghostscript is stopped, not left burning a CPU. On
/// quired the job's filter worker and everything it started are killed as a group.
#[test]
fn canceling_a_job_stops_its_conversion() {
    let Some(lan) = Lan::or_skip() else { return };
    let dbus = Dbus::start().expect("dbus");
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let (spy, server, _printer) = pdf_only_queue(kind, &lan, &dbus, "endless");
        let doc = spy.dir.path().join("endless.ps");
        fs::write(&doc, "%!PS-Adobe-3.0\n{ } loop\nshowpage\n").expect("write the document");
        chmod(&doc, 0o644);
        let sent = lan.cups_tool(&server, "lp", &["-d", "psq", &doc.to_string_lossy()]);
        assert_eq!(sent.rc, 0, "{kind}: remote lp: {}", sent.text());
        let id = parse_request_id(&sent.stdout).expect("request id");
        assert!(
            wait_until(Duration::from_secs(60), || !spy.pids().is_empty()),
            "{kind}: Ghostscript never started\n{}",
            server.log_tail(40)
        );
        let pids = spy.pids();
        assert!(!pids.iter().all(|p| gone(*p)), "{kind}: Ghostscript ended on its own: {pids:?}");
        let canceled =
            cups_tool(&server, Via::Socket, "cancel", &[&format!("psq-{id}")]).expect("cancel");
        assert_eq!(canceled.rc, 0, "{kind}: cancel: {}", canceled.text());
        let stopped = wait_until(Duration::from_secs(30), || pids.iter().all(|p| gone(*p)));
        assert!(
            stopped,
            "{kind}: Ghostscript {pids:?} still runs after the job was canceled\n{}",
            server.log_tail(40)
        );
    }
}

/// The processes `pid` started, with their command lines.
fn children(pid: u32) -> Vec<(String, Ids)> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc").expect("read /proc").flatten() {
        let status = fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let ppid = status
            .lines()
            .find_map(|l| l.strip_prefix("PPid:"))
            .and_then(|p| p.trim().parse::<u32>().ok());
        if ppid == Some(pid) {
            let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
            out.push((String::from_utf8_lossy(&cmdline).replace('\0', " "), parse_status(&status)));
        }
    }
    out
}

fn print_job(server: &LanServer, queue: &str, format: &str) -> Message {
    let mut msg = quire_client::request_as(
        Operation::PrintJob,
        Some(&server.lan_printer_uri(queue)),
        "mallory",
    );
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("document-format", Value::MimeMediaType(format.into())));
    g.push(Attribute::new("job-hold-until", Value::Keyword("indefinite".into())));
    msg
}

/// quired counts a submitted PDF's pages (job-impressions; cupsd does not, so this runs
/// against quired only) with lopdf, on whatever a LAN client sent: in a filter worker that
/// runs as lp, found among quired's children (workers stay up for the next count). Fails
/// on a quired that counts in the daemon: no such child.
#[test]
fn submitted_pdfs_are_page_counted_as_lp() {
    let Some(lan) = Lan::or_skip() else { return };
    let server = LanServer::started(ServerKind::Quired, &lan, &StockOptions::default());
    let pid = server.pid().expect("quired's pid");
    let made = admin(
        &server,
        &["-p", "held", "-E", "-v", "file:///dev/null", "-o", "printer-is-shared=true"],
    );
    assert_eq!(made.rc, 0, "lpadmin: {}", made.text());
    let workers = |list: Vec<(String, Ids)>| -> Vec<(String, Ids)> {
        list.into_iter().filter(|(cmd, _)| cmd.contains("--filter-worker")).collect()
    };
    assert!(workers(children(pid)).is_empty(), "no filter worker before any document");
    let pdf = fs::read(data_dir().join("documents/document-letter.pdf")).expect("read the PDF");
    let resp = lan.ipp(
        &server,
        "/printers/held",
        None,
        &print_job(&server, "held", "application/pdf"),
        &pdf,
    );
    let (answer, _) = resp.ipp().expect("an IPP answer");
    assert!(answer.code < 0x0100, "Print-Job from the LAN: {answer:?}");
    let job = answer.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).expect("job-id");
    let mut get = quire_client::request_as(
        Operation::GetJobAttributes,
        Some(&server.lan_printer_uri("held")),
        "mallory",
    );
    get.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(job)));
    let (attrs, _) = lan
        .ipp(&server, "/printers/held", None, &get, b"")
        .ipp()
        .expect("Get-Job-Attributes answer");
    let impressions = attrs.attr(DelimiterTag::Job, "job-impressions").and_then(|a| a.first_i32());
    assert_eq!(impressions, Some(1), "the one-page PDF was counted: {attrs:?}");
    let found = workers(children(pid));
    assert!(
        !found.is_empty(),
        "the page count ran in no filter worker; quired's children: {:?}",
        children(pid)
    );
    for (cmd, ids) in &found {
        assert_lp(&format!("page-count worker `{cmd}`"), ids);
    }
}

/// cupsd refuses, and does not start with, a cups-files.conf that would give filters root's
/// powers: `User root`, or a `Group` that is also a `SystemGroup` (quire-tests' files have
/// `SystemGroup root`); so does quired.
#[test]
fn user_root_and_an_admin_group_are_refused() {
    let Some(lan) = Lan::or_skip() else { return };
    for (extra, said) in [
        ("User root\n", "Will not use User root"),
        ("Group root\n", "Group and SystemGroup cannot use the same groups"),
    ] {
        let opts = StockOptions { files_extra: extra.into(), ..Default::default() };
        for kind in [ServerKind::Cupsd, ServerKind::Quired] {
            match LanServer::start(kind, &lan, &opts) {
                Ok(Some(_)) => panic!("{kind} started with {extra}"),
                Ok(None) => panic!("quired is not built"),
                Err(e) => assert!(e.to_string().contains(said), "{kind} with {extra}: {e}"),
            }
        }
    }
}

/// With cups-files.conf's FileDevice off (the default), an administrator cannot make a
/// `file:` queue (with the daemon as root it would write any file), and gets cupsd's
/// message; with `FileDevice Yes` they can (quire-tests' cups-files.conf has it on).
#[test]
fn file_devices_follow_cups_files_conf() {
    let Some(lan) = Lan::or_skip() else { return };
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let off = LanServer::started(
            kind,
            &lan,
            &StockOptions { files_extra: "FileDevice No\n".into(), ..Default::default() },
        );
        let out = admin(&off, &["-p", "x", "-E", "-v", "file:///tmp/quire-pwned"]);
        assert_ne!(out.rc, 0, "{kind}: file: queue made with FileDevice No");
        assert!(
            out.stderr.contains("File device URIs have been disabled"),
            "{kind}: {}",
            out.text()
        );
        let on = LanServer::started(kind, &lan, &StockOptions::default());
        let target = format!("file://{}/x.out", on.out_dir().display());
        let out = admin(&on, &["-p", "x", "-E", "-v", &target]);
        assert_eq!(out.rc, 0, "{kind}: FileDevice Yes allows file: queues: {}", out.text());
    }
}

/// quired run as its demo (`--demo`: the built-in configuration), as root, in a
/// network namespace of its own (it listens on the fixed port 8631) from a copy of the
/// binary without quire-sim beside it, so it makes its fallback file queues.
struct Demo {
    dir: tempfile::TempDir,
    _child: ChildGuard,
}

impl Demo {
    fn start(lan: &Lan) -> Option<Demo> {
        let quired = quire_tests::quired_binary()?;
        let dir = tempfile::Builder::new().prefix("quire-demo-").tempdir().expect("tempdir");
        chmod(dir.path(), 0o755);
        fs::create_dir(dir.path().join("bin")).expect("mkdir bin");
        let bin = dir.path().join("bin/quired");
        fs::hard_link(&quired, &bin)
            .or_else(|_| fs::copy(&quired, &bin).map(|_| ()))
            .expect("copy quired");
        let log = fs::File::create(dir.path().join("quired.log")).expect("log");
        let mut cmd = lan.netns_command(&bin);
        cmd.arg("--demo")
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        let mut child =
            ChildGuard::spawn("quired (built-in configuration)", &mut cmd).expect("start quired");
        let demo_sock = dir.path().join("state/cups.sock");
        let up = wait_until(Duration::from_secs(30), || {
            child.check_alive().is_ok()
                && demo_lpstat(&demo_sock, &["-r"]).stdout.contains("is running")
        });
        let demo = Demo { dir, _child: child };
        assert!(up, "quired with the built-in configuration did not start: {}", demo.log());
        Some(demo)
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("state/cups.sock")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("quired.log")).unwrap_or_default()
    }

    fn tool(&self, program: &str, args: &[&str]) -> CmdOutput {
        run_on_socket(&self.socket(), program, args)
    }
}

fn demo_lpstat(socket: &Path, args: &[&str]) -> CmdOutput {
    run_on_socket(socket, "lpstat", args)
}

fn run_on_socket(socket: &Path, program: &str, args: &[&str]) -> CmdOutput {
    let sock = socket.to_string_lossy().into_owned();
    let mut full = vec!["-h".to_string(), sock.clone()];
    full.extend(args.iter().map(|a| a.to_string()));
    let env = [
        ("CUPS_SERVER".to_string(), sock),
        ("LANG".to_string(), "C".to_string()),
        ("HOME".to_string(), "/nonexistent".to_string()),
    ];
    quire_tests::process::run_with_timeout(30, program, &full, None, &env)
        .map_err(|e| other(format!("{program}: {e}")))
        .expect("run a CUPS tool")
}

/// The built-in configuration has FileDevice off, as cupsd's default: root on the local
/// socket cannot point a queue at a file. Its own demo queues (made by quired at boot,
/// printing into the state directory) are there and print. quired only: cupsd has no
/// built-in configuration.
#[test]
fn builtin_configuration_has_file_devices_off() {
    let Some(lan) = Lan::or_skip() else { return };
    let Some(demo) = Demo::start(&lan) else { panic!("quired is not built") };
    let out = demo.tool("lpadmin", &["-p", "x", "-E", "-v", "file:///tmp/quire-pwned"]);
    assert_ne!(out.rc, 0, "a file: queue was made with the built-in configuration: {}", out.text());
    assert!(out.stderr.contains("File device URIs have been disabled"), "{}", out.text());
    let queues = demo.tool("lpstat", &["-v"]);
    for q in ["office", "lab"] {
        // lpstat shows a file: URI without its scheme.
        let line = queues
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("device for {q}: ")))
            .unwrap_or("");
        assert!(
            line.ends_with(&format!("/state/printed/{q}.out")),
            "demo queue {q} missing: {}\n{}",
            queues.text(),
            demo.log()
        );
    }
    let doc = data_dir().join("documents/testfile.txt");
    let sent = demo.tool("lp", &["-d", "office", &doc.to_string_lossy()]);
    assert_eq!(sent.rc, 0, "lp to the demo queue: {}", sent.text());
    let printed = demo.dir.path().join("state/printed/office.out");
    let want = fs::read(&doc).expect("read the document");
    assert!(
        wait_until(Duration::from_secs(30), || fs::read(&printed).is_ok_and(|b| b == want)),
        "the demo queue did not print: {}",
        demo.log()
    );
}

/// The uid that owns the client end `peer` of a TCP connection made on this host to one of
/// our listeners (the kernel's socket table, /proc/net/tcp).
fn connection_owner(peer: std::net::SocketAddr) -> Option<u32> {
    let want = format!("0100007F:{:04X}", peer.port());
    let table = fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&want.as_str())).then(|| fields.get(7)?.parse().ok()).flatten()
    })
}

/// Waits for the daemon's backend to connect to `listener` and send something; the uid that
/// owns that connection, looked up while it is open (a connection closed at once, such as a
/// reachability probe, is skipped: the kernel no longer says whose it was).
fn accept_owner(listener: &std::net::TcpListener) -> Option<u32> {
    use std::io::Read;
    listener.set_nonblocking(true).expect("nonblocking");
    let mut owner = None;
    let connected = wait_until(Duration::from_secs(60), || {
        let Ok((mut stream, peer)) = listener.accept() else { return false };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let mut first = [0u8; 1];
        if !matches!(stream.read(&mut first), Ok(1)) {
            return false;
        }
        owner = connection_owner(peer);
        true
    });
    connected.then_some(owner).flatten()
}

/// A job from an anonymous LAN client to a network printer (socket, ipp): the connection to
/// the printer is made by lp, never root, so what the printer answers is read unprivileged
/// (cupsd runs its socket and ipp backends as lp; quired its own backends in the worker).
/// Fails on a quired that delivers in the daemon.
#[test]
fn network_printers_are_reached_as_lp() {
    let Some(lan) = Lan::or_skip() else { return };
    let (lp_uid, _) = lp_ids();
    let doc = data_dir().join("documents/document-letter.pdf").to_string_lossy().into_owned();
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let server = LanServer::started(kind, &lan, &StockOptions::default());
        for (queue, scheme) in [("sockq", "socket"), ("ippq", "ipp")] {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
            let port = listener.local_addr().expect("port").port();
            let uri = match scheme {
                "socket" => format!("socket://127.0.0.1:{port}"),
                _ => format!("ipp://127.0.0.1:{port}/ipp/print"),
            };
            let made =
                admin(&server, &["-p", queue, "-E", "-v", &uri, "-o", "printer-is-shared=true"]);
            assert_eq!(made.rc, 0, "{kind}: lpadmin {queue}: {}", made.text());
            let sent = lan.cups_tool(&server, "lp", &["-d", queue, &doc]);
            assert_eq!(sent.rc, 0, "{kind}: remote lp: {}", sent.text());
            let owner = accept_owner(&listener);
            assert_eq!(
                owner,
                Some(lp_uid),
                "{kind}: the {scheme} printer must be reached as lp (uid {lp_uid})\n{}",
                server.log_tail(40)
            );
        }
    }
}
