//! DNS-SD (RFC 6763) records for the queues quired shares, sans-IO: what is advertised
//! (instance name, service types and subtypes, host, port, TXT keys), built from plain values
//! so the daemon's publishers (Avahi over D-Bus, its own mDNS responder, wide-area DNS) all
//! advertise the same thing. For wide-area DNS-SD (RFC 6763 section 11): the records of those
//! services under a unicast domain (`zone`), as a master file or as RFC 2136 updates
//! (`update`) signed with TSIG (`tsig`), and the server's answer (`answer`); the queries that find what quired published before a
//! restart (`lookup`).

pub mod device;
pub mod name;
pub mod txt;

pub mod record;
pub mod zone;

pub mod tsig;
pub mod update;

pub mod answer;
pub mod lookup;

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
