use super::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn parses_the_lines_cups_backends_print() {
    let d = parse_line(br#"network socket "Unknown" "AppSocket/HP JetDirect""#).unwrap();
    assert_eq!((d.class.as_str(), d.uri.as_str()), ("network", "socket"));
    assert_eq!((d.make_and_model.as_str(), d.info.as_str()), ("Unknown", "AppSocket/HP JetDirect"));
    assert_eq!((d.device_id.as_str(), d.location.as_str()), ("", ""));
    let line = br#"network dnssd://Office%20Printer%20%40%20quire-a._ipp._tcp.local/cups?uuid=1 "Printer - IPP Everywhere" "Office Printer @ quire-a" "MFG:Quire;MDL:Sim;" "2nd \"floor\"""#;
    let d = parse_line(line).unwrap();
    assert!(d.uri.starts_with("dnssd://Office%20Printer"));
    assert_eq!(d.info, "Office Printer @ quire-a");
    assert_eq!(d.device_id, "MFG:Quire;MDL:Sim;");
    assert_eq!(d.location, "2nd \"floor\"");
    // Trailing whitespace and a CR are fine.
    assert!(parse_line(b"direct usb \"Unknown\" \"USB Printer (usb)\" \r").is_ok());
}

#[test]
fn refuses_malformed_lines_and_cleans_text() {
    assert_eq!(parse_line(b""), Err(LineError::BadClass));
    assert_eq!(parse_line(b"net;work x: \"a\" \"b\""), Err(LineError::BadClass));
    assert_eq!(parse_line(b"network"), Err(LineError::BadUri));
    assert_eq!(parse_line(b"network 1abc \"a\" \"b\""), Err(LineError::BadUri));
    assert_eq!(
        parse_line(b"network ipp Unknown \"b\""),
        Err(LineError::BadQuoting("device-make-and-model"))
    );
    assert_eq!(parse_line(b"network ipp \"a\" \"b"), Err(LineError::BadQuoting("device-info")));
    assert_eq!(
        parse_line(b"network ipp \"a\"\"b\""),
        Err(LineError::BadQuoting("device-make-and-model"))
    );
    assert_eq!(parse_line(b"network ipp \"a\" \"b\" \"c\" \"d\" e"), Err(LineError::TrailingText));
    assert_eq!(parse_line(&[b'x'; MAX_LINE + 1]), Err(LineError::TooLong));
    let d = parse_line(b"network ipp \"a\x1b[2J\x07b\" \"\xff\\\ninfo\"").unwrap();
    assert_eq!(d.make_and_model, "a[2Jb");
    assert_eq!(d.info, "\u{fffd}info");
    let long = format!("network ipp \"m\" \"{}\"", "é".repeat(100));
    assert!(parse_line(long.as_bytes()).unwrap().info.len() <= MAX_INFO);
}

#[test]
fn query_filters_schemes() {
    let q = Query {
        include: Some(vec!["usb".into(), "dnssd".into()]),
        exclude: vec!["usb".into()],
        ..Query::default()
    };
    assert!(q.wants("dnssd"));
    assert!(!q.wants("usb"));
    assert!(!q.wants("snmp"));
    assert!(Query::default().wants("snmp"));
}

/// A ServerBin with the given backends (scripts, mode 0700: they run as us).
fn server_bin(backends: &[(&str, &str)]) -> (tempfile::TempDir, CupsConfig) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("backend");
    std::fs::create_dir(&bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (name, script) in backends {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let config = CupsConfig { server_bin: dir.path().into(), ..CupsConfig::default() };
    (dir, config)
}

#[test]
fn runs_backends_drops_duplicates_and_bad_lines_and_stops_at_the_timeout() {
    let (_dir, config) = server_bin(&[
        (
            "good",
            r#"echo 'network good://a "Make A" "Device A"'; echo 'network good://a "Make A" "Device A"'"#,
        ),
        (
            "noisy",
            r#"echo 'garbage'; printf '\033[31m\n'; echo 'direct noisy://b "Make B" "Device B" "MFG:B;"'"#,
        ),
        ("hangs", r#"echo 'network hangs://c "Make C" "Device C"'; exec sleep 600"#),
        ("env", r#"echo "file env://$USER \"$SOFTWARE\" \"$CUPS_SERVERBIN\"""#),
    ]);
    let query = Query { timeout: Duration::from_secs(2), ..Query::default() };
    let mut found = discover(&config, None, &query);
    found.sort_by(|a, b| a.uri.cmp(&b.uri));
    let uris: Vec<&str> = found.iter().map(|d| d.uri.as_str()).collect();
    assert_eq!(uris, ["env://root", "good://a", "hangs://c", "noisy://b"], "{found:?}");
    assert_eq!(found[0].info, config.server_bin.display().to_string());
    assert!(found[0].make_and_model.starts_with("Quire/"));
    assert_eq!(found[3].device_id, "MFG:B;");
}

#[test]
fn honours_include_exclude_and_limit() {
    let (_dir, config) = server_bin(&[
        ("one", r#"echo 'network one://1 "M" "1"'; echo 'network one://2 "M" "2"'"#),
        ("two", r#"echo 'network two://1 "M" "1"'"#),
    ]);
    let q = |include: Option<&[&str]>, exclude: &[&str], limit| Query {
        timeout: Duration::from_secs(5),
        limit,
        include: include.map(|i| i.iter().map(|s| s.to_string()).collect()),
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
    };
    let uris = |q: Query| {
        let mut u: Vec<String> = discover(&config, None, &q).into_iter().map(|d| d.uri).collect();
        u.sort();
        u
    };
    assert_eq!(uris(q(Some(&["two"]), &[], 100)), ["two://1"]);
    assert_eq!(uris(q(None, &["two"], 100)), ["one://1", "one://2"]);
    assert_eq!(uris(q(None, &[], 1)).len(), 1);
}

#[test]
fn a_program_a_backend_leaves_behind_is_stopped_too() {
    // The backend exits at once; the program it started keeps its output open.
    let (_dir, config) = server_bin(&[(
        "leaves",
        r#"echo 'network leaves://a "M" "A"'; (exec sleep 3613) & exit 0"#,
    )]);
    let query = Query { timeout: Duration::from_secs(2), ..Query::default() };
    let found = discover(&config, None, &query);
    assert_eq!(found.len(), 1, "{found:?}");
    let left = std::process::Command::new("pgrep").args(["-x", "-f", "sleep 3613"]).output();
    let left = left.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    assert!(left.trim().is_empty(), "left running: {left}");
}
