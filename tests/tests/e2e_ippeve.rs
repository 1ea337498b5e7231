//! `lp` → quired → ippeveprinter, checking what arrives at the printer: a PDF printer gets the
//! document's bytes unchanged; a raster-only printer gets PWG raster rendered by Quire's
//! filter chain (Ghostscript); text is converted to PDF. Each server gets its own printer.

use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::{cups_tool_ok, data_dir, Dbus, IppEvePrinter, Server, Via};

fn quired() -> Option<Server> {
    quire_tests::require_programs();
    let server = Server::start_quired().expect("start quired");
    if server.is_none() {
        quire_tests::skipped("quired binary not built");
    }
    server
}

/// Files ippeveprinter kept (`-k`) in its spool directory.
fn printed_files(printer: &IppEvePrinter) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(printer.spool_dir())
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn lp(server: &Server, queue: &str, file: &Path, extra: &[&str]) -> u32 {
    let doc = file.to_string_lossy().into_owned();
    let mut args = vec!["-d", queue];
    args.extend_from_slice(extra);
    args.push(&doc);
    let out = cups_tool_ok(server, Via::Tcp, "lp", &args).expect("lp");
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
}

fn completed(server: &Server, queue: &str, id: u32) -> bool {
    let out = cups_tool_ok(server, Via::Tcp, "lpstat", &["-W", "completed", "-o", queue])
        .expect("lpstat");
    out.stdout.lines().any(|l| l.split_whitespace().next() == Some(&format!("{queue}-{id}")))
}

fn everywhere_queue(server: &Server, queue: &str, printer: &IppEvePrinter) {
    cups_tool_ok(
        server,
        Via::Tcp,
        "lpadmin",
        &["-p", queue, "-E", "-v", &printer.uri(), "-m", "everywhere"],
    )
    .expect("lpadmin -m everywhere");
}

#[test]
fn pdf_reaches_a_pdf_printer_unchanged() {
    let Some(server) = quired() else { return };
    let dbus = Dbus::start().expect("dbus");
    let printer = IppEvePrinter::start("quire pdf printer", dbus.address()).expect("ippeveprinter");
    everywhere_queue(&server, "pdfq", &printer);
    let doc = data_dir().join("documents/document-letter.pdf");
    let id = lp(&server, "pdfq", &doc, &[]);
    assert!(
        wait_until(Duration::from_secs(30), || completed(&server, "pdfq", id)),
        "job {id} did not complete; log:\n{}",
        server.log_tail(40)
    );
    let files = printed_files(&printer);
    let expected = std::fs::read(&doc).expect("read document");
    assert!(
        files.iter().any(|f| std::fs::read(f).ok().as_deref() == Some(&expected[..])),
        "the printer did not get the PDF's bytes: {files:?}"
    );
}

#[test]
fn raster_only_printer_gets_pwg_raster() {
    let Some(server) = quired() else { return };
    let dbus = Dbus::start().expect("dbus");
    let printer = IppEvePrinter::start_with_formats(
        "quire raster printer",
        dbus.address(),
        "image/pwg-raster",
    )
    .expect("ippeveprinter");
    everywhere_queue(&server, "rasterq", &printer);
    let doc = data_dir().join("documents/document-letter.pdf");
    let id = lp(&server, "rasterq", &doc, &[]);
    assert!(
        wait_until(Duration::from_secs(60), || completed(&server, "rasterq", id)),
        "job {id} did not complete; log:\n{}",
        server.log_tail(40)
    );
    let files = printed_files(&printer);
    let raster: Vec<Vec<u8>> = files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter(|b| b.starts_with(b"RaS2"))
        .collect();
    assert_eq!(raster.len(), 1, "expected one PWG raster file at the printer: {files:?}");
    // A PWG raster page header is 1796 bytes; a rendered Letter page is far bigger.
    assert!(raster[0].len() > 4 + 1796 + 10_000, "raster too small: {} bytes", raster[0].len());
}

#[test]
fn text_is_converted_to_pdf_for_a_pdf_only_printer() {
    let Some(server) = quired() else { return };
    let dbus = Dbus::start().expect("dbus");
    let printer = IppEvePrinter::start_with_formats(
        "quire pdf-only printer",
        dbus.address(),
        "application/pdf",
    )
    .expect("ippeveprinter");
    everywhere_queue(&server, "textq", &printer);
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("note.txt");
    std::fs::write(&text, "Hello from Quire\nsecond line\n").expect("write text");
    let id = lp(&server, "textq", &text, &[]);
    assert!(
        wait_until(Duration::from_secs(30), || completed(&server, "textq", id)),
        "job {id} did not complete; log:\n{}",
        server.log_tail(40)
    );
    let files = printed_files(&printer);
    assert!(
        files.iter().filter_map(|f| std::fs::read(f).ok()).any(|b| b.starts_with(b"%PDF-")),
        "no PDF at the printer: {files:?}"
    );
}
