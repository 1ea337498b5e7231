use super::*;

fn key() -> Key {
    Key::new(Name::parse("quire-key").unwrap(), b"0123456789abcdef0123456789abcdef".to_vec())
}

#[test]
fn the_secret_is_not_in_debug_output() {
    let shown = format!("{:?}", key());
    assert!(shown.contains("quire-key"), "{shown}");
    assert!(!shown.contains("0123456789"), "{shown}");
}

#[test]
fn signing_appends_one_tsig_record_and_counts_it() {
    let mut msg = vec![0x12, 0x34, 0x28, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    msg.extend_from_slice(b"\x04test\x00\x00\x06\x00\x01");
    let before = msg.len();
    let mac = sign(&mut msg, &key(), 1_700_000_000);
    assert_eq!(mac.len(), MAC_LEN);
    assert_eq!(&msg[10..12], &[0, 1], "ARCOUNT counts the TSIG");
    let rr = &msg[before..];
    assert!(rr.starts_with(b"\x09quire-key\x00\x00\xfa\x00\xff\x00\x00\x00\x00"));
    assert!(rr.windows(13).any(|w| w == b"\x0bhmac-sha256\x00"));
    assert!(rr.windows(32).any(|w| w == mac.as_slice()));
    // The same input signs the same; another time signs differently.
    let mut again = msg[..before].to_vec();
    again[10..12].copy_from_slice(&[0, 0]);
    assert_eq!(sign(&mut again.clone(), &key(), 1_700_000_000), mac);
    assert_ne!(sign(&mut again, &key(), 1_700_000_001), mac);
}
