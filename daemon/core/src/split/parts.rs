//! A split job's children: creating them, and showing their progress on the parent.

use super::plan::Part;
use super::tell;
use crate::document::Document;
use crate::effect::Effect;
use crate::events::{self, EventKind};
use crate::model::{Confidential, Fallback, Job, JobState, Phase, Release, Scheduler, Str};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// Records the decision (and a note for the user, if any); the job prints as it is.
pub fn note(s: &mut Scheduler, id: i32, note: Option<String>, now: i64) -> Vec<Effect> {
    let Some(job) = s.jobs.get_mut(&id) else { return Vec::new() };
    job.split_decided = true;
    if let Some(text) = note {
        job.state_message = text.as_str().into();
        tell(s, id, &text, now);
    }
    vec![Effect::PersistJob(id)]
}

/// No other printer qualifies: the job says so, and prints alone or is held.
pub fn none_qualifies(
    s: &mut Scheduler,
    id: i32,
    message: &str,
    fallback: Fallback,
    now: i64,
) -> Vec<Effect> {
    let Some(job) = s.jobs.get_mut(&id) else { return Vec::new() };
    job.split_decided = true;
    let text = match fallback {
        Fallback::PrintAlone => format!("{message} Printing on \"{}\" alone.", job.printer),
        Fallback::Hold => {
            job.state = JobState::Held;
            job.hold_until = "indefinite".into();
            job.hold_until_time = None;
            job.state_reasons = vec!["job-hold-until-specified".into()];
            format!(
                "{message} The job is held: release it to print on \"{}\" alone, or cancel it.",
                job.printer
            )
        }
    };
    job.set_reason(v::REASON_NO_QUALIFIED_PRINTER);
    job.state_message = text.as_str().into();
    tell(s, id, &text, now);
    vec![Effect::PersistJob(id)]
}

/// Divides job `id` into one child job per assignment (printer, part).
pub fn split(s: &mut Scheduler, id: i32, assignments: &[(String, Part)], now: i64) -> Vec<Effect> {
    let Some(parent) = s.jobs.get(&id).map(|j| (**j).clone()) else { return Vec::new() };
    let mut effects = Vec::new();
    let mut children = Vec::new();
    let mut summary = Vec::new();
    for (printer, part) in assignments {
        let child_id = s.next_job_id;
        s.next_job_id += 1;
        let child = child_job(&parent, child_id, printer, part, now, &mut effects);
        summary.push(format!("job {child_id} on \"{printer}\": {}", part.describe()));
        s.jobs.insert(child_id, Box::new(child));
        children.push(child_id);
        effects.push(Effect::PersistJob(child_id));
        events::emit_job(s, EventKind::JobCreated, child_id, now);
    }
    let text = format!("Job {id} is split into {} parts: {}.", children.len(), summary.join("; "));
    if let Some(job) = s.jobs.get_mut(&id) {
        job.split_decided = true;
        job.children = children;
        job.state = JobState::Processing;
        job.processing_at = Some(now);
        job.state_reasons = vec![v::REASON_SPLIT.into()];
        job.state_message = text.as_str().into();
    }
    tell(s, id, &text, now);
    effects.push(Effect::PersistJob(id));
    effects.push(Effect::PersistServer);
    effects
}

fn child_job(
    parent: &Job,
    id: i32,
    printer: &str,
    part: &Part,
    now: i64,
    effects: &mut Vec<Effect>,
) -> Job {
    let mut child = linked_child(parent, id, printer, now, effects);
    child.set_attribute(Attribute::new(
        "copies",
        Value::Integer(part.copies().min(i32::MAX as u32) as i32),
    ));
    // A copies part keeps the job's page-ranges; a pages part has its own.
    if let Part::Pages { ranges, .. } = part {
        let values = ranges
            .iter()
            .map(|(a, b)| Value::RangeOfInteger { lower: *a as i32, upper: *b as i32 })
            .collect();
        child.set_attribute(Attribute::set("page-ranges", values));
        child.impressions = Some(part.pages() as i32);
    }
    child.set_attribute(Attribute::new(v::SPLIT_PART, Value::Text(part.describe())));
    child
}

/// A new child job `id` of `parent` on `printer`, sharing the parent's spool files; the
/// caller says which part it prints. Used by the splitter and by failover.
pub(crate) fn linked_child(
    parent: &Job,
    id: i32,
    printer: &str,
    now: i64,
    effects: &mut Vec<Effect>,
) -> Job {
    let mut child = parent.copy_as_new(id, now);
    child.printer = printer.into();
    child.parent_job_id = Some(parent.id);
    child.split_decided = true;
    child.hold_until = "no-hold".into();
    child.hold_until_time = None;
    // The parent's documents, shared: spool files never change once written.
    child.documents = parent
        .documents
        .iter()
        .map(|d| {
            let file = format!("d{id:05}-{:03}", d.number);
            effects.push(Effect::LinkDocument { from: d.file.clone(), to: file.clone() });
            Document { file, ..d.clone() }
        })
        .collect();
    for name in [v::SPLIT, v::SPLIT_PRINTERS, v::SPLIT_FALLBACK] {
        child.remove_attribute(name);
    }
    child.confidential =
        parent.confidential.as_deref().map(|c| Box::new(part_confidential(c, c.keys.clone())));
    if child.confidential.is_some() {
        child.set_attribute(Attribute::new(
            "job-release-action",
            Value::Keyword(Release::Owner.keyword().into()),
        ));
    }
    child
}

/// What a part of a confidential job keeps of its parent's confidentiality. It prints the
/// parent's encrypted spool files (hard links, in the same document order), so it needs
/// the parent's sealed `keys` to decrypt them. It was released with its parent, so it is
/// not held or expired as a new confidential job; it has no PIN of its own, so should it
/// be held again (an error policy), its owner's password releases it. It stays
/// confidential: private to its owner, and its documents destroyed when it ends.
pub(crate) fn part_confidential(parent: &Confidential, keys: Vec<String>) -> Confidential {
    Confidential {
        release: Release::Owner,
        expires: parent.expires,
        keys,
        released: true,
        pin_check: None,
        pin_failures: 0,
    }
}

/// Brings every unfinished split job up to date with its children: state, reasons,
/// progress. Returns the effects (persist, and events on changes).
pub fn settle(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    // Newest first: a child always has a higher id than its parent, and a child may be a
    // parent itself (a part that failed over), so the innermost settle first.
    let parents: Vec<i32> = s
        .jobs
        .values()
        .rev()
        .filter(|j| j.is_split() && !j.state.is_terminal())
        .map(|j| j.id)
        .collect();
    let mut effects = Vec::new();
    for id in parents {
        effects.extend(settle_one(s, id, now));
    }
    effects
}

/// The parent's view of its children.
struct Summary {
    state: JobState,
    reasons: Vec<Str>,
    impressions: i32,
    pages: i32,
    message: Option<String>,
}

fn summarize(s: &Scheduler, parent: &Job) -> Summary {
    let kids: Vec<&Job> =
        parent.children.iter().filter_map(|c| s.jobs.get(c).map(|j| &**j)).collect();
    let any = |st: JobState| kids.iter().any(|k| k.state == st);
    let failed_over = parent.failover.as_ref().is_some_and(|f| f.phase == Phase::FailedOver);
    let mut reasons: Vec<Str> =
        vec![if failed_over { v::REASON_FAILED_OVER } else { v::REASON_SPLIT }.into()];
    let mut message = None;
    let state = if kids.iter().all(|k| k.state.is_terminal()) {
        let failed: Vec<String> = kids
            .iter()
            .filter(|k| k.state != JobState::Completed)
            .map(|k| format!("job {} {}", k.id, k.state.keyword()))
            .collect();
        let (state, reason) = if any(JobState::Aborted) {
            (JobState::Aborted, "aborted-by-system")
        } else if any(JobState::Canceled) {
            (JobState::Canceled, "job-canceled-by-user")
        } else {
            (JobState::Completed, "job-completed-successfully")
        };
        reasons.push(reason.into());
        if !failed.is_empty() {
            message = Some(format!("Not every part printed: {}.", failed.join(", ")));
        }
        state
    } else {
        if any(JobState::Processing) {
            reasons.push("job-printing".into());
        } else {
            reasons.push("job-queued".into());
        }
        for k in &kids {
            for r in k.state_reasons.iter().filter(|r| {
                *r == "printer-stopped"
                    || r.starts_with("job-hold")
                    || r.starts_with("quire-failover-")
            }) {
                if !reasons.contains(r) {
                    reasons.push(r.clone());
                }
            }
        }
        if any(JobState::Stopped) {
            JobState::Stopped
        } else {
            JobState::Processing
        }
    };
    Summary {
        state,
        reasons,
        impressions: kids.iter().map(|k| k.impressions_completed).fold(0i32, i32::saturating_add),
        pages: kids.iter().map(|k| k.pages_completed).fold(0i32, i32::saturating_add),
        message,
    }
}

fn settle_one(s: &mut Scheduler, id: i32, now: i64) -> Vec<Effect> {
    let Some(parent) = s.jobs.get(&id) else { return Vec::new() };
    let sum = summarize(s, parent);
    let Some(job) = s.jobs.get_mut(&id) else { return Vec::new() };
    let state_changed = job.state != sum.state || job.state_reasons != sum.reasons;
    let progressed = job.impressions_completed != sum.impressions;
    if !state_changed && !progressed {
        return Vec::new();
    }
    job.state = sum.state;
    job.state_reasons = sum.reasons;
    job.impressions_completed = sum.impressions;
    job.pages_completed = sum.pages;
    if let Some(m) = sum.message {
        job.state_message = m.into();
    }
    let terminal = job.state.is_terminal();
    if terminal {
        job.completed_at = Some(now);
    }
    if state_changed {
        let kind = if terminal { EventKind::JobCompleted } else { EventKind::JobStateChanged };
        events::emit_job(s, kind, id, now);
    } else {
        events::emit_job(s, EventKind::JobProgress, id, now);
    }
    vec![Effect::PersistJob(id)]
}

/// `quire-child-job-ids` and `quire-split-parts` of a split job, for queries.
pub fn parent_attributes(s: &Scheduler, job: &Job) -> Vec<Attribute> {
    if !job.is_split() {
        return Vec::new();
    }
    let parts = job
        .children
        .iter()
        .filter_map(|c| s.jobs.get(c))
        .map(|k| {
            let part = k
                .attribute(v::SPLIT_PART)
                .and_then(|a| a.first_str().map(str::to_string))
                .unwrap_or_default();
            Value::Text(format!(
                "job {} on {}: {part} ({}, {} impressions)",
                k.id,
                k.printer,
                k.state.keyword(),
                k.impressions_completed
            ))
        })
        .collect();
    vec![
        Attribute::set(v::CHILD_JOB_IDS, job.children.iter().map(|c| Value::Integer(*c)).collect()),
        Attribute::set(v::SPLIT_PARTS, parts),
    ]
}
