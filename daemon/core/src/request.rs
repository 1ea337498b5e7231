//! What a handler gets: the request, who sent it, and the object it targets.

use crate::document::Document;
use crate::error::{IppError, IppResult};
use quire_ipp::{Attribute, Message};

/// Who is asking. Filled in by the daemon from the connection and the request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Requester {
    /// The authenticated user, else `requesting-user-name`, else "anonymous".
    pub user: String,
    /// Whether `user` was proven (peer credentials or HTTP authentication).
    pub authenticated: bool,
    /// Member of the system group (may administer printers and all jobs).
    pub admin: bool,
    /// Client host name or address, for `job-originating-host-name`.
    pub host: String,
    /// How `user` was proven.
    pub method: AuthMethod,
    /// The groups `user` belongs to (for `Require group` and `@group`).
    pub groups: Vec<String>,
    /// The client's address (None on the Unix socket), for Allow/Deny.
    pub addr: Option<std::net::IpAddr>,
    /// This host's network interfaces whose subnet holds `addr` (cupsd's `@LOCAL` and
    /// `@IF(name)`), found by the daemon; empty for a client on no attached network.
    pub networks: Vec<Network>,
    /// The request came over TLS (for `Encryption Required`).
    pub tls: bool,
}

/// A network interface of this host the client is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Network {
    /// The interface's name ("eth0").
    pub interface: String,
    /// A local network for `@LOCAL`: cupsd counts every interface but point-to-point links.
    pub local: bool,
}

/// How a requester's identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethod {
    /// Claimed only (`requesting-user-name`).
    #[default]
    None,
    /// The kernel says which uid owns the client socket (Unix socket, or loopback TCP).
    PeerCred,
    /// A password checked by PAM (HTTP Basic).
    Password,
}

impl Requester {
    pub fn may_manage_job(&self, owner: &str) -> bool {
        self.admin || self.user == owner
    }

    /// A client the kernel places on this host: the Unix socket, or a loopback TCP socket
    /// whose owner the daemon looked up (`PeerCred`). A loopback client without that proof
    /// may be a proxy for another host (CUPS 2.4.17 allows only the Unix socket where it
    /// must be sure; 2.4.2 any loopback client).
    pub fn is_on_this_host(&self) -> bool {
        self.addr.is_none() || (self.is_local() && self.method == AuthMethod::PeerCred)
    }

    /// Local clients: the Unix socket or a loopback address (cupsd always allows these
    /// through Allow/Deny).
    pub fn is_local(&self) -> bool {
        self.addr.is_none_or(|a| a.is_loopback())
    }
}

/// How the client reached us: used to build `printer-uri-supported`, `job-uri`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct UriBase {
    /// "ipp" or "ipps".
    pub scheme: String,
    /// host:port as the client addressed us (Host header), e.g. "localhost:631".
    pub authority: String,
}

impl UriBase {
    pub fn uri(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.authority, path)
    }
}

/// An IPP request as handed to the core.
#[derive(Debug, Clone)]
pub struct Request {
    pub message: Message,
    /// The HTTP resource it was posted to ("/", "/printers/Q", "/admin/", ...).
    pub resource: String,
    pub base: UriBase,
    /// The document that followed the attributes, already spooled by the daemon.
    pub document: Option<Document>,
    /// Attributes fetched from the device for `ppd-name=everywhere` (CUPS-Add-Modify-Printer).
    pub device_attributes: Option<Vec<Attribute>>,
    /// Why the device could not be queried for `device_attributes` (for the status-message).
    pub device_error: Option<String>,
    /// Devices discovered by the daemon (CUPS-Get-Devices).
    pub devices: Vec<DeviceInfo>,
    /// The sealed key of `document` when the daemon encrypted it (confidential jobs).
    pub sealed_key: Option<String>,
    /// The daemon's check of the request's `job-password` against a PIN job's keys.
    pub pin_ok: Option<bool>,
    /// For a new PIN job: a key sealed with the PIN, kept to check the PIN at release.
    pub pin_check: Option<String>,
    /// Bytes of document the HTTP request declares after its IPP attributes
    /// (Content-Length less the attributes), when it is not chunked.
    pub declared_document_size: Option<u64>,
}

impl Request {
    pub fn new(message: Message, resource: &str, base: UriBase) -> Self {
        Request {
            message,
            resource: resource.to_string(),
            base,
            document: None,
            device_attributes: None,
            device_error: None,
            devices: Vec::new(),
            sealed_key: None,
            pin_ok: None,
            pin_check: None,
            declared_document_size: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub class: String,
    pub uri: String,
    pub make_and_model: String,
    pub info: String,
    pub device_id: String,
    pub location: String,
}

/// What an operation acts on, resolved from printer-uri / job-uri / job-id.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The server as a whole (`ipp://host/`), or an operation with no target.
    Server,
    /// A printer or class, by its key in `Scheduler::printers`.
    Printer(String),
    /// A printer-uri naming a queue that does not exist yet (CUPS-Add-Modify-*).
    NewPrinter(String),
    Job(i32),
}

/// The path part of an ipp/ipps/http/https URI.
pub fn uri_path(uri: &str) -> IppResult<&str> {
    // A bare path, as cupsd takes it (gnome-settings-daemon subscribes on `/`).
    if uri.starts_with('/') {
        return Ok(uri);
    }
    let rest = uri
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or_else(|| IppError::BadRequest(format!("Bad URI \"{uri}\".")))?;
    Ok(rest.find('/').map(|i| &rest[i..]).unwrap_or("/"))
}
