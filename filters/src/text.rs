//! `text/plain` to PDF: Courier, 80 columns by 66 lines per page, long lines wrapped, tabs every
//! 8 columns, form feed starts a new page. The input is read in chunks and decoded as UTF-8
//! (invalid bytes print as `?`); each page is written as soon as it is full.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::FilterError;
use crate::media::{fmt_num, sheet, ConvertOptions, Sheet};
use crate::writer::{info_dict, push_win_ansi, win_ansi, PdfWriter};

/// Columns per line and lines per page, as CUPS's texttopdf defaults (10 cpi, 6 lpi on Letter).
pub(crate) const COLUMNS: usize = 80;
pub(crate) const LINES: usize = 66;
const MARGIN: f32 = 36.0;
const TAB: usize = 8;

struct Layout {
    sheet: Sheet,
    /// Physical page size.
    size: (f32, f32),
    font_size: f32,
    leading: f32,
    x: f32,
    y: f32,
}

impl Layout {
    fn new(opts: &ConvertOptions) -> Layout {
        let (w, h) = opts.page_size();
        let sheet = sheet(opts.orientation, w, h);
        let usable_w = (sheet.width - 2.0 * MARGIN).max(1.0);
        let usable_h = (sheet.height - 2.0 * MARGIN).max(1.0);
        // Courier glyphs are 0.6 em wide: 80 columns of 10 pt take 480 pt.
        let font_size = 10.0_f32.min(usable_w / (COLUMNS as f32 * 0.6));
        let leading = usable_h / LINES as f32;
        let font_size = font_size.min(leading);
        let x = MARGIN;
        let y = sheet.height - MARGIN - font_size * 0.8;
        Layout { sheet, size: (w, h), font_size, leading, x, y }
    }
}

struct Paginator {
    out: PdfWriter,
    layout: Layout,
    pages_id: u32,
    font_id: u32,
    page_ids: Vec<u32>,
    /// Escaped string bodies of the finished lines of the current page.
    lines: Vec<String>,
    line: String,
    col: usize,
    page_open: bool,
    at_start: bool,
}

impl Paginator {
    fn put(&mut self, ch: char) -> Result<(), FilterError> {
        match ch {
            '\n' => {
                self.at_start = false;
                self.page_open = true;
                self.end_line()
            }
            '\u{c}' => self.form_feed(),
            '\t' => {
                let spaces = TAB - self.col % TAB;
                for _ in 0..spaces {
                    self.printable(b' ')?;
                }
                Ok(())
            }
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => Ok(()),
            c => self.printable(win_ansi(c)),
        }
    }

    fn printable(&mut self, b: u8) -> Result<(), FilterError> {
        self.at_start = false;
        self.page_open = true;
        if self.col == COLUMNS {
            self.end_line()?;
            self.page_open = true;
        }
        push_win_ansi(&mut self.line, b);
        self.col += 1;
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), FilterError> {
        self.lines.push(std::mem::take(&mut self.line));
        self.col = 0;
        if self.lines.len() >= LINES {
            self.write_page()?;
        }
        Ok(())
    }

    fn form_feed(&mut self) -> Result<(), FilterError> {
        if self.page_open {
            if self.col > 0 {
                self.lines.push(std::mem::take(&mut self.line));
                self.col = 0;
            }
            self.write_page()
        } else if self.at_start {
            Ok(())
        } else {
            self.write_page()
        }
    }

    fn write_page(&mut self) -> Result<(), FilterError> {
        let l = &self.layout;
        let mut content = format!(
            "q {}\nBT /F1 {} Tf {} TL {} {} Td\n",
            l.sheet.to_physical.cm(),
            fmt_num(l.font_size),
            fmt_num(l.leading),
            fmt_num(l.x),
            fmt_num(l.y)
        );
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                content.push_str("T* ");
            }
            content.push('(');
            content.push_str(line);
            content.push_str(") Tj\n");
        }
        content.push_str("ET Q\n");
        let content_id = self.out.reserve();
        self.out.stream(content_id, "", content.as_bytes())?;
        let page_id = self.out.reserve();
        let body = format!(
            "<< /Type /Page /Parent {} 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 {} 0 R >> >> /Contents {content_id} 0 R >>",
            self.pages_id,
            fmt_num(l.size.0),
            fmt_num(l.size.1),
            self.font_id
        );
        self.out.object(page_id, &body)?;
        self.page_ids.push(page_id);
        self.lines.clear();
        self.page_open = false;
        Ok(())
    }

    fn finish(mut self) -> Result<(), FilterError> {
        if self.page_open {
            if self.col > 0 {
                self.lines.push(std::mem::take(&mut self.line));
            }
            self.write_page()?;
        }
        if self.page_ids.is_empty() {
            return Err(FilterError::Empty);
        }
        let kids: Vec<String> = self.page_ids.iter().map(|id| format!("{id} 0 R")).collect();
        let pages = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), kids.len());
        self.out.object(self.pages_id, &pages)?;
        let font =
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>";
        self.out.object(self.font_id, font)?;
        let catalog = self.out.reserve();
        self.out.object(catalog, &format!("<< /Type /Catalog /Pages {} 0 R >>", self.pages_id))?;
        let info = self.out.reserve();
        self.out.object(info, &info_dict("text document"))?;
        self.out.finish(catalog, Some(info))
    }
}

/// Converts the plain-text file `input` to a PDF at `output`.
pub(crate) fn text_to_pdf(
    input: &Path,
    output: &Path,
    opts: &ConvertOptions,
) -> Result<(), FilterError> {
    let mut file = File::open(input).map_err(|e| FilterError::io(input, e))?;
    let mut out = PdfWriter::create(output)?;
    let pages_id = out.reserve();
    let font_id = out.reserve();
    let mut p = Paginator {
        out,
        layout: Layout::new(opts),
        pages_id,
        font_id,
        page_ids: Vec::new(),
        lines: Vec::with_capacity(LINES),
        line: String::new(),
        col: 0,
        page_open: false,
        at_start: true,
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = file.read(&mut buf).map_err(|e| FilterError::io(input, e))?;
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&buf[..n]);
        let used = decode_utf8(&carry, false, &mut |c| p.put(c))?;
        carry.drain(..used);
    }
    decode_utf8(&carry, true, &mut |c| p.put(c))?;
    p.finish()
}

/// Feeds the characters of `bytes` to `f`, invalid sequences as `?`. Returns how many bytes
/// were used: an incomplete sequence at the end is left for the next chunk unless `last`.
pub(crate) fn decode_utf8(
    bytes: &[u8],
    last: bool,
    f: &mut dyn FnMut(char) -> Result<(), FilterError>,
) -> Result<usize, FilterError> {
    let mut i = 0;
    while i < bytes.len() {
        match std::str::from_utf8(&bytes[i..]) {
            Ok(s) => {
                for c in s.chars() {
                    f(c)?;
                }
                return Ok(bytes.len());
            }
            Err(e) => {
                let valid = e.valid_up_to();
                let good = std::str::from_utf8(&bytes[i..i + valid]).unwrap_or_default();
                for c in good.chars() {
                    f(c)?;
                }
                match e.error_len() {
                    Some(bad) => {
                        f('?')?;
                        i += valid + bad;
                    }
                    None if last => {
                        f('?')?;
                        return Ok(bytes.len());
                    }
                    None => return Ok(i + valid),
                }
            }
        }
    }
    Ok(bytes.len())
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
