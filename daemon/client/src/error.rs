//! The client's error type.

use std::fmt;
use std::io;

use quire_ipp::DecodeError;

/// The most of an error response's text kept in [`ClientError::Http`].
pub const MAX_ERROR_TEXT: usize = 1024;

#[derive(Debug)]
pub enum ClientError {
    /// Connecting, reading or writing failed.
    Io(io::Error),
    /// The server answered with an HTTP status other than 200 (and not 401). `body` is
    /// the response's text when it was plain text (e.g. a 403's "too many failed logins
    /// ...; try again in 300 s"), trimmed and cut to [`MAX_ERROR_TEXT`] bytes; else empty.
    Http { status: u16, reason: String, body: String },
    /// HTTP 401: the caller may ask for credentials and try again.
    Unauthorized,
    /// The HTTP body was not a valid IPP response.
    BadResponse(DecodeError),
    /// The server sent something that is not valid HTTP/1.x.
    Protocol(String),
    /// The response body is larger than the client takes (`Client::with_max_reply`); it was
    /// not read past that limit.
    TooLarge { limit: usize },
    /// No answer within the configured timeout.
    Timeout,
    /// A destination string (`-h`, `CUPS_SERVER`) could not be parsed.
    BadDestination(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "{e}"),
            ClientError::Http { status, reason, .. } => write!(f, "HTTP error {status} {reason}"),
            ClientError::Unauthorized => f.write_str("Unauthorized"),
            ClientError::BadResponse(e) => write!(f, "bad IPP response: {e:?}"),
            ClientError::Protocol(m) => write!(f, "bad HTTP response: {m}"),
            ClientError::TooLarge { limit } => {
                write!(f, "the response is larger than the limit of {limit} bytes")
            }
            ClientError::Timeout => f.write_str("timed out waiting for the server"),
            ClientError::BadDestination(s) => write!(f, "bad server name \"{s}\""),
        }
    }
}

/// The text of an error response's body, if it is plain text (or untyped), trimmed and
/// cut at a character boundary to at most [`MAX_ERROR_TEXT`] bytes.
pub(crate) fn error_text(content_type: Option<&str>, body: &[u8]) -> String {
    let plain =
        content_type.is_none_or(|t| t.trim().to_ascii_lowercase().starts_with("text/plain"));
    if !plain {
        return String::new();
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_TEXT + 4)]);
    let mut text = text.trim();
    if text.len() > MAX_ERROR_TEXT {
        let mut end = MAX_ERROR_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text = text[..end].trim_end();
    }
    text.to_string()
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

/// hyper's error as ours: a malformed response is [`ClientError::Protocol`]; a connection that
/// failed keeps the kind of its I/O error, so a dropped idle connection is seen as one (an
/// end before any answer is `UnexpectedEof`, a connection that would take no request
/// `ConnectionReset`).
pub(crate) fn from_hyper(e: hyper::Error) -> ClientError {
    let text = crate::transport::error_chain(&e);
    if e.is_parse() || e.is_parse_status() || e.is_parse_too_large() {
        return ClientError::Protocol(text);
    }
    if e.is_timeout() {
        return ClientError::Timeout;
    }
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<io::Error>() {
            return ClientError::from(io::Error::new(io.kind(), text));
        }
        source = inner.source();
    }
    let kind = if e.is_incomplete_message() {
        io::ErrorKind::UnexpectedEof
    } else if e.is_canceled() || e.is_closed() {
        io::ErrorKind::ConnectionReset
    } else {
        io::ErrorKind::Other
    };
    ClientError::Io(io::Error::new(kind, text))
}

impl From<DecodeError> for ClientError {
    fn from(e: DecodeError) -> Self {
        ClientError::BadResponse(e)
    }
}
