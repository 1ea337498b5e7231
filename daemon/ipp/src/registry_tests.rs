use super::*;
use crate::message::Attribute;
use crate::value::{DateTime, ResolutionUnits, Value};

fn kw(s: &str) -> Value {
    Value::Keyword(s.to_string())
}
fn name(s: &str) -> Value {
    Value::Name(s.to_string())
}
fn member(n: &str, v: Value) -> Attribute {
    Attribute::new(n, v)
}
fn media_col(x: i32, y: i32) -> Value {
    Value::Collection(vec![
        member(
            "media-size",
            Value::Collection(vec![
                member("x-dimension", Value::Integer(x)),
                member("y-dimension", Value::Integer(y)),
            ]),
        ),
        member("media-source", kw("tray-1")),
        member("media-type", kw("stationery")),
        member("media-top-margin", Value::Integer(423)),
    ])
}

#[test]
fn index_is_sorted_unique_and_consistent() {
    let all = all_attributes();
    assert!(all.len() > 350, "only {} attributes", all.len());
    assert!(all.windows(2).all(|w| w[0].name < w[1].name));
    assert_eq!(conflicting_duplicates(), Vec::<&str>::new());
    assert!(all.iter().all(|d| !d.syntax.kinds.is_empty() && d.groups != Groups::NONE));
}

#[test]
fn lookups() {
    let copies = syntax_of("copies").expect("copies");
    assert_eq!(copies.syntax.kinds, &[Kind::Integer(1, i32::MAX)]);
    assert!(copies.groups.intersects(Groups::JOB_TEMPLATE));
    let sup = syntax_of("copies-supported").expect("copies-supported");
    assert_eq!(sup.syntax.kinds, &[Kind::RangeOfInteger]);
    assert!(syntax_of("media-default").is_some_and(|d| d.syntax.no_value));
    assert!(syntax_of("page-ranges-default").is_none());
    let job_name = syntax_of("job-name").expect("job-name");
    assert!(
        job_name.groups.intersects(Groups::OPERATION)
            && job_name.groups.intersects(Groups::JOB_DESCRIPTION)
    );
    for n in [
        "printer-type",
        "printer-is-shared",
        "device-uri",
        "ppd-name",
        "member-uris",
        "member-names",
        "printer-state-change-time",
        "job-printer-state-reasons",
        "job-originating-host-name",
        "job-k-octets",
        "job-hold-until",
        "job-sheets",
        "job-sheets-default",
        "notify-events",
        "notify-subscription-id",
        "media-col-database",
        "print-color-mode-supported",
        "job-password",
        "job-release-action",
        "system-state",
        "ipp-features-supported",
        "printer-strings-uri",
    ] {
        assert!(syntax_of(n).is_some(), "{n} missing");
    }
    assert!(syntax_of("x-vendor-thing").is_none());
}

#[test]
fn unknown_attribute_passes() {
    assert_eq!(check(&Attribute::new("com.example-thing", Value::Boolean(true))), Ok(()));
}

#[test]
fn good_values_pass() {
    let ok = [
        Attribute::new("copies", Value::Integer(2)),
        Attribute::new("attributes-charset", Value::Charset("utf-8".into())),
        Attribute::new("attributes-natural-language", Value::NaturalLanguage("en-us".into())),
        Attribute::new("printer-uri", Value::Uri("ipp://localhost:631/printers/p".into())),
        Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())),
        Attribute::new("media", name("Custom.4x6in")),
        Attribute::set("job-sheets", vec![kw("none"), name("standard")]),
        Attribute::set("page-ranges", vec![Value::RangeOfInteger { lower: 1, upper: 3 }]),
        Attribute::new("orientation-requested", Value::Enum(4)),
        Attribute::new("media-col", media_col(21000, 29700)),
        Attribute::new(
            "requesting-user-name",
            Value::NameWithLanguage { language: "fr".into(), name: "éric".into() },
        ),
        Attribute::new(
            "printer-resolution",
            Value::Resolution { cross_feed: 600, feed: 600, units: ResolutionUnits::DotsPerInch },
        ),
        Attribute::new("media-default", Value::NoValue),
        Attribute::new("job-state", Value::Unknown),
        Attribute::new("printer-info", Value::DeleteAttribute),
        Attribute::set("requested-attributes", vec![kw("job-id"), kw("job-uri")]),
    ];
    for a in ok {
        assert_eq!(check(&a), Ok(()), "{}", a.name);
    }
}

#[test]
fn wrong_tag() {
    let e = check(&Attribute::new("copies", kw("2")));
    assert!(matches!(e, Err(SyntaxError::WrongTag { index: 0, tag: 0x44, .. })), "{e:?}");
    let e = check(&Attribute::new("printer-uri", Value::Text("ipp://x".into())));
    assert!(matches!(e, Err(SyntaxError::WrongTag { .. })));
}

#[test]
fn too_many_values() {
    let e = check(&Attribute::set("copies", vec![Value::Integer(1), Value::Integer(2)]));
    assert_eq!(e, Err(SyntaxError::TooManyValues { name: "copies".into(), count: 2 }));
}

#[test]
fn no_values() {
    assert!(matches!(check(&Attribute::set("copies", vec![])), Err(SyntaxError::NoValues { .. })));
}

#[test]
fn out_of_range() {
    let e = check(&Attribute::new("copies", Value::Integer(0)));
    assert!(matches!(e, Err(SyntaxError::OutOfRange { value: 0, min: 1, .. })), "{e:?}");
    let e = check(&Attribute::new("job-priority", Value::Integer(101)));
    assert!(matches!(e, Err(SyntaxError::OutOfRange { max: 100, .. })));
    let e = check(&Attribute::new("print-quality", Value::Enum(9)));
    assert!(matches!(e, Err(SyntaxError::OutOfRange { .. })));
    let e =
        check(&Attribute::set("page-ranges", vec![Value::RangeOfInteger { lower: 5, upper: 2 }]));
    assert!(matches!(e, Err(SyntaxError::BadRange { .. })));
}

#[test]
fn lengths() {
    let long = "x".repeat(256);
    let e = check(&Attribute::new("job-name", name(&long)));
    assert_eq!(
        e,
        Err(SyntaxError::TooLong { name: "job-name".into(), index: 0, len: 256, max: 255 })
    );
    let e = check(&Attribute::new("printer-info", Value::Text("y".repeat(128))));
    assert!(matches!(e, Err(SyntaxError::TooLong { max: 127, .. })));
    assert_eq!(check(&Attribute::new("job-state-message", Value::Text("y".repeat(1023)))), Ok(()));
    let e = check(&Attribute::new("job-state-message", Value::Text("y".repeat(1024))));
    assert!(matches!(e, Err(SyntaxError::TooLong { max: 1023, .. })));
    let uri = format!("ipp://h/{}", "a".repeat(1020));
    assert!(matches!(
        check(&Attribute::new("printer-uri", Value::Uri(uri))),
        Err(SyntaxError::TooLong { .. })
    ));
}

#[test]
fn malformed_strings() {
    let bad = [
        Attribute::new("sides", kw("one sided")),
        Attribute::new("sides", kw("")),
        Attribute::new("printer-uri", Value::Uri("no-scheme".into())),
        Attribute::new("printer-uri", Value::Uri("ipp://a b".into())),
        Attribute::new("attributes-natural-language", Value::NaturalLanguage("en_US".into())),
        Attribute::new("document-format", Value::MimeMediaType("pdf".into())),
        Attribute::new(
            "job-name",
            Value::NameWithLanguage { language: "not a lang".into(), name: "x".into() },
        ),
    ];
    for a in bad {
        assert!(matches!(check(&a), Err(SyntaxError::BadString { .. })), "{a:?}");
    }
}

#[test]
fn out_of_band_rules() {
    let e = check(&Attribute::set("job-sheets", vec![kw("none"), Value::Unknown]));
    assert!(matches!(e, Err(SyntaxError::OutOfBandInSet { tag: 0x12, .. })));
    let e = check(&Attribute::new("copies", Value::NoValue));
    assert_eq!(e, Err(SyntaxError::NoValueNotAllowed { name: "copies".into() }));
    assert_eq!(check(&Attribute::new("printer-geo-location", Value::NoValue)), Ok(()));
}

#[test]
fn resolution_and_date() {
    let bad = Value::Resolution { cross_feed: 0, feed: 600, units: ResolutionUnits::DotsPerInch };
    assert!(matches!(
        check(&Attribute::new("printer-resolution", bad)),
        Err(SyntaxError::BadResolution { .. })
    ));
    let mut d = DateTime {
        year: 2024,
        month: 2,
        day: 29,
        hour: 23,
        minutes: 59,
        seconds: 60,
        deci_seconds: 0,
        utc_dir: b'+',
        utc_hours: 1,
        utc_minutes: 0,
    };
    assert_eq!(check(&Attribute::new("job-hold-until-time", Value::DateTime(d))), Ok(()));
    d.month = 13;
    let e = check(&Attribute::new("job-hold-until-time", Value::DateTime(d)));
    assert!(matches!(e, Err(SyntaxError::BadDateTime { .. })));
}

#[test]
fn collection_members_checked_recursively() {
    let bad = Value::Collection(vec![member(
        "media-size",
        Value::Collection(vec![
            member("x-dimension", kw("wide")),
            member("y-dimension", Value::Integer(1)),
        ]),
    )]);
    let e = check(&Attribute::new("media-col", bad));
    let Err(SyntaxError::InMember { name, index: 0, error }) = e else { panic!("{e:?}") };
    assert_eq!(name, "media-col");
    let SyntaxError::InMember { name: inner, error: leaf, .. } = *error else { panic!() };
    assert_eq!(inner, "media-size");
    assert!(matches!(*leaf, SyntaxError::WrongTag { ref name, .. } if name == "x-dimension"));

    // Custom-size ranges are fine in the database; unknown members are extensions.
    let db = Value::Collection(vec![
        member(
            "media-size",
            Value::Collection(vec![
                member("x-dimension", Value::RangeOfInteger { lower: 7620, upper: 21590 }),
                member("y-dimension", Value::RangeOfInteger { lower: 12700, upper: 35560 }),
            ]),
        ),
        member("vendor-extension", Value::Boolean(true)),
    ]);
    assert_eq!(check(&Attribute::set("media-col-database", vec![media_col(1, 2), db])), Ok(()));

    let dup = Value::Collection(vec![member("media-type", kw("a")), member("media-type", kw("b"))]);
    assert!(matches!(
        check(&Attribute::new("media-col", dup)),
        Err(SyntaxError::DuplicateMember { .. })
    ));

    let fin = Value::Collection(vec![member(
        "stitching",
        Value::Collection(vec![member("stitching-angle", Value::Integer(400))]),
    )]);
    let e = check(&Attribute::set("finishings-col", vec![fin]));
    assert!(matches!(e, Err(SyntaxError::InMember { .. })));
}

#[test]
fn error_display() {
    let e = SyntaxError::TooManyValues { name: "copies".into(), count: 2 };
    assert_eq!(e.to_string(), "copies: 2 values for a single-valued attribute");
}

#[test]
fn requested_all() {
    let r = expand_requested(&["all"], ObjectKind::Printer);
    assert!(r.is_all() && r.contains("anything-at-all") && r.contains("copies-supported"));
}

#[test]
fn requested_job_template_on_printer() {
    let r = expand_requested(&["job-template"], ObjectKind::Printer);
    for n in [
        "copies-supported",
        "copies-default",
        "media-col-database",
        "media-ready",
        "sides-supported",
        "page-ranges-supported",
        "finishings-col-ready",
    ] {
        assert!(r.contains(n), "{n}");
    }
    assert!(!r.contains("copies"));
    assert!(!r.contains("printer-name"));
    assert!(!r.contains("printer-state"));
}

#[test]
fn requested_printer_description() {
    let r = expand_requested(&["printer-description"], ObjectKind::Printer);
    for n in [
        "printer-name",
        "printer-state",
        "printer-state-reasons",
        "operations-supported",
        "printer-is-shared",
        "printer-type",
        "marker-levels",
        "printer-up-time",
    ] {
        assert!(r.contains(n), "{n}");
    }
    // Like cupsd (get-printer-attributes-suite.test), the -ready attributes belong to
    // job-template only.
    assert!(!r.contains("media-ready"));
    assert!(!r.contains("copies-default"));
    assert!(!r.contains("vendor-unknown"));
}

#[test]
fn requested_job_groups() {
    let r = expand_requested(&["job-template"], ObjectKind::Job);
    assert!(r.contains("copies") && r.contains("media-col") && !r.contains("copies-supported"));
    assert!(!r.contains("job-state"));
    let r = expand_requested(&["job-description"], ObjectKind::Job);
    assert!(
        r.contains("job-state")
            && r.contains("job-name")
            && r.contains("job-printer-state-reasons")
    );
    assert!(r.contains("job-originating-host-name") && !r.contains("copies"));
    let r = expand_requested(&["job-status"], ObjectKind::Job);
    assert!(r.contains("job-state-reasons") && !r.contains("job-name"));
    let r = expand_requested(&["job-actuals"], ObjectKind::Job);
    assert!(r.contains("copies-actual") && !r.contains("copies"));
}

#[test]
fn requested_names_and_foreign_groups() {
    let r = expand_requested(&["job-id", "job-uri", "printer-description"], ObjectKind::Job);
    assert!(r.contains("job-id") && r.contains("job-uri"));
    assert!(
        !r.contains("job-state")
            && !r.contains("printer-name")
            && !r.contains("printer-description")
    );
    assert_eq!(r.names().collect::<Vec<_>>(), vec!["job-id", "job-uri"]);
    let r = expand_requested(&[], ObjectKind::Printer);
    assert!(!r.contains("printer-name"));
}

#[test]
fn requested_subscription_and_system() {
    let r = expand_requested(&["subscription-template"], ObjectKind::Subscription);
    assert!(r.contains("notify-events") && r.contains("notify-lease-duration"));
    assert!(!r.contains("notify-subscription-id"));
    let r = expand_requested(&["subscription-description"], ObjectKind::Subscription);
    assert!(r.contains("notify-subscription-id") && r.contains("notify-subscriber-user-name"));
    let r = expand_requested(&["system-description"], ObjectKind::System);
    assert!(
        r.contains("system-name")
            && r.contains("system-state")
            && r.contains("operations-supported")
    );
    let r = expand_requested(&["system-status"], ObjectKind::System);
    assert!(r.contains("system-state") && !r.contains("system-name"));
    let r = expand_requested(&["document-description"], ObjectKind::Document);
    assert!(r.contains("document-number") && r.contains("document-state"));
}

#[test]
fn printer_defaults_is_every_default_attribute_of_a_printer() {
    let set = expand_requested(&["printer-defaults"], ObjectKind::Printer);
    assert!(set.contains("copies-default") && set.contains("media-default"));
    assert!(!set.contains("copies-supported") && !set.contains("printer-name"));
    let on_a_job = expand_requested(&["printer-defaults"], ObjectKind::Job);
    assert!(!on_a_job.contains("copies-default") && on_a_job.names().next().is_none());
}
