//! Job and subscription privacy, as cupsd's `JobPrivateAccess`/`JobPrivateValues` and
//! `SubscriptionPrivateAccess`/`SubscriptionPrivateValues` (cupsdGetPrivateAttrs): a
//! requester not on the access list of the queue's policy does not get the private values
//! (they are left out of the answer, as cupsd does; job-id, job-uri and job-printer-uri,
//! or the subscription's ids and URIs, always stay).
//!
//! Stricter than cupsd in one respect: cupsd matches `@OWNER` and user names against the
//! authenticated user, else the `requesting-user-name` the client claims, so anyone can
//! read a job by claiming its owner's name. Here only a proven identity (a password, or the
//! kernel's peer credentials) is on a list; a claimed name is on none. And `all` as the
//! access list means everyone (cupsd's documentation; its code matches a user named "all").
//! Confidential jobs hide more (`confidential::hide_private`); these rules apply on top.

use crate::model::{Job, Scheduler, Subscription};
use crate::policy::{private_lists, PrivateKind};
use crate::request::Requester;
use quire_ipp::Attribute;

/// What a requester may not see of one job or subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld<'a> {
    Nothing,
    /// `*PrivateValues all`.
    All,
    /// These attribute names.
    These(&'a [String]),
}

/// Attributes that say what a private one says (a job's user as a URI, its document's name).
const SAME_AS: &[(&str, &str)] = &[
    ("job-originating-user-uri", "job-originating-user-name"),
    ("document-name-supplied", "job-name"),
];

/// Job attributes given even when every value is private (cupsd keeps these too).
pub const JOB_KEPT: &[&str] = &["job-id", "job-uri", "job-printer-uri"];

/// Subscription attributes given even when every value is private.
pub const SUBSCRIPTION_KEPT: &[&str] =
    &["notify-subscription-id", "notify-job-id", "notify-printer-uri"];

impl Withheld<'_> {
    /// Is attribute `name` withheld?
    pub fn hides(&self, name: &str) -> bool {
        let listed = |values: &[String], n: &str| values.iter().any(|v| v.eq_ignore_ascii_case(n));
        match self {
            Withheld::Nothing => false,
            Withheld::All => true,
            Withheld::These(values) => {
                listed(values, name)
                    || SAME_AS.iter().any(|(alias, of)| *alias == name && listed(values, of))
            }
        }
    }

    /// Removes the withheld attributes, except those in `kept`.
    pub fn strip(&self, attrs: &mut Vec<Attribute>, kept: &[&str]) {
        if *self != Withheld::Nothing {
            attrs.retain(|a| kept.contains(&a.name.as_str()) || !self.hides(&a.name));
        }
    }
}

/// What `who` may not see of `job` (the policy of the job's queue).
pub fn of_job<'a>(s: &'a Scheduler, job: &Job, who: &Requester) -> Withheld<'a> {
    let printer = s.printer(&job.printer).map(|p| p.name.as_str());
    withheld(s, printer, Some(job.owner.as_ref()), PrivateKind::Job, who)
}

/// What `who` may not see of `sub` (the policy of its queue, else the default policy).
pub fn of_subscription<'a>(s: &'a Scheduler, sub: &Subscription, who: &Requester) -> Withheld<'a> {
    withheld(s, sub.printer.as_deref(), Some(&sub.owner), PrivateKind::Subscription, who)
}

/// cupsdGetPrivateAttrs: the private values, unless `who` is on the access list.
/// `owner` is what `@OWNER` stands for (None: nobody).
pub fn withheld<'a>(
    s: &'a Scheduler,
    printer: Option<&str>,
    owner: Option<&str>,
    kind: PrivateKind,
    who: &Requester,
) -> Withheld<'a> {
    let Some((access, values)) = private_lists(s, printer, kind) else { return Withheld::Nothing };
    let only = |w: &str| values.len() == 1 && values[0].eq_ignore_ascii_case(w);
    if values.is_empty() || only("none") {
        return Withheld::Nothing;
    }
    let acl =
        printer.and_then(|p| s.printer(p)).map(|p| p.users_allowed.as_slice()).unwrap_or_default();
    if access.iter().any(|entry| on_list(entry, who, owner, acl)) {
        return Withheld::Nothing;
    }
    if only("all") {
        Withheld::All
    } else {
        Withheld::These(values)
    }
}

/// Does one access-list entry (`all`, `@OWNER`, `@SYSTEM`, `@ACL`, `@group`, a user) name
/// `who`? Only a proven identity is on a list.
fn on_list(entry: &str, who: &Requester, owner: Option<&str>, acl: &[String]) -> bool {
    if entry.eq_ignore_ascii_case("all") {
        return true;
    }
    if !who.authenticated {
        return false;
    }
    let is_user = |name: &str| name.eq_ignore_ascii_case(&who.user);
    let in_group = |g: &str| who.groups.iter().any(|x| x.eq_ignore_ascii_case(g));
    if entry.eq_ignore_ascii_case("@OWNER") {
        owner.is_some_and(is_user)
    } else if entry.eq_ignore_ascii_case("@SYSTEM") {
        who.admin
    } else if entry.eq_ignore_ascii_case("@ACL") {
        // The queue's requesting-user-name-allowed: users, and @groups.
        acl.iter().any(|a| a.strip_prefix('@').map_or_else(|| is_user(a), in_group))
    } else if let Some(group) = entry.strip_prefix('@') {
        in_group(group)
    } else {
        is_user(entry)
    }
}
