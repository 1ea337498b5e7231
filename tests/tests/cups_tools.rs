//! The CUPS command-line tools against cupsd and quired: each test is written once and runs
//! against both servers, over TCP (`-h 127.0.0.1:PORT`) and over the Unix socket (`-h PATH`).
//!
//! Queues print to `file:` devices in the server's private `out/` directory (cupsd needs
//! `FileDevice Yes` for that). Jobs that must stay in the queue are submitted held (`-H hold`)
//! so nothing depends on timing.
//!
//! While quired is not built the quired variants print "SKIPPED: quired binary not built".

use std::path::PathBuf;
use std::time::Duration;

use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, data_dir, CmdOutput, Server, ServerKind, Via};

const VIAS: [Via; 2] = [Via::Tcp, Via::Socket];

/// cupsd, then quired when its binary exists.
fn servers() -> Vec<Server> {
    quire_tests::both_servers()
}

fn document() -> PathBuf {
    data_dir().join("documents/document-letter.pdf")
}

fn doc_arg() -> String {
    document().to_string_lossy().into_owned()
}

/// A queue name unique per transport, so both transports can share one server.
fn queue(base: &str, via: Via) -> String {
    format!("{base}-{}", if via == Via::Tcp { "tcp" } else { "sock" })
}

/// Runs a tool and requires exit code 0.
fn ok(server: &Server, via: Via, program: &str, args: &[&str]) -> CmdOutput {
    let out = cups_tool(server, via, program, args).expect("run CUPS tool");
    assert_eq!(out.rc, 0, "{} via {via:?}: {program} {args:?}\n{}", server.name(), out.text());
    out
}

fn device_uri(server: &Server, q: &str) -> String {
    format!("file://{}/{q}.prn", server.out_dir().display())
}

/// How lpstat prints a `file:` device: CUPS's lpstat drops the `file:` prefix ("device for Q: ///path").
fn shown_device(server: &Server, q: &str) -> String {
    format!("device for {q}: {}/{q}.prn", server.out_dir().display()).replacen(": /", ": ///", 1)
}

/// `lpadmin -p Q -v file:///.../Q.prn -E` (a raw queue).
fn add_file_queue(server: &Server, via: Via, q: &str) {
    ok(server, via, "lpadmin", &["-p", q, "-v", &device_uri(server, q), "-E"]);
}

/// `lp -d Q [extra] document.pdf`, returning the job id from "request id is Q-ID".
fn submit(server: &Server, via: Via, q: &str, extra: &[&str]) -> u32 {
    let doc = doc_arg();
    let mut args = vec!["-d", q];
    args.extend_from_slice(extra);
    args.push(&doc);
    let out = ok(server, via, "lp", &args);
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
}

fn job_listed(server: &Server, via: Via, q: &str, id: u32, which: &str) -> bool {
    let out = ok(server, via, "lpstat", &["-W", which, "-o", q]);
    out.stdout.lines().any(|l| l.split_whitespace().next() == Some(&format!("{q}-{id}")))
}

fn wait_completed(server: &Server, via: Via, q: &str, id: u32) -> bool {
    wait_until(Duration::from_secs(20), || job_listed(server, via, q, id, "completed"))
}

#[test]
fn lpadmin_printer_class_default_delete() {
    for server in servers() {
        for via in VIAS {
            let (q, c) = (queue("admin", via), queue("class", via));
            add_file_queue(&server, via, &q);
            let v = ok(&server, via, "lpstat", &["-v"]);
            assert!(v.stdout.contains(&shown_device(&server, &q)), "{}", v.text());

            ok(&server, via, "lpadmin", &["-p", &q, "-c", &c]);
            let classes = ok(&server, via, "lpstat", &["-c", &c]);
            assert!(
                classes.stdout.contains(&format!("members of class {c}:")),
                "{}",
                classes.text()
            );
            assert!(classes.stdout.lines().any(|l| l.trim() == q), "{}", classes.text());

            ok(&server, via, "lpadmin", &["-d", &q]);
            let d = ok(&server, via, "lpstat", &["-d"]);
            assert_eq!(d.stdout.trim(), format!("system default destination: {q}"), "{}", d.text());

            ok(&server, via, "lpadmin", &["-x", &c]);
            ok(&server, via, "lpadmin", &["-x", &q]);
            let after = cups_tool(&server, via, "lpstat", &["-v"]).expect("lpstat -v");
            assert!(!after.stdout.contains(&format!("device for {q}:")), "{}", after.text());
        }
    }
}

#[test]
fn lpstat_t_reports_scheduler_and_queue() {
    for server in servers() {
        for via in VIAS {
            let q = queue("status", via);
            add_file_queue(&server, via, &q);
            let t = ok(&server, via, "lpstat", &["-t"]);
            for want in [
                "scheduler is running".to_string(),
                shown_device(&server, &q),
                format!("{q} accepting requests since"),
                format!("printer {q} is idle.  enabled since"),
            ] {
                assert!(
                    t.stdout.contains(&want),
                    "{} via {via:?}: missing {want:?} in\n{}",
                    server.name(),
                    t.text()
                );
            }
        }
    }
}

/// What reaches the `file:` device.
///
/// cupsd 2.4 writes nothing at all for a *raw* queue on a `file:` device (the job completes,
/// the file is never opened), so the cupsd queue gets a PPD (`-m drv:///sample.drv/generic.ppd`)
/// and its filter chain turns the PDF into PostScript: checked as non-empty `%!PS` output.
/// quired has no filters: its raw queue must deliver the submitted bytes unchanged.
#[test]
fn lp_delivers_to_file_device() {
    let input = std::fs::read(document()).expect("read document");
    for server in servers() {
        for via in VIAS {
            let q = queue("deliver", via);
            let uri = device_uri(&server, &q);
            let mut args = vec!["-p", q.as_str(), "-v", uri.as_str(), "-E"];
            if server.kind() == ServerKind::Cupsd {
                args.extend(["-m", "drv:///sample.drv/generic.ppd"]);
            }
            ok(&server, via, "lpadmin", &args);
            let id = submit(&server, via, &q, &[]);
            assert!(
                wait_completed(&server, via, &q, id),
                "{} job {id} did not complete",
                server.name()
            );
            let out_file = server.out_dir().join(format!("{q}.prn"));
            let got = std::fs::read(&out_file).unwrap_or_default();
            match server.kind() {
                ServerKind::Cupsd => assert!(
                    got.starts_with(b"%!PS"),
                    "cupsd output {}: {} bytes",
                    out_file.display(),
                    got.len()
                ),
                ServerKind::Quired => assert!(
                    got == input,
                    "quired output differs: {} bytes, want {}",
                    got.len(),
                    input.len()
                ),
            }
        }
    }
}

#[test]
fn lp_hold_then_resume() {
    for server in servers() {
        for via in VIAS {
            let q = queue("hold", via);
            add_file_queue(&server, via, &q);
            let id = submit(&server, via, &q, &["-H", "hold"]);
            assert!(job_listed(&server, via, &q, id, "not-completed"), "held job {id} not listed");
            std::thread::sleep(Duration::from_millis(500));
            assert!(!job_listed(&server, via, &q, id, "completed"), "held job {id} completed");
            ok(&server, via, "lp", &["-i", &id.to_string(), "-H", "resume"]);
            assert!(
                wait_completed(&server, via, &q, id),
                "{} resumed job {id} did not complete",
                server.name()
            );
        }
    }
}

#[test]
fn lpmove_moves_a_held_job() {
    for server in servers() {
        for via in VIAS {
            let (a, b) = (queue("move-a", via), queue("move-b", via));
            add_file_queue(&server, via, &a);
            add_file_queue(&server, via, &b);
            let id = submit(&server, via, &a, &["-H", "hold"]);
            ok(&server, via, "lpmove", &[&id.to_string(), &b]);
            assert!(job_listed(&server, via, &b, id, "not-completed"), "job {id} not on {b}");
            assert!(!job_listed(&server, via, &a, id, "not-completed"), "job {id} still on {a}");
            ok(&server, via, "cancel", &["-a", &b]);
        }
    }
}

#[test]
fn cancel_one_job_and_all_jobs() {
    for server in servers() {
        for via in VIAS {
            let q = queue("cancel", via);
            add_file_queue(&server, via, &q);
            let first = submit(&server, via, &q, &["-H", "hold"]);
            ok(&server, via, "cancel", &[&first.to_string()]);
            assert!(
                !job_listed(&server, via, &q, first, "not-completed"),
                "job {first} not cancelled"
            );

            let jobs: Vec<u32> =
                (0..2).map(|_| submit(&server, via, &q, &["-H", "hold"])).collect();
            ok(&server, via, "cancel", &["-a", &q]);
            let left = ok(&server, via, "lpstat", &["-o", &q]);
            assert!(
                left.stdout.trim().is_empty(),
                "{} jobs {jobs:?} left after cancel -a:\n{}",
                server.name(),
                left.text()
            );
        }
    }
}

#[test]
fn cupsdisable_and_cupsenable() {
    for server in servers() {
        for via in VIAS {
            let q = queue("pause", via);
            add_file_queue(&server, via, &q);
            ok(&server, via, "cupsdisable", &["-r", "maintenance", &q]);
            let p = ok(&server, via, "lpstat", &["-p", &q]);
            assert!(p.stdout.contains(&format!("printer {q} disabled since")), "{}", p.text());
            assert!(p.stdout.contains("maintenance"), "{}", p.text());
            ok(&server, via, "cupsenable", &[&q]);
            let p = ok(&server, via, "lpstat", &["-p", &q]);
            assert!(
                p.stdout.contains(&format!("printer {q} is idle.  enabled since")),
                "{}",
                p.text()
            );
        }
    }
}

/// cupsreject makes `lp` fail. cupsd's message and exit code are captured in the same run and
/// quired must print exactly the same (with its own queue name, which is the same).
#[test]
fn cupsreject_then_lp_fails_then_cupsaccept() {
    let mut reference: Option<(i32, String)> = None;
    for server in servers() {
        for via in VIAS {
            let q = queue("reject", via);
            add_file_queue(&server, via, &q);
            ok(&server, via, "cupsreject", &["-r", "full", &q]);
            let a = ok(&server, via, "lpstat", &["-a", &q]);
            assert!(
                a.stdout.contains(&format!("{q} not accepting requests since")),
                "{}",
                a.text()
            );

            let refused = cups_tool(&server, via, "lp", &["-d", &q, &doc_arg()]).expect("lp");
            let got = (refused.rc, refused.stderr.trim().to_string());
            println!(
                "{} via {via:?}: lp while rejecting -> rc {} {:?}",
                server.name(),
                got.0,
                got.1
            );
            if server.kind() == ServerKind::Cupsd {
                assert_eq!(got, (1, format!("lp: Destination \"{q}\" is not accepting jobs.")));
                if via == Via::Tcp {
                    reference = Some((got.0, got.1.replace(&q, "QUEUE")));
                }
            } else {
                let want = reference.clone().expect("cupsd ran first");
                assert_eq!((got.0, got.1.replace(&q, "QUEUE")), want, "quired differs from cupsd");
            }

            ok(&server, via, "cupsaccept", &[&q]);
            let id = submit(&server, via, &q, &[]);
            assert!(
                wait_completed(&server, via, &q, id),
                "job {id} after cupsaccept did not complete"
            );
        }
    }
}
