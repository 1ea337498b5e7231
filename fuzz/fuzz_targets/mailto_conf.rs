#![no_main]
//! Fuzz the mailto.conf parser: any text parses without panicking, every diagnostic points at
//! a real line, and nothing it keeps could start a mail header line (no control character;
//! addresses are one plain local@domain).

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (conf, diags) = quire_config::parse_mailto_conf(&text, Path::new("fuzz/mailto.conf"));
    let lines = text.lines().count().max(1);
    for d in &diags {
        assert!(d.loc.line >= 1 && d.loc.line <= lines && d.loc.col >= 1, "{d}");
    }
    let values = [&conf.cc, &conf.from, &conf.reply_to, &conf.smtp_server, &conf.sendmail];
    for v in values.into_iter().flatten().chain(Some(&conf.subject)) {
        assert!(!v.chars().any(char::is_control), "{v:?}");
    }
    for a in [&conf.cc, &conf.from, &conf.reply_to].into_iter().flatten() {
        assert!(quire_config::is_address(a), "{a:?}");
    }
});
