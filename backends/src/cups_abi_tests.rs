//! Real shell-script backends, run the way cupsd runs them.

use super::*;
use quire_ipp::{Attribute, Value};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Record {
    pages: Vec<i32>,
    states: Vec<(Vec<String>, String)>,
    attrs: Vec<Attribute>,
}

impl Progress for Record {
    fn pages(&mut self, completed: i32) {
        self.pages.push(completed);
    }
    fn printer_state(&mut self, reasons: Vec<String>, message: String) {
        self.states.push((reasons, message));
    }
    fn printer_attribute(&mut self, attr: Attribute) {
        self.attrs.push(attr);
    }
}

/// A private ServerBin with a `backend/` directory, an output directory anyone may write
/// (backends may run as `lp`) and a spool-like work directory only we may enter.
struct Fixture {
    dir: tempfile::TempDir,
    config: CupsConfig,
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        chmod(dir.path(), 0o755);
        for (sub, mode) in
            [("serverbin", 0o755), ("serverbin/backend", 0o755), ("out", 0o777), ("work", 0o700)]
        {
            fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
            chmod(&dir.path().join(sub), mode);
        }
        let config = CupsConfig {
            server_bin: dir.path().join("serverbin"),
            kill_grace: Duration::from_millis(500),
            ..CupsConfig::default()
        };
        Fixture { dir, config }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    /// Installs `body` as the `testbe` backend; `{out}` in it is the output directory.
    fn install(&self, body: &str, mode: u32) {
        let path = self.dir.path().join("serverbin/backend/testbe");
        let text =
            format!("#!/bin/sh\n{}\n", body.replace("{out}", &self.out("").to_string_lossy()));
        fs::write(&path, text).expect("write backend");
        chmod(&path, mode);
    }

    fn job(&self, attributes: Vec<Attribute>) -> JobInfo {
        JobInfo {
            id: 7,
            name: "report".into(),
            user: "alice".into(),
            attributes,
            capabilities: Vec::new(),
            printer: "abi".into(),
            created: 0,
            work_dir: self.dir.path().join("work"),
            resume_device_job: None,
            handoff: false,
            launch: Default::default(),
            confidential: false,
        }
    }

    fn document(&self, name: &str, bytes: &[u8], gzip: bool) -> DocumentSource {
        let path = self.dir.path().join("work").join(name);
        let data = if gzip {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(bytes).expect("gzip");
            gz.finish().expect("gzip finish")
        } else {
            bytes.to_vec()
        };
        fs::write(&path, data).expect("write document");
        DocumentSource {
            path,
            format: "application/pdf".into(),
            name: name.into(),
            compression: gzip.then(|| "gzip".into()),
        }
    }

    fn run(
        &self,
        uri: &str,
        job: &JobInfo,
        docs: &[DocumentSource],
        progress: &mut Record,
    ) -> Result<(), BackendError> {
        deliver_with(&self.config, uri, job, docs, &Cancel::default(), progress)
    }
}

fn we_are_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn lp_uid() -> Option<u32> {
    security::lookup_account("lp", None).map(|a| a.uid)
}

const STATUS_SCRIPT: &str = r#"cat "${6:--}" > {out}/data
echo "STATE: +media-empty-error,toner-low-warning" >&2
echo "PAGE: 1 1" >&2
echo "PAGE: 2 2" >&2
echo "ATTR: marker-levels=50,60 marker-names='Black Toner,Cyan'" >&2
echo "INFO: Printing" >&2
echo "STATE: -media-empty-error" >&2
echo "DEBUG: not a message" >&2
echo "PAGE: total 2" >&2
exit 0"#;

#[test]
fn document_arrives_and_status_lines_reach_progress() {
    let f = Fixture::new();
    f.install(STATUS_SCRIPT, 0o700);
    let job = f.job(Vec::new());
    let docs = [f.document("d1", b"%PDF-1.4 hello", false)];
    let mut rec = Record::default();
    f.run("testbe://x", &job, &docs, &mut rec).expect("deliver");
    assert_eq!(fs::read(f.out("data")).expect("data"), b"%PDF-1.4 hello");
    assert_eq!(rec.pages, vec![1, 3], "PAGE: total 2 is below what was counted");
    let both = vec!["media-empty-error".to_string(), "toner-low-warning".to_string()];
    assert_eq!(
        rec.states,
        vec![
            (both.clone(), String::new()),
            (both, "Printing".into()),
            (vec!["toner-low-warning".to_string()], "Printing".into()),
        ]
    );
    assert_eq!(
        rec.attrs[0],
        Attribute::set("marker-levels", vec![Value::Integer(50), Value::Integer(60)])
    );
    assert_eq!(
        rec.attrs[1],
        Attribute::set(
            "marker-names",
            vec![Value::Name("Black Toner".into()), Value::Name("Cyan".into())]
        )
    );
    let leftovers: Vec<_> = fs::read_dir(f.dir.path().join("work"))
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("d1")], "the private TMPDIR is removed");
}

#[test]
fn argv_and_environment_are_what_a_cups_backend_expects() {
    let f = Fixture::new();
    f.install(r#"for a in "$@"; do printf '%s\n' "$a"; done > {out}/argv; env > {out}/env; test -d "$TMPDIR" && touch "$TMPDIR/scratch""#, 0o700);
    let job = f.job(vec![
        Attribute::new("copies", Value::Integer(2)),
        Attribute::new("sides", Value::Keyword("two-sided-long-edge".into())),
    ]);
    let docs = [f.document("d1", b"x", false)];
    f.run("testbe://bob:secret@host/q", &job, &docs, &mut Record::default()).expect("deliver");
    let argv = fs::read_to_string(f.out("argv")).expect("argv");
    let expected =
        format!("7\nalice\nreport\n2\nsides=two-sided-long-edge\n{}\n", docs[0].path.display());
    assert_eq!(argv, expected);
    let env = fs::read_to_string(f.out("env")).expect("env");
    for want in [
        "DEVICE_URI=testbe://bob:secret@host/q",
        "CONTENT_TYPE=application/pdf",
        "PRINTER=abi",
        "CUPS_FILETYPE=document",
        "CHARSET=utf-8",
        "USER=root",
        "PRINTER_STATE_REASONS=none",
    ] {
        assert!(env.lines().any(|l| l == want), "missing {want} in\n{env}");
    }
    let serverbin = format!("CUPS_SERVERBIN={}", f.config.server_bin.display());
    assert!(env.lines().any(|l| l == serverbin), "{env}");
    let tmpdir = format!("TMPDIR={}/quire-backend-", f.dir.path().join("work").display());
    assert!(env.lines().any(|l| l.starts_with(&tmpdir)), "{env}");
    assert!(
        !env.lines().any(|l| l.starts_with("CARGO") || l.starts_with("RUST")),
        "environment leaked:\n{env}"
    );
}

#[test]
fn several_or_compressed_documents_stream_on_stdin_with_copies() {
    let f = Fixture::new();
    f.install(r#"echo "$#" > {out}/argc; cat > {out}/data"#, 0o700);
    let job = f.job(vec![Attribute::new("copies", Value::Integer(2))]);
    let docs = [f.document("a", b"first;", false), f.document("b.gz", b"second;", true)];
    let mut rec = Record::default();
    f.run("testbe:x", &job, &docs, &mut rec).expect("deliver");
    assert_eq!(fs::read_to_string(f.out("argc")).expect("argc").trim(), "5");
    assert_eq!(fs::read(f.out("data")).expect("data"), b"first;first;second;second;");
    assert_eq!(rec.pages, vec![1, 2, 3, 4]);
}

#[test]
fn exit_codes_map_to_cups_backend_meanings() {
    let f = Fixture::new();
    let docs = [f.document("d", b"x", false)];
    let job = f.job(Vec::new());
    for code in 1..=8 {
        f.install(
            &format!("cat \"${{6:--}}\" >/dev/null; echo 'ERROR: reason {code}' >&2; exit {code}"),
            0o700,
        );
        let err = f.run("testbe:x", &job, &docs, &mut Record::default()).expect_err("must fail");
        let ok = match (code, &err) {
            (1 | 8, BackendError::Device(m))
            | (2, BackendError::AuthRequired(m))
            | (3, BackendError::Hold(m))
            | (4, BackendError::StopPrinter(m))
            | (5, BackendError::CanceledByDevice(m))
            | (6, BackendError::Retry(m))
            | (7, BackendError::RetryCurrent(m)) => m == &format!("reason {code}"),
            _ => false,
        };
        assert!(ok, "exit {code} gave {err:?}");
    }
    f.install("echo 'INFO: only info' >&2; exit 1", 0o700);
    let err = f.run("testbe:x", &job, &docs, &mut Record::default()).expect_err("fails");
    assert!(matches!(err, BackendError::Device(ref m) if m == "only info"), "{err:?}");
}

#[test]
fn a_backend_killed_by_a_signal_is_a_device_error() {
    let f = Fixture::new();
    f.install("echo 'ERROR: about to crash' >&2; kill -SEGV $$", 0o700);
    let job = f.job(Vec::new());
    let err = f
        .run("testbe:x", &job, &[f.document("d", b"x", false)], &mut Record::default())
        .expect_err("crash");
    assert!(
        matches!(err, BackendError::Device(ref m) if m.contains("crashed: signal 11") && m.contains("about to crash")),
        "{err:?}"
    );
}

fn cancel_after(f: &Fixture, delay: Duration) -> (Result<(), BackendError>, Duration) {
    let job = f.job(Vec::new());
    let docs = [f.document("d", b"x", false)];
    let cancel = Cancel::default();
    let start = Instant::now();
    let result = thread::scope(|s| {
        let c = cancel.clone();
        s.spawn(move || {
            thread::sleep(delay);
            c.cancel();
        });
        deliver_with(&f.config, "testbe:x", &job, &docs, &cancel, &mut Record::default())
    });
    (result, start.elapsed())
}

#[test]
fn cancel_terminates_a_sleeping_backend_and_its_children() {
    let f = Fixture::new();
    f.install("echo 'INFO: waiting' >&2; sleep 30; echo late > {out}/late", 0o700);
    let (result, took) = cancel_after(&f, Duration::from_millis(300));
    assert!(matches!(result, Err(BackendError::Canceled)), "{result:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(!f.out("late").exists());
}

#[test]
fn a_backend_ignoring_sigterm_is_killed_after_the_grace_period() {
    let f = Fixture::new();
    f.install("trap '' TERM; sleep 30", 0o700);
    let (result, took) = cancel_after(&f, Duration::from_millis(200));
    assert!(matches!(result, Err(BackendError::Canceled)), "{result:?}");
    assert!(took >= Duration::from_millis(600) && took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn insecure_and_missing_backends_are_refused() {
    let f = Fixture::new();
    let job = f.job(Vec::new());
    let docs = [f.document("d", b"x", false)];
    let err = f.run("testbe:x", &job, &docs, &mut Record::default()).expect_err("missing");
    assert!(
        matches!(err, BackendError::BadUri(ref m) if m.contains("no backend for scheme \"testbe\"")),
        "{err:?}"
    );
    for mode in [0o777, 0o775] {
        f.install("touch {out}/ran", mode);
        let err = f.run("testbe:x", &job, &docs, &mut Record::default()).expect_err("insecure");
        assert!(
            matches!(err, BackendError::StopPrinter(ref m) if m.contains("insecure")),
            "{mode:o}: {err:?}"
        );
        assert!(!f.out("ran").exists());
    }
    let err = f.run("../../bin/sh:x", &job, &docs, &mut Record::default()).expect_err("bad scheme");
    assert!(matches!(err, BackendError::BadUri(_)), "{err:?}");
    f.install("exit 0", 0o700);
    let err = f.run("testbe:x", &job, &[], &mut Record::default()).expect_err("no documents");
    assert!(matches!(err, BackendError::Document(_)), "{err:?}");
}

#[test]
fn others_executable_backends_run_unprivileged() {
    let f = Fixture::new();
    f.install(r#"id -u > {out}/uid; echo "$#" > {out}/argc; cat "${6:--}" > {out}/data; touch "$TMPDIR/t""#, 0o755);
    let job = f.job(Vec::new());
    let docs = [f.document("d", b"secret spool data", false)];
    f.run("testbe:x", &job, &docs, &mut Record::default()).expect("deliver");
    let uid: u32 = fs::read_to_string(f.out("uid")).expect("uid").trim().parse().expect("number");
    assert_eq!(fs::read(f.out("data")).expect("data"), b"secret spool data");
    let argc = fs::read_to_string(f.out("argc")).expect("argc");
    if we_are_root() {
        assert_eq!(Some(uid), lp_uid(), "as root, a 0755 backend runs as lp");
        // lp cannot read the 0700 spool: the document comes on stdin.
        assert_eq!(argc.trim(), "5");
    } else {
        assert_eq!(uid, fs::metadata("/proc/self").expect("proc").uid());
        assert_eq!(argc.trim(), "6");
    }
}

#[test]
fn long_and_binary_stderr_lines_are_survived() {
    let f = Fixture::new();
    f.install(
        r#"head -c 200000 /dev/zero | tr '\0' 'x' >&2; echo >&2; printf 'INFO: caf\377\n' >&2; printf 'INFO: last' >&2"#,
        0o700,
    );
    let job = f.job(Vec::new());
    let mut rec = Record::default();
    f.run("testbe:x", &job, &[f.document("d", b"x", false)], &mut rec).expect("deliver");
    let messages: Vec<&str> = rec.states.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages, vec!["caf\u{fffd}", "last"]);
}
