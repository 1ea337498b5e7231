use super::*;

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn parse(args: &[&str]) -> Result<Option<ReleaseArgs>, CliError> {
    let mut ctx = Ctx::new("quire release");
    parse_args(&mut ctx, &strings(args))
}

fn mode_of(args: &[&str]) -> Mode {
    parse(args).unwrap().unwrap().mode
}

fn usage_error(args: &[&str]) -> String {
    match parse(args) {
        Err(CliError::Usage(m)) => m,
        other => {
            panic!("{args:?}: expected a usage error, got {:?}", other.map(|a| a.map(|a| a.mode)))
        }
    }
}

#[test]
fn modes_and_operands() {
    assert_eq!(mode_of(&["7"]), Mode::Release(vec![7]));
    assert_eq!(mode_of(&["7", "office-8", "9"]), Mode::Release(vec![7, 8, 9]));
    assert_eq!(mode_of(&["--pin", "12"]), Mode::Pin(12));
    assert_eq!(mode_of(&["12", "--pin"]), Mode::Pin(12));
    assert_eq!(mode_of(&["--all"]), Mode::All(None));
    assert_eq!(mode_of(&["--all", "office"]), Mode::All(Some("office".into())));
    assert_eq!(mode_of(&["--delete", "3", "4"]), Mode::Delete(vec![3, 4]));
    assert_eq!(mode_of(&["--list"]), Mode::List);
    // The same long option twice is harmless.
    assert_eq!(mode_of(&["--list", "--list"]), Mode::List);
    assert!(parse(&["--help"]).unwrap().is_none());
    assert!(parse(&["--all", "--help"]).unwrap().is_none());
}

#[test]
fn user_server_and_encryption() {
    let mut ctx = Ctx::new("quire release");
    let a = parse_args(&mut ctx, &strings(&["-h", "print.example:8631", "-U", "alice", "--all"]))
        .unwrap()
        .unwrap();
    assert_eq!(a, ReleaseArgs { mode: Mode::All(None), user: Some("alice".into()) });
    assert_eq!(
        ctx.destination().unwrap(),
        quire_client::Destination::Tcp { host: "print.example".into(), port: 8631 }
    );
    assert_eq!(ctx.host_name().unwrap(), "print.example");
    // Glued values and grouped flags, as in the other commands.
    let a = parse(&["-Ualice", "-EU", "bob", "7"]).unwrap().unwrap();
    assert_eq!(a.user.as_deref(), Some("bob"));
    assert_eq!(parse(&["7"]).unwrap().unwrap().user, None);
    // A value of -U or -h is never a long option; after "--" everything is an operand.
    let a = parse(&["-U", "--all", "7"]).unwrap().unwrap();
    assert_eq!(a, ReleaseArgs { mode: Mode::Release(vec![7]), user: Some("--all".into()) });
    assert_eq!(usage_error(&["--", "--all"]), "Error - bad job ID \"--all\".");
    assert_eq!(mode_of(&["--delete", "--", "5"]), Mode::Delete(vec![5]));
}

#[test]
fn argument_errors_name_the_problem() {
    assert_eq!(usage_error(&[]), "Error - need a job ID.");
    assert_eq!(usage_error(&["-U", "alice"]), "Error - need a job ID.");
    assert_eq!(usage_error(&["--delete"]), "Error - need a job ID to delete.");
    assert_eq!(usage_error(&["--pin"]), "Error - need a job ID after \"--pin\".");
    assert_eq!(
        usage_error(&["--pin", "1", "2"]),
        "Error - \"--pin\" takes one job ID (each job has its own PIN)."
    );
    assert_eq!(usage_error(&["x7"]), "Error - bad job ID \"x7\".");
    assert_eq!(usage_error(&["7", "0"]), "Error - bad job ID \"0\".");
    assert_eq!(
        usage_error(&["--all", "--pin", "3"]),
        "Error - \"--all\" and \"--pin\" cannot be used together."
    );
    assert_eq!(
        usage_error(&["--list", "--delete", "3"]),
        "Error - \"--list\" and \"--delete\" cannot be used together."
    );
    assert_eq!(usage_error(&["--all", "a", "b"]), "Error - unexpected argument \"b\".");
    assert_eq!(usage_error(&["--list", "office"]), "Error - unexpected argument \"office\".");
    assert_eq!(usage_error(&["--bogus", "7"]), "Error - unknown option \"--bogus\".");
    assert_eq!(usage_error(&["-x", "7"]), "Error - unknown option \"x\".");
    assert_eq!(usage_error(&["-U"]), "Error - expected value after \"-U\" option.");
    assert_eq!(usage_error(&["-U", "", "7"]), "Error - empty user name after \"-U\".");
    assert!(matches!(parse(&["--all", "a/b"]), Err(CliError::Usage(_))));
    assert!(parse(&["-h", "", "7"]).is_err());
}

#[test]
fn long_options_split_from_short_ones() {
    let (long, rest) =
        split_long(&strings(&["-Ualice", "--pin", "-h", "--list", "7", "--", "--all"]));
    assert_eq!(long, ["--pin"]);
    assert_eq!(rest, ["-Ualice", "-h", "--list", "7", "--", "--all"]);
    assert!(value_follows("-U") && value_follows("-EU") && value_follows("-h"));
    assert!(
        !value_follows("-Ualice")
            && !value_follows("-E")
            && !value_follows("--all")
            && !value_follows("-")
    );
}

#[test]
fn usage_mentions_every_mode_and_the_variables() {
    for s in [
        "--all",
        "--delete",
        "--list",
        "--pin",
        "-U username",
        "-h server",
        "QUIRE_PASSWORD",
        "QUIRE_PIN",
    ] {
        assert!(USAGE.contains(s), "{s}");
    }
}

fn op_str<'a>(m: &'a Message, name: &str) -> Option<&'a str> {
    m.operation_attr(name).and_then(Attribute::first_str)
}

#[test]
fn requests() {
    let mut ctx = Ctx::new("quire release");
    ctx.set_credentials("alice", "s3cret");
    let r = job_request(&ctx, 7, Action::Release);
    assert_eq!(r.code, Operation::ReleaseJob.code());
    assert_eq!(op_str(&r, "job-uri"), Some("ipp://localhost/jobs/7"));
    assert_eq!(op_str(&r, "requesting-user-name"), Some("alice"));
    assert!(r.operation_attr("purge-job").is_none() && r.operation_attr("job-password").is_none());
    let d = job_request(&ctx, 7, Action::Delete);
    assert_eq!(d.code, Operation::CancelJob.code());
    assert_eq!(d.operation_attr("purge-job").and_then(Attribute::first_bool), Some(true));
    let p = pin_request(&ctx, 12, "1234");
    assert_eq!(p.code, Operation::ReleaseJob.code());
    assert_eq!(
        p.operation_attr("job-password").map(|a| a.values.clone()),
        Some(vec![Value::OctetString(b"1234".to_vec())])
    );
    let all = release_all_request(&ctx, None);
    assert_eq!(all.code, 0x4100);
    assert_eq!(op_str(&all, "printer-uri"), Some("ipp://localhost/"));
    let one = release_all_request(&ctx, Some("office"));
    assert_eq!(op_str(&one, "printer-uri"), Some("ipp://localhost/printers/office"));
    let l = list_request(&ctx);
    assert_eq!(l.code, Operation::GetJobs.code());
    assert_eq!(op_str(&l, "which-jobs"), Some("not-completed"));
    assert_eq!(l.operation_attr("my-jobs").and_then(Attribute::first_bool), Some(true));
    let asked: Vec<&str> =
        l.operation_attr("requested-attributes").map(|a| a.strs().collect()).unwrap_or_default();
    assert_eq!(asked, LIST_ATTRS);
}

fn response(code: u16, message: Option<&str>) -> Message {
    let mut m = quire_client::request_as(Operation::ReleaseJob, None, "x");
    m.code = code;
    if let Some(text) = message {
        op_attr(&mut m, Attribute::new("status-message", Value::Text(text.into())));
    }
    m
}

#[test]
fn outcomes_and_refusals() {
    assert_eq!(outcome(7, &response(0, None), Action::Release), Ok("Released job 7.".into()));
    assert_eq!(outcome(7, &response(0, None), Action::Delete), Ok("Deleted job 7.".into()));
    let err =
        outcome(7, &response(0x0507, Some("Wrong job-password for job #7.")), Action::Release);
    assert_eq!(err, Err("Job #7: Wrong job-password for job #7.".into()));
    assert_eq!(
        outcome(8, &response(0x0406, None), Action::Release),
        Err("Job #8: client-error-not-found".into())
    );

    let text = |e: CliError| e.to_string();
    assert_eq!(
        text(refused(CliError::Client(ClientError::Unauthorized), "alice")),
        "Authentication failed for alice."
    );
    let locked = "too many failed logins for user \"alice\"; try again in 300 s";
    let e = ClientError::Http { status: 403, reason: "Forbidden".into(), body: locked.into() };
    assert_eq!(text(refused(CliError::Client(e), "alice")), locked);
    let e = ClientError::Http { status: 403, reason: "Forbidden".into(), body: String::new() };
    assert_eq!(text(refused(CliError::Client(e), "alice")), "HTTP error 403 Forbidden");
    let e = ClientError::Http { status: 500, reason: "Oops".into(), body: "x".into() };
    assert!(matches!(
        refused(CliError::Client(e), "alice"),
        CliError::Client(ClientError::Http { status: 500, .. })
    ));
}

fn release_response(message: Option<&str>, ids: &[i32]) -> Message {
    let mut m = response(0, message);
    if !ids.is_empty() {
        let mut g = Group::new(DelimiterTag::Job);
        g.push(Attribute::set(
            qv::RELEASED_JOB_IDS,
            ids.iter().map(|i| Value::Integer(*i)).collect(),
        ));
        m.push_group(g);
    }
    m
}

#[test]
fn release_all_report() {
    let r = release_response(Some("Released 3 job(s): 4, 5, 7."), &[4, 5, 7]);
    assert_eq!(released_ids(&r), [4, 5, 7]);
    assert_eq!(released_text(&r), "Released jobs 4, 5, 7.");
    assert_eq!(
        released_text(&release_response(Some("Released 1 job(s): 4."), &[4])),
        "Released job 4."
    );
    assert_eq!(released_text(&release_response(None, &[4, 5])), "Released jobs 4, 5.");
    // The server's message when it says more, or when nothing was released.
    let pins = "Released 1 job(s): 4; job(s) 9 need their PIN.";
    assert_eq!(released_text(&release_response(Some(pins), &[4])), pins);
    let none = "You have no held confidential jobs.";
    assert_eq!(released_text(&release_response(Some(none), &[])), none);
    assert_eq!(released_text(&release_response(None, &[])), "No jobs were released.");
}

fn job(id: i32, state: i32, confidential: bool, action: &str, expires: Option<i32>) -> Group {
    let mut g = Group::new(DelimiterTag::Job);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(Attribute::new("job-name", Value::Name(format!("doc-{id}.pdf"))));
    g.push(Attribute::new("job-state", Value::Enum(state)));
    g.push(Attribute::new(
        "job-printer-uri",
        Value::Uri(format!("ipp://localhost/printers/p{id}")),
    ));
    if confidential {
        g.push(Attribute::new(qv::CONFIDENTIAL, Value::Boolean(true)));
    }
    if let Some(t) = expires {
        g.push(Attribute::new(qv::CONFIDENTIAL_EXPIRES, Value::Integer(t)));
    }
    g.push(Attribute::new("job-release-action", Value::Keyword(action.into())));
    g
}

#[test]
fn list_shows_held_confidential_jobs_only() {
    let mut resp = response(0, None);
    resp.push_group(job(4, 4, true, "owner-authorized", Some(1_800_000_000)));
    resp.push_group(job(5, 3, true, "owner-authorized", Some(1_800_000_000))); // released
    resp.push_group(job(6, 4, false, "none", None)); // held, not confidential
    resp.push_group(job(120, 4, true, "job-password", None));
    let jobs = held_jobs(&resp);
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [4, 120]);
    assert_eq!(
        jobs[0],
        HeldJob {
            id: 4,
            printer: "p4".into(),
            name: "doc-4.pdf".into(),
            pin: false,
            expires: Some(1_800_000_000)
        }
    );
    assert!(jobs[1].pin);
    let lines = list_lines(&jobs, &|t| format_local(t, Some(3600)));
    assert_eq!(
        lines,
        [
            "4    p4    doc-4.pdf    release by: password  expires 2027-01-15 09:00 +0100",
            "120  p120  doc-120.pdf  release by: PIN       no expiry",
        ]
    );
}

#[test]
fn local_times() {
    // 1800000000 is 2027-01-15 08:00:00 UTC.
    assert_eq!(format_local(1_800_000_000, None), "2027-01-15 08:00 UTC");
    assert_eq!(format_local(1_800_000_000, Some(0)), "2027-01-15 08:00 +0000");
    assert_eq!(format_local(1_800_000_000, Some(3600)), "2027-01-15 09:00 +0100");
    assert_eq!(format_local(1_800_000_000, Some(-(5 * 3600 + 30 * 60))), "2027-01-15 02:30 -0530");
    assert_eq!(format_local(1_800_000_000, Some(-9 * 3600)), "2027-01-14 23:00 -0900");
}

#[test]
fn credentials_go_on_the_connection_and_name_the_requester() {
    let mut ctx = Ctx::new("quire release");
    assert!(ctx
        .request(Operation::ReleaseJob, None)
        .operation_attr("requesting-user-name")
        .is_some());
    ctx.set_credentials("carol", "pw");
    assert_eq!(ctx.user(), "carol");
    assert_eq!(
        op_str(&ctx.request(Operation::ReleaseJob, None), "requesting-user-name"),
        Some("carol")
    );
}
