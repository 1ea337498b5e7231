//! Stable identifiers: RFC 4122-shaped UUIDs derived from what they name.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// A version-4-shaped UUID URN, unique per (kind, id, time). `DefaultHasher::new()` has
/// fixed keys, so the same inputs give the same UUID (stable across restarts).
pub fn uuid_for(kind: &str, id: u64, salt: i64) -> String {
    let half = |n: u8| {
        let mut h = DefaultHasher::new();
        (kind, id, salt, n).hash(&mut h);
        h.finish()
    };
    let (a, b) = (half(0), half(1));
    format!(
        "urn:uuid:{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0x0fff) as u16,
        ((b >> 48) as u16 & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}
