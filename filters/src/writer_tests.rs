use super::*;

#[test]
fn strings_are_escaped_and_win_ansi() {
    assert_eq!(pdf_string("a(b)c\\"), "(a\\(b\\)c\\\\)");
    assert_eq!(pdf_string("é€"), "(\\351\\200)");
    assert_eq!(pdf_string("漢\t"), "(? )");
}

#[test]
fn writer_makes_a_loadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.pdf");
    let mut w = PdfWriter::create(&path).unwrap();
    let catalog = w.reserve();
    let pages = w.reserve();
    let page = w.reserve();
    let content = w.reserve();
    w.stream(content, "", b"0 0 m 10 10 l S").unwrap();
    w.object(
        page,
        &format!(
            "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 100 100] /Contents {content} 0 R >>"
        ),
    )
    .unwrap();
    w.object(pages, &format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>")).unwrap();
    w.object(catalog, &format!("<< /Type /Catalog /Pages {pages} 0 R >>")).unwrap();
    let mut data: &[u8] = b"xyz";
    let extra = w.reserve();
    assert_eq!(w.stream_from(extra, "/Type /Metadata", &mut data).unwrap(), 3);
    w.finish(catalog, None).unwrap();
    let doc = lopdf::Document::load(&path).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
    assert!(!doc.is_encrypted());
}
