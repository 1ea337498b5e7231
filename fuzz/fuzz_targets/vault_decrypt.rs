#![no_main]
//! Fuzz the vault's readers of untrusted bytes. The first byte picks a chunking; the rest is
//! fed to `Decryptor` in those chunks and in one piece: no panic, the same result both ways,
//! and any success is a stream of exactly `encrypted_len` bytes. The whole input, as text, goes
//! to `SealedKey::from_text`: no panic, and whatever parses prints back to the same text and
//! opens (or fails to) without panicking. The key is fixed so the seeds in
//! `seeds/vault_decrypt/` (sealed under it) reach the authenticated paths.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quire_vault::{encrypted_len, DataKey, Decryptor, Keyring, SealedKey};

const MASTER: [u8; 32] = [0x51; 32];
/// A data key sealed under `MASTER`, without a PIN (`seeds/vault_decrypt/sealed-key.txt`).
const SEALED: &str = "v1.ALycTlpaUYW3kHDA7xvVHsNRuG8IqeEsZuZc4iRdqmqycOEBnt3VSgHHmTdo0xP6B_pIazCLEkxE8Fa9ZBW-K3o1k2iPYjpFJOfARD9wJGa_oKEogk6GJMDNZ7RFYdtCtQ";

fn keyring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| Keyring::from_bytes(MASTER))
}

fn data_key() -> &'static DataKey {
    static KEY: OnceLock<DataKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let sealed = SealedKey::from_text(SEALED).expect("the built-in sealed key parses");
        keyring().open_document_key(&sealed, None).expect("the built-in sealed key opens")
    })
}

fn decrypt(stream: &[u8], chunk: impl Fn(usize) -> usize) -> Result<Vec<u8>, String> {
    let mut dec = Decryptor::new(data_key());
    let mut out = Vec::new();
    let (mut rest, mut i) = (stream, 0);
    while !rest.is_empty() {
        let (piece, tail) = rest.split_at(chunk(i).clamp(1, rest.len()));
        dec.update(piece, &mut out).map_err(|e| e.to_string())?;
        rest = tail;
        i += 1;
    }
    dec.finish(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, stream)) = data.split_first() {
        let s = usize::from(selector);
        let chunked = decrypt(stream, |i| 1 + (s * 131 + i * 977) % (1 + s * 67));
        let whole = decrypt(stream, |_| usize::MAX);
        assert_eq!(chunked, whole);
        if let Ok(plain) = &whole {
            assert_eq!(encrypted_len(plain.len() as u64), stream.len() as u64);
        }
    }

    let text = String::from_utf8_lossy(data);
    if let Ok(sealed) = SealedKey::from_text(&text) {
        assert_eq!(sealed.to_text(), text);
        // Only the seed passes the MAC, and it is not PIN-bound: no PBKDF2 per run.
        let _ = keyring().open_document_key(&sealed, None);
    }
});
