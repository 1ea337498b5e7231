//! The connection layer every HTTP client in Quire is built on: this crate's [`Client`]
//! and quired's pull printing. TCP with Nagle off, TLS from [`crate::tls`], and hyper's
//! HTTP/1.1 client connection with one set of settings.
//!
//! [`Client`]: crate::Client

use std::error::Error;
use std::io;
use std::time::Duration;

use hyper::body::Body;
use hyper::client::conn::http1::{Builder, Connection, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// Most header fields a response may have.
pub const MAX_HEADERS: usize = 200;

/// Connects to `host:port`, trying each address it resolves to for at most `wait` (a
/// timeout is `io::ErrorKind::TimedOut`). Requests are small writes followed by a read:
/// Nagle's algorithm is off so it does not delay them.
pub async fn connect_tcp(host: &str, port: u16, wait: Duration) -> io::Result<TcpStream> {
    let timed_out = || io::Error::from(io::ErrorKind::TimedOut);
    let addrs =
        timeout(wait, tokio::net::lookup_host((host, port))).await.map_err(|_| timed_out())??;
    let mut last = None;
    for addr in addrs {
        match timeout(wait, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) => last = Some(e),
            Err(_) => last = Some(timed_out()),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("no address for {host}:{port}"))
    }))
}

/// hyper's HTTP/1.1 client handshake over `io` (no I/O happens yet). Header names go out
/// in title case (`Content-Type`), as CUPS and printers' embedded servers are used to.
pub async fn handshake<I, B>(io: I) -> hyper::Result<(SendRequest<B>, Connection<TokioIo<I>, B>)>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    B: Body + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    Builder::new()
        .title_case_headers(true)
        .max_headers(MAX_HEADERS)
        .handshake(TokioIo::new(io))
        .await
}

/// A connection spawned on the current runtime, aborted when this is dropped.
pub struct ConnTask(JoinHandle<()>);

impl ConnTask {
    /// Runs `conn` in the background; its errors reach the caller through the response or
    /// its body.
    pub fn spawn<I, B>(conn: Connection<TokioIo<I>, B>) -> ConnTask
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn Error + Send + Sync>>,
    {
        ConnTask(tokio::spawn(async move {
            let _ = conn.await;
        }))
    }
}

impl Drop for ConnTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An error and its sources, since hyper's own messages are terse.
pub fn error_chain(e: &dyn Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
