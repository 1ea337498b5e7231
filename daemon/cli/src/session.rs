//! The session with the scheduler every command opens: its settings (`-h`, `-U`, `-E`), the
//! requests and their IPP status, the errors a command ends with, and the URIs and resources
//! CUPS's commands use.

use std::fmt;

use quire_client::{Client, ClientError, Destination};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, StatusCode, Value};

#[derive(Debug)]
pub enum CliError {
    /// Bad command line; the message is printed after "PROG: ".
    Usage(String),
    /// Any other failure, printed after "PROG: ".
    Msg(String),
    /// The scheduler could not be reached or spoke nonsense.
    Client(ClientError),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Msg(m) => f.write_str(m),
            CliError::Client(ClientError::Unauthorized) => f.write_str(
                "Unauthorized (set QUIRE_PASSWORD and -U user for Basic authentication).",
            ),
            CliError::Client(e @ (ClientError::Io(_) | ClientError::Timeout)) => {
                write!(f, "Unable to connect to server: {e}")
            }
            CliError::Client(e) => write!(f, "{e}"),
        }
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> Self {
        CliError::Client(e)
    }
}

/// The connection settings every command shares (`-h`, `-U`, `-E`) and the
/// lazily opened client.
/// Not `Debug`: it may hold a password.
pub struct Ctx {
    pub prog: &'static str,
    server: Option<String>,
    user: Option<String>,
    /// Basic credentials' password for `user` (see [`Ctx::set_credentials`]).
    password: Option<String>,
    /// `-E`: TLS to a TCP server (over the local socket there is nothing to encrypt, as
    /// with CUPS's tools).
    encrypt: bool,
    client: Option<Client>,
}

impl Ctx {
    pub fn new(prog: &'static str) -> Ctx {
        Ctx { prog, server: None, user: None, password: None, encrypt: false, client: None }
    }

    /// `-h server[:port]`: later requests go there (drops any open connection).
    pub fn set_server(&mut self, server: &str) -> Result<(), CliError> {
        Destination::parse(server)?;
        self.server = Some(server.to_string());
        self.client = None;
        Ok(())
    }

    pub fn set_user(&mut self, user: &str) {
        self.user = Some(user.to_string());
        self.client = None;
    }

    /// Later requests are `user`'s, over a new connection whose every request carries
    /// `Authorization: Basic` with these credentials.
    pub fn set_credentials(&mut self, user: &str, password: &str) {
        self.set_user(user);
        self.password = Some(password.to_string());
    }

    /// The server's host name as a person knows it ("localhost" for the local socket).
    pub fn host_name(&self) -> Result<String, CliError> {
        Ok(match self.destination()? {
            Destination::Tcp { host, .. } | Destination::Tls { host, .. } => host,
            Destination::Unix(_) => "localhost".to_string(),
        })
    }

    /// `-E`: later requests go over TLS (the server's certificate is taken as CUPS's tools
    /// take a local server's: see quire-client's `tls` module).
    pub fn request_encryption(&mut self) {
        self.encrypt = true;
        self.client = None;
    }

    pub fn user(&self) -> String {
        self.user.clone().unwrap_or_else(quire_client::current_user)
    }

    pub fn destination(&self) -> Result<Destination, CliError> {
        let dest = match &self.server {
            Some(s) => Destination::parse(s)?,
            None => Destination::from_env(),
        };
        Ok(match dest {
            Destination::Tcp { host, port } if self.encrypt => Destination::Tls { host, port },
            other => other,
        })
    }

    pub fn client(&mut self) -> Result<&mut Client, CliError> {
        if self.client.is_none() {
            let mut c = Client::connect(self.destination()?)?.with_user(&self.user());
            if let (Some(u), Some(p)) = (&self.user, &self.password) {
                c = c.with_basic_auth(u, p);
            } else if let (Some(u), Ok(p)) = (&self.user, std::env::var("QUIRE_PASSWORD")) {
                c = c.with_basic_auth(u, &p);
            }
            self.client = Some(c);
        }
        self.client.as_mut().ok_or_else(|| CliError::Msg("Unable to connect to server.".into()))
    }

    /// A request with the standard operation attributes for this user.
    pub fn request(&self, op: Operation, printer_uri: Option<&str>) -> Message {
        quire_client::request_as(op, printer_uri, &self.user())
    }

    /// Sends a request; transport failures are errors, IPP status is not
    /// checked (see [`ipp_ok`]).
    pub fn send(
        &mut self,
        resource: &str,
        req: &Message,
        doc: Option<&mut dyn std::io::Read>,
    ) -> Result<Message, CliError> {
        Ok(self.client()?.send(resource, req, doc)?)
    }

    /// Sends a request and turns an IPP error status into `CliError::Msg`
    /// carrying the status message (or the status name).
    pub fn call(&mut self, resource: &str, req: &Message) -> Result<Message, CliError> {
        let resp = self.send(resource, req, None)?;
        ipp_ok(resp)
    }
}

/// Whether the status is a success (CUPS treats anything above
/// successful-ok-conflicting-attributes as an error).
pub fn is_ok(resp: &Message) -> bool {
    resp.code <= StatusCode::SuccessfulOkConflictingAttributes.code()
}

pub fn ipp_ok(resp: Message) -> Result<Message, CliError> {
    if is_ok(&resp) {
        Ok(resp)
    } else {
        Err(CliError::Msg(status_text(&resp)))
    }
}

/// The response's status-message, else the status code's name.
pub fn status_text(resp: &Message) -> String {
    if let Some(m) = resp.operation_attr("status-message").and_then(Attribute::first_str) {
        if !m.is_empty() {
            return m.to_string();
        }
    }
    match StatusCode::from_u16(resp.code) {
        Some(s) => s.name().to_string(),
        None => format!("status 0x{:04x}", resp.code),
    }
}

pub fn is_not_found(resp: &Message) -> bool {
    resp.code == StatusCode::ClientErrorNotFound.code()
}

/// URIs the way CUPS's commands build them: the scheduler ignores the host.
pub fn printer_uri(name: &str) -> String {
    format!("ipp://localhost/printers/{name}")
}
pub fn class_uri(name: &str) -> String {
    format!("ipp://localhost/classes/{name}")
}
pub fn job_uri(id: i32) -> String {
    format!("ipp://localhost/jobs/{id}")
}

/// The path part of an ipp/ipps URI ("/printers/Q"), for the HTTP resource.
pub fn uri_resource(uri: &str) -> Option<&str> {
    let rest = uri.split_once("://")?.1;
    rest.find('/').map(|i| &rest[i..])
}

/// Groups with `tag`, in order (one per printer or job in list responses).
pub fn groups(msg: &Message, tag: DelimiterTag) -> impl Iterator<Item = &Group> {
    msg.groups.iter().filter(move |g| g.tag == tag)
}

pub fn keywords(names: &[&str]) -> Attribute {
    Attribute::set(
        "requested-attributes",
        names.iter().map(|n| Value::Keyword(n.to_string())).collect(),
    )
}

pub fn op_attr(msg: &mut Message, attr: Attribute) {
    msg.group_mut(DelimiterTag::Operation).push(attr);
}

/// `op` (CUPS-Get-Printers or CUPS-Get-Classes) asking for the destinations' names only.
pub fn names_request(ctx: &Ctx, op: Operation) -> Message {
    let mut req = ctx.request(op, None);
    op_attr(&mut req, keywords(&["printer-name"]));
    req
}

/// The `printer-name` of each destination a list answer holds.
pub fn listed_names(resp: &Message) -> Vec<String> {
    groups(resp, DelimiterTag::Printer)
        .filter_map(|g| g.get("printer-name").and_then(Attribute::first_str))
        .map(str::to_string)
        .collect()
}

/// The job-id in a job-creation response.
pub fn response_job_id(resp: &Message) -> Option<i32> {
    resp.attr(DelimiterTag::Job, "job-id").and_then(Attribute::first_i32)
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
