//! cupsd's queued jobs (RequestRoot's control files `cNNNNN` and documents `dNNNNN-NNN`)
//! and subscriptions into the scheduler. A job keeps its id, owner, name, times, priority,
//! hold and job template attributes; its documents are hard-linked into quired's spool (the
//! originals stay until the import is recorded). A job that cannot be loaded is left out
//! with a warning naming its file: a control file that is not IPP, lacks what cupsd needs,
//! names no imported queue, or whose documents cannot be read.

use quire_core::model::{Job, JobAttrs, JobState, Scheduler, Subscription};
use quire_core::Document;
use quire_cupsfiles::{job_documents, Compression, JobControl, JobRecord, SpoolFile};
use quire_cupsfiles::{SubscriptionRecord, SubscriptionsFile};
use quire_ipp::registry::{self, Groups};
use quire_ipp::{Attribute, DelimiterTag, Value};
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::path::Path;

/// The jobs found in RequestRoot: the control files' names, in job order, and every spool
/// file name (for the backup, and for finding each job's documents).
pub struct SpoolListing {
    pub controls: Vec<(i32, String)>,
    pub names: Vec<String>,
    /// Each job's files, by job id (a job's documents are found without a scan of all).
    pub by_job: HashMap<i32, Vec<String>>,
}

/// RequestRoot's job files (`c`, `d` and `a` files of cupsd; nothing else).
pub fn list_spool(request_root: &Path) -> std::io::Result<SpoolListing> {
    let mut controls = Vec::new();
    let mut names = Vec::new();
    let mut by_job: HashMap<i32, Vec<String>> = HashMap::new();
    let dir = match std::fs::read_dir(request_root) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SpoolListing { controls, names, by_job: HashMap::new() })
        }
        Err(e) => return Err(e),
    };
    for entry in dir {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
        let Some(file) = SpoolFile::parse(&name) else { continue };
        if !entry.file_type()?.is_file() {
            continue;
        }
        if let SpoolFile::Control(id) = file {
            controls.push((id, name.clone()));
        }
        by_job.entry(file.job()).or_default().push(name.clone());
        names.push(name);
    }
    controls.sort();
    names.sort();
    Ok(SpoolListing { controls, names, by_job })
}

/// What became of the jobs.
#[derive(Debug, Default)]
pub struct JobsDone {
    pub added: usize,
    pub left_out: usize,
    /// The spool files of the jobs added: taken out of cupsd's spool once recorded.
    pub taken: Vec<String>,
    /// Documents linked into quired's spool (removed again if the import fails).
    pub linked: Vec<String>,
}

/// Adds the jobs of `listing` to `s`, their documents linked into `spool_dir`.
pub fn add_all(
    s: &mut Scheduler,
    listing: &SpoolListing,
    request_root: &Path,
    spool_dir: &Path,
    now: i64,
) -> JobsDone {
    let mut done = JobsDone::default();
    for (id, control) in &listing.controls {
        let path = request_root.join(control);
        let names: Vec<&str> = listing
            .by_job
            .get(id)
            .map(|n| n.iter().map(String::as_str).collect())
            .unwrap_or_default();
        match add_one(s, *id, &path, &names, (request_root, spool_dir), now, &mut done.linked) {
            Ok(files) => {
                done.added += 1;
                done.taken.push(control.clone());
                done.taken.extend(files);
            }
            Err(why) => {
                tracing::warn!("{}: job {id} not imported: {why}", path.display());
                done.left_out += 1;
            }
        }
    }
    done
}

/// One job; the names of its document files in cupsd's spool.
fn add_one(
    s: &mut Scheduler,
    id: i32,
    control: &Path,
    names: &[&str],
    (request_root, spool_dir): (&Path, &Path),
    now: i64,
    linked: &mut Vec<String>,
) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(control).map_err(|e| e.to_string())?;
    let record = JobControl::decode(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|c| c.record().map_err(|e| e.to_string()))?;
    let queue = record.queue().ok_or("its job-printer-uri names no queue")?;
    let printer = s
        .printer(&queue)
        .map(|p| p.name.clone())
        .ok_or_else(|| format!("its queue \"{queue}\" was not imported"))?;
    let found = job_documents(id, names.iter().copied());
    if !found.beyond_gap.is_empty() {
        tracing::warn!(
            "{}: job {id}: {} after a gap in the document numbers, left out (cupsd does not \
             print them either)",
            control.display(),
            found.beyond_gap.join(", ")
        );
    }
    let terminal = record.state.is_terminal();
    let mut documents = Vec::new();
    for (i, file) in found.documents.iter().enumerate() {
        let number = i32::try_from(i + 1).map_err(|_| "too many documents")?;
        let doc = link_document(&record, id, number, &request_root.join(file), spool_dir)
            .map_err(|e| format!("document {file}: {e}"))?;
        linked.push(doc.file.clone());
        documents.push(doc);
    }
    if documents.is_empty() && !terminal {
        return Err("it has no document (no dNNNNN-001 file)".into());
    }
    let mut job = job_of(&record, id, &printer, now);
    job.files_purged = documents.is_empty();
    job.documents = documents;
    s.jobs.insert(id, Box::new(job));
    let mut files = found.documents;
    // Its credentials for the backend (AuthInfoRequired), which Quire does not use.
    let auth = SpoolFile::Auth(id).name();
    if names.contains(&auth.as_str()) {
        files.push(auth);
    }
    Ok(files)
}

/// Links one document into quired's spool, typed from the record (cupsd adds a
/// `document-format-supplied` for each) and its compression sniffed, as cupsd does.
fn link_document(
    record: &JobRecord,
    id: i32,
    number: i32,
    from: &Path,
    spool_dir: &Path,
) -> std::io::Result<Document> {
    let mut head = [0u8; 2];
    let mut f = std::fs::File::open(from)?;
    let size = f.metadata()?.len();
    let got = f.read(&mut head)?;
    let compression = Compression::sniff(&head[..got]);
    let file = quire_store::document_file_name(id, number);
    super::backup::link_or_copy(from, &spool_dir.join(&file))?;
    let at = usize::try_from(number - 1).unwrap_or(usize::MAX);
    Ok(Document {
        number,
        format: record
            .document_formats
            .get(at)
            .cloned()
            .unwrap_or_else(|| "application/octet-stream".into()),
        name: record.document_names.get(at).cloned().unwrap_or_default(),
        size,
        file,
        compression: (compression == Compression::Gzip).then(|| "gzip".into()),
        pages: None,
        uri: None,
    })
}

/// The job as Quire keeps it. A printing job is pending again (cupsd too prints it again
/// from the start), as is a stopped one.
fn job_of(r: &JobRecord, id: i32, printer: &str, now: i64) -> Job {
    let host = r.originating_host.as_deref().unwrap_or("localhost");
    let mut j = Job::new(id, printer, &r.owner, host, r.created);
    j.name = r.name.as_deref().unwrap_or("Untitled").into();
    j.priority = r.priority.clamp(1, 100);
    j.uuid = r
        .uuid
        .clone()
        .filter(|u| *u != quire_core::ids::uuid_for("job", id as u64, r.created))
        .map(String::into_boxed_str);
    j.processing_at = r.processing;
    j.k_octets = r.k_octets.map_or(0, i64::from);
    j.impressions_completed = r.impressions_completed.unwrap_or(0);
    j.attributes = JobAttrs::from(template_attributes(r));
    let reasons = || r.state_reasons.iter().map(|s| s.as_str().into()).collect::<Vec<_>>();
    j.state = match r.state {
        JobState::Processing | JobState::Stopped => JobState::Pending,
        other => other,
    };
    match j.state {
        JobState::Held => {
            let hold = r.hold_until.as_deref().filter(|h| *h != "no-hold").unwrap_or("indefinite");
            j.hold_until = hold.into();
            j.hold_until_time = quire_core::template::hold_until_time(hold, now);
            j.state_reasons = if r.state_reasons.is_empty() {
                vec!["job-hold-until-specified".into()]
            } else {
                reasons()
            };
        }
        JobState::Pending => j.hold_until = "no-hold".into(),
        _ => {
            j.completed_at = Some(r.completed.unwrap_or(now));
            j.state_reasons = reasons();
        }
    }
    j
}

/// The job template attributes of the record (`copies`, `media`, `sides`, Quire's own, ...),
/// and `job-name`: what Quire keeps of a job's request. cupsd's status attributes are not.
fn template_attributes(r: &JobRecord) -> Vec<Attribute> {
    let template = |name: &str| {
        registry::syntax_of(name).is_some_and(|d| d.groups.intersects(Groups::JOB_TEMPLATE))
    };
    let mut out: Vec<Attribute> = r
        .other
        .iter()
        .filter(|(tag, a)| *tag == DelimiterTag::Job && template(&a.name))
        .map(|(_, a)| a.clone())
        .collect();
    if let Some(name) = &r.name {
        out.push(Attribute::new("job-name", Value::Name(name.clone())));
    }
    out
}

/// cupsd's subscriptions whose queue and job (if any) were imported; a lease starts again
/// now, as when cupsd loads it.
pub fn add_subscriptions(
    s: &mut Scheduler,
    file: &SubscriptionsFile,
    path: &Path,
    now: i64,
) -> usize {
    let mut added = 0;
    for rec in &file.subscriptions {
        match subscription_of(s, rec, now) {
            Ok(x) => {
                s.subscriptions.insert(x.id, x);
                added += 1;
            }
            Err(why) => {
                tracing::warn!("{}: subscription {} not imported: {why}", path.display(), rec.id)
            }
        }
    }
    if let Some(next) = file.next_subscription_id {
        s.next_subscription_id = s.next_subscription_id.max(next);
    }
    added
}

fn subscription_of(
    s: &Scheduler,
    rec: &SubscriptionRecord,
    now: i64,
) -> Result<Subscription, String> {
    let printer = match &rec.printer_name {
        Some(name) => Some(
            s.printer(name)
                .map(|p| p.name.clone())
                .ok_or_else(|| format!("its queue \"{name}\" was not imported"))?,
        ),
        None => None,
    };
    if let Some(job) = rec.job_id.filter(|j| !s.jobs.contains_key(j)) {
        return Err(format!("its job {job} was not imported"));
    }
    if s.subscriptions.contains_key(&rec.id) {
        return Err("a subscription of that id exists".into());
    }
    let lease = rec.lease_duration.unwrap_or(0);
    Ok(Subscription {
        id: rec.id,
        uuid: quire_core::ids::uuid_for("subscription", rec.id as u64, now),
        owner: rec.owner.clone().unwrap_or_else(|| "anonymous".into()),
        printer,
        job_id: rec.job_id,
        events: rec.events.clone(),
        pull_method: rec.recipient.is_none().then(|| "ippget".into()),
        recipient_uri: rec.recipient.clone(),
        user_data: rec.user_data.clone(),
        charset: "utf-8".into(),
        language: "en".into(),
        lease_duration: lease,
        expires_at: (lease > 0).then_some(now + i64::from(lease)),
        time_interval: rec.interval.unwrap_or(0),
        next_sequence: rec.next_event_id.unwrap_or(1).max(1),
        pending: VecDeque::new(),
    })
}
