use super::*;

#[test]
fn endless_postscript_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let ps = dir.path().join("loop.ps");
    std::fs::write(&ps, "%!PS\n{ 1 pop } loop\n").unwrap();
    let out = dir.path().join("out.pdf");
    let t = Instant::now();
    let r = ps_to_pdf(&ps, &out, &ConvertOptions::default(), Duration::from_millis(700));
    assert!(matches!(r, Err(FilterError::Timeout)), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(10));
}

#[test]
fn bad_postscript_reports_ghostscript_error() {
    let dir = tempfile::tempdir().unwrap();
    let ps = dir.path().join("bad.ps");
    std::fs::write(&ps, "%!PS\nthisisnotanoperator\n").unwrap();
    let out = dir.path().join("out%d.pdf");
    match ps_to_pdf(&ps, &out, &ConvertOptions::default(), GS_TIMEOUT) {
        Err(e @ FilterError::Ghostscript { .. }) => {
            assert!(e.to_string().contains("undefined"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}
