//! cupsd's access model: the `<Limit>` of the queue's `<Policy>` that applies to an operation
//! (or the `<Location>` of an HTTP resource), and whether the requester passes its Allow/Deny,
//! AuthType and Require rules (cupsd's cupsdCheckPolicy / cupsdIsAuthorized).
//!
//! Outcomes follow cupsd: a requester without proof (or with only peer credentials) who
//! does not pass gets 401, so CUPS tools prompt for a password; one who gave a password
//! and still does not pass is refused (client-error-forbidden); a remote client on plain
//! HTTP where `Encryption Required` applies is sent to TLS first (426 Upgrade Required).

use crate::error::{IppError, IppResult};
use crate::model::{AccessRules, Scheduler};
use crate::operation::{Caller, Facts, Targets};
use crate::request::{AuthMethod, Request, Requester, Target};
use quire_config::{Access, AuthType, Encryption, HostRule, Location, Order, Require, Satisfy};
use quire_ipp::Message;
use std::net::IpAddr;

/// Which of a policy's private lists: `JobPrivateAccess`/`JobPrivateValues` or
/// `SubscriptionPrivateAccess`/`SubscriptionPrivateValues`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKind {
    Job,
    Subscription,
}

/// The private access list and values of the policy queue `printer` uses (its
/// `printer-op-policy`, else `DefaultPolicy`; `None`: no queue, the default policy).
/// `None` when access rules are off (embedding, unit tests).
pub fn private_lists<'a>(
    state: &'a Scheduler,
    printer: Option<&str>,
    kind: PrivateKind,
) -> Option<(&'a [String], &'a [String])> {
    let rules = state.settings.access.as_deref()?;
    let name = printer
        .and_then(|p| state.printer(p))
        .map_or(rules.default_policy.as_str(), |p| p.op_policy.as_str());
    let policy = rules.policy(name)?;
    Some(match kind {
        PrivateKind::Job => (&policy.job_private_access, &policy.job_private_values),
        PrivateKind::Subscription => {
            (&policy.subscription_private_access, &policy.subscription_private_values)
        }
    })
}

/// What a check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Better credentials are needed: HTTP 401 with a Basic challenge.
    Unauthenticated(String),
    /// Proven, and still not allowed.
    Forbidden(String),
    /// `Encryption Required` and a remote client on plain HTTP: HTTP 426, TLS first.
    UpgradeRequired(String),
}

impl Decision {
    pub fn into_result(self) -> IppResult<()> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Unauthenticated(_) => Err(IppError::NotAuthenticated),
            Decision::Forbidden(m) => Err(IppError::Forbidden(m)),
            Decision::UpgradeRequired(m) => {
                Err(IppError::Forbidden(format!("{m} Connect with TLS (ipps://, or -E).")))
            }
        }
    }

    /// As an operation's result. IPP has no status for "upgrade to TLS": under
    /// `DefaultEncryption Required` it is a 401, which the daemon answers 426 to a remote
    /// plain-HTTP client (as cupsd's cupsdSendError); otherwise a refusal that says why.
    fn into_op_result(self, rules: &AccessRules) -> IppResult<()> {
        match self {
            Decision::UpgradeRequired(_) if rules.default_encryption == Encryption::Required => {
                Err(IppError::NotAuthenticated)
            }
            d => d.into_result(),
        }
    }
}

/// What `@OWNER` stands for in a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Owner<'a> {
    /// The job's or subscription's owner, if the request is about one.
    pub name: Option<&'a str>,
    /// The request carries a PIN to release the owner's PIN job (PWG 5100.11): it stands
    /// for the owner's proof, here only. The operation itself checks the PIN (and counts a
    /// wrong one), so it is trusted as a claim of ownership, never as an identity.
    pub pin: bool,
}

/// Does `who` pass `access`? `owner` is what `@OWNER` stands for, if anything.
pub fn evaluate(
    access: &Access,
    default_auth: AuthType,
    who: &Requester,
    owner: Owner<'_>,
    what: &str,
) -> Decision {
    let host_ok = who.is_local() || host_allowed(access, who);
    let satisfy_all = access.satisfy != Some(Satisfy::Any);
    if !host_ok && satisfy_all {
        let from = who.addr.map_or_else(|| "this host".to_string(), |a| a.to_string());
        return Decision::Forbidden(format!("Access from {from} is not allowed to {what}."));
    }
    let auth_type = match access.auth_type {
        Some(AuthType::Default) => default_auth,
        Some(t) => t,
        None => AuthType::None,
    };
    // cupsd's cupsdIsAuthorized: before anything is asked of a remote client on plain HTTP
    // (Kerberos excepted, which does not send passwords).
    let negotiate = auth_type == AuthType::Negotiate
        || (auth_type == AuthType::None && default_auth == AuthType::Negotiate);
    if access.encryption == Some(Encryption::Required)
        && !who.tls
        && !who.is_local()
        && satisfy_all
        && !negotiate
    {
        return Decision::UpgradeRequired(format!("Encryption is required to {what}."));
    }
    let needs_proof = !matches!(auth_type, AuthType::None | AuthType::Default);
    let Some(require) = &access.require else {
        // No Require: an AuthType alone asks for any valid user.
        return if !needs_proof || who.authenticated || (!satisfy_all && host_ok) {
            Decision::Allow
        } else {
            Decision::Unauthenticated(format!("Authentication is required to {what}."))
        };
    };
    // The PIN stands for the owner where `@OWNER` is a name the rule accepts, and nowhere else.
    let pin_owner = owner.pin && owner.name.is_some() && names_owner(require);
    if needs_proof && !who.authenticated && !pin_owner {
        if !satisfy_all && host_ok {
            return Decision::Allow;
        }
        return Decision::Unauthenticated(format!("Authentication is required to {what}."));
    }
    if pin_owner || names_match(require, who, owner.name) {
        return Decision::Allow;
    }
    let message = format!("\"{}\" is not allowed to {what}.", who.user);
    match who.method {
        AuthMethod::Password => Decision::Forbidden(message),
        // A claimed or peer-credential identity may prove a different one with a password.
        AuthMethod::None | AuthMethod::PeerCred => Decision::Unauthenticated(message),
    }
}

fn names_owner(require: &Require) -> bool {
    matches!(require, Require::User(names) if names.iter().any(|n| n.eq_ignore_ascii_case("@OWNER")))
}

fn names_match(require: &Require, who: &Requester, owner: Option<&str>) -> bool {
    let in_group = |g: &str| who.groups.iter().any(|x| x == g);
    match require {
        Require::ValidUser => !who.user.is_empty() && who.user != "anonymous",
        Require::User(names) => names.iter().any(|n| {
            if n.eq_ignore_ascii_case("@OWNER") {
                owner.is_some_and(|o| o.eq_ignore_ascii_case(&who.user))
            } else if n.eq_ignore_ascii_case("@SYSTEM") {
                who.admin
            } else if let Some(g) = n.strip_prefix('@') {
                in_group(g)
            } else {
                n.eq_ignore_ascii_case(&who.user)
            }
        }),
        Require::Group(names) => names.iter().any(|g| {
            let g = g.strip_prefix('@').unwrap_or(g);
            if g.eq_ignore_ascii_case("SYSTEM") {
                who.admin
            } else {
                in_group(g)
            }
        }),
    }
}

/// Allow/Deny with `Order`, as cupsd's cupsdCheckAccess: `Order deny,allow` (also the default,
/// when a block has no `Order`) allows unless a Deny matches and no Allow does; `Order
/// allow,deny` refuses unless an Allow matches and no Deny does, so with no `Allow` line it
/// refuses every remote client (the stock `<Location />`).
fn host_allowed(access: &Access, who: &Requester) -> bool {
    let hit = |rules: &[HostRule]| rules.iter().any(|r| host_matches(r, who));
    match access.order.unwrap_or(Order::DenyAllow) {
        Order::AllowDeny => hit(&access.allow) && !hit(&access.deny),
        Order::DenyAllow => !hit(&access.deny) || hit(&access.allow),
    }
}

fn host_matches(rule: &HostRule, who: &Requester) -> bool {
    match (rule, who.addr) {
        (HostRule::All, _) => true,
        (HostRule::None, _) => false,
        // Local clients (Unix socket, loopback) and those on an attached, non-point-to-point
        // network, as the daemon found them.
        (HostRule::Local, a) => {
            a.is_none_or(|a| a.is_loopback()) || who.networks.iter().any(|n| n.local)
        }
        (HostRule::Interface(name), a) => {
            let any = name == "*";
            (any && a.is_none_or(|a| a.is_loopback()))
                || who.networks.iter().any(|n| (any && n.local) || n.interface == *name)
        }
        (HostRule::Net { addr: net, prefix }, Some(a)) => in_net(a, *net, *prefix),
        // No reverse DNS: host-name rules never match (documented in COMPATIBILITY.md).
        _ => false,
    }
}

fn in_net(a: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let (a, net, bits) = match (a, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(n)), 32u32)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128u32),
        (IpAddr::V6(a), IpAddr::V4(n)) => match a.to_ipv4_mapped() {
            Some(a) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
            None => return false,
        },
        _ => return false,
    };
    let prefix = u32::from(prefix).min(bits);
    if prefix == 0 {
        return true;
    }
    let shift = bits - prefix;
    (a >> shift) == (net >> shift)
}

/// Step 2½ of dispatch: may `who` perform the operation on `target`, under the queue's
/// `<Location>` and its policy? `pin`: the request carries a PIN that stands for `@OWNER`
/// (see [`Owner`]).
pub fn authorize(
    state: &Scheduler,
    facts: &Facts,
    target: &Target,
    req: &Request,
    who: &Requester,
    pin: bool,
) -> IppResult<()> {
    let Some(rules) = state.settings.access.as_deref() else { return Ok(()) };
    let op = facts.op;
    queue_location(state, rules, facts, target, &req.resource, who).into_op_result(rules)?;
    let msg = &req.message;
    let policy_name = match target {
        Target::Printer(key) => state.printers.get(key).map(|p| p.op_policy.as_str()),
        Target::Job(id) => {
            state.jobs.get(id).and_then(|j| state.printer(&j.printer)).map(|p| p.op_policy.as_str())
        }
        _ => None,
    };
    let Some(policy) = rules.policy(policy_name.unwrap_or(&rules.default_policy)) else {
        return Ok(());
    };
    let Some(limit) = policy.limit_for(op.name()) else { return Ok(()) };
    let owner = owner_of(state, facts, target, msg, who);
    let what = match target {
        Target::Job(id) => format!("{} job #{id}", op.name()),
        _ => op.name().to_string(),
    };
    let owner = Owner { name: owner.as_deref(), pin };
    evaluate(&limit.access, rules.default_auth_type, who, owner, &what).into_op_result(rules)
}

/// Step 2¾ of dispatch: the operation's own rule for who may call it at all, after the policy.
pub fn check_caller(facts: &Facts, who: &Requester) -> IppResult<()> {
    match facts.caller {
        Caller::Anyone => Ok(()),
        Caller::Admin if who.admin => Ok(()),
        Caller::Admin if !who.authenticated => Err(IppError::NotAuthenticated),
        Caller::Admin => Err(IppError::Forbidden(format!(
            "User \"{}\" is not allowed to administer printers.",
            who.user
        ))),
        // As cupsd: only local users create local printers. Local means on this host by the
        // kernel's word (`Requester::is_on_this_host`): the Unix socket, or loopback TCP with
        // a known owner, so CUPS 2.4.2 clients on loopback keep working while a loopback
        // proxy cannot.
        Caller::OnThisHost if who.is_on_this_host() => Ok(()),
        Caller::OnThisHost => {
            Err(IppError::Forbidden("Only local users can create a local printer.".into()))
        }
    }
}

/// Stricter than cupsd, which checks only the `<Location>` of the path a request is posted
/// to (so a request for queue q2 posted to `/` escapes `<Location /printers/q2>`): an
/// operation on a queue, or on one of its jobs, must also pass the `<Location>` covering the
/// queue's own path, unless that is the one already checked or an outer one the posted
/// path's overrides (`<Location />` for a request to `/admin/`, as with remote admin).
fn queue_location(
    state: &Scheduler,
    rules: &AccessRules,
    facts: &Facts,
    target: &Target,
    resource: &str,
    who: &Requester,
) -> Decision {
    let path = match target {
        Target::Printer(key) => state.printers.get(key).map(|p| p.resource()),
        Target::Job(id) => {
            state.jobs.get(id).and_then(|j| state.printer(&j.printer)).map(|p| p.resource())
        }
        Target::NewPrinter(name) if facts.target == Targets::NewOrExistingClass => {
            Some(format!("/classes/{name}"))
        }
        Target::NewPrinter(name) => Some(format!("/printers/{name}")),
        Target::Server => None,
    };
    let Some(queue) = path.as_deref().and_then(|p| rules.location_for(p)) else {
        return Decision::Allow;
    };
    if rules
        .location_for(resource)
        .is_some_and(|posted| quire_config::location_covers(&queue.path, &posted.path))
    {
        return Decision::Allow;
    }
    location_decision(rules, queue, path.as_deref().unwrap_or("/"), "POST", who)
}

/// The `notify-job-id` of a Create-Job-Subscriptions: in the operation group (RFC 3995) or
/// the first subscription template (where cupsd reads it).
fn subscribed_job(msg: &Message) -> Option<i32> {
    msg.operation_attr("notify-job-id")
        .or_else(|| msg.attr(quire_ipp::DelimiterTag::Subscription, "notify-job-id"))
        .and_then(|a| a.first_i32())
}

/// What `@OWNER` means for this request.
fn owner_of(
    state: &Scheduler,
    facts: &Facts,
    target: &Target,
    msg: &Message,
    who: &Requester,
) -> Option<String> {
    if let Target::Job(id) = target {
        return state.jobs.get(id).map(|j| j.owner.to_string());
    }
    if facts.op == quire_ipp::Operation::CreateJobSubscriptions {
        // The job the subscription is for (nobody's when there is none such).
        return subscribed_job(msg).and_then(|id| state.jobs.get(&id)).map(|j| j.owner.to_string());
    }
    let sub = msg.operation_attr("notify-subscription-id").and_then(|a| a.first_i32());
    if let Some(s) = sub.and_then(|id| state.subscriptions.get(&id)) {
        return Some(s.owner.clone());
    }
    // Operations on one's own subscriptions. Not Cancel-My-Jobs: cupsd checks it with no
    // owner, so `@OWNER` never lets a (claimed) name through and the stock policy leaves it
    // to `@SYSTEM`.
    facts.requester_owns.then(|| who.user.clone())
}

/// May `who` use the HTTP resource `path` (canonical, see `quire_config::canonical_resource`)
/// with `method`, under its `<Location>`? Where no
/// `<Location>` applies, cupsd serves local clients only.
pub fn check_location(rules: &AccessRules, path: &str, method: &str, who: &Requester) -> Decision {
    let Some(loc) = rules.location_for(path) else {
        if who.is_local() {
            return Decision::Allow;
        }
        let from = who.addr.map_or_else(|| "this host".to_string(), |a| a.to_string());
        return Decision::Forbidden(format!(
            "Access from {from} is not allowed to {method} {path}."
        ));
    };
    location_decision(rules, loc, path, method, who)
}

fn location_decision(
    rules: &AccessRules,
    loc: &Location,
    path: &str,
    method: &str,
    who: &Requester,
) -> Decision {
    let access = loc.limits.iter().find(|l| l.matches(method)).map_or(&loc.access, |l| &l.access);
    evaluate(access, rules.default_auth_type, who, Owner::default(), &format!("{method} {path}"))
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
