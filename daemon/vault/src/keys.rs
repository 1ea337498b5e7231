//! Per-document data keys and their sealed (wrapped) form.
//!
//! A [`SealedKey`] is `flags || salt || wrapped || mac` (97 bytes), written as `v1.<base64url>`:
//! - `salt`: 16 random bytes, the HKDF salt (and, with a PIN, part of the PBKDF2 salt);
//! - `wrapped`: the 32-byte data key sealed with ChaCha20-Poly1305 under the wrapping key;
//! - `mac`: HMAC-SHA256 over everything before it, keyed from the master key alone. It tells a
//!   wrong PIN (MAC good, unwrap fails) from damage or a foreign key file (MAC bad).

use std::fmt;
use std::num::NonZeroU32;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use ring::rand::SecureRandom;
use ring::{hkdf, hmac, pbkdf2};

use crate::error::{Corruption, VaultError};
use crate::keyring::{Keyring, KEY_LEN};
use crate::wipe;

/// PBKDF2-HMAC-SHA256 iterations for a PIN, fixed by the format version (`v1`), so a stored
/// key never names its own cost. Raising it means a `v2`.
pub const PIN_ITERATIONS: u32 = 100_000;
const PIN_ITERATIONS_NZ: NonZeroU32 = match NonZeroU32::new(PIN_ITERATIONS) {
    Some(n) => n,
    None => panic!("PIN_ITERATIONS must not be zero"),
};

const SALT_LEN: usize = 16;
const WRAPPED_LEN: usize = KEY_LEN + 16; // key + Poly1305 tag
const MAC_LEN: usize = 32;
const SEALED_LEN: usize = 1 + SALT_LEN + WRAPPED_LEN + MAC_LEN;
const FLAG_PIN: u8 = 1;
const TEXT_PREFIX: &str = "v1.";
/// Every sealed key's text has exactly this length: base64 of 97 bytes, unpadded.
const TEXT_LEN: usize = TEXT_PREFIX.len() + (SEALED_LEN * 4).div_ceil(3);

const INFO_WRAP: &[u8] = b"quire-vault/v1/wrap";
const INFO_WRAP_PIN: &[u8] = b"quire-vault/v1/wrap+pin";
const INFO_CHECK: &[u8] = b"quire-vault/v1/check";
const PIN_SALT_DOMAIN: &[u8] = b"quire-vault/v1/pin";

/// A document's 256-bit encryption key. Its bytes are overwritten with zeros on drop (best
/// effort: moves may leave copies the compiler made, and ring's own copy inside an
/// [`Encryptor`](crate::Encryptor) is not wiped by ring). Its `Debug` output hides the key.
pub struct DataKey {
    pub(crate) bytes: [u8; KEY_LEN],
}

impl DataKey {
    /// The ring key for the stream. Fails only if ring refused a 32-byte ChaCha20 key.
    pub(crate) fn aead_key(&self) -> Result<LessSafeKey, VaultError> {
        UnboundKey::new(&CHACHA20_POLY1305, &self.bytes)
            .map(LessSafeKey::new)
            .map_err(|_| VaultError::Crypto("data key rejected"))
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        wipe(&mut self.bytes);
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

/// A data key wrapped by the master key (and maybe a PIN). Holds no secret: safe to store in
/// the job database next to the document's name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SealedKey {
    flags: u8,
    salt: [u8; SALT_LEN],
    wrapped: [u8; WRAPPED_LEN],
    mac: [u8; MAC_LEN],
}

impl SealedKey {
    /// True when opening it also needs the PIN given at creation.
    pub fn pin_bound(&self) -> bool {
        self.flags & FLAG_PIN != 0
    }

    /// The compact text form, `v1.<base64url without padding>` (133 ASCII characters).
    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(TEXT_LEN);
        text.push_str(TEXT_PREFIX);
        URL_SAFE_NO_PAD.encode_string(self.to_bytes(), &mut text);
        text
    }

    /// Parses [`to_text`](Self::to_text)'s form. Only the exact canonical text is accepted.
    pub fn from_text(text: &str) -> Result<SealedKey, VaultError> {
        let bad = || VaultError::Corrupt(Corruption::SealedKeyFormat);
        let Some(body) = text.strip_prefix(TEXT_PREFIX) else {
            return Err(other_version(text).map_or_else(bad, VaultError::UnsupportedVersion));
        };
        if text.len() != TEXT_LEN {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
        let bytes: &[u8; SEALED_LEN] = bytes.as_slice().try_into().map_err(|_| bad())?;
        let (flags, rest) = bytes.split_first().ok_or_else(bad)?;
        let (salt, rest) = rest.split_at(SALT_LEN);
        let (wrapped, mac) = rest.split_at(WRAPPED_LEN);
        if flags & !FLAG_PIN != 0 {
            return Err(bad());
        }
        Ok(SealedKey {
            flags: *flags,
            salt: salt.try_into().map_err(|_| bad())?,
            wrapped: wrapped.try_into().map_err(|_| bad())?,
            mac: mac.try_into().map_err(|_| bad())?,
        })
    }

    pub(crate) fn to_bytes(&self) -> [u8; SEALED_LEN] {
        let mut out = [0u8; SEALED_LEN];
        out[0] = self.flags;
        out[1..1 + SALT_LEN].copy_from_slice(&self.salt);
        out[1 + SALT_LEN..1 + SALT_LEN + WRAPPED_LEN].copy_from_slice(&self.wrapped);
        out[SEALED_LEN - MAC_LEN..].copy_from_slice(&self.mac);
        out
    }

    /// What the MAC covers: the version, then every field before the MAC.
    fn mac_input(&self) -> [u8; 2 + SEALED_LEN - MAC_LEN] {
        let mut input = [0u8; 2 + SEALED_LEN - MAC_LEN];
        input[..2].copy_from_slice(b"v1");
        input[2..].copy_from_slice(&self.to_bytes()[..SEALED_LEN - MAC_LEN]);
        input
    }

    /// The unwrap's associated data: the version, flags and salt, so none can be swapped.
    fn aad(&self) -> [u8; 3 + SALT_LEN] {
        let mut aad = [0u8; 3 + SALT_LEN];
        aad[..2].copy_from_slice(b"v1");
        aad[2] = self.flags;
        aad[3..].copy_from_slice(&self.salt);
        aad
    }
}

/// `Some(n)` when `text` looks like another version's sealed key (`v<n>.`).
fn other_version(text: &str) -> Option<u8> {
    let (version, _) = text.strip_prefix('v')?.split_once('.')?;
    version.parse().ok()
}

/// HKDF output length for raw bytes (ring's `KeyType` for a plain 32-byte buffer).
struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        KEY_LEN
    }
}

fn crypto(what: &'static str) -> impl Fn(ring::error::Unspecified) -> VaultError {
    move |_| VaultError::Crypto(what)
}

impl Keyring {
    /// Makes a fresh random data key for one document and its sealed form to store.
    /// With `pin`, opening it later needs the same PIN as well as this master key.
    pub fn new_document_key(&self, pin: Option<&[u8]>) -> Result<(DataKey, SealedKey), VaultError> {
        let mut key = DataKey { bytes: [0; KEY_LEN] };
        self.rng.fill(&mut key.bytes).map_err(crypto("random data key"))?;
        let mut sealed = SealedKey {
            flags: if pin.is_some() { FLAG_PIN } else { 0 },
            salt: [0; SALT_LEN],
            wrapped: [0; WRAPPED_LEN],
            mac: [0; MAC_LEN],
        };
        self.rng.fill(&mut sealed.salt).map_err(crypto("random salt"))?;

        let wrap = self.wrapping_key(&sealed.salt, pin)?;
        let aad = sealed.aad();
        let (plain, tag) = sealed.wrapped.split_at_mut(KEY_LEN);
        plain.copy_from_slice(&key.bytes);
        let t = wrap
            .seal_in_place_separate_tag(zero_nonce(), Aad::from(aad), plain)
            .map_err(crypto("wrapping the data key"))?;
        tag.copy_from_slice(t.as_ref());

        let mac = hmac::sign(&self.check_key(&sealed.salt)?, &sealed.mac_input());
        sealed.mac.copy_from_slice(mac.as_ref());
        Ok((key, sealed))
    }

    /// Unwraps a document's data key. `WrongPin` when the PIN is wrong or missing for a
    /// PIN-bound key; `Corrupt` when the sealed key is damaged or from another master key.
    /// A PIN given for a key that is not PIN-bound is ignored: that key does not depend on it.
    pub fn open_document_key(
        &self,
        sealed: &SealedKey,
        pin: Option<&[u8]>,
    ) -> Result<DataKey, VaultError> {
        // The MAC first: it needs no PIN, and it keeps a forged blob from costing a PBKDF2 run.
        hmac::verify(&self.check_key(&sealed.salt)?, &sealed.mac_input(), &sealed.mac)
            .map_err(|_| VaultError::Corrupt(Corruption::SealedKey))?;
        let pin = match (sealed.pin_bound(), pin) {
            (true, None) => return Err(VaultError::WrongPin),
            (true, Some(pin)) => Some(pin),
            (false, _) => None,
        };
        let wrap = self.wrapping_key(&sealed.salt, pin)?;
        let mut buf = sealed.wrapped;
        let opened = wrap.open_in_place(zero_nonce(), Aad::from(sealed.aad()), &mut buf);
        let result = match opened {
            Ok(plain) if plain.len() == KEY_LEN => {
                let mut key = DataKey { bytes: [0; KEY_LEN] };
                key.bytes.copy_from_slice(plain);
                Ok(key)
            }
            Ok(_) => Err(VaultError::Crypto("unwrapped key has the wrong length")),
            // The MAC held, so the master key is right: what differs is the PIN.
            Err(_) if sealed.pin_bound() => Err(VaultError::WrongPin),
            Err(_) => Err(VaultError::Corrupt(Corruption::SealedKey)),
        };
        wipe(&mut buf);
        result
    }

    /// HMAC key for the sealed key's MAC: from the master key and salt only.
    fn check_key(&self, salt: &[u8; SALT_LEN]) -> Result<hmac::Key, VaultError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&self.master);
        let okm = prk.expand(&[INFO_CHECK], hmac::HMAC_SHA256).map_err(crypto("HKDF"))?;
        Ok(hmac::Key::from(okm))
    }

    /// The key that wraps a data key: HKDF of the master key, and with a PIN, a second HKDF
    /// that mixes that output with PBKDF2(PIN), so neither half alone is enough.
    fn wrapping_key(
        &self,
        salt: &[u8; SALT_LEN],
        pin: Option<&[u8]>,
    ) -> Result<LessSafeKey, VaultError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&self.master);
        let Some(pin) = pin else {
            let okm = prk.expand(&[INFO_WRAP], &CHACHA20_POLY1305).map_err(crypto("HKDF"))?;
            return Ok(LessSafeKey::new(UnboundKey::from(okm)));
        };
        let mut master_part = [0u8; KEY_LEN];
        let filled = prk.expand(&[INFO_WRAP], Len32).and_then(|okm| okm.fill(&mut master_part));
        let mut pin_salt = [0u8; PIN_SALT_DOMAIN.len() + SALT_LEN];
        pin_salt[..PIN_SALT_DOMAIN.len()].copy_from_slice(PIN_SALT_DOMAIN);
        pin_salt[PIN_SALT_DOMAIN.len()..].copy_from_slice(salt);
        let mut pin_part = [0u8; KEY_LEN];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            PIN_ITERATIONS_NZ,
            &pin_salt,
            pin,
            &mut pin_part,
        );
        let combined = hkdf::Salt::new(hkdf::HKDF_SHA256, &pin_part).extract(&master_part);
        wipe(&mut master_part);
        wipe(&mut pin_part);
        filled.map_err(crypto("HKDF"))?;
        let okm = combined.expand(&[INFO_WRAP_PIN], &CHACHA20_POLY1305).map_err(crypto("HKDF"))?;
        Ok(LessSafeKey::new(UnboundKey::from(okm)))
    }
}

/// Every wrapping key is used once (a fresh 128-bit salt per sealed key), so a fixed nonce
/// is safe and saves storing one.
fn zero_nonce() -> Nonce {
    Nonce::assume_unique_for_key([0; aead::NONCE_LEN])
}
