use super::*;
use quire_ipp::DateTime;

fn job(attributes: Vec<Attribute>) -> JobInfo {
    JobInfo {
        id: 42,
        name: "My Report".into(),
        user: "alice".into(),
        attributes,
        capabilities: vec![Attribute::new("printer-location", Value::Text("Room 1".into()))],
        printer: "abi".into(),
        created: 0,
        work_dir: "/tmp".into(),
        resume_device_job: None,
        handoff: false,
        launch: Default::default(),
        confidential: false,
    }
}

#[test]
fn schemes_must_be_rfc3986() {
    assert_eq!(scheme_of("usb://EPSON/x"), Some("usb"));
    assert_eq!(scheme_of("my-be+x.1:foo"), Some("my-be+x.1"));
    assert_eq!(scheme_of("../evil:x"), None);
    assert_eq!(scheme_of("a/b:x"), None);
    assert_eq!(scheme_of("1abc:x"), None);
    assert_eq!(scheme_of(":x"), None);
    assert_eq!(scheme_of("noscheme"), None);
}

#[test]
fn credentials_are_removed_from_argv0() {
    assert_eq!(sanitize_uri("smb://user:secret@server/share"), "smb://server/share");
    assert_eq!(sanitize_uri("ipp://a:p@ss@host:631/printers/x"), "ipp://host:631/printers/x");
    assert_eq!(sanitize_uri("socket://host:9100"), "socket://host:9100");
    assert_eq!(sanitize_uri("lpd://host/queue?user=x@y"), "lpd://host/queue?user=x@y");
    assert_eq!(sanitize_uri("usb:/dev/x"), "usb:/dev/x");
    assert_eq!(sanitize_uri("weird"), "weird");
    assert_eq!(sanitize_uri("x:u@"), "x:");
}

#[test]
fn options_are_encoded_like_cupsd() {
    let attrs = vec![
        Attribute::new("copies", Value::Integer(3)),
        Attribute::new("job-name", Value::Name("ignored".into())),
        Attribute::new("media", Value::Keyword("iso_a4_210x297mm".into())),
        Attribute::new("fit-to-page", Value::Boolean(true)),
        Attribute::set("mirror", vec![Value::Boolean(false), Value::Boolean(true)]),
        Attribute::new("page-ranges", Value::RangeOfInteger { lower: 1, upper: 3 }),
        Attribute::new("page-set", Value::RangeOfInteger { lower: 5, upper: 5 }),
        Attribute::new(
            "printer-resolution",
            Value::Resolution { cross_feed: 600, feed: 300, units: ResolutionUnits::DotsPerInch },
        ),
        Attribute::new("print-quality", Value::Enum(5)),
        Attribute::new("job-priority", Value::Integer(50)),
        Attribute::new("job-impressions", Value::Integer(7)),
        Attribute::new("job-hold-until", Value::Keyword("no-hold".into())),
        Attribute::new("job-uuid", Value::Uri("urn:uuid:1".into())),
        Attribute::new("printer-uri", Value::Uri("ipp://x/y".into())),
        Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())),
        Attribute::new("media-col", Value::Collection(Vec::new())),
        Attribute::new("job-sheets-col", Value::NoValue),
        Attribute::new(
            "label",
            Value::NameWithLanguage { language: "en".into(), name: "x".into() },
        ),
        Attribute::new("title", Value::Text("it's a \"big\" one\\ \tnew\nline".into())),
        Attribute::new("when", Value::DateTime(DateTime::from_unix_utc(0))),
        Attribute::set("finishings", vec![Value::Enum(4), Value::Enum(5)]),
    ];
    assert_eq!(
        options_string(&attrs),
        "media=iso_a4_210x297mm fit-to-page nomirror,mirror page-ranges=1-3 page-set=5 \
         printer-resolution=600x300dpi print-quality=5 job-impressions=7 job-uuid=urn:uuid:1 \
         title=it\\'s\\ a\\ \\\"big\\\"\\ one\\\\\\ \\\tnew\\\nline when= finishings=4,5"
    );
    assert_eq!(options_string(&[]), "");
}

#[test]
fn copies_title_and_lang() {
    let j = job(vec![Attribute::new("copies", Value::Integer(3))]);
    assert_eq!(copies(&j), 3);
    assert_eq!(title(&j), "My Report");
    assert_eq!(lang(&j), "en.UTF-8");
    let mut j = job(vec![Attribute::new("copies", Value::Integer(-2))]);
    j.name.clear();
    assert_eq!(copies(&j), 1);
    assert_eq!(title(&j), "abi-42");
    let with = |l: &str| {
        lang(&job(vec![Attribute::new(
            "attributes-natural-language",
            Value::NaturalLanguage(l.into()),
        )]))
    };
    assert_eq!(with("fr"), "fr.UTF-8");
    assert_eq!(with("pt-br"), "pt_BR.UTF-8");
    assert_eq!(with("zh-hant-tw"), "C");
    assert_eq!(with("é-x"), "C");
}

#[test]
fn argv_and_environment() {
    let config = CupsConfig {
        server_bin: "/sb".into(),
        server_root: "/etc/q".into(),
        ..CupsConfig::default()
    };
    let j = job(vec![
        Attribute::new("copies", Value::Integer(2)),
        Attribute::new("sides", Value::Keyword("one-sided".into())),
    ]);
    let docs = vec![DocumentSource {
        path: "/spool/d1".into(),
        format: "text/plain; charset=iso-8859-1".into(),
        name: "d".into(),
        compression: None,
    }];
    let inv = Invocation {
        config: &config,
        uri: "testbe://u:pw@h/q",
        job: &j,
        documents: &docs,
        file: Some(Path::new("/spool/d1")),
        tmp_dir: Path::new("/tmp/run"),
    };
    assert_eq!(inv.args(), vec!["42", "alice", "My Report", "2", "sides=one-sided", "/spool/d1"]);
    let env = inv.env();
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("DEVICE_URI"), Some("testbe://u:pw@h/q"));
    assert_eq!(get("CONTENT_TYPE"), Some("text/plain"));
    assert_eq!(get("CHARSET"), Some("iso-8859-1"));
    assert_eq!(get("PRINTER"), Some("abi"));
    assert_eq!(get("PRINTER_LOCATION"), Some("Room 1"));
    assert_eq!(get("PRINTER_INFO"), Some(""));
    assert_eq!(get("CUPS_SERVERBIN"), Some("/sb"));
    assert_eq!(get("PPD"), Some("/etc/q/ppd/abi.ppd"));
    assert_eq!(get("PATH"), Some("/sb/filter:/usr/bin:/usr/sbin:/bin:/usr/bin"));
    assert_eq!(get("TMPDIR"), Some("/tmp/run"));
    assert_eq!(get("CUPS_FILETYPE"), Some("document"));
    assert_eq!(get("FINAL_CONTENT_TYPE"), None, "raw queues have none (gziptoany relies on it)");
    assert!(get("SOFTWARE").is_some_and(|s| s.starts_with("Quire/")));
    let no_file = Invocation { file: None, ..inv };
    assert_eq!(no_file.args().len(), 5);
}

#[test]
fn nul_bytes_never_reach_exec() {
    let mut j = job(vec![Attribute::new("x", Value::Text("a\0b".into()))]);
    j.user = "bo\0b".into();
    let config = CupsConfig::default();
    let inv = Invocation {
        config: &config,
        uri: "x:\0",
        job: &j,
        documents: &[],
        file: None,
        tmp_dir: Path::new("/t"),
    };
    assert!(inv.args().iter().all(|a| !a.contains('\0')));
    assert!(inv.env().iter().all(|(k, v)| !k.contains('\0') && !v.contains('\0')));
    assert_eq!(inv.args()[1], "bob");
}
