//! Scheduler objects to and from the opaque blobs the store keeps, using the IPP codec
//! itself as the serialization (one format, already fuzzed).

use crate::document::Document;
use crate::ids;
use crate::model::{
    Job, JobAttrs, JobState, Printer, PrinterState, Security, Str, Subscription, Trust,
};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};
use std::collections::VecDeque;

/// Blob format version, stored as the message's request-id.
const FORMAT: i32 = 1;

fn text(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Text(v.to_string()))
}
fn int(name: &str, v: i64) -> Attribute {
    Attribute::new(name, Value::Integer(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32))
}
fn opt(name: &str, v: Option<i64>) -> Attribute {
    v.map_or(Attribute::new(name, Value::NoValue), |v| int(name, v))
}
/// An i64 (times, sizes) as decimal text: IPP integers are 32-bit, and times pass
/// i32::MAX in 2038. Older records hold these as integers; `Fields::i` reads both.
fn big(name: &str, v: i64) -> Attribute {
    text(name, &v.to_string())
}
fn opt_big(name: &str, v: Option<i64>) -> Attribute {
    v.map_or(Attribute::new(name, Value::NoValue), |v| big(name, v))
}
fn texts<S: AsRef<str>>(name: &str, v: &[S]) -> Attribute {
    Attribute::set(name, v.iter().map(|s| Value::Text(s.as_ref().to_string())).collect())
}
fn ints(name: &str, v: &[i32]) -> Attribute {
    if v.is_empty() {
        return Attribute::new(name, Value::NoValue);
    }
    Attribute::set(name, v.iter().map(|i| Value::Integer(*i)).collect())
}
fn flag(name: &str, v: bool) -> Attribute {
    Attribute::new(name, Value::Boolean(v))
}

fn blob(groups: Vec<Group>) -> Vec<u8> {
    let mut m = Message::new((2, 0), 0, FORMAT);
    m.groups = groups;
    m.encode()
}

/// Reads back the fields written above; missing fields take defaults so old blobs load.
struct Fields<'a>(&'a Group);

impl Fields<'_> {
    fn s(&self, n: &str) -> String {
        self.0.get(n).and_then(|a| a.first_str()).unwrap_or("").to_string()
    }
    /// An integer field, or an i64 one written as text by `big`.
    fn i(&self, n: &str) -> Option<i64> {
        let a = self.0.get(n)?;
        a.first_i32().map(i64::from).or_else(|| a.first_str().and_then(|s| s.parse().ok()))
    }
    fn b(&self, n: &str) -> bool {
        self.0.get(n).and_then(|a| a.first_bool()).unwrap_or(false)
    }
    fn list(&self, n: &str) -> Vec<String> {
        self.0.get(n).map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default()
    }
    fn ints(&self, n: &str) -> Vec<i32> {
        self.0
            .get(n)
            .map(|a| a.values.iter().filter_map(Value::as_i32).collect())
            .unwrap_or_default()
    }
    fn str(&self, n: &str) -> Str {
        self.0.get(n).and_then(|a| a.first_str()).unwrap_or("").into()
    }
    fn strs(&self, n: &str) -> Vec<Str> {
        self.0.get(n).map(|a| a.strs().map(Str::from).collect()).unwrap_or_default()
    }
}

#[derive(Debug)]
pub struct PersistError(pub String);

fn decode(bytes: &[u8]) -> Result<Message, PersistError> {
    let (m, _) = quire_ipp::decode(bytes).map_err(|e| PersistError(e.to_string()))?;
    if m.request_id != FORMAT {
        return Err(PersistError(format!("unknown record format {}", m.request_id)));
    }
    Ok(m)
}

pub fn job_to_blob(j: &Job) -> Vec<u8> {
    let mut g = Group::new(DelimiterTag::Job);
    g.attributes = vec![
        int("id", i64::from(j.id)),
        text("uuid", &j.uuid()),
        text("printer", &j.printer),
        text("output-device", j.output_device.as_deref().unwrap_or("")),
        opt("parent", j.parent_job_id.map(i64::from)),
        text("owner", &j.owner),
        text("host", &j.originating_host),
        text("name", &j.name),
        int("state", j.state as i64),
        texts("reasons", &j.state_reasons),
        text("message", &j.state_message),
        texts("printer-reasons", &j.printer_state_reasons),
        text("printer-message", &j.printer_state_message),
        int("priority", i64::from(j.priority)),
        text("hold-until", &j.hold_until),
        opt_big("hold-until-time", j.hold_until_time),
        big("created", j.created),
        opt_big("processing", j.processing_at),
        opt_big("completed", j.completed_at),
        flag("open", j.open),
        big("k-octets", j.k_octets),
        opt("impressions", j.impressions.map(i64::from)),
        int("impressions-completed", i64::from(j.impressions_completed)),
        int("pages-completed", i64::from(j.pages_completed)),
        flag("files-purged", j.files_purged),
        big("run", i64::from(j.run)),
        int("tries", i64::from(j.tries)),
        ints("children", &j.children),
        opt("device-job", j.device_job.map(i64::from)),
        flag("split-decided", j.split_decided),
        texts("document-names", &j.documents.iter().map(|d| d.name.as_str()).collect::<Vec<_>>()),
    ];
    g.attributes.extend(optional_job_fields(j));
    // The second group is the job's attributes, already encoded: splice them in. The
    // result is what encoding both groups gives.
    let mut out = blob(vec![g]);
    out.pop(); // end-of-attributes
    out.push(DelimiterTag::Job as u8);
    out.extend_from_slice(j.attributes.as_bytes());
    out.push(DelimiterTag::EndOfAttributes as u8);
    out
}

/// The fields only some jobs have: Print-URI documents, failover, confidentiality.
fn optional_job_fields(j: &Job) -> Vec<Attribute> {
    let mut out = Vec::new();
    // Print-URI documents have no store row (no bytes yet): they live here.
    let pulls: Vec<&Document> = j.documents.iter().filter(|d| d.uri.is_some()).collect();
    if !pulls.is_empty() {
        out.extend([
            ints("pull-numbers", &pulls.iter().map(|d| d.number).collect::<Vec<_>>()),
            texts("pull-formats", &pulls.iter().map(|d| d.format.as_str()).collect::<Vec<_>>()),
            texts(
                "pull-uris",
                &pulls.iter().map(|d| d.uri.as_deref().unwrap_or("")).collect::<Vec<_>>(),
            ),
        ]);
    }
    if let Some(f) = &j.failover {
        out.extend([
            text("failover-phase", f.phase.keyword()),
            text("failover-from", &f.from),
            big("failover-since", f.since),
            text("failover-target", f.target.as_deref().unwrap_or("")),
            text("failover-fault", &f.fault),
            texts("failover-log", &f.log),
        ]);
    }
    if let Some(c) = &j.confidential {
        out.extend([
            text("confidential-release", c.release.keyword()),
            big("confidential-expires", c.expires),
            texts("confidential-keys", &c.keys),
            flag("confidential-released", c.released),
            text("confidential-pin-check", c.pin_check.as_deref().unwrap_or("")),
            int("confidential-pin-failures", i64::from(c.pin_failures)),
        ]);
    }
    out
}

/// Rebuilds a job; `documents` come from the store's document rows.
pub fn job_from_blob(bytes: &[u8], documents: Vec<Document>) -> Result<Job, PersistError> {
    let m = decode(bytes)?;
    let (Some(g), Some(attrs)) = (m.groups.first(), m.groups.get(1)) else {
        return Err(PersistError("job record has no fields".into()));
    };
    let f = Fields(g);
    let documents = documents_from(&f, documents);
    let device = f.s("output-device");
    let id = f.i("id").unwrap_or(0) as i32;
    let created = f.i("created").unwrap_or(0);
    let uuid = f.s("uuid");
    let mut state_reasons = f.strs("reasons");
    state_reasons.shrink_to_fit();
    Ok(Job {
        uuid: (uuid != ids::uuid_for("job", id as u64, created)).then(|| uuid.into_boxed_str()),
        id,
        printer: f.str("printer"),
        output_device: (!device.is_empty()).then(|| device.into()),
        parent_job_id: f.i("parent").map(|v| v as i32),
        owner: f.str("owner"),
        originating_host: f.str("host"),
        name: f.str("name"),
        state: f.i("state").and_then(|s| JobState::from_i32(s as i32)).unwrap_or(JobState::Pending),
        state_reasons,
        state_message: f.str("message"),
        printer_state_reasons: f.strs("printer-reasons"),
        printer_state_message: f.str("printer-message"),
        priority: f.i("priority").unwrap_or(50) as i32,
        hold_until: f.str("hold-until"),
        hold_until_time: f.i("hold-until-time"),
        created,
        processing_at: f.i("processing"),
        completed_at: f.i("completed"),
        attributes: JobAttrs::from(attrs.attributes.as_slice()),
        documents,
        open: f.b("open"),
        k_octets: f.i("k-octets").unwrap_or(0),
        impressions: f.i("impressions").map(|v| v as i32),
        impressions_completed: f.i("impressions-completed").unwrap_or(0) as i32,
        pages_completed: f.i("pages-completed").unwrap_or(0) as i32,
        files_purged: f.b("files-purged"),
        run: f.i("run").and_then(|r| u32::try_from(r).ok()).unwrap_or(0),
        tries: f.i("tries").and_then(|r| u16::try_from(r).ok()).unwrap_or(0),
        children: g
            .get("children")
            .map(|a| {
                a.values
                    .iter()
                    .filter_map(|v| match v {
                        Value::Integer(i) => Some(*i),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        device_job: f.i("device-job").map(|v| v as i32),
        split_decided: f.b("split-decided"),
        failover: failover_from(&f),
        confidential: confidential_from(&f),
    })
}

/// The job's documents: the store's rows and the Print-URI ones, with their names.
fn documents_from(f: &Fields<'_>, documents: Vec<Document>) -> Vec<Document> {
    let names = f.list("document-names");
    let (formats, uris) = (f.list("pull-formats"), f.list("pull-uris"));
    let pulls =
        f.ints("pull-numbers").into_iter().zip(formats).zip(uris).map(|((number, format), uri)| {
            Document {
                number,
                format,
                name: String::new(),
                size: 0,
                file: String::new(),
                compression: None,
                pages: None,
                uri: Some(uri),
            }
        });
    let mut documents: Vec<Document> = documents
        .into_iter()
        .chain(pulls)
        .map(|mut d| {
            d.name = names.get((d.number - 1).max(0) as usize).cloned().unwrap_or_default();
            d
        })
        .collect();
    documents.sort_by_key(|d| d.number);
    documents.shrink_to_fit();
    documents
}

fn confidential_from(f: &Fields<'_>) -> Option<Box<crate::model::Confidential>> {
    let release = crate::model::Release::from_keyword(&f.s("confidential-release"))?;
    Some(Box::new(crate::model::Confidential {
        release,
        expires: f.i("confidential-expires").unwrap_or(0),
        keys: f.list("confidential-keys"),
        released: f.b("confidential-released"),
        pin_check: Some(f.s("confidential-pin-check")).filter(|s| !s.is_empty()),
        pin_failures: f
            .i("confidential-pin-failures")
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
    }))
}

fn failover_from(f: &Fields<'_>) -> Option<Box<crate::model::Failover>> {
    let phase = crate::model::Phase::from_keyword(&f.s("failover-phase"))?;
    let target = f.s("failover-target");
    Some(Box::new(crate::model::Failover {
        phase,
        from: f.s("failover-from"),
        since: f.i("failover-since").unwrap_or(0),
        target: (!target.is_empty()).then_some(target),
        fault: f.s("failover-fault"),
        log: f.list("failover-log"),
    }))
}

pub fn printer_to_blob(p: &Printer) -> Vec<u8> {
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = vec![
        text("name", &p.name),
        int("id", i64::from(p.id)),
        text("uuid", &p.uuid),
        flag("is-class", p.is_class),
        texts("members", &p.members),
        text("device-uri", &p.device_uri),
        text("ppd-name", &p.ppd_name),
        text("info", &p.info),
        text("location", &p.location),
        text("make-and-model", &p.make_and_model),
        int("state", p.state as i64),
        texts("reasons", &p.state_reasons),
        text("message", &p.state_message),
        flag("accepting", p.accepting),
        flag("shared", p.shared),
        flag("hold-new-jobs", p.hold_new_jobs),
        big("state-change-time", p.state_change_time),
        big("config-change-time", p.config_change_time),
        texts("users-allowed", &p.users_allowed),
        texts("users-denied", &p.users_denied),
        text("error-policy", &p.error_policy),
        text("op-policy", &p.op_policy),
        flag("confidential-default", p.confidential_default),
        flag("temporary", p.temporary),
        texts(
            "job-sheets-default",
            &[p.job_sheets_default.0.clone(), p.job_sheets_default.1.clone()],
        ),
        texts("option-defaults", &p.option_defaults),
    ];
    let mut caps = Group::new(DelimiterTag::Printer);
    caps.attributes = p.capabilities.to_vec();
    // Security facts and split policy, as the vendor attributes that set them; who vouches
    // for the facts and what the device claimed, as shown.
    let mut vendor = Group::new(DelimiterTag::Printer);
    vendor.attributes = p.security.attributes();
    if p.security.configured_level.is_none() {
        vendor.attributes.retain(|a| a.name != quire_ipp::vendor::SECURITY_LEVEL);
    }
    vendor.attributes.extend(
        crate::security::printer_attributes(p)
            .into_iter()
            .filter(|a| a.name == v::SECURITY_SOURCE || a.name == v::SECURITY_CLAIM),
    );
    vendor.attributes.extend(p.split.attributes());
    vendor.attributes.extend(p.failover.attributes());
    blob(vec![g, caps, vendor])
}

pub fn printer_from_blob(bytes: &[u8]) -> Result<Printer, PersistError> {
    let m = decode(bytes)?;
    let (Some(g), Some(caps)) = (m.groups.first(), m.groups.get(1)) else {
        return Err(PersistError("printer record has no fields".into()));
    };
    let f = Fields(g);
    let sheets = f.list("job-sheets-default");
    let mut split = crate::model::SplitPolicy::default();
    let mut failover = crate::model::FailoverPolicy::default();
    let vendor = m.groups.get(2).map(|v| v.attributes.as_slice()).unwrap_or_default();
    for a in vendor {
        // Values were checked when they were set; a damaged one keeps its default.
        let _ = split.set(a).and_then(|done| if done { Ok(true) } else { failover.set(a) });
    }
    let (security, trust, claim) = security_from(vendor);
    // A printer that was printing when we stopped is idle now; a stopped one stays stopped.
    let state = match f.i("state").and_then(|s| PrinterState::from_i32(s as i32)) {
        Some(PrinterState::Stopped) => PrinterState::Stopped,
        _ => PrinterState::Idle,
    };
    Ok(Printer {
        name: f.s("name"),
        id: f.i("id").unwrap_or(0) as i32,
        uuid: f.s("uuid"),
        is_class: f.b("is-class"),
        members: f.list("members"),
        device_uri: f.s("device-uri"),
        ppd_name: f.s("ppd-name"),
        info: f.s("info"),
        location: f.s("location"),
        make_and_model: f.s("make-and-model"),
        state,
        state_reasons: f.list("reasons"),
        state_message: f.s("message"),
        accepting: f.b("accepting"),
        shared: f.b("shared"),
        hold_new_jobs: f.b("hold-new-jobs"),
        state_change_time: f.i("state-change-time").unwrap_or(0),
        config_change_time: f.i("config-change-time").unwrap_or(0),
        capabilities: std::sync::Arc::new(caps.attributes.clone()),
        users_allowed: f.list("users-allowed"),
        users_denied: f.list("users-denied"),
        error_policy: f.s("error-policy"),
        op_policy: f.s("op-policy"),
        job_sheets_default: (
            sheets.first().cloned().unwrap_or_else(|| "none".into()),
            sheets.get(1).cloned().unwrap_or_else(|| "none".into()),
        ),
        option_defaults: f.list("option-defaults"),
        device: Default::default(),
        security,
        trust,
        claim,
        temporary: f.b("temporary"),
        split,
        failover,
        confidential_default: f.b("confidential-default"),
    })
}

/// A printer's facts, who vouches for them and the device's claim, from its vendor group.
/// A record from before Quire tracked who vouches (no `quire-security-source`) cannot tell
/// an administrator's facts from a device's: they are kept as the claim, not confirmed
/// (`quire-security-confirmed=true` puts them back in effect).
fn security_from(vendor: &[Attribute]) -> (Security, Trust, Option<Security>) {
    let facts = Security::from_members(vendor);
    let claim = vendor
        .iter()
        .find(|a| a.name == v::SECURITY_CLAIM)
        .and_then(|a| a.first())
        .and_then(Value::as_collection)
        .map(Security::from_members);
    match vendor.iter().find(|a| a.name == v::SECURITY_SOURCE).and_then(|a| a.first_str()) {
        None => (
            Security::default(),
            Trust::Unconfirmed,
            Some(facts).filter(|f| *f != Security::default()),
        ),
        Some(source) => match Trust::from_keyword(source).filter(|t| t.vouched()) {
            Some(trust) => (facts, trust, claim),
            None => (Security::default(), Trust::Unconfirmed, claim),
        },
    }
}

pub fn subscription_to_blob(x: &Subscription) -> Vec<u8> {
    let mut g = Group::new(DelimiterTag::Subscription);
    g.attributes = vec![
        int("id", i64::from(x.id)),
        text("uuid", &x.uuid),
        text("owner", &x.owner),
        text("printer", x.printer.as_deref().unwrap_or("")),
        opt("job-id", x.job_id.map(i64::from)),
        texts("events", &x.events),
        text("charset", &x.charset),
        text("language", &x.language),
        int("lease", i64::from(x.lease_duration)),
        opt_big("expires", x.expires_at),
        int("interval", i64::from(x.time_interval)),
        int("next-sequence", i64::from(x.next_sequence)),
    ];
    if let Some(d) = &x.user_data {
        g.push(Attribute::new("user-data", Value::OctetString(d.clone())));
    }
    if let Some(r) = &x.recipient_uri {
        g.push(text("recipient", r));
    }
    blob(vec![g])
}

pub fn subscription_from_blob(bytes: &[u8]) -> Result<Subscription, PersistError> {
    let m = decode(bytes)?;
    let g = m.groups.first().ok_or_else(|| PersistError("empty subscription record".into()))?;
    let f = Fields(g);
    let printer = f.s("printer");
    let recipient = Some(f.s("recipient")).filter(|r| !r.is_empty());
    let user_data = match g.get("user-data").map(|a| a.values.as_slice()) {
        Some([Value::OctetString(d)]) => Some(d.clone()),
        _ => None,
    };
    Ok(Subscription {
        id: f.i("id").unwrap_or(0) as i32,
        uuid: f.s("uuid"),
        owner: f.s("owner"),
        printer: (!printer.is_empty()).then_some(printer),
        job_id: f.i("job-id").map(|v| v as i32),
        events: f.list("events"),
        recipient_uri: recipient.clone(),
        pull_method: recipient.is_none().then(|| "ippget".into()),
        user_data,
        charset: f.s("charset"),
        language: f.s("language"),
        lease_duration: f.i("lease").unwrap_or(0) as i32,
        expires_at: f.i("expires"),
        time_interval: f.i("interval").unwrap_or(0) as i32,
        next_sequence: f.i("next-sequence").unwrap_or(1) as i32,
        pending: VecDeque::new(),
    })
}
