//! Where the scheduler (or printer) is: a TCP host and port, the same over TLS, or a
//! Unix domain socket; CLI strings are parsed with CUPS's conventions (`-h`, `CUPS_SERVER`).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::ClientError;

/// The IPP port CUPS uses when none is given.
pub const DEFAULT_PORT: u16 = 631;
/// The local scheduler socket, preferred when it exists.
pub const DEFAULT_SOCKET: &str = "/run/cups/cups.sock";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Tcp {
        host: String,
        port: u16,
    },
    /// TLS from the first byte (`ipps://`, `https://`). The server's certificate is not
    /// validated, as with CUPS's `AllowAnyRoot` default; see the `tls` module.
    Tls {
        host: String,
        port: u16,
    },
    Unix(PathBuf),
}

impl Destination {
    /// Parses `host`, `host:port`, `[v6addr]:port`, a bare IPv6 address, or
    /// `/path/to/socket`. A trailing `/version=1.1` (CUPS syntax) is ignored.
    pub fn parse(s: &str) -> Result<Destination, ClientError> {
        let bad = || ClientError::BadDestination(s.to_string());
        let s = s.trim();
        if s.starts_with('/') {
            return Ok(Destination::Unix(PathBuf::from(s)));
        }
        // CUPS allows "host:port/version=1.1"; we only speak 2.0 and ignore it.
        let s = match s.find("/version=") {
            Some(i) => &s[..i],
            None => s,
        };
        if s.is_empty() {
            return Err(bad());
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let end = rest.find(']').ok_or_else(bad)?;
            let host = &rest[..end];
            let port = match &rest[end + 1..] {
                "" => DEFAULT_PORT,
                p => parse_port(p.strip_prefix(':').ok_or_else(bad)?).ok_or_else(bad)?,
            };
            (host, port)
        } else if s.matches(':').count() > 1 {
            // An unbracketed IPv6 address cannot carry a port.
            (s, DEFAULT_PORT)
        } else if let Some((h, p)) = s.split_once(':') {
            (h, parse_port(p).ok_or_else(bad)?)
        } else {
            (s, DEFAULT_PORT)
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(bad());
        }
        Ok(Destination::Tcp { host: host.to_string(), port })
    }

    /// `CUPS_SERVER` if set and valid, else the local socket if it exists,
    /// else `localhost:631`.
    pub fn from_env() -> Destination {
        let var = std::env::var("CUPS_SERVER").ok();
        Self::resolve(var.as_deref(), Path::new(DEFAULT_SOCKET))
    }

    /// The decision behind [`from_env`](Self::from_env), with its inputs explicit.
    pub fn resolve(cups_server: Option<&str>, socket: &Path) -> Destination {
        if let Some(d) =
            cups_server.filter(|s| !s.trim().is_empty()).and_then(|s| Self::parse(s).ok())
        {
            return d;
        }
        if socket.exists() {
            return Destination::Unix(socket.to_path_buf());
        }
        Destination::Tcp { host: "localhost".into(), port: DEFAULT_PORT }
    }

    /// The value of the HTTP `Host` header. CUPS sends "localhost" over the
    /// local socket, and the scheduler's host checks expect that.
    pub fn host_header(&self) -> String {
        match self {
            Destination::Unix(_) => "localhost".to_string(),
            Destination::Tcp { host, port } | Destination::Tls { host, port } => {
                format!("{}:{port}", bracket(host))
            }
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Unix(p) => write!(f, "{}", p.display()),
            Destination::Tcp { host, port } => write!(f, "{}:{port}", bracket(host)),
            Destination::Tls { host, port } => write!(f, "{}:{port} (TLS)", bracket(host)),
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse::<u16>().ok().filter(|&n| n != 0)
}

#[cfg(test)]
#[path = "dest_tests.rs"]
mod tests;
