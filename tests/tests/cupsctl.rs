//! CUPS's own `cupsctl` against cupsd and quired: it reads `/admin/conf/cupsd.conf` (GET),
//! changes a setting and writes the file back (PUT). Over TCP: for a server it calls
//! "localhost" (the Unix socket) cupsctl reads `CUPS_SERVERROOT/cupsd.conf` from disk instead. Quire only: only a proven administrator
//! may read or replace it, and a file with errors is refused with them, nothing written.

use quire_tests::http::{exchange_at, HttpResponse};
use quire_tests::process::{have_program, run_with_timeout};
use quire_tests::{cups_tool, cups_tool_ok, Server, ServerKind, Via};
use std::time::Duration;

fn put(server: &Server, body: &str) -> HttpResponse {
    let req = format!(
        "PUT /admin/conf/cupsd.conf HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let at = ([127, 0, 0, 1], server.port()).into();
    exchange_at(at, req.as_bytes(), false, Duration::from_secs(10)).expect("an answer")
}

#[test]
fn cupsctl_reads_and_writes_the_configuration() {
    if !have_program("cupsctl") {
        quire_tests::skipped("needs CUPS's cupsctl");
        return;
    }
    for server in quire_tests::both_servers() {
        let name = server.name();
        let conf = server.dir().join("etc/cupsd.conf");
        let shown = cups_tool_ok(&server, Via::Tcp, "cupsctl", &[]).expect("cupsctl");
        assert!(shown.stdout.contains("_debug_logging="), "{name}: {}", shown.stdout);
        cups_tool_ok(&server, Via::Tcp, "cupsctl", &["MaxJobs=1234"]).expect("cupsctl MaxJobs");
        let text = std::fs::read_to_string(&conf).expect("cupsd.conf");
        assert!(text.lines().any(|l| l.trim() == "MaxJobs 1234"), "{name}: {text}");
        if server.kind() != ServerKind::Quired {
            continue;
        }
        // The new file is applied without a restart (by the SIGHUP path): with MaxJobs 1 a
        // second held job is refused. (cupsd restarts itself after a PUT.)
        cups_tool_ok(
            &server,
            Via::Socket,
            "lpadmin",
            &["-p", "ctl", "-v", "file:///dev/null", "-E"],
        )
        .expect("lpadmin");
        cups_tool_ok(&server, Via::Tcp, "cupsctl", &["MaxJobs=1"]).expect("cupsctl MaxJobs=1");
        let refused = quire_tests::process::wait_until(Duration::from_secs(15), || {
            let args = ["-d", "ctl", "-H", "hold", "/etc/hostname"];
            let out = cups_tool(&server, Via::Socket, "lp", &args);
            out.is_ok_and(|o| o.rc != 0 && o.text().to_lowercase().contains("too many"))
        });
        assert!(refused, "quired: MaxJobs 1 applied without a restart");
        cups_tool_ok(&server, Via::Tcp, "cupsctl", &["MaxJobs=1234"]).expect("cupsctl");
        let text = std::fs::read_to_string(&conf).expect("cupsd.conf");
        // A file with errors: refused with its line, nothing written.
        let resp = put(&server, "Listen 631\n<Location />\nOrder allow,deny\n");
        assert_eq!(resp.status, 400, "quired: {resp:?}");
        let why = String::from_utf8_lossy(&resp.body);
        assert!(why.contains("cupsd.conf:2:") && why.contains("never closed"), "{why}");
        assert_eq!(std::fs::read_to_string(&conf).ok(), Some(text.clone()), "unchanged");
        // Not an administrator: neither read nor replaced.
        if quire_tests::confidential::is_root() && have_program("setpriv") {
            let args = ["--reuid=65534", "--regid=65534", "--clear-groups", "cupsctl", "-h"]
                .map(String::from);
            let mut all = args.to_vec();
            all.extend([server.host_port(), "MaxJobs=1".into()]);
            let env = [("HOME".to_string(), "/nonexistent".to_string())];
            let out = run_with_timeout(20, "setpriv", &all, None, &env).expect("cupsctl as nobody");
            assert_ne!(out.rc, 0, "nobody may not change the configuration: {}", out.text());
            assert_eq!(std::fs::read_to_string(&conf).ok(), Some(text.clone()), "unchanged");
        }
    }
}
