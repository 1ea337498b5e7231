//! `file:` device URIs: the documents are written to a path (cupsd's FileDevice).

use crate::{open_document, BackendError, Cancel, DocumentSource};
use std::fs::OpenOptions;
use std::io::{Read, Write};

/// `file:///path` or `file:/path`.
pub fn path_of(uri: &str) -> Result<&str, BackendError> {
    let rest = uri.strip_prefix("file:").ok_or_else(|| BackendError::BadUri(uri.into()))?;
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if !path.starts_with('/') {
        return Err(BackendError::BadUri(format!("{uri}: not an absolute path")));
    }
    Ok(path)
}

pub fn deliver(
    uri: &str,
    documents: &[DocumentSource],
    cancel: &Cancel,
) -> Result<(), BackendError> {
    let path = path_of(uri)?;
    let mut out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(path != "/dev/null")
        .open(path)
        .map_err(|e| BackendError::Device(format!("Unable to open \"{path}\": {e}")))?;
    let mut buf = vec![0u8; 64 * 1024];
    for doc in documents {
        let mut input = open_document(doc)?;
        loop {
            if cancel.is_canceled() {
                return Err(BackendError::Canceled);
            }
            let n = input.read(&mut buf).map_err(|e| BackendError::Spool(e.to_string()))?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])
                .map_err(|e| BackendError::Device(format!("Unable to write \"{path}\": {e}")))?;
        }
    }
    // Only a regular file keeps what it got; devices (/dev/null…) cannot be synced (EINVAL).
    if out.metadata().is_ok_and(|m| m.is_file()) {
        out.sync_all()
            .map_err(|e| BackendError::Device(format!("Unable to write \"{path}\": {e}")))?;
    }
    Ok(())
}
