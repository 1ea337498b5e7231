//! cupsd's queues into the scheduler: each printer and class is added by the same
//! CUPS-Add-Modify-Printer/-Class an administrator's lpadmin sends (so every value is checked
//! as Quire checks lpadmin's), then given what lpadmin cannot set: its id, UUID, times,
//! reasons and PPD. A queue a request refuses is added again with only what it needs to
//! print; one that still fails is left out, with a warning naming its file and line.

use quire_core::model::{PrinterState, Scheduler};
use quire_core::{Request, UriBase};
use quire_cupsfiles::{Queue, QueueFile, QueueKind, QueueState, UserAccess};
use quire_ipp::registry::{self, Kind};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What became of the queues of one file.
#[derive(Debug, Default)]
pub struct QueuesDone {
    pub added: usize,
    /// Added without some of their settings (a warning says which).
    pub partly: usize,
    pub left_out: usize,
}

/// The line of each queue's block in `bytes` (printers.conf or classes.conf), by lowercase
/// name: where a warning about the queue points.
pub fn block_lines(bytes: &[u8], kind: QueueKind) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    let tags = [format!("<{}", kind.tag()), format!("<{}", kind.default_tag())];
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        for tag in &tags {
            let rest = text.strip_prefix(tag.as_str()).and_then(|r| r.strip_suffix('>'));
            if let Some(name) = rest.filter(|r| r.starts_with([' ', '\t'])) {
                lines.entry(name.trim().to_ascii_lowercase()).or_insert(i + 1);
            }
        }
    }
    lines
}

/// Adds the queues of `file` to `s`. `ppd_dir` is ServerRoot's `ppd/`; `default_shared` is
/// cupsd.conf's `DefaultShared`, for a queue that does not say.
pub fn add_all(
    s: &mut Scheduler,
    file: &QueueFile,
    path: &Path,
    bytes: &[u8],
    (ppd_dir, default_shared): (&Path, bool),
    now: i64,
) -> QueuesDone {
    let lines = block_lines(bytes, file.kind);
    let mut done = QueuesDone::default();
    // The ids cupsd gave its queues are kept; new ones (`next_printer_id`) are above them.
    let most = file.queues.iter().filter_map(|q| q.printer_id).max().unwrap_or(0);
    s.next_printer_id = s.next_printer_id.max(most.saturating_add(1));
    let mut ids: HashSet<i32> = s.printers.values().map(|p| p.id).collect();
    // A class may name a class further down: those wait for a second pass.
    let (now_first, waiting): (Vec<&Queue>, Vec<&Queue>) = file.queues.iter().partition(|q| {
        file.kind == QueueKind::Printer
            || !q.members.iter().any(|m| s.printer(m).is_none() && file.get(m).is_some())
    });
    for q in now_first.into_iter().chain(waiting) {
        let at = lines.get(&q.name.to_ascii_lowercase()).copied().unwrap_or(0);
        let place = format!("{}:{at}", path.display());
        add_one(s, q, file.kind, &place, default_shared, now, &mut done);
        adopt_facts(s, q, ppd_dir, now, &mut ids);
    }
    done
}

fn add_one(
    s: &mut Scheduler,
    q: &Queue,
    kind: QueueKind,
    place: &str,
    default_shared: bool,
    now: i64,
    done: &mut QueuesDone,
) {
    let attrs = queue_attributes(s, q, kind, place, default_shared);
    match add(s, q, kind, attrs, now) {
        Ok(()) => done.added += 1,
        Err(why) => {
            let needed = needed_attributes(q, kind);
            match add(s, q, kind, needed, now) {
                Ok(()) => {
                    tracing::warn!(
                        "{place}: {} \"{}\" imported without its settings: {why}",
                        kind.tag(),
                        q.name
                    );
                    done.partly += 1;
                }
                Err(why) => {
                    tracing::warn!("{place}: {} \"{}\" not imported: {why}", kind.tag(), q.name);
                    done.left_out += 1;
                }
            }
        }
    }
}

/// One CUPS-Add-Modify-Printer/-Class through the core, as root.
fn add(
    s: &mut Scheduler,
    q: &Queue,
    kind: QueueKind,
    attrs: Vec<Attribute>,
    now: i64,
) -> Result<(), String> {
    let (op, dir) = match kind {
        QueueKind::Printer => (Operation::CupsAddModifyPrinter, "printers"),
        QueueKind::Class => (Operation::CupsAddModifyClass, "classes"),
    };
    let uri = format!("ipp://localhost/{dir}/{}", quire_cupsfiles::percent_encode(&q.name));
    let mut msg: Message = quire_client::request_as(op, Some(&uri), "root");
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = attrs;
    msg.push_group(g);
    let base = UriBase { scheme: "ipp".into(), authority: "localhost".into() };
    let out = quire_core::handle(
        s,
        &Request::new(msg, "/admin/", base),
        &crate::requester::local_root(),
        now,
    );
    if out.response.code < 0x0100 {
        return Ok(());
    }
    let why = out.response.operation_attr("status-message").and_then(|a| a.first_str());
    Err(why.unwrap_or("refused").to_string())
}

/// What a queue needs to print: its device (a printer) or members (a class), state.
fn needed_attributes(q: &Queue, kind: QueueKind) -> Vec<Attribute> {
    let mut out = Vec::new();
    match kind {
        QueueKind::Printer => {
            if let Some(uri) = &q.device_uri {
                out.push(Attribute::new("device-uri", Value::Uri(uri.clone())));
            }
        }
        QueueKind::Class => out.push(members(q)),
    }
    out.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(q.accepting)));
    let state = if q.state == QueueState::Stopped { 5 } else { 3 };
    out.push(Attribute::new("printer-state", Value::Enum(state)));
    out
}

fn members(q: &Queue) -> Attribute {
    let uris: Vec<Value> = q
        .members
        .iter()
        .map(|m| {
            Value::Uri(format!("ipp://localhost/printers/{}", quire_cupsfiles::percent_encode(m)))
        })
        .collect();
    Attribute::set("member-uris", uris)
}

/// Every setting of `q` as the printer attributes lpadmin would send for it.
fn queue_attributes(
    s: &Scheduler,
    q: &Queue,
    kind: QueueKind,
    place: &str,
    default_shared: bool,
) -> Vec<Attribute> {
    let text =
        |n: &str, v: &Option<String>| v.as_ref().map(|v| Attribute::new(n, Value::Text(v.clone())));
    let mut out = needed_attributes(q, kind);
    if kind == QueueKind::Class {
        // Members that are no queue are left out (cupsd would add a stopped stand-in).
        out.retain(|a| a.name != "member-uris");
        let known: Vec<&String> = q.members.iter().filter(|m| s.printer(m).is_some()).collect();
        for m in q.members.iter().filter(|m| s.printer(m).is_none()) {
            tracing::warn!("{place}: class \"{}\": member \"{m}\" is no queue, left out", q.name);
        }
        let mut q2 = q.clone();
        q2.members = known.into_iter().cloned().collect();
        out.push(members(&q2));
    }
    out.extend(text("printer-info", &q.info));
    out.extend(text("printer-location", &q.location));
    out.extend(text("printer-make-and-model", &q.make_model));
    out.extend(text("printer-state-message", &q.state_message));
    out.extend(text("printer-organization", &q.organization));
    out.extend(text("printer-organizational-unit", &q.organizational_unit));
    let shared = q.shared.unwrap_or(default_shared);
    out.push(Attribute::new("printer-is-shared", Value::Boolean(shared)));
    let name =
        |n: &str, v: &Option<String>| v.as_ref().map(|v| Attribute::new(n, Value::Name(v.clone())));
    out.extend(name("printer-op-policy", &q.op_policy));
    if kind == QueueKind::Printer {
        out.extend(name("printer-error-policy", &q.error_policy));
    }
    out.extend(name("port-monitor", &q.port_monitor.clone().filter(|p| p != "none")));
    if let Some(geo) = &q.geo_location {
        out.push(Attribute::new("printer-geo-location", Value::Uri(geo.clone())));
    }
    out.extend(cups_only(q, place));
    out.push(Attribute::set(
        "job-sheets-default",
        vec![Value::Name(q.job_sheets.0.clone()), Value::Name(q.job_sheets.1.clone())],
    ));
    out.extend(option_defaults(q, place));
    if kind == QueueKind::Printer {
        out.extend(q.quire_settings());
    }
    out
}

/// Users, quotas and `AuthInfoRequired`: kept, and said when Quire does not apply them.
fn cups_only(q: &Queue, place: &str) -> Vec<Attribute> {
    let mut out = Vec::new();
    let names = |list: &[String]| list.iter().map(|u| Value::Name(u.clone())).collect::<Vec<_>>();
    match &q.users {
        UserAccess::All => {}
        UserAccess::Allow(u) => out.push(Attribute::set("requesting-user-name-allowed", names(u))),
        UserAccess::Deny(u) => out.push(Attribute::set("requesting-user-name-denied", names(u))),
    }
    let quotas = [
        ("job-quota-period", q.quota_period),
        ("job-page-limit", q.page_limit),
        ("job-k-limit", q.k_limit),
    ];
    if quotas.iter().any(|(_, v)| *v != 0) {
        tracing::warn!(
            "{place}: \"{}\" has a per-queue quota (QuotaPeriod, PageLimit, KLimit): kept for \
             cupsd, not enforced by Quire (SpoolQuota and MaxJobsPerUser are)",
            q.name
        );
    }
    for (n, v) in quotas.into_iter().filter(|(_, v)| *v != 0) {
        out.push(Attribute::new(n, Value::Integer(v)));
    }
    if !q.auth_info_required.is_empty() && q.auth_info_required != ["none"] {
        let kws = q.auth_info_required.iter().map(|k| Value::Keyword(k.clone())).collect();
        out.push(Attribute::set("auth-info-required", kws));
    }
    out
}

/// The queue's `Option` lines (but Quire's own) as `NAME-default` attributes, typed as the
/// registry says; an option Quire cannot type is left out with a warning.
fn option_defaults(q: &Queue, place: &str) -> Vec<Attribute> {
    let mut out = Vec::new();
    for (name, text) in
        q.options.iter().filter(|(n, _)| !n.starts_with(quire_cupsfiles::QUIRE_OPTION_PREFIX))
    {
        let attr = format!("{name}-default");
        match typed_values(&attr, text) {
            Some(values) => out.push(Attribute::set(attr, values)),
            None => tracing::warn!(
                "{place}: \"{}\": option {name} \"{text}\" is not a value Quire can take, left out",
                q.name
            ),
        }
    }
    out
}

/// `text` (comma-separated for a set) as values of attribute `name`.
pub fn typed_values(name: &str, text: &str) -> Option<Vec<Value>> {
    let kinds = registry::syntax_of(name).map(|d| d.syntax.kinds).unwrap_or(&[]);
    let set = registry::syntax_of(name).is_none_or(|d| d.syntax.set);
    let parts: Vec<&str> = if set { text.split(',').collect() } else { vec![text] };
    parts.into_iter().map(|p| typed_value(kinds, p)).collect()
}

fn typed_value(kinds: &[Kind], text: &str) -> Option<Value> {
    let keyword_like = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if kinds.is_empty() {
        return Some(if keyword_like {
            Value::Keyword(text.into())
        } else {
            Value::Name(text.into())
        });
    }
    kinds.iter().find_map(|k| match k {
        Kind::Integer(..) => text.parse().ok().map(Value::Integer),
        Kind::Enum(..) => text.parse().ok().map(Value::Enum),
        Kind::Boolean => match text {
            "true" => Some(Value::Boolean(true)),
            "false" => Some(Value::Boolean(false)),
            _ => None,
        },
        Kind::Keyword if keyword_like => Some(Value::Keyword(text.into())),
        Kind::Name(_) => Some(Value::Name(text.into())),
        Kind::Text(_) => Some(Value::Text(text.into())),
        Kind::Uri => Some(Value::Uri(text.into())),
        Kind::MimeMediaType => Some(Value::MimeMediaType(text.into())),
        _ => None,
    })
}

/// What lpadmin cannot set: the queue's id and UUID (clients keep them), its times, saved
/// reasons, and its PPD (left where cupsd keeps it, ServerRoot/ppd/NAME.ppd).
fn adopt_facts(s: &mut Scheduler, q: &Queue, ppd_dir: &Path, now: i64, ids: &mut HashSet<i32>) {
    let Some(p) = s.printers.get_mut(&q.name.to_ascii_lowercase()) else { return };
    if let Some(id) = q.printer_id.filter(|&id| id > 0 && !ids.contains(&id)) {
        p.id = id;
    }
    ids.insert(p.id);
    if let Some(uuid) = q.uuid.clone() {
        p.uuid = uuid;
    }
    p.state_change_time = q.state_time.unwrap_or(now);
    p.config_change_time = q.config_time.unwrap_or(now);
    for r in &q.reasons {
        if !p.state_reasons.contains(r) {
            p.state_reasons.push(r.clone());
        }
    }
    if p.state != PrinterState::Stopped {
        p.state_reasons.retain(|r| r != "none" && r != "paused");
    }
    if !p.is_class {
        adopt_ppd(p, &q.name, ppd_dir);
    }
}

/// The queue's PPD (ServerRoot/ppd/NAME.ppd, left there for cupsd): read as libcups reads it,
/// each problem a warning with its line; a PPD that cannot be read is left out (the queue is
/// imported without it). Its defaults (page size, duplex, color) become the queue's.
fn adopt_ppd(p: &mut quire_core::model::Printer, name: &str, ppd_dir: &Path) {
    let path = ppd_dir.join(format!("{name}.ppd"));
    let Ok(bytes) = std::fs::read(&path) else { return };
    let (ppd, diagnostics) = quire_cupsfiles::read_ppd(&bytes, &path);
    for d in &diagnostics {
        tracing::warn!("{d}");
    }
    let Some(ppd) = ppd else {
        tracing::warn!(
            "{}: \"{name}\" imported without its PPD, which cannot be read",
            path.display()
        );
        return;
    };
    p.ppd_name = format!("{name}.ppd");
    for (attr, keyword) in ppd.ipp_defaults() {
        p.set_capability(Attribute::new(attr, Value::Keyword(keyword)));
    }
}
