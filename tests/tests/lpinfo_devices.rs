//! CUPS-Get-Devices (`lpinfo -v`) lists real devices as cupsd's cups-deviced does: the
//! installed CUPS backends run in discovery mode, the dnssd backend listing the IPP printers
//! another host advertises (on the simulated LAN, quire_tests::mdns_lan); include/exclude
//! schemes and the timeout are honoured, and a backend that hangs or prints garbage does not
//! spoil the answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use quire_tests::mdns_lan::{MdnsLan, Side, SideServer};
use quire_tests::{Server, ServerKind, SimOptions};

/// One `lpinfo -l -v` entry: its fields by name (class, info, make-and-model, device-id,
/// location), keyed by URI.
type Devices = BTreeMap<String, BTreeMap<String, String>>;

fn parse_long(text: &str) -> Devices {
    let mut out = Devices::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(uri) = line.strip_prefix("Device: uri = ") {
            current = Some(uri.trim().to_string());
            out.insert(uri.trim().to_string(), BTreeMap::new());
        } else if let (Some(uri), Some((k, v))) = (&current, line.trim().split_once(" = ")) {
            out.get_mut(uri).unwrap().insert(k.to_string(), v.to_string());
        }
    }
    out
}

/// The dnssd:// device whose info (the service instance name) is `name`.
fn dnssd_device<'a>(
    devices: &'a Devices,
    name: &str,
) -> Option<(&'a String, &'a BTreeMap<String, String>)> {
    devices
        .iter()
        .find(|(uri, f)| uri.starts_with("dnssd://") && f.get("info").is_some_and(|i| i == name))
}

fn lpinfo(side: &Side, server: &Server, args: &[&str]) -> (Devices, Duration) {
    let t0 = Instant::now();
    let out = side.cups_tool(server, "lpinfo", args);
    let took = t0.elapsed();
    assert_eq!(out.rc, 0, "{}: lpinfo {args:?}: {}", server.name(), out.text());
    (parse_long(&out.stdout), took)
}

fn servers(side: &Side, opts: &SideServer) -> Vec<Server> {
    let mut list = vec![side.start_server(ServerKind::Cupsd, Path::new("/usr/sbin/cupsd"), opts)];
    if let Some(quired) = quire_tests::server_binary(ServerKind::Quired) {
        list.push(side.start_server(ServerKind::Quired, &quired, opts));
    }
    list.into_iter().map(|s| s.unwrap()).collect()
}

#[test]
fn lpinfo_lists_the_ipp_printers_of_the_other_side_as_dnssd_devices() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    // Two simulated printers on A, advertised as a real printer advertises itself.
    let mut printers = Vec::new();
    for (name, model) in [("Lobby", "Quire Sim Lobby"), ("Lab", "Quire Sim Lab Color")] {
        let sim = SimOptions::new().name(name).make_and_model(model).at(lan.a.place());
        let sim = sim.listen_on(std::net::Ipv4Addr::UNSPECIFIED);
        let sim = sim.start().unwrap();
        let ty = format!("ty={model}");
        let uuid = format!("UUID=00000000-0000-4000-8000-00000000000{}", printers.len());
        let txt = ["txtvers=1", "qtotal=1", "rp=ipp/print", &ty, &uuid, "pdl=application/pdf"];
        let publisher = lan.a.publish(name, "_ipp._tcp", sim.port, &txt).unwrap();
        printers.push((name, model, sim, publisher));
    }
    for (name, ..) in &printers {
        lan.b.wait_shown("_ipp._tcp", name, Duration::from_secs(30)).unwrap();
    }
    let opts = SideServer { browsing: false, default_socket: false, ..SideServer::default() };
    let mut answers = Vec::new();
    for server in servers(&lan.b, &opts) {
        // CUPS's dnssd backend reports a printer at its first idle moment after asking for
        // its TXT record, with or without the answer ("unknown", no UUID): a race in the
        // backend, whichever daemon runs it. Asked again (at most 4 times) until it won.
        let mut tries = 0;
        let devices = loop {
            tries += 1;
            let (devices, took) = lpinfo(&lan.b, &server, &["-l", "-v"]);
            eprintln!("figure: {} lpinfo -l -v took {took:?}", server.name());
            let complete = printers.iter().all(|(name, model, ..)| {
                dnssd_device(&devices, name).is_some_and(|(_, f)| {
                    f.get("make-and-model").is_some_and(|m| m.ends_with(model))
                })
            });
            if complete || tries == 4 {
                break devices;
            }
            eprintln!("{}: the dnssd backend raced its TXT answers: {devices:#?}", server.name());
        };
        eprintln!("{} (try {tries}): {devices:#?}", server.name());
        for (name, model, ..) in &printers {
            let (uri, fields) = dnssd_device(&devices, name).unwrap_or_else(|| {
                panic!("{}: no dnssd device {name}: {devices:#?}", server.name())
            });
            assert!(uri.contains("._ipp._tcp.local/?uuid="), "{uri}");
            let mm = fields.get("make-and-model").cloned().unwrap_or_default();
            // The dnssd backend makes it from `ty`, the maker once more in front.
            assert!(mm.ends_with(model), "{}: {uri}: make-and-model {mm:?}", server.name());
            assert_eq!(fields.get("class").map(String::as_str), Some("network"));
        }
        assert!(devices.contains_key("socket") && devices.contains_key("ipp"), "{devices:#?}");
        answers.push((server.name(), devices));
    }
    if let [(a, theirs), (b, ours)] = &answers[..] {
        for (uri, fields) in theirs {
            match ours.get(uri) {
                None => eprintln!("difference: only {a} lists {uri} {fields:?}"),
                Some(f) if f != fields => eprintln!("difference: {uri}: {a} {fields:?}, {b} {f:?}"),
                Some(_) => {}
            }
        }
        for uri in ours.keys().filter(|u| !theirs.contains_key(*u)) {
            eprintln!("difference: only {b} lists {uri} {:?}", ours[uri]);
        }
        // The DNS-SD devices are the same, field by field.
        let dnssd = |d: &Devices| -> Devices {
            d.iter()
                .filter(|(u, _)| u.starts_with("dnssd://"))
                .map(|(u, f)| (u.clone(), f.clone()))
                .collect()
        };
        assert_eq!(dnssd(ours), dnssd(theirs), "{b} vs {a}");
    }

    // --include-schemes / --exclude-schemes, on both.
    for server in servers(&lan.b, &opts) {
        let (only, _) = lpinfo(&lan.b, &server, &["--include-schemes", "dnssd,socket", "-l", "-v"]);
        assert!(only.keys().all(|u| u.starts_with("dnssd://") || u == "socket"), "{only:#?}");
        assert!(only.contains_key("socket") && only.keys().any(|u| u.starts_with("dnssd://")));
        let (without, _) = lpinfo(&lan.b, &server, &["--exclude-schemes", "dnssd,ipp", "-l", "-v"]);
        assert!(!without.keys().any(|u| u.starts_with("dnssd://") || u == "ipp"), "{without:#?}");
        assert!(without.contains_key("socket"), "{without:#?}");
    }
}

/// A ServerBin of test backends (root-owned, mode 0755: they run as `lp`; those named
/// `root*` 0700: they run as root), with cupsd's
/// helper programs (`daemon/cups-deviced`) linked in.
fn test_server_bin(backends: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("quire-serverbin-").tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("/usr/lib/cups/daemon", dir.path().join("daemon")).unwrap();
    let bin = dir.path().join("backend");
    std::fs::create_dir(&bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (name, script) in backends {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        // Mode 0700: nobody else may run it, so it runs as root (cupsd's rule).
        let mode = if name.starts_with("root") { 0o700 } else { 0o755 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    dir
}

#[test]
fn a_backend_that_hangs_or_prints_garbage_does_not_spoil_the_answer() {
    let bin = test_server_bin(&[
        ("good", r#"echo 'network good://printer "Good Make" "Good Printer" "MFG:Good;MDL:One;"'"#),
        (
            "garbage",
            "printf 'not a device line\\n\\033[2J\\001\\002\\n\"\\n'\n\
             head -c 5000 /dev/zero | tr '\\0' x; echo\n\
             echo 'direct garbage://ok \"G\\033[31mMake\" \"After Garbage\"'",
        ),
        ("hangs", "echo 'network hangs://early \"Hang Make\" \"Before Hanging\"'; exec sleep 3607"),
        ("whoami", r#"echo "network whoami://$(id -un) \"W\" \"Who\"""#),
        ("rootonly", r#"echo "network rootonly://$(id -un) \"R\" \"Root\"""#),
    ]);
    let files_extra = format!("ServerBin {}\n", bin.path().display());
    let env = vec![("QUIRE_CUPS_SERVERBIN".to_string(), bin.path().display().to_string())];
    let opts = SideServer {
        browsing: false,
        default_socket: false,
        files_extra,
        env,
        ..SideServer::default()
    };
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    for server in servers(&lan.a, &opts) {
        let (devices, took) = lpinfo(&lan.a, &server, &["--timeout", "3", "-l", "-v"]);
        eprintln!(
            "figure: {} lpinfo --timeout 3 with a hanging backend took {took:?}",
            server.name()
        );
        eprintln!("{}: {devices:#?}", server.name());
        let info = |uri: &str| devices.get(uri).and_then(|f| f.get("info")).cloned();
        assert_eq!(info("good://printer").as_deref(), Some("Good Printer"), "{}", server.name());
        assert_eq!(info("hangs://early").as_deref(), Some("Before Hanging"), "{}", server.name());
        assert_eq!(info("garbage://ok").as_deref(), Some("After Garbage"), "{}", server.name());
        assert!(!devices.keys().any(|u| u.contains("not")), "{devices:#?}");
        // Who the backends ran as: lp, unless nobody else may execute them.
        assert!(devices.contains_key("whoami://lp"), "{}: {devices:#?}", server.name());
        assert!(devices.contains_key("rootonly://root"), "{}: {devices:#?}", server.name());
        if server.kind() == ServerKind::Quired {
            let mm = &devices["garbage://ok"]["make-and-model"];
            assert!(!mm.chars().any(char::is_control), "control characters kept: {mm:?}");
            assert!(
                server.log_tail(400).contains("Bad line from \"garbage\""),
                "{}",
                server.log_tail(60)
            );
        }
        // The server still answers, and the hanging backend was stopped.
        let again = lan.a.cups_tool(&server, "lpstat", &["-r"]);
        assert_eq!(again.rc, 0, "{}", again.text());
        if server.kind() == ServerKind::Quired {
            // While a discovery waits for its hanging backend, other requests are answered.
            std::thread::scope(|scope| {
                let slow = scope.spawn(|| lpinfo(&lan.a, &server, &["--timeout", "8", "-l", "-v"]));
                let other = lan.a.cups_tool(&server, "lpstat", &["-r"]);
                assert_eq!(other.rc, 0, "{}", other.text());
                assert!(!slow.is_finished(), "lpinfo ended before lpstat was answered");
                let (devices, took) = slow.join().unwrap();
                eprintln!("figure: quired lpinfo --timeout 8 (while lpstat -r was answered) took {took:?}");
                assert!(devices.contains_key("hangs://early"), "{devices:#?}");
            });
        }
    }
    let left = lan.a.command(10, "pgrep", &["-x", "-f", "sleep 3607"], &[]);
    assert!(left.stdout.trim().is_empty(), "a hanging backend was left running: {}", left.text());
}
