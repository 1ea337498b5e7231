//! `cancel -x -a` (Purge-Jobs) of a few thousand jobs on a real quired: another client is
//! answered while the purge runs, Get-Jobs after the answer lists none, and after `kill -9`
//! and a restart none comes back (the purge's deletes are durable before its answer).

use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};
use quire_tests::cli::cups_tool_timeout;
use quire_tests::confidential::{add_office_queue, ipp, job_request, raw_post};
use quire_tests::{Server, Via};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

const JOBS: usize = 2_000;
const SUBMITTERS: usize = 8;

/// A held Print-Job on the office queue, as root; whether it was accepted.
fn submit_held(server: &Server) -> bool {
    let mut m = job_request(server, 0x0002, 0, "root", Vec::new());
    let mut g = Group::new(DelimiterTag::Job);
    g.push(Attribute::new("job-hold-until", Value::Keyword("indefinite".into())));
    m.push_group(g);
    let mut body = m.encode();
    body.extend_from_slice(b"hello\n");
    let resp = raw_post(server, None, &body);
    let at = resp.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    at.and_then(|at| quire_ipp::decode(&resp[at..]).ok()).is_some_and(|(msg, _)| msg.code < 0x0100)
}

/// The ids Get-Jobs which-jobs=all lists on the office queue.
fn all_jobs(server: &Server) -> Vec<i32> {
    let which = Attribute::new("which-jobs", Value::Keyword("all".into()));
    let (http, resp) = ipp(server, None, &job_request(server, 0x000A, 0, "root", vec![which]));
    assert_eq!(http, 200, "Get-Jobs over HTTP");
    let resp = resp.expect("Get-Jobs answer");
    assert!(resp.code < 0x0100, "Get-Jobs: status {:#06x}", resp.code);
    resp.groups
        .iter()
        .filter(|g| g.tag == DelimiterTag::Job)
        .filter_map(|g| g.get("job-id").and_then(|a| a.first_i32()))
        .collect()
}

/// Get-Printer-Attributes on the office queue answered successful-ok.
fn printer_answers(server: &Server) -> bool {
    let (http, resp) = ipp(server, None, &job_request(server, 0x000B, 0, "root", Vec::new()));
    http == 200 && resp.is_some_and(|m: Message| m.code < 0x0100)
}

#[test]
fn purge_of_thousands_is_final_across_kill9_and_others_are_answered_meanwhile() {
    // No cap on jobs (cupsd's default MaxJobs is 500).
    let Some(mut server) =
        Server::start_quired_with_conf("MaxJobs 0\nLogLevel warn").expect("start quired")
    else {
        return;
    };
    add_office_queue(&server);
    let next = AtomicUsize::new(0);
    let accepted = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..SUBMITTERS {
            scope.spawn(|| {
                while next.fetch_add(1, Ordering::Relaxed) < JOBS {
                    if submit_held(&server) {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(accepted.load(Ordering::Relaxed), JOBS, "every held job accepted");
    assert_eq!(all_jobs(&server).len(), JOBS);

    // Another client asks for the printer over and over while the purge runs.
    let done = Arc::new(AtomicBool::new(false));
    let (answered, refused) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let (mut ok, mut bad) = (0usize, 0usize);
            // At least once, however quick the purge.
            loop {
                let finished = done.load(Ordering::Relaxed);
                if printer_answers(&server) {
                    ok += 1;
                } else {
                    bad += 1;
                }
                if finished {
                    break;
                }
            }
            (ok, bad)
        });
        let out = cups_tool_timeout(&server, Via::Tcp, 300, "cancel", &["-x", "-a", "office"])
            .expect("cancel");
        done.store(true, Ordering::Relaxed);
        assert_eq!(out.rc, 0, "cancel -x -a: {}", out.text());
        watcher.join().expect("watcher")
    });
    assert!(answered > 0, "the other client was answered during the purge");
    assert_eq!(refused, 0, "no answer to the other client failed");
    assert_eq!(all_jobs(&server), Vec::<i32>::new(), "Get-Jobs after the purge lists none");

    server.kill9_and_restart().expect("restart after kill -9");
    assert_eq!(all_jobs(&server), Vec::<i32>::new(), "no purged job back after kill -9");
    assert!(submit_held(&server), "a new job after the restart");
    let after = all_jobs(&server);
    assert_eq!(after.len(), 1, "only the new job: {after:?}");
    assert!(after[0] > JOBS as i32, "job ids are not reused: {after:?}");
}
