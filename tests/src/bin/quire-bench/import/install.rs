//! A CUPS install as cupsd 2.4 leaves one on disk, written with quire-cupsfiles: N stopped
//! printers (socket and ipp devices, some with a PPD), classes of them, a default, queue
//! options, a few subscriptions, and M pending or held jobs with one small document each.
//!
//! The layout is the bench servers' (`etc/` is ServerRoot, `spool/` RequestRoot), so the
//! install is copied under a server's directory as it is. Every printer is `State Stopped`:
//! neither server tries to print (or to reach a device) while it is measured.

use std::fs;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use quire_cupsfiles::{
    percent_encode, JobControl, JobRecord, Queue, QueueFile, QueueKind, QueueState, SpoolFile,
    SubscriptionRecord, SubscriptionsFile,
};
use quire_ipp::{Attribute, DateTime, DelimiterTag, JobState, Value};

/// When the install's queues were configured and its jobs created (2026-12-01 00:00 UTC).
const T0: i64 = 1_764_547_200;

/// Members in each class.
const CLASS_SIZE: usize = 5;

/// Subscriptions written (printer events, pull delivery, no expiry).
pub const SUBSCRIPTIONS: usize = 8;

/// The owners jobs are spread over.
const OWNERS: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "root"];

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub printers: usize,
    pub classes: usize,
    pub jobs: usize,
    /// Every `ppd_every`-th printer has a copy of `ppd` (0: none).
    pub ppd_every: usize,
    pub ppd: Option<PathBuf>,
}

/// What was generated, for the report.
#[derive(Debug, Clone, Default)]
pub struct Install {
    pub printers: usize,
    pub with_ppd: usize,
    /// The PPD's `*NickName`: what those printers' make and model is.
    pub ppd_nick: Option<String>,
    pub classes: usize,
    pub jobs: usize,
    pub held: usize,
    pub subscriptions: usize,
    pub bytes: u64,
    pub files: u64,
}

/// The name of printer `i`.
pub fn printer_name(i: usize) -> String {
    format!("lab{i:05}")
}

fn class_name(i: usize) -> String {
    format!("pool{i:04}")
}

/// Writes the install under `root` (`etc/...`, `spool/...`); `root` must be empty or missing.
pub fn write(root: &Path, plan: &Plan) -> io::Result<Install> {
    let etc = root.join("etc");
    let spool = root.join("spool");
    fs::create_dir_all(etc.join("ppd"))?;
    fs::create_dir_all(&spool)?;
    let ppd = match (&plan.ppd, plan.ppd_every) {
        (Some(path), every) if every > 0 => Some((fs::read(path)?, nick_name(path)?)),
        _ => None,
    };
    let mut out = Install {
        subscriptions: SUBSCRIPTIONS.min(plan.printers),
        ppd_nick: ppd.as_ref().map(|(_, nick)| nick.clone()),
        ..Default::default()
    };
    let mut file = QueueFile::new(QueueKind::Printer);
    for i in 0..plan.printers {
        let with_ppd = ppd.is_some() && i % plan.ppd_every == plan.ppd_every - 1;
        let mut q = printer(i, ppd.as_ref().filter(|_| with_ppd).map(|(_, nick)| nick.as_str()));
        if let (true, Some((bytes, _))) = (with_ppd, &ppd) {
            put(&mut out, &etc.join(format!("ppd/{}.ppd", q.name)), bytes)?;
            out.with_ppd += 1;
        }
        // The default is a printer; a class default would win over it (cupsd reads both).
        q.is_default = i == 0;
        file.queues.push(q);
    }
    file.next_printer_id = Some(plan.printers as i32 + plan.classes as i32 + 1);
    out.printers = plan.printers;
    put(&mut out, &etc.join("printers.conf"), file.to_text().as_bytes())?;
    let classes = classes(plan);
    out.classes = classes.queues.len();
    put(&mut out, &etc.join("classes.conf"), classes.to_text().as_bytes())?;
    let subs = subscriptions(out.subscriptions);
    put(&mut out, &etc.join("subscriptions.conf"), subs.as_bytes())?;
    jobs(&spool, plan, &mut out)?;
    Ok(out)
}

/// Writes one file and counts it.
fn put(out: &mut Install, path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::write(path, bytes)?;
    out.bytes += bytes.len() as u64;
    out.files += 1;
    Ok(())
}

/// A PPD's `*NickName` (cupsd's `MakeModel` for a queue made with it).
fn nick_name(path: &Path) -> io::Result<String> {
    let text = fs::read_to_string(path)?;
    let line = text.lines().find_map(|l| l.strip_prefix("*NickName:"));
    let nick = line.map(|v| v.trim().trim_matches('"').to_string());
    nick.ok_or_else(|| io::Error::other(format!("{}: no *NickName", path.display())))
}

/// Printer `i`: stopped (cupsd's `paused` reason), accepting, a socket or ipp device, some
/// queue defaults.
fn printer(i: usize, make_model: Option<&str>) -> Queue {
    let mut q = Queue::new(printer_name(i));
    q.printer_id = Some(i as i32 + 1);
    q.uuid = Some(format!("urn:uuid:1e5a0000-0000-3000-8000-{i:012x}"));
    q.info = Some(format!("Lab printer {i}"));
    q.location = Some(format!("Building {} room {}", i / 100, i % 100));
    q.make_model = make_model.map(str::to_string);
    q.device_uri = Some(if i.is_multiple_of(2) {
        "socket://127.0.0.1:9".into()
    } else {
        "ipp://127.0.0.1:9/ipp/print".into()
    });
    q.state = QueueState::Stopped;
    q.state_message = Some("Paused for the takeover benchmark".into());
    q.state_time = Some(T0);
    q.config_time = Some(T0);
    q.reasons = vec!["paused".into()];
    // CUPS_PRINTER_BW; cupsd works the bits out again from a PPD when it loads one.
    q.printer_type = Some(4);
    q.shared = Some(false);
    q.op_policy = Some("default".into());
    q.error_policy = Some("retry-job".into());
    // In cupsd's order: it writes options sorted by name.
    if i.is_multiple_of(7) {
        q.set_option("media", "iso_a4_210x297mm");
    }
    if i.is_multiple_of(5) {
        q.set_option("print-color-mode", "monochrome");
    }
    if i.is_multiple_of(3) {
        q.set_option("sides", "two-sided-long-edge");
    }
    q
}

/// Classes `pool0000`..: each of CLASS_SIZE consecutive printers, all stopped too.
fn classes(plan: &Plan) -> QueueFile {
    let mut file = QueueFile::new(QueueKind::Class);
    for c in 0..plan.classes {
        let mut q = Queue::new(class_name(c));
        q.printer_id = Some((plan.printers + c) as i32 + 1);
        q.uuid = Some(format!("urn:uuid:1e5a0000-0000-3000-9000-{c:012x}"));
        q.info = Some(format!("Pool {c}"));
        q.state = QueueState::Stopped;
        q.state_message = Some("Paused for the takeover benchmark".into());
        q.state_time = Some(T0);
        q.op_policy = Some("default".into());
        q.error_policy = Some("retry-job".into());
        q.members = (0..CLASS_SIZE)
            .map(|k| (c * CLASS_SIZE + k) % plan.printers.max(1))
            .map(printer_name)
            .collect();
        q.members.dedup();
        file.queues.push(q);
    }
    file
}

/// `n` printer subscriptions (pull delivery, as `ippget`), one per printer from the first.
fn subscriptions(n: usize) -> String {
    let mut file =
        SubscriptionsFile { next_subscription_id: Some(n as i32 + 1), ..Default::default() };
    for i in 0..n {
        let mut s = SubscriptionRecord::new(i as i32 + 1);
        s.events = vec!["printer-state-changed".into(), "job-completed".into()];
        s.owner = Some("root".into());
        s.printer_name = Some(printer_name(i));
        s.user_data = Some(format!("bench {i}").into_bytes());
        s.lease_duration = Some(0);
        s.interval = Some(0);
        s.expiration_time = Some(0);
        s.next_event_id = Some(1);
        file.subscriptions.push(s);
    }
    file.to_text()
}

/// Where job `id` was sent: every 50th job to a class (when there are classes), else to a
/// printer, round the printers.
fn destination(id: usize, plan: &Plan) -> String {
    if plan.classes > 0 && id.is_multiple_of(50) {
        let c = (id / 50) % plan.classes;
        format!("ipp://localhost/classes/{}", percent_encode(&class_name(c)))
    } else {
        let p = id % plan.printers.max(1);
        format!("ipp://localhost/printers/{}", percent_encode(&printer_name(p)))
    }
}

/// Jobs 1..=M: odd ones held (`job-hold-until indefinite`), even ones pending; each with one
/// text/plain document `dNNNNN-001`.
fn jobs(spool: &Path, plan: &Plan, out: &mut Install) -> io::Result<()> {
    for id in 1..=plan.jobs {
        let held = id % 2 == 1;
        let record = job(id, held, destination(id, plan));
        let control = JobControl::from_record(&record).encode();
        let doc = document(id, &record.owner);
        let job_id = id as i32;
        write_new(&spool.join(SpoolFile::Control(job_id).name()), &control)?;
        write_new(&spool.join(SpoolFile::Data { job: job_id, document: 1 }.name()), &doc)?;
        out.bytes += (control.len() + doc.len()) as u64;
        out.files += 2;
        out.jobs += 1;
        out.held += usize::from(held);
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = BufWriter::new(fs::File::create(path)?);
    f.write_all(bytes)?;
    f.flush()
}

/// A few hundred bytes of text, different for each job.
fn document(id: usize, owner: &str) -> Vec<u8> {
    let mut text = format!("Job {id} for {owner}\n\n");
    for line in 0..6 {
        text.push_str(&format!("{line}: The quick brown fox jumps over the lazy dog ({id}).\n"));
    }
    text.into_bytes()
}

/// Job `id` as cupsd writes a job it has spooled but not started: state, reasons, times,
/// the date-time attributes cupsd 2.4 adds, and the job template it kept.
fn job(id: usize, held: bool, printer_uri: String) -> JobRecord {
    let created = T0 + id as i64;
    let owner = OWNERS[id % OWNERS.len()].to_string();
    let job = |name: &str, value: Value| (DelimiterTag::Job, Attribute::new(name, value));
    let created_at = Value::DateTime(DateTime::from_unix_utc(created));
    let none = Value::Name("none".into());
    JobRecord {
        id: Some(id as i32),
        state: if held { JobState::Held } else { JobState::Pending },
        state_reasons: vec![if held { "job-hold-until-specified" } else { "none" }.into()],
        printer_uri,
        owner,
        priority: 50,
        created,
        name: Some(format!("report-{id}.txt")),
        originating_host: Some("localhost".into()),
        hold_until: Some(if held { "indefinite" } else { "no-hold" }.into()),
        uuid: Some(format!("urn:uuid:1e5a0000-0000-3000-a000-{id:012x}")),
        processing: None,
        completed: None,
        k_octets: Some(1),
        impressions_completed: Some(0),
        document_formats: vec!["text/plain".into()],
        document_names: vec![format!("report-{id}.txt")],
        charset: "utf-8".into(),
        language: "en".into(),
        other: vec![
            job("copies", Value::Integer(1)),
            (DelimiterTag::Job, Attribute::set("job-sheets", vec![none.clone(), none])),
            job("date-time-at-creation", created_at),
            job("date-time-at-processing", Value::NoValue),
            job("date-time-at-completed", Value::NoValue),
            job("job-media-sheets-completed", Value::Integer(0)),
            job("document-format", Value::MimeMediaType("text/plain".into())),
        ],
    }
}

/// Copies the install at `from` under `to` (created), file by file; the bytes copied.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<u64> {
    fs::create_dir_all(to)?;
    let mut bytes = 0;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            bytes += copy_tree(&entry.path(), &target)?;
        } else {
            bytes += fs::copy(entry.path(), &target)?;
        }
    }
    Ok(bytes)
}
