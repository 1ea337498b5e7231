//! page_count, select_pages, copies, concat and number_up on generated PDFs.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{check_pdf, page_text, Dir};
use quire_filters::{
    concat, copies, number_up, page_count, select_pages, ConvertOptions, FilterError,
};

#[test]
fn page_count_of_multi_page_pdf() {
    let d = Dir::new();
    for n in [1, 7] {
        assert_eq!(page_count(&d.pdf("a.pdf", n)).unwrap(), n);
    }
}

#[test]
fn page_count_of_empty_pdf() {
    let d = Dir::new();
    assert!(matches!(page_count(&d.pdf("e.pdf", 0)), Err(FilterError::Empty)));
}

#[test]
fn page_count_of_corrupt_and_missing_files() {
    let d = Dir::new();
    let bad = d.path("bad.pdf");
    std::fs::write(&bad, b"%PDF-1.4\nthis is not really a pdf\n").unwrap();
    match page_count(&bad) {
        Err(e @ FilterError::Corrupt(_)) => assert!(e.to_string().contains("damaged"), "{e}"),
        other => panic!("{other:?}"),
    }
    // A truncated real PDF.
    let good = d.pdf("good.pdf", 3);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 3]).unwrap();
    assert!(page_count(&bad).is_err());
    let missing = d.path("nope.pdf");
    assert!(matches!(page_count(&missing), Err(FilterError::Io { .. })));
}

#[test]
fn select_pages_keeps_ranges_in_order() {
    let d = Dir::new();
    let input = d.pdf("in.pdf", 10);
    let out = d.path("out.pdf");
    select_pages(&input, &out, &[(2, 3), (9, 40)]).unwrap();
    assert_eq!(check_pdf(&out), 4);
    if let Some(t) = page_text(&out, 1) {
        assert!(t.contains("Page 2"), "{t}");
    }
    if let Some(t) = page_text(&out, 4) {
        assert!(t.contains("Page 10"), "{t}");
    }
    assert!(matches!(select_pages(&input, &out, &[(11, 20)]), Err(FilterError::Empty)));
    assert!(!out.exists(), "failed output is removed");
    assert!(matches!(select_pages(&input, &out, &[(5, 1)]), Err(FilterError::Empty)));
    select_pages(&input, &out, &[(0, 1)]).unwrap();
    assert_eq!(check_pdf(&out), 1);
}

#[test]
fn copies_collated_and_uncollated() {
    let d = Dir::new();
    let input = d.pdf("in.pdf", 3);
    let out = d.path("out.pdf");
    copies(&input, &out, 2, true).unwrap();
    assert_eq!(check_pdf(&out), 6);
    if let (Some(a), Some(b)) = (page_text(&out, 2), page_text(&out, 4)) {
        assert!(a.contains("Page 2") && b.contains("Page 1"), "{a} / {b}");
    }
    copies(&input, &out, 3, false).unwrap();
    assert_eq!(check_pdf(&out), 9);
    if let (Some(a), Some(b)) = (page_text(&out, 3), page_text(&out, 4)) {
        assert!(a.contains("Page 1") && b.contains("Page 2"), "{a} / {b}");
    }
    // Copies share content: 50 copies are not 50 times larger.
    copies(&input, &out, 50, true).unwrap();
    assert_eq!(check_pdf(&out), 150);
    let one = std::fs::metadata(&input).unwrap().len();
    let many = std::fs::metadata(&out).unwrap().len();
    assert!(many < one * 50, "{many} vs {one}");
    assert!(matches!(copies(&input, &out, u32::MAX, true), Err(FilterError::Unsupported(_))));
}

#[test]
fn concat_banner_document_trailer() {
    let d = Dir::new();
    let a = d.pdf("a.pdf", 1);
    let b = d.pdf("b.pdf", 4);
    let out = d.path("out.pdf");
    concat(&[&a, &b, &a], &out).unwrap();
    assert_eq!(check_pdf(&out), 6);
    if let Some(t) = page_text(&out, 5) {
        assert!(t.contains("Page 4"), "{t}");
    }
    assert!(matches!(concat(&[], &out), Err(FilterError::Empty)));
}

#[test]
fn number_up_counts() {
    let d = Dir::new();
    let five = d.pdf("five.pdf", 5);
    let nine = d.pdf("nine.pdf", 9);
    let out = d.path("out.pdf");
    let opts = ConvertOptions::default();
    number_up(&five, &out, 2, &opts).unwrap();
    assert_eq!(check_pdf(&out), 3);
    if let Some(t) = page_text(&out, 1) {
        assert!(t.contains("Page 1") && t.contains("Page 2"), "{t}");
    }
    number_up(&nine, &out, 4, &opts).unwrap();
    assert_eq!(check_pdf(&out), 3);
    for (n, pages) in [(1, 9), (6, 2), (9, 1), (16, 1)] {
        number_up(&nine, &out, n, &opts).unwrap();
        assert_eq!(check_pdf(&out), pages, "{n}-up");
    }
    assert!(matches!(number_up(&nine, &out, 3, &opts), Err(FilterError::Unsupported(_))));
}

#[test]
fn number_up_order_and_media() {
    let d = Dir::new();
    let four = d.pdf("four.pdf", 4);
    let out = d.path("out.pdf");
    let opts = ConvertOptions {
        media: Some("iso_a4_210x297mm".into()),
        presentation_direction: Some("toleft-tobottom".into()),
        ..Default::default()
    };
    number_up(&four, &out, 4, &opts).unwrap();
    assert_eq!(check_pdf(&out), 1);
    let doc = lopdf::Document::load(&out).unwrap();
    let page = doc.get_pages()[&1];
    let mb =
        doc.get_dictionary(page).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
    assert!((mb[2].as_float().unwrap() - 595.28).abs() < 0.1);
    if let Some(t) = page_text(&out, 1) {
        // toleft: page 2 is left of page 1 on the top row.
        let top = t.lines().find(|l| l.contains("Page 1")).unwrap_or_default();
        let (p1, p2) = (top.find("Page 1"), top.find("Page 2"));
        assert!(p2 < p1, "{t}");
    }
    let bad =
        ConvertOptions { presentation_direction: Some("sideways".into()), ..Default::default() };
    assert!(matches!(number_up(&four, &out, 4, &bad), Err(FilterError::Unsupported(_))));
}

#[test]
fn number_up_of_rotated_and_cropped_pages() {
    let d = Dir::new();
    let input = d.pdf("in.pdf", 2);
    let mut doc = lopdf::Document::load(&input).unwrap();
    for (i, id) in doc.get_pages().into_values().enumerate() {
        let page = doc.get_dictionary_mut(id).unwrap();
        if i == 0 {
            page.set("Rotate", 90);
        } else {
            page.set("CropBox", vec![50.into(), 50.into(), 400.into(), 700.into()]);
        }
    }
    doc.save(&input).unwrap();
    let out = d.path("out.pdf");
    number_up(&input, &out, 2, &ConvertOptions::default()).unwrap();
    assert_eq!(check_pdf(&out), 1);
}
