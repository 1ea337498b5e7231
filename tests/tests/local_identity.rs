//! Issue 14: a local client on loopback TCP is identified by the uid owning its socket (a
//! direct kernel lookup of that one socket, once per connection), also on a busy host with
//! 20,000 other sockets open and more in TIME_WAIT. Quire only: cupsd takes the
//! requesting-user-name of an unauthenticated local TCP client at its word.

use quire_tests::busy_host::{BusyHost, SocketCensus};
use quire_tests::process::{have_program, run_with_timeout};
use quire_tests::{cups_tool_ok, Server, Via};

/// `nobody` prints with `lp` over 127.0.0.1 claiming to be "mallory"; the job is nobody's.
#[test]
fn a_loopback_client_is_identified_as_its_user_while_20000_other_sockets_are_open() {
    let Some(server) = quired_with_office() else { return };
    let before = SocketCensus::now();
    // As many established pairs as the open-file limit allows, the rest in TIME_WAIT.
    let busy = BusyHost::open(10_000, 10_000).expect("sockets open");
    let census = SocketCensus::now();
    let extra = (census.in_use + census.time_wait).saturating_sub(before.in_use + before.time_wait);
    assert!(extra >= 20_000, "20,000 more sockets: {census:?}, {} pairs", busy.pairs());
    nobody_prints(&server);
    assert_eq!(
        newest_owner(&server),
        "nobody",
        "the job is the socket owner's, not the claimed user's"
    );
}

/// quired with the raw queue "office", when this test can run (root, setpriv and lp).
fn quired_with_office() -> Option<Server> {
    let ready = quire_tests::confidential::is_root() && have_program("setpriv");
    if !ready || !have_program("lp") {
        quire_tests::skipped("needs root, setpriv and lp");
        return None;
    }
    let server = Server::start_quired().expect("quired starts")?;
    cups_tool_ok(
        &server,
        Via::Socket,
        "lpadmin",
        &["-p", "office", "-E", "-v", "file:///dev/null"],
    )
    .expect("root adds a queue");
    Some(server)
}

/// `nobody` prints over loopback TCP claiming to be "mallory" (a held job).
fn nobody_prints(server: &Server) {
    let host_port = server.host_port();
    let args = [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "lp",
        "-h",
        &host_port,
        "-U",
        "mallory",
        "-d",
        "office",
        "-H",
        "hold",
        "/etc/hostname",
    ]
    .map(String::from);
    let env =
        [("HOME".to_string(), "/nonexistent".to_string()), ("LC_ALL".to_string(), "C".to_string())];
    let out = run_with_timeout(30, "setpriv", &args, None, &env).expect("lp as nobody");
    assert_eq!(out.rc, 0, "nobody prints over loopback TCP: {}", out.text());
}

/// The owner of the newest job on "office", as root sees it over the Unix socket.
fn newest_owner(server: &Server) -> String {
    let listed = cups_tool_ok(server, Via::Socket, "lpstat", &["-o", "office"]).expect("lpstat");
    let owners: Vec<&str> =
        listed.stdout.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
    owners.last().map(|o| o.to_string()).unwrap_or_default()
}

/// cups-files.conf `PeerCred` (Debian ships `PeerCred on`): `off` and `root-only` stop the
/// kernel's word on a non-root local client from proving who it is, so its claimed name is
/// all there is (unproven: it owns nothing it could not own from another host).
#[test]
fn peer_cred_decides_whether_the_socket_owner_is_proven() {
    let Some(mut server) = quired_with_office() else { return };
    nobody_prints(&server);
    assert_eq!(newest_owner(&server), "nobody", "PeerCred on (the default)");
    let files = server.dir().join("etc/cups-files.conf");
    let text = std::fs::read_to_string(&files).expect("cups-files.conf");
    for (value, owner) in [("off", "mallory"), ("root-only", "mallory"), ("on", "nobody")] {
        std::fs::write(&files, format!("{text}PeerCred {value}\n")).expect("write");
        server.kill9_and_restart().expect("restart");
        nobody_prints(&server);
        // Read back as a proven root (with PeerCred off even root is anonymous here).
        std::fs::write(&files, &text).expect("write");
        server.kill9_and_restart().expect("restart");
        assert_eq!(newest_owner(&server), owner, "PeerCred {value}");
    }
}
