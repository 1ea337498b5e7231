//! Printer operations: attributes, state control, defaults, and the CUPS printer lists.

use crate::attrs::{printer_attributes, printer_type};
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{JobState, Printer, PrinterState, Scheduler};
use crate::request::{Request, Requester};
use crate::request::Target;
use crate::{response, schedule};
use quire_ipp::registry::{expand_requested, ObjectKind};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};

pub fn require_admin(who: &Requester) -> IppResult<()> {
    if who.admin {
        Ok(())
    } else if !who.authenticated {
        Err(IppError::NotAuthenticated)
    } else {
        Err(IppError::Forbidden(format!("User \"{}\" is not allowed to administer printers.", who.user)))
    }
}

fn printer_key(t: &Target) -> IppResult<&str> {
    match t {
        Target::Printer(k) => Ok(k),
        _ => Err(IppError::NotFound("The printer or class does not exist.".into())),
    }
}

fn requested(msg: &Message) -> quire_ipp::registry::RequestedSet {
    let names: Vec<&str> = match msg.operation_attr("requested-attributes") {
        Some(a) => a.strs().collect(),
        None => vec!["all"],
    };
    expand_requested(&names, ObjectKind::Printer)
}

fn one_printer(s: &Scheduler, req: &Request, p: &Printer, now: i64) -> Outcome {
    let want = requested(&req.message);
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = printer_attributes(s, p, &req.base, &want, now);
    resp.push_group(g);
    Outcome { response: resp, effects: Vec::new() }
}

pub fn get_printer_attributes(s: &mut Scheduler, req: &Request, t: &Target, _w: &Requester, now: i64) -> IppResult<Outcome> {
    if let Some(a) = req.message.operation_attr("document-format") {
        if !matches!(a.values.as_slice(), [Value::MimeMediaType(_)]) {
            return Err(IppError::BadRequest("Bad document-format attribute.".into()));
        }
    }
    let p = s.printer(printer_key(t)?).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    Ok(one_printer(s, req, p, now))
}

pub fn get_printer_supported_values(s: &mut Scheduler, req: &Request, t: &Target, _w: &Requester, _now: i64) -> IppResult<Outcome> {
    let p = s.printer(printer_key(t)?).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    let want = requested(&req.message);
    let mut resp = response::ok(&req.message);
    let mut g = Group::new(DelimiterTag::Printer);
    g.attributes = p.capabilities.iter().filter(|a| a.name.ends_with("-supported") && want.contains(&a.name)).cloned().collect();
    resp.push_group(g);
    Ok(Outcome { response: resp, effects: Vec::new() })
}

/// Applies a state change to an existing printer and returns the standard effects.
fn change(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64, f: impl FnOnce(&mut Printer, &Message)) -> IppResult<Outcome> {
    require_admin(who)?;
    let key = printer_key(t)?.to_string();
    let p = s.printer_mut(&key).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    f(p, &req.message);
    p.state_change_time = now;
    let name = p.name.clone();
    events::emit_printer(s, EventKind::PrinterStateChanged, &name, now);
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

pub fn pause_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    change(s, req, t, who, now, |p, msg| {
        p.state = PrinterState::Stopped;
        add_reason(p, "paused");
        p.state_message = state_message(msg).unwrap_or_else(|| "Paused".into());
    })
}

pub fn resume_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let key = printer_key(t)?.to_string();
    let busy = s.jobs.values().any(|j| j.state == JobState::Processing && j.output_device.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&key)));
    change(s, req, t, who, now, |p, _| {
        p.state = if busy { PrinterState::Processing } else { PrinterState::Idle };
        p.state_reasons.retain(|r| r != "paused");
        p.state_message.clear();
    })
}

pub fn hold_new_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    change(s, req, t, who, now, |p, _| {
        p.hold_new_jobs = true;
        add_reason(p, "hold-new-jobs");
    })
}

pub fn release_held_new_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    let mut out = change(s, req, t, who, now, |p, _| {
        p.hold_new_jobs = false;
        p.state_reasons.retain(|r| r != "hold-new-jobs");
    })?;
    let name = s.printer(printer_key(t)?).map(|p| p.name.clone()).unwrap_or_default();
    let held: Vec<i32> = s.jobs.values().filter(|j| j.state == JobState::Held && j.printer.eq_ignore_ascii_case(&name) && j.state_reasons.iter().any(|r| r == "job-held-for-review")).map(|j| j.id).collect();
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

pub fn enable_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    change(s, req, t, who, now, |p, _| p.accepting = true)
}

pub fn disable_printer(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    change(s, req, t, who, now, |p, _| p.accepting = false)
}

pub fn accept_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    change(s, req, t, who, now, |p, _| {
        p.accepting = true;
        p.state_message.clear();
    })
}

pub fn reject_jobs(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    change(s, req, t, who, now, |p, msg| {
        p.accepting = false;
        p.state_message = state_message(msg).unwrap_or_else(|| "Rejecting Jobs".into());
    })
}

pub fn identify_printer(s: &mut Scheduler, req: &Request, t: &Target, _who: &Requester, _now: i64) -> IppResult<Outcome> {
    let p = s.printer(printer_key(t)?).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    let actions: Vec<String> = match req.message.operation_attr("identify-actions") {
        Some(a) => a.strs().map(str::to_string).collect(),
        None => vec!["sound".into()],
    };
    if let Some(bad) = actions.iter().find(|a| !matches!(a.as_str(), "display" | "flash" | "sound" | "speak")) {
        let attr = Attribute::new("identify-actions", Value::Keyword(bad.clone()));
        return Err(IppError::unsupported(format!("Unsupported identify-actions \"{bad}\"."), attr));
    }
    let message = req.message.operation_attr("message").and_then(|a| a.first_str()).unwrap_or("").to_string();
    let effects = vec![Effect::Identify { printer: p.name.clone(), actions, message }];
    Ok(Outcome { response: response::ok(&req.message), effects })
}

pub fn get_default(s: &mut Scheduler, req: &Request, _t: &Target, _w: &Requester, now: i64) -> IppResult<Outcome> {
    let p = s
        .default_printer
        .as_deref()
        .and_then(|d| s.printer(d))
        .ok_or_else(|| IppError::NotFound("No default printer.".into()))?;
    Ok(one_printer(s, req, p, now))
}

pub fn set_default(s: &mut Scheduler, req: &Request, t: &Target, who: &Requester, now: i64) -> IppResult<Outcome> {
    require_admin(who)?;
    let name = s.printer(printer_key(t)?).map(|p| p.name.clone()).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()))?;
    s.default_printer = Some(name.clone());
    events::emit_printer(s, EventKind::PrinterModified, &name, now);
    Ok(Outcome { response: response::ok(&req.message), effects: vec![Effect::PersistServer] })
}

pub fn get_printers(s: &mut Scheduler, req: &Request, _t: &Target, _w: &Requester, now: i64) -> IppResult<Outcome> {
    list(s, req, now, false)
}

pub fn get_classes(s: &mut Scheduler, req: &Request, _t: &Target, _w: &Requester, now: i64) -> IppResult<Outcome> {
    list(s, req, now, true)
}

/// CUPS-Get-Printers / CUPS-Get-Classes with their filters.
fn list(s: &Scheduler, req: &Request, now: i64, classes_only: bool) -> IppResult<Outcome> {
    let msg = &req.message;
    let op_int = |n: &str| msg.operation_attr(n).and_then(|a| a.first_i32());
    let op_str = |n: &str| msg.operation_attr(n).and_then(|a| a.first_str());
    let limit = op_int("limit").filter(|l| *l > 0).map_or(usize::MAX, |l| l as usize);
    let ptype = op_int("printer-type").unwrap_or(0);
    let mask = op_int("printer-type-mask").unwrap_or(0);
    let first = op_str("first-printer-name").map(str::to_ascii_lowercase);
    let location = op_str("printer-location");
    let id = op_int("printer-id");
    let user = op_str("requesting-user-name");
    let want = requested(msg);
    let mut resp = response::ok(msg);
    let mut count = 0;
    for (key, p) in &s.printers {
        if count >= limit {
            break;
        }
        let keep = (!classes_only || p.is_class)
            && first.as_ref().is_none_or(|f| key >= f)
            && (printer_type(s, p) & mask) == (ptype & mask)
            && location.is_none_or(|l| p.location.eq_ignore_ascii_case(l))
            && id.is_none_or(|i| i == p.id)
            && user.is_none_or(|u| p.users_allowed.is_empty() || p.users_allowed.iter().any(|a| a == u));
        if keep {
            let mut g = Group::new(DelimiterTag::Printer);
            g.attributes = printer_attributes(s, p, &req.base, &want, now);
            resp.push_group(g);
            count += 1;
        }
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}
