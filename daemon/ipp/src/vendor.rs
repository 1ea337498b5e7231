//! Quire's vendor IPP attributes: every name Quire defines beyond the IPP standards and
//! CUPS, in one place, with its syntax (the registry indexes them with the standard ones).
//! Documented in `docs/IPP-EXTENSIONS.md`; daemon, CLI and simulator all use these constants.
//!
//! String-valued attributes accept `name` as well as `keyword` values: `lp -o NAME=VALUE`
//! sends an option libcups does not know as a single `name` value.

use crate::syntax::Kind::{self, *};
use crate::syntax::{AttrDef, Groups, MemberDef, Syntax, MAX_NAME};

// Device security facts (printer description; settable by an administrator).
/// How the device authenticates a user before it releases a job: [`AUTHENTICATION_METHODS`].
pub const AUTHENTICATION_METHOD: &str = "quire-authentication-method";
/// The device encrypts the job data it holds.
pub const ENCRYPTS_JOB_DATA: &str = "quire-encrypts-job-data";
/// The device erases (or otherwise protects) its storage after printing.
pub const ERASES_STORAGE: &str = "quire-erases-storage";
/// The overall level, 0–5: derived from the three facts unless the administrator set it.
pub const SECURITY_LEVEL: &str = "quire-security-level";
/// `derived` or `configured`: where `quire-security-level` comes from.
pub const SECURITY_LEVEL_SOURCE: &str = "quire-security-level-source";
/// Whether an administrator vouches for the facts in effect (set them, or confirmed what the
/// device claims). Setting `true` confirms the device's claim; `false` withdraws the facts.
pub const SECURITY_CONFIRMED: &str = "quire-security-confirmed";
/// Who vouches for the facts in effect: [`SECURITY_SOURCES`]. Read-only.
pub const SECURITY_SOURCE: &str = "quire-security-source";
/// `unconfirmed` (nobody: the printer takes no part in splitting or failover), `confirmed`
/// (an administrator confirmed the device's claim), `configured` (an administrator set them).
pub const SECURITY_SOURCES: &[&str] = &["unconfirmed", "confirmed", "configured"];
/// What the device says about itself (a collection of the four facts above): a claim, shown,
/// never used to qualify. Read-only.
pub const SECURITY_CLAIM: &str = "quire-security-claim";

/// Authentication methods, weakest first.
pub const AUTHENTICATION_METHODS: &[&str] = &["none", "pin", "id-card", "biometric"];

// Splitting a job between printers (job template; the queue's defaults and policy).
/// `none`, `auto` or `manual`: whether and how the job is divided between printers.
pub const SPLIT: &str = "quire-split";
/// The other printers a manual split may use (names; commas also separate names).
pub const SPLIT_PRINTERS: &str = "quire-split-printers";
/// What happens when no other printer qualifies: `print-alone` or `hold`.
pub const SPLIT_FALLBACK: &str = "quire-split-fallback";
pub const SPLIT_DEFAULT: &str = "quire-split-default";
pub const SPLIT_SUPPORTED: &str = "quire-split-supported";
pub const SPLIT_PRINTERS_DEFAULT: &str = "quire-split-printers-default";
pub const SPLIT_FALLBACK_DEFAULT: &str = "quire-split-fallback-default";
pub const SPLIT_FALLBACK_SUPPORTED: &str = "quire-split-fallback-supported";
/// Queue policy: split only jobs of at least this many copies (0: no copies threshold).
pub const SPLIT_MIN_COPIES: &str = "quire-split-min-copies";
/// Queue policy: split only jobs of at least this many pages (0: no pages threshold).
pub const SPLIT_MIN_PAGES: &str = "quire-split-min-pages";
/// On a split job: its parts, one text per child ("job 12 on office: copies 1-25").
pub const SPLIT_PARTS: &str = "quire-split-parts";
/// On a child job: what part of its parent it prints ("copies 1-25 of 100").
pub const SPLIT_PART: &str = "quire-split-part";
/// On a split job: its child jobs.
pub const CHILD_JOB_IDS: &str = "quire-child-job-ids";

pub const SPLIT_MODES: &[&str] = &["none", "auto", "manual"];

// Failover: the unprinted remainder of a job whose printer stopped moves to another
// printer at least as secure (job template; the queue's default and grace time).
/// `none`, `auto` or `manual`: whether and how the job's remainder moves when its printer stops.
pub const FAILOVER: &str = "quire-failover";
pub const FAILOVER_DEFAULT: &str = "quire-failover-default";
pub const FAILOVER_SUPPORTED: &str = "quire-failover-supported";
/// Seconds a printer may stay stopped (media-empty, jam, offline…) before the job moves.
pub const FAILOVER_GRACE_TIME: &str = "quire-failover-grace-time";
/// On a job: where its failover stands ([`FAILOVER_STATES`]).
pub const FAILOVER_STATE: &str = "quire-failover-state";
/// On a job whose printer stopped: the printers that qualify, with security and state.
pub const FAILOVER_CANDIDATES: &str = "quire-failover-candidates";
/// On a job: every failover decision, oldest first.
pub const FAILOVER_LOG: &str = "quire-failover-log";
pub const FAILOVER_MODES: &[&str] = &["none", "auto", "manual"];
/// `watching` (the printer stopped; the grace time runs), `awaiting-choice` (manual mode:
/// the user picks a printer), `no-qualified-printer`, `handing-off` (the printer's job is
/// being stopped and counted), `failed-over` (the remainder prints elsewhere), `resumed`
/// (the printer recovered before the hand-off).
pub const FAILOVER_STATES: &[&str] = &[
    "watching",
    "awaiting-choice",
    "no-qualified-printer",
    "handing-off",
    "failed-over",
    "resumed",
];
pub const SPLIT_FALLBACKS: &[&str] = &["print-alone", "hold"];

// job-state-reasons values.
/// The job was divided between printers; its children print it.
pub const REASON_SPLIT: &str = "quire-job-split";
/// A split was asked for and no other printer qualifies.
pub const REASON_NO_QUALIFIED_PRINTER: &str = "quire-no-qualified-printer";
/// The job's printer stopped and the user is to pick the printer for the remainder.
pub const REASON_FAILOVER_CHOICE: &str = "quire-failover-choice-needed";
/// The job's printer stopped and no other printer qualifies: the job waits for it.
pub const REASON_FAILOVER_NO_QUALIFIED: &str = "quire-failover-no-qualified-printer";
/// The job's remainder moved to another printer; its children print it.
pub const REASON_FAILED_OVER: &str = "quire-job-failed-over";
/// Confidential held jobs (docs/CONFIDENTIAL.md).
/// Job template boolean: hold the job until its owner authenticates.
pub const CONFIDENTIAL: &str = "quire-confidential";
/// Printer: every job on this queue is confidential (a release queue).
pub const CONFIDENTIAL_DEFAULT: &str = "quire-confidential-default";
pub const CONFIDENTIAL_SUPPORTED: &str = "quire-confidential-supported";
/// Job description: when an unreleased confidential job is deleted (unix time).
pub const CONFIDENTIAL_EXPIRES: &str = "quire-confidential-expires";
/// Job reason: the job expired before its owner released it and was deleted unprinted.
pub const REASON_EXPIRED: &str = "quire-job-expired";
/// Quire-Release-My-Jobs response: the ids it released, in order, in a Job attributes group
/// (registered as a job description attribute; not an operation attribute).
pub const RELEASED_JOB_IDS: &str = "quire-released-job-ids";

const STR: &[Kind] = &[Keyword, Name(MAX_NAME)];
const BOOL: &[Kind] = &[Boolean];
const PD: Groups = Groups::PRINTER_DESCRIPTION;
const PT: Groups = Groups::PRINTER_TEMPLATE;
const JT: Groups = Groups::JOB_TEMPLATE;
const JD: Groups = Groups::JOB_DESCRIPTION;

const fn a(name: &'static str, groups: Groups, syntax: Syntax) -> AttrDef {
    AttrDef { name, groups, syntax }
}

/// The members of [`SECURITY_CLAIM`].
const CLAIM: &[MemberDef] = &[
    MemberDef { name: AUTHENTICATION_METHOD, syntax: Syntax::one(STR) },
    MemberDef { name: ENCRYPTS_JOB_DATA, syntax: Syntax::one(BOOL) },
    MemberDef { name: ERASES_STORAGE, syntax: Syntax::one(BOOL) },
    MemberDef { name: SECURITY_LEVEL, syntax: Syntax::one(&[Integer(0, 5)]) },
    MemberDef { name: SECURITY_LEVEL_SOURCE, syntax: Syntax::one(&[Keyword]) },
];

/// The registry entries of the attributes above.
pub(crate) const ATTRS: &[AttrDef] = &[
    a(AUTHENTICATION_METHOD, PD, Syntax::one(STR)),
    a(ENCRYPTS_JOB_DATA, PD, Syntax::one(BOOL)),
    a(ERASES_STORAGE, PD, Syntax::one(BOOL)),
    a(SECURITY_LEVEL, PD, Syntax::one(&[Integer(0, 5), Keyword, Name(MAX_NAME)])),
    a(SECURITY_LEVEL_SOURCE, PD, Syntax::one(&[Keyword])),
    a(SECURITY_CONFIRMED, PD, Syntax::one(&[Boolean, Keyword, Name(MAX_NAME)])),
    a(SECURITY_SOURCE, PD, Syntax::one(&[Keyword])),
    a(SECURITY_CLAIM, PD, Syntax::one(&[Collection(CLAIM)])),
    a(SPLIT, JT, Syntax::one(STR)),
    a(SPLIT_PRINTERS, JT, Syntax::set_of(STR)),
    a(SPLIT_FALLBACK, JT, Syntax::one(STR)),
    a(SPLIT_DEFAULT, PT, Syntax::one(STR)),
    a(SPLIT_SUPPORTED, PT, Syntax::set_of(&[Keyword])),
    a(SPLIT_PRINTERS_DEFAULT, PT, Syntax::set_of(STR)),
    a(SPLIT_FALLBACK_DEFAULT, PT, Syntax::one(STR)),
    a(SPLIT_FALLBACK_SUPPORTED, PT, Syntax::set_of(&[Keyword])),
    a(SPLIT_MIN_COPIES, PD, Syntax::one(&[Integer(0, i32::MAX), Name(MAX_NAME)])),
    a(SPLIT_MIN_PAGES, PD, Syntax::one(&[Integer(0, i32::MAX), Name(MAX_NAME)])),
    a(SPLIT_PARTS, JD, Syntax::set_of(&[Kind::Text(1023)])),
    a(SPLIT_PART, JD, Syntax::one(&[Kind::Text(1023)])),
    a(CHILD_JOB_IDS, JD, Syntax::set_of(&[Integer(1, i32::MAX)])),
    a(FAILOVER, JT, Syntax::one(STR)),
    a(FAILOVER_DEFAULT, PT, Syntax::one(STR)),
    a(FAILOVER_SUPPORTED, PT, Syntax::set_of(&[Keyword])),
    a(FAILOVER_GRACE_TIME, PD, Syntax::one(&[Integer(0, 86400), Name(MAX_NAME)])),
    a(FAILOVER_STATE, JD, Syntax::one(&[Keyword])),
    a(FAILOVER_CANDIDATES, JD, Syntax::set_of(&[Kind::Text(1023)])),
    a(FAILOVER_LOG, JD, Syntax::set_of(&[Kind::Text(1023)])),
    a(CONFIDENTIAL, JT, Syntax::one(&[Boolean, Keyword, Name(MAX_NAME)])),
    a(CONFIDENTIAL_DEFAULT, PT, Syntax::one(&[Boolean, Keyword, Name(MAX_NAME)])),
    a(CONFIDENTIAL_SUPPORTED, PT, Syntax::one(BOOL)),
    a(CONFIDENTIAL_EXPIRES, JD, Syntax::one(&[Integer(0, i32::MAX)])),
    a(RELEASED_JOB_IDS, JD, Syntax::set_of(&[Integer(1, i32::MAX)])),
];

/// Every string of a string-valued attribute, with comma-separated lists split (`lp -o`
/// sends `a,b` as one name).
pub fn list_values(attr: &crate::Attribute) -> Vec<String> {
    attr.strs()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// A boolean sent as a boolean or as text (`true`/`yes`/`on`, `false`/`no`/`off`).
pub fn flag_value(attr: &crate::Attribute) -> Option<bool> {
    if let Some(b) = attr.first_bool() {
        return Some(b);
    }
    match attr.first_str()?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// An integer sent as an integer or as decimal text.
pub fn integer_value(attr: &crate::Attribute) -> Option<i32> {
    attr.first_i32().or_else(|| attr.first_str()?.trim().parse().ok())
}
