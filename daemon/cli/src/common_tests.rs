use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn kinds(c: char) -> Option<ArgKind> {
    match c {
        'l' | 't' => Some(ArgKind::Flag),
        'd' | 'h' => Some(ArgKind::Value),
        'p' => Some(ArgKind::Optional),
        _ => None,
    }
}

#[test]
fn tokenize_cups_style() {
    let t = tokenize(&s(&["-tl", "-dQ", "-h", "srv:8631", "-p", "-p", "A,B", "file", "-", "--", "-x"]), kinds).unwrap();
    assert_eq!(
        t,
        vec![
            Tok::Opt('t', None),
            Tok::Opt('l', None),
            Tok::Opt('d', Some("Q".into())),
            Tok::Opt('h', Some("srv:8631".into())),
            Tok::Opt('p', None),
            Tok::Opt('p', Some("A,B".into())),
            Tok::Operand("file".into()),
            Tok::Operand("-".into()),
            Tok::Operand("-x".into()),
        ]
    );
    assert_eq!(tokenize(&s(&["--help"]), kinds).unwrap(), vec![Tok::Help]);
    assert_eq!(tokenize(&s(&["-lpQ"]), kinds).unwrap(), vec![Tok::Opt('l', None), Tok::Opt('p', Some("Q".into()))]);
}

#[test]
fn tokenize_errors() {
    assert!(matches!(tokenize(&s(&["-z"]), kinds), Err(CliError::Usage(m)) if m.contains("\"z\"")));
    assert!(matches!(tokenize(&s(&["-d"]), kinds), Err(CliError::Usage(_))));
    assert!(matches!(tokenize(&s(&["--bogus"]), kinds), Err(CliError::Usage(_))));
    // Non-ASCII input must not panic.
    assert!(tokenize(&s(&["-é"]), kinds).is_err());
    assert_eq!(tokenize(&s(&["-dé"]), kinds).unwrap(), vec![Tok::Opt('d', Some("é".into()))]);
}

#[test]
fn match_list_like_cups() {
    assert!(match_list(None, Some("Q")));
    assert!(match_list(Some(""), None));
    assert!(match_list(Some("a,q b"), Some("Q")));
    assert!(match_list(Some("a b"), Some("b")));
    assert!(!match_list(Some("a,b"), Some("ab")));
    assert!(!match_list(Some("a"), None));
}

#[test]
fn time_format() {
    assert_eq!(format_time(0), "Thu 01 Jan 1970 12:00:00 AM UTC");
    // 2026-11-23 10:00:00 UTC was a Monday.
    assert_eq!(format_time(1_795_428_000), "Mon 23 Nov 2026 10:00:00 AM UTC");
    assert_eq!(format_time(1_795_428_000 + 3 * 3600 + 5), "Mon 23 Nov 2026 01:00:05 PM UTC");
    assert_eq!(format_time(951_782_400), "Tue 29 Feb 2000 12:00:00 AM UTC");
}

#[test]
fn job_ids_and_uris() {
    assert_eq!(parse_job_id("12"), Some(12));
    assert_eq!(parse_job_id("my-printer-12"), Some(12));
    assert_eq!(parse_job_id("Q-x"), None);
    assert_eq!(parse_job_id("0"), None);
    assert_eq!(parse_job_id("-5"), Some(5));
    assert_eq!(uri_resource("ipp://localhost/classes/C"), Some("/classes/C"));
    assert_eq!(uri_resource("ipp://localhost:631"), None);
    assert_eq!(printer_uri("Q"), "ipp://localhost/printers/Q");
    assert_eq!(job_uri(7), "ipp://localhost/jobs/7");
}

#[test]
fn status_text_prefers_message() {
    let mut m = Message::new((2, 0), StatusCode::ClientErrorNotFound.code(), 1);
    assert_eq!(status_text(&m), "client-error-not-found");
    assert!(is_not_found(&m) && !is_ok(&m));
    m.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("status-message", Value::Text("The printer or class does not exist.".into())));
    assert_eq!(status_text(&m), "The printer or class does not exist.");
    assert_eq!(status_text(&Message::new((2, 0), 0x0777, 1)), "status 0x0777");
    assert!(is_ok(&Message::new((2, 0), 2, 1)));
}
