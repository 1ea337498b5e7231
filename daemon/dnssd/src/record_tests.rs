use super::*;

#[test]
fn domains_parse_with_or_without_the_root_dot() {
    let a = Name::parse("campus.example.").unwrap();
    assert_eq!(a, Name::parse("campus.example").unwrap());
    assert_eq!(a.labels(), ["campus", "example"]);
    assert_eq!(a.to_master(), "campus.example.");
    assert_eq!(Name::parse(""), Err(NameError::Empty));
    assert_eq!(Name::parse("a..b"), Err(NameError::EmptyLabel));
    assert_eq!(Name::parse("a\\.b"), Err(NameError::Escape));
    assert!(matches!(Name::parse(&"x".repeat(64)), Err(NameError::LabelTooLong(_))));
    let long = vec!["abcdefghi"; 30].join(".");
    assert_eq!(Name::parse(&long), Err(NameError::NameTooLong));
}

#[test]
fn an_instance_label_keeps_its_dots_and_spaces() {
    let d = Name::parse("campus.test").unwrap();
    let inst = d.children("_ipp._tcp").unwrap().child("Laser 2.0 @ a").unwrap();
    assert_eq!(inst.labels().len(), 5);
    assert_eq!(inst.to_master(), "Laser\\0322\\.0\\032\\064\\032a._ipp._tcp.campus.test.");
    assert_eq!(inst.to_master_relative(&d), "Laser\\0322\\.0\\032\\064\\032a._ipp._tcp");
    assert_eq!(d.to_master_relative(&d), "@");
    let other = Name::parse("elsewhere.test").unwrap();
    assert_eq!(other.to_master_relative(&d), "elsewhere.test.");
    let mut w = Vec::new();
    inst.write_wire(&mut w);
    assert_eq!(w.len(), inst.wire_len());
    assert_eq!(&w[..14], b"\x0dLaser 2.0 @ a");
}

#[test]
fn canonical_form_is_lower_case_and_names_compare_without_case() {
    let k = Name::parse("Quire-Key.Campus").unwrap();
    let mut w = Vec::new();
    k.write_canonical(&mut w);
    assert_eq!(w, b"\x09quire-key\x06campus\x00");
    assert!(k.eq_ignore_case(&Name::parse("quire-key.campus").unwrap()));
    assert!(k.is_within(&Name::parse("CAMPUS").unwrap()));
    assert!(!k.is_within(&Name::parse("other").unwrap()));
}

#[test]
fn txt_strings_are_quoted_and_escaped() {
    assert_eq!(quote_txt(b"note=Room \"B\" \\ 2"), "\"note=Room \\\"B\\\" \\\\ 2\"");
    assert_eq!(quote_txt("ty=Café\n".as_bytes()), "\"ty=Caf\\195\\169\\010\"");
    assert_eq!(quote_txt(b""), "\"\"");
}

#[test]
fn rdata_wire_forms() {
    let t = Name::parse("host.campus.test").unwrap();
    let mut w = Vec::new();
    RData::Srv { priority: 0, weight: 0, port: 631, target: t }.write_wire(&mut w);
    assert_eq!(&w[..6], &[0, 0, 0, 0, 2, 119]);
    assert_eq!(&w[6..], b"\x04host\x06campus\x04test\x00");
    let mut w = Vec::new();
    RData::Txt(vec![b"a=1".to_vec(), Vec::new()]).write_wire(&mut w);
    assert_eq!(w, b"\x03a=1\x00");
}
