//! Banner sheets (`job-sheets`), like CUPS's `standard` banner: one page naming the job, with
//! an optional classification line at the top and bottom.

use std::path::Path;

use crate::error::FilterError;
use crate::media::{fmt_num, sheet, ConvertOptions};
use crate::writer::{info_dict, pdf_string, PdfWriter};

/// What a banner page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BannerInfo {
    pub job_id: i32,
    pub job_name: String,
    pub user: String,
    pub printer: String,
    /// `time-at-creation`, seconds since the Unix epoch; printed in UTC.
    pub created_unix: i64,
    /// `classified`, `confidential`, `secret`, `topsecret`, `unclassified` or any other label;
    /// `None`, empty or `none` prints no classification.
    pub classification: Option<String>,
    /// Number of pages of the document, when known.
    pub pages: Option<u32>,
}

/// Longest value printed on a banner line, in characters.
const MAX_VALUE: usize = 48;

/// The classification text printed for a `Classification` keyword.
pub(crate) fn classification_text(c: Option<&str>) -> Option<String> {
    let c = c?.trim();
    let text = match c {
        "" | "none" => return None,
        "classified" => "CLASSIFIED",
        "confidential" => "CONFIDENTIAL",
        "secret" => "SECRET",
        "topsecret" => "TOP SECRET",
        "unclassified" => "UNCLASSIFIED",
        other => return Some(truncate(&other.to_uppercase(), MAX_VALUE)),
    };
    Some(text.to_string())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for a Unix time (proleptic Gregorian calendar).
pub(crate) fn format_utc(unix: i64) -> String {
    quire_ipp::date::CivilTime::from_unix(unix).to_string()
}

/// Writes a one-page banner PDF for `info` to `output`.
pub fn banner(info: &BannerInfo, output: &Path, opts: &ConvertOptions) -> Result<(), FilterError> {
    let (w, h) = opts.page_size();
    let sh = sheet(opts.orientation, w, h);
    let (lw, lh) = (sh.width, sh.height);
    let mut ops = format!("q {}\n", sh.to_physical.cm());
    // Frame.
    ops.push_str(&format!("1.5 w 24 24 {} {} re S\n", fmt_num(lw - 48.0), fmt_num(lh - 48.0)));
    if let Some(class) = classification_text(info.classification.as_deref()) {
        // Courier-Bold: every glyph is 0.6 em wide, so the text can be centred exactly.
        let size = 18.0_f32.min((lw - 60.0) / (class.chars().count() as f32 * 0.6));
        let x = (lw - class.chars().count() as f32 * 0.6 * size) / 2.0;
        for y in [lh - 52.0, 34.0] {
            ops.push_str(&text_op("F3", size, x, y, &class));
        }
    }
    let top = lh - 120.0;
    ops.push_str(&text_op("F2", 32.0, 60.0, top, &format!("Job {}", info.job_id)));
    let mut rows = vec![
        ("Job ID:", format!("{}-{}", info.printer, info.job_id)),
        ("Name:", info.job_name.clone()),
        ("User:", info.user.clone()),
        ("Printer:", info.printer.clone()),
        ("Created:", format_utc(info.created_unix)),
    ];
    if let Some(p) = info.pages {
        rows.push(("Pages:", p.to_string()));
    }
    let size = 14.0;
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = top - 50.0 - i as f32 * 24.0;
        if y < 60.0 {
            break;
        }
        ops.push_str(&text_op("F2", size, 60.0, y, label));
        ops.push_str(&text_op("F1", size, 160.0, y, &truncate(value, MAX_VALUE)));
    }
    ops.push_str("Q\n");
    write_one_page(output, (w, h), &ops, &info.job_name)
}

fn text_op(font: &str, size: f32, x: f32, y: f32, text: &str) -> String {
    format!(
        "BT /{font} {} Tf {} {} Td {} Tj ET\n",
        fmt_num(size),
        fmt_num(x),
        fmt_num(y),
        pdf_string(text)
    )
}

fn write_one_page(
    output: &Path,
    (w, h): (f32, f32),
    ops: &str,
    title: &str,
) -> Result<(), FilterError> {
    let mut out = PdfWriter::create(output)?;
    let (catalog, pages, page, content, info) =
        (out.reserve(), out.reserve(), out.reserve(), out.reserve(), out.reserve());
    let fonts: Vec<(u32, &str)> = ["Helvetica", "Helvetica-Bold", "Courier-Bold"]
        .iter()
        .map(|f| (out.reserve(), *f))
        .collect();
    for (id, name) in &fonts {
        out.object(
            *id,
            &format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>"
            ),
        )?;
    }
    let font_refs: Vec<String> =
        fonts.iter().enumerate().map(|(i, (id, _))| format!("/F{} {id} 0 R", i + 1)).collect();
    out.stream(content, "", ops.as_bytes())?;
    out.object(
        page,
        &format!(
            "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {} {}] /Resources << /Font << {} >> >> /Contents {content} 0 R >>",
            fmt_num(w),
            fmt_num(h),
            font_refs.join(" ")
        ),
    )?;
    out.object(pages, &format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"))?;
    out.object(catalog, &format!("<< /Type /Catalog /Pages {pages} 0 R >>"))?;
    out.object(info, &info_dict(&format!("banner: {title}")))?;
    out.finish(catalog, Some(info))
}

#[cfg(test)]
#[path = "banner_tests.rs"]
mod tests;
