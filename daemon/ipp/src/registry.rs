//! IPP attribute registry: the syntax and group of every standard attribute
//! (RFC 8011, RFC 3995/3996, PWG 5100.x, CUPS extensions), value checking
//! against that syntax, and expansion of `requested-attributes` group names.
//!
//! The table itself lives in `registry_table.rs`. Job Template attributes are
//! listed once with their Printer `-default` and `-supported` syntaxes and
//! expanded into three entries when the index is first built.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::message::Attribute;
pub use crate::syntax::{
    AttrDef, Groups, Kind, MemberDef, Syntax, MAX_KEYWORD, MAX_MIME, MAX_NAME, MAX_OCTETS,
    MAX_SHORT, MAX_TEXT, MAX_URI,
};
use crate::value::{ResolutionUnits, Value};

#[path = "registry_table.rs"]
mod table;

/// A Job Template attribute with the syntaxes of its Printer counterparts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Template {
    pub name: &'static str,
    pub default_name: &'static str,
    pub supported_name: &'static str,
    pub syntax: Syntax,
    /// False when the attribute has no `-default` (e.g. `page-ranges`).
    pub has_default: bool,
    pub supported: Syntax,
}

fn index() -> &'static [AttrDef] {
    static INDEX: OnceLock<Vec<AttrDef>> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

/// Flattens the table (expanding templates) into one sorted slice. When a
/// name is listed twice (e.g. `job-name`) the groups are merged and the first
/// syntax wins; a test checks such duplicates agree.
fn build_index() -> Vec<AttrDef> {
    let mut all: Vec<AttrDef> = table::ATTRS.to_vec();
    all.extend_from_slice(crate::vendor::ATTRS);
    for t in table::TEMPLATES {
        all.push(AttrDef { name: t.name, groups: Groups::JOB_TEMPLATE, syntax: t.syntax });
        if t.has_default {
            let syntax = t.syntax.or_no_value();
            all.push(AttrDef { name: t.default_name, groups: Groups::PRINTER_TEMPLATE, syntax });
        }
        all.push(AttrDef {
            name: t.supported_name,
            groups: Groups::PRINTER_TEMPLATE,
            syntax: t.supported,
        });
    }
    all.sort_by(|a, b| a.name.cmp(b.name));
    let mut out: Vec<AttrDef> = Vec::with_capacity(all.len());
    for def in all {
        match out.last_mut() {
            Some(last) if last.name == def.name => last.groups = last.groups.union(def.groups),
            _ => out.push(def),
        }
    }
    out
}

/// Every registered attribute, sorted by name.
pub fn all_attributes() -> &'static [AttrDef] {
    index()
}

/// The registered definition of `name`, if any.
pub fn syntax_of(name: &str) -> Option<&'static AttrDef> {
    let idx = index();
    idx.binary_search_by(|d| d.name.cmp(name)).ok().and_then(|i| idx.get(i))
}

/// Names of duplicated table entries whose syntaxes disagree (for tests).
#[cfg(test)]
pub(crate) fn conflicting_duplicates() -> Vec<&'static str> {
    let mut all: Vec<AttrDef> = table::ATTRS.to_vec();
    for t in table::TEMPLATES {
        all.push(AttrDef { name: t.name, groups: Groups::JOB_TEMPLATE, syntax: t.syntax });
    }
    all.sort_by(|a, b| a.name.cmp(b.name));
    all.windows(2)
        .filter(|w| w[0].name == w[1].name && w[0].syntax != w[1].syntax)
        .map(|w| w[0].name)
        .collect()
}

/// What is wrong with an attribute's values. `index` is the value's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// An attribute must have at least one value.
    NoValues {
        name: String,
    },
    /// More than one value for an attribute that is not a 1setOf.
    TooManyValues {
        name: String,
        count: usize,
    },
    /// A value tag that none of the syntax's alternatives allows.
    WrongTag {
        name: String,
        index: usize,
        tag: u32,
    },
    /// An out-of-band value mixed with other values (RFC 8011 section 5.1.1: it must be alone).
    OutOfBandInSet {
        name: String,
        tag: u32,
    },
    /// `no-value` for an attribute that does not allow it.
    NoValueNotAllowed {
        name: String,
    },
    TooLong {
        name: String,
        index: usize,
        len: usize,
        max: usize,
    },
    OutOfRange {
        name: String,
        index: usize,
        value: i32,
        min: i32,
        max: i32,
    },
    /// rangeOfInteger with lower > upper.
    BadRange {
        name: String,
        index: usize,
        lower: i32,
        upper: i32,
    },
    /// Non-positive resolution or unknown units.
    BadResolution {
        name: String,
        index: usize,
    },
    BadDateTime {
        name: String,
        index: usize,
    },
    /// A string that is not a well-formed keyword, uri, charset, language or MIME type.
    BadString {
        name: String,
        index: usize,
    },
    /// The same member twice in one collection value.
    DuplicateMember {
        name: String,
        member: String,
    },
    /// A member of collection value `index` of `name` is wrong.
    InMember {
        name: String,
        index: usize,
        error: Box<SyntaxError>,
    },
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use SyntaxError::*;
        match self {
            NoValues { name } => write!(f, "{name}: no values"),
            TooManyValues { name, count } => {
                write!(f, "{name}: {count} values for a single-valued attribute")
            }
            WrongTag { name, index, tag } => {
                write!(f, "{name}[{index}]: value tag 0x{tag:02x} not allowed")
            }
            OutOfBandInSet { name, tag } => {
                write!(f, "{name}: out-of-band value 0x{tag:02x} with other values")
            }
            NoValueNotAllowed { name } => write!(f, "{name}: no-value not allowed"),
            TooLong { name, index, len, max } => {
                write!(f, "{name}[{index}]: {len} octets, max {max}")
            }
            OutOfRange { name, index, value, min, max } => {
                write!(f, "{name}[{index}]: {value} not in {min}..{max}")
            }
            BadRange { name, index, lower, upper } => {
                write!(f, "{name}[{index}]: range {lower}-{upper}")
            }
            BadResolution { name, index } => write!(f, "{name}[{index}]: bad resolution"),
            BadDateTime { name, index } => write!(f, "{name}[{index}]: bad dateTime"),
            BadString { name, index } => write!(f, "{name}[{index}]: malformed value"),
            DuplicateMember { name, member } => write!(f, "{name}: member {member} repeated"),
            InMember { name, index, error } => write!(f, "{name}[{index}].{error}"),
        }
    }
}

impl std::error::Error for SyntaxError {}

/// Checks an attribute's values against its registered syntax. Unknown
/// attribute names are accepted: the caller decides what to do with them.
pub fn check(attr: &Attribute) -> Result<(), SyntaxError> {
    match syntax_of(&attr.name) {
        Some(def) => check_syntax(&attr.name, &def.syntax, &attr.values),
        None => Ok(()),
    }
}

/// Checks values against a syntax (also used for collection members).
pub fn check_syntax(name: &str, syntax: &Syntax, values: &[Value]) -> Result<(), SyntaxError> {
    let first = values.first().ok_or_else(|| SyntaxError::NoValues { name: name.to_string() })?;
    if let Some(oob) = values.iter().find(|v| v.is_out_of_band()) {
        if values.len() > 1 {
            return Err(SyntaxError::OutOfBandInSet { name: name.to_string(), tag: oob.tag() });
        }
        // `unknown`, `delete-attribute`, `not-settable`, `admin-define`,
        // `default` and `unsupported` are context-dependent (the operation
        // decides); only `no-value` is a property of the attribute.
        if matches!(first, Value::NoValue) && !syntax.no_value {
            return Err(SyntaxError::NoValueNotAllowed { name: name.to_string() });
        }
        return Ok(());
    }
    if values.len() > 1 && !syntax.set {
        return Err(SyntaxError::TooManyValues { name: name.to_string(), count: values.len() });
    }
    for (index, value) in values.iter().enumerate() {
        check_value(name, index, syntax.kinds, value)?;
    }
    Ok(())
}

/// Finds the first alternative whose tag matches and checks the value against it.
fn check_value(name: &str, index: usize, kinds: &[Kind], value: &Value) -> Result<(), SyntaxError> {
    let kind = kinds.iter().find(|k| tag_matches(k, value));
    let Some(kind) = kind else {
        return Err(SyntaxError::WrongTag { name: name.to_string(), index, tag: value.tag() });
    };
    let err = |e: Fault| e.into_error(name, index);
    match (kind, value) {
        (Kind::Integer(min, max), Value::Integer(v)) | (Kind::Enum(min, max), Value::Enum(v)) => {
            if v < min || v > max {
                return Err(SyntaxError::OutOfRange {
                    name: name.to_string(),
                    index,
                    value: *v,
                    min: *min,
                    max: *max,
                });
            }
            Ok(())
        }
        (Kind::Name(max) | Kind::Text(max), _) => {
            check_string(value, usize::from(*max)).map_err(err)
        }
        (Kind::OctetString(max), Value::OctetString(b)) => {
            length(b.len(), usize::from(*max)).map_err(err)
        }
        (Kind::Keyword, Value::Keyword(s)) => check_keyword(s).map_err(err),
        (Kind::Uri, Value::Uri(s)) => check_uri(s).map_err(err),
        (Kind::UriScheme, Value::UriScheme(s)) => check_scheme(s).map_err(err),
        (Kind::Charset, Value::Charset(s)) => check_charset(s).map_err(err),
        (Kind::NaturalLanguage, Value::NaturalLanguage(s)) => check_language(s).map_err(err),
        (Kind::MimeMediaType, Value::MimeMediaType(s)) => check_mime(s).map_err(err),
        (Kind::RangeOfInteger, Value::RangeOfInteger { lower, upper }) if lower > upper => {
            Err(SyntaxError::BadRange {
                name: name.to_string(),
                index,
                lower: *lower,
                upper: *upper,
            })
        }
        (Kind::Resolution, Value::Resolution { cross_feed, feed, units }) => {
            let ok = *cross_feed > 0 && *feed > 0 && !matches!(units, ResolutionUnits::Other(_));
            if ok {
                Ok(())
            } else {
                Err(SyntaxError::BadResolution { name: name.to_string(), index })
            }
        }
        (Kind::DateTime, Value::DateTime(d)) => {
            if date_ok(d) {
                Ok(())
            } else {
                Err(SyntaxError::BadDateTime { name: name.to_string(), index })
            }
        }
        (Kind::Collection(members), Value::Collection(attrs)) => {
            check_collection(name, index, members, attrs)
        }
        _ => Ok(()),
    }
}

fn tag_matches(kind: &Kind, value: &Value) -> bool {
    matches!(
        (kind, value),
        (Kind::Integer(..), Value::Integer(_))
            | (Kind::Boolean, Value::Boolean(_))
            | (Kind::Enum(..), Value::Enum(_))
            | (Kind::Keyword, Value::Keyword(_))
            | (Kind::Name(_), Value::Name(_) | Value::NameWithLanguage { .. })
            | (Kind::Text(_), Value::Text(_) | Value::TextWithLanguage { .. })
            | (Kind::Uri, Value::Uri(_))
            | (Kind::UriScheme, Value::UriScheme(_))
            | (Kind::Charset, Value::Charset(_))
            | (Kind::NaturalLanguage, Value::NaturalLanguage(_))
            | (Kind::MimeMediaType, Value::MimeMediaType(_))
            | (Kind::OctetString(_), Value::OctetString(_))
            | (Kind::DateTime, Value::DateTime(_))
            | (Kind::Resolution, Value::Resolution { .. })
            | (Kind::RangeOfInteger, Value::RangeOfInteger { .. })
            | (Kind::Collection(_), Value::Collection(_))
    )
}

fn check_collection(
    name: &str,
    index: usize,
    members: &[MemberDef],
    attrs: &[Attribute],
) -> Result<(), SyntaxError> {
    for (i, attr) in attrs.iter().enumerate() {
        if attrs[..i].iter().any(|a| a.name == attr.name) {
            return Err(SyntaxError::DuplicateMember {
                name: name.to_string(),
                member: attr.name.clone(),
            });
        }
        let Some(def) = members.iter().find(|m| m.name == attr.name) else {
            continue;
        };
        check_syntax(&attr.name, &def.syntax, &attr.values).map_err(|error| {
            SyntaxError::InMember { name: name.to_string(), index, error: Box::new(error) }
        })?;
    }
    Ok(())
}

/// A string problem, before the attribute name and index are attached.
enum Fault {
    Long(usize, usize),
    Malformed,
}

impl Fault {
    fn into_error(self, name: &str, index: usize) -> SyntaxError {
        match self {
            Fault::Long(len, max) => {
                SyntaxError::TooLong { name: name.to_string(), index, len, max }
            }
            Fault::Malformed => SyntaxError::BadString { name: name.to_string(), index },
        }
    }
}

fn length(len: usize, max: usize) -> Result<(), Fault> {
    if len > max {
        Err(Fault::Long(len, max))
    } else {
        Ok(())
    }
}

fn check_string(value: &Value, max: usize) -> Result<(), Fault> {
    match value {
        Value::NameWithLanguage { language, name: s }
        | Value::TextWithLanguage { language, text: s } => {
            check_language(language)?;
            length(s.len(), max)
        }
        other => length(other.as_str().map_or(0, str::len), max),
    }
}

/// RFC 8011 section 5.1.4, relaxed like CUPS: vendors use upper case and digits first.
fn check_keyword(s: &str) -> Result<(), Fault> {
    length(s.len(), MAX_KEYWORD)?;
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Fault::Malformed)
    }
}

/// An absolute URI: a scheme, a colon, no spaces or control characters.
fn check_uri(s: &str) -> Result<(), Fault> {
    length(s.len(), MAX_URI)?;
    let Some((scheme, _)) = s.split_once(':') else {
        return Err(Fault::Malformed);
    };
    check_scheme(scheme)?;
    if s.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Fault::Malformed)
    }
}

fn check_scheme(s: &str) -> Result<(), Fault> {
    length(s.len(), MAX_SHORT)?;
    let mut bytes = s.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    if first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) {
        Ok(())
    } else {
        Err(Fault::Malformed)
    }
}

/// IANA charset names are case-insensitive ASCII without spaces.
fn check_charset(s: &str) -> Result<(), Fault> {
    length(s.len(), MAX_SHORT)?;
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:()+".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Fault::Malformed)
    }
}

/// RFC 5646 language tag: alphanumeric subtags of 1-8 characters joined by hyphens.
fn check_language(s: &str) -> Result<(), Fault> {
    length(s.len(), MAX_SHORT)?;
    let ok = s
        .split('-')
        .all(|t| (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(Fault::Malformed)
    }
}

/// `type/subtype` with optional `;param=value`.
fn check_mime(s: &str) -> Result<(), Fault> {
    length(s.len(), MAX_MIME)?;
    let base = s.split(';').next().unwrap_or("");
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    match base.trim().split_once('/') {
        Some((t, st)) if token(t) && token(st) && s.is_ascii() => Ok(()),
        _ => Err(Fault::Malformed),
    }
}

fn date_ok(d: &crate::value::DateTime) -> bool {
    (1..=12).contains(&d.month)
        && (1..=31).contains(&d.day)
        && d.hour <= 23
        && d.minutes <= 59
        && d.seconds <= 60
        && d.deci_seconds <= 9
        && (d.utc_dir == b'+' || d.utc_dir == b'-')
        && d.utc_hours <= 14
        && d.utc_minutes <= 59
}

/// The kind of object whose attributes are being requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Printer,
    Job,
    Document,
    Subscription,
    System,
}

/// The result of expanding `requested-attributes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedSet {
    all: bool,
    groups: Groups,
    actuals: bool,
    /// CUPS's `printer-defaults`: every `-default` attribute of a printer.
    defaults: bool,
    names: BTreeSet<String>,
}

impl RequestedSet {
    /// Whether the attribute `name` of the object was requested.
    pub fn contains(&self, name: &str) -> bool {
        if self.all || self.names.contains(name) {
            return true;
        }
        if self.actuals && name.ends_with("-actual") {
            return true;
        }
        if self.defaults && name.ends_with("-default") {
            return true;
        }
        syntax_of(name).is_some_and(|def| def.groups.intersects(self.groups))
    }
    /// Whether `all` was requested.
    pub fn is_all(&self) -> bool {
        self.all
    }
    /// Whether `name` is asked for only as one of CUPS's `printer-defaults` (not by name, not
    /// by another group).
    pub fn only_as_a_default(&self, name: &str) -> bool {
        self.defaults
            && name.ends_with("-default")
            && !self.all
            && !self.names.contains(name)
            && !syntax_of(name).is_some_and(|def| def.groups.intersects(self.groups))
    }
    /// The individual (non-group) names requested.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

/// The registry groups a group keyword stands for on an object, or `None`
/// when the keyword is not a group name for that object (then it is an attribute name).
fn group_of(keyword: &str, object: ObjectKind) -> Option<Groups> {
    use ObjectKind::*;
    let g = match (keyword, object) {
        // Printers answer `job-template` with the -default/-supported counterparts (RFC 8011 4.2.5.1).
        ("job-template", Printer) => Groups::PRINTER_TEMPLATE,
        ("job-template", Job) | ("document-template", Document) => Groups::JOB_TEMPLATE,
        // CUPS and RFC 8011 count status attributes as description attributes.
        ("printer-description", Printer) => {
            Groups::PRINTER_DESCRIPTION.union(Groups::PRINTER_STATUS)
        }
        ("printer-status", Printer) => Groups::PRINTER_STATUS,
        ("job-description", Job) => Groups::JOB_DESCRIPTION.union(Groups::JOB_STATUS),
        ("job-status", Job) => Groups::JOB_STATUS,
        ("document-description", Document) => {
            Groups::DOCUMENT_DESCRIPTION.union(Groups::DOCUMENT_STATUS)
        }
        ("document-status", Document) => Groups::DOCUMENT_STATUS,
        ("subscription-template", Subscription | Printer) => Groups::SUBSCRIPTION_TEMPLATE,
        ("subscription-description", Subscription) => Groups::SUBSCRIPTION_DESCRIPTION,
        ("system-description", System) => Groups::SYSTEM_DESCRIPTION.union(Groups::SYSTEM_STATUS),
        ("system-status", System) => Groups::SYSTEM_STATUS,
        _ => return None,
    };
    Some(g)
}

/// Keywords that are group names for some object: on another object they match nothing.
const GROUP_KEYWORDS: &[&str] = &[
    "all",
    "document-description",
    "document-status",
    "document-template",
    "job-actuals",
    "job-description",
    "job-status",
    "job-template",
    "printer-defaults",
    "printer-description",
    "printer-status",
    "subscription-description",
    "subscription-template",
    "system-description",
    "system-status",
];

/// Expands `requested-attributes` values for one object kind (RFC 8011
/// sections 4.2.5.1, 4.3.4.1, RFC 3995 11.2.4, PWG 5100.7 `job-actuals`).
pub fn expand_requested(requested: &[&str], object: ObjectKind) -> RequestedSet {
    let mut set = RequestedSet {
        all: false,
        groups: Groups::NONE,
        actuals: false,
        defaults: false,
        names: BTreeSet::new(),
    };
    for &keyword in requested {
        if keyword == "all" {
            set.all = true;
        } else if keyword == "job-actuals" {
            set.actuals |= matches!(object, ObjectKind::Job | ObjectKind::Document);
        } else if keyword == "printer-defaults" {
            set.defaults |= object == ObjectKind::Printer;
        } else if let Some(g) = group_of(keyword, object) {
            set.groups = set.groups.union(g);
        } else if !GROUP_KEYWORDS.contains(&keyword) {
            set.names.insert(keyword.to_string());
        }
    }
    set
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
