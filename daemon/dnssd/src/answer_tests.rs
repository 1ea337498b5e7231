use super::*;
use crate::record::Name;
use ring::hmac;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn key() -> Key {
    Key::new(Name::parse("quire-key").unwrap(), SECRET.to_vec())
}

/// A server's answer: header, the zone section echoed, and optionally a TSIG signed the way
/// RFC 8945 section 5.3 says a server signs (over the request MAC, then the answer).
fn answer(id: u16, rcode: u16, sign: Option<(&[u8], u64, u16, &[u8])>) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&(0x8000 | (5 << 11) | rcode).to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    m.extend_from_slice(b"\x06campus\x04test\x00\x00\x06\x00\x01");
    let Some((req_mac, time, error, secret)) = sign else { return m };
    let mut vars = Vec::new();
    vars.extend_from_slice(b"\x09quire-key\x00\x00\xff\x00\x00\x00\x00\x0bhmac-sha256\x00");
    vars.extend_from_slice(&time.to_be_bytes()[2..]);
    vars.extend_from_slice(&[1, 44]);
    vars.extend_from_slice(&error.to_be_bytes());
    vars.extend_from_slice(&[0, 0]);
    let mut data = (req_mac.len() as u16).to_be_bytes().to_vec();
    data.extend_from_slice(req_mac);
    data.extend_from_slice(&m);
    data.extend_from_slice(&vars);
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), &data);
    let mut rdata = b"\x0bhmac-sha256\x00".to_vec();
    rdata.extend_from_slice(&time.to_be_bytes()[2..]);
    rdata.extend_from_slice(&[1, 44, 0, 32]);
    rdata.extend_from_slice(mac.as_ref());
    rdata.extend_from_slice(&id.to_be_bytes());
    rdata.extend_from_slice(&error.to_be_bytes());
    rdata.extend_from_slice(&[0, 0]);
    m.extend_from_slice(b"\x09quire-key\x00\x00\xfa\x00\xff\x00\x00\x00\x00");
    m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    m.extend_from_slice(&rdata);
    m[11] = 1;
    m
}

fn expect<'a>(key: Option<&'a Key>, mac: &'a [u8], now: u64) -> Expect<'a> {
    Expect { id: 7, key, request_mac: mac, now }
}

#[test]
fn an_unsigned_answer_gives_its_rcode() {
    let a = parse(&answer(7, rcode::REFUSED, None), &expect(None, &[], 0)).unwrap();
    assert_eq!(a.rcode, rcode::REFUSED);
    assert_eq!(a.signature, Signature::NotExpected);
    assert!(!a.is_success());
    let a = parse(&answer(7, 0, None), &expect(None, &[], 0)).unwrap();
    assert!(a.is_success());
}

#[test]
fn a_signed_answer_is_verified_against_the_request_mac() {
    let k = key();
    let req = [9u8; 32];
    let bytes = answer(7, 0, Some((&req, 1000, 0, SECRET)));
    let a = parse(&bytes, &expect(Some(&k), &req, 1100)).unwrap();
    assert_eq!(a.signature, Signature::Verified);
    assert!(a.is_success());
    // Another request's MAC, another secret, a clock too far off: not verified.
    let other = [8u8; 32];
    assert_eq!(
        parse(&bytes, &expect(Some(&k), &other, 1000)).unwrap().signature,
        Signature::Invalid
    );
    let forged = answer(7, 0, Some((&req, 1000, 0, b"another secret")));
    let a = parse(&forged, &expect(Some(&k), &req, 1000)).unwrap();
    assert_eq!(a.signature, Signature::Invalid);
    assert!(!a.is_success());
    assert_eq!(parse(&bytes, &expect(Some(&k), &req, 1400)).unwrap().signature, Signature::Invalid);
}

#[test]
fn a_missing_or_rejected_signature_is_no_success() {
    let k = key();
    let a = parse(&answer(7, 0, None), &expect(Some(&k), &[1; 32], 0)).unwrap();
    assert_eq!(a.signature, Signature::Missing);
    assert!(!a.is_success());
    let bytes = answer(7, rcode::NOTAUTH, Some((&[], 5, rcode::BADSIG, SECRET)));
    let a = parse(&bytes, &expect(Some(&k), &[1; 32], 5)).unwrap();
    assert_eq!((a.rcode, a.signature), (rcode::NOTAUTH, Signature::ServerError(rcode::BADSIG)));
    let other = Key::new(Name::parse("other-key").unwrap(), SECRET.to_vec());
    let a =
        parse(&answer(7, 0, Some((&[1; 32], 5, 0, SECRET))), &expect(Some(&other), &[1; 32], 5));
    assert_eq!(a.unwrap().signature, Signature::WrongKey);
}

#[test]
fn malformed_answers_are_typed_errors() {
    let none = expect(None, &[], 0);
    assert_eq!(parse(&[0; 5], &none), Err(AnswerError::Truncated));
    let mut query = answer(7, 0, None);
    query[2] &= 0x7F;
    assert_eq!(parse(&query, &none), Err(AnswerError::NotUpdateResponse));
    assert_eq!(parse(&answer(8, 0, None), &none), Err(AnswerError::WrongId { got: 8, want: 7 }));
    let mut extra = answer(7, 0, None);
    extra.push(0);
    assert_eq!(parse(&extra, &none), Err(AnswerError::TrailingBytes));
    let mut short = answer(7, 0, None);
    short.truncate(short.len() - 1);
    assert_eq!(parse(&short, &none), Err(AnswerError::Truncated));
}

#[test]
fn compression_pointers_must_point_back() {
    let none = expect(None, &[], 0);
    // Zone name replaced by a pointer to itself, then by one forwards: both refused.
    for target in [12u8, 14] {
        let mut m = answer(7, 0, None)[..12].to_vec();
        m.extend_from_slice(&[0xC0, target, 0, 6, 0, 1]);
        assert_eq!(parse(&m, &none), Err(AnswerError::BadName), "pointer to {target}");
    }
    // A pointer back into the header is followed (and ends on a zero byte there).
    let mut m = answer(7, 0, None)[..12].to_vec();
    m[6] = 0;
    m.extend_from_slice(&[0xC0, 6, 0, 6, 0, 1]);
    assert!(parse(&m, &none).is_ok());
}

#[test]
fn long_looping_names_end() {
    // A label, then a pointer back to it: a loop, ended by the backward rule.
    let mut m = answer(7, 0, None)[..12].to_vec();
    m[5] = 1;
    let base = m.len();
    m.extend_from_slice(&[63]);
    m.extend_from_slice(&[b'a'; 63]);
    m.extend_from_slice(&[0xC0, base as u8, 0, 6, 0, 1]);
    assert_eq!(parse(&m, &expect(None, &[], 0)), Err(AnswerError::BadName));
}
