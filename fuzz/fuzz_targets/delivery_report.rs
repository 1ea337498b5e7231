#![no_main]
//! Fuzz the daemon's reading of the backend worker's reports (backends/src/delivery.rs). The
//! worker talks to printers, so what it says is read as hostile: any line is a report or
//! nothing, never a panic; a report written again reads back the same.

use libfuzzer_sys::fuzz_target;
use quire_backends::delivery::Report;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n') {
        if let Some(report) = Report::parse(line) {
            let written = report.line();
            assert!(!written.contains('\n'), "{written:?}");
            let again = Report::parse(&written).expect("a report written reads back");
            assert_eq!(again.line(), written);
        }
    }
});
