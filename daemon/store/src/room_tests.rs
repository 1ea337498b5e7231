//! The store on a full disk (a small tmpfs, so these need root; skipped otherwise).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::*;

/// A tmpfs of `size` on a fresh directory, unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: cannot mount a tmpfs (needs root)");
            return None;
        }
        Some(SmallDisk(dir))
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    /// Takes every byte left.
    fn fill(&self) {
        let mut f = fs::File::create(self.path().join("filler")).expect("filler");
        let block = vec![1u8; 16 * 1024];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[1u8; 256]).is_ok() {}
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
    }
}

/// A job whose record carries `attrs` bytes (job attributes are opaque to the store).
fn heavy_job(id: i32, attrs: usize) -> Change {
    Change::PutJob(JobRecord {
        id,
        printer: "lp".into(),
        state: 4,
        owner: "alice".into(),
        created: 0,
        completed: None,
        attrs: vec![7; attrs],
        documents: Vec::new(),
    })
}

#[test]
fn a_full_disk_refuses_new_jobs_and_still_deletes_old_ones() {
    let Some(disk) = SmallDisk::mount("4m") else { return };
    let spool = disk.path().join("quire");
    let mut store = Store::open(&spool.join("quire.db"), &spool).expect("open");
    let reserve = store.fit_to_disk(4 << 20).expect("fit");
    assert_eq!(reserve, (64 << 12) + (512 << 10), "64 pages of WAL and one step");
    assert!(store.keep_reserve(reserve).expect("reserve"), "room for the reserve");
    assert!(store.has_reserve());
    // Fill the disk with job records until the store says it is full.
    let mut id = 1;
    let err = loop {
        match store.apply(&[heavy_job(id, 40 * 1024)]) {
            Ok(()) => id += 1,
            Err(e) => break e,
        }
        assert!(id < 200, "4 MiB never filled");
    };
    assert!(err.is_disk_full(), "{err}");
    let stored = id - 1;
    assert!(stored > 5, "{stored} jobs");
    // Anything else takes the rest.
    disk.fill();
    assert!(store.apply(&[heavy_job(1000, 40 * 1024)]).is_err(), "no room for a new job");
    // Deleting every job commits, using the reserve: one by one (`cancel -x`) and many in one
    // change (a purge).
    let half = stored / 2;
    let mut deletes: Vec<Change> = (1..=half).map(Change::DeleteJob).collect();
    deletes.push(Change::DeleteJobs((half + 1..=stored).collect()));
    store.apply_making_room(&deletes).expect("the deletes commit on a full disk");
    assert!(!store.has_reserve(), "the reserve was given up");
    drop(store);
    let mut store = Store::open(&spool.join("quire.db"), &spool).expect("reopen");
    assert!(store.load().expect("load").jobs.is_empty(), "the deletes are durable");
    // Without room, the reserve is not made again (and nothing half-written is left).
    disk.fill();
    assert!(!store.keep_reserve(reserve).expect("no error"));
    assert!(!spool.join(format!("{RESERVE_FILE}.tmp")).exists());
    fs::remove_file(disk.path().join("filler")).expect("free the disk");
    assert!(store.keep_reserve(reserve).expect("reserve again"));
}
