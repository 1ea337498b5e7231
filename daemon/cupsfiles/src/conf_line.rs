//! cupsd's line format for its state files (printers.conf, classes.conf, subscriptions.conf):
//! read the way its `cupsFileGetConf` reads, written the way `cupsFilePutConf` writes.
//!
//! A line ends at LF, CR or CR LF. The first `#` starts a comment unless a backslash comes
//! just before it (then the backslash is dropped and the rest of the line, later `#`s too,
//! is text). Leading and trailing white space goes; the first word is the directive, the
//! rest (after the white space) its value. A line starting with `<` is a block tag and must
//! end with `>`, which is not part of the value.

use std::borrow::Cow;
use std::path::Path;

use quire_config::{Diagnostic, Loc};

/// One directive or block tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfLine {
    /// 1-based.
    pub line: usize,
    /// The first word as written (cupsd compares it case-insensitively): `Info`,
    /// `<Printer`, `</Printer>`.
    pub name: String,
    /// The rest of the line, trimmed (a block tag's without its `>`). `None`: nothing
    /// after the name, or a `<` line that does not end with `>` (cupsd reads no value).
    pub value: Option<String>,
    /// 1-based column of the value (of the end of the name when there is none).
    pub value_col: usize,
}

impl ConfLine {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
    pub fn value_loc(&self, path: &Path) -> Loc {
        Loc { file: path.to_path_buf(), line: self.line, col: self.value_col }
    }
}

/// cupsd's `isspace`: ASCII white space only.
pub fn is_space(c: char) -> bool {
    c == ' ' || ('\t'..='\r').contains(&c)
}

/// The directive lines of `bytes` (comments and blank lines left out), with warnings for
/// what cupsd would read differently: a NUL byte (cupsd stops the line there, and so do we),
/// bytes that are not UTF-8 (replaced by U+FFFD), and lines longer than `max_line`, the
/// longest cupsd reads whole (it reads the rest as a line of its own; we keep it whole).
pub fn read(bytes: &[u8], path: &Path, max_line: usize) -> (Vec<ConfLine>, Vec<Diagnostic>) {
    let mut lines = Vec::new();
    let mut diags = Vec::new();
    for (index, raw) in split_lines(bytes).enumerate() {
        let number = index + 1;
        let at = |col| Loc { file: path.to_path_buf(), line: number, col };
        let raw = match raw.iter().position(|&b| b == 0) {
            Some(nul) => {
                diags.push(Diagnostic::warning(&at(nul + 1), "NUL byte: the line ends here"));
                &raw[..nul]
            }
            None => raw,
        };
        if raw.len() > max_line {
            diags.push(Diagnostic::warning(
                &at(1),
                format!("line of {} bytes: cupsd reads only {max_line} as one line", raw.len()),
            ));
        }
        let text = String::from_utf8_lossy(raw);
        if let Cow::Owned(_) = text {
            diags.push(Diagnostic::warning(&at(1), "not UTF-8: bad bytes read as U+FFFD"));
        }
        lines.extend(parse_line(&text, number));
    }
    (lines, diags)
}

/// Lines as cupsd's `cupsFileGets` splits them (LF, CR or CR LF; a last line without one).
fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = match (rest.get(end), rest.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => 2,
            (Some(_), _) => 1,
            (None, _) => 0,
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

/// One line without its end, as `cupsFileGetConf` reads it; `None` for a blank or comment.
pub fn parse_line(text: &str, number: usize) -> Option<ConfLine> {
    let mut line: Cow<'_, str> = Cow::Borrowed(text);
    if let Some(hash) = text.find('#') {
        if text[..hash].ends_with('\\') {
            line = Cow::Owned(format!("{}{}", &text[..hash - 1], &text[hash..]));
        } else {
            line = Cow::Borrowed(text[..hash].trim_end_matches(is_space));
        }
    }
    let lead = line.chars().take_while(|&c| is_space(c)).count();
    let body = line.trim_start_matches(is_space);
    if body.is_empty() {
        return None;
    }
    let name_len = body.find(is_space).unwrap_or(body.len());
    let name = &body[..name_len];
    let after = body[name_len..].trim_start_matches(is_space);
    let value_col = lead + body[..body.len() - after.len()].chars().count() + 1;
    let mut value = (!after.is_empty()).then_some(after);
    if name.starts_with('<') {
        value = value.and_then(|v| v.strip_suffix('>'));
    }
    Some(ConfLine {
        line: number,
        name: name.to_string(),
        value: value.map(|v| v.trim_end_matches(is_space).to_string()),
        value_col,
    })
}

/// `value` as one line that reads back the same: a line break or NUL (which would end the
/// line) becomes a space, and white space at either end goes, as the reader drops it.
pub fn one_line(value: &str) -> Cow<'_, str> {
    let breaks = |c: char| c == '\n' || c == '\r' || c == '\0';
    let trimmed = value.trim_matches(is_space);
    if trimmed.contains(breaks) {
        let joined: String = trimmed.chars().map(|c| if breaks(c) { ' ' } else { c }).collect();
        Cow::Owned(joined.trim_matches(is_space).to_string())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// Appends `name value` and a line feed, as `cupsFilePutConf` writes it: a backslash before
/// the first `#` of the value, so that it is not read as a comment. An empty value still
/// gets the space (`Info ` for an empty description, as cupsd writes it).
pub fn put(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push(' ');
    push_escaped(out, &one_line(value));
    out.push('\n');
}

/// Appends a block tag `<name value>` (the value escaped as [`put`] does).
pub fn put_tag(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push(' ');
    push_escaped(out, &one_line(value));
    out.push_str(">\n");
}

fn push_escaped(out: &mut String, value: &str) {
    match value.find('#') {
        Some(hash) => {
            out.push_str(&value[..hash]);
            out.push('\\');
            out.push_str(&value[hash..]);
        }
        None => out.push_str(value),
    }
}
