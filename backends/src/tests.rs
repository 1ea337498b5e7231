use super::*;
use std::io::Write;

struct NoProgress;
impl Progress for NoProgress {
    fn pages(&mut self, _: i32) {}
    fn printer_state(&mut self, _: Vec<String>, _: String) {}
}

fn job() -> JobInfo {
    JobInfo {
        id: 1,
        name: "t".into(),
        user: "u".into(),
        attributes: Vec::new(),
        capabilities: Vec::new(),
        printer: "p".into(),
        created: 0,
        work_dir: std::env::temp_dir(),
        resume_device_job: None,
        handoff: false,
        launch: Default::default(),
        confidential: false,
    }
}

#[test]
fn file_backend_writes_all_documents_decompressed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a");
    std::fs::write(&a, b"hello ").expect("write a");
    let b = dir.path().join("b.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"world").expect("gzip");
    std::fs::write(&b, gz.finish().expect("gzip finish")).expect("write b");
    let out = dir.path().join("out");
    let docs = vec![
        DocumentSource {
            path: a,
            format: "text/plain".into(),
            name: "a".into(),
            compression: None,
        },
        DocumentSource {
            path: b,
            format: "text/plain".into(),
            name: "b".into(),
            compression: Some("gzip".into()),
        },
    ];
    let uri = format!("file://{}", out.display());
    deliver(&uri, &job(), &docs, &Cancel::default(), &mut NoProgress).expect("deliver");
    assert_eq!(std::fs::read(&out).expect("read out"), b"hello world");
}

#[test]
fn bad_uris_are_refused_clearly() {
    let err = deliver("file:relative", &job(), &[], &Cancel::default(), &mut NoProgress)
        .expect_err("relative path");
    assert!(err.to_string().contains("absolute"), "{err}");
    // No CUPS backend of that name is installed (usb:// would run /usr/lib/cups/backend/usb).
    let err = deliver("quire-no-such-scheme://x", &job(), &[], &Cancel::default(), &mut NoProgress)
        .expect_err("no backend");
    assert!(matches!(err, BackendError::BadUri(_)));
    assert_eq!(
        ipp::split_uri("ipp://[::1]:8000/ipp/print").expect("v6"),
        ("::1".into(), 8000, "/ipp/print".into())
    );
    assert_eq!(ipp::split_uri("ipp://h/p").expect("default port"), ("h".into(), 631, "/p".into()));
    // User information is not part of the host, and no error shows it.
    assert_eq!(
        ipp::split_uri("ipps://alice:s3cret@h:8631/ipp").expect("userinfo"),
        ("h".into(), 8631, "/ipp".into())
    );
    let err = ipp::split_uri("ipps://alice:s3cret@h:port/ipp").expect_err("bad port");
    assert!(!err.to_string().contains("s3cret"), "{err}");
}
