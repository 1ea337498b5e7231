//! Issue 16, desktop notifications: push subscriptions with real parts. A `dbus-monitor
//! --system` on a private bus sees the same `org.cups.cupsd.Notifier` signals from quired as
//! from cupsd; the bus going away and coming back; `lp -m` mail through a real SMTP server
//! (aiosmtpd); an RSS feed served over HTTP; subscriptions on the server object with
//! cupsd's limits and status codes; a remote user subscribing to another user's job.

use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::notify::{ipptool_status, Monitor, Signal, SmtpSink};
use quire_tests::process::wait_until;
use quire_tests::server::{cups_files_conf, cupsd_conf};
use quire_tests::{cups_tool, server_binary, Dbus, Server, ServerKind, Via};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// `kind` with cups-files.conf's `SetEnv DBUS_SYSTEM_BUS_ADDRESS bus` (cupsd passes it to its
/// notifiers; quired connects there), `cupsd_extra` appended to cupsd.conf, and `files` written in
/// its ServerRoot (etc/) before it starts.
fn start(
    kind: ServerKind,
    bus: Option<&str>,
    cupsd_extra: &str,
    files: &[(&str, String)],
) -> Option<Server> {
    quire_tests::require_programs();
    let binary = server_binary(kind)?;
    // The bus is set as cupsd's administrators set it, and quired reads it the same way.
    let env: Vec<(String, String)> = Vec::new();
    let setenv = bus.map(|b| format!("SetEnv DBUS_SYSTEM_BUS_ADDRESS {b}\n")).unwrap_or_default();
    let server = Server::start_configured(kind, &binary, &env, |dir, port| {
        for (name, text) in files {
            std::fs::write(dir.join("etc").join(name), text)?;
        }
        let socket = format!("{}/cups.sock", dir.display());
        Ok((
            format!("{}{cupsd_extra}\n", cupsd_conf(&socket, port)),
            format!("{}{setenv}", cups_files_conf(&dir.display().to_string())),
        ))
    })
    .unwrap_or_else(|e| panic!("start {kind}: {e}"));
    Some(server)
}

fn both(f: impl Fn(ServerKind) -> Option<Server>) -> Vec<Server> {
    [ServerKind::Cupsd, ServerKind::Quired].into_iter().filter_map(f).collect()
}

fn tool(server: &Server, program: &str, args: &[&str]) -> String {
    let out = cups_tool(server, Via::Tcp, program, args).expect(program);
    assert_eq!(out.rc, 0, "{}: {program} {args:?}: {}", server.name(), out.text());
    out.stdout
}

/// A raw queue `q` printing to out/q.out.
fn add_queue(server: &Server) {
    let uri = format!("file://{}/q.out", server.out_dir().display());
    tool(server, "lpadmin", &["-p", "q", "-E", "-v", &uri, "-m", "raw"]);
}

fn document(server: &Server, name: &str) -> String {
    let path = server.dir().join(name);
    std::fs::write(&path, "Hello, notifications.\n").expect("document");
    path.display().to_string()
}

/// What gnome-settings-daemon asks for: the server object (`printer-uri /`), `dbus://`,
/// its events, a one-hour lease.
const GSD_SUBSCRIPTION: &str = r#"  OPERATION Create-Printer-Subscriptions
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri /
  ATTR name requesting-user-name root
  GROUP subscription-attributes-tag
  ATTR uri notify-recipient-uri dbus://
  ATTR keyword notify-events printer-added,printer-deleted,printer-stopped,printer-state-changed,job-created,job-completed,job-state-changed
  ATTR integer notify-lease-duration 3600"#;

fn subscribe(server: &Server, body: &str) -> String {
    let (status, text) = ipptool_status(server.dir(), &format!("{}/", server.uri_base()), body)
        .unwrap_or_else(|e| panic!("{}: {e}", server.name()));
    assert_eq!(status, "successful-ok", "{}: {text}", server.name());
    text
}

fn has(monitor: &Monitor, member: &str, count: usize) -> bool {
    monitor.signals().iter().filter(|s| s.member == member).count() >= count
}

/// One job's life and a printer stopped and resumed, as the monitor saw it.
fn job_and_printer_signals(kind: ServerKind) -> Option<Vec<Signal>> {
    let mut bus = Dbus::start().expect("private bus");
    let address = bus.socket_address();
    let server = start(kind, Some(&address), "", &[])?;
    add_queue(&server);
    let monitor = Monitor::start(&address).expect("dbus-monitor");
    subscribe(&server, GSD_SUBSCRIPTION);
    tool(&server, "lp", &["-d", "q", "-t", "report", &document(&server, "doc.txt")]);
    let done = wait_until(WAIT, || {
        has(&monitor, "JobCompleted", 1) && has(&monitor, "PrinterStateChanged", 2)
    });
    assert!(done, "{kind}: no JobCompleted signal:\n{}\n{}", monitor.text(), server.log_tail(30));
    tool(&server, "cupsdisable", &["q"]);
    assert!(wait_until(WAIT, || has(&monitor, "PrinterStopped", 1)), "{kind}: {}", monitor.text());
    tool(&server, "cupsenable", &["q"]);
    assert!(
        wait_until(WAIT, || has(&monitor, "PrinterStateChanged", 3)),
        "{kind}: {}",
        monitor.text()
    );
    let signals = monitor.signals();
    bus.stop();
    Some(signals)
}

/// A signal with what differs by nature taken out: the job id (argument 7 of a job signal;
/// `#N` in a text) and the host in the printer URI (cupsd's ServerName is the host name).
fn normalized(s: &Signal) -> (String, String, Vec<String>) {
    let values = s
        .args
        .iter()
        .enumerate()
        .map(|(i, (_, v))| match i {
            1 => v.find("/printers/").map_or(v.clone(), |at| v[at..].to_string()),
            6 if s.args.len() == 11 => "ID".to_string(),
            0 => without_ids(v),
            _ => v.clone(),
        })
        .collect();
    (s.member.clone(), s.signature(), values)
}

fn without_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..=at]);
        rest = rest[at + 1..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("ID");
    }
    out + rest
}

/// Where quired's signals differ from cupsd's on purpose: (signal, argument, cupsd's value,
/// quired's value, why).
const EXPLAINED: &[(&str, usize, &str, &str, &str)] = &[
    (
        "JobCreated",
        8,
        "job-hold-until-specified",
        "job-incoming",
        "a job waiting for its document (lp: Create-Job, then Send-Document) is \
         job-incoming in Quire (PWG 5100.7); cupsd marks it job-hold-until-specified",
    ),
    (
        "PrinterStateChanged",
        4,
        "paused",
        "none",
        "cupsd sends the resume's event before it clears the paused reason; Quire sends \
         the reasons the printer has",
    ),
];

#[test]
fn dbus_signals_are_cupsds_for_a_job_and_a_stopped_printer() {
    let Some(cupsd) = job_and_printer_signals(ServerKind::Cupsd) else { return };
    let Some(quired) = job_and_printer_signals(ServerKind::Quired) else { return };
    let (c, q): (Vec<_>, Vec<_>) =
        (cupsd.iter().map(normalized).collect(), quired.iter().map(normalized).collect());
    let members =
        |v: &[(String, String, Vec<String>)]| v.iter().map(|s| s.0.clone()).collect::<Vec<_>>();
    assert_eq!(members(&c), members(&q), "signal sequence\ncupsd: {c:#?}\nquired: {q:#?}");
    for (cs, qs) in c.iter().zip(&q) {
        assert_eq!(cs.1, qs.1, "{}: argument signature", cs.0);
        for (i, (cv, qv)) in cs.2.iter().zip(&qs.2).enumerate() {
            let explained = EXPLAINED
                .iter()
                .any(|(m, at, a, b, _)| *m == cs.0 && *at == i && a == cv && b == qv);
            assert!(
                cv == qv || explained,
                "{} argument {i}: cupsd {cv:?}, quired {qv:?}\n{c:#?}\n{q:#?}",
                cs.0
            );
        }
    }
    // What a desktop shows: the job's name and the final state.
    let done = q.iter().find(|s| s.0 == "JobCompleted").expect("JobCompleted");
    assert_eq!(
        (done.2[0].as_str(), done.2[7].as_str(), done.2[9].as_str()),
        ("Job completed.", "9", "report")
    );
}

#[test]
fn the_bus_going_away_and_coming_back() {
    let mut bus = Dbus::start().expect("private bus");
    let address = bus.socket_address();
    let Some(server) = start(ServerKind::Quired, Some(&address), "", &[]) else { return };
    add_queue(&server);
    subscribe(&server, GSD_SUBSCRIPTION);
    let monitor = Monitor::start(&address).expect("dbus-monitor");
    tool(&server, "lp", &["-d", "q", &document(&server, "one.txt")]);
    assert!(wait_until(WAIT, || has(&monitor, "JobCompleted", 1)), "{}", monitor.text());
    drop(monitor);

    bus.stop();
    tool(&server, "lp", &["-d", "q", &document(&server, "two.txt")]);
    let logged = || {
        std::fs::read_to_string(server.dir().join("log/stdout.log")).unwrap_or_default()
            + &std::fs::read_to_string(server.error_log()).unwrap_or_default()
    };
    assert!(
        wait_until(WAIT, || logged().contains("D-Bus: cannot reach the system bus")),
        "no log line about the bus:\n{}",
        server.log_tail(40)
    );
    // The daemon keeps serving: the job printed, lpstat answers.
    let completed =
        || tool(&server, "lpstat", &["-W", "completed", "-o", "q"]).lines().count() >= 2;
    assert!(wait_until(WAIT, completed), "{}", server.log_tail(40));

    bus.restart().expect("bus again");
    let monitor = Monitor::start(&address).expect("dbus-monitor");
    tool(&server, "lp", &["-d", "q", "-t", "three", &document(&server, "three.txt")]);
    let arrived = || {
        monitor
            .signals()
            .iter()
            .any(|s| s.member == "JobCompleted" && s.args.get(9).is_some_and(|a| a.1 == "three"))
    };
    assert!(
        wait_until(WAIT, arrived),
        "after the bus came back:\n{}\n{}",
        monitor.text(),
        server.log_tail(40)
    );
    assert!(
        logged().contains("D-Bus: connected to the system bus again"),
        "{}",
        server.log_tail(40)
    );
}

fn mailto_conf(smtp: &str) -> String {
    format!("# Written by quire-tests.\nFrom printing@example.com\nSubject [Printing]\nSMTPServer {smtp}\n")
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string()
}

#[test]
fn lp_m_mails_through_smtp_as_cupsd_does() {
    for kind in [ServerKind::Cupsd, ServerKind::Quired] {
        let sink = SmtpSink::start().expect("aiosmtpd (python3-aiosmtpd)");
        let files = [("mailto.conf", mailto_conf(&sink.server()))];
        let Some(server) = start(kind, None, "", &files) else { return };
        add_queue(&server);
        tool(&server, "lp", &["-m", "-d", "q", "-t", "quarterly", &document(&server, "m.txt")]);
        let got = wait_until(WAIT, || !sink.messages().is_empty());
        assert!(got, "{kind}: no mail arrived:\n{}", server.log_tail(40));
        let mail = sink.messages().remove(0);
        let header = |name: &str| {
            mail.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_else(|| panic!("{kind}: no {name} header:\n{mail}"))
                .to_string()
        };
        // lp -m asks for mail to the user at this host (lp's mailto:USER@HOST).
        assert_eq!(header("To"), format!("root@{}", hostname()), "{kind}");
        assert_eq!(header("From"), "printing@example.com", "{kind}");
        assert_eq!(
            header("Subject"),
            "[Printing] Print Job: q-1 (quarterly) completed",
            "{kind}\n{mail}"
        );
        assert!(mail.contains("\nJob completed."), "{kind}: the event's text is the body:\n{mail}");
    }
}

#[test]
fn a_refusing_smtp_server_is_logged_and_other_subscriptions_still_deliver() {
    // Nothing listens on this port: the SMTP server refuses every connection.
    let closed = quire_tests::process::free_port().expect("port");
    let files = [("mailto.conf", mailto_conf(&format!("127.0.0.1:{closed}")))];
    let Some(server) = start(ServerKind::Quired, None, "", &files) else { return };
    add_queue(&server);
    subscribe(&server, RSS_SUBSCRIPTION);
    tool(&server, "lp", &["-m", "-d", "q", "-t", "refused", &document(&server, "r.txt")]);
    let logged = || {
        std::fs::read_to_string(server.dir().join("log/stdout.log")).unwrap_or_default()
            + &std::fs::read_to_string(server.error_log()).unwrap_or_default()
    };
    assert!(
        wait_until(WAIT, || logged().contains("not sent through SMTP server")),
        "{}",
        server.log_tail(40)
    );
    // The RSS subscription got its event; the daemon answers.
    let feed = server.dir().join("cache/rss/quire.rss");
    let written = || std::fs::read_to_string(&feed).is_ok_and(|t| t.contains("refused"));
    assert!(wait_until(WAIT, written), "{}", server.log_tail(40));
    tool(&server, "lpstat", &["-p", "q"]);
}

const RSS_SUBSCRIPTION: &str = r#"  OPERATION Create-Printer-Subscriptions
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri /
  ATTR name requesting-user-name root
  GROUP subscription-attributes-tag
  ATTR uri notify-recipient-uri rss:/quire.rss?max_events=3
  ATTR keyword notify-events job-completed"#;

#[test]
fn an_rss_feed_is_written_and_served_escaped() {
    for server in both(|kind| start(kind, None, "", &[])) {
        let name = server.name();
        add_queue(&server);
        subscribe(&server, RSS_SUBSCRIPTION);
        let title = "a <b> & \"c\"";
        tool(&server, "lp", &["-d", "q", "-t", title, &document(&server, "f.txt")]);
        // Where cupsd keeps it and serves it from.
        let feed = server.dir().join("cache/rss/quire.rss");
        // (cupsd's notifier writes an empty feed first.)
        let has_event =
            || std::fs::read_to_string(&feed).is_ok_and(|t| t.contains("Job completed."));
        assert!(wait_until(WAIT, has_event), "{name}: {}", server.log_tail(40));
        let resp = http_get(&server, "/rss/quire.rss");
        assert!(resp.starts_with("HTTP/1.1 200"), "{name}: {resp}");
        assert!(resp.contains("<rss version=\"2.0\">"), "{name}: {resp}");
        assert!(resp.contains("Job completed."), "{name}: {resp}");
        assert!(!resp.contains("<b>"), "{name}: unescaped markup: {resp}");
        // The same feed again is refused, as cupsd refuses it.
        let (status, _) =
            ipptool_status(server.dir(), &format!("{}/", server.uri_base()), RSS_SUBSCRIPTION)
                .expect("ipptool");
        assert_eq!(status, "client-error-not-possible", "{name}");
        if server.kind() == ServerKind::Quired {
            // Escaped once (cupsd escapes its texts twice: `&amp;lt;`).
            assert!(resp.contains("<description>Job completed.</description>"), "{resp}");
            assert!(resp.contains("(a &lt;b&gt; &amp; &quot;c&quot;) completed</title>"), "{resp}");
            let outside = http_get(&server, "/rss/..%2fquire.db");
            assert!(outside.starts_with("HTTP/1.1 4"), "no way out of the feeds: {outside}");
        }
    }
}

fn http_get(server: &Server, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn pull_template(uri: &str, extra: &str) -> String {
    format!(
        "  OPERATION Create-Printer-Subscriptions\n  GROUP operation-attributes-tag\n\
         ATTR charset attributes-charset utf-8\n\
         ATTR naturalLanguage attributes-natural-language en\n\
         ATTR uri printer-uri {uri}\n  ATTR name requesting-user-name root\n\
         GROUP subscription-attributes-tag\n{extra}"
    )
}

#[test]
fn server_object_subscriptions_and_limits_answer_as_cupsd() {
    let limits = "MaxSubscriptions 3\nMaxSubscriptionsPerPrinter 1\nMaxLeaseDuration 600\n";
    let mut answers = Vec::new();
    for server in both(|kind| start(kind, None, limits, &[])) {
        add_queue(&server);
        let base = server.uri_base();
        let pull = "  ATTR keyword notify-pull-method ippget\n  ATTR keyword notify-events job-completed\n";
        let steps: Vec<(String, String)> = vec![
            (server.printer_uri("q"), pull.to_string()),
            // MaxSubscriptionsPerPrinter.
            (server.printer_uri("q"), pull.to_string()),
            ("/".into(), format!("{pull}  ATTR integer notify-lease-duration 3600\n")),
            (format!("{base}/printers/"), pull.to_string()),
            // Not the server object for cupsd.
            (format!("{base}/jobs/"), pull.to_string()),
            // MaxSubscriptions.
            (format!("{base}/"), pull.to_string()),
            // Checked before the limits: a scheme not delivered, a pull method not known,
            // no events on the server object.
            (
                "/".into(),
                "  ATTR uri notify-recipient-uri smoke:signals\n  ATTR keyword notify-events all\n"
                    .into(),
            ),
            ("/".into(), "  ATTR keyword notify-pull-method carrier-pigeon\n".into()),
            ("/".into(), "  ATTR keyword notify-pull-method ippget\n".into()),
        ];
        let statuses: Vec<String> = steps
            .iter()
            .map(|(uri, extra)| {
                ipptool_status(server.dir(), &format!("{base}/"), &pull_template(uri, extra))
                    .expect("ipptool")
                    .0
            })
            .collect();
        // The server-object subscription's lease: MaxLeaseDuration caps the 3600 asked for.
        let lease = ipptool_status(
            server.dir(),
            &format!("{base}/"),
            "  OPERATION Get-Subscription-Attributes\n  GROUP operation-attributes-tag\n\
             ATTR charset attributes-charset utf-8\n\
             ATTR naturalLanguage attributes-natural-language en\n\
             ATTR uri printer-uri /\n  ATTR integer notify-subscription-id 2\n\
             ATTR name requesting-user-name root\n\
             EXPECT notify-lease-duration OF-TYPE integer WITH-VALUE 600\n\
             EXPECT !notify-printer-uri",
        )
        .expect("ipptool");
        assert!(lease.1.contains("[PASS]"), "{}: {}", server.name(), lease.1);
        // The schemes delivered, as cupsd lists its notifiers (cupsd tags them keyword,
        // Quire uriScheme as IANA registers the attribute).
        let schemes = ipptool_status(
            server.dir(),
            &server.printer_uri("q"),
            &format!(
                "  OPERATION Get-Printer-Attributes\n  GROUP operation-attributes-tag\n\
                 ATTR charset attributes-charset utf-8\n\
                 ATTR naturalLanguage attributes-natural-language en\n\
                 ATTR uri printer-uri {}\n\
                 ATTR keyword requested-attributes notify-schemes-supported\n\
                 EXPECT notify-schemes-supported WITH-VALUE dbus\n\
                 EXPECT notify-schemes-supported WITH-VALUE mailto\n\
                 EXPECT notify-schemes-supported WITH-VALUE rss",
                server.printer_uri("q")
            ),
        )
        .expect("ipptool");
        assert!(schemes.1.contains("[PASS]"), "{}: {}", server.name(), schemes.1);
        answers.push((server.name(), statuses));
    }
    let expected = [
        "successful-ok",
        "client-error-too-many-subscriptions",
        "successful-ok",
        "successful-ok",
        "client-error-not-found",
        "client-error-too-many-subscriptions",
        "client-error-not-possible",
        "client-error-not-possible",
        "client-error-bad-request",
    ];
    for (name, statuses) in &answers {
        assert_eq!(statuses, &expected, "{name}");
    }
}

#[test]
fn max_subscriptions_per_user_applies_in_quired() {
    // cupsd 2.4 reads MaxSubscriptionsPerUser but never applies it: Quire does.
    let Some(server) = start(ServerKind::Quired, None, "MaxSubscriptionsPerUser 1\n", &[]) else {
        return;
    };
    let body = |user: &str| {
        pull_template(
            "/",
            "  ATTR keyword notify-pull-method ippget\n  ATTR keyword notify-events all\n",
        )
        .replace("requesting-user-name root", &format!("requesting-user-name {user}"))
    };
    let status = |user: &str| {
        ipptool_status(server.dir(), &format!("{}/", server.uri_base()), &body(user))
            .expect("ipptool")
            .0
    };
    assert_eq!(status("alice"), "successful-ok");
    assert_eq!(status("alice"), "client-error-too-many-subscriptions");
    assert_eq!(status("bob"), "successful-ok");
}

#[test]
fn a_remote_user_cannot_subscribe_to_another_users_job() {
    let Some(lan) = Lan::or_skip() else { return };
    let mut answers = Vec::new();
    for server in LanServer::both(&lan, &StockOptions::default()) {
        let uri = format!("file://{}/q.out", server.out_dir().display());
        let out = cups_tool(&server, Via::Socket, "lpadmin", &["-p", "q", "-E", "-v", &uri])
            .expect("lpadmin");
        assert_eq!(out.rc, 0, "{}", out.text());
        // A held job of someone on this host.
        let out = cups_tool(
            &server,
            Via::Socket,
            "lp",
            &["-d", "q", "-H", "hold", &document(&server, "h.txt")],
        )
        .expect("lp");
        assert_eq!(out.rc, 0, "{}", out.text());
        let job = quire_tests::cli::parse_request_id(&out.stdout).expect("job id") as i32;
        let mut msg = quire_client::request_as(
            Operation::CreateJobSubscriptions,
            Some(&server.lan_printer_uri("q")),
            "mallory",
        );
        msg.group_mut(DelimiterTag::Operation)
            .push(Attribute::new("notify-job-id", Value::Integer(job)));
        let g = msg.group_mut(DelimiterTag::Subscription);
        g.push(Attribute::new(
            "notify-recipient-uri",
            Value::Uri("mailto:mallory@example.com".into()),
        ));
        g.push(Attribute::new("notify-events", Value::Keyword("job-completed".into())));
        let resp = lan.ipp(&server, "/printers/q", None, &msg, &[]);
        let ipp = resp.ipp().map(|(m, _)| m.code);
        answers.push((server.name(), resp.status, ipp));
        assert!(
            resp.status != 200 || ipp.is_some_and(|c| c >= 0x0400),
            "{}: mallory subscribed to job {job}: HTTP {} {ipp:?}",
            server.name(),
            resp.status
        );
    }
    assert_eq!(answers[0].1, answers[1].1, "the same HTTP answer: {answers:?}");
    assert_eq!(answers[0].2, answers[1].2, "the same IPP answer: {answers:?}");
}
