//! quire-filters: the document conversions quired needs before handing a job to an IPP
//! Everywhere printer (which takes PDF).
//!
//! * [`to_pdf`]: PostScript (Ghostscript `pdfwrite`, time-limited), JPEG (embedded as is),
//!   plain text (paginated Courier), PDF (copied).
//! * [`page_count`], [`select_pages`] (`page-ranges`), [`copies`], [`number_up`],
//!   [`concat()`] (banner + document + trailer) and [`banner`] (`job-sheets`).
//!
//! Everything is synchronous; quired runs it on a blocking thread. Conversions that make a PDF
//! from scratch (text, JPEG, banner) and pass-through copies stream their input. Operations on
//! existing PDFs use lopdf, which loads the whole PDF into memory: their memory use grows with
//! the input file (outputs share the input's content streams rather than copying them).
//!
//! On error the output file, if it was created, is removed.

mod banner;
mod error;
mod gs;
mod jpeg;
mod media;
mod nup;
mod pdf;
mod text;
mod writer;

use std::path::Path;

pub use banner::{banner, BannerInfo};
pub use error::FilterError;
pub use gs::{RasterFormat, RasterOptions, GS_TIMEOUT};
pub use media::{pwg_media_size, ConvertOptions};
pub use pdf::{page_count, page_count_mem, MAX_OUTPUT_PAGES};

/// Formats [`to_pdf`] converts, by MIME type.
pub const SUPPORTED_FORMATS: [&str; 4] =
    ["application/pdf", "application/postscript", "image/jpeg", "text/plain"];

/// Converts `input`, a document of MIME type `format`, to a PDF at `output`.
///
/// `format` may carry parameters (`text/plain; charset=utf-8`); text is read as UTF-8.
/// PNG and any other type give [`FilterError::Unsupported`].
pub fn to_pdf(
    input: &Path,
    format: &str,
    output: &Path,
    opts: &ConvertOptions,
) -> Result<(), FilterError> {
    let mime = format.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    cleanup_on_error(output, || match mime.as_str() {
        "application/pdf" => copy_pdf(input, output),
        "application/postscript" => gs::ps_to_pdf(input, output, opts, GS_TIMEOUT),
        "image/jpeg" => jpeg::jpeg_to_pdf(input, output, opts),
        "text/plain" => text::text_to_pdf(input, output, opts),
        _ => Err(FilterError::Unsupported(format.to_string())),
    })
}

/// Imposes `n` pages per sheet (1, 2, 4, 6, 9 or 16), in `opts.presentation_direction` order,
/// on `opts.media` (or the first page's size). 2-up and 6-up turn the sheet sideways.
pub fn number_up(
    input: &Path,
    output: &Path,
    n: u32,
    opts: &ConvertOptions,
) -> Result<(), FilterError> {
    cleanup_on_error(output, || nup::number_up(input, output, n, opts))
}

/// Keeps the pages named by `ranges` (`page-ranges`: 1-based, inclusive, in the order given;
/// pages past the end are ignored). No page left gives [`FilterError::Empty`].
pub fn select_pages(input: &Path, output: &Path, ranges: &[(u32, u32)]) -> Result<(), FilterError> {
    cleanup_on_error(output, || pdf::select_pages(input, output, ranges))
}

/// Repeats the document `copies` times: collated `1..n, 1..n`, uncollated `1,1,2,2...`.
/// Copies share page content, so the output grows only by small page dictionaries.
pub fn copies(input: &Path, output: &Path, copies: u32, collate: bool) -> Result<(), FilterError> {
    cleanup_on_error(output, || pdf::copies(input, output, copies, collate))
}

/// Renders the PDF `input` as PWG raster or URF pages (Ghostscript, run as an external
/// program) for printers that take no PDF.
pub fn pdf_to_raster(
    input: &Path,
    output: &Path,
    raster: RasterOptions,
) -> Result<(), FilterError> {
    cleanup_on_error(output, || gs::pdf_to_raster(input, output, raster, GS_TIMEOUT))
}

/// Puts the pages of `inputs` one after another into `output` (banner, document, trailer).
pub fn concat(inputs: &[&Path], output: &Path) -> Result<(), FilterError> {
    cleanup_on_error(output, || pdf::concat(inputs, output))
}

fn cleanup_on_error(
    output: &Path,
    f: impl FnOnce() -> Result<(), FilterError>,
) -> Result<(), FilterError> {
    let result = f();
    if result.is_err() {
        let _ = std::fs::remove_file(output);
    }
    result
}

/// Copies a PDF through unchanged (streamed), after checking that it starts like one.
fn copy_pdf(input: &Path, output: &Path) -> Result<(), FilterError> {
    use std::io::Read;
    let mut head = [0u8; 1024];
    let mut file = std::fs::File::open(input).map_err(|e| FilterError::io(input, e))?;
    let n = file.read(&mut head).map_err(|e| FilterError::io(input, e))?;
    if !head[..n].windows(5).any(|w| w == b"%PDF-") {
        return Err(FilterError::corrupt("not a PDF file (no %PDF- header)"));
    }
    std::fs::copy(input, output).map_err(|e| FilterError::io(output, e))?;
    Ok(())
}
