//! Helpers shared by the integration tests: make inputs, check outputs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};

/// Writes an `n`-page Letter PDF whose page `i` shows "Page i".
pub fn make_pdf(path: &Path, n: u32) {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids: Vec<Object> = Vec::new();
    for i in 1..=n {
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 48.into()]),
                Operation::new("Td", vec![100.into(), 600.into()]),
                Operation::new("Tj", vec![Object::string_literal(format!("Page {i}"))]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc.save(path).unwrap();
}

pub fn which(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Re-opens `path` with lopdf, runs `qpdf --check` when qpdf is installed, returns the page
/// count.
pub fn check_pdf(path: &Path) -> usize {
    let doc = Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if which("qpdf") {
        let out = Command::new("qpdf").arg("--check").arg(path).output().unwrap();
        assert!(
            out.status.success(),
            "qpdf --check {}: {}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("WARNING"), "qpdf warnings for {}: {stdout}", path.display());
    }
    doc.get_pages().len()
}

/// Text of `page` (1-based) via pdftotext, or `None` if poppler-utils is not installed.
pub fn page_text(path: &Path, page: u32) -> Option<String> {
    if !which("pdftotext") {
        return None;
    }
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-f", &p, "-l", &p, "-layout"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub struct Dir(pub tempfile::TempDir);

impl Dir {
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
    pub fn pdf(&self, name: &str, pages: u32) -> PathBuf {
        let p = self.path(name);
        make_pdf(&p, pages);
        p
    }
}
