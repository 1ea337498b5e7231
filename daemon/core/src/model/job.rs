//! Jobs: their state, their client-supplied attributes (kept encoded) and their documents.

use super::{Confidential, Failover, Str};
use crate::document::Document;
use crate::ids;
use quire_ipp::Attribute;
pub use quire_ipp::JobState;

/// A job. Kept compact: a scheduler holds tens of thousands of them (held jobs, history),
/// so short strings are stored inline ([`Str`]), the UUID is derived from the id and
/// creation time, and the client's attributes stay IPP-encoded ([`JobAttrs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i32,
    /// `None` (the usual case): the UUID is [`ids::uuid_for`]`("job", id, created)`;
    /// `Some`: a record from elsewhere whose UUID differs (see [`Job::uuid`]).
    pub uuid: Option<Box<str>>,
    /// The queue (printer or class) the job was submitted to.
    pub printer: Str,
    /// The printer actually printing it (differs from `printer` for classes).
    pub output_device: Option<Str>,
    pub parent_job_id: Option<i32>,
    pub owner: Str,
    pub originating_host: Str,
    pub name: Str,
    pub state: JobState,
    pub state_reasons: Vec<Str>,
    pub state_message: Str,
    pub printer_state_reasons: Vec<Str>,
    pub printer_state_message: Str,
    pub priority: i32,
    pub hold_until: Str,
    /// When a timed `job-hold-until` ends (unix seconds).
    pub hold_until_time: Option<i64>,
    pub created: i64,
    pub processing_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Job template and other client-supplied job attributes, kept as sent (encoded).
    pub attributes: JobAttrs,
    pub documents: Vec<Document>,
    /// Create-Job leaves a job open until the last document arrives.
    pub open: bool,
    pub k_octets: i64,
    pub impressions: Option<i32>,
    pub impressions_completed: i32,
    pub pages_completed: i32,
    /// Documents were discarded (PreserveJobFiles expired).
    pub files_purged: bool,
    /// Which backend run of the job this is: bumped each time the job starts, carried in
    /// `Effect::StartJob` and given back with the run's reports, so a late report from an
    /// earlier run (stopped by cancel, move, ...) is told apart from the current one.
    pub run: u32,
    /// Failed runs so far, for `JobRetryLimit`.
    pub tries: u16,
    /// A split job's parts (child jobs, each with `parent_job_id` set to this job).
    pub children: Vec<i32>,
    /// The device's id of this job once the device accepted it: after a restart the
    /// backend follows that job instead of printing it again.
    pub device_job: Option<i32>,
    /// The splitter has decided about this job (split it, or not): it does not again.
    pub split_decided: bool,
    /// The job's printer stopped while printing it: where moving the remainder stands,
    /// and every decision made (boxed: rare, and a `Job` is kept small).
    pub failover: Option<Box<Failover>>,
    /// Held until its owner proves who they are (boxed: rare).
    pub confidential: Option<Box<Confidential>>,
}

impl Job {
    /// A new pending job `id` of `owner` (from `host`) on queue `printer`, created `now`,
    /// with no attributes or documents yet.
    pub fn new(id: i32, printer: &str, owner: &str, host: &str, now: i64) -> Job {
        Job {
            id,
            uuid: None,
            printer: printer.into(),
            output_device: None,
            parent_job_id: None,
            owner: owner.into(),
            originating_host: host.into(),
            name: Str::default(),
            state: JobState::Pending,
            state_reasons: vec!["none".into()],
            state_message: Str::default(),
            printer_state_reasons: Vec::new(),
            printer_state_message: Str::default(),
            priority: 50,
            hold_until: Str::default(),
            hold_until_time: None,
            created: now,
            processing_at: None,
            completed_at: None,
            attributes: JobAttrs::default(),
            documents: Vec::new(),
            open: false,
            k_octets: 0,
            impressions: None,
            impressions_completed: 0,
            pages_completed: 0,
            files_purged: false,
            run: 0,
            tries: 0,
            children: Vec::new(),
            device_job: None,
            split_decided: false,
            failover: None,
            confidential: None,
        }
    }
    /// `job-uuid`.
    pub fn uuid(&self) -> String {
        match &self.uuid {
            Some(u) => u.to_string(),
            None => ids::uuid_for("job", self.id as u64, self.created),
        }
    }
    pub fn attribute(&self, name: &str) -> Option<Attribute> {
        self.attributes.get(name)
    }
    pub fn set_attribute(&mut self, attr: Attribute) {
        let mut all = self.attributes.to_vec();
        match all.iter_mut().find(|a| a.name == attr.name) {
            Some(slot) => *slot = attr,
            None => all.push(attr),
        }
        self.attributes = JobAttrs::from(all);
    }
    pub fn remove_attribute(&mut self, name: &str) {
        if self.attributes.contains(name) {
            let mut all = self.attributes.to_vec();
            all.retain(|a| a.name != name);
            self.attributes = JobAttrs::from(all);
        }
    }
    /// A new pending job `id` with this one's owner, attributes and documents (the caller
    /// gives it its own document files), as Reprocess-Job and the splitter make them.
    pub fn copy_as_new(&self, id: i32, now: i64) -> Job {
        Job {
            id,
            uuid: None, // derived from the new id and creation time
            state: JobState::Pending,
            state_reasons: vec!["none".into()],
            state_message: Str::default(),
            printer_state_reasons: Vec::new(),
            printer_state_message: Str::default(),
            created: now,
            processing_at: None,
            completed_at: None,
            output_device: None,
            impressions_completed: 0,
            pages_completed: 0,
            run: 0,
            tries: 0,
            device_job: None,
            children: Vec::new(),
            split_decided: false,
            failover: None,
            confidential: None,
            files_purged: false,
            ..self.clone()
        }
    }
    /// A split job: its children print it, it never prints itself.
    pub fn is_split(&self) -> bool {
        !self.children.is_empty()
    }
    pub fn set_reason(&mut self, reason: &str) {
        if !self.state_reasons.iter().any(|r| r == reason) {
            self.state_reasons.retain(|r| r != "none");
            self.state_reasons.push(reason.into());
            self.state_reasons.shrink_to_fit();
        }
    }
    pub fn clear_reason(&mut self, reason: &str) {
        self.state_reasons.retain(|r| r != reason);
    }
}

/// A job's client-supplied attributes, IPP-encoded back to back as inside a group (the
/// codec's own format): one small allocation per job instead of one per name and value.
/// Decoded only when a response, the backend or a change needs them.
#[derive(Clone, Default, PartialEq)]
pub struct JobAttrs(Box<[u8]>);

impl JobAttrs {
    /// The encoded attributes (as inside a group, without the group tag).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn from_bytes(bytes: &[u8]) -> Self {
        JobAttrs(bytes.into())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Names of the attributes, in order, read straight from the encoding.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans().map(|(name, _)| name)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }
    /// Decodes every attribute.
    pub fn to_vec(&self) -> Vec<Attribute> {
        decode_attrs(&self.0)
    }
    /// Decodes one attribute.
    pub fn get(&self, name: &str) -> Option<Attribute> {
        let (_, span) = self.spans().find(|(n, _)| *n == name)?;
        decode_attrs(self.0.get(span)?).pop()
    }
    /// Each top-level attribute's name and byte range. Within an attribute, additional
    /// values and collection members all have empty names, so a non-empty name starts
    /// the next attribute.
    fn spans(&self) -> impl Iterator<Item = (&str, std::ops::Range<usize>)> + '_ {
        let b = &self.0[..];
        let field = |at: usize| -> Option<(usize, usize)> {
            let len = u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize;
            Some((at + 2, at + 2 + len))
        };
        // One value: tag, name, value; returns (name range, end).
        let entry = move |at: usize| -> Option<(std::ops::Range<usize>, usize)> {
            let (ns, ne) = field(at + 1)?;
            let (_, ve) = field(ne)?;
            (ve <= b.len()).then_some((ns..ne, ve))
        };
        let mut at = 0;
        std::iter::from_fn(move || {
            let (name, mut end) = entry(at)?;
            let start = at;
            while let Some((n, e)) = entry(end) {
                if !n.is_empty() {
                    break;
                }
                end = e;
            }
            at = end;
            Some((std::str::from_utf8(b.get(name)?).unwrap_or(""), start..end))
        })
    }
}

impl From<Vec<Attribute>> for JobAttrs {
    fn from(attrs: Vec<Attribute>) -> Self {
        JobAttrs::from(attrs.as_slice())
    }
}

impl From<&[Attribute]> for JobAttrs {
    fn from(attrs: &[Attribute]) -> Self {
        let mut out = Vec::with_capacity(attrs.iter().map(Attribute::encoded_len).sum());
        for a in attrs {
            a.encode_into(&mut out);
        }
        JobAttrs(out.into_boxed_slice())
    }
}

impl std::fmt::Debug for JobAttrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

/// Decodes attributes encoded as inside a group, by framing them as a message.
fn decode_attrs(bytes: &[u8]) -> Vec<Attribute> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut framed = Vec::with_capacity(bytes.len() + 10);
    framed.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 0, quire_ipp::DelimiterTag::Job as u8]);
    framed.extend_from_slice(bytes);
    framed.push(quire_ipp::DelimiterTag::EndOfAttributes as u8);
    match quire_ipp::decode(&framed) {
        Ok((mut m, _)) => m.groups.pop().map(|g| g.attributes).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}
