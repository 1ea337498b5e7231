//! to_pdf for each supported format, and banner sheets.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::{check_pdf, page_text, Dir};
use quire_filters::{banner, page_count, to_pdf, BannerInfo, ConvertOptions, FilterError};

const PS: &str = "%!PS-Adobe-3.0\n%%Pages: 2\n\
/Helvetica findfont 24 scalefont setfont\n\
72 700 moveto (First page) show showpage\n\
72 700 moveto (Second page) show showpage\n%%EOF\n";

#[test]
fn postscript_to_pdf() {
    let d = Dir::new();
    let ps = d.path("in.ps");
    std::fs::write(&ps, PS).unwrap();
    let out = d.path("out.pdf");
    let opts = ConvertOptions { media: Some("iso_a4_210x297mm".into()), ..Default::default() };
    to_pdf(&ps, "application/postscript", &out, &opts).unwrap();
    assert_eq!(check_pdf(&out), 2);
    if let Some(t) = page_text(&out, 2) {
        assert!(t.contains("Second page"), "{t}");
    }
}

#[test]
fn broken_postscript_is_a_ghostscript_error() {
    let d = Dir::new();
    let ps = d.path("bad.ps");
    std::fs::write(&ps, "%!PS\n/foo bar baz\n").unwrap();
    let out = d.path("out.pdf");
    let err = to_pdf(&ps, "application/postscript", &out, &ConvertOptions::default()).unwrap_err();
    assert!(matches!(err, FilterError::Ghostscript { .. }), "{err:?}");
    assert!(err.to_string().contains("Error"), "{err}");
    assert!(!out.exists());
}

fn make_jpeg(d: &Dir, w: u32, h: u32) -> std::path::PathBuf {
    let ps = d.path("img.ps");
    std::fs::write(
        &ps,
        "%!PS\n1 0 0 setrgbcolor 0 0 moveto 1000 0 rlineto 0 1000 rlineto fill showpage\n",
    )
    .unwrap();
    let jpg = d.path("img.jpg");
    let status = Command::new("gs")
        .args(["-dSAFER", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-sDEVICE=jpeg", "-r72"])
        .arg(format!("-g{w}x{h}"))
        .arg(format!("-sOutputFile={}", jpg.display()))
        .arg(&ps)
        .status()
        .unwrap();
    assert!(status.success());
    jpg
}

#[test]
fn jpeg_to_pdf_embeds_the_image() {
    let d = Dir::new();
    for (w, h) in [(120, 80), (50, 200)] {
        let jpg = make_jpeg(&d, w, h);
        let out = d.path("out.pdf");
        to_pdf(&jpg, "image/jpeg", &out, &ConvertOptions::default()).unwrap();
        assert_eq!(check_pdf(&out), 1);
        let doc = lopdf::Document::load(&out).unwrap();
        let page = doc.get_pages()[&1];
        let images = doc.get_page_images(page).unwrap();
        assert_eq!(images.len(), 1);
        assert_eq!((images[0].width, images[0].height), (i64::from(w), i64::from(h)));
        // The embedded data is the JPEG file byte for byte.
        assert_eq!(images[0].content, &std::fs::read(&jpg).unwrap()[..]);
    }
}

#[test]
fn not_a_jpeg_is_corrupt() {
    let d = Dir::new();
    let f = d.path("x.jpg");
    std::fs::write(&f, b"GIF89a....").unwrap();
    let out = d.path("out.pdf");
    assert!(matches!(
        to_pdf(&f, "image/jpeg", &out, &ConvertOptions::default()),
        Err(FilterError::Corrupt(_))
    ));
}

#[test]
fn text_paginates_at_66_lines() {
    let d = Dir::new();
    let txt = d.path("in.txt");
    let text: String = (1..=150).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&txt, text).unwrap();
    let out = d.path("out.pdf");
    to_pdf(&txt, "text/plain; charset=utf-8", &out, &ConvertOptions::default()).unwrap();
    assert_eq!(check_pdf(&out), 3);
    if let Some(t) = page_text(&out, 2) {
        assert!(t.contains("line 67") && t.contains("line 132") && !t.contains("line 133"), "{t}");
    }
}

#[test]
fn text_form_feed_wrap_and_encoding() {
    let d = Dir::new();
    let txt = d.path("in.txt");
    let long = "x".repeat(170);
    std::fs::write(
        &txt,
        format!("\u{c}first (page) café\u{c}second\u{c}\u{c}{long}\r\nend 漢\u{c}"),
    )
    .unwrap();
    let out = d.path("out.pdf");
    let opts = ConvertOptions { orientation: Some(4), ..Default::default() };
    to_pdf(&txt, "text/plain", &out, &opts).unwrap();
    // Leading form feed ignored, trailing one does not add a page, "\f\f" gives a blank page.
    assert_eq!(check_pdf(&out), 4);
    if let Some(t) = page_text(&out, 1) {
        assert!(t.contains("first (page) café"), "{t}");
    }
    if let Some(t) = page_text(&out, 4) {
        assert!(t.contains(&"x".repeat(80)) && !t.contains(&"x".repeat(81)), "{t}");
        assert!(t.contains("end ?"), "{t}");
    }
}

#[test]
fn empty_text_is_empty() {
    let d = Dir::new();
    let txt = d.path("in.txt");
    std::fs::write(&txt, "").unwrap();
    let out = d.path("out.pdf");
    assert!(matches!(
        to_pdf(&txt, "text/plain", &out, &ConvertOptions::default()),
        Err(FilterError::Empty)
    ));
    assert!(!out.exists());
}

#[test]
fn pdf_is_copied_and_others_unsupported() {
    let d = Dir::new();
    let pdf = d.pdf("in.pdf", 2);
    let out = d.path("out.pdf");
    to_pdf(&pdf, "application/pdf", &out, &ConvertOptions::default()).unwrap();
    assert_eq!(std::fs::read(&pdf).unwrap(), std::fs::read(&out).unwrap());
    let txt = d.path("t.txt");
    std::fs::write(&txt, "hello").unwrap();
    assert!(matches!(
        to_pdf(&txt, "application/pdf", &out, &ConvertOptions::default()),
        Err(FilterError::Corrupt(_))
    ));
    for fmt in ["image/png", "application/octet-stream", ""] {
        match to_pdf(&pdf, fmt, &out, &ConvertOptions::default()) {
            Err(FilterError::Unsupported(f)) => assert_eq!(f, fmt),
            other => panic!("{fmt}: {other:?}"),
        }
    }
}

#[test]
fn banner_page() {
    let d = Dir::new();
    let out = d.path("banner.pdf");
    let info = BannerInfo {
        job_id: 4242,
        job_name: "Quarterly (report).pdf".into(),
        user: "alice".into(),
        printer: "office".into(),
        created_unix: 1_700_000_000,
        classification: Some("topsecret".into()),
        pages: Some(12),
    };
    banner(&info, &out, &ConvertOptions::default()).unwrap();
    assert_eq!(check_pdf(&out), 1);
    assert_eq!(page_count(&out).unwrap(), 1);
    if let Some(t) = page_text(&out, 1) {
        for want in [
            "4242",
            "office-4242",
            "Quarterly (report).pdf",
            "alice",
            "2023-11-14 22:13:20 UTC",
            "12",
        ] {
            assert!(t.contains(want), "{want} missing in {t}");
        }
        assert_eq!(t.matches("TOP SECRET").count(), 2, "{t}");
    }
    let plain = BannerInfo { job_id: 1, ..Default::default() };
    let opts = ConvertOptions {
        media: Some("iso_a5_148x210mm".into()),
        orientation: Some(4),
        ..Default::default()
    };
    banner(&plain, &out, &opts).unwrap();
    assert_eq!(check_pdf(&out), 1);
}
