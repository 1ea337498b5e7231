//! Just enough JSON output for the page log and `GET /status` (no parser needed here).

use std::fmt::Write;

/// `s` as a JSON string literal, quotes included.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Other control characters (and the line separators JavaScript chokes on).
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string or `null`.
pub fn opt_string(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_string(), string)
}

/// An array of strings.
pub fn strings<'a>(list: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = list.into_iter().map(string).collect();
    format!("[{}]", items.join(","))
}

/// Builds one JSON object from `(key, already-encoded value)` pairs, in order.
#[derive(Default)]
pub struct Object {
    body: String,
}

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    /// Adds a member whose value is already JSON.
    pub fn raw(mut self, key: &str, value: impl std::fmt::Display) -> Object {
        if !self.body.is_empty() {
            self.body.push(',');
        }
        let _ = write!(self.body, "{}:{value}", string(key));
        self
    }

    pub fn str(self, key: &str, value: &str) -> Object {
        self.raw(key, string(value))
    }

    pub fn finish(self) -> String {
        format!("{{{}}}", self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        assert_eq!(string("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(string("héllo"), "\"héllo\"");
    }

    #[test]
    fn builds_objects_in_order() {
        let o = Object::new().str("a", "x").raw("b", 2).raw("c", opt_string(None)).finish();
        assert_eq!(o, r#"{"a":"x","b":2,"c":null}"#);
        assert_eq!(strings(["p", "q"]), r#"["p","q"]"#);
    }
}
