//! DNS names and the three record types DNS-SD publishes (PTR, SRV, TXT), typed, with their
//! RFC 1035 master-file text and wire form. Names are kept as labels, never as dotted text, so
//! an instance name holding a `.` or a space stays one label.

use std::fmt;

use crate::name::zone_label;

/// A name is at most 255 bytes in wire form (RFC 1035 section 2.3.4).
pub const MAX_NAME_WIRE: usize = 255;
/// A label is at most 63 bytes.
pub const MAX_LABEL: usize = 63;

/// Why a name (or a piece of one) cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Empty,
    EmptyLabel,
    LabelTooLong(String),
    NameTooLong,
    /// `\` in a domain written in the configuration: Quire takes plain names only.
    Escape,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "empty name"),
            NameError::EmptyLabel => write!(f, "empty label (two dots in a row)"),
            NameError::LabelTooLong(l) => write!(f, "label \"{l}\" is longer than 63 bytes"),
            NameError::NameTooLong => write!(f, "name is longer than 255 bytes"),
            NameError::Escape => write!(f, "backslash escapes are not accepted in a domain"),
        }
    }
}

impl std::error::Error for NameError {}

/// An absolute DNS name: its labels, first to last (the root's empty label left out).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    labels: Vec<String>,
}

impl Name {
    /// A dotted name as an administrator writes it (`campus.example` or `campus.example.`):
    /// plain labels, no escapes.
    pub fn parse(text: &str) -> Result<Name, NameError> {
        let text = text.strip_suffix('.').unwrap_or(text);
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if text.contains('\\') {
            return Err(NameError::Escape);
        }
        let mut name = Name { labels: Vec::new() };
        for l in text.split('.') {
            name = name.child_checked(l)?;
        }
        Ok(name)
    }

    /// A name of constant labels known to be valid.
    pub(crate) fn from_static(labels: &[&str]) -> Name {
        Name { labels: labels.iter().map(|l| l.to_string()).collect() }
    }

    /// A name read off the wire: `None` when a label is not UTF-8 (no name quired publishes)
    /// or the name breaks a limit.
    pub fn from_wire_labels(labels: Vec<Vec<u8>>) -> Option<Name> {
        let labels = labels.into_iter().map(String::from_utf8).collect::<Result<_, _>>().ok()?;
        let name = Name { labels };
        name.check().ok()?;
        (!name.labels.is_empty()).then_some(name)
    }

    /// `label.self`, checked for the limits of a label and a name.
    pub fn child(&self, label: &str) -> Result<Name, NameError> {
        let mut labels = Vec::with_capacity(self.labels.len() + 1);
        labels.push(label.to_string());
        labels.extend(self.labels.iter().cloned());
        let name = Name { labels };
        name.check()?;
        Ok(name)
    }

    /// `a.b.self` for the dotted plain labels `a.b` (a service type such as `_ipp._tcp`).
    pub fn children(&self, dotted: &str) -> Result<Name, NameError> {
        let mut name = self.clone();
        for l in dotted.rsplit('.') {
            name = name.child(l)?;
        }
        Ok(name)
    }

    fn child_checked(mut self, label: &str) -> Result<Name, NameError> {
        self.labels.push(label.to_string());
        self.check()?;
        Ok(self)
    }

    fn check(&self) -> Result<(), NameError> {
        for l in &self.labels {
            if l.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            if l.len() > MAX_LABEL {
                return Err(NameError::LabelTooLong(l.clone()));
            }
        }
        if self.wire_len() > MAX_NAME_WIRE {
            return Err(NameError::NameTooLong);
        }
        Ok(())
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The length of the wire form: a length byte and the bytes of each label, then the root.
    pub fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// The uncompressed wire form.
    pub fn write_wire(&self, out: &mut Vec<u8>) {
        for l in &self.labels {
            // Checked at construction: a label is at most 63 bytes.
            out.push(u8::try_from(l.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(l.as_bytes());
        }
        out.push(0);
    }

    /// The canonical wire form (RFC 4034 section 6.2: ASCII letters in lower case), which
    /// TSIG signs key and algorithm names in.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        let start = out.len();
        self.write_wire(out);
        out[start..].make_ascii_lowercase();
    }

    /// Names compare without regard to ASCII case (RFC 4343).
    pub fn eq_ignore_case(&self, other: &Name) -> bool {
        self.labels.len() == other.labels.len()
            && self.labels.iter().zip(&other.labels).all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// Whether `self` is `zone` or below it.
    pub fn is_within(&self, zone: &Name) -> bool {
        let skip = match self.labels.len().checked_sub(zone.labels.len()) {
            Some(s) => s,
            None => return false,
        };
        self.labels[skip..].iter().zip(&zone.labels).all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// The master-file form, absolute (trailing dot), each label escaped.
    pub fn to_master(&self) -> String {
        let mut out = String::new();
        for l in &self.labels {
            out.push_str(&zone_label(l));
            out.push('.');
        }
        if out.is_empty() {
            out.push('.');
        }
        out
    }

    /// The master-file form relative to `origin` (`@` for the origin itself), or absolute
    /// when outside it.
    pub fn to_master_relative(&self, origin: &Name) -> String {
        if !self.is_within(origin) {
            return self.to_master();
        }
        let keep = self.labels.len() - origin.labels.len();
        if keep == 0 {
            return "@".into();
        }
        let parts: Vec<String> = self.labels[..keep].iter().map(|l| zone_label(l)).collect();
        parts.join(".")
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_master())
    }
}

/// Record types (RFC 1035, RFC 2782, RFC 8945) and classes the updates use.
pub mod rtype {
    pub const SOA: u16 = 6;
    pub const PTR: u16 = 12;
    pub const TXT: u16 = 16;
    pub const SRV: u16 = 33;
    pub const TSIG: u16 = 250;
    pub const ANY: u16 = 255;
}

pub mod class {
    pub const IN: u16 = 1;
    pub const NONE: u16 = 254;
    pub const ANY: u16 = 255;
}

/// The data of a record DNS-SD publishes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RData {
    Ptr(Name),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: Name,
    },
    /// The character-strings, each at most 255 bytes.
    Txt(Vec<Vec<u8>>),
}

impl RData {
    pub fn rtype(&self) -> u16 {
        match self {
            RData::Ptr(_) => rtype::PTR,
            RData::Srv { .. } => rtype::SRV,
            RData::Txt(_) => rtype::TXT,
        }
    }

    /// The wire form of the data (without its length), names uncompressed (RFC 3597 and
    /// RFC 2782 forbid compressing SRV targets; PTR may be, but need not be).
    pub fn write_wire(&self, out: &mut Vec<u8>) {
        match self {
            RData::Ptr(n) => n.write_wire(out),
            RData::Srv { priority, weight, port, target } => {
                out.extend_from_slice(&priority.to_be_bytes());
                out.extend_from_slice(&weight.to_be_bytes());
                out.extend_from_slice(&port.to_be_bytes());
                target.write_wire(out);
            }
            RData::Txt(strings) => {
                for s in strings {
                    out.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
                    out.extend_from_slice(&s[..s.len().min(255)]);
                }
            }
        }
    }

    fn master(&self, origin: &Name) -> String {
        match self {
            RData::Ptr(n) => format!("PTR\t{}", n.to_master_relative(origin)),
            RData::Srv { priority, weight, port, target } => {
                format!("SRV\t{priority} {weight} {port} {}", target.to_master())
            }
            RData::Txt(strings) => {
                let quoted: Vec<String> = strings.iter().map(|s| quote_txt(s)).collect();
                format!("TXT\t{}", quoted.join(" "))
            }
        }
    }
}

/// One resource record of class IN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Record {
    pub owner: Name,
    pub ttl: u32,
    pub data: RData,
}

impl Record {
    /// The line of a master file with `$ORIGIN origin`.
    pub fn master_line(&self, origin: &Name) -> String {
        format!(
            "{}\t{}\tIN\t{}",
            self.owner.to_master_relative(origin),
            self.ttl,
            self.data.master(origin)
        )
    }
}

/// A character-string in a master file: quoted, `"` and `\` escaped with a backslash, bytes
/// outside printable ASCII as `\DDD` (RFC 1035 section 5.1).
pub fn quote_txt(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b' '..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
