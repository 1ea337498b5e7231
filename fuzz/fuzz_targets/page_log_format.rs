#![no_main]
//! Fuzz `PageLogFormat` rendering (quire-core's `page_log`, what quired's page_log writes):
//! any format (`%` codes, `%{name}`, cut short anywhere) over any job attributes (text,
//! numbers, booleans, `media-col` sizes) makes one line without a control character, and
//! never panics.

use quire_core::page_log;

use libfuzzer_sys::fuzz_target;
use quire_ipp::{Attribute, Value};

/// `name=value` lines; a value that is a number is an integer, `x,y` a media size.
fn attributes(text: &str) -> Vec<Attribute> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((name, value)) = line.split_once('=') else { continue };
        let value = if let Ok(n) = value.parse::<i32>() {
            Value::Integer(n)
        } else if let Some((x, y)) = value.split_once(',') {
            let size = quire_ipp::build::media_size(x.parse().unwrap_or(0), y.parse().unwrap_or(0));
            out.push(Attribute::new(
                "media-col",
                Value::Collection(vec![Attribute::new("media-size", size)]),
            ));
            continue;
        } else if value == "true" || value == "false" {
            Value::Boolean(value == "true")
        } else {
            Value::Name(value.to_string())
        };
        out.push(Attribute::new(name, value));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (format, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let attrs = attributes(rest);
    let fields = page_log::PageFields {
        printer: "office",
        user: "alice\nroot",
        job_id: 7,
        page: "total",
        count: 3,
        attributes: &attrs,
    };
    let line = page_log::render(format, &fields, "[06/Dec/2026:03:10:49 +0000]");
    assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
});
