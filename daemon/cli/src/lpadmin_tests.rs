use super::*;

#[test]
fn users_lists() {
    let a = parse_users("allow:alice,bob").unwrap();
    assert_eq!(a.name, "requesting-user-name-allowed");
    assert_eq!(a.values, [Value::Name("alice".into()), Value::Name("bob".into())]);
    assert_eq!(parse_users("allow:all").unwrap().values, [Value::Name("all".into())]);
    assert_eq!(parse_users("deny:none").unwrap().name, "requesting-user-name-denied");
    for bad in ["alice", "permit:x", "allow:", "deny:,"] {
        assert!(parse_users(bad).is_err(), "{bad}");
    }
}

#[test]
fn printer_names() {
    assert!(check_name("Office_Laser-2").is_ok());
    for bad in ["", "a b", "a/b", "a#b", "x\u{7f}", &"n".repeat(128)] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn add_modify_with_enable_and_everywhere() {
    let mut c = Changes::default();
    collect(&mut c, 'v', "ipp://localhost:8702/ipp/print").unwrap();
    collect(&mut c, 'm', "everywhere").unwrap();
    collect(&mut c, 'D', "Front desk").unwrap();
    collect(&mut c, 'o', "media-default=iso_a4_210x297mm printer-is-shared=false").unwrap();
    c.enable = true;
    let ctx = Ctx::new("lpadmin");
    let req = add_modify_request(&ctx, "tmpq", &c).unwrap();
    assert_eq!(req.code, Operation::CupsAddModifyPrinter.code());
    assert_eq!(
        req.operation_attr("printer-uri").and_then(Attribute::first_str),
        Some("ipp://localhost/printers/tmpq")
    );
    let p = |n| req.attr(DelimiterTag::Printer, n).and_then(|a| a.first()).cloned();
    assert_eq!(p("device-uri"), Some(Value::Uri("ipp://localhost:8702/ipp/print".into())));
    assert_eq!(p("ppd-name"), Some(Value::Name("everywhere".into())));
    assert_eq!(p("printer-info"), Some(Value::Text("Front desk".into())));
    assert_eq!(p("media-default"), Some(Value::Keyword("iso_a4_210x297mm".into())));
    assert_eq!(p("printer-is-shared"), Some(Value::Boolean(false)));
    assert_eq!(p("printer-is-accepting-jobs"), Some(Value::Boolean(true)));
    assert_eq!(p("printer-state"), Some(Value::Enum(3)));
    assert!(collect(&mut c, 'P', "x.ppd").is_err());
}

#[test]
fn security_and_split_policy_reach_the_printer_group() {
    let mut c = Changes::default();
    for o in [
        "quire-authentication-method=pin",
        "quire-encrypts-job-data=true quire-erases-storage=false",
        "quire-security-level=auto",
        "quire-split-default=auto quire-split-printers-default=a,b quire-split-fallback-default=hold",
        "quire-split-min-copies=100 quire-split-min-pages=200",
    ] {
        collect(&mut c, 'o', o).unwrap();
    }
    let req = add_modify_request(&Ctx::new("lpadmin"), "sec", &c).unwrap();
    let p = |n| req.attr(DelimiterTag::Printer, n).map(|a| a.values.clone()).unwrap_or_default();
    let kw = |s: &str| vec![Value::Keyword(s.into())];
    assert_eq!(p("quire-authentication-method"), kw("pin"));
    assert_eq!(p("quire-encrypts-job-data"), [Value::Boolean(true)]);
    assert_eq!(p("quire-erases-storage"), [Value::Boolean(false)]);
    assert_eq!(p("quire-security-level"), kw("auto"));
    assert_eq!(p("quire-split-default"), kw("auto"));
    assert_eq!(
        p("quire-split-printers-default"),
        [Value::Name("a".into()), Value::Name("b".into())]
    );
    assert_eq!(p("quire-split-fallback-default"), kw("hold"));
    assert_eq!(p("quire-split-min-copies"), [Value::Integer(100)]);
    assert_eq!(p("quire-split-min-pages"), [Value::Integer(200)]);
    let mut c = Changes::default();
    collect(&mut c, 'o', "quire-security-level=3").unwrap();
    let req = add_modify_request(&Ctx::new("lpadmin"), "sec", &c).unwrap();
    assert_eq!(
        req.attr(DelimiterTag::Printer, "quire-security-level").map(|a| a.values.clone()),
        Some(vec![Value::Integer(3)])
    );
    let mut c = Changes::default();
    collect(&mut c, 'o', "quire-split-min-copies=many").unwrap();
    assert!(add_modify_request(&Ctx::new("lpadmin"), "sec", &c).is_err());
}

#[test]
fn failover_policy_reaches_the_printer_group() {
    let mut c = Changes::default();
    collect(&mut c, 'o', "quire-failover-default=auto").unwrap();
    collect(&mut c, 'o', "quire-failover-grace-time=10").unwrap();
    let req = add_modify_request(&Ctx::new("lpadmin"), "office", &c).unwrap();
    let p = |n| req.attr(DelimiterTag::Printer, n).map(|a| a.values.clone());
    assert_eq!(p("quire-failover-default"), Some(vec![Value::Keyword("auto".into())]));
    assert_eq!(p("quire-failover-grace-time"), Some(vec![Value::Integer(10)]));
    let mut c = Changes::default();
    collect(&mut c, 'o', "quire-failover-grace-time=10s").unwrap();
    assert!(add_modify_request(&Ctx::new("lpadmin"), "office", &c).is_err());
}
