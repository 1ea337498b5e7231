use std::path::Path;

use crate::queue::{Queue, QueueFile, QueueKind, QueueState, UserAccess};
use crate::queue_parse::{parse_classes_conf, parse_printers_conf};

/// printers.conf as cupsd 2.4 writes it (header left out).
const PRINTERS: &str = "\
NextPrinterId 4
<Printer draft>
PrinterId 1
UUID urn:uuid:0d2ea1b4-3d0c-3b5e-5a36-7c9b5e3f0a11
Info Draft printer
Location Room \\#4
MakeModel Local Raw Printer
DeviceURI socket://192.0.2.7:9100
State Idle
StateTime 1764990000
ConfigTime 1764990001
Type 4
Accepting Yes
Shared No
JobSheets none none
QuotaPeriod 0
PageLimit 0
KLimit 0
OpPolicy default
ErrorPolicy stop-printer
Option quire-split auto
Option sides two-sided-long-edge
</Printer>
<DefaultPrinter office>
PrinterId 2
UUID urn:uuid:5c3e2b8a-1f4d-3e6a-7b0c-9d8e7f6a5b4c
AuthInfoRequired username,password
Info 
Location
MakeModel Generic IPP Everywhere
DeviceURI ipp://192.0.2.8/ipp/print
State Stopped
StateMessage Out of paper
StateTime 1764990100
ConfigTime 1764990101
Reason paused
Reason media-empty-error
Type 8425492
Accepting No
Shared Yes
JobSheets standard none
QuotaPeriod 86400
PageLimit 100
KLimit 0
DenyUser mallory
DenyUser eve
OpPolicy default
ErrorPolicy retry-job
Attribute marker-colors \\#000000,none
Attribute marker-levels 80,-1
Attribute marker-change-time 1764990102
</DefaultPrinter>
";

const CLASSES: &str = "\
<DefaultClass all>
PrinterId 3
UUID urn:uuid:11111111-2222-3333-4444-555555555555
Info Every printer
Location 
State Idle
StateTime 1764990200
Accepting Yes
Shared Yes
JobSheets none none
Printer draft
Printer office
QuotaPeriod 0
PageLimit 0
KLimit 0
AllowUser alice
OpPolicy default
ErrorPolicy retry-current-job
Option job-priority 40
</DefaultClass>
";

fn path() -> &'static Path {
    Path::new("/etc/cups/printers.conf")
}

fn body(text: &str) -> String {
    text.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect()
}

#[test]
fn a_printers_conf_from_cupsd_reads_into_typed_queues() {
    let (file, diags) = parse_printers_conf(PRINTERS.as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(file.next_printer_id, Some(4));
    let draft = file.get("draft").unwrap();
    assert_eq!(draft.location.as_deref(), Some("Room #4"));
    assert_eq!(draft.device_uri.as_deref(), Some("socket://192.0.2.7:9100"));
    assert_eq!((draft.state, draft.accepting, draft.shared), (QueueState::Idle, true, Some(false)));
    assert_eq!(draft.option("sides"), Some("two-sided-long-edge"));
    let quire = draft.quire_settings();
    assert_eq!(quire.len(), 1);
    assert_eq!(
        (quire[0].name.as_str(), quire[0].first_str()),
        ("quire-split-default", Some("auto"))
    );
    let office = file.default_queue().unwrap();
    assert_eq!(office.name, "office");
    assert_eq!(office.info.as_deref(), Some(""));
    assert_eq!(office.auth_info_required, ["username", "password"]);
    assert_eq!(office.state, QueueState::Stopped);
    assert_eq!(office.state_message.as_deref(), Some("Out of paper"));
    assert_eq!(office.reasons, ["paused", "media-empty-error"]);
    assert_eq!(office.printer_type, Some(8425492));
    assert_eq!(office.job_sheets, ("standard".to_string(), "none".to_string()));
    assert_eq!((office.quota_period, office.page_limit), (86400, 100));
    assert_eq!(office.users, UserAccess::Deny(vec!["mallory".into(), "eve".into()]));
    assert_eq!(office.attributes[0], ("marker-colors".into(), "#000000,none".into()));
}

#[test]
fn cupsds_files_are_written_back_line_for_line() {
    let (printers, _) = parse_printers_conf(PRINTERS.as_bytes(), path());
    assert_eq!(body(&printers.to_text()), PRINTERS.replace("Location\n", "Location \n"));
    let (classes, diags) = parse_classes_conf(CLASSES.as_bytes(), Path::new("classes.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(body(&classes.to_text()), CLASSES);
    let all = classes.get("all").unwrap();
    assert_eq!(all.members, ["draft", "office"]);
    assert_eq!(all.users, UserAccess::Allow(vec!["alice".into()]));
    assert_eq!(
        crate::default_destination(&printers, &classes).map(|q| q.name.as_str()),
        Some("all")
    );
    assert!(crate::cross_check(&printers, &classes).is_empty());
    let mut odd = classes.clone();
    odd.queues[0].members.push("ghost".into());
    odd.queues[0].name = "draft".into();
    assert_eq!(
        crate::cross_check(&printers, &odd),
        [
            crate::CrossProblem::ClassNamedAsPrinter("draft".into()),
            crate::CrossProblem::UnknownMember { class: "draft".into(), member: "ghost".into() },
        ]
    );
}

#[test]
fn a_written_file_starts_with_a_header_comment() {
    let text = QueueFile::new(QueueKind::Printer).to_text();
    assert!(text.starts_with("# Printer configuration file for CUPS"), "{text}");
    let (file, diags) = parse_printers_conf(text.as_bytes(), path());
    assert!(diags.is_empty() && file.queues.is_empty());
}

/// Warnings (line, text it contains) and the queues that were kept.
fn warnings(kind: QueueKind, text: &str) -> (Vec<(usize, String)>, Vec<String>) {
    let (file, diags) = match kind {
        QueueKind::Printer => parse_printers_conf(text.as_bytes(), path()),
        QueueKind::Class => parse_classes_conf(text.as_bytes(), path()),
    };
    let diags = diags.iter().map(|d| (d.loc.line, d.message.clone())).collect();
    (diags, file.queues.iter().map(|q| q.name.clone()).collect())
}

#[test]
fn a_bad_line_is_left_out_of_its_queue_only() {
    let text = "<Printer a>\nDeviceURI file:///dev/null\nAccepting maybe\nStateTime soon\n\
                Frobnicate 1\nOption lonely\nReason connecting-to-device\nUUID 1234\n\
                ErrorPolicy explode\nAuthInfoRequired none,username\nState Busy\n</Printer>\n";
    let (diags, kept) = warnings(QueueKind::Printer, text);
    let lines: Vec<usize> = diags.iter().map(|d| d.0).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9, 10, 11], "{diags:?}");
    assert!(diags[2].1.contains("unknown printers.conf directive Frobnicate"), "{diags:?}");
    assert_eq!(kept, ["a"]);
    let (file, _) = parse_printers_conf(text.as_bytes(), path());
    assert!(file.queues[0].accepting, "the bad Accepting line changed nothing");
}

#[test]
fn a_broken_block_is_left_out_and_the_others_kept() {
    let text = "<Printer good1>\nDeviceURI file:///dev/null\n</Printer>\n\
                <Printer bad/name>\nDeviceURI file:///dev/null\n</Printer>\n\
                <Printer>\nDeviceURI file:///dev/null\n</Printer>\n\
                <Printer unclosed>\nDeviceURI file:///dev/null\n\
                <Printer good1>\nDeviceURI file:///dev/null\n</Printer>\n\
                <Printer good2>\nDeviceURI file:///dev/null\n</Printer>\n\
                Info stray\n</Printer>\n<Printer truncated>\nDeviceURI file:///dev/null\n";
    let (diags, kept) = warnings(QueueKind::Printer, text);
    assert_eq!(kept, ["good1", "good2"]);
    let lines: Vec<usize> = diags.iter().map(|d| d.0).collect();
    assert_eq!(lines, [4, 7, 10, 12, 18, 19, 20], "{diags:?}");
    assert!(diags[0].1.contains("bad queue name \"bad/name\""), "{diags:?}");
    assert!(diags[2].1.contains("<Printer unclosed> is not closed before line 12"), "{diags:?}");
    assert!(diags[3].1.contains("a second queue \"good1\""), "{diags:?}");
    assert!(diags[4].1.contains("Info outside a <Printer> block"), "{diags:?}");
    assert!(diags[6].1.contains("not closed before the end of the file"), "{diags:?}");
}

#[test]
fn class_and_printer_directives_stay_in_their_file() {
    let (diags, kept) =
        warnings(QueueKind::Class, "<Class c>\nDeviceURI file:///dev/null\nPrinter p\n</Class>\n");
    assert_eq!(kept, ["c"]);
    assert_eq!(diags.len(), 1);
    assert!(diags[0].1.contains("unknown classes.conf directive DeviceURI"), "{diags:?}");
    let (diags, _) = warnings(QueueKind::Printer, "<Printer p>\nPrinter x\n</Printer>\n");
    assert!(diags.iter().any(|d| d.1.contains("unknown printers.conf directive Printer")));
    assert!(diags.iter().any(|d| d.1.contains("has no DeviceURI")), "{diags:?}");
    let (diags, _) = warnings(QueueKind::Class, "<Class c>\nErrorPolicy stop-printer\n</Class>\n");
    assert!(diags[0].1.contains("cupsd ignores ErrorPolicy stop-printer"), "{diags:?}");
}

#[test]
fn mixed_user_lists_and_second_defaults_are_warned_about() {
    let text =
        "<DefaultPrinter a>\nDeviceURI file:/x\nAllowUser u1\nDenyUser u2\n</DefaultPrinter>\n\
                <DefaultPrinter b>\nDeviceURI file:/x\n</DefaultPrinter>\n";
    let (file, diags) = parse_printers_conf(text.as_bytes(), path());
    assert_eq!(file.get("a").unwrap().users, UserAccess::Deny(vec!["u1".into(), "u2".into()]));
    assert_eq!(file.default_queue().unwrap().name, "b");
    assert!(!file.get("a").unwrap().is_default);
    assert_eq!(diags.len(), 2, "{diags:?}");
}

#[test]
fn quire_settings_ride_in_options_as_cupsd_spells_them() {
    use quire_ipp::{Attribute, Value};
    let settings = [
        Attribute::new("quire-authentication-method", Value::Keyword("id-card".into())),
        Attribute::new("quire-encrypts-job-data", Value::Boolean(true)),
        Attribute::new("quire-security-level", Value::Integer(4)),
        Attribute::new("quire-security-source", Value::Keyword("configured".into())),
        Attribute::new("quire-split-default", Value::Keyword("manual".into())),
        Attribute::set(
            "quire-split-printers-default",
            vec![Value::Name("a".into()), Value::Name("Big Office".into())],
        ),
        Attribute::new("quire-failover-grace-time", Value::Integer(60)),
        Attribute::new("quire-confidential-default", Value::Boolean(false)),
        Attribute::new("quire-security-claim", Value::Collection(Vec::new())),
    ];
    let mut q = Queue::new("secure");
    q.device_uri = Some("ipp://192.0.2.9/ipp/print".into());
    q.set_option("media", "iso_a4_210x297mm");
    q.set_option("quire-split", "none");
    assert_eq!(q.set_quire_settings(&settings), ["quire-security-claim"]);
    let mut file = QueueFile::new(QueueKind::Printer);
    file.queues.push(q);
    let text = file.to_text();
    for line in [
        "Option media iso_a4_210x297mm\n",
        "Option quire-authentication-method id-card\n",
        "Option quire-split manual\n",
        "Option quire-split-printers a,Big Office\n",
        "Option quire-confidential false\n",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let (back, diags) = parse_printers_conf(text.as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(back, file);
    let read: Vec<(String, String)> = back.queues[0]
        .quire_settings()
        .iter()
        .map(|a| (a.name.clone(), crate::option_text(a).unwrap()))
        .collect();
    let expected: Vec<(String, String)> =
        settings[..8].iter().map(|a| (a.name.clone(), crate::option_text(a).unwrap())).collect();
    assert_eq!(read, expected);
}

#[test]
fn parse_write_parse_is_the_identity_on_odd_input() {
    let text =
        "nextprinterid 9\n<printer  x >\r\ndeviceuri   file:///tmp/x # c\nINFO a \\# b # c\n\
                Option  k   v  w \nJobSheets  a\nShared on\nAccepting off\nPortMonitor none\n\
                MakeModel\nGeoLocation\nFilter foo\nReason r1\nReason r1\n</printer>\n";
    let (first, _) = parse_printers_conf(text.as_bytes(), path());
    let q = &first.queues[0];
    assert_eq!(q.info.as_deref(), Some("a # b # c"));
    assert_eq!(q.option("k"), Some("v  w"));
    assert_eq!(q.job_sheets, ("a".into(), "none".into()));
    assert_eq!((q.shared, q.accepting, q.port_monitor.as_deref()), (Some(true), false, None));
    assert_eq!((q.make_model.as_deref(), q.geo_location.as_deref()), (None, Some("")));
    assert_eq!(q.reasons, ["r1"]);
    let (second, diags) = parse_printers_conf(first.to_text().as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(second, first);
}

/// printers.conf as the real cupsd 2.4.2 wrote it (`lpadmin -o quire-split-default=auto ...`).
const REAL_PRINTERS: &str = include_str!("../testdata/printers.conf");

#[test]
fn a_printers_conf_cupsd_wrote_comes_back_but_for_its_header() {
    let (file, diags) = parse_printers_conf(REAL_PRINTERS.as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(body(&file.to_text()), body(REAL_PRINTERS));
    let filep = file.get("filep").unwrap();
    let settings: Vec<String> = filep.quire_settings().iter().map(|a| a.name.clone()).collect();
    assert_eq!(settings, ["quire-failover-grace-time", "quire-split-default"]);
    assert_eq!(file.get("ippp").unwrap().state_message.as_deref(), Some("Waiting for toner"));
}
