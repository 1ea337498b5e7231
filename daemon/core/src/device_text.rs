//! Text a device (or DNS-SD) supplies is cleaned before Quire shows it to clients or writes
//! it into a PPD: a device is not trusted to keep to one line. A line break starts what a
//! PPD or log reader would take as a new line (`*FoomaticRIPCommandLine: ...` after a
//! printer's model name), so a text is cut at its first line break, as cupsd cuts a
//! make-and-model at its first control character; other control characters become spaces.

use quire_ipp::{Attribute, Value};

/// IPP's longest text value (RFC 8011 `text(MAX)`).
const MAX_TEXT: usize = 1023;
/// IPP's longest name and keyword (`name(MAX)`, `keyword`).
const MAX_NAME: usize = 255;

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// One line of device text: up to the first line break, other control characters as
/// spaces, trimmed, at most `text(MAX)`.
pub fn line(s: &str) -> String {
    let first = s.split(is_break).next().unwrap_or("");
    let cleaned: String = first.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    truncate(cleaned.trim().to_string(), MAX_TEXT)
}

/// A device keyword (a state reason, a supported value) if it is one: lower-case letters,
/// digits, `-`, `_`, `.` (RFC 8011 §5.1.4), at most 255 bytes.
pub fn keyword(s: &str) -> Option<&str> {
    let ok = !s.is_empty()
        && s.len() <= MAX_NAME
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    ok.then_some(s)
}

fn value(v: &Value) -> Value {
    match v {
        Value::Text(t) => Value::Text(line(t)),
        Value::Name(n) => Value::Name(truncate(line(n), MAX_NAME)),
        Value::TextWithLanguage { language, text } => {
            Value::TextWithLanguage { language: line(language), text: line(text) }
        }
        Value::NameWithLanguage { language, name } => Value::NameWithLanguage {
            language: line(language),
            name: truncate(line(name), MAX_NAME),
        },
        // Keywords, URIs and the like are single tokens: no control character belongs there.
        Value::Keyword(k)
        | Value::Uri(k)
        | Value::UriScheme(k)
        | Value::MimeMediaType(k)
        | Value::Charset(k)
        | Value::NaturalLanguage(k)
            if k.contains(|c: char| c.is_control()) =>
        {
            Value::Unknown
        }
        Value::Collection(members) => Value::Collection(members.iter().map(attribute).collect()),
        other => other.clone(),
    }
}

/// A device attribute with every text value cleaned ([`line()`]) and any single-token value
/// (keyword, URI, MIME type...) holding a control character replaced by `unknown`.
pub fn attribute(a: &Attribute) -> Attribute {
    Attribute { name: a.name.clone(), values: a.values.iter().map(value).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_ends_at_its_first_line_break() {
        assert_eq!(line("Evil 1000\n*FoomaticRIPCommandLine: \"touch /tmp/x\""), "Evil 1000");
        assert_eq!(line("Evil\r\n*cupsFilter2: x"), "Evil");
        assert_eq!(line("a\u{2028}b"), "a");
        assert_eq!(line("tab\there\u{7}bell "), "tab here bell");
        assert_eq!(line("Büro 2. Stock"), "Büro 2. Stock");
        assert_eq!(
            line(&"é".repeat(600)).len(),
            1022,
            "cut at a character boundary under 1023 bytes"
        );
    }

    #[test]
    fn keywords_keep_to_their_syntax() {
        assert_eq!(keyword("media-empty-error"), Some("media-empty-error"));
        assert_eq!(keyword("com.example_x-report"), Some("com.example_x-report"));
        assert_eq!(keyword("none\n*Foo"), None);
        assert_eq!(keyword("Media Empty"), None);
        assert_eq!(keyword(""), None);
    }

    #[test]
    fn attributes_are_cleaned_value_by_value_and_inside_collections() {
        let a = Attribute::set(
            "printer-device-id",
            vec![
                Value::Text("MFG:Evil;\n*Foo: 1".into()),
                Value::Keyword("ok".into()),
                Value::Keyword("bad\nkw".into()),
                Value::Integer(3),
            ],
        );
        assert_eq!(
            attribute(&a).values,
            [
                Value::Text("MFG:Evil;".into()),
                Value::Keyword("ok".into()),
                Value::Unknown,
                Value::Integer(3)
            ]
        );
        let col = Attribute::new(
            "media-col",
            Value::Collection(vec![Attribute::new("media-info", Value::Text("x\ny".into()))]),
        );
        assert_eq!(
            attribute(&col).values,
            [Value::Collection(vec![Attribute::new("media-info", Value::Text("x".into()))])]
        );
    }
}
