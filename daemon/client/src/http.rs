//! Just enough HTTP/1.1 for IPP: one connection, request heads, chunked
//! bodies, and response parsing (status line, headers, Content-Length or
//! chunked or read-to-close, interim 1xx responses), over TCP, TLS or a Unix socket.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use crate::dest::Destination;
use crate::error::ClientError;
use crate::tls::{self, TlsStream};

/// Largest response body we accept by default (`Client::with_max_reply` sets another);
/// a bound so a broken server cannot make us allocate without limit.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;
/// Largest status line or header line.
const MAX_LINE: usize = 16 * 1024;
const MAX_HEADERS: usize = 200;
/// Size of each chunk when streaming a document.
pub(crate) const CHUNK: usize = 64 * 1024;

enum Stream {
    Tcp(TcpStream),
    /// Boxed: a rustls connection is large.
    Tls(Box<TlsStream>),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            // Many printers close without a TLS close_notify: treat that as the end of the
            // stream, as for TCP (HTTP framing and IPP decoding still catch a truncation).
            Stream::Tls(s) => match s.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Stream::Tls(s) = self {
            tls::close(s);
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

impl Stream {
    fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(d),
            Stream::Tls(s) => s.sock.set_read_timeout(d),
            Stream::Unix(s) => s.set_read_timeout(d),
        }
    }
    fn set_write_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_write_timeout(d),
            Stream::Tls(s) => s.sock.set_write_timeout(d),
            Stream::Unix(s) => s.set_write_timeout(d),
        }
    }
    fn set_nonblocking(&self, b: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(b),
            Stream::Tls(s) => s.sock.set_nonblocking(b),
            Stream::Unix(s) => s.set_nonblocking(b),
        }
    }
}

/// A response head: status line and headers (names lower-cased).
#[derive(Debug)]
pub(crate) struct Head {
    pub status: u16,
    pub reason: String,
    pub minor_version: u8,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the server will close the connection after this response.
    pub fn closes(&self) -> bool {
        if self.minor_version == 0 {
            return !self.has_token("connection", "keep-alive");
        }
        self.has_token("connection", "close")
    }
}

/// A complete response.
#[derive(Debug)]
pub(crate) struct Response {
    pub head: Head,
    pub body: Vec<u8>,
    /// The connection cannot be reused.
    pub close: bool,
}

/// One connection with a read buffer, so a partial read (e.g. while waiting
/// for `100 Continue`) is never lost.
pub(crate) struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    pos: usize,
    timeout: Duration,
    /// Largest response body read; a larger one is refused before it is buffered.
    pub max_body: usize,
}

impl Conn {
    pub fn open(dest: &Destination, timeout: Duration) -> Result<Conn, ClientError> {
        let stream = match dest {
            Destination::Unix(path) => Stream::Unix(UnixStream::connect(path)?),
            Destination::Tcp { host, port } => Stream::Tcp(connect_tcp(host, *port, timeout)?),
            Destination::Tls { host, port } => {
                let tcp = connect_tcp(host, *port, timeout)?;
                // Timeouts first: they bound the handshake too.
                tcp.set_read_timeout(Some(timeout))?;
                tcp.set_write_timeout(Some(timeout))?;
                Stream::Tls(Box::new(tls::handshake(host, tcp)?))
            }
        };
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Conn { stream, buf: Vec::new(), pos: 0, timeout, max_body: MAX_BODY })
    }

    /// True if the server closed (or wrote unsolicited bytes to) this idle
    /// connection, so it must not be reused. Over TLS the probe read processes any
    /// records that arrived (session tickets, close_notify) and reports WouldBlock when
    /// no plaintext is pending and the peer is still there, so it works the same way.
    pub fn is_stale(&mut self) -> bool {
        if self.pos < self.buf.len() || self.stream.set_nonblocking(true).is_err() {
            return true;
        }
        let mut probe = [0u8; 1];
        let stale = !matches!(self.stream.read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        stale || self.stream.set_nonblocking(false).is_err()
    }

    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.stream.write_all(data)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }

    /// Writes one chunk of a chunked body (never an empty one: that ends the body).
    pub fn write_chunk(&mut self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let mut out = Vec::with_capacity(data.len() + 16);
        out.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        self.stream.write_all(&out)
    }

    /// Waits up to `wait` for the first bytes of a response. Returns false if
    /// nothing arrived (the caller then sends the body anyway, per RFC 9110).
    pub fn poll_response(&mut self, wait: Duration) -> Result<bool, ClientError> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        self.stream.set_read_timeout(Some(wait.min(self.timeout)))?;
        let got = self.fill();
        self.stream.set_read_timeout(Some(self.timeout))?;
        match got {
            Ok(0) => Err(ClientError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(_) => Ok(true),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn fill(&mut self) -> io::Result<usize> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut tmp = [0u8; 16 * 1024];
        let n = self.stream.read(&mut tmp)?;
        self.buf.extend_from_slice(&tmp[..n]);
        Ok(n)
    }

    /// Reads one CRLF- (or LF-) terminated line, without the terminator.
    fn read_line(&mut self) -> Result<String, ClientError> {
        loop {
            if let Some(i) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                let raw = &self.buf[self.pos..self.pos + i];
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                let line = String::from_utf8_lossy(raw).into_owned();
                self.pos += i + 1;
                return Ok(line);
            }
            if self.buf.len() - self.pos > MAX_LINE {
                return Err(ClientError::Protocol("header line too long".into()));
            }
            if self.fill()? == 0 {
                return Err(ClientError::Io(io::ErrorKind::UnexpectedEof.into()));
            }
        }
    }

    /// Appends exactly `n` bytes to `out`.
    fn read_exact_into(&mut self, mut n: usize, out: &mut Vec<u8>) -> Result<(), ClientError> {
        while n > 0 {
            if self.pos == self.buf.len() && self.fill()? == 0 {
                return Err(ClientError::Protocol("connection closed inside the body".into()));
            }
            let take = n.min(self.buf.len() - self.pos);
            out.extend_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
            n -= take;
        }
        Ok(())
    }

    pub fn read_head(&mut self) -> Result<Head, ClientError> {
        let line = self.read_line()?;
        let mut parts = line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let minor_version = match version {
            "HTTP/1.1" => 1,
            "HTTP/1.0" => 0,
            _ => return Err(ClientError::Protocol(format!("bad status line {line:?}"))),
        };
        let status = parts
            .next()
            .filter(|s| s.len() == 3)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| ClientError::Protocol(format!("bad status line {line:?}")))?;
        let reason = parts.next().unwrap_or("").trim().to_string();
        let mut headers = Vec::new();
        loop {
            let line = self.read_line()?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| ClientError::Protocol(format!("bad header {line:?}")))?;
            if headers.len() >= MAX_HEADERS {
                return Err(ClientError::Protocol("too many headers".into()));
            }
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        Ok(Head { status, reason, minor_version, headers })
    }

    /// Reads the body that follows `head` and returns the whole response.
    pub fn read_body(&mut self, head: Head, no_body: bool) -> Result<Response, ClientError> {
        let mut body = Vec::new();
        let mut close = head.closes();
        let chunked = head
            .header("transfer-encoding")
            .map(|v| v.to_ascii_lowercase().contains("chunked"))
            .unwrap_or(false);
        if no_body || head.status == 204 || head.status == 304 {
            // No body by definition.
        } else if chunked {
            self.read_chunked(&mut body)?;
        } else if let Some(len) = head.header("content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| ClientError::Protocol(format!("bad Content-Length {len:?}")))?;
            if len > self.max_body {
                return Err(ClientError::TooLarge { limit: self.max_body });
            }
            self.read_exact_into(len, &mut body)?;
        } else {
            // No framing: the body runs to the end of the connection.
            self.read_to_close(&mut body)?;
            close = true;
        }
        Ok(Response { head, body, close })
    }

    fn read_chunked(&mut self, body: &mut Vec<u8>) -> Result<(), ClientError> {
        loop {
            let line = self.read_line()?;
            let size_hex = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16)
                .map_err(|_| ClientError::Protocol(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                // Skip any trailer fields up to the blank line.
                while !self.read_line()?.is_empty() {}
                return Ok(());
            }
            if body.len().saturating_add(size) > self.max_body {
                return Err(ClientError::TooLarge { limit: self.max_body });
            }
            self.read_exact_into(size, body)?;
            if !self.read_line()?.is_empty() {
                return Err(ClientError::Protocol("missing CRLF after chunk".into()));
            }
        }
    }

    fn read_to_close(&mut self, body: &mut Vec<u8>) -> Result<(), ClientError> {
        loop {
            // Checked before the bytes are kept: the body never grows past the limit.
            if body.len().saturating_add(self.buf.len() - self.pos) > self.max_body {
                return Err(ClientError::TooLarge { limit: self.max_body });
            }
            body.extend_from_slice(&self.buf[self.pos..]);
            self.pos = self.buf.len();
            if self.fill()? == 0 {
                return Ok(());
            }
        }
    }
}

fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, ClientError> {
    let mut last = None;
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                // Requests are small writes followed by a read: don't let Nagle delay them.
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last
        .map(ClientError::from)
        .unwrap_or_else(|| ClientError::BadDestination(format!("{host}:{port}"))))
}

/// RFC 4648 base64, for the Basic credentials.
pub(crate) fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for c in input.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
