//! Pull printing: fetches the document of a Print-URI / Send-URI job from its `document-uri`.
//!
//! The URI is checked against the administrator's [`PullPolicy`] when the job is submitted
//! ([`PullPolicy::check`]) and fetched only when the job is released ([`fetch_with`]), streamed
//! chunk by chunk into a sink (the spool file) and never buffered whole. Every redirect is
//! checked again, so a permitted server cannot bounce the daemon to a host it may not reach.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ::http::header::{
    HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, USER_AGENT,
};
use ::http::{Request, Response, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use quire_client::transport::{self, error_chain as chain, ConnTask};
use quire_config::{MinRate, PullHost, PullPort};
use quire_ipp::StatusCode;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::time::timeout;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;
/// How long connecting, or any single read, may take.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The system CA bundle (Debian's ca-certificates) trusted for `https` document URIs.
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// Upper bound on PEM sections read from the bundle (it holds ~150).
const MAX_ROOTS: usize = 4096;
const AGENT: &str = concat!("Quire/", env!("CARGO_PKG_VERSION"));
/// The only schemes this fetcher speaks, whatever the policy lists.
const SUPPORTED: [&str; 2] = ["http", "https"];

/// Which document URIs the server may pull (cupsd.conf `PullSchemes`, `PullHosts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullPolicy {
    /// Lower-case schemes, e.g. `["http", "https"]`; empty disables pulling.
    pub schemes: Vec<String>,
    /// Hosts and their ports (a host alone: the scheme's default port only); empty allows
    /// any host on any port.
    pub hosts: Vec<PullHost>,
    /// This server's TCP listeners, never fetched from whatever the list says: a document
    /// URI pointing back at the server would print its own pages (status, PPDs).
    pub own: Vec<SocketAddr>,
    /// `PullMinRate`, for the runs that fetch ([`FetchOptions::min_rate`]).
    pub min_rate: Option<MinRate>,
}

/// Why a document could not be fetched; `Display` is fit for an IPP status-message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not a usable absolute `http`/`https` URI (the message says why).
    BadUri(String),
    SchemeNotAllowed(String),
    HostNotAllowed(String),
    /// The server redirected to `to`, which the policy does not allow.
    RedirectRefused {
        to: String,
        why: String,
    },
    /// More than [`MAX_REDIRECTS`] redirects; `uri` is the last one requested.
    TooManyRedirects {
        uri: String,
    },
    /// The document is larger than `limit` bytes.
    TooLarge {
        uri: String,
        limit: u64,
    },
    /// The document server answered with a non-2xx HTTP status.
    Status {
        status: u16,
        uri: String,
    },
    /// Connecting or reading stalled for longer than the idle timeout.
    Timeout {
        uri: String,
    },
    /// The document came slower than `PullMinRate`: `got` bytes in `window`.
    TooSlow {
        uri: String,
        got: u64,
        rate: MinRate,
    },
    /// The job stopped (cancelled, held, `MaxJobTime`) while its document was fetched.
    Canceled,
    /// Connection, TLS or HTTP protocol failure (the message names the host).
    Io(String),
    /// The sink (the spool file) failed: a local error, not the document server's.
    Sink(String),
}

impl FetchError {
    /// The IPP status for this error (RFC 8011 §4.2.2, §5.4.8).
    pub fn ipp_status(&self) -> StatusCode {
        match self {
            // Malformed value, as ippeveprinter answers for an unparsable document-uri.
            FetchError::BadUri(_) => StatusCode::ClientErrorBadRequest,
            FetchError::SchemeNotAllowed(_) => StatusCode::ClientErrorUriSchemeNotSupported,
            FetchError::TooLarge { .. } => StatusCode::ClientErrorRequestEntityTooLarge,
            FetchError::Sink(_) | FetchError::Canceled => StatusCode::ServerErrorInternalError,
            // RFC 8011: the Printer could not access the document at document-uri.
            FetchError::HostNotAllowed(_)
            | FetchError::RedirectRefused { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::Status { .. }
            | FetchError::Timeout { .. }
            | FetchError::TooSlow { .. }
            | FetchError::Io(_) => StatusCode::ClientErrorDocumentAccessError,
        }
    }

    /// What went wrong, naming neither the URI nor its host (for a confidential job, whose
    /// document URI only its owner may see).
    pub fn without_uri(&self) -> String {
        match self {
            FetchError::BadUri(_) => "the document URI is not valid".into(),
            FetchError::SchemeNotAllowed(_) => "the document URI's scheme is not allowed".into(),
            FetchError::HostNotAllowed(_) => "the document's host is not allowed".into(),
            FetchError::RedirectRefused { .. } => "a redirect was refused".into(),
            FetchError::TooManyRedirects { .. } => {
                format!("too many redirects (more than {MAX_REDIRECTS})")
            }
            FetchError::TooLarge { limit, .. } => {
                format!("the document is larger than the limit of {limit} bytes")
            }
            FetchError::Status { status, .. } => format!("HTTP status {status}"),
            FetchError::Timeout { .. } => "timed out".into(),
            FetchError::TooSlow { got, rate, .. } => format!(
                "the document came too slowly ({got} bytes in {} s, PullMinRate {} bytes/s)",
                rate.window.as_secs(),
                rate.bytes_per_second
            ),
            FetchError::Canceled => "the job was stopped".into(),
            FetchError::Io(_) => "the document server could not be reached".into(),
            FetchError::Sink(_) => "the fetched document could not be stored".into(),
        }
    }

    /// The job-state-reasons keyword (PWG 5100.7) for a job aborted by this error after release.
    pub fn job_state_reason(&self) -> &'static str {
        match self {
            FetchError::Sink(_) | FetchError::Canceled => "aborted-by-system",
            _ => "document-access-error",
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::BadUri(m) | FetchError::SchemeNotAllowed(m) | FetchError::HostNotAllowed(m) => f.write_str(m),
            FetchError::Io(m) => f.write_str(m),
            FetchError::RedirectRefused { to, why } => write!(f, "refused to follow the redirect to \"{to}\": {why}"),
            FetchError::TooManyRedirects { uri } => {
                write!(f, "too many redirects (more than {MAX_REDIRECTS}) fetching \"{uri}\"")
            }
            FetchError::TooLarge { uri, limit } => {
                write!(f, "the document at \"{uri}\" is larger than the limit of {limit} bytes")
            }
            FetchError::Status { status, uri } => write!(f, "fetching \"{uri}\" failed: HTTP status {status}"),
            FetchError::Timeout { uri } => write!(f, "timed out fetching \"{uri}\""),
            FetchError::TooSlow { uri, got, rate } => write!(
                f,
                "\"{uri}\" came too slowly: {got} bytes in {} s, under the minimum of {} bytes per second (PullMinRate)",
                rate.window.as_secs(),
                rate.bytes_per_second
            ),
            FetchError::Canceled => f.write_str("the job stopped while its document was fetched"),
            FetchError::Sink(m) => write!(f, "unable to store the fetched document: {m}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// A URI that passed the policy, split for connecting.
#[derive(Debug, Clone)]
struct Target {
    uri: Uri,
    https: bool,
    /// Normalised: lower case, no brackets, no trailing dot, canonical IP form.
    host: String,
    port: u16,
}

impl PullPolicy {
    /// Checks a `document-uri` at submission, before anything is fetched.
    pub fn check(&self, uri: &str) -> Result<(), FetchError> {
        self.target(uri).map(|_| ())
    }

    fn target(&self, raw: &str) -> Result<Target, FetchError> {
        let Some(scheme) = scheme_of(raw) else {
            return Err(FetchError::BadUri(format!("\"{raw}\" is not an absolute URI")));
        };
        let scheme = scheme.to_ascii_lowercase();
        if !SUPPORTED.contains(&scheme.as_str()) {
            return Err(FetchError::SchemeNotAllowed(format!(
                "URI scheme \"{scheme}\" is not supported for document-uri (only http and https are)"
            )));
        }
        if self.schemes.is_empty() {
            return Err(FetchError::SchemeNotAllowed(
                "this server does not fetch documents by URI".into(),
            ));
        }
        if !self.schemes.iter().any(|s| s.eq_ignore_ascii_case(&scheme)) {
            return Err(FetchError::SchemeNotAllowed(format!(
                "URI scheme \"{scheme}\" is not allowed for document-uri on this server"
            )));
        }
        let uri: Uri = raw
            .parse()
            .map_err(|e| FetchError::BadUri(format!("\"{raw}\" is not a valid URI: {e}")))?;
        // `http:` alone parses as an authority (host "http"), not as a scheme.
        if !uri.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case(&scheme)) {
            return Err(FetchError::BadUri(format!("\"{raw}\" is not an absolute URI")));
        }
        let Some(authority) = uri.authority() else {
            return Err(FetchError::BadUri(format!("\"{raw}\" has no host")));
        };
        if authority.as_str().contains('@') {
            return Err(FetchError::BadUri(format!(
                "\"{raw}\": user names or passwords in URIs are not supported"
            )));
        }
        let host = norm_host(authority.host());
        if host.is_empty() {
            return Err(FetchError::BadUri(format!("\"{raw}\" has no host")));
        }
        let https = scheme == "https";
        let port = uri.port_u16().unwrap_or(default_port(https));
        if !self.host_allowed(&host, port, https) {
            let shown = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            return Err(FetchError::HostNotAllowed(format!(
                "\"{shown}\" is not allowed for document-uri on this server (PullHosts)"
            )));
        }
        if self.is_own_listener(&host, port) {
            return Err(own_listener(&host, port));
        }
        Ok(Target { uri, https, host, port })
    }

    /// Is `host` on the list with this port? A listed host alone means the scheme's
    /// default port: a port of its own must be listed (`host:8080`, or `host:*`).
    fn host_allowed(&self, host: &str, port: u16, https: bool) -> bool {
        self.hosts.is_empty()
            || self.hosts.iter().any(|h| {
                norm_host(&h.host) == host
                    && match h.port {
                        PullPort::Any => true,
                        PullPort::Port(p) => p == port,
                        PullPort::SchemeDefault => port == default_port(https),
                    }
            })
    }

    /// Does `host:port` name one of this server's listeners? Known here for IP literals
    /// and `localhost`; any other name is checked once connected ([`PullPolicy::is_own_peer`]).
    fn is_own_listener(&self, host: &str, port: u16) -> bool {
        if !self.own.iter().any(|a| a.port() == port) {
            return false;
        }
        match host.parse::<IpAddr>().map(canonical_ip) {
            Ok(ip) => {
                self.own.contains(&SocketAddr::new(ip, port))
                    || ip.is_loopback()
                    || ip.is_unspecified()
                    || local_addresses().contains(&ip)
            }
            Err(_) => host == "localhost" || host.ends_with(".localhost"),
        }
    }

    /// The peer of a connection the fetcher opened is this server: one of its listeners, or
    /// a listener's port on an address of this host (the kernel answers those locally,
    /// with the same address at both ends).
    fn is_own_peer(&self, peer: SocketAddr, local: SocketAddr) -> bool {
        let canon = |a: SocketAddr| SocketAddr::new(canonical_ip(a.ip()), a.port());
        let (peer, local) = (canon(peer), canon(local));
        self.own.iter().any(|a| a.port() == peer.port())
            && (self.own.contains(&peer) || peer.ip().is_loopback() || peer.ip() == local.ip())
    }
}

fn default_port(https: bool) -> u16 {
    if https {
        443
    } else {
        80
    }
}

fn own_listener(host: &str, port: u16) -> FetchError {
    FetchError::HostNotAllowed(format!(
        "\"{host}:{port}\" is this print server: it does not fetch documents from itself"
    ))
}

/// IPv4-mapped IPv6 addresses as IPv4.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// This host's interface addresses.
fn local_addresses() -> Vec<IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else { return Vec::new() };
    addrs
        .filter_map(|a| a.address)
        .filter_map(|a| match (a.as_sockaddr_in(), a.as_sockaddr_in6()) {
            (Some(v4), _) => Some(IpAddr::V4(v4.ip())),
            (_, Some(v6)) => Some(IpAddr::V6(v6.ip())),
            _ => None,
        })
        .collect()
}

/// The URI's scheme (RFC 3986 §3.1), if it has one.
fn scheme_of(s: &str) -> Option<&str> {
    let scheme = &s[..s.find(':')?];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

/// Lower case, no IPv6 brackets or trailing dot, and IP literals in one canonical form, so
/// `[0:0::1]` matches an allowed `::1`.
fn norm_host(h: &str) -> String {
    let h = h.trim().trim_start_matches('[').trim_end_matches(']');
    let h = h.strip_suffix('.').unwrap_or(h);
    match h.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => h.to_ascii_lowercase(),
    }
}

/// What [`fetch_with`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: u64,
    /// The final response's Content-Type, as sent.
    pub content_type: Option<String>,
}

/// Limits, pace and trust for [`fetch_with`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// At most this many document bytes; 0 means no limit.
    pub max_bytes: u64,
    /// Longest wait for connecting (DNS, TCP, TLS) or for any single read.
    pub idle_timeout: Duration,
    pub max_redirects: usize,
    /// Roots trusted for `https` besides the system bundle.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// `PullMinRate`: a body that comes slower is cut off (a trickle never trips the idle
    /// timeout, and would hold its printer forever).
    pub min_rate: Option<MinRate>,
    /// Set when the job stops: the fetch ends within [`CANCEL_POLL`].
    pub cancel: Option<quire_backends::Cancel>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_bytes: 0,
            idle_timeout: IDLE_TIMEOUT,
            max_redirects: MAX_REDIRECTS,
            extra_roots: Vec::new(),
            min_rate: None,
            cancel: None,
        }
    }
}

/// How often a body being read looks at its job's cancel flag.
pub const CANCEL_POLL: Duration = Duration::from_millis(250);

/// The document sink: called with each chunk, in order.
pub type Sink<'a> = dyn FnMut(&[u8]) -> std::io::Result<()> + Send + 'a;

/// Streams the document at `uri` into `sink` as `opts` bound it (size, pace, cancel),
/// following at most `opts.max_redirects` redirects that `policy` allows.
pub async fn fetch_with(
    uri: &str,
    policy: &PullPolicy,
    opts: &FetchOptions,
    sink: &mut Sink<'_>,
) -> Result<Fetched, FetchError> {
    let origin = policy.target(uri)?;
    let mut current = origin.clone();
    let mut redirects = 0;
    loop {
        // The guard keeps the connection task alive while the body streams, and ends it after.
        let (response, _conn) = request(&current, policy, opts).await?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return stream_body(response, &current, opts, sink).await;
        }
        let location = response.headers().get(LOCATION);
        let (true, Some(location)) = (matches!(status, 301 | 302 | 303 | 307 | 308), location)
        else {
            return Err(FetchError::Status { status, uri: current.uri.to_string() });
        };
        if redirects == opts.max_redirects {
            return Err(FetchError::TooManyRedirects { uri: current.uri.to_string() });
        }
        redirects += 1;
        current = follow(policy, &origin, &current, location)?;
    }
}

/// Checks a redirect's target: allowed by the policy, on the original host when the policy
/// names no hosts, and no downgrade from https to http.
fn follow(
    policy: &PullPolicy,
    origin: &Target,
    current: &Target,
    location: &HeaderValue,
) -> Result<Target, FetchError> {
    let shown = String::from_utf8_lossy(location.as_bytes()).into_owned();
    let refused = |why: String| FetchError::RedirectRefused { to: shown.clone(), why };
    let Ok(location) = location.to_str() else {
        return Err(refused("the Location header is not ASCII".into()));
    };
    let to = resolve(&current.uri, location);
    let next = policy
        .target(&to)
        .map_err(|e| FetchError::RedirectRefused { to: to.clone(), why: e.to_string() })?;
    let refused = |why: String| FetchError::RedirectRefused { to: to.clone(), why };
    if policy.hosts.is_empty() && next.host != origin.host {
        return Err(refused(format!(
            "it leaves host \"{}\" (with no allowed hosts configured, redirects must stay on the original host)",
            origin.host
        )));
    }
    if current.https && !next.https {
        return Err(refused("it downgrades from https to http".into()));
    }
    Ok(next)
}

/// Resolves a Location header against the URI it came from (RFC 3986 §5.2).
fn resolve(base: &Uri, location: &str) -> String {
    let location = location.split('#').next().unwrap_or_default();
    if scheme_of(location).is_some() {
        return location.to_string();
    }
    let scheme = base.scheme_str().unwrap_or("http");
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let authority = base.authority().map_or("", |a| a.as_str());
    let (path, query) = match location.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (location, None),
    };
    let (path, query) = if path.is_empty() {
        let base_path =
            if base.path().is_empty() { "/".to_string() } else { base.path().to_string() };
        (base_path, query.or(base.query()))
    } else if path.starts_with('/') {
        (remove_dots(path), query)
    } else {
        let base_path = base.path();
        let dir = base_path.rfind('/').map_or("/", |i| &base_path[..=i]);
        let dir = if dir.starts_with('/') { dir.to_string() } else { format!("/{dir}") };
        (remove_dots(&format!("{dir}{path}")), query)
    };
    match query {
        Some(q) => format!("{scheme}://{authority}{path}?{q}"),
        None => format!("{scheme}://{authority}{path}"),
    }
}

/// Removes `.` and `..` segments from an absolute path (RFC 3986 §5.2.4).
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for seg in path.split('/').skip(1) {
        trailing_slash = matches!(seg, "." | "..");
        match seg {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = format!("/{}", out.join("/"));
    if trailing_slash && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// Connects and sends one GET, returning the response head.
async fn request(
    target: &Target,
    policy: &PullPolicy,
    opts: &FetchOptions,
) -> Result<(Response<Incoming>, ConnTask), FetchError> {
    let timed_out = || FetchError::Timeout { uri: target.uri.to_string() };
    let (mut sender, guard) = timeout(opts.idle_timeout, connect(target, policy, opts))
        .await
        .map_err(|_| timed_out())??;
    let path = target.uri.path_and_query().map_or("/", |p| p.as_str());
    let path = if path.starts_with('/') { path } else { "/" };
    let authority = target.uri.authority().map_or(target.host.as_str(), |a| a.as_str());
    let req = Request::get(path)
        .header(HOST, authority)
        .header(USER_AGENT, AGENT)
        .header(ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|e| FetchError::BadUri(format!("\"{}\": {e}", target.uri)))?;
    let response = timeout(opts.idle_timeout, sender.send_request(req))
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| {
            FetchError::Io(format!("HTTP request to {} failed: {}", target.host, chain(&e)))
        })?;
    Ok((response, guard))
}

async fn connect(
    target: &Target,
    policy: &PullPolicy,
    opts: &FetchOptions,
) -> Result<(SendRequest<Empty<Bytes>>, ConnTask), FetchError> {
    let host = target.host.as_str();
    let tcp =
        transport::connect_tcp(host, target.port, opts.idle_timeout).await.map_err(|e| match e
            .kind()
        {
            std::io::ErrorKind::TimedOut => FetchError::Timeout { uri: target.uri.to_string() },
            _ => FetchError::Io(format!("unable to connect to {}: {e}", shown_host(target))),
        })?;
    // A name that resolves to this server: nothing has been sent yet.
    if let (Ok(peer), Ok(local)) = (tcp.peer_addr(), tcp.local_addr()) {
        if policy.is_own_peer(peer, local) {
            return Err(own_listener(host, target.port));
        }
    }
    if !target.https {
        return handshake(tcp, target).await;
    }
    let name = ServerName::try_from(host.to_string()).map_err(|e| {
        FetchError::BadUri(format!("\"{host}\" is not a valid TLS server name: {e}"))
    })?;
    let connector = tokio_rustls::TlsConnector::from(tls_config(&opts.extra_roots)?);
    let tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| FetchError::Io(format!("TLS with {} failed: {e}", shown_host(target))))?;
    handshake(tls, target).await
}

async fn handshake<I>(
    io: I,
    target: &Target,
) -> Result<(SendRequest<Empty<Bytes>>, ConnTask), FetchError>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = transport::handshake(io).await.map_err(|e| {
        FetchError::Io(format!("HTTP connection to {} failed: {}", shown_host(target), chain(&e)))
    })?;
    Ok((sender, ConnTask::spawn(conn)))
}

fn shown_host(target: &Target) -> String {
    if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    }
}

/// Streams the body into the sink, enforcing the size limit before each chunk is written.
async fn stream_body(
    response: Response<Incoming>,
    target: &Target,
    opts: &FetchOptions,
    sink: &mut Sink<'_>,
) -> Result<Fetched, FetchError> {
    let uri = || target.uri.to_string();
    let limit = opts.max_bytes;
    let headers = response.headers();
    let content_type =
        headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string());
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok());
    if limit > 0 && declared.is_some_and(|n| n > limit) {
        return Err(FetchError::TooLarge { uri: uri(), limit });
    }
    let mut body = response.into_body();
    let mut total: u64 = 0;
    let mut pace = Pace::new(opts);
    loop {
        let frame = match timeout(pace.wait(), body.frame()).await {
            Err(_) => {
                pace.check(uri)?;
                continue;
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return Err(FetchError::Io(format!(
                    "reading from {} failed: {}",
                    shown_host(target),
                    chain(&e)
                )))
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else { continue }; // trailers
        let n = data.len() as u64;
        if limit > 0 && total.saturating_add(n) > limit {
            return Err(FetchError::TooLarge { uri: uri(), limit });
        }
        sink(&data).map_err(|e| FetchError::Sink(e.to_string()))?;
        total += n;
        pace.got(n);
        pace.check(uri)?;
    }
    Ok(Fetched { bytes: total, content_type })
}

/// The clocks of a body being read: the idle timeout (no byte at all), the minimum rate
/// (each window of `PullMinRate` must bring its share) and the job's cancel flag.
struct Pace<'a> {
    opts: &'a FetchOptions,
    last_byte: tokio::time::Instant,
    window_start: tokio::time::Instant,
    window_bytes: u64,
}

impl<'a> Pace<'a> {
    fn new(opts: &'a FetchOptions) -> Self {
        let now = tokio::time::Instant::now();
        Pace { opts, last_byte: now, window_start: now, window_bytes: 0 }
    }

    fn got(&mut self, n: u64) {
        self.last_byte = tokio::time::Instant::now();
        self.window_bytes = self.window_bytes.saturating_add(n);
    }

    /// How long to wait for the next chunk before looking at the clocks again.
    fn wait(&self) -> Duration {
        let now = tokio::time::Instant::now();
        let mut until = self.last_byte + self.opts.idle_timeout;
        if let Some(rate) = self.opts.min_rate {
            until = until.min(self.window_start + rate.window);
        }
        let wait = until.saturating_duration_since(now);
        if self.opts.cancel.is_some() {
            wait.min(CANCEL_POLL)
        } else {
            wait
        }
    }

    /// Ends the fetch when the job stopped, nothing came for the idle timeout, or a
    /// finished window brought less than the minimum rate.
    fn check(&mut self, uri: impl Fn() -> String) -> Result<(), FetchError> {
        if self.opts.cancel.as_ref().is_some_and(quire_backends::Cancel::is_canceled) {
            return Err(FetchError::Canceled);
        }
        let now = tokio::time::Instant::now();
        if now >= self.last_byte + self.opts.idle_timeout {
            return Err(FetchError::Timeout { uri: uri() });
        }
        let Some(rate) = self.opts.min_rate else { return Ok(()) };
        if now < self.window_start + rate.window {
            return Ok(());
        }
        let owed = rate.bytes_per_second.saturating_mul(rate.window.as_secs().max(1));
        if self.window_bytes < owed {
            return Err(FetchError::TooSlow { uri: uri(), got: self.window_bytes, rate });
        }
        self.window_start = now;
        self.window_bytes = 0;
        Ok(())
    }
}

/// The client TLS configuration: system roots (read once), plus any extra roots.
fn tls_config(extra: &[CertificateDer<'static>]) -> Result<Arc<rustls::ClientConfig>, FetchError> {
    static DEFAULT: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    if extra.is_empty() {
        if let Some(config) = DEFAULT.get() {
            return Ok(Arc::clone(config));
        }
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(system_roots().iter().cloned());
    roots.add_parsable_certificates(extra.iter().cloned());
    let mut config = quire_client::tls::config_builder()
        .map_err(|e| FetchError::Io(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let config = Arc::new(config);
    if extra.is_empty() {
        let _ = DEFAULT.set(Arc::clone(&config));
    }
    Ok(config)
}

fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| match CertificateDer::pem_file_iter(CA_BUNDLE) {
        Ok(certs) => certs.take(MAX_ROOTS).filter_map(Result::ok).collect(),
        Err(e) => {
            tracing::warn!(
                "pull printing: unable to read {CA_BUNDLE}: {e}; https document URIs will fail"
            );
            Vec::new()
        }
    })
}

#[cfg(test)]
#[path = "fetch_tests.rs"]
mod tests;
