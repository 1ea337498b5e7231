#![no_main]
//! Fuzz the CUPS backend status-line parser (what a backend writes on stderr): any bytes,
//! split into lines as quired splits them, must parse without panicking, and every typed
//! printer attribute built from an `ATTR:` line must stay within bounds.

use libfuzzer_sys::fuzz_target;
use quire_backends::cups_status::{
    parse_bytes, parse_line, printer_attribute, StatusLine, MAX_LINE,
};

fuzz_target!(|data: &[u8]| {
    for raw in data.split(|b| *b == b'\n') {
        let parsed = parse_bytes(raw);
        if let Some(StatusLine::Message { text, .. }) = &parsed {
            assert!(text.len() <= MAX_LINE);
        }
        if let Some(StatusLine::Attr(pairs)) = &parsed {
            for (name, value) in pairs {
                if let Some(attr) = printer_attribute(name, value) {
                    assert!(!attr.values.is_empty() && attr.values.len() <= 64);
                }
            }
        }
    }
    // The &str entry point on the whole input, newlines and all.
    let _ = parse_line(&String::from_utf8_lossy(data));
});
