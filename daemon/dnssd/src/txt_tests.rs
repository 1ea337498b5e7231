use super::*;

fn origin() -> Origin {
    Origin { admin_scheme: "https", host: "quire-a".into(), port: 631 }
}

fn laser() -> QueueFacts {
    QueueFacts {
        name: "office".into(),
        make_and_model: "HP LaserJet 4".into(),
        location: "Room 2".into(),
        uuid: "urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".into(),
        document_formats: vec![
            "application/octet-stream".into(),
            "application/pdf".into(),
            "image/urf".into(),
        ],
        urf: vec!["V1.4".into(), "W8".into(), "RS300".into()],
        printer_type: ptype::COPIES | ptype::DUPLEX | ptype::COLOR,
        media_types: vec!["stationery".into(), "photographic-glossy".into(), "envelope".into()],
        media_sizes: vec![(21_000, 29_700), (21_590, 35_560), (10_160, 15_240)],
        ..QueueFacts::default()
    }
}

fn get<'a>(t: &'a [(String, String)], k: &str) -> Option<&'a str> {
    t.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

#[test]
fn keys_in_cupsd_order_with_pwg_additions() {
    let t = queue_txt(&laser(), &origin());
    let keys: Vec<&str> = t.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "txtvers",
            "qtotal",
            "rp",
            "ty",
            "adminurl",
            "note",
            "priority",
            "product",
            "pdl",
            "UUID",
            "TLS",
            "URF",
            "mopria-certified",
            "kind",
            "PaperMax",
            "Color",
            "Duplex",
            "Copies",
            "printer-type"
        ]
    );
    assert_eq!(get(&t, "rp"), Some("printers/office"));
    assert_eq!(get(&t, "adminurl"), Some("https://quire-a.local.:631/printers/office"));
    assert_eq!(get(&t, "pdl"), Some("application/pdf,image/urf"));
    assert_eq!(get(&t, "UUID"), Some("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
    assert_eq!(get(&t, "URF"), Some("V1.4,W8,RS300"));
    assert_eq!(get(&t, "kind"), Some("document,photo,envelope"));
    assert_eq!(get(&t, "PaperMax"), Some("legal-A4"));
    assert_eq!(get(&t, "printer-type"), Some("0x5A"));
    assert_eq!(get(&t, "air"), None);
}

#[test]
fn classes_auth_and_defaults() {
    let q = QueueFacts {
        name: "all floors".into(),
        is_class: true,
        auth_info_required: vec!["username".into(), "password".into()],
        printer_type: ptype::CLASS | ptype::FAX,
        ..QueueFacts::default()
    };
    let o = Origin { admin_scheme: "http", host: "print.example.com".into(), port: 8631 };
    let t = queue_txt(&q, &o);
    assert_eq!(get(&t, "rp"), Some("classes/all floors"));
    assert_eq!(get(&t, "adminurl"), Some("http://print.example.com.:8631/classes/all%20floors"));
    assert_eq!(get(&t, "ty"), Some("Unknown"));
    assert_eq!(get(&t, "product"), Some("Unknown"));
    assert_eq!(get(&t, "pdl"), Some("application/postscript"));
    assert_eq!(get(&t, "air"), Some("username,password"));
    assert_eq!(get(&t, "Fax"), Some("T"));
    assert_eq!(get(&t, "rfo"), Some("classes/all floors"));
    assert_eq!(get(&t, "note"), None);
    assert_eq!(get(&t, "printer-type"), Some("0x40003"));
}

#[test]
fn paper_max_classes() {
    let pm = |s: &[(i32, i32)]| paper_max(s);
    assert_eq!(pm(&[(10_160, 15_240)]), Some("<legal-A4"));
    assert_eq!(pm(&[(21_590, 27_940)]), Some("legal-A4"));
    assert_eq!(pm(&[(29_700, 42_000)]), Some("tabloid-A3"));
    assert_eq!(pm(&[(42_000, 59_400)]), Some("isoC-A2"));
    assert_eq!(pm(&[(91_400, 0)]), None);
    assert_eq!(pm(&[(84_100, 118_900)]), Some(">isoC-A2"));
}

#[test]
fn every_pair_fits_a_txt_string() {
    let q = QueueFacts {
        name: "q".into(),
        location: "x".repeat(300),
        document_formats: (0..40).map(|i| format!("application/vnd.format-{i}")).collect(),
        ..QueueFacts::default()
    };
    let t = queue_txt(&q, &origin());
    assert!(t.iter().all(|(k, v)| k.len() + 1 + v.len() <= MAX_PAIR_LEN));
    assert_eq!(get(&t, "note"), None, "a location too long for TXT is left out, not cut");
    assert!(get(&t, "pdl").is_some_and(|p| p.starts_with("application/vnd.format-0,")));
}
