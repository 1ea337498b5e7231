use super::*;

fn parse(args: &[&str]) -> Result<Option<LpArgs>, CliError> {
    let mut ctx = Ctx::new("lp");
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    parse_args(&mut ctx, &args)
}

fn opts(a: &LpArgs) -> Vec<(&str, &str)> {
    a.options.0.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

#[test]
fn print_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("report.pdf");
    std::fs::write(&f, b"%PDF").unwrap();
    let f = f.to_string_lossy().to_string();
    let a = parse(&[
        "-dQ/inst",
        "-n",
        "2",
        "-o",
        "media=a4 fit-to-page",
        "-P",
        "1-3",
        "-H",
        "hold",
        "-q50",
        "-s",
        &f,
    ])
    .unwrap()
    .unwrap();
    assert_eq!(a.printer.as_deref(), Some("Q"));
    assert_eq!(a.title.as_deref(), Some("report.pdf"));
    assert_eq!(a.files, std::slice::from_ref(&f));
    assert!(a.silent);
    assert_eq!(
        opts(&a),
        [
            ("copies", "2"),
            ("media", "a4"),
            ("fit-to-page", "true"),
            ("page-ranges", "1-3"),
            ("job-hold-until", "indefinite"),
            ("job-priority", "50")
        ]
    );
    let a = parse(&["-t", "T", "-H", "immediate", &f, &f]).unwrap().unwrap();
    assert_eq!(a.title.as_deref(), Some("T"));
    assert_eq!(a.files.len(), 2);
    assert_eq!(opts(&a), [("job-hold-until", "no-hold"), ("job-priority", "100")]);
}

#[test]
fn modify_flags() {
    let a = parse(&["-i", "Q-12", "-H", "resume"]).unwrap().unwrap();
    assert_eq!(a.job_id, Some(12));
    assert_eq!(opts(&a), [("job-hold-until", "no-hold")]);
    let a = parse(&["-i12", "-H", "restart"]).unwrap().unwrap();
    assert!(a.restart);
    assert!(parse(&["-H", "restart"]).is_err());
    assert!(parse(&["-i", "12", "/etc/hostname"]).is_err());
    assert!(parse(&["-i", "x"]).is_err());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for args in [
        &["-n", "0"][..],
        &["-n", "many"],
        &["-q", "101"],
        &["-H", "bogus value"],
        &["-z"],
        &["-d"],
        &["/nonexistent/file"],
        &["-o", "a='x"],
    ] {
        assert!(parse(args).is_err(), "{args:?}");
    }
    assert!(parse(&["--help"]).unwrap().is_none());
    let a = parse(&["-", "ignored"]).unwrap().unwrap();
    assert!(a.files.is_empty());
}

#[test]
fn split_notes_from_the_response() {
    let response = |reasons: &[&str], message: Option<&str>| {
        let mut m = Message::new((2, 0), 0, 1);
        let g = m.group_mut(DelimiterTag::Job);
        g.push(Attribute::new("job-id", Value::Integer(7)));
        g.push(Attribute::set(
            "job-state-reasons",
            reasons.iter().map(|r| Value::Keyword(r.to_string())).collect(),
        ));
        if let Some(t) = message {
            g.push(Attribute::new("job-state-message", Value::Text(t.into())));
        }
        m
    };
    let split =
        response(&[vendor::REASON_SPLIT, "job-printing"], Some("Job 7 is split into 2 parts: ..."));
    assert_eq!(split_note(&split).as_deref(), Some("Job 7 is split into 2 parts: ..."));
    let alone = response(
        &["job-printing", vendor::REASON_NO_QUALIFIED_PRINTER],
        Some("No other printer qualifies."),
    );
    assert_eq!(split_note(&alone).as_deref(), Some("No other printer qualifies."));
    // Other notes (e.g. "Not split: it has a single page.") carry no reason: lp stays quiet.
    assert_eq!(split_note(&response(&["none"], Some("Not split: it has a single page."))), None);
    assert_eq!(split_note(&response(&[vendor::REASON_SPLIT], None)), None);
    assert_eq!(split_note(&Message::new((2, 0), 0, 1)), None);
}

#[test]
fn split_options_parse() {
    let a = parse(&[
        "-o",
        "quire-split=manual quire-split-printers=a,b",
        "-o",
        "quire-split-fallback=hold",
        "-n",
        "10",
    ])
    .unwrap()
    .unwrap();
    assert_eq!(
        opts(&a),
        [
            ("quire-split", "manual"),
            ("quire-split-printers", "a,b"),
            ("quire-split-fallback", "hold"),
            ("copies", "10")
        ]
    );
}

#[test]
fn failover_option_parses() {
    let a = parse(&["-o", "quire-failover=manual", "-n", "2"]).unwrap().unwrap();
    assert_eq!(opts(&a), [("quire-failover", "manual"), ("copies", "2")]);
}

#[test]
fn saved_options_go_under_the_command_lines() {
    let a = parse(&["-d", "Q/big", "-n", "3", "-o", "Media=A4"]).unwrap().unwrap();
    assert_eq!((a.printer.as_deref(), a.instance.as_deref()), (Some("Q"), Some("big")));
    let mut options = a.options;
    let mut saved = OptionList::default();
    saved.parse_onto("copies=2 media=Letter sides=two-sided-long-edge").unwrap();
    add_saved(&mut options, &saved);
    assert_eq!(
        options.0.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect::<Vec<_>>(),
        [("copies", "3"), ("Media", "A4"), ("sides", "two-sided-long-edge")]
    );
}
