//! Subscriptions (RFC 3995): ippget pull delivery (RFC 3996) and push delivery to a
//! `notify-recipient-uri` (dbus:, mailto:, rss:; the daemon delivers what the core queues).

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
    create(s, req, t, who, now)
}

/// Create-Printer-Subscriptions for a job: `notify-job-id` in the operation group (RFC
/// 3995) or in the template (where cupsd reads it). Without one cupsd makes a printer
/// subscription; Quire answers client-error-bad-request, as RFC 3995 says.
pub fn create_job_subscriptions(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let named = req.message.operation_attr("notify-job-id").is_some()
        || req.message.attr(DelimiterTag::Subscription, "notify-job-id").is_some();
    if !named {
        return Err(IppError::BadRequest("Missing notify-job-id.".into()));
    }
    create(s, req, t, who, now)
}

/// Why a template is refused: the request's status and message, and the
/// `notify-status-code` cupsd adds in a subscription group.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    message: String,
    notify: Option<StatusCode>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal { status, message: message.into(), notify: None }
    }
    fn notify(mut self, code: StatusCode) -> Self {
        self.notify = Some(code);
        self
    }
    fn into_response(self, req: &Request) -> Message {
        let mut resp = response::response(&req.message, self.status);
        response::set_status_message(&mut resp, self.message);
        if let Some(code) = self.notify {
            let mut g = Group::new(DelimiterTag::Subscription);
            g.push(Attribute::new("notify-status-code", Value::Enum(i32::from(code.code()))));
            resp.push_group(g);
        }
        resp
    }
}

/// A subscription template as read: what it asks for, checked one attribute at a time as
/// cupsd checks them (create_subscriptions), before anything is created.
#[derive(Debug, Default)]
struct Template {
    recipient: Option<String>,
    pull: bool,
    user_data: Option<Vec<u8>>,
    events: Vec<String>,
    lease: Option<i32>,
    interval: i32,
    job_id: Option<i32>,
    charset: Option<String>,
    language: Option<String>,
}

/// Who the subscription is for: the target queue (None: the server) and its owner.
struct Scope<'a> {
    printer: Option<String>,
    owner: &'a str,
    /// A template inside a job creation request (`lp -m`): its job, no lease.
    job: Option<i32>,
}

fn create(
    s: &mut Scheduler,
    req: &Request,
    t: &Target,
    who: &Requester,
    now: i64,
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
    // cupsd takes `/`, `/printers/` and `/classes/` for the server object, not `/jobs/`.
    let uri = req.message.operation_attr("printer-uri").and_then(|a| a.first_str());
    let path = uri.and_then(|u| crate::request::uri_path(u).ok()).unwrap_or("/");
    if *t == Target::Server && path.trim_end_matches('/') == "/jobs" {
        return Err(IppError::NotFound("The printer or class does not exist.".into()));
    }
    let op_job = req.message.operation_attr("notify-job-id").and_then(|a| a.first_i32());
    let mut resp = response::ok(&req.message);
    let mut effects = Vec::new();
    let scope = Scope { printer, owner: &who.user, job: None };
    for tpl in templates {
        let sub = match read_template(s, tpl, false)
            .and_then(|t| t.map(|t| add(s, t, &scope, op_job, now)).transpose())
        {
            Ok(Some(sub)) => sub,
            // Neither a recipient nor a pull method: cupsd stops there.
            Ok(None) => break,
            Err(r) => {
                if !effects.is_empty() {
                    effects.push(Effect::PersistServer);
                }
                return Ok(Outcome { response: r.into_response(req), effects });
            }
        };
        let mut g = Group::new(DelimiterTag::Subscription);
        g.push(Attribute::new("notify-subscription-id", Value::Integer(sub)));
        resp.push_group(g);
        effects.push(Effect::PersistSubscription(sub));
        if let Some(at) = s.subscriptions.get(&sub).and_then(|x| x.expires_at) {
            effects.push(Effect::ArmTimer { at });
        }
    }
    if effects.is_empty() {
        return Err(IppError::BadRequest(
            "No notify-recipient-uri or notify-pull-method in the subscription.".into(),
        ));
    }
    effects.push(Effect::PersistServer);
    Ok(Outcome { response: resp, effects })
}

/// The subscriptions a job creation request asks for in its subscription groups (`lp -m`
/// sends `notify-recipient-uri`), made for the new job `job_id`. As in cupsd the job stands
/// whatever becomes of them: a refused template is left out (and said in the answer).
pub fn add_job_subscriptions(
    s: &mut Scheduler,
    req: &Request,
    job_id: i32,
    groups: &mut Vec<Group>,
    now: i64,
) -> Vec<Effect> {
    let Some(job) = s.jobs.get(&job_id) else { return Vec::new() };
    let owner = job.owner.to_string();
    let scope = Scope { printer: Some(job.printer.to_string()), owner: &owner, job: Some(job_id) };
    let mut effects = Vec::new();
    for tpl in req.message.groups.iter().filter(|g| g.tag == DelimiterTag::Subscription) {
        let mut g = Group::new(DelimiterTag::Subscription);
        match read_template(s, tpl, true)
            .and_then(|t| t.map(|t| add(s, t, &scope, None, now)).transpose())
        {
            Ok(Some(sub)) => {
                g.push(Attribute::new("notify-subscription-id", Value::Integer(sub)));
                effects.push(Effect::PersistSubscription(sub));
            }
            Ok(None) => break,
            Err(r) => {
                let code = r.notify.unwrap_or(r.status);
                g.push(Attribute::new("notify-status-code", Value::Enum(i32::from(code.code()))));
            }
        }
        groups.push(g);
    }
    if !effects.is_empty() {
        effects.push(Effect::PersistServer);
    }
    effects
}

/// Reads one template; `Ok(None)` when it has neither a recipient nor a pull method.
fn read_template(s: &Scheduler, tpl: &Group, in_job: bool) -> Result<Option<Template>, Refusal> {
    use StatusCode as S;
    let mut t = Template::default();
    for a in &tpl.attributes {
        read_attribute(s, &mut t, a, in_job)?;
    }
    if let (Some(r), Some(d)) = (&t.recipient, &t.user_data) {
        if r.starts_with("mailto:") && reply_to(d).is_none() {
            let shown = String::from_utf8_lossy(d).escape_default().to_string();
            return Err(Refusal::new(
                S::ClientErrorNotPossible,
                format!("Bad notify-user-data \"{shown}\"."),
            )
            .notify(S::ClientErrorAttributesOrValuesNotSupported));
        }
    }
    Ok((t.recipient.is_some() || t.pull).then_some(t))
}

/// One attribute of a template, checked as cupsd checks it.
fn read_attribute(
    s: &Scheduler,
    t: &mut Template,
    a: &Attribute,
    in_job: bool,
) -> Result<(), Refusal> {
    use StatusCode as S;
    match (a.name.as_str(), a.values.first()) {
        ("notify-recipient-uri", Some(Value::Uri(uri))) => {
            check_recipient(s, uri)?;
            t.recipient = Some(uri.clone());
        }
        ("notify-pull-method", Some(Value::Keyword(m))) => {
            if m != "ippget" {
                return Err(Refusal::new(
                    S::ClientErrorNotPossible,
                    format!("Bad notify-pull-method \"{m}\"."),
                )
                .notify(S::ClientErrorAttributesOrValuesNotSupported));
            }
            t.pull = true;
        }
        ("notify-charset", Some(Value::Charset(c))) => {
            if c != "us-ascii" && c != "utf-8" {
                return Err(Refusal::new(
                    S::ClientErrorCharsetNotSupported,
                    format!("Character set \"{c}\" not supported."),
                ));
            }
            t.charset = Some(c.clone());
        }
        ("notify-natural-language", v) => match v {
            Some(Value::NaturalLanguage(l))
                if l.eq_ignore_ascii_case("en") || l.starts_with("en-") =>
            {
                t.language = Some(l.clone());
            }
            _ => {
                let l = a.first_str().unwrap_or("");
                return Err(Refusal::new(
                    S::ClientErrorCharsetNotSupported,
                    format!("Language \"{l}\" not supported."),
                ));
            }
        },
        ("notify-user-data", Some(Value::OctetString(d))) => {
            if a.values.len() > 1 || d.len() > 63 {
                return Err(Refusal::new(
                    S::ClientErrorRequestValueTooLong,
                    format!("The notify-user-data value is too large ({} > 63 octets).", d.len()),
                ));
            }
            t.user_data = Some(d.clone());
        }
        ("notify-events", Some(Value::Keyword(_))) => {
            // Names cupsd does not know are left out, as it leaves them out.
            t.events = a
                .strs()
                .filter(|e| SUPPORTED_EVENTS.contains(e) || *e == "all")
                .map(str::to_string)
                .collect();
        }
        ("notify-lease-duration", _) if in_job => {
            return Err(Refusal::new(
                S::ClientErrorBadRequest,
                "The notify-lease-duration attribute cannot be used with job subscriptions.",
            ));
        }
        ("notify-lease-duration", Some(Value::Integer(l))) => t.lease = Some(*l),
        ("notify-time-interval", Some(Value::Integer(i))) => t.interval = *i,
        ("notify-job-id", Some(Value::Integer(j))) => t.job_id = Some(*j),
        _ => {}
    }
    Ok(())
}

/// The Reply-To address of a `mailto:` subscription's `notify-user-data` (`mailto:ADDRESS`,
/// as cupsd's mailto notifier reads it); None when it is not one (or could forge a header).
pub fn reply_to(user_data: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(user_data).ok()?;
    let address = text.strip_prefix("mailto:")?;
    quire_config::is_address(address).then_some(address)
}

/// An `rss:` recipient without its options (`?max_events=N`).
pub fn rss_feed(recipient: &str) -> &str {
    recipient.split('?').next().unwrap_or(recipient)
}

/// A local RSS feed's file name (`rss:/NAME`): one path segment, no dot first.
pub fn rss_name(recipient: &str) -> Option<&str> {
    let name = recipient.strip_prefix("rss:/")?;
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    ok.then_some(name)
}

/// cupsd's checks of `notify-recipient-uri`: a well-formed URI, a scheme it delivers, an
/// RSS feed not already used.
fn check_recipient(s: &Scheduler, uri: &str) -> Result<(), Refusal> {
    use StatusCode as S;
    let scheme = uri.split_once(':').map(|(scheme, _)| scheme).filter(|sc| {
        !sc.is_empty()
            && sc.starts_with(|c: char| c.is_ascii_alphabetic())
            && sc.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let printable = uri.len() <= 1024 && uri.chars().all(|c| c.is_ascii_graphic());
    let Some(scheme) = scheme.filter(|_| printable) else {
        let shown = uri.escape_default().to_string();
        return Err(Refusal::new(
            S::ClientErrorNotPossible,
            format!("Bad notify-recipient-uri \"{shown}\"."),
        )
        .notify(S::ClientErrorUriSchemeNotSupported));
    };
    if !s.settings.notify_schemes.iter().any(|k| k == scheme) {
        return Err(Refusal::new(
            S::ClientErrorNotPossible,
            format!("notify-recipient-uri URI \"{uri}\" uses unknown scheme."),
        )
        .notify(S::ClientErrorUriSchemeNotSupported));
    }
    let well_formed = match scheme {
        "mailto" => uri.strip_prefix("mailto:").is_some_and(quire_config::is_address),
        "rss" => rss_name(rss_feed(uri)).is_some(),
        "dbus" => uri.starts_with("dbus:"),
        _ => true,
    };
    if !well_formed {
        return Err(Refusal::new(
            S::ClientErrorNotPossible,
            format!("Bad notify-recipient-uri \"{uri}\"."),
        )
        .notify(S::ClientErrorUriSchemeNotSupported));
    }
    let same_feed = |r: &str| r.starts_with("rss:") && rss_feed(r) == rss_feed(uri);
    if scheme == "rss"
        && s.subscriptions.values().any(|x| x.recipient_uri.as_deref().is_some_and(same_feed))
    {
        return Err(Refusal::new(
            S::ClientErrorNotPossible,
            format!("notify-recipient-uri URI \"{uri}\" is already used."),
        )
        .notify(S::ClientErrorAttributesOrValuesNotSupported));
    }
    Ok(())
}

/// Makes the subscription a checked template asks for, within cupsd's limits; its id.
fn add(
    s: &mut Scheduler,
    t: Template,
    scope: &Scope<'_>,
    op_job: Option<i32>,
    now: i64,
) -> Result<i32, Refusal> {
    use StatusCode as S;
    let job_id = scope.job.or(t.job_id).or(op_job);
    let mut events = t.events;
    if events.is_empty() {
        if job_id.is_none() && scope.printer.is_none() {
            return Err(Refusal::new(S::ClientErrorBadRequest, "notify-events not specified."));
        }
        events.push("job-completed".into());
    }
    if let Some(id) = job_id.filter(|_| scope.job.is_none()) {
        let Some(job) = s.jobs.get(&id) else {
            return Err(Refusal::new(S::ClientErrorNotFound, format!("Job #{id} does not exist.")));
        };
        if job.state.is_terminal() {
            return Err(Refusal::new(
                S::ClientErrorNotPossible,
                format!("Job #{id} is already finished."),
            ));
        }
    }
    let printer = match job_id {
        Some(id) => s.jobs.get(&id).map(|j| j.printer.to_string()),
        None => scope.printer.clone(),
    };
    check_limits(s, job_id, printer.as_deref().filter(|_| job_id.is_none()), scope.owner)?;
    let lease = if job_id.is_some() { 0 } else { capped_lease(s, t.lease) };
    let id = s.next_subscription_id;
    s.next_subscription_id += 1;
    let sub = Subscription {
        id,
        uuid: ids::uuid_for("subscription", id as u64, now),
        owner: scope.owner.to_string(),
        printer: if job_id.is_some() { printer } else { scope.printer.clone() },
        job_id,
        events,
        pull_method: t.recipient.is_none().then(|| "ippget".into()),
        recipient_uri: t.recipient,
        user_data: t.user_data,
        charset: t.charset.unwrap_or_else(|| "utf-8".into()),
        language: t.language.unwrap_or_else(|| "en".into()),
        lease_duration: lease,
        expires_at: (lease > 0).then_some(now + i64::from(lease)),
        time_interval: t.interval.max(0),
        next_sequence: 1,
        pending: VecDeque::new(),
    };
    s.subscriptions.insert(id, sub);
    Ok(id)
}

/// MaxSubscriptions, MaxSubscriptionsPerJob, MaxSubscriptionsPerPrinter (cupsd's
/// cupsdAddSubscription) and MaxSubscriptionsPerUser (which cupsd 2.4 reads but never
/// applies): client-error-too-many-subscriptions.
fn check_limits(
    s: &Scheduler,
    job: Option<i32>,
    printer: Option<&str>,
    owner: &str,
) -> Result<(), Refusal> {
    let st = &s.settings;
    let count =
        |f: &dyn Fn(&Subscription) -> bool| s.subscriptions.values().filter(|x| f(x)).count();
    let full = |max: usize, n: usize| max > 0 && n >= max;
    let over = full(st.max_subscriptions, s.subscriptions.len())
        || job.is_some_and(|j| full(st.max_subscriptions_per_job, count(&|x| x.job_id == Some(j))))
        || printer.is_some_and(|p| {
            full(
                st.max_subscriptions_per_printer,
                count(&|x| {
                    x.job_id.is_none()
                        && x.printer.as_deref().is_some_and(|q| q.eq_ignore_ascii_case(p))
                }),
            )
        })
        || full(st.max_subscriptions_per_user, count(&|x| x.owner == owner));
    if over {
        return Err(Refusal::new(
            StatusCode::ClientErrorTooManySubscriptions,
            "There are too many subscriptions.",
        ));
    }
    Ok(())
}

/// The lease granted for a requested `notify-lease-duration` (None: DefaultLeaseDuration),
/// capped by MaxLeaseDuration when it is set (then 0, "forever", becomes the maximum).
fn capped_lease(s: &Scheduler, requested: Option<i32>) -> i32 {
    let lease = requested.unwrap_or(s.settings.default_lease_duration).max(0);
    let max = s.settings.max_lease_duration;
    if max > 0 && (lease == 0 || lease > max) {
        max
    } else {
        lease
    }
}

fn lease_duration(s: &Scheduler, requested: Option<&Attribute>) -> i32 {
    capped_lease(s, requested.and_then(|a| a.first_i32()))
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
    match &sub.recipient_uri {
        Some(r) => g.push(Attribute::new("notify-recipient-uri", Value::Uri(r.clone()))),
        None => g.push(Attribute::new("notify-pull-method", Value::Keyword("ippget".into()))),
    }
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
