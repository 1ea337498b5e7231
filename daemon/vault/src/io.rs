//! `Read`/`Write` adapters over the sans-IO core, and whole-file decryption.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::{Corruption, VaultError};
use crate::keys::DataKey;
use crate::shred::shred;
use crate::stream::{Decryptor, Encryptor, SEGMENT_LEN};

/// Encrypts everything written to it into `inner`. Call [`finish`](Self::finish): dropping
/// it instead leaves a stream without its last segment, which decrypts as `Truncated`.
/// After an error the stream is unusable.
pub struct EncryptWriter<W: Write> {
    inner: W,
    enc: Encryptor,
    out: Vec<u8>,
}

impl<W: Write> EncryptWriter<W> {
    pub fn new(inner: W, key: &DataKey) -> EncryptWriter<W> {
        EncryptWriter { inner, enc: Encryptor::new(key), out: Vec::with_capacity(2 * SEGMENT_LEN) }
    }

    /// Writes the last segment, flushes, and returns the inner writer. It does not fsync: a
    /// `File` caller does that (`sync_all`) before calling the document durable.
    pub fn finish(self) -> io::Result<W> {
        let EncryptWriter { mut inner, enc, mut out } = self;
        enc.finish(&mut out).map_err(VaultError::into_io)?;
        inner.write_all(&out)?;
        inner.flush()?;
        Ok(inner)
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // At most a segment per call keeps `out` small whatever the caller hands us.
        let n = buf.len().min(SEGMENT_LEN);
        let (now, _) = buf.split_at(n);
        self.enc.update(now, &mut self.out);
        let written = self.inner.write_all(&self.out);
        self.out.clear();
        written.map(|()| n)
    }

    /// Flushes the inner writer. A partial segment stays held: it cannot be sealed until the
    /// stream's end or more data shows whether it is the last.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts `inner` as it is read. A tampered or truncated stream gives an error of kind
/// `InvalidData` (at the latest where the clean stream would have ended), never a quiet end.
pub struct DecryptReader<R: Read> {
    inner: R,
    dec: Option<Decryptor>,
    input: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    failed: bool,
}

impl<R: Read> DecryptReader<R> {
    pub fn new(inner: R, key: &DataKey) -> DecryptReader<R> {
        DecryptReader {
            inner,
            dec: Some(Decryptor::new(key)),
            input: vec![0; SEGMENT_LEN],
            out: Vec::with_capacity(2 * SEGMENT_LEN),
            pos: 0,
            failed: false,
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Refills `out` from the next read of `inner`; `Ok(false)` at the authenticated end.
    fn refill(&mut self) -> io::Result<bool> {
        if self.failed {
            return Err(VaultError::Corrupt(Corruption::AfterError).into_io());
        }
        let Some(dec) = self.dec.as_mut() else {
            return Ok(false);
        };
        self.out.clear();
        self.pos = 0;
        let n = self.inner.read(&mut self.input)?;
        let result = if n == 0 {
            self.dec.take().map_or(Ok(()), |d| d.finish(&mut self.out))
        } else {
            let input = self.input.get(..n).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "reader returned more bytes than asked for",
                )
            })?;
            dec.update(input, &mut self.out)
        };
        result.map(|()| true).map_err(|e| {
            self.failed = true;
            self.out.clear();
            e.into_io()
        })
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.pos >= self.out.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let ready = self.out.get(self.pos..).unwrap_or_default();
        let n = ready.len().min(buf.len());
        buf[..n].copy_from_slice(&ready[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decrypts the file `src` into a new file `dst` (created with mode 0600; an existing `dst`
/// is an error rather than overwritten, so no symlink or other file is written through).
/// Returns the plaintext length. On any error `dst` is shredded and removed. `dst` is not
/// fsynced: it is a temporary copy, and the spool keeps the durable encrypted one.
pub fn decrypt_file(src: &Path, dst: &Path, key: &DataKey) -> Result<u64, VaultError> {
    let mut input = File::open(src).map_err(|e| VaultError::io(src, e))?;
    let mut output = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dst)
        .map_err(|e| VaultError::io(dst, e))?;
    let result = copy_decrypted(&mut input, src, &mut output, dst, key);
    if result.is_err() {
        drop(output);
        let _ = shred(dst);
    }
    result
}

fn copy_decrypted(
    input: &mut File,
    src: &Path,
    output: &mut File,
    dst: &Path,
    key: &DataKey,
) -> Result<u64, VaultError> {
    let mut dec = Decryptor::new(key);
    let mut buf = vec![0u8; SEGMENT_LEN];
    let mut out = Vec::with_capacity(2 * SEGMENT_LEN);
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(VaultError::io(src, e)),
        };
        match buf.get(..n) {
            Some([]) | None => break,
            Some(chunk) => dec.update(chunk, &mut out)?,
        }
        output.write_all(&out).map_err(|e| VaultError::io(dst, e))?;
        total += out.len() as u64;
        out.clear();
    }
    dec.finish(&mut out)?;
    output.write_all(&out).map_err(|e| VaultError::io(dst, e))?;
    Ok(total + out.len() as u64)
}
