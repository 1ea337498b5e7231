//! A document as the daemon spooled it: what a request carries and a job keeps.

/// One document of a job, spooled by the daemon before the core sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub number: i32,
    pub format: String,
    pub name: String,
    pub size: u64,
    /// Spool file name, relative to the spool directory.
    pub file: String,
    pub compression: Option<String>,
    /// Pages, when the daemon counted them at submission (PDF); the job's
    /// `job-impressions` is their sum. Not persisted: the job keeps the total.
    pub pages: Option<u32>,
    /// Print-URI / Send-URI: the document is fetched from here each time the job prints
    /// (a held job's only at release); `file` is empty and `size` 0.
    pub uri: Option<String>,
}

impl Document {
    /// Name of a document whose bytes the daemon stores inside the job store (no spool
    /// file): `i%05d-%03d`, next to CUPS's `d%05d-%03d` spool file names.
    pub fn inline_name(job_id: i32, number: i32) -> String {
        format!("i{job_id:05}-{number:03}")
    }

    /// True when `file` names a document stored inside the job store, not a spool file.
    pub fn is_inline_name(file: &str) -> bool {
        file.starts_with('i')
    }

    /// True when this document is stored inside the job store, not as a spool file.
    pub fn is_inline(&self) -> bool {
        Self::is_inline_name(&self.file)
    }
}
