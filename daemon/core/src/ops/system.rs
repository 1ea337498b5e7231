//! Operations on the system (the server): its default printer, its lists of printers and
//! classes, the devices and models it offers (CUPS-Get-Default/Set-Default/Get-Printers/
//! Get-Classes/Get-Devices/Get-PPDs).

use crate::attrs::{printer_attributes, printer_type};
use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::Scheduler;
use crate::request::{Request, Requester, Target};
use crate::response;
use quire_ipp::{Attribute, DelimiterTag, Group, Value};

pub fn get_default(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    _w: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let p = s
        .default_printer
        .as_deref()
        .and_then(|d| s.printer(d))
        .ok_or_else(|| IppError::NotFound("No default printer.".into()))?;
    Ok(super::printer::one_printer(s, req, p, now))
}

pub fn set_default(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    _who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let name = t.printer(s)?.name.clone();
    s.default_printer = Some(name.clone());
    events::emit_printer(s, EventKind::PrinterModified, &name, now);
    Ok(Outcome { response: response::ok(&req.message), effects: vec![Effect::PersistServer] })
}

pub fn get_printers(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    _w: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    list(s, req, now, false)
}

pub fn get_classes(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    _w: &Requester,
    now: i64,
) -> IppResult<Outcome> {
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
    let want = super::printer::requested(msg);
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
            && user.is_none_or(|u| {
                p.users_allowed.is_empty() || p.users_allowed.iter().any(|a| a == u)
            });
        if keep {
            // Encoded as built: a list of 20,000 printers holds bytes, not values.
            let mut g = Group::new(DelimiterTag::Printer);
            g.attributes = printer_attributes(s, p, &req.base, &want, now);
            resp.push_encoded_group(&g);
            count += 1;
        }
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

pub fn get_devices(
    _s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    _who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let mut resp = response::ok(&req.message);
    for d in &req.devices {
        let mut g = Group::new(DelimiterTag::Printer);
        g.push(Attribute::new("device-class", Value::Keyword(d.class.clone())));
        g.push(Attribute::new("device-info", Value::Text(d.info.clone())));
        g.push(Attribute::new("device-make-and-model", Value::Text(d.make_and_model.clone())));
        g.push(Attribute::new("device-uri", Value::Uri(d.uri.clone())));
        g.push(Attribute::new("device-id", Value::Text(d.device_id.clone())));
        g.push(Attribute::new("device-location", Value::Text(d.location.clone())));
        resp.push_group(g);
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

/// The models Quire can build a queue from (lpinfo -m).
pub fn get_ppds(
    _s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    _who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let mut resp = response::ok(&req.message);
    let models =
        [("everywhere", "IPP Everywhere", "IPP Everywhere™", ""), ("raw", "Raw", "Raw Queue", "")];
    let make_filter = req.message.operation_attr("ppd-make").and_then(|a| a.first_str());
    for (name, make, model, device_id) in models {
        if make_filter.is_some_and(|m| !m.eq_ignore_ascii_case(make)) {
            continue;
        }
        let mut g = Group::new(DelimiterTag::Printer);
        g.push(Attribute::new("ppd-name", Value::Name(name.into())));
        g.push(Attribute::new("ppd-natural-language", Value::NaturalLanguage("en".into())));
        g.push(Attribute::new("ppd-make", Value::Text(make.into())));
        g.push(Attribute::new("ppd-make-and-model", Value::Text(model.into())));
        g.push(Attribute::new("ppd-device-id", Value::Text(device_id.into())));
        g.push(Attribute::new("ppd-product", Value::Text(model.into())));
        g.push(Attribute::new("ppd-psversion", Value::Text("(3010.000) 0".into())));
        g.push(Attribute::new("ppd-type", Value::Keyword("postscript".into())));
        g.push(Attribute::new("ppd-model-number", Value::Integer(0)));
        resp.push_group(g);
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}
