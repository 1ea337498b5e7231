use std::net::SocketAddr;
use std::time::Duration;

use crate::access::parse_host_rule;
use crate::model::{HostRule, Listen, MinRate, Preserve, PullHost, PullPort};
use crate::values::*;

#[test]
fn booleans() {
    for t in ["Yes", "yes", "On", "TRUE", "enabled", "1"] {
        assert_eq!(parse_bool(t), Ok(true), "{t}");
    }
    for f in ["No", "off", "False", "disabled", "0"] {
        assert_eq!(parse_bool(f), Ok(false), "{f}");
    }
    assert_eq!(parse_bool("maybe"), Err(ValueError::NotBoolean));
    assert_eq!(parse_bool(""), Err(ValueError::Empty));
}

#[test]
fn times() {
    assert_eq!(parse_time("30"), Ok(Duration::from_secs(30)));
    assert_eq!(parse_time("30s"), Ok(Duration::from_secs(30)));
    assert_eq!(parse_time("30m"), Ok(Duration::from_secs(1800)));
    assert_eq!(parse_time("2h"), Ok(Duration::from_secs(7200)));
    assert_eq!(parse_time("1d"), Ok(Duration::from_secs(86400)));
    assert_eq!(parse_time("1W"), Ok(Duration::from_secs(604800)));
    assert_eq!(parse_time("1.5h"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_time("1y"), Err(ValueError::BadSuffix('y')));
    assert_eq!(parse_time("abc"), Err(ValueError::NotANumber));
    assert_eq!(parse_time("-5"), Err(ValueError::NotANumber));
    assert_eq!(parse_time("1.2.3"), Err(ValueError::NotANumber));
    assert!(parse_time("99999999999999999999999999w").is_err());
}

#[test]
fn sizes_and_counts() {
    assert_eq!(parse_size("1048576"), Ok(1 << 20));
    assert_eq!(parse_size("64k"), Ok(64 << 10));
    assert_eq!(parse_size("32M"), Ok(32 << 20));
    assert_eq!(parse_size("1g"), Ok(1 << 30));
    assert_eq!(parse_size("2t"), Ok(2 << 40));
    assert_eq!(parse_size("1.5m"), Err(ValueError::NotANumber));
    assert_eq!(parse_size("99999999999t"), Err(ValueError::OutOfRange));
    assert_eq!(parse_count("500"), Ok(500));
    assert_eq!(parse_count("8g"), Err(ValueError::OutOfRange));
    assert_eq!(parse_count("abc"), Err(ValueError::NotANumber));
}

#[test]
fn preserve() {
    assert_eq!(parse_preserve("Yes"), Ok(Preserve::Yes));
    assert_eq!(parse_preserve("off"), Ok(Preserve::No));
    assert_eq!(parse_preserve("0"), Ok(Preserve::No));
    assert_eq!(parse_preserve("1d"), Ok(Preserve::For(Duration::from_secs(86400))));
    assert_eq!(parse_preserve("1"), Ok(Preserve::For(Duration::from_secs(1))));
    assert!(parse_preserve("forever").is_err());
}

#[test]
fn modes_and_keywords() {
    assert_eq!(parse_mode("0640"), Ok(0o640));
    assert_eq!(parse_mode("00644"), Ok(0o644));
    assert_eq!(parse_mode("0999"), Err(ValueError::BadMode));
    assert_eq!(parse_keyword("DEBUG2", &["debug", "debug2"]), Ok(1));
    assert!(parse_keyword("loud", &["debug"]).is_err());
    assert_eq!(single_word(" a "), Ok("a"));
    assert_eq!(single_word("a b"), Err(ValueError::TooManyValues));
}

#[test]
fn listen_values() {
    let addr = |s: &str| Listen::Addr(s.parse::<SocketAddr>().unwrap());
    assert_eq!(parse_listen("127.0.0.1:631"), Ok(addr("127.0.0.1:631")));
    assert_eq!(parse_listen("[::1]:8631"), Ok(addr("[::1]:8631")));
    assert_eq!(parse_listen("[::1]"), Ok(addr("[::1]:631")));
    assert_eq!(parse_listen("*:631"), Ok(Listen::Any(631)));
    assert_eq!(parse_listen("631"), Ok(Listen::Any(631)));
    assert_eq!(
        parse_listen("Localhost:631"),
        Ok(Listen::Host { name: "localhost".into(), port: 631 })
    );
    assert_eq!(parse_listen("localhost"), Ok(Listen::Host { name: "localhost".into(), port: 631 }));
    assert_eq!(parse_listen("/run/cups/cups.sock"), Ok(Listen::Unix("/run/cups/cups.sock".into())));
    for bad in ["nonsense!", "host:0", "host:70000", "::1:631", "[::1", "[zz]:1", "1.2.3:631", ""] {
        assert!(parse_listen(bad).is_err(), "{bad}");
    }
}

#[test]
fn host_rules() {
    let net = |a: &str, p| HostRule::Net { addr: a.parse().unwrap(), prefix: p };
    assert_eq!(parse_host_rule("all"), Ok(HostRule::All));
    assert_eq!(parse_host_rule("@LOCAL"), Ok(HostRule::Local));
    assert_eq!(parse_host_rule("@IF(eth0)"), Ok(HostRule::Interface("eth0".into())));
    assert_eq!(parse_host_rule("10."), Ok(net("10.0.0.0", 8)));
    assert_eq!(parse_host_rule("10./8"), Ok(net("10.0.0.0", 8)));
    assert_eq!(parse_host_rule("192.168.1.0/255.255.255.0"), Ok(net("192.168.1.0", 24)));
    assert_eq!(parse_host_rule("192.168.1.7"), Ok(net("192.168.1.7", 32)));
    assert_eq!(parse_host_rule("[::1]"), Ok(net("::1", 128)));
    assert_eq!(parse_host_rule("[fe80::]/10"), Ok(net("fe80::", 10)));
    assert_eq!(parse_host_rule("*.Example.com"), Ok(HostRule::Domain("example.com".into())));
    assert_eq!(parse_host_rule(".example.com"), Ok(HostRule::Domain("example.com".into())));
    assert_eq!(parse_host_rule("host.example.com"), Ok(HostRule::Host("host.example.com".into())));
    for bad in [
        "10.0.0.0/33",
        "10.0.0.0/255.0.255.0",
        "300.1.1.1",
        "[::1]/200",
        "a*b",
        "*",
        "@IF()",
        "h/8",
    ] {
        assert!(parse_host_rule(bad).is_err(), "{bad}");
    }
}

#[test]
fn pull_hosts_name_ports() {
    let h = |host: &str, port: PullPort| Ok(PullHost { host: host.into(), port });
    assert_eq!(
        parse_pull_host("Docs.Example.COM."),
        h("docs.example.com", PullPort::SchemeDefault)
    );
    assert_eq!(
        parse_pull_host("docs.example.com:8080"),
        h("docs.example.com", PullPort::Port(8080))
    );
    assert_eq!(parse_pull_host("10.0.0.1:*"), h("10.0.0.1", PullPort::Any));
    assert_eq!(parse_pull_host("[2001:DB8::1]:631"), h("2001:db8::1", PullPort::Port(631)));
    assert_eq!(parse_pull_host("[::1]"), h("::1", PullPort::SchemeDefault));
    assert_eq!(parse_pull_host("0:0::1"), h("::1", PullPort::SchemeDefault));
    let bad_ones =
        ["host:0", "host:65536", "host:http", "[::1", "[::1]x", "", ":80", "a/b", "h:1:2x"];
    // Empty labels name no host (proptest found "..", read as the host ".").
    let empty_labels = [".", "..", "..:80", ".example.com", "docs..example.com"];
    for bad in bad_ones.into_iter().chain(empty_labels) {
        assert!(parse_pull_host(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn pull_min_rate() {
    assert_eq!(parse_min_rate("0"), Ok(None));
    assert_eq!(
        parse_min_rate("2k"),
        Ok(Some(MinRate { bytes_per_second: 2048, window: Duration::from_secs(30) }))
    );
    assert_eq!(
        parse_min_rate("100 5"),
        Ok(Some(MinRate { bytes_per_second: 100, window: Duration::from_secs(5) }))
    );
    assert!(parse_min_rate("100 0").is_err());
    assert!(parse_min_rate("100 5 6").is_err());
    assert!(parse_min_rate("fast").is_err());
}

#[test]
fn wide_area_domain_server_and_zone_file() {
    assert_eq!(parse_domain("Campus.Example."), Ok("campus.example".into()));
    assert!(parse_domain("a..b").is_err());
    assert!(parse_domain("a b").is_err());
    assert!(parse_domain("bad\\.label").is_err());
    assert!(parse_domain(&"x".repeat(64)).is_err());
    let s = parse_update_server("ns1.campus.example").unwrap();
    assert_eq!((s.host.as_str(), s.port), ("ns1.campus.example", 53));
    let s = parse_update_server("[::1]:5353").unwrap();
    assert_eq!((s.host.as_str(), s.port), ("::1", 5353));
    assert!(parse_update_server("ns1:*").is_err());
    assert!(parse_update_server("ns1:0").is_err());
    assert_eq!(absolute_path("/var/lib/quire/dnssd.zone"), Ok("/var/lib/quire/dnssd.zone".into()));
    assert!(absolute_path("dnssd.zone").is_err());
}

#[test]
fn update_keys_decode_and_never_show_their_secret() {
    let secret = "c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3I=";
    let k = parse_update_key(&format!("quire-key \"{secret}\"")).unwrap();
    assert_eq!(k.name, "quire-key");
    assert_eq!(k.secret(), b"secret secret secret secret secr");
    assert!(!format!("{k:?}").contains("c2Vj") && !format!("{k:?}").contains("secret secret"));
    assert!(parse_update_key("quire-key").is_err());
    assert!(parse_update_key("quire-key c2hvcnQ=").is_err(), "too short");
    let e = parse_update_key("quire-key not*base64!").unwrap_err().to_string();
    assert!(!e.contains("not*base64"), "{e}");
}

#[test]
fn a_bad_or_misplaced_key_line_does_not_show_the_secret() {
    use std::path::Path;
    let line = "DNSSDUpdateKey quire-key SECRETSECRET*\n";
    let (f, _) = crate::parse(line, Path::new("cups-files.conf"));
    let (c, _) = crate::parse(line, Path::new("cupsd.conf"));
    let (cfg, diags) = crate::validate(&c, &f);
    let diags: Vec<_> = diags.iter().filter(|d| d.to_string().contains("DNSSD")).collect();
    assert_eq!(diags.len(), 2, "{diags:?}");
    for d in &diags {
        assert!(!d.to_string().contains("SECRET"), "{d}");
    }
    assert_eq!(cfg.wide_area.update_key, None);
    let good = "DNSSDUpdateKey k c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3I=\nDNSSDZoneFile /z\n";
    let (f, _) = crate::parse(good, Path::new("cups-files.conf"));
    let (c, _) = crate::parse(
        "DNSSDWideAreaDomain campus.test.\nDNSSDUpdateServer 127.0.0.1:5300\n",
        Path::new("cupsd.conf"),
    );
    let (cfg, diags) = crate::validate(&c, &f);
    assert!(diags.iter().all(|d| !d.to_string().contains("DNSSD")), "{diags:?}");
    assert_eq!(cfg.wide_area.domain.as_deref(), Some("campus.test"));
    assert_eq!(cfg.wide_area.update_server.unwrap().port, 5300);
    assert_eq!(cfg.wide_area.update_key.unwrap().name, "k");
    assert_eq!(cfg.wide_area.zone_file, Some("/z".into()));
}
