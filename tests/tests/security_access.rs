//! Issue 21, access control: cupsd's Order/Allow/Deny and `<Location>` rules as an anonymous
//! client on another host meets them, under Debian's stock cupsd.conf. Each test runs against
//! cupsd 2.4 (the reference) and quired with the same files.

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::http::HttpResponse;
use quire_tests::lan::{Lan, LanServer, Sharing, StockOptions};
use quire_tests::pam::PamMatrix;
use quire_tests::ServerKind;

fn get_printers() -> Message {
    quire_client::request_as(Operation::CupsGetPrinters, None, "mallory")
}

/// The stock `<Location />` (`Order allow,deny`, no `Allow`) refuses every remote client:
/// HTTP 403 for IPP and for GET, while local clients are served.
#[test]
fn stock_location_refuses_remote_clients() {
    let Some(lan) = Lan::or_skip() else { return };
    let opts = StockOptions { sharing: Sharing::Off, ..Default::default() };
    for server in LanServer::both(&lan, &opts) {
        let name = server.name();
        let remote = lan.ipp(&server, "/", None, &get_printers(), b"");
        assert_eq!(remote.status, 403, "{name}: a remote CUPS-Get-Printers must be refused");
        let lpstat = lan.cups_tool(&server, "lpstat", &["-v"]);
        assert_ne!(lpstat.rc, 0, "{name}: remote lpstat must fail: {}", lpstat.text());
        let local = quire_tests::cups_tool(&server, quire_tests::Via::Tcp, "lpstat", &["-r"])
            .expect("lpstat");
        assert!(
            local.stdout.contains("scheduler is running"),
            "{name}: local clients are served: {}",
            local.text()
        );
    }
}

/// With printer sharing on (`Allow @LOCAL`, as `cupsctl --share-printers` writes it), a client
/// on the local network is served.
#[test]
fn shared_location_serves_the_local_network() {
    let Some(lan) = Lan::or_skip() else { return };
    for server in LanServer::both(&lan, &StockOptions::default()) {
        let remote = lan.ipp(&server, "/", None, &get_printers(), b"");
        assert_eq!(
            remote.status,
            200,
            "{}: a LAN client is allowed by Allow @LOCAL",
            server.name()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Shared pieces of the tests below.

/// Creates the raw queue `name` (printing to /dev/null) as root on the local socket.
fn add_queue(server: &LanServer, name: &str) {
    let out = quire_tests::cups_tool(
        server,
        quire_tests::Via::Socket,
        "lpadmin",
        &["-p", name, "-E", "-v", "file:///dev/null"],
    )
    .expect("lpadmin");
    assert_eq!(out.rc, 0, "{}: lpadmin -p {name}: {}", server.name(), out.text());
}

/// An IPP request `op` on `uri` as `user`, with `extra` operation attributes.
fn request(op: Operation, uri: &str, user: &str, extra: Vec<Attribute>) -> Message {
    let mut msg = quire_client::request_as(op, Some(uri), user);
    for a in extra {
        msg.group_mut(DelimiterTag::Operation).push(a);
    }
    msg
}

/// A Print-Job of a few raw bytes on `uri` as `user`.
fn print_job(uri: &str, user: &str, extra: Vec<Attribute>) -> Message {
    let mut extra = extra;
    extra.push(Attribute::new(
        "document-format",
        Value::MimeMediaType("application/octet-stream".into()),
    ));
    request(Operation::PrintJob, uri, user, extra)
}

/// The IPP status of an HTTP answer (None when the body is no IPP response).
fn ipp_status(resp: &HttpResponse) -> Option<u16> {
    resp.ipp().map(|(m, _)| m.code)
}

/// The error log's lines, to count what a test wrote there.
fn log_lines(server: &LanServer) -> Vec<String> {
    std::fs::read_to_string(server.error_log())
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Encryption: DefaultEncryption Required (cupsd's default) makes a remote plain-HTTP client
// upgrade to TLS before it is asked for a password.

/// The PAM users of these tests (pam_wrapper + pam_matrix, service "cups").
const PAM_USERS: [(&str, &str); 2] = [("root", "rootpw"), ("alice", "alicepw")];

fn pam_or_skip() -> Option<PamMatrix> {
    if !PamMatrix::available() {
        quire_tests::skipped("needs libpam-wrapper");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir").keep();
    Some(PamMatrix::new(&dir, "cups", &PAM_USERS).expect("pam matrix"))
}

/// ipptool's Pause-Printer, then Resume-Printer, as "root" (both need `@SYSTEM`).
const PAUSE_RESUME: &str = "{\n NAME \"Pause-Printer\"\n OPERATION Pause-Printer\n GROUP operation-attributes-tag\n\
     ATTR charset attributes-charset utf-8\n ATTR naturalLanguage attributes-natural-language en\n ATTR uri printer-uri $uri\n\
     ATTR name requesting-user-name root\n STATUS successful-ok\n}\n\
     {\n NAME \"Resume-Printer\"\n OPERATION Resume-Printer\n GROUP operation-attributes-tag\n\
     ATTR charset attributes-charset utf-8\n ATTR naturalLanguage attributes-natural-language en\n ATTR uri printer-uri $uri\n\
     ATTR name requesting-user-name root\n STATUS successful-ok\n}\n";

/// From the LAN over plain HTTP an operation that needs a password is answered 426 Upgrade
/// Required (cupsd's cupsdSendError turns the 401 into 426 when DefaultEncryption is
/// Required), never 401: the client is not invited to send its password in the clear.
/// Over TLS the same request authenticates. Quire also refuses to check a password that
/// was sent in the clear anyway (cupsd checks and accepts it: that part is quired only).
#[test]
fn remote_plain_http_clients_must_upgrade_before_sending_a_password() {
    let Some(lan) = Lan::or_skip() else { return };
    let Some(pam) = pam_or_skip() else { return };
    let opts = StockOptions { env: pam.env(), ..Default::default() };
    // AuditLog is Quire's (relative to ServerRoot); cupsd refuses to start with it.
    let quired_opts = StockOptions { files_extra: "AuditLog audit_log\n".into(), ..opts.clone() };
    for server in LanServer::both_with(&lan, &opts, &quired_opts) {
        let name = server.name();
        add_queue(&server, "lanq");
        let pause =
            request(Operation::PausePrinter, &server.lan_printer_uri("lanq"), "root", Vec::new());
        let resp = lan.ipp(&server, "/printers/lanq", None, &pause, b"");
        assert_eq!(
            resp.status, 426,
            "{name}: a password is needed: upgrade first ({:?})",
            resp.headers
        );
        let upgrade = resp.header("Upgrade").unwrap_or("");
        assert!(
            upgrade.contains("TLS/1.2"),
            "{name}: Upgrade header names TLS: {:?}",
            resp.headers
        );
        assert!(
            resp.header("WWW-Authenticate").is_none(),
            "{name}: no password asked for in the clear"
        );
        if server.kind() == ServerKind::Quired {
            // Credentials sent in the clear anyway are not checked: the answer is the same
            // 426, the password is neither accepted nor counted as a failure.
            for (user, password) in [("root", "rootpw"), ("root", "wrong")] {
                let resp = lan.ipp(&server, "/printers/lanq", Some((user, password)), &pause, b"");
                assert_eq!(
                    resp.status, 426,
                    "{name}: {user}:{password} in the clear is not checked"
                );
            }
            let audit =
                std::fs::read_to_string(server.dir().join("etc/audit_log")).unwrap_or_default();
            assert!(!audit.contains(" auth-"), "{name}: no password was checked:\n{audit}");
        }
        // Over TLS the same requests authenticate (the password in the URI is for ipptool's
        // callback): with ipps://, and with ipp://, where libcups answers the 426 by
        // upgrading the connection (RFC 2817) before it sends the password.
        let test = server.dir().join("pause-resume.test");
        std::fs::write(&test, PAUSE_RESUME).expect("write the ipptool test");
        let env = [("HOME".to_string(), server.dir().display().to_string())];
        for scheme in ["ipps", "ipp"] {
            let uri = format!("{scheme}://root:rootpw@{}/printers/lanq", server.lan_host_port());
            let out =
                lan.command(60, "ipptool", &["-T", "20", &uri, &test.display().to_string()], &env);
            assert_eq!(
                out.rc,
                0,
                "{name}: Pause/Resume-Printer as root with a password, {scheme}://: {}",
                out.text()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// <Location> paths.

/// `<Location /printers/q2>` refusing remote clients while `/` is shared: cupsd matches queue
/// paths case-insensitively and decodes %xx (and refuses `//printers/...` as a bad URI), so
/// no spelling of the path gets a remote Print-Job through.
#[test]
fn a_queue_location_cannot_be_bypassed_by_spelling_its_path_differently() {
    let Some(lan) = Lan::or_skip() else { return };
    let opts = StockOptions {
        cupsd_extra: "<Location /printers/q2>\n  Order allow,deny\n</Location>\n".into(),
        ..Default::default()
    };
    for server in LanServer::both(&lan, &opts) {
        let name = server.name();
        add_queue(&server, "q1");
        add_queue(&server, "q2");
        let q1 = print_job(&server.lan_printer_uri("q1"), "mallory", Vec::new());
        let resp = lan.ipp(&server, "/printers/q1", None, &q1, b"data\n");
        assert_eq!(
            (resp.status, ipp_status(&resp)),
            (200, Some(0)),
            "{name}: q1 is shared (control)"
        );
        let q2 = print_job(&server.lan_printer_uri("q2"), "mallory", Vec::new());
        for path in [
            "/printers/q2",
            "/printers/Q2",
            "//printers/q2",
            "/printers/%71%32",
            "/printers/q2?x=1",
        ] {
            let resp = lan.ipp(&server, path, None, &q2, b"data\n");
            assert!(
                resp.status >= 400,
                "{name}: a remote Print-Job to {path} is refused: HTTP {} IPP {:?}",
                resp.status,
                ipp_status(&resp)
            );
        }
        if server.kind() == ServerKind::Quired {
            // Stricter than cupsd, which applies only the Location of the path posted to
            // (cupsd lets these through): `.` and empty segments are normalized away, and
            // the queue's own Location applies whatever resource the request names.
            for path in ["/printers//q2", "/printers/./q2", "/", "/printers/", "/jobs/"] {
                let resp = lan.ipp(&server, path, None, &q2, b"data\n");
                let refused = resp.status == 403 || ipp_status(&resp) == Some(0x0401);
                assert!(refused, "{name}: a remote Print-Job on q2 posted to {path} is refused: HTTP {} IPP {:?}", resp.status, ipp_status(&resp));
            }
            // A path that tries to climb out is refused outright, as cupsd does.
            let resp = lan.ipp(&server, "/printers/q1/../q2", None, &q2, b"data\n");
            assert_eq!(resp.status, 403, "{name}: `..` is refused");
        }
        // Local clients are not affected.
        let out = quire_tests::cups_tool(
            &server,
            quire_tests::Via::Tcp,
            "lp",
            &["-d", "q2", "/etc/hostname"],
        )
        .expect("lp");
        assert_eq!(out.rc, 0, "{name}: a local client prints on q2: {}", out.text());
    }
}

// ---------------------------------------------------------------------------------------
// Release-Job with a PIN (Quire only: cupsd has no PIN release).

/// A PIN stands for `@OWNER` only: the `<Limit Release-Job>`'s `Deny` still refuses a remote
/// client that sends the right PIN, while a local non-owner with the PIN releases the job.
#[test]
fn a_pin_stands_for_the_owner_but_not_for_the_limits_host_rules() {
    let Some(lan) = Lan::or_skip() else { return };
    let Some(quire) = quire_tests::confidential::quire_binary() else {
        panic!("the quire CLI is not built: cargo build --workspace");
    };
    let policy = format!(
        "DefaultPolicy pins\n<Policy pins>\n  <Limit Release-Job>\n    Require user @OWNER @SYSTEM\n    Order deny,allow\n    Deny from {}/32\n  </Limit>\n\
         <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
        lan.remote_ip()
    );
    let opts = StockOptions { cupsd_extra: policy, ..Default::default() };
    let server = LanServer::started(ServerKind::Quired, &lan, &opts);
    add_queue(&server, "pinq");
    let uri = server.lan_printer_uri("pinq");
    let pin = || vec![Attribute::new("job-password", Value::OctetString(b"4321".to_vec()))];
    let resp =
        lan.ipp(&server, "/printers/pinq", None, &print_job(&uri, "alice", pin()), b"secret\n");
    let created = resp.ipp().expect("Print-Job answer").0;
    assert_eq!(created.code, 0, "a remote PIN job is accepted");
    let id = created
        .group(DelimiterTag::Job)
        .and_then(|g| g.get("job-id"))
        .and_then(|a| a.first_i32())
        .expect("job-id");
    let job_state = || {
        let msg = request(
            Operation::GetJobAttributes,
            &server.printer_uri("pinq"),
            "root",
            vec![Attribute::new("job-id", Value::Integer(id))],
        );
        let resp = quire_tests::http::exchange_at(
            ([127, 0, 0, 1], server.port()).into(),
            &quire_tests::http::ipp_post_bytes("/", &msg.encode()),
            false,
            std::time::Duration::from_secs(20),
        )
        .expect("answer");
        let msg = resp.ipp().expect("IPP").0;
        msg.group(DelimiterTag::Job)
            .and_then(|g| g.get("job-state"))
            .and_then(|a| a.first_i32())
            .unwrap_or(0)
    };
    assert_eq!(job_state(), 4, "held for its PIN");
    let mut release = request(Operation::ReleaseJob, &uri, "mallory", pin());
    release.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
    let resp = lan.ipp(&server, "/printers/pinq", None, &release, b"");
    assert_eq!(
        ipp_status(&resp),
        Some(0x0401),
        "the right PIN from a denied host is refused (client-error-forbidden): HTTP {}",
        resp.status
    );
    assert_eq!(job_state(), 4, "still held");
    // A local user who is neither the owner nor an admin releases it with the PIN.
    let how = quire_tests::confidential::As::user("nobody").env("QUIRE_PIN", "4321");
    let out = quire_tests::confidential::quire(
        &quire,
        &server,
        "release",
        &["--pin", &id.to_string()],
        &how,
    );
    assert_eq!(out.rc, 0, "a local PIN release works: {}", out.text());
    assert_ne!(job_state(), 4, "released");
}

// ---------------------------------------------------------------------------------------
// Login lockout of local users (Quire only: cupsd has no lockout).

/// `curl -u USER:PASSWORD` (Basic, sent at once) with Get-Printer-Attributes to `server`'s
/// loopback address, run as `uid`: the HTTP status.
fn curl_as(
    server: &quire_tests::Server,
    uid: u32,
    user: &str,
    password: &str,
    body: &std::path::Path,
) -> u16 {
    let url = format!("http://127.0.0.1:{}/printers/office", server.port());
    let args: Vec<String> = [
        "-s",
        "KILL",
        "30",
        "setpriv",
        &format!("--reuid={uid}"),
        &format!("--regid={uid}"),
        "--clear-groups",
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-u",
        &format!("{user}:{password}"),
        "-H",
        "Content-Type: application/ipp",
        "--data-binary",
        &format!("@{}", body.display()),
        &url,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out =
        quire_tests::process::run_with_timeout(40, "timeout", &args, None, &[]).expect("curl");
    out.stdout.trim().parse().unwrap_or_else(|_| panic!("curl's status: {}", out.text()))
}

/// One local user locking out its own client by wrong passwords over loopback TCP does not
/// lock out another local user: loopback clients are told apart by the uid owning the socket.
#[test]
fn a_local_user_locked_out_does_not_lock_out_other_local_users() {
    if !quire_tests::confidential::is_root() || !quire_tests::process::have_program("curl") {
        quire_tests::skipped("needs root and curl");
        return;
    }
    let Some((server, _pam)) = quire_tests::confidential::server() else { return };
    let msg = request(
        Operation::GetPrinterAttributes,
        &server.printer_uri("office"),
        "anyone",
        Vec::new(),
    );
    let body = server.dir().join("get-printer-attributes.ipp");
    std::fs::write(&body, msg.encode()).expect("write the request");
    std::fs::set_permissions(
        server.dir().join("get-printer-attributes.ipp"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .expect("chmod");
    // uid 65534 guesses alice's password: MaxAuthFailures (3) failures lock its client out.
    for _ in 0..3 {
        assert_eq!(curl_as(&server, 65534, "alice", "guess", &body), 401, "a wrong password");
    }
    assert_eq!(
        curl_as(&server, 65534, "bob", "bobpw", &body),
        403,
        "uid 65534 is locked out, even with a right password"
    );
    // Another local user (uid 1) signs in as bob over loopback TCP as well.
    assert_eq!(
        curl_as(&server, 1, "bob", "bobpw", &body),
        200,
        "another local user is not locked out"
    );
}

// ---------------------------------------------------------------------------------------
// Connection limits.

/// Opens `n` connections from the LAN and keeps them idle.
fn idle_connections(lan: &Lan, server: &LanServer, n: usize) -> Vec<std::net::TcpStream> {
    let addr = server.lan_addr();
    lan.run(move || (0..n).map(|_| std::net::TcpStream::connect(addr).expect("connect")).collect())
}

/// Sends CUPS-Get-Printers from the LAN on `n` new connections, one after the other; how many
/// were answered (the others were refused: closed unanswered by cupsd, answered `503 Service
/// Unavailable` with `Retry-After` by quired).
fn answered_from_lan(lan: &Lan, server: &LanServer, n: usize) -> usize {
    let kind = server.kind();
    let addr = server.lan_addr();
    let request = quire_tests::http::ipp_post_bytes_to(
        &addr.to_string(),
        "/",
        None,
        &get_printers().encode(),
    );
    lan.run(move || {
        (0..n)
            .filter(|_| {
                match quire_tests::http::exchange_at(
                    addr,
                    &request,
                    false,
                    std::time::Duration::from_secs(30),
                ) {
                    Ok(resp) if resp.status == 503 => {
                        assert_eq!(
                            kind,
                            ServerKind::Quired,
                            "cupsd closes, it does not answer 503"
                        );
                        assert!(resp.header("retry-after").is_some(), "503 says when to retry");
                        false
                    }
                    Ok(_) => true,
                    Err(quire_tests::http::NoResponse::Closed(_)) => {
                        assert_eq!(kind, ServerKind::Cupsd, "quired answers a refusal with 503");
                        false
                    }
                    Err(e) => panic!("neither answered nor closed: {e:?}"),
                }
            })
            .count()
    })
}

/// `lpstat -p lanq` from this host gets its answer (`lpstat -r` would not do: it only
/// connects, and a connection the server closes unanswered connects too).
fn local_client_is_served(server: &LanServer, via: quire_tests::Via) -> bool {
    let out = quire_tests::cups_tool(server, via, "lpstat", &["-p", "lanq"]).expect("lpstat");
    let served = out.rc == 0 && out.stdout.contains("printer lanq");
    if !served {
        eprintln!("{} via {via:?}: {}", server.name(), out.text());
    }
    served
}

/// MaxClientsPerHost: a host with that many connections open gets no more, and the refusals
/// are logged once, not once each (cupsd: one "Possible DoS attack" line a minute).
#[test]
fn a_flooding_host_is_held_to_max_clients_per_host_and_logged_once() {
    let Some(lan) = Lan::or_skip() else { return };
    let opts = StockOptions {
        cupsd_extra: "MaxClients 20\nMaxClientsPerHost 5\nLogLevel warn\n".into(),
        ..Default::default()
    };
    for server in LanServer::both(&lan, &opts) {
        let name = server.name();
        add_queue(&server, "lanq");
        let held = idle_connections(&lan, &server, 5);
        let before = log_lines(&server).len();
        assert_eq!(
            answered_from_lan(&lan, &server, 200),
            0,
            "{name}: a sixth connection from the host is refused"
        );
        let written = log_lines(&server).split_off(before);
        assert!(
            written.len() <= 3,
            "{name}: 200 refusals write at most a few lines:\n{}",
            written.join("\n")
        );
        assert!(
            written.iter().any(|l| l.contains("Possible DoS attack")),
            "{name}: the refusals are logged:\n{}",
            written.join("\n")
        );
        assert!(
            local_client_is_served(&server, quire_tests::Via::Tcp),
            "{name}: a local client is served"
        );
        drop(held);
    }
}

/// Remote clients cannot take the connections kept for local ones: with MaxClients
/// connections open from the LAN, root on the socket and a local client on loopback are still
/// served, and some 200 refused connections write at most a few lines to the log. Quire only:
/// cupsd stops accepting on every listener once MaxClients are open, its socket included.
#[test]
fn a_remote_flood_leaves_room_for_local_clients() {
    let Some(lan) = Lan::or_skip() else { return };
    let opts =
        StockOptions { cupsd_extra: "MaxClients 20\nLogLevel warn\n".into(), ..Default::default() };
    let server = LanServer::started(ServerKind::Quired, &lan, &opts);
    add_queue(&server, "lanq");
    // Counted from here: the last 4 of these 20 are refused already.
    let before = log_lines(&server).len();
    let held = idle_connections(&lan, &server, 20);
    assert_eq!(answered_from_lan(&lan, &server, 1), 0, "one more remote connection is refused");
    for via in [quire_tests::Via::Socket, quire_tests::Via::Tcp] {
        assert!(local_client_is_served(&server, via), "{via:?}: a local client is served");
    }
    assert_eq!(answered_from_lan(&lan, &server, 200), 0, "the flood is refused");
    let written = log_lines(&server).split_off(before);
    assert!(written.len() <= 3, "205 refusals write at most a few lines:\n{}", written.join("\n"));
    assert!(
        written.iter().any(|l| l.contains("Too many connections")),
        "the refusals are logged:\n{}",
        written.join("\n")
    );
    drop(held);
}
