//! Key file handling, data key wrapping, and the sealed key's text form.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::{Corruption, DataKey, Keyring, SealedKey, VaultError, KEY_LEN};

fn keyring() -> Keyring {
    Keyring::ephemeral().unwrap()
}

fn same(a: &DataKey, b: &DataKey) -> bool {
    a.bytes == b.bytes
}

#[test]
fn key_file_is_created_0600_and_reloads_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.key");
    let first = Keyring::open_or_create(&path).unwrap();
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.len(), KEY_LEN as u64);
    assert_eq!(first.path(), Some(path.as_path()));

    let second = Keyring::open_or_create(&path).unwrap();
    assert_eq!(first.master, second.master);
    assert_ne!(first.master, [0; KEY_LEN]);
    // A key sealed before the restart opens after it.
    let (key, sealed) = first.new_document_key(None).unwrap();
    assert!(same(&key, &second.open_document_key(&sealed, None).unwrap()));
}

#[test]
fn key_file_readable_by_group_or_others_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.key");
    drop(Keyring::open_or_create(&path).unwrap());
    for mode in [0o640, 0o604, 0o620, 0o666] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let err = Keyring::open_or_create(&path).unwrap_err();
        assert!(matches!(err, VaultError::KeyFile { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("0600"), "{text}");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    assert!(Keyring::open_or_create(&path).is_ok());
}

#[test]
fn key_file_of_wrong_size_or_kind_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for len in [0usize, 31, 33, 64] {
        let path = dir.path().join(format!("key{len}"));
        fs::write(&path, vec![1u8; len]).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = Keyring::open_or_create(&path).unwrap_err();
        assert!(matches!(err, VaultError::KeyFile { .. }), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(fs::read(&path).unwrap(), vec![1u8; len], "refused file must not change");
    }
    let sub = dir.path().join("a-directory");
    fs::create_dir(&sub).unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o700)).unwrap();
    assert!(matches!(Keyring::open_or_create(&sub), Err(VaultError::KeyFile { .. })));
}

#[test]
fn key_file_in_a_missing_directory_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("vault.key");
    let err = Keyring::open_or_create(&path).unwrap_err();
    assert!(matches!(err, VaultError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-dir"));
}

#[test]
fn debug_output_hides_keys() {
    let ring = Keyring::from_bytes([0xAB; KEY_LEN]);
    let (key, _) = ring.new_document_key(None).unwrap();
    assert_eq!(format!("{key:?}"), "DataKey(<redacted>)");
    let shown = format!("{ring:?}");
    assert!(shown.contains("redacted") && !shown.contains("171"), "{shown}");
}

#[test]
fn document_key_round_trip_without_pin() {
    let ring = keyring();
    let (key, sealed) = ring.new_document_key(None).unwrap();
    assert!(!sealed.pin_bound());
    let text = sealed.to_text();
    assert!(text.starts_with("v1.") && text.len() == 133 && text.is_ascii(), "{text}");
    let parsed = SealedKey::from_text(&text).unwrap();
    assert_eq!(parsed, sealed);
    assert!(same(&key, &ring.open_document_key(&parsed, None).unwrap()));
    // A PIN is irrelevant to a key that is not bound to one.
    assert!(same(&key, &ring.open_document_key(&parsed, Some(b"1234")).unwrap()));
    // Two documents never share a data key.
    let (other, _) = ring.new_document_key(None).unwrap();
    assert!(!same(&key, &other));
}

#[test]
fn pin_bound_key_needs_the_right_pin() {
    let ring = keyring();
    let (key, sealed) = ring.new_document_key(Some(b"4711")).unwrap();
    assert!(sealed.pin_bound());
    let sealed = SealedKey::from_text(&sealed.to_text()).unwrap();
    assert!(same(&key, &ring.open_document_key(&sealed, Some(b"4711")).unwrap()));
    assert!(matches!(ring.open_document_key(&sealed, Some(b"4712")), Err(VaultError::WrongPin)));
    assert!(matches!(ring.open_document_key(&sealed, Some(b"")), Err(VaultError::WrongPin)));
    assert!(matches!(ring.open_document_key(&sealed, None), Err(VaultError::WrongPin)));
}

#[test]
fn another_master_key_cannot_open_and_says_corrupt_not_wrong_pin() {
    let (_, plain) = keyring().new_document_key(None).unwrap();
    let (_, pinned) = keyring().new_document_key(Some(b"1")).unwrap();
    let other = keyring();
    let corrupt = |r: Result<DataKey, VaultError>| {
        matches!(r, Err(VaultError::Corrupt(Corruption::SealedKey)))
    };
    assert!(corrupt(other.open_document_key(&plain, None)));
    assert!(corrupt(other.open_document_key(&pinned, Some(b"1"))));
    assert!(corrupt(other.open_document_key(&pinned, None)));
}

#[test]
fn any_changed_bit_of_a_sealed_key_is_detected() {
    let ring = keyring();
    let (_, sealed) = ring.new_document_key(None).unwrap();
    let bytes = sealed.to_bytes();
    for i in 0..bytes.len() {
        for bit in [0x01u8, 0x80] {
            let mut changed = bytes;
            changed[i] ^= bit;
            let text = format!("v1.{}", base64_url(&changed));
            match SealedKey::from_text(&text) {
                // Only the flags byte can fail to parse (unknown flag bits).
                Err(e) => {
                    assert!(i == 0 && matches!(e, VaultError::Corrupt(Corruption::SealedKeyFormat)))
                }
                Ok(s) => assert!(matches!(
                    ring.open_document_key(&s, Some(b"0000")),
                    Err(VaultError::Corrupt(Corruption::SealedKey))
                )),
            }
        }
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn malformed_sealed_key_text_is_refused() {
    let (_, sealed) = keyring().new_document_key(None).unwrap();
    let good = sealed.to_text();
    let format = |t: &str| {
        matches!(SealedKey::from_text(t), Err(VaultError::Corrupt(Corruption::SealedKeyFormat)))
    };
    assert!(format(""));
    assert!(format("v1."));
    assert!(format(&good[..good.len() - 1]));
    assert!(format(&format!("{good}A")));
    assert!(format(&format!("V1.{}", &good[3..])));
    assert!(format(&good.replace('v', "w")));
    assert!(format(&format!("v1.{}", "*".repeat(130))));
    assert!(format(&format!("v1.{}", &good[3..]).replacen('.', ". ", 1)));
    // The last base64 character carries 2 spare bits that must be zero (canonical form).
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = ALPHABET.iter().position(|c| *c == good.as_bytes()[good.len() - 1]).unwrap();
    let sibling = char::from(ALPHABET[last | 1]);
    assert!(format(&format!("{}{sibling}", &good[..good.len() - 1])));
    // Unknown flag bits.
    let mut bytes = sealed.to_bytes();
    bytes[0] = 0x02;
    assert!(format(&format!("v1.{}", base64_url(&bytes))));
    // A later version is named as such.
    assert!(matches!(
        SealedKey::from_text(&format!("v2.{}", &good[3..])),
        Err(VaultError::UnsupportedVersion(2))
    ));
}
