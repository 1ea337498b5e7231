//! One big Print-Job over a raw HTTP/1.1 POST on loopback TCP, with `Content-Length` or
//! chunked framing, timed from the first byte sent to the whole response read.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

pub const MIB: usize = 1024 * 1024;

/// How long one upload may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(600);

/// `len` bytes of pseudo-random data (xorshift64*, fixed seed): incompressible, and its first
/// byte is 0, so no format sniffer takes it for a PDF, PostScript, an image or text.
pub fn payload(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    if let Some(b) = out.first_mut() {
        *b = 0;
    }
    out
}

/// How the job is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `job-hold-until=indefinite`: an ordinary held job, spooled in the clear.
    Plain,
    /// `quire-confidential=true` (job template attribute): held automatically, and its document
    /// encrypted as it spools.
    Confidential,
}

/// The Print-Job request (attributes only; the document follows it in the body),
/// `document-format=application/octet-stream`.
pub fn print_job_header(printer_uri: &str, user: &str, job_name: &str, variant: Variant) -> Vec<u8> {
    let mut msg = Message::new((2, 0), Operation::PrintJob.code(), 1);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    g.push(Attribute::new("printer-uri", Value::Uri(printer_uri.to_string())));
    g.push(Attribute::new("requesting-user-name", Value::Name(user.into())));
    g.push(Attribute::new("job-name", Value::Name(job_name.into())));
    g.push(Attribute::new("document-format", Value::MimeMediaType("application/octet-stream".into())));
    let job = msg.group_mut(DelimiterTag::Job);
    match variant {
        Variant::Plain => job.push(Attribute::new("job-hold-until", Value::Keyword("indefinite".into()))),
        Variant::Confidential => job.push(Attribute::new("quire-confidential", Value::Boolean(true))),
    }
    msg.encode()
}

pub struct Upload {
    /// From the first byte written to the last byte of the response read.
    pub elapsed: Duration,
    pub http_status: u16,
    pub ipp_status: Option<u16>,
    pub job_id: Option<i32>,
    /// `status-message`, if the response had one.
    pub message: String,
}

/// POSTs `header` + `document` to `path` on 127.0.0.1:`port`, in 1 MiB writes, with
/// `Content-Length` or (`chunked`) as 1 MiB chunks, and reads the response.
pub fn upload(port: u16, path: &str, header: &[u8], document: &[u8], chunked: bool) -> io::Result<Upload> {
    let mut stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(10))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", header.len() + document.len())
    };
    let head = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/ipp\r\n{framing}\r\n\r\n");

    let t0 = Instant::now();
    let written = (|| -> io::Result<()> {
        if chunked {
            let mut first = head.into_bytes();
            first.extend_from_slice(format!("{:x}\r\n", header.len()).as_bytes());
            first.extend_from_slice(header);
            first.extend_from_slice(b"\r\n");
            stream.write_all(&first)?;
            for chunk in document.chunks(MIB) {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")
        } else {
            let mut first = head.into_bytes();
            first.extend_from_slice(header);
            stream.write_all(&first)?;
            for chunk in document.chunks(MIB) {
                stream.write_all(chunk)?;
            }
            Ok(())
        }
    })();
    // A server that refused early may have answered and closed: read what it said anyway.
    let response = read_response(&mut stream);
    let elapsed = t0.elapsed();
    let (http_status, body) = match (response, written) {
        (Ok(r), _) => r,
        (Err(e), Err(w)) => return Err(io::Error::other(format!("write failed: {w}; then {e}"))),
        (Err(e), Ok(())) => return Err(e),
    };
    let decoded = quire_ipp::decode(&body).ok().map(|(m, _)| m);
    let ipp_status = (body.len() >= 8).then(|| u16::from_be_bytes([body[2], body[3]]));
    let job_id = decoded.as_ref().and_then(|m| m.attr(DelimiterTag::Job, "job-id")).and_then(|a| a.first_i32());
    let message = decoded
        .as_ref()
        .and_then(|m| m.attr(DelimiterTag::Operation, "status-message"))
        .and_then(|a| a.first_str())
        .unwrap_or("")
        .to_string();
    Ok(Upload { elapsed, http_status, ipp_status, job_id, message })
}

/// Reads one HTTP/1.1 response (skipping 1xx): the status and the body.
fn read_response(stream: &mut TcpStream) -> io::Result<(u16, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 16 * 1024];
    let mut more = |buf: &mut Vec<u8>| -> io::Result<()> {
        let n = stream.read(&mut tmp)?;
        if n == 0 {
            return Err(io::Error::other(format!("connection closed after {} bytes of response", buf.len())));
        }
        buf.extend_from_slice(&tmp[..n]);
        Ok(())
    };
    loop {
        let Some(end) = find(&buf, b"\r\n\r\n") else {
            more(&mut buf)?;
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end + 4);
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line in {head:?}")))?;
        if (100..200).contains(&status) {
            continue;
        }
        let header = |name: &str| {
            head.lines().skip(1).find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_ascii_lowercase())
            })
        };
        if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    match find(&buf, b"\r\n") {
                        Some(i) => break i,
                        None => more(&mut buf)?,
                    }
                };
                let hex = String::from_utf8_lossy(&buf[..line_end]).split(';').next().unwrap_or("").trim().to_string();
                let size = usize::from_str_radix(&hex, 16).map_err(|_| io::Error::other(format!("bad chunk size {hex:?}")))?;
                buf.drain(..line_end + 2);
                if size == 0 {
                    return Ok((status, body));
                }
                while buf.len() < size + 2 {
                    more(&mut buf)?;
                }
                body.extend_from_slice(&buf[..size]);
                buf.drain(..size + 2);
            }
        }
        let len = header("content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        while buf.len() < len {
            more(&mut buf)?;
        }
        buf.truncate(len);
        return Ok((status, buf));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
