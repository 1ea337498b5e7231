//! quired shares its queues over DNS-SD as cupsd does, on the simulated LAN
//! (quire_tests::mdns_lan): the same scenario runs against cupsd and quired on side A, and
//! side B sees the same records (field by field; the differences are listed and explained),
//! under the same subtypes, and sees them go when the queue stops being shared or is deleted.
//! The times from `lpadmin` to the change on B are printed as figures (never asserted on).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use quire_tests::mdns_browse::ServiceRecord;
use quire_tests::mdns_lan::{MdnsLan, SideServer};
use quire_tests::{ServerKind, Sim, SimOptions};

const LIMIT: Duration = Duration::from_secs(30);
const NAME: &str = "Office Printer @ quire-a";
const SUBTYPES: [&str; 3] = ["_print", "_universal", "_cups"];

/// What side B saw of one daemon's queue.
struct Seen {
    /// The queue's `printer-make-and-model`, as `lpoptions -p` shows it.
    make_and_model: String,
    ipp: ServiceRecord,
    ipps: ServiceRecord,
    subtypes: Vec<&'static str>,
    shown: Duration,
    unshared: Duration,
    deleted: Duration,
}

fn lpadmin(lan: &MdnsLan, server: &quire_tests::Server, args: &[&str]) {
    let out = lan.a.cups_tool(server, "lpadmin", args);
    assert_eq!(out.rc, 0, "lpadmin {args:?}: {}\n{}", out.text(), server.log_tail(30));
}

/// Side A runs `kind`: an IPP Everywhere queue on the simulated printer, shared with
/// `lpadmin -E -o printer-is-shared=true`, unshared, shared again, deleted.
fn share_and_withdraw(lan: &MdnsLan, kind: ServerKind, binary: &Path, sim: &Sim) -> Seen {
    let mut a = lan.a.start_server(kind, binary, &SideServer::default()).unwrap();
    let uri = sim.uri();
    lpadmin(lan, &a, &["-p", "Office", "-D", "Office Printer", "-L", "Room 2", "-v", &uri]);
    lpadmin(lan, &a, &["-p", "Office", "-m", "everywhere", "-o", "printer-is-shared=false"]);
    // cupsd makes the driverless PPD in the background; its first registration races with it.
    let mut make_and_model = None;
    let made = quire_tests::process::wait_until(LIMIT, || {
        let out = lan.a.cups_tool(&a, "lpoptions", &["-p", "Office"]).stdout;
        let mm = out.split("printer-make-and-model='").nth(1).and_then(|v| v.split('\'').next());
        make_and_model = mm.map(str::to_string);
        make_and_model.is_some()
    });
    assert!(made, "{kind}: no make and model for Office: {}", a.log_tail(40));
    let mut watch = lan.b.browser("_ipp._tcp").unwrap();
    let share = ["-p", "Office", "-E", "-o", "printer-is-shared=true"];
    let (records, shown) = watch
        .time_until_shown(NAME, LIMIT, || lpadmin(lan, &a, &share))
        .unwrap_or_else(|e| panic!("{kind}: {NAME} not shown on B: {e}\n{}", a.log_tail(40)));
    let ipp = records.into_iter().next().unwrap();
    let (ipps, _) = lan.b.wait_shown("_ipps._tcp", NAME, LIMIT).unwrap();
    let subtypes = SUBTYPES
        .into_iter()
        .filter(|s| {
            let ty = format!("{s}._sub._ipp._tcp");
            lan.b
                .wait_browse(&ty, Duration::from_secs(5), |r| r.iter().any(|r| r.name == NAME))
                .is_ok()
        })
        .collect();
    let unshare = ["-p", "Office", "-o", "printer-is-shared=false"];
    let unshared = watch.time_until_gone(NAME, LIMIT, || lpadmin(lan, &a, &unshare)).unwrap();
    watch.time_until_shown(NAME, LIMIT, || lpadmin(lan, &a, &share)).unwrap();
    let deleted =
        watch.time_until_gone(NAME, LIMIT, || lpadmin(lan, &a, &["-x", "Office"])).unwrap();
    lan.b.wait_gone("_ipps._tcp", NAME, LIMIT).unwrap();
    a.stop(Duration::from_secs(20)).unwrap();
    let make_and_model = make_and_model.unwrap();
    Seen {
        make_and_model,
        ipp,
        ipps: ipps.into_iter().next().unwrap(),
        subtypes,
        shown,
        unshared,
        deleted,
    }
}

/// TXT keys whose values must be the same from both daemons.
const SAME: &[&str] =
    &["txtvers", "qtotal", "rp", "note", "priority", "TLS", "mopria-certified", "Color", "Duplex"];

/// Why a key may differ: quired's own IPP Everywhere queue is not cupsd's PPD-made one.
fn why_different(key: &str) -> &'static str {
    match key {
        "UUID" => "each daemon makes its own printer-uuid",
        "ty" => "each daemon's printer-make-and-model of the queue (checked against it)",
        "adminurl" => "each daemon listens on its own port",
        "pdl" => "the document formats each daemon accepts for the queue (cupsd: those its filters convert)",
        "URF" => "cupsd lists the raster it converts to (its PPD's urf-supported); quired, \
                   which converts nothing, what the printer itself takes",
        "product" => "the *Product of each daemon's driverless PPD, from its make and model",
        "kind" | "PaperMax" => "PWG 5100.14 keys quired adds (cupsd 2.4 sends none)",
        "Copies" | "Collate" => "quired copies and collates for every queue",
        "printer-type" => "each daemon's printer-type of the queue (cupsd also sets BW on a \
                           colour printer and a size bit; quired sets Collate)",
        _ => "unexplained",
    }
}

#[test]
fn quired_advertises_what_cupsd_advertises() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    let sim = SimOptions::new().name("lanprinter").at(lan.a.place()).start().unwrap();
    let cupsd = share_and_withdraw(&lan, ServerKind::Cupsd, Path::new("/usr/sbin/cupsd"), &sim);
    let ours = share_and_withdraw(&lan, ServerKind::Quired, &quired, &sim);
    for (what, c, q) in [
        ("lpadmin -E -o printer-is-shared=true -> visible on B", cupsd.shown, ours.shown),
        ("lpadmin -o printer-is-shared=false -> gone on B", cupsd.unshared, ours.unshared),
        ("lpadmin -x -> gone on B", cupsd.deleted, ours.deleted),
    ] {
        eprintln!("figure: {what}: cupsd {c:?}, quired {q:?}");
    }
    assert_eq!(ours.subtypes, cupsd.subtypes, "the same subtypes");
    assert_eq!(cupsd.subtypes, SUBTYPES, "cupsd's default BrowseDNSSDSubTypes");
    for (c, q) in [(&cupsd.ipp, &ours.ipp), (&cupsd.ipps, &ours.ipps)] {
        assert_eq!(c.txt("ty"), Some(cupsd.make_and_model.as_str()));
        assert_eq!(q.txt("ty"), Some(ours.make_and_model.as_str()));
        let model = |mm: &str| format!("({})", mm.trim_end_matches(" - IPP Everywhere"));
        assert_eq!(q.txt("product"), Some(model(&ours.make_and_model).as_str()));
        assert_eq!((q.host.as_str(), q.address.as_str()), (c.host.as_str(), c.address.as_str()));
        assert_eq!(q.txt, q.txt.iter().filter(|(k, _)| !k.is_empty()).cloned().collect::<Vec<_>>());
        for key in SAME {
            assert_eq!(q.txt(key), c.txt(key), "TXT {key}: cupsd {c:?}\nquired {q:?}");
        }
        let keys = |r: &ServiceRecord| r.txt.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        for k in keys(c) {
            let explained = why_different(&k) != "unexplained";
            assert!(q.txt(&k).is_some() || explained, "cupsd sends {k}, quired does not: {q:?}");
        }
        let all: std::collections::BTreeSet<String> = keys(c).into_iter().chain(keys(q)).collect();
        for k in &all {
            if SAME.contains(&k.as_str()) || c.txt(k) == q.txt(k) {
                continue;
            }
            let why = why_different(k);
            eprintln!("difference {k}: cupsd {:?}, quired {:?} ({why})", c.txt(k), q.txt(k));
            assert_ne!(why, "unexplained", "TXT {k} differs without a reason");
        }
        let admin = q.txt("adminurl").unwrap();
        assert!(admin.ends_with("/printers/Office") && admin.contains("quire-a.local."), "{admin}");
    }
}

/// Side A has no Avahi: quired's own responder answers. Side B (Avahi, and a quired of its own)
/// finds the queue with avahi-browse, ippfind and `lpinfo -v`, and prints to it with `lp -d`
/// through libcups's temporary-queue path (CUPS-Create-Local-Printer on B's quired).
#[test]
fn own_responder_is_found_and_printed_to_through_a_temporary_queue() {
    use quire_tests::mdns_lan::SideOptions;
    let a_opts = SideOptions::new("quire-a").avahi(false);
    let Some(lan) = MdnsLan::or_skip(a_opts, SideOptions::new("quire-b")) else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    let sim = SimOptions::new().name("desk").at(lan.a.place()).start().unwrap();
    let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
    let uri = sim.uri();
    let mut watch = lan.b.browser("_ipp._tcp").unwrap();
    let name = "Front Desk @ quire-a";
    let add = ["-p", "Desk", "-D", "Front Desk", "-v", &uri, "-m", "everywhere", "-E"];
    let (records, took) = watch.time_until_shown(name, LIMIT, || lpadmin(&lan, &a, &add)).unwrap();
    eprintln!("figure: quired's own responder: lpadmin -E -> visible on B: {took:?}");
    assert!(a.log_tail(200).contains("own mDNS responder"), "{}", a.log_tail(40));
    let rec = &records[0];
    assert_eq!((rec.host.as_str(), rec.port), ("quire-a.local", a.port()));
    assert_eq!(rec.txt("rp"), Some("printers/Desk"));
    assert!(lan.b.wait_shown("_ipps._tcp", name, LIMIT).is_ok());

    // ippfind (libcups's own DNS-SD) on B finds it and reads its state over IPP.
    let ippfind = lan.b.ippfind(&["_ipp._tcp", "--txt-rp", "printers/Desk", "--ls"]);
    assert!(
        ippfind.stdout.contains(&format!("ipp://quire-a.local:{}/printers/Desk idle", a.port())),
        "{}",
        ippfind.text()
    );

    // B's own quired lists A's queue as devices, with make and model.
    let b_opts = SideServer { browsing: false, ..SideServer::default() };
    let b = lan.b.start_server(ServerKind::Quired, &quired, &b_opts).unwrap();
    let lpinfo = lan.b.cups_tool(&b, "lpinfo", &["-l", "-v"]);
    let want = format!("uri = ipps://quire-a.local:{}/printers/Desk", a.port());
    let entry = lpinfo.stdout.split("Device: ").find(|e| e.contains(&want));
    let entry = entry.unwrap_or_else(|| panic!("lpinfo -v on B: {}", lpinfo.text()));
    assert!(entry.contains("class = network"), "{entry}");
    assert!(entry.contains("make-and-model = Quire Simulator - IPP Everywhere"), "{entry}");
    assert!(entry.contains(&format!("info = {name}")), "{entry}");

    // lpstat -e names it; lp -d that name goes through a temporary queue on B.
    let lpstat = lan.b.cups_tool(&b, "lpstat", &["-e"]);
    let dest = lpstat.stdout.lines().map(str::trim).find(|l| l.starts_with("Front_Desk"));
    let dest = dest.unwrap_or_else(|| panic!("lpstat -e on B: {}", lpstat.text())).to_string();
    let doc = lan.b.dir().join("doc.pdf");
    quire_tests::simulated_printer::write_marked_pdf(&doc, "lan-temporary", 1).unwrap();
    let title = format!("lan-temporary-{}", std::process::id());
    let lp = lan.b.cups_tool(&b, "lp", &["-d", &dest, "-t", &title, &doc.display().to_string()]);
    assert_eq!(lp.rc, 0, "{}\nB:\n{}\nA:\n{}", lp.text(), b.log_tail(40), a.log_tail(20));
    let arrived = quire_tests::process::wait_until(Duration::from_secs(60), || {
        sim.page_log().unwrap().iter().any(|p| p.job_name == title)
    });
    assert!(
        arrived,
        "no page on A: {:?}\nB:\n{}\nA:\n{}",
        sim.page_log(),
        b.log_tail(60),
        a.log_tail(30)
    );
    let temporary = lan.b.cups_tool(&b, "lpstat", &["-v", &dest]);
    assert!(temporary.stdout.contains("quire-a.local"), "{}", temporary.text());
}

/// A queue whose printer-info changes is withdrawn under its old name and registered under
/// the new one (cupsd 2.4 keeps the old registered name until it restarts).
#[test]
fn a_renamed_queue_is_withdrawn_under_its_old_name() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
    lpadmin(&lan, &a, &["-p", "Desk", "-D", "Front Desk", "-v", "file:///dev/null", "-E"]);
    let mut watch = lan.b.browser("_ipp._tcp").unwrap();
    watch.wait(LIMIT, |w| w.announced("Front Desk @ quire-a")).unwrap();
    let (records, took) = watch
        .time_until_shown("Back Office @ quire-a", LIMIT, || {
            lpadmin(&lan, &a, &["-p", "Desk", "-D", "Back Office"])
        })
        .unwrap();
    eprintln!("figure: printer-info changed -> new name visible on B: {took:?}");
    assert_eq!(records[0].txt("rp"), Some("printers/Desk"));
    lan.b.wait_gone("_ipp._tcp", "Front Desk @ quire-a", LIMIT).unwrap();
}

/// CUPS's own `cupsctl --no-share-printers` / `--share-printers` (which rewrite cupsd.conf's
/// Listen, Browsing and `<Location />` lines through /admin/conf/cupsd.conf) withdraw and
/// bring back the shared queues, on cupsd and on quired alike.
#[test]
fn cupsctl_share_printers_switches_sharing_off_and_on() {
    let Some(lan) = MdnsLan::or_skip_default() else { return };
    let Some(quired) = quire_tests::server_binary(ServerKind::Quired) else { return };
    for (kind, binary) in
        [(ServerKind::Cupsd, Path::new("/usr/sbin/cupsd")), (ServerKind::Quired, quired.as_path())]
    {
        let mut a = lan.a.start_server(kind, binary, &SideServer::default()).unwrap();
        let name = "Front Desk @ quire-a";
        let add = [
            "-p",
            "Desk",
            "-D",
            "Front Desk",
            "-v",
            "file:///dev/null",
            "-E",
            "-o",
            "printer-is-shared=true",
        ];
        lpadmin(&lan, &a, &add);
        lan.b
            .wait_shown("_ipp._tcp", name, LIMIT)
            .unwrap_or_else(|e| panic!("{kind}: {e}\n{}", a.log_tail(30)));
        // Through the side's default socket: cupsctl rewrites the Listen lines to cupsd's
        // defaults (localhost:631 and /run/cups/cups.sock).
        let env = [("CUPS_SERVER", "/run/cups/cups.sock"), ("HOME", "/tmp"), ("LANG", "C")];
        let cupsctl = |arg: &str| {
            let t0 = std::time::Instant::now();
            let out = lan.a.command(30, "cupsctl", &[arg], &env);
            assert_eq!(out.rc, 0, "{kind}: cupsctl {arg}: {}", out.text());
            t0
        };
        let t0 = cupsctl("--no-share-printers");
        lan.b
            .wait_gone("_ipp._tcp", name, LIMIT)
            .unwrap_or_else(|e| panic!("{kind}: {e}\n{}", a.log_tail(30)));
        let off = t0.elapsed();
        let t0 = cupsctl("--share-printers");
        let on_631 = |r: &[ServiceRecord]| r.iter().any(|r| r.name == name && r.port == 631);
        lan.b
            .wait_browse("_ipp._tcp", LIMIT, on_631)
            .unwrap_or_else(|e| panic!("{kind}: {e}\n{}", a.log_tail(30)));
        eprintln!("figure: {kind}: cupsctl --no-share-printers -> gone {off:?}; --share-printers -> visible on port 631 {:?}", t0.elapsed());
        a.stop(Duration::from_secs(20)).unwrap();
        lan.b.wait_gone("_ipp._tcp", name, LIMIT).unwrap();
    }
}
