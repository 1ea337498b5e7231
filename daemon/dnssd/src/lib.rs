//! DNS-SD (RFC 6763) records for the queues quired shares, sans-IO: what is advertised
//! (instance name, service types and subtypes, host, port, TXT keys), built from plain values
//! so the daemon's publishers (Avahi over D-Bus, its own mDNS responder, wide-area DNS) all
//! advertise the same thing.

pub mod device;
pub mod name;
pub mod txt;

/// One DNS-SD service instance: `<instance>.<service_type>.<domain>` on `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The instance name (one DNS label, at most 63 bytes of UTF-8).
    pub instance: String,
    /// `_ipp._tcp`, `_ipps._tcp`, `_printer._tcp`, `_http._tcp`.
    pub service_type: String,
    /// Subtypes without the service type: `_print`, `_cups`, `_universal`.
    pub subtypes: Vec<String>,
    /// Target host name (`host.local` on the link; a FQDN for wide-area).
    pub host: String,
    pub port: u16,
    /// TXT key/value pairs in order (RFC 6763 section 6: `key=value` strings, each ≤ 255 bytes).
    pub txt: Vec<(String, String)>,
}
