//! Unit tests for the store (the kill -9 test lives in tests/crash.rs).

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use proptest::prelude::*;

use crate::*;

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    spool: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("state/jobs.db");
    let spool = dir.path().join("spool");
    Fixture { _dir: dir, db, spool }
}

impl Fixture {
    fn open(&self) -> Store {
        Store::open(&self.db, &self.spool).expect("open store")
    }
}

fn job(id: i32, documents: Vec<DocumentRecord>) -> JobRecord {
    JobRecord {
        id,
        printer: "lp".into(),
        state: 3,
        owner: "alice".into(),
        created: 1_700_000_000 + i64::from(id),
        completed: None,
        attrs: vec![1, 2, 3, id as u8],
        documents,
    }
}

fn spool_doc(store: &Store, job_id: i32, number: i32, bytes: &[u8]) -> DocumentRecord {
    let mut w = store.spool_writer(job_id, number).expect("writer");
    w.write_all(bytes).expect("write");
    let done = w.commit().expect("commit");
    assert_eq!(done.size, bytes.len() as u64);
    DocumentRecord {
        number,
        format: "application/pdf".into(),
        size: done.size,
        file: done.file,
        compression: Some("gzip".into()),
        storage: DocumentStorage::File,
    }
}

fn read_doc(store: &Store, doc: &DocumentRecord) -> Vec<u8> {
    let mut out = Vec::new();
    store.open_document(doc).expect("open doc").read_to_end(&mut out).expect("read");
    out
}

fn spool_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("readdir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn round_trip_every_record_kind() {
    let f = fixture();
    let mut store = f.open();
    let d1 = spool_doc(&store, 7, 1, b"hello");
    let d2 = spool_doc(&store, 7, 2, b"world!");
    let mut j = job(7, vec![d1, d2]);
    j.completed = Some(1_700_000_999);
    let p = PrinterRecord { name: "lp".into(), is_class: false, attrs: vec![9; 100] };
    let c = PrinterRecord { name: "all".into(), is_class: true, attrs: vec![] };
    let s = SubscriptionRecord { id: 42, attrs: b"sub".to_vec() };
    store
        .apply(&[
            Change::PutJob(j.clone()),
            Change::PutPrinter(p.clone()),
            Change::PutPrinter(c.clone()),
            Change::PutSubscription(s.clone()),
            Change::SetKv("next-job-id".into(), "8".into()),
        ])
        .expect("apply");
    store.set_kv("default-printer", "lp").expect("kv");
    drop(store);

    let store = f.open();
    let snap = store.load().expect("load");
    assert_eq!(snap.jobs, vec![j.clone()]);
    assert_eq!(snap.printers, vec![c, p]); // ordered by name
    assert_eq!(snap.subscriptions, vec![s]);
    assert_eq!(snap.kv.get("next-job-id").map(String::as_str), Some("8"));
    assert_eq!(store.get_kv("default-printer").expect("get"), Some("lp".into()));
    assert_eq!(store.get_kv("nope").expect("get"), None);
    assert!(snap.missing_documents.is_empty());
    assert_eq!(snap.recovery, RecoveryReport::default());
    assert_eq!(store.get_job(7).expect("get_job"), Some(j.clone()));
    assert_eq!(store.get_job(8).expect("get_job"), None);
    assert_eq!(read_doc(&store, &j.documents[0]), b"hello");
    assert_eq!(read_doc(&store, &j.documents[1]), b"world!");
    assert_eq!(store.spool_path(Path::new("d00007-001")), f.spool.join("d00007-001"));
}

#[test]
fn upserts_and_deletes() {
    let f = fixture();
    let mut store = f.open();
    let d1 = spool_doc(&store, 1, 1, b"one");
    let d2 = spool_doc(&store, 1, 2, b"two");
    store.apply(&[Change::PutJob(job(1, vec![d1.clone(), d2]))]).expect("put");
    // Replacing the document list removes the dropped document's file after commit.
    let mut j = job(1, vec![d1]);
    j.state = 9;
    store.apply(&[Change::PutJob(j.clone())]).expect("upsert");
    assert_eq!(spool_names(&f.spool), vec!["d00001-001"]);
    assert_eq!(store.load().expect("load").jobs, vec![j]);

    store
        .apply(&[Change::PutPrinter(PrinterRecord {
            name: "p".into(),
            is_class: false,
            attrs: vec![1],
        })])
        .expect("printer");
    store
        .apply(&[
            Change::DeleteJob(1),
            Change::DeleteJob(999), // missing: not an error
            Change::DeletePrinter("p".into()),
            Change::PutSubscription(SubscriptionRecord { id: 1, attrs: vec![] }),
            Change::DeleteSubscription(1),
            Change::SetKv("k".into(), "v".into()),
            Change::DeleteKv("k".into()),
        ])
        .expect("deletes");
    let snap = store.load().expect("load");
    assert!(snap.jobs.is_empty() && snap.printers.is_empty() && snap.subscriptions.is_empty());
    assert!(snap.kv.is_empty());
    assert!(spool_names(&f.spool).is_empty(), "delete removes spool files");
}

#[test]
fn delete_then_readd_in_one_batch_keeps_file() {
    let f = fixture();
    let mut store = f.open();
    let d = spool_doc(&store, 3, 1, b"keep me");
    store.apply(&[Change::PutJob(job(3, vec![d.clone()]))]).expect("put");
    store.apply(&[Change::DeleteJob(3), Change::PutJob(job(3, vec![d.clone()]))]).expect("batch");
    assert_eq!(read_doc(&store, &d), b"keep me");
}

#[test]
fn failing_batch_applies_nothing() {
    let f = fixture();
    let mut store = f.open();
    let d = spool_doc(&store, 1, 1, b"x");
    store.apply(&[Change::PutJob(job(1, vec![d.clone()]))]).expect("put");
    let before = store.load().expect("load");

    // Duplicate document number violates the primary key halfway through the batch.
    let bad = job(3, vec![d.clone(), d.clone()]);
    let err = store
        .apply(&[
            Change::DeleteJob(1),
            Change::PutJob(job(2, vec![])),
            Change::SetKv("next-job-id".into(), "4".into()),
            Change::PutJob(bad),
        ])
        .expect_err("must fail");
    assert!(matches!(err, StoreError::Sqlite(_)), "{err}");
    assert_eq!(store.load().expect("load"), before);
    assert_eq!(read_doc(&store, &d), b"x", "file of the not-deleted job is kept");

    // A path escaping the spool dir is refused before any I/O.
    let mut evil = d;
    evil.file = PathBuf::from("../jobs.db");
    let err = store
        .apply(&[Change::DeleteJob(1), Change::PutJob(job(5, vec![evil]))])
        .expect_err("must fail");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    assert_eq!(store.load().expect("load"), before);
}

#[test]
fn recovery_removes_temp_and_orphans_and_reports_missing() {
    let f = fixture();
    let mut store = f.open();
    let d1 = spool_doc(&store, 1, 1, b"a");
    let d2 = spool_doc(&store, 2, 1, b"b");
    store
        .apply(&[Change::PutJob(job(1, vec![d1])), Change::PutJob(job(2, vec![d2.clone()]))])
        .expect("put");
    let _orphan = spool_doc(&store, 3, 1, b"never recorded");
    let mut pending = store.spool_writer(4, 1).expect("writer");
    pending.write_all(b"partial").expect("write");
    pending.flush().expect("flush");
    std::mem::forget(pending); // simulate a crash: no Drop cleanup
    fs::write(f.spool.join("c00001"), b"not ours").expect("write");
    fs::remove_file(f.spool.join(&d2.file)).expect("rm");
    drop(store);

    let store = f.open();
    let rep = store.recovery_report().clone();
    assert_eq!(rep.removed_temp, vec![PathBuf::from("d00004-001.tmp")]);
    assert_eq!(rep.removed_orphans, vec![PathBuf::from("d00003-001")]);
    let snap = store.load().expect("load");
    assert_eq!(snap.jobs.len(), 2, "rows with missing files are kept");
    assert_eq!(
        snap.missing_documents,
        vec![MissingDocument { job_id: 2, number: 1, file: d2.file }]
    );
    assert_eq!(snap.recovery, rep);
    assert_eq!(spool_names(&f.spool), vec!["c00001", "d00001-001"]);
}

#[test]
fn spool_writer_drop_and_duplicates() {
    let f = fixture();
    let store = f.open();
    let mut w = store.spool_writer(5, 1).expect("writer");
    w.write_all(&[0u8; 100_000]).expect("write");
    assert_eq!(w.size(), 100_000);
    assert!(matches!(store.spool_writer(5, 1), Err(StoreError::Io { .. })), "one writer per doc");
    drop(w);
    assert!(spool_names(&f.spool).is_empty());
    assert!(matches!(store.spool_writer(0, 1), Err(StoreError::Invalid { .. })));
    // A Spool handle works from another thread.
    let spool = store.spool();
    let done = std::thread::spawn(move || {
        let mut w = spool.writer(6, 1)?;
        w.write_all(b"threaded").map_err(|e| StoreError::Invalid { what: e.to_string() })?;
        w.commit()
    })
    .join()
    .expect("thread")
    .expect("commit");
    assert_eq!(done, SpooledDocument { file: "d00006-001".into(), size: 8 });
}

#[test]
fn permissions() {
    let f = fixture();
    let store = f.open();
    let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&f.spool), 0o700);
    assert_eq!(mode(&f.db), 0o600);
    let d = spool_doc(&store, 1, 1, b"secret");
    assert_eq!(mode(&f.spool.join(d.file)), 0o600);
}

#[test]
fn refuses_newer_schema_and_foreign_db() {
    let f = fixture();
    drop(f.open());
    let conn = rusqlite::Connection::open(&f.db).expect("raw open");
    conn.execute("UPDATE schema_version SET version = ?1", [SCHEMA_VERSION + 1]).expect("bump");
    drop(conn);
    match Store::open(&f.db, &f.spool) {
        Err(e @ StoreError::NewerSchema { .. }) => {
            assert!(e.to_string().contains("newer"), "{e}");
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }

    let g = fixture();
    fs::create_dir_all(g.db.parent().expect("parent")).expect("mkdir");
    let conn = rusqlite::Connection::open(&g.db).expect("raw open");
    conn.execute_batch("CREATE TABLE t (x)").expect("create");
    drop(conn);
    assert!(matches!(Store::open(&g.db, &g.spool), Err(StoreError::Corrupt { .. })));

    let h = fixture();
    fs::create_dir_all(h.db.parent().expect("parent")).expect("mkdir");
    fs::write(&h.db, vec![0x55u8; 8192]).expect("garbage");
    let err = Store::open(&h.db, &h.spool).expect_err("garbage db");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn load_and_purge_ten_thousand_jobs() {
    const N: i32 = 10_000;
    let f = fixture();
    let mut store = f.open();
    let t = Instant::now();
    let batch: Vec<Change> = (1..=N)
        .map(|id| {
            let doc = DocumentRecord {
                number: 1,
                format: "text/plain".into(),
                size: id as u64,
                file: document_file_name(id, 1).into(),
                compression: None,
                storage: DocumentStorage::File,
            };
            Change::PutJob(job(id, vec![doc]))
        })
        .collect();
    for chunk in batch.chunks(1000) {
        store.apply(chunk).expect("apply");
    }
    eprintln!("insert {N} jobs in 10 batches: {:?}", t.elapsed());
    drop(store);

    let mut store = f.open();
    let t = Instant::now();
    let snap = store.load().expect("load");
    eprintln!("load {N} jobs: {:?}", t.elapsed());
    assert_eq!(snap.jobs.len(), N as usize);
    for (i, j) in snap.jobs.iter().enumerate() {
        assert_eq!(j.id, i as i32 + 1);
        assert_eq!(j, &job(j.id, j.documents.clone()));
        assert_eq!(j.documents.len(), 1);
        assert_eq!(j.documents[0].size, j.id as u64);
    }
    // None of the files exist: every row is reported, none dropped.
    assert_eq!(snap.missing_documents.len(), N as usize);

    let t = Instant::now();
    let ids: Vec<i32> = (1..=N).filter(|i| i % 2 == 0).collect();
    assert_eq!(store.purge_jobs(&ids).expect("purge"), ids.len());
    eprintln!("purge {} jobs: {:?}", ids.len(), t.elapsed());
    store.vacuum().expect("vacuum");
    let snap = store.load().expect("load");
    assert_eq!(snap.jobs.len(), N as usize / 2);
    assert!(snap.jobs.iter().all(|j| j.id % 2 == 1));
}

fn inline_doc(job_id: i32, number: i32, bytes: &[u8]) -> DocumentRecord {
    DocumentRecord {
        number,
        format: "application/pdf".into(),
        size: bytes.len() as u64,
        file: format!("i{job_id:05}-{number:03}").into(),
        compression: None,
        storage: DocumentStorage::InlineData(bytes.to_vec()),
    }
}

/// The record as `load` returns it: inline, bytes not carried.
fn stored(mut d: DocumentRecord) -> DocumentRecord {
    if d.storage.is_inline() {
        d.storage = DocumentStorage::Inline;
    }
    d
}

#[test]
fn inline_documents_round_trip_update_and_delete() {
    let f = fixture();
    let mut store = f.open();
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let a = inline_doc(1, 1, b"%!PS small");
    let b = inline_doc(1, 2, &big);
    let file = spool_doc(&store, 1, 3, b"on disk");
    store.apply(&[Change::PutJob(job(1, vec![a.clone(), b.clone(), file.clone()]))]).expect("put");
    assert_eq!(spool_names(&f.spool), vec!["d00001-003"], "inline documents have no file");
    let expect = job(1, vec![stored(a.clone()), stored(b.clone()), file.clone()]);
    assert_eq!(store.get_job(1).expect("get"), Some(expect.clone()));
    assert_eq!(store.inline_document(&a.file).expect("read"), Some(b"%!PS small".to_vec()));
    assert_eq!(store.inline_document(&b.file).expect("read"), Some(big.clone()));
    assert_eq!(store.inline_document(&file.file).expect("read"), None);

    // A state change that carries no bytes keeps them.
    let mut j = expect;
    j.state = 5;
    store.apply(&[Change::PutJob(j.clone())]).expect("state change");
    drop(store);
    let mut store = f.open();
    let snap = store.load().expect("load");
    assert_eq!(snap.jobs, vec![j.clone()]);
    assert!(snap.missing_documents.is_empty(), "inline documents are never missing");
    assert_eq!(snap.recovery, RecoveryReport::default());
    assert_eq!(store.inline_document(&b.file).expect("read"), Some(big));

    // Claiming stored bytes that were never given is refused (and applies nothing).
    let bogus = job(2, vec![stored(inline_doc(2, 1, b"x"))]);
    let err = store.apply(&[Change::PutJob(bogus)]).expect_err("no bytes");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    // Size must match the bytes.
    let mut bad = inline_doc(3, 1, b"abc");
    bad.size = 4;
    assert!(matches!(
        store.apply(&[Change::PutJob(job(3, vec![bad]))]),
        Err(StoreError::Invalid { .. })
    ));

    // Dropping a document (purged files) drops its bytes; deleting the job drops the rest.
    let mut j2 = j;
    j2.documents.remove(0);
    store.apply(&[Change::PutJob(j2)]).expect("drop doc 1");
    assert_eq!(store.inline_document(&a.file).expect("read"), None);
    store.purge_jobs(&[1]).expect("purge");
    assert_eq!(store.inline_document(&b.file).expect("read"), None);
    assert!(spool_names(&f.spool).is_empty());
    assert!(store.load().expect("load").jobs.is_empty());
}

#[test]
fn staged_documents_and_named_writes() {
    let f = fixture();
    let store = f.open();
    let spool = store.spool();
    spool.stage("i00001-001", b"hello".to_vec());
    assert_eq!(store.spool().staged_count(), 1, "clones share the staging area");
    assert_eq!(spool.take_staged("i00001-001"), Some(b"hello".to_vec()));
    assert_eq!(spool.take_staged("i00001-001"), None);
    let done = spool.write_named("d00002-001", b"copied").expect("write");
    assert_eq!(done, SpooledDocument { file: "d00002-001".into(), size: 6 });
    assert_eq!(fs::read(f.spool.join("d00002-001")).expect("read"), b"copied");
    assert!(spool.write_named("../x", b"").is_err());
    assert!(spool.write_named("i00002-001", b"").is_err());
}

#[test]
fn migrates_a_version_1_database() {
    let f = fixture();
    fs::create_dir_all(f.db.parent().expect("parent")).expect("mkdir");
    fs::create_dir_all(&f.spool).expect("mkdir");
    // A v1 store as released: the v1 schema and one job with a spool file.
    let conn = rusqlite::Connection::open(&f.db).expect("raw open");
    conn.execute_batch(crate::schema::MIGRATION_V1).expect("v1");
    conn.execute_batch(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version) VALUES (1);
         INSERT INTO jobs VALUES (4, 'lp', 3, 'bob', 1700000000, NULL, x'0102');
         INSERT INTO documents VALUES (4, 1, 'text/plain', 3, 'd00004-001', NULL);",
    )
    .expect("v1 data");
    drop(conn);
    fs::write(f.spool.join("d00004-001"), b"old").expect("spool file");

    let mut store = f.open();
    let version: i64 = rusqlite::Connection::open(&f.db)
        .expect("raw")
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    let snap = store.load().expect("load");
    assert_eq!(snap.jobs.len(), 1);
    let old = &snap.jobs[0].documents[0];
    assert_eq!(old.storage, DocumentStorage::File);
    assert_eq!(read_doc(&store, old), b"old");
    assert!(snap.missing_documents.is_empty());
    // Old and new documents live side by side.
    store
        .apply(&[Change::PutJob(job(5, vec![inline_doc(5, 1, b"new")]))])
        .expect("inline after migration");
    assert_eq!(
        store.inline_document(Path::new("i00005-001")).expect("read"),
        Some(b"new".to_vec())
    );
    assert_eq!(spool_names(&f.spool), vec!["d00004-001"]);
}

fn arb_doc() -> impl Strategy<Value = DocumentRecord> {
    (1..1000i32, ".{0,20}", 0..u64::from(u32::MAX), proptest::option::of("[a-z]{1,8}")).prop_map(
        |(number, format, size, compression)| DocumentRecord {
            number,
            format,
            size,
            file: document_file_name(1, number).into(),
            compression,
            storage: DocumentStorage::File,
        },
    )
}

fn arb_job() -> impl Strategy<Value = JobRecord> {
    (
        1..i32::MAX,
        ".{0,30}",
        any::<i32>(),
        ".{0,30}",
        any::<i64>(),
        proptest::option::of(any::<i64>()),
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::btree_map(1..1000i32, arb_doc(), 0..4),
    )
        .prop_map(|(id, printer, state, owner, created, completed, attrs, docs)| {
            let documents = docs
                .into_iter()
                .map(|(n, mut d)| {
                    d.number = n;
                    d.file = document_file_name(id, n).into();
                    d
                })
                .collect();
            JobRecord { id, printer, state, owner, created, completed, attrs, documents }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn prop_job_round_trip(jobs in proptest::collection::btree_map(1..i32::MAX, arb_job(), 1..6)) {
        let f = fixture();
        let mut store = f.open();
        let jobs: Vec<JobRecord> = jobs.into_iter().map(|(id, mut j)| {
            j.id = id;
            for d in &mut j.documents { d.file = document_file_name(id, d.number).into(); }
            j
        }).collect();
        let changes: Vec<Change> = jobs.iter().cloned().map(Change::PutJob).collect();
        store.apply(&changes).expect("apply");
        prop_assert_eq!(store.load().expect("load").jobs, jobs);
    }
}
