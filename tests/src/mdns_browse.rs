//! What `avahi-browse -p` says on a side of the simulated LAN ([`crate::mdns_lan`]): its
//! lines parsed into service records, a one-shot browse, and a watcher that streams the
//! events of a long-running `avahi-browse` (for the time from an action to its effect).

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::process::{other, ChildGuard, Place};

/// One resolved service, as a `=` line of `avahi-browse -rpk` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    /// The network interface it was found on (`lan0`).
    pub interface: String,
    /// `IPv4` or `IPv6`.
    pub protocol: String,
    /// The instance name, unescaped (`Office Printer @ quire-a`).
    pub name: String,
    /// `_ipp._tcp` (avahi-browse's `-k`: no description lookup).
    pub service_type: String,
    pub domain: String,
    /// The target host (`quire-a.local`).
    pub host: String,
    pub address: String,
    pub port: u16,
    /// The TXT record's strings, split at the first `=` (a key without `=` has an empty value),
    /// in the order avahi-browse prints them.
    pub txt: Vec<(String, String)>,
}

impl ServiceRecord {
    /// The value of TXT key `key` (DNS-SD keys are case-insensitive, RFC 6763 §6.4).
    pub fn txt(&self, key: &str) -> Option<&str> {
        self.txt.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

/// A service instance as the `+` and `-` lines name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServiceKey {
    pub interface: String,
    pub protocol: String,
    pub name: String,
    pub service_type: String,
    pub domain: String,
}

/// One line of `avahi-browse -p` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowseLine {
    /// `+`: a new instance (not resolved yet).
    New(ServiceKey),
    /// `=`: an instance resolved.
    Resolved(ServiceRecord),
    /// `-`: an instance gone (goodbye packet or expired).
    Removed(ServiceKey),
}

/// Parses one line of `avahi-browse -p`; `None` for anything else (errors, blank lines).
pub fn parse_line(line: &str) -> Option<BrowseLine> {
    let line = line.trim_end_matches(['\r', '\n']);
    let fields: Vec<&str> = line.splitn(10, ';').collect();
    let key = |f: &[&str]| ServiceKey {
        interface: f[1].to_string(),
        protocol: f[2].to_string(),
        name: unescape(f[3]),
        service_type: f[4].to_string(),
        domain: f[5].to_string(),
    };
    match (fields.first().copied(), fields.len()) {
        (Some("+"), 6) => Some(BrowseLine::New(key(&fields))),
        (Some("-"), 6) => Some(BrowseLine::Removed(key(&fields))),
        (Some("="), 10) => {
            let k = key(&fields);
            Some(BrowseLine::Resolved(ServiceRecord {
                interface: k.interface,
                protocol: k.protocol,
                name: k.name,
                service_type: k.service_type,
                domain: k.domain,
                host: unescape(fields[6]),
                address: fields[7].to_string(),
                port: fields[8].parse().ok()?,
                txt: parse_txt(fields[9]),
            }))
        }
        _ => None,
    }
}

/// Undoes avahi's escaping: `\DDD` (a decimal byte) and `\c` (the character itself).
pub fn unescape(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let digits = b.get(i + 1..i + 4).filter(|d| d.iter().all(u8::is_ascii_digit));
            let byte = digits.and_then(|d| std::str::from_utf8(d).ok()?.parse::<u8>().ok());
            if let Some(byte) = byte {
                out.push(byte);
                i += 4;
            } else {
                out.push(b[i + 1]);
                i += 2;
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The TXT strings of a `=` line: `"k=v" "k2=v2"`, each quoted, `\"` and `\\` inside.
pub fn parse_txt(text: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut raw = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => {
                    raw.push('\\');
                    raw.extend(chars.next());
                }
                c => raw.push(c),
            }
        }
        let item = unescape(&raw);
        let (k, v) = item.split_once('=').unwrap_or((item.as_str(), ""));
        items.push((k.to_string(), v.to_string()));
    }
    items
}

/// How two records differ, one line per field (`field: a's value | b's value`): for
/// comparing what two servers publish for the same queue. TXT keys are compared without
/// regard to case, each key once (its first value).
pub fn record_differences(a: &ServiceRecord, b: &ServiceRecord) -> Vec<String> {
    let mut out = Vec::new();
    let fields = [
        ("name", &a.name, &b.name),
        ("type", &a.service_type, &b.service_type),
        ("domain", &a.domain, &b.domain),
        ("host", &a.host, &b.host),
        ("address", &a.address, &b.address),
    ];
    for (field, x, y) in fields {
        if x != y {
            out.push(format!("{field}: {x} | {y}"));
        }
    }
    if a.port != b.port {
        out.push(format!("port: {} | {}", a.port, b.port));
    }
    let mut keys: Vec<String> = a.txt.iter().chain(&b.txt).map(|(k, _)| k.to_lowercase()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (x, y) = (a.txt(&key), b.txt(&key));
        if x != y {
            let show = |v: Option<&str>| v.map_or("(none)".to_string(), |v| format!("{v:?}"));
            out.push(format!("txt {key}: {} | {}", show(x), show(y)));
        }
    }
    out
}

/// `avahi-browse -rtpk TYPE` at `place`: every instance resolved now (the daemon's cache and
/// one round of queries), then it exits.
pub fn browse_once(place: &Place, service_type: &str) -> io::Result<Vec<ServiceRecord>> {
    let args = ["-r", "-t", "-p", "-k", service_type].map(String::from);
    let out = place.run(30, "avahi-browse", &args, &[])?;
    if out.rc != 0 {
        return Err(other(format!("avahi-browse -rtpk {service_type}: {}", out.text())));
    }
    Ok(out
        .stdout
        .lines()
        .filter_map(|l| match parse_line(l) {
            Some(BrowseLine::Resolved(r)) => Some(r),
            _ => None,
        })
        .collect())
}

/// Polls [`browse_once`] until `done` holds of what it shows, or `limit` passes; the
/// records and the time it took (a figure, not something to assert on).
pub fn poll_browse(
    place: &Place,
    service_type: &str,
    limit: Duration,
    mut done: impl FnMut(&[ServiceRecord]) -> bool,
) -> io::Result<(Vec<ServiceRecord>, Duration)> {
    let start = Instant::now();
    loop {
        let found = browse_once(place, service_type)?;
        if done(&found) {
            return Ok((found, start.elapsed()));
        }
        if start.elapsed() >= limit {
            return Err(other(format!(
                "avahi-browse {service_type}: condition not met within {limit:?}; last seen: \
                 {found:#?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A long-running `avahi-browse -rpk TYPE` whose lines are read as they come, each stamped
/// with the instant it was read: what the other host sees, and when.
pub struct Browser {
    service_type: String,
    _child: ChildGuard,
    lines: mpsc::Receiver<(Instant, String)>,
    /// Instances currently announced, and their resolved records.
    present: BTreeMap<ServiceKey, Option<ServiceRecord>>,
}

impl Browser {
    /// Starts the watcher at `place` (which must run an avahi-daemon).
    pub fn start(place: &Place, service_type: &str) -> io::Result<Browser> {
        let mut cmd = place.command("avahi-browse");
        cmd.args(["-r", "-p", "-k", service_type])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = ChildGuard::spawn("avahi-browse", &mut cmd)?;
        let stdout = child.take_stdout().ok_or_else(|| other("avahi-browse: no stdout".into()))?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        let service_type = service_type.to_string();
        Ok(Browser { service_type, _child: child, lines, present: BTreeMap::new() })
    }

    fn apply(&mut self, line: &str) {
        match parse_line(line) {
            Some(BrowseLine::New(key)) => {
                self.present.entry(key).or_insert(None);
            }
            Some(BrowseLine::Resolved(r)) => {
                let key = ServiceKey {
                    interface: r.interface.clone(),
                    protocol: r.protocol.clone(),
                    name: r.name.clone(),
                    service_type: r.service_type.clone(),
                    domain: r.domain.clone(),
                };
                self.present.insert(key, Some(r));
            }
            Some(BrowseLine::Removed(key)) => {
                self.present.remove(&key);
            }
            None => {}
        }
    }

    /// The resolved records of instance `name` as known now.
    pub fn records(&self, name: &str) -> Vec<ServiceRecord> {
        self.present.iter().filter(|(k, _)| k.name == name).filter_map(|(_, r)| r.clone()).collect()
    }

    /// Every resolved record known now.
    pub fn all_records(&self) -> Vec<ServiceRecord> {
        self.present.values().flatten().cloned().collect()
    }

    /// True while instance `name` is announced (resolved or not).
    pub fn announced(&self, name: &str) -> bool {
        self.present.keys().any(|k| k.name == name)
    }

    /// Reads lines until `done` holds of this watcher's state (then: the instant the deciding
    /// line was read, or now if it held already) or `limit` passes.
    pub fn wait(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&Browser) -> bool,
    ) -> io::Result<Instant> {
        let deadline = Instant::now() + limit;
        if done(self) {
            return Ok(Instant::now());
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (at, line) = match self.lines.recv_timeout(left) {
                Ok(got) => got,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(other(format!(
                        "avahi-browse {}: condition not met within {limit:?}; now: {:#?}",
                        self.service_type,
                        self.all_records()
                    )))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(other(format!("avahi-browse {} exited", self.service_type)))
                }
            };
            self.apply(&line);
            if done(self) {
                return Ok(at);
            }
        }
    }

    /// Waits until instance `name` is announced and resolved: its records and when.
    pub fn wait_shown(
        &mut self,
        name: &str,
        limit: Duration,
    ) -> io::Result<(Vec<ServiceRecord>, Instant)> {
        let at = self.wait(limit, |b| !b.records(name).is_empty())?;
        Ok((self.records(name), at))
    }

    /// Waits until instance `name` is withdrawn (a `-` line for each announcement): when.
    /// Meant for an instance this watcher has seen ([`Browser::wait_shown`]).
    pub fn wait_gone(&mut self, name: &str, limit: Duration) -> io::Result<Instant> {
        self.wait(limit, |b| !b.announced(name))
    }

    /// Runs `action` and times until `name` shows here: the records, and the elapsed time
    /// (a figure to report, not to assert on).
    pub fn time_until_shown(
        &mut self,
        name: &str,
        limit: Duration,
        action: impl FnOnce(),
    ) -> io::Result<(Vec<ServiceRecord>, Duration)> {
        let t0 = Instant::now();
        action();
        let (records, at) = self.wait_shown(name, limit)?;
        Ok((records, at.saturating_duration_since(t0)))
    }

    /// Runs `action` and times until `name` is withdrawn here.
    pub fn time_until_gone(
        &mut self,
        name: &str,
        limit: Duration,
        action: impl FnOnce(),
    ) -> io::Result<Duration> {
        let t0 = Instant::now();
        action();
        Ok(self.wait_gone(name, limit)?.saturating_duration_since(t0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_resolved_lines_with_escapes_and_txt() {
        let line = "=;lan0;IPv4;Office\\032Printer\\064x\\.y;_ipp._tcp;local;quire-a.local;\
                    10.77.0.1;631;\"ty=Foo \\\"Bar\\\"\" \"rp=printers/x\" \"flag\" \"note=a;b\"";
        let Some(BrowseLine::Resolved(r)) = parse_line(line) else { panic!("not resolved") };
        assert_eq!(r.name, "Office Printer@x.y");
        assert_eq!(
            (r.host.as_str(), r.address.as_str(), r.port),
            ("quire-a.local", "10.77.0.1", 631)
        );
        assert_eq!(r.txt("TY"), Some("Foo \"Bar\""));
        assert_eq!(r.txt("rp"), Some("printers/x"));
        assert_eq!(r.txt("flag"), Some(""));
        assert_eq!(r.txt("note"), Some("a;b"));
    }

    #[test]
    fn lists_the_differences_of_two_records() {
        let line = "=;lan0;IPv4;Q;_ipp._tcp;local;quire-a.local;10.77.0.1;631;\"ty=A\" \"rp=x\"";
        let Some(BrowseLine::Resolved(a)) = parse_line(line) else { panic!("not resolved") };
        let mut b = a.clone();
        assert!(record_differences(&a, &b).is_empty());
        b.port = 8631;
        b.txt = vec![("TY".into(), "A".into()), ("UUID".into(), "u".into())];
        assert_eq!(
            record_differences(&a, &b),
            ["port: 631 | 8631", "txt rp: \"x\" | (none)", "txt uuid: (none) | \"u\""]
        );
    }

    #[test]
    fn parses_new_and_removed_lines_and_ignores_others() {
        let Some(BrowseLine::Removed(k)) = parse_line("-;lan0;IPv4;A\\032B;_ipp._tcp;local") else {
            panic!("not removed")
        };
        assert_eq!((k.name.as_str(), k.service_type.as_str()), ("A B", "_ipp._tcp"));
        assert!(matches!(parse_line("+;lan0;IPv4;A;_ipp._tcp;local"), Some(BrowseLine::New(_))));
        assert_eq!(parse_line("Failed to create client object: Daemon not running"), None);
        assert_eq!(parse_line("=;lan0;IPv4;A;_ipp._tcp;local;h;1.2.3.4;notaport;"), None);
    }
}
