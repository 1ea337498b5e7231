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
    };
    let names = Names { host: "quire-a.local".into(), computer: "quire-a".into() };
    let q = QueueFacts { name: "office".into(), info: "Office".into(), ..QueueFacts::default() };
    let r = registrations(&sharing, &names, &[q]);
    let office = &r["office"];
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
    let r =
        registrations(&named, &names, &[QueueFacts { name: "x".into(), ..QueueFacts::default() }]);
    assert!(r["x"].services.iter().all(|s| s.host == "print.example.com"));
}
