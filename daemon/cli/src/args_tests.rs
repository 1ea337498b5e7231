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
    let t = tokenize(
        &s(&["-tl", "-dQ", "-h", "srv:8631", "-p", "-p", "A,B", "file", "-", "--", "-x"]),
        kinds,
    )
    .unwrap();
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
    assert_eq!(
        tokenize(&s(&["-lpQ"]), kinds).unwrap(),
        vec![Tok::Opt('l', None), Tok::Opt('p', Some("Q".into()))]
    );
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
