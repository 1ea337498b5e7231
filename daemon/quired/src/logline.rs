//! Log lines are one line each: control characters (and Unicode line separators) coming
//! from requests — a `requesting-user-name` with a newline, an escape sequence — are
//! written escaped (`\n`, `\u{1b}`), so no one can forge a line of the error log or the
//! audit log or drive a terminal that shows them. Applied in one place for each log: the
//! tracing writer ([`Escaping`]) and `auth::Audit`.

use std::borrow::Cow;
use std::io::{self, Write};
use tracing_subscriber::fmt::MakeWriter;

/// Characters written escaped: controls (C0, DEL, C1) and the Unicode line and paragraph
/// separators some viewers break lines at.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` with every character [`needs_escape`] picks written as an escape.
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

/// A whole formatted line (what one `write` of the tracing formatter holds): escaped, with
/// its final newline kept.
fn escape_line(buf: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(buf);
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (&*text, ""),
    };
    let mut out = escape(body).into_owned();
    out.push_str(newline);
    out.into_bytes()
}

/// A writer that escapes each buffer it is given as one line. tracing's formatter writes
/// every event with one `write_all`, which this writer takes whole.
pub struct EscapingWriter<W>(W);

impl<W: Write> Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(&escape_line(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Wraps a tracing `MakeWriter` so every event it writes is escaped.
pub struct Escaping<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaping<M> {
    type Writer = EscapingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapingWriter(self.0.make_writer())
    }
}

#[cfg(test)]
#[path = "logline_tests.rs"]
mod tests;
