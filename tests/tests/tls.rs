//! TLS against cupsd and quired: `ipps://` (TLS from the first byte, on the same port as
//! plain IPP) and the RFC 2817 `Upgrade: TLS` that `ipptool -E` and libcups (`-E`) use.

use quire_tests::process::run_with_timeout;
use quire_tests::{cups_tool, Server, Via};

fn servers() -> Vec<Server> {
    quire_tests::both_servers()
}

fn ipptool(args: &[&str]) -> (i32, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = run_with_timeout(20, "ipptool", &args, None, &[]).expect("run ipptool");
    (out.rc, out.text())
}

#[test]
fn ipps_and_upgrade_to_tls() {
    for server in servers() {
        let plain = format!("ipp://{}/", server.host_port());
        let ipps = format!("ipps://{}/", server.host_port());
        // Succeeds on a server with or without queues.
        let test_path = quire_tests::data_dir().join("ipptool/server-answers.test");
        let test = test_path.to_str().expect("utf-8 path");
        let (rc, text) = ipptool(&["-t", &ipps, test]);
        assert_eq!(rc, 0, "{}: ipps:// failed\n{text}", server.name());
        assert!(text.contains("[PASS]"), "{}: {text}", server.name());
        let (rc, text) = ipptool(&["-E", "-t", &plain, test]);
        assert_eq!(rc, 0, "{}: ipptool -E (Upgrade: TLS) failed\n{text}", server.name());
        let out = cups_tool(&server, Via::Tcp, "lpstat", &["-E", "-r"]).expect("lpstat -E");
        assert_eq!(out.rc, 0, "{}: lpstat -E -r\n{}", server.name(), out.text());
        assert!(out.stdout.contains("scheduler is running"), "{}: {}", server.name(), out.text());
    }
}
