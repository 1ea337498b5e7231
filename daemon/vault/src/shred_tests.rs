//! The overwrite itself, observed before the truncate and unlink that hide it.

use std::fs::{self, OpenOptions};

use crate::shred::zero_fill;

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
