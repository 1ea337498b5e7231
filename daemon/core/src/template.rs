//! Checking job template attributes against a printer's supported values.

use crate::error::{IppError, IppResult};
use crate::model::Printer;
use quire_ipp::{Attribute, Value};

/// Keyword/enum template attributes checked against `NAME-supported`.
const CHECKED_AGAINST_SUPPORTED: &[&str] = &[
    "sides",
    "print-color-mode",
    "print-quality",
    "output-bin",
    "orientation-requested",
    "print-content-optimize",
    "print-scaling",
    "print-rendering-intent",
    "multiple-document-handling",
    "finishings",
    "media",
    "media-source",
    "media-type",
    "number-up",
    "page-delivery",
    "presentation-direction-number-up",
];

/// Job attributes accepted from a Job group besides the checked ones.
const ACCEPTED_AS_IS: &[&str] = &[
    // CUPS's accounting name, kept for the page log's `%{job-billing}` (cupsd keeps it).
    "job-billing",
    // Checked by confidential::classify.
    quire_ipp::vendor::CONFIDENTIAL,
    "copies",
    "page-ranges",
    "job-hold-until",
    "job-priority",
    "job-sheets",
    "media-col",
    "printer-resolution",
    "job-account-id",
    "job-accounting-user-id",
    "job-name",
    "job-cancel-after",
    "job-delay-output-until",
    "job-retain-until",
    "job-error-action",
    "job-message-to-operator",
    "job-release-action",
    "overrides",
    "page-ranges-requested",
    "print-scaling",
    "fit-to-page",
    "job-password",
    "job-password-encryption",
    "x-image-position",
    "y-image-position",
    "mirror",
    "number-of-retries",
    "output-order",
    "page-border",
    "job-pages-per-set",
    "job-sheet-message",
    "separator-sheets",
    "finishings-col",
    "print-darkness",
    "print-speed",
    "job-phone-number",
    "job-recipient-name",
    "job-originating-user-uri",
    "destination-uris",
    "job-mandatory-attributes",
    "printer-input-tray",
    "feed-orientation",
    "job-error-sheet",
    // Quire's splitter; checked by `crate::split::check_request`.
    quire_ipp::vendor::SPLIT,
    quire_ipp::vendor::SPLIT_PRINTERS,
    quire_ipp::vendor::SPLIT_FALLBACK,
    // Failover; checked by `crate::failover::check_request`.
    quire_ipp::vendor::FAILOVER,
];

/// The result of checking a job's template attributes.
#[derive(Debug, Default)]
pub struct Checked {
    pub accepted: Vec<Attribute>,
    pub unsupported: Vec<Attribute>,
}

/// Checks the attributes of the request's Job group. With `fidelity` set, any unsupported
/// value fails the request; otherwise it is dropped and reported.
pub fn check(
    printer: &Printer,
    attrs: &[Attribute],
    fidelity: bool,
    max_copies: i32,
) -> IppResult<Checked> {
    let mut out = Checked::default();
    for attr in attrs {
        match check_one(printer, attr, max_copies) {
            Ok(true) => out.accepted.push(attr.clone()),
            Ok(false) => out.unsupported.push(attr.clone()),
            Err(e) => return Err(e),
        }
    }
    if fidelity && !out.unsupported.is_empty() {
        return Err(IppError::Unsupported {
            message: "Unsupported job template attributes or values.".into(),
            attributes: out.unsupported,
        });
    }
    Ok(out)
}

/// Ok(true): accepted; Ok(false): unsupported value; Err: malformed request.
fn check_one(printer: &Printer, attr: &Attribute, max_copies: i32) -> IppResult<bool> {
    let name = attr.name.as_str();
    if let Err(e) = quire_ipp::registry::check(attr) {
        let _ = e;
        return Ok(false);
    }
    match name {
        "copies" => {
            Ok(matches!(attr.values.as_slice(), [Value::Integer(n)] if *n >= 1 && *n <= max_copies))
        }
        "job-priority" => {
            Ok(matches!(attr.values.as_slice(), [Value::Integer(n)] if (1..=100).contains(n)))
        }
        "job-hold-until" => Ok(attr.first_str().is_some_and(valid_hold_until)),
        "page-ranges" => Ok(valid_page_ranges(&attr.values)),
        "job-sheets" => Ok(attr.values.len() <= 2 && in_supported(printer, attr)),
        _ if CHECKED_AGAINST_SUPPORTED.contains(&name) => Ok(in_supported(printer, attr)),
        _ if ACCEPTED_AS_IS.contains(&name) => Ok(true),
        _ => Ok(printer
            .capability("job-creation-attributes-supported")
            .is_some_and(|s| s.strs().any(|v| v == name))),
    }
}

fn in_supported(printer: &Printer, attr: &Attribute) -> bool {
    let Some(supported) =
        crate::capabilities::advertised(printer, &format!("{}-supported", attr.name))
    else {
        // The printer says nothing about it: accept, as cupsd passes options through.
        return true;
    };
    attr.values.iter().all(|v| {
        supported.values.iter().any(|s| match (s, v) {
            (Value::RangeOfInteger { lower, upper }, Value::Integer(n)) => n >= lower && n <= upper,
            (a, b) => match (a.as_str(), b.as_str()) {
                (Some(x), Some(y)) => x == y,
                _ => a.as_i32().is_some() && a.as_i32() == b.as_i32(),
            },
        })
    })
}

/// `job-hold-until` keywords (RFC 8011 section 5.2.2 / PWG 5100.7) or a "HH:MM\[:SS\]" name.
pub fn valid_hold_until(v: &str) -> bool {
    matches!(
        v,
        "no-hold"
            | "indefinite"
            | "day-time"
            | "evening"
            | "night"
            | "second-shift"
            | "third-shift"
            | "weekend"
            | "resume"
    ) || parse_hh_mm(v).is_some()
}

/// The IPP value of a `job-hold-until` setting: a keyword, or a name for "HH:MM\[:SS\]".
pub fn hold_until_value(v: &str) -> quire_ipp::Value {
    if parse_hh_mm(v).is_some() {
        quire_ipp::Value::Name(v.to_string())
    } else {
        quire_ipp::Value::Keyword(v.to_string())
    }
}

/// Seconds since midnight for "HH:MM" or "HH:MM:SS".
pub fn parse_hh_mm(v: &str) -> Option<i64> {
    let mut parts = v.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some()
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..60).contains(&s)
    {
        return None;
    }
    Some(h * 3600 + m * 60 + s)
}

/// When a held job with this `job-hold-until` value becomes eligible (UTC), or None for
/// `indefinite`. Shifts follow cupsd: day-time 06-18, evening/night 18-06, second-shift
/// 16-24, third-shift 00-08, weekend Saturday and Sunday.
pub fn hold_until_time(v: &str, now: i64) -> Option<i64> {
    let day = now - now.rem_euclid(86400);
    let secs = now.rem_euclid(86400);
    let next_at = |t: i64| if secs < t { day + t } else { day + 86400 + t };
    let in_window = |from: i64, to: i64| {
        if from < to {
            secs >= from && secs < to
        } else {
            secs >= from || secs < to
        }
    };
    match v {
        "no-hold" | "resume" => Some(now),
        "indefinite" => None,
        "day-time" => Some(if in_window(6 * 3600, 18 * 3600) { now } else { next_at(6 * 3600) }),
        "evening" | "night" => {
            Some(if in_window(18 * 3600, 6 * 3600) { now } else { next_at(18 * 3600) })
        }
        "second-shift" => {
            Some(if in_window(16 * 3600, 24 * 3600) { now } else { next_at(16 * 3600) })
        }
        "third-shift" => Some(if in_window(0, 8 * 3600) { now } else { next_at(0) }),
        "weekend" => {
            // 1970-01-01 was a Thursday: weekday 0 = Thursday, 2 = Saturday, 3 = Sunday.
            let weekday = (now.div_euclid(86400)).rem_euclid(7);
            match weekday {
                2 | 3 => Some(now),
                d => Some(day + (2 - d).rem_euclid(7) * 86400),
            }
        }
        other => parse_hh_mm(other).map(next_at),
    }
}

/// Whether a job held with this `job-hold-until` value may print now: `no-hold`,
/// `resume`, and a window that is already open (day-time at 09:00). Such a value does not
/// hold the job at all.
pub fn hold_is_due(v: &str, now: i64) -> bool {
    hold_until_time(v, now).is_some_and(|t| t <= now)
}

/// page-ranges: ascending, non-overlapping, 1-based (RFC 8011 section 5.2.7).
fn valid_page_ranges(values: &[Value]) -> bool {
    let mut last = 0;
    for v in values {
        match v {
            Value::RangeOfInteger { lower, upper }
                if *lower >= 1 && lower <= upper && *lower > last =>
            {
                last = *upper;
            }
            _ => return false,
        }
    }
    !values.is_empty()
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
