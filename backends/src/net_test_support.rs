//! Shared by the socket/lpd/connect unit tests: a progress recorder, jobs and documents.

use crate::{DocumentSource, JobInfo, Progress};
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;

/// Records every printer-state report.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub states: Vec<(Vec<String>, String)>,
    pub pages: Vec<i32>,
}

impl Progress for Recorder {
    fn pages(&mut self, completed: i32) {
        self.pages.push(completed);
    }
    fn printer_state(&mut self, reasons: Vec<String>, message: String) {
        self.states.push((reasons, message));
    }
}

pub(crate) fn job(id: i32, name: &str, attributes: Vec<quire_ipp::Attribute>) -> JobInfo {
    JobInfo {
        id,
        name: name.into(),
        user: "alice".into(),
        attributes,
        capabilities: Vec::new(),
        printer: "p".into(),
        created: 0,
        work_dir: std::env::temp_dir(),
        resume_device_job: None,
        handoff: false,
        launch: Default::default(),
        confidential: false,
    }
}

/// A plain document holding `data`.
pub(crate) fn plain(dir: &Path, file: &str, data: &[u8]) -> DocumentSource {
    let path = dir.join(file);
    std::fs::write(&path, data).expect("write document");
    DocumentSource {
        path,
        format: "application/octet-stream".into(),
        name: file.into(),
        compression: None,
    }
}

/// A gzip-compressed document whose content is `data`.
pub(crate) fn gzipped(dir: &Path, file: &str, data: &[u8]) -> DocumentSource {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).expect("gzip");
    let path = dir.join(file);
    std::fs::write(&path, gz.finish().expect("gzip finish")).expect("write document");
    DocumentSource {
        path,
        format: "application/octet-stream".into(),
        name: file.into(),
        compression: Some("gzip".into()),
    }
}

/// Deterministic bytes of every value, bigger than one copy chunk.
pub(crate) fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

/// A loopback port nobody listens on (a listener was there a moment ago).
pub(crate) fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Delivers one document to `uri` (a device that refuses connections) and cancels after
/// 300 ms: the delivery must end `Canceled` within a second, not keep retrying.
pub(crate) fn assert_cancel_while_offline(uri: &str) {
    use crate::{BackendError, Cancel};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"x")];
    let cancel = Cancel::default();
    let c = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        c.cancel();
    });
    let start = Instant::now();
    let err = crate::deliver(uri, &job(1, "t", vec![]), &docs, &cancel, &mut Recorder::default())
        .expect_err("canceled");
    assert!(matches!(err, BackendError::Canceled), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
}
