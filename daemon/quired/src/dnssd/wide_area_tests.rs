//! Against a real BIND named (tests/src/named.rs): what quired publishes is what `dig` sees,
//! a removal withdraws exactly its records, a wrong key is refused and said so, the zone file
//! passes named-checkzone.

use super::*;
use base64::Engine as _;
use quire_dnssd::txt::{queue_txt, Origin, QueueFacts};
use quire_tests::named::{self, Named, TsigKey};

const ZONE: &str = "campus.test";

fn require_named() -> bool {
    let missing = named::missing_programs();
    if missing.is_empty() {
        return true;
    }
    quire_tests::skipped(&format!("{missing:?} missing: run tests/scripts/install-test-deps"));
    false
}

fn key(k: &TsigKey) -> Key {
    let secret = base64::engine::general_purpose::STANDARD.decode(&k.secret).unwrap();
    Key::new(Name::parse(&k.name).unwrap(), secret)
}

fn settings(port: u16, k: Option<Key>, zone_file: Option<PathBuf>) -> Settings {
    Settings {
        domain: Name::parse(ZONE).unwrap(),
        server: (port != 0).then(|| UpdateServer { host: "127.0.0.1".into(), port }),
        key: k,
        zone_file,
        host: Some("quire.campus.test".into()),
    }
}

/// A queue's services as the publisher makes them: the TXT of `quire_dnssd::txt`, the
/// `_printer._tcp` placeholder on port 0, `_ipp._tcp` with subtypes.
fn queue(name: &str, instance: &str) -> Vec<Service> {
    let facts = QueueFacts {
        name: name.into(),
        make_and_model: "Quire Sim Laser".into(),
        location: "Room \"B\" 2.1".into(),
        uuid: "urn:uuid:0e0e5a3c-5c43-4a0e-9d7b-3f9f1a8f2b11".into(),
        document_formats: vec!["application/pdf".into(), "image/urf".into()],
        urf: vec!["W8".into(), "SRGB24".into(), "RS300".into()],
        ..Default::default()
    };
    let origin = Origin { admin_scheme: "https", host: "quire.local".into(), port: 631 };
    let txt = queue_txt(&facts, &origin);
    let svc = |ty: &str, port, txt: Vec<(String, String)>, subtypes: &[&str]| Service {
        instance: instance.into(),
        service_type: ty.into(),
        subtypes: subtypes.iter().map(|s| s.to_string()).collect(),
        host: "quire.local".into(),
        port,
        txt,
    };
    vec![
        svc("_printer._tcp", 0, Vec::new(), &[]),
        svc("_ipp._tcp", 631, txt.clone(), &["_print", "_universal"]),
        svc("_ipps._tcp", 631, txt, &["_print"]),
    ]
}

async fn published(w: &WideArea, generation: u64) -> Status {
    let mut rx = w.status();
    let wait = rx.wait_for(|s| s.published >= generation || s.error.is_some());
    let s = tokio::time::timeout(Duration::from_secs(120), wait).await.unwrap().unwrap().clone();
    assert_eq!(s.error, None, "publishing generation {generation} failed");
    s
}

fn dig(n: &Named, name: &str, t: &str) -> Vec<String> {
    n.dig(name, t).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_seen_and_a_removal_withdraws_exactly_them() {
    if !require_named() {
        return;
    }
    let n = Named::start(ZONE).unwrap();
    // Another host's queue in the same zone, which quired must never touch.
    let other = n.nsupdate(
        &n.other_key,
        "update add Other._ipp._tcp.campus.test. 60 SRV 0 0 631 other.campus.test.\n\
         update add _ipp._tcp.campus.test. 60 PTR Other._ipp._tcp.campus.test.\n\
         update add _services._dns-sd._udp.campus.test. 60 PTR _ipp._tcp.campus.test.",
    );
    assert_eq!(other.as_ref().map(|o| o.rc).unwrap_or(-1), 0, "{other:?}");
    let w = WideArea::start(settings(n.port(), Some(key(&n.key)), None));
    let mut services = queue("office", "Office Laser @ quire");
    services.extend(queue("lab", "Lab. Printer"));
    published(&w, w.publish(&services)).await;

    let office = "Office\\032Laser\\032\\@\\032quire._ipp._tcp.campus.test.";
    let lab = "Lab\\.\\032Printer._ipp._tcp.campus.test.";
    let other_ptr = "Other._ipp._tcp.campus.test.";
    assert_eq!(dig(&n, "_ipp._tcp.campus.test", "PTR"), [lab, office, other_ptr]);
    assert_eq!(dig(&n, "_print._sub._ipp._tcp.campus.test", "PTR"), [lab, office]);
    assert_eq!(dig(&n, "_universal._sub._ipp._tcp.campus.test", "PTR"), [lab, office]);
    assert_eq!(dig(&n, "_print._sub._ipps._tcp.campus.test", "PTR").len(), 2);
    assert_eq!(dig(&n, office, "SRV"), ["0 0 631 quire.campus.test."], "the FQDN, not .local");
    let txt = dig(&n, office, "TXT").join(" ");
    for pair in [
        "\"txtvers=1\"",
        "\"rp=printers/office\"",
        "\"note=Room \\\"B\\\" 2.1\"",
        "\"URF=W8,SRGB24,RS300\"",
    ] {
        assert!(txt.contains(pair), "{pair} in {txt}");
    }
    assert!(dig(&n, "_printer._tcp.campus.test", "PTR").is_empty(), "no port-0 placeholder");
    assert_eq!(
        dig(&n, "_services._dns-sd._udp.campus.test", "PTR"),
        ["_ipp._tcp.campus.test.", "_ipps._tcp.campus.test."]
    );
    assert_eq!(dig(&n, "b._dns-sd._udp.campus.test", "PTR"), ["campus.test."]);
    assert_eq!(dig(&n, "lb._dns-sd._udp.campus.test", "PTR"), ["campus.test."]);

    // The office queue is no longer shared: its records go, nothing else.
    let before = n.axfr().unwrap();
    published(&w, w.publish(&queue("lab", "Lab. Printer"))).await;
    assert_eq!(dig(&n, "_ipp._tcp.campus.test", "PTR"), [lab, other_ptr]);
    assert_eq!(dig(&n, "_print._sub._ipp._tcp.campus.test", "PTR"), [lab]);
    assert!(dig(&n, office, "SRV").is_empty() && dig(&n, office, "TXT").is_empty());
    let after = n.axfr().unwrap();
    let gone: Vec<&str> =
        before.lines().filter(|l| !after.contains(l) && !l.contains("SOA")).collect();
    assert!(gone.iter().all(|l| l.contains("Office")), "{gone:#?}");
    // SRV and TXT under _ipp and _ipps, the PTRs of _ipp, its 2 subtypes, _ipps and its one.
    assert_eq!(gone.len(), 2 + 2 + 5, "{gone:#?}");

    // A clean stop withdraws ours; the other host's queue keeps its pointers.
    w.stop().await;
    assert_eq!(dig(&n, "_ipp._tcp.campus.test", "PTR"), [other_ptr]);
    assert!(dig(&n, "_print._sub._ipp._tcp.campus.test", "PTR").is_empty());
    assert!(dig(&n, "_ipps._tcp.campus.test", "PTR").is_empty());
    assert_eq!(dig(&n, "_services._dns-sd._udp.campus.test", "PTR"), ["_ipp._tcp.campus.test."]);
    assert_eq!(dig(&n, "b._dns-sd._udp.campus.test", "PTR"), ["campus.test."]);
    assert_eq!(dig(&n, "Other._ipp._tcp.campus.test", "SRV"), ["0 0 631 other.campus.test."]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_the_next_run_withdraws_what_the_last_one_left() {
    if !require_named() {
        return;
    }
    let n = Named::start(ZONE).unwrap();
    let other = n.nsupdate(
        &n.other_key,
        "update add Other._ipp._tcp.campus.test. 60 SRV 0 0 631 other.campus.test.\n\
         update add _ipp._tcp.campus.test. 60 PTR Other._ipp._tcp.campus.test.",
    );
    assert_eq!(other.as_ref().map(|o| o.rc).unwrap_or(-1), 0, "{other:?}");
    let w = WideArea::start(settings(n.port(), Some(key(&n.key)), None));
    let mut services = queue("office", "Office");
    services.extend(queue("lab", "Lab"));
    published(&w, w.publish(&services)).await;
    // Gone without a stop (its task ends, nothing withdrawn): as after a crash.
    drop(w);
    assert_eq!(dig(&n, "_print._sub._ipp._tcp.campus.test", "PTR").len(), 2);
    // The next run shares only Lab: Office, left by the last one, is withdrawn.
    let w = WideArea::start(settings(n.port(), Some(key(&n.key)), None));
    published(&w, w.publish(&queue("lab", "Lab"))).await;
    let (lab, other) = ("Lab._ipp._tcp.campus.test.", "Other._ipp._tcp.campus.test.");
    assert_eq!(dig(&n, "_ipp._tcp.campus.test", "PTR"), [lab, other]);
    assert_eq!(dig(&n, "_print._sub._ipp._tcp.campus.test", "PTR"), [lab]);
    assert_eq!(dig(&n, "_ipps._tcp.campus.test", "PTR"), ["Lab._ipps._tcp.campus.test."]);
    assert!(dig(&n, "Office._ipp._tcp.campus.test", "SRV").is_empty());
    assert!(dig(&n, "Office._ipps._tcp.campus.test", "TXT").is_empty());
    assert_eq!(dig(&n, other, "SRV"), ["0 0 631 other.campus.test."], "another host's is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_publisher_gone_the_shared_pointers_go_too() {
    if !require_named() {
        return;
    }
    let n = Named::start(ZONE).unwrap();
    let w = WideArea::start(settings(n.port(), Some(key(&n.key)), None));
    published(&w, w.publish(&queue("lab", "Lab"))).await;
    assert_eq!(dig(&n, "b._dns-sd._udp.campus.test", "PTR"), ["campus.test."]);
    w.stop().await;
    let axfr = n.axfr().unwrap();
    let left: Vec<&str> = axfr.lines().filter(|l| !l.contains("SOA") && !l.is_empty()).collect();
    assert_eq!(left.len(), 3, "only the zone's NS and A records: {left:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_refused_and_said_so() {
    if !require_named() {
        return;
    }
    let n = Named::start(ZONE).unwrap();
    let wrong =
        Key::new(Name::parse(&n.key.name).unwrap(), b"not the secret named was given".to_vec());
    let w = WideArea::start(settings(n.port(), Some(wrong), None));
    w.publish(&queue("lab", "Lab"));
    let mut rx = w.status();
    let wait = rx.wait_for(|s| s.error.is_some());
    let s = tokio::time::timeout(Duration::from_secs(60), wait).await.unwrap().unwrap().clone();
    let e = s.error.unwrap();
    assert!(e.contains("refused the TSIG signature of key quire-key. (BADSIG)"), "{e}");
    assert!(e.contains("DNSSDUpdateKey"), "{e}");
    assert_eq!(s.published, 0);
    assert!(dig(&n, "_ipp._tcp.campus.test", "PTR").is_empty());
    let log = n.log();
    assert!(log.contains("TSIG quire-key: tsig verify failure (BADSIG)"), "named's side: {log}");
    // Unsigned: refused too, with the other message.
    let w = WideArea::start(settings(n.port(), None, None));
    w.publish(&queue("lab", "Lab"));
    let mut rx = w.status();
    let wait = rx.wait_for(|s| s.error.is_some());
    let e = tokio::time::timeout(Duration::from_secs(60), wait).await.unwrap().unwrap().clone();
    let e = e.error.unwrap();
    assert!(e.contains("REFUSED the update of campus.test.") && e.contains("without a key"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_retried_until_it_answers() {
    if !require_named() {
        return;
    }
    let port = quire_tests::process::free_port().unwrap();
    // The key the server started later will take.
    let k = named::keygen("quire-key").unwrap();
    let w = WideArea::start(settings(port, Some(key(&k)), None));
    let generation = w.publish(&queue("lab", "Lab"));
    let mut rx = w.status();
    let wait = rx.wait_for(|s| s.error.is_some());
    let e = tokio::time::timeout(Duration::from_secs(60), wait).await.unwrap().unwrap().clone();
    assert!(e.error.unwrap().contains("127.0.0.1"), "the server it could not reach is named");
    let n = Named::start_on_with_key(ZONE, port, &k).unwrap();
    // Retried with backoff (2 s, 4 s, ...) until it is published.
    let wait = rx.wait_for(|s| s.published >= generation);
    let s = tokio::time::timeout(Duration::from_secs(120), wait).await.unwrap().unwrap().clone();
    assert_eq!(s.error, None);
    assert_eq!(dig(&n, "_ipp._tcp.campus.test", "PTR"), ["Lab._ipp._tcp.campus.test."]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zone_file_passes_named_checkzone() {
    if !require_named() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dnssd.zone");
    let w = WideArea::start(settings(0, None, Some(path.clone())));
    let mut services = queue("office", "Office; \"Laser\" (2.0) @ $host");
    services.extend(queue("lab", "Lab"));
    published(&w, w.publish(&services)).await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("$ORIGIN campus.test.\n$TTL 120\n"), "{text}");
    // The admin's zone includes it.
    let zone = dir.path().join("campus.test.db");
    std::fs::write(
        &zone,
        format!(
            "$ORIGIN campus.test.\n$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n\
             ns A 127.0.0.1\nquire A 127.0.0.1\n$INCLUDE {}\n",
            path.display()
        ),
    )
    .unwrap();
    let check = named::checkzone(ZONE, &zone).unwrap();
    assert_eq!(check.rc, 0, "{}", check.text());
    assert!(check.stdout.contains("OK"), "{}", check.text());
    // Each change rewrites it whole; no temporary file is left beside it.
    published(&w, w.publish(&queue("lab", "Lab"))).await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("Office") && text.contains("Lab._ipp._tcp"), "{text}");
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    w.stop().await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("Lab"), "withdrawn at a clean stop: {text}");
    assert_eq!(named::checkzone(ZONE, &zone).unwrap().rc, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_configuration_withdraws_from_the_old_server_and_publishes_on_the_new() {
    if !require_named() {
        return;
    }
    let (old, new) = (Named::start(ZONE).unwrap(), Named::start(ZONE).unwrap());
    let mut slot = Slot::default();
    let first = settings(old.port(), Some(key(&old.key)), None);
    slot.publish(Some(&first), &queue("lab", "Lab")).await;
    let w = &slot.current.as_ref().unwrap().1;
    published(w, 1).await;
    assert_eq!(dig(&old, "_ipp._tcp.campus.test", "PTR"), ["Lab._ipp._tcp.campus.test."]);
    // SIGHUP with another DNSSDUpdateServer (and key): the old server's records go.
    let second = settings(new.port(), Some(key(&new.key)), None);
    slot.publish(Some(&second), &queue("lab", "Lab")).await;
    assert!(dig(&old, "_ipp._tcp.campus.test", "PTR").is_empty());
    let w = &slot.current.as_ref().unwrap().1;
    published(w, 1).await;
    assert_eq!(dig(&new, "_ipp._tcp.campus.test", "PTR"), ["Lab._ipp._tcp.campus.test."]);
    // Wide-area DNS-SD configured away: withdrawn.
    slot.publish(None, &queue("lab", "Lab")).await;
    assert!(slot.current.is_none());
    assert!(dig(&new, "_ipp._tcp.campus.test", "PTR").is_empty());
}

#[test]
fn settings_come_from_the_directives() {
    let mut c = ServerConfig::default();
    assert!(Settings::from_config(&c).is_none());
    c.wide_area.domain = Some("campus.test".into());
    c.server_name = Some("quire.local".into());
    let s = Settings::from_config(&c).unwrap().unwrap();
    assert_eq!(s.domain.to_string(), "campus.test.");
    assert_eq!(s.host, None, "a .local ServerName is no wide-area host");
    c.server_name = Some("quire.campus.test".into());
    c.wide_area.update_key = Some(quire_config::UpdateKey::new("k".into(), vec![7; 32]));
    let s = Settings::from_config(&c).unwrap().unwrap();
    assert_eq!(s.host.as_deref(), Some("quire.campus.test"));
    assert!(!format!("{s:?}").contains("7, 7"), "the secret is not in Debug output");
}
