//! The attribute table: RFC 8011, RFC 3995/3996 (notifications), PWG 5100.3,
//! 5100.7, 5100.11, 5100.13, 5100.14, 5100.22 and CUPS extensions, following
//! the IANA IPP registry. Order does not matter: the index is sorted at start.

use super::Kind::{self, *};
use super::{AttrDef, Groups, MemberDef, Syntax, Template, MAX_NAME, MAX_OCTETS, MAX_TEXT};

const MAX: i32 = i32::MAX;
const MIN: i32 = i32::MIN;

// Value-kind alternatives.
const KW: &[Kind] = &[Keyword];
const NM: &[Kind] = &[Name(MAX_NAME)];
const NM127: &[Kind] = &[Name(127)];
const NM63: &[Kind] = &[Name(63)];
const TX: &[Kind] = &[Text(MAX_TEXT)];
const TX127: &[Kind] = &[Text(127)];
const TX255: &[Kind] = &[Text(255)];
const KW_NM: &[Kind] = &[Keyword, Name(MAX_NAME)];
const URI: &[Kind] = &[Uri];
const SCHEME: &[Kind] = &[UriScheme];
const CS: &[Kind] = &[Charset];
const NL: &[Kind] = &[NaturalLanguage];
const MIME: &[Kind] = &[MimeMediaType];
const OCT: &[Kind] = &[OctetString(MAX_OCTETS)];
const INT: &[Kind] = &[Integer(MIN, MAX)];
const INT0: &[Kind] = &[Integer(0, MAX)];
const INT1: &[Kind] = &[Integer(1, MAX)];
const BOOL: &[Kind] = &[Boolean];
const ENUM: &[Kind] = &[Enum(1, MAX)];
/// CUPS `type2 enum` bit fields (cups_ptype_t): every bit may be clear, so 0 is valid.
const PTYPE: &[Kind] = &[Enum(0, MAX)];
const DATE: &[Kind] = &[DateTime];
const RES: &[Kind] = &[Resolution];
const RANGE: &[Kind] = &[RangeOfInteger];
const INT_RANGE: &[Kind] = &[Integer(MIN, MAX), RangeOfInteger];
const LEASE: &[Kind] = &[Integer(0, 67_108_863)];

const fn one(k: &'static [Kind]) -> Syntax {
    Syntax::one(k)
}
const fn set(k: &'static [Kind]) -> Syntax {
    Syntax::set_of(k)
}
const fn m(name: &'static str, syntax: Syntax) -> MemberDef {
    MemberDef { name, syntax }
}
const fn a(name: &'static str, groups: Groups, syntax: Syntax) -> AttrDef {
    AttrDef { name, groups, syntax }
}

// Collection members (PWG 5100.3, 5100.7, 5100.13, 5100.1).
const MEDIA_SIZE: &[MemberDef] = &[
    // Ranges appear in media-col-database/-supported for custom sizes.
    m("x-dimension", one(&[Integer(1, MAX), RangeOfInteger])),
    m("y-dimension", one(&[Integer(1, MAX), RangeOfInteger])),
];
const SOURCE_PROPS: &[MemberDef] = &[
    m("media-source-feed-direction", one(KW)),
    m("media-source-feed-orientation", one(&[Enum(3, 6)])),
];
pub(super) const MEDIA_COL: &[MemberDef] = &[
    m("media-back-coating", one(KW_NM)),
    m("media-bottom-margin", one(INT0)),
    m("media-color", one(KW_NM)),
    m("media-front-coating", one(KW_NM)),
    m("media-grain", one(KW_NM)),
    m("media-hole-count", one(INT0)),
    m("media-info", one(TX255)),
    m("media-key", one(KW_NM)),
    m("media-left-margin", one(INT0)),
    m("media-order-count", one(INT1)),
    m("media-pre-printed", one(KW_NM)),
    m("media-recycled", one(KW_NM)),
    m("media-right-margin", one(INT0)),
    m("media-size", one(&[Collection(MEDIA_SIZE)])),
    m("media-size-name", one(KW_NM)),
    m("media-source", one(KW_NM)),
    m("media-source-properties", one(&[Collection(SOURCE_PROPS)])),
    m("media-thickness", one(INT1)),
    m("media-tooth", one(KW_NM)),
    m("media-top-margin", one(INT0)),
    m("media-type", one(KW_NM)),
    m("media-weight-metric", one(INT0)),
];
const MCOL: &[Kind] = &[Collection(MEDIA_COL)];
const STITCHING: &[MemberDef] = &[
    m("stitching-angle", one(&[Integer(0, 359)])),
    m("stitching-locations", set(INT0)),
    m("stitching-method", one(KW)),
    m("stitching-offset", one(INT0)),
    m("stitching-reference-edge", one(KW)),
];
const PUNCHING: &[MemberDef] = &[
    m("punching-locations", set(INT0)),
    m("punching-offset", one(INT0)),
    m("punching-reference-edge", one(KW)),
];
const FOLDING: &[MemberDef] = &[
    m("folding-direction", one(KW)),
    m("folding-offset", one(INT0)),
    m("folding-reference-edge", one(KW)),
];
const TRIMMING: &[MemberDef] = &[
    m("trimming-offset", one(INT0)),
    m("trimming-reference-edge", one(KW)),
    m("trimming-type", one(KW)),
    m("trimming-when", one(KW)),
];
const FINISHINGS_COL: &[MemberDef] = &[
    m("finishing-template", one(KW_NM)),
    m("folding", set(&[Collection(FOLDING)])),
    m("imposition-template", one(KW_NM)),
    m("media-sheets-supported", one(RANGE)),
    m("media-size", one(&[Collection(MEDIA_SIZE)])),
    m("media-size-name", one(KW_NM)),
    m("punching", one(&[Collection(PUNCHING)])),
    m("stitching", one(&[Collection(STITCHING)])),
    m("trimming", set(&[Collection(TRIMMING)])),
];
const FCOL: &[Kind] = &[Collection(FINISHINGS_COL)];
const COVER: &[MemberDef] =
    &[m("cover-type", one(KW)), m("media", one(KW_NM)), m("media-col", one(MCOL))];
const JOB_SHEETS_COL: &[MemberDef] =
    &[m("job-sheets", one(KW_NM)), m("media", one(KW_NM)), m("media-col", one(MCOL))];
const SEPARATOR: &[MemberDef] =
    &[m("media", one(KW_NM)), m("media-col", one(MCOL)), m("separator-sheets-type", set(KW))];
const INSERT: &[MemberDef] = &[
    m("insert-after-page-number", one(INT0)),
    m("insert-count", one(INT0)),
    m("media", one(KW_NM)),
    m("media-col", one(MCOL)),
];
const ERROR_SHEET: &[MemberDef] = &[
    m("job-error-sheet-type", one(KW_NM)),
    m("job-error-sheet-when", one(KW)),
    m("media", one(KW_NM)),
    m("media-col", one(MCOL)),
];
const ACCOUNTING_SHEETS: &[MemberDef] = &[
    m("job-accounting-output-bin", one(KW_NM)),
    m("job-accounting-sheets-type", one(KW_NM)),
    m("media", one(KW_NM)),
    m("media-col", one(MCOL)),
];
const PROOF_PRINT: &[MemberDef] =
    &[m("media", one(KW_NM)), m("media-col", one(MCOL)), m("proof-print-copies", one(INT0))];
const OVERRIDES: &[MemberDef] =
    &[m("document-copies", set(RANGE)), m("document-numbers", set(RANGE)), m("pages", set(RANGE))];
const SAVE_DISPOSITION: &[MemberDef] = &[m("save-disposition", one(KW))];
const IMPRESSIONS_COL: &[MemberDef] = &[
    m("blank", one(INT0)),
    m("blank-two-sided", one(INT0)),
    m("full-color", one(INT0)),
    m("full-color-two-sided", one(INT0)),
    m("highlight-color", one(INT0)),
    m("highlight-color-two-sided", one(INT0)),
    m("monochrome", one(INT0)),
    m("monochrome-two-sided", one(INT0)),
];
const COUNTS: &[Kind] = &[Collection(IMPRESSIONS_COL)];
const CONTACT: &[MemberDef] =
    &[m("contact-name", one(NM)), m("contact-uri", one(URI)), m("contact-vcard", set(TX))];
const ICC: &[MemberDef] = &[m("profile-name", one(NM)), m("profile-url", one(URI))];
const XRI: &[MemberDef] =
    &[m("xri-authentication", one(KW)), m("xri-security", one(KW)), m("xri-uri", one(URI))];
const DESTINATION: &[MemberDef] = &[
    m("destination-attributes", set(&[Collection(&[])])),
    m("destination-uri", one(URI)),
    m("post-dial-string", one(TX)),
    m("pre-dial-string", one(TX)),
    m("t33-subaddress", one(INT1)),
];
const FORMAT_DETAILS: &[MemberDef] = &[
    m("document-format", one(MIME)),
    m("document-format-version", one(TX127)),
    m("document-natural-language", set(NL)),
    m("document-source-application-name", one(NM)),
    m("document-source-application-version", one(TX127)),
    m("document-source-os-name", one(&[Name(40)])),
    m("document-source-os-version", one(&[Text(40)])),
];

// Groups.
const OP: Groups = Groups::OPERATION;
const JD: Groups = Groups::JOB_DESCRIPTION;
const JS: Groups = Groups::JOB_STATUS;
const PD: Groups = Groups::PRINTER_DESCRIPTION;
const PS: Groups = Groups::PRINTER_STATUS;
const PT: Groups = Groups::PRINTER_TEMPLATE;
const ST: Groups = Groups::SUBSCRIPTION_TEMPLATE;
const SD: Groups = Groups::SUBSCRIPTION_DESCRIPTION;
const EV: Groups = Groups::EVENT_NOTIFICATION;
const DD: Groups = Groups::DOCUMENT_DESCRIPTION;
const DS: Groups = Groups::DOCUMENT_STATUS;
const SYD: Groups = Groups::SYSTEM_DESCRIPTION;
const SYS: Groups = Groups::SYSTEM_STATUS;
const fn g2(a: Groups, b: Groups) -> Groups {
    a.union(b)
}
const fn g3(a: Groups, b: Groups, c: Groups) -> Groups {
    a.union(b).union(c)
}

macro_rules! t {
    ($n:literal, $syn:expr, $sup:expr) => {
        t!(@ $n, $syn, $sup, true)
    };
    ($n:literal, $syn:expr, $sup:expr, no_default) => {
        t!(@ $n, $syn, $sup, false)
    };
    (@ $n:literal, $syn:expr, $sup:expr, $d:expr) => {
        Template {
            name: $n,
            default_name: concat!($n, "-default"),
            supported_name: concat!($n, "-supported"),
            syntax: $syn,
            has_default: $d,
            supported: $sup,
        }
    };
}

const KWS: Syntax = Syntax::set_of(KW);
const KW_NMS: Syntax = Syntax::set_of(KW_NM);
const SUP_BOOL: Syntax = Syntax::one(BOOL);
/// A collection's `-supported` lists its member names.
const MEMBERS: Syntax = Syntax::set_of(KW);

/// Job Template attributes (RFC 8011 5.2, PWG 5100.3/5100.7/5100.11/5100.13, CUPS).
pub(super) const TEMPLATES: &[Template] = &[
    t!("copies", one(INT1), one(RANGE)),
    t!("cover-back", one(&[Collection(COVER)]), MEMBERS),
    t!("cover-front", one(&[Collection(COVER)]), MEMBERS),
    t!("feed-orientation", one(KW), KWS),
    t!("finishings", set(&[Enum(3, MAX)]), set(&[Enum(3, MAX)])),
    t!("finishings-col", set(FCOL), MEMBERS),
    t!("force-front-side", set(INT1), one(INT0)),
    t!("imposition-template", one(KW_NM), KW_NMS),
    t!("insert-sheet", set(&[Collection(INSERT)]), MEMBERS),
    t!("job-account-id", one(NM), SUP_BOOL),
    t!("job-account-type", one(KW_NM), KW_NMS),
    t!("job-accounting-sheets", one(&[Collection(ACCOUNTING_SHEETS)]), MEMBERS),
    t!("job-accounting-user-id", one(NM), SUP_BOOL),
    t!("job-cancel-after", one(INT1), one(RANGE)),
    t!("job-copies", one(INT1), one(RANGE)),
    t!("job-cover-back", one(&[Collection(COVER)]), MEMBERS),
    t!("job-cover-front", one(&[Collection(COVER)]), MEMBERS),
    t!("job-delay-output-until", one(KW_NM), KW_NMS),
    t!("job-delay-output-until-time", one(DATE), one(RANGE)),
    t!("job-error-action", one(KW), KWS),
    t!("job-error-sheet", one(&[Collection(ERROR_SHEET)]), MEMBERS),
    t!("job-finishings", set(&[Enum(3, MAX)]), set(&[Enum(3, MAX)])),
    t!("job-finishings-col", set(FCOL), MEMBERS),
    t!("job-hold-until", one(KW_NM), KW_NMS),
    t!("job-hold-until-time", one(DATE), one(RANGE)),
    t!("job-message-to-operator", one(TX127), SUP_BOOL),
    t!("job-pages-per-set", one(INT1), SUP_BOOL),
    t!("job-phone-number", one(URI), SUP_BOOL),
    t!("job-priority", one(&[Integer(1, 100)]), one(&[Integer(1, 100)])),
    t!("job-recipient-name", one(NM), SUP_BOOL),
    t!("job-release-action", one(KW), KWS),
    t!("job-retain-until", one(KW_NM), KW_NMS),
    t!("job-retain-until-interval", one(INT0), one(RANGE)),
    t!("job-retain-until-time", one(DATE), one(RANGE)),
    t!("job-save-disposition", one(&[Collection(SAVE_DISPOSITION)]), MEMBERS),
    t!("job-sheet-message", one(TX), SUP_BOOL),
    t!("job-sheets", set(KW_NM), KW_NMS),
    t!("job-sheets-col", one(&[Collection(JOB_SHEETS_COL)]), MEMBERS),
    t!("media", one(KW_NM), KW_NMS),
    t!("media-col", one(MCOL), MEMBERS),
    t!("media-input-tray-check", one(KW_NM), KW_NMS),
    t!("multiple-document-handling", one(KW), KWS),
    t!("number-up", one(INT1), set(INT_RANGE)),
    t!("orientation-requested", one(&[Enum(3, 7)]), set(&[Enum(3, 7)])),
    t!("output-bin", one(KW_NM), KW_NMS),
    t!("output-mode", one(KW), KWS),
    t!("overrides", set(&[Collection(OVERRIDES)]), MEMBERS, no_default),
    t!("page-delivery", one(KW), KWS),
    t!("page-ranges", set(&[RangeOfInteger]), SUP_BOOL, no_default),
    t!("presentation-direction-number-up", one(KW), KWS),
    t!("print-color-mode", one(KW), KWS),
    t!("print-content-optimize", one(KW), KWS),
    t!("print-quality", one(&[Enum(3, 5)]), set(&[Enum(3, 5)])),
    t!("print-rendering-intent", one(KW), KWS),
    t!("print-scaling", one(KW), KWS),
    t!("printer-resolution", one(RES), set(RES)),
    t!("proof-print", one(&[Collection(PROOF_PRINT)]), MEMBERS),
    t!("separator-sheets", one(&[Collection(SEPARATOR)]), MEMBERS),
    t!("sheet-collate", one(KW), KWS),
    t!("sides", one(KW), KWS),
    t!("x-image-position", one(KW), KWS),
    t!("x-image-shift", one(INT), one(RANGE)),
    t!("x-side1-image-shift", one(INT), one(RANGE)),
    t!("x-side2-image-shift", one(INT), one(RANGE)),
    t!("y-image-position", one(KW), KWS),
    t!("y-image-shift", one(INT), one(RANGE)),
    t!("y-side1-image-shift", one(INT), one(RANGE)),
    t!("y-side2-image-shift", one(INT), one(RANGE)),
];

const fn nv(s: Syntax) -> Syntax {
    s.or_no_value()
}

/// Every other attribute.
pub(super) const ATTRS: &[AttrDef] = &[
    // Operation attributes (RFC 8011 4.1.4 and the operations; CUPS-* operations).
    a("attributes-charset", g3(OP, JD, g2(SD, EV)), one(CS)),
    a("attributes-natural-language", g3(OP, JD, g2(SD, EV)), one(NL)),
    a("auth-info", OP, set(&[Text(MAX_TEXT)])),
    a("compression", OP, one(KW)),
    a("detailed-status-message", OP, one(TX)),
    a("device-class", OP, one(KW)),
    a("device-id", OP, one(TX)),
    a("device-info", OP, one(TX127)),
    a("device-location", OP, one(TX127)),
    a("device-make-and-model", OP, one(TX127)),
    a("document-access-error", OP, one(TX)),
    a("document-charset", g2(OP, DD), one(CS)),
    a("document-format", g2(OP, DD), one(MIME)),
    a("document-format-details", g2(OP, DD), set(&[Collection(FORMAT_DETAILS)])),
    a("document-message", g2(OP, DD), one(TX)),
    a("document-metadata", g2(OP, DD), set(OCT)),
    a("document-name", g2(OP, DD), one(NM)),
    a("document-natural-language", g2(OP, DD), one(NL)),
    a("document-number", g2(OP, DD), one(INT1)),
    a("document-password", OP, one(OCT)),
    a("document-preprocessed", OP, one(BOOL)),
    a("document-uri", g2(OP, DD), one(URI)),
    a("exclude-schemes", OP, set(NM)),
    a("fetch-status-code", OP, one(ENUM)),
    a("fetch-status-message", OP, one(TX)),
    a("first-index", OP, one(INT1)),
    a("first-printer-name", OP, one(NM127)),
    a("include-schemes", OP, set(NM)),
    a("ipp-attribute-fidelity", OP, one(BOOL)),
    a("job-authorization-uri", OP, one(URI)),
    a("job-id", g3(OP, JD, g2(DD, EV)), one(INT1)),
    a("job-ids", OP, set(INT1)),
    a("job-impressions", g2(OP, JD), one(INT0)),
    a("job-k-octets", g2(OP, JD), one(INT0)),
    a("job-mandatory-attributes", g2(OP, JD), set(KW)),
    a("job-media-sheets", g2(OP, JD), one(INT0)),
    a("job-name", g3(OP, JD, EV), one(NM)),
    a("job-pages", g2(OP, JD), one(INT0)),
    a("job-password", OP, one(&[OctetString(255)])),
    a("job-password-encryption", OP, one(KW_NM)),
    a("job-uri", g3(OP, JD, DD), one(URI)),
    a("last-document", g2(OP, DD), one(BOOL)),
    a("limit", OP, one(INT1)),
    a("message", OP, one(TX127)),
    a("my-jobs", OP, one(BOOL)),
    a("notify-get-interval", OP, one(INT0)),
    a("notify-sequence-numbers", OP, set(INT1)),
    a("notify-subscription-ids", OP, set(INT1)),
    a("notify-wait", OP, one(BOOL)),
    a("output-device-uuid", OP, one(URI)),
    a("ppd-device-id", g2(OP, PD), one(TX127)),
    a("ppd-make", g2(OP, PD), one(TX127)),
    a("ppd-make-and-model", g2(OP, PD), one(TX127)),
    a("ppd-model-number", OP, one(INT)),
    a("ppd-name", g2(OP, PD), one(NM)),
    a("ppd-natural-language", OP, one(NL)),
    a("ppd-product", OP, one(TX127)),
    a("ppd-psversion", OP, one(TX127)),
    a("ppd-type", OP, one(KW)),
    a("printer-id", g3(OP, PD, SYD), one(&[Integer(1, 65535)])),
    a("printer-ids", OP, set(&[Integer(1, 65535)])),
    a("printer-type-mask", OP, one(PTYPE)),
    a("printer-uri", OP, one(URI)),
    a("purge-jobs", OP, one(BOOL)),
    a("requested-attributes", OP, set(KW)),
    a("requested-user-name", OP, one(NM)),
    a("requesting-user-name", OP, one(NM)),
    a("requesting-user-uri", OP, one(URI)),
    a("requesting-user-vcard", OP, set(TX)),
    a("status-message", OP, one(TX255)),
    a("system-uri", OP, one(URI)),
    a("timeout", OP, one(INT1)),
    a("which-jobs", OP, one(KW)),
    a("which-printers", OP, one(KW)),
    // Job Description and Status (RFC 8011 5.3, PWG 5100.7, CUPS).
    a("compression-supplied", JD, one(KW)),
    a("date-time-at-completed", JS, nv(one(DATE))),
    a("date-time-at-creation", JS, one(DATE)),
    a("date-time-at-processing", JS, nv(one(DATE))),
    a("document-charset-supplied", JD, one(CS)),
    a("document-format-details-supplied", JD, set(&[Collection(FORMAT_DETAILS)])),
    a("document-format-supplied", JD, one(MIME)),
    a("document-format-version-supplied", JD, one(TX127)),
    a("document-message-supplied", JD, one(TX)),
    a("document-name-supplied", JD, one(NM)),
    a("document-natural-language-supplied", JD, one(NL)),
    a("job-detailed-status-messages", JS, set(TX)),
    a("job-document-access-errors", JS, set(TX)),
    a("job-impressions-col", JD, one(COUNTS)),
    a("job-impressions-completed", g3(JS, EV, DS), one(INT0)),
    a("job-impressions-completed-col", JS, one(COUNTS)),
    a("job-k-octets-processed", JS, one(INT0)),
    a("job-media-progress", JS, one(&[Integer(0, 100)])),
    a("job-media-sheets-col", JD, one(COUNTS)),
    a("job-media-sheets-completed", JS, one(INT0)),
    a("job-media-sheets-completed-col", JS, one(COUNTS)),
    a("job-message-from-operator", JS, one(TX127)),
    a("job-more-info", JD, one(URI)),
    a("job-originating-host-name", JD, one(NM)),
    a("job-originating-user-name", JD, one(NM)),
    a("job-originating-user-uri", JD, one(URI)),
    a("job-pages-col", JD, one(COUNTS)),
    a("job-pages-completed", JS, one(INT0)),
    a("job-pages-completed-col", JS, one(COUNTS)),
    a("job-printer-state-message", JS, one(TX)),
    a("job-printer-state-reasons", JS, set(KW)),
    a("job-printer-up-time", JS, one(INT1)),
    a("job-printer-uri", g3(OP, JD, DD), one(URI)),
    a("job-state", g3(JS, EV, OP), one(&[Enum(3, 9)])),
    a("job-state-message", JS, one(TX)),
    a("job-state-reasons", g2(JS, EV), set(KW)),
    a("job-uuid", JD, one(URI)),
    a("number-of-documents", JD, one(INT0)),
    a("number-of-intervening-jobs", JS, one(INT0)),
    a("original-requesting-user-name", JD, one(NM)),
    a("output-device-assigned", JS, one(NM127)),
    a("time-at-completed", JS, nv(one(INT))),
    a("time-at-creation", JS, one(INT)),
    a("time-at-processing", JS, nv(one(INT))),
    // Document Description and Status (PWG 5100.5).
    a("document-job-id", DD, one(INT1)),
    a("document-job-uri", DD, one(URI)),
    a("document-printer-uri", DD, one(URI)),
    a("document-state", DS, one(&[Enum(3, 9)])),
    a("document-state-message", DS, one(TX)),
    a("document-state-reasons", DS, set(KW)),
    a("document-uuid", DD, one(URI)),
    // Printer Description (RFC 8011 5.4, PWG 5100.x, CUPS).
    a("auth-info-required", PD, set(KW)),
    a("charset-configured", g2(PD, SYD), one(CS)),
    a("charset-supported", g2(PD, SYD), set(CS)),
    a("color-supported", PD, one(BOOL)),
    a("compression-supported", PD, set(KW)),
    a("device-uri", g2(OP, PD), one(URI)),
    a("document-format-default", PD, one(MIME)),
    a("document-format-supported", g2(PD, SYD), set(MIME)),
    a("document-password-supported", PD, one(&[Integer(0, 1023)])),
    a("finishings-col-database", g2(PD, PT), set(FCOL)),
    a("finishings-col-ready", PT, set(FCOL)),
    a("finishings-ready", PT, set(&[Enum(3, MAX)])),
    a("generated-natural-language-supported", g2(PD, SYD), set(NL)),
    a("identify-actions-default", PD, set(KW)),
    a("identify-actions-supported", PD, set(KW)),
    a("ipp-features-supported", g2(PD, SYD), set(KW)),
    a("ipp-versions-supported", g2(PD, SYD), set(KW)),
    a("ippget-event-life", PD, one(&[Integer(15, MAX)])),
    a("job-constraints-supported", PD, set(&[Collection(&[])])),
    a("job-creation-attributes-supported", PD, set(KW)),
    a("job-ids-supported", PD, one(BOOL)),
    a("job-impressions-supported", PD, one(RANGE)),
    a("job-k-limit", PD, one(INT)),
    a("job-k-octets-supported", PD, one(RANGE)),
    a("job-media-sheets-supported", PD, one(RANGE)),
    a("job-page-limit", PD, one(INT)),
    a("job-password-encryption-supported", PD, set(KW_NM)),
    a("job-password-length-supported", PD, one(RANGE)),
    a("job-password-supported", PD, one(&[Integer(0, 255)])),
    a("job-presets-supported", PD, set(&[Collection(&[])])),
    a("job-quota-period", PD, one(INT)),
    a("job-resolvers-supported", PD, set(&[Collection(&[])])),
    a("jpeg-k-octets-supported", PD, one(RANGE)),
    a("jpeg-x-dimension-supported", PD, one(RANGE)),
    a("jpeg-y-dimension-supported", PD, one(RANGE)),
    a("marker-change-time", PS, one(INT0)),
    a("marker-colors", PS, set(NM)),
    a("marker-high-levels", PS, set(&[Integer(0, 100)])),
    a("marker-levels", PS, set(&[Integer(-3, 100)])),
    a("marker-low-levels", PS, set(&[Integer(0, 100)])),
    a("marker-message", PS, one(TX)),
    a("marker-names", PS, set(NM)),
    a("marker-types", PS, set(KW)),
    a("max-page-ranges-supported", g2(PD, PT), one(INT1)),
    a("media-bottom-margin-supported", g2(PD, PT), set(INT0)),
    a("media-col-database", PT, set(MCOL)),
    a("media-col-ready", PT, nv(set(MCOL))),
    a("media-color-supported", g2(PD, PT), KW_NMS),
    a("media-key-supported", g2(PD, PT), KW_NMS),
    a("media-left-margin-supported", g2(PD, PT), set(INT0)),
    a("media-ready", PT, nv(KW_NMS)),
    a("media-right-margin-supported", g2(PD, PT), set(INT0)),
    a("media-size-supported", g2(PD, PT), set(&[Collection(MEDIA_SIZE)])),
    a("media-source-supported", g2(PD, PT), KW_NMS),
    a("media-top-margin-supported", g2(PD, PT), set(INT0)),
    a("media-type-supported", g2(PD, PT), KW_NMS),
    a("member-names", g2(OP, PD), set(NM)),
    a("member-uris", g2(OP, PD), set(URI)),
    a("mopria-certified", PD, one(TX)),
    a("multiple-document-jobs-supported", PD, one(BOOL)),
    a("multiple-operation-time-out", PD, one(INT1)),
    a("multiple-operation-time-out-action", PD, one(KW)),
    a("natural-language-configured", g2(PD, SYD), one(NL)),
    a("notify-attributes-supported", PD, set(KW)),
    a("notify-events-default", PD, set(KW)),
    a("notify-events-supported", PD, set(KW)),
    a("notify-lease-duration-default", PD, one(LEASE)),
    a("notify-lease-duration-supported", PD, set(&[Integer(0, 67_108_863), RangeOfInteger])),
    a("notify-max-events-supported", PD, one(&[Integer(2, MAX)])),
    a("notify-pull-method-supported", PD, set(KW)),
    a("notify-schemes-supported", PD, set(SCHEME)),
    a("operations-supported", g2(PD, SYD), set(ENUM)),
    a("pages-per-minute", PD, one(INT0)),
    a("pages-per-minute-color", PD, one(INT0)),
    a("pdf-k-octets-supported", PD, one(RANGE)),
    a("pdf-versions-supported", PD, set(KW)),
    a("pdl-override-supported", PD, one(KW)),
    a("port-monitor", PD, one(NM)),
    a("port-monitor-supported", PD, set(NM)),
    a("preferred-attributes-supported", PD, one(BOOL)),
    a("print-processing-attributes-supported", PD, set(KW)),
    a("printer-charge-info", PD, one(TX)),
    a("printer-charge-info-uri", PD, one(URI)),
    a("printer-commands", PD, set(KW)),
    a("printer-contact-col", PD, nv(one(&[Collection(CONTACT)]))),
    a("printer-current-time", PS, nv(one(DATE))),
    a("printer-device-id", PD, one(TX)),
    a("printer-dns-sd-name", PD, nv(one(NM63))),
    a("printer-driver-installer", PD, one(URI)),
    a("printer-error-policy", PD, one(NM)),
    a("printer-error-policy-supported", PD, set(NM)),
    a("printer-geo-location", PD, nv(one(URI))),
    a("printer-get-attributes-supported", PD, set(KW)),
    a("printer-icc-profiles", PD, set(&[Collection(ICC)])),
    a("printer-icons", PD, set(URI)),
    a("printer-info", g2(OP, PD), one(TX127)),
    a("printer-is-shared", PD, one(BOOL)),
    a("printer-kind", PD, set(KW)),
    a("printer-location", g2(OP, PD), one(TX127)),
    a("printer-make-and-model", PD, one(TX127)),
    a("printer-mandatory-job-attributes", PD, set(KW)),
    a("printer-more-info", PD, one(URI)),
    a("printer-more-info-manufacturer", PD, one(URI)),
    a("printer-name", g3(PD, EV, SYD), one(NM127)),
    a("printer-op-policy", PD, one(NM)),
    a("printer-op-policy-supported", PD, set(NM)),
    a("printer-organization", PD, set(TX)),
    a("printer-organizational-unit", PD, set(TX)),
    a("printer-settable-attributes-supported", PD, set(KW)),
    a("printer-strings-languages-supported", PD, set(NL)),
    a("printer-strings-uri", PD, nv(one(URI))),
    a("printer-supply-description", PD, set(TX)),
    a("printer-supply-info-uri", PD, one(URI)),
    a("printer-type", g2(OP, PD), one(PTYPE)),
    a("printer-uri-supported", PD, set(URI)),
    a("printer-uuid", PD, one(URI)),
    a("printer-xri-supported", PD, set(&[Collection(XRI)])),
    a("pwg-raster-document-resolution-supported", PD, set(RES)),
    a("pwg-raster-document-sheet-back", PD, one(KW)),
    a("pwg-raster-document-type-supported", PD, set(KW)),
    a("reference-uri-schemes-supported", PD, set(SCHEME)),
    a("requesting-user-name-allowed", PD, set(NM)),
    a("requesting-user-name-denied", PD, set(NM)),
    a("requesting-user-uri-supported", PD, one(BOOL)),
    a("urf-supported", PD, set(KW)),
    a("uri-authentication-supported", PD, set(KW)),
    a("uri-security-supported", PD, set(KW)),
    a("which-jobs-supported", PD, set(KW)),
    // Printer Status (RFC 8011 5.4, PWG 5100.13, CUPS).
    a("destination-uri-ready", PS, set(&[Collection(DESTINATION)])),
    a("printer-alert", PS, set(OCT)),
    a("printer-alert-description", PS, set(TX)),
    a("printer-config-change-date-time", PS, one(DATE)),
    a("printer-config-change-time", PS, one(INT1)),
    a("printer-detailed-status-messages", PS, set(TX)),
    a("printer-firmware-name", PS, set(NM)),
    a("printer-firmware-patches", PS, set(TX)),
    a("printer-firmware-string-version", PS, set(TX)),
    a("printer-firmware-version", PS, set(&[OctetString(64)])),
    a("printer-input-tray", PS, set(OCT)),
    a("printer-is-accepting-jobs", g3(PS, EV, OP), one(BOOL)),
    a("printer-message-from-operator", PS, one(TX127)),
    a("printer-message-time", PS, one(INT)),
    a("printer-output-tray", PS, set(OCT)),
    a("printer-state", g3(PS, EV, OP), one(&[Enum(3, 5)])),
    a("printer-state-change-date-time", PS, one(DATE)),
    a("printer-state-change-time", PS, one(INT1)),
    a("printer-state-message", g3(PS, EV, OP), one(TX)),
    a("printer-state-reasons", g2(PS, EV), set(KW)),
    a("printer-static-resources", PS, set(&[Collection(&[])])),
    a("printer-supply", PS, set(OCT)),
    a("printer-up-time", g3(PS, EV, OP), one(INT1)),
    a("queued-job-count", PS, one(INT0)),
    // Subscription Template and Description (RFC 3995 5.3/5.4, RFC 3996).
    a("notify-attributes", ST, set(KW)),
    a("notify-charset", g3(ST, SD, EV), one(CS)),
    a("notify-events", ST, set(KW)),
    a("notify-job-id", g3(OP, SD, EV), one(INT1)),
    a("notify-lease-duration", ST, one(LEASE)),
    a("notify-lease-expiration-time", SD, one(INT0)),
    a("notify-natural-language", g3(ST, SD, EV), one(NL)),
    a("notify-printer-up-time", SD, one(INT1)),
    a("notify-printer-uri", g2(SD, EV), one(URI)),
    a("notify-pull-method", ST, one(KW)),
    a("notify-recipient-uri", ST, one(URI)),
    a("notify-sequence-number", g2(SD, EV), one(INT0)),
    a("notify-status-code", EV, one(ENUM)),
    a("notify-subscribed-event", EV, one(KW)),
    a("notify-subscriber-user-name", SD, one(NM)),
    a("notify-subscriber-user-uri", SD, one(URI)),
    a("notify-subscription-id", g3(OP, SD, EV), one(INT1)),
    a("notify-subscription-uuid", SD, one(URI)),
    a("notify-text", EV, one(TX)),
    a("notify-time-interval", ST, one(INT0)),
    a("notify-user-data", g3(ST, SD, EV), one(&[OctetString(63)])),
    // System Description and Status (PWG 5100.22).
    a("printer-creation-attributes-supported", SYD, set(KW)),
    a("system-config-change-date-time", SYS, one(DATE)),
    a("system-config-change-time", SYS, one(INT0)),
    a("system-configured-printers", SYS, nv(set(&[Collection(&[])]))),
    a("system-current-time", SYS, one(DATE)),
    a("system-default-printer-id", SYD, nv(one(&[Integer(1, 65535)]))),
    a("system-dns-sd-name", SYD, nv(one(NM63))),
    a("system-geo-location", SYD, nv(one(URI))),
    a("system-info", SYD, one(TX127)),
    a("system-location", SYD, one(TX127)),
    a("system-make-and-model", SYD, one(TX127)),
    a("system-mandatory-printer-attributes", SYD, set(KW)),
    a("system-name", SYD, one(NM)),
    a("system-owner-col", SYD, one(&[Collection(CONTACT)])),
    a("system-settable-attributes-supported", SYD, set(KW)),
    a("system-state", SYS, one(&[Enum(3, 5)])),
    a("system-state-change-date-time", SYS, one(DATE)),
    a("system-state-change-time", SYS, one(INT0)),
    a("system-state-message", SYS, one(TX)),
    a("system-state-reasons", SYS, set(KW)),
    a("system-up-time", SYS, one(INT1)),
    a("system-uuid", SYD, one(URI)),
    a("system-xri-supported", SYD, set(&[Collection(XRI)])),
];
