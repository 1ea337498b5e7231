//! Seeding a stopped server's own on-disk state with N printers or N completed jobs, copied
//! from one template the server itself wrote (going through IPP would take hours for cupsd).
//!
//! quired: through quire-store's API, into `<RequestRoot>/quire/quire.db`, records encoded
//! with quire-core's `persist` (what quired writes). cupsd: `printers.conf` with N
//! `<Printer>` blocks; for jobs, one control file `cNNNNN` per job in RequestRoot (the IPP
//! message cupsd wrote for the template, with its job-id, job-uuid and times changed) and
//! the matching `job.cache` in CacheDir, as cupsd writes them when it stops.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufWriter, Write as _};
use std::path::Path;

use quire_core::persist;
use quire_ipp::{Attribute, Value};
use quire_store::{Change, JobRecord, PrinterRecord, Store};

use crate::client::other;

/// Records per store transaction: big enough that fsyncs do not dominate.
const BATCH: usize = 20_000;

/// The name of printer `i` (0 is the template).
pub fn printer_name(i: usize) -> String {
    format!("P{i:05}")
}

/// A UUID unique to (`kind`, `i`), in CUPS's `urn:uuid:` form.
fn uuid(kind: u32, i: usize) -> String {
    format!("urn:uuid:5ca1e000-{kind:04x}-4000-8000-{i:012x}")
}

fn open_store(root: &Path) -> io::Result<Store> {
    let dir = root.join("spool/quire");
    Store::open(&dir.join("quire.db"), &dir).map_err(|e| other(format!("store: {e}")))
}

fn store_err(e: impl std::fmt::Display) -> io::Error {
    other(format!("store: {e}"))
}

/// quired: printers `P00001`..`P{n-1}` copied from the template `P00000`.
pub fn quired_printers(root: &Path, n: usize) -> io::Result<()> {
    let mut store = open_store(root)?;
    let snap = store.load().map_err(store_err)?;
    let name = printer_name(0);
    let rec = snap
        .printers
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(&name))
        .ok_or_else(|| other(format!("no template printer {name} in quired's store")))?;
    let template =
        persist::printer_from_blob(&rec.attrs).map_err(|e| other(format!("template: {}", e.0)))?;
    let mut batch = Vec::with_capacity(BATCH);
    for i in 1..n {
        let mut p = template.clone();
        p.name = printer_name(i);
        p.id = template.id + i as i32;
        p.uuid = uuid(1, i);
        let attrs = persist::printer_to_blob(&p);
        // quired's store keys printers by the lower-cased name.
        let name = p.name.to_ascii_lowercase();
        batch.push(Change::PutPrinter(PrinterRecord { name, is_class: false, attrs }));
        if batch.len() == BATCH {
            store.apply(&batch).map_err(store_err)?;
            batch.clear();
        }
    }
    batch.push(Change::SetKv("next-printer-id".into(), (template.id + n as i32).to_string()));
    store.apply(&batch).map_err(store_err)
}

/// quired: completed jobs 2..=n on the template job 1's queue, job `i` completed at
/// `t0 + i` (so newest-completed first is highest id first, for both servers).
pub fn quired_jobs(root: &Path, n: usize, t0: i64) -> io::Result<()> {
    let mut store = open_store(root)?;
    let template = store
        .get_job(1)
        .map_err(store_err)?
        .ok_or_else(|| other("no template job 1 in quired's store".into()))?;
    let job = persist::job_from_blob(&template.attrs, Vec::new())
        .map_err(|e| other(format!("template: {}", e.0)))?;
    let mut batch = Vec::with_capacity(BATCH);
    for i in 1..=n {
        let mut j = job.clone();
        j.id = i as i32;
        j.uuid = None;
        j.created = t0 + i as i64 - 1;
        j.processing_at = Some(t0 + i as i64 - 1);
        j.completed_at = Some(t0 + i as i64);
        let rec = JobRecord {
            id: j.id,
            created: j.created,
            completed: j.completed_at,
            attrs: persist::job_to_blob(&j),
            documents: Vec::new(),
            ..template.clone()
        };
        batch.push(Change::PutJob(rec));
        if batch.len() == BATCH {
            store.apply(&batch).map_err(store_err)?;
            batch.clear();
        }
    }
    batch.push(Change::SetKv("next-job-id".into(), (n + 1).to_string()));
    store.apply(&batch).map_err(store_err)?;
    store.checkpoint().map_err(store_err)
}

/// cupsd: `printers.conf` with the template's `<Printer P00000>` block repeated for
/// `P00001`..`P{n-1}` (each with its own UUID).
pub fn cupsd_printers(root: &Path, n: usize) -> io::Result<()> {
    let path = root.join("etc/printers.conf");
    let text = fs::read_to_string(&path)?;
    let name = printer_name(0);
    let start = text
        .find(&format!("<Printer {name}>"))
        .or_else(|| text.find(&format!("<DefaultPrinter {name}>")))
        .ok_or_else(|| other(format!("no <Printer {name}> in {}", path.display())))?;
    let end = text[start..]
        .find("</Printer>")
        .map(|e| start + e + "</Printer>\n".len())
        .ok_or_else(|| other("no </Printer> in printers.conf".into()))?;
    let block = &text[start..end.min(text.len())];
    let body: Vec<&str> = block.lines().skip(1).filter(|l| !l.starts_with("UUID ")).collect();
    let mut out = BufWriter::new(fs::File::create(&path)?);
    out.write_all(&text.as_bytes()[..end.min(text.len())])?;
    let mut one = String::new();
    for i in 1..n {
        one.clear();
        let _ = writeln!(one, "<Printer {}>", printer_name(i));
        let _ = writeln!(one, "UUID {}", uuid(1, i));
        for l in &body {
            let _ = writeln!(one, "{l}");
        }
        out.write_all(one.as_bytes())?;
    }
    out.write_all(&text.as_bytes()[end.min(text.len())..])?;
    out.flush()
}

/// cupsd: control files `c00001`..`cN` and `job.cache`, from the template job 1's.
pub fn cupsd_jobs(root: &Path, n: usize, t0: i64) -> io::Result<()> {
    let spool = root.join("spool");
    let control = fs::read(spool.join("c00001"))?;
    let (template, _) = quire_ipp::decode(&control).map_err(|e| other(format!("c00001: {e}")))?;
    let cache_path = root.join("cache/job.cache");
    let cache = fs::read_to_string(&cache_path)?;
    let entry = cache_entry(&cache)?;
    let mut out = BufWriter::new(fs::File::create(&cache_path)?);
    writeln!(out, "# Job cache file for CUPS v2.4\n# Written by quire-bench\nNextJobId {}", n + 1)?;
    let mut buf = Vec::with_capacity(control.len() + 64);
    for i in 1..=n {
        let (created, completed) = (t0 + i as i64 - 1, t0 + i as i64);
        let mut msg = template.clone();
        for g in &mut msg.groups {
            for a in &mut g.attributes {
                retime(a, i, created, completed);
            }
        }
        buf.clear();
        msg.encode_into(&mut buf);
        fs::write(spool.join(format!("c{i:05}")), &buf)?;
        writeln!(out, "<Job {i}>")?;
        for l in &entry {
            match l.split_once(' ') {
                Some(("Created", _)) => writeln!(out, "Created {created}")?,
                Some(("Completed", _)) => writeln!(out, "Completed {completed}")?,
                _ => writeln!(out, "{l}")?,
            }
        }
        writeln!(out, "</Job>")?;
    }
    out.flush()
}

/// The lines inside job 1's `<Job 1>` .. `</Job>` in a job.cache.
fn cache_entry(cache: &str) -> io::Result<Vec<String>> {
    let lines: Vec<String> = cache
        .lines()
        .skip_while(|l| l.trim() != "<Job 1>")
        .skip(1)
        .take_while(|l| l.trim() != "</Job>")
        .map(str::to_string)
        .collect();
    if lines.is_empty() {
        return Err(other("no <Job 1> in job.cache".into()));
    }
    Ok(lines)
}

/// Gives a control file's attribute the values of job `i`.
fn retime(a: &mut Attribute, i: usize, created: i64, completed: i64) {
    let int = |v: i64| Value::Integer(v.clamp(0, i64::from(i32::MAX)) as i32);
    match a.name.as_str() {
        "job-id" => a.values = vec![int(i as i64)],
        "job-uuid" => a.values = vec![Value::Uri(uuid(2, i))],
        "time-at-creation" | "time-at-processing" => a.values = vec![int(created)],
        "time-at-completed" => a.values = vec![int(completed)],
        _ => {}
    }
}
