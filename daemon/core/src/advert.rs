//! What a shared queue advertises over DNS-SD: the facts its TXT record is built from
//! ([`quire_dnssd::txt::QueueFacts`]), read from the scheduler state.

use crate::attrs::{printer_type, ptype};
use crate::model::{Printer, Scheduler};
use quire_config::AuthType;
use quire_dnssd::txt::QueueFacts;
use quire_ipp::Value;

/// The queues to advertise, by lower-cased name: shared, not temporary (cupsd never shares a
/// queue a client made for itself), in name order.
pub fn shared_queues(s: &Scheduler) -> Vec<(String, QueueFacts)> {
    s.printers
        .iter()
        .filter(|(_, p)| p.shared && !p.temporary)
        .map(|(k, p)| (k.clone(), queue_facts(s, p)))
        .collect()
}

/// The facts of the queue with lower-cased name `key`, if it is to be advertised.
pub fn shared_queue(s: &Scheduler, key: &str) -> Option<QueueFacts> {
    s.printers.get(key).filter(|p| p.shared && !p.temporary).map(|p| queue_facts(s, p))
}

/// The TXT facts of queue `p`. The printer-type bits that say how the queue is now (default,
/// rejecting, not shared) are not advertised, as in cupsd.
pub fn queue_facts(s: &Scheduler, p: &Printer) -> QueueFacts {
    let strs = |name: &str| -> Vec<String> {
        p.capability(name).map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default()
    };
    let dynamic = ptype::DEFAULT | ptype::REJECTING | ptype::NOT_SHARED;
    QueueFacts {
        name: p.name.clone(),
        info: p.info.clone(),
        is_class: p.is_class,
        make_and_model: p.make_and_model.clone(),
        location: p.location.clone(),
        product: product(p),
        uuid: p.uuid.clone(),
        document_formats: strs("document-format-supported"),
        urf: strs("urf-supported"),
        auth_info_required: auth_info_required(s, p),
        printer_type: (printer_type(s, p) & !dynamic) as u32,
        media_types: strs("media-type-supported"),
        media_sizes: media_sizes(p),
    }
}

/// What a client must supply to print here (the TXT `air` key), as cupsd works it out: the
/// queue's own `auth-info-required`, else the authentication its `<Location>` asks of a POST,
/// else what its policy asks of Print-Job (`none` when the policy says nothing of it).
fn auth_info_required(s: &Scheduler, p: &Printer) -> Vec<String> {
    let own: Vec<String> = p
        .capability("auth-info-required")
        .map(|a| a.strs().filter(|v| *v != "none").map(str::to_string).collect())
        .unwrap_or_default();
    if !own.is_empty() {
        return own;
    }
    let Some(rules) = s.settings.access.as_deref() else { return Vec::new() };
    let location = rules.location_for(&p.resource()).and_then(|l| {
        let post = l.limits.iter().find(|lim| lim.matches("POST"));
        post.map_or(&l.access, |lim| &lim.access).auth_type
    });
    let auth = match location {
        Some(t) if t != AuthType::None => Some(t),
        _ => match rules.policy(&p.op_policy).and_then(|pol| pol.limit_for("Print-Job")) {
            Some(limit) => limit.access.auth_type,
            None => return vec!["none".into()],
        },
    };
    match auth.map(|t| if t == AuthType::Default { rules.default_auth_type } else { t }) {
        None | Some(AuthType::None) | Some(AuthType::Default) => Vec::new(),
        Some(AuthType::Negotiate) => vec!["negotiate".into()],
        Some(AuthType::Basic) => vec!["username".into(), "password".into()],
    }
}

/// `*Product` of the PPD a driverless queue's clients get (`(make and model)`, see
/// [`crate::ppd`]); a queue without one says nothing.
fn product(p: &Printer) -> Option<String> {
    let mm = p.make_and_model.strip_suffix(" - IPP Everywhere")?;
    (p.ppd_name == "everywhere" && !mm.is_empty()).then(|| format!("({mm})"))
}

/// `media-size-supported`'s x/y dimensions (ranges by their upper bound).
fn media_sizes(p: &Printer) -> Vec<(i32, i32)> {
    let Some(a) = p.capability("media-size-supported") else { return Vec::new() };
    let dim = |v: &Value| match v {
        Value::Integer(n) => Some(*n),
        Value::RangeOfInteger { upper, .. } => Some(*upper),
        _ => None,
    };
    a.values
        .iter()
        .filter_map(|v| match v {
            Value::Collection(members) => {
                let get = |n: &str| {
                    members
                        .iter()
                        .find(|m| m.name == n)
                        .and_then(|m| m.values.first())
                        .and_then(dim)
                };
                Some((get("x-dimension")?, get("y-dimension")?))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
#[path = "advert_tests.rs"]
mod tests;
