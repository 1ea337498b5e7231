#![no_main]
//! Fuzz the PPD generator: whatever Printer attributes an IPP Everywhere device sends (here,
//! every attribute of a message decoded from the input), `generate_ppd` must not panic, and
//! its output must be ASCII, start with the PPD header and keep OpenUI/CloseUI balanced.

use libfuzzer_sys::fuzz_target;
use quire_core::ppd::generate_ppd;

fuzz_target!(|data: &[u8]| {
    let Ok((message, _)) = quire_ipp::decode(data) else { return };
    let attrs: Vec<_> = message.groups.iter().flat_map(|g| g.attributes.iter().cloned()).collect();
    let ppd = generate_ppd("fuzz", &attrs);

    assert!(ppd.is_ascii(), "non-ASCII PPD");
    assert!(ppd.starts_with("*PPD-Adobe: \"4.3\"\n"), "missing PPD header");
    let mut open: Option<&str> = None;
    for line in ppd.lines() {
        if let Some(rest) = line.strip_prefix("*OpenUI *") {
            assert!(open.is_none(), "nested OpenUI: {line}");
            open = Some(rest.split(['/', ':']).next().unwrap_or(""));
        } else if let Some(rest) = line.strip_prefix("*CloseUI: *") {
            assert_eq!(open.take(), Some(rest), "unbalanced CloseUI: {line}");
        }
    }
    assert!(open.is_none(), "OpenUI without CloseUI");
});
