use super::*;

fn tcp(host: &str, port: u16) -> Destination {
    Destination::Tcp { host: host.into(), port }
}

#[test]
fn parses_cups_conventions() {
    assert_eq!(Destination::parse("printhost").unwrap(), tcp("printhost", 631));
    assert_eq!(Destination::parse("printhost:8631").unwrap(), tcp("printhost", 8631));
    assert_eq!(Destination::parse("127.0.0.1:8631").unwrap(), tcp("127.0.0.1", 8631));
    assert_eq!(Destination::parse("[::1]:631").unwrap(), tcp("::1", 631));
    assert_eq!(Destination::parse("[::1]").unwrap(), tcp("::1", 631));
    assert_eq!(Destination::parse("fe80::1").unwrap(), tcp("fe80::1", 631));
    assert_eq!(Destination::parse("host:631/version=1.1").unwrap(), tcp("host", 631));
    assert_eq!(
        Destination::parse("/run/cups/cups.sock").unwrap(),
        Destination::Unix("/run/cups/cups.sock".into())
    );
}

#[test]
fn rejects_garbage() {
    for s in ["", ":631", "host:", "host:0", "host:99999", "host:abc", "[::1", "[::1]x", "a b"] {
        assert!(Destination::parse(s).is_err(), "{s:?} should not parse");
    }
}

#[test]
fn resolve_order() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("cups.sock");
    let missing = dir.path().join("missing.sock");
    assert_eq!(Destination::resolve(Some("h:1"), &sock), tcp("h", 1));
    assert_eq!(Destination::resolve(None, &missing), tcp("localhost", 631));
    assert_eq!(Destination::resolve(Some(""), &missing), tcp("localhost", 631));
    std::fs::write(&sock, b"").unwrap();
    assert_eq!(Destination::resolve(None, &sock), Destination::Unix(sock.clone()));
    assert_eq!(Destination::resolve(Some("/x.sock"), &sock), Destination::Unix("/x.sock".into()));
}

#[test]
fn host_header_and_display() {
    assert_eq!(tcp("::1", 631).host_header(), "[::1]:631");
    assert_eq!(tcp("h", 8631).to_string(), "h:8631");
    assert_eq!(Destination::Unix("/s".into()).host_header(), "localhost");
}
