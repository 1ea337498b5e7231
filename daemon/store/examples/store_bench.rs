//! Durable commit throughput: one change per transaction vs group commit.
//!
//! `cargo run --release -p quire-store --example store_bench [DIR] [SECONDS_PER_CASE]`
//!
//! DIR defaults to a temp dir under $TMPDIR; point it at the spool file system you care
//! about (tmpfs makes fsync free and the numbers meaningless).

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use quire_store::{Change, DocumentRecord, JobRecord, Store, StoreError};

fn job(id: i32, documents: Vec<DocumentRecord>) -> JobRecord {
    JobRecord {
        id,
        printer: "bench-printer".into(),
        state: 3,
        owner: "bench".into(),
        created: 1_700_000_000,
        completed: None,
        attrs: vec![0x42; 1024], // a typical encoded job-attributes blob
        documents,
    }
}

/// Commits batches of `batch` PutJobs for about `budget`; returns (changes/s, commits/s).
fn metadata_case(
    store: &mut Store,
    next: &mut i32,
    batch: usize,
    budget: Duration,
) -> Result<(f64, f64), StoreError> {
    let start = Instant::now();
    let (mut changes, mut commits) = (0usize, 0usize);
    while start.elapsed() < budget {
        let b: Vec<Change> = (0..batch)
            .map(|_| {
                *next += 1;
                Change::PutJob(job(*next, vec![]))
            })
            .collect();
        store.apply(&b)?;
        changes += batch;
        commits += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((changes as f64 / secs, commits as f64 / secs))
}

/// Full accept path for a 64 KiB document: spool write + commit (2 fsyncs) + PutJob.
fn spool_case(store: &mut Store, next: &mut i32, budget: Duration) -> Result<f64, StoreError> {
    let data = vec![0x25u8; 64 * 1024];
    let start = Instant::now();
    let mut jobs = 0usize;
    while start.elapsed() < budget {
        *next += 1;
        let mut w = store.spool_writer(*next, 1)?;
        w.write_all(&data).map_err(|e| StoreError::Invalid { what: e.to_string() })?;
        let done = w.commit()?;
        let doc = DocumentRecord {
            number: 1,
            format: "application/pdf".into(),
            size: done.size,
            file: done.file,
            compression: None,
            storage: quire_store::DocumentStorage::File,
        };
        store.apply(&[Change::PutJob(job(*next, vec![doc]))])?;
        jobs += 1;
    }
    Ok(jobs as f64 / start.elapsed().as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args.next().map_or_else(std::env::temp_dir, Into::into);
    let budget = Duration::from_secs_f64(args.next().map_or(Ok(2.0), |s| s.parse())?);
    let dir = tempfile::tempdir_in(&base)?;
    run(dir.path(), budget)
}

fn run(dir: &Path, budget: Duration) -> Result<(), Box<dyn std::error::Error>> {
    let mut store = Store::open(&dir.join("jobs.db"), &dir.join("spool"))?;
    let mut next = 0;
    println!("store_bench in {} ({budget:?} per case, synchronous=FULL)", dir.display());
    println!("{:<28} {:>12} {:>12}", "case", "changes/s", "commits/s");
    for batch in [1, 8, 64] {
        let (changes, commits) = metadata_case(&mut store, &mut next, batch, budget)?;
        println!("{:<28} {changes:>12.0} {commits:>12.0}", format!("PutJob x{batch} per commit"));
    }
    let jobs = spool_case(&mut store, &mut next, budget)?;
    println!("{:<28} {jobs:>12.0} {jobs:>12.0}", "64KiB spool + PutJob x1");
    let t = Instant::now();
    let snap = store.load()?;
    println!("load() of {} jobs: {:?}", snap.jobs.len(), t.elapsed());
    Ok(())
}
