//! Log lines are one line each: control characters (and Unicode line separators) coming
//! from requests — a `requesting-user-name` with a newline, an escape sequence — are
//! written escaped (`\n`, `\u{1b}`), so no one can forge a line of the error log or the
//! audit log or drive a terminal that shows them. Applied in one place for each of quired's
//! logs: `logs::Logs` (error, access and page logs) and `auth::Audit`.

use std::borrow::Cow;

/// Characters written escaped: controls (C0, DEL, C1) and the Unicode line and paragraph
/// separators some viewers break lines at.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` with every control character and line separator written as an escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
#[path = "log_text_tests.rs"]
mod tests;
