//! The compatibility list: every directive of cupsd.conf(5) and cups-files.conf(5) (CUPS 2.4),
//! plus a few removed ones people still have in old files, and what Quire does with each.
//! `docs/COMPATIBILITY.md` is generated from this table.

/// Which file a directive belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfFile {
    /// cupsd.conf
    Cupsd,
    /// cups-files.conf
    Files,
}

impl ConfFile {
    pub fn file_name(self) -> &'static str {
        match self {
            ConfFile::Cupsd => "cupsd.conf",
            ConfFile::Files => "cups-files.conf",
        }
    }
}

/// Where a directive may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    TopLevel,
    /// Directly inside `<Policy>`.
    Policy,
    /// Inside `<Limit>` / `<LimitExcept>`.
    Limit,
    /// Directly inside `<Location>`.
    Location,
}

impl Context {
    pub fn label(self) -> &'static str {
        match self {
            Context::TopLevel => "top level",
            Context::Policy => "<Policy>",
            Context::Limit => "<Limit>",
            Context::Location => "<Location>",
        }
    }
}

/// What Quire does with a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Parsed, validated and applied.
    Supported,
    /// Parsed and validated but has no effect in Quire (`note` says why). No warning.
    AcceptedIgnored,
    /// Not implemented: warned about and ignored (as cupsd does with unknown directives).
    Unsupported,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::AcceptedIgnored => "accepted, ignored",
            Status::Unsupported => "unsupported (warning)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectiveInfo {
    /// Canonical spelling (matching is case-insensitive).
    pub name: &'static str,
    pub file: ConfFile,
    pub contexts: &'static [Context],
    pub status: Status,
    /// Why it is ignored/unsupported, or a remark on how it is supported.
    pub note: &'static str,
}

/// Find a directive by name, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static DirectiveInfo> {
    DIRECTIVES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

use ConfFile::{Cupsd as C, Files as F};
use Status::{AcceptedIgnored as Ign, Supported as Sup, Unsupported as Uns};

const TOP: &[Context] = &[Context::TopLevel];
const POL: &[Context] = &[Context::Policy];
const ACL: &[Context] = &[Context::Limit, Context::Location];

const fn d(
    name: &'static str,
    file: ConfFile,
    contexts: &'static [Context],
    status: Status,
    note: &'static str,
) -> DirectiveInfo {
    DirectiveInfo { name, file, contexts, status, note }
}

const NO_FILTERS: &str = "Quire does not run CUPS filters";
const EXT: &str = "Quire extension";
const WIDE_AREA: &str = "Quire extension: wide-area DNS-SD (RFC 6763 section 11), the shared queues published in a unicast domain by RFC 2136 update (`DNSSDUpdateServer host[:port]`, signed with `DNSSDUpdateKey`) and/or in a zone file (`DNSSDZoneFile`): the queues shared over DNS-SD (`Browsing`), with SRV targets naming `ServerName` where the host name is a `.local` one";
const PROVEN: &str = "only a proven user (password, peer credentials) is on the list; cupsd also believes requesting-user-name";

/// Sorted by file, then context, then name.
pub static DIRECTIVES: &[DirectiveInfo] = &[
    // cupsd.conf, top level
    d("AccessLogLevel", C, TOP, Sup, ""),
    d("AuthLockoutTime", C, TOP, Sup, EXT),
    d("AutoPurgeJobs", C, TOP, Sup, ""),
    d("BrowseDNSSDSubTypes", C, TOP, Sup, ""),
    d("BrowseLocalProtocols", C, TOP, Sup, ""),
    d("BrowseWebIF", C, TOP, Ign, "Quire has no web interface to advertise yet"),
    d("Browsing", C, TOP, Sup, ""),
    d(
        "Classification",
        C,
        TOP,
        Uns,
        "banner pages are not implemented",
    ),
    d(
        "ClassifyOverride",
        C,
        TOP,
        Uns,
        "banner pages are not implemented",
    ),
    d("ConfidentialHoldTime", C, TOP, Sup, EXT),
    d("DNSSDHostName", C, TOP, Sup, ""),
    d("DNSSDUpdateServer", C, TOP, Sup, WIDE_AREA),
    d("DNSSDWideAreaDomain", C, TOP, Sup, WIDE_AREA),
    d(
        "DefaultAuthType",
        C,
        TOP,
        Sup,
        "Negotiate (Kerberos) is not implemented",
    ),
    d(
        "DefaultEncryption",
        C,
        TOP,
        Sup,
        "Required (the default): a remote plain-HTTP client that would be asked for a password gets 426 Upgrade Required, as in cupsd; a password it sends in the clear anyway is not checked (cupsd checks it)",
    ),
    d(
        "DefaultLanguage",
        C,
        TOP,
        Ign,
        "Quire answers in the request's natural language",
    ),
    d(
        "DefaultPaperSize",
        C,
        TOP,
        Sup,
        "recorded as a media default; no PPD handling",
    ),
    d("DefaultLeaseDuration", C, TOP, Sup, "also the lease of a subscription on the server object"),
    d("DefaultPolicy", C, TOP, Sup, ""),
    d("DefaultShared", C, TOP, Sup, ""),
    d(
        "DirtyCleanInterval",
        C,
        TOP,
        Ign,
        "state is committed transactionally on every change",
    ),
    d("ErrorPolicy", C, TOP, Sup, ""),
    d("FilterLimit", C, TOP, Ign, NO_FILTERS),
    d("FilterNice", C, TOP, Ign, NO_FILTERS),
    d(
        "GSSServiceName",
        C,
        TOP,
        Uns,
        "Kerberos authentication is not implemented",
    ),
    d(
        "HostNameLookups",
        C,
        TOP,
        Ign,
        "no reverse DNS; host-name Allow/Deny rules never match",
    ),
    d(
        "IdleExitTimeout",
        C,
        TOP,
        Sup,
        "with `-l`: exit when idle, as cupsd (not while WebInterface is on)",
    ),
    d(
        "Include",
        C,
        TOP,
        Uns,
        "removed from cupsd; the file is not read",
    ),
    d("JobKillDelay", C, TOP, Sup, ""),
    d("JobRetryInterval", C, TOP, Sup, ""),
    d("JobRetryLimit", C, TOP, Sup, ""),
    d("KeepAlive", C, TOP, Sup, ""),
    d(
        "KeepAliveTimeout",
        C,
        TOP,
        Uns,
        "removed from CUPS; idle connections are bounded by Timeout",
    ),
    d("LimitRequestBody", C, TOP, Sup, ""),
    d("Listen", C, TOP, Sup, "TLS is detected on every listener"),
    d(
        "LogDebugHistory",
        C,
        TOP,
        Ign,
        "debug history is not buffered",
    ),
    d("LogLevel", C, TOP, Sup, ""),
    d("LogTimeFormat", C, TOP, Sup, ""),
    d("MaxAuthFailures", C, TOP, Sup, EXT),
    d(
        "MaxClients",
        C,
        TOP,
        Sup,
        "remote clients may hold all but a reserve for local ones (a tenth, 4 to 64), root on the local socket every slot; a refused client is answered 503 with Retry-After; the open-file limit is raised to the hard one, with a warning if MaxClients does not fit; cupsd stops accepting on every listener instead, and caps MaxClients at a third of its open-file limit",
    ),
    d(
        "MaxClientsPerHost",
        C,
        TOP,
        Sup,
        "remote hosts only (an IPv6 host is its /64); 0 or unset means MaxClients, as in cupsd",
    ),
    d("MaxCopies", C, TOP, Sup, ""),
    d("MaxHoldTime", C, TOP, Sup, ""),
    d("MaxJobTime", C, TOP, Sup, "counted from when the job starts printing (fetching a Print-URI document included); cancels with job-canceled-after-timeout"),
    d("MaxEvents", C, TOP, Sup, ""),
    d("MaxJobs", C, TOP, Sup, ""),
    d("MaxJobsPerPrinter", C, TOP, Sup, ""),
    d("MaxJobsPerUser", C, TOP, Sup, ""),
    d("MaxLeaseDuration", C, TOP, Sup, ""),
    d("MaxLogSize", C, TOP, Sup, ""),
    d("MaxSubscriptions", C, TOP, Sup, "client-error-too-many-subscriptions, as cupsd"),
    d("MaxSubscriptionsPerJob", C, TOP, Sup, ""),
    d("MaxSubscriptionsPerPrinter", C, TOP, Sup, ""),
    d("MaxSubscriptionsPerUser", C, TOP, Sup, "applied (cupsd 2.4 reads it but never applies it)"),
    d("MultipleOperationTimeout", C, TOP, Sup, ""),
    d("PageLogFormat", C, TOP, Sup, ""),
    d("Port", C, TOP, Sup, "listens on all addresses"),
    d("PreserveJobFiles", C, TOP, Sup, ""),
    d("PreserveJobHistory", C, TOP, Sup, ""),
    d("PullHosts", C, TOP, Sup, EXT),
    d("PullMinRate", C, TOP, Sup, EXT),
    d("PullSchemes", C, TOP, Sup, EXT),
    d(
        "ReadyPaperSizes",
        C,
        TOP,
        Ign,
        "no PPD/media-ready handling",
    ),
    d("ReloadTimeout", C, TOP, Sup, ""),
    d(
        "SSLListen",
        C,
        TOP,
        Sup,
        "same as Listen; TLS is detected on every listener",
    ),
    d(
        "SSLOptions",
        C,
        TOP,
        Ign,
        "rustls picks protocol versions and ciphers (TLS 1.2+)",
    ),
    d(
        "SSLPort",
        C,
        TOP,
        Sup,
        "same as Port; TLS is detected on every listener",
    ),
    d("ServerAdmin", C, TOP, Sup, ""),
    d("ServerAlias", C, TOP, Sup, ""),
    d("ServerName", C, TOP, Sup, ""),
    d("ServerTokens", C, TOP, Sup, ""),
    d("SpoolQuota", C, TOP, Sup, EXT),
    d("SpoolQuotaPerUser", C, TOP, Sup, EXT),
    d(
        "StrictConformance",
        C,
        TOP,
        Ign,
        "Quire always validates requests strictly",
    ),
    d(
        "Timeout",
        C,
        TOP,
        Sup,
        "below 30 s it also bounds sending a request head and a keep-alive connection's wait for its next request",
    ),
    d("WebInterface", C, TOP, Ign, "Quire has no web interface"),
    // cupsd.conf, inside <Policy>
    d("JobPrivateAccess", C, POL, Sup, PROVEN),
    d("JobPrivateValues", C, POL, Sup, ""),
    d("SubscriptionPrivateAccess", C, POL, Sup, PROVEN),
    d("SubscriptionPrivateValues", C, POL, Sup, ""),
    // cupsd.conf, inside <Limit> and <Location>
    d(
        "Allow",
        C,
        ACL,
        Sup,
        "host names only match if they are literal addresses",
    ),
    d(
        "AuthType",
        C,
        ACL,
        Sup,
        "Negotiate (Kerberos) is not implemented",
    ),
    d("Deny", C, ACL, Sup, ""),
    d(
        "Encryption",
        C,
        ACL,
        Sup,
        "Required: 426 Upgrade Required for a remote client on plain HTTP, as in cupsd (in a `<Policy>` under `DefaultEncryption` IfRequested or Never: client-error-forbidden, IPP having no such status)",
    ),
    d("Order", C, ACL, Sup, ""),
    d("Require", C, ACL, Sup, ""),
    d("Satisfy", C, ACL, Sup, ""),
    // cups-files.conf
    d("AccessLog", F, TOP, Sup, ""),
    d("AuditLog", F, TOP, Sup, EXT),
    d("CacheDir", F, TOP, Sup, ""),
    d("ConfigFilePerm", F, TOP, Sup, ""),
    d("CreateSelfSignedCerts", F, TOP, Sup, ""),
    d(
        "DNSSDUpdateKey",
        F,
        TOP,
        Sup,
        "Quire extension: `key-name base64-secret` (hmac-sha256, as `tsig-keygen` prints it) signing the wide-area DNS-SD updates (TSIG); the secret is never logged",
    ),
    d(
        "DNSSDZoneFile",
        F,
        TOP,
        Sup,
        "Quire extension: an absolute path quired keeps written (temporary file and rename) with the wide-area DNS-SD records of `DNSSDWideAreaDomain`, a master-file fragment (`$ORIGIN`, `$TTL`, records) to `$INCLUDE` in that zone",
    ),
    d("DataDir", F, TOP, Sup, ""),
    d("DocumentRoot", F, TOP, Ign, "Quire has no web interface"),
    d("ErrorLog", F, TOP, Sup, ""),
    d("FatalErrors", F, TOP, Sup, ""),
    d("FileDevice", F, TOP, Sup, ""),
    d("Group", F, TOP, Sup, "filters run as this group; one that is also a SystemGroup is refused"),
    d("LogFileGroup", F, TOP, Sup, ""),
    d("LogFilePerm", F, TOP, Sup, ""),
    d("PageLog", F, TOP, Sup, ""),
    d("PamService", F, TOP, Sup, EXT),
    d("PassEnv", F, TOP, Sup, "passed to backends"),
    d(
        "Printcap",
        F,
        TOP,
        Ign,
        "Quire does not write a printcap file",
    ),
    d(
        "PrintcapFormat",
        F,
        TOP,
        Ign,
        "Quire does not write a printcap file",
    ),
    d("RemoteRoot", F, TOP, Sup, ""),
    d("RequestRoot", F, TOP, Sup, ""),
    d(
        "Sandboxing",
        F,
        TOP,
        Ign,
        "macOS sandbox profiles do not apply",
    ),
    d("ServerBin", F, TOP, Sup, "CUPS backends; `<ServerBin>/filter` leads the filters' PATH"),
    d(
        "ServerKeychain",
        F,
        TOP,
        Sup,
        "directory holding the TLS certificate and key",
    ),
    d("ServerRoot", F, TOP, Sup, ""),
    d("SetEnv", F, TOP, Sup, "passed to backends; DBUS_SYSTEM_BUS_ADDRESS is also the bus dbus:// notifications go to, as for cupsd's notifier"),
    d("StateDir", F, TOP, Sup, ""),
    d(
        "SyncOnClose",
        F,
        TOP,
        Ign,
        "Quire always fsyncs state and spool files",
    ),
    d("SystemGroup", F, TOP, Sup, ""),
    d(
        "PeerCred",
        F,
        TOP,
        Sup,
        "off / on / root-only; also governs the owner of a loopback TCP socket",
    ),
    d("TempDir", F, TOP, Sup, "filters' private working directories"),
    d("User", F, TOP, Sup, "filters (and CUPS backends others may run) run as this user when quired runs as root; root is refused"),
];
