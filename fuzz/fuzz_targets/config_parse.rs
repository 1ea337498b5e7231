#![no_main]
//! Fuzz the cupsd.conf parser and validator: any text must parse and validate without panicking,
//! and every diagnostic must point at a real line.

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (nodes, diags) = quire_config::parse(&text, Path::new("fuzz/cupsd.conf"));
    let lines = text.split('\n').count();
    for d in &diags {
        assert!(d.loc.line >= 1 && d.loc.line <= lines && d.loc.col >= 1, "{d}");
    }
    // The same tree as both files exercises the wrong-file paths too.
    let _ = quire_config::validate(&nodes, &nodes);
});
