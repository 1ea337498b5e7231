//! Confidential held jobs: held at submission, printed only after their owner proves who
//! they are (a PAM-checked password, or the job's PIN), deleted unprinted when they expire.
//!
//! The core decides and records; the daemon encrypts the documents (the sealed keys are
//! kept here, opaque), checks PINs against them, and shreds the files.

use crate::effect::Effect;
use crate::error::{IppError, IppResult};
use crate::model::{
    Confidential, Job, JobState, Printer, Release, Scheduler, MAX_PIN_FAILURES, PIN_LENGTH,
};
use crate::operation::{Facts, PinUse};
use crate::request::{AuthMethod, Request, Requester, Target};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Message, Value};

/// Is the new job confidential, and how is it released? Checks the PIN's form.
pub fn classify(
    printer: &Printer,
    msg: &Message,
    job_attrs: &[Attribute],
) -> IppResult<Option<Release>> {
    if let Some(a) = msg.operation_attr("job-password") {
        pin_of(a)?;
        if let Some(e) = msg.operation_attr("job-password-encryption") {
            if e.first_str() != Some("none") {
                return Err(IppError::unsupported("Only job-password-encryption \"none\" is supported: the PIN travels in the request, so use TLS (ipps) to protect it.", e.clone()));
            }
        }
        return Ok(Some(Release::Pin));
    }
    let asked = match job_attrs.iter().find(|a| a.name == v::CONFIDENTIAL) {
        Some(a) => Some(v::flag_value(a).ok_or_else(|| {
            IppError::unsupported("quire-confidential must be true or false.", a.clone())
        })?),
        None => None,
    };
    // A release queue holds every job, whatever the job asked for.
    Ok((printer.confidential_default || asked == Some(true)).then_some(Release::Owner))
}

/// The PIN's bytes, checked for length.
pub fn pin_of(a: &Attribute) -> IppResult<Vec<u8>> {
    let bytes: Vec<u8> = match a.first() {
        Some(Value::OctetString(b)) => b.clone(),
        Some(v) => v.as_str().map(|s| s.as_bytes().to_vec()).unwrap_or_default(),
        None => Vec::new(),
    };
    if !(PIN_LENGTH.0..=PIN_LENGTH.1).contains(&bytes.len()) {
        return Err(IppError::unsupported(
            format!("job-password must be {} to {} characters long.", PIN_LENGTH.0, PIN_LENGTH.1),
            a.clone(),
        ));
    }
    Ok(bytes)
}

/// Makes a new job confidential: held until released, expiring, and with no secret among
/// its attributes.
pub fn apply(job: &mut Job, release: Release, now: i64, hold_time: i64) {
    job.remove_attribute(v::CONFIDENTIAL);
    job.state = JobState::Held;
    job.hold_until = "indefinite".into();
    job.hold_until_time = None;
    job.state_reasons = vec![hold_reason(release).into()];
    job.set_attribute(Attribute::new(
        "job-release-action",
        Value::Keyword(release.keyword().into()),
    ));
    job.set_attribute(Attribute::new("job-hold-until", Value::Keyword("indefinite".into())));
    job.confidential = Some(Box::new(Confidential {
        release,
        expires: now + hold_time.max(1),
        keys: Vec::new(),
        released: false,
        pin_check: None,
        pin_failures: 0,
    }));
}

fn hold_reason(release: Release) -> &'static str {
    match release {
        Release::Owner => "job-hold-until-specified",
        Release::Pin => "job-password-wait",
    }
}

/// Is `who` proven to be the job's owner in the way its release needs? `pin_ok` is the
/// daemon's check of a PIN sent with the request against the job's sealed keys.
pub fn check_release(job: &Job, who: &Requester, req: &Request) -> IppResult<()> {
    let Some(c) = &job.confidential else { return Ok(()) };
    let owner_proven = who.method == AuthMethod::Password && who.user == job.owner.as_ref();
    match c.release {
        // The owner, signed in with their password, may release a PIN job too (a forgotten
        // or locked PIN).
        Release::Pin if owner_proven && req.pin_ok != Some(true) => Ok(()),
        Release::Pin if c.pin_failures >= MAX_PIN_FAILURES => Err(IppError::NotAuthorized(format!(
            "Job #{} is locked after {MAX_PIN_FAILURES} wrong PINs: only its owner, signed in with a password, can release it.",
            job.id
        ))),
        Release::Pin => match req.pin_ok {
            Some(true) => Ok(()),
            Some(false) => Err(IppError::NotAuthorized(format!("Wrong job-password for job #{}.", job.id))),
            None => Err(IppError::NotAuthorized(format!("Job #{} is released with its PIN: send job-password.", job.id))),
        },
        Release::Owner => {
            if who.method != AuthMethod::Password {
                return Err(IppError::NotAuthenticated);
            }
            if !owner_proven {
                return Err(IppError::Forbidden(format!("Only the owner of confidential job #{} may release it.", job.id)));
            }
            Ok(())
        }
    }
}

/// On the operations that release a PIN job, a `job-password` stands for the owner's
/// authentication (PWG 5100.11): it satisfies the policy's `@OWNER` (and nothing else: the
/// `<Limit>`'s host rules, its rules for others and the `<Location>` still apply), and the
/// operation then checks the PIN and counts a wrong one (a locked job refuses every PIN,
/// saying why). So it counts as `@OWNER` whether or not it is right.
pub fn pin_for_owner(s: &Scheduler, facts: &Facts, target: &Target, req: &Request) -> bool {
    let releases = facts.pin == PinUse::Release;
    let Target::Job(id) = target else { return false };
    let pin_job = s
        .jobs
        .get(id)
        .and_then(|j| j.confidential.as_ref())
        .is_some_and(|c| c.release == Release::Pin);
    releases && pin_job && req.message.operation_attr("job-password").is_some()
}

/// A release with `job-password` that needs the PIN checked: the job and the check key its
/// PIN must open. None when no check is worth its cost (the PBKDF2 is deliberately slow):
/// no PIN sent or malformed, not a PIN job, not held for its PIN, or locked after
/// [`MAX_PIN_FAILURES`] (then `check_release` refuses whatever the PIN).
pub fn pin_to_check(s: &Scheduler, target: &Target, req: &Request) -> Option<(i32, String)> {
    let Target::Job(id) = target else { return None };
    pin_of(req.message.operation_attr("job-password")?).ok()?;
    let job = s.jobs.get(id).filter(|j| j.state == JobState::Held && !j.open)?;
    let c = job.confidential.as_ref().filter(|c| {
        c.release == Release::Pin && !c.released && c.pin_failures < MAX_PIN_FAILURES
    })?;
    Some((*id, c.pin_check.clone()?))
}

/// Counts a wrong PIN sent for the job (persisted by the caller).
pub fn note_wrong_pin(job: &mut Job, req: &Request) -> bool {
    match job.confidential.as_mut() {
        Some(c) if c.release == Release::Pin && req.pin_ok == Some(false) => {
            c.pin_failures = c.pin_failures.saturating_add(1);
            true
        }
        _ => false,
    }
}

/// The owner's right to act on (cancel, hold, read) a confidential job needs proof: a
/// claimed `requesting-user-name` is not enough. Administrators may cancel it.
pub fn check_owner(job: &Job, who: &Requester, admin_allowed: bool) -> IppResult<()> {
    if job.confidential.is_none() {
        return Ok(());
    }
    if admin_allowed && who.admin && who.authenticated {
        return Ok(());
    }
    if !who.authenticated {
        return Err(IppError::NotAuthenticated);
    }
    if who.user != job.owner.as_ref() {
        return Err(IppError::NotAuthorized(format!(
            "Job #{} is confidential: only its owner may do that.",
            job.id
        )));
    }
    Ok(())
}

/// Marks the job released: it becomes pending and prints in its turn.
pub fn release(job: &mut Job) {
    if let Some(c) = job.confidential.as_mut() {
        c.released = true;
    }
    job.state = JobState::Pending;
    job.hold_until = "no-hold".into();
    job.state_reasons = vec!["none".into()];
    job.remove_attribute("job-hold-until");
}

/// Can this job be seen in full by `who`? Others see no name and no document.
pub fn visible_to(job: &Job, who: &Requester) -> bool {
    job.confidential.is_none()
        || (who.authenticated && (who.user == job.owner.as_ref() || who.admin))
}

/// Deletes unprinted every confidential job whose time has come; returns when the next
/// one expires.
pub fn expire(s: &mut Scheduler, now: i64, effects: &mut Vec<Effect>) -> Option<i64> {
    let due: Vec<i32> = s
        .active_jobs()
        .filter(|j| j.state == JobState::Held)
        .filter(|j| j.confidential.as_ref().is_some_and(|c| !c.released && c.expires <= now))
        .map(|j| j.id)
        .collect();
    for id in due {
        crate::lifecycle::terminate(s, id, JobState::Canceled, v::REASON_EXPIRED, now, effects);
        if let Some(job) = s.jobs.get_mut(&id) {
            job.state_message = "Deleted unprinted: nobody released it in time.".into();
        }
        effects.push(Effect::PurgeJobFiles(id));
        effects.push(Effect::Log(format!(
            "[Job {id}] confidential job expired unreleased; documents shredded"
        )));
    }
    next_expiry(s)
}

/// The earliest expiry of a held confidential job.
pub fn next_expiry(s: &Scheduler) -> Option<i64> {
    s.active_jobs()
        .filter(|j| j.state == JobState::Held)
        .filter_map(|j| j.confidential.as_ref().filter(|c| !c.released).map(|c| c.expires))
        .min()
}

/// Job description attributes of a confidential job.
pub fn attributes(job: &Job) -> Vec<Attribute> {
    let Some(c) = &job.confidential else { return Vec::new() };
    vec![
        Attribute::new(v::CONFIDENTIAL, Value::Boolean(true)),
        Attribute::new(
            v::CONFIDENTIAL_EXPIRES,
            Value::Integer(i32::try_from(c.expires).unwrap_or(i32::MAX)),
        ),
    ]
}

/// What others may not see of a confidential job: its name, its documents, where it came from.
const PRIVATE: &[&str] = &[
    "job-name",
    "document-name-supplied",
    "document-format-supplied",
    "job-originating-host-name",
    "job-k-octets",
    "job-impressions",
    "job-pages",
];

/// Removes the private attributes of a confidential job `who` may not see in full.
pub fn hide_private(attrs: &mut Vec<Attribute>, job: &Job, who: &Requester) {
    if !visible_to(job, who) {
        attrs.retain(|a| !PRIVATE.contains(&a.name.as_str()));
    }
}

/// Refuses to describe a confidential job's documents to anyone but its owner.
pub fn check_visible(job: &Job, who: &Requester) -> IppResult<()> {
    if visible_to(job, who) {
        return Ok(());
    }
    if !who.authenticated {
        return Err(IppError::NotAuthenticated);
    }
    Err(IppError::NotAuthorized(format!(
        "The documents of confidential job #{} are private.",
        job.id
    )))
}
