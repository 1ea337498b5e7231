#![no_main]
//! Fuzz the readers of cupsd's state files (printers.conf, classes.conf, subscriptions.conf):
//! any bytes parse without panicking, every warning points at a real line, and whatever
//! parses writes out and parses back to the same values, with no new kind of warning.

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire_cupsfiles::{parse_classes_conf, parse_printers_conf, parse_subscriptions_conf};

/// Every warning is on a real line: cupsd's lines end at LF, CR or CR LF.
fn check_lines(data: &[u8], diags: &[quire_config::Diagnostic]) {
    let ends = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' || (b == b'\n' && (i == 0 || data[i - 1] != b'\r')))
        .count();
    for d in diags {
        assert!(d.loc.line >= 1 && d.loc.line <= ends + 1 && d.loc.col >= 1, "{d}");
    }
}

/// What a file written from parsed values may still be warned about: facts about a queue
/// (no device, a class's error policy cupsd ignores) and lines longer than cupsd reads.
fn allowed_again(diags: &[quire_config::Diagnostic]) -> bool {
    diags.iter().all(|d| {
        ["has no DeviceURI", "cupsd ignores ErrorPolicy", "cupsd reads only"]
            .iter()
            .any(|m| d.message.contains(m))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/printers.conf");
    for parse in [parse_printers_conf, parse_classes_conf] {
        let (file, diags) = parse(data, path);
        check_lines(data, &diags);
        let text = file.to_text();
        let (again, diags) = parse(text.as_bytes(), path);
        assert!(allowed_again(&diags), "{diags:?}\n{text}");
        assert_eq!(again, file, "{text}");
    }
    let (subs, diags) = parse_subscriptions_conf(data, path);
    check_lines(data, &diags);
    let text = subs.to_text();
    let (again, diags) = parse_subscriptions_conf(text.as_bytes(), path);
    assert!(allowed_again(&diags), "{diags:?}\n{text}");
    assert_eq!(again, subs, "{text}");
});
