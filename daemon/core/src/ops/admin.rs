//! Queue administration (CUPS): add, modify and delete printers and classes, and
//! CUPS-Create-Local-Printer's temporary queues.

use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{JobState, Printer, PrinterState, Scheduler};
use crate::request::Target;
use crate::request::{Request, Requester};
use crate::{capabilities, ids, response, schedule};
use quire_ipp::{Attribute, DelimiterTag, Group};

/// Printer attributes cupsd's CUPS-Add-Modify-Printer takes that Quire keeps and shows but
/// does not act on (per-queue quotas, a PPD's port monitor, ...): kept so that the queue goes
/// back to cupsd with them (printers.conf).
pub const KEPT_FOR_CUPS: &[&str] = &[
    "auth-info-required",
    "job-k-limit",
    "job-page-limit",
    "job-quota-period",
    "port-monitor",
    "printer-geo-location",
    "printer-organization",
    "printer-organizational-unit",
];

/// Device URI schemes a queue may use in this build.
const SCHEMES: &[&str] = &["file", "ipp", "ipps", "socket", "lpd", "http", "https"];

fn valid_name(name: &str) -> bool {
    // cupsd: printable, no space, '/', '\\', '?', '\'', '"' or '#', at most 127 bytes.
    !name.is_empty()
        && name.len() <= 127
        && name
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '\\' | '?' | '\'' | '"' | '#'))
}

pub(crate) fn new_printer(s: &mut Scheduler, name: &str, is_class: bool, now: i64) -> Printer {
    // cupsd gives a new queue the configured DefaultPolicy.
    let op_policy =
        s.settings.access.as_deref().map_or("default", |a| a.default_policy.as_str()).to_string();
    let id = s.next_printer_id;
    s.next_printer_id += 1;
    Printer {
        name: name.to_string(),
        id,
        uuid: ids::uuid_for("printer", id as u64, now),
        is_class,
        members: Vec::new(),
        device_uri: String::new(),
        ppd_name: String::new(),
        info: String::new(),
        location: String::new(),
        make_and_model: if is_class {
            "Local Printer Class".into()
        } else {
            "Local Raw Printer".into()
        },
        state: PrinterState::Stopped,
        state_reasons: vec!["paused".into()],
        state_message: String::new(),
        accepting: false,
        shared: s.settings.default_shared,
        hold_new_jobs: false,
        state_change_time: now,
        config_change_time: now,
        capabilities: s.capability_sets.share(capabilities::generic("na_letter_8.5x11in")),
        users_allowed: Vec::new(),
        users_denied: Vec::new(),
        error_policy: if is_class { "retry-current-job".into() } else { "stop-printer".into() },
        op_policy,
        job_sheets_default: ("none".into(), "none".into()),
        option_defaults: Vec::new(),
        device: Default::default(),
        security: Default::default(),
        trust: Default::default(),
        claim: None,
        temporary: false,
        split: Default::default(),
        failover: Default::default(),
        confidential_default: false,
    }
}

/// Resolves the target into (key, display name, exists).
fn target_name(s: &Scheduler, t: &Target) -> IppResult<(String, String, bool)> {
    match t {
        Target::Printer(key) => {
            Ok((key.clone(), s.printer(key).map(|p| p.name.clone()).unwrap_or_default(), true))
        }
        Target::NewPrinter(name) => {
            if !valid_name(name) {
                return Err(IppError::BadRequest(format!(
                    "The printer name \"{name}\" contains invalid characters."
                )));
            }
            Ok((name.to_ascii_lowercase(), name.clone(), false))
        }
        _ => Err(IppError::BadRequest("Missing printer-uri.".into())),
    }
}

pub fn add_modify_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let (key, name, exists) = target_name(s, t)?;
    if exists && s.printer(&key).is_some_and(|p| p.is_class) {
        return Err(IppError::NotPossible(format!("\"{name}\" is a class.")));
    }
    let attrs: Vec<Attribute> =
        req.message.group(DelimiterTag::Printer).map(|g| g.attributes.clone()).unwrap_or_default();
    let mut p = match s.printer(&key) {
        Some(p) => p.clone(),
        None => new_printer(s, &name, false, now),
    };
    if let Some(uri) = attrs.iter().find(|a| a.name == "device-uri").and_then(|a| a.first_str()) {
        check_device_uri(s, uri)?;
        p.device_uri = uri.to_string();
    }
    if p.device_uri.is_empty() {
        return Err(IppError::BadRequest("A device-uri is required for a new printer.".into()));
    }
    let ppd = req
        .message
        .operation_attr("ppd-name")
        .or_else(|| attrs.iter().find(|a| a.name == "ppd-name"));
    if let Some(ppd) = ppd.and_then(|a| a.first_str()) {
        apply_model(&mut p, ppd, req.device_attributes.as_deref())
            .map_err(|e| with_device_error(e, req.device_error.as_deref()))?;
    }
    apply_common(&mut p, &attrs)?;
    p.config_change_time = now;
    finish_admin(s, req, key, p, exists, now)
}

/// A failed device query's cause (from the daemon), added to the answer.
fn with_device_error(e: IppError, why: Option<&str>) -> IppError {
    match (e, why) {
        (IppError::NotPossible(m), Some(why)) => {
            IppError::NotPossible(format!("{}: {why}.", m.trim_end_matches('.')))
        }
        (e, _) => e,
    }
}

fn check_device_uri(s: &Scheduler, uri: &str) -> IppResult<()> {
    let scheme = uri.split(':').next().unwrap_or("");
    if !SCHEMES.contains(&scheme) && !s.settings.cups_backends.iter().any(|b| b == scheme) {
        return Err(IppError::NotPossible(format!("Bad device-uri scheme \"{scheme}\".")));
    }
    if scheme == "file" && !s.settings.file_device && uri != "file:///dev/null" {
        return Err(IppError::NotPossible("File device URIs have been disabled. To enable, see the FileDevice directive in \"cups-files.conf\".".into()));
    }
    Ok(())
}

/// `ppd-name`: "everywhere" takes the device's own capabilities; "raw" and anything else
/// keep the generic set.
fn apply_model(p: &mut Printer, ppd: &str, device: Option<&[Attribute]>) -> IppResult<()> {
    match ppd {
        "everywhere" => {
            let device = device.ok_or_else(|| {
                IppError::NotPossible(format!(
                    "Unable to query printer \"{}\" for its capabilities.",
                    p.name
                ))
            })?;
            p.capabilities = std::sync::Arc::new(capabilities::from_device(device));
            // What the device says about its security is a claim until an administrator confirms it.
            crate::security::take_claim(
                p,
                crate::model::Security::from_device(device, &p.device_uri),
            );
            let mm = device
                .iter()
                .find(|a| a.name == "printer-make-and-model")
                .and_then(|a| a.first_str())
                .map(crate::device_text::line);
            if let Some(mm) = mm.filter(|m| !m.is_empty()) {
                p.make_and_model = format!("{mm} - IPP Everywhere");
            }
        }
        "raw" => p.make_and_model = "Local Raw Printer".into(),
        other => p.make_and_model = other.trim_end_matches(".ppd").to_string(),
    }
    p.ppd_name = ppd.to_string();
    Ok(())
}

/// Attributes shared by printers and classes.
fn apply_common(p: &mut Printer, attrs: &[Attribute]) -> IppResult<()> {
    // As cupsd: an administrator may keep a temporary queue (`printer-is-temporary` false,
    // or sharing it); then it is saved, and its security facts may be set.
    let flag = |n: &str| attrs.iter().find(|a| a.name == n).and_then(Attribute::first_bool);
    if let Some(t) = flag("printer-is-temporary") {
        p.temporary = t;
    }
    if flag("printer-is-shared") == Some(true) {
        p.temporary = false;
    }
    for a in confirmation_first(attrs) {
        if apply_vendor(p, a)? {
            continue;
        }
        let text = a.first_str().unwrap_or("").to_string();
        match a.name.as_str() {
            "printer-info" => p.info = text,
            "printer-location" => p.location = text,
            "printer-make-and-model" => p.make_and_model = text,
            "printer-is-shared" => p.shared = a.first_bool().unwrap_or(false),
            "printer-is-accepting-jobs" => p.accepting = a.first_bool().unwrap_or(p.accepting),
            "printer-state" => set_state(p, a)?,
            "printer-state-message" => p.state_message = text,
            "printer-error-policy" => {
                if !matches!(
                    text.as_str(),
                    "abort-job" | "retry-job" | "retry-current-job" | "stop-printer"
                ) {
                    return Err(IppError::unsupported(
                        format!("Unsupported printer-error-policy \"{text}\"."),
                        a.clone(),
                    ));
                }
                p.error_policy = text;
            }
            "printer-op-policy" => p.op_policy = text,
            "requesting-user-name-allowed" => {
                p.users_allowed = a.strs().filter(|u| *u != "all").map(str::to_string).collect();
                p.users_denied.clear();
            }
            "requesting-user-name-denied" => {
                p.users_denied = a.strs().filter(|u| *u != "none").map(str::to_string).collect();
                p.users_allowed.clear();
            }
            "job-sheets-default" => {
                let v: Vec<&str> = a.strs().collect();
                p.job_sheets_default = (
                    v.first().unwrap_or(&"none").to_string(),
                    v.get(1).unwrap_or(&"none").to_string(),
                );
            }
            name if name.ends_with("-default") && name != "job-sheets-default" => {
                if !p.option_defaults.iter().any(|n| n == name) {
                    p.option_defaults.push(name.to_string());
                }
                p.set_capability(a.clone())
            }
            // What cupsd keeps for a queue and Quire only shows and hands back to it
            // (printers.conf): docs/MIGRATION.md says which Quire does not apply.
            name if KEPT_FOR_CUPS.contains(&name) => p.set_capability(a.clone()),
            _ => {}
        }
    }
    Ok(())
}

/// `printer-state` as lpadmin sets it: stopped (paused) or not.
fn set_state(p: &mut Printer, a: &Attribute) -> IppResult<()> {
    match a.first_i32().and_then(PrinterState::from_i32) {
        Some(PrinterState::Stopped) => {
            p.state = PrinterState::Stopped;
            if !p.state_reasons.iter().any(|r| r == "paused") {
                p.state_reasons.push("paused".into());
            }
        }
        Some(_) => {
            if p.state == PrinterState::Stopped {
                p.state = PrinterState::Idle;
            }
            p.state_reasons.retain(|r| r != "paused");
        }
        None => return Err(IppError::BadRequest("Bad printer-state value.".into())),
    }
    Ok(())
}

/// The attributes with `quire-security-confirmed` first, so that facts set in the same
/// request refine the confirmed claim instead of being replaced by it.
pub(crate) fn confirmation_first(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    let confirm = |a: &&Attribute| a.name == quire_ipp::vendor::SECURITY_CONFIRMED;
    attrs.iter().filter(confirm).chain(attrs.iter().filter(move |a| !confirm(a)))
}

/// Security facts and split policy (not on classes). `Ok(false)`: not one of them.
pub(crate) fn apply_vendor(p: &mut Printer, a: &Attribute) -> IppResult<bool> {
    if a.name == quire_ipp::vendor::CONFIDENTIAL_DEFAULT {
        p.confidential_default = quire_ipp::vendor::flag_value(a).ok_or_else(|| {
            IppError::unsupported("quire-confidential-default must be true or false.", a.clone())
        })?;
        return Ok(true);
    }
    if p.temporary && crate::security::is_settable(&a.name) {
        // cupsd's answer for a value a temporary queue cannot keep.
        return Err(IppError::NotPossible(format!(
            "Unable to save value for \"{}\" with a temporary printer.",
            a.name
        )));
    }
    let applied = crate::security::admin_set(p, a)
        .and_then(|done| if done { Ok(true) } else { p.split.set(a) })
        .and_then(|done| if done { Ok(true) } else { p.failover.set(a) });
    match applied {
        Ok(false) => Ok(false),
        Ok(true) if p.is_class => Err(IppError::unsupported(
            format!("\"{}\" is a printer attribute; classes have none.", a.name),
            a.clone(),
        )),
        Ok(true) => Ok(true),
        Err(message) => Err(IppError::unsupported(message, a.clone())),
    }
}

fn finish_admin(
    s: &mut Scheduler,
    req: &Request,
    key: String,
    p: Printer,
    existed: bool,
    now: i64,
) -> IppResult<Outcome> {
    let name = p.name.clone();
    s.printers.insert(key.clone(), p);
    let kind = if existed { EventKind::PrinterModified } else { EventKind::PrinterAdded };
    events::emit_printer(s, kind, &name, now);
    let mut effects = vec![Effect::PersistPrinter(key), Effect::PersistServer];
    effects.extend(schedule::run(s, now));
    Ok(Outcome { response: response::ok(&req.message), effects })
}

pub fn add_modify_class(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let (key, name, exists) = target_name(s, t)?;
    if exists && s.printer(&key).is_some_and(|p| !p.is_class) {
        return Err(IppError::NotPossible(format!("\"{name}\" is a printer, not a class.")));
    }
    let attrs: Vec<Attribute> =
        req.message.group(DelimiterTag::Printer).map(|g| g.attributes.clone()).unwrap_or_default();
    let mut c = match s.printer(&key) {
        Some(p) => p.clone(),
        None => new_printer(s, &name, true, now),
    };
    if let Some(a) = attrs.iter().find(|a| a.name == "member-uris") {
        let mut members = Vec::new();
        for uri in a.strs() {
            let path = crate::request::uri_path(uri)?;
            let m = path
                .strip_prefix("/printers/")
                .or_else(|| path.strip_prefix("/classes/"))
                .and_then(|m| s.printer(m))
                .filter(|m| m.name.to_ascii_lowercase() != key)
                .ok_or_else(|| {
                    IppError::NotFound(format!("The printer or class \"{uri}\" does not exist."))
                })?;
            members.push(m.name.clone());
        }
        c.members = members;
    }
    if let Some(first) = c.members.first().and_then(|m| s.printer(m)) {
        c.capabilities = first.capabilities.clone();
    }
    apply_common(&mut c, &attrs)?;
    c.config_change_time = now;
    finish_admin(s, req, key, c, exists, now)
}

pub fn delete_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let key = t.printer_key()?.to_string();
    let p = s.printers.remove(&key).ok_or_else(IppError::printer_not_found)?;
    let mut effects = vec![Effect::DeletePrinter(key)];
    end_jobs_on(s, &p.name, now, &mut effects);
    forget(s, &p.name, &mut effects);
    effects.push(Effect::PersistServer);
    events::emit_printer(s, EventKind::PrinterDeleted, &p.name, now);
    effects.extend(schedule::run(s, now));
    Ok(Outcome { response: response::ok(&req.message), effects })
}

/// The jobs of a deleted queue are canceled, as cupsd does (a class's printing jobs free
/// their members); jobs of a class printing on it go back to the class.
fn end_jobs_on(s: &mut Scheduler, name: &str, now: i64, effects: &mut Vec<Effect>) {
    // Its jobs are canceled, as cupsd does (a class's printing jobs free their members).
    let ids: Vec<i32> =
        s.active_jobs().filter(|j| j.printer.eq_ignore_ascii_case(name)).map(|j| j.id).collect();
    for id in ids {
        crate::lifecycle::terminate(
            s,
            id,
            JobState::Canceled,
            "job-canceled-at-device",
            now,
            effects,
        );
    }
    // Jobs of a class printing on it are stopped and go back to the class, to print on
    // another member (cupsd requeues them too).
    let printing: Vec<i32> = s
        .active_jobs()
        .filter(|j| {
            j.state == JobState::Processing
                && j.output_device.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(name))
        })
        .map(|j| j.id)
        .collect();
    for id in printing {
        if let Some(j) = s.jobs.get_mut(&id) {
            j.state = JobState::Pending;
            j.state_reasons = vec!["none".into()];
            j.output_device = None;
            effects.push(Effect::StopJob { job_id: id });
            effects.push(Effect::PersistJob(id));
        }
        events::emit_job(s, EventKind::JobStateChanged, id, now);
    }
}

/// What named a deleted queue: its subscriptions, class memberships, the default.
fn forget(s: &mut Scheduler, name: &str, effects: &mut Vec<Effect>) {
    // Its subscriptions end with it.
    let subs: Vec<i32> = s
        .subscriptions
        .values()
        .filter(|x| x.printer.as_deref().is_some_and(|q| q.eq_ignore_ascii_case(name)))
        .map(|x| x.id)
        .collect();
    for id in subs {
        s.subscriptions.remove(&id);
        effects.push(Effect::DeleteSubscription(id));
    }
    for other in s.printers.values_mut().filter(|c| c.is_class) {
        if other.members.iter().any(|m| m.eq_ignore_ascii_case(name)) {
            other.members.retain(|m| !m.eq_ignore_ascii_case(name));
            effects.push(Effect::PersistPrinter(other.name.to_ascii_lowercase()));
        }
    }
    if s.default_printer.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(name)) {
        s.default_printer = None;
    }
}

/// A temporary IPP Everywhere queue for the local printer at `uri` (CUPS-Create-Local-Printer).
fn new_local_printer(
    s: &mut Scheduler,
    name: &str,
    uri: String,
    req: &Request,
    now: i64,
) -> Printer {
    let g = req.message.group(DelimiterTag::Printer);
    let get = |n: &str| g.and_then(|g| g.get(n)).and_then(|a| a.first_str()).map(str::to_string);
    let mut p = new_printer(s, name, false, now);
    p.temporary = true;
    // A client's own queue: never shared (cupsd neither).
    p.shared = false;
    p.device_uri = uri;
    // Text from DNS-SD and the device: cleaned before it is shown to anyone.
    p.info = get("printer-info")
        .map(|t| crate::device_text::line(&t))
        .unwrap_or_else(|| name.to_string());
    p.location = get("printer-location").map(|t| crate::device_text::line(&t)).unwrap_or_default();
    p.ppd_name = "everywhere".into();
    if let Some(device) = req.device_attributes.as_deref() {
        let _ = apply_model(&mut p, "everywhere", Some(device));
    }
    p.state = PrinterState::Idle;
    p.state_reasons.clear();
    p.accepting = true;
    p
}

/// CUPS-Create-Local-Printer: a temporary IPP Everywhere queue for a discovered printer
/// (what print dialogs do for printers found by DNS-SD), for clients on this host only
/// (`Caller::OnThisHost`).
/// The queue is temporary: not shared, deleted once unused
/// (`temporary::expire_temporary`), and it never takes part in splitting or failover.
pub fn create_local_printer(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let g = req.message.group(DelimiterTag::Printer);
    let get = |n: &str| g.and_then(|g| g.get(n)).and_then(|a| a.first_str()).map(str::to_string);
    let name = get("printer-name")
        .ok_or_else(|| IppError::BadRequest("Missing required printer-name attribute.".into()))?;
    let uri = get("device-uri")
        .ok_or_else(|| IppError::BadRequest("Missing required device-uri attribute.".into()))?;
    if !valid_name(&name) {
        return Err(IppError::BadRequest(format!(
            "The printer name \"{name}\" contains invalid characters."
        )));
    }
    if !(uri.starts_with("ipp://") || uri.starts_with("ipps://")) {
        return Err(IppError::BadRequest(format!(
            "Bad device-uri \"{}\".",
            quire_ipp::uri::without_userinfo(&uri)
        )));
    }
    let key = name.to_ascii_lowercase();
    let mut effects = Vec::new();
    match s.printers.get_mut(&key) {
        // Asked for again: a temporary queue is in use, so it lives on (cupsd).
        Some(p) if p.temporary => p.state_change_time = now,
        Some(_) => {}
        None => {
            let p = new_local_printer(s, &name, uri, req, now);
            s.printers.insert(key.clone(), p);
            events::emit_printer(s, EventKind::PrinterAdded, &name, now);
            // Saved (unlike cupsd, which forgets temporary queues and drops their jobs at a
            // restart), so its jobs survive one; it is still deleted once unused.
            effects.extend([
                Effect::PersistPrinter(key.clone()),
                Effect::PersistServer,
                Effect::ArmTimer { at: now + crate::temporary::TEMPORARY_UNUSED_SECS + 1 },
            ]);
        }
    }
    let p = s.printers.get(&key).ok_or_else(|| IppError::Internal("queue vanished".into()))?;
    let want = quire_ipp::registry::expand_requested(
        &[
            "printer-id",
            "printer-is-accepting-jobs",
            "printer-state",
            "printer-state-reasons",
            "printer-uri-supported",
        ],
        quire_ipp::registry::ObjectKind::Printer,
    );
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = crate::attrs::printer_attributes(s, p, &req.base, &want, now);
    resp.push_group(g);
    Ok(Outcome { response: resp, effects })
}
