use crate::spool::{job_documents, Compression, SpoolFile};

#[test]
fn spool_names_parse_and_print_as_cupsd_spells_them() {
    let cases = [
        ("c00042", SpoolFile::Control(42), 42),
        ("a00042", SpoolFile::Auth(42), 42),
        ("d00042-001", SpoolFile::Data { job: 42, document: 1 }, 42),
        ("c123456", SpoolFile::Control(123456), 123456),
        ("d123456-1000", SpoolFile::Data { job: 123456, document: 1000 }, 123456),
    ];
    for (name, file, job) in cases {
        assert_eq!(SpoolFile::parse(name), Some(file), "{name}");
        assert_eq!((file.name().as_str(), file.job()), (name, job));
    }
    for name in [
        "c42",
        "c00042.O",
        "c00000",
        "d00042",
        "d00042-01",
        "d00042-+01",
        "x00042",
        "",
        "é",
        "c-0042",
    ] {
        assert_eq!(SpoolFile::parse(name), None, "{name}");
    }
}

#[test]
fn a_jobs_documents_are_counted_up_to_the_first_gap() {
    let names =
        ["c00007", "d00007-002", "d00007-001", "d00008-001", "d00007-004", "tmp", "d00007-005"];
    let found = job_documents(7, names);
    assert_eq!(found.documents, ["d00007-001", "d00007-002"]);
    assert_eq!(found.beyond_gap, ["d00007-004", "d00007-005"]);
    assert!(job_documents(9, names).documents.is_empty());
}

#[test]
fn gzip_documents_are_recognised() {
    assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
    assert_eq!(Compression::sniff(b"%PDF-1.7"), Compression::None);
    assert_eq!(Compression::sniff(&[0x1f]).keyword(), "none");
}
