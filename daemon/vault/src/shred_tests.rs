//! The overwrite itself, observed before the truncate and unlink that hide it.

use std::fs::{self, OpenOptions};

use crate::shred::{shred, zero_fill};

#[test]
fn zero_fill_overwrites_every_byte_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc");
    for len in [0usize, 1, 65_535, 65_536, 65_537, 300_001] {
        fs::write(&path, vec![0xA5; len]).unwrap();
        let mut file = OpenOptions::new().write(true).open(&path).unwrap();
        zero_fill(&mut file, len as u64).unwrap();
        drop(file);
        let after = fs::read(&path).unwrap();
        assert_eq!(after.len(), len, "same size: the overwrite does not append or truncate");
        assert!(after.iter().all(|b| *b == 0), "{len}");
    }
}

#[test]
fn a_file_with_other_hard_links_is_unlinked_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (parent, part) = (dir.path().join("d00001-001"), dir.path().join("d00002-001"));
    let data = vec![0xA5u8; 70_000];
    fs::write(&parent, &data).unwrap();
    fs::hard_link(&parent, &part).unwrap();
    shred(&part).unwrap();
    assert!(!part.exists(), "the part's name is gone");
    assert_eq!(fs::read(&parent).unwrap(), data, "the parent's data is untouched");
    // The last name is overwritten as before (observed through an open handle).
    let mut handle = fs::File::open(&parent).unwrap();
    shred(&parent).unwrap();
    assert!(!parent.exists());
    let mut after = Vec::new();
    std::io::Read::read_to_end(&mut handle, &mut after).unwrap();
    assert!(after.iter().all(|b| *b == 0), "the last link is zeroed and truncated");
}
