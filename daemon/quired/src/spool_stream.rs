//! Streams a request's document into the spool: chunks go to a blocking writer thread
//! through a small bounded channel, so memory stays flat whatever the document's size.

use crate::sniff;
use axum::body::Body;
use bytes::Bytes;
use http_body_util::BodyExt;
use quire_core::ops::Reservation;
use quire_core::Document;
use quire_ipp::Message;
use std::io::Write;

pub enum SpoolResult {
    /// The document, and its sealed key when it was encrypted (confidential jobs).
    Document(Document, Option<String>),
    /// No document data followed the attributes.
    Empty,
    Failed(String),
    /// The document is not what its format says (corrupt or empty PDF); nothing was kept.
    Rejected(String),
    /// The document outgrew the room the spool quotas or the disk left it; nothing was kept.
    TooLarge(String),
}

/// Why the spool writer stopped before the end of the document.
enum Stop {
    Failed(String),
    TooLarge,
}

/// PDFs up to this size are page-counted at submission (lopdf loads the whole file, so a
/// bigger one is not: memory stays flat; it gets no `job-impressions`).
const COUNT_PAGES_UP_TO: u64 = quire_backends::worker::MAX_COUNTED;

/// Counts a PDF document's pages; `Err` for one that cannot print (corrupt, no pages). A
/// filter worker parses it, as `User`: never the daemon.
fn count_pages(
    pages: &quire_backends::PageCounter,
    doc: &Document,
    data: Option<&[u8]>,
    path: &std::path::Path,
) -> Result<Option<u32>, String> {
    use quire_backends::{CountError, CountInput};
    use quire_filters::FilterError;
    if doc.format != "application/pdf" || doc.compression.is_some() || doc.size > COUNT_PAGES_UP_TO
    {
        return Ok(None);
    }
    let counted = match data {
        Some(bytes) => pages.count(CountInput::Bytes(bytes)),
        None => pages.count(CountInput::File(path)),
    };
    match counted {
        Ok(n) => Ok(Some(n)),
        Err(CountError::Document(e @ FilterError::Empty)) => {
            Err(format!("The PDF document cannot be printed: {e}."))
        }
        // Not a PDF at all. One lopdf cannot parse but that looks like a PDF goes on: a
        // printer's interpreter is more forgiving (cupsd takes it too); if it fails there,
        // the job aborts with document-format-error.
        Err(CountError::Document(e @ FilterError::Corrupt(_))) if !looks_like_pdf(data, path) => {
            Err(format!("The document is not a PDF file: {e}."))
        }
        Err(CountError::Document(_)) => Ok(None),
        Err(e @ CountError::Worker(_)) => {
            tracing::warn!("Document {} goes on uncounted: {e}", doc.file);
            Ok(None)
        }
    }
}

/// A `%PDF-` header within the first KiB, as PDF readers accept.
fn looks_like_pdf(data: Option<&[u8]>, path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 1024];
    let head: &[u8] = match data {
        Some(bytes) => &bytes[..bytes.len().min(1024)],
        None => {
            let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
            &head[..n]
        }
    };
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Documents up to this size are collected in memory and stored inside the job store,
/// in the same transaction (one shared WAL fsync) as the job row: no spool file, no file or
/// directory fsync. They are staged in the spool handle until the store thread takes them
/// for the `PutJob` (the scheduler never holds their bytes). Larger ones are streamed to a
/// spool file.
const INLINE_DOCUMENT: usize = 256 * 1024;

pub async fn spool_document(
    spool: &quire_store::Spool,
    keyring: &quire_vault::Keyring,
    pages: &std::sync::Arc<quire_backends::PageCounter>,
    slot: Reservation,
    msg: &Message,
    first: Bytes,
    mut body: Body,
) -> SpoolResult {
    // A confidential job's document is encrypted before any byte of it is stored.
    let seal = match slot.confidential.then(|| keyring.new_document_key(None)) {
        None => None,
        Some(Ok(pair)) => Some(pair),
        Some(Err(e)) => return SpoolResult::Failed(format!("Unable to make a document key: {e}")),
    };
    let mut head: Vec<u8> = first.iter().take(512).copied().collect();
    // Collect the start of the body; a small document is complete within it.
    let mut buffered: Vec<Bytes> = Vec::new();
    let mut size = first.len();
    if !first.is_empty() {
        buffered.push(first);
    }
    let mut ended = false;
    let room = slot.room.clone();
    let over = |size: usize| room.as_ref().is_some_and(|r| size as u64 > r.bytes);
    while size <= INLINE_DOCUMENT && !over(size) {
        match body.frame().await {
            None => {
                ended = true;
                break;
            }
            Some(Err(e)) => return SpoolResult::Failed(format!("Error reading document: {e}")),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if head.len() < 512 {
                        head.extend(data.iter().take(512 - head.len()));
                    }
                    size += data.len();
                    if !data.is_empty() {
                        buffered.push(data);
                    }
                }
            }
        }
    }
    if let Some(r) = room.as_ref().filter(|_| over(size)) {
        return SpoolResult::TooLarge(r.refusal.clone());
    }
    if ended {
        return keep_inline(spool, pages, slot, msg, Collected { head, buffered, size }, seal)
            .await;
    }
    match stream_document(spool, slot, msg, head, buffered, body, seal).await {
        SpoolResult::Document(doc, None) => count_spooled(spool, pages, doc).await,
        other => other,
    }
}

/// The start of a document as read so far.
struct Collected {
    /// Its first bytes, to tell its format.
    head: Vec<u8>,
    buffered: Vec<Bytes>,
    size: usize,
}

/// A document that ended within `INLINE_DOCUMENT`: page-counted, encrypted for a
/// confidential job, and staged for the store thread to keep inside the job store.
async fn keep_inline(
    spool: &quire_store::Spool,
    pages: &std::sync::Arc<quire_backends::PageCounter>,
    slot: Reservation,
    msg: &Message,
    collected: Collected,
    seal: Option<(quire_vault::DataKey, quire_vault::SealedKey)>,
) -> SpoolResult {
    let Collected { head, buffered, size } = collected;
    if size == 0 {
        return SpoolResult::Empty;
    }
    let mut data = Vec::with_capacity(size);
    for chunk in &buffered {
        data.extend_from_slice(chunk);
    }
    drop(buffered);
    let name = Document::inline_name(slot.job_id, slot.doc_number);
    let staged = quire_store::SpooledDocument { file: name.clone().into(), size: size as u64 };
    let mut doc = describe(msg, slot, staged, &head);
    let counter = pages.clone();
    let counted = tokio::task::spawn_blocking(move || {
        let pages = count_pages(&counter, &doc, Some(&data), std::path::Path::new(""));
        doc.pages = pages.as_ref().ok().copied().flatten();
        (doc, data, pages)
    })
    .await;
    let Ok((doc, data, pages)) = counted else {
        return SpoolResult::Failed("page count failed".into());
    };
    if let Err(m) = pages {
        return SpoolResult::Rejected(m);
    }
    let Some((key, sealed)) = seal else {
        spool.stage(&name, data);
        return SpoolResult::Document(doc, None);
    };
    let mut enc = quire_vault::Encryptor::new(&key);
    let mut out = Vec::with_capacity(quire_vault::encrypted_len(data.len() as u64) as usize);
    enc.update(&data, &mut out);
    if let Err(e) = enc.finish(&mut out) {
        return SpoolResult::Failed(format!("Unable to encrypt the document: {e}"));
    }
    drop(data);
    // The job store checks an inline document's bytes against its size.
    let mut doc = doc;
    doc.size = out.len() as u64;
    spool.stage(&name, out);
    SpoolResult::Document(doc, Some(sealed.to_text()))
}

/// A document larger than `INLINE_DOCUMENT`: `buffered` (what has arrived so far) and the
/// rest of the body go to a blocking writer thread through a small bounded channel.
async fn stream_document(
    spool: &quire_store::Spool,
    slot: Reservation,
    msg: &Message,
    mut head: Vec<u8>,
    buffered: Vec<Bytes>,
    mut body: Body,
    seal: Option<(quire_vault::DataKey, quire_vault::SealedKey)>,
) -> SpoolResult {
    let sealed_text = seal.as_ref().map(|(_, s)| s.to_text());
    let enc = seal.as_ref().map(|(k, _)| quire_vault::Encryptor::new(k));
    // A bounded async channel: the handler awaits room (no polling), the writer thread
    // blocks on the next chunk; memory stays at a few chunks whatever the document's size.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let writer_spool = spool.clone();
    let (job_id, doc_number) = (slot.job_id, slot.doc_number);
    let room = slot.room.as_ref().map(|r| r.bytes);
    let task = tokio::task::spawn_blocking(move || {
        write_spool(&writer_spool, (job_id, doc_number), room, enc, buffered, rx)
    });
    let mut ok = true;
    while ok {
        match body.frame().await {
            None => break,
            Some(Err(e)) => {
                drop(tx);
                let _ = task.await;
                return SpoolResult::Failed(format!("Error reading document: {e}"));
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if head.len() < 512 {
                        head.extend(data.iter().take(512 - head.len()));
                    }
                    ok = tx.send(data).await.is_ok();
                }
            }
        }
    }
    drop(tx);
    let spooled = match task.await {
        Ok(Ok(Some(s))) => s,
        Ok(Ok(None)) => return SpoolResult::Empty,
        Ok(Err(Stop::Failed(e))) => return SpoolResult::Failed(e),
        Ok(Err(Stop::TooLarge)) => {
            return SpoolResult::TooLarge(slot.room.map(|r| r.refusal).unwrap_or_default())
        }
        Err(e) => return SpoolResult::Failed(format!("spool writer failed: {e}")),
    };
    let doc = describe(msg, slot, spooled, &head);
    // A sealed spool file is ciphertext: its pages are counted when it prints.
    SpoolResult::Document(doc, sealed_text)
}

/// The blocking writer of a streamed document: what has arrived (`buffered`), then each
/// chunk from `rx`, encrypted with `enc` if set, into spool file (`job_id`, `doc_number`);
/// stops past `room` bytes. `None`: no data at all.
fn write_spool(
    spool: &quire_store::Spool,
    (job_id, doc_number): (i32, i32),
    room: Option<u64>,
    mut enc: Option<quire_vault::Encryptor>,
    buffered: Vec<Bytes>,
    mut rx: tokio::sync::mpsc::Receiver<Bytes>,
) -> Result<Option<quire_store::SpooledDocument>, Stop> {
    let failed = |what: &str, e: &dyn std::fmt::Display| Stop::Failed(format!("{what}: {e}"));
    // Dropping the uncommitted writer (any early return) removes its file.
    let mut writer =
        spool.writer(job_id, doc_number).map_err(|e| failed("Unable to create spool file", &e))?;
    let mut plain: u64 = 0;
    let mut sealed = Vec::new();
    let mut put = |chunk: &[u8], writer: &mut quire_store::SpoolWriter| -> Result<(), Stop> {
        plain += chunk.len() as u64;
        if room.is_some_and(|r| plain > r) {
            return Err(Stop::TooLarge);
        }
        let bytes = match enc.as_mut() {
            Some(e) => {
                sealed.clear();
                e.update(chunk, &mut sealed);
                &sealed[..]
            }
            None => chunk,
        };
        writer.write_all(bytes).map_err(|e| failed("Unable to write spool file", &e))
    };
    for chunk in buffered {
        put(&chunk, &mut writer)?;
    }
    while let Some(chunk) = rx.blocking_recv() {
        put(&chunk, &mut writer)?;
    }
    if plain == 0 {
        return Ok(None);
    }
    if let Some(e) = enc.take() {
        let mut tail = Vec::new();
        e.finish(&mut tail).map_err(|e| failed("Unable to encrypt the document", &e))?;
        writer.write_all(&tail).map_err(|e| failed("Unable to write spool file", &e))?;
    }
    let mut spooled = writer.commit().map_err(|e| failed("Unable to save spool file", &e))?;
    spooled.size = plain;
    Ok(Some(spooled))
}

/// Counts the pages of a document streamed to a (plain) spool file; one that cannot print
/// is removed and refused.
async fn count_spooled(
    spool: &quire_store::Spool,
    pages: &std::sync::Arc<quire_backends::PageCounter>,
    mut doc: Document,
) -> SpoolResult {
    let path = spool.path(std::path::Path::new(&doc.file));
    let counter = pages.clone();
    let counted = tokio::task::spawn_blocking(move || {
        let pages = count_pages(&counter, &doc, None, &path);
        doc.pages = pages.as_ref().ok().copied().flatten();
        if pages.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        (doc, pages)
    })
    .await;
    match counted {
        Ok((_, Err(m))) => SpoolResult::Rejected(m),
        Ok((doc, Ok(_))) => SpoolResult::Document(doc, None),
        Err(e) => SpoolResult::Failed(format!("page count failed: {e}")),
    }
}

fn describe(
    msg: &Message,
    slot: Reservation,
    spooled: quire_store::SpooledDocument,
    head: &[u8],
) -> Document {
    let op = |n: &str| msg.operation_attr(n).and_then(|a| a.first_str()).map(str::to_string);
    let compression = op("compression").filter(|c| c != "none");
    let format = match op("document-format") {
        Some(f) if f != "application/octet-stream" => f,
        _ if compression.is_some() => "application/octet-stream".into(),
        _ => sniff::detect(head).to_string(),
    };
    Document {
        number: slot.doc_number,
        format,
        name: op("document-name").or_else(|| op("job-name")).unwrap_or_default(),
        size: spooled.size,
        file: spooled.file.to_string_lossy().into_owned(),
        compression,
        pages: None,
        uri: None,
    }
}
