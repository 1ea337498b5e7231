#![no_main]
//! Fuzz the parser of what a CUPS backend prints in discovery mode (lpinfo -v's device
//! lines): any bytes, split into lines as quired splits them, parse without panicking, and a
//! device that parses has a keyword class, a URI with a scheme, no control character in any
//! field, and fields within cups-deviced's sizes.

use libfuzzer_sys::fuzz_target;
use quire_backends::cups_discovery::{parse_line, MAX_LINE};

fuzz_target!(|data: &[u8]| {
    for raw in data.split(|b| *b == b'\n') {
        let Ok(d) = parse_line(raw) else { continue };
        assert!(raw.len() <= MAX_LINE);
        assert!(!d.class.is_empty() && d.class.len() <= 127);
        assert!(d.class.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert!(d.uri.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()));
        assert!(d.uri.len() <= 1023 && d.info.len() <= 127);
        for field in [&d.uri, &d.make_and_model, &d.info, &d.device_id, &d.location] {
            assert!(!field.chars().any(char::is_control), "{field:?}");
            assert!(field.len() <= 1023);
        }
    }
});
