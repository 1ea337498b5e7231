//! Quire's queues as cupsd keeps them in printers.conf and classes.conf: what cupsd needs to
//! take the host back with the same queues. Quire's own printer settings (security facts,
//! split, failover, confidential release) are `Option quire-...` lines, which cupsd keeps.

use quire_core::model::{FailoverPolicy, Printer, PrinterState, Scheduler, SplitPolicy};
use quire_cupsfiles::{Queue, QueueFile, QueueKind, QueueState, UserAccess};
use quire_ipp::{Attribute, Value};

/// printers.conf and classes.conf for the queues of `s` (temporary queues are not saved, as
/// cupsd does not save them).
pub fn queue_files(s: &Scheduler) -> (QueueFile, QueueFile) {
    let mut printers = QueueFile::new(QueueKind::Printer);
    let mut classes = QueueFile::new(QueueKind::Class);
    printers.next_printer_id = Some(s.next_printer_id);
    for p in s.printers.values().filter(|p| !p.temporary) {
        let is_default =
            s.default_printer.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&p.name));
        let q = queue_of(p, is_default);
        if p.is_class {
            classes.queues.push(q);
        } else {
            printers.queues.push(q);
        }
    }
    (printers, classes)
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn capability_text(p: &Printer, name: &str) -> Option<String> {
    p.capability(name).and_then(|a| a.first_str()).map(str::to_string).filter(|s| !s.is_empty())
}

fn capability_int(p: &Printer, name: &str) -> i32 {
    p.capability(name).and_then(|a| a.first_i32()).unwrap_or(0)
}

/// One queue, as cupsd would write it.
pub fn queue_of(p: &Printer, is_default: bool) -> Queue {
    let mut q = Queue::new(p.name.clone());
    q.is_default = is_default;
    q.printer_id = (p.id > 0).then_some(p.id);
    q.uuid = Some(p.uuid.clone()).filter(|u| u.starts_with("urn:uuid:"));
    q.info = non_empty(&p.info);
    q.location = non_empty(&p.location);
    q.state = if p.state == PrinterState::Stopped { QueueState::Stopped } else { QueueState::Idle };
    q.state_message = non_empty(&p.state_message);
    q.state_time = Some(p.state_change_time);
    q.accepting = p.accepting;
    q.shared = Some(p.shared);
    q.job_sheets = p.job_sheets_default.clone();
    q.quota_period = capability_int(p, "job-quota-period");
    q.page_limit = capability_int(p, "job-page-limit");
    q.k_limit = capability_int(p, "job-k-limit");
    q.users = if !p.users_allowed.is_empty() {
        UserAccess::Allow(p.users_allowed.clone())
    } else if !p.users_denied.is_empty() {
        UserAccess::Deny(p.users_denied.clone())
    } else {
        UserAccess::All
    };
    q.op_policy = non_empty(&p.op_policy);
    if let Some(a) = p.capability("auth-info-required") {
        let kws: Vec<String> = a.strs().map(str::to_string).collect();
        if quire_cupsfiles::valid_auth_info(&kws) {
            q.auth_info_required = kws;
        }
    }
    if p.is_class {
        q.members = p.members.clone();
    } else {
        printer_only(p, &mut q);
    }
    for name in &p.option_defaults {
        let text = p.capability(name).and_then(quire_cupsfiles::option_text);
        if let Some(text) = text {
            q.set_option(quire_cupsfiles::option_name(name), &text);
        }
    }
    if !p.is_class {
        q.set_quire_settings(&quire_settings(p));
    }
    q
}

fn printer_only(p: &Printer, q: &mut Queue) {
    q.device_uri = Some(p.device_uri.clone());
    q.make_model = non_empty(&p.make_and_model);
    q.config_time = Some(p.config_change_time);
    q.geo_location = capability_text(p, "printer-geo-location");
    q.organization = capability_text(p, "printer-organization");
    q.organizational_unit = capability_text(p, "printer-organizational-unit");
    q.port_monitor = capability_text(p, "port-monitor");
    q.error_policy = non_empty(&p.error_policy);
    q.reasons = p
        .state_reasons
        .iter()
        .filter(|r| !matches!(r.as_str(), "none" | "paused"))
        .filter(|r| !quire_cupsfiles::TRANSIENT_REASONS.contains(&r.as_str()))
        .cloned()
        .collect();
}

/// Quire's settings of `p` that differ from a new queue's, as the attributes that set them.
pub fn quire_settings(p: &Printer) -> Vec<Attribute> {
    use quire_ipp::vendor as v;
    // Only what differs from a new queue's (cupsd keeps fewer lines, lpoptions lists fewer).
    let new_queue: Vec<Attribute> = SplitPolicy::default()
        .attributes()
        .into_iter()
        .chain(FailoverPolicy::default().attributes())
        .collect();
    let mut out: Vec<Attribute> = p
        .split
        .attributes()
        .into_iter()
        .chain(p.failover.attributes())
        .filter(|a| !new_queue.contains(a))
        .collect();
    if p.confidential_default {
        out.push(Attribute::new(v::CONFIDENTIAL_DEFAULT, Value::Boolean(true)));
    }
    // Facts someone vouched for; a device's unconfirmed claim is asked again.
    if p.trust.vouched() {
        let facts = p.security.attributes();
        let wanted = [v::AUTHENTICATION_METHOD, v::ENCRYPTS_JOB_DATA, v::ERASES_STORAGE];
        out.extend(facts.iter().filter(|a| wanted.contains(&a.name.as_str())).cloned());
        if p.security.configured_level.is_some() {
            out.extend(facts.into_iter().filter(|a| a.name == v::SECURITY_LEVEL));
        }
    }
    out
}
