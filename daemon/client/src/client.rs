//! The blocking client: one keep-alive connection, IPP POSTs and plain GETs.

use std::io::{self, Read};
use std::time::Duration;

use quire_ipp::{Message, Operation};

use crate::dest::Destination;
use crate::error::{error_text, ClientError};
use crate::http::{base64, Conn, Response, CHUNK};
use crate::request::{current_user, request_as};

const USER_AGENT: &str = "quire/0.1";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for `100 Continue` before sending a document anyway.
const CONTINUE_WAIT: Duration = Duration::from_secs(1);

/// Deliberately not `Debug`: it holds the Basic credentials, which must never reach a
/// log or an error message.
pub struct Client {
    dest: Destination,
    conn: Option<Conn>,
    timeout: Duration,
    auth: Option<String>,
    user: String,
    max_reply: usize,
}

/// What happened on a failed attempt, to decide whether resending is safe.
#[derive(Default)]
struct Progress {
    document_started: bool,
    response_started: bool,
}

impl Client {
    /// Connects now, so a dead scheduler is reported early.
    pub fn connect(dest: Destination) -> Result<Client, ClientError> {
        let conn = Conn::open(&dest, DEFAULT_TIMEOUT)?;
        Ok(Client { dest, conn: Some(conn), timeout: DEFAULT_TIMEOUT, auth: None, user: current_user(), max_reply: crate::http::MAX_BODY })
    }

    /// Sends `Authorization: Basic base64(user:password)` with every request from now on,
    /// on this connection and any it reopens. The credentials are never logged.
    pub fn with_basic_auth(mut self, user: &str, password: &str) -> Client {
        self.auth = Some(base64(format!("{user}:{password}").as_bytes()));
        self
    }

    /// The requesting-user-name put into requests built with [`Client::request`].
    pub fn with_user(mut self, user: &str) -> Client {
        self.user = user.to_string();
        self
    }

    /// Connect, read and write timeout (default 30 s); applies to new connections.
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self.conn = None;
        self
    }

    /// The largest response body this client reads (default 64 MiB); a larger one fails
    /// with [`ClientError::TooLarge`] without being buffered. For answers from devices,
    /// which are claims and may be hostile, set a bound that fits what is asked.
    pub fn with_max_reply(mut self, bytes: usize) -> Client {
        self.max_reply = bytes;
        if let Some(c) = self.conn.as_mut() {
            c.max_body = bytes;
        }
        self
    }

    pub fn destination(&self) -> &Destination {
        &self.dest
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// A request with the standard operation attributes, as this client's user.
    pub fn request(&self, op: Operation, printer_uri: Option<&str>) -> Message {
        request_as(op, printer_uri, &self.user)
    }

    /// POSTs an IPP request (followed by `document`, streamed, if any) to
    /// `resource` and decodes the IPP response. IPP-level errors are in the
    /// returned message's status code, not an `Err`.
    pub fn send(
        &mut self,
        resource: &str,
        request: &Message,
        document: Option<&mut dyn Read>,
    ) -> Result<Message, ClientError> {
        let body = request.encode();
        let resp = self.exchange("POST", resource, Some(&body), document)?;
        match resp.head.status {
            200 => {}
            401 => return Err(ClientError::Unauthorized),
            status => {
                let body = error_text(resp.head.header("content-type"), &resp.body);
                return Err(ClientError::Http { status, reason: resp.head.reason, body });
            }
        }
        let (msg, _rest) = quire_ipp::decode(&resp.body)?;
        Ok(msg)
    }

    /// GETs `path` (a PPD, a page); any status but 401 is returned to the caller.
    pub fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>), ClientError> {
        let resp = self.exchange("GET", path, None, None)?;
        if resp.head.status == 401 {
            return Err(ClientError::Unauthorized);
        }
        Ok((resp.head.status, resp.body))
    }

    /// One request/response, reconnecting once if a reused connection turns
    /// out to be dead before any document byte or response byte moved.
    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        mut document: Option<&mut dyn Read>,
    ) -> Result<Response, ClientError> {
        for attempt in 0..2 {
            let reused = self.ensure_conn()?;
            let mut progress = Progress::default();
            let doc = document.as_mut().map(|d| &mut **d as &mut dyn Read);
            match self.attempt(method, path, body, doc, &mut progress) {
                Ok(resp) => {
                    if resp.close {
                        self.conn = None;
                    }
                    return Ok(resp);
                }
                Err(e) => {
                    self.conn = None;
                    let retry = attempt == 0
                        && reused
                        && !progress.document_started
                        && !progress.response_started
                        && is_connection_loss(&e);
                    if !retry {
                        return Err(e);
                    }
                }
            }
        }
        Err(ClientError::Io(io::ErrorKind::ConnectionReset.into()))
    }

    /// Makes sure there is a live connection; returns true if it was reused.
    fn ensure_conn(&mut self) -> Result<bool, ClientError> {
        if let Some(conn) = self.conn.as_mut() {
            if !conn.is_stale() {
                return Ok(true);
            }
        }
        let mut conn = Conn::open(&self.dest, self.timeout)?;
        conn.max_body = self.max_reply;
        self.conn = Some(conn);
        Ok(false)
    }

    fn head_text(&self, method: &str, path: &str, body: Option<&[u8]>, chunked: bool) -> String {
        let mut h = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\n",
            self.dest.host_header()
        );
        if let Some(auth) = &self.auth {
            h.push_str(&format!("Authorization: Basic {auth}\r\n"));
        }
        if let Some(body) = body {
            h.push_str("Content-Type: application/ipp\r\n");
            if chunked {
                h.push_str("Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n");
            } else {
                h.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
        }
        h.push_str("\r\n");
        h
    }

    fn attempt(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        document: Option<&mut dyn Read>,
        progress: &mut Progress,
    ) -> Result<Response, ClientError> {
        let chunked = document.is_some();
        let head = self.head_text(method, path, body, chunked);
        let conn = self.conn.as_mut().ok_or(ClientError::Io(io::ErrorKind::NotConnected.into()))?;
        match document {
            None => {
                let mut out = head.into_bytes();
                out.extend_from_slice(body.unwrap_or(&[]));
                conn.write_all(&out)?;
                conn.flush()?;
            }
            Some(doc) => {
                conn.write_all(head.as_bytes())?;
                conn.flush()?;
                if let Some(early) = wait_continue(conn, progress)? {
                    return Ok(early);
                }
                conn.write_chunk(body.unwrap_or(&[]))?;
                stream_document(conn, doc, progress)?;
            }
        }
        read_final(conn, method == "HEAD", progress)
    }
}

/// After sending a head with `Expect: 100-continue`: `Ok(None)` means go on
/// with the body (got 100, or nothing came in time); `Ok(Some(resp))` is a
/// final response sent instead (e.g. 401), after which the connection is
/// closed because the server may still expect the unsent body.
fn wait_continue(conn: &mut Conn, progress: &mut Progress) -> Result<Option<Response>, ClientError> {
    if !conn.poll_response(CONTINUE_WAIT)? {
        return Ok(None);
    }
    progress.response_started = true;
    let head = conn.read_head()?;
    if (100..200).contains(&head.status) {
        return Ok(None);
    }
    let mut resp = conn.read_body(head, false)?;
    resp.close = true;
    Ok(Some(resp))
}

fn stream_document(conn: &mut Conn, doc: &mut dyn Read, progress: &mut Progress) -> Result<(), ClientError> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match doc.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ClientError::Io(e)),
        };
        progress.document_started = true;
        conn.write_chunk(&buf[..n])?;
    }
    conn.write_all(b"0\r\n\r\n")?;
    conn.flush()?;
    Ok(())
}

/// Reads responses until a final (non-1xx) one.
fn read_final(conn: &mut Conn, no_body: bool, progress: &mut Progress) -> Result<Response, ClientError> {
    loop {
        let head = conn.read_head()?;
        progress.response_started = true;
        if (100..200).contains(&head.status) && head.status != 101 {
            continue;
        }
        return conn.read_body(head, no_body);
    }
}

/// Errors that mean "the server dropped the idle connection".
fn is_connection_loss(e: &ClientError) -> bool {
    match e {
        ClientError::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::UnexpectedEof
        ),
        _ => false,
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
