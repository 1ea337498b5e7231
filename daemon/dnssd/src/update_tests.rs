use super::*;
use crate::zone::records;
use crate::zone::tests::service;

fn d() -> Name {
    Name::parse("campus.test").unwrap()
}

fn inst(name: &str) -> Name {
    d().children("_ipp._tcp").unwrap().child(name).unwrap()
}

#[test]
fn first_publication_adds_shared_pointers_then_replaces_each_instance() {
    let (new, _) = records(&[service("A", &["_print"])], &d(), 60);
    let batches = plan(&d(), &[], &new);
    assert_eq!(batches.len(), 1);
    let c = &batches[0].changes;
    assert!(batches[0].unless_in_use.is_none());
    // The three shared pointers, then the instance: its RRsets cleared, SRV, TXT, its PTRs.
    assert_eq!(c.len(), 3 + 1 + 2 + 2);
    assert!(c[..3].iter().all(|c| matches!(c, Change::Add(r) if matches!(r.data, RData::Ptr(_)))));
    assert_eq!(c[3], Change::DeleteName(inst("A")));
    assert!(c[4..].iter().all(|c| matches!(c, Change::Add(_))));
}

#[test]
fn nothing_changed_nothing_sent() {
    let (new, _) = records(&[service("A", &["_print"])], &d(), 60);
    assert!(plan(&d(), &new, &new).is_empty());
}

#[test]
fn removal_deletes_only_its_records_and_withdraws_shared_pointers_conditionally() {
    let (old, _) = records(&[service("A", &["_print"]), service("B", &[])], &d(), 60);
    let (new, _) = records(&[service("B", &[])], &d(), 60);
    let batches = plan(&d(), &old, &new);
    assert_eq!(batches.len(), 1, "B still uses the shared pointers: {batches:?}");
    let c = &batches[0].changes;
    assert_eq!(c[0], Change::DeleteName(inst("A")));
    assert_eq!(c.len(), 3, "{c:?}");
    for ch in &c[1..] {
        let Change::DeleteRecord(r) = ch else { panic!("{ch:?}") };
        assert_eq!(r.data, RData::Ptr(inst("A")), "only A's own PTR records");
    }
    // The last one gone: the shared pointers are withdrawn on condition.
    let batches = plan(&d(), &new, &[]);
    assert_eq!(batches.len(), 3, "{batches:?}");
    let ipp = d().children("_ipp._tcp").unwrap();
    assert_eq!(batches[1].unless_in_use, Some(ipp));
    assert_eq!(batches[2].unless_in_use, Some(d().children(SERVICES).unwrap()));
    assert_eq!(batches[2].changes.len(), 2);
}

#[test]
fn a_subtype_dropped_is_a_single_record_delete() {
    let (old, _) = records(&[service("A", &["_print", "_cups"])], &d(), 60);
    let (new, _) = records(&[service("A", &["_print"])], &d(), 60);
    let batches = plan(&d(), &old, &new);
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].changes.len(), 1);
    let Change::DeleteRecord(r) = &batches[0].changes[0] else { panic!() };
    assert_eq!(r.owner.labels()[0], "_cups");
}

#[test]
fn large_changes_are_split_between_messages_without_splitting_an_instance() {
    let many: Vec<_> = (0..400).map(|i| service(&format!("Queue {i}"), &["_print"])).collect();
    let (new, _) = records(&many, &d(), 60);
    let batches = plan(&d(), &[], &new);
    assert!(batches.len() > 1);
    for b in &batches {
        let m = encode(1, &d(), b, None);
        assert!(m.bytes.len() <= MESSAGE_MAX, "{}", m.bytes.len());
        // An instance's SRV is added in the message that clears its name.
        for c in &b.changes {
            if let Change::Add(r @ Record { data: RData::Srv { .. }, .. }) = c {
                assert!(b.changes.contains(&Change::DeleteName(r.owner.clone())));
            }
        }
    }
}

#[test]
fn encoding_follows_rfc_2136() {
    let (new, _) = records(&[service("A", &[])], &d(), 60);
    let b = &plan(&d(), &new, &[])[0];
    let m = encode(0xBEEF, &d(), b, None);
    assert_eq!(&m.bytes[..4], &[0xBE, 0xEF, 0x28, 0x00], "ID, opcode UPDATE");
    assert_eq!(&m.bytes[4..12], &[0, 1, 0, 0, 0, 2, 0, 0], "its name and its PTR");
    assert_eq!(&m.bytes[12..29], b"\x06campus\x04test\x00\x00\x06\x00\x01");
    // DeleteName: class ANY, type ANY, TTL 0, no data.
    let del =
        b"\x01A\x04_ipp\x04_tcp\x06campus\x04test\x00\x00\xff\x00\xff\x00\x00\x00\x00\x00\x00";
    assert_eq!(&m.bytes[29..29 + del.len()], del);
    assert!(m.mac.is_empty());
    let cond = &plan(&d(), &new, &[])[1];
    let m = encode(1, &d(), cond, None);
    assert_eq!(&m.bytes[4..12], &[0, 1, 0, 1, 0, 1, 0, 0], "one prerequisite");
    // Prerequisite "name not in use": class NONE, type ANY.
    assert!(m.bytes.windows(10).any(|w| w == b"\x00\x00\xff\x00\xfe\x00\x00\x00\x00\x00"));
}
