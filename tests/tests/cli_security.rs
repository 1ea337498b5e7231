//! `quire lpadmin|lp|lpstat` with Quire's printer security facts and job splitting, against
//! the real daemon.
//!
//! Three `file:///dev/null` queues: `sec-a` (pin, encrypts: level 2), `sec-b` (id-card,
//! encrypts, erases: level 4) and `sec-c` (no authentication: level 0). Jobs on them start
//! at once and end soon after (today they fail: see `a_dev_null_queue_prints`), so the test
//! asserts only on what does not depend on when, or how, the parts print:
//! - the split decision is made while the daemon handles Print-Job, so the note `lp` prints
//!   from the Print-Job response is fixed (10 copies, two equal idle printers: 5 + 5);
//! - the split job and its parts are listed with `-W all`, which shows them whether they
//!   are pending, printing or done; the part lines' fixed text is checked, not the state
//!   they report;
//! - the job that finds no qualifying printer uses `quire-split-fallback=hold`, so it stays
//!   held (with `quire-no-qualified-printer`) and is listed until the test cancels it.
//!
//! `split_parts_print` then checks that the parts really print, on queues writing to files.

use quire_tests::process::run_with_timeout;
use quire_tests::{quired_binary, CmdOutput, Server};
use std::path::PathBuf;

fn quire_binary() -> Option<PathBuf> {
    quired_binary().map(|q| q.with_file_name("quire")).filter(|p| p.is_file())
}

struct Cli {
    bin: PathBuf,
    server: Server,
}

impl Cli {
    /// `quire SUBCOMMAND -h SERVER ARGS...`.
    fn run(&self, args: &[&str]) -> CmdOutput {
        let mut all: Vec<String> = vec![args[0].to_string(), "-h".into(), self.server.host_port()];
        all.extend(args[1..].iter().map(|a| a.to_string()));
        let env = [("USER".to_string(), "tester".to_string())];
        run_with_timeout(20, &self.bin.to_string_lossy(), &all, None, &env).expect("run quire")
    }

    /// Like [`Cli::run`], failing the test on a non-zero exit; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.rc, 0, "quire {args:?}:\n{}", out.text());
        out.stdout
    }

    fn lpadmin(&self, queue: &str, options: &[&str]) {
        let mut args = vec!["lpadmin", "-p", queue];
        for o in options {
            args.extend(["-o", o]);
        }
        self.ok(&args);
    }

    /// `lpstat -l -p QUEUE`.
    fn printer_details(&self, queue: &str) -> String {
        self.ok(&["lpstat", "-l", "-p", queue])
    }
}

fn job_id(lp_stdout: &str) -> i32 {
    quire_tests::cli::parse_request_id(lp_stdout)
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or_else(|| panic!("lp output {lp_stdout:?}"))
}

fn setup_queues(cli: &Cli) {
    for q in ["sec-a", "sec-b", "sec-c"] {
        cli.ok(&["lpadmin", "-p", q, "-v", "file:///dev/null", "-E"]);
    }
    cli.lpadmin(
        "sec-a",
        &[
            "quire-authentication-method=pin",
            "quire-encrypts-job-data=true",
            "quire-erases-storage=false",
        ],
    );
    cli.lpadmin(
        "sec-b",
        &[
            "quire-authentication-method=id-card",
            "quire-encrypts-job-data=yes",
            "quire-erases-storage=true",
        ],
    );
    // Nobody vouches for sec-c's facts yet; its split policy is only shown.
    cli.lpadmin(
        "sec-c",
        &[
            "quire-split-default=manual",
            "quire-split-printers-default=sec-a,sec-b",
            "quire-split-fallback-default=hold",
            "quire-split-min-copies=100",
            "quire-split-min-pages=200",
        ],
    );
}

fn check_printer_details(cli: &Cli) {
    let a = cli.printer_details("sec-a");
    assert!(
        a.contains(
            "\tSecurity: pin, encrypts job data; level 2 (derived; set by an administrator)\n"
        ),
        "sec-a:\n{a}"
    );
    assert!(!a.contains("\tSplit:"), "sec-a does not split by default:\n{a}");
    let b = cli.printer_details("sec-b");
    assert!(b.contains("\tSecurity: id-card, encrypts job data, erases storage; level 4 (derived; set by an administrator)\n"), "sec-b:\n{b}");
    let c = cli.printer_details("sec-c");
    assert!(c.contains("\tSecurity: not confirmed by an administrator (takes no part in splitting or failover)\n"), "sec-c:\n{c}");
    let policy = "\tSplit: manual (jobs of 100+ copies or 200+ pages; printers: sec-a, sec-b; if none qualifies: hold)\n";
    assert!(c.contains(policy), "sec-c policy:\n{c}");
    // CUPS's lines come first, unchanged.
    assert!(c.find("\tDefault port settings:") < c.find("\tSecurity:"), "order:\n{c}");

    // The administrator vouches for sec-c as it is (no protection); then pins a level and
    // goes back to the derived one.
    cli.lpadmin("sec-c", &["quire-security-confirmed=true"]);
    assert!(cli
        .printer_details("sec-c")
        .contains("\tSecurity: no authentication; level 0 (derived; set by an administrator)\n"));
    cli.lpadmin("sec-c", &["quire-security-level=3"]);
    assert!(cli.printer_details("sec-c").contains(
        "\tSecurity: no authentication; level 3 (configured; set by an administrator)\n"
    ));
    cli.lpadmin("sec-c", &["quire-security-level=auto"]);
    assert!(cli
        .printer_details("sec-c")
        .contains("; level 0 (derived; set by an administrator)\n"));

    // A bad value gets the daemon's message, printed as CUPS's lpadmin prints errors.
    let out = cli.run(&["lpadmin", "-p", "sec-c", "-o", "quire-authentication-method=retina"]);
    let err = &out.stderr;
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(
        err.starts_with("lpadmin: ") && err.contains("\"retina\"") && err.contains("biometric"),
        "{}",
        out.text()
    );
    let out = cli.run(&["lpadmin", "-p", "sec-c", "-o", "quire-security-level=9"]);
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(
        out.stderr.starts_with("lpadmin: ") && out.stderr.contains("quire-security-level"),
        "{}",
        out.text()
    );
}

/// sec-a (level 2) may share with sec-b (level 4) but not with sec-c (level 0).
fn check_auto_split(cli: &Cli, pdf: &str) {
    let out = cli.ok(&["lp", "-d", "sec-a", "-n", "10", "-o", "quire-split=auto", pdf]);
    let id = job_id(&out);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(format!("request id is sec-a-{id} (1 file(s))").as_str()),
        "{out}"
    );
    let note = lines.next().unwrap_or_default();
    assert!(note.starts_with(&format!("quire: Job {id} is split into 2 parts: ")), "{out}");
    assert!(
        note.contains("on \"sec-a\": copies 1-5 of 10")
            && note.contains("on \"sec-b\": copies 6-10 of 10"),
        "{out}"
    );
    assert!(!note.contains("sec-c"), "{out}");

    let list = cli.ok(&["lpstat", "-W", "all", "-l", "-o"]);
    let parent = list
        .split(&format!("sec-a-{id} "))
        .nth(1)
        .unwrap_or_else(|| panic!("job {id} listed:\n{list}"));
    assert!(parent.contains("\tSplit into 2 parts:\n\t\tjob "), "{list}");
    assert!(
        parent.contains(" on sec-a: copies 1-5 of 10 (")
            && parent.contains(" on sec-b: copies 6-10 of 10 ("),
        "{list}"
    );
    assert!(list.contains(&format!("\tPart of job {id}: copies 1-5 of 10 on sec-a\n")), "{list}");
    assert!(list.contains(&format!("\tPart of job {id}: copies 6-10 of 10 on sec-b\n")), "{list}");
}

/// Nothing is as secure as sec-b: the job says so and, with `hold`, waits.
fn check_none_qualifies(cli: &Cli, pdf: &str) {
    let args =
        ["lp", "-d", "sec-b", "-n", "4", "-o", "quire-split=auto quire-split-fallback=hold", pdf];
    let out = cli.ok(&args);
    let id = job_id(&out);
    let note = out.lines().nth(1).unwrap_or_default();
    assert!(
        note.starts_with("quire: No other printer qualifies to share this job with \"sec-b\""),
        "{out}"
    );
    assert!(
        note.contains("\"sec-a\": it is less secure")
            && note.contains("\"sec-c\": it is less secure"),
        "{out}"
    );
    assert!(note.contains("The job is held"), "{out}");

    let list = cli.ok(&["lpstat", "-l", "-o", "sec-b"]);
    assert!(list.contains(&format!("sec-b-{id} ")), "{list}");
    assert!(list.contains("quire-no-qualified-printer"), "Alerts line:\n{list}");
    assert!(
        list.contains("\tNot split: No other printer qualifies to share this job with \"sec-b\""),
        "{list}"
    );
    cli.ok(&["cancel", &format!("sec-b-{id}")]);
}

/// A manual list naming a less secure printer is refused, naming it. (sec-c comes first:
/// the daemon reports the first printer that cannot take part, and whether sec-b is busy
/// or stopped by then depends on how the earlier parts printed.)
fn check_manual_refused(cli: &Cli, pdf: &str) {
    let args = [
        "lp",
        "-d",
        "sec-a",
        "-n",
        "2",
        "-o",
        "quire-split=manual",
        "-o",
        "quire-split-printers=sec-c,sec-b",
        pdf,
    ];
    let out = cli.run(&args);
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stdout.is_empty(), "no request id: {}", out.text());
    let refused =
        "lp: Printer \"sec-c\" cannot take part of this job: it is less secure than \"sec-a\"";
    assert!(out.stderr.starts_with(refused), "{}", out.text());
}

/// The CLI and a running quired, or None (the test is skipped) when either is not built.
fn start() -> Option<Cli> {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire or quired binary not built");
        return None;
    };
    let server = Server::start_quired().expect("start quired")?;
    Some(Cli { bin, server })
}

#[test]
fn security_facts_and_splitting_with_the_quire_cli() {
    let Some(cli) = start() else { return };
    let pdf = cli.server.dir().join("two-pages.pdf");
    quire_tests::simulated_printer::write_marked_pdf(&pdf, "sec", 2).expect("write PDF");
    let pdf = pdf.to_string_lossy().into_owned();
    setup_queues(&cli);
    check_printer_details(&cli);
    check_auto_split(&cli, &pdf);
    check_none_qualifies(&cli, &pdf);
    check_manual_refused(&cli, &pdf);
}

/// Two equally secure queues writing to files (the administrator vouches for their facts:
/// none); a 10-copy job of a `pages`-page PDF split between them must print completely: both
/// parts end `completed`, both queues stay enabled.
fn split_parts_print(pages: u32) {
    let Some(cli) = start() else { return };
    for q in ["part-a", "part-b"] {
        let uri = format!("file://{}/{q}.prn", cli.server.out_dir().display());
        cli.ok(&["lpadmin", "-p", q, "-v", &uri, "-E"]);
        cli.lpadmin(q, &["quire-security-confirmed=true"]);
    }
    let pdf = cli.server.dir().join("doc.pdf");
    quire_tests::simulated_printer::write_marked_pdf(&pdf, "part", pages).expect("write PDF");
    let out = cli.ok(&[
        "lp",
        "-d",
        "part-a",
        "-n",
        "10",
        "-o",
        "quire-split=auto",
        &pdf.to_string_lossy(),
    ]);
    let id = job_id(&out);
    assert!(out.contains(&format!("quire: Job {id} is split into 2 parts")), "{out}");
    let mut list = String::new();
    let done = quire_tests::process::wait_until(std::time::Duration::from_secs(20), || {
        list = cli.ok(&["lpstat", "-W", "all", "-l", "-o"]);
        list.matches(" impressions)").count() == 2 && list.matches("(completed, ").count() == 2
    });
    let printers = cli.ok(&["lpstat", "-p"]);
    assert!(done, "both parts complete:\n{list}\n{printers}\n{}", cli.server.log_tail(20));
    assert!(!printers.contains("disabled"), "{printers}");
}

/// Documents over 256 KiB are spool files: each part gets a hard link.
#[test]
fn split_parts_of_a_large_document_print() {
    assert!(quire_tests::marked_pdf("part", 1500).len() > 256 * 1024);
    split_parts_print(1500);
}

/// Smaller documents are stored in the job database; each part gets a copy, made while
/// the parent's own bytes may still be staged (not yet committed).
#[test]
fn split_parts_of_a_small_document_print() {
    split_parts_print(2);
}

/// A `file:///dev/null` queue prints (cupsd's usual test device).
#[test]
fn a_dev_null_queue_prints() {
    let Some(cli) = start() else { return };
    cli.ok(&["lpadmin", "-p", "null", "-v", "file:///dev/null", "-E"]);
    let pdf = cli.server.dir().join("doc.pdf");
    quire_tests::simulated_printer::write_marked_pdf(&pdf, "null", 1).expect("write PDF");
    let id = job_id(&cli.ok(&["lp", "-d", "null", &pdf.to_string_lossy()]));
    let done = quire_tests::process::wait_until(std::time::Duration::from_secs(20), || {
        cli.ok(&["lpstat", "-W", "completed", "-o", "null"]).contains(&format!("null-{id} "))
    });
    let printers = cli.ok(&["lpstat", "-p", "null"]);
    assert!(done && !printers.contains("disabled"), "{printers}\n{}", cli.server.log_tail(10));
}
