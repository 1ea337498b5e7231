//! Memory taking back what the store holds after a failed save.

use super::*;
use crate::store_thread::Reloaded;
use quire_core::{Document, Request, Requester, Settings, UriBase};
use quire_ipp::{Attribute, DelimiterTag, Group, Operation, Value};
use quire_store::JobRecord;

const NOW: i64 = 1_700_000_000;

/// A fresh private directory for one test's spool files.
fn spool_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("quired-reconcile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("spool dir");
    dir
}

fn root() -> Requester {
    crate::requester::local_root()
}

fn request(op: Operation, uri: &str, doc: Option<Document>, job: Vec<Attribute>) -> Request {
    let mut msg = quire_client::request_as(op, Some(uri), "alice");
    if op == Operation::CupsAddModifyPrinter {
        let mut g = Group::new(DelimiterTag::Printer);
        g.push(Attribute::new("device-uri", Value::Uri("file:///dev/null".into())));
        g.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
        g.push(Attribute::new("printer-state", Value::Enum(3)));
        msg.push_group(g);
    }
    if !job.is_empty() {
        msg.push_group(Group { tag: DelimiterTag::Job, attributes: job });
    }
    let mut r =
        Request::new(msg, "/", UriBase { scheme: "ipp".into(), authority: "localhost".into() });
    r.document = doc;
    r
}

/// A scheduler with printer P and jobs 1 (held), 2 (held, spool file `file`), 3 (printing).
fn world(file: &str) -> Scheduler {
    let mut s = Scheduler::new(Settings::default());
    let uri = "ipp://localhost/printers/P";
    let out = quire_core::handle(
        &mut s,
        &request(Operation::CupsAddModifyPrinter, uri, None, Vec::new()),
        &root(),
        NOW,
    );
    assert_eq!(out.response.code, 0);
    let hold = || vec![Attribute::new("job-hold-until", Value::Keyword("indefinite".into()))];
    let doc = |f: &str| Document {
        number: 1,
        format: "text/plain".into(),
        name: "d".into(),
        size: 10,
        file: f.into(),
        compression: None,
        pages: None,
        uri: None,
    };
    for (d, job) in
        [(doc("d00001-001"), hold()), (doc(file), hold()), (doc("d00003-001"), Vec::new())]
    {
        let out = quire_core::handle(
            &mut s,
            &request(Operation::PrintJob, uri, Some(d), job),
            &root(),
            NOW,
        );
        assert_eq!(out.response.code, 0, "{:?}", out.response);
    }
    assert_eq!(s.jobs[&3].state, JobState::Processing);
    s
}

/// The store's record of a job as memory has it now (as a batch saves it).
fn record(s: &Scheduler, id: i32) -> JobRecord {
    match crate::records::job(&s.jobs[&id]) {
        quire_store::Change::PutJob(r) => r,
        other => panic!("not a job record: {other:?}"),
    }
}

#[test]
fn memory_takes_back_what_the_store_holds() {
    let dir = spool_dir("back");
    let mut s = world("d00002-001");
    std::fs::write(dir.join("d00002-001"), b"0123456789").expect("spool file");
    let (held1, printing3) = (record(&s, 1), record(&s, 3));
    // Changes the store did not save: job 1 cancelled, job 3 cancelled (its printer freed),
    // and job 2 was never saved at all.
    for id in [1, 3] {
        let mut msg = quire_client::request_as(
            Operation::CancelJob,
            Some("ipp://localhost/printers/P"),
            "alice",
        );
        msg.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(id)));
        let out = quire_core::handle(
            &mut s,
            &Request::new(
                msg,
                "/",
                UriBase { scheme: "ipp".into(), authority: "localhost".into() },
            ),
            &root(),
            NOW,
        );
        assert_eq!(out.response.code, 0);
    }
    assert_eq!(s.printer("P").map(|p| p.state), Some(PrinterState::Idle));
    let stored = Reloaded {
        jobs: vec![(1, Some(held1)), (2, None), (3, Some(printing3))],
        ..Default::default()
    };
    let effects = apply(&mut s, &dir, stored);
    assert_eq!(s.jobs[&1].state, JobState::Held, "the lost cancel is undone");
    assert!(!s.jobs.contains_key(&2), "a job the store never had is gone");
    assert!(!dir.join("d00002-001").exists(), "with its spool file");
    // The store says printing, but the run was stopped: pending again, as after a restart.
    assert_eq!(s.jobs[&3].state, JobState::Pending);
    assert!(effects.iter().all(|e| matches!(e, Effect::ArmTimer { .. })), "{effects:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_the_store_never_heard_of_is_stopped_and_its_printer_freed() {
    let dir = spool_dir("run");
    let mut s = world("d00002-001");
    // Job 3 started printing, but the store still has it pending (that change was lost).
    let mut was = (*s.jobs[&3]).clone();
    was.state = JobState::Pending;
    was.output_device = None;
    let pending = JobRecord {
        state: JobState::Pending as i32,
        attrs: persist::job_to_blob(&was),
        ..record(&s, 3)
    };
    let run = s.jobs[&3].run;
    let effects =
        apply(&mut s, &dir, Reloaded { jobs: vec![(3, Some(pending))], ..Default::default() });
    assert!(effects.contains(&Effect::StopJob { job_id: 3 }), "{effects:?}");
    assert_eq!(s.jobs[&3].state, JobState::Pending);
    assert_eq!(s.jobs[&3].run, run, "run numbers never go back");
    assert_eq!(s.printer("P").map(|p| p.state), Some(PrinterState::Idle));
    // Printing in memory and in the store: left alone.
    let mut s = world("d00002-001");
    let device = s.jobs[&3].output_device.clone();
    let same = record(&s, 3);
    let effects =
        apply(&mut s, &dir, Reloaded { jobs: vec![(3, Some(same))], ..Default::default() });
    assert!(!effects.contains(&Effect::StopJob { job_id: 3 }));
    assert_eq!(
        (s.jobs[&3].state, s.jobs[&3].output_device.clone()),
        (JobState::Processing, device)
    );
    assert_eq!(s.printer("P").map(|p| p.state), Some(PrinterState::Processing));
    let _ = std::fs::remove_dir_all(&dir);
}
