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

/// What Quire must do to the pages because the device will not.
struct PageWork {
    /// number-up to impose.
    number_up: Option<u32>,
    /// page-ranges to select.
    ranges: Option<Vec<(u32, u32)>>,
    /// Copies to make when the device cannot.
    copies: Option<Copies>,
}

#[derive(Clone, Copy)]
struct Copies {
    n: u32,
    /// Pages in order within each copy (1,2,3,1,2,3), not 1,1,2,2,3,3 (`sheet-collate`).
    collate_pages: bool,
    /// Several documents, `separate-documents-collated-copies`: the whole sequence of
    /// documents repeats; otherwise each document repeats before the next.
    repeat_sequence: bool,
}

impl PageWork {
    fn any(&self) -> bool {
        self.number_up.is_some() || self.ranges.is_some() || self.copies.is_some()
    }
}

/// Decides the page work and removes from `attributes` what Quire does itself.
fn page_work(job: &JobInfo, attributes: &mut Vec<Attribute>, documents: usize) -> PageWork {
    let get = |n: &str| job.attributes.iter().find(|a| a.name == n);
    let number_up = get("number-up").and_then(|a| a.first_i32()).unwrap_or(1);
    let number_up = (number_up > 1 && !device_supports_value(job, "number-up", &Value::Integer(number_up))).then_some(number_up as u32);
    let device_ranges = cap(job, "page-ranges-supported").and_then(|a| a.first_bool()).unwrap_or(false);
    let ranges: Option<Vec<(u32, u32)>> = get("page-ranges").filter(|_| !device_ranges).map(|a| {
        a.values.iter().filter_map(|v| match v {
            Value::RangeOfInteger { lower, upper } if *lower >= 1 && upper >= lower => Some((*lower as u32, *upper as u32)),
            _ => None,
        }).collect()
    });
    let copies = get("copies").and_then(|a| a.first_i32()).unwrap_or(1);
    let mdh = get("multiple-document-handling").and_then(|a| a.first_str()).unwrap_or("separate-documents-collated-copies");
    let collate_pages = get("sheet-collate").and_then(|a| a.first_str()) != Some("uncollated");
    let repeat_sequence = documents > 1 && mdh != "separate-documents-uncollated-copies";
    let copies = (copies > 1 && !device_supports_value(job, "copies", &Value::Integer(copies))).then_some(Copies { n: copies as u32, collate_pages, repeat_sequence });
    let drop: Vec<&str> = [("number-up", number_up.is_some()), ("page-ranges", ranges.is_some()), ("copies", copies.is_some())].iter().filter(|(_, d)| *d).map(|(n, _)| *n).collect();
    attributes.retain(|a| !drop.contains(&a.name.as_str()));
    PageWork { number_up, ranges, copies }
}

/// The raster format, resolution and colour for a device that takes no PDF, if it takes raster.
fn raster_for(job: &JobInfo) -> Option<quire_filters::RasterOptions> {
    use quire_filters::{RasterFormat, RasterOptions};
    let mono = job.attributes.iter().find(|a| a.name == "print-color-mode").and_then(|a| a.first_str()).is_some_and(|m| m == "monochrome" || m == "process-monochrome");
    if device_takes_explicitly(job, "image/pwg-raster") {
        let dpi = cap(job, "pwg-raster-document-resolution-supported").and_then(|a| a.values.iter().find_map(|v| match v {
            Value::Resolution { cross_feed, .. } => Some(*cross_feed as u32),
            _ => None,
        }));
        let color = !mono && cap(job, "pwg-raster-document-type-supported").is_some_and(|a| a.strs().any(|t| t == "srgb_8"));
        return Some(RasterOptions { format: RasterFormat::PwgRaster, dpi: dpi.unwrap_or(300), color });
    }
    if device_takes_explicitly(job, "image/urf") {
        let urf = cap(job, "urf-supported");
        let dpi = urf.and_then(|a| a.strs().find_map(|s| s.strip_prefix("RS").and_then(|r| r.split('-').next()).and_then(|r| r.parse().ok())));
        let color = !mono && urf.is_some_and(|a| a.strs().any(|s| s == "SRGB24"));
        return Some(RasterOptions { format: RasterFormat::Urf, dpi: dpi.unwrap_or(300), color });
    }
    None
}

fn device_takes_explicitly(job: &JobInfo, format: &str) -> bool {
    cap(job, "document-format-supported").is_some_and(|a| a.strs().any(|f| f.eq_ignore_ascii_case(format)))
}

pub fn prepare(job: &JobInfo, docs: &[DocumentSource]) -> Result<Prepared, BackendError> {
    let work = job.work_dir.join(format!("filter-{}", job.id));
    std::fs::create_dir_all(&work).map_err(|e| BackendError::Spool(format!("{}: {e}", work.display())))?;
    let guard = WorkDir(work.clone());
    let opts = options(job);
    let mut attributes = job.attributes.clone();
    let pages = page_work(job, &mut attributes, docs.len());
    let takes_pdf = device_takes(job, "application/pdf");
    let raster = if takes_pdf { None } else { raster_for(job) };
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let path = plain_file(doc, &work, i)?;
        let compression = doc.compression.clone().filter(|_| path == doc.path);
        let mut d = DocumentSource { path, format: doc.format.clone(), name: doc.name.clone(), compression };
        if device_takes(job, &d.format) && !pages.any() {
            out.push(d);
            continue;
        }
        if !takes_pdf && raster.is_none() {
            return Err(BackendError::Document(format!("The printer does not accept \"{}\" and takes neither PDF nor raster, so Quire cannot convert it.", d.format)));
        }
        if d.format != "application/pdf" {
            let pdf = work.join(format!("doc-{i}.pdf"));
            quire_filters::to_pdf(&d.path, &d.format, &pdf, &opts).map_err(filter_err)?;
            d = DocumentSource { path: pdf, format: "application/pdf".into(), name: d.name, compression: None };
        }
        d.path = page_filters(&d.path, &work, i, &pages, &opts)?;
        if let Some(r) = raster {
            let out_path = work.join(format!("raster-{i}"));
            quire_filters::pdf_to_raster(&d.path, &out_path, r).map_err(filter_err)?;
            d = DocumentSource { path: out_path, format: r.format.mime_type().into(), name: d.name, compression: None };
        }
        out.push(d);
    }
    banners(job, &work, &opts, &mut attributes, &mut out, raster)?;
    if let Some(c) = pages.copies.filter(|c| c.repeat_sequence) {
        // Collated copies of several documents: the whole sequence again, n times.
        let one = out.clone();
        for _ in 1..c.n {
            out.extend(one.iter().cloned());
        }
    }
    Ok(Prepared { documents: out, attributes, _work: guard })
}

/// Page selection, number-up and copies on a PDF, in cupsd's order (pdftopdf: ranges,
/// then imposition, then copies). Returns the final file.
fn page_filters(input: &Path, work: &Path, i: usize, pages: &PageWork, opts: &ConvertOptions) -> Result<PathBuf, BackendError> {
    let mut path = input.to_path_buf();
    if let Some(ranges) = &pages.ranges {
        let out = work.join(format!("ranges-{i}.pdf"));
        quire_filters::select_pages(&path, &out, ranges).map_err(filter_err)?;
        path = out;
    }
    if let Some(n) = pages.number_up {
        let out = work.join(format!("nup-{i}.pdf"));
        quire_filters::number_up(&path, &out, n, opts).map_err(filter_err)?;
        path = out;
    }
    if let Some(c) = pages.copies.filter(|c| !c.repeat_sequence) {
        let out = work.join(format!("copies-{i}.pdf"));
        quire_filters::copies(&path, &out, c.n, c.collate_pages).map_err(filter_err)?;
        path = out;
    }
    Ok(path)
}

/// job-sheets: banner pages before (and after) the job, when the device does not make them.
fn banners(job: &JobInfo, work: &Path, opts: &ConvertOptions, attributes: &mut Vec<Attribute>, docs: &mut Vec<DocumentSource>, raster: Option<quire_filters::RasterOptions>) -> Result<(), BackendError> {
    let Some(sheets) = job.attributes.iter().find(|a| a.name == "job-sheets") else { return Ok(()) };
    let names: Vec<String> = sheets.strs().map(str::to_string).collect();
    let wanted = names.iter().any(|s| s != "none");
    let native = names.iter().all(|s| device_supports_value(job, "job-sheets", &Value::Keyword(s.clone())));
    if !wanted || native || (!device_takes(job, "application/pdf") && raster.is_none()) {
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
        if let Some(r) = raster {
            let out = work.join(format!("{file}.raster"));
            quire_filters::pdf_to_raster(&path, &out, r).map_err(filter_err)?;
            return Ok(DocumentSource { path: out, format: r.format.mime_type().into(), name: "banner".into(), compression: None });
        }
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
