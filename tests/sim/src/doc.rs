//! Documents: format sniffing, page counting and `QPAGE:` markers.
//!
//! PDF is read with lopdf (pages from the page tree, markers from each page's decompressed
//! content). PWG raster and URF are walked page header by page header. PostScript counts
//! `%%Page:` comments, text splits at form feeds and every 60 lines. Anything else is one page.

use std::fmt;
use std::io::{self, BufRead, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// PDFs up to this size are parsed properly; larger ones are scanned (see [`pdf_scan`]) so a
/// huge upload does not need its size in memory several times over.
pub const PDF_PARSE_MAX: u64 = 128 << 20;
/// Content of one page beyond this is not searched for a marker.
const PAGE_CONTENT_MAX: usize = 64 << 20;
/// Longest marker kept.
const MARKER_MAX: usize = 256;
/// The prefix of the strings test documents put on every page.
pub const MARKER_PREFIX: &[u8] = b"QPAGE:";
const TEXT_LINES_PER_PAGE: u32 = 60;

#[derive(Debug)]
pub enum DocError {
    Empty,
    Unreadable(String),
    Io(io::Error),
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocError::Empty => f.write_str("The document has no pages."),
            DocError::Unreadable(e) => write!(f, "The document cannot be read: {e}."),
            DocError::Io(e) => write!(f, "The document could not be stored: {e}."),
        }
    }
}

impl std::error::Error for DocError {}

impl From<io::Error> for DocError {
    fn from(e: io::Error) -> DocError {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => DocError::Unreadable("it is truncated".into()),
            _ => DocError::Io(e),
        }
    }
}

/// Pages of one copy of a document and the marker found on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub pages: u32,
    pub markers: Vec<Option<String>>,
}

impl Analysis {
    fn unmarked(pages: u32) -> Result<Analysis, DocError> {
        match pages {
            0 => Err(DocError::Empty),
            n => Ok(Analysis { pages: n, markers: Vec::new() }),
        }
    }
}

/// The real format of a document declared as `declared`: application/octet-stream is sniffed
/// from its first bytes `head`.
pub fn sniff(declared: &str, head: &[u8]) -> String {
    if declared != "application/octet-stream" {
        return declared.to_string();
    }
    let sniffed = if head.starts_with(b"%PDF") {
        "application/pdf"
    } else if head.starts_with(b"RaS2") {
        "image/pwg-raster"
    } else if head.starts_with(b"UNIRAST") {
        "image/urf"
    } else if head.starts_with(b"%!") {
        "application/postscript"
    } else {
        declared
    };
    sniffed.to_string()
}

/// File name extension for `--keep`.
pub fn extension(format: &str) -> &'static str {
    match format {
        "application/pdf" => "pdf",
        "image/pwg-raster" => "pwg",
        "image/urf" => "urf",
        "application/postscript" => "ps",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// Counts the pages of a document of `len` bytes read from `src`.
pub fn analyse(format: &str, src: &mut dyn BufRead, len: u64) -> Result<Analysis, DocError> {
    if len == 0 {
        return Err(DocError::Empty);
    }
    match format {
        "application/pdf" if len <= PDF_PARSE_MAX => {
            let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            src.read_to_end(&mut data)?;
            pdf(&data)
        }
        "application/pdf" => Analysis::unmarked(pdf_scan(src)?),
        "image/pwg-raster" => Analysis::unmarked(pwg(src)?),
        "image/urf" => Analysis::unmarked(urf(src)?),
        "application/postscript" => postscript(src),
        "text/plain" => text(src),
        _ => Analysis::unmarked(1),
    }
}

/// A PDF's pages, with markers.
pub fn pdf(data: &[u8]) -> Result<Analysis, DocError> {
    // lopdf may panic on hostile input; a broken document must not take the printer down.
    let parsed = catch_unwind(AssertUnwindSafe(|| -> Result<Analysis, DocError> {
        let doc = lopdf::Document::load_mem(data)
            .map_err(|e| DocError::Unreadable(format!("not a readable PDF file ({e})")))?;
        let markers: Vec<Option<String>> = doc
            .page_iter()
            .map(|id| doc.get_page_content_with_limit(id, PAGE_CONTENT_MAX).ok())
            .map(|content| content.and_then(|c| first_marker(&c)))
            .collect();
        let pages = u32::try_from(markers.len()).unwrap_or(u32::MAX);
        if pages == 0 {
            return Err(DocError::Empty);
        }
        Ok(Analysis { pages, markers })
    }));
    parsed.unwrap_or_else(|_| Err(DocError::Unreadable("the PDF structure is broken".into())))
}

/// Counts `/Type /Page` dictionaries in a PDF too large to parse. Pages inside compressed
/// object streams are not seen; a file where none is seen is refused.
pub fn pdf_scan(src: &mut dyn BufRead) -> Result<u32, DocError> {
    // Longest match looked at across a buffer boundary: "/Type" + blanks + "/Page" + 1.
    const TAIL: usize = 24;
    let mut window: Vec<u8> = Vec::with_capacity((1 << 20) + TAIL);
    let mut chunk = vec![0u8; 1 << 20];
    let mut pages = 0u32;
    loop {
        let n = src.read(&mut chunk)?;
        window.extend_from_slice(&chunk[..n]);
        let last = n == 0;
        // Matches starting in the tail are counted with the next chunk.
        let limit = if last { window.len() } else { window.len().saturating_sub(TAIL) };
        pages = pages.saturating_add(count_page_dicts(&window, limit));
        if last {
            break;
        }
        window.drain(..limit);
    }
    match pages {
        0 => Err(DocError::Unreadable("no pages found in a PDF too large to parse".into())),
        n => Ok(n),
    }
}

/// `/Type /Page` (not `/Pages`) occurrences starting before `limit`.
fn count_page_dicts(data: &[u8], limit: usize) -> u32 {
    let mut count = 0u32;
    let mut at = 0;
    while let Some(i) = find(&data[at..], b"/Type").map(|i| i + at) {
        if i >= limit {
            break;
        }
        let mut j = i + 5;
        while data.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        let after = data.get(j + 5);
        if data[j..].starts_with(b"/Page") && !after.is_some_and(|b| b.is_ascii_alphanumeric()) {
            count = count.saturating_add(1);
        }
        at = i + 5;
    }
    count
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The first string literal in PDF/PostScript `content` that starts with `QPAGE:`.
pub fn first_marker(content: &[u8]) -> Option<String> {
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'%' => {
                while i < content.len() && content[i] != b'\n' && content[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let (s, end) = literal(content, i + 1);
                if s.starts_with(MARKER_PREFIX) {
                    return Some(String::from_utf8_lossy(&s).into_owned());
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Decodes the string literal whose body starts at `start` (after the `(`); returns its
/// bytes (at most [`MARKER_MAX`]) and the index after the closing `)`.
fn literal(content: &[u8], start: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let (mut depth, mut i) = (1u32, start);
    let push = |out: &mut Vec<u8>, b: u8| {
        if out.len() < MARKER_MAX {
            out.push(b);
        }
    };
    while let Some(&b) = content.get(i) {
        i += 1;
        match b {
            b'\\' => {
                let Some(&e) = content.get(i) else { break };
                i += 1;
                match e {
                    b'n' => push(&mut out, b'\n'),
                    b'r' => push(&mut out, b'\r'),
                    b't' => push(&mut out, b'\t'),
                    b'b' => push(&mut out, 8),
                    b'f' => push(&mut out, 12),
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match content.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        push(&mut out, (v & 0xff) as u8);
                    }
                    // A backslash before a line end continues the string.
                    b'\r' => i += usize::from(content.get(i) == Some(&b'\n')),
                    b'\n' => {}
                    other => push(&mut out, other),
                }
            }
            b'(' => {
                depth += 1;
                push(&mut out, b);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                push(&mut out, b);
            }
            _ => push(&mut out, b),
        }
    }
    (out, i)
}

/// PostScript: DSC `%%Page:` comments (one page if there are none), a marker per page.
fn postscript(src: &mut dyn BufRead) -> Result<Analysis, DocError> {
    let mut markers: Vec<Option<String>> = Vec::new();
    let mut prologue_marker = None;
    for_each_line(src, |line| {
        if line.starts_with(b"%%Page:") {
            markers.push(None);
        } else if let Some(m) = first_marker(line) {
            match markers.last_mut() {
                Some(slot @ None) => *slot = Some(m),
                Some(Some(_)) => {}
                None => prologue_marker = prologue_marker.take().or(Some(m)),
            }
        }
    })?;
    if markers.is_empty() {
        markers.push(prologue_marker);
    }
    let pages = u32::try_from(markers.len()).unwrap_or(u32::MAX);
    Ok(Analysis { pages, markers })
}

/// Plain text: a page per form feed or 60 lines; the first `QPAGE:` word on a page is its marker.
fn text(src: &mut dyn BufRead) -> Result<Analysis, DocError> {
    let mut markers: Vec<Option<String>> = vec![None];
    let mut lines = 0u32;
    let mut pending_break = false;
    for_each_line(src, |line| {
        for (n, part) in line.split(|&b| b == 0x0c).enumerate() {
            if n > 0 || lines == TEXT_LINES_PER_PAGE {
                pending_break = true;
                lines = 0;
            }
            let blank = part.iter().all(|b| b.is_ascii_whitespace());
            if pending_break && !blank {
                markers.push(None);
                pending_break = false;
            }
            let word =
                part.split(|b| b.is_ascii_whitespace()).find(|w| w.starts_with(MARKER_PREFIX));
            if let (Some(w), Some(slot @ None)) = (word, markers.last_mut()) {
                *slot = Some(String::from_utf8_lossy(&w[..w.len().min(MARKER_MAX)]).into_owned());
            }
        }
        lines += 1;
    })?;
    let pages = u32::try_from(markers.len()).unwrap_or(u32::MAX);
    Ok(Analysis { pages, markers })
}

/// Calls `f` with each line (without its end), lines cut at 64 KiB.
fn for_each_line(src: &mut dyn BufRead, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut *src).take(64 << 10).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(());
        }
        while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            line.pop();
        }
        f(&line);
    }
}

fn read_u8(src: &mut dyn BufRead) -> io::Result<u8> {
    let mut b = [0u8; 1];
    src.read_exact(&mut b)?;
    Ok(b[0])
}

fn skip(src: &mut dyn BufRead, n: u64) -> io::Result<()> {
    let skipped = io::copy(&mut src.take(n), &mut io::sink())?;
    if skipped < n {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

fn be32(h: &[u8], at: usize) -> u64 {
    h.get(at..at + 4).map_or(0, |b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
}

fn at_eof(src: &mut dyn BufRead) -> io::Result<bool> {
    Ok(src.fill_buf()?.is_empty())
}

/// One page of PackBits-style raster lines (PWG 5102.4 / URF): `height` lines of
/// `line_bytes`, pixels of `pixel` bytes. `urf` makes 0x80 mean "rest of the line is blank".
fn raster_lines(
    src: &mut dyn BufRead,
    height: u64,
    line_bytes: u64,
    pixel: u64,
    urf: bool,
) -> io::Result<()> {
    let mut y = 0;
    while y < height {
        y += u64::from(read_u8(src)?) + 1;
        let mut x = 0;
        while x < line_bytes {
            let c = read_u8(src)?;
            if urf && c == 0x80 {
                break;
            }
            if c < 0x80 {
                skip(src, pixel)?;
                x += (u64::from(c) + 1) * pixel;
            } else {
                let bytes = (257 - u64::from(c)) * pixel;
                skip(src, bytes)?;
                x += bytes;
            }
        }
    }
    Ok(())
}

fn bad(what: &str) -> DocError {
    DocError::Unreadable(what.into())
}

/// PWG raster: "RaS2", then per page a 1796-byte header and its lines.
pub fn pwg(src: &mut dyn BufRead) -> Result<u32, DocError> {
    let mut sync = [0u8; 4];
    src.read_exact(&mut sync)?;
    if &sync != b"RaS2" {
        return Err(bad("not PWG raster (no RaS2 sync word)"));
    }
    let mut header = vec![0u8; 1796];
    let mut pages = 0u32;
    while !at_eof(src)? {
        src.read_exact(&mut header)?;
        let (height, bpp, bpl) = (be32(&header, 376), be32(&header, 388), be32(&header, 392));
        if height == 0 || bpl == 0 || bpp == 0 {
            return Err(bad("PWG raster page header with no pixels"));
        }
        raster_lines(src, height, bpl, (bpp / 8).max(1), false)?;
        pages = pages.saturating_add(1);
    }
    Ok(pages)
}

/// URF: "UNIRAST\0", a page count, then per page a 32-byte header and its lines.
pub fn urf(src: &mut dyn BufRead) -> Result<u32, DocError> {
    let mut head = [0u8; 12];
    src.read_exact(&mut head)?;
    if &head[..8] != b"UNIRAST\0" {
        return Err(bad("not URF (no UNIRAST header)"));
    }
    let mut header = [0u8; 32];
    let mut pages = 0u32;
    while !at_eof(src)? {
        src.read_exact(&mut header)?;
        let (bpp, width, height) = (u64::from(header[0]), be32(&header, 12), be32(&header, 16));
        if bpp == 0 || bpp % 8 != 0 || width == 0 || height == 0 {
            return Err(bad("URF page header with no pixels"));
        }
        raster_lines(src, height, width * (bpp / 8), bpp / 8, true)?;
        pages = pages.saturating_add(1);
    }
    Ok(pages)
}

#[cfg(test)]
#[path = "doc_tests.rs"]
mod tests;
