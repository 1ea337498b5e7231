//! The typed configuration that validation produces (see `validate.rs`).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::diag::Loc;

/// Something to listen on. TLS is auto-detected on every TCP listener, so `SSLListen`/`SSLPort`
/// produce the same values as `Listen`/`Port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// A literal address: `127.0.0.1:631`, `[::1]:631`.
    Addr(SocketAddr),
    /// A host name to resolve at bind time: `localhost:631`.
    Host { name: String, port: u16 },
    /// Every address (IPv4 and IPv6): `Port 631`, `Listen *:631`.
    Any(u16),
    /// A Unix-domain socket path.
    Unix(PathBuf),
}

/// Where a log goes (`AccessLog`, `ErrorLog`, `PageLog`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    File(PathBuf),
    Syslog,
    Stderr,
    /// Empty value or `none`: logging disabled.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    None,
    Emerg,
    Alert,
    Crit,
    Error,
    Warn,
    Notice,
    Info,
    Debug,
    Debug2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLogLevel {
    /// No access log lines at all.
    None,
    Config,
    Actions,
    All,
}

/// cups-files.conf `PeerCred`: whether the kernel's word on a local client's account (Unix
/// socket peer credentials; in Quire also the owner of a loopback TCP socket) proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeerCred {
    Off,
    #[default]
    On,
    /// Only root is proven so; everyone else proves a password.
    RootOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogTimeFormat {
    Standard,
    Usecs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPolicy {
    AbortJob,
    RetryCurrentJob,
    RetryJob,
    StopPrinter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerTokens {
    None,
    ProductOnly,
    Major,
    Minor,
    Minimal,
    Os,
    Full,
}

/// `PreserveJobHistory` / `PreserveJobFiles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preserve {
    /// Keep until the MaxJobs limit forces a purge.
    Yes,
    No,
    /// Keep for this long after the job completes.
    For(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    None,
    Basic,
    /// Whatever `DefaultAuthType` says.
    Default,
    /// Kerberos; accepted but not implemented (requests needing it are refused).
    Negotiate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Never,
    IfRequested,
    Required,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Require {
    ValidUser,
    /// User names and `@group` names as written, including `@OWNER` and `@SYSTEM`.
    User(Vec<String>),
    /// Group names (without `@`).
    Group(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `Order allow,deny`: denied unless allowed (and not denied).
    AllowDeny,
    /// `Order deny,allow`: allowed unless denied (and not allowed).
    DenyAllow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Satisfy {
    All,
    Any,
}

/// One `Allow`/`Deny` operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRule {
    All,
    None,
    /// `@LOCAL`: any address on a local, non point-to-point interface.
    Local,
    /// `@IF(name)`.
    Interface(String),
    /// `10.0.0.0/8`, `[::1]/128`, `192.168.` (partial addresses get the implied mask).
    Net {
        addr: IpAddr,
        prefix: u8,
    },
    /// `host.example.com` exactly, lower-cased.
    Host(String),
    /// `*.example.com` or `.example.com`: the domain and its sub-domains (stored without `*`).
    Domain(String),
}

/// Access control shared by `<Limit>` and `<Location>`. `None` means "not set here".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    pub auth_type: Option<AuthType>,
    pub require: Option<Require>,
    pub order: Option<Order>,
    pub allow: Vec<HostRule>,
    pub deny: Vec<HostRule>,
    pub satisfy: Option<Satisfy>,
    pub encryption: Option<Encryption>,
}

/// `<Limit op ...>` or `<LimitExcept op ...>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// IPP operation names (inside `<Policy>`) or HTTP methods (inside `<Location>`), as written;
    /// `All` matches everything.
    pub operations: Vec<String>,
    /// `<LimitExcept>`: applies to everything *not* listed.
    pub except: bool,
    pub access: Access,
    pub loc: Loc,
}

impl Limit {
    /// Does this limit apply to `op` (case-insensitive)?
    pub fn matches(&self, op: &str) -> bool {
        let listed =
            self.operations.iter().any(|o| same_op(o, op) || o.eq_ignore_ascii_case("All"));
        listed != self.except
    }
}

/// Is the operation named `written` in a `<Limit>` the operation `op`? Case-insensitive, and
/// with the other names cupsd's ippOpValue takes (Debian's stock policy limits
/// `Create-Job-Subscription`).
fn same_op(written: &str, op: &str) -> bool {
    let alias = match written.to_ascii_lowercase().as_str() {
        "create-job-subscription" => "Create-Job-Subscriptions",
        "create-printer-subscription" => "Create-Printer-Subscriptions",
        "cups-add-class" => "CUPS-Add-Modify-Class",
        "cups-add-printer" => "CUPS-Add-Modify-Printer",
        _ => written,
    };
    alias.eq_ignore_ascii_case(op)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    /// `JobPrivateAccess` with `default` expanded: `@OWNER`, `@SYSTEM`, `@ACL`, users, `@groups`,
    /// or the single word `all`.
    pub job_private_access: Vec<String>,
    /// `JobPrivateValues` with `default` expanded; or `all` / `none`.
    pub job_private_values: Vec<String>,
    pub subscription_private_access: Vec<String>,
    pub subscription_private_values: Vec<String>,
    pub limits: Vec<Limit>,
    pub loc: Loc,
}

impl Policy {
    /// The first limit that applies to `op`, as cupsd picks it.
    pub fn limit_for(&self, op: &str) -> Option<&Limit> {
        let direct =
            self.limits.iter().find(|l| !l.except && l.operations.iter().any(|o| same_op(o, op)));
        direct.or_else(|| self.limits.iter().find(|l| l.matches(op)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub access: Access,
    /// Method-specific rules (`<Limit GET POST>` inside the location).
    pub limits: Vec<Limit>,
    pub loc: Loc,
}

/// Everything cupsd.conf and cups-files.conf say, typed. Defaults are cupsd 2.4's.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    // --- cupsd.conf ---
    pub listen: Vec<Listen>,
    pub log_level: LogLevel,
    pub access_log_level: AccessLogLevel,
    pub log_time_format: LogTimeFormat,
    pub max_log_size: u64,
    /// `None`: no page log lines (empty `PageLogFormat`).
    pub page_log_format: Option<String>,
    pub auto_purge_jobs: bool,
    pub default_auth_type: AuthType,
    pub default_encryption: Encryption,
    pub default_paper_size: Option<String>,
    pub default_policy: String,
    pub default_shared: bool,
    pub error_policy: ErrorPolicy,
    pub job_kill_delay: Duration,
    pub job_retry_interval: Duration,
    pub job_retry_limit: u32,
    pub keep_alive: bool,
    /// 0 = unlimited.
    pub limit_request_body: u64,
    pub max_clients: u32,
    /// As written; 0 (the default) means `max_clients`. See [`ServerConfig::clients_per_host`].
    pub max_clients_per_host: u32,
    pub max_copies: u32,
    pub max_hold_time: Duration,
    pub max_jobs: u32,
    pub max_jobs_per_printer: u32,
    pub max_jobs_per_user: u32,
    pub max_job_time: Duration,
    pub max_subscriptions: u32,
    /// `DefaultLeaseDuration` and `MaxLeaseDuration` of subscriptions (0: forever / no cap).
    pub default_lease_duration: Duration,
    pub max_lease_duration: Duration,
    /// `MaxEvents`: events kept per subscription for Get-Notifications.
    pub max_events: u32,
    pub max_subscriptions_per_job: u32,
    pub max_subscriptions_per_printer: u32,
    pub max_subscriptions_per_user: u32,
    pub multiple_operation_timeout: Duration,
    pub preserve_job_files: Preserve,
    pub preserve_job_history: Preserve,
    pub reload_timeout: Duration,
    /// `IdleExitTimeout`: with `-l`, exit after this long with nothing to do (0: never).
    pub idle_exit_timeout: Duration,
    pub server_admin: Option<String>,
    pub server_alias: Vec<String>,
    pub server_name: Option<String>,
    pub server_tokens: ServerTokens,
    pub timeout: Duration,
    /// `Browsing`: shared queues are advertised with DNS-SD (when a listener is not loopback).
    pub browsing: bool,
    /// `BrowseLocalProtocols` names `dnssd` (or `all`): the only protocol cupsd 2.4 has.
    pub browse_dnssd: bool,
    /// `BrowseWebIF`: the web interface advertised as `_http._tcp` ("CUPS @ host").
    pub browse_web_if: bool,
    /// `BrowseDNSSDSubTypes`: the subtypes of `_ipp._tcp`/`_ipps._tcp` (`_cups`, `_print`, ...).
    pub browse_dnssd_subtypes: Vec<String>,
    /// `DNSSDHostName`: the host name in the SRV records (None: the responder's own).
    pub dnssd_host_name: Option<String>,
    /// Accepted and recorded; Quire has no web interface.
    pub web_interface: bool,
    pub policies: Vec<Policy>,
    pub locations: Vec<Location>,
    // --- Quire extensions (cupsd.conf) ---
    /// Failed authentications (per user, and per client) before a lockout.
    pub max_auth_failures: u32,
    /// How long a lockout lasts.
    pub auth_lockout_time: Duration,
    /// How long a confidential job waits for its owner before it is deleted unprinted.
    pub confidential_hold_time: Duration,
    /// Spool space for documents of unfinished jobs, in bytes; 0 = only the disk's free space.
    pub spool_quota: u64,
    /// The same, per user; 0 = no per-user limit.
    pub spool_quota_per_user: u64,
    /// URI schemes Print-URI/Send-URI may fetch from (lower case); empty = Print-URI unsupported.
    pub pull_schemes: Vec<String>,
    /// Hosts (and ports) Print-URI/Send-URI may fetch from; empty = any host.
    pub pull_hosts: Vec<PullHost>,
    /// `PullMinRate`: a fetched document slower than this is cut off (None: no floor).
    pub pull_min_rate: Option<MinRate>,
    /// Wide-area DNS-SD: `DNSSDWideAreaDomain`, `DNSSDUpdateServer` (cupsd.conf) and
    /// `DNSSDUpdateKey`, `DNSSDZoneFile` (cups-files.conf, which only root reads and writes).
    pub wide_area: WideArea,
    // --- cups-files.conf ---
    pub server_root: PathBuf,
    pub request_root: PathBuf,
    pub state_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub temp_dir: PathBuf,
    pub data_dir: PathBuf,
    pub server_bin: PathBuf,
    pub document_root: PathBuf,
    /// Relative values are resolved against `server_root`.
    pub server_keychain: PathBuf,
    pub access_log: LogTarget,
    pub error_log: LogTarget,
    pub page_log: LogTarget,
    pub config_file_perm: u32,
    pub log_file_perm: u32,
    pub log_file_group: Option<String>,
    pub create_self_signed_certs: bool,
    /// `FatalErrors` kinds, lower-cased, `-kind` entries kept with their `-`.
    pub fatal_errors: Vec<String>,
    pub file_device: bool,
    pub user: String,
    pub group: String,
    pub system_group: Vec<String>,
    pub peer_cred: PeerCred,
    pub remote_root: String,
    pub pass_env: Vec<String>,
    // --- Quire extensions (cups-files.conf) ---
    /// The PAM service that checks passwords (cupsd's is "cups").
    pub pam_service: String,
    /// Every authentication and authorization decision goes here.
    pub audit_log: LogTarget,
    pub set_env: Vec<(String, String)>,
}

impl ServerConfig {
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Connections one remote host may hold: `MaxClientsPerHost`, where 0 or more than
    /// `MaxClients` means `MaxClients` (as cupsd).
    pub fn clients_per_host(&self) -> u32 {
        match self.max_clients_per_host {
            0 => self.max_clients,
            n => n.min(self.max_clients),
        }
    }
}

/// Wide-area DNS-SD (RFC 6763 section 11): the shared queues published in a unicast domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WideArea {
    /// `DNSSDWideAreaDomain`: the domain, without its trailing dot (None: no wide-area DNS-SD).
    pub domain: Option<String>,
    /// `DNSSDUpdateServer`: where RFC 2136 updates go (None: no updates).
    pub update_server: Option<UpdateServer>,
    /// `DNSSDUpdateKey`: the TSIG key (hmac-sha256) updates are signed with.
    pub update_key: Option<UpdateKey>,
    /// `DNSSDZoneFile`: the master file quired keeps written (None: none).
    pub zone_file: Option<PathBuf>,
}

/// `DNSSDUpdateServer host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateServer {
    /// A host name or an IP address (no brackets).
    pub host: String,
    pub port: u16,
}

/// `DNSSDUpdateKey name base64-secret`: the secret is never shown (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct UpdateKey {
    pub name: String,
    secret: Vec<u8>,
}

impl UpdateKey {
    pub fn new(name: String, secret: Vec<u8>) -> UpdateKey {
        UpdateKey { name, secret }
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

impl std::fmt::Debug for UpdateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateKey")
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A `PullHosts` entry: `host` (the scheme's default port only), `host:port`, or `host:*`
/// (any port). An IPv6 literal is written in brackets to give a port (`[::1]:8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullHost {
    /// Lower case, no brackets or trailing dot; IP literals in canonical form.
    pub host: String,
    pub port: PullPort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPort {
    /// 80 for http, 443 for https.
    SchemeDefault,
    Port(u16),
    Any,
}

/// `PullMinRate BYTES-PER-SECOND [SECONDS]`: at least this many bytes per second,
/// measured over each window of that many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinRate {
    pub bytes_per_second: u64,
    pub window: Duration,
}
