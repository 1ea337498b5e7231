//! The client's error type.

use std::fmt;
use std::io;

use quire_ipp::DecodeError;

#[derive(Debug)]
pub enum ClientError {
    /// Connecting, reading or writing failed.
    Io(io::Error),
    /// The server answered with an HTTP status other than 200 (and not 401).
    Http { status: u16, reason: String },
    /// HTTP 401: the caller may ask for credentials and try again.
    Unauthorized,
    /// The HTTP body was not a valid IPP response.
    BadResponse(DecodeError),
    /// The server sent something that is not valid HTTP/1.x.
    Protocol(String),
    /// No answer within the configured timeout.
    Timeout,
    /// A destination string (`-h`, `CUPS_SERVER`) could not be parsed.
    BadDestination(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "{e}"),
            ClientError::Http { status, reason } => write!(f, "HTTP error {status} {reason}"),
            ClientError::Unauthorized => f.write_str("Unauthorized"),
            ClientError::BadResponse(e) => write!(f, "bad IPP response: {e:?}"),
            ClientError::Protocol(m) => write!(f, "bad HTTP response: {m}"),
            ClientError::Timeout => f.write_str("timed out waiting for the server"),
            ClientError::BadDestination(s) => write!(f, "bad server name \"{s}\""),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            // Socket timeouts surface as WouldBlock on Unix and TimedOut elsewhere.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ClientError::Timeout,
            _ => ClientError::Io(e),
        }
    }
}

impl From<DecodeError> for ClientError {
    fn from(e: DecodeError) -> Self {
        ClientError::BadResponse(e)
    }
}
