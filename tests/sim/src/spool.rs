//! Receiving document data: in memory up to [`MEMORY_MAX`], then in a temporary file.

use std::io::{self, BufReader, Cursor, Seek, Write};
use std::path::Path;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tempfile::NamedTempFile;

use crate::cli::Keep;
use crate::doc::{self, Analysis, DocError};

/// Documents up to this size stay in memory.
pub const MEMORY_MAX: usize = 64 << 20;
/// Bytes kept from the start of a document for format sniffing.
const HEAD: usize = 16;

pub enum Stored {
    Memory(Vec<u8>),
    File(NamedTempFile),
}

/// A document as received.
pub struct Received {
    pub data: Stored,
    pub len: u64,
    pub head: Vec<u8>,
}

impl Received {
    /// Stores `first` (what followed the IPP message in its body frame) and the rest of `body`.
    /// A file is created in `dir` (the keep directory, so keeping is a rename) or the temp dir.
    pub async fn read(
        first: Bytes,
        body: &mut Incoming,
        dir: Option<&Path>,
    ) -> io::Result<Received> {
        let mut r = Received { data: Stored::Memory(Vec::new()), len: 0, head: Vec::new() };
        r.push(&first, dir)?;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| io::Error::new(io::ErrorKind::ConnectionAborted, e))?;
            if let Ok(data) = frame.into_data() {
                r.push(&data, dir)?;
            }
        }
        if let Stored::File(f) = &mut r.data {
            f.as_file_mut().flush()?;
        }
        Ok(r)
    }

    /// Appends a chunk. File writes are plain blocking writes: page-cache speed, and a
    /// test tool can afford that on a runtime thread.
    fn push(&mut self, data: &[u8], dir: Option<&Path>) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        if self.head.len() < HEAD {
            let n = (HEAD - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..n]);
        }
        self.len += data.len() as u64;
        if let Stored::Memory(buf) = &mut self.data {
            if buf.len() + data.len() <= MEMORY_MAX {
                buf.extend_from_slice(data);
                return Ok(());
            }
            let mut file = match dir {
                Some(d) => tempfile::Builder::new().prefix(".incoming-").tempfile_in(d)?,
                None => tempfile::Builder::new().prefix("quire-sim-").tempfile()?,
            };
            file.write_all(buf)?;
            self.data = Stored::File(file);
        }
        match &mut self.data {
            Stored::File(f) => f.write_all(data),
            Stored::Memory(_) => Ok(()),
        }
    }

    /// Counts pages and finds markers (blocking: run it off the runtime).
    pub fn analyse(&mut self, format: &str) -> Result<Analysis, DocError> {
        match &mut self.data {
            Stored::Memory(buf) => doc::analyse(format, &mut Cursor::new(&buf[..]), self.len),
            Stored::File(f) => {
                let mut file = f.reopen()?;
                file.rewind()?;
                doc::analyse(format, &mut BufReader::with_capacity(256 << 10, file), self.len)
            }
        }
    }

    /// Writes the document to `DIR/<job>-<doc>.<ext>` when keeping (blocking).
    pub fn keep(self, keep: &Keep, job: i32, doc: u32, format: &str) -> io::Result<()> {
        let Keep::Dir(dir) = keep else { return Ok(()) };
        let path = dir.join(format!("{job}-{doc}.{}", doc::extension(format)));
        match self.data {
            Stored::Memory(buf) => std::fs::write(path, buf),
            Stored::File(f) => f.persist(&path).map(drop).or_else(|e| {
                // Another file system: copy instead of renaming.
                std::fs::copy(e.file.path(), &path).map(drop)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_to_a_file_past_the_memory_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut r = Received { data: Stored::Memory(Vec::new()), len: 0, head: Vec::new() };
        r.push(b"%PDF-1.4 abcdefghijkl", Some(dir.path())).expect("push");
        assert!(matches!(r.data, Stored::Memory(_)));
        assert_eq!(r.head, b"%PDF-1.4 abcdefg");
        let big = vec![b'x'; MEMORY_MAX];
        r.push(&big, Some(dir.path())).expect("push");
        let Stored::File(f) = &r.data else { panic!("still in memory") };
        assert_eq!(f.as_file().metadata().expect("metadata").len(), r.len);
        r.keep(&Keep::Dir(dir.path().into()), 7, 2, "text/plain").expect("keep");
        let kept = std::fs::metadata(dir.path().join("7-2.txt")).expect("kept file");
        assert_eq!(kept.len(), 21 + MEMORY_MAX as u64);
    }
}
