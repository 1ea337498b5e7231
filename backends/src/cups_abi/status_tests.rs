use super::*;

fn msg(level: Level, text: &str) -> Option<StatusLine> {
    Some(StatusLine::Message { level, text: text.into() })
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_message_prefix_has_its_level() {
    let cases = [
        ("EMERG: a", Level::Emerg),
        ("ALERT: a", Level::Alert),
        ("CRIT: a", Level::Crit),
        ("ERROR: a", Level::Error),
        ("WARNING: a", Level::Warning),
        ("NOTICE: a", Level::Notice),
        ("INFO: a", Level::Info),
        ("DEBUG: a", Level::Debug),
        ("DEBUG2: a", Level::Debug2),
    ];
    for (line, level) in cases {
        assert_eq!(parse_line(line), msg(level, "a"), "{line}");
    }
    assert!(Level::Crit.is_error() && Level::Error.is_error() && !Level::Warning.is_error());
    assert!(Level::Info.sets_message() && !Level::Debug.sets_message());
}

#[test]
fn messages_are_trimmed_and_legacy_markers_dropped() {
    assert_eq!(parse_line("INFO:    Printing page 1  \r"), msg(Level::Info, "Printing page 1"));
    assert_eq!(
        parse_line("ERROR: recoverable: Printer not responding"),
        msg(Level::Error, "Printer not responding")
    );
    assert_eq!(parse_line("INFO: recovered: back"), msg(Level::Info, "back"));
    assert_eq!(parse_line("INFO:"), msg(Level::Info, ""));
}

#[test]
fn unprefixed_and_lowercase_lines_are_debug() {
    assert_eq!(parse_line("hello world"), msg(Level::Debug, "hello world"));
    assert_eq!(parse_line("info: not a prefix"), msg(Level::Debug, "info: not a prefix"));
    assert_eq!(parse_line(""), None);
    assert_eq!(parse_line("   \t "), None);
}

#[test]
fn state_lines_add_remove_and_replace() {
    assert_eq!(
        parse_line("STATE: +media-empty-error,toner-low-warning"),
        Some(StatusLine::State(StateChange::Add(strings(&[
            "media-empty-error",
            "toner-low-warning"
        ]))))
    );
    assert_eq!(
        parse_line("STATE: -media-empty-error"),
        Some(StatusLine::State(StateChange::Remove(strings(&["media-empty-error"]))))
    );
    assert_eq!(
        parse_line("STATE: offline-report other-warning, offline-report"),
        Some(StatusLine::State(StateChange::Set(strings(&["offline-report", "other-warning"]))))
    );
    assert_eq!(parse_line("STATE: none"), Some(StatusLine::State(StateChange::Set(Vec::new()))));
    assert_eq!(parse_line("STATE: +"), Some(StatusLine::State(StateChange::Add(Vec::new()))));
    // Not keywords: dropped.
    assert_eq!(
        parse_line("STATE: +caf\u{e9}-error"),
        Some(StatusLine::State(StateChange::Add(Vec::new())))
    );
    let many: Vec<String> = (0..200).map(|i| format!("r{i}")).collect();
    match parse_line(&format!("STATE: {}", many.join(","))) {
        Some(StatusLine::State(StateChange::Set(list))) => assert_eq!(list.len(), 64),
        other => panic!("{other:?}"),
    }
}

#[test]
fn page_lines_count_copies_and_totals() {
    assert_eq!(parse_line("PAGE: 1 1"), Some(StatusLine::Page { copies: 1 }));
    assert_eq!(parse_line("PAGE: 3 2"), Some(StatusLine::Page { copies: 2 }));
    assert_eq!(parse_line("PAGE: 3"), Some(StatusLine::Page { copies: 1 }));
    assert_eq!(parse_line("PAGE: 3 0"), Some(StatusLine::Page { copies: 1 }));
    assert_eq!(parse_line("PAGE: 3 -4"), Some(StatusLine::Page { copies: 1 }));
    assert_eq!(parse_line("PAGE: x 9"), Some(StatusLine::Page { copies: 1 }));
    assert_eq!(parse_line("PAGE: 1 99999999999999"), Some(StatusLine::Page { copies: i32::MAX }));
    assert_eq!(parse_line("PAGE: total 12"), Some(StatusLine::PageTotal(12)));
    assert_eq!(parse_line("PAGE: TOTAL 7"), Some(StatusLine::PageTotal(7)));
    assert_eq!(parse_line("PAGE: total"), Some(StatusLine::Page { copies: 1 }));
    assert_eq!(parse_line("PAGE: total x"), Some(StatusLine::PageTotal(0)));
}

#[test]
fn attr_lines_follow_cups_option_quoting() {
    let pairs = |s: &str| match parse_line(s) {
        Some(StatusLine::Attr(p)) => p,
        other => panic!("{other:?}"),
    };
    let p = pairs(
        r#"ATTR: marker-levels=50,60 marker-names='Black Toner,Cyan Toner' marker-message="low \"ink\"" flag"#,
    );
    assert_eq!(
        p,
        vec![
            ("marker-levels".into(), "50,60".into()),
            ("marker-names".into(), "Black Toner,Cyan Toner".into()),
            ("marker-message".into(), "low \"ink\"".into()),
            ("flag".into(), "true".into()),
        ]
    );
    assert_eq!(
        pairs(r"ATTR: a=x\ y b={c=1 d={e}} f=g"),
        vec![
            ("a".into(), "x y".into()),
            ("b".into(), "{c=1 d={e}}".into()),
            ("f".into(), "g".into())
        ]
    );
    assert_eq!(pairs("ATTR: =bad x=1"), Vec::<(String, String)>::new());
    assert_eq!(pairs("ATTR: a='unterminated"), vec![("a".into(), "unterminated".into())]);
    assert_eq!(pairs("ATTR: a={unterminated"), vec![("a".into(), "{unterminated".into())]);
    assert_eq!(pairs("ATTR: a=\\"), vec![("a".into(), "".into())]);
}

#[test]
fn other_prefixes() {
    assert_eq!(
        parse_line("JOBSTATE: account-limit-reached"),
        Some(StatusLine::JobState("account-limit-reached".into()))
    );
    assert_eq!(
        parse_line("PPD: Duplex=None"),
        Some(StatusLine::Ppd(vec![("Duplex".into(), "None".into())]))
    );
}

#[test]
fn printer_attributes_are_typed_like_cupsd() {
    let a = printer_attribute("marker-levels", "50, 60,-1,junk").expect("levels");
    assert_eq!(
        a.values,
        vec![Value::Integer(50), Value::Integer(60), Value::Integer(-1), Value::Integer(0)]
    );
    let a = printer_attribute("marker-names", "Black,Cyan").expect("names");
    assert_eq!(a.values, vec![Value::Name("Black".into()), Value::Name("Cyan".into())]);
    let a = printer_attribute("marker-types", "toner,ink-cartridge").expect("types");
    assert_eq!(
        a.values,
        vec![Value::Keyword("toner".into()), Value::Keyword("ink-cartridge".into())]
    );
    let a = printer_attribute("marker-message", "Toner low, replace soon").expect("message");
    assert_eq!(a.values, vec![Value::Text("Toner low, replace soon".into())]);
    let a = printer_attribute("printer-alert", "code=other").expect("alert");
    assert_eq!(a.values, vec![Value::OctetString(b"code=other".to_vec())]);
    assert!(printer_attribute("printer-name", "evil").is_none());
    assert!(printer_attribute("marker-levels", "").is_none());
}

#[test]
fn long_and_binary_lines_do_not_panic() {
    let long = format!("INFO: {}", "é".repeat(10_000));
    match parse_line(&long) {
        Some(StatusLine::Message { level: Level::Info, text }) => assert!(text.len() <= MAX_LINE),
        other => panic!("{other:?}"),
    }
    let bytes: Vec<u8> = b"ERROR: bad \xff\xfe bytes".to_vec();
    assert_eq!(parse_bytes(&bytes), msg(Level::Error, "bad \u{fffd}\u{fffd} bytes"));
    let mut junk: Vec<u8> = (0..=255u8).cycle().take(20_000).collect();
    junk.extend_from_slice(b"STATE: +x");
    let _ = parse_bytes(&junk);
    for prefix in
        ["PAGE:", "STATE:", "ATTR:", "PPD:", "JOBSTATE:", "STATE:+", "STATE:-", "PAGE: total "]
    {
        let _ = parse_line(prefix);
        let _ = parse_line(&format!("{prefix}\u{0}\u{fffd}'\"{{\\"));
    }
}
