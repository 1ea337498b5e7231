//! Printer and job attributes, and `requested-attributes` filtering.

use quire_ipp::build::{
    clamped_integer as int, dpi, keyword as kw, keywords as kws, media_col, media_size, text,
};
use quire_ipp::registry::{expand_requested, syntax_of, ObjectKind};
use quire_ipp::{Attribute, DateTime, Operation, Value};

use crate::cli::AuthMethod;
use crate::state::{Job, JobState, Stamp, State, MULTIPLE_OPERATION_TIMEOUT};

fn a(name: &str, value: Value) -> Attribute {
    Attribute::new(name, value)
}
fn set(name: &str, values: Vec<Value>) -> Attribute {
    Attribute::set(name, values)
}

pub const OPERATIONS: &[Operation] = &[
    Operation::PrintJob,
    Operation::ValidateJob,
    Operation::CreateJob,
    Operation::SendDocument,
    Operation::CancelJob,
    Operation::GetJobAttributes,
    Operation::GetJobs,
    Operation::GetPrinterAttributes,
    Operation::CancelMyJobs,
    Operation::CloseJob,
    Operation::IdentifyPrinter,
];

/// Media this printer has: (keyword, width, height) in hundredths of millimetres.
pub const MEDIA: &[(&str, i32, i32)] = &[
    ("na_letter_8.5x11in", 21590, 27940),
    ("iso_a4_210x297mm", 21000, 29700),
    ("na_legal_8.5x14in", 21590, 35560),
];
pub const SIDES: &[&str] = &["one-sided", "two-sided-long-edge", "two-sided-short-edge"];
pub const COLOR_MODES: &[&str] = &["auto", "monochrome", "color"];
const MARGIN: i32 = 423;
/// Advertised for `--ppm 0` (instant printing).
pub const INSTANT_PPM: u32 = 60_000;

/// A media-col of this printer (every one is stationery; the default names its source).
fn stationery(x: i32, y: i32, source: bool) -> Value {
    media_col(x, y, MARGIN, source.then_some("main"), Some("stationery"))
}

const SUPPLY: &str =
    "index=1;class=supplyThatIsConsumed;type=toner;unit=percent;maxcapacity=100;level=80;colorantname=black;";

/// `http://HOST:PORT/path` on the IPP listener (which answers GETs).
fn http_uri(st: &State, path: &str) -> String {
    st.printer_uri().replacen("ipp://", "http://", 1).replacen("/ipp/print", path, 1)
}

/// A stable uuid for this printer (FNV-1a of name and port).
fn uuid(st: &State) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in st.opts.name.bytes().chain(st.addr.port().to_be_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let l = h.rotate_left(29) ^ 0x5157_4952_4553_494d;
    format!(
        "urn:uuid:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        l & 0xfff,
        l >> 16 & 0xffff_ffff_ffff
    )
}

/// Every printer attribute, in a stable order.
pub fn printer_attributes(st: &State) -> Vec<Attribute> {
    let mut attrs = description(st);
    attrs.extend(protocol(st));
    attrs.extend(status(st));
    attrs.extend(document_formats(st));
    attrs.extend(template());
    attrs.extend(security(st));
    attrs
}

/// Who the printer is.
fn description(st: &State) -> Vec<Attribute> {
    let o = &st.opts;
    vec![
        a("printer-uri-supported", Value::Uri(st.printer_uri())),
        a("uri-security-supported", kw("none")),
        a("uri-authentication-supported", kw("none")),
        a("printer-name", Value::Name(o.name.clone())),
        a("printer-info", text(&o.name)),
        a("printer-location", text("")),
        a("printer-make-and-model", text(&o.make_and_model)),
        a("printer-more-info", Value::Uri(http_uri(st, "/"))),
        a("printer-uuid", Value::Uri(uuid(st))),
        a("printer-kind", kw("document")),
        set("printer-firmware-name", vec![Value::Name("quire-sim".into())]),
        set("printer-firmware-string-version", vec![text(env!("CARGO_PKG_VERSION"))]),
    ]
}

/// What the printer speaks and how fast it prints.
fn protocol(st: &State) -> Vec<Attribute> {
    let o = &st.opts;
    let ops = OPERATIONS.iter().map(|op| Value::Enum(i32::from(op.code()))).collect();
    let ppm = if o.ppm == 0 { INSTANT_PPM } else { o.ppm };
    vec![
        set("operations-supported", ops),
        set("ipp-versions-supported", kws(&["1.1", "2.0"])),
        set("ipp-features-supported", kws(&["ipp-everywhere"])),
        a("charset-configured", Value::Charset("utf-8".into())),
        set(
            "charset-supported",
            vec![Value::Charset("utf-8".into()), Value::Charset("us-ascii".into())],
        ),
        a("natural-language-configured", Value::NaturalLanguage("en".into())),
        set("generated-natural-language-supported", vec![Value::NaturalLanguage("en".into())]),
        set("compression-supported", kws(&["none"])),
        a("pdl-override-supported", kw("attempted")),
        a("color-supported", Value::Boolean(true)),
        a("pages-per-minute", int(ppm)),
        a("pages-per-minute-color", int(ppm)),
        a("multiple-document-jobs-supported", Value::Boolean(true)),
        a("multiple-operation-time-out", int(MULTIPLE_OPERATION_TIMEOUT.as_secs())),
        a("multiple-operation-time-out-action", kw("process-job")),
        set("which-jobs-supported", kws(&["completed", "not-completed", "all"])),
        a("job-ids-supported", Value::Boolean(true)),
        a("preferred-attributes-supported", Value::Boolean(false)),
        set("printer-get-attributes-supported", kws(&["document-format"])),
        a("printer-geo-location", Value::Unknown),
        a("printer-organization", text("")),
        a("printer-organizational-unit", text("")),
        set("printer-icons", vec![Value::Uri(http_uri(st, "/icon.png"))]),
        a("printer-supply-info-uri", Value::Uri(http_uri(st, "/"))),
        set("printer-supply", vec![Value::OctetString(SUPPLY.as_bytes().to_vec())]),
        set("printer-supply-description", vec![text("Black Toner")]),
        a("printer-config-change-time", int(1)),
        a(
            "printer-config-change-date-time",
            Value::DateTime(DateTime::from_unix_utc(st.started_unix)),
        ),
        set("identify-actions-supported", kws(&["display", "sound"])),
        a("identify-actions-default", kw("sound")),
    ]
}

fn status(st: &State) -> Vec<Attribute> {
    vec![
        a("printer-state", Value::Enum(st.printer_state() as i32)),
        set("printer-state-reasons", kws(&st.printer_state_reasons())),
        a("printer-state-message", text(st.printer_state_message())),
        // Offline and out-of-paper printers still take jobs; they print them later.
        a("printer-is-accepting-jobs", Value::Boolean(true)),
        a("printer-up-time", int(st.up_time())),
        a("printer-state-change-time", int(st.state_change.up)),
        a(
            "printer-state-change-date-time",
            Value::DateTime(DateTime::from_unix_utc(st.state_change.unix)),
        ),
        a(
            "printer-current-time",
            Value::DateTime(DateTime::from_unix_utc(crate::state::unix_now())),
        ),
        a("queued-job-count", int(st.queued_job_count())),
    ]
}

fn document_formats(st: &State) -> Vec<Attribute> {
    let formats = &st.opts.formats;
    let has = |f: &str| formats.iter().any(|x| x == f);
    let default = formats.first().map_or("application/octet-stream", String::as_str);
    let cmd: Vec<&str> = formats
        .iter()
        .filter_map(|f| match f.as_str() {
            "application/pdf" => Some("PDF"),
            "image/pwg-raster" => Some("PWGRaster"),
            "image/urf" => Some("URF"),
            "application/postscript" => Some("PS"),
            _ => None,
        })
        .collect();
    let mut attrs = vec![
        set(
            "document-format-supported",
            formats.iter().map(|f| Value::MimeMediaType(f.clone())).collect(),
        ),
        a("document-format-default", Value::MimeMediaType(default.into())),
        a("printer-device-id", text(&format!("MFG:Quire;MDL:Simulator;CMD:{};", cmd.join(",")))),
    ];
    if has("image/pwg-raster") {
        attrs.push(set("pwg-raster-document-resolution-supported", vec![dpi(300), dpi(600)]));
        attrs.push(set(
            "pwg-raster-document-type-supported",
            kws(&["black_1", "sgray_8", "srgb_8"]),
        ));
        attrs.push(a("pwg-raster-document-sheet-back", kw("normal")));
    }
    if has("image/urf") {
        attrs.push(set(
            "urf-supported",
            kws(&["V1.4", "CP1", "W8", "SRGB24", "RS300-600", "DM1", "IS1"]),
        ));
    }
    attrs
}

fn template() -> Vec<Attribute> {
    let media: Vec<Value> = MEDIA.iter().map(|m| kw(m.0)).collect();
    let cols: Vec<Value> = MEDIA.iter().map(|m| stationery(m.1, m.2, false)).collect();
    let (_, x, y) = MEDIA[0];
    let margins = |name| set(name, vec![Value::Integer(MARGIN)]);
    let col_members = [
        "media-size",
        "media-top-margin",
        "media-bottom-margin",
        "media-left-margin",
        "media-right-margin",
    ];
    vec![
        a("copies-supported", Value::RangeOfInteger { lower: 1, upper: 999 }),
        a("copies-default", Value::Integer(1)),
        a("page-ranges-supported", Value::Boolean(false)),
        set("media-supported", media.clone()),
        set("media-ready", vec![media[0].clone()]),
        a("media-default", media[0].clone()),
        set("media-col-database", cols),
        set("media-size-supported", MEDIA.iter().map(|m| media_size(m.1, m.2)).collect()),
        a("media-col-default", stationery(x, y, true)),
        set("media-col-ready", vec![stationery(x, y, true)]),
        set(
            "media-col-supported",
            kws(&[&col_members[..], &["media-type", "media-source"]].concat()),
        ),
        set("media-source-supported", kws(&["main"])),
        set("media-type-supported", kws(&["stationery"])),
        margins("media-top-margin-supported"),
        margins("media-bottom-margin-supported"),
        margins("media-left-margin-supported"),
        margins("media-right-margin-supported"),
        set("sides-supported", kws(SIDES)),
        a("sides-default", kw("one-sided")),
        set("print-color-mode-supported", kws(COLOR_MODES)),
        a("print-color-mode-default", kw("auto")),
        set("print-content-optimize-supported", kws(&["auto"])),
        a("print-content-optimize-default", kw("auto")),
        set("print-rendering-intent-supported", kws(&["auto"])),
        a("print-rendering-intent-default", kw("auto")),
        set("print-quality-supported", vec![Value::Enum(3), Value::Enum(4), Value::Enum(5)]),
        a("print-quality-default", Value::Enum(4)),
        set("printer-resolution-supported", vec![dpi(300), dpi(600)]),
        a("printer-resolution-default", dpi(300)),
        set("orientation-requested-supported", (3..=6).map(Value::Enum).collect()),
        a("orientation-requested-default", Value::Enum(3)),
        set("finishings-supported", vec![Value::Enum(3)]),
        a("finishings-default", Value::Enum(3)),
        set("output-bin-supported", kws(&["face-down"])),
        a("output-bin-default", kw("face-down")),
    ]
}

/// The attributes a job may be created with (job-creation-attributes-supported).
pub fn creation_attributes(auth: AuthMethod) -> Vec<&'static str> {
    let mut list = vec![
        "copies",
        "finishings",
        "media",
        "media-col",
        "orientation-requested",
        "output-bin",
        "print-color-mode",
        "print-quality",
        "printer-resolution",
        "sides",
    ];
    match auth {
        AuthMethod::Pin => {
            list.extend(["job-password", "job-password-encryption", "job-release-action"])
        }
        AuthMethod::IdCard | AuthMethod::Biometric => list.push("job-release-action"),
        AuthMethod::None => {}
    }
    list
}

/// Vendor and PWG 5100.11 attributes describing the printer's job security.
fn security(st: &State) -> Vec<Attribute> {
    let o = &st.opts;
    let release = match o.auth {
        AuthMethod::None => "none",
        AuthMethod::Pin => "job-password",
        AuthMethod::IdCard | AuthMethod::Biometric => "owner-authorized",
    };
    let mut attrs = vec![
        set("job-creation-attributes-supported", kws(&creation_attributes(o.auth))),
        set("job-release-action-supported", kws(&[release])),
        a(quire_ipp::vendor::AUTHENTICATION_METHOD, kw(o.auth.keyword())),
        a(quire_ipp::vendor::ENCRYPTS_JOB_DATA, Value::Boolean(o.encrypts)),
        a(quire_ipp::vendor::ERASES_STORAGE, Value::Boolean(o.erases_storage)),
    ];
    if o.auth == AuthMethod::Pin {
        attrs.push(a("job-password-supported", Value::Integer(8)));
        attrs
            .push(a("job-password-length-supported", Value::RangeOfInteger { lower: 4, upper: 8 }));
        attrs.push(set("job-password-encryption-supported", kws(&["none"])));
    }
    attrs
}

pub fn job_state_reasons(st: &State, job: &Job) -> Vec<&'static str> {
    let mut r = Vec::new();
    match job.state {
        JobState::Pending | JobState::Processing => {
            if job.open {
                r.push("job-incoming");
            }
            if job.cancel_requested {
                r.push("processing-to-stop-point");
            } else if st.stopped() {
                r.push("printer-stopped");
            } else if job.state == JobState::Processing {
                r.push("job-printing");
            } else if !job.open {
                r.push("job-queued");
            }
        }
        _ => r.extend(job.reason),
    }
    if r.is_empty() {
        r.push("none");
    }
    r
}

fn job_state_message(st: &State, job: &Job) -> String {
    if let Some(m) = &job.message {
        return m.clone();
    }
    match job.state {
        JobState::Processing if st.stopped() => format!("Stopped: {}", st.printer_state_message()),
        JobState::Processing => {
            format!("Printing impression {} of {}", job.printed + 1, job.impressions())
        }
        _ if job.open => "Waiting for documents".into(),
        _ => "Queued".into(),
    }
}

/// Every attribute of `job`.
pub fn job_attributes(st: &State, job: &Job) -> Vec<Attribute> {
    let time = |t: Option<Stamp>| t.map_or(Value::NoValue, |s| int(s.up));
    let date = |t: Option<Stamp>| {
        t.map_or(Value::NoValue, |s| Value::DateTime(DateTime::from_unix_utc(s.unix)))
    };
    let formats: Vec<Value> =
        job.docs.iter().map(|d| Value::MimeMediaType(d.format.clone())).collect();
    let mut attrs = vec![
        a("job-id", Value::Integer(job.id)),
        a("job-uri", Value::Uri(st.job_uri(job.id))),
        a("job-printer-uri", Value::Uri(st.printer_uri())),
        a("job-name", Value::Name(job.name.clone())),
        a("job-originating-user-name", Value::Name(job.user.clone())),
        a("job-state", Value::Enum(job.state as i32)),
        set("job-state-reasons", kws(&job_state_reasons(st, job))),
        a("job-state-message", text(&job_state_message(st, job))),
        a("copies", int(job.copies)),
        a("sides", kw(if job.two_sided { "two-sided-long-edge" } else { "one-sided" })),
        a("number-of-documents", int(job.docs.len())),
        a("job-impressions", int(job.impressions())),
        a("job-pages", int(job.impressions())),
        a("job-impressions-completed", int(job.printed)),
        a("job-pages-completed", int(job.printed)),
        a("job-media-sheets-completed", int(job.sheets)),
        a("job-printer-up-time", int(st.up_time())),
        a("time-at-creation", int(job.created.up)),
        a("time-at-processing", time(job.processing)),
        a("time-at-completed", time(job.completed)),
        a("date-time-at-creation", date(Some(job.created))),
        a("date-time-at-processing", date(job.processing)),
        a("date-time-at-completed", date(job.completed)),
    ];
    if !formats.is_empty() {
        attrs.push(set("document-format-supplied", formats));
    }
    attrs
}

/// The values of `requested-attributes` (`None` when absent).
pub fn requested(msg: &quire_ipp::Message) -> Option<Vec<&str>> {
    msg.operation_attr("requested-attributes").map(|a| a.strs().collect())
}

/// Keeps the requested attributes of an object. Group keywords are expanded with the IPP
/// registry; attributes the registry does not know (vendor ones) count as description.
pub fn filter(
    attrs: Vec<Attribute>,
    requested: Option<&[&str]>,
    object: ObjectKind,
) -> Vec<Attribute> {
    let Some(req) = requested else { return attrs };
    let set = expand_requested(req, object);
    let description = match object {
        ObjectKind::Printer => "printer-description",
        _ => "job-description",
    };
    let template = req.contains(&"job-template");
    let extra = |name: &str| {
        set.is_all()
            || req.contains(&description)
            || (template
                && (name.ends_with("-supported") || name.ends_with("-default"))
                && !name.starts_with("quire-"))
    };
    attrs
        .into_iter()
        .filter(|a| set.contains(&a.name) || (syntax_of(&a.name).is_none() && extra(&a.name)))
        .collect()
}

#[cfg(test)]
#[path = "attrs_tests.rs"]
mod tests;
