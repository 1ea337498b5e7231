//! The command line and environment cupsd gives a backend (scheduler/job.c
//! cupsdContinueJob and get_options, scheduler/env.c), built without touching the system.

use crate::cups_config::CupsConfig;
use crate::{DocumentSource, JobInfo};
use quire_ipp::{Attribute, ResolutionUnits, Value};
use std::path::Path;

/// The URI scheme, if it is a valid one (RFC 3986: a letter, then letters, digits, + - .);
/// anything else could name a file outside the backend directory.
pub fn scheme_of(uri: &str) -> Option<&str> {
    let (scheme, _) = uri.split_once(':')?;
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    (first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .then_some(scheme)
}

/// The device URI without its `user:password@` part, for argv[0] and logs (cupsd's
/// sanitized_device_uri); DEVICE_URI keeps the full one.
pub fn sanitize_uri(uri: &str) -> String {
    quire_ipp::uri::without_userinfo(uri)
}

/// argv[4]: the `copies` job attribute, 1 without one.
pub fn copies(job: &JobInfo) -> i32 {
    job.attributes
        .iter()
        .find(|a| a.name == "copies")
        .and_then(|a| match a.first() {
            Some(Value::Integer(n)) => Some(*n),
            _ => None,
        })
        .unwrap_or(1)
        .max(1)
}

/// argv[3]: the job name, else "printer-id" as cupsd does.
pub fn title(job: &JobInfo) -> String {
    if job.name.is_empty() {
        format!("{}-{}", job.printer, job.id)
    } else {
        job.name.clone()
    }
}

/// argv[5]: the job attributes as `name=value` words (cupsd's get_options): booleans as
/// `name`/`noname`, 1setOf values joined by commas, and space, tab, newline, backslash and
/// quotes in strings escaped with a backslash.
pub fn options_string(attrs: &[Attribute]) -> String {
    let mut words: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| passed_to_filters(a)) {
        let values: Vec<String> = attr.values.iter().map(|v| encode_value(&attr.name, v)).collect();
        match attr.values.first() {
            Some(Value::Boolean(_)) => words.push(values.join(",")),
            _ => words.push(format!("{}={}", attr.name, values.join(","))),
        }
    }
    words.join(" ")
}

fn passed_to_filters(attr: &Attribute) -> bool {
    const SKIPPED: &[&str] = &[
        "copies",
        "job-name",
        "job-hold-until",
        "job-id",
        "job-k-octets",
        "job-media-sheets",
        "job-media-sheets-completed",
        "job-state",
        "job-state-reasons",
    ];
    const JOB_KEPT: &[&str] = &[
        "job-account-id",
        "job-accounting-user-id",
        "job-authorization-uri",
        "job-billing",
        "job-impressions",
        "job-originating-host-name",
        "job-password",
        "job-password-encryption",
        "job-uuid",
    ];
    let name = attr.name.as_str();
    if name.is_empty()
        || SKIPPED.contains(&name)
        || (name.starts_with("job-") && !JOB_KEPT.contains(&name))
    {
        return false;
    }
    match attr.values.first() {
        None => false,
        Some(Value::Uri(_)) => matches!(name, "job-uuid" | "job-authorization-uri"),
        Some(
            Value::NoValue
            | Value::MimeMediaType(_)
            | Value::NameWithLanguage { .. }
            | Value::TextWithLanguage { .. }
            | Value::UriScheme(_)
            | Value::Collection(_),
        ) => false,
        Some(_) => true,
    }
}

fn encode_value(name: &str, v: &Value) -> String {
    match v {
        Value::Integer(n) | Value::Enum(n) => n.to_string(),
        Value::Boolean(true) => name.to_string(),
        Value::Boolean(false) => format!("no{name}"),
        Value::RangeOfInteger { lower, upper } if lower == upper => lower.to_string(),
        Value::RangeOfInteger { lower, upper } => format!("{lower}-{upper}"),
        Value::Resolution { cross_feed, feed, units } => {
            let unit = if *units == ResolutionUnits::DotsPerInch { "dpi" } else { "dpcm" };
            format!("{cross_feed}x{feed}{unit}")
        }
        Value::Text(s)
        | Value::Name(s)
        | Value::Keyword(s)
        | Value::Uri(s)
        | Value::Charset(s)
        | Value::NaturalLanguage(s) => escape(s),
        Value::OctetString(b) => escape(&String::from_utf8_lossy(b)),
        _ => String::new(),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| *c != '\0') {
        if matches!(c, ' ' | '\t' | '\n' | '\\' | '\'' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// LANG from the job's natural language: "ll" -> ll.UTF-8, "ll-cc" -> ll_CC.UTF-8, else C.
pub fn lang(job: &JobInfo) -> String {
    let language = job
        .attributes
        .iter()
        .find(|a| a.name == "attributes-natural-language")
        .and_then(|a| match a.first() {
            Some(Value::NaturalLanguage(l)) => Some(l.as_str()),
            _ => None,
        })
        .unwrap_or("en");
    let b = language.as_bytes();
    match b.len() {
        2 if b.iter().all(u8::is_ascii_alphabetic) => format!("{language}.UTF-8"),
        5 if b[2] == b'-' && [0, 1, 3, 4].iter().all(|i| b[*i].is_ascii_alphabetic()) => {
            format!("{}_{}.UTF-8", &language[..2], language[3..].to_ascii_uppercase())
        }
        _ => "C".into(),
    }
}

/// Everything about one backend run that argv and the environment are made from.
pub struct Invocation<'a> {
    pub config: &'a CupsConfig,
    pub uri: &'a str,
    pub job: &'a JobInfo,
    pub documents: &'a [DocumentSource],
    /// argv[6], when the backend reads the document itself rather than from stdin.
    pub file: Option<&'a Path>,
    /// TMPDIR and HOME: a private directory the backend may write.
    pub tmp_dir: &'a Path,
}

impl Invocation<'_> {
    /// argv[1..]: job-id user title copies options [file] (argv[0] is the sanitized URI).
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            self.job.id.to_string(),
            no_nul(&self.job.user),
            no_nul(&title(self.job)),
            copies(self.job).to_string(),
            no_nul(&options_string(&self.job.attributes)),
        ];
        if let Some(file) = self.file {
            args.push(no_nul(&file.to_string_lossy()));
        }
        args
    }

    /// The backend's whole environment (nothing is inherited but TZ and the loader paths,
    /// as cupsd's env.c passes them through).
    pub fn env(&self) -> Vec<(String, String)> {
        let c = self.config;
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let format =
            self.documents.first().map_or("application/octet-stream", |d| d.format.as_str());
        let charset =
            format.split(';').find_map(|p| p.trim().strip_prefix("charset=")).unwrap_or("utf-8");
        let capability = |name: &str| {
            self.job
                .capabilities
                .iter()
                .find(|a| a.name == name)
                .and_then(|a| a.first_str())
                .unwrap_or("")
                .to_string()
        };
        let mut env = common_env(c, self.tmp_dir);
        env.extend([
            ("CHARSET".into(), charset.to_string()),
            ("LANG".into(), lang(self.job)),
            ("PPD".into(), format!("{}/ppd/{}.ppd", path(&c.server_root), self.job.printer)),
            ("CONTENT_TYPE".into(), format.split(';').next().unwrap_or(format).trim().to_string()),
            ("DEVICE_URI".into(), self.uri.to_string()),
            ("PRINTER_INFO".into(), capability("printer-info")),
            ("PRINTER_LOCATION".into(), capability("printer-location")),
            ("PRINTER".into(), self.job.printer.clone()),
            ("PRINTER_STATE_REASONS".into(), "none".into()),
            ("CUPS_FILETYPE".into(), "document".into()),
            ("AUTH_INFO_REQUIRED".into(), "none".into()),
        ]);
        pass_through(&mut env);
        env.into_iter().map(|(k, v)| (k, no_nul(&v))).collect()
    }
}

/// What cupsd's env.c gives every helper program: its directories, HOME and TMPDIR (`tmp`),
/// PATH, SERVER_ADMIN, SOFTWARE, USER.
pub(crate) fn common_env(c: &CupsConfig, tmp: &Path) -> Vec<(String, String)> {
    let path = |p: &Path| p.to_string_lossy().into_owned();
    vec![
        ("CUPS_CACHEDIR".into(), path(&c.cache_dir)),
        ("CUPS_DATADIR".into(), path(&c.data_dir)),
        ("CUPS_REQUESTROOT".into(), path(&c.request_root)),
        ("CUPS_SERVERBIN".into(), path(&c.server_bin)),
        ("CUPS_SERVERROOT".into(), path(&c.server_root)),
        ("CUPS_STATEDIR".into(), path(&c.state_dir)),
        ("HOME".into(), path(tmp)),
        ("PATH".into(), format!("{}/filter:/usr/bin:/usr/sbin:/bin:/usr/bin", path(&c.server_bin))),
        ("SERVER_ADMIN".into(), c.server_admin.clone()),
        ("SOFTWARE".into(), format!("Quire/{}", env!("CARGO_PKG_VERSION"))),
        ("TMPDIR".into(), path(tmp)),
        ("USER".into(), "root".into()),
    ]
}

/// The variables cupsd passes through from its own environment.
pub(crate) fn pass_through(env: &mut Vec<(String, String)>) {
    for name in ["TZ", "LD_LIBRARY_PATH", "LD_PRELOAD", "NLSPATH"] {
        if let Ok(v) = std::env::var(name) {
            env.push((name.into(), v));
        }
    }
}

/// A NUL cannot be passed in argv or the environment; dropping it beats failing the job.
fn no_nul(s: &str) -> String {
    s.replace('\0', "")
}

#[cfg(test)]
#[path = "invocation_tests.rs"]
mod tests;
