//! One HTTP/1.1 connection on hyper's client: opening it over TCP, TLS or a Unix socket, one
//! request with its `Expect: 100-continue` wait and streamed document, and the response read
//! up to a cap. The connection is driven only while a request runs, on the caller's runtime
//! (the blocking [`Client`](crate::Client) uses a current-thread one), so dropping it closes
//! the socket at once.

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Request, Response, StatusCode, Version};
use http_body_util::channel::Channel;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper::ext::ReasonPhrase;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Notify;

use crate::dest::Destination;
use crate::error::{from_hyper, ClientError};
use crate::{tls, transport};

/// Largest response body we accept by default (`Client::with_max_reply` sets another);
/// a bound so a broken server cannot make us allocate without limit.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;
/// Size of each chunk when streaming a document.
pub(crate) const CHUNK: usize = 64 * 1024;
/// How long to wait for `100 Continue` before sending a document anyway.
const CONTINUE_WAIT: Duration = Duration::from_secs(1);

/// What a connection runs over: TCP, TLS or a Unix socket.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A request body: the IPP message alone, or the message then a document fed in chunks.
pub(crate) type Body = Either<Full<Bytes>, Channel<Bytes, io::Error>>;

/// hyper's side of a connection: it reads and writes only when polled.
type Driver = Pin<Box<Connection<TokioIo<Box<dyn Io>>, Body>>>;

/// Bounds of one exchange.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Longest wait for any one step: connecting, the server taking a chunk, an answer.
    pub timeout: Duration,
    /// Largest response body read; a larger one is refused before it is buffered.
    pub max_body: usize,
}

/// What happened on a failed attempt, to decide whether resending is safe.
#[derive(Default)]
pub(crate) struct Progress {
    pub document_started: bool,
    pub response_started: bool,
}

/// A complete response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub reason: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The connection cannot be reused.
    pub close: bool,
}

pub(crate) struct Conn {
    sender: SendRequest<Body>,
    driver: Driver,
    /// The connection ended (the peer closed it, or it failed).
    ended: bool,
}

impl Conn {
    /// Connects (and runs the TLS handshake), all within `timeout`.
    pub async fn open(dest: &Destination, timeout: Duration) -> Result<Conn, ClientError> {
        let io = tokio::time::timeout(timeout, connect(dest, timeout))
            .await
            .map_err(|_| ClientError::Timeout)??;
        let (sender, driver) = transport::handshake(io).await.map_err(from_hyper)?;
        Ok(Conn { sender, driver: Box::pin(driver), ended: false })
    }

    /// True if the server closed this idle connection (or wrote to it out of turn), so it
    /// must not be reused. The connection first reads what arrived while it was idle: a
    /// close, or over TLS records such as session tickets, which it takes quietly.
    pub async fn is_stale(&mut self) -> bool {
        let Conn { sender, driver, ended } = self;
        drive(driver, ended, async {
            for _ in 0..2 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        *ended || sender.is_closed()
    }

    /// Sends `head` with the IPP message `ipp` as its body (then `document`, streamed, if
    /// any) and reads the response.
    pub async fn exchange(
        &mut self,
        head: Request<()>,
        ipp: Bytes,
        document: Option<&mut dyn Read>,
        limits: Limits,
        progress: &mut Progress,
    ) -> Result<Reply, ClientError> {
        let Conn { sender, driver, ended } = self;
        let op = async {
            within(limits.timeout, sender.ready()).await?.map_err(from_hyper)?;
            match document {
                None => {
                    let answer = within(
                        limits.timeout,
                        sender.send_request(head.map(|()| Either::Left(Full::new(ipp)))),
                    );
                    let response = answer.await?.map_err(from_hyper)?;
                    progress.response_started = true;
                    read_reply(response, limits).await
                }
                Some(doc) => upload(sender, head, ipp, doc, limits, progress).await,
            }
        };
        drive(driver, ended, op).await
    }
}

async fn connect(dest: &Destination, timeout: Duration) -> Result<Box<dyn Io>, ClientError> {
    Ok(match dest {
        Destination::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
        Destination::Tcp { host, port } => Box::new(tcp(host, *port, timeout).await?),
        Destination::Tls { host, port } => {
            Box::new(tls::handshake(host, tcp(host, *port, timeout).await?).await?)
        }
    })
}

async fn tcp(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<tokio::net::TcpStream, ClientError> {
    transport::connect_tcp(host, port, timeout).await.map_err(|e| match e.kind() {
        // The name resolved to no address.
        io::ErrorKind::InvalidInput => ClientError::BadDestination(format!("{host}:{port}")),
        _ => e.into(),
    })
}

/// Runs `op` while driving the connection (which reads and writes only when polled).
async fn drive<F: Future>(driver: &mut Driver, ended: &mut bool, op: F) -> F::Output {
    tokio::pin!(op);
    loop {
        tokio::select! {
            biased;
            out = &mut op => return out,
            // Its errors reach `op` through the response or its body.
            _ = driver.as_mut(), if !*ended => *ended = true,
        }
    }
}

/// Sends a request whose body is the IPP message and a document: the head first, with
/// `Expect: 100-continue`; the body once the server said `100 Continue`, or after
/// [`CONTINUE_WAIT`] without an answer (RFC 9110 §10.1.1). A final answer instead (a 401, a
/// 413) is returned without sending the document.
async fn upload(
    sender: &mut SendRequest<Body>,
    head: Request<()>,
    ipp: Bytes,
    doc: &mut dyn Read,
    limits: Limits,
    progress: &mut Progress,
) -> Result<Reply, ClientError> {
    let (mut feed, body) = Channel::new(2);
    let mut req = head.map(|()| Either::Right(body));
    let continued = Arc::new(Notify::new());
    let on_continue = Arc::clone(&continued);
    hyper::ext::on_informational(&mut req, move |r| {
        if r.status() == StatusCode::CONTINUE {
            on_continue.notify_one();
        }
    });
    let response = sender.send_request(req);
    tokio::pin!(response);
    tokio::select! {
        answer = &mut response => return early(answer, limits, progress).await,
        () = continued.notified() => progress.response_started = true,
        () = tokio::time::sleep(CONTINUE_WAIT.min(limits.timeout)) => {}
    }
    let mut next = Some(ipp);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let chunk = match next.take() {
            Some(ipp) => ipp,
            None => match read_some(doc, &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    progress.document_started = true;
                    Bytes::copy_from_slice(&buf[..n])
                }
                Err(e) => {
                    // The body must not end as if complete: the server would take a
                    // truncated document.
                    feed.abort(io::Error::new(e.kind(), e.to_string()));
                    return Err(ClientError::Io(e));
                }
            },
        };
        tokio::select! {
            biased;
            answer = &mut response => return early(answer, limits, progress).await,
            sent = tokio::time::timeout(limits.timeout, feed.send_data(chunk)) => match sent {
                Err(_) => return Err(ClientError::Timeout),
                // The connection stopped taking the body: its answer says why.
                Ok(Err(_)) => break,
                Ok(Ok(())) => {}
            },
        }
    }
    drop(feed);
    let response = within(limits.timeout, &mut response).await?.map_err(from_hyper)?;
    progress.response_started = true;
    read_reply(response, limits).await
}

/// A final answer that came before the document was all sent. The connection is not
/// reused: the server may still expect the rest of the body, which is left unfinished (so
/// hyper never ends it) while the answer is read.
async fn early(
    answer: hyper::Result<Response<Incoming>>,
    limits: Limits,
    progress: &mut Progress,
) -> Result<Reply, ClientError> {
    let response = answer.map_err(from_hyper)?;
    progress.response_started = true;
    let mut reply = read_reply(response, limits).await?;
    reply.close = true;
    Ok(reply)
}

fn read_some(doc: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match doc.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Reads the response body, refusing one larger than `limits.max_body` before it is
/// buffered (a declared length at once, else as soon as the bytes read pass it).
async fn read_reply(response: Response<Incoming>, limits: Limits) -> Result<Reply, ClientError> {
    let status = response.status();
    let reason = match response.extensions().get::<ReasonPhrase>() {
        Some(r) => String::from_utf8_lossy(r.as_bytes()).trim().to_string(),
        None => status.canonical_reason().unwrap_or_default().to_string(),
    };
    let headers = response.headers();
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let close = closes(response.version(), headers);
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let too_large = ClientError::TooLarge { limit: limits.max_body };
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return Err(too_large);
    }
    let mut body = response.into_body();
    let mut out = Vec::new();
    while let Some(frame) = within(limits.timeout, body.frame()).await? {
        // Trailer fields are skipped.
        let Ok(data) = frame.map_err(from_hyper)?.into_data() else { continue };
        if out.len().saturating_add(data.len()) > limits.max_body {
            return Err(too_large);
        }
        out.extend_from_slice(&data);
    }
    Ok(Reply { status: status.as_u16(), reason, content_type, body: out, close })
}

/// Whether the server will close the connection after a response with these headers.
pub(crate) fn closes(version: Version, headers: &HeaderMap) -> bool {
    let has = |token: &str| {
        headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    if version == Version::HTTP_10 {
        return !has("keep-alive");
    }
    has("close")
}

/// `fut`, or [`ClientError::Timeout`] after `wait`.
async fn within<F: Future>(wait: Duration, fut: F) -> Result<F::Output, ClientError> {
    tokio::time::timeout(wait, fut).await.map_err(|_| ClientError::Timeout)
}

/// RFC 4648 base64, for the Basic credentials.
pub(crate) fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for c in input.chunks(3) {
        let n = u32::from(c[0]) << 16
            | u32::from(*c.get(1).unwrap_or(&0)) << 8
            | u32::from(*c.get(2).unwrap_or(&0));
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
