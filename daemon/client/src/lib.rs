//! Quire's HTTP client, on hyper: a blocking IPP-over-HTTP/1.1 API for the `quire` CLI,
//! the backends and the tests, and the connection layer quired's pull printing shares.
//!
//! [`Client`]: one keep-alive connection over TCP, TLS (rustls; certificates are accepted as
//! with CUPS's `AllowAnyRoot`, see [`Destination::Tls`]) or a Unix socket, requests encoded
//! with `quire-ipp`, documents streamed with chunked transfer coding so a file is never read
//! into memory whole, and answers read only up to a cap ([`Client::with_max_reply`]). It
//! runs hyper's client on a current-thread tokio runtime of its own.
//!
//! [`transport`] and [`tls::config_builder`]: the TCP, TLS and HTTP/1.1 connection set-up
//! every Quire client uses, for async callers.

mod client;
mod dest;
mod error;
mod http;
mod request;
pub mod tls;
pub mod transport;

pub use client::Client;
pub use dest::{Destination, DEFAULT_PORT, DEFAULT_SOCKET};
pub use error::{ClientError, MAX_ERROR_TEXT};
pub use request::{current_user, next_request_id, request, request_as};
