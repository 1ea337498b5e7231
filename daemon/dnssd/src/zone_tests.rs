use super::*;

pub(crate) fn service(instance: &str, subtypes: &[&str]) -> Service {
    Service {
        instance: instance.into(),
        service_type: "_ipp._tcp".into(),
        subtypes: subtypes.iter().map(|s| s.to_string()).collect(),
        host: "quire.campus.test".into(),
        port: 631,
        txt: vec![("txtvers".into(), "1".into()), ("note".into(), "Room \"B\"".into())],
    }
}

fn lines(records: &[Record], d: &Name) -> Vec<String> {
    records.iter().map(|r| r.master_line(d)).collect()
}

#[test]
fn a_service_is_laid_out_as_rfc_6763_says() {
    let d = Name::parse("campus.test.").unwrap();
    let (recs, errors) = records(&[service("Office @ q", &["_print", "_cups"])], &d, 120);
    assert!(errors.is_empty());
    assert_eq!(
        lines(&recs, &d),
        [
            "_services._dns-sd._udp\t120\tIN\tPTR\t_ipp._tcp",
            "b._dns-sd._udp\t120\tIN\tPTR\t@",
            "lb._dns-sd._udp\t120\tIN\tPTR\t@",
            "_ipp._tcp\t120\tIN\tPTR\tOffice\\032\\064\\032q._ipp._tcp",
            "_print._sub._ipp._tcp\t120\tIN\tPTR\tOffice\\032\\064\\032q._ipp._tcp",
            "_cups._sub._ipp._tcp\t120\tIN\tPTR\tOffice\\032\\064\\032q._ipp._tcp",
            "Office\\032\\064\\032q._ipp._tcp\t120\tIN\tSRV\t0 0 631 quire.campus.test.",
            "Office\\032\\064\\032q._ipp._tcp\t120\tIN\tTXT\t\"txtvers=1\" \"note=Room \\\"B\\\"\"",
        ]
    );
}

#[test]
fn shared_pointers_appear_once_per_type() {
    let d = Name::parse("campus.test").unwrap();
    let mut ipps = service("A", &[]);
    ipps.service_type = "_ipps._tcp".into();
    let (recs, _) = records(&[service("A", &[]), service("B", &[]), ipps], &d, 60);
    let enumeration = d.children(SERVICES).unwrap();
    let n = recs.iter().filter(|r| r.owner == enumeration).count();
    assert_eq!(n, 2, "one pointer for _ipp._tcp and one for _ipps._tcp");
    assert_eq!(recs.iter().filter(|r| r.owner.labels()[0] == "b").count(), 1);
}

#[test]
fn no_services_no_browse_pointers_and_no_txt_pairs_one_empty_string() {
    let d = Name::parse("campus.test").unwrap();
    assert!(records(&[], &d, 60).0.is_empty());
    assert_eq!(txt_strings(&[]), vec![Vec::<u8>::new()]);
    let long = ("k".to_string(), "v".repeat(300));
    assert_eq!(txt_strings(&[long, ("a".into(), "1".into())]), vec![b"a=1".to_vec()]);
}

#[test]
fn a_service_that_does_not_fit_is_reported_and_the_others_kept() {
    let d = Name::parse(&vec!["abcdefghij"; 22].join(".")).unwrap();
    let (recs, errors) = records(&[service("A", &[]), service(&"n".repeat(60), &[])], &d, 60);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].instance, "n".repeat(60));
    assert!(recs.iter().any(|r| matches!(r.data, RData::Srv { .. })));
}

#[test]
fn master_file_has_origin_ttl_and_optional_soa() {
    let d = Name::parse("campus.test").unwrap();
    let (recs, _) = records(&[service("A", &[])], &d, 60);
    let soa = Soa {
        primary: Name::parse("ns.campus.test").unwrap(),
        admin: Name::parse("hostmaster.campus.test").unwrap(),
        serial: 7,
    };
    let text = master_file(&d, 60, Some(&soa), &recs);
    assert!(text.contains("\n$ORIGIN campus.test.\n$TTL 60\n"), "{text}");
    assert!(text.contains("@\tIN\tSOA\tns.campus.test. hostmaster.campus.test. ( 7 "), "{text}");
    assert!(text.contains("@\tIN\tNS\tns.campus.test.\n"), "{text}");
    assert!(text.ends_with("\"txtvers=1\" \"note=Room \\\"B\\\"\"\n"), "{text}");
    assert!(!master_file(&d, 60, None, &recs).contains("SOA"));
}
