use super::*;

fn response(id: u16, answers: &[u8], ancount: u16) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&[0x84, 0x00]);
    m.extend_from_slice(&[0, 1]);
    m.extend_from_slice(&ancount.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0, 0]);
    // Question at 12: _ipp._tcp.campus.test PTR IN.
    m.extend_from_slice(b"\x04_ipp\x04_tcp\x06campus\x04test\x00\x00\x0c\x00\x01");
    m.extend_from_slice(answers);
    m
}

#[test]
fn a_query_is_a_standard_one() {
    let q = encode_query(0x0102, &Name::parse("_ipp._tcp.campus.test").unwrap(), rtype::PTR);
    assert_eq!(&q[..12], &[1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert!(q.ends_with(b"\x04test\x00\x00\x0c\x00\x01"));
}

#[test]
fn ptr_and_srv_records_are_read_with_compressed_names() {
    // PTR: owner -> question name (pointer 12), target "Lab" + pointer 12.
    let mut a = vec![0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 6];
    a.extend_from_slice(b"\x03Lab\xC0\x0c");
    // SRV owned by that target (at 12 + 27 + 12 = 51): 0 0 631 quire + pointer to campus (22).
    a.extend_from_slice(&[0xC0, 51, 0, 33, 0, 1, 0, 0, 0, 60, 0, 14, 0, 0, 0, 0, 2, 119]);
    a.extend_from_slice(b"\x05quire\xC0\x16");
    let r = parse_response(&response(9, &a, 2), 9).unwrap();
    assert_eq!(r.rcode, 0);
    let lab = Name::parse("Lab._ipp._tcp.campus.test").unwrap();
    assert_eq!(r.records[0].data, RData::Ptr(lab.clone()));
    assert_eq!(r.records[1].owner, lab);
    let target = Name::parse("quire.campus.test").unwrap();
    assert_eq!(r.records[1].data, RData::Srv { priority: 0, weight: 0, port: 631, target });
}

#[test]
fn bad_responses_are_typed_errors() {
    assert_eq!(
        parse_response(&response(9, &[], 0), 8),
        Err(AnswerError::WrongId { got: 9, want: 8 })
    );
    let mut a = vec![0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 7];
    a.extend_from_slice(b"\x03Lab\xC0\x0c\x00");
    assert_eq!(parse_response(&response(9, &a, 1), 9), Err(AnswerError::TrailingBytes));
    assert_eq!(parse_response(&response(9, &[], 1), 9), Err(AnswerError::Truncated));
    let mut forward = vec![0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 2];
    forward.extend_from_slice(&[0xC0, 200]);
    assert_eq!(parse_response(&response(9, &forward, 1), 9), Err(AnswerError::BadName));
}
