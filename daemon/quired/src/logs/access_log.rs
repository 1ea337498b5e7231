//! The access log: one line per HTTP request in cupsd's variant of the Common Log Format,
//! `host - user [date] "METHOD resource HTTP/1.1" status bytes ipp-operation ipp-status`,
//! and cupsd's `AccessLogLevel` rules for which requests are worth a line.

use super::stamp::LogClock;
use axum::body::Body;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use quire_config::AccessLogLevel;
use quire_ipp::{Operation, StatusCode};
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

/// What the access log says of one request.
#[derive(Debug, Clone)]
pub struct AccessEntry {
    /// "localhost" for loopback and local-socket clients (as cupsd), else the address.
    pub host: String,
    /// The user who proved who they are (a password), else None ("-").
    pub user: Option<String>,
    /// When the request arrived.
    pub started: SystemTime,
    pub method: String,
    /// The request target (path and query).
    pub resource: String,
    /// "HTTP/1.1" or "HTTP/1.0".
    pub version: &'static str,
    pub status: u16,
    /// Bytes of the request body read (cupsd's count for a POST), or of the answer sent
    /// for a GET.
    pub bytes: u64,
    /// The IPP operation code, once the request's attributes were read.
    pub operation: Option<u16>,
    /// The IPP status of the answer, when it was an IPP answer.
    pub ipp_status: Option<u16>,
}

/// The IPP operation and status of an answer, carried to the access log in the response's
/// extensions.
#[derive(Debug, Clone, Copy, Default)]
pub struct IppExchange {
    pub operation: Option<u16>,
    pub status: Option<u16>,
}

/// The client's name as cupsd writes it.
pub fn client_host(peer: Option<IpAddr>) -> String {
    match peer {
        None => "localhost".into(),
        Some(ip) if ip.is_loopback() => "localhost".into(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) if v4.is_loopback() => "localhost".into(),
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        Some(ip) => ip.to_string(),
    }
}

impl AccessEntry {
    /// The line around its date: `host - user` and `"METHOD resource version" status bytes
    /// operation ipp-status` (control characters in what the client sent escaped).
    pub fn fields(&self) -> (String, String) {
        let user = self.user.as_deref().filter(|u| !u.is_empty()).unwrap_or("-");
        let who = format!("{} - {user}", self.host);
        let operation = self.operation.map_or_else(|| "-".to_string(), operation_name);
        let status = self.ipp_status.map_or_else(|| "-".to_string(), status_name);
        let what = format!(
            "\"{} {} {}\" {} {} {operation} {status}",
            self.method, self.resource, self.version, self.status, self.bytes,
        );
        let escaped = |s: String| quire_core::log_text::escape(&s).into_owned();
        (escaped(who), escaped(what))
    }

    /// The file line: `host - user [date] "METHOD resource HTTP/1.1" status bytes op status`.
    pub fn line(&self, clock: &LogClock) -> String {
        let (who, what) = self.fields();
        format!("{who} {} {what}", clock.stamp(self.started))
    }

    /// cupsd's `AccessLogLevel` rules: below `all`, plain page and file requests are left
    /// out, and so are successful (or not-found) IPP requests of operations above the level
    /// (`config`: changes to queues and the server; `actions`: those and what users do to
    /// jobs and subscriptions). Errors are always logged.
    pub fn wanted_at(&self, level: AccessLogLevel) -> bool {
        if level >= AccessLogLevel::All {
            return true;
        }
        let under = |prefix: &str| self.resource.starts_with(prefix);
        let simple = match self.method.as_str() {
            "GET" => !under("/admin/conf") && !under("/admin/log"),
            "POST" => self.operation.is_none() && !under("/admin"),
            "PUT" => false,
            _ => true,
        };
        if simple {
            return false;
        }
        let quiet =
            |status: u16| status < 0x0200 || status == StatusCode::ClientErrorNotFound.code();
        match (self.operation, self.ipp_status) {
            (Some(op), Some(status)) if quiet(status) => {
                operation_level(op).is_none_or(|needs| needs <= level)
            }
            _ => true,
        }
    }
}

fn operation_name(op: u16) -> String {
    Operation::from_u16(op).map_or_else(|| format!("0x{op:04x}"), |o| o.name().to_string())
}

fn status_name(status: u16) -> String {
    StatusCode::from_u16(status).map_or_else(|| format!("0x{status:04x}"), |s| s.name().into())
}

/// The least `AccessLogLevel` at which a successful request of operation `op` is logged,
/// as cupsd classes the operations it knows (None: it logs them at every level).
fn operation_level(op: u16) -> Option<AccessLogLevel> {
    use AccessLogLevel::{Actions, All, Config};
    Some(match op {
        // Queries (and codes IPP reserves).
        0x0000 | 0x0001 | 0x0009..=0x000b | 0x000f | 0x0018 | 0x0019 | 0x001c => All,
        0x001e..=0x0021 => All,
        // Printer and server administration.
        0x0010..=0x0013 | 0x0015 | 0x0022..=0x0024 | 0x0027..=0x002b => Config,
        // What users do to jobs and subscriptions.
        0x0002..=0x0008 | 0x000c..=0x000e | 0x0014 | 0x0016 | 0x0017 | 0x001a | 0x001b => Actions,
        0x001d | 0x0025 | 0x0026 | 0x002c..=0x0031 => Actions,
        // CUPS-Get-Default, -Get-Printers, -Get-Classes, -Get-PPD.
        0x4001 | 0x4002 | 0x4005 | 0x400f => All,
        // CUPS-Move-Job, CUPS-Authenticate-Job.
        0x400d | 0x400e => Actions,
        // Adding, changing and removing queues, defaults, devices and PPD lists.
        0x4003 | 0x4004 | 0x4006..=0x400c => Config,
        _ => return None,
    })
}

/// A request body that counts the bytes read from it (the access log's byte count).
pub struct CountingBody {
    inner: Body,
    read: Arc<AtomicU64>,
}

impl CountingBody {
    /// `body` counted into the returned counter.
    pub fn wrap(body: Body) -> (Body, Arc<AtomicU64>) {
        let read = Arc::new(AtomicU64::new(0));
        (Body::new(CountingBody { inner: body, read: read.clone() }), read)
    }
}

impl HttpBody for CountingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                self.read.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
#[path = "access_log_tests.rs"]
mod tests;
