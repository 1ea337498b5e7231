//! Shared by crash_safety.rs and bad_input.rs: a raw HTTP/1.1 client over std::net (every read
//! under a deadline, so a server that hangs fails the test instead of hanging it) and small IPP
//! helpers built on the quire-ipp codec.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

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

/// A `POST /path HTTP/1.1` with `Content-Type: application/ipp` and an exact Content-Length.
pub fn ipp_post_bytes(path: &str, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// Sends `request` as-is to 127.0.0.1:`port` and reads one HTTP response.
/// With `close_write` the client half-closes after sending (the body may be short on purpose).
pub fn exchange(port: u16, request: &[u8], close_write: bool, limit: Duration) -> Result<HttpResponse, NoResponse> {
    let deadline = Instant::now() + limit;
    let mut s = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), limit).map_err(NoResponse::Io)?;
    s.set_write_timeout(Some(limit)).map_err(NoResponse::Io)?;
    // A server may answer (and close) before it has read everything: a failed write is not fatal.
    let _ = s.write_all(request);
    if close_write {
        let _ = s.shutdown(Shutdown::Write);
    }
    read_response(&mut s, deadline)
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
        let chunked = resp.header("Transfer-Encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
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

/// A request with attributes-charset, attributes-natural-language and (if given) printer-uri,
/// requesting-user-name `user`, IPP/2.0.
pub fn request(op: Operation, printer_uri: Option<&str>, user: &str, id: i32) -> Message {
    let mut msg = Message::new((2, 0), op.code(), id);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    if let Some(uri) = printer_uri {
        g.push(Attribute::new("printer-uri", Value::Uri(uri.into())));
    }
    g.push(Attribute::new("requesting-user-name", Value::Name(user.into())));
    msg
}

pub fn op_attr(msg: &mut Message, attr: Attribute) {
    msg.group_mut(DelimiterTag::Operation).push(attr);
}

pub fn job_attr(msg: &mut Message, attr: Attribute) {
    msg.group_mut(DelimiterTag::Job).push(attr);
}

/// POSTs an encoded request (plus `document`) to `path` and decodes the IPP answer.
pub fn ipp(port: u16, path: &str, msg: &Message, document: &[u8]) -> Result<(u16, Message, Vec<u8>), String> {
    let mut body = msg.encode();
    body.extend_from_slice(document);
    let resp = exchange(port, &ipp_post_bytes(path, &body), false, Duration::from_secs(60))
        .map_err(|e| format!("no HTTP response: {e:?}"))?;
    let (m, rest) = resp.ipp().ok_or_else(|| format!("HTTP {} with a body that is not IPP", resp.status))?;
    Ok((resp.status, m, rest))
}

/// The status-code name (or hex when unknown).
pub fn status_name(code: u16) -> String {
    quire_ipp::StatusCode::from_u16(code).map(|s| s.name().to_string()).unwrap_or_else(|| format!("0x{code:04x}"))
}

pub fn status_message(msg: &Message) -> Option<String> {
    msg.operation_attr("status-message").and_then(|a| a.first_str()).map(String::from)
}

/// All attributes of every group with `tag`, each group as one list (one per job in Get-Jobs).
pub fn groups(msg: &Message, tag: DelimiterTag) -> Vec<&[Attribute]> {
    msg.groups.iter().filter(|g| g.tag == tag).map(|g| g.attributes.as_slice()).collect()
}

pub fn find_attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name == name)
}

/// A copy of a real PDF with a unique comment appended after `%%EOF` (still a valid PDF), so
/// every job's bytes are distinguishable; `pad` extra comment bytes make it larger.
pub fn unique_pdf(base: &[u8], tag: &str, pad: usize) -> Vec<u8> {
    let mut doc = base.to_vec();
    if !doc.ends_with(b"\n") {
        doc.push(b'\n');
    }
    doc.extend_from_slice(format!("% quire-test {tag}\n").as_bytes());
    let line = format!("% padding for {tag} .................................................\n");
    while doc.len() < base.len() + pad {
        doc.extend_from_slice(line.as_bytes());
    }
    doc
}
