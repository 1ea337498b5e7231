//! The blocking client: one keep-alive connection, IPP POSTs and plain GETs, on hyper's
//! client driven by a current-thread runtime of its own.

use std::io::{self, Read};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, EXPECT, HOST, TRANSFER_ENCODING, USER_AGENT,
};
use http::{Method, Request};
use quire_ipp::{Message, Operation};
use tokio::runtime::Runtime;

use crate::dest::Destination;
use crate::error::{error_text, ClientError};
use crate::http::{base64, Conn, Limits, Progress, Reply, MAX_BODY};
use crate::request::{current_user, request_as};

const AGENT: &str = "quire/0.1";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Deliberately not `Debug`: it holds the Basic credentials, which must never reach a
/// log or an error message.
///
/// Blocking: call it from a plain thread (or `spawn_blocking`), never from async code, where
/// its runtime could not run.
pub struct Client {
    dest: Destination,
    /// Before `runtime`, so the connection is dropped (its socket closed) first.
    conn: Option<Conn>,
    runtime: Runtime,
    timeout: Duration,
    auth: Option<String>,
    user: String,
    max_reply: usize,
}

impl Client {
    /// Connects now, so a dead scheduler is reported early.
    pub fn connect(dest: Destination) -> Result<Client, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let conn = runtime.block_on(Conn::open(&dest, DEFAULT_TIMEOUT))?;
        Ok(Client {
            dest,
            conn: Some(conn),
            runtime,
            timeout: DEFAULT_TIMEOUT,
            auth: None,
            user: current_user(),
            max_reply: MAX_BODY,
        })
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
        let body = (request.encode(), "application/ipp");
        let resp = self.exchange(Method::POST, resource, Some(body), document)?;
        match resp.status {
            200 => {}
            401 => return Err(ClientError::Unauthorized),
            status => {
                let body = error_text(resp.content_type.as_deref(), &resp.body);
                return Err(ClientError::Http { status, reason: resp.reason, body });
            }
        }
        let (msg, _rest) = quire_ipp::decode(&resp.body)?;
        Ok(msg)
    }

    /// GETs `path` (a PPD, a page); any status but 401 is returned to the caller.
    pub fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>), ClientError> {
        let resp = self.exchange(Method::GET, path, None, None)?;
        if resp.status == 401 {
            return Err(ClientError::Unauthorized);
        }
        Ok((resp.status, resp.body))
    }

    /// PUTs `body` (of type `content_type`) to `path`, as cupsctl puts a configuration file;
    /// the status and body are returned to the caller, except a 401.
    pub fn put(
        &mut self,
        path: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let resp = self.exchange(Method::PUT, path, Some((body, content_type)), None)?;
        if resp.status == 401 {
            return Err(ClientError::Unauthorized);
        }
        Ok((resp.status, resp.body))
    }

    /// One request/response, reconnecting once if a reused connection turns
    /// out to be dead before any document byte or response byte moved.
    fn exchange(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(Vec<u8>, &'static str)>,
        mut document: Option<&mut dyn Read>,
    ) -> Result<Reply, ClientError> {
        let body_len = body.as_ref().map(|(b, kind)| (b.len(), *kind));
        let body = Bytes::from(body.map(|(b, _)| b).unwrap_or_default());
        let limits = Limits { timeout: self.timeout, max_body: self.max_reply };
        for attempt in 0..2 {
            let reused = self.ensure_conn()?;
            let mut progress = Progress::default();
            let head = self.head(&method, path, body_len, document.is_some())?;
            let doc = document.as_mut().map(|d| &mut **d as &mut dyn Read);
            let conn =
                self.conn.as_mut().ok_or(ClientError::Io(io::ErrorKind::NotConnected.into()))?;
            match self.runtime.block_on(conn.exchange(
                head,
                body.clone(),
                doc,
                limits,
                &mut progress,
            )) {
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
            if !self.runtime.block_on(conn.is_stale()) {
                return Ok(true);
            }
        }
        self.conn = None;
        self.conn = Some(self.runtime.block_on(Conn::open(&self.dest, self.timeout))?);
        Ok(false)
    }

    /// The request head: `body_len` is the body's length and type (an IPP message's,
    /// a configuration file's), if there is one; `chunked` means a document follows it
    /// (`Expect: 100-continue`).
    fn head(
        &self,
        method: &Method,
        path: &str,
        body_len: Option<(usize, &'static str)>,
        chunked: bool,
    ) -> Result<Request<()>, ClientError> {
        let mut h = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.dest.host_header())
            .header(USER_AGENT, AGENT);
        if let Some(auth) = &self.auth {
            h = h.header(AUTHORIZATION, format!("Basic {auth}"));
        }
        if let Some((len, kind)) = body_len {
            h = h.header(CONTENT_TYPE, kind);
            h = if chunked {
                h.header(TRANSFER_ENCODING, "chunked").header(EXPECT, "100-continue")
            } else {
                h.header(CONTENT_LENGTH, len)
            };
        }
        h.body(()).map_err(|e| {
            ClientError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{method} {path:?}: {e}"),
            ))
        })
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
