//! The I/O adapters, whole-file decryption and shredding, through the public API only.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;

use quire_vault::{
    decrypt_file, shred, DataKey, DecryptReader, EncryptWriter, Keyring, VaultError, SEGMENT_LEN,
};

fn data_key() -> DataKey {
    Keyring::ephemeral().unwrap().new_document_key(None).unwrap().0
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn sealed_bytes(key: &DataKey, plain: &[u8]) -> Vec<u8> {
    let mut w = EncryptWriter::new(Vec::new(), key);
    // Odd write sizes, as a network body arrives.
    for piece in plain.chunks(12_345) {
        w.write_all(piece).unwrap();
    }
    w.flush().unwrap();
    w.finish().unwrap()
}

fn read_all(key: &DataKey, sealed: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut r = DecryptReader::new(sealed, key);
    let mut buf = vec![0u8; 7_000];
    loop {
        match r.read(&mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn writer_and_reader_round_trip() {
    let key = data_key();
    for len in [0, 1, SEGMENT_LEN - 1, SEGMENT_LEN, SEGMENT_LEN + 1, 3 * SEGMENT_LEN + 17] {
        let plain = pattern(len);
        let sealed = sealed_bytes(&key, &plain);
        assert_eq!(sealed.len() as u64, quire_vault::encrypted_len(len as u64));
        assert_eq!(read_all(&key, &sealed).unwrap(), plain, "{len}");
        let mut via_read_to_end = Vec::new();
        DecryptReader::new(&sealed[..], &key).read_to_end(&mut via_read_to_end).unwrap();
        assert_eq!(via_read_to_end, plain);
    }
}

#[test]
fn reader_reports_tampering_as_invalid_data_and_keeps_failing() {
    let key = data_key();
    let mut sealed = sealed_bytes(&key, &pattern(2 * SEGMENT_LEN + 5));
    let at = sealed.len() / 2;
    sealed[at] ^= 0x10;
    let mut r = DecryptReader::new(&sealed[..], &key);
    let mut sink = Vec::new();
    let err = r.read_to_end(&mut sink).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.get_ref().is_some_and(|e| e.is::<VaultError>()));
    // No quiet end of file after an error.
    assert_eq!(r.read(&mut [0u8; 10]).unwrap_err().kind(), io::ErrorKind::InvalidData);
}

#[test]
fn reader_reports_truncation_at_the_end() {
    let key = data_key();
    let sealed = sealed_bytes(&key, &pattern(3 * SEGMENT_LEN));
    let cut = &sealed[..sealed.len() - 1];
    assert_eq!(read_all(&key, cut).unwrap_err().kind(), io::ErrorKind::InvalidData);
    assert_eq!(read_all(&key, b"%PDF-1.7\n").unwrap_err().kind(), io::ErrorKind::InvalidData);
    assert_eq!(read_all(&key, b"").unwrap_err().kind(), io::ErrorKind::InvalidData);
}

#[test]
fn a_writer_dropped_without_finish_leaves_a_truncated_stream() {
    let key = data_key();
    let mut sink = Vec::new();
    {
        let mut w = EncryptWriter::new(&mut sink, &key);
        w.write_all(&pattern(2 * SEGMENT_LEN + 1)).unwrap();
    }
    let err = read_all(&key, &sink).unwrap_err();
    let inner = err.into_inner().unwrap().downcast::<VaultError>().unwrap();
    assert!(matches!(*inner, VaultError::Truncated), "{inner:?}");
}

#[test]
fn decrypt_file_writes_a_private_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("d00001-001"), dir.path().join("plain.tmp"));
    let key = data_key();
    let plain = pattern(5 * SEGMENT_LEN / 2);
    let mut w = EncryptWriter::new(File::create(&src).unwrap(), &key);
    w.write_all(&plain).unwrap();
    w.finish().unwrap().sync_all().unwrap();

    assert_eq!(decrypt_file(&src, &dst, &key).unwrap(), plain.len() as u64);
    assert_eq!(fs::read(&dst).unwrap(), plain);
    assert_eq!(fs::metadata(&dst).unwrap().permissions().mode() & 0o777, 0o600);
    // An existing destination is never written through.
    assert!(matches!(decrypt_file(&src, &dst, &key), Err(VaultError::Io { .. })));
    assert_eq!(fs::read(&dst).unwrap(), plain);
}

#[test]
fn decrypt_file_removes_its_output_on_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("doc"), dir.path().join("plain.tmp"));
    let key = data_key();
    let mut sealed = sealed_bytes(&key, &pattern(3 * SEGMENT_LEN));
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    fs::write(&src, &sealed).unwrap();
    assert!(matches!(decrypt_file(&src, &dst, &key), Err(VaultError::Corrupt(_))));
    assert!(!dst.exists());
    let missing = dir.path().join("missing");
    assert!(matches!(decrypt_file(&missing, &dst, &key), Err(VaultError::Io { .. })));
    assert!(!dst.exists());
}

#[test]
fn shred_of_a_missing_file_is_ok() {
    let dir = tempfile::tempdir().unwrap();
    shred(&dir.path().join("never-existed")).unwrap();
}

#[test]
fn shred_unlinks_a_symlink_without_touching_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let (target, link) = (dir.path().join("target"), dir.path().join("link"));
    fs::write(&target, b"keep me").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    shred(&link).unwrap();
    assert!(fs::symlink_metadata(&link).is_err());
    assert_eq!(fs::read(&target).unwrap(), b"keep me");
}

#[test]
fn shred_refuses_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    // Opening a directory for writing fails (EISDIR) before anything is written.
    assert!(shred(&sub).is_err());
    assert!(sub.is_dir());
}
