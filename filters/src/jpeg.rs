//! `image/jpeg` to PDF: one page with the JPEG embedded unchanged as a DCTDecode image,
//! scaled to fit inside the margins. Only the markers before the frame header are read to learn
//! the size; the image data is then copied into the output in one stream.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::FilterError;
use crate::media::{fit, fmt_num, sheet, ConvertOptions, Matrix};
use crate::writer::{info_dict, PdfWriter};

const MARGIN: f32 = 18.0;

/// What the frame header (SOF) says about a JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegInfo {
    pub width: u16,
    pub height: u16,
    pub components: u8,
    /// An Adobe APP14 marker was seen (CMYK data from Adobe applications is stored inverted).
    pub adobe: bool,
}

fn corrupt(why: &str) -> FilterError {
    FilterError::corrupt(format!("JPEG: {why}"))
}

fn read_u8(r: &mut dyn Read) -> Result<u8, FilterError> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b).map_err(|_| corrupt("file ends before the image header"))?;
    Ok(b[0])
}

fn read_u16(r: &mut dyn Read) -> Result<u16, FilterError> {
    Ok(u16::from_be_bytes([read_u8(r)?, read_u8(r)?]))
}

/// Reads the markers of a JPEG stream up to its frame header.
pub(crate) fn read_info(r: &mut dyn Read) -> Result<JpegInfo, FilterError> {
    if read_u8(r)? != 0xff || read_u8(r)? != 0xd8 {
        return Err(corrupt("not a JPEG file (no start-of-image marker)"));
    }
    let mut adobe = false;
    loop {
        if read_u8(r)? != 0xff {
            return Err(corrupt("bad marker"));
        }
        let mut marker = read_u8(r)?;
        while marker == 0xff {
            marker = read_u8(r)?;
        }
        match marker {
            0x01 | 0xd0..=0xd7 => continue,
            0xd9 | 0xda => return Err(corrupt("no frame header before the image data")),
            _ => {}
        }
        let len = read_u16(r)?;
        if len < 2 {
            return Err(corrupt("bad segment length"));
        }
        let body = u64::from(len - 2);
        match marker {
            0xc0..=0xc2 => return read_sof(r, adobe),
            0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                return Err(FilterError::Unsupported(
                    "image/jpeg (lossless or arithmetic coding)".into(),
                ))
            }
            0xee if body >= 5 => {
                let mut tag = [0u8; 5];
                r.read_exact(&mut tag).map_err(|_| corrupt("truncated APP14 segment"))?;
                adobe |= &tag == b"Adobe";
                skip(r, body - 5)?;
            }
            _ => skip(r, body)?,
        }
    }
}

fn skip(r: &mut dyn Read, n: u64) -> Result<(), FilterError> {
    let skipped =
        std::io::copy(&mut r.take(n), &mut std::io::sink()).map_err(|_| corrupt("read error"))?;
    if skipped == n {
        Ok(())
    } else {
        Err(corrupt("file ends inside a segment"))
    }
}

fn read_sof(r: &mut dyn Read, adobe: bool) -> Result<JpegInfo, FilterError> {
    let precision = read_u8(r)?;
    let height = read_u16(r)?;
    let width = read_u16(r)?;
    let components = read_u8(r)?;
    if precision != 8 {
        return Err(FilterError::Unsupported(format!("image/jpeg ({precision}-bit samples)")));
    }
    if width == 0 || height == 0 {
        return Err(corrupt("image has no size"));
    }
    if !matches!(components, 1 | 3 | 4) {
        return Err(corrupt(&format!("{components} colour components")));
    }
    Ok(JpegInfo { width, height, components, adobe })
}

/// Converts the JPEG file `input` into a one-page PDF at `output`.
pub(crate) fn jpeg_to_pdf(
    input: &Path,
    output: &Path,
    opts: &ConvertOptions,
) -> Result<(), FilterError> {
    let file = File::open(input).map_err(|e| FilterError::io(input, e))?;
    let mut reader = BufReader::new(file);
    let info = read_info(&mut reader)?;
    let mut file = reader.into_inner();
    file.seek(SeekFrom::Start(0)).map_err(|e| FilterError::io(input, e))?;

    let (w, h) = opts.page_size();
    // Without an explicit orientation, turn a wide image sideways like CUPS's auto-rotate.
    let wide = info.width > info.height;
    let orientation = opts.orientation.or(if wide && w < h { Some(4) } else { None });
    let sh = sheet(orientation, w, h);
    let place = fit(
        f32::from(info.width),
        f32::from(info.height),
        MARGIN,
        MARGIN,
        sh.width - 2.0 * MARGIN,
        sh.height - 2.0 * MARGIN,
    );
    // The image space is the unit square: scale it to the image size first.
    let image = Matrix([f32::from(info.width), 0.0, 0.0, f32::from(info.height), 0.0, 0.0]);
    let m = image.then(place).then(sh.to_physical);

    let mut out = PdfWriter::create(output)?;
    let (catalog, pages, page, content, img, info_id) =
        (out.reserve(), out.reserve(), out.reserve(), out.reserve(), out.reserve(), out.reserve());
    let cs = match info.components {
        1 => "/DeviceGray",
        3 => "/DeviceRGB",
        _ => "/DeviceCMYK",
    };
    let decode = if info.components == 4 && info.adobe { " /Decode [1 0 1 0 1 0 1 0]" } else { "" };
    let dict = format!(
        "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace {cs} /BitsPerComponent 8 /Filter /DCTDecode{decode}",
        info.width, info.height
    );
    out.stream_from(img, &dict, &mut file)?;
    let ops = format!("q {} /Im1 Do Q\n", m.cm());
    out.stream(content, "", ops.as_bytes())?;
    out.object(
        page,
        &format!(
            "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {} {}] /Resources << /XObject << /Im1 {img} 0 R >> >> /Contents {content} 0 R >>",
            fmt_num(w),
            fmt_num(h)
        ),
    )?;
    out.object(pages, &format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"))?;
    out.object(catalog, &format!("<< /Type /Catalog /Pages {pages} 0 R >>"))?;
    out.object(info_id, &info_dict("image"))?;
    out.finish(catalog, Some(info_id))
}

#[cfg(test)]
#[path = "jpeg_tests.rs"]
mod tests;
