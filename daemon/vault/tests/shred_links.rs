//! Shredding observed through the public API: the overwrite is seen through a handle
//! opened before it, and a file other hard links still name (a split job's part shares its
//! parent's spool file) is only unlinked, its data left to the other names.

use std::fs::{self, File};
use std::io::Read;

use quire_vault::shred;

#[test]
fn shred_overwrites_before_unlinking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc");
    let secret = b"SECRET-".repeat(50_000); // 350 KB, several write chunks
    fs::write(&path, &secret).unwrap();
    // A handle opened before still reads the inode shred wrote over.
    let mut handle = File::open(&path).unwrap();

    shred(&path).unwrap();
    assert!(!path.exists());
    let mut left = Vec::new();
    handle.read_to_end(&mut left).unwrap();
    assert!(left.iter().all(|b| *b == 0), "{} bytes left", left.len());
    assert!(!left.windows(7).any(|w| w == b"SECRET-"));
}

#[test]
fn shred_of_one_of_several_hard_links_only_unlinks_it() {
    let dir = tempfile::tempdir().unwrap();
    let (parent, part) = (dir.path().join("d00001-001"), dir.path().join("d00002-001"));
    let data = b"CIPHERTEXT".repeat(10_000);
    fs::write(&parent, &data).unwrap();
    fs::hard_link(&parent, &part).unwrap();

    shred(&part).unwrap();
    assert!(!part.exists());
    assert_eq!(fs::read(&parent).unwrap(), data, "the parent's document is intact");
    // The last name goes the usual way: overwritten, then unlinked.
    let mut handle = File::open(&parent).unwrap();
    shred(&parent).unwrap();
    assert!(!parent.exists());
    let mut left = Vec::new();
    handle.read_to_end(&mut left).unwrap();
    assert!(left.iter().all(|b| *b == 0));
}
