use std::io::Cursor;

use lopdf::{dictionary, Document, Object, Stream};

use super::*;

/// A PDF whose page n has the content `contents[n]`, compressed (FlateDecode) if asked.
fn pdf_with(contents: &[&str], compress: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let kids: Vec<Object> = contents
        .iter()
        .map(|c| {
            let mut stream = Stream::new(dictionary! {}, c.as_bytes().to_vec());
            if compress {
                stream.compress().expect("compress");
            }
            let content_id = doc.add_object(stream);
            let page = dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            };
            doc.add_object(page).into()
        })
        .collect();
    let count = i64::try_from(kids.len()).expect("count");
    doc.objects.insert(
        pages_id,
        dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }.into(),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

fn analyse_bytes(format: &str, data: &[u8]) -> Result<Analysis, DocError> {
    analyse(format, &mut Cursor::new(data), data.len() as u64)
}

#[test]
fn pdf_pages_and_markers_even_when_compressed() {
    let contents =
        ["BT (QPAGE:a:p1) Tj ET", "BT (other) Tj [(QPAGE:a:p2)] TJ ET", "BT (no marker) Tj ET"];
    for compress in [false, true] {
        let a = analyse_bytes("application/pdf", &pdf_with(&contents, compress)).expect("analyse");
        assert_eq!(a.pages, 3);
        assert_eq!(a.markers, [Some("QPAGE:a:p1".into()), Some("QPAGE:a:p2".into()), None]);
    }
}

#[test]
fn broken_and_empty_pdfs_are_errors() {
    let corrupt = b"%PDF-1.4\nthis is not a PDF at all\n%%EOF\n";
    assert!(matches!(
        analyse_bytes("application/pdf", corrupt),
        Err(DocError::Unreadable(_) | DocError::Empty)
    ));
    assert!(matches!(
        analyse_bytes("application/pdf", &pdf_with(&[], false)),
        Err(DocError::Empty)
    ));
    assert!(matches!(analyse_bytes("application/pdf", b""), Err(DocError::Empty)));
    let mut truncated = pdf_with(&["BT (QPAGE:x) Tj ET"], false);
    truncated.truncate(truncated.len() / 3);
    let _ = analyse_bytes("application/pdf", &truncated); // must not panic
}

#[test]
fn markers_are_the_first_qpage_string_literal() {
    assert_eq!(first_marker(b"% (QPAGE:comment)\n(QPAGE:real) Tj").as_deref(), Some("QPAGE:real"));
    assert_eq!(
        first_marker(br"(a (nested) one) (QPAGE:p\(1\)\\\101) Tj").as_deref(),
        Some(r"QPAGE:p(1)\A")
    );
    assert_eq!(first_marker(b"(QPAGE:split\\\nline)").as_deref(), Some("QPAGE:splitline"));
    assert_eq!(first_marker(b"<514041> Tj (xQPAGE:no) (unterminated QPAGE:"), None);
    let long = format!("(QPAGE:{})", "x".repeat(1000));
    assert_eq!(first_marker(long.as_bytes()).map(|m| m.len()), Some(MARKER_MAX));
}

#[test]
fn big_pdfs_are_scanned_for_page_dictionaries() {
    let data = pdf_with(&["(QPAGE:1)", "(QPAGE:2)", "(QPAGE:3)"], false);
    // Byte-at-a-time reads exercise the window carried between chunks.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut src = io::BufReader::with_capacity(5, Trickle(&data));
    assert_eq!(pdf_scan(&mut src).expect("scan"), 3);
    assert_eq!(count_page_dicts(b"/Type/Page /Type /Pages /Type  /Page>>", usize::MAX), 2);
    assert!(pdf_scan(&mut Cursor::new(b"%PDF-1.7 nothing")).is_err());
}

/// One PWG raster page of `h` lines of `w` 8-bit gray pixels, each line one repeated run.
fn pwg_page(w: u32, h: u32) -> Vec<u8> {
    let mut header = vec![0u8; 1796];
    header[372..376].copy_from_slice(&w.to_be_bytes());
    header[376..380].copy_from_slice(&h.to_be_bytes());
    header[384..388].copy_from_slice(&8u32.to_be_bytes());
    header[388..392].copy_from_slice(&8u32.to_be_bytes());
    header[392..396].copy_from_slice(&w.to_be_bytes());
    // Line repeat 0, then runs of at most 128 pixels.
    let mut line = vec![0u8];
    let mut left = w;
    while left > 0 {
        let run = left.min(128);
        line.extend([u8::try_from(run - 1).expect("run"), 0xff]);
        left -= run;
    }
    (0..h).for_each(|_| header.extend_from_slice(&line));
    header
}

#[test]
fn pwg_raster_pages_are_counted() {
    let mut data = b"RaS2".to_vec();
    data.extend(pwg_page(300, 4));
    data.extend(pwg_page(10, 2));
    assert_eq!(analyse_bytes("image/pwg-raster", &data).expect("pwg").pages, 2);
    assert!(analyse_bytes("image/pwg-raster", &data[..data.len() - 1]).is_err());
    assert!(analyse_bytes("image/pwg-raster", b"RaS2").is_err());
    assert!(analyse_bytes("image/pwg-raster", b"RaS3").is_err());
}

#[test]
fn urf_pages_are_counted() {
    let mut data = b"UNIRAST\0".to_vec();
    data.extend(2u32.to_be_bytes());
    for _ in 0..2 {
        let mut h = [0u8; 32];
        h[0] = 24;
        h[12..16].copy_from_slice(&100u32.to_be_bytes());
        h[16..20].copy_from_slice(&3u32.to_be_bytes());
        data.extend(h);
        // One line group for all 3 lines: a run of 100 white pixels, then "rest blank".
        data.extend([2, 99, 0xff, 0xff, 0xff]);
    }
    assert_eq!(analyse_bytes("image/urf", &data).expect("urf").pages, 2);
    data.extend([0x80]);
    assert!(analyse_bytes("image/urf", &data).is_err());
}

#[test]
fn text_and_postscript() {
    let text = "QPAGE:t:p1 hello\n\x0cQPAGE:t:p2\nmore\x0c\n";
    let a = analyse_bytes("text/plain", text.as_bytes()).expect("text");
    assert_eq!(a.markers, [Some("QPAGE:t:p1".into()), Some("QPAGE:t:p2".into())]);
    let long = "line\n".repeat(121);
    assert_eq!(analyse_bytes("text/plain", long.as_bytes()).expect("text").pages, 3);
    let ps = "%!PS\n%%Page: 1 1\n(QPAGE:s:p1) show\n%%Page: 2 2\nshowpage\n";
    let a = analyse_bytes("application/postscript", ps.as_bytes()).expect("ps");
    assert_eq!(a.markers, [Some("QPAGE:s:p1".into()), None]);
    let a = analyse_bytes("application/postscript", b"%!PS\n(QPAGE:one) show\n").expect("ps");
    assert_eq!(a.markers, [Some("QPAGE:one".into())]);
    assert_eq!(analyse_bytes("application/octet-stream", b"\x1b%-12345X").expect("raw").pages, 1);
}

#[test]
fn sniffs_octet_stream_only() {
    assert_eq!(sniff("application/octet-stream", b"%PDF-1.7"), "application/pdf");
    assert_eq!(sniff("application/octet-stream", b"RaS2...."), "image/pwg-raster");
    assert_eq!(sniff("application/octet-stream", b"UNIRAST\0"), "image/urf");
    assert_eq!(sniff("application/octet-stream", b"%!PS"), "application/postscript");
    assert_eq!(sniff("application/octet-stream", b"\x1bE"), "application/octet-stream");
    assert_eq!(sniff("text/plain", b"%PDF"), "text/plain");
    assert_eq!(extension("image/urf"), "urf");
}
