//! The job splitter: one job's copies or pages divided between the printer the user chose
//! and other printers at least as secure, on facts an administrator vouches for (see
//! [`crate::security::printer_qualifies`]).
//!
//! A job asks for a split with `quire-split` (`auto`, or `manual` with
//! `quire-split-printers`), or its queue splits by policy (`quire-split-default` with
//! thresholds). When the job is first ready to print, [`decide_pending`] divides it into
//! child jobs (`parent-job-id`), one per printer; the parent never prints itself and shows
//! what its children do ([`parts::settle`]). When no other printer qualifies the job
//! carries `quire-no-qualified-printer` and a message, and prints alone or is held,
//! as `quire-split-fallback` says.

pub mod parts;
pub mod plan;

use crate::effect::Effect;
use crate::error::{IppError, IppResult};
use crate::events::{self, EventKind};
use crate::model::{Fallback, Job, JobState, Printer, PrinterState, Scheduler, SplitMode};
use crate::security::printer_qualifies;
use plan::{Lane, Units};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// What a job asks for, its own attributes first, then its queue's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub mode: SplitMode,
    pub printers: Vec<String>,
    pub fallback: Fallback,
}

fn copies_of(job: &Job) -> u32 {
    job.attribute("copies").and_then(|a| a.first_i32()).unwrap_or(1).max(1) as u32
}

/// Whether (and how) `job` on `queue` should be split. Cheap for jobs that do not ask.
pub fn wanted(job: &Job, queue: &Printer) -> Option<Wanted> {
    let asks = job.attributes.contains(v::SPLIT) || job.attributes.contains(v::SPLIT_PRINTERS);
    if !asks && queue.split.mode == SplitMode::None {
        return None;
    }
    let fallback = job
        .attribute(v::SPLIT_FALLBACK)
        .and_then(|a| a.first_str().and_then(Fallback::from_keyword))
        .unwrap_or(queue.split.fallback);
    let listed = job.attribute(v::SPLIT_PRINTERS).map(|a| v::list_values(&a));
    let mode = match job
        .attribute(v::SPLIT)
        .and_then(|a| a.first_str().and_then(SplitMode::from_keyword))
    {
        Some(m) => m,
        None if listed.is_some() => SplitMode::Manual,
        None if queue.split.applies(copies_of(job), job.impressions.map(|p| p.max(0) as u32)) => {
            queue.split.mode
        }
        None => SplitMode::None,
    };
    if mode == SplitMode::None {
        return None;
    }
    let printers = listed.unwrap_or_else(|| queue.split.printers.clone());
    Some(Wanted { mode, printers, fallback })
}

/// The reason [`unavailable`] gives for a printer that is stopped (and nothing else).
pub(crate) const STOPPED: &str = "it is stopped";

/// Why `candidate` cannot take part of a job first sent to `first`, for job owner `owner`.
pub fn unavailable(
    s: &Scheduler,
    candidate: &Printer,
    first: &Printer,
    owner: &str,
) -> Option<String> {
    if let Err(short) = printer_qualifies(candidate, first, s.settings.security_rule) {
        return Some(short.to_string());
    }
    if !candidate.accepting {
        return Some("it is not accepting jobs".into());
    }
    if candidate.state == PrinterState::Stopped || candidate.device.is_stopped() {
        return Some(STOPPED.into());
    }
    let denied = (!candidate.users_allowed.is_empty()
        && !candidate.users_allowed.iter().any(|u| u == owner))
        || candidate.users_denied.iter().any(|u| u == owner);
    denied.then(|| format!("{owner} may not print on it"))
}

/// Checks a new job's split attributes (step one of submission): a manual list naming a
/// printer that does not exist or does not qualify is refused, naming it and why.
pub fn check_request(
    s: &Scheduler,
    queue: &Printer,
    attrs: &[Attribute],
    owner: &str,
) -> IppResult<()> {
    let find = |n: &str| attrs.iter().find(|a| a.name == n);
    let refuse = |a: &Attribute, message: String| {
        Err(IppError::Unsupported { message, attributes: vec![a.clone()] })
    };
    if let Some(a) = find(v::SPLIT) {
        if a.first_str().and_then(SplitMode::from_keyword).is_none() {
            return refuse(
                a,
                format!(
                    "Unsupported {} \"{}\" (none, auto or manual).",
                    v::SPLIT,
                    a.first_str().unwrap_or("")
                ),
            );
        }
    }
    if let Some(a) = find(v::SPLIT_FALLBACK) {
        if a.first_str().and_then(Fallback::from_keyword).is_none() {
            return refuse(
                a,
                format!(
                    "Unsupported {} \"{}\" (print-alone or hold).",
                    v::SPLIT_FALLBACK,
                    a.first_str().unwrap_or("")
                ),
            );
        }
    }
    let Some(list) = find(v::SPLIT_PRINTERS) else { return Ok(()) };
    if queue.is_class {
        return refuse(
            list,
            format!(
                "Jobs sent to the class \"{}\" are not split; send the job to a printer.",
                queue.name
            ),
        );
    }
    for name in v::list_values(list) {
        let Some(p) = s.printer(&name) else {
            return refuse(
                list,
                format!("Printer \"{name}\" in {} does not exist.", v::SPLIT_PRINTERS),
            );
        };
        if p.name.eq_ignore_ascii_case(&queue.name) {
            continue;
        }
        if let Some(why) = unavailable(s, p, queue, owner) {
            return refuse(
                list,
                format!("Printer \"{}\" cannot take part of this job: {why}.", p.name),
            );
        }
    }
    Ok(())
}

/// Decides about every pending job that asks for a split and was not decided yet.
pub fn decide_pending(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let policies = s.printers.values().any(|p| p.split.mode != SplitMode::None);
    let undecided: Vec<i32> = s
        .jobs
        .values()
        .filter(|j| {
            j.state == JobState::Pending
                && !j.open
                && !j.split_decided
                && !j.is_split()
                && j.parent_job_id.is_none()
        })
        .filter(|j| {
            policies || j.attributes.contains(v::SPLIT) || j.attributes.contains(v::SPLIT_PRINTERS)
        })
        .map(|j| j.id)
        .collect();
    let mut effects = Vec::new();
    for id in undecided {
        effects.extend(decide(s, id, now));
    }
    effects
}

/// What a job divides into, or why it cannot be divided.
fn units_of(job: &Job) -> Result<Units, String> {
    let copies = copies_of(job);
    let pages = job.impressions.filter(|p| *p > 0).map(|p| p as u32);
    if copies > 1 {
        return Ok(Units::Copies { copies, pages: pages.unwrap_or(0) });
    }
    if job.documents.len() != 1 {
        return Err("a single copy of several documents is not divided".into());
    }
    let total = pages.ok_or("its pages could not be counted")?;
    let ranges: Vec<(i32, i32)> = job
        .attribute("page-ranges")
        .map(|a| {
            a.values
                .iter()
                .filter_map(|v| match v {
                    Value::RangeOfInteger { lower, upper } => Some((*lower, *upper)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let selected = plan::selected_pages(total, &ranges);
    if selected.len() < 2 {
        return Err("it has a single page".into());
    }
    Ok(Units::Pages(selected))
}

/// The lanes: the job's own printer first (unless it is stopped), then the qualifying
/// candidates; and each printer that was not taken, with why.
fn lanes(s: &Scheduler, job: &Job, first: &Printer, w: &Wanted) -> (Vec<Lane>, Vec<String>) {
    let lane = |p: &Printer| Lane {
        printer: p.name.clone(),
        ppm: ppm(p),
        backlog: backlog(s, &p.name, job.id),
    };
    let mut lanes = Vec::new();
    if first.state != PrinterState::Stopped && !first.device.is_stopped() {
        lanes.push(lane(first));
    }
    let mut refused = Vec::new();
    let others: Vec<&Printer> = match w.mode {
        SplitMode::Manual => w.printers.iter().filter_map(|n| s.printer(n)).collect(),
        _ => s.printers.values().filter(|p| !p.is_class).collect(),
    };
    let mut seen = vec![first.name.as_str()];
    for p in others {
        // The queue itself, or a printer named twice in a manual list.
        if seen.iter().any(|n| n.eq_ignore_ascii_case(&p.name)) {
            continue;
        }
        seen.push(&p.name);
        match unavailable(s, p, first, &job.owner) {
            None => lanes.push(lane(p)),
            Some(why) => refused.push(format!("\"{}\": {why}", p.name)),
        }
    }
    (lanes, refused)
}

/// Pages per minute the device reports (`pages-per-minute`), else 10.
pub(crate) fn ppm(p: &Printer) -> u32 {
    p.capability("pages-per-minute")
        .and_then(|a| a.first_i32())
        .filter(|n| *n > 0)
        .map_or(10, |n| n as u32)
}

/// Pages still to print on printer `name` for jobs other than `except`.
pub(crate) fn backlog(s: &Scheduler, name: &str, except: i32) -> u64 {
    s.active_jobs()
        .filter(|j| {
            j.id != except
                && !j.is_split()
                && j.output_device.as_deref().unwrap_or(&j.printer).eq_ignore_ascii_case(name)
        })
        .map(|j| {
            let total = i64::from(j.impressions.unwrap_or(1).max(1)) * i64::from(copies_of(j));
            (total - i64::from(j.impressions_completed)).max(0) as u64
        })
        .sum()
}

/// Splits job `id`, or records why not.
fn decide(s: &mut Scheduler, id: i32, now: i64) -> Vec<Effect> {
    let Some(job) = s.jobs.get(&id) else { return Vec::new() };
    let Some(first) = s.printer(&job.printer) else { return Vec::new() };
    let plan = match (wanted(job, first), first.is_class) {
        (None, _) => Err(None),
        (Some(_), true) => Err(Some(format!(
            "Not split: jobs sent to the class \"{}\" print on its members.",
            first.name
        ))),
        (Some(w), false) => match units_of(job) {
            Err(why) => Err(Some(format!("Not split: {why}."))),
            Ok(units) => Ok((w, units)),
        },
    };
    let (w, units) = match plan {
        Ok(p) => p,
        Err(note) => return parts::note(s, id, note, now),
    };
    if let Some(why) = crate::security::untrusted(first) {
        let message = format!("No other printer qualifies to share this job with \"{}\": {why}, so no printer can be shown to be at least as secure.", first.name);
        return parts::none_qualifies(s, id, &message, w.fallback, now);
    }
    let (lanes, refused) = lanes(s, job, first, &w);
    let first_name = first.name.clone();
    let first_security = first.security.describe();
    if lanes.iter().all(|l| l.printer.eq_ignore_ascii_case(&first_name)) {
        let why = if refused.is_empty() {
            "there is no other printer".to_string()
        } else {
            refused.join("; ")
        };
        let message = format!("No other printer qualifies to share this job with \"{first_name}\" ({first_security}): {why}.");
        return parts::none_qualifies(s, id, &message, w.fallback, now);
    }
    let shares = plan::allocate(&units, &lanes);
    let parts = plan::parts(&units, &shares);
    if parts.iter().flatten().count() < 2 {
        let only = lanes
            .iter()
            .zip(&shares)
            .find(|(_, n)| **n > 0)
            .map(|(l, _)| l.printer.clone())
            .unwrap_or(first_name);
        return parts::note(
            s,
            id,
            Some(format!("Not split: \"{only}\" alone finishes it soonest.")),
            now,
        );
    }
    let assignments: Vec<(String, plan::Part)> =
        lanes.into_iter().zip(parts).filter_map(|(l, p)| p.map(|p| (l.printer, p))).collect();
    parts::split(s, id, &assignments, now)
}

/// Emits `job-state-changed` for `id` with `text` as the notification text.
fn tell(s: &mut Scheduler, id: i32, text: &str, now: i64) {
    events::emit_job_text(s, EventKind::JobStateChanged, id, text, now);
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
