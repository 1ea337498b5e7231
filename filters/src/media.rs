//! Conversion options, PWG media names and page geometry.

/// Options shared by the conversions. `Default` means: US Letter, portrait (or the document's
/// own page size where it has one), `toright-tobottom` number-up order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvertOptions {
    /// PWG self-describing media name (`media` / `media-col`), e.g. `iso_a4_210x297mm`.
    pub media: Option<String>,
    /// `orientation-requested`: 3 portrait, 4 landscape, 5 reverse-landscape, 6 reverse-portrait.
    pub orientation: Option<i32>,
    /// `presentation-direction-number-up`, e.g. `toright-tobottom` (the default).
    pub presentation_direction: Option<String>,
}

/// US Letter in points, the default page size.
pub const LETTER: (f32, f32) = (612.0, 792.0);

/// Largest page side PDF allows (200 inches), in points.
const MAX_SIDE: f32 = 14_400.0;

/// Size in points (width, height) of a PWG self-describing media name such as
/// `na_letter_8.5x11in` or `iso_a4_210x297mm`. The `WxH{in,mm}` suffix is parsed generically, so
/// any self-describing name works; a few bare legacy names (`letter`, `a4`...) are accepted too.
pub fn pwg_media_size(name: &str) -> Option<(f32, f32)> {
    let name = name.trim();
    if let Some(size) = legacy_size(name) {
        return Some(size);
    }
    let dims = name.rsplit('_').next()?;
    let (dims, per_unit) = if let Some(d) = dims.strip_suffix("in") {
        (d, 72.0_f64)
    } else if let Some(d) = dims.strip_suffix("mm") {
        (d, 72.0 / 25.4)
    } else {
        return None;
    };
    let (w, h) = dims.split_once('x')?;
    let w = parse_dim(w)? * per_unit;
    let h = parse_dim(h)? * per_unit;
    let (w, h) = (w as f32, h as f32);
    let ok = |v: f32| v.is_finite() && (1.0..=MAX_SIDE).contains(&v);
    (ok(w) && ok(h)).then_some((w, h))
}

fn parse_dim(s: &str) -> Option<f64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0)
}

fn legacy_size(name: &str) -> Option<(f32, f32)> {
    let size = match name.to_ascii_lowercase().as_str() {
        "letter" => LETTER,
        "legal" => (612.0, 1008.0),
        "tabloid" | "ledger" => (792.0, 1224.0),
        "executive" => (522.0, 756.0),
        "a3" => (841.89, 1190.55),
        "a4" => (595.28, 841.89),
        "a5" => (419.53, 595.28),
        _ => return None,
    };
    Some(size)
}

impl ConvertOptions {
    /// The requested page size, or `None` when no (known) media was asked for.
    pub(crate) fn media_size(&self) -> Option<(f32, f32)> {
        self.media.as_deref().and_then(pwg_media_size)
    }

    /// The requested page size, defaulting to US Letter.
    pub(crate) fn page_size(&self) -> (f32, f32) {
        self.media_size().unwrap_or(LETTER)
    }
}

/// A PDF transformation matrix `[a b c d e f]` (row-vector convention, as in `cm`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix(pub [f32; 6]);

impl Matrix {
    pub const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    pub fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    pub fn scale(s: f32) -> Matrix {
        Matrix([s, 0.0, 0.0, s, 0.0, 0.0])
    }

    /// `self` applied first, then `next`.
    pub fn then(self, next: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [na, nb, nc, nd, ne, nf] = next.0;
        Matrix([
            a * na + b * nc,
            a * nb + b * nd,
            c * na + d * nc,
            c * nb + d * nd,
            e * na + f * nc + ne,
            e * nb + f * nd + nf,
        ])
    }

    /// Maps a box of size `w`x`h` (origin at 0,0) turned clockwise by `degrees` (0, 90, 180,
    /// 270, as in a page's `/Rotate`) back onto a box at the origin. The result's size is
    /// `(h, w)` for 90 and 270.
    pub fn rotate_box(degrees: i64, w: f32, h: f32) -> Matrix {
        match degrees.rem_euclid(360) {
            90 => Matrix([0.0, -1.0, 1.0, 0.0, 0.0, w]),
            180 => Matrix([-1.0, 0.0, 0.0, -1.0, w, h]),
            270 => Matrix([0.0, 1.0, -1.0, 0.0, h, 0.0]),
            _ => Matrix::IDENTITY,
        }
    }

    /// The operator text `a b c d e f cm`.
    pub fn cm(&self) -> String {
        let v: Vec<String> = self.0.iter().map(|x| fmt_num(*x)).collect();
        format!("{} cm", v.join(" "))
    }
}

/// Formats a number for a content stream (no exponent, at most 4 decimals).
pub(crate) fn fmt_num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A page laid out in "logical" (reader's) coordinates on a physical sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sheet {
    /// Logical width and height: the physical size swapped for landscape.
    pub width: f32,
    pub height: f32,
    /// Maps logical coordinates onto the physical page.
    pub to_physical: Matrix,
}

/// Lays a logical page on a physical page of `w`x`h` for `orientation-requested`
/// (3 portrait, 4 landscape = content turned 90° counter-clockwise, 5 reverse-landscape,
/// 6 reverse-portrait; anything else is portrait).
pub(crate) fn sheet(orientation: Option<i32>, w: f32, h: f32) -> Sheet {
    let (width, height, m) = match orientation {
        Some(4) => (h, w, Matrix([0.0, 1.0, -1.0, 0.0, w, 0.0])),
        Some(5) => (h, w, Matrix([0.0, -1.0, 1.0, 0.0, 0.0, h])),
        Some(6) => (w, h, Matrix([-1.0, 0.0, 0.0, -1.0, w, h])),
        _ => (w, h, Matrix::IDENTITY),
    };
    Sheet { width, height, to_physical: m }
}

/// The matrix that fits a `src_w`x`src_h` box (at the origin) into the box at `(x, y)` of size
/// `w`x`h`, keeping the aspect ratio and centring it. Degenerate sizes give a zero scale.
pub(crate) fn fit(src_w: f32, src_h: f32, x: f32, y: f32, w: f32, h: f32) -> Matrix {
    if !(src_w > 0.0 && src_h > 0.0 && w > 0.0 && h > 0.0) {
        return Matrix::scale(0.0);
    }
    let s = (w / src_w).min(h / src_h);
    let dx = x + (w - src_w * s) / 2.0;
    let dy = y + (h - src_h * s) / 2.0;
    Matrix::scale(s).then(Matrix::translate(dx, dy))
}

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
