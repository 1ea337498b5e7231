//! Subscriptions (RFC 3995) with ippget pull delivery (RFC 3996).

use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::events::SUPPORTED_EVENTS;
use crate::model::{Event, Scheduler, Subscription};
use crate::request::Target;
use crate::request::{Request, Requester};
use crate::{ids, response};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, StatusCode, Value};
use std::collections::VecDeque;

pub fn create_printer_subscriptions(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    create(s, req, t, who, now, None)
}

pub fn create_job_subscriptions(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let id = req
        .message
        .operation_attr("notify-job-id")
        .and_then(|a| a.first_i32())
        .ok_or_else(|| IppError::BadRequest("Missing notify-job-id.".into()))?;
    let job =
        s.jobs.get(&id).ok_or_else(|| IppError::NotFound(format!("Job #{id} does not exist.")))?;
    if job.state.is_terminal() {
        return Err(IppError::NotPossible(format!("Job #{id} is already finished.")));
    }
    create(s, req, t, who, now, Some(id))
}

fn create(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
    job_id: Option<i32>,
) -> IppResult<Outcome> {
    let printer = match t {
        Target::Printer(k) => s.printer(k).map(|p| p.name.clone()),
        _ => None,
    };
    let templates: Vec<&Group> =
        req.message.groups.iter().filter(|g| g.tag == DelimiterTag::Subscription).collect();
    if templates.is_empty() {
        return Err(IppError::BadRequest("No subscription attributes in request.".into()));
    }
    let mut resp = response::ok(&req.message);
    let mut effects = Vec::new();
    let mut created = 0;
    for tpl in templates {
        let mut g = Group::new(DelimiterTag::Subscription);
        match build(s, tpl, who, printer.clone(), job_id, now) {
            Ok(sub) => {
                g.push(Attribute::new("notify-subscription-id", Value::Integer(sub.id)));
                effects.push(Effect::PersistSubscription(sub.id));
                if let Some(at) = sub.expires_at {
                    effects.push(Effect::ArmTimer { at });
                }
                s.subscriptions.insert(sub.id, sub);
                s.next_subscription_id += 1;
                created += 1;
            }
            Err((status, attr)) => {
                g.push(Attribute::new("notify-status-code", Value::Enum(i32::from(status.code()))));
                if let Some(a) = attr {
                    response::add_unsupported(&mut resp, a);
                }
            }
        }
        resp.push_group(g);
    }
    if created == 0 {
        resp.code = StatusCode::ClientErrorIgnoredAllSubscriptions.code();
        response::set_status_message(&mut resp, "All subscriptions were ignored.");
    } else if resp.group(DelimiterTag::Unsupported).is_some() {
        resp.code = StatusCode::SuccessfulOkIgnoredSubscriptions.code();
    }
    effects.push(Effect::PersistServer);
    Ok(Outcome { response: resp, effects })
}

type Refusal = (StatusCode, Option<Attribute>);

fn build(
    s: &Scheduler,
    tpl: &Group,
    who: &Requester,
    printer: Option<String>,
    job_id: Option<i32>,
    now: i64,
) -> Result<Subscription, Refusal> {
    if s.subscriptions.len() >= s.settings.max_subscriptions {
        return Err((StatusCode::ClientErrorTooManySubscriptions, None));
    }
    check_delivery(tpl)?;
    let events = events_of(tpl)?;
    let user_data = match tpl.get("notify-user-data").map(|a| a.values.as_slice()) {
        None => None,
        Some([Value::OctetString(d)]) if d.len() <= 63 => Some(d.clone()),
        Some(_) => {
            return Err((
                StatusCode::ClientErrorRequestValueTooLong,
                tpl.get("notify-user-data").cloned(),
            ))
        }
    };
    let lease =
        if job_id.is_some() { 0 } else { lease_duration(s, tpl.get("notify-lease-duration")) };
    let id = s.next_subscription_id;
    Ok(Subscription {
        id,
        uuid: ids::uuid_for("subscription", id as u64, now),
        owner: who.user.clone(),
        printer,
        job_id,
        events,
        recipient_uri: None,
        pull_method: Some("ippget".into()),
        user_data,
        charset: tpl
            .get("notify-charset")
            .and_then(|a| a.first_str())
            .unwrap_or("utf-8")
            .to_string(),
        language: tpl
            .get("notify-natural-language")
            .and_then(|a| a.first_str())
            .unwrap_or("en")
            .to_string(),
        lease_duration: lease,
        expires_at: (lease > 0).then_some(now + i64::from(lease)),
        time_interval: tpl.get("notify-time-interval").and_then(|a| a.first_i32()).unwrap_or(0),
        next_sequence: 1,
        pending: VecDeque::new(),
    })
}

/// Delivery by pull (ippget) only: push delivery (mailto:, rss:, dbus:) needs notifiers this
/// build does not ship.
fn check_delivery(tpl: &Group) -> Result<(), Refusal> {
    let recipient = tpl.get("notify-recipient-uri").filter(|a| a.first_str().is_some());
    let pull = tpl.get("notify-pull-method");
    if recipient.is_some() == pull.is_some() {
        return Err((StatusCode::ClientErrorBadRequest, None));
    }
    if recipient.is_some() {
        return Err((StatusCode::ClientErrorUriSchemeNotSupported, recipient.cloned()));
    }
    match pull {
        Some(p) if p.first_str() != Some("ippget") => {
            Err((StatusCode::ClientErrorAttributesOrValuesNotSupported, Some(p.clone())))
        }
        _ => Ok(()),
    }
}

/// The events a subscription template asks for (by default: job-completed).
fn events_of(tpl: &Group) -> Result<Vec<String>, Refusal> {
    match tpl.get("notify-events") {
        Some(a) => {
            let ev: Vec<String> = a.strs().map(str::to_string).collect();
            if let Some(bad) = ev
                .iter()
                .find(|e| !SUPPORTED_EVENTS.contains(&e.as_str()) && *e != "all" && *e != "none")
            {
                let attr = Attribute::new("notify-events", Value::Keyword(bad.clone()));
                return Err((StatusCode::ClientErrorAttributesOrValuesNotSupported, Some(attr)));
            }
            Ok(ev)
        }
        None => Ok(vec!["job-completed".into()]),
    }
}

/// The lease granted for a requested `notify-lease-duration` (None: DefaultLeaseDuration),
/// capped by MaxLeaseDuration when it is set (then 0, "forever", becomes the maximum).
fn lease_duration(s: &Scheduler, requested: Option<&Attribute>) -> i32 {
    let lease =
        requested.and_then(|a| a.first_i32()).unwrap_or(s.settings.default_lease_duration).max(0);
    let max = s.settings.max_lease_duration;
    if max > 0 && (lease == 0 || lease > max) {
        max
    } else {
        lease
    }
}

fn subscription_id(msg: &Message) -> IppResult<i32> {
    msg.operation_attr("notify-subscription-id")
        .and_then(|a| a.first_i32())
        .ok_or_else(|| IppError::BadRequest("Missing notify-subscription-id.".into()))
}

fn owned<'a>(s: &'a mut Scheduler, id: i32, who: &Requester) -> IppResult<&'a mut Subscription> {
    let sub = s
        .subscriptions
        .get_mut(&id)
        .ok_or_else(|| IppError::NotFound(format!("Subscription #{id} does not exist.")))?;
    if !who.may_manage_job(&sub.owner) {
        return Err(IppError::NotAuthorized(format!("You don't own subscription #{id}.")));
    }
    Ok(sub)
}

/// The subscription's attributes, less the private values `who` may not see.
fn subscription_attributes(
    s: &Scheduler,
    sub: &Subscription,
    req: &Request,
    who: &Requester,
) -> Group {
    let mut g = all_subscription_attributes(sub, req);
    crate::privacy::of_subscription(s, sub, who)
        .strip(&mut g.attributes, crate::privacy::SUBSCRIPTION_KEPT);
    g
}

fn all_subscription_attributes(sub: &Subscription, req: &Request) -> Group {
    let mut g = Group::new(DelimiterTag::Subscription);
    g.push(Attribute::new("notify-subscription-id", Value::Integer(sub.id)));
    g.push(Attribute::new("notify-subscription-uuid", Value::Uri(sub.uuid.clone())));
    g.push(Attribute::new("notify-subscriber-user-name", Value::Name(sub.owner.clone())));
    g.push(Attribute::set(
        "notify-events",
        sub.events.iter().map(|e| Value::Keyword(e.clone())).collect(),
    ));
    g.push(Attribute::new("notify-pull-method", Value::Keyword("ippget".into())));
    g.push(Attribute::new("notify-lease-duration", Value::Integer(sub.lease_duration)));
    g.push(Attribute::new("notify-time-interval", Value::Integer(sub.time_interval)));
    if let Some(p) = &sub.printer {
        g.push(Attribute::new(
            "notify-printer-uri",
            Value::Uri(req.base.uri(&format!("/printers/{p}"))),
        ));
    }
    if let Some(j) = sub.job_id {
        g.push(Attribute::new("notify-job-id", Value::Integer(j)));
    }
    if let Some(d) = &sub.user_data {
        g.push(Attribute::new("notify-user-data", Value::OctetString(d.clone())));
    }
    g
}

pub fn get_subscription_attributes(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let id = subscription_id(&req.message)?;
    owned(s, id, who)?;
    let sub = s
        .subscriptions
        .get(&id)
        .ok_or_else(|| IppError::NotFound(format!("Subscription #{id} does not exist.")))?;
    let mut resp = response::ok(&req.message);
    resp.push_group(subscription_attributes(s, sub, req, who));
    Ok(Outcome { response: resp, effects: Vec::new() })
}

pub fn get_subscriptions(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let msg = &req.message;
    let printer = match t {
        Target::Printer(k) => s.printer(k).map(|p| p.name.clone()),
        _ => None,
    };
    let job = msg.operation_attr("notify-job-id").and_then(|a| a.first_i32());
    let mine = msg.operation_attr("my-subscriptions").and_then(|a| a.first_bool()).unwrap_or(false);
    let limit = msg
        .operation_attr("limit")
        .and_then(|a| a.first_i32())
        .filter(|l| *l > 0)
        .map_or(usize::MAX, |l| l as usize);
    let mut resp = response::ok(msg);
    let subs = s
        .subscriptions
        .values()
        .filter(|x| job.map_or(x.job_id.is_none(), |j| x.job_id == Some(j)))
        .filter(|x| {
            printer
                .as_ref()
                .is_none_or(|p| x.printer.as_ref().is_some_and(|q| q.eq_ignore_ascii_case(p)))
        })
        .filter(|x| !mine || x.owner == who.user)
        .take(limit);
    for sub in subs {
        resp.push_group(subscription_attributes(s, sub, req, who));
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

pub fn renew_subscription(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let id = subscription_id(&req.message)?;
    let lease = lease_duration(s, req.message.operation_attr("notify-lease-duration"));
    let sub = owned(s, id, who)?;
    if sub.job_id.is_some() {
        return Err(IppError::NotPossible("Job subscriptions cannot be renewed.".into()));
    }
    sub.lease_duration = lease;
    sub.expires_at = (lease > 0).then_some(now + i64::from(lease));
    let mut effects = vec![Effect::PersistSubscription(id)];
    if let Some(at) = sub.expires_at {
        effects.push(Effect::ArmTimer { at });
    }
    let mut resp = response::ok(&req.message);
    resp.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("notify-lease-duration", Value::Integer(lease)));
    Ok(Outcome { response: resp, effects })
}

pub fn cancel_subscription(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let id = subscription_id(&req.message)?;
    owned(s, id, who)?;
    s.subscriptions.remove(&id);
    Ok(Outcome {
        response: response::ok(&req.message),
        effects: vec![Effect::DeleteSubscription(id)],
    })
}

pub fn get_notifications(
    s: &mut Scheduler,
    req: &Request,
    _t: &Target,
    who: &Requester,
    _now: i64,
) -> IppResult<Outcome> {
    let msg = &req.message;
    let ids: Vec<i32> = msg
        .operation_attr("notify-subscription-ids")
        .map(|a| a.values.iter().filter_map(Value::as_i32).collect())
        .ok_or_else(|| IppError::BadRequest("Missing notify-subscription-ids.".into()))?;
    let seqs: Vec<i32> = msg
        .operation_attr("notify-sequence-numbers")
        .map(|a| a.values.iter().filter_map(Value::as_i32).collect())
        .unwrap_or_default();
    let mut resp = response::ok(msg);
    resp.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("notify-get-interval", Value::Integer(30)));
    resp.group_mut(DelimiterTag::Operation).push(Attribute::new(
        "printer-up-time",
        Value::Integer(s.settings.start_time.max(1) as i32),
    ));
    for (i, id) in ids.iter().enumerate() {
        let from = seqs.get(i).copied().unwrap_or(1);
        owned(s, *id, who)?;
        let state: &Scheduler = s;
        let Some(sub) = state.subscriptions.get(id) else { continue };
        for ev in sub.pending.iter().filter(|e| e.sequence >= from) {
            let mut g = event_group(sub, ev, req);
            if let Some(j) = ev.job_id {
                hide_job_values(state, &mut g, j, ev.printer.as_deref(), who);
            }
            resp.push_group(g);
        }
    }
    Ok(Outcome { response: resp, effects: Vec::new() })
}

/// One event, as Get-Notifications gives it.
fn event_group(sub: &Subscription, ev: &Event, req: &Request) -> Group {
    let mut g = Group::new(DelimiterTag::EventNotification);
    g.push(Attribute::new("notify-subscription-id", Value::Integer(sub.id)));
    g.push(Attribute::new("notify-sequence-number", Value::Integer(ev.sequence)));
    g.push(Attribute::new("notify-subscribed-event", Value::Keyword(ev.subscribed_event.clone())));
    g.push(Attribute::new("notify-text", Value::Text(ev.text.clone())));
    g.push(Attribute::new("notify-charset", Value::Charset(sub.charset.clone())));
    g.push(Attribute::new("notify-natural-language", Value::NaturalLanguage(sub.language.clone())));
    g.push(Attribute::new("printer-up-time", Value::Integer(ev.time as i32)));
    if let Some(p) = &ev.printer {
        g.push(Attribute::new(
            "notify-printer-uri",
            Value::Uri(req.base.uri(&format!("/printers/{p}"))),
        ));
        g.push(Attribute::new("printer-name", Value::Name(p.clone())));
    }
    if let Some((state, reasons, accepting)) = &ev.printer_state {
        g.push(Attribute::new("printer-state", Value::Enum(*state)));
        g.push(
            Attribute::set(
                "printer-state-reasons",
                reasons.iter().map(|r| Value::Keyword(r.clone())).collect::<Vec<_>>(),
            )
            .non_empty_or("none"),
        );
        g.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(*accepting)));
    }
    if let Some(j) = ev.job_id {
        g.push(Attribute::new("notify-job-id", Value::Integer(j)));
    }
    if let Some((state, reasons)) = &ev.job_state {
        g.push(Attribute::new("job-state", Value::Enum(*state)));
        g.push(
            Attribute::set(
                "job-state-reasons",
                reasons.iter().map(|r| Value::Keyword(r.clone())).collect::<Vec<_>>(),
            )
            .non_empty_or("none"),
        );
    }
    if let Some(d) = &sub.user_data {
        g.push(Attribute::new("notify-user-data", Value::OctetString(d.clone())));
    }
    g
}

/// A job event tells a subscriber no more of the job than Get-Job-Attributes would
/// (`JobPrivateValues`; a job gone since is nobody's for `@OWNER`).
fn hide_job_values(
    s: &Scheduler,
    g: &mut Group,
    job_id: i32,
    printer: Option<&str>,
    who: &Requester,
) {
    let withheld = match s.jobs.get(&job_id) {
        Some(job) => crate::privacy::of_job(s, job, who),
        None => crate::privacy::withheld(s, printer, None, crate::policy::PrivateKind::Job, who),
    };
    g.attributes.retain(|a| !(a.name.starts_with("job-") && withheld.hides(&a.name)));
}

trait NonEmpty {
    fn non_empty_or(self, v: &str) -> Self;
}

impl NonEmpty for Attribute {
    fn non_empty_or(mut self, v: &str) -> Self {
        if self.values.is_empty() {
            self.values.push(Value::Keyword(v.into()));
        }
        self
    }
}
