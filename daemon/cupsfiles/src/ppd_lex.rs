//! A PPD file's lines, split and parsed the way libcups's `ppdOpen` reads them (PPD spec
//! 4.3, section 3): each entry is `*Keyword[ Option[/Translation]][: Value]`, and a value
//! whose quote is open at the end of a line goes on over the following lines.
//!
//! What makes `ppdOpen` give up on the whole file (in its default, relaxed, conformance
//! mode) is an error here; what it reads past (or reads differently) is a warning and only
//! that entry is left out. Columns count bytes.

use std::path::Path;

use quire_config::{Diagnostic, Loc};

/// The PPD limit on a line, which libcups enforces: a longer line makes the file unusable.
pub const MAX_LINE: usize = 255;

/// libcups's buffer for one entry (a value over many lines included) stops at 256 KiB.
pub const MAX_ENTRY: usize = 256 * 1024;

/// The PPD limit on a keyword or option name.
pub const MAX_NAME: usize = 40;

/// Old macOS drivers append a large blob after this comment; libcups stops reading there.
const APPLE_WORKSET: &[u8] = b"*%APLWORKSET START";

/// One entry: `*Keyword Option/Translation: Value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The line of its `*` (1-based).
    pub line: usize,
    /// ASCII, without the `*`.
    pub keyword: String,
    /// ASCII; `None` when the keyword is followed directly by `:`.
    pub option: Option<String>,
    /// As written, with `<hex>` sequences decoded; not yet decoded from its charset.
    pub translation: Option<Vec<u8>>,
    /// The column of the translation string (after the `/`).
    pub translation_col: usize,
    pub value: Value,
}

/// What follows the `:`, white space trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// Without the quotes of a quoted value; line ends inside it are `\n`. A symbol value
    /// (`^Name`) is kept as written.
    pub bytes: Vec<u8>,
    pub line: usize,
    pub col: usize,
}

impl Value {
    /// The value as text, for values that are keywords, numbers or MIME types (ASCII by
    /// the spec; other bytes read as U+FFFD).
    pub fn ascii(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Reads a PPD file's entries one at a time: [`Lexer::header`] first, then
/// [`Lexer::next_entry`] until it gives `None`. Warnings gather in `diags`.
pub struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The physical line being read (1-based).
    line: usize,
    path: &'a Path,
    pub diags: Vec<Diagnostic>,
}

/// One entry's bytes as read: line ends inside a quoted value kept as `\n`.
struct Logical {
    line: usize,
    buf: Vec<u8>,
    /// The `"` still open at the end of the file.
    open_quote: Option<(usize, usize)>,
}

impl Logical {
    /// The line and column of `buf[at]`.
    fn loc_of(&self, at: usize) -> (usize, usize) {
        let before = &self.buf[..at.min(self.buf.len())];
        let breaks = before.iter().filter(|&&b| b == b'\n').count();
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        (self.line + breaks, at - start + 1)
    }
}

/// PPD white space (C's `isspace`).
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

impl<'a> Lexer<'a> {
    pub fn new(bytes: &'a [u8], path: &'a Path) -> Self {
        Lexer { bytes, pos: 0, line: 1, path, diags: Vec::new() }
    }

    fn loc(&self, line: usize, col: usize) -> Loc {
        Loc { file: self.path.to_path_buf(), line, col }
    }

    fn error(&self, line: usize, col: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.loc(line, col), message)
    }

    fn warn(&mut self, line: usize, col: usize, message: impl Into<String>) {
        let diag = Diagnostic::warning(&self.loc(line, col), message);
        self.diags.push(diag);
    }

    /// The first line must be `*PPD-Adobe: "4.x"`, with nothing (not even a blank line or
    /// a comment) before it: its version, or the error that makes the file unusable.
    pub fn header(&mut self) -> Result<String, Diagnostic> {
        if self.bytes.starts_with(&[0x1f, 0x8b]) {
            return Err(self.error(1, 1, "a gzip-compressed file: not a PPD file until unpacked"));
        }
        let not_ppd = "not a PPD file: the first line must be *PPD-Adobe: \"4.3\"";
        let logical = self.logical(false)?.ok_or_else(|| self.error(1, 1, not_ppd))?;
        let entry = match self.parse(&logical).ok().flatten() {
            Some(entry) if entry.keyword == "PPD-Adobe" && entry.option.is_none() => entry,
            _ => return Err(self.error(logical.line, 1, not_ppd)),
        };
        let version = entry.value.ascii();
        if !version.starts_with('4') {
            let message = format!("PPD version \"{version}\": only version 4 PPD files are read");
            return Err(self.error(entry.value.line, entry.value.col, message));
        }
        Ok(version)
    }

    /// The next entry: `None` at the end, `Some(None)` for a line that is skipped, `Err`
    /// for what makes the file unusable.
    pub fn next_entry(&mut self) -> Result<Option<Option<Entry>>, Diagnostic> {
        let Some(logical) = self.logical(true)? else { return Ok(None) };
        if let Some((line, col)) = logical.open_quote {
            let message = "quote not closed before the end of the file: the rest of the file \
                           is read as this value (as libcups reads it)";
            self.warn(line, col, message);
        }
        self.parse(&logical).map(Some)
    }

    /// Reads one entry's bytes; `None` at the end of the file. Blank lines before it are
    /// skipped when `skip_blank`.
    fn logical(&mut self, skip_blank: bool) -> Result<Option<Logical>, Diagnostic> {
        let mut logical = Logical { line: self.line, buf: Vec::new(), open_quote: None };
        let (mut col, mut colon, mut ended) = (0, false, false);
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            if b == b'\r' || b == b'\n' {
                if b == b'\r' && self.bytes.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
                self.line += 1;
                col = 0;
                if logical.buf.is_empty() && skip_blank {
                    logical.line = self.line;
                } else if logical.open_quote.is_none() {
                    ended = true;
                    break;
                } else {
                    logical.buf.push(b'\n');
                }
                continue;
            }
            if b == 0x1a {
                continue; // DOS end-of-file mark: libcups drops it
            }
            col += 1;
            if col > MAX_LINE {
                let message = format!("line longer than {MAX_LINE} bytes (the PPD limit)");
                return Err(self.error(self.line, col, message));
            }
            if logical.buf.len() >= MAX_ENTRY {
                let message = format!("entry longer than {MAX_ENTRY} bytes");
                return Err(self.error(logical.line, 1, message));
            }
            logical.buf.push(b);
            colon |= b == b':' && !logical.buf.starts_with(b"*%");
            if b == b'"' && colon {
                logical.open_quote =
                    if logical.open_quote.is_some() { None } else { Some((self.line, col)) };
            }
        }
        if logical.buf.ends_with(b"\n") {
            logical.buf.pop();
        }
        let done = logical.buf == APPLE_WORKSET || (!ended && logical.buf.is_empty());
        Ok((!done).then_some(logical))
    }

    /// Parses one entry; `None` for a comment, blank line, `*End` or a line left out.
    fn parse(&mut self, logical: &Logical) -> Result<Option<Entry>, Diagnostic> {
        let buf = &logical.buf;
        let at = |i: usize| logical.loc_of(i);
        if let Some(nul) = buf.iter().position(|&b| b == 0) {
            // libcups reads the entry up to the NUL, and so do we.
            if !buf.starts_with(b"*%") {
                let (line, col) = at(nul);
                self.warn(line, col, "NUL byte: the entry ends here");
            }
            let prefix = Logical { line: logical.line, buf: buf[..nul].to_vec(), open_quote: None };
            return self.parse(&prefix);
        }
        if buf.is_empty() || buf.starts_with(b"*%") || buf == b"*End" || buf == b"*" {
            return Ok(None);
        }
        if buf[0] != b'*' {
            if buf.iter().all(|&b| is_space(b)) {
                return Ok(None);
            }
            return Err(self.error(logical.line, 1, "a line that does not start with '*'"));
        }
        let mut i = 1;
        let keyword = self.name(logical, &mut i, true)?;
        if keyword == "End" {
            return Ok(None);
        }
        let mut option = None;
        let mut translation = None;
        let mut translation_col = 0;
        if buf.get(i).copied().is_some_and(is_space) {
            i += buf[i..].iter().take_while(|&&b| is_space(b)).count();
            // `*Keyword : value` has an empty option name: libcups reads it as none.
            option = Some(self.name(logical, &mut i, false)?).filter(|o| !o.is_empty());
            i += buf[i..].iter().take_while(|&&b| is_space(b)).count();
            if buf.get(i) == Some(&b'/') {
                i += 1;
                translation_col = at(i).1;
                translation = Some(self.translation(logical, &mut i)?);
            }
        }
        i += buf[i..].iter().take_while(|&&b| is_space(b)).count();
        if buf.get(i) != Some(&b':') {
            let (line, col) = at(i);
            self.warn(line, col, format!("*{keyword} has no ':' and value: this line is ignored"));
            return Ok(None);
        }
        if keyword.is_empty() {
            self.warn(logical.line, 2, "no keyword after '*': this line is ignored");
            return Ok(None);
        }
        let value = value(logical, i + 1);
        Ok(Some(Entry { line: logical.line, keyword, option, translation, translation_col, value }))
    }

    /// A keyword (after `*`) or an option name: printable ASCII, at most 40 bytes; a
    /// keyword also has no `/`.
    fn name(&self, logical: &Logical, i: &mut usize, main: bool) -> Result<String, Diagnostic> {
        let start = *i;
        let (a_what, what) =
            if main { ("a keyword", "keyword") } else { ("an option name", "option name") };
        while let Some(&b) = logical.buf.get(*i) {
            if b == b':' || is_space(b) || (!main && b == b'/') {
                break;
            }
            let message = if b <= b' ' || b > 126 || (main && b == b'/') {
                format!("byte 0x{b:02x} is not allowed in {a_what}")
            } else if *i - start >= MAX_NAME {
                format!("{what} longer than {MAX_NAME} bytes")
            } else {
                *i += 1;
                continue;
            };
            let (line, col) = logical.loc_of(*i);
            return Err(self.error(line, col, message));
        }
        Ok(String::from_utf8_lossy(&logical.buf[start..*i]).into_owned())
    }

    /// A translation string, up to the `:`: no control characters but tab.
    fn translation(&self, logical: &Logical, i: &mut usize) -> Result<Vec<u8>, Diagnostic> {
        let start = *i;
        while let Some(&b) = logical.buf.get(*i) {
            if b == b':' || b == b'\n' {
                break;
            }
            if b < b' ' && b != b'\t' {
                let (line, col) = logical.loc_of(*i);
                let message = format!("control character 0x{b:02x} in a translation string");
                return Err(self.error(line, col, message));
            }
            *i += 1;
        }
        Ok(hex_decode(&logical.buf[start..*i]))
    }
}

/// The value after the `:` at `start`: white space trimmed; a value that ends with a quote
/// loses it and its first byte (libcups's reading, which is right for `"quoted"` values).
fn value(logical: &Logical, start: usize) -> Value {
    let buf = &logical.buf;
    let lead = buf[start..].iter().take_while(|&&b| is_space(b)).count();
    let from = start + lead;
    let trail = buf[from..].iter().rev().take_while(|&&b| is_space(b)).count();
    let raw = &buf[from..buf.len() - trail];
    let (line, col) = logical.loc_of(from);
    match raw {
        [.., b'"'] => {
            let bytes = raw.get(1..raw.len() - 1).unwrap_or_default().to_vec();
            Value { bytes, line, col }
        }
        _ => Value { bytes: raw.to_vec(), line, col },
    }
}

/// PPD hex strings: `<1B>` is the byte 0x1b; what follows the digits up to `>` is dropped.
pub fn hex_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        i += 1;
        let digits: Vec<u8> = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .filter_map(|&b| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok()))
            .collect();
        i += digits.len();
        // A last odd digit is dropped, as libcups does.
        out.extend(digits.chunks_exact(2).map(|pair| pair[0] << 4 | pair[1]));
        i += bytes[i..].iter().take_while(|&&b| b != b'>').count();
        i += bytes[i..].iter().take_while(|&&b| b == b'>').count();
    }
    out
}
