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
    let a = parse(&["-dQ/inst", "-n", "2", "-o", "media=a4 fit-to-page", "-P", "1-3", "-H", "hold", "-q50", "-s", &f])
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
