//! Attribute views: the attributes of a printer object (generated state plus its
//! capabilities), its alerts, and what may be set.

pub mod alerts;
pub mod job;
pub mod settable;

use crate::events::SUPPORTED_EVENTS;
use crate::model::{Printer, Scheduler};
use crate::request::UriBase;
use crate::time::date_time;
use quire_ipp::build::keyword as kw;
use quire_ipp::registry::RequestedSet;
use quire_ipp::{Attribute, Operation, Value};

/// CUPS printer-type bits (cups/cups.h).
pub mod ptype {
    pub const CLASS: i32 = 0x0001;
    pub const BW: i32 = 0x0004;
    pub const COLOR: i32 = 0x0008;
    pub const DUPLEX: i32 = 0x0010;
    pub const COPIES: i32 = 0x0040;
    pub const COLLATE: i32 = 0x0080;
    pub const REJECTING: i32 = 0x8000;
    pub const DEFAULT: i32 = 0x20000;
    pub const NOT_SHARED: i32 = 0x200000;
}

pub fn printer_type(s: &Scheduler, p: &Printer) -> i32 {
    let mut t = ptype::COPIES | ptype::COLLATE;
    if p.is_class {
        t |= ptype::CLASS;
    }
    let color =
        p.capability("print-color-mode-supported").is_some_and(|a| a.strs().any(|v| v == "color"));
    t |= if color { ptype::COLOR } else { ptype::BW };
    if p.capability("sides-supported").is_some_and(|a| a.strs().any(|v| v.starts_with("two-sided")))
    {
        t |= ptype::DUPLEX;
    }
    if !p.accepting {
        t |= ptype::REJECTING;
    }
    if !p.shared {
        t |= ptype::NOT_SHARED;
    }
    if s.default_printer.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&p.name)) {
        t |= ptype::DEFAULT;
    }
    t
}

/// Operations a queue supports, for `operations-supported`: Print-URI and Send-URI only
/// when `PullSchemes` enables pulling.
fn operations(pull: bool) -> Vec<Value> {
    Operation::all()
        .iter()
        .filter(|op| pull || !matches!(op, Operation::PrintUri | Operation::SendUri))
        .filter(|op| !matches!(op, Operation::CupsGetDocument))
        .map(|op| Value::Enum(i32::from(op.code())))
        .collect()
}

/// Job template and operation attributes a client may send when creating a job.
pub const JOB_CREATION_ATTRIBUTES: &[&str] = &[
    "copies",
    "finishings",
    "ipp-attribute-fidelity",
    "job-account-id",
    "job-accounting-user-id",
    "job-hold-until",
    "job-name",
    "job-priority",
    "job-sheets",
    "media",
    "media-col",
    "multiple-document-handling",
    "number-up",
    "orientation-requested",
    "output-bin",
    "page-ranges",
    "print-color-mode",
    "print-content-optimize",
    "print-quality",
    "print-rendering-intent",
    "print-scaling",
    "printer-resolution",
    "sides",
    quire_ipp::vendor::SPLIT,
    quire_ipp::vendor::SPLIT_PRINTERS,
    quire_ipp::vendor::SPLIT_FALLBACK,
    quire_ipp::vendor::FAILOVER,
    quire_ipp::vendor::CONFIDENTIAL,
];

/// Every attribute of printer `p` that `want` asks for.
pub fn printer_attributes(
    s: &Scheduler,
    p: &Printer,
    base: &UriBase,
    want: &RequestedSet,
    now: i64,
) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = Vec::with_capacity(128);
    let mut add = |name: &str, values: Vec<Value>| {
        if want.contains(name) {
            out.push(Attribute::set(name, values));
        }
    };
    let uri = base.uri(&p.resource());
    state_attributes(s, p, &uri, base, now, &mut add);
    description_attributes(p, &uri, base, &mut add);
    // cupsd gives every class the device `file:///dev/null`.
    let device = if p.is_class { "file:///dev/null" } else { p.device_uri.as_str() };
    queue_attributes(p, device, base, &mut add);
    quire_attributes(p, &mut add);
    server_attributes(s, &mut add);
    job_handling_attributes(s, &mut add);
    job_and_subscription_attributes(s, &mut add);
    capability_attributes(p, want, &mut out);
    out.retain(|a| !want.only_as_a_default(&a.name) || is_a_cups_default(p, a));
    out
}

/// The defaults cupsd gives every queue (a raw one has only these; a class not the last two).
/// Not `job-sheets-default`: cupsd gives it only when it has banners, and Quire has none.
const CUPS_QUEUE_DEFAULTS: [&str; 7] = [
    "copies-default",
    "job-cancel-after-default",
    "job-hold-until-default",
    "job-priority-default",
    "number-up-default",
    "finishings-default",
    "print-color-mode-default",
];

/// Whether CUPS's `printer-defaults` gives `a`, as cupsd would for this queue: the defaults
/// every queue has, those an administrator set (cupsd's `Option` lines), and Quire's own
/// settings where they differ from a new queue's. CUPS's lp copies each into every job it
/// sends, so a default of Quire's generic capabilities (media, output-bin, ...) must not be
/// one: it would pin jobs that split or fail over to it.
fn is_a_cups_default(p: &Printer, a: &Attribute) -> bool {
    let printer_only = ["finishings-default", "print-color-mode-default"];
    let every_queue = CUPS_QUEUE_DEFAULTS.contains(&a.name.as_str())
        && !(p.is_class && printer_only.contains(&a.name.as_str()));
    // A queue with a PPD also has the defaults cupsd takes from it.
    let from_ppd = p.ppd_name.ends_with(".ppd")
        && ["media-default", "sides-default", "print-color-mode-default"]
            .contains(&a.name.as_str());
    if every_queue || from_ppd || p.option_defaults.contains(&a.name) {
        return true;
    }
    if !a.name.starts_with("quire-") {
        return false;
    }
    let mut new_queue = crate::model::SplitPolicy::default()
        .attributes()
        .into_iter()
        .chain(crate::model::FailoverPolicy::default().attributes())
        .chain([Attribute::new(quire_ipp::vendor::CONFIDENTIAL_DEFAULT, Value::Boolean(false))]);
    !new_queue.any(|d| d == *a)
}

/// Who the printer is and what state it is in.
fn state_attributes(
    s: &Scheduler,
    p: &Printer,
    uri: &str,
    base: &UriBase,
    now: i64,
    add: &mut impl FnMut(&str, Vec<Value>),
) {
    add("printer-name", vec![Value::Name(p.name.clone())]);
    add("printer-uri-supported", vec![Value::Uri(uri.to_string())]);
    add("uri-security-supported", vec![kw(if base.scheme == "ipps" { "tls" } else { "none" })]);
    add("uri-authentication-supported", vec![kw("requesting-user-name")]);
    add("printer-id", vec![Value::Integer(p.id)]);
    add("printer-uuid", vec![Value::Uri(p.uuid.clone())]);
    add("printer-state", vec![Value::Enum(p.state as i32)]);
    let mut reasons: Vec<Value> = p.state_reasons_all().map(kw).collect();
    if crate::quota::spool_full(s) {
        reasons.push(kw("spool-area-full"));
    }
    if reasons.is_empty() {
        reasons.push(kw("none"));
    }
    add("printer-state-reasons", reasons);
    add("printer-state-message", vec![Value::Text(p.state_message_shown().to_string())]);
    for attr in &p.device.attributes {
        add(&attr.name, attr.values.clone());
    }
    add("printer-is-accepting-jobs", vec![Value::Boolean(p.accepting)]);
    add("printer-is-shared", vec![Value::Boolean(p.shared)]);
    add("printer-is-temporary", vec![Value::Boolean(p.temporary)]);
    // As cupsd: no-value until the queue is registered.
    let dnssd_name = s.dnssd_names.get(&p.name.to_ascii_lowercase());
    add("printer-dns-sd-name", vec![dnssd_name.map_or(Value::NoValue, |n| Value::Name(n.clone()))]);
    add("printer-type", vec![Value::Enum(printer_type(s, p))]);
    add("queued-job-count", vec![Value::Integer(queued(s, p))]);
    add("printer-up-time", vec![Value::Integer(now.clamp(1, i64::from(i32::MAX)) as i32)]);
    add("printer-current-time", vec![date_time(now)]);
    add("printer-state-change-time", vec![Value::Integer(p.state_change_time as i32)]);
    add("printer-state-change-date-time", vec![date_time(p.state_change_time)]);
    add("printer-config-change-time", vec![Value::Integer(p.config_change_time as i32)]);
    add("printer-config-change-date-time", vec![date_time(p.config_change_time)]);
}

/// What the printer says about itself.
fn description_attributes(
    p: &Printer,
    uri: &str,
    base: &UriBase,
    add: &mut impl FnMut(&str, Vec<Value>),
) {
    add(
        "printer-info",
        vec![Value::Text(if p.info.is_empty() { p.name.clone() } else { p.info.clone() })],
    );
    add("printer-location", vec![Value::Text(p.location.clone())]);
    add("printer-make-and-model", vec![Value::Text(p.make_and_model.clone())]);
    add(
        "printer-more-info",
        vec![Value::Uri(uri.replacen("ipp", "http", 1).replacen("https", "http", 1))],
    );
    add(
        "printer-icons",
        vec![Value::Uri(base.uri(&format!("/icons/{}.png", p.name)).replacen("ipp", "http", 1))],
    );
    add("printer-supply-info-uri", vec![Value::Uri(uri.replacen("ipp", "http", 1) + "/supplies")]);
    // An administrator's values (lpadmin, or a queue taken over from cupsd) are capabilities.
    let set = |name: &str, none: Value| match p.capability(name) {
        Some(a) => a.values.clone(),
        None => vec![none],
    };
    add("printer-geo-location", set("printer-geo-location", Value::Unknown));
    add("printer-organization", set("printer-organization", Value::Text(String::new())));
    add(
        "printer-organizational-unit",
        set("printer-organizational-unit", Value::Text(String::new())),
    );
    add("printer-message-from-operator", vec![Value::Text(String::new())]);
    add("printer-config-changes", vec![Value::Integer(0)]);
}

/// How the queue is set up: its device or members, model, policies and users.
fn queue_attributes(
    p: &Printer,
    device: &str,
    base: &UriBase,
    add: &mut impl FnMut(&str, Vec<Value>),
) {
    if !device.is_empty() {
        // As cupsd: without `user:password@`; only the backend gets the whole URI.
        add("device-uri", vec![Value::Uri(quire_ipp::uri::without_userinfo(device))]);
    }
    if p.is_class {
        add("member-names", p.members.iter().map(|m| Value::Name(m.clone())).collect());
        add(
            "member-uris",
            p.members.iter().map(|m| Value::Uri(base.uri(&format!("/printers/{m}")))).collect(),
        );
    }
    add("ppd-name", vec![Value::Name(p.ppd_name.clone())]);
    add("printer-error-policy", vec![Value::Name(p.error_policy.clone())]);
    add(
        "printer-error-policy-supported",
        ["abort-job", "retry-current-job", "retry-job", "stop-printer"]
            .iter()
            .map(|v| Value::Name(v.to_string()))
            .collect(),
    );
    add("printer-op-policy", vec![Value::Name(p.op_policy.clone())]);
    add("job-sheets-default", vec![kw(&p.job_sheets_default.0), kw(&p.job_sheets_default.1)]);
    if !p.users_allowed.is_empty() {
        add(
            "requesting-user-name-allowed",
            p.users_allowed.iter().map(|u| Value::Name(u.clone())).collect(),
        );
    }
    if !p.users_denied.is_empty() {
        add(
            "requesting-user-name-denied",
            p.users_denied.iter().map(|u| Value::Name(u.clone())).collect(),
        );
    }
}

/// Quire's own: security facts, split and failover policies, confidential jobs, alerts.
fn quire_attributes(p: &Printer, add: &mut impl FnMut(&str, Vec<Value>)) {
    if !p.is_class {
        for a in crate::security::printer_attributes(p)
            .into_iter()
            .chain(p.split.attributes())
            .chain(p.failover.attributes())
        {
            add(&a.name, a.values);
        }
        let kws = |v: &[&str]| v.iter().map(|x| kw(x)).collect::<Vec<_>>();
        add(quire_ipp::vendor::SPLIT_SUPPORTED, kws(quire_ipp::vendor::SPLIT_MODES));
        add(quire_ipp::vendor::SPLIT_FALLBACK_SUPPORTED, kws(quire_ipp::vendor::SPLIT_FALLBACKS));
        add(quire_ipp::vendor::FAILOVER_SUPPORTED, kws(quire_ipp::vendor::FAILOVER_MODES));
    }
    // Confidential jobs (PWG 5100.11 job-password and job-release-action).
    let (short, long) = crate::model::PIN_LENGTH;
    add("job-password-supported", vec![Value::Integer(long as i32)]);
    add(
        "job-password-length-supported",
        vec![Value::RangeOfInteger { lower: short as i32, upper: long as i32 }],
    );
    add("job-password-encryption-supported", vec![kw("none")]);
    add(
        "job-release-action-supported",
        vec![kw("none"), kw("job-password"), kw("owner-authorized")],
    );
    add(quire_ipp::vendor::CONFIDENTIAL_DEFAULT, vec![Value::Boolean(p.confidential_default)]);
    add(quire_ipp::vendor::CONFIDENTIAL_SUPPORTED, vec![Value::Boolean(true)]);
    let (alerts, alert_texts) = alerts::printer_alerts(p);
    add("printer-alert", alerts);
    add("printer-alert-description", alert_texts);
}

/// The device's capabilities (as advertised: with what the filters add) and the settable
/// lists, after the attributes generated above.
fn capability_attributes(p: &Printer, want: &RequestedSet, out: &mut Vec<Attribute>) {
    // media-col-database is large: like cupsd, only when asked for by name.
    let explicit_db = want.names().any(|n| n == "media-col-database");
    for cap in p.capabilities.iter() {
        if cap.name == "media-col-database" && !explicit_db {
            continue;
        }
        if want.contains(&cap.name) && !out.iter().any(|a| a.name == cap.name) {
            match crate::capabilities::EXTENDED.contains(&cap.name.as_str()) {
                true => out.extend(crate::capabilities::advertised(p, &cap.name)),
                false => out.push(cap.clone()),
            }
        }
    }
    let (job_settable, printer_settable) = alerts::settable_attributes();
    for a in [job_settable, printer_settable] {
        if want.contains(&a.name) {
            out.push(a);
        }
    }
    if want.contains("number-up-default") && !out.iter().any(|a| a.name == "number-up-default") {
        out.push(Attribute::new("number-up-default", Value::Integer(1)));
    }
    for name in crate::capabilities::EXTENDED {
        if want.contains(name) && !out.iter().any(|a| a.name == *name) {
            out.extend(crate::capabilities::advertised(p, name));
        }
    }
}

fn queued(s: &Scheduler, p: &Printer) -> i32 {
    i32::try_from(s.jobs.queued_on(&p.name)).unwrap_or(i32::MAX)
}

/// Attributes that are the same on every queue: what this server implements.
fn server_attributes(s: &Scheduler, add: &mut impl FnMut(&str, Vec<Value>)) {
    let strs = |v: &[&str]| v.iter().map(|x| kw(x)).collect::<Vec<_>>();
    add("ipp-versions-supported", strs(&["1.0", "1.1", "2.0", "2.1", "2.2"]));
    add(
        "ipp-features-supported",
        strs(&[
            "ipp-everywhere",
            "subscription-object",
            "page-overrides",
            "job-release",
            "document-object",
        ]),
    );
    let pull = !s.settings.pull_schemes.is_empty();
    add("operations-supported", operations(pull));
    if pull {
        add(
            "reference-uri-schemes-supported",
            s.settings.pull_schemes.iter().map(|x| Value::UriScheme(x.clone())).collect(),
        );
    }
    add("charset-configured", vec![Value::Charset("utf-8".into())]);
    add(
        "charset-supported",
        vec![Value::Charset("us-ascii".into()), Value::Charset("utf-8".into())],
    );
    add("natural-language-configured", vec![Value::NaturalLanguage("en".into())]);
    add("generated-natural-language-supported", vec![Value::NaturalLanguage("en".into())]);
}

/// How jobs and their documents are taken and found.
fn job_handling_attributes(s: &Scheduler, add: &mut impl FnMut(&str, Vec<Value>)) {
    let strs = |v: &[&str]| v.iter().map(|x| kw(x)).collect::<Vec<_>>();
    add("compression-supported", strs(&["none", "deflate", "gzip"]));
    add("pdl-override-supported", vec![kw("attempted")]);
    add("multiple-document-jobs-supported", vec![Value::Boolean(true)]);
    add(
        "multiple-operation-time-out",
        vec![Value::Integer(
            s.settings.multiple_operation_timeout.clamp(1, i64::from(i32::MAX)) as i32
        )],
    );
    add("multiple-operation-time-out-action", vec![kw("process-job")]);
    add("job-ids-supported", vec![Value::Boolean(true)]);
    add(
        "which-jobs-supported",
        strs(&[
            "completed",
            "not-completed",
            "aborted",
            "all",
            "canceled",
            "pending",
            "pending-held",
            "processing",
            "processing-stopped",
            "proof-print",
            "fetchable",
            "saved",
        ]),
    );
    add("printer-get-attributes-supported", strs(&["document-format"]));
}

/// What jobs and subscriptions on any queue may ask for.
fn job_and_subscription_attributes(s: &Scheduler, add: &mut impl FnMut(&str, Vec<Value>)) {
    let strs = |v: &[&str]| v.iter().map(|x| kw(x)).collect::<Vec<_>>();
    add("job-creation-attributes-supported", strs(JOB_CREATION_ATTRIBUTES));
    add(
        "job-hold-until-supported",
        strs(&[
            "no-hold",
            "indefinite",
            "day-time",
            "evening",
            "night",
            "second-shift",
            "third-shift",
            "weekend",
        ]),
    );
    add("job-hold-until-default", vec![kw("no-hold")]);
    add("job-priority-supported", vec![Value::Integer(100)]);
    add("job-priority-default", vec![Value::Integer(50)]);
    add("notify-events-supported", strs(SUPPORTED_EVENTS));
    add("notify-events-default", vec![kw("job-completed")]);
    add("notify-pull-method-supported", vec![kw("ippget")]);
    if !s.settings.notify_schemes.is_empty() {
        add(
            "notify-schemes-supported",
            s.settings.notify_schemes.iter().map(|k| Value::UriScheme(k.clone())).collect(),
        );
    }
    add(
        "notify-lease-duration-supported",
        vec![Value::RangeOfInteger { lower: 0, upper: i32::MAX }],
    );
    add("notify-lease-duration-default", vec![Value::Integer(s.settings.default_lease_duration)]);
    add("notify-max-events-supported", vec![Value::Integer(s.settings.max_events as i32)]);
    add("ippget-event-life", vec![Value::Integer(15)]);
    add("server-is-sharing-printers", vec![Value::Boolean(false)]);
    add(
        "job-k-octets-supported",
        vec![Value::RangeOfInteger { lower: 0, upper: crate::quota::k_octets_supported(s) }],
    );
    add("job-cancel-after-supported", vec![Value::RangeOfInteger { lower: 1, upper: i32::MAX }]);
    // As cupsd: a job's own limit defaults to MaxJobTime (none when that is 0).
    if let Ok(limit @ 1..) = i32::try_from(s.settings.max_job_time) {
        add("job-cancel-after-default", vec![Value::Integer(limit)]);
    }
    // CUPS's supply-level change time; Quire reads no marker levels, so never (0).
    add("marker-change-time", vec![Value::Integer(0)]);
    add("printer-strings-languages-supported", vec![Value::NaturalLanguage("en".into())]);
}
