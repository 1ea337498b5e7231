//! Makes a job printable by its device: converts documents to a format the device takes,
//! and applies the banner sheets (job-sheets) and number-up the device does not do itself,
//! as cupsd's filters do. Raw queues (file:) are never filtered.

use crate::{BackendError, DocumentSource, JobInfo};
use quire_filters::{BannerInfo, ConvertOptions, FilterError};
use quire_ipp::{Attribute, Value};
use std::path::{Path, PathBuf};

/// Documents ready for the device, the attributes to send with them, and the temporary
/// directory that holds any converted files (removed on drop).
pub struct Prepared {
    pub documents: Vec<DocumentSource>,
    pub attributes: Vec<Attribute>,
    _work: WorkDir,
}

struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cap<'a>(job: &'a JobInfo, name: &str) -> Option<&'a Attribute> {
    job.capabilities.iter().find(|a| a.name == name)
}

fn device_takes(job: &JobInfo, format: &str) -> bool {
    cap(job, "document-format-supported").is_none_or(|a| a.strs().any(|f| f.eq_ignore_ascii_case(format)))
}

fn device_supports_value(job: &JobInfo, attr: &str, value: &Value) -> bool {
    cap(job, &format!("{attr}-supported")).is_some_and(|a| {
        a.values.iter().any(|s| match (s, value) {
            (Value::RangeOfInteger { lower, upper }, Value::Integer(n)) => n >= lower && n <= upper,
            (a, b) => a == b || (a.as_str().is_some() && a.as_str() == b.as_str()),
        })
    })
}

fn filter_err(e: FilterError) -> BackendError {
    BackendError::Document(e.to_string())
}

fn options(job: &JobInfo) -> ConvertOptions {
    let get = |n: &str| job.attributes.iter().find(|a| a.name == n);
    ConvertOptions {
        media: get("media").and_then(|a| a.first_str()).map(str::to_string),
        orientation: get("orientation-requested").and_then(|a| a.first_i32()),
        presentation_direction: get("presentation-direction-number-up").and_then(|a| a.first_str()).map(str::to_string),
    }
}

/// A document as an uncompressed file on disk.
fn plain_file(doc: &DocumentSource, work: &Path, n: usize) -> Result<PathBuf, BackendError> {
    if doc.compression.is_none() {
        return Ok(doc.path.clone());
    }
    let out = work.join(format!("plain-{n}"));
    let mut input = crate::open_document(doc)?;
    let mut file = std::fs::File::create(&out).map_err(|e| BackendError::Spool(e.to_string()))?;
    std::io::copy(&mut input, &mut file).map_err(|e| BackendError::Spool(e.to_string()))?;
    Ok(out)
}

pub fn prepare(job: &JobInfo, docs: &[DocumentSource]) -> Result<Prepared, BackendError> {
    let work = job.work_dir.join(format!("filter-{}", job.id));
    std::fs::create_dir_all(&work).map_err(|e| BackendError::Spool(format!("{}: {e}", work.display())))?;
    let guard = WorkDir(work.clone());
    let opts = options(job);
    let mut attributes = job.attributes.clone();
    let number_up = job.attributes.iter().find(|a| a.name == "number-up").and_then(|a| a.first_i32()).unwrap_or(1);
    let impose = number_up > 1 && !device_supports_value(job, "number-up", &Value::Integer(number_up));
    if impose {
        attributes.retain(|a| a.name != "number-up");
    }
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let mut format = doc.format.clone();
        let mut path = plain_file(doc, &work, i)?;
        let mut compression = doc.compression.clone().filter(|_| path == doc.path);
        let needs_pdf = !device_takes(job, &format) || (impose && format != "application/pdf");
        if needs_pdf {
            if !device_takes(job, "application/pdf") {
                return Err(BackendError::Document(format!("The printer does not accept \"{format}\" and Quire cannot convert it for this printer yet.")));
            }
            let pdf = work.join(format!("doc-{i}.pdf"));
            quire_filters::to_pdf(&path, &format, &pdf, &opts).map_err(filter_err)?;
            (path, format, compression) = (pdf, "application/pdf".into(), None);
        }
        if impose && format == "application/pdf" {
            let nup = work.join(format!("nup-{i}.pdf"));
            quire_filters::number_up(&path, &nup, number_up as u32, &opts).map_err(filter_err)?;
            path = nup;
            compression = None;
        }
        out.push(DocumentSource { path, format, name: doc.name.clone(), compression });
    }
    banners(job, &work, &opts, &mut attributes, &mut out)?;
    Ok(Prepared { documents: out, attributes, _work: guard })
}

/// job-sheets: banner pages before (and after) the job, when the device does not make them.
fn banners(job: &JobInfo, work: &Path, opts: &ConvertOptions, attributes: &mut Vec<Attribute>, docs: &mut Vec<DocumentSource>) -> Result<(), BackendError> {
    let Some(sheets) = job.attributes.iter().find(|a| a.name == "job-sheets") else { return Ok(()) };
    let names: Vec<String> = sheets.strs().map(str::to_string).collect();
    let wanted = names.iter().any(|s| s != "none");
    let native = names.iter().all(|s| device_supports_value(job, "job-sheets", &Value::Keyword(s.clone())));
    if !wanted || native || !device_takes(job, "application/pdf") {
        return Ok(());
    }
    attributes.retain(|a| a.name != "job-sheets");
    let make = |kind: &str, file: &str| -> Result<DocumentSource, BackendError> {
        let info = BannerInfo {
            job_id: job.id,
            job_name: job.name.clone(),
            user: job.user.clone(),
            printer: job.printer.clone(),
            created_unix: job.created,
            classification: (kind != "standard").then(|| kind.to_string()),
            pages: None,
        };
        let path = work.join(file);
        quire_filters::banner(&info, &path, opts).map_err(filter_err)?;
        Ok(DocumentSource { path, format: "application/pdf".into(), name: "banner".into(), compression: None })
    };
    if let Some(start) = names.first().filter(|s| *s != "none") {
        docs.insert(0, make(start, "banner-start.pdf")?);
    }
    if let Some(end) = names.get(1).filter(|s| *s != "none") {
        docs.push(make(end, "banner-end.pdf")?);
    }
    Ok(())
}
