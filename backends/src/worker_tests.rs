//! The worker's two modes on in-memory pipes (the process and the uid switch are covered by
//! tests/tests/security_filters.rs).

use super::*;
use crate::filter_chain::wire::{encode_plan, read_results};
use quire_filters::{BannerInfo, ConvertOptions};
use std::io::Cursor;

/// A one-page PDF made by the text filter.
fn pdf(dir: &Path) -> Vec<u8> {
    let text = dir.join("t.txt");
    std::fs::write(&text, "hello\n").expect("write text");
    let out = dir.join("t.pdf");
    quire_filters::to_pdf(&text, "text/plain", &out, &ConvertOptions::default())
        .expect("text to pdf");
    std::fs::read(out).expect("read pdf")
}

fn request(plan: &Plan, docs: &[&[u8]]) -> Vec<u8> {
    let mut bytes = encode_plan(plan).encode();
    for d in docs {
        write_stream(&mut &d[..], &mut bytes).expect("stream");
    }
    bytes
}

#[test]
fn convert_sends_back_each_result_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let banner = BannerInfo {
        job_id: 3,
        job_name: "notes".into(),
        user: "alice".into(),
        printer: "office".into(),
        ..Default::default()
    };
    let plan = Plan {
        banners: [Some(banner), None],
        formats: vec!["text/plain".into(), "application/pdf".into()],
        copies: Some((2, true)),
        ..Plan::default()
    };
    let one_page = pdf(dir.path());
    let input = request(&plan, &[b"first document\n", &one_page]);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    let mut out = Vec::new();
    convert(&mut Cursor::new(input), &mut out, &work).expect("convert");
    let mut results: Vec<Vec<u8>> = vec![Vec::new(); 3];
    let mut slots = results.iter_mut();
    let mut open =
        |_: usize| -> io::Result<Box<dyn Write + '_>> { Ok(Box::new(slots.next().expect("slot"))) };
    read_results(&mut &out[..], 3, &mut open).expect("results");
    for r in &results {
        assert!(r.starts_with(b"%PDF"), "each result is a PDF");
    }
    assert_eq!(quire_filters::page_count_mem(&results[0]).expect("banner"), 1);
    assert_eq!(
        quire_filters::page_count_mem(&results[2]).expect("copies"),
        2,
        "2 copies of the one-page PDF"
    );
}

#[test]
fn convert_reports_what_is_wrong_with_a_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan =
        Plan { formats: vec!["application/pdf".into()], number_up: Some(2), ..Plan::default() };
    let err =
        convert(&mut Cursor::new(request(&plan, &[b"not a pdf"])), &mut Vec::new(), dir.path())
            .expect_err("garbage");
    assert!(err.contains("damaged or unreadable"), "{err}");
    let err = convert(&mut Cursor::new(b"\x02\x00\x00".to_vec()), &mut Vec::new(), dir.path())
        .expect_err("no plan");
    assert!(err.contains("plan"), "{err}");
}

#[test]
fn count_answers_each_document_until_stdin_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut input = Vec::new();
    for doc in [pdf(dir.path()), b"%PDF-1.4 garbage".to_vec(), Vec::new()] {
        write_stream(&mut &doc[..], &mut input).expect("stream");
    }
    let mut out = Vec::new();
    count(&mut Cursor::new(input), &mut out).expect("count");
    let answers = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = answers.lines().collect();
    assert_eq!(lines.len(), 3, "{answers}");
    assert_eq!(lines[0], "pages 1");
    assert!(lines[1].starts_with("corrupt "), "{}", lines[1]);
    assert!(lines[2].starts_with("corrupt "), "an empty document: {}", lines[2]);
    let mut cut = Vec::new();
    write_stream(&mut &b"%PDF-1.4"[..], &mut cut).expect("stream");
    cut.pop();
    assert!(count(&mut Cursor::new(cut), &mut Vec::new()).is_err(), "a request cut short");
}

#[test]
fn the_worker_refuses_to_run_as_root() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: not root");
        return;
    }
    assert_eq!(format!("{:?}", main(&["count".into()])), format!("{:?}", ExitCode::from(1)));
}
