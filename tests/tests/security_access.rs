//! Issue 21, access control: cupsd's Order/Allow/Deny and `<Location>` rules as an anonymous
//! client on another host meets them, under Debian's stock cupsd.conf. Each test runs against
//! cupsd 2.4 (the reference) and quired with the same files.

use quire_ipp::{Message, Operation};
use quire_tests::lan::{Lan, LanServer, Sharing, StockOptions};
use quire_tests::ServerKind;

fn lan_or_skip() -> Option<Lan> {
    if !Lan::available() {
        eprintln!("SKIPPED: needs root and iproute2 (network namespaces)");
        return None;
    }
    quire_tests::require_programs();
    Some(Lan::new().expect("create the test LAN"))
}

fn servers(lan: &Lan, opts: &StockOptions) -> Vec<LanServer> {
    let mut list = vec![LanServer::start(ServerKind::Cupsd, lan, opts).expect("start cupsd").expect("cupsd")];
    match LanServer::start(ServerKind::Quired, lan, opts).expect("start quired") {
        Some(q) => list.push(q),
        None => panic!("quired is not built: build the workspace first (cargo build --workspace)"),
    }
    list
}

fn get_printers() -> Message {
    quire_client::request_as(Operation::CupsGetPrinters, None, "mallory")
}

/// The stock `<Location />` (`Order allow,deny`, no `Allow`) refuses every remote client:
/// HTTP 403 for IPP and for GET, while local clients are served.
#[test]
fn stock_location_refuses_remote_clients() {
    let Some(lan) = lan_or_skip() else { return };
    let opts = StockOptions { sharing: Sharing::Off, ..Default::default() };
    for server in servers(&lan, &opts) {
        let name = server.name();
        let remote = lan.ipp(&server, "/", None, &get_printers(), b"");
        assert_eq!(remote.status, 403, "{name}: a remote CUPS-Get-Printers must be refused");
        let lpstat = lan.cups_tool(&server, "lpstat", &["-v"]);
        assert_ne!(lpstat.rc, 0, "{name}: remote lpstat must fail: {}", lpstat.text());
        let local = quire_tests::cups_tool(&server, quire_tests::Via::Tcp, "lpstat", &["-r"]).expect("lpstat");
        assert!(local.stdout.contains("scheduler is running"), "{name}: local clients are served: {}", local.text());
    }
}

/// With printer sharing on (`Allow @LOCAL`, as `cupsctl --share-printers` writes it), a client
/// on the local network is served.
#[test]
fn shared_location_serves_the_local_network() {
    let Some(lan) = lan_or_skip() else { return };
    for server in servers(&lan, &StockOptions::default()) {
        let remote = lan.ipp(&server, "/", None, &get_printers(), b"");
        assert_eq!(remote.status, 200, "{}: a LAN client is allowed by Allow @LOCAL", server.name());
    }
}
