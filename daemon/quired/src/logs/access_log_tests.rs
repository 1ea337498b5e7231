use super::*;
use std::time::Duration;

fn entry(method: &str, resource: &str, op: Option<u16>, status: Option<u16>) -> AccessEntry {
    AccessEntry {
        host: "localhost".into(),
        user: None,
        // 2026-12-06 03:10:49 UTC.
        started: SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_526_649),
        method: method.into(),
        resource: resource.into(),
        version: "HTTP/1.1",
        status: 200,
        bytes: 183,
        operation: op,
        ipp_status: status,
    }
}

#[test]
fn the_line_is_cupsd_common_log_format() {
    let clock = LogClock::fixed(0, false);
    let mut e = entry("POST", "/printers/office", Some(0x0002), Some(0x0000));
    e.user = Some("alice".into());
    assert_eq!(
        e.line(&clock),
        "localhost - alice [06/Dec/2026:03:10:49 +0000] \"POST /printers/office HTTP/1.1\" 200 183 Print-Job successful-ok"
    );
    let e = entry("GET", "/printers/office.ppd", None, None);
    assert_eq!(
        e.line(&clock),
        "localhost - - [06/Dec/2026:03:10:49 +0000] \"GET /printers/office.ppd HTTP/1.1\" 200 183 - -"
    );
    let e = entry("POST", "/", Some(0x7777), Some(0x0400));
    assert!(e.line(&clock).ends_with(" 0x7777 client-error-bad-request"), "{}", e.line(&clock));
}

#[test]
fn a_forged_user_name_stays_on_its_line() {
    let mut e = entry("POST", "/", Some(0x000a), Some(0));
    e.user = Some("mallory\nlocalhost - root".into());
    assert!(!e.line(&LogClock::fixed(0, false)).contains('\n'));
}

#[test]
fn access_log_level_rules_are_cupsd() {
    use AccessLogLevel::{Actions, All, Config};
    let get_jobs = entry("POST", "/", Some(0x000a), Some(0));
    let print = entry("POST", "/printers/p", Some(0x0002), Some(0));
    let pause = entry("POST", "/admin/", Some(0x0010), Some(0));
    let add = entry("POST", "/admin/", Some(0x4003), Some(0));
    let page = entry("GET", "/printers/p.ppd", None, None);
    let conf = entry("GET", "/admin/conf/cupsd.conf", None, None);
    let refused = entry("POST", "/", Some(0x000a), Some(0x0401));
    let missing = entry("POST", "/", Some(0x0009), Some(0x0406));
    let close_job = entry("POST", "/", Some(0x003b), Some(0));
    let wanted = |e: &AccessEntry| [Config, Actions, All].map(|l| e.wanted_at(l));
    assert_eq!(wanted(&get_jobs), [false, false, true]);
    assert_eq!(wanted(&print), [false, true, true]);
    assert_eq!(wanted(&pause), [true, true, true]);
    assert_eq!(wanted(&add), [true, true, true]);
    assert_eq!(wanted(&page), [false, false, true]);
    assert_eq!(wanted(&conf), [true, true, true]);
    assert_eq!(wanted(&refused), [true, true, true], "errors are always logged");
    assert_eq!(wanted(&missing), [false, false, true], "not-found counts as success");
    assert_eq!(wanted(&close_job), [true, true, true], "operations cupsd does not class");
}

#[test]
fn loopback_and_local_clients_are_localhost() {
    assert_eq!(client_host(None), "localhost");
    assert_eq!(client_host(Some("127.0.0.2".parse().unwrap())), "localhost");
    assert_eq!(client_host(Some("::1".parse().unwrap())), "localhost");
    assert_eq!(client_host(Some("::ffff:127.0.0.1".parse().unwrap())), "localhost");
    assert_eq!(client_host(Some("192.0.2.7".parse().unwrap())), "192.0.2.7");
    assert_eq!(client_host(Some("2001:db8::1".parse().unwrap())), "2001:db8::1");
}
