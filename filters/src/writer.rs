//! A small streaming PDF writer for the documents this crate makes from scratch (text, JPEG,
//! banner). Objects are written as they are produced; only their byte offsets are kept, so a
//! long text file or a large JPEG never has to be held in memory whole.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use crate::error::FilterError;

/// Counts the bytes written so object offsets are known.
struct Counting<W> {
    inner: W,
    pos: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes one PDF file. Object ids are handed out by [`PdfWriter::reserve`] and each must be
/// written exactly once (unwritten ones become free entries).
pub(crate) struct PdfWriter {
    out: Counting<BufWriter<File>>,
    offsets: Vec<Option<u64>>,
    path: std::path::PathBuf,
}

impl PdfWriter {
    pub fn create(path: &Path) -> Result<Self, FilterError> {
        let file = File::create(path).map_err(|e| FilterError::io(path, e))?;
        let mut w = PdfWriter {
            out: Counting { inner: BufWriter::new(file), pos: 0 },
            offsets: Vec::new(),
            path: path.to_path_buf(),
        };
        w.raw(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")?;
        Ok(w)
    }

    fn err(&self, e: io::Error) -> FilterError {
        FilterError::io(&self.path, e)
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), FilterError> {
        self.out.write_all(bytes).map_err(|e| FilterError::io(&self.path, e))
    }

    /// A fresh object id (1-based).
    pub fn reserve(&mut self) -> u32 {
        self.offsets.push(None);
        self.offsets.len() as u32
    }

    fn begin(&mut self, id: u32) -> Result<(), FilterError> {
        let slot = self.offsets.get_mut(id as usize - 1).ok_or_else(|| {
            FilterError::io(&self.path, io::Error::other("unreserved PDF object id"))
        })?;
        *slot = Some(self.out.pos);
        let header = format!("{id} 0 obj\n");
        self.raw(header.as_bytes())
    }

    /// Writes object `id` whose body is `body` (a dictionary, array, number...).
    pub fn object(&mut self, id: u32, body: &str) -> Result<(), FilterError> {
        self.begin(id)?;
        self.raw(body.as_bytes())?;
        self.raw(b"\nendobj\n")
    }

    /// Writes stream object `id` with the dictionary entries `dict` (without `<<`, `>>` and
    /// `/Length`) and the bytes `data`.
    pub fn stream(&mut self, id: u32, dict: &str, data: &[u8]) -> Result<(), FilterError> {
        self.begin(id)?;
        let head = format!("<< {dict} /Length {} >>\nstream\n", data.len());
        self.raw(head.as_bytes())?;
        self.raw(data)?;
        self.raw(b"\nendstream\nendobj\n")
    }

    /// Writes stream object `id` whose data is copied from `reader` (streamed, not buffered);
    /// the length goes into a separate object written afterwards. Returns the bytes copied.
    pub fn stream_from(
        &mut self,
        id: u32,
        dict: &str,
        reader: &mut dyn Read,
    ) -> Result<u64, FilterError> {
        let len_id = self.reserve();
        self.begin(id)?;
        let head = format!("<< {dict} /Length {len_id} 0 R >>\nstream\n");
        self.raw(head.as_bytes())?;
        let n = io::copy(reader, &mut self.out).map_err(|e| self.err(e))?;
        self.raw(b"\nendstream\nendobj\n")?;
        self.object(len_id, &n.to_string())?;
        Ok(n)
    }

    /// Writes the cross-reference table and trailer and flushes the file.
    pub fn finish(mut self, root: u32, info: Option<u32>) -> Result<(), FilterError> {
        let xref_pos = self.out.pos;
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for off in &self.offsets {
            match off {
                Some(o) => table.push_str(&format!("{o:010} 00000 n \n")),
                None => table.push_str("0000000000 65535 f \n"),
            }
        }
        let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
        table.push_str(&format!(
            "trailer\n<< /Size {} /Root {root} 0 R{info} >>\nstartxref\n{xref_pos}\n%%EOF\n",
            self.offsets.len() + 1
        ));
        self.raw(table.as_bytes())?;
        self.out.flush().map_err(|e| self.err(e))?;
        self.out.inner.get_ref().sync_all().map_err(|e| self.err(e))
    }
}

/// Encodes text as a PDF literal string `( ... )` in WinAnsiEncoding, best effort: characters
/// WinAnsi lacks become `?`, control characters become spaces. Non-ASCII bytes are written as
/// octal escapes so content streams stay 7-bit.
pub(crate) fn pdf_string(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('(');
    for ch in text.chars() {
        push_win_ansi(&mut s, win_ansi(ch));
    }
    s.push(')');
    s
}

/// Appends one WinAnsi byte to a literal string body, escaped as needed.
pub(crate) fn push_win_ansi(s: &mut String, b: u8) {
    match b {
        b'(' | b')' | b'\\' => {
            s.push('\\');
            s.push(b as char);
        }
        0x20..=0x7e => s.push(b as char),
        _ => s.push_str(&format!("\\{b:03o}")),
    }
}

/// The WinAnsiEncoding byte for `ch` (`?` when there is none, space for control characters).
pub(crate) fn win_ansi(ch: char) -> u8 {
    let c = ch as u32;
    match c {
        0x20..=0x7e => c as u8,
        0x00..=0x1f | 0x7f..=0x9f => b' ',
        0xa0..=0xff => c as u8,
        _ => win_ansi_special(ch).unwrap_or(b'?'),
    }
}

fn win_ansi_special(ch: char) -> Option<u8> {
    const TABLE: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8a),
        ('‹', 0x8b),
        ('Œ', 0x8c),
        ('Ž', 0x8e),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9a),
        ('›', 0x9b),
        ('œ', 0x9c),
        ('ž', 0x9e),
        ('Ÿ', 0x9f),
    ];
    TABLE.iter().find(|(c, _)| *c == ch).map(|(_, b)| *b)
}

/// The `/Info` dictionary body every generated file carries.
pub(crate) fn info_dict(title: &str) -> String {
    format!("<< /Producer (Quire) /Title {} >>", pdf_string(title))
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
