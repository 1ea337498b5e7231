//! What the filter chain decides, run in this process (no worker: `Launch::default()`).

use super::*;
use crate::sandbox::{Launch, Worker};
use std::sync::Arc;

fn formats(list: &[&str]) -> Attribute {
    Attribute::set(
        "document-format-supported",
        list.iter().map(|f| Value::MimeMediaType(f.to_string())).collect(),
    )
}

fn job(work: &Path, caps: Vec<Attribute>, attributes: Vec<Attribute>) -> JobInfo {
    JobInfo {
        id: 5,
        name: "notes".into(),
        user: "alice".into(),
        attributes,
        capabilities: caps,
        printer: "office".into(),
        created: 0,
        work_dir: work.to_path_buf(),
        resume_device_job: None,
        handoff: false,
        launch: Arc::new(Launch::default()),
        confidential: false,
    }
}

fn doc(dir: &Path, name: &str, format: &str, data: &[u8]) -> DocumentSource {
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write document");
    DocumentSource { path, format: format.into(), name: name.into(), compression: None }
}

#[test]
fn documents_the_device_takes_pass_through_and_the_rest_is_converted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = doc(dir.path(), "notes.txt", "text/plain", b"hello\n");
    let pdf_path = dir.path().join("made.pdf");
    quire_filters::to_pdf(&text.path, "text/plain", &pdf_path, &ConvertOptions::default())
        .expect("make a PDF");
    let pdf = DocumentSource {
        path: pdf_path,
        format: "application/pdf".into(),
        name: "made.pdf".into(),
        compression: None,
    };
    let sheets = Attribute::set(
        "job-sheets",
        vec![Value::Keyword("standard".into()), Value::Keyword("none".into())],
    );
    let job = job(dir.path(), vec![formats(&["application/pdf"])], vec![sheets]);
    let prepared = prepare(&job, &[text, pdf.clone()], &Cancel::default()).expect("prepare");
    let names: Vec<&str> = prepared.documents.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["banner", "notes.txt", "made.pdf"]);
    assert!(prepared.documents.iter().all(|d| d.format == "application/pdf"));
    assert_eq!(prepared.documents[2].path, pdf.path, "a document the device takes is not copied");
    assert!(std::fs::read(&prepared.documents[1].path).expect("converted").starts_with(b"%PDF"));
    assert!(
        !prepared.attributes.iter().any(|a| a.name == "job-sheets"),
        "Quire made the banner, the device must not"
    );
}

#[test]
fn the_worker_starts_only_when_something_needs_converting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = Worker { program: "/nonexistent/quired".into(), args: Vec::new() };
    let mut job = job(dir.path(), vec![formats(&["application/pdf", "text/plain"])], Vec::new());
    job.launch = Arc::new(Launch { worker: Some(missing), ..Launch::default() });
    let text = doc(dir.path(), "a.txt", "text/plain", b"hi\n");
    let prepared =
        prepare(&job, std::slice::from_ref(&text), &Cancel::default()).expect("nothing to convert");
    assert_eq!(prepared.documents[0].path, text.path);
    job.capabilities = vec![formats(&["application/pdf"])];
    let err = prepare(&job, &[text], &Cancel::default()).err().expect("the worker cannot start");
    assert!(
        matches!(&err, BackendError::StopPrinter(m) if m.contains("Unable to start the filters")),
        "{err:?}"
    );
}

#[test]
fn a_device_taking_neither_pdf_nor_raster_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let job = job(dir.path(), vec![formats(&["application/vnd.hp-pcl"])], Vec::new());
    let err = prepare(&job, &[doc(dir.path(), "a.txt", "text/plain", b"hi\n")], &Cancel::default())
        .err()
        .expect("refused");
    assert!(
        matches!(&err, BackendError::Document(m) if m.contains("takes neither PDF nor raster")),
        "{err:?}"
    );
}
