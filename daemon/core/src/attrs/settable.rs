//! What Set-Job-Attributes and Set-Printer-Attributes accept, as the operations check it and
//! `job-settable-attributes-supported` / `printer-settable-attributes-supported` show it.

use quire_ipp::vendor as v;

/// Job attributes a user may change with Set-Job-Attributes while the job is not printing.
pub const JOB_ATTRIBUTES: &[&str] = &[
    "job-hold-until",
    "job-priority",
    "job-name",
    "copies",
    "page-ranges",
    "sides",
    "media",
    "media-col",
    "print-color-mode",
    "print-quality",
    "output-bin",
    "orientation-requested",
    "number-up",
    "finishings",
    "job-sheets",
    "multiple-document-handling",
    "job-account-id",
    "job-cancel-after",
    "print-scaling",
    "printer-resolution",
    "job-message-to-operator",
];

/// Quire's printer attributes an administrator sets (security facts, split and failover
/// policies).
pub const VENDOR_ATTRIBUTES: &[&str] = &[
    v::AUTHENTICATION_METHOD,
    v::ENCRYPTS_JOB_DATA,
    v::ERASES_STORAGE,
    v::SECURITY_LEVEL,
    v::SECURITY_CONFIRMED,
    v::SPLIT_DEFAULT,
    v::SPLIT_PRINTERS_DEFAULT,
    v::SPLIT_FALLBACK_DEFAULT,
    v::SPLIT_MIN_COPIES,
    v::SPLIT_MIN_PAGES,
    v::FAILOVER_DEFAULT,
    v::FAILOVER_GRACE_TIME,
];

/// Standard printer attributes an administrator may set (the rest are read-only or derived,
/// besides the `*-default` ones).
pub const PRINTER_ATTRIBUTES: &[&str] = &[
    "printer-info",
    "printer-location",
    "printer-geo-location",
    "printer-organization",
    "printer-organizational-unit",
    "printer-message-from-operator",
];
