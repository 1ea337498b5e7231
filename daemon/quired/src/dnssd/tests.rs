use super::*;
use quire_config::ServerConfig;

fn config(lines: &[quire_config::Listen]) -> ServerConfig {
    ServerConfig { listen: lines.to_vec(), ..ServerConfig::default() }
}

#[test]
fn shared_only_with_a_listener_that_is_not_loopback() {
    use quire_config::Listen;
    let local = config(&[
        Listen::Host { name: "localhost".into(), port: 631 },
        Listen::Addr("127.0.0.1:8631".parse().expect("addr")),
        Listen::Unix("/run/cups/cups.sock".into()),
    ]);
    assert_eq!(Sharing::from_config(&local), None, "cupsd shares nothing on loopback alone");
    let lan =
        config(&[Listen::Unix("/s".into()), Listen::Addr("10.1.2.3:8632".parse().expect("a"))]);
    let s = Sharing::from_config(&lan).expect("shared");
    assert_eq!(s.port, 8632);
    assert_eq!(s.subtypes, ["_cups", "_print", "_universal"]);
    let mut off = lan.clone();
    off.browsing = false;
    assert_eq!(Sharing::from_config(&off), None);
    let mut none = lan;
    none.browse_dnssd = false;
    assert_eq!(Sharing::from_config(&none), None);
}

#[test]
fn every_queue_gets_cupsd_s_three_services() {
    let sharing = Sharing {
        port: 631,
        subtypes: vec!["_cups".into(), "_print".into()],
        host_name: None,
        admin_scheme: "https",
        wide_area: None,
    };
    let names = Names { host: "quire-a.local".into(), computer: "quire-a".into() };
    let q = QueueFacts { name: "office".into(), info: "Office".into(), ..QueueFacts::default() };
    let office = &registration(&sharing, &names, &q);
    assert_eq!(office.instance, "Office @ quire-a");
    let types: Vec<(&str, u16, usize)> = office
        .services
        .iter()
        .map(|s| (s.service_type.as_str(), s.port, s.subtypes.len()))
        .collect();
    assert_eq!(types, [("_printer._tcp", 0, 0), ("_ipp._tcp", 631, 2), ("_ipps._tcp", 631, 2)]);
    let ipp = &office.services[1];
    assert!(ipp
        .txt
        .contains(&("adminurl".into(), "https://quire-a.local.:631/printers/office".into())));
    assert_eq!(ipp.host, "quire-a.local");
    let named = Sharing { host_name: Some("print.example.com".into()), ..sharing };
    let r = registration(&named, &names, &QueueFacts { name: "x".into(), ..QueueFacts::default() });
    assert!(r.services.iter().all(|s| s.host == "print.example.com"));
}

#[test]
fn only_the_marked_queues_are_read_back_and_built_again() {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
        // A scheduler with three shared queues, answering what it is asked.
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = asked.clone();
        tokio::spawn(async move {
            while let Some(Command::SharedQueues { keys, reply }) = rx.recv().await {
                log.lock().expect("log").push(keys.clone());
                let all = ["Desk", "hall", "Lab"];
                let facts = |n: &str| QueueFacts {
                    name: n.into(),
                    info: n.into(),
                    ..QueueFacts::default()
                };
                let answer = match keys {
                    None => all.iter().map(|n| (n.to_ascii_lowercase(), Some(facts(n)))).collect(),
                    // "lab" stopped being shared.
                    Some(keys) => keys
                        .into_iter()
                        .map(|k| {
                            (
                                k.clone(),
                                (k != "lab").then(|| facts(if k == "desk" { "Desk" } else { &k })),
                            )
                        })
                        .collect(),
                };
                let _ = reply.send(answer);
            }
        });
        let dirty = queues::Dirty::default();
        let mut known = queues::Queues::default();
        let sharing = Sharing {
            port: 631,
            subtypes: vec![],
            host_name: None,
            admin_scheme: "http",
            wide_area: None,
        };
        let names = Names { host: "h.local".into(), computer: "h".into() };
        known.refresh(&dirty, &tx).await.expect("answer");
        let regs: Vec<String> = known.registrations(&sharing, &names).keys().cloned().collect();
        assert_eq!(regs, ["Desk", "Lab", "hall"]);
        // Nothing marked: nothing asked.
        known.refresh(&dirty, &tx).await.expect("answer");
        let (desk, lab) = ("desk".to_string(), "lab".to_string());
        dirty.mark([&desk, &lab]);
        known.refresh(&dirty, &tx).await.expect("answer");
        let regs: Vec<String> = known.registrations(&sharing, &names).keys().cloned().collect();
        assert_eq!(regs, ["Desk", "hall"]);
        assert_eq!(
            *asked.lock().expect("log"),
            [None, Some(vec!["desk".to_string(), "lab".to_string()])]
        );
        dirty.mark_all();
        known.refresh(&dirty, &tx).await.expect("answer");
        assert_eq!(asked.lock().expect("log").last(), Some(&None));
    });
}
