//! A minimal keep-alive IPP-over-HTTP/1.1 client for load generation.
//!
//! Requests are encoded once with the quire-ipp codec and sent with `Content-Length` (document
//! data, if any, appended to the body) in a single write; responses are read with
//! `Content-Length` or chunked framing. The client does as little work as possible per request
//! (the status code is read from the raw bytes; full decoding only when asked) so that on a
//! small machine it takes as little CPU away from the server under test as possible.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

/// The user the bench submits and queries jobs as.
pub const USER: &str = "bench";

/// Where a server listens: loopback TCP, or its Unix socket (as CUPS's local clients use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Tcp(u16),
    Unix(PathBuf),
}

/// A connected stream of either kind.
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// One keep-alive connection to a server on 127.0.0.1 (or on its Unix socket).
pub struct Conn {
    stream: Stream,
    host: String,
    buf: Vec<u8>,
    start: usize,
}

impl Conn {
    pub fn connect(port: u16, timeout: Duration) -> io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Conn::over(Stream::Tcp(stream), format!("127.0.0.1:{port}")))
    }

    /// A connection to the Unix socket at `path` (Host: localhost, as libcups sends).
    pub fn connect_unix(path: &Path, timeout: Duration) -> io::Result<Conn> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Conn::over(Stream::Unix(stream), "localhost".to_string()))
    }

    pub fn connect_to(to: &Endpoint, timeout: Duration) -> io::Result<Conn> {
        match to {
            Endpoint::Tcp(port) => Conn::connect(*port, timeout),
            Endpoint::Unix(path) => Conn::connect_unix(path, timeout),
        }
    }

    fn over(stream: Stream, host: String) -> Conn {
        Conn { stream, host, buf: Vec::with_capacity(64 * 1024), start: 0 }
    }

    /// POSTs `body` (an encoded IPP request, plus document data) to `path`; returns the HTTP
    /// response body (the encoded IPP response). An HTTP status other than 200 is an error.
    pub fn post(&mut self, path: &str, body: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(body.len() + 160);
        write!(
            out,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        )?;
        out.extend_from_slice(body);
        self.stream.write_all(&out)?;
        loop {
            let (status, headers) = self.read_head()?;
            if (100..200).contains(&status) {
                continue;
            }
            let body = self.read_body(&headers)?;
            if status != 200 {
                return Err(other(format!("HTTP status {status}")));
            }
            return Ok(body);
        }
    }

    /// The TCP socket, for a connection kept open idle after its requests (the buffer is let
    /// go); None for a Unix socket connection.
    pub fn into_tcp_stream(self) -> Option<TcpStream> {
        match self.stream {
            Stream::Tcp(s) => Some(s),
            Stream::Unix(_) => None,
        }
    }

    /// POSTs and returns the IPP status code (from the raw response bytes).
    pub fn call_status(&mut self, path: &str, body: &[u8]) -> io::Result<u16> {
        let resp = self.post(path, body)?;
        ipp_status(&resp)
    }

    /// POSTs and decodes the whole IPP response.
    pub fn call(&mut self, path: &str, body: &[u8]) -> io::Result<Message> {
        let resp = self.post(path, body)?;
        quire_ipp::decode(&resp)
            .map(|(m, _)| m)
            .map_err(|e| other(format!("bad IPP response: {e:?}")))
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        let len = self.buf.len();
        self.buf.resize(len + 32 * 1024, 0);
        let n = loop {
            match self.stream.read(&mut self.buf[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(len + n);
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// Takes `n` buffered bytes (reading more as needed).
    fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() - self.start < n {
            self.fill()?;
        }
        let out = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        Ok(out)
    }

    /// One CRLF-terminated line, without the CRLF.
    fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = self.buf[self.start..].windows(2).position(|w| w == b"\r\n") {
                let line =
                    String::from_utf8_lossy(&self.buf[self.start..self.start + i]).into_owned();
                self.start += i + 2;
                return Ok(line);
            }
            self.fill()?;
        }
    }

    fn read_head(&mut self) -> io::Result<(u16, Vec<(String, String)>)> {
        let status_line = self.line()?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| other(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = self.line()?;
            if line.is_empty() {
                return Ok((status, headers));
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
    }

    fn read_body(&mut self, headers: &[(String, String)]) -> io::Result<Vec<u8>> {
        let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
            let mut body = Vec::new();
            loop {
                let size_line = self.line()?;
                let hex = size_line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(hex, 16)
                    .map_err(|_| other(format!("bad chunk {hex:?}")))?;
                if size == 0 {
                    // Trailers, then the empty line.
                    while !self.line()?.is_empty() {}
                    return Ok(body);
                }
                body.extend_from_slice(&self.take(size)?);
                self.take(2)?;
            }
        }
        let len: usize = get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        self.take(len)
    }
}

pub fn other(msg: String) -> io::Error {
    io::Error::other(msg)
}

/// The status-code of an encoded IPP response.
pub fn ipp_status(resp: &[u8]) -> io::Result<u16> {
    if resp.len() < 8 {
        return Err(other(format!("short IPP response ({} bytes)", resp.len())));
    }
    Ok(u16::from_be_bytes([resp[2], resp[3]]))
}

/// IPP "successful-ok" and its variants (0x0000-0x00ff).
pub fn is_ok(status: u16) -> bool {
    status < 0x100
}

/// A request on `printer_uri` as `user`: IPP/2.0, request-id 1, the charset and language,
/// printer-uri and requesting-user-name.
pub fn request_as(op: Operation, printer_uri: &str, user: &str) -> Message {
    let mut msg = Message::request(op, 1);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("printer-uri", Value::Uri(printer_uri.to_string())));
    g.push(Attribute::new("requesting-user-name", Value::Name(user.into())));
    msg
}

fn base_request(op: Operation, printer_uri: &str) -> Message {
    request_as(op, printer_uri, USER)
}

/// `requested-attributes` naming `names`.
pub fn requested(names: &[&str]) -> Attribute {
    Attribute::set("requested-attributes", quire_ipp::build::keywords(names))
}

/// Get-Printer-Attributes with requested-attributes=all.
pub fn get_printer_attributes(printer_uri: &str) -> Vec<u8> {
    let mut msg = base_request(Operation::GetPrinterAttributes, printer_uri);
    msg.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("requested-attributes", Value::Keyword("all".into())));
    msg.encode()
}

/// A Print-Job request as `user` (attributes only; the document follows it in the body):
/// `name`, document-format `format`, and `job` as job template attributes.
pub fn print_job_header(
    printer_uri: &str,
    user: &str,
    name: &str,
    format: &str,
    job: Vec<Attribute>,
) -> Vec<u8> {
    let mut msg = request_as(Operation::PrintJob, printer_uri, user);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-name", Value::Name(name.into())));
    g.push(Attribute::new("document-format", Value::MimeMediaType(format.into())));
    if !job.is_empty() {
        msg.group_mut(DelimiterTag::Job).attributes.extend(job);
    }
    msg.encode()
}

/// `job-hold-until=indefinite`: the job is held, nothing prints.
pub fn held() -> Attribute {
    Attribute::new("job-hold-until", Value::Keyword("indefinite".into()))
}

/// Print-Job of `document` (a PDF) named `name`, with these job template attributes.
pub fn print_job(printer_uri: &str, name: &str, job: Vec<Attribute>, document: &[u8]) -> Vec<u8> {
    let mut body = print_job_header(printer_uri, USER, name, "application/pdf", job);
    body.extend_from_slice(document);
    body
}

/// Print-Job of `document` (a PDF), held with job-hold-until=indefinite.
pub fn print_job_held(printer_uri: &str, document: &[u8]) -> Vec<u8> {
    print_job(printer_uri, "bench", vec![held()], document)
}

/// Get-Jobs which-jobs=not-completed for the bench's attributes.
pub fn get_jobs(printer_uri: &str) -> Vec<u8> {
    let mut msg = base_request(Operation::GetJobs, printer_uri);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("which-jobs", Value::Keyword("not-completed".into())));
    g.push(requested(&["job-id", "job-state", "job-name", "job-originating-user-name"]));
    msg.encode()
}

/// The number of job groups in a Get-Jobs response.
pub fn job_count(resp: &Message) -> usize {
    resp.groups.iter().filter(|g| g.tag == DelimiterTag::Job).count()
}
