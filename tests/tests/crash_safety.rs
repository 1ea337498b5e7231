//! "Nothing is lost": jobs survive `kill -9` of the scheduler.
//!
//! Each server runs in a private directory whose config (cupsd.conf / cups-files.conf from the
//! harness's `write_config`, same files for both servers) is reused on restart, on the same port.
//! The scheduler is killed with SIGKILL (never SIGTERM), so nothing gets a chance to flush.
//!
//! Documents are checked end to end: quired's are printed to a private `file:` device per job and
//! compared byte for byte with what was submitted. cupsd 2.4 writes nothing to a `file:` device of
//! a raw queue (see cups_tools.rs), so cupsd's documents are read back with CUPS-Get-Document.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{find_attr, groups, ipp, job_attr, op_attr, request, status_name, unique_pdf};
use quire_client::{Client, Destination};
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use quire_tests::cli::parse_request_id;
use quire_tests::process::{free_port, run_with_timeout, tcp_connects, wait_until, ChildGuard};
use quire_tests::server::write_config;
use quire_tests::{data_dir, require_programs, CmdOutput, ServerKind};
use tempfile::TempDir;

const HELD: i32 = 4;
const PENDING: i32 = 3;
const COMPLETED: i32 = 9;
const USER: &str = "crashtest";

/// A scheduler that can be SIGKILLed and restarted on the same directory, config and port.
struct Daemon {
    kind: ServerKind,
    bin: PathBuf,
    dir: Option<TempDir>,
    port: u16,
    child: Option<ChildGuard>,
    next_id: i32,
}

impl Daemon {
    fn start(kind: ServerKind) -> Option<Daemon> {
        require_programs();
        let bin = quire_tests::server_binary(kind)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("quire-crash-{kind}-"))
            .tempdir()
            .expect("tempdir");
        let port = free_port().expect("free port");
        write_config(dir.path(), port).expect("write config");
        // cupsd writes job control files lazily (DirtyCleanInterval, default 30 s); 0 = "as soon
        // as possible". quired accepts and ignores it (it commits every change).
        let conf = dir.path().join("etc/cupsd.conf");
        let text = fs::read_to_string(&conf).unwrap()
            + "DirtyCleanInterval 0\nPreserveJobFiles Yes\nPreserveJobHistory Yes\n";
        fs::write(&conf, text).unwrap();
        let mut d = Daemon { kind, bin, dir: Some(dir), port, child: None, next_id: 1 };
        d.spawn();
        Some(d)
    }

    fn dir(&self) -> &Path {
        self.dir.as_ref().unwrap().path()
    }

    fn spawn(&mut self) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir().join("log/stdout.log"))
            .unwrap();
        let mut cmd = Command::new(&self.bin);
        cmd.arg("-f")
            .arg("-c")
            .arg(self.dir().join("etc/cupsd.conf"))
            .arg("-s")
            .arg(self.dir().join("etc/cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        self.child = Some(ChildGuard::spawn(&self.kind.to_string(), &mut cmd).expect("spawn"));
        let test = data_dir().join("ipptool/server-answers.test").to_string_lossy().into_owned();
        let uri = format!("ipp://127.0.0.1:{}/", self.port);
        let ready = wait_until(Duration::from_secs(30), || {
            tcp_connects(self.port)
                && matches!(run_with_timeout(10, "ipptool", &["-q".into(), "-T".into(), "2".into(), uri.clone(), test.clone()], None, &[]), Ok(o) if o.rc == 0)
        });
        assert!(ready, "{} not ready after start:\n{}", self.kind, self.log_tail());
    }

    /// `kill -9 PID`, then reap it.
    fn kill9(&mut self) {
        let mut child = self.child.take().expect("running");
        let pid = child.id().expect("pid").to_string();
        let st = Command::new("kill").args(["-9", &pid]).status().expect("run kill");
        assert!(st.success(), "kill -9 {pid} failed");
        assert!(
            wait_until(Duration::from_secs(10), || child.check_alive().is_err()),
            "{} survived SIGKILL",
            self.kind
        );
        drop(child);
    }

    fn restart(&mut self) {
        self.spawn();
    }

    fn log_tail(&self) -> String {
        let mut out = String::new();
        for f in ["log/stdout.log", "log/error_log"] {
            let text = fs::read_to_string(self.dir().join(f)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            out +=
                &format!("==> {f} <==\n{}\n", lines[lines.len().saturating_sub(40)..].join("\n"));
        }
        out
    }

    fn printer_uri(&self, q: &str) -> String {
        format!("ipp://127.0.0.1:{}/printers/{q}", self.port)
    }

    fn out_file(&self, q: &str) -> PathBuf {
        self.dir().join("out").join(format!("{q}.prn"))
    }

    fn tool(&self, program: &str, args: &[&str]) -> CmdOutput {
        let hp = format!("127.0.0.1:{}", self.port);
        let mut full = vec!["-h".to_string(), hp.clone()];
        full.extend(args.iter().map(|a| a.to_string()));
        let env = [
            ("CUPS_SERVER".to_string(), hp),
            ("HOME".to_string(), self.dir().to_string_lossy().into_owned()),
            ("LANG".to_string(), "C".to_string()),
        ];
        let out = run_with_timeout(30, program, &full, None, &env).expect("run tool");
        assert_eq!(
            out.rc,
            0,
            "{}: {program} {args:?}\n{}\n{}",
            self.kind,
            out.text(),
            self.log_tail()
        );
        out
    }

    fn add_queue(&self, q: &str) {
        let uri = format!("file://{}", self.out_file(q).display());
        self.tool("lpadmin", &["-p", q, "-v", &uri, "-E"]);
    }

    fn ipp(&mut self, q: &str, msg: &mut Message, doc: &[u8]) -> (u16, Message, Vec<u8>) {
        self.next_id += 1;
        msg.request_id = self.next_id;
        let (http, resp, rest) = ipp(self.port, &format!("/printers/{q}"), msg, doc)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", self.kind, self.log_tail()));
        assert_eq!(http, 200, "{} HTTP status", self.kind);
        (resp.code, resp, rest)
    }

    fn job_op(&mut self, q: &str, op: Operation, id: i32) -> Message {
        let mut m = request(op, Some(&self.printer_uri(q)), USER, 0);
        op_attr(&mut m, Attribute::new("job-id", Value::Integer(id)));
        let (code, resp, _) = self.ipp(q, &mut m, &[]);
        assert!(code < 0x100, "{} {} job {id}: {}", self.kind, op.name(), status_name(code));
        resp
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(dir) = self.dir.take() {
                eprintln!("{}: keeping {}", self.kind, dir.keep().display());
            }
        }
    }
}

/// What a job looks like from outside; compared before and after the crash.
#[derive(Debug, Clone, PartialEq)]
struct JobView {
    state: i32,
    name: String,
    owner: String,
    printer_uri: String,
    documents: i32,
    created: i32,
}

const VIEW_ATTRS: [&str; 6] = [
    "job-state",
    "job-name",
    "job-originating-user-name",
    "job-printer-uri",
    "number-of-documents",
    "time-at-creation",
];

fn view(d: &mut Daemon, q: &str, id: i32) -> Option<JobView> {
    let mut m = request(Operation::GetJobAttributes, Some(&d.printer_uri(q)), USER, 0);
    op_attr(&mut m, Attribute::new("job-id", Value::Integer(id)));
    let kws = VIEW_ATTRS.iter().map(|k| Value::Keyword(k.to_string())).collect();
    op_attr(&mut m, Attribute::set("requested-attributes", kws));
    let (code, resp, _) = d.ipp(q, &mut m, &[]);
    if code == 0x0406 {
        return None;
    }
    assert!(code < 0x100, "{} Get-Job-Attributes {id}: {}", d.kind, status_name(code));
    let g = resp.group(DelimiterTag::Job)?;
    let s = |n: &str| g.get(n).and_then(|a| a.first_str()).unwrap_or("").to_string();
    let i = |n: &str| g.get(n).and_then(|a| a.first_i32()).unwrap_or(-1);
    Some(JobView {
        state: i("job-state"),
        name: s("job-name"),
        owner: s("job-originating-user-name"),
        printer_uri: s("job-printer-uri"),
        documents: i("number-of-documents"),
        created: i("time-at-creation"),
    })
}

fn wait_state(d: &mut Daemon, q: &str, id: i32, want: i32) -> i32 {
    let mut last = -1;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        last = view(d, q, id).map(|v| v.state).unwrap_or(-1);
        if last == want {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

/// `lp -d Q -t NAME [extra] FILE` as the test user.
fn lp(d: &Daemon, q: &str, name: &str, extra: &[&str], file: &Path) -> i32 {
    let f = file.to_string_lossy().into_owned();
    let mut args = vec!["-U", USER, "-d", q, "-t", name];
    args.extend_from_slice(extra);
    args.push(&f);
    let out = d.tool("lp", &args);
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no job id in {}", out.text())) as i32
}

/// Create-Job + one Send-Document per document (the last with last-document=true).
fn create_multi(d: &mut Daemon, q: &str, name: &str, hold: bool, docs: &[Vec<u8>]) -> i32 {
    let mut m = request(Operation::CreateJob, Some(&d.printer_uri(q)), USER, 0);
    op_attr(&mut m, Attribute::new("job-name", Value::Name(name.into())));
    if hold {
        job_attr(&mut m, Attribute::new("job-hold-until", Value::Keyword("indefinite".into())));
    }
    let (code, resp, _) = d.ipp(q, &mut m, &[]);
    assert!(
        code < 0x100,
        "{} Create-Job: {} {:?}",
        d.kind,
        status_name(code),
        common::status_message(&resp)
    );
    let id = resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).expect("job-id");
    for (n, doc) in docs.iter().enumerate() {
        let mut s = request(Operation::SendDocument, Some(&d.printer_uri(q)), USER, 0);
        op_attr(&mut s, Attribute::new("job-id", Value::Integer(id)));
        op_attr(
            &mut s,
            Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())),
        );
        op_attr(&mut s, Attribute::new("last-document", Value::Boolean(n + 1 == docs.len())));
        let (code, resp, _) = d.ipp(q, &mut s, doc);
        assert!(
            code < 0x100,
            "{} Send-Document {n}: {} {:?}",
            d.kind,
            status_name(code),
            common::status_message(&resp)
        );
    }
    id
}

/// cupsd: every document via CUPS-Get-Document.
fn cupsd_documents(d: &mut Daemon, q: &str, id: i32, count: usize) -> Vec<Vec<u8>> {
    (1..=count as i32)
        .map(|n| {
            let mut m = request(Operation::CupsGetDocument, Some(&d.printer_uri(q)), USER, 0);
            op_attr(&mut m, Attribute::new("job-id", Value::Integer(id)));
            op_attr(&mut m, Attribute::new("document-number", Value::Integer(n)));
            let (code, _, data) = d.ipp(q, &mut m, &[]);
            assert!(code < 0x100, "cupsd CUPS-Get-Document {id}/{n}: {}", status_name(code));
            data
        })
        .collect()
}

/// quired: moves the job to a fresh queue of its own, releases it there and returns what its
/// `file:` device received.
fn quired_print(d: &mut Daemon, q: &str, id: i32) -> Vec<u8> {
    let own = format!("verify-{id}");
    d.add_queue(&own);
    d.tool("lpmove", &[&id.to_string(), &own]);
    let state = view(d, &own, id).map(|v| v.state).unwrap_or(-1);
    if state == HELD {
        d.job_op(&own, Operation::ReleaseJob, id);
    }
    let _ = q;
    let st = wait_state(d, &own, id, COMPLETED);
    assert_eq!(st, COMPLETED, "quired job {id} did not complete on {own}\n{}", d.log_tail());
    fs::read(d.out_file(&own)).unwrap_or_default()
}

struct Submitted {
    queue: String,
    docs: Vec<Vec<u8>>,
    want_state: i32,
}

fn nothing_lost_after_kill9(kind: ServerKind) {
    let Some(mut d) = Daemon::start(kind) else { return };
    let base = [
        fs::read(data_dir().join("documents/document-letter.pdf")).unwrap(),
        fs::read(data_dir().join("documents/document-a4.pdf")).unwrap(),
    ];
    let work = tempfile::tempdir().unwrap();
    let mut doc_no = 0;
    let mut new_doc = |what: &str| {
        doc_no += 1;
        unique_pdf(&base[doc_no % 2], &format!("{kind} {what} {doc_no}"), 0)
    };
    for q in ["done", "held", "stopped"] {
        d.add_queue(q);
    }
    d.tool("cupsdisable", &["stopped"]);
    let mut jobs: BTreeMap<i32, Submitted> = BTreeMap::new();
    let lp_job = |d: &mut Daemon,
                  q: &str,
                  extra: &[&str],
                  want: i32,
                  doc: Vec<u8>,
                  jobs: &mut BTreeMap<i32, Submitted>| {
        let path = work.path().join(format!("doc{}.pdf", jobs.len()));
        fs::write(&path, &doc).unwrap();
        let id = lp(d, q, &format!("crash-{}-{}", q, jobs.len()), extra, &path);
        jobs.insert(id, Submitted { queue: q.into(), docs: vec![doc], want_state: want });
    };

    // One completed job.
    let doc = new_doc("done");
    lp_job(&mut d, "done", &[], COMPLETED, doc, &mut jobs);
    let done_id = *jobs.keys().next().unwrap();
    assert_eq!(
        wait_state(&mut d, "done", done_id, COMPLETED),
        COMPLETED,
        "{kind}: job {done_id} did not complete"
    );
    // Held jobs and pending jobs on a stopped queue, interleaved.
    for i in 0..8 {
        let doc = new_doc("held");
        lp_job(&mut d, "held", &["-H", "hold"], HELD, doc, &mut jobs);
        let doc = new_doc("pending");
        lp_job(&mut d, "stopped", &[], PENDING, doc, &mut jobs);
        if i == 3 {
            let docs = vec![new_doc("multi-held-1"), new_doc("multi-held-2")];
            let id = create_multi(&mut d, "held", "crash-multi-held", true, &docs);
            jobs.insert(id, Submitted { queue: "held".into(), docs, want_state: HELD });
        }
    }
    for n in 0..2 {
        let docs = vec![new_doc("multi-1"), new_doc("multi-2"), new_doc("multi-3")];
        let id = create_multi(&mut d, "stopped", &format!("crash-multi-{n}"), false, &docs);
        jobs.insert(id, Submitted { queue: "stopped".into(), docs, want_state: PENDING });
    }
    assert_eq!(jobs.len(), 20);

    let mut before: BTreeMap<i32, JobView> = BTreeMap::new();
    for (id, job) in &jobs {
        let v = view(&mut d, &job.queue, *id)
            .unwrap_or_else(|| panic!("{kind}: job {id} missing before the crash"));
        assert_eq!(v.state, job.want_state, "{kind}: job {id} state before the crash: {v:?}");
        assert_eq!(v.owner, USER, "{kind}: job {id}");
        assert_eq!(
            v.documents,
            job.docs.len() as i32,
            "{kind}: job {id} number-of-documents: {v:?}"
        );
        before.insert(*id, v);
    }
    if kind == ServerKind::Cupsd {
        // cupsd answers before its job files are written (even with DirtyCleanInterval 0);
        // give it the moment it needs. quired is killed right after the last answer.
        std::thread::sleep(Duration::from_secs(3));
    }
    d.kill9();
    d.restart();

    for (id, job) in &jobs {
        let after = view(&mut d, &job.queue, *id);
        assert_eq!(
            after.as_ref(),
            Some(&before[id]),
            "{kind}: job {id} changed across kill -9\n{}",
            d.log_tail()
        );
    }

    // Release one single-document held job: exactly its bytes reach the file: device.
    let (&rel, _) = jobs.iter().find(|(_, j)| j.queue == "held" && j.docs.len() == 1).unwrap();
    if kind == ServerKind::Cupsd {
        let got = cupsd_documents(&mut d, "held", rel, 1);
        assert!(got[0] == jobs[&rel].docs[0], "cupsd job {rel}: document differs after restart");
    }
    d.job_op("held", Operation::ReleaseJob, rel);
    assert_eq!(
        wait_state(&mut d, "held", rel, COMPLETED),
        COMPLETED,
        "{kind}: released job {rel}\n{}",
        d.log_tail()
    );
    if kind == ServerKind::Quired {
        let got = fs::read(d.out_file("held")).unwrap_or_default();
        let want = &jobs[&rel].docs[0];
        assert!(
            &got == want,
            "quired job {rel}: device got {} bytes, submitted {}",
            got.len(),
            want.len()
        );
    }

    // Every other unfinished job's documents are intact.
    for (id, job) in &jobs {
        if *id == rel || job.want_state == COMPLETED {
            continue;
        }
        match kind {
            ServerKind::Cupsd => {
                let got = cupsd_documents(&mut d, &job.queue, *id, job.docs.len());
                for (n, (g, w)) in got.iter().zip(&job.docs).enumerate() {
                    assert!(
                        g == w,
                        "cupsd job {id} document {}: {} bytes, want {}",
                        n + 1,
                        g.len(),
                        w.len()
                    );
                }
            }
            ServerKind::Quired => {
                let got = quired_print(&mut d, &job.queue, *id);
                let want = job.docs.concat();
                assert!(
                    got == want,
                    "quired job {id} ({} documents): device got {} bytes, submitted {} in total",
                    job.docs.len(),
                    got.len(),
                    want.len()
                );
            }
        }
    }
}

#[test]
fn cupsd_keeps_jobs_across_kill9() {
    nothing_lost_after_kill9(ServerKind::Cupsd);
}

#[test]
fn quired_keeps_jobs_across_kill9() {
    nothing_lost_after_kill9(ServerKind::Quired);
}

const BURST: usize = 50;

/// Outcome of one submission thread.
enum Sent {
    Acked(i32),
    Refused(u16),
    NoAnswer(#[allow(dead_code)] String),
}

/// 50 concurrent held Print-Jobs (one per queue), SIGKILL after the first answers, restart, then:
/// every acknowledged job is there and held; every job that is there holds its complete document
/// (released, it prints exactly the submitted bytes). Three times on the same spool.
///
/// quired only: cupsd acknowledges a job before its control file is on disk (DirtyCleanInterval),
/// so it makes no such promise.
#[test]
fn quired_burst_kill9_loses_no_acknowledged_job() {
    let Some(mut d) = Daemon::start(ServerKind::Quired) else { return };
    for i in 0..BURST {
        d.add_queue(&format!("b{i}"));
    }
    let base = fs::read(data_dir().join("documents/document-letter.pdf")).unwrap();
    for round in 0..3 {
        let docs: Vec<Arc<Vec<u8>>> = (0..BURST)
            .map(|i| {
                Arc::new(unique_pdf(&base, &format!("burst {round} {i}"), 128 * 1024 + i * 8192))
            })
            .collect();
        let acked = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..BURST)
            .map(|i| {
                let (doc, acked, port) = (docs[i].clone(), acked.clone(), d.port);
                std::thread::spawn(move || {
                    // Staggered, so the kill lands between group commits, not after all of them.
                    std::thread::sleep(Duration::from_millis(6 * i as u64));
                    submit_held(port, i, round, &doc, &acked)
                })
            })
            .collect();
        // Kill once some answers are in and others are still on the wire.
        let start = Instant::now();
        while acked.load(Ordering::SeqCst) < [1, 10, 25][round]
            && start.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        d.kill9();
        let results: Vec<Sent> = handles.into_iter().map(|h| h.join().expect("thread")).collect();
        let n_acked = results.iter().filter(|r| matches!(r, Sent::Acked(_))).count();
        for r in &results {
            if let Sent::Refused(code) = r {
                panic!(
                    "round {round}: a submission was refused before the kill: {}",
                    status_name(*code)
                );
            }
        }
        println!("round {round}: {n_acked} of {BURST} acknowledged before kill -9");
        d.restart();

        let mut present = 0;
        for (i, r) in results.iter().enumerate() {
            let q = format!("b{i}");
            let name = format!("burst-{round}-{i}");
            let mine: Vec<(i32, i32)> = list_jobs(&mut d, &q)
                .into_iter()
                .filter(|(_, n, _)| *n == name)
                .map(|(id, _, s)| (id, s))
                .collect();
            assert!(
                mine.len() <= 1,
                "round {round}: {name} is there {} times: {mine:?}",
                mine.len()
            );
            match (r, mine.first()) {
                (Sent::Acked(id), None) => panic!(
                    "round {round}: acknowledged job {id} ({name}) lost by kill -9\n{}",
                    d.log_tail()
                ),
                (Sent::Acked(id), Some((got, _))) => {
                    assert_eq!(id, got, "round {round}: {name} has another id")
                }
                (Sent::NoAnswer(_), _) | (Sent::Refused(_), _) => {}
            }
            let Some(&(id, state)) = mine.first() else { continue };
            present += 1;
            if matches!(r, Sent::Acked(_)) {
                assert_eq!(
                    state, HELD,
                    "round {round}: acknowledged job {id} ({name}) state after restart"
                );
            } else if state != HELD {
                // An unacknowledged job may survive only as aborted/canceled, never printable.
                assert!(
                    state == 7 || state == 8,
                    "round {round}: unacknowledged job {id} ({name}) is in state {state}"
                );
                continue;
            }
            d.job_op(&q, Operation::ReleaseJob, id);
            let st = wait_state(&mut d, &q, id, COMPLETED);
            assert_eq!(
                st,
                COMPLETED,
                "round {round}: job {id} ({name}) did not print\n{}",
                d.log_tail()
            );
            let got = fs::read(d.out_file(&q)).unwrap_or_default();
            assert!(
                got == *docs[i],
                "round {round}: job {id} ({name}) printed {} bytes, submitted {}",
                got.len(),
                docs[i].len()
            );
        }
        println!("round {round}: {present} jobs present after restart, all complete");
    }
}

fn submit_held(port: u16, i: usize, round: usize, doc: &[u8], acked: &AtomicUsize) -> Sent {
    let dest = Destination::Tcp { host: "127.0.0.1".into(), port };
    let mut client = match Client::connect(dest) {
        Ok(c) => c.with_user(USER).with_timeout(Duration::from_secs(30)),
        Err(e) => return Sent::NoAnswer(e.to_string()),
    };
    let uri = format!("ipp://127.0.0.1:{port}/printers/b{i}");
    let mut m = client.request(Operation::PrintJob, Some(&uri));
    op_attr(&mut m, Attribute::new("job-name", Value::Name(format!("burst-{round}-{i}"))));
    op_attr(
        &mut m,
        Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())),
    );
    job_attr(&mut m, Attribute::new("job-hold-until", Value::Keyword("indefinite".into())));
    let mut reader: &[u8] = doc;
    match client.send(&format!("/printers/b{i}"), &m, Some(&mut reader)) {
        Ok(resp) if resp.code < 0x100 => {
            let id =
                resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).unwrap_or(-1);
            acked.fetch_add(1, Ordering::SeqCst);
            Sent::Acked(id)
        }
        Ok(resp) => Sent::Refused(resp.code),
        Err(e) => Sent::NoAnswer(e.to_string()),
    }
}

/// (job-id, job-name, job-state) of every job on `q`, completed ones included.
fn list_jobs(d: &mut Daemon, q: &str) -> Vec<(i32, String, i32)> {
    let mut m = request(Operation::GetJobs, Some(&d.printer_uri(q)), USER, 0);
    op_attr(&mut m, Attribute::new("which-jobs", Value::Keyword("all".into())));
    let kws =
        ["job-id", "job-name", "job-state"].iter().map(|k| Value::Keyword(k.to_string())).collect();
    op_attr(&mut m, Attribute::set("requested-attributes", kws));
    let (code, resp, _) = d.ipp(q, &mut m, &[]);
    assert!(code < 0x100, "Get-Jobs {q}: {}", status_name(code));
    groups(&resp, DelimiterTag::Job)
        .into_iter()
        .map(|g| {
            let id = find_attr(g, "job-id").and_then(|a| a.first_i32()).unwrap_or(-1);
            let name =
                find_attr(g, "job-name").and_then(|a| a.first_str()).unwrap_or("").to_string();
            let state = find_attr(g, "job-state").and_then(|a| a.first_i32()).unwrap_or(-1);
            (id, name, state)
        })
        .collect()
}
