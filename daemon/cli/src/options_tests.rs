use super::*;

fn parsed(text: &str) -> Vec<(String, String)> {
    let mut o = Options::default();
    o.parse(text).unwrap();
    o.0
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.into(), b.into())
}

#[test]
fn cups_option_syntax() {
    assert_eq!(
        parsed("media=a4 sides=two-sided-long-edge"),
        [pair("media", "a4"), pair("sides", "two-sided-long-edge")]
    );
    assert_eq!(
        parsed("fit-to-page nocollate"),
        [pair("fit-to-page", "true"), pair("collate", "false")]
    );
    assert_eq!(
        parsed("job-name='my job' x=\"a b\" y=a\\ b"),
        [pair("job-name", "my job"), pair("x", "a b"), pair("y", "a b")]
    );
    assert_eq!(
        parsed("media-col={media-size={x-dimension=1}} a=1"),
        [pair("media-col", "{media-size={x-dimension=1}}"), pair("a", "1")]
    );
    assert_eq!(parsed("copies=1 copies=3"), [pair("copies", "3")]);
    assert_eq!(parsed("  "), []);
    let mut o = Options::default();
    assert!(o.parse("a='unterminated").is_err());
    assert!(o.parse("=x").is_err());
    assert!(o.parse("a=b\\").is_err());
}

fn enc(name: &str, value: &str) -> (Target, Vec<Value>) {
    let (t, a) = encode_option(name, value).unwrap();
    assert_eq!(a.name, name);
    (t, a.values)
}

#[test]
fn known_option_syntaxes() {
    assert_eq!(enc("copies", "2"), (Target::Object, vec![Value::Integer(2)]));
    assert_eq!(enc("fit-to-page", "true").1, [Value::Boolean(true)]);
    assert_eq!(enc("media", "iso_a4_210x297mm").1, [Value::Keyword("iso_a4_210x297mm".into())]);
    assert_eq!(enc("media", "My Paper").1, [Value::Name("My Paper".into())]);
    assert_eq!(enc("orientation-requested", "landscape").1, [Value::Enum(4)]);
    assert_eq!(enc("orientation-requested", "5").1, [Value::Enum(5)]);
    assert_eq!(enc("finishings", "staple,punch").1, [Value::Enum(4), Value::Enum(5)]);
    assert_eq!(enc("print-quality", "high").1, [Value::Enum(5)]);
    assert_eq!(
        enc("job-sheets", "none,none").1,
        [Value::Name("none".into()), Value::Name("none".into())]
    );
    assert_eq!(enc("job-hold-until", "12:30").1, [Value::Name("12:30".into())]);
    assert_eq!(
        enc("document-format", "application/pdf"),
        (Target::Operation, vec![Value::MimeMediaType("application/pdf".into())])
    );
    assert_eq!(
        enc("printer-resolution", "600x300dpi").1,
        [Value::Resolution { cross_feed: 600, feed: 300, units: ResolutionUnits::DotsPerInch }]
    );
    assert_eq!(
        enc("page-ranges", "1-3,5").1,
        [
            Value::RangeOfInteger { lower: 1, upper: 3 },
            Value::RangeOfInteger { lower: 5, upper: 5 }
        ]
    );
    for (n, v) in [
        ("copies", "two"),
        ("fit-to-page", "maybe"),
        ("orientation-requested", "sideways"),
        ("media", ""),
        ("media-col", "{a=1}"),
    ] {
        assert!(encode_option(n, v).is_err(), "{n}={v}");
    }
}

#[test]
fn unknown_option_guesses() {
    assert_eq!(enc("x-flag", "false").1, [Value::Boolean(false)]);
    assert_eq!(enc("x-num", "-4").1, [Value::Integer(-4)]);
    assert_eq!(enc("x-range", "2-9").1, [Value::RangeOfInteger { lower: 2, upper: 9 }]);
    assert_eq!(
        enc("x-res", "300dpi").1,
        [Value::Resolution { cross_feed: 300, feed: 300, units: ResolutionUnits::DotsPerInch }]
    );
    assert_eq!(
        enc("media-default", "iso_a4_210x297mm").1,
        [Value::Keyword("iso_a4_210x297mm".into())]
    );
    assert_eq!(enc("Duplex", "DuplexNoTumble").1, [Value::Name("DuplexNoTumble".into())]);
}

#[test]
fn page_lists() {
    let r = |l, u| Value::RangeOfInteger { lower: l, upper: u };
    assert_eq!(parse_page_list("1-3,5,8-").unwrap(), [r(1, 3), r(5, 5), r(8, i32::MAX)]);
    assert_eq!(parse_page_list("-4").unwrap(), [r(1, 4)]);
    for bad in ["", "0", "3-1", "1-3,2", "a", "1,,2", "1-2-3", "99999999999"] {
        assert!(parse_page_list(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn hold_values() {
    assert_eq!(parse_hold("hold").unwrap(), Hold::Until("indefinite".into()));
    assert_eq!(parse_hold("resume").unwrap(), Hold::Until("no-hold".into()));
    assert_eq!(parse_hold("release").unwrap(), Hold::Until("no-hold".into()));
    assert_eq!(parse_hold("immediate").unwrap(), Hold::Immediate);
    assert_eq!(parse_hold("restart").unwrap(), Hold::Restart);
    assert_eq!(parse_hold("indefinite").unwrap(), Hold::Until("indefinite".into()));
    assert_eq!(parse_hold("weekend").unwrap(), Hold::Until("weekend".into()));
    assert_eq!(parse_hold("23:59").unwrap(), Hold::Until("23:59".into()));
    assert_eq!(parse_hold("07:05:09").unwrap(), Hold::Until("07:05:09".into()));
    for bad in ["24:00", "7:05", "12:60", "Tomorrow", "", "12:30:"] {
        assert!(parse_hold(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn options_go_to_their_groups() {
    let mut o = Options::default();
    o.parse("copies=2 document-format=application/pdf").unwrap();
    let mut m = Message::new((2, 0), 2, 1);
    m.group_mut(DelimiterTag::Operation);
    encode_options(&mut m, &o, DelimiterTag::Job).unwrap();
    assert!(m.attr(DelimiterTag::Job, "copies").is_some());
    assert!(m.operation_attr("document-format").is_some());
    assert_eq!(m.groups[0].tag, DelimiterTag::Operation);
}

#[test]
fn quire_vendor_options() {
    use quire_ipp::vendor as v;
    let kw = |s: &str| Value::Keyword(s.into());
    let name = |s: &str| Value::Name(s.into());
    assert_eq!(enc(v::AUTHENTICATION_METHOD, "id-card"), (Target::Object, vec![kw("id-card")]));
    // An unknown method still goes out typed: the daemon says what is wrong with it.
    assert_eq!(enc(v::AUTHENTICATION_METHOD, "retina").1, [kw("retina")]);
    assert_eq!(enc(v::ENCRYPTS_JOB_DATA, "true").1, [Value::Boolean(true)]);
    assert_eq!(enc(v::ERASES_STORAGE, "no").1, [Value::Boolean(false)]);
    assert_eq!(enc(v::SECURITY_LEVEL, "3").1, [Value::Integer(3)]);
    assert_eq!(enc(v::SECURITY_LEVEL, "auto").1, [kw("auto")]);
    assert_eq!(enc(v::SECURITY_CONFIRMED, "true"), (Target::Object, vec![Value::Boolean(true)]));
    assert_eq!(enc(v::SECURITY_LEVEL, "9").1, [Value::Integer(9)]);
    assert_eq!(enc(v::SPLIT_DEFAULT, "auto").1, [kw("auto")]);
    assert_eq!(enc(v::SPLIT_FALLBACK_DEFAULT, "hold").1, [kw("hold")]);
    assert_eq!(enc(v::SPLIT_MIN_COPIES, "100").1, [Value::Integer(100)]);
    assert_eq!(enc(v::SPLIT_MIN_PAGES, "200").1, [Value::Integer(200)]);
    assert_eq!(enc(v::SPLIT_PRINTERS_DEFAULT, "a,b").1, [name("a"), name("b")]);
    assert_eq!(enc(v::SPLIT_PRINTERS_DEFAULT, "").1, [Value::NoValue]);
    assert_eq!(enc(v::SPLIT, "manual"), (Target::Object, vec![kw("manual")]));
    assert_eq!(enc(v::SPLIT_PRINTERS, "Office_2, lab,").1, [name("Office_2"), name("lab")]);
    assert_eq!(enc(v::SPLIT_FALLBACK, "print-alone").1, [kw("print-alone")]);
    for (n, val) in
        [(v::ENCRYPTS_JOB_DATA, "maybe"), (v::SPLIT_MIN_COPIES, "lots"), (v::SPLIT_MIN_PAGES, "")]
    {
        assert!(encode_option(n, val).is_err(), "{n}={val}");
    }
}

#[test]
fn split_options_go_to_the_job() {
    let mut o = Options::default();
    o.parse("quire-split=auto quire-split-printers=a,b quire-split-fallback=hold").unwrap();
    let mut m = Message::new((2, 0), 2, 1);
    encode_options(&mut m, &o, DelimiterTag::Job).unwrap();
    let job = |n| m.attr(DelimiterTag::Job, n).map(|a| a.values.clone());
    assert_eq!(job("quire-split"), Some(vec![Value::Keyword("auto".into())]));
    assert_eq!(
        job("quire-split-printers"),
        Some(vec![Value::Name("a".into()), Value::Name("b".into())])
    );
    assert_eq!(job("quire-split-fallback"), Some(vec![Value::Keyword("hold".into())]));
}

#[test]
fn failover_options() {
    use quire_ipp::vendor as v;
    let kw = |s: &str| Value::Keyword(s.into());
    assert_eq!(enc(v::FAILOVER_DEFAULT, "auto"), (Target::Object, vec![kw("auto")]));
    assert_eq!(enc(v::FAILOVER_GRACE_TIME, "10"), (Target::Object, vec![Value::Integer(10)]));
    assert_eq!(enc(v::FAILOVER, "manual"), (Target::Object, vec![kw("manual")]));
    // An unknown mode or an out-of-range grace time goes out typed: the daemon says why not.
    assert_eq!(enc(v::FAILOVER, "often").1, [kw("often")]);
    assert_eq!(enc(v::FAILOVER_GRACE_TIME, "90000").1, [Value::Integer(90000)]);
    for (n, val) in
        [(v::FAILOVER_GRACE_TIME, "soon"), (v::FAILOVER_GRACE_TIME, ""), (v::FAILOVER, "")]
    {
        assert!(encode_option(n, val).is_err(), "{n}={val}");
    }
    let mut o = Options::default();
    o.parse("quire-failover=manual copies=2").unwrap();
    let mut m = Message::new((2, 0), 2, 1);
    encode_options(&mut m, &o, DelimiterTag::Job).unwrap();
    assert_eq!(
        m.attr(DelimiterTag::Job, v::FAILOVER).map(|a| a.values.clone()),
        Some(vec![kw("manual")])
    );
}
