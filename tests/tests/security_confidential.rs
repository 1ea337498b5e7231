//! Issue 21, "authorize before side effects" and confidential jobs, as a client on another
//! host meets them: Debian's stock cupsd.conf with printer sharing on (`Allow @LOCAL`), IPP
//! from a network namespace. Where cupsd has the behaviour (the policy refuses
//! CUPS-Add-Modify-Printer before the device is contacted; Move-Job and Cancel-My-Jobs of
//! another's job), the same assertions run against cupsd. Confidential jobs, PINs, the audit
//! log, device answers taken by Quire and pull printing are Quire's own (cupsd holds no
//! confidential jobs, ignores `job-password` and has no Print-URI): those parts run against
//! quired only, with PAM users from pam_wrapper.

#[path = "security_confidential/support.rs"]
mod support;

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::confidential::{lp, HELD};
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::process::wait_until;
use quire_tests::ServerKind;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::Duration;
use support::*;

/// CUPS-Add-Modify-Printer `ppd-name=everywhere` (and CUPS-Create-Local-Printer,
/// CUPS-Get-Devices) from an anonymous LAN client is refused by the policy before the
/// server connects to the device the request names: the listener standing in for it sees
/// no connection, on cupsd as on quired.
#[test]
fn the_device_is_not_contacted_before_the_policy_allows_it() {
    let Some(lan) = Lan::or_skip() else { return };
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let server = LanServer::started(kind, &lan, &StockOptions::default());
        let name = server.name();
        let device = TcpListener::bind("127.0.0.1:0").expect("bind the device");
        device.set_nonblocking(true).expect("nonblocking");
        let device_uri =
            format!("ipp://127.0.0.1:{}/ipp/print", device.local_addr().expect("addr").port());
        let add = add_everywhere(&server.lan_printer_uri("evil"), &device_uri, "mallory");
        let r = lan.ipp(&server, "/", None, &add, b"");
        // 401 (cupsd asks for a password; 426 where TLS must come first): refused unproven.
        assert!(
            matches!(r.status, 401 | 426),
            "{name}: CUPS-Add-Modify-Printer answered HTTP {}",
            r.status
        );
        let mut local = quire_client::request_as(
            Operation::CupsCreateLocalPrinter,
            Some(&format!("ipp://{}/", server.lan_addr())),
            "mallory",
        );
        let g = local.group_mut(DelimiterTag::Printer);
        g.push(Attribute::new("printer-name", Value::Name("evil2".into())));
        g.push(Attribute::new("device-uri", Value::Uri(device_uri.clone())));
        let r = lan.ipp(&server, "/", None, &local, b"");
        assert_eq!(
            ipp_code(&r),
            Some(0x0401),
            "{name}: only local users create a local printer (HTTP {}: {})",
            r.status,
            status_text(&r)
        );
        let devices = quire_client::request_as(Operation::CupsGetDevices, None, "mallory");
        let r = lan.ipp(&server, "/", None, &devices, b"");
        assert!(
            matches!(r.status, 401 | 426),
            "{name}: CUPS-Get-Devices answered HTTP {}",
            r.status
        );
        match device.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => panic!("{name} connected to the device for a refused request: {other:?}"),
        }
    }
}

/// An administrator (password over TLS) still adds an IPP Everywhere queue; a device that
/// answers Get-Printer-Attributes without end is cut off at the reply cap with a clear
/// message, and 20 such answers leave quired's memory bounded by the cap, not the answers.
/// Quire only: cupsd builds an everywhere PPD in a background job with its own limits.
#[test]
fn an_admin_adds_an_everywhere_queue_and_a_huge_device_answer_is_cut_off() {
    let Some(lan) = Lan::or_skip() else { return };
    // Logins in flight count towards MaxAuthFailures: room for 20 at once.
    let Some((server, _pam)) = quired_with_pam(&lan, "MaxAuthFailures 100\n", "") else { return };
    let good = FakeDevice::start(Answer::Printer("Acme Laser 9000"));
    let resp = remote_tls(
        &lan,
        &server,
        ROOT,
        &add_everywhere(&server.lan_printer_uri("acme"), &good.uri(), "root"),
    )
    .expect("an IPP answer");
    assert_eq!(resp.code, 0, "the admin's request works: {:?}", status_message(&resp));
    let attrs = local_ipp(&server, &printer_request(&server, "acme"));
    let model = attrs
        .attr(DelimiterTag::Printer, "printer-make-and-model")
        .and_then(|a| a.first_str())
        .map(str::to_string);
    assert_eq!(model.as_deref(), Some("Acme Laser 9000 - IPP Everywhere"));
    assert_eq!(good.requests(), 1, "queried once, after the admin was admitted");

    let huge = FakeDevice::start(Answer::Endless);
    let pid = server.pid().expect("quired pid");
    let add = add_everywhere(&server.lan_printer_uri("huge"), &huge.uri(), "root");
    let first = remote_tls(&lan, &server, ROOT, &add).expect("an IPP answer");
    assert_eq!(first.code, 0x0404, "client-error-not-possible");
    let msg = status_message(&first).unwrap_or_default();
    assert!(
        msg.contains("Unable to query printer \"huge\"")
            && msg.contains(&format!("larger than the limit of {CAP} bytes")),
        "{msg}"
    );
    // 20 at once: each may hold up to the cap of answer while it reads, no more.
    let before = vm_rss(pid);
    reset_peak_rss(pid);
    let codes = remote_tls_many(&lan, &server, ROOT, &add, 20);
    assert_eq!(codes, vec![Ok(0x0404); 20]);
    let peak = peak_rss(pid);
    let after = vm_rss(pid);
    assert_eq!(huge.requests(), 21);
    // The answers' bytes at the peak are at most 20 caps; the rest is 20 TLS connections,
    // their PAM checks and threads. Before the cap (64 MiB a reply) 20 such requests took
    // quired from 25 to 443 MiB.
    const SLACK: u64 = 32 << 20;
    assert!(
        peak.saturating_sub(before) <= 20 * CAP as u64 + SLACK,
        "VmRSS {before}, peak {peak} bytes"
    );
    assert!(
        after.saturating_sub(before) <= 20 * CAP as u64 + SLACK,
        "VmRSS {before} -> {after} bytes"
    );
    let left = local_ipp(&server, &printer_request(&server, "huge"));
    assert_eq!(left.code, 0x0406, "no queue was made from a device that could not be read");
}

/// Every operation that changes a confidential job needs its owner proven (or a proven
/// administrator): a claimed `requesting-user-name` gets 401 and changes nothing. A proven
/// owner may move the job only to a printer that qualifies against its own. Moving another
/// user's job is refused on cupsd and quired alike.
#[test]
fn confidential_jobs_need_a_proven_owner_for_every_change() {
    let Some(lan) = Lan::or_skip() else { return };
    // As cupsd: an anonymous client may not move someone else's (plain) job.
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let server = LanServer::started(kind, &lan, &StockOptions::default());
        add_queue(&server, "office");
        add_queue(&server, "weak");
        let doc = text_file(&server);
        let plain = lp(&server, &["-d", "office", "-U", "alice", "-H", "hold", &doc]);
        let r = lan.ipp(&server, "/", None, &move_job(&server, plain, "mallory", "weak"), b"");
        assert!(
            matches!(r.status, 401 | 426),
            "{}: mallory moved alice's job: HTTP {} {:?}",
            server.name(),
            r.status,
            ipp_code(&r)
        );
        assert_eq!(job_printer(&server, plain), "office");
    }
    let Some((server, _pam)) = quired_with_pam(&lan, "", "") else { return };
    for q in ["office", "vault", "weak"] {
        add_queue(&server, q);
    }
    // office and vault encrypt and erase; weak does neither: it does not qualify for office.
    for q in ["office", "vault"] {
        set_printer(
            &server,
            q,
            vec![
                Attribute::new("quire-encrypts-job-data", Value::Boolean(true)),
                Attribute::new("quire-erases-storage", Value::Boolean(true)),
            ],
        );
    }
    let doc = text_file(&server);
    let id = lp(&server, &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &doc]);
    let pin_job = lp(&server, &["-d", "office", "-U", "alice", "-o", "job-password=4321", &doc]);
    let uri = server.lan_printer_uri("office");
    let job = |op: Operation, extra: Vec<Attribute>| {
        let mut m = quire_client::request_as(op, Some(&uri), "alice");
        m.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
        m.group_mut(DelimiterTag::Operation).attributes.extend(extra);
        m
    };
    let doc1 = || vec![Attribute::new("document-number", Value::Integer(1))];
    let mut set_doc = job(Operation::SetDocumentAttributes, doc1());
    set_doc
        .group_mut(DelimiterTag::Document)
        .push(Attribute::new("document-name", Value::Name("renamed".into())));
    let mut set_job = job(Operation::SetJobAttributes, vec![]);
    set_job.group_mut(DelimiterTag::Job).push(Attribute::new("job-priority", Value::Integer(80)));
    let mut move_all = quire_client::request_as(Operation::CupsMoveJob, Some(&uri), "alice");
    move_all
        .group_mut(DelimiterTag::Job)
        .push(Attribute::new("job-printer-uri", Value::Uri(server.lan_printer_uri("vault"))));
    let claimed: Vec<(&str, Message)> = vec![
        ("CUPS-Move-Job", move_job(&server, id, "alice", "vault")),
        ("CUPS-Move-Job (all jobs of office)", move_all),
        ("Set-Job-Attributes", set_job),
        ("Set-Document-Attributes", set_doc),
        ("Cancel-Document", job(Operation::CancelDocument, doc1())),
        ("Hold-Job", job(Operation::HoldJob, vec![])),
        ("Restart-Job", job(Operation::RestartJob, vec![])),
        ("Resume-Job", job(Operation::ResumeJob, vec![])),
        ("Close-Job", job(Operation::CloseJob, vec![])),
        ("Cancel-Job", job(Operation::CancelJob, vec![])),
        ("Cancel-My-Jobs", quire_client::request_as(Operation::CancelMyJobs, Some(&uri), "alice")),
    ];
    for (what, msg) in &claimed {
        let r = lan.ipp(&server, "/", None, msg, b"");
        assert!(
            matches!(r.status, 401 | 426),
            "{what} by a claimed owner: HTTP {} {:?}",
            r.status,
            ipp_code(&r)
        );
    }
    let after = local_ipp(&server, &job_request(&server, id));
    let j = |n: &str| after.attr(DelimiterTag::Job, n).cloned();
    assert_eq!(j("job-state").and_then(|a| a.first_i32()), Some(HELD));
    assert_eq!(j("job-priority").and_then(|a| a.first_i32()), Some(50));
    assert_eq!(job_printer(&server, id), "office");
    assert_eq!(
        document_name(&server, id).as_deref(),
        Some("secret.txt"),
        "the document kept its name"
    );
    // The PIN lets its holder release a PIN job (PWG 5100.11), nothing else.
    let r = lan.ipp(
        &server,
        "/",
        None,
        &with(move_job(&server, pin_job, "alice", "vault"), pin("4321")),
        b"",
    );
    assert!(matches!(r.status, 401 | 426), "a PIN does not move its job: HTTP {}", r.status);
    // alice, proven by her password: not to a printer that does not qualify; to one that does.
    let weak = remote_tls(&lan, &server, ALICE, &move_job(&server, id, "alice", "weak"))
        .expect("an IPP answer");
    assert_eq!(weak.code, 0x0404, "{:?}", status_message(&weak));
    assert!(
        status_message(&weak).unwrap_or_default().contains("does not qualify"),
        "{:?}",
        status_message(&weak)
    );
    assert_eq!(job_printer(&server, id), "office");
    let vault = remote_tls(&lan, &server, ALICE, &move_job(&server, id, "alice", "vault"))
        .expect("an IPP answer");
    assert_eq!(vault.code, 0, "{:?}", status_message(&vault));
    assert_eq!(job_printer(&server, id), "vault");
}

/// Cancel-My-Jobs on a claimed name: cupsd checks it with no owner, so under the stock
/// policy a client that only claims "alice" cancels nothing (and is asked to prove who it
/// is), on cupsd and quired alike. Where an administrator's policy does let claimed names
/// cancel their own jobs, a confidential job among them still needs alice proven, as for
/// Cancel-Job: all or nothing (quired only: confidential jobs are Quire's).
#[test]
fn cancel_my_jobs_needs_a_proven_owner_for_confidential_jobs() {
    let Some(lan) = Lan::or_skip() else { return };
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let server = LanServer::started(kind, &lan, &StockOptions::default());
        add_queue(&server, "office");
        let doc = text_file(&server);
        let plain = lp(&server, &["-d", "office", "-U", "alice", "-H", "hold", &doc]);
        let mine = quire_client::request_as(
            Operation::CancelMyJobs,
            Some(&server.lan_printer_uri("office")),
            "alice",
        );
        let r = lan.ipp(&server, "/", None, &mine, b"");
        assert!(
            matches!(r.status, 401 | 426),
            "{}: a claimed alice: HTTP {} {:?}",
            server.name(),
            r.status,
            ipp_code(&r)
        );
        assert_eq!(job_state(&server, plain), HELD, "{}: nothing canceled", server.name());
    }
    // A policy that lets anyone cancel "their" jobs by name (the admin's choice).
    let open = "<Policy open>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n";
    let Some((server, _pam)) = quired_with_pam(&lan, open, "") else { return };
    add_queue(&server, "office");
    let set = quire_tests::cups_tool(
        &server,
        quire_tests::Via::Tcp,
        "lpadmin",
        &["-p", "office", "-o", "printer-op-policy=open"],
    )
    .expect("lpadmin");
    assert_eq!(set.rc, 0, "{}", set.text());
    let doc = text_file(&server);
    let plain = lp(&server, &["-d", "office", "-U", "alice", "-H", "hold", &doc]);
    let secret =
        lp(&server, &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &doc]);
    let mine = quire_client::request_as(
        Operation::CancelMyJobs,
        Some(&server.lan_printer_uri("office")),
        "alice",
    );
    let r = lan.ipp(&server, "/", None, &mine, b"");
    assert!(
        matches!(r.status, 401 | 426),
        "a claimed alice with a confidential job: HTTP {} {:?}",
        r.status,
        ipp_code(&r)
    );
    assert_eq!(
        (job_state(&server, plain), job_state(&server, secret)),
        (HELD, HELD),
        "nothing canceled"
    );
    let proven = remote_tls(&lan, &server, ALICE, &mine).expect("an IPP answer");
    assert_eq!(proven.code, 0, "{:?}", status_message(&proven));
    assert_eq!((job_state(&server, plain), job_state(&server, secret)), (CANCELED, CANCELED));
}

/// A PIN is hashed (PBKDF2) only for a request the policy lets through and for a job whose
/// PIN can still release it, off the scheduler task, at most PIN_ATTEMPTS times per client
/// per minute; each hash is one audit line, which is how this test counts them. Quire only
/// (cupsd ignores job-password).
#[test]
fn pins_are_hashed_only_after_the_policy_and_within_a_rate_limit() {
    let Some(lan) = Lan::or_skip() else { return };
    let Some((server, _pam)) = quired_with_pam(&lan, "", "") else { return };
    add_queue(&server, "office");
    add_queue(&server, "authq");
    let set = quire_tests::cups_tool(
        &server,
        quire_tests::Via::Tcp,
        "lpadmin",
        &["-p", "authq", "-o", "printer-op-policy=authenticated"],
    )
    .expect("lpadmin");
    assert_eq!(set.rc, 0, "{}", set.text());
    let doc = text_file(&server);
    let owner_job =
        lp(&server, &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &doc]);
    let pins: Vec<i32> = ["1111", "2222", "3333", "4444", "5555", "6666"]
        .iter()
        .map(|p| {
            lp(&server, &["-d", "office", "-U", "alice", "-o", &format!("job-password={p}"), &doc])
        })
        .collect();
    assert_eq!(audit_count(&server, "pin-set"), 6, "one hash per new PIN job");
    let release = |id: i32, p: &str| {
        lan.ipp(
            &server,
            "/",
            None,
            &with(job_op(&server, Operation::ReleaseJob, id, "mallory"), pin(p)),
            b"",
        )
    };
    // Refused by the policy (Create-Job on authq needs a password): no hash.
    let mut create = quire_client::request_as(
        Operation::CreateJob,
        Some(&server.lan_printer_uri("authq")),
        "mallory",
    );
    create.group_mut(DelimiterTag::Operation).attributes.extend(pin("9999"));
    assert!(matches!(lan.ipp(&server, "/", None, &create, b"").status, 401 | 426));
    // Not a PIN job: no hash.
    assert!(matches!(release(owner_job, "9999").status, 401 | 426));
    assert_eq!(audit_count(&server, "pin-"), 6, "no PIN work for requests the PIN cannot serve");
    // Five wrong PINs lock the job; then no PIN is hashed for it, right or wrong.
    for _ in 0..5 {
        assert_eq!(ipp_code(&release(pins[0], "0000")), Some(0x0403));
    }
    assert_eq!(audit_count(&server, "pin-wrong"), 5);
    for p in ["1111", "0000"] {
        let r = release(pins[0], p);
        assert_eq!(ipp_code(&r), Some(0x0403));
        assert!(status_text(&r).contains("locked"), "{}", status_text(&r));
    }
    assert_eq!(audit_count(&server, "pin-"), 11, "a locked job costs no hash");
    // The right PIN releases; the audit log names the PIN holder, not a user.
    assert_eq!(ipp_code(&release(pins[1], "2222")), Some(0));
    let audit = audit_log(&server);
    assert!(
        audit.contains(&format!(
            "pin-ok user=\"PIN holder for job {} (claimed: mallory)\"",
            pins[1]
        )),
        "{audit}"
    );
    assert!(audit.contains(&format!("allowed user=\"PIN holder for job {} (claimed: mallory)\" client={} Release-Job by job-password: successful-ok", pins[1], lan.remote_ip())), "{audit}");
    // This client has had 6 hashes. Up to PIN_ATTEMPTS (20) within the minute, then refused.
    let mut used = 6;
    'spend: for &id in &pins[2..] {
        for _ in 0..4 {
            if used == PIN_ATTEMPTS {
                break 'spend;
            }
            assert_eq!(ipp_code(&release(id, "0000")), Some(0x0403));
            used += 1;
        }
    }
    assert_eq!(used, PIN_ATTEMPTS, "enough jobs to spend the budget");
    let limited = release(pins[5], "6666");
    assert_eq!(
        ipp_code(&limited),
        Some(0x0401),
        "client-error-forbidden: {}",
        status_text(&limited)
    );
    assert!(
        status_text(&limited)
            .starts_with(&format!("Too many PIN attempts from {}", lan.remote_ip())),
        "{}",
        status_text(&limited)
    );
    assert_eq!(job_state(&server, pins[5]), HELD, "not released");
    assert_eq!(
        audit_count(&server, "pin-ok") + audit_count(&server, "pin-wrong"),
        1 + 5 + PIN_ATTEMPTS - 6,
        "no hash for the refused attempt"
    );
    assert_eq!(audit_count(&server, "pin-limited"), 1);
    // Another client (this host) is not limited by the LAN client's attempts.
    let local = quire_tests::confidential::ipp(
        &server,
        None,
        &with(job_op(&server, Operation::ReleaseJob, pins[5], "bob"), pin("6666")),
    )
    .1;
    assert_eq!(local.map(|m| m.code), Some(0), "released from another client");
}

/// Control characters in request data are escaped in every log line, so a newline in
/// `requesting-user-name` cannot forge an error_log or audit_log line; a PIN release is
/// logged as the PIN holder's, with the claimed name only quoted. Quire only: PIN releases
/// and the audit log are Quire's.
#[test]
fn log_lines_cannot_be_forged_and_name_the_pin_holder() {
    let Some(lan) = Lan::or_skip() else { return };
    let Some((server, _pam)) = quired_with_pam(&lan, "", "") else { return };
    add_queue(&server, "office");
    let doc = text_file(&server);
    let id = lp(&server, &["-d", "office", "-U", "alice", "-o", "job-password=4321", &doc]);
    let forger = "mallory\nE [forged] root logged in\u{1b}[2J\u{85}";
    let r = lan.ipp(
        &server,
        "/",
        None,
        &with(job_op(&server, Operation::ReleaseJob, id, forger), pin("4321")),
        b"",
    );
    assert_eq!(ipp_code(&r), Some(0), "released: {}", status_text(&r));
    let r = lan.ipp(&server, "/", None, &job_op(&server, Operation::CancelJob, id, forger), b"");
    assert!(matches!(r.status, 401 | 426 | 200), "HTTP {}", r.status);
    assert!(
        wait_until(Duration::from_secs(20), || job_state(&server, id) == COMPLETED),
        "the released job prints"
    );
    let escaped = "mallory\\nE [forged] root logged in\\u{1b}[2J\\u{85}";
    let error_log = std::fs::read(server.error_log()).expect("error_log");
    let audit = std::fs::read(server.dir().join("etc/audit_log")).expect("audit_log");
    for (name, bytes) in [("error_log", &error_log), ("audit_log", &audit)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.lines().any(|l| l.starts_with("E [forged]")),
            "{name} has a forged line:\n{text}"
        );
        let raw = text
            .chars()
            .find(|c| (c.is_control() && *c != '\n') || matches!(c, '\u{2028}' | '\u{2029}'));
        assert_eq!(raw, None, "{name} holds a raw control character");
    }
    let error_log = String::from_utf8_lossy(&error_log);
    // (The error log's formatter shows ESC as \x1b itself; the newline is the writer's.)
    assert!(error_log.contains(&format!("[Job {id}] confidential job released by the PIN holder (claimed: mallory\\nE [forged] root logged in")), "{error_log}");
    let audit = String::from_utf8_lossy(&audit);
    assert!(
        audit.contains(&format!("allowed user=\"PIN holder for job {id} (claimed: {escaped})\"")),
        "{audit}"
    );
}

/// A confidential Print-URI job whose document cannot be fetched ends with a
/// job-state-message that anyone may read: it gives the reason without the document's URI.
/// Quire only (cupsd has no Print-URI and no confidential jobs).
#[test]
fn a_confidential_print_uri_job_keeps_its_document_uri_private() {
    let Some(lan) = Lan::or_skip() else { return };
    let Some((server, _pam)) =
        quired_with_pam(&lan, "PullSchemes http\nPullHosts 127.0.0.1:*\n", "")
    else {
        return;
    };
    add_queue(&server, "office");
    let missing = FakeDevice::start(Answer::NotFound);
    let secret = format!("http://127.0.0.1:{}/payroll-2026-secret.pdf", missing.port());
    let mut submit = quire_client::request_as(
        Operation::PrintUri,
        Some(&server.lan_printer_uri("office")),
        "alice",
    );
    submit.group_mut(DelimiterTag::Operation).attributes.extend(
        [Attribute::new("document-uri", Value::Uri(secret))].into_iter().chain(pin("4321")),
    );
    let r = lan.ipp(&server, "/", None, &submit, b"");
    let (resp, _) = r.ipp().expect("an IPP answer");
    assert_eq!(resp.code, 0, "{:?}", status_message(&resp));
    let id = resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).expect("job-id");
    assert_eq!(
        ipp_code(&lan.ipp(
            &server,
            "/",
            None,
            &with(job_op(&server, Operation::ReleaseJob, id, "alice"), pin("4321")),
            b""
        )),
        Some(0)
    );
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, id) == ABORTED),
        "the fetch fails and the job aborts"
    );
    assert!(missing.requests() >= 1, "the document was asked for");
    let mut ask = job_op(&server, Operation::GetJobAttributes, id, "eve");
    ask.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("requested-attributes", Value::Keyword("all".into())));
    let (seen, _) = lan.ipp(&server, "/", None, &ask, b"").ipp().expect("an IPP answer");
    let message = seen
        .attr(DelimiterTag::Job, "job-state-message")
        .and_then(|a| a.first_str())
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("HTTP status 404"), "the reason is given: {message:?}");
    assert!(
        !message.contains("payroll") && !message.contains("127.0.0.1"),
        "the URI leaks: {message:?}"
    );
}

/// `Release-Job`-like request for job `id` on the office queue, as `user`.
fn job_op(server: &LanServer, op: Operation, id: i32, user: &str) -> Message {
    let mut m = quire_client::request_as(op, Some(&server.lan_printer_uri("office")), user);
    m.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
    m
}

/// CUPS-Move-Job of job `id` to `queue`, as `user`.
fn move_job(server: &LanServer, id: i32, user: &str, queue: &str) -> Message {
    let mut m = job_op(server, Operation::CupsMoveJob, id, user);
    m.group_mut(DelimiterTag::Job)
        .push(Attribute::new("job-printer-uri", Value::Uri(server.lan_printer_uri(queue))));
    m
}

fn with(mut m: Message, extra: Vec<Attribute>) -> Message {
    m.group_mut(DelimiterTag::Operation).attributes.extend(extra);
    m
}

fn pin(p: &str) -> Vec<Attribute> {
    vec![Attribute::new("job-password", Value::OctetString(p.as_bytes().to_vec()))]
}

/// CUPS-Add-Modify-Printer with `ppd-name=everywhere` and `device-uri`.
fn add_everywhere(printer_uri: &str, device_uri: &str, user: &str) -> Message {
    let mut m = quire_client::request_as(Operation::CupsAddModifyPrinter, Some(printer_uri), user);
    m.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("ppd-name", Value::Name("everywhere".into())));
    let g = m.group_mut(DelimiterTag::Printer);
    g.push(Attribute::new("device-uri", Value::Uri(device_uri.into())));
    g.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
    m
}
