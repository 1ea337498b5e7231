#![no_main]
//! Fuzz the reading of a DNS server's answers to wide-area DNS-SD (daemon/dnssd/src/answer.rs
//! for updates, lookup.rs for the queries of a restart): network data, so any bytes are an
//! answer or a typed error, never a panic or a hang (compression pointers that loop). Checking
//! a signature only adds to what is read: whatever parses with a key parses without one to the
//! same code.

use libfuzzer_sys::fuzz_target;
use quire_dnssd::answer::{parse, Expect, Signature};
use quire_dnssd::lookup;
use quire_dnssd::record::Name;
use quire_dnssd::tsig::Key;

fuzz_target!(|data: &[u8]| {
    let id = match data {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    let name = Name::parse("quire-key").expect("a valid name");
    let key = Key::new(name, b"0123456789abcdef0123456789abcdef".to_vec());
    let request_mac = [0x5a; 32];
    let plain = parse(data, &Expect { id, key: None, request_mac: &[], now: 0 });
    let signed = parse(data, &Expect { id, key: Some(&key), request_mac: &request_mac, now: 1 << 40 });
    if let Ok(s) = &signed {
        let p = plain.as_ref().expect("parses without a key when it parses with one");
        assert_eq!((p.rcode, p.truncated), (s.rcode, s.truncated));
        assert_eq!(p.signature, Signature::NotExpected);
        // A forged answer cannot be verified without the secret.
        assert_ne!(s.signature, Signature::Verified);
    }
    if let Ok(r) = lookup::parse_response(data, id) {
        // Every name read is one quired could have written: within the limits, UTF-8.
        for f in &r.records {
            assert!(f.owner.wire_len() <= 255 && !f.owner.labels().is_empty());
        }
    }
});
