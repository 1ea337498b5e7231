//! The worker's wire: every report and the job message read back as written.

use super::*;
use quire_ipp::{Attribute, Value};

#[test]
fn every_report_reads_back_as_written() {
    let reports = [
        Report::Pages(0),
        Report::Pages(17),
        Report::State(vec![], String::new()),
        Report::State(
            vec!["media-empty-error".into(), "toner-low-warning".into()],
            "Add paper now".into(),
        ),
        Report::Attribute(Attribute::set(
            "marker-levels",
            vec![Value::Integer(40), Value::Integer(-1)],
        )),
        Report::Submitted(4242),
        Report::Result(None),
        Report::Result(Some(("stop-printer".into(), "The printer is gone.".into()))),
    ];
    for r in reports {
        assert_eq!(Report::parse(&r.line()), Some(r.clone()), "{}", r.line());
    }
}

#[test]
fn what_a_device_says_cannot_add_lines_or_reasons() {
    let said = Report::State(vec!["a,b c\nresult ok".into()], "line one\nresult ok".into());
    let line = said.line();
    assert!(!line.contains('\n'), "{line}");
    let Some(Report::State(reasons, message)) = Report::parse(&line) else { panic!("{line}") };
    assert_eq!(reasons, ["abcresultok"]);
    assert_eq!(message, "line one result ok");
}

#[test]
fn lines_that_are_no_report_are_none() {
    for line in ["", "pages", "pages x", "attr zz", "attr 0", "result", "hello world"] {
        assert_eq!(Report::parse(line), None, "{line:?}");
    }
}

#[test]
fn every_error_kind_goes_both_ways() {
    let errors = [
        BackendError::BadUri("u".into()),
        BackendError::Device("d".into()),
        BackendError::Spool("s".into()),
        BackendError::Document("doc".into()),
        BackendError::CanceledByDevice("c".into()),
        BackendError::Hold("h".into()),
        BackendError::AuthRequired("a".into()),
        BackendError::StopPrinter("p".into()),
        BackendError::Retry("r".into()),
        BackendError::RetryCurrent("rc".into()),
        BackendError::Canceled,
    ];
    for e in errors {
        let (kind, message) = error_kind(&e);
        let back = error_of(kind, message.clone());
        assert_eq!(error_kind(&back), (kind, message), "{e:?}");
    }
}

#[test]
fn the_job_reads_back_as_sent() {
    let job = JobInfo {
        id: 7,
        name: "Quarterly report".into(),
        user: "alice".into(),
        attributes: vec![Attribute::new("copies", Value::Integer(2))],
        capabilities: vec![Attribute::new("sides-default", Value::Keyword("one-sided".into()))],
        printer: "office".into(),
        created: 1_796_000_000,
        work_dir: "/nowhere".into(),
        resume_device_job: Some(12),
        handoff: true,
        launch: Arc::new(Launch {
            worker: Some(Worker {
                program: "/usr/sbin/quired".into(),
                args: vec!["--filter-worker".into()],
            }),
            ..Launch::default()
        }),
        confidential: true,
    };
    let docs = [DocumentSource {
        path: "/spool/d00007-001".into(),
        format: "application/pdf".into(),
        name: "report.pdf".into(),
        compression: Some("gzip".into()),
    }];
    let bytes = encode_job("socket://printer:9100", &job, &docs).encode();
    let (m, _) = quire_ipp::decode::decode(&bytes).unwrap();
    let (uri, back, formats) = decode_job(&m, std::path::Path::new("/work")).unwrap();
    assert_eq!(uri, "socket://printer:9100");
    assert_eq!((back.id, back.name.as_str(), back.user.as_str()), (7, "Quarterly report", "alice"));
    assert_eq!((back.printer.as_str(), back.created), ("office", 1_796_000_000));
    assert_eq!((back.resume_device_job, back.handoff, back.confidential), (Some(12), true, true));
    assert_eq!(back.attributes, job.attributes);
    assert_eq!(back.capabilities, job.capabilities);
    assert_eq!(formats, [("application/pdf".to_string(), "report.pdf".to_string())]);
    let worker = back.launch.worker.as_ref().unwrap();
    assert_eq!(worker.program, std::path::PathBuf::from("/usr/sbin/quired"));
    assert_eq!(worker.args, ["--filter-worker"]);
    assert!(back.launch.account.is_none(), "the worker does not change its user again");
}
