//! quired's DNS-SD sharing when the network and the host misbehave, on the simulated LAN
//! (quire_tests::mdns_lan): a name another host already uses (renamed as the responder
//! renames, and `printer-dns-sd-name` says so), Avahi stopping and coming back (quired's own
//! responder takes over and hands back), and malformed mDNS packets and TXT records from
//! another host (nothing but a log line; the queue stays advertised and served).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use quire_tests::mdns_lan::{MdnsLan, Side, SideOptions, SideServer};
use quire_tests::{Server, ServerKind, SimOptions};

const LIMIT: Duration = Duration::from_secs(30);

fn lpadmin(side: &Side, server: &Server, args: &[&str]) {
    let out = side.cups_tool(server, "lpadmin", args);
    assert_eq!(out.rc, 0, "lpadmin {args:?}: {}\n{}", out.text(), server.log_tail(30));
}

/// `printer-dns-sd-name` of queue `queue`, asked with ipptool on the side.
fn dns_sd_name(side: &Side, server: &Server, queue: &str) -> String {
    let test = side.dir().join("dns-sd-name.test");
    std::fs::write(
        &test,
        "{ OPERATION Get-Printer-Attributes\nGROUP operation-attributes-tag\n\
         ATTR charset attributes-charset utf-8\nATTR naturalLanguage attributes-natural-language en\n\
         ATTR uri printer-uri $uri\nATTR keyword requested-attributes printer-dns-sd-name\n\
         STATUS successful-ok\nDISPLAY printer-dns-sd-name }\n",
    )
    .unwrap();
    let uri = format!("ipp://{}:{}/printers/{queue}", side.ip(), server.port());
    let out = side.command(
        20,
        "timeout",
        &["-s", "KILL", "15", "ipptool", "-t", &uri, &test.display().to_string()],
        &[],
    );
    assert_eq!(out.rc, 0, "{}", out.text());
    out.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("printer-dns-sd-name (nameWithoutLanguage) = "))
        .unwrap_or_else(|| panic!("no printer-dns-sd-name: {}", out.text()))
        .to_string()
}

#[test]
fn a_name_taken_on_the_network_is_renamed_as_avahi_renames() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    // B's device already answers to the name A's queue would take.
    let taken = "Front Desk @ quire-a";
    let _squatter = lan.b.publish(taken, "_ipp._tcp", 631, &["rp=ipp/print"]).unwrap();
    let _squatter_s = lan.b.publish(taken, "_ipps._tcp", 631, &["rp=ipp/print"]).unwrap();
    let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
    lpadmin(&lan.a, &a, &["-p", "Desk", "-D", "Front Desk", "-v", "file:///dev/null", "-E"]);
    let renamed = format!("{taken} #2");
    let (records, took) = lan.b.wait_shown("_ipp._tcp", &renamed, LIMIT).unwrap_or_else(|e| {
        panic!("{e}\n{}\nA's browse: {:?}", a.log_tail(30), lan.a.browse("_ipp._tcp"))
    });
    eprintln!("figure: renamed registration visible on B after {took:?}");
    assert_eq!(records[0].txt("rp"), Some("printers/Desk"));
    assert_eq!(records[0].port, a.port());
    // The squatter keeps its name.
    let (squatter, _) = lan.b.wait_shown("_ipp._tcp", taken, LIMIT).unwrap();
    assert_eq!(squatter[0].txt("rp"), Some("ipp/print"));
    assert!(a.log_tail(100).contains("is taken"), "{}", a.log_tail(30));
    assert_eq!(dns_sd_name(&lan.a, &a, "Desk"), renamed);
}

#[test]
fn avahi_stopping_and_coming_back_keeps_the_queue_advertised() {
    let Some(mut lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    let sim = SimOptions::new().name("desk").at(lan.a.place()).start().unwrap();
    let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
    let uri = sim.uri();
    lpadmin(&lan.a, &a, &["-p", "Desk", "-D", "Front Desk", "-v", &uri, "-E"]);
    let name = "Front Desk @ quire-a";
    lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    assert!(a.log_tail(100).contains("Registering through Avahi"), "{}", a.log_tail(30));

    // Avahi stops (withdrawing its records): quired's own responder announces the queue.
    lan.a.stop_avahi_gracefully().unwrap();
    let ok = quire_tests::process::wait_until(LIMIT, || {
        a.log_tail(100).contains("own mDNS responder takes over")
    });
    assert!(ok, "{}", a.log_tail(30));
    let (records, took) = lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    eprintln!("figure: Avahi stopped -> advertised again by quired's responder after {took:?}");
    assert_eq!(records[0].txt("rp"), Some("printers/Desk"));

    // Avahi comes back: quired registers through it again, and the queue stays found.
    lan.a.start_avahi_daemon().unwrap();
    let ok = quire_tests::process::wait_until(Duration::from_secs(40), || {
        a.log_tail(200).matches("Registering through Avahi").count() >= 2
    });
    assert!(ok, "{}", a.log_tail(30));
    let (records, _) = lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    assert_eq!(records[0].port, a.port());
    let (own, _) = lan.a.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    assert_eq!(own[0].txt("rp"), Some("printers/Desk"), "A's Avahi holds the registration");

    // The system bus itself goes (Avahi with it) and comes back (Avahi restarted on it).
    lan.a.stop_dbus();
    let ok = quire_tests::process::wait_until(LIMIT, || {
        a.log_tail(300).matches("own mDNS responder takes over").count() >= 2
    });
    assert!(ok, "{}", a.log_tail(30));
    lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    lan.a.start_dbus().unwrap();
    let ok = quire_tests::process::wait_until(Duration::from_secs(40), || {
        a.log_tail(300).matches("Registering through Avahi").count() >= 3
    });
    assert!(ok, "{}", a.log_tail(30));
    lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    // And the queue served jobs throughout.
    let doc = lan.a.dir().join("doc.pdf");
    quire_tests::simulated_printer::write_marked_pdf(&doc, "avahi-back", 1).unwrap();
    let lp =
        lan.a.cups_tool(&a, "lp", &["-d", "Desk", "-t", "avahi-back", &doc.display().to_string()]);
    assert_eq!(lp.rc, 0, "{}", lp.text());
    let printed = quire_tests::process::wait_until(LIMIT, || {
        sim.page_log().unwrap().iter().any(|p| p.job_name == "avahi-back")
    });
    assert!(printed, "{}", a.log_tail(30));
}

/// Datagrams no mDNS responder should choke on: empty, a header claiming records that are
/// not there, a name whose compression pointer points at itself, labels past the end, a
/// TXT record longer than its packet, and random bytes.
fn bad_packets() -> Vec<Vec<u8>> {
    let header = |qd: u16, an: u16| {
        let mut h = vec![0, 0, 0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        h[4..6].copy_from_slice(&qd.to_be_bytes());
        h[6..8].copy_from_slice(&an.to_be_bytes());
        h
    };
    let mut loop_ptr = header(0, 1);
    loop_ptr.extend([0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 120, 0, 1, 0]);
    let mut past_end = header(1, 0);
    past_end.extend([63, b'a', b'b']);
    let mut long_txt = header(0, 1);
    long_txt.extend([5, b'_', b'i', b'p', b'p', b's', 0, 0, 16, 0, 1, 0, 0, 0, 120, 0xff, 0xff, 3]);
    let mut random = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..64 {
        let len = (x % 1400) as usize;
        let mut p = Vec::with_capacity(len);
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            p.push(x as u8);
        }
        random.push(p);
    }
    let mut all = vec![Vec::new(), header(65535, 65535), loop_ptr, past_end, long_txt];
    all.extend(random);
    all
}

#[test]
fn malformed_mdns_packets_and_txt_from_another_host_hurt_nothing() {
    let a_opts = SideOptions::new("quire-a").avahi(false);
    let Some(lan) = MdnsLan::or_skip(a_opts, SideOptions::new("quire-b")) else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
    lpadmin(&lan.a, &a, &["-p", "Desk", "-D", "Front Desk", "-v", "file:///dev/null", "-E"]);
    let name = "Front Desk @ quire-a";
    lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    // B advertises a "printer" whose TXT is hostile, and floods the link with bad packets.
    let _hostile = lan
        .b
        .publish(
            "Hostile",
            "_ipp._tcp",
            631,
            &["rp=../../etc/passwd", "ty=\u{1b}[2J\u{7}evil", "note=x\"y"],
        )
        .unwrap();
    // To A's mDNS port directly (every packet reaches it) and to the mDNS group.
    let a_ip = lan.a.ip().to_string();
    let sent = lan.b.place().in_netns(|| -> std::io::Result<(usize, usize)> {
        let sock = std::net::UdpSocket::bind((lan.b.ip(), 0))?;
        let (mut direct, mut group) = (0, 0);
        for _ in 0..5 {
            for p in bad_packets() {
                direct += usize::from(sock.send_to(&p, (a_ip.as_str(), 5353)).is_ok());
                group += usize::from(sock.send_to(&p, ("224.0.0.251", 5353)).is_ok());
            }
        }
        Ok((direct, group))
    });
    let (direct, group) = sent.unwrap().unwrap();
    eprintln!("sent {direct} bad packets to A and {group} to the group");
    assert_eq!(direct, 5 * bad_packets().len());
    // quired still serves, its responder still answers, and lpinfo -v lists no hostile device.
    let lpstat = lan.a.cups_tool(&a, "lpstat", &["-p", "Desk"]);
    assert!(lpstat.stdout.contains("printer Desk"), "{}", lpstat.text());
    let _ = lan.b.wait_gone("_ipp._tcp", name, Duration::from_secs(3));
    let (records, _) = lan.b.wait_shown("_ipp._tcp", name, LIMIT).unwrap();
    assert_eq!(records[0].txt("rp"), Some("printers/Desk"));
    let lpinfo = lan.a.cups_tool(&a, "lpinfo", &["-l", "-v"]);
    assert_eq!(lpinfo.rc, 0, "{}", lpinfo.text());
    assert!(!lpinfo.stdout.contains("etc/passwd"), "{}", lpinfo.text());
    assert!(!lpinfo.stdout.contains('\u{1b}'), "{}", lpinfo.text());
    assert!(lpinfo.stdout.contains("/printers/Desk"), "its own queue is found: {}", lpinfo.text());
    assert!(!a.log_tail(400).contains("panicked"), "{}", a.log_tail(40));
}
