#![no_main]
//! Fuzz what cleans device-supplied text and device URIs before Quire shows them: for any
//! input, `quire_core::device_text::{line, keyword, attribute}` and
//! `quire_ipp::uri::{without_userinfo, redact}` never panic; a cleaned line has no control
//! character and fits `text(MAX)`; a cleaned attribute's texts are cleaned lines; a URI shown
//! without its user information has no `@` left in its authority.

use libfuzzer_sys::fuzz_target;
use quire_core::device_text;
use quire_ipp::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let line = device_text::line(&text);
    assert!(!line.contains(|c: char| c.is_control()), "control character in {line:?}");
    assert!(line.len() <= 1023);
    if let Some(k) = device_text::keyword(&text) {
        assert!(k
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)));
    }
    let shown = quire_ipp::uri::without_userinfo(&text);
    if let Some((_, rest)) = shown.split_once(':') {
        let authority = rest.trim_start_matches('/').split(['/', '?', '#']).next().unwrap_or("");
        assert!(!authority.contains('@'), "user information left in {shown:?}");
    }
    let _ = quire_ipp::uri::redact(&text, &text);
    if let Ok((message, _)) = quire_ipp::decode(data) {
        for a in message.groups.iter().flat_map(|g| g.attributes.iter()) {
            for v in device_text::attribute(a).values {
                if let Value::Text(t) | Value::Name(t) = v {
                    assert!(!t.contains(|c: char| c.is_control()), "control character in {t:?}");
                }
            }
        }
    }
});
