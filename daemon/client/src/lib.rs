//! A small blocking IPP-over-HTTP/1.1 client for the `quire` CLI and tests.
//!
//! std only: one keep-alive connection over TCP or a Unix socket, requests
//! encoded with `quire-ipp`, documents streamed with chunked transfer coding
//! so a file is never read into memory whole. No TLS (yet).
#![forbid(unsafe_code)]

mod client;
mod dest;
mod error;
mod http;
mod request;

pub use client::Client;
pub use dest::{Destination, DEFAULT_PORT, DEFAULT_SOCKET};
pub use error::ClientError;
pub use request::{current_user, next_request_id, request, request_as};
