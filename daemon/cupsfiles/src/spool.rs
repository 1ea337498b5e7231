//! The names of cupsd's spool files (`<RequestRoot>`): `cNNNNN` a job's control file,
//! `dNNNNN-NNN` its documents (numbered from 1), `aNNNNN` its saved credentials; and what
//! a document's first bytes say about its compression.

/// One of cupsd's spool files, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpoolFile {
    /// `c00042`: job 42's control file.
    Control(i32),
    /// `d00042-001`: job 42's first document.
    Data { job: i32, document: u32 },
    /// `a00042`: job 42's credentials for its backend (`AuthInfoRequired`).
    Auth(i32),
}

impl SpoolFile {
    /// Which file `name` is; `None` for any other name (cupsd's `.O` backups, temporary
    /// files, directories).
    pub fn parse(name: &str) -> Option<SpoolFile> {
        let (kind, rest) = name.split_at_checked(1)?;
        match kind {
            "c" => job_number(rest).map(SpoolFile::Control),
            "a" => job_number(rest).map(SpoolFile::Auth),
            "d" => {
                let (job, document) = rest.split_once('-')?;
                let document = number(document, 3)?;
                Some(SpoolFile::Data { job: job_number(job)?, document: document.try_into().ok()? })
            }
            _ => None,
        }
    }

    /// The file's name, as cupsd spells it (`%05d`, `%05d-%03d`).
    pub fn name(&self) -> String {
        match self {
            SpoolFile::Control(job) => format!("c{job:05}"),
            SpoolFile::Auth(job) => format!("a{job:05}"),
            SpoolFile::Data { job, document } => format!("d{job:05}-{document:03}"),
        }
    }

    pub fn job(&self) -> i32 {
        match self {
            SpoolFile::Control(job) | SpoolFile::Auth(job) => *job,
            SpoolFile::Data { job, .. } => *job,
        }
    }
}

/// At least `width` digits, all ASCII, no sign; the number they make (> 0).
fn number(s: &str, width: usize) -> Option<i64> {
    if s.len() < width || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|&n| n > 0)
}

fn job_number(s: &str) -> Option<i32> {
    number(s, 5).and_then(|n| i32::try_from(n).ok())
}

/// A job's documents among the spool's file names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobDocuments {
    /// The names cupsd prints, in order: `-001`, `-002`, ... up to the first gap.
    pub documents: Vec<String>,
    /// Names after a gap, which cupsd never looks at.
    pub beyond_gap: Vec<String>,
}

/// The documents of job `job` among `names` (a directory listing), as cupsd finds them:
/// counting up from 1 until a number is missing.
pub fn job_documents<'a>(job: i32, names: impl IntoIterator<Item = &'a str>) -> JobDocuments {
    let mut numbers: Vec<u32> = names
        .into_iter()
        .filter_map(SpoolFile::parse)
        .filter_map(|f| match f {
            SpoolFile::Data { job: j, document } if j == job => Some(document),
            _ => None,
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut found = JobDocuments::default();
    for (i, n) in numbers.into_iter().enumerate() {
        let name = SpoolFile::Data { job, document: n }.name();
        if found.beyond_gap.is_empty() && u32::try_from(i + 1) == Ok(n) {
            found.documents.push(name);
        } else {
            found.beyond_gap.push(name);
        }
    }
    found
}

/// How a spooled document is stored: cupsd keeps a gzip document compressed and
/// decompresses it as it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
}

impl Compression {
    /// From a document's first bytes (two are enough).
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
    /// The `compression` keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
        }
    }
}
