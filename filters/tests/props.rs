//! Arbitrary bytes given as a PDF must never panic the PDF operations: errors are fine.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use proptest::prelude::*;
use quire_filters::{copies, number_up, page_count, select_pages, to_pdf, ConvertOptions};

fn run_all(bytes: &[u8], dir: &std::path::Path) {
    let input = dir.join("in.pdf");
    let out = dir.join("out.pdf");
    std::fs::write(&input, bytes).unwrap();
    let _ = page_count(&input);
    let _ = select_pages(&input, &out, &[(1, 2), (4, 4)]);
    let _ = number_up(&input, &out, 4, &ConvertOptions::default());
    let _ = copies(&input, &out, 2, false);
}

/// A valid PDF with a region of its bytes overwritten: closer to real damage than noise.
fn mutated_pdf() -> impl Strategy<Value = Vec<u8>> {
    let base = {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("base.pdf");
        common::make_pdf(&p, 3);
        std::fs::read(&p).unwrap()
    };
    let len = base.len();
    (0..len, proptest::collection::vec(any::<u8>(), 1..32)).prop_map(move |(at, patch)| {
        let mut b = base.clone();
        for (i, v) in patch.into_iter().enumerate() {
            if let Some(slot) = b.get_mut(at + i) {
                *slot = v;
            }
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        run_all(&bytes, dir.path());
    }

    #[test]
    fn pdf_like_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n".to_vec();
        bytes.extend_from_slice(&tail);
        let dir = tempfile::tempdir().unwrap();
        run_all(&bytes, dir.path());
    }

    #[test]
    fn damaged_pdfs_never_panic(bytes in mutated_pdf()) {
        let dir = tempfile::tempdir().unwrap();
        run_all(&bytes, dir.path());
    }

    #[test]
    fn random_text_and_jpeg_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        let out = dir.path().join("out.pdf");
        std::fs::write(&input, &bytes).unwrap();
        let _ = to_pdf(&input, "image/jpeg", &out, &ConvertOptions::default());
        if to_pdf(&input, "text/plain", &out, &ConvertOptions::default()).is_ok() {
            prop_assert!(common::check_pdf(&out) >= 1);
        }
    }
}
