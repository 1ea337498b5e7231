//! A small blocking IPP-over-HTTP/1.1 client for the `quire` CLI and tests.
//!
//! Blocking: one keep-alive connection over TCP, TLS (rustls; certificates are
//! accepted as with CUPS's `AllowAnyRoot`, see [`Destination::Tls`]) or a Unix
//! socket, requests encoded with `quire-ipp`, documents streamed with chunked
//! transfer coding so a file is never read into memory whole.
#![forbid(unsafe_code)]

mod client;
mod dest;
mod error;
mod http;
mod request;
mod tls;

pub use client::Client;
pub use dest::{Destination, DEFAULT_PORT, DEFAULT_SOCKET};
pub use error::{ClientError, MAX_ERROR_TEXT};
pub use request::{current_user, next_request_id, request, request_as};
