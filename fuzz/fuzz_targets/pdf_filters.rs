//! Arbitrary bytes given as a PDF: page_count, select_pages and number_up may fail, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_filters::{number_up, page_count, select_pages, ConvertOptions};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("quire-fuzz-pdf-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let input = dir.join("in.pdf");
    let output = dir.join("out.pdf");
    if std::fs::write(&input, data).is_err() {
        return;
    }
    let _ = page_count(&input);
    let _ = select_pages(&input, &output, &[(1, 2), (4, 4)]);
    let _ = number_up(&input, &output, 4, &ConvertOptions::default());
});
