//! A cache of encoded answers to read-only printer queries (Get-Printer-Attributes,
//! CUPS-Get-Printers, CUPS-Get-Default): print dialogs and monitors poll these constantly.
//!
//! An entry is only served while nothing in the scheduler has changed (the generation,
//! bumped by the scheduler task before any command that may change state is answered)
//! and within the same clock second it was built in, so a hit is byte for byte the answer
//! the scheduler would build now (the answers' times have one-second resolution). Hits
//! are answered on the connection's task, without a trip to the scheduler task.

use quire_core::Requester;
use quire_ipp::Message;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

const MAX_ENTRIES: usize = 256;
/// The most the entries may hold together, and the largest answer kept: CUPS-Get-Printers
/// over 20,000 printers is some 200 MB, built in seconds, so never served again within the
/// second it was built in; keeping it would only hold the memory.
const MAX_BYTES: usize = 16 << 20;
pub const MAX_ENTRY_BYTES: usize = 1 << 20;

struct Entry {
    generation: u64,
    second: i64,
    body: Vec<u8>,
}

#[derive(Default)]
pub struct ResponseCache {
    generation: AtomicU64,
    entries: RwLock<HashMap<Vec<u8>, Entry>>,
}

/// Everything the answer depends on besides the state: the request without its id, where
/// it was sent, how the client reached us, and who asked from where and how proven (access
/// rules look at all of these; the Host header alone does not tell clients apart).
pub fn key(msg: &Message, resource: &str, base: &quire_core::UriBase, who: &Requester) -> Vec<u8> {
    let mut m = msg.clone();
    m.request_id = 0;
    let mut k = m.encode();
    let proof = format!(
        "{}{:?}{}",
        if who.admin { "a" } else { "-" },
        who.method,
        if who.tls { "t" } else { "-" }
    );
    for part in [resource, &base.scheme, &base.authority, &who.user, &who.host, &proof] {
        k.extend_from_slice(part.as_bytes());
        k.push(0);
    }
    k
}

impl ResponseCache {
    /// Called by the scheduler task before it answers anything that may change state.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// A cached answer with `request_id` patched in.
    pub fn get(&self, key: &[u8], request_id: i32, second: i64) -> Option<Vec<u8>> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        if e.generation != self.generation() || e.second != second || e.body.len() < 8 {
            return None;
        }
        let mut body = e.body.clone();
        body[4..8].copy_from_slice(&request_id.to_be_bytes());
        Some(body)
    }

    /// Stores an answer built at `generation` in `second` (not one over [`MAX_ENTRY_BYTES`]).
    pub fn put(&self, key: Vec<u8>, generation: u64, second: i64, body: &[u8]) {
        if body.len() > MAX_ENTRY_BYTES {
            return;
        }
        let Ok(mut entries) = self.entries.write() else { return };
        let held: usize = entries.values().map(|e| e.body.len()).sum();
        if entries.len() >= MAX_ENTRIES || held + body.len() > MAX_BYTES {
            entries.clear();
        }
        entries.insert(key, Entry { generation, second, body: body.to_vec() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_ipp::Operation;

    #[test]
    fn huge_answers_are_not_kept_and_the_total_is_bounded() {
        let c = ResponseCache::default();
        let huge = vec![2u8; MAX_ENTRY_BYTES + 1];
        c.put(b"huge".to_vec(), c.generation(), 100, &huge);
        assert!(c.get(b"huge", 1, 100).is_none(), "over the per-answer limit");
        let big = vec![2u8; MAX_ENTRY_BYTES];
        for i in 0..(MAX_BYTES / MAX_ENTRY_BYTES + 4) {
            c.put(vec![i as u8], c.generation(), 100, &big);
        }
        let held: usize = c.entries.read().unwrap().values().map(|e| e.body.len()).sum();
        assert!(held <= MAX_BYTES, "{held} bytes held");
    }

    #[test]
    fn entries_expire_with_generation_and_second() {
        let c = ResponseCache::default();
        let body = vec![2, 0, 0, 0, 0, 0, 0, 0, 3];
        c.put(b"k".to_vec(), c.generation(), 100, &body);
        let hit = c.get(b"k", 0x01020304, 100).expect("hit");
        assert_eq!(&hit[4..8], &[1, 2, 3, 4]);
        assert!(c.get(b"k", 1, 101).is_none(), "another second");
        c.invalidate();
        assert!(c.get(b"k", 1, 100).is_none(), "state changed");
        assert!(c.get(b"other", 1, 100).is_none());
    }

    #[test]
    fn clients_that_access_rules_tell_apart_get_different_keys() {
        let msg = quire_client::request_as(
            Operation::GetPrinterAttributes,
            Some("ipp://localhost/printers/q"),
            "alice",
        );
        let base = quire_core::UriBase { scheme: "ipp".into(), authority: "localhost:631".into() };
        let local =
            Requester { user: "alice".into(), host: "localhost".into(), ..Default::default() };
        let remote = Requester {
            host: "10.0.0.2".into(),
            addr: Some([10, 0, 0, 2].into()),
            ..local.clone()
        };
        let over_tls = Requester { tls: true, ..remote.clone() };
        let k = |who: &Requester| key(&msg, "/", &base, who);
        assert_ne!(k(&local), k(&remote), "the same Host header from another address");
        assert_ne!(k(&remote), k(&over_tls));
        assert_eq!(k(&remote), k(&remote.clone()));
    }
}
