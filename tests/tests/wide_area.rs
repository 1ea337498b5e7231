//! Wide-area DNS-SD end to end: quired on one host of the simulated LAN (quire_tests::mdns_lan)
//! shares a queue; a BIND named on the other host (quire_tests::named), primary for
//! `campus.test` and taking updates signed with a TSIG key, holds its records as `dig` sees
//! them; `lpadmin -x` withdraws them, and so does a clean stop; the zone file quired keeps is
//! accepted by named-checkzone; with a wrong key, the refusal is in quired's log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use quire_tests::mdns_lan::{MdnsLan, SideServer};
use quire_tests::named::{self, Named};
use quire_tests::process::{free_port, wait_until};
use quire_tests::{ServerKind, SimOptions};

const ZONE: &str = "campus.test";
const LIMIT: Duration = Duration::from_secs(60);

fn records(n: &Named, name: &str, t: &str) -> Vec<String> {
    n.dig(name, t).unwrap()
}

/// Polls `dig` until `done` holds for the answer; how long it took (None: not within LIMIT).
fn until(n: &Named, name: &str, t: &str, done: impl Fn(&[String]) -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    wait_until(LIMIT, || done(&records(n, name, t))).then(|| t0.elapsed())
}

#[test]
fn a_shared_queue_is_published_in_the_campus_zone_and_withdrawn() {
    let missing = named::missing_programs();
    if !missing.is_empty() {
        quire_tests::skipped(&format!("{missing:?} missing: run tests/scripts/install-test-deps"));
        return;
    }
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    // The campus DNS server is the other host.
    let key = named::keygen("quire-key").unwrap();
    let n = Named::start_at(lan.b.place().clone(), lan.b.ip(), free_port().unwrap(), ZONE, &key)
        .unwrap();
    let zone_file = lan.a.dir().join("dnssd.zone");
    let opts = SideServer {
        cupsd_extra: format!(
            "ServerName quire-a.campus.test\nServerAlias *\nDNSSDWideAreaDomain {ZONE}\n\
             DNSSDUpdateServer {}\n",
            n.address()
        ),
        files_extra: format!(
            "\nDNSSDUpdateKey {} {}\nDNSSDZoneFile {}\n",
            key.name,
            key.secret,
            zone_file.display()
        ),
        ..SideServer::default()
    };
    let sim = SimOptions::new().name("widearea").at(lan.a.place()).start().unwrap();
    let mut a = lan.a.start_server(ServerKind::Quired, &quired, &opts).unwrap();
    let log = std::fs::read_to_string(a.error_log()).unwrap_or_default();
    assert!(!log.contains(&key.secret), "the TSIG secret is never logged");

    let t0 = Instant::now();
    for q in ["Office", "Lab"] {
        let add = lan.a.cups_tool(&a, "lpadmin", &["-p", q, "-v", &sim.uri(), "-E"]);
        assert_eq!(add.rc, 0, "{}", add.text());
        let share = lan.a.cups_tool(&a, "lpadmin", &["-p", q, "-o", "printer-is-shared=true"]);
        assert_eq!(share.rc, 0, "{}", share.text());
    }
    let both = |r: &[String]| r.len() == 2;
    let took = until(&n, "_ipp._tcp.campus.test", "PTR", both);
    assert!(
        took.is_some(),
        "not published: {:?}\n{}",
        records(&n, "_ipp._tcp.campus.test", "PTR"),
        a.log_tail(40)
    );
    eprintln!("figure: lpadmin -E (2 queues) -> both in dig: {:?}", t0.elapsed());

    let ptrs = records(&n, "_ipp._tcp.campus.test", "PTR");
    let office = ptrs.iter().find(|p| p.starts_with("Office")).expect("Office's PTR").clone();
    assert_eq!(records(&n, &office, "SRV"), [format!("0 0 {} quire-a.campus.test.", a.port())]);
    let txt = records(&n, &office, "TXT").join(" ");
    assert!(txt.contains("\"rp=printers/Office\"") && txt.contains("\"txtvers=1\""), "{txt}");
    assert!(records(&n, "_print._sub._ipp._tcp.campus.test", "PTR").contains(&office));
    assert_eq!(records(&n, "_ipps._tcp.campus.test", "PTR").len(), 2);
    assert_eq!(records(&n, "b._dns-sd._udp.campus.test", "PTR"), ["campus.test."]);
    assert!(records(&n, "_services._dns-sd._udp.campus.test", "PTR")
        .contains(&"_ipp._tcp.campus.test.".to_string()));

    // The zone file holds the same, and an admin's zone including it passes named-checkzone.
    let admin_zone = lan.a.dir().join("campus.test.db");
    std::fs::write(
        &admin_zone,
        format!(
            "$ORIGIN campus.test.\n$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n\
             ns A 10.77.0.2\nquire-a A 10.77.0.1\n$INCLUDE {}\n",
            zone_file.display()
        ),
    )
    .unwrap();
    let check = named::checkzone(ZONE, &admin_zone).unwrap();
    assert_eq!(check.rc, 0, "{}\n{}", check.text(), std::fs::read_to_string(&zone_file).unwrap());

    // lpadmin -x: Office's records go, Lab's stay.
    let t0 = Instant::now();
    let del = lan.a.cups_tool(&a, "lpadmin", &["-x", "Office"]);
    assert_eq!(del.rc, 0, "{}", del.text());
    let gone = until(&n, &office, "SRV", |r| r.is_empty());
    assert!(gone.is_some(), "Office still published\n{}", a.log_tail(40));
    eprintln!("figure: lpadmin -x -> gone from dig: {:?}", t0.elapsed());
    let left = records(&n, "_ipp._tcp.campus.test", "PTR");
    assert!(left.len() == 1 && left[0].starts_with("Lab"), "{left:?}");
    assert!(!records(&n, "_print._sub._ipp._tcp.campus.test", "PTR").contains(&office));
    assert!(!std::fs::read_to_string(&zone_file).unwrap().contains("Office"));

    // A clean stop withdraws the rest, shared pointers included (nothing else uses them).
    a.stop(Duration::from_secs(20)).unwrap();
    assert!(records(&n, "_ipp._tcp.campus.test", "PTR").is_empty());
    assert!(records(&n, "b._dns-sd._udp.campus.test", "PTR").is_empty());
    assert!(records(&n, "_services._dns-sd._udp.campus.test", "PTR").is_empty());

    // Started again with a key the server does not know the secret of: refused, logged.
    let wrong = named::keygen("quire-key").unwrap();
    let mut opts = opts;
    opts.files_extra = opts.files_extra.replace(&key.secret, &wrong.secret);
    let a = lan.a.start_server(ServerKind::Quired, &quired, &opts).unwrap();
    let add = lan.a.cups_tool(&a, "lpadmin", &["-p", "Desk", "-v", &sim.uri(), "-E"]);
    assert_eq!(add.rc, 0, "{}", add.text());
    let share = lan.a.cups_tool(&a, "lpadmin", &["-p", "Desk", "-o", "printer-is-shared=true"]);
    assert_eq!(share.rc, 0, "{}", share.text());
    let said = "refused the TSIG signature of key quire-key. (BADSIG): check DNSSDUpdateKey";
    let logged = wait_until(LIMIT, || {
        std::fs::read_to_string(a.error_log()).unwrap_or_default().contains(said)
    });
    assert!(logged, "no refusal in the log:\n{}", a.log_tail(40));
    let log = std::fs::read_to_string(a.error_log()).unwrap();
    assert!(!log.contains(&wrong.secret), "the TSIG secret is never logged");
    assert!(records(&n, "_ipp._tcp.campus.test", "PTR").is_empty());
}
