use super::*;
use proptest::prelude::*;

fn rdata(strings: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in strings {
        out.push(s.len() as u8);
        out.extend_from_slice(s);
    }
    out
}

fn found(txt: &[&[u8]]) -> Found {
    Found {
        instance: "Office Laser @ quire-a".into(),
        secure: true,
        host: "quire-a.local.".into(),
        port: 8631,
        txt: parse_txt(&rdata(txt)),
    }
}

#[test]
fn txt_keys_first_value_wins_and_bad_strings_are_skipped() {
    let t = parse_txt(&rdata(&[b"ty=HP LaserJet", b"TY=other", b"", b"=x", b"flag", b"\x01k=v"]));
    assert_eq!(t, [("ty".into(), Some(b"HP LaserJet".to_vec())), ("flag".into(), None)]);
    // A length past the end stops the parse without a panic.
    assert_eq!(parse_txt(&[5, b'a', b'=']), []);
}

#[test]
fn a_printer_s_record_makes_its_device() {
    let d = device_of(&found(&[
        b"rp=printers/office",
        b"ty=HP LaserJet 4",
        b"note=Room 2",
        b"usb_MFG=HP",
        b"usb_MDL=LaserJet 4",
    ]))
    .expect("device");
    assert_eq!(d.uri, "ipps://quire-a.local:8631/printers/office");
    assert_eq!(d.make_and_model, "HP LaserJet 4");
    assert_eq!(d.device_id, "MFG:HP;MDL:LaserJet 4;");
    assert_eq!(d.location, "Room 2");
    assert_eq!(d.info, "Office Laser @ quire-a");
}

#[test]
fn claims_that_cannot_make_a_safe_uri_are_dropped() {
    assert!(device_of(&found(&[b"rp=../etc/passwd"])).is_none());
    let mut f = found(&[b"rp=ipp/print"]);
    f.host = "evil host;rm".into();
    assert!(device_of(&f).is_none());
    f.host = "ok.local".into();
    f.port = 0;
    assert!(device_of(&f).is_none());
    let d = device_of(&found(&[b"rp=a b\"c", b"ty=\x1b[31mred\x07"])).expect("device");
    assert_eq!(d.uri, "ipps://quire-a.local:8631/a%20b%22c");
    assert_eq!(d.make_and_model, "[31mred");
}

proptest! {
    #[test]
    fn any_record_parses_to_bounded_clean_text(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let txt = parse_txt(&data);
        prop_assert!(txt.len() <= MAX_TXT_PAIRS);
        let f = Found { instance: "x".into(), secure: false, host: "h.local".into(), port: 631, txt };
        if let Some(d) = device_of(&f) {
            prop_assert!(d.uri.starts_with("ipp://h.local:631/"));
            prop_assert!(!d.uri.chars().any(|c| c.is_control() || c == ' ' || c == '"'));
            prop_assert!(d.make_and_model.len() <= 127 && !d.make_and_model.chars().any(char::is_control));
        }
    }
}
