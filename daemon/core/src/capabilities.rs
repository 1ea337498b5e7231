//! Printer capabilities: Quire's generic IPP Everywhere set, and the set taken from a
//! device's own Get-Printer-Attributes answer (`lpadmin -m everywhere`).

pub use quire_ipp::build::media_col;
use quire_ipp::build::{dpi, integer_attr as int, keyword_attr as kw, keywords_attr as kws};
use quire_ipp::{Attribute, Value};

fn ints(name: &str, values: &[i32]) -> Attribute {
    Attribute::set(name, values.iter().map(|v| Value::Integer(*v)).collect())
}
fn enums(name: &str, values: &[i32]) -> Attribute {
    Attribute::set(name, values.iter().map(|v| Value::Enum(*v)).collect())
}
fn mimes(name: &str, values: &[&str]) -> Attribute {
    Attribute::set(name, values.iter().map(|v| Value::MimeMediaType(v.to_string())).collect())
}

/// (PWG media name, width, length) in hundredths of millimetres.
const MEDIA: &[(&str, i32, i32)] = &[
    ("na_letter_8.5x11in", 21590, 27940),
    ("na_legal_8.5x14in", 21590, 35560),
    ("iso_a4_210x297mm", 21000, 29700),
    ("iso_a5_148x210mm", 14800, 21000),
    ("na_index-4x6_4x6in", 10160, 15240),
    ("na_number-10_4.125x9.5in", 10477, 24130),
];

/// The capabilities of a queue whose device Quire knows nothing about (file:, raw, socket).
pub fn generic(default_media: &str) -> Vec<Attribute> {
    let mut caps = generic_document();
    caps.extend(generic_media(default_media));
    caps.extend(generic_rendering());
    caps.extend(generic_other());
    caps
}

/// Formats, copies, page ranges, sides.
fn generic_document() -> Vec<Attribute> {
    vec![
        mimes(
            "document-format-supported",
            &[
                "application/octet-stream",
                "application/pdf",
                "application/postscript",
                "image/jpeg",
                "image/pwg-raster",
                "image/urf",
                "text/plain",
                "application/vnd.cups-raw",
            ],
        ),
        Attribute::new(
            "document-format-default",
            Value::MimeMediaType("application/octet-stream".into()),
        ),
        Attribute::new("copies-supported", Value::RangeOfInteger { lower: 1, upper: 9999 }),
        int("copies-default", 1),
        Attribute::new("page-ranges-supported", Value::Boolean(true)),
        kws("sides-supported", &["one-sided", "two-sided-long-edge", "two-sided-short-edge"]),
        kw("sides-default", "one-sided"),
    ]
}

/// Media: sizes, margins, sources and types, `default_media` the default.
fn generic_media(default_media: &str) -> Vec<Attribute> {
    let default = MEDIA.iter().find(|m| m.0 == default_media).unwrap_or(&MEDIA[0]);
    let sizes: Vec<Value> = MEDIA
        .iter()
        .map(|(_, w, l)| {
            Value::Collection(vec![
                Attribute::new("x-dimension", Value::Integer(*w)),
                Attribute::new("y-dimension", Value::Integer(*l)),
            ])
        })
        .collect();
    vec![
        kws("media-supported", &MEDIA.iter().map(|m| m.0).collect::<Vec<_>>()),
        kw("media-default", default.0),
        kw("media-ready", default.0),
        Attribute::set(
            "media-col-database",
            MEDIA.iter().map(|(_, w, l)| media_col(*w, *l, 423, None, None)).collect(),
        ),
        Attribute::new(
            "media-col-default",
            media_col(default.1, default.2, 423, Some("main"), Some("stationery")),
        ),
        Attribute::new(
            "media-col-ready",
            media_col(default.1, default.2, 423, Some("main"), Some("stationery")),
        ),
        kws(
            "media-col-supported",
            &[
                "media-bottom-margin",
                "media-left-margin",
                "media-right-margin",
                "media-size",
                "media-source",
                "media-top-margin",
                "media-type",
            ],
        ),
        Attribute::set("media-size-supported", sizes),
        ints("media-bottom-margin-supported", &[0, 423]),
        ints("media-left-margin-supported", &[0, 423]),
        ints("media-right-margin-supported", &[0, 423]),
        ints("media-top-margin-supported", &[0, 423]),
        kws("media-source-supported", &["auto", "main", "manual"]),
        kws("media-type-supported", &["auto", "stationery", "photographic"]),
    ]
}

/// Color, quality, resolution, orientation, finishing, imposition, output.
fn generic_rendering() -> Vec<Attribute> {
    vec![
        kws("print-color-mode-supported", &["auto", "color", "monochrome"]),
        kw("print-color-mode-default", "auto"),
        enums("print-quality-supported", &[3, 4, 5]),
        Attribute::new("print-quality-default", Value::Enum(4)),
        Attribute::set("printer-resolution-supported", vec![dpi(300), dpi(600)]),
        Attribute::new("printer-resolution-default", dpi(600)),
        enums("orientation-requested-supported", &[3, 4, 5, 6]),
        Attribute::new("orientation-requested-default", Value::Enum(3)),
        enums("finishings-supported", &[3]),
        enums("finishings-default", &[3]),
        // A raw queue passes documents through unchanged: no imposition.
        ints("number-up-supported", &[1]),
        kws("job-sheets-supported", &["none"]),
        int("number-up-default", 1),
        kws("output-bin-supported", &["face-down"]),
        kw("output-bin-default", "face-down"),
        kws(
            "multiple-document-handling-supported",
            &["separate-documents-uncollated-copies", "separate-documents-collated-copies"],
        ),
        kw("multiple-document-handling-default", "separate-documents-collated-copies"),
        kws(
            "print-content-optimize-supported",
            &["auto", "graphic", "photo", "text", "text-and-graphic"],
        ),
        kw("print-content-optimize-default", "auto"),
        kws("print-rendering-intent-supported", &["auto"]),
        kw("print-rendering-intent-default", "auto"),
        kws("print-scaling-supported", &["auto", "auto-fit", "fill", "fit", "none"]),
        kw("print-scaling-default", "auto"),
    ]
}

/// Raster formats, identification, accounting and the device's identity.
fn generic_other() -> Vec<Attribute> {
    vec![
        Attribute::set("pwg-raster-document-resolution-supported", vec![dpi(300), dpi(600)]),
        kw("pwg-raster-document-sheet-back", "normal"),
        kws("pwg-raster-document-type-supported", &["black_1", "sgray_8", "srgb_8"]),
        kws("urf-supported", &["V1.4", "CP1", "W8", "SRGB24", "RS300-600", "DM1"]),
        kws("feed-orientation-supported", &["short-edge-first"]),
        kw("feed-orientation-default", "short-edge-first"),
        kws("identify-actions-supported", &["display", "sound"]),
        kws("identify-actions-default", &["sound"]),
        kws("overrides-supported", &["document-number", "pages"]),
        kws(
            "presentation-direction-number-up-supported",
            &[
                "tobottom-toleft",
                "tobottom-toright",
                "toleft-tobottom",
                "toleft-totop",
                "toright-tobottom",
                "toright-totop",
                "totop-toleft",
                "totop-toright",
            ],
        ),
        kw("presentation-direction-number-up-default", "toright-tobottom"),
        Attribute::new("job-account-id-supported", Value::Boolean(true)),
        Attribute::new("job-account-id-default", Value::NoValue),
        Attribute::new("job-accounting-user-id-supported", Value::Boolean(true)),
        Attribute::new("job-accounting-user-id-default", Value::NoValue),
        Attribute::new("preferred-attributes-supported", Value::Boolean(false)),
        Attribute::new(
            "printer-device-id",
            Value::Text("MFG:Quire;MDL:Generic IPP Everywhere;CMD:PDF,PS,PWGRaster,URF;".into()),
        ),
        kws("printer-kind", &["document"]),
        Attribute::new("color-supported", Value::Boolean(true)),
    ]
}

/// Attributes of a device answer that describe the device's state or its own server,
/// not its capabilities: Quire generates these itself for the queue.
const NOT_CAPABILITIES: &[&str] = &[
    "printer-name",
    "printer-uri-supported",
    "uri-security-supported",
    "uri-authentication-supported",
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "queued-job-count",
    "printer-up-time",
    "printer-current-time",
    "printer-state-change-time",
    "printer-state-change-date-time",
    "printer-config-change-time",
    "printer-config-change-date-time",
    "printer-uuid",
    "printer-id",
    "operations-supported",
    "ipp-versions-supported",
    "printer-more-info",
    "printer-icons",
    "printer-supply-info-uri",
    "reference-uri-schemes-supported",
    "charset-configured",
    "charset-supported",
    "natural-language-configured",
    "generated-natural-language-supported",
    "multiple-operation-time-out",
    "multiple-operation-time-out-action",
    "notify-events-default",
    "notify-events-supported",
    "notify-lease-duration-default",
    "notify-lease-duration-supported",
    "notify-max-events-supported",
    "notify-pull-method-supported",
    "ippget-event-life",
    "job-ids-supported",
    "which-jobs-supported",
    "printer-location",
    "printer-info",
    "printer-dns-sd-name",
    "printer-strings-uri",
    "printer-strings-languages-supported",
    "printer-geo-location",
    "printer-organization",
    "printer-organizational-unit",
    "device-service-count",
    "device-uuid",
    "printer-is-shared",
    "printer-type",
    "printer-uri",
    "job-creation-attributes-supported",
    "printer-get-attributes-supported",
    "multiple-document-jobs-supported",
    "ipp-features-supported",
    "printer-config-changes",
    "printer-message-from-operator",
    "printer-alert",
    "printer-alert-description",
    "job-hold-until-supported",
    "job-hold-until-default",
    "job-priority-supported",
    "job-priority-default",
    "job-sheets-supported",
    "job-sheets-default",
    "printer-firmware-name",
    "printer-firmware-string-version",
    "printer-firmware-version",
    "printer-input-tray",
    "printer-output-tray",
    "compression-supported",
];

/// The capabilities within a device's Get-Printer-Attributes answer, their text cleaned
/// ([`crate::device_text`]): Quire shows them to clients and writes them into PPDs.
pub fn from_device(device: &[Attribute]) -> Vec<Attribute> {
    device
        .iter()
        .filter(|a| !NOT_CAPABILITIES.contains(&a.name.as_str()))
        .map(crate::device_text::attribute)
        .collect()
}

/// Document formats Quire converts to PDF itself (quire-filters).
const CONVERTED_FORMATS: &[&str] =
    &["application/pdf", "application/postscript", "image/jpeg", "text/plain"];
const NUMBER_UP: &[i32] = &[1, 2, 4, 6, 9, 16];
const JOB_SHEETS: &[&str] =
    &["none", "standard", "classified", "confidential", "secret", "topsecret", "unclassified"];

/// Whether Quire filters this queue's jobs: a network device that takes PDF.
fn filtered(p: &crate::model::Printer) -> bool {
    let network = ["ipp:", "ipps:", "http:", "https:"].iter().any(|s| p.device_uri.starts_with(s));
    network
        && p.capability("document-format-supported")
            .is_some_and(|a| a.strs().any(|f| f == "application/pdf"))
}

/// The supported values a queue advertises: the device's own, plus what Quire's filters
/// add (formats converted to PDF, number-up and banner sheets imposed on PDF). The
/// stored capabilities stay the device's truth, which the backend consults.
pub fn advertised(p: &crate::model::Printer, name: &str) -> Option<Attribute> {
    let own = p.capability(name);
    if !filtered(p) {
        return own.cloned();
    }
    let merge = |extra: Vec<Value>| {
        let mut values = own.map(|a| a.values.clone()).unwrap_or_default();
        for v in extra {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        Some(Attribute::set(name, values))
    };
    match name {
        "document-format-supported" => {
            merge(CONVERTED_FORMATS.iter().map(|f| Value::MimeMediaType(f.to_string())).collect())
        }
        "number-up-supported" => merge(NUMBER_UP.iter().map(|n| Value::Integer(*n)).collect()),
        "job-sheets-supported" => {
            merge(JOB_SHEETS.iter().map(|s| Value::Keyword(s.to_string())).collect())
        }
        _ => own.cloned(),
    }
}

/// Names `advertised` may extend.
pub const EXTENDED: &[&str] =
    &["document-format-supported", "number-up-supported", "job-sheets-supported"];
