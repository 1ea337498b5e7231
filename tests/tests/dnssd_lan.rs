//! The simulated LAN (quire_tests::mdns_lan) proven with the reference: real cupsd on side A
//! shares a queue over DNS-SD; side B finds it with avahi-browse, ippfind and `lpstat -e`
//! and prints to it through libcups's temporary-queue path, and the document arrives at the
//! quire-sim printer on side A.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use quire_tests::mdns_browse::ServiceRecord;
use quire_tests::mdns_lan::{share_figures, MdnsLan, Side, SideOptions, SideServer};
use quire_tests::simulated_printer::write_marked_pdf;
use quire_tests::{ServerKind, SimOptions};

const LIMIT: Duration = Duration::from_secs(30);

/// The record of the queue whose `rp` is `printers/QUEUE`.
fn queue_record<'a>(records: &'a [ServiceRecord], queue: &str) -> Option<&'a ServiceRecord> {
    let rp = format!("printers/{queue}");
    records.iter().find(|r| r.txt("rp") == Some(rp.as_str()))
}

#[test]
fn sides_see_each_other_over_mdns_and_a_side_without_avahi_has_none() {
    let Some(lan) =
        MdnsLan::or_skip(SideOptions::new("quire-a"), SideOptions::new("quire-b").avahi(false))
    else {
        return;
    };
    // Each side has its own host name and sees the other over the veth.
    let name = lan.a.command(10, "hostname", &[], &[]);
    assert_eq!(name.stdout.trim(), "quire-a", "{}", name.text());
    let a_ip = lan.a.ip();
    let listener = lan.a.place().in_netns(|| TcpListener::bind((a_ip, 0))).unwrap().unwrap();
    let port = listener.local_addr().unwrap().port();
    let reach = |side: &Side| {
        let addr = SocketAddr::from((a_ip, port));
        side.place().in_netns(|| TcpStream::connect_timeout(&addr, Duration::from_secs(5))).unwrap()
    };
    reach(&lan.b).expect("B reaches A over the veth");
    // A service published on A is on the wire: B has no Avahi, so nothing there answers
    // avahi-browse (its private /run/avahi-daemon is empty) ...
    let _pub = lan.a.publish("Probe", "_ipp._tcp", 631, &["rp=printers/probe"]).unwrap();
    let browse = lan.b.command(10, "avahi-browse", &["-rtpk", "_ipp._tcp"], &[]);
    assert_ne!(browse.rc, 0, "avahi-browse on a side without Avahi: {}", browse.text());
    // ... and A's own browse sees it (its Avahi answers for itself).
    let (records, took) = lan.a.wait_shown("_ipp._tcp", "Probe", LIMIT).unwrap();
    eprintln!("figure: Probe visible on A after {took:?}");
    assert_eq!(records[0].txt("rp"), Some("printers/probe"));
}

#[test]
fn a_published_service_is_found_resolved_and_withdrawn_on_the_other_side() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let mut watch = lan.b.browser("_ipp._tcp").unwrap();
    let (publisher, (records, took)) = {
        let mut publisher = None;
        let shown = watch
            .time_until_shown("Device One", LIMIT, || {
                publisher = Some(
                    lan.a
                        .publish(
                            "Device One",
                            "_ipp._tcp",
                            8631,
                            &["txtvers=1", "rp=ipp/print", "ty=Quire Sim \"One\"", "UUID=u-1"],
                        )
                        .unwrap(),
                );
            })
            .unwrap();
        (publisher, shown)
    };
    eprintln!("figure: avahi-publish -> visible on B: {took:?}");
    let r = &records[0];
    assert_eq!((r.host.as_str(), r.port), ("quire-a.local", 8631), "{r:?}");
    assert_eq!(r.address, lan.a.ip().to_string());
    assert_eq!(r.txt("ty"), Some("Quire Sim \"One\""));
    assert_eq!(r.txt("UUID"), Some("u-1"));
    // The host name resolves on B through nss-mdns and B's Avahi.
    let hosts = lan.b.command(10, "getent", &["hosts", "quire-a.local"], &[]);
    assert!(hosts.stdout.contains(&lan.a.ip().to_string()), "{}", hosts.text());
    // Withdrawn (avahi-publish ends: goodbye packets) and gone on B.
    let mut publisher = publisher.unwrap();
    let took = watch.time_until_gone("Device One", LIMIT, || publisher.kill()).unwrap();
    eprintln!("figure: avahi-publish killed -> gone on B: {took:?}");
    lan.b.wait_gone("_ipp._tcp", "Device One", LIMIT).unwrap();
}

#[test]
fn cupsd_shares_a_queue_that_the_other_side_finds_and_prints_to() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let sim = SimOptions::new().name("lanprinter").at(lan.a.place()).start().unwrap();
    let cupsd = std::path::Path::new("/usr/sbin/cupsd");
    let a = lan.a.start_server(ServerKind::Cupsd, cupsd, &SideServer::default()).unwrap();
    let b_opts = SideServer { browsing: false, ..SideServer::default() };
    let b = lan.b.start_server(ServerKind::Cupsd, cupsd, &b_opts).unwrap();

    // Shared only once its PPD is made: cupsd 2.4.2 registers a new shared queue at once
    // and again when the driverless PPD is ready, and with Avahi the second registration
    // often fails ("DNS-SD registration ... failed: Bad state": the entry group reset of the
    // first has not reached the client yet), leaving the queue unadvertised.
    let add = lan.a.cups_tool(
        &a,
        "lpadmin",
        &[
            "-p",
            "Office",
            "-D",
            "Office Printer",
            "-v",
            &sim.uri(),
            "-m",
            "everywhere",
            "-E",
            "-o",
            "printer-is-shared=false",
        ],
    );
    assert_eq!(add.rc, 0, "{}", add.text());
    let made = quire_tests::process::wait_until(LIMIT, || {
        lan.a.cups_tool(&a, "lpoptions", &["-p", "Office"]).stdout.contains("IPP Everywhere")
    });
    assert!(made, "no driverless PPD for Office: {}", a.log_tail(40));
    let mut watch = lan.b.browser("_ipp._tcp").unwrap();
    let t0 = Instant::now();
    let share = lan.a.cups_tool(&a, "lpadmin", &["-p", "Office", "-o", "printer-is-shared=true"]);
    assert_eq!(share.rc, 0, "{}", share.text());
    let seen = watch.wait(LIMIT, |w| queue_record(&w.all_records(), "Office").is_some()).unwrap();
    eprintln!("figure: cupsd printer-is-shared=true -> visible on B: {:?}", seen - t0);
    // The polling helper agrees with the watcher.
    let (all, _) =
        lan.b.wait_browse("_ipp._tcp", LIMIT, |r| queue_record(r, "Office").is_some()).unwrap();
    let rec = queue_record(&all, "Office").unwrap().clone();
    eprintln!("cupsd's record: {rec:#?}");
    assert_eq!(rec.host, "quire-a.local");
    assert_eq!(rec.address, lan.a.ip().to_string());
    assert_eq!(rec.port, a.port());
    assert!(rec.txt("ty").is_some_and(|t| !t.is_empty()), "{rec:?}");
    assert!(rec.txt("pdl").is_some_and(|p| p.contains("application/pdf")), "{rec:?}");
    assert!(rec.txt("UUID").is_some(), "{rec:?}");

    // ippfind (libcups's DNS-SD browsing) on B.
    let ippfind = lan.b.command(
        25,
        "timeout",
        &[
            "-s",
            "KILL",
            "20",
            "ippfind",
            "-T",
            "5",
            "_ipp._tcp",
            "--exec",
            "echo",
            "{service_name}|{service_uri}|{txt_rp}|{txt_ty}",
            ";",
        ],
        &[],
    );
    eprintln!("ippfind: {}", ippfind.text());
    let line = ippfind
        .stdout
        .lines()
        .find(|l| l.contains("|printers/Office|"))
        .unwrap_or_else(|| panic!("ippfind on B did not list the queue: {}", ippfind.text()));
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields[0], rec.name);
    assert_eq!(Some(fields[3]), rec.txt("ty"));

    // lpstat -e (cupsEnumDests: B's server's queues and the DNS-SD ones).
    let lpstat = lan.b.cups_tool(&b, "lpstat", &["-e"]);
    eprintln!("lpstat -e: {}", lpstat.text());
    let dest = lpstat
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Office"))
        .unwrap_or_else(|| panic!("lpstat -e on B did not list it: {}", lpstat.text()))
        .to_string();

    // lp -d DEST on B: libcups asks B's cupsd for a temporary queue (CUPS-Create-Local-Printer)
    // pointing at A's queue, and B's cupsd forwards the job over IPP.
    // Both cupsds filter it (pdftopdf rewrites the PDF, so the page marker may not
    // survive): the job's title, unique to this run, is what identifies its pages on A.
    let doc = lan.b.dir().join("doc.pdf");
    write_marked_pdf(&doc, "lan-cupsd", 2).unwrap();
    let title = format!("lan-cupsd-{}", std::process::id());
    let lp = lan.b.cups_tool(&b, "lp", &["-d", &dest, "-t", &title, &doc.display().to_string()]);
    assert_eq!(lp.rc, 0, "{}\nB's log:\n{}", lp.text(), b.log_tail(40));
    let pages = || -> Vec<u32> {
        let log = sim.page_log().unwrap();
        log.into_iter().filter(|p| p.job_name == title).map(|p| p.page).collect()
    };
    let arrived = quire_tests::process::wait_until(Duration::from_secs(60), || pages().len() >= 2);
    assert!(
        arrived,
        "the pages did not arrive at the printer on A ({:?}); B:\n{}\nA:\n{}",
        sim.page_log(),
        b.log_tail(60),
        a.log_tail(30)
    );
    assert_eq!(pages(), vec![1, 2]);
    // libcups's path: B's cupsd made a temporary queue for the discovered printer.
    let queues = lan.b.cups_tool(&b, "lpstat", &["-v"]);
    assert!(queues.stdout.contains(&format!("device for {dest}: ")), "{}", queues.text());
    eprintln!("B's queues after lp: {}", queues.text());

    // Deleted on A: withdrawn on B.
    let took = watch
        .time_until_gone(&rec.name, LIMIT, || {
            let del = lan.a.cups_tool(&a, "lpadmin", &["-x", "Office"]);
            assert_eq!(del.rc, 0, "{}", del.text());
        })
        .unwrap();
    eprintln!("figure: cupsd lpadmin -x -> gone on B: {took:?}");
    lan.b.wait_gone("_ipp._tcp", &rec.name, LIMIT).unwrap();
}

#[test]
fn quired_runs_on_a_side_and_the_other_side_prints_to_it_by_address() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    let sim = SimOptions::new().name("lanq").at(lan.a.place()).start().unwrap();
    let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
    let add = lan.a.cups_tool(&a, "lpadmin", &["-p", "Desk", "-v", &sim.uri(), "-E"]);
    assert_eq!(add.rc, 0, "{}", add.text());
    // From B, by A's address (DNS-SD publishing is the daemon's own business).
    let host = format!("{}:{}", lan.a.ip(), a.port());
    let doc = lan.b.dir().join("doc.pdf");
    write_marked_pdf(&doc, "lan-quired", 1).unwrap();
    let env = [("HOME", lan.b.dir().to_str().unwrap()), ("LANG", "C")];
    let lp = lan.b.command(
        30,
        "lp",
        &["-h", &host, "-d", "Desk", "-t", "lan-quired", &doc.display().to_string()],
        &env,
    );
    assert_eq!(lp.rc, 0, "{}\n{}", lp.text(), a.log_tail(40));
    let arrived = quire_tests::process::wait_until(Duration::from_secs(60), || {
        sim.page_log().unwrap().iter().any(|p| p.job_name == "lan-quired")
    });
    assert!(arrived, "no page on A: {:?}\n{}", sim.page_log(), a.log_tail(40));
    // The simulator's control listener is reached in A's namespace too.
    assert!(sim.status().unwrap().printed >= 1);
}

#[test]
fn a_side_restarts_its_avahi_and_its_bus() {
    let Some(mut lan) = MdnsLan::or_skip_default() else { return };
    let _probe = lan.a.publish("Before", "_ipp._tcp", 631, &["rp=x"]).unwrap();
    lan.b.wait_shown("_ipp._tcp", "Before", LIMIT).unwrap();
    // Avahi crashes on A (no goodbye): A's own browse fails; it comes back and publishes.
    lan.a.stop_avahi();
    assert_ne!(lan.a.command(10, "avahi-browse", &["-tpk", "_ipp._tcp"], &[]).rc, 0);
    lan.a.start_avahi_daemon().unwrap();
    let _again = lan.a.publish("After", "_ipp._tcp", 631, &["rp=y"]).unwrap();
    lan.b.wait_shown("_ipp._tcp", "After", LIMIT).unwrap();
    // The bus goes away and comes back (Avahi restarted on it).
    lan.a.stop_dbus();
    lan.a.start_dbus().unwrap();
    let _third = lan.a.publish("Third", "_ipp._tcp", 631, &["rp=z"]).unwrap();
    lan.b.wait_shown("_ipp._tcp", "Third", LIMIT).unwrap();
}

#[test]
fn cupsd_figures_from_lpadmin_to_visible_and_gone() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let sim = SimOptions::new().name("fig").at(lan.a.place()).start().unwrap();
    let cupsd = std::path::Path::new("/usr/sbin/cupsd");
    let a = lan.a.start_server(ServerKind::Cupsd, cupsd, &SideServer::default()).unwrap();
    for queue in ["Fig1", "Fig2", "Fig3"] {
        let f = share_figures(&lan.a, &lan.b, &a, queue, &sim.uri(), &[], LIMIT).unwrap();
        eprintln!(
            "figure: cupsd {queue}: lpadmin -E -> visible {:?}, lpadmin -x -> gone {:?}",
            f.visible, f.gone
        );
        assert_eq!(f.record.name, format!("{queue} @ quire-a"));
        assert_eq!(f.record.port, a.port());
        lan.b.wait_gone("_ipp._tcp", &f.record.name, LIMIT).unwrap();
    }
}

#[test]
fn the_mdns_group_is_reached_without_naming_an_interface() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    // A UDP datagram to 224.0.0.251:5353 from A with no multicast interface chosen is routed
    // to the LAN (a responder of its own may send this way), not refused as unreachable.
    let sent = lan
        .a
        .place()
        .in_netns(|| {
            let s = std::net::UdpSocket::bind("0.0.0.0:0")?;
            s.send_to(b"\0\0\0\0\0\0\0\0\0\0\0\0", "224.0.0.251:5353")
        })
        .unwrap();
    assert_eq!(sent.unwrap(), 12);
}
