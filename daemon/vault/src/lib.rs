//! Encryption at rest for confidential print jobs' documents in the spool.
//!
//! # Key hierarchy
//!
//! - **Master key** (256 bits): one per server, in a 0600 file ([`Keyring::open_or_create`]),
//!   never in the database.
//! - **Data key** (256 bits, [`DataKey`]): one per document, random. It is stored only
//!   wrapped, as a [`SealedKey`] (text `v1.<base64url>`, no secret inside) in the job's
//!   database row. The wrapping key is `HKDF-SHA256(salt, master)`; for a PIN-bound document
//!   it is `HKDF-SHA256(salt = PBKDF2-HMAC-SHA256(PIN, salt, 100 000), ikm = that)`, so the
//!   data key needs both the master key and the PIN. An HMAC keyed from the master key alone
//!   lets a wrong PIN ([`VaultError::WrongPin`]) be told from damage ([`VaultError::Corrupt`]).
//!
//! # Stream format (version 1)
//!
//! ```text
//! header:   "QVLT" | 0x01 | nonce prefix (7 random bytes)              12 bytes
//! segments: ChaCha20-Poly1305(plaintext[i*64 KiB ..][..64 KiB]) | tag  64 KiB + 16 each
//! nonce(i) = prefix | i as u32 big-endian | 1 if last segment else 0;  AAD = header
//! ```
//!
//! Every segment but the last holds exactly 64 KiB of plaintext; the last holds 0 to 64 KiB
//! (an empty document is one empty last segment). This is the STREAM construction: a segment
//! that is altered, moved, repeated or dropped, a stream cut at any point, or bytes appended
//! after the end, fail authentication. [`Encryptor`] and [`Decryptor`] are sans-IO and hold
//! one segment at most; [`EncryptWriter`], [`DecryptReader`] and [`decrypt_file`] wrap them.
//! [`encrypted_len`] gives the exact encrypted size.
//!
//! ChaCha20-Poly1305 rather than AES-256-GCM: it is constant-time and fast in software on
//! any CPU, including the small ARM boards without AES instructions that print servers often
//! run on, and at over 1 GB/s on x86 it is not the bottleneck next to the network and fsync.
//!
//! # What it protects against
//!
//! A copy of the spool, of the database, or of both (a backup, a stolen or discarded disk, a
//! misconfigured share) without the key file reveals nothing about the documents beyond their
//! approximate sizes. A PIN-bound document also needs its PIN, even with the key file (at the
//! cost of one PBKDF2 per guess: a short numeric PIN only slows such an attacker down).
//! [`shred`] overwrites a file before unlinking it, best effort (a file other hard links
//! still name is only unlinked; the last name to go is overwritten).
//!
//! # What it does not protect against
//!
//! - root, or the server's own user, on the running host: they can read the key file, or the
//!   process's memory while a document is handled.
//! - the plaintext that exists while a job prints: the document is decrypted into a 0600
//!   temporary file for the filters and backend, then shredded, which on copy-on-write or
//!   journaling file systems and SSDs may leave old blocks behind.
//! - traffic analysis: document sizes and times stay visible.
//! - key wiping is best effort: keys are zeroed on drop, but copies made by moves and ring's
//!   internal key copies are not.

mod error;
mod io;
mod keyring;
mod keys;
mod shred;
mod stream;

#[cfg(test)]
#[path = "keys_tests.rs"]
mod keys_tests;
#[cfg(test)]
#[path = "shred_tests.rs"]
mod shred_tests;
#[cfg(test)]
#[path = "stream_tests.rs"]
mod stream_tests;

pub use error::{Corruption, VaultError};
pub use io::{decrypt_file, DecryptReader, EncryptWriter};
pub use keyring::{Keyring, KEY_LEN};
pub use keys::{DataKey, SealedKey, PIN_ITERATIONS};
pub use shred::shred;
pub use stream::{
    encrypted_len, is_sealed, Decryptor, Encryptor, HEADER_LEN, MAGIC, SEGMENT_LEN, TAG_LEN,
    VERSION,
};

/// Overwrites secret bytes with zeros. `black_box` keeps the compiler from dropping the
/// writes as dead stores to memory about to be freed (best effort without `unsafe`).
pub(crate) fn wipe(bytes: &mut [u8]) {
    bytes.fill(0);
    std::hint::black_box(bytes);
}
