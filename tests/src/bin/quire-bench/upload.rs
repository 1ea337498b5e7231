//! One big Print-Job over a raw HTTP/1.1 POST on loopback TCP, with `Content-Length` or
//! chunked framing, timed from the first byte sent to the whole response read. The document
//! is written piece by piece, so a generated one is never held whole.

use std::io::{self, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use quire_ipp::DelimiterTag;
use quire_tests::http::read_response_within;

pub const MIB: usize = 1024 * 1024;

/// What the server answered, and how long it took.
pub struct Upload {
    /// Document bytes written to the socket (all of them unless the server cut us off).
    pub sent: u64,
    /// From the first byte written to the whole response read.
    pub elapsed: Duration,
    pub http_status: u16,
    /// The IPP status-code of the response.
    pub ipp_status: Option<u16>,
    /// The job-id in the response, if any.
    pub job_id: Option<i32>,
    /// `status-message`, if the response had one.
    pub message: String,
}

/// The document after the IPP request: its pieces (one write each, or one chunk each when
/// `chunked`) and their total length.
pub struct Document<'a, I: Iterator<Item = &'a [u8]>> {
    pub pieces: I,
    pub len: u64,
    pub chunked: bool,
}

/// POSTs `header` (an encoded IPP request) and `doc` to `path` on 127.0.0.1:`port`, then
/// reads the response; the whole exchange may take `limit`.
pub fn upload<'a, I: Iterator<Item = &'a [u8]>>(
    port: u16,
    path: &str,
    header: &[u8],
    doc: Document<'a, I>,
    limit: Duration,
) -> io::Result<Upload> {
    let mut stream =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(10))?;
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(limit))?;
    let framing = if doc.chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", header.len() as u64 + doc.len)
    };
    let mut first =
        format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/ipp\r\n{framing}\r\n\r\n").into_bytes();
    if doc.chunked {
        first.extend_from_slice(format!("{:x}\r\n", header.len()).as_bytes());
        first.extend_from_slice(header);
        first.extend_from_slice(b"\r\n");
    } else {
        first.extend_from_slice(header);
    }
    let t0 = Instant::now();
    let mut sent = 0u64;
    let written = (|| -> io::Result<()> {
        stream.write_all(&first)?;
        for piece in doc.pieces {
            if doc.chunked {
                stream.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
                stream.write_all(piece)?;
                stream.write_all(b"\r\n")?;
            } else {
                stream.write_all(piece)?;
            }
            sent += piece.len() as u64;
        }
        if doc.chunked {
            stream.write_all(b"0\r\n\r\n")?;
        }
        Ok(())
    })();
    // A server that refused early may have answered and closed: read what it said anyway.
    let response = read_response_within(&mut stream, limit).map_err(io::Error::from);
    let elapsed = t0.elapsed();
    let resp = match (response, written) {
        (Ok(r), _) => r,
        (Err(e), Err(w)) => {
            return Err(io::Error::other(format!("write failed after {sent} bytes: {w}; then {e}")))
        }
        (Err(e), Ok(())) => return Err(e),
    };
    let body = &resp.body;
    let decoded = quire_ipp::decode(body).ok().map(|(m, _)| m);
    let ipp_status = (body.len() >= 8).then(|| u16::from_be_bytes([body[2], body[3]]));
    let job_id = decoded
        .as_ref()
        .and_then(|m| m.attr(DelimiterTag::Job, "job-id"))
        .and_then(|a| a.first_i32());
    let message = decoded
        .as_ref()
        .and_then(|m| m.attr(DelimiterTag::Operation, "status-message"))
        .and_then(|a| a.first_str())
        .unwrap_or("")
        .to_string();
    Ok(Upload { sent, elapsed, http_status: resp.status, ipp_status, job_id, message })
}
