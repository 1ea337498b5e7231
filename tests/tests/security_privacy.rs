//! Issue 21, job and subscription privacy: under Debian's stock cupsd.conf (`JobPrivateAccess
//! default`, `JobPrivateValues default`, `SubscriptionPrivate* default`) a client on another
//! host does not learn the name, user or host of a job a local user printed, nor who
//! subscribed to what. Each test runs against cupsd 2.4 (the reference) and quired with the
//! same files, except where Quire is stricter than cupsd (said where).

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::lan::{Lan, LanServer, StockOptions};
use quire_tests::process::run_with_timeout;
use quire_tests::{cups_tool, ServerKind, Via};
use std::time::Duration;

const JOB_NAME: &str = "salaries-2024-Q3";
/// The local user who prints: uid 65534.
const OWNER: &str = "nobody";
/// What the default JobPrivateValues withholds (plus what Quire derives from them).
const PRIVATE: [&str; 3] = ["job-name", "job-originating-user-name", "job-originating-host-name"];

/// A queue "office" added by root on the local socket, and a held job printed on it by
/// the local user `nobody` with `lp` (so it stays listed). Returns the job id.
fn queue_and_private_job(server: &LanServer) -> i32 {
    let add = cups_tool(
        server,
        Via::Socket,
        "lpadmin",
        &["-p", "office", "-E", "-v", "file:///dev/null"],
    )
    .expect("lpadmin");
    assert_eq!(add.rc, 0, "{}: root adds a queue: {}", server.name(), add.text());
    let socket = server.socket_path().display().to_string();
    let args: Vec<String> = [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "lp",
        "-h",
        &socket,
        "-d",
        "office",
        "-t",
        JOB_NAME,
        "-H",
        "hold",
        "/etc/hostname",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let env =
        [("HOME".to_string(), "/nonexistent".to_string()), ("LC_ALL".to_string(), "C".to_string())];
    let out = run_with_timeout(30, "setpriv", &args, None, &env).expect("lp as nobody");
    assert_eq!(out.rc, 0, "{}: nobody prints: {}", server.name(), out.text());
    quire_tests::cli::parse_request_id(&out.stdout).expect("request id") as i32
}

/// A printer subscription of `nobody` on office, made from this host.
fn subscribe_locally(server: &LanServer) -> i32 {
    let mut msg = quire_client::request_as(
        Operation::CreatePrinterSubscriptions,
        Some(&server.printer_uri("office")),
        OWNER,
    );
    let mut g = quire_ipp::Group::new(DelimiterTag::Subscription);
    g.push(Attribute::new("notify-pull-method", Value::Keyword("ippget".into())));
    g.push(Attribute::new("notify-events", Value::Keyword("job-completed".into())));
    g.push(Attribute::new("notify-lease-duration", Value::Integer(600)));
    msg.push_group(g);
    let resp = local_ipp(server, &msg);
    let id = resp
        .group(DelimiterTag::Subscription)
        .and_then(|g| g.get("notify-subscription-id"))
        .and_then(|a| a.first_i32());
    id.unwrap_or_else(|| panic!("{}: subscription made: {resp:?}", server.name()))
}

/// An IPP request from this host over loopback TCP.
fn local_ipp(server: &LanServer, msg: &Message) -> Message {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.port()));
    let req = quire_tests::http::ipp_post_bytes_to(&server.host_port(), "/", None, &msg.encode());
    let resp = quire_tests::http::exchange_at(addr, &req, false, Duration::from_secs(30))
        .expect("local answer");
    resp.ipp()
        .map(|(m, _)| m)
        .unwrap_or_else(|| panic!("{}: an IPP answer, got HTTP {}", server.name(), resp.status))
}

/// An IPP request from the remote host, as `user` (requesting-user-name only, no password).
fn remote(
    lan: &Lan,
    server: &LanServer,
    op: Operation,
    user: &str,
    extra: Vec<Attribute>,
) -> Message {
    let mut msg = quire_client::request_as(op, Some(&server.lan_printer_uri("office")), user);
    for a in extra {
        msg.group_mut(DelimiterTag::Operation).push(a);
    }
    let resp = lan.ipp(server, "/", None, &msg, b"");
    assert_eq!(
        resp.status,
        200,
        "{}: {} from the LAN is served (Allow @LOCAL)",
        server.name(),
        op.name()
    );
    resp.ipp().map(|(m, _)| m).expect("an IPP answer")
}

fn names(msg: &Message, tag: DelimiterTag) -> Vec<String> {
    msg.groups
        .iter()
        .filter(|g| g.tag == tag)
        .flat_map(|g| g.attributes.iter().map(|a| a.name.clone()))
        .collect()
}

fn all() -> Attribute {
    Attribute::new("requested-attributes", Value::Keyword("all".into()))
}

fn assert_withheld(server: &LanServer, what: &str, msg: &Message) {
    let shown = names(msg, DelimiterTag::Job);
    assert!(
        shown.iter().any(|n| n == "job-id") && shown.iter().any(|n| n == "job-state"),
        "{}: {what} lists the job: {shown:?}",
        server.name()
    );
    for p in PRIVATE {
        assert!(
            !shown.iter().any(|n| n == p),
            "{}: {what} must withhold {p}: {msg:?}",
            server.name()
        );
    }
    let text = format!("{msg:?}");
    assert!(
        !text.contains(JOB_NAME) && !text.contains(OWNER),
        "{}: {what} leaks the name or owner: {text}",
        server.name()
    );
}

#[test]
fn a_stranger_on_the_lan_does_not_see_whose_job_it_is() {
    let Some(lan) = Lan::or_skip() else { return };
    for server in LanServer::both(&lan, &StockOptions::default()) {
        let name = server.name();
        let id = queue_and_private_job(&server);
        let job_id = || Attribute::new("job-id", Value::Integer(id));
        // The reference point: the administrator, on this host, sees the job in full.
        let mut own = quire_client::request_as(
            Operation::GetJobAttributes,
            Some(&server.printer_uri("office")),
            "root",
        );
        own.group_mut(DelimiterTag::Operation).push(job_id());
        own.group_mut(DelimiterTag::Operation).push(all());
        let full = local_ipp(&server, &own);
        let job =
            full.group(DelimiterTag::Job).unwrap_or_else(|| panic!("{name}: the job: {full:?}"));
        assert_eq!(
            job.get("job-name").and_then(|a| a.first_str()),
            Some(JOB_NAME),
            "{name}: root sees the name"
        );
        assert_eq!(
            job.get("job-originating-user-name").and_then(|a| a.first_str()),
            Some(OWNER),
            "{name}: root sees the owner"
        );

        let not_completed = || Attribute::new("which-jobs", Value::Keyword("not-completed".into()));
        let jobs =
            remote(&lan, &server, Operation::GetJobs, "anonymous", vec![not_completed(), all()]);
        assert_withheld(&server, "Get-Jobs", &jobs);
        let attrs =
            remote(&lan, &server, Operation::GetJobAttributes, "anonymous", vec![job_id(), all()]);
        assert_withheld(&server, "Get-Job-Attributes", &attrs);
        // The CUPS tools from that host show no more.
        let lpstat = lan.cups_tool(&server, "lpstat", &["-l", "-o", "office"]);
        assert!(
            lpstat.text().contains(&format!("office-{id}")),
            "{name}: remote lpstat lists the job: {}",
            lpstat.text()
        );
        assert!(
            !lpstat.text().contains(OWNER) && !lpstat.text().contains(JOB_NAME),
            "{name}: remote lpstat: {}",
            lpstat.text()
        );
        if server.kind() == ServerKind::Quired {
            // cupsd believes a claimed requesting-user-name; Quire wants proof of the owner.
            let claimed =
                remote(&lan, &server, Operation::GetJobAttributes, OWNER, vec![job_id(), all()]);
            assert_withheld(&server, "Get-Job-Attributes claiming the owner's name", &claimed);
        }
    }
}

#[test]
fn a_stranger_on_the_lan_does_not_see_who_subscribed() {
    let Some(lan) = Lan::or_skip() else { return };
    for server in LanServer::both(&lan, &StockOptions::default()) {
        let name = server.name();
        queue_and_private_job(&server);
        let sub = subscribe_locally(&server);
        let list = remote(&lan, &server, Operation::GetSubscriptions, "anonymous", Vec::new());
        let shown = names(&list, DelimiterTag::Subscription);
        assert!(
            shown.iter().any(|n| n == "notify-subscription-id"),
            "{name}: Get-Subscriptions lists it: {list:?}"
        );
        for p in ["notify-subscriber-user-name", "notify-events", "notify-pull-method"] {
            assert!(
                !shown.iter().any(|n| n == p),
                "{name}: Get-Subscriptions withholds {p}: {list:?}"
            );
        }
        // cupsd answers with the private values withheld; Quire refuses a stranger outright.
        let one = remote(
            &lan,
            &server,
            Operation::GetSubscriptionAttributes,
            "anonymous",
            vec![Attribute::new("notify-subscription-id", Value::Integer(sub))],
        );
        assert!(
            !format!("{one:?}").contains(OWNER),
            "{name}: Get-Subscription-Attributes: {one:?}"
        );
        assert!(
            !names(&one, DelimiterTag::Subscription).iter().any(|n| n == "notify-events"),
            "{name}: {one:?}"
        );
    }
}

/// Quire's status page (GET /) lists jobs; cupsd's web interface is a separate program
/// (its CGIs), so this runs against quired only.
#[test]
fn the_status_page_withholds_the_owner_from_the_lan() {
    let Some(lan) = Lan::or_skip() else { return };
    let server = LanServer::started(ServerKind::Quired, &lan, &StockOptions::default());
    let id = queue_and_private_job(&server);
    let addr = server.lan_addr();
    let get = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let page = lan
        .run(move || {
            quire_tests::http::exchange_at(addr, get.as_bytes(), false, Duration::from_secs(30))
        })
        .expect("a page");
    let html = String::from_utf8_lossy(&page.body);
    assert_eq!(page.status, 200, "{html}");
    assert!(html.contains(&format!("<td>{id}</td>")) && html.contains("Withheld"), "{html}");
    assert!(!html.contains(OWNER), "the owner is withheld: {html}");
}
