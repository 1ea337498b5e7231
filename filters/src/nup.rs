//! Number-up: several input pages imposed on each output page. Each input page becomes a Form
//! XObject (its content and resources, clipped to its crop box), placed in its cell with one
//! `cm`. Loads the input with lopdf (see `pdf.rs`).

use lopdf::{Dictionary, Document, Object, Stream};

use crate::error::FilterError;
use crate::media::{fit, sheet, ConvertOptions, Matrix, Sheet};
use crate::pdf::{flat_pages, guarded, load, save, set_pages};
use std::path::Path;

/// Decoded size limit for one page's content when it has to be decoded (several streams).
const MAX_CONTENT: usize = 256 * 1024 * 1024;

/// Space around each cell, in points.
const GAP: f32 = 6.0;

/// Order of the cells: `primary` direction first, then `secondary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Direction {
    /// Cells fill along a row first (`toright`/`toleft` first).
    pub rows_first: bool,
    /// Columns run right to left.
    pub right_to_left: bool,
    /// Rows run bottom to top.
    pub bottom_to_top: bool,
}

/// Parses `presentation-direction-number-up` (`toright-tobottom` when absent).
pub(crate) fn parse_direction(value: Option<&str>) -> Result<Direction, FilterError> {
    let v = value.unwrap_or("toright-tobottom");
    let (first, second) = v
        .split_once('-')
        .ok_or_else(|| FilterError::Unsupported(format!("presentation-direction-number-up {v}")))?;
    let horizontal = |s: &str| matches!(s, "toright" | "toleft");
    let vertical = |s: &str| matches!(s, "totop" | "tobottom");
    let ok = (horizontal(first) && vertical(second)) || (vertical(first) && horizontal(second));
    if !ok {
        return Err(FilterError::Unsupported(format!("presentation-direction-number-up {v}")));
    }
    Ok(Direction {
        rows_first: horizontal(first),
        right_to_left: first == "toleft" || second == "toleft",
        bottom_to_top: first == "totop" || second == "totop",
    })
}

/// Columns, rows and whether the sheet is turned, per number-up value (as CUPS: 2 and 6 up
/// lay the sheet sideways).
pub(crate) fn grid(n: u32) -> Option<(u32, u32, bool)> {
    match n {
        1 => Some((1, 1, false)),
        2 => Some((2, 1, true)),
        4 => Some((2, 2, false)),
        6 => Some((3, 2, true)),
        9 => Some((3, 3, false)),
        16 => Some((4, 4, false)),
        _ => None,
    }
}

/// Column and row (row 0 at the top) of cell `i`.
pub(crate) fn cell(i: u32, cols: u32, rows: u32, d: Direction) -> (u32, u32) {
    let (mut c, mut r) = if d.rows_first { (i % cols, i / cols) } else { (i / rows, i % rows) };
    if d.right_to_left {
        c = cols - 1 - c.min(cols - 1);
    }
    if d.bottom_to_top {
        r = rows - 1 - r.min(rows - 1);
    }
    (c, r)
}

/// Imposes `n` pages of `input` per page of `output` (n ∈ {1, 2, 4, 6, 9, 16}).
pub fn number_up(
    input: &Path,
    output: &Path,
    n: u32,
    opts: &ConvertOptions,
) -> Result<(), FilterError> {
    let (cols, rows, turned) =
        grid(n).ok_or_else(|| FilterError::Unsupported(format!("number-up {n}")))?;
    let dir = parse_direction(opts.presentation_direction.as_deref())?;
    let mut doc = load(input)?;
    let pages = flat_pages(&doc)?;
    let (w, h) = match opts.media_size() {
        Some(size) => size,
        None => pages
            .first()
            .map(|p| page_box(&doc, p))
            .map(|b| (b[2] - b[0], b[3] - b[1]))
            .unwrap_or(crate::media::LETTER),
    };
    let orientation = if turned {
        Some(match opts.orientation {
            Some(4) => 3,
            Some(5) => 6,
            Some(6) => 5,
            _ => 4,
        })
    } else {
        opts.orientation
    };
    let sh = sheet(orientation, w, h);
    let mut out = Vec::with_capacity(pages.len().div_ceil(n as usize));
    for chunk in pages.chunks(n as usize) {
        let page = guarded(|| impose(&mut doc, chunk, (cols, rows), dir, &sh, (w, h)))?;
        out.push(page);
    }
    set_pages(&mut doc, out)?;
    save(&mut doc, output)
}

/// Builds one output page from up to `cols * rows` input pages.
fn impose(
    doc: &mut Document,
    chunk: &[Dictionary],
    (cols, rows): (u32, u32),
    dir: Direction,
    sh: &Sheet,
    (w, h): (f32, f32),
) -> Result<Dictionary, FilterError> {
    let cw = sh.width / cols as f32;
    let ch = sh.height / rows as f32;
    let mut xobjects = Dictionary::new();
    let mut ops = String::new();
    for (i, page) in chunk.iter().enumerate() {
        let b = page_box(doc, page);
        let (bw, bh) = (b[2] - b[0], b[3] - b[1]);
        let rotate = page.get(b"Rotate").and_then(Object::as_i64).unwrap_or(0).rem_euclid(360);
        let rotate = rotate - rotate % 90;
        let (dw, dh) = if rotate % 180 == 90 { (bh, bw) } else { (bw, bh) };
        let (c, r) = cell(i as u32, cols, rows, dir);
        let x = c as f32 * cw + GAP;
        let y = sh.height - (r as f32 + 1.0) * ch + GAP;
        let m = Matrix::translate(-b[0], -b[1])
            .then(Matrix::rotate_box(rotate, bw, bh))
            .then(fit(dw, dh, x, y, cw - 2.0 * GAP, ch - 2.0 * GAP))
            .then(sh.to_physical);
        let form = form_xobject(doc, page, b)?;
        let name = format!("Fm{i}");
        xobjects.set(name.clone(), Object::Reference(doc.add_object(form)));
        ops.push_str(&format!("q {} /{name} Do Q\n", m.cm()));
    }
    let mut content = Stream::new(Dictionary::new(), ops.into_bytes());
    let _ = content.compress();
    let content_id = doc.add_object(content);
    let mut resources = Dictionary::new();
    resources.set("XObject", Object::Dictionary(xobjects));
    let mut out = Dictionary::new();
    out.set("Type", Object::Name(b"Page".to_vec()));
    out.set("MediaBox", Object::Array(vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)]));
    out.set("Resources", Object::Dictionary(resources));
    out.set("Contents", Object::Reference(content_id));
    Ok(out)
}

/// The visible box of a page (`CropBox`, else `MediaBox`) as `[x0 y0 x1 y1]`, normalised;
/// Letter when it is missing or degenerate.
pub(crate) fn page_box(doc: &Document, page: &Dictionary) -> [f32; 4] {
    let read = |key: &[u8]| -> Option<[f32; 4]> {
        let arr = page.get_deref(key, doc).ok()?.as_array().ok()?;
        let mut v = [0f32; 4];
        for (slot, o) in v.iter_mut().zip(arr.iter()) {
            *slot = doc.dereference(o).ok()?.1.as_float().ok()?;
        }
        let b = [v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])];
        let ok = arr.len() >= 4
            && b.iter().all(|x| x.is_finite())
            && b[2] - b[0] >= 1.0
            && b[3] - b[1] >= 1.0;
        ok.then_some(b)
    };
    read(b"CropBox").or_else(|| read(b"MediaBox")).unwrap_or([0.0, 0.0, 612.0, 792.0])
}

/// A Form XObject showing `page`: its content, its resources, clipped to `bbox`.
fn form_xobject(doc: &Document, page: &Dictionary, bbox: [f32; 4]) -> Result<Stream, FilterError> {
    let ids = content_ids(doc, page);
    let mut dict = Dictionary::new();
    let content = match ids.as_slice() {
        [one] => match doc.get_object(*one).and_then(Object::as_stream) {
            // One stream: keep its encoded bytes and filters as they are.
            Ok(s) => {
                for key in [&b"Filter"[..], b"DecodeParms"] {
                    if let Ok(v) = s.dict.get(key) {
                        dict.set(key.to_vec(), v.clone());
                    }
                }
                s.content.clone()
            }
            Err(_) => Vec::new(),
        },
        many => {
            let mut all = Vec::new();
            for id in many {
                let Ok(s) = doc.get_object(*id).and_then(Object::as_stream) else {
                    continue;
                };
                let left = MAX_CONTENT.saturating_sub(all.len());
                let data = s.decompressed_content_with_limit(left).map_err(|e| {
                    FilterError::corrupt(format!("page content cannot be decoded ({e})"))
                })?;
                all.extend_from_slice(&data);
                all.push(b'\n');
            }
            all
        }
    };
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set("BBox", Object::Array(bbox.iter().map(|v| Object::Real(*v)).collect()));
    if let Ok(res) = page.get(b"Resources") {
        dict.set("Resources", res.clone());
    }
    let mut stream = Stream::new(dict, content);
    if ids.len() > 1 {
        let _ = stream.compress();
    }
    Ok(stream)
}

/// The content stream ids of a page (`/Contents` a reference to a stream or to an array, or a
/// direct array).
fn content_ids(doc: &Document, page: &Dictionary) -> Vec<lopdf::ObjectId> {
    let Ok(contents) = page.get(b"Contents") else {
        return Vec::new();
    };
    let refs =
        |arr: &[Object]| arr.iter().filter_map(|o| o.as_reference().ok()).collect::<Vec<_>>();
    match contents {
        Object::Reference(id) => match doc.get_object(*id) {
            Ok(Object::Array(arr)) => refs(arr),
            Ok(Object::Stream(_)) => vec![*id],
            _ => Vec::new(),
        },
        Object::Array(arr) => refs(arr),
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[path = "nup_tests.rs"]
mod tests;
