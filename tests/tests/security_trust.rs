//! Issue 21, trust: what a device says about itself is a claim, not a fact. A printer takes a
//! share of another printer's jobs only on security facts an administrator confirmed; the
//! queue a local user makes for a discovered printer is temporary and local-only; credentials
//! in a device URI are never shown; device text is cleaned before it is published. Clients
//! are remote (a network namespace) under Debian's stock cupsd.conf with sharing on, and each
//! test runs against cupsd 2.4 too where cupsd has the feature.

use std::path::Path;
use std::time::Duration;

use quire_client::{Client, Destination};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};
use quire_tests::cli::parse_request_id;
use quire_tests::http::{exchange_at, HttpResponse};
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::process::wait_until;
use quire_tests::simulated_printer::write_marked_pdf;
use quire_tests::{cups_tool, ServerKind, Sim, SimOptions, Via};

/// An IPP request from a local client: the server's Unix socket, as root.
fn local(server: &LanServer, req: &Message) -> Message {
    let mut c =
        Client::connect(Destination::Unix(server.socket_path())).expect("connect to the socket");
    c.send("/", req, None).expect("IPP over the socket")
}

/// An IPP request from the remote host: the HTTP status and the IPP answer.
fn remote(lan: &Lan, server: &LanServer, req: &Message) -> (u16, Option<Message>) {
    let r = lan.ipp(server, "/", None, req, b"");
    (r.status, r.ipp().map(|(m, _)| m))
}

/// `GET path` from the remote host.
fn remote_get(lan: &Lan, server: &LanServer, path: &str) -> HttpResponse {
    let addr = server.lan_addr();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes();
    lan.run(move || exchange_at(addr, &request, false, Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("GET {path}: {e:?}"))
}

fn lpadmin(server: &LanServer, args: &[&str]) {
    let out = cups_tool(server, Via::Socket, "lpadmin", args).expect("lpadmin");
    assert_eq!(out.rc, 0, "{}: lpadmin {args:?}: {}", server.name(), out.text());
}

fn printer_attributes(queue_uri: &str, names: &[&str]) -> Message {
    let mut req =
        quire_client::request_as(Operation::GetPrinterAttributes, Some(queue_uri), "mallory");
    req.group_mut(DelimiterTag::Operation).push(Attribute::set(
        "requested-attributes",
        names.iter().map(|n| Value::Keyword(n.to_string())).collect(),
    ));
    req
}

fn printer_str(m: &Message, name: &str) -> Option<String> {
    m.attr(DelimiterTag::Printer, name).and_then(|a| a.first_str()).map(str::to_string)
}

/// `quire-security-confirmed=true` on `queue` as an administrator (root on the socket):
/// the administrator vouches for what the device claims.
fn confirm(server: &LanServer, queue: &str) {
    let mut req = quire_client::request_as(
        Operation::CupsAddModifyPrinter,
        Some(&server.printer_uri(queue)),
        "root",
    );
    let mut g = Group::new(DelimiterTag::Printer);
    g.push(Attribute::new(v::SECURITY_CONFIRMED, Value::Boolean(true)));
    req.push_group(g);
    let resp = local(server, &req);
    assert!(
        resp.code < 0x0100,
        "confirming {queue}: {:#06x} {:?}",
        resp.code,
        resp.operation_attr("status-message")
    );
}

fn job(server: &LanServer, id: i32) -> Message {
    let mut req =
        quire_client::request_as(Operation::GetJobAttributes, Some(&server.uri_base()), "root");
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(Attribute::set("requested-attributes", vec![Value::Keyword("all".into())]));
    local(server, &req)
}

fn job_str(m: &Message, name: &str) -> String {
    m.attr(DelimiterTag::Job, name)
        .map(|a| a.strs().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn wait_job(
    server: &LanServer,
    id: i32,
    what: &str,
    secs: u64,
    done: impl Fn(&Message) -> bool,
) -> Message {
    let ok = wait_until(Duration::from_secs(secs), || done(&job(server, id)));
    let m = job(server, id);
    assert!(ok, "job {id} never {what}: {:?}\n{}", m.groups, server.log_tail(40));
    m
}

fn completed(m: &Message) -> bool {
    m.attr(DelimiterTag::Job, "job-state").and_then(|a| a.first_i32()) == Some(9)
}

/// `lp` from the remote host; the job id.
fn remote_lp(lan: &Lan, server: &LanServer, args: &[&str]) -> i32 {
    let out = lan.cups_tool(server, "lp", args);
    assert_eq!(out.rc, 0, "remote lp {args:?}: {}", out.text());
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
        as i32
}

fn pdf(dir: &Path, tag: &str, pages: u32) -> String {
    let path = dir.join(format!("{tag}.pdf"));
    write_marked_pdf(&path, tag, pages).expect("write PDF");
    path.to_string_lossy().into_owned()
}

fn pages(sim: &Sim) -> usize {
    sim.page_log().expect("page log").len()
}

fn create_local_printer(name: &str, device: &str) -> Message {
    let mut req = quire_client::request_as(
        Operation::CupsCreateLocalPrinter,
        Some("ipp://localhost/"),
        "mallory",
    );
    let mut g = Group::new(DelimiterTag::Printer);
    g.push(Attribute::new("printer-name", Value::Name(name.into())));
    g.push(Attribute::new("device-uri", Value::Uri(device.into())));
    req.push_group(g);
    req
}

/// CUPS-Create-Local-Printer is for local users (cupsd: "Only local users can create a local
/// printer."): from another host it is refused with client-error-forbidden and creates
/// nothing. A local user's queue is temporary: `printer-is-temporary`, not shared, and gone
/// after a restart.
#[test]
fn only_local_users_create_local_printers_and_their_queues_are_temporary() {
    let Some(lan) = Lan::or_skip() else { return };
    let device = SimOptions::new().name("nearby").start().expect("quire-sim");
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let mut server = LanServer::started(kind, &lan, &StockOptions::default());
        let name = server.name();
        let (status, resp) = remote(&lan, &server, &create_local_printer("rogue", &device.uri()));
        let resp = resp.unwrap_or_else(|| panic!("{name}: no IPP answer (HTTP {status})"));
        assert_eq!(
            (status, resp.code),
            (200, 0x0401),
            "{name}: a remote CUPS-Create-Local-Printer is client-error-forbidden: {:?}",
            resp.operation_attr("status-message")
        );
        let gone =
            local(&server, &printer_attributes(&server.printer_uri("rogue"), &["printer-name"]));
        assert_eq!(gone.code, 0x0406, "{name}: the refused request created no queue");

        let made = local(&server, &create_local_printer("nearby", &device.uri()));
        assert!(
            made.code < 0x0100,
            "{name}: a local user may: {:#06x} {:?}",
            made.code,
            made.operation_attr("status-message")
        );
        let attrs = local(
            &server,
            &printer_attributes(
                &server.printer_uri("nearby"),
                &["printer-is-temporary", "printer-is-shared"],
            ),
        );
        let flag = |n: &str| attrs.attr(DelimiterTag::Printer, n).and_then(|a| a.first_bool());
        assert_eq!(
            (flag("printer-is-temporary"), flag("printer-is-shared")),
            (Some(true), Some(false)),
            "{name}: {:?}",
            attrs.groups
        );

        server.kill9_and_restart().expect("restart");
        let after =
            local(&server, &printer_attributes(&server.printer_uri("nearby"), &["printer-name"]));
        assert_eq!(after.code, 0x0406, "{name}: a temporary queue is not saved");
    }
}

/// quired and a confirmed PIN printer `office`; `rogue` is the attacker's IPP server, added
/// by an administrator with `-m everywhere`, claiming biometric release, encryption and
/// erasing (level 5).
fn office_and_rogue(lan: &Lan, office: SimOptions) -> (LanServer, Sim, Sim) {
    let server = LanServer::started(ServerKind::Quired, lan, &StockOptions::default());
    let office = office.name("office").auth("pin").start().expect("quire-sim office");
    let rogue = SimOptions::new()
        .name("rogue")
        .ppm(6000)
        .auth("biometric")
        .encrypts(true)
        .erases_storage(true)
        .start()
        .expect("quire-sim rogue");
    for (queue, sim) in [("office", &office), ("rogue", &rogue)] {
        lpadmin(&server, &["-p", queue, "-E", "-v", &sim.uri(), "-m", "everywhere"]);
    }
    confirm(&server, "office");
    (server, office, rogue)
}

/// Splitting is a Quire extension (cupsd has none), so quired only. A device's claim to be
/// level 5 does not earn it copies of a user's job: only an administrator's confirmation does.
#[test]
fn a_device_claiming_level_5_gets_no_copies_until_an_administrator_confirms_it() {
    let Some(lan) = Lan::or_skip() else { return };
    let (server, office, rogue) = office_and_rogue(&lan, SimOptions::new().ppm(6000));
    let dir = tempfile::tempdir().expect("tempdir");
    let id = remote_lp(
        &lan,
        &server,
        &["-d", "office", "-n", "40", "-o", "quire-split=auto", &pdf(dir.path(), "payroll", 1)],
    );
    let m = wait_job(&server, id, "completed", 120, completed);
    assert_eq!(pages(&rogue), 0, "the unconfirmed printer printed nothing of the user's job");
    assert_eq!(pages(&office), 40, "every copy printed on the printer the user chose");
    let message = job_str(&m, "job-state-message");
    assert!(
        message.contains("\"rogue\"") && message.contains("not confirmed by an administrator"),
        "the user is told why: {message}"
    );
    let source = printer_str(
        &local(&server, &printer_attributes(&server.printer_uri("rogue"), &[v::SECURITY_SOURCE])),
        v::SECURITY_SOURCE,
    );
    assert_eq!(source.as_deref(), Some("unconfirmed"), "the device's facts are only a claim");

    // Once an administrator vouches for the device, it takes part.
    confirm(&server, "rogue");
    let id = remote_lp(
        &lan,
        &server,
        &["-d", "office", "-n", "40", "-o", "quire-split=auto", &pdf(dir.path(), "memo", 1)],
    );
    wait_job(&server, id, "completed", 120, completed);
    assert!(pages(&rogue) > 0, "a confirmed printer takes its share");
    assert_eq!(pages(&office) + pages(&rogue), 80, "every copy of both jobs exactly once");
}

/// Failover is a Quire extension, so quired only. When the chosen printer runs out of paper
/// the rest of the job does not move to a printer whose facts nobody confirmed; it moves once
/// an administrator confirms them.
#[test]
fn an_unconfirmed_device_is_no_failover_target_until_an_administrator_confirms_it() {
    let Some(lan) = Lan::or_skip() else { return };
    let (server, office, rogue) =
        office_and_rogue(&lan, SimOptions::new().ppm(600).media_empty_after(2));
    let mut req = quire_client::request_as(
        Operation::CupsAddModifyPrinter,
        Some(&server.printer_uri("office")),
        "root",
    );
    let mut g = Group::new(DelimiterTag::Printer);
    g.push(Attribute::new(v::FAILOVER_DEFAULT, Value::Keyword("auto".into())));
    g.push(Attribute::new(v::FAILOVER_GRACE_TIME, Value::Integer(1)));
    req.push_group(g);
    assert!(local(&server, &req).code < 0x0100, "failover policy set");
    let dir = tempfile::tempdir().expect("tempdir");

    let id = remote_lp(&lan, &server, &["-d", "office", &pdf(dir.path(), "ledger", 6)]);
    let m = wait_job(&server, id, "waited for a qualifying printer", 60, |m| {
        job_str(m, v::FAILOVER_STATE) == "no-qualified-printer"
    });
    assert!(
        job_str(&m, "job-state-message").contains("not confirmed by an administrator"),
        "{}",
        job_str(&m, "job-state-message")
    );
    assert_eq!(pages(&rogue), 0, "nothing moved to the unconfirmed printer");

    confirm(&server, "rogue");
    wait_job(&server, id, "completed on the confirmed printer", 120, completed);
    assert_eq!(pages(&office), 2, "office printed until its paper ran out");
    assert_eq!(pages(&rogue), 4, "the rest printed on the printer the administrator confirmed");
}

/// cupsd shows `device-uri` without its user information (`user:password@` or `user@`); the
/// backend still gets the whole URI. Checked over IPP and lpstat, remote and local, on both
/// servers; on quired also the status page, the error log (a job runs) and the audit log.
#[test]
fn credentials_in_a_device_uri_are_never_shown() {
    let Some(lan) = Lan::or_skip() else { return };
    let shown = "ipps://127.0.0.1:9/ipp/print";
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        // The audit log is a Quire directive (cupsd refuses unknown ones in cups-files.conf).
        let files_extra = if kind == ServerKind::Quired {
            "AuditLog audit_log\n".to_string()
        } else {
            String::new()
        };
        let server =
            LanServer::started(kind, &lan, &StockOptions { files_extra, ..Default::default() });
        let name = server.name();
        lpadmin(&server, &["-p", "vault", "-E", "-v", "ipps://alice:s3cret@127.0.0.1:9/ipp/print"]);
        lpadmin(&server, &["-p", "badge", "-E", "-v", "ipps://alice@127.0.0.1:9/ipp/print"]);
        let leaks = |what: &str, bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("s3cret") && !text.contains("alice"),
                "{name}: {what} shows the device URI's credentials:\n{text}"
            );
        };
        for queue in ["vault", "badge"] {
            let req = printer_attributes(&server.lan_printer_uri(queue), &["all"]);
            let (status, resp) = remote(&lan, &server, &req);
            let resp = resp.unwrap_or_else(|| panic!("{name}: no IPP answer (HTTP {status})"));
            assert_eq!(printer_str(&resp, "device-uri").as_deref(), Some(shown), "{name}: {queue}");
            leaks("Get-Printer-Attributes", &resp.encode());
        }
        let all = quire_client::request_as(Operation::CupsGetPrinters, None, "mallory");
        let (_, resp) = remote(&lan, &server, &all);
        leaks("a remote CUPS-Get-Printers", &resp.expect("CUPS-Get-Printers").encode());
        leaks("a local CUPS-Get-Printers", &local(&server, &all).encode());
        let out = lan.cups_tool(&server, "lpstat", &["-v"]);
        assert!(
            out.rc == 0 && out.stdout.contains(shown),
            "{name}: remote lpstat -v: {}",
            out.text()
        );
        leaks("remote lpstat -v", out.stdout.as_bytes());
        let out = cups_tool(&server, Via::Socket, "lpstat", &["-v"]).expect("lpstat");
        leaks("local lpstat -v", out.stdout.as_bytes());
        if kind == ServerKind::Quired {
            quired_pages_and_logs_hide_credentials(&lan, &server, &leaks);
        }
    }
}

/// The status page, and what a job's run leaves in the logs and on the queue (the device is
/// not there: the backend reports it offline).
fn quired_pages_and_logs_hide_credentials(
    lan: &Lan,
    server: &LanServer,
    leaks: &dyn Fn(&str, &[u8]),
) {
    for path in ["/", "/printers/"] {
        let page = remote_get(lan, server, path);
        assert_eq!(page.status, 200, "GET {path}");
        assert!(
            String::from_utf8_lossy(&page.body).contains("ipps://127.0.0.1:9/ipp/print"),
            "GET {path} shows the device"
        );
        leaks(&format!("GET {path}"), &page.body);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let id = remote_lp(lan, server, &["-d", "vault", &pdf(dir.path(), "x", 1)]);
    let log = || std::fs::read_to_string(server.error_log()).unwrap_or_default();
    assert!(
        wait_until(Duration::from_secs(30), || log()
            .contains(&format!("[Job {id}] printing on vault"))),
        "the job started:\n{}",
        log()
    );
    let offline = || {
        let m = local(
            server,
            &printer_attributes(&server.printer_uri("vault"), &["printer-state-reasons"]),
        );
        m.attr(DelimiterTag::Printer, "printer-state-reasons")
            .is_some_and(|a| a.strs().any(|r| r == "offline-report"))
    };
    assert!(
        wait_until(Duration::from_secs(30), offline),
        "the backend reported the device offline:\n{}",
        server.log_tail(20)
    );
    leaks(
        "Get-Printer-Attributes while the job waits",
        &local(server, &printer_attributes(&server.printer_uri("vault"), &["all"])).encode(),
    );
    leaks("Get-Job-Attributes", &job(server, id).encode());
    leaks("the error log", log().as_bytes());
    let audit = std::fs::read_to_string(server.dir().join("etc/audit_log")).expect("the audit log");
    assert!(
        audit.contains("CUPS-Add-Modify-Printer"),
        "the audit log has the lpadmin requests:\n{audit}"
    );
    leaks("the audit log", audit.as_bytes());
}

/// A device's `printer-make-and-model` with a line break and a PPD keyword after it (the
/// 2024 cups-browsed chain: `*FoomaticRIPCommandLine`) reaches neither IPP clients nor the
/// generated PPD. cupsd (Debian's fix for CVE-2024-47175) and quired cut it at the first
/// control character.
#[test]
fn device_text_with_line_breaks_is_not_published_verbatim() {
    let Some(lan) = Lan::or_skip() else { return };
    let hostile = "Evil 1000\n*FoomaticRIPCommandLine: \"touch /tmp/quire-pwned\"\n*cupsFilter2: \"application/pdf application/vnd.cups-postscript 0 foomatic-rip\"";
    let device = SimOptions::new().name("evil").make_and_model(hostile).start().expect("quire-sim");
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let server = LanServer::started(kind, &lan, &StockOptions::default());
        let name = server.name();
        lpadmin(&server, &["-p", "evil", "-E", "-v", &device.uri(), "-m", "everywhere"]);
        let model = || {
            let (status, resp) = remote(
                &lan,
                &server,
                &printer_attributes(&server.lan_printer_uri("evil"), &["printer-make-and-model"]),
            );
            let resp = resp.unwrap_or_else(|| panic!("{name}: no IPP answer (HTTP {status})"));
            printer_str(&resp, "printer-make-and-model").unwrap_or_default()
        };
        // cupsd builds the queue's PPD from the device in the background after lpadmin returns.
        wait_until(Duration::from_secs(30), || model() != "Local Raw Printer");
        let model = model();
        // cupsd keeps "Evil" as the make and calls the model "Printer"; quired keeps the text
        // up to the line break.
        assert!(
            model.contains("Evil") || model.starts_with("Printer"),
            "{name}: the model is kept up to the line break: {model:?}"
        );
        assert!(
            !model.contains(['\n', '\r']) && !model.contains("Foomatic"),
            "{name}: printer-make-and-model {model:?}"
        );
        let ppd = remote_get(&lan, &server, "/printers/evil.ppd");
        assert_eq!(ppd.status, 200, "{name}: GET /printers/evil.ppd");
        let text = String::from_utf8_lossy(&ppd.body);
        assert!(text.starts_with("*PPD-Adobe"), "{name}: a PPD: {text}");
        assert!(
            !text.contains("FoomaticRIPCommandLine") && !text.contains("foomatic-rip"),
            "{name}: the device's text reached the PPD:\n{text}"
        );
    }
}
