use super::*;

fn parse(args: &[&str]) -> Result<Option<FailoverArgs>, CliError> {
    let mut ctx = Ctx::new("quire failover");
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    parse_args(&mut ctx, &args)
}

fn text(v: &str) -> Value {
    Value::Text(v.into())
}

fn job(attrs: Vec<Attribute>) -> Group {
    let mut g = Group::new(DelimiterTag::Job);
    attrs.into_iter().for_each(|a| g.push(a));
    g
}

fn state(s: &str) -> Attribute {
    Attribute::new(qv::FAILOVER_STATE, Value::Keyword(s.into()))
}

const VAULT: &str = "vault: biometric, encrypts job data, erases storage; level 5; idle";
const DRAFT: &str = "draft: does not qualify: no authentication (needs pin or better)";
const LAB: &str = "lab: pin, encrypts job data, erases storage; level 3; idle";

fn candidates_attr() -> Attribute {
    Attribute::set(qv::FAILOVER_CANDIDATES, vec![text(DRAFT), text(VAULT), text(LAB)])
}

#[test]
fn arguments() {
    assert_eq!(parse(&["12"]).unwrap(), Some(FailoverArgs { job_id: 12, printer: None }));
    assert_eq!(
        parse(&["office-12", "vault"]).unwrap(),
        Some(FailoverArgs { job_id: 12, printer: Some("vault".into()) })
    );
    let a = parse(&["-h", "localhost:8631", "-U", "alice", "12", "vault", "-E"]).unwrap();
    assert_eq!(a, Some(FailoverArgs { job_id: 12, printer: Some("vault".into()) }));
    assert_eq!(parse(&["--help"]).unwrap(), None);
    for bad in [
        &[][..],
        &["x"],
        &["0"],
        &["12", "a", "b"],
        &["12", "a/b"],
        &["-z", "12"],
        &["-h"],
        &["12", "-x"],
    ] {
        assert!(matches!(parse(bad), Err(CliError::Usage(_))), "{bad:?}");
    }
}

#[test]
fn move_request_is_lpmoves() {
    let req = move_request(&Ctx::new("quire failover"), 12, "vault");
    assert_eq!(req.code, Operation::CupsMoveJob.code());
    assert_eq!(
        req.operation_attr("job-uri").and_then(Attribute::first_str),
        Some("ipp://localhost/jobs/12")
    );
    assert!(req.operation_attr("printer-uri").is_none());
    assert_eq!(
        req.attr(DelimiterTag::Job, "job-printer-uri").map(|a| a.values.clone()),
        Some(vec![Value::Uri("ipp://localhost/printers/vault".into())])
    );
}

#[test]
fn only_a_waiting_job_moves() {
    for s in ["watching", "awaiting-choice", "no-qualified-printer"] {
        assert!(check_waiting(12, &job(vec![state(s)])).is_ok(), "{s}");
    }
    for s in ["handing-off", "failed-over", "resumed"] {
        let err = check_waiting(12, &job(vec![state(s)])).unwrap_err().to_string();
        assert!(err.contains(&format!("failover state: {s}")), "{err}");
    }
    let err = check_waiting(12, &job(vec![])).unwrap_err().to_string();
    assert!(err.contains("no failover record") && err.contains("lpmove"), "{err}");
}

#[test]
fn qualifying_candidates_first() {
    assert!(qualifies(VAULT));
    assert!(!qualifies(DRAFT));
    // A colon in the name, or the words later in the line, do not confuse it.
    assert!(qualifies("x:y: pin; level 3; stopped (does not qualify)"));
    assert_eq!(candidates(&job(vec![candidates_attr()])), [VAULT, LAB, DRAFT]);
    assert!(candidates(&job(vec![])).is_empty());
}

#[test]
fn report_of_a_job_awaiting_a_choice() {
    let g = job(vec![
        Attribute::new("job-id", Value::Integer(12)),
        Attribute::new("job-printer-uri", Value::Uri("ipp://localhost/printers/office".into())),
        state("awaiting-choice"),
        Attribute::new(
            "job-state-message",
            text("\"office\" stopped (media-empty-error) after 7 of 20 impressions."),
        ),
        candidates_attr(),
        Attribute::set(
            qv::FAILOVER_LOG,
            vec![text("14:03:07Z \"office\" stopped"), text("14:03:38Z waiting for a choice")],
        ),
    ]);
    assert_eq!(
        report(12, &g),
        [
            "Job 12 on office",
            "\tFailover: awaiting-choice",
            "\tStatus: \"office\" stopped (media-empty-error) after 7 of 20 impressions.",
            "\tCandidates:",
            &format!("\t\t{VAULT}"),
            &format!("\t\t{LAB}"),
            &format!("\t\t{DRAFT}"),
            "\tLog:",
            "\t\t14:03:07Z \"office\" stopped",
            "\t\t14:03:38Z waiting for a choice",
        ]
    );
}

#[test]
fn report_of_a_failed_over_job_and_of_none() {
    let g = job(vec![
        state("failed-over"),
        Attribute::set(
            qv::SPLIT_PARTS,
            vec![
                text("job 15 on office: printed before \"office\" stopped: copy 1, pages 1-7 (7 impressions) (completed, 7 impressions)"),
                text("job 16 on vault: rest after \"office\" stopped: copy 1, pages 8-20 (pending, 0 impressions)"),
            ],
        ),
        Attribute::set(qv::FAILOVER_LOG, vec![text("14:05:00Z \"office\" printed copy 1, pages 1-7")]),
    ]);
    let lines = report(12, &g);
    assert_eq!(lines[..2], ["Job 12", "\tFailover: failed-over"]);
    // Candidates only while the job waits; the parts say which printer printed what.
    assert!(!lines.iter().any(|l| l.contains("Candidates")));
    assert_eq!(lines[2], "\tParts:");
    assert!(lines[3].starts_with("\t\tjob 15 on office: printed before"));
    assert_eq!(lines[5..], ["\tLog:", "\t\t14:05:00Z \"office\" printed copy 1, pages 1-7"]);
    let waiting_alone = report(3, &job(vec![state("no-qualified-printer")]));
    assert_eq!(
        waiting_alone,
        [
            "Job 3",
            "\tFailover: no-qualified-printer",
            "\tCandidates: none (there is no other printer)"
        ]
    );
    let none = report(7, &job(vec![Attribute::new("job-state-message", text("Job is printing."))]));
    assert_eq!(none.len(), 1);
    assert!(none[0].starts_with("Job 7 has no failover record"), "{none:?}");
    let part = report(16, &job(vec![Attribute::new("parent-job-id", Value::Integer(12))]));
    assert_eq!(
        part,
        ["Job 16 has no failover record; it is part of job 12 (see \"quire failover 12\")."]
    );
}
