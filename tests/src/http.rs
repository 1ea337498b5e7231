//! A raw HTTP/1.1 client over std::net for the tests: every read under a deadline, so a
//! server that hangs fails the test instead of hanging it. It sends exactly the bytes it is
//! given (bad requests included) and reads one response, skipping interim 1xx answers.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use quire_ipp::Message;

/// Default limit for one whole exchange (connect, send, read the full response).
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The IPP message in the body and the bytes after it (document data), if the body decodes.
    pub fn ipp(&self) -> Option<(Message, Vec<u8>)> {
        quire_ipp::decode(&self.body).ok().map(|(m, rest)| (m, rest.to_vec()))
    }
}

/// How an exchange ended when no complete HTTP response arrived.
#[derive(Debug)]
pub enum NoResponse {
    /// The server closed the connection before (or in the middle of) a response.
    Closed(Vec<u8>),
    /// Nothing (or not all) arrived before the deadline: the server hangs.
    TimedOut(Vec<u8>),
    Io(io::Error),
}

impl From<NoResponse> for io::Error {
    fn from(e: NoResponse) -> io::Error {
        match e {
            NoResponse::Closed(got) => {
                io::Error::other(format!("connection closed after {} bytes of response", got.len()))
            }
            NoResponse::TimedOut(got) => io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no complete response in time ({} bytes)", got.len()),
            ),
            NoResponse::Io(e) => e,
        }
    }
}

/// A `POST /path HTTP/1.1` with `Content-Type: application/ipp` and an exact Content-Length.
pub fn ipp_post_bytes(path: &str, body: &[u8]) -> Vec<u8> {
    ipp_post_bytes_to("localhost", path, None, body)
}

/// [`ipp_post_bytes`] with a `Host` header and, optionally, HTTP Basic credentials.
pub fn ipp_post_bytes_to(
    host: &str,
    path: &str,
    basic: Option<(&str, &str)>,
    body: &[u8],
) -> Vec<u8> {
    use base64::Engine;
    let auth = basic
        .map(|(u, p)| base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}")))
        .map(|b| format!("Authorization: Basic {b}\r\n"))
        .unwrap_or_default();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n{auth}\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// Sends `request` as-is to `addr` and reads one HTTP response. With `close_write` the
/// client half-closes after sending (the body may be short on purpose).
pub fn exchange_at(
    addr: SocketAddr,
    request: &[u8],
    close_write: bool,
    limit: Duration,
) -> Result<HttpResponse, NoResponse> {
    let deadline = Instant::now() + limit;
    let mut s = TcpStream::connect_timeout(&addr, limit).map_err(NoResponse::Io)?;
    s.set_write_timeout(Some(limit)).map_err(NoResponse::Io)?;
    // A server may answer (and close) before it has read everything: a failed write is not fatal.
    let _ = s.write_all(request);
    if close_write {
        let _ = s.shutdown(Shutdown::Write);
    }
    read_response(&mut s, deadline)
}

/// Reads one HTTP response (skipping 1xx) from `stream` within `limit`, after a request the
/// caller wrote itself (a big body streamed in pieces).
pub fn read_response_within(
    stream: &mut TcpStream,
    limit: Duration,
) -> Result<HttpResponse, NoResponse> {
    read_response(stream, Instant::now() + limit)
}

fn read_response(s: &mut TcpStream, deadline: Instant) -> Result<HttpResponse, NoResponse> {
    let mut buf: Vec<u8> = Vec::new();
    let more = |s: &mut TcpStream, buf: &mut Vec<u8>| -> Result<bool, NoResponse> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NoResponse::TimedOut(std::mem::take(buf)));
        }
        s.set_read_timeout(Some(left)).map_err(NoResponse::Io)?;
        let mut chunk = [0u8; 65536];
        match s.read(&mut chunk) {
            Ok(0) => Ok(false),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Err(NoResponse::TimedOut(std::mem::take(buf)))
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Ok(false),
            Err(e) => Err(NoResponse::Io(e)),
        }
    };
    loop {
        // Skip interim 1xx responses (100 Continue).
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i;
            }
            if !more(s, &mut buf)? {
                return Err(NoResponse::Closed(buf));
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| NoResponse::Closed(buf.clone()))?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut rest = buf.split_off(head_end + 4);
        if (100..200).contains(&status) {
            buf = rest;
            continue;
        }
        let mut resp = HttpResponse { status, headers, body: Vec::new() };
        let chunked = resp
            .header("Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let length = resp.header("Content-Length").and_then(|v| v.parse::<usize>().ok());
        if chunked {
            loop {
                match dechunk(&rest) {
                    Some(body) => {
                        resp.body = body;
                        return Ok(resp);
                    }
                    None => {
                        if !more(s, &mut rest)? {
                            return Err(NoResponse::Closed(rest));
                        }
                    }
                }
            }
        } else if let Some(n) = length {
            while rest.len() < n {
                if !more(s, &mut rest)? {
                    return Err(NoResponse::Closed(rest));
                }
            }
            rest.truncate(n);
        } else {
            while more(s, &mut rest)? {}
        }
        resp.body = rest;
        return Ok(resp);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The decoded body of a complete chunked stream, `None` while more bytes are needed.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if data.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// The request line of an HTTP request read from `conn` (for a test's own document or device
/// server), its header lines read and dropped.
pub fn read_request_line(conn: &TcpStream) -> String {
    use std::io::BufRead;
    let Ok(clone) = conn.try_clone() else { return String::new() };
    let mut reader = io::BufReader::new(clone);
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    first
}
