//! Document format detection for `application/octet-stream` (or no document-format).

/// The MIME type the first bytes of a document suggest.
pub fn detect(head: &[u8]) -> &'static str {
    let starts = |p: &[u8]| head.starts_with(p);
    if starts(b"%PDF") {
        "application/pdf"
    } else if starts(b"%!") || starts(b"\x04%!") {
        "application/postscript"
    } else if starts(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"RaS2") {
        "image/pwg-raster"
    } else if starts(b"UNIRAST") {
        "image/urf"
    } else if starts(b"\x1f\x8b") {
        "application/gzip"
    } else if !head.is_empty()
        && head.iter().all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80)
        && std::str::from_utf8(head).is_ok()
    {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn common_formats() {
        assert_eq!(detect(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(detect(b"%!PS-Adobe-3.0"), "application/postscript");
        assert_eq!(detect(b"\xFF\xD8\xFF\xE0"), "image/jpeg");
        assert_eq!(detect(b"RaS2PwgRaster"), "image/pwg-raster");
        assert_eq!(detect(b"UNIRAST\0"), "image/urf");
        assert_eq!(detect(b"hello\n"), "text/plain");
        assert_eq!(detect(b"\x00\x01\x02"), "application/octet-stream");
        assert_eq!(detect(b""), "application/octet-stream");
    }
}
