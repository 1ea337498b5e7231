//! The answer to a connection over `MaxClients` or `MaxClientsPerHost`: `503 Service
//! Unavailable` with `Retry-After`, written at once without reading the request, then close.
//!
//! cupsd stops accepting once `MaxClients` are open (new clients wait in the backlog, then
//! time out) and closes a connection over `MaxClientsPerHost` at once, so a client cannot
//! tell a full server from a broken one. The answer here costs a write of a constant into an
//! empty socket buffer. The request is then drained (read and discarded, bounded) for a
//! moment before closing, because closing a socket with unread input sends a reset that can
//! destroy the answer before the client reads it; at most `MAX_DRAINING` connections are
//! drained at once, past that a refused connection is closed right after the write.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Semaphore;

use super::admission::Refusal;

/// How long a client is asked to wait before trying again.
pub(crate) const RETRY_AFTER_SECS: u32 = 10;
/// Refused connections drained at the same time (each holds a descriptor meanwhile).
pub(crate) const MAX_DRAINING: usize = 128;
/// The longest a refused connection is kept, and the most of the request read from it.
const DRAIN_TIME: Duration = Duration::from_secs(2);
const DRAIN_BYTES: usize = 64 * 1024;

/// The whole response for `why`, head and body.
pub(crate) fn response(why: Refusal) -> Vec<u8> {
    let body = match why {
        Refusal::Full => {
            "The server has too many connections open (MaxClients); try again later.\n"
        }
        Refusal::PerHost => {
            "Your host has too many connections open to this server (MaxClientsPerHost); \
             close some or try again later.\n"
        }
    };
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {RETRY_AFTER_SECS}\r\n\
         Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Limits the refused connections being drained.
#[derive(Clone)]
pub(crate) struct Refuser {
    draining: Arc<Semaphore>,
}

impl Default for Refuser {
    fn default() -> Self {
        Refuser { draining: Arc::new(Semaphore::new(MAX_DRAINING)) }
    }
}

impl Refuser {
    /// Answers `stream` with the 503 for `why` and closes it, draining it first when a slot
    /// is free.
    pub(crate) fn refuse<S>(&self, stream: S, why: Refusal)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let permit = Arc::clone(&self.draining).try_acquire_owned().ok();
        tokio::spawn(async move {
            let _permit = permit.as_ref();
            let answer = async {
                let mut stream = stream;
                if stream.write_all(&response(why)).await.is_err() {
                    return;
                }
                let _ = stream.shutdown().await;
                if permit.is_some() {
                    drain(&mut stream).await;
                }
            };
            // Over the time limit, dropping the stream closes it.
            let _ = tokio::time::timeout(DRAIN_TIME, answer).await;
        });
    }
}

/// Reads and discards until end of input, an error, or `DRAIN_BYTES`.
async fn drain<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    while total < DRAIN_BYTES {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => total += n,
        }
    }
}
