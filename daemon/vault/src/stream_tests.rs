//! The streaming core: round trips under any chunking, and tamper detection.

use proptest::prelude::*;

use crate::stream::SEALED_SEGMENT_LEN;
use crate::{
    encrypted_len, is_sealed, Corruption, DataKey, Decryptor, Encryptor, VaultError, HEADER_LEN,
    KEY_LEN, SEGMENT_LEN, TAG_LEN,
};

fn key(seed: u8) -> DataKey {
    DataKey { bytes: [seed; KEY_LEN] }
}

/// Deterministic filler (xorshift), so multi-MB inputs cost no proptest shrinking state.
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Splits `data` into pieces whose sizes cycle through `sizes`.
fn pieces<'a>(data: &'a [u8], sizes: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = data;
    let mut i = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Some(head)
    })
}

fn encrypt(key: &DataKey, plain: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut enc = Encryptor::new(key);
    let mut out = Vec::new();
    let mut fed = 0;
    for piece in pieces(plain, sizes) {
        enc.update(piece, &mut out);
        fed += piece.len();
        // At most one segment is held back.
        assert!(out.len() + SEGMENT_LEN >= fed);
    }
    enc.finish(&mut out).unwrap();
    out
}

fn decrypt(key: &DataKey, sealed: &[u8], sizes: &[usize]) -> Result<Vec<u8>, VaultError> {
    let mut dec = Decryptor::new(key);
    let mut out = Vec::new();
    for piece in pieces(sealed, sizes) {
        dec.update(piece, &mut out)?;
    }
    dec.finish(&mut out)?;
    Ok(out)
}

fn seal(plain: &[u8]) -> Vec<u8> {
    encrypt(&key(1), plain, &[usize::MAX])
}

fn open(sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    decrypt(&key(1), sealed, &[usize::MAX])
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1..16usize, 1..70_000usize, 60_000..300_000usize], 1..6)
}

fn interesting_len() -> impl Strategy<Value = usize> {
    let s = SEGMENT_LEN;
    prop_oneof![
        Just(0),
        Just(1),
        Just(s - 1),
        Just(s),
        Just(s + 1),
        Just(2 * s),
        Just(3 * s - 1),
        0..4 * s,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_any_size_any_chunking(len in interesting_len(), seed: u64, enc_sizes in chunk_sizes(),
                                        dec_sizes in chunk_sizes()) {
        let plain = bytes(len, seed);
        let sealed = encrypt(&key(7), &plain, &enc_sizes);
        prop_assert_eq!(sealed.len() as u64, encrypted_len(len as u64));
        prop_assert!(is_sealed(&sealed));
        prop_assert_eq!(decrypt(&key(7), &sealed, &dec_sizes).unwrap(), plain);
    }

    #[test]
    fn any_flipped_bit_is_detected(len in 0..3 * SEGMENT_LEN, at: prop::sample::Index, bit in 0..8u8) {
        let mut sealed = seal(&bytes(len, 3));
        let i = at.index(sealed.len());
        sealed[i] ^= 1 << bit;
        prop_assert!(open(&sealed).is_err());
    }

    #[test]
    fn any_truncation_is_detected(len in 0..3 * SEGMENT_LEN, at: prop::sample::Index, sizes in chunk_sizes()) {
        let sealed = seal(&bytes(len, 4));
        let cut = at.index(sealed.len()); // strictly shorter than the whole
        prop_assert!(decrypt(&key(1), &sealed[..cut], &sizes).is_err());
    }

    #[test]
    fn arbitrary_input_never_panics(junk in prop::collection::vec(any::<u8>(), 0..2000), sizes in chunk_sizes(),
                                    with_header: bool) {
        let mut input = Vec::new();
        if with_header {
            input.extend_from_slice(&seal(b"")[..HEADER_LEN]);
        }
        input.extend_from_slice(&junk);
        prop_assert!(decrypt(&key(1), &input, &sizes).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_multi_megabyte(len in 2_000_000..5_000_000usize, seed: u64, enc_sizes in chunk_sizes(),
                                 dec_sizes in chunk_sizes()) {
        let plain = bytes(len, seed);
        let sealed = encrypt(&key(9), &plain, &enc_sizes);
        prop_assert_eq!(sealed.len() as u64, encrypted_len(len as u64));
        prop_assert!(decrypt(&key(9), &sealed, &dec_sizes).unwrap() == plain);
    }
}

#[test]
fn encrypted_len_matches_the_format() {
    let s = SEGMENT_LEN as u64;
    let (h, t) = (HEADER_LEN as u64, TAG_LEN as u64);
    assert_eq!(encrypted_len(0), h + t);
    assert_eq!(encrypted_len(1), h + 1 + t);
    assert_eq!(encrypted_len(s), h + s + t);
    assert_eq!(encrypted_len(s + 1), h + s + 1 + 2 * t);
    assert_eq!(encrypted_len(u64::MAX), u64::MAX);
}

#[test]
fn is_sealed_checks_the_magic() {
    assert!(is_sealed(b"QVLT\x01rest"));
    assert!(!is_sealed(b"QVL"));
    assert!(!is_sealed(b"%PDF-1.7"));
    assert!(!is_sealed(b""));
}

/// A sealed document of 3 full segments and a short last one, cut into its parts.
fn segments(sealed: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let (header, body) = sealed.split_at(HEADER_LEN);
    (header.to_vec(), body.chunks(SEALED_SEGMENT_LEN).map(<[u8]>::to_vec).collect())
}

fn joined(header: &[u8], segs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header.to_vec();
    segs.iter().for_each(|s| out.extend_from_slice(s));
    out
}

#[test]
fn truncation_at_every_segment_boundary_is_detected() {
    for len in [3 * SEGMENT_LEN, 3 * SEGMENT_LEN + 100] {
        let sealed = seal(&bytes(len, 5));
        let mut cuts: Vec<usize> = (0..=HEADER_LEN).collect();
        cuts.extend(
            (1..4).map(|k| HEADER_LEN + k * SEALED_SEGMENT_LEN).filter(|c| *c < sealed.len()),
        );
        for cut in cuts {
            let err = open(&sealed[..cut]).unwrap_err();
            assert!(matches!(err, VaultError::Truncated), "cut at {cut} of {len}: {err:?}");
        }
    }
}

#[test]
fn dropping_the_last_segment_is_detected() {
    for len in [SEGMENT_LEN + 5, 2 * SEGMENT_LEN] {
        let (header, mut segs) = segments(&seal(&bytes(len, 6)));
        segs.pop();
        assert!(matches!(open(&joined(&header, &segs)), Err(VaultError::Truncated)));
    }
}

#[test]
fn swapped_duplicated_or_dropped_middle_segments_are_detected() {
    let (header, segs) = segments(&seal(&bytes(3 * SEGMENT_LEN + 9, 7)));
    let bad = |s: Vec<Vec<u8>>| matches!(open(&joined(&header, &s)), Err(VaultError::Corrupt(_)));
    let mut swapped = segs.clone();
    swapped.swap(0, 1);
    assert!(bad(swapped));
    let mut swapped_last = segs.clone();
    swapped_last.swap(2, 3);
    assert!(bad(swapped_last));
    let mut duplicated = segs.clone();
    duplicated.insert(1, segs[0].clone());
    assert!(bad(duplicated));
    let mut dropped = segs.clone();
    dropped.remove(1);
    assert!(bad(dropped));
    // A segment from another stream under the same key: the nonce prefix differs.
    let (_, other) = segments(&seal(&bytes(3 * SEGMENT_LEN + 9, 7)));
    let mut spliced = segs.clone();
    spliced[1] = other[1].clone();
    assert!(bad(spliced));
    assert_eq!(open(&joined(&header, &segs)).unwrap(), bytes(3 * SEGMENT_LEN + 9, 7));
}

#[test]
fn appended_bytes_are_detected() {
    for len in [0, 10, SEGMENT_LEN, SEGMENT_LEN + 10] {
        let sealed = seal(&bytes(len, 8));
        for extra in [1usize, 15, 16, 100, SEALED_SEGMENT_LEN, SEALED_SEGMENT_LEN + 1] {
            let mut longer = sealed.clone();
            longer.extend(bytes(extra, 9));
            assert!(open(&longer).is_err(), "{len} + {extra}");
        }
        // A copy of the stream's own last segment appended.
        let (header, mut segs) = segments(&sealed);
        segs.extend(segs.last().cloned());
        assert!(open(&joined(&header, &segs)).is_err());
    }
}

#[test]
fn every_header_byte_is_checked() {
    let sealed = seal(b"hello");
    for i in 0..HEADER_LEN {
        let mut bad = sealed.clone();
        bad[i] ^= 0x40;
        let err = open(&bad).unwrap_err();
        match i {
            0..4 => assert!(matches!(err, VaultError::Corrupt(Corruption::NotSealed)), "{err:?}"),
            4 => assert!(matches!(err, VaultError::UnsupportedVersion(0x41)), "{err:?}"),
            _ => assert!(
                matches!(err, VaultError::Corrupt(Corruption::Segment { index: 0 })),
                "{err:?}"
            ),
        }
    }
}

#[test]
fn a_bad_magic_fails_on_its_first_byte() {
    let mut dec = Decryptor::new(&key(1));
    let mut out = Vec::new();
    assert!(dec.update(b"Q", &mut out).is_ok());
    assert!(matches!(dec.update(b"X", &mut out), Err(VaultError::Corrupt(Corruption::NotSealed))));
    // And keeps failing.
    assert!(matches!(
        dec.update(b"VLT", &mut out),
        Err(VaultError::Corrupt(Corruption::AfterError))
    ));
    assert!(dec.finish(&mut out).is_err());
    assert!(out.is_empty());
}

#[test]
fn wrong_key_fails_on_the_first_segment() {
    let sealed = seal(&bytes(2 * SEGMENT_LEN, 10));
    let err = decrypt(&key(2), &sealed, &[4096]).unwrap_err();
    assert!(matches!(err, VaultError::Corrupt(Corruption::Segment { index: 0 })), "{err:?}");
}

#[test]
fn only_authenticated_plaintext_is_released() {
    let plain = bytes(2 * SEGMENT_LEN + 3, 11);
    let mut sealed = seal(&plain);
    let last = sealed.len() - 1;
    sealed[last] ^= 1; // damage the last segment's tag
    let mut dec = Decryptor::new(&key(1));
    let mut out = Vec::new();
    dec.update(&sealed, &mut out).unwrap();
    assert_eq!(out, plain[..2 * SEGMENT_LEN]); // two verified segments
    assert!(dec.finish(&mut out).is_err());
    assert_eq!(out.len(), 2 * SEGMENT_LEN); // nothing of the damaged one
}

#[test]
fn ciphertext_hides_a_repeated_marker() {
    let marker = b"CONFIDENTIAL-PAYROLL-MARKER-0042";
    let plain: Vec<u8> = marker.iter().copied().cycle().take(1 << 20).collect();
    let sealed = seal(&plain);
    assert!(!sealed.windows(marker.len()).any(|w| w == marker));
    assert!(!sealed.windows(8).any(|w| w == &marker[..8]));
    // Two encryptions of the same plaintext under the same key differ (random prefix).
    assert_ne!(seal(&plain[..100]), seal(&plain[..100]));
}
