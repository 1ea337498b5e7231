//! Operations on one printer or class: its attributes, its state (pause, resume, accept,
//! hold new jobs), Identify-Printer, Set-Printer-Attributes and the power operations.

use crate::attrs::printer_attributes;
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{JobState, Printer, PrinterState, Scheduler};
use crate::request::Target;
use crate::request::{Request, Requester};
use crate::{response, schedule};
use quire_ipp::registry::{expand_requested, ObjectKind};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};

pub(super) fn requested(msg: &Message) -> quire_ipp::registry::RequestedSet {
    let names: Vec<&str> = match msg.operation_attr("requested-attributes") {
        Some(a) => a.strs().collect(),
        None => vec!["all"],
    };
    expand_requested(&names, ObjectKind::Printer)
}

pub(super) fn one_printer(s: &Scheduler, req: &Request, p: &Printer, now: i64) -> Outcome {
    let want = requested(&req.message);
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = printer_attributes(s, p, &req.base, &want, now);
    resp.push_group(g);
    Outcome { response: resp, effects: Vec::new() }
}

pub fn get_printer_attributes(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _w: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    if let Some(a) = req.message.operation_attr("document-format") {
        if !matches!(a.values.as_slice(), [Value::MimeMediaType(_)]) {
            return Err(IppError::BadRequest("Bad document-format attribute.".into()));
        }
    }
    let p = t.printer(s)?;
    Ok(one_printer(s, req, p, now))
}

pub fn get_printer_supported_values(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _w: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let p = t.printer(s)?;
    let want = requested(&req.message);
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = p
        .capabilities
        .iter()
        .filter(|a| a.name.ends_with("-supported") && want.contains(&a.name))
        .cloned()
        .collect();
    resp.push_group(g);
    Ok(Outcome { response: resp, effects: Vec::new() })
}

/// Applies a state change to an existing printer and returns the standard effects.
fn change(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    now: i64,
    f: impl FnOnce(&mut Printer, &Message),
) -> IppResult<Outcome> {
    let key = t.printer_key()?.to_string();
    let p = t.printer_mut(s)?;
    f(p, &req.message);
    p.state_change_time = now;
    let name = p.name.clone();
    // A queue that stops says so with printer-stopped (a child of printer-state-changed).
    let kind = match p.state {
        PrinterState::Stopped => EventKind::PrinterStopped,
        _ => EventKind::PrinterStateChanged,
    };
    events::emit_printer(s, kind, &name, now);
    let mut effects = vec![Effect::PersistPrinter(key)];
    effects.extend(schedule::run(s, now));
    Ok(Outcome { response: response::ok(&req.message), effects })
}

fn state_message(msg: &Message) -> Option<String> {
    msg.operation_attr("printer-state-message")
        .or_else(|| msg.attr(DelimiterTag::Printer, "printer-state-message"))
        .and_then(|a| a.first_str())
        .map(str::to_string)
}

fn add_reason(p: &mut Printer, r: &str) {
    p.state_reasons.retain(|x| x != "none");
    if !p.state_reasons.iter().any(|x| x == r) {
        p.state_reasons.push(r.to_string());
    }
}

pub fn pause_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    change(s, req, t, now, |p, msg| {
        p.state = PrinterState::Stopped;
        add_reason(p, "paused");
        p.state_message = state_message(msg).unwrap_or_else(|| "Paused".into());
    })
}

pub fn resume_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let key = t.printer_key()?.to_string();
    let busy = s.active_jobs().any(|j| {
        j.state == JobState::Processing
            && j.output_device.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&key))
    });
    change(s, req, t, now, |p, _| {
        p.state = if busy { PrinterState::Processing } else { PrinterState::Idle };
        p.state_reasons.retain(|r| r != "paused");
        p.state_message.clear();
    })
}

pub fn hold_new_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    change(s, req, t, now, |p, _| {
        p.hold_new_jobs = true;
        add_reason(p, "hold-new-jobs");
    })
}

pub fn release_held_new_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let mut out = change(s, req, t, now, |p, _| {
        p.hold_new_jobs = false;
        p.state_reasons.retain(|r| r != "hold-new-jobs");
    })?;
    let name = t.printer(s).map(|p| p.name.clone()).unwrap_or_default();
    let held: Vec<i32> = s
        .jobs
        .values()
        .filter(|j| {
            j.state == JobState::Held
                && j.printer.eq_ignore_ascii_case(&name)
                && j.state_reasons.iter().any(|r| r == "job-held-for-review")
        })
        .map(|j| j.id)
        .collect();
    for id in held {
        if let Some(j) = s.jobs.get_mut(&id) {
            j.state = JobState::Pending;
            j.hold_until = "no-hold".into();
            j.state_reasons = vec!["none".into()];
            out.effects.push(Effect::PersistJob(id));
        }
    }
    out.effects.extend(schedule::run(s, now));
    Ok(out)
}

pub fn enable_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    change(s, req, t, now, |p, _| p.accepting = true)
}

pub fn disable_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    change(s, req, t, now, |p, _| p.accepting = false)
}

pub fn accept_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    change(s, req, t, now, |p, _| {
        p.accepting = true;
        p.state_message.clear();
    })
}

pub fn reject_jobs(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    change(s, req, t, now, |p, msg| {
        p.accepting = false;
        p.state_message = state_message(msg).unwrap_or_else(|| "Rejecting Jobs".into());
    })
}

pub fn identify_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let p = t.printer(s)?;
    let actions: Vec<String> = match req.message.operation_attr("identify-actions") {
        Some(a) => a.strs().map(str::to_string).collect(),
        None => vec!["sound".into()],
    };
    if let Some(bad) =
        actions.iter().find(|a| !matches!(a.as_str(), "display" | "flash" | "sound" | "speak"))
    {
        let attr = Attribute::new("identify-actions", Value::Keyword(bad.clone()));
        return Err(IppError::unsupported(
            format!("Unsupported identify-actions \"{bad}\"."),
            attr,
        ));
    }
    let message =
        req.message.operation_attr("message").and_then(|a| a.first_str()).unwrap_or("").to_string();
    let effects = vec![Effect::Identify { printer: p.name.clone(), actions, message }];
    Ok(Outcome { response: response::ok(&req.message), effects })
}

pub fn set_printer_attributes(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let key = t.printer_key()?.to_string();
    let attrs: Vec<Attribute> =
        req.message.group(DelimiterTag::Printer).map(|g| g.attributes.clone()).unwrap_or_default();
    if attrs.is_empty() {
        return Err(IppError::BadRequest("No printer attributes to set.".into()));
    }
    let bad: Vec<Attribute> = attrs
        .iter()
        .filter(|a| {
            !crate::attrs::settable::PRINTER_ATTRIBUTES.contains(&a.name.as_str())
                && !crate::attrs::settable::VENDOR_ATTRIBUTES.contains(&a.name.as_str())
                && !a.name.ends_with("-default")
        })
        .cloned()
        .collect();
    if !bad.is_empty() {
        return Err(IppError::NotSettable("These attributes cannot be set.".into(), bad));
    }
    for a in &attrs {
        quire_ipp::registry::check(a).map_err(|e| {
            IppError::unsupported(format!("Bad \"{}\" value: {e}", a.name), a.clone())
        })?;
    }
    let p = t.printer_mut(s)?;
    // All or nothing: apply to a copy, keep it only if every value is good.
    let mut changed = p.clone();
    for a in super::admin::confirmation_first(&attrs) {
        super::admin::apply_vendor(&mut changed, a)?;
    }
    *p = changed;
    for a in attrs
        .into_iter()
        .filter(|a| !crate::attrs::settable::VENDOR_ATTRIBUTES.contains(&a.name.as_str()))
    {
        let text = a.first_str().unwrap_or("").to_string();
        match a.name.as_str() {
            "printer-info" => p.info = text,
            "printer-location" => p.location = text,
            _ => p.set_capability(a),
        }
    }
    p.config_change_time = now;
    let name = p.name.clone();
    events::emit_printer(s, EventKind::PrinterConfigChanged, &name, now);
    super::ok(req, vec![Effect::PersistPrinter(key)])
}

/// Changes the printer's state and reasons; `shutdown` adds/removes that reason.
fn power(s: &mut Scheduler, req: &Request, t: &Target, now: i64, up: bool) -> IppResult<Outcome> {
    let key = t.printer_key()?.to_string();
    let p = t.printer_mut(s)?;
    p.state_reasons.retain(|r| r != "shutdown" && r != "paused" && r != "none");
    if up {
        p.state = PrinterState::Idle;
        p.state_message.clear();
    } else {
        p.state = PrinterState::Stopped;
        p.state_reasons.push("shutdown".into());
        p.state_message = "Shut down by the administrator.".into();
    }
    p.state_change_time = now;
    let name = p.name.clone();
    events::emit_printer(s, EventKind::PrinterStateChanged, &name, now);
    let mut effects = vec![Effect::PersistPrinter(key)];
    effects.extend(schedule::run(s, now));
    super::ok(req, effects)
}

pub fn restart_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    power(s, req, t, now, true)
}

pub fn startup_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    power(s, req, t, now, true)
}

pub fn shutdown_printer(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    power(s, req, t, now, false)
}
