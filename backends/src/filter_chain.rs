//! Makes a job printable by its device: converts documents to a format the device takes,
//! and applies the banner sheets (job-sheets) and number-up the device does not do itself,
//! as cupsd's filters do. Raw queues (file:) are never filtered.
//!
//! The daemon decides here what to do ([`Plan`], from the job's attributes and the device's
//! capabilities); the conversions themselves run in the filter worker as `User` (see
//! [`crate::sandbox`]): `remote` starts it and `wire` is what goes through its pipes.

pub(crate) mod remote;
pub mod wire;

use crate::{BackendError, Cancel, DocumentSource, JobInfo};
use quire_filters::{BannerInfo, ConvertOptions, FilterError, RasterOptions};
use quire_ipp::{Attribute, Value};
use std::path::{Path, PathBuf};

/// Documents ready for the device, the attributes to send with them, and the temporary
/// directory that holds any converted files (removed on drop).
pub struct Prepared {
    pub documents: Vec<DocumentSource>,
    pub attributes: Vec<Attribute>,
    _work: Option<WorkDir>,
}

pub(crate) struct WorkDir {
    path: PathBuf,
    shred: bool,
}

impl WorkDir {
    /// `<dir>/filter-<job>-<n>` (a name of its own: runs of one job may overlap), a
    /// directory only we may enter for the converted copies of the job's documents,
    /// shredded on drop for a confidential job.
    pub(crate) fn create(dir: &Path, job: i32, shred: bool) -> Result<WorkDir, BackendError> {
        use std::os::unix::fs::DirBuilderExt;
        use std::sync::atomic::{AtomicU64, Ordering};
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let _ = std::fs::create_dir_all(dir);
        let path = dir.join(format!("filter-{job}-{}", SEQ.fetch_add(1, Ordering::Relaxed)));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| BackendError::Spool(format!("{}: {e}", path.display())))?;
        Ok(WorkDir { path, shred })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.shred {
            crate::sandbox::shred_files(&self.path);
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What the filters do to the documents that need converting: everything decided from the
/// job and the device, so the worker needs nothing else.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub opts: ConvertOptions,
    /// page-ranges to select.
    pub ranges: Option<Vec<(u32, u32)>>,
    /// number-up to impose.
    pub number_up: Option<u32>,
    /// Copies made inside each document: (copies, collate pages).
    pub copies: Option<(u32, bool)>,
    /// Render the PDFs as raster for a device that takes no PDF.
    pub raster: Option<RasterOptions>,
    /// Banner sheets before and after the documents.
    pub banners: [Option<BannerInfo>; 2],
    /// The format of each document to convert, in order.
    pub formats: Vec<String>,
}

impl Plan {
    /// The format every result comes out in.
    pub fn output_format(&self) -> &'static str {
        self.raster.map_or("application/pdf", |r| r.format.mime_type())
    }

    /// How many results the conversion gives: banners and documents.
    pub fn outputs(&self) -> usize {
        self.formats.len() + self.banners.iter().flatten().count()
    }
}

fn cap<'a>(job: &'a JobInfo, name: &str) -> Option<&'a Attribute> {
    job.capabilities.iter().find(|a| a.name == name)
}

fn device_takes(job: &JobInfo, format: &str) -> bool {
    cap(job, "document-format-supported")
        .is_none_or(|a| a.strs().any(|f| f.eq_ignore_ascii_case(format)))
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
        presentation_direction: get("presentation-direction-number-up")
            .and_then(|a| a.first_str())
            .map(str::to_string),
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
    let number_up = (number_up > 1
        && !device_supports_value(job, "number-up", &Value::Integer(number_up)))
    .then_some(number_up as u32);
    let device_ranges =
        cap(job, "page-ranges-supported").and_then(|a| a.first_bool()).unwrap_or(false);
    let ranges: Option<Vec<(u32, u32)>> = get("page-ranges").filter(|_| !device_ranges).map(|a| {
        a.values
            .iter()
            .filter_map(|v| match v {
                Value::RangeOfInteger { lower, upper } if *lower >= 1 && upper >= lower => {
                    Some((*lower as u32, *upper as u32))
                }
                _ => None,
            })
            .collect()
    });
    let copies = get("copies").and_then(|a| a.first_i32()).unwrap_or(1);
    let mdh = get("multiple-document-handling")
        .and_then(|a| a.first_str())
        .unwrap_or("separate-documents-collated-copies");
    let collate_pages = get("sheet-collate").and_then(|a| a.first_str()) != Some("uncollated");
    let repeat_sequence = documents > 1 && mdh != "separate-documents-uncollated-copies";
    let copies = (copies > 1 && !device_supports_value(job, "copies", &Value::Integer(copies)))
        .then_some(Copies { n: copies as u32, collate_pages, repeat_sequence });
    let drop: Vec<&str> = [
        ("number-up", number_up.is_some()),
        ("page-ranges", ranges.is_some()),
        ("copies", copies.is_some()),
    ]
    .iter()
    .filter(|(_, d)| *d)
    .map(|(n, _)| *n)
    .collect();
    attributes.retain(|a| !drop.contains(&a.name.as_str()));
    PageWork { number_up, ranges, copies }
}

/// The raster format, resolution and colour for a device that takes no PDF, if it takes raster.
fn raster_for(job: &JobInfo) -> Option<RasterOptions> {
    use quire_filters::RasterFormat;
    let mono = job
        .attributes
        .iter()
        .find(|a| a.name == "print-color-mode")
        .and_then(|a| a.first_str())
        .is_some_and(|m| m == "monochrome" || m == "process-monochrome");
    if device_takes_explicitly(job, "image/pwg-raster") {
        let dpi = cap(job, "pwg-raster-document-resolution-supported").and_then(|a| {
            a.values.iter().find_map(|v| match v {
                Value::Resolution { cross_feed, .. } => Some(*cross_feed as u32),
                _ => None,
            })
        });
        let color = !mono
            && cap(job, "pwg-raster-document-type-supported")
                .is_some_and(|a| a.strs().any(|t| t == "srgb_8"));
        return Some(RasterOptions {
            format: RasterFormat::PwgRaster,
            dpi: dpi.unwrap_or(300),
            color,
        });
    }
    if device_takes_explicitly(job, "image/urf") {
        let urf = cap(job, "urf-supported");
        let dpi = urf.and_then(|a| {
            a.strs().find_map(|s| {
                s.strip_prefix("RS").and_then(|r| r.split('-').next()).and_then(|r| r.parse().ok())
            })
        });
        let color = !mono && urf.is_some_and(|a| a.strs().any(|s| s == "SRGB24"));
        return Some(RasterOptions { format: RasterFormat::Urf, dpi: dpi.unwrap_or(300), color });
    }
    None
}

fn device_takes_explicitly(job: &JobInfo, format: &str) -> bool {
    cap(job, "document-format-supported")
        .is_some_and(|a| a.strs().any(|f| f.eq_ignore_ascii_case(format)))
}

/// Decides what the filters do and has it done: documents the device takes as they are pass
/// through untouched (compressed or not); the others, and banner sheets, are converted by the
/// filter worker. Canceling stops the worker.
pub fn prepare(
    job: &JobInfo,
    docs: &[DocumentSource],
    cancel: &Cancel,
) -> Result<Prepared, BackendError> {
    let mut attributes = job.attributes.clone();
    let pages = page_work(job, &mut attributes, docs.len());
    let takes_pdf = device_takes(job, "application/pdf");
    let raster = if takes_pdf { None } else { raster_for(job) };
    let convert: Vec<bool> =
        docs.iter().map(|d| !device_takes(job, &d.format) || pages.any()).collect();
    if let Some(d) = docs
        .iter()
        .zip(&convert)
        .find(|(_, c)| **c)
        .map(|(d, _)| d)
        .filter(|_| !takes_pdf && raster.is_none())
    {
        return Err(BackendError::Document(format!("The printer does not accept \"{}\" and takes neither PDF nor raster, so Quire cannot convert it.", d.format)));
    }
    let plan = Plan {
        opts: options(job),
        ranges: pages.ranges.clone(),
        number_up: pages.number_up,
        copies: pages.copies.filter(|c| !c.repeat_sequence).map(|c| (c.n, c.collate_pages)),
        raster,
        banners: banners(job, &mut attributes, raster),
        formats: docs
            .iter()
            .zip(&convert)
            .filter(|(_, c)| **c)
            .map(|(d, _)| d.format.clone())
            .collect(),
    };
    let (converted, work) = if plan.outputs() == 0 {
        (Vec::new(), None)
    } else {
        let work = WorkDir::create(&job.work_dir, job.id, job.confidential)?;
        let inputs: Vec<&DocumentSource> =
            docs.iter().zip(&convert).filter(|(_, c)| **c).map(|(d, _)| d).collect();
        (convert_all(job, &plan, &inputs, work.path(), cancel)?, Some(work))
    };
    // The results come in the plan's order: start banner, converted documents, end banner.
    let mut converted = converted.into_iter();
    let mut out = Vec::new();
    if plan.banners[0].is_some() {
        out.extend(converted.next());
    }
    for (doc, c) in docs.iter().zip(&convert) {
        if *c {
            out.extend(converted.next().map(|d| DocumentSource { name: doc.name.clone(), ..d }));
        } else {
            out.push(doc.clone());
        }
    }
    out.extend(converted.next());
    if let Some(c) = pages.copies.filter(|c| c.repeat_sequence) {
        // Collated copies of several documents: the whole sequence again, n times.
        let one = out.clone();
        for _ in 1..c.n {
            out.extend(one.iter().cloned());
        }
    }
    Ok(Prepared { documents: out, attributes, _work: work })
}

/// Runs the plan on `inputs`: in the filter worker, or here when there is none (unit tests).
/// The results (banner before, documents, banner after) are files in `work`.
fn convert_all(
    job: &JobInfo,
    plan: &Plan,
    inputs: &[&DocumentSource],
    work: &Path,
    cancel: &Cancel,
) -> Result<Vec<DocumentSource>, BackendError> {
    if job.launch.worker.is_some() {
        return remote::convert(job, plan, inputs, work, cancel);
    }
    let mut plain = Vec::new();
    for (i, doc) in inputs.iter().enumerate() {
        plain.push(plain_file(doc, work, i)?);
    }
    let mut out = Vec::new();
    execute(plan, &plain, work, &mut |path| {
        out.push(path.to_path_buf());
        Ok(())
    })
    .map_err(filter_err)?;
    Ok(out
        .into_iter()
        .map(|path| DocumentSource {
            path,
            format: plan.output_format().into(),
            name: "banner".into(),
            compression: None,
        })
        .collect())
}

/// The conversions of a plan on uncompressed input files (in the plan's order), writing into
/// `work`; `emit` gets each result as soon as it is made: the start banner, each document,
/// the end banner. This is what the filter worker runs.
pub(crate) fn execute(
    plan: &Plan,
    inputs: &[PathBuf],
    work: &Path,
    emit: &mut dyn FnMut(&Path) -> Result<(), FilterError>,
) -> Result<(), FilterError> {
    if let Some(info) = &plan.banners[0] {
        emit(&banner_file(plan, info, work, "banner-start")?)?;
    }
    for (i, (input, format)) in inputs.iter().zip(&plan.formats).enumerate() {
        let mut path = input.clone();
        if mime(format) != "application/pdf" {
            path = work.join(format!("doc-{i}.pdf"));
            quire_filters::to_pdf(input, format, &path, &plan.opts)?;
        }
        path = page_filters(&path, work, i, plan)?;
        if let Some(r) = plan.raster {
            let out = work.join(format!("raster-{i}"));
            quire_filters::pdf_to_raster(&path, &out, r)?;
            path = out;
        }
        emit(&path)?;
    }
    if let Some(info) = &plan.banners[1] {
        emit(&banner_file(plan, info, work, "banner-end")?)?;
    }
    Ok(())
}

fn mime(format: &str) -> String {
    format.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Page selection, number-up and copies on a PDF, in cupsd's order (pdftopdf: ranges,
/// then imposition, then copies). Returns the final file.
fn page_filters(input: &Path, work: &Path, i: usize, plan: &Plan) -> Result<PathBuf, FilterError> {
    let mut path = input.to_path_buf();
    if let Some(ranges) = &plan.ranges {
        let out = work.join(format!("ranges-{i}.pdf"));
        quire_filters::select_pages(&path, &out, ranges)?;
        path = out;
    }
    if let Some(n) = plan.number_up {
        let out = work.join(format!("nup-{i}.pdf"));
        quire_filters::number_up(&path, &out, n, &plan.opts)?;
        path = out;
    }
    if let Some((n, collate)) = plan.copies {
        let out = work.join(format!("copies-{i}.pdf"));
        quire_filters::copies(&path, &out, n, collate)?;
        path = out;
    }
    Ok(path)
}

/// A banner sheet as a file in the plan's output format.
fn banner_file(
    plan: &Plan,
    info: &BannerInfo,
    work: &Path,
    file: &str,
) -> Result<PathBuf, FilterError> {
    let path = work.join(format!("{file}.pdf"));
    quire_filters::banner(info, &path, &plan.opts)?;
    let Some(r) = plan.raster else { return Ok(path) };
    let out = work.join(format!("{file}.raster"));
    quire_filters::pdf_to_raster(&path, &out, r)?;
    Ok(out)
}

/// job-sheets: the banner pages before and after the job that Quire makes, when the device
/// does not make them itself (then `job-sheets` is not sent to it).
fn banners(
    job: &JobInfo,
    attributes: &mut Vec<Attribute>,
    raster: Option<RasterOptions>,
) -> [Option<BannerInfo>; 2] {
    let Some(sheets) = job.attributes.iter().find(|a| a.name == "job-sheets") else {
        return [None, None];
    };
    let names: Vec<String> = sheets.strs().map(str::to_string).collect();
    let wanted = names.iter().any(|s| s != "none");
    let native =
        names.iter().all(|s| device_supports_value(job, "job-sheets", &Value::Keyword(s.clone())));
    if !wanted || native || (!device_takes(job, "application/pdf") && raster.is_none()) {
        return [None, None];
    }
    attributes.retain(|a| a.name != "job-sheets");
    let info = |kind: Option<&String>| {
        kind.filter(|k| *k != "none").map(|kind| BannerInfo {
            job_id: job.id,
            job_name: job.name.clone(),
            user: job.user.clone(),
            printer: job.printer.clone(),
            created_unix: job.created,
            classification: (kind != "standard").then(|| kind.to_string()),
            pages: None,
        })
    };
    [info(names.first()), info(names.get(1))]
}

#[cfg(test)]
#[path = "filter_chain_tests.rs"]
mod tests;
