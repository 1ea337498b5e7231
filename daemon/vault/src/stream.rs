//! The sans-IO streaming core: [`Encryptor`] and [`Decryptor`] turn byte slices into byte
//! slices, holding at most one segment each, whatever the document's size.

use ring::aead::{Aad, LessSafeKey, Nonce, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Corruption, VaultError};
use crate::keys::DataKey;

/// The first bytes of every encrypted document.
pub const MAGIC: &[u8; 4] = b"QVLT";
/// The stream format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Plaintext bytes per segment (the last one may be shorter, even empty).
pub const SEGMENT_LEN: usize = 64 * 1024;
/// Authentication tag bytes added to every segment.
pub const TAG_LEN: usize = 16;
const PREFIX_LEN: usize = 7;
/// Magic, version, nonce prefix.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + PREFIX_LEN;
pub(crate) const SEALED_SEGMENT_LEN: usize = SEGMENT_LEN + TAG_LEN;

/// True when `head` (the first bytes of a file) starts with the vault magic.
pub fn is_sealed(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// The size of the encrypted form of `plain_len` bytes: header, data, and one tag per
/// segment (at least one segment, so an empty document still authenticates).
pub fn encrypted_len(plain_len: u64) -> u64 {
    let segments = plain_len.div_ceil(SEGMENT_LEN as u64).max(1);
    (HEADER_LEN as u64)
        .saturating_add(plain_len)
        .saturating_add(segments.saturating_mul(TAG_LEN as u64))
}

/// The STREAM construction: segment `i` is sealed with nonce `prefix || i (u32 BE) || last`,
/// and the header as associated data. Dropping, reordering or repeating segments, or cutting
/// the stream at a boundary, changes a nonce and so fails authentication.
struct Segments {
    key: LessSafeKey,
    header: [u8; HEADER_LEN],
    counter: u32,
}

impl Segments {
    fn nonce(&self, last: bool) -> Nonce {
        let mut n = [0u8; NONCE_LEN];
        n[..PREFIX_LEN].copy_from_slice(&self.header[HEADER_LEN - PREFIX_LEN..]);
        n[PREFIX_LEN..NONCE_LEN - 1].copy_from_slice(&self.counter.to_be_bytes());
        n[NONCE_LEN - 1] = u8::from(last);
        Nonce::assume_unique_for_key(n)
    }

    fn advance(&mut self) -> Result<(), VaultError> {
        self.counter = self.counter.checked_add(1).ok_or(VaultError::TooLong)?;
        Ok(())
    }

    /// Appends `plain` sealed to `out`; encrypts in place in `out` (no extra copy).
    fn seal(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), VaultError> {
        let start = out.len();
        out.extend_from_slice(plain);
        let sealed = match out.get_mut(start..) {
            Some(tail) => {
                self.key.seal_in_place_separate_tag(self.nonce(last), Aad::from(&self.header), tail)
            }
            None => Err(ring::error::Unspecified),
        };
        match sealed {
            Ok(tag) => out.extend_from_slice(tag.as_ref()),
            Err(_) => {
                out.truncate(start);
                return Err(VaultError::Crypto("sealing a segment"));
            }
        }
        if !last {
            self.advance()?;
        }
        Ok(())
    }

    /// Opens one sealed segment in place and returns its plaintext.
    fn open<'b>(&mut self, sealed: &'b mut [u8], last: bool) -> Result<&'b [u8], VaultError> {
        let index = self.counter;
        let plain = self
            .key
            .open_in_place(self.nonce(last), Aad::from(&self.header), sealed)
            .map_err(|_| VaultError::Corrupt(Corruption::Segment { index }))?;
        if !last {
            self.advance()?;
        }
        Ok(plain)
    }
}

/// Encrypts a document as it arrives. Output lags input by at most one segment: a full
/// segment is held until more data shows it is not the last.
pub struct Encryptor {
    segs: Option<Segments>,
    /// The first failure (random generator, or a document over 256 TiB); `finish` reports it.
    failure: Option<VaultError>,
    header_written: bool,
    pending: Vec<u8>,
}

impl Encryptor {
    /// Starts a stream under `key` with a fresh random nonce prefix.
    pub fn new(key: &DataKey) -> Encryptor {
        let mut header = [0u8; HEADER_LEN];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        header[MAGIC.len()] = VERSION;
        let ready = SystemRandom::new()
            .fill(&mut header[HEADER_LEN - PREFIX_LEN..])
            .map_err(|_| VaultError::Crypto("random nonce prefix"))
            .and_then(|()| key.aead_key());
        let (segs, failure) = match ready {
            Ok(key) => (Some(Segments { key, header, counter: 0 }), None),
            Err(e) => (None, Some(e)),
        };
        Encryptor { segs, failure, header_written: false, pending: Vec::with_capacity(SEGMENT_LEN) }
    }

    /// Takes more plaintext and appends whatever sealed output is complete to `out`. After a
    /// failure it does nothing, and [`finish`](Self::finish) returns the error; what was
    /// appended to `out` so far must then be discarded.
    pub fn update(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if self.failure.is_none() {
            if let Err(e) = self.update_inner(data, out) {
                self.failure = Some(e);
            }
        }
    }

    fn update_inner(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<(), VaultError> {
        let segs = self.segs.as_mut().ok_or(VaultError::Crypto("no stream key"))?;
        if !self.header_written {
            out.extend_from_slice(&segs.header);
            self.header_written = true;
        }
        loop {
            // A held full segment is not the last once more data arrives.
            if self.pending.len() == SEGMENT_LEN && !data.is_empty() {
                segs.seal(&self.pending, false, out)?;
                self.pending.clear();
            }
            // Whole segments straight from the input, skipping the copy into `pending`.
            if self.pending.is_empty() && data.len() > SEGMENT_LEN {
                let (segment, rest) = data.split_at(SEGMENT_LEN);
                segs.seal(segment, false, out)?;
                data = rest;
                continue;
            }
            let take = (SEGMENT_LEN - self.pending.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.pending.extend_from_slice(head);
            data = rest;
            if data.is_empty() {
                return Ok(());
            }
        }
    }

    /// Seals what is held as the last segment (possibly empty) and appends it to `out`.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), VaultError> {
        self.update(&[], out);
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        let segs = self.segs.as_mut().ok_or(VaultError::Crypto("no stream key"))?;
        segs.seal(&self.pending, true, out)
    }
}

/// Decrypts a stream as it arrives. Only authenticated plaintext is ever output; the last
/// segment is held until [`finish`](Self::finish), since only then is it known to be last.
pub struct Decryptor {
    /// Taken when the header is complete; `None` up front only if ring refused the key.
    key: Option<LessSafeKey>,
    header: Vec<u8>,
    segs: Option<Segments>,
    /// Sealed bytes not yet opened: at most one sealed segment plus one byte.
    pending: Vec<u8>,
    failed: bool,
}

impl Decryptor {
    /// Starts reading a stream sealed under `key`.
    pub fn new(key: &DataKey) -> Decryptor {
        Decryptor {
            key: key.aead_key().ok(),
            header: Vec::with_capacity(HEADER_LEN),
            segs: None,
            pending: Vec::with_capacity(SEALED_SEGMENT_LEN + 1),
            failed: false,
        }
    }

    /// Takes more sealed bytes and appends the plaintext of every segment that is now
    /// complete and authentic to `out`. After an error every later call fails.
    pub fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), VaultError> {
        if self.failed {
            return Err(VaultError::Corrupt(Corruption::AfterError));
        }
        let result = self.update_inner(data, out);
        self.failed = result.is_err();
        result
    }

    fn update_inner(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), VaultError> {
        let mut data = self.take_header(data)?;
        let Some(segs) = self.segs.as_mut() else {
            return Ok(()); // header still incomplete, and all of `data` went into it
        };
        while !data.is_empty() {
            // One byte past a full segment proves it is not the last.
            let take = (SEALED_SEGMENT_LEN + 1).saturating_sub(self.pending.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.pending.extend_from_slice(head);
            data = rest;
            if self.pending.len() > SEALED_SEGMENT_LEN {
                let sealed = self.pending.get_mut(..SEALED_SEGMENT_LEN).unwrap_or_default();
                out.extend_from_slice(segs.open(sealed, false)?);
                self.pending.drain(..SEALED_SEGMENT_LEN);
            }
        }
        Ok(())
    }

    /// Moves header bytes from `data` into `self.header`, checking magic and version as soon
    /// as they are there; returns the rest of `data`.
    fn take_header<'d>(&mut self, data: &'d [u8]) -> Result<&'d [u8], VaultError> {
        if self.segs.is_some() {
            return Ok(data);
        }
        let take = HEADER_LEN.saturating_sub(self.header.len()).min(data.len());
        let (head, rest) = data.split_at(take);
        self.header.extend_from_slice(head);
        let seen = self.header.len().min(MAGIC.len());
        if self.header.get(..seen) != MAGIC.get(..seen) {
            return Err(VaultError::Corrupt(Corruption::NotSealed));
        }
        match self.header.get(MAGIC.len()) {
            Some(&v) if v != VERSION => return Err(VaultError::UnsupportedVersion(v)),
            _ => {}
        }
        if let Ok(header) = <[u8; HEADER_LEN]>::try_from(self.header.as_slice()) {
            let key = self.key.take().ok_or(VaultError::Crypto("data key rejected"))?;
            self.segs = Some(Segments { key, header, counter: 0 });
        }
        Ok(rest)
    }

    /// Opens the held bytes as the last segment. Errors: `Truncated` if the stream ends in
    /// the header or exactly after a non-last segment; `Corrupt` for anything else that does
    /// not authenticate (including bytes appended after the real end).
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), VaultError> {
        if self.failed {
            return Err(VaultError::Corrupt(Corruption::AfterError));
        }
        let Some(segs) = self.segs.as_mut() else {
            return Err(VaultError::Truncated);
        };
        if self.pending.len() < TAG_LEN {
            return Err(VaultError::Truncated);
        }
        // Kept to tell truncation from damage if the last-segment open fails (once per stream).
        let mut copy = self.pending.clone();
        let err = match segs.open(&mut self.pending, true) {
            Ok(plain) => {
                out.extend_from_slice(plain);
                return Ok(());
            }
            Err(e) => e,
        };
        if copy.len() == SEALED_SEGMENT_LEN && segs.open(&mut copy, false).is_ok() {
            return Err(VaultError::Truncated);
        }
        Err(err)
    }
}
