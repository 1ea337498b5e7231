//! Reading a spooled document, undoing the transfer compression the client used.

use crate::{BackendError, DocumentSource};
use std::fs::File;
use std::io::{BufReader, Read};

pub fn open_document(doc: &DocumentSource) -> Result<Box<dyn Read + Send>, BackendError> {
    let f = File::open(&doc.path)
        .map_err(|e| BackendError::Spool(format!("{}: {e}", doc.path.display())))?;
    let r = BufReader::new(f);
    Ok(match doc.compression.as_deref() {
        Some("gzip") => Box::new(flate2::read::GzDecoder::new(r)),
        // RFC 8011 "deflate" is raw RFC 1951 data, not zlib-wrapped.
        Some("deflate") => Box::new(flate2::read::DeflateDecoder::new(r)),
        _ => Box::new(r),
    })
}
