//! Real crash test: a child process writes jobs and documents in a loop and reports each
//! committed id on stdout; the parent SIGKILLs it at a random moment, reopens the store and
//! checks that every reported job is there with its exact document bytes.
//!
//! The child is this same test binary, re-executed with `CHILD_ENV` set.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use quire_store::{Change, DocumentRecord, JobRecord, Store};

const CHILD_ENV: &str = "QUIRE_STORE_CRASH_CHILD_DIR";
const ITERATIONS: usize = 6;

/// Deterministic document content for job `id`, so the parent can verify every byte.
/// Sizes span one buffer-full to several, so kills land mid-write too.
fn doc_bytes(id: i32) -> Vec<u8> {
    let len = 1 + (id as usize * 7919) % 200_000;
    (0..len).map(|i| (i as u32).wrapping_mul(31).wrapping_add(id as u32) as u8).collect()
}

/// Cheap PRNG (xorshift) seeded from the clock: no extra dependency.
fn rand_u64(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn store_paths(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    (dir.join("jobs.db"), dir.join("spool"))
}

/// Child side: writes jobs forever (until killed). Job ids continue after the highest one
/// already stored. Some rounds batch two jobs in one commit, some delete an older job.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return; // Normal test run: nothing to do.
    };
    let (db, spool) = store_paths(Path::new(&dir));
    let mut store = Store::open(&db, &spool).expect("child open");
    let mut next = store.load().expect("child load").jobs.last().map_or(1, |j| j.id + 1);
    let mut out = std::io::stdout().lock();
    loop {
        let mut changes = Vec::new();
        let mut ids = Vec::new();
        for _ in 0..(1 + next % 2) {
            let bytes = doc_bytes(next);
            let mut w = store.spool_writer(next, 1).expect("writer");
            for chunk in bytes.chunks(4096) {
                w.write_all(chunk).expect("write");
            }
            let done = w.commit().expect("spool commit");
            changes.push(Change::PutJob(JobRecord {
                id: next,
                printer: "lp".into(),
                state: 3,
                owner: "crash".into(),
                created: i64::from(next),
                completed: None,
                attrs: next.to_be_bytes().to_vec(),
                documents: vec![DocumentRecord {
                    number: 1,
                    format: "application/octet-stream".into(),
                    size: done.size,
                    file: done.file,
                    compression: None,
                    storage: quire_store::DocumentStorage::File,
                }],
            }));
            ids.push(next);
            next += 1;
        }
        let deleted = (next % 5 == 0 && next > 10).then_some(next - 10);
        changes.extend(deleted.map(Change::DeleteJob));
        // Announce a delete before it may commit: a kill between the commit and the report
        // below must not make the parent expect the job.
        if let Some(id) = deleted {
            writeln!(out, "DELETING {id}").expect("stdout");
            out.flush().expect("flush");
        }
        store.apply(&changes).expect("apply");
        for id in ids {
            writeln!(out, "COMMITTED {id}").expect("stdout");
        }
        if let Some(id) = deleted {
            writeln!(out, "DELETED {id}").expect("stdout");
        }
        out.flush().expect("flush");
    }
}

/// Runs one child, kills it after `delay`, returns the (committed, deleted, maybe deleted)
/// ids it reported.
fn run_child(dir: &Path, delay: Duration) -> (BTreeSet<i32>, BTreeSet<i32>, BTreeSet<i32>) {
    let exe = std::env::current_exe().expect("current_exe");
    let mut child = Command::new(exe)
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait for the first commit so every iteration kills a store under load, then a random
    // extra delay.
    let first = rx.recv_timeout(Duration::from_secs(60)).expect("child never committed");
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL child"); // Child::kill is SIGKILL on Unix.
    let status = child.wait().expect("wait");
    assert!(!status.success(), "child must have been killed, got {status}");
    reader.join().expect("reader thread");
    let (mut committed, mut deleted, mut deleting) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for line in std::iter::once(first).chain(rx.try_iter()) {
        let parse = |s: &str| s.trim().parse::<i32>().expect("id");
        // The first report may follow libtest's "test crash_child ... " on the same line.
        if let Some((_, id)) = line.split_once("COMMITTED ") {
            committed.insert(parse(id));
        } else if let Some((_, id)) = line.split_once("DELETED ") {
            deleted.insert(parse(id));
        } else if let Some((_, id)) = line.split_once("DELETING ") {
            deleting.insert(parse(id));
        }
    }
    (committed, deleted, deleting)
}

#[test]
fn survives_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, spool) = store_paths(dir.path());
    let mut seed =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
    let (mut committed, mut deleted) = (BTreeSet::new(), BTreeSet::new());
    for iteration in 0..ITERATIONS {
        let delay = Duration::from_millis(rand_u64(&mut seed) % 400);
        let (c, d, maybe) = run_child(dir.path(), delay);
        eprintln!("iteration {iteration}: killed after +{delay:?}, {} committed", c.len());
        committed.extend(c);
        deleted.extend(d);
        // A delete announced but not confirmed may or may not have committed.
        committed.retain(|id| !maybe.contains(id) || deleted.contains(id));

        let t = Instant::now();
        let store = Store::open(&db, &spool).expect("reopen after kill");
        let snap = store.load().expect("load after kill");
        eprintln!("  reopen+load {:?}, recovery {:?}", t.elapsed(), snap.recovery);
        assert!(snap.missing_documents.is_empty(), "{:?}", snap.missing_documents);
        let present: BTreeSet<i32> = snap.jobs.iter().map(|j| j.id).collect();
        for id in committed.difference(&deleted) {
            assert!(present.contains(id), "iteration {iteration}: committed job {id} lost");
        }
        for id in &deleted {
            assert!(!present.contains(id), "iteration {iteration}: deleted job {id} is back");
        }
        // Every job present (reported or committed just before the kill) is complete.
        for job in &snap.jobs {
            assert_eq!(job.attrs, job.id.to_be_bytes());
            let [doc] = job.documents.as_slice() else { panic!("job {} docs", job.id) };
            let mut bytes = Vec::new();
            store.open_document(doc).expect("open doc").read_to_end(&mut bytes).expect("read");
            assert_eq!(bytes.len() as u64, doc.size, "job {}", job.id);
            assert!(bytes == doc_bytes(job.id), "job {} document bytes differ", job.id);
        }
        for entry in std::fs::read_dir(&spool).expect("readdir") {
            let name = entry.expect("entry").file_name();
            let name = name.to_string_lossy();
            assert!(!name.ends_with(".tmp"), "temp file {name} survived recovery");
            assert!(
                snap.jobs.iter().any(|j| j.documents[0].file.as_os_str() == &*name),
                "unreferenced spool file {name}"
            );
        }
    }
    assert!(committed.len() > ITERATIONS, "child made too little progress: {committed:?}");
}
