//! The records of a set of services under a unicast domain, as RFC 6763 lays them out for
//! wide-area DNS-SD, and the master file an administrator may load instead of taking updates.

use std::collections::BTreeSet;
use std::fmt;
use std::fmt::Write as _;

use crate::record::{Name, NameError, RData, Record};
use crate::txt::MAX_PAIR_LEN;
use crate::Service;

/// `_services._dns-sd._udp`: the service types present in a domain (RFC 6763 section 9).
pub const SERVICES: &str = "_services._dns-sd._udp";
/// Browse-domain pointers (RFC 6763 section 11): `b` (browse) and `lb` (legacy browse, the
/// domain clients use when the user picks none).
pub const BROWSE: [&str; 2] = ["b._dns-sd._udp", "lb._dns-sd._udp"];

/// Why a service cannot be laid out in a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    pub instance: String,
    pub error: NameError,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service \"{}\": {}", self.instance, self.error)
    }
}

impl std::error::Error for ZoneError {}

/// The records of one service under `domain`: its type's and subtypes' PTRs to the instance,
/// and the instance's SRV and TXT.
pub fn service_records(s: &Service, domain: &Name, ttl: u32) -> Result<Vec<Record>, ZoneError> {
    let err = |error| ZoneError { instance: s.instance.clone(), error };
    let stype = domain.children(&s.service_type).map_err(err)?;
    let inst = stype.child(&s.instance).map_err(err)?;
    let target = Name::parse(&s.host).map_err(err)?;
    let rec = |owner: Name, data| Record { owner, ttl, data };
    let mut out = vec![rec(stype.clone(), RData::Ptr(inst.clone()))];
    for sub in &s.subtypes {
        let owner = stype.child("_sub").and_then(|n| n.child(sub)).map_err(err)?;
        out.push(rec(owner, RData::Ptr(inst.clone())));
    }
    out.push(rec(inst.clone(), RData::Srv { priority: 0, weight: 0, port: s.port, target }));
    out.push(rec(inst, RData::Txt(txt_strings(&s.txt))));
    Ok(out)
}

/// TXT strings: one per pair, `key=value` (RFC 6763 section 6); a pair too long for one string
/// is left out; no pairs gives the one empty string a TXT record must still hold.
pub fn txt_strings(pairs: &[(String, String)]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .filter(|s| s.len() <= MAX_PAIR_LEN)
        .collect();
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}

/// The records pointing into the domain that every publisher there shares: the service-type
/// enumeration for each type present and the browse-domain pointers.
pub fn shared_records(services: &[Service], domain: &Name, ttl: u32) -> Vec<Record> {
    let types: BTreeSet<&str> = services.iter().map(|s| s.service_type.as_str()).collect();
    let mut out = Vec::new();
    if let Ok(enumeration) = domain.children(SERVICES) {
        for t in types {
            if let Ok(n) = domain.children(t) {
                out.push(Record { owner: enumeration.clone(), ttl, data: RData::Ptr(n) });
            }
        }
    }
    if !services.is_empty() {
        for b in BROWSE {
            if let Ok(owner) = domain.children(b) {
                out.push(Record { owner, ttl, data: RData::Ptr(domain.clone()) });
            }
        }
    }
    out
}

/// Every record of `services` under `domain`: the shared ones, then each service's. A service
/// whose names do not fit is reported and left out; the others are still laid out.
pub fn records(services: &[Service], domain: &Name, ttl: u32) -> (Vec<Record>, Vec<ZoneError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut laid_out = Vec::new();
    for s in services {
        match service_records(s, domain, ttl) {
            Ok(r) => {
                out.extend(r);
                laid_out.push(s.clone());
            }
            Err(e) => errors.push(e),
        }
    }
    let mut all = shared_records(&laid_out, domain, ttl);
    all.extend(out);
    dedup_keep_order(&mut all);
    (all, errors)
}

fn dedup_keep_order(records: &mut Vec<Record>) {
    let mut seen = BTreeSet::new();
    records.retain(|r| seen.insert(r.clone()));
}

/// The start of authority of a zone file quired writes whole: its primary name server, the
/// mailbox of its administrator (as a name), and the serial (which must grow on each write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soa {
    pub primary: Name,
    pub admin: Name,
    pub serial: u32,
}

/// An RFC 1035 master file: `$ORIGIN` and `$TTL`, then the SOA and NS of the zone when given
/// (a zone file loaded on its own), then the records, relative to the origin where they can be.
pub fn master_file(origin: &Name, ttl: u32, soa: Option<&Soa>, records: &[Record]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; DNS-SD records of the queues quired shares (RFC 6763). Written by quired;"
    );
    let _ = writeln!(out, "; changes made here are lost when it writes the file again.");
    let _ = writeln!(out, "$ORIGIN {}", origin.to_master());
    let _ = writeln!(out, "$TTL {ttl}");
    if let Some(soa) = soa {
        let _ = writeln!(
            out,
            "@\tIN\tSOA\t{} {} ( {} 3600 600 604800 {ttl} )",
            soa.primary.to_master(),
            soa.admin.to_master(),
            soa.serial
        );
        let _ = writeln!(out, "@\tIN\tNS\t{}", soa.primary.to_master());
    }
    for r in records {
        out.push_str(&r.master_line(origin));
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[path = "zone_tests.rs"]
pub(crate) mod tests;
