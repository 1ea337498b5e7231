//! A CUPS install made by the real cupsd, shared by the tests that take it over or hand it
//! back: queues with file, socket and ipp devices, options and Quire settings set through
//! CUPS's own lpadmin, a class, a default, a stopped queue, held and pending jobs and a
//! subscription ([`populate`]); and what CUPS's tools show of a server ([`snapshot`]), to
//! compare one server with another on the same files.
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use crate::cli::{cups_tool, parse_request_id};
use crate::process::run_with_timeout;
use crate::{data_dir, Server, Via};

/// A CUPS tool over TCP that must succeed; its output.
pub fn tool(server: &Server, program: &str, args: &[&str]) -> String {
    let out = cups_tool(server, Via::Tcp, program, args).unwrap();
    assert_eq!(out.rc, 0, "{program} {args:?}\n{}", out.text());
    out.stdout
}

pub fn ipptool(server: &Server, queue: &str, test: &str) -> String {
    let uri = server.printer_uri(queue);
    let file = data_dir().join("cupsfiles").join(test).to_string_lossy().into_owned();
    let args = ["-T".into(), "10".into(), "-t".into(), uri, file];
    let out = run_with_timeout(20, "ipptool", &args, None, &[]).unwrap();
    assert_eq!(out.rc, 0, "ipptool {test}\n{}", out.text());
    out.stdout
}

pub const QUEUES: [&str; 4] = ["filep", "sockp", "ippp", "allq"];

/// Makes the queues, jobs and subscription; the ids of the jobs.
pub fn populate(server: &Server) -> Vec<u32> {
    let lpadmin = |args: &[&str]| tool(server, "lpadmin", args);
    lpadmin(&["-p", "filep", "-v", "file:///dev/null", "-E", "-D", "Draft room #2"]);
    lpadmin(&["-p", "filep", "-L", "Floor 1", "-u", "deny:mallory"]);
    lpadmin(&[
        "-p",
        "filep",
        "-o",
        "quire-split-default=auto",
        "-o",
        "sides-default=two-sided-long-edge",
    ]);
    lpadmin(&["-p", "filep", "-o", "quire-failover-grace-time-default=45"]);
    lpadmin(&["-p", "sockp", "-v", "socket://127.0.0.1:9", "-E", "-o", "job-quota-period=86400"]);
    lpadmin(&["-p", "sockp", "-o", "job-page-limit=100", "-o", "printer-error-policy=abort-job"]);
    lpadmin(&["-p", "ippp", "-v", "ipp://127.0.0.1:9/ipp/print", "-E"]);
    lpadmin(&["-p", "filep", "-c", "allq"]);
    lpadmin(&["-p", "sockp", "-c", "allq"]);
    lpadmin(&["-d", "sockp"]);
    tool(server, "cupsdisable", &["-r", "Waiting for toner", "ippp"]);
    tool(server, "cupsenable", &["allq"]);
    tool(server, "cupsaccept", &["allq"]);
    let doc = data_dir().join("documents/document-letter.pdf").to_string_lossy().into_owned();
    let submit = |queue: &str, extra: &[&str]| {
        let mut args = vec!["-d", queue];
        args.extend_from_slice(extra);
        args.push(&doc);
        parse_request_id(&tool(server, "lp", &args)).unwrap()
    };
    let jobs = vec![
        submit("filep", &["-H", "hold", "-t", "Quarterly report", "-n", "2"]),
        submit("allq", &["-H", "hold"]),
        submit("ippp", &["-o", "media=iso_a4_210x297mm"]),
    ];
    ipptool(server, "filep", "create-subscription.test");
    jobs
}

/// What the CUPS tools show of the server: compared before and after the round trip.
pub fn snapshot(server: &Server) -> Vec<(String, String)> {
    let mut shown = Vec::new();
    let mut show = |what: String, out: String| shown.push((what, out));
    for args in [&["-v"][..], &["-d"], &["-c"], &["-a"], &["-l", "-p"], &["-o"], &["-l", "-o"]] {
        show(format!("lpstat {args:?}"), tool(server, "lpstat", args));
    }
    for queue in QUEUES {
        let mut options: Vec<String> =
            tool(server, "lpoptions", &["-p", queue]).split(' ').map(str::to_string).collect();
        options.sort();
        show(format!("lpoptions -p {queue}"), options.join("\n"));
    }
    show("Get-Subscriptions".into(), ipptool(server, "filep", "get-subscriptions.test"));
    shown
}
