#![no_main]
//! Fuzz what quired reads from other hosts' DNS-SD records (`quire_dnssd::device`): TXT record
//! data parsed without panicking into at most 64 pairs with printable keys, first key wins;
//! the first bytes choose the claimed host name and port; a device made from it has a URI with
//! no space, quote or control character, on the claimed host and port, and bounded clean text.

use libfuzzer_sys::fuzz_target;
use quire_dnssd::device::{device_of, parse_txt, Found, MAX_TXT_PAIRS};

fuzz_target!(|data: &[u8]| {
    let (head, rdata) = data.split_at(data.len().min(18));
    let txt = parse_txt(rdata);
    assert!(txt.len() <= MAX_TXT_PAIRS);
    for (i, (k, _)) in txt.iter().enumerate() {
        assert!(!k.is_empty() && k.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'='));
        assert!(txt[..i].iter().all(|(p, _)| !p.eq_ignore_ascii_case(k)), "{k} twice");
    }
    let (port, host) = head.split_at(head.len().min(2));
    let port = match port {
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 631,
    };
    let host = String::from_utf8_lossy(host).into_owned();
    let found = Found { instance: "fuzz".into(), secure: port % 2 == 0, host: host.clone(), port, txt };
    if let Some(d) = device_of(&found) {
        let authority = format!("://{}:{port}/", host.trim_end_matches('.'));
        assert!(d.uri.contains(&authority), "{} not on {authority}", d.uri);
        assert!(!d.uri.chars().any(|c| c.is_control() || c == ' ' || c == '"'), "{}", d.uri);
        for t in [&d.make_and_model, &d.info, &d.location] {
            assert!(t.len() <= 127 && !t.chars().any(char::is_control), "{t:?}");
        }
    }
});
