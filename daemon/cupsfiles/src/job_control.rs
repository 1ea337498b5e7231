//! Job control files (`<RequestRoot>/cNNNNN`): cupsd keeps each job's attributes as one IPP
//! message, the job's request with what cupsd added (state, times, the queue's URI, ...).
//! Decoded with quire-ipp into a [`JobControl`], read as a typed [`JobRecord`]; written back
//! unchanged, or made anew from a record in cupsd's layout.

use std::fmt;

use quire_ipp::{
    Attribute, DecodeError, DelimiterTag, JobState, Limits, Message, Operation, Value,
};

/// A control file's attributes are a request's, and cupsd adds little: far below this.
const MAX_CONTROL_BYTES: usize = 16 << 20;

/// Why a control file cannot be read as a job (cupsd deletes such a job when it loads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobControlError {
    /// Not an IPP message, or a damaged one.
    Decode(DecodeError),
    /// An attribute cupsd needs is missing or has the wrong syntax.
    Missing(&'static str),
    /// An attribute cupsd needs has a value it cannot use.
    Bad { attribute: &'static str, why: String },
}

impl fmt::Display for JobControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobControlError::Decode(e) => write!(f, "not a job control file: {e}"),
            JobControlError::Missing(name) => {
                write!(f, "no {name} attribute (or not of its syntax)")
            }
            JobControlError::Bad { attribute, why } => write!(f, "bad {attribute}: {why}"),
        }
    }
}

impl std::error::Error for JobControlError {}

/// A job control file as cupsd wrote it: every group and attribute, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct JobControl {
    pub message: Message,
    /// Bytes after the end of the attributes (cupsd writes none).
    pub trailing: usize,
}

/// What a control file says about its job, typed. Attributes cupsd needs to load the job
/// are plain fields (a file without them is refused, as cupsd refuses it); the rest are
/// `Option`s. Every other attribute (the job template: copies, media, sides, ...; and any
/// other cupsd or a client added) is in `other`, with its group.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// `job-id` (cupsd itself takes the id from the file name).
    pub id: Option<i32>,
    /// `job-state`. cupsd loads a processing job as pending.
    pub state: JobState,
    /// `job-state-reasons`.
    pub state_reasons: Vec<String>,
    /// `job-printer-uri`: the queue's URI (`ipp://host/printers/NAME`, `/classes/NAME`).
    pub printer_uri: String,
    /// `job-originating-user-name`: the owner.
    pub owner: String,
    /// `job-priority` (1..100).
    pub priority: i32,
    /// `time-at-creation` (Unix seconds).
    pub created: i64,
    /// `job-name`.
    pub name: Option<String>,
    /// `job-originating-host-name`.
    pub originating_host: Option<String>,
    /// `job-hold-until` (a keyword such as `indefinite`, `no-hold`, or `HH:MM`).
    pub hold_until: Option<String>,
    /// `job-uuid` (`urn:uuid:...`).
    pub uuid: Option<String>,
    /// `time-at-processing`, `time-at-completed` (Unix seconds).
    pub processing: Option<i64>,
    pub completed: Option<i64>,
    /// `job-k-octets`: the documents' size in KiB.
    pub k_octets: Option<i32>,
    /// `job-impressions-completed`.
    pub impressions_completed: Option<i32>,
    /// `document-format-supplied`: cupsd adds one such attribute for each document it takes
    /// (none in a file of an older cupsd: then `document-format`). A document's compression
    /// is not kept: cupsd sees it in the spool file ([`crate::Compression::sniff`]).
    pub document_formats: Vec<String>,
    /// `document-name-supplied`: one for each document that had a name.
    pub document_names: Vec<String>,
    /// `attributes-charset` and `attributes-natural-language` of the request.
    pub charset: String,
    pub language: String,
    /// Every other attribute, with its group, in file order.
    pub other: Vec<(DelimiterTag, Attribute)>,
}

/// The attributes [`JobRecord`] has fields for (a second value of one is not kept).
const TYPED: [&str; 19] = [
    "attributes-charset",
    "attributes-natural-language",
    "job-id",
    "job-state",
    "job-state-reasons",
    "job-printer-uri",
    "job-originating-user-name",
    "job-priority",
    "time-at-creation",
    "job-name",
    "job-originating-host-name",
    "job-hold-until",
    "job-uuid",
    "time-at-processing",
    "time-at-completed",
    "job-k-octets",
    "job-impressions-completed",
    "document-format-supplied",
    "document-name-supplied",
];

impl JobControl {
    /// Decodes a control file's bytes.
    pub fn decode(bytes: &[u8]) -> Result<JobControl, JobControlError> {
        let limits = Limits { max_attribute_bytes: MAX_CONTROL_BYTES, ..Limits::default() };
        let (message, rest) =
            quire_ipp::decode::decode_with(bytes, limits).map_err(JobControlError::Decode)?;
        Ok(JobControl { message, trailing: rest.len() })
    }

    /// The file's bytes: a file cupsd wrote encodes to the bytes it was decoded from (any
    /// file to bytes that decode to the same message).
    pub fn encode(&self) -> Vec<u8> {
        self.message.encode()
    }

    /// The first attribute of that name in any group, as cupsd looks attributes up.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes_in_written_order().find(|a| a.name == name)
    }

    /// Every attribute, its group's operation attributes first, then the job's, then any
    /// other group's: the order [`JobControl::from_record`] writes them in, so the first of
    /// a name found here is the first found again in the file written for the record.
    fn attributes_in_written_order(&self) -> impl Iterator<Item = &Attribute> + '_ {
        let rank = |tag: DelimiterTag| match tag {
            DelimiterTag::Operation => 0,
            DelimiterTag::Job => 1,
            _ => 2,
        };
        (0..3).flat_map(move |r| {
            self.message.groups.iter().filter(move |g| rank(g.tag) == r).flat_map(|g| &g.attributes)
        })
    }

    /// The typed record, or why cupsd would not load this job.
    pub fn record(&self) -> Result<JobRecord, JobControlError> {
        let int = |name: &'static str| self.attribute(name).and_then(Attribute::first_i32);
        let string = |name: &'static str| {
            self.attribute(name).and_then(Attribute::first_str).map(str::to_string)
        };
        let strings = |name: &'static str| -> Vec<String> {
            self.attribute(name).map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default()
        };
        // The values of every attribute of that name (cupsd adds one per document).
        let every = |name: &'static str| -> Vec<String> {
            let attrs = self.attributes_in_written_order();
            attrs.filter(|a| a.name == name).flat_map(|a| a.strs().map(str::to_string)).collect()
        };
        let need_int = |name| int(name).ok_or(JobControlError::Missing(name));
        let state = need_int("job-state")?;
        let state = JobState::from_i32(state).ok_or_else(|| JobControlError::Bad {
            attribute: "job-state",
            why: format!("{state} is not a job state"),
        })?;
        let uri =
            self.attribute("job-printer-uri").filter(|a| matches!(a.first(), Some(Value::Uri(_))));
        let printer_uri = uri.and_then(Attribute::first_str).map(str::to_string);
        let printer_uri = printer_uri.ok_or(JobControlError::Missing("job-printer-uri"))?;
        if queue_name(&printer_uri).is_none() {
            return Err(JobControlError::Bad {
                attribute: "job-printer-uri",
                why: format!("\"{printer_uri}\" names no /printers/ or /classes/ queue"),
            });
        }
        let owner = string("job-originating-user-name");
        // A file of an older cupsd has no `-supplied`: its `document-format` is typed then.
        // Typed only when the record can say it again: one mimeMediaType value.
        let mut formats = every("document-format-supplied");
        let typed_format = self
            .attribute("document-format")
            .filter(|a| formats.is_empty() && matches!(a.values[..], [Value::MimeMediaType(_)]));
        formats.extend(typed_format.and_then(Attribute::first_str).map(str::to_string));
        Ok(JobRecord {
            id: int("job-id"),
            state,
            state_reasons: strings("job-state-reasons"),
            printer_uri,
            owner: owner.ok_or(JobControlError::Missing("job-originating-user-name"))?,
            priority: need_int("job-priority")?,
            created: i64::from(need_int("time-at-creation")?),
            name: string("job-name"),
            originating_host: string("job-originating-host-name"),
            hold_until: string("job-hold-until"),
            uuid: string("job-uuid"),
            processing: int("time-at-processing").map(i64::from),
            completed: int("time-at-completed").map(i64::from),
            k_octets: int("job-k-octets"),
            impressions_completed: int("job-impressions-completed"),
            document_formats: formats,
            document_names: every("document-name-supplied"),
            charset: string("attributes-charset").unwrap_or_else(|| "utf-8".into()),
            language: string("attributes-natural-language").unwrap_or_else(|| "en".into()),
            other: self.other_attributes(typed_format),
        })
    }

    /// The attributes the record does not type (`typed_format`: the one `document-format`
    /// it does).
    fn other_attributes(&self, typed_format: Option<&Attribute>) -> Vec<(DelimiterTag, Attribute)> {
        let mut other = Vec::new();
        for group in &self.message.groups {
            for attr in group.attributes.iter().filter(|a| !TYPED.contains(&a.name.as_str())) {
                if typed_format.is_some_and(|t| std::ptr::eq(t, attr)) {
                    continue;
                }
                other.push((group.tag, attr.clone()));
            }
        }
        // Operation, then job, then any other group: the order `from_record` writes them in.
        other.sort_by_key(|(tag, _)| match tag {
            DelimiterTag::Operation => 0,
            DelimiterTag::Job => 1,
            _ => 2,
        });
        other
    }
}

/// The queue a `job-printer-uri` names: the path's last part after `/printers/` or
/// `/classes/`, percent-decoded.
pub fn queue_name(printer_uri: &str) -> Option<String> {
    let after_scheme = printer_uri.split_once("://")?.1;
    let path = &after_scheme[after_scheme.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let name = path.strip_prefix("/printers/").or_else(|| path.strip_prefix("/classes/"))?;
    let name = percent_decode(name)?;
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `name` as a URI path segment: what is not unreserved or a sub-delimiter, percent-encoded.
pub fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl JobRecord {
    /// The queue the job was sent to ([`queue_name`] of `printer_uri`).
    pub fn queue(&self) -> Option<String> {
        queue_name(&self.printer_uri)
    }
    /// The first of the other attributes with that name (`copies`, `media`; cupsd's
    /// `document-format`, the last document's format as it detected it).
    pub fn other_attribute(&self, name: &str) -> Option<&Attribute> {
        self.other.iter().map(|(_, a)| a).find(|a| a.name == name)
    }
}

impl JobControl {
    /// A control file for `record` in cupsd's layout: a Print-Job request whose operation
    /// group has the charset and language, and whose job group has cupsd's attributes then
    /// the record's others (those of another group follow in groups of their own).
    pub fn from_record(record: &JobRecord) -> JobControl {
        let mut message = Message::new((2, 0), Operation::PrintJob.code(), 1);
        let mut op = quire_ipp::Group::new(DelimiterTag::Operation);
        op.push(Attribute::new("attributes-charset", Value::Charset(record.charset.clone())));
        op.push(Attribute::new(
            "attributes-natural-language",
            Value::NaturalLanguage(record.language.clone()),
        ));
        let mut job = quire_ipp::Group::new(DelimiterTag::Job);
        job.attributes = typed_attributes(record);
        let mut rest: Vec<quire_ipp::Group> = Vec::new();
        for (tag, attr) in &record.other {
            match tag {
                DelimiterTag::Operation => op.push(attr.clone()),
                DelimiterTag::Job => job.push(attr.clone()),
                _ => match rest.last_mut().filter(|g| g.tag == *tag) {
                    Some(group) => group.push(attr.clone()),
                    None => {
                        rest.push(quire_ipp::Group { tag: *tag, attributes: vec![attr.clone()] })
                    }
                },
            }
        }
        message.groups.push(op);
        message.groups.push(job);
        message.groups.extend(rest);
        JobControl { message, trailing: 0 }
    }
}

fn typed_attributes(r: &JobRecord) -> Vec<Attribute> {
    let mut out = Vec::new();
    // Times are 32-bit in IPP (and in cupsd's files): a later one is the latest there is.
    let int = |name: &str, v: i64| {
        let v = v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        Attribute::new(name, Value::Integer(v))
    };
    out.push(Attribute::new("job-printer-uri", Value::Uri(r.printer_uri.clone())));
    if let Some(id) = r.id {
        out.push(Attribute::new("job-id", Value::Integer(id)));
    }
    if let Some(uuid) = &r.uuid {
        out.push(Attribute::new("job-uuid", Value::Uri(uuid.clone())));
    }
    if let Some(name) = &r.name {
        out.push(Attribute::new("job-name", Value::Name(name.clone())));
    }
    out.push(Attribute::new("job-originating-user-name", Value::Name(r.owner.clone())));
    if let Some(host) = &r.originating_host {
        out.push(Attribute::new("job-originating-host-name", Value::Name(host.clone())));
    }
    out.push(Attribute::new("job-priority", Value::Integer(r.priority)));
    if let Some(hold) = &r.hold_until {
        // A keyword (`indefinite`, `night`, ...), else a time of day, which is a name.
        let keyword =
            hold.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let value = if keyword { Value::Keyword(hold.clone()) } else { Value::Name(hold.clone()) };
        out.push(Attribute::new("job-hold-until", value));
    }
    out.push(Attribute::new("job-state", Value::Enum(r.state as i32)));
    if !r.state_reasons.is_empty() {
        let reasons = r.state_reasons.iter().map(|s| Value::Keyword(s.clone())).collect();
        out.push(Attribute::set("job-state-reasons", reasons));
    }
    out.push(int("time-at-creation", r.created));
    // cupsd sets these in place when the job starts and ends: they must be there, unknown.
    for (name, time) in [("time-at-processing", r.processing), ("time-at-completed", r.completed)] {
        out.push(match time {
            Some(t) => int(name, t),
            None => Attribute::new(name, Value::NoValue),
        });
    }
    if let Some(k) = r.k_octets {
        out.push(Attribute::new("job-k-octets", Value::Integer(k)));
    }
    if let Some(n) = r.impressions_completed {
        out.push(Attribute::new("job-impressions-completed", Value::Integer(n)));
    }
    // One attribute per document, as cupsd adds them.
    for format in &r.document_formats {
        out.push(Attribute::new("document-format-supplied", Value::MimeMediaType(format.clone())));
    }
    for name in &r.document_names {
        out.push(Attribute::new("document-name-supplied", Value::Name(name.clone())));
    }
    out
}
