//! The hand-off: once the stopped printer's run has ended (its device job canceled and
//! counted), the job becomes the parent of a record of what that printer printed and of
//! one or two continuation jobs on the new printer (the rest of the current copy as page
//! ranges, then the copies not started).

use super::capitalize;
use super::remainder::{self, Piece};
use crate::effect::Effect;
use crate::events::{self, EventKind};
use crate::model::{Job, JobState, Phase, Scheduler};
use crate::split::parts::linked_child;
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// Run of job `id` ended while handing off: moves what is left to the target.
pub fn finish(s: &mut Scheduler, id: i32, now: i64) -> Vec<Effect> {
    let Some(job) = s.jobs.get(&id).map(|j| (**j).clone()) else { return Vec::new() };
    let Some(f) = job.failover.as_deref().cloned() else { return Vec::new() };
    let reported = job.impressions_completed.max(0) as u32;
    // Only an IPP device's job-impressions-completed is a count of pages printed; other
    // backends count pages sent (CUPS `PAGE:` lines), so nothing of theirs is taken as done.
    let confirmed = s.printer(&f.from).is_some_and(|p| counts_printed_pages(&p.device_uri));
    let mut rem =
        remainder::remainder(&remainder::shape_of(&job), if confirmed { reported } else { 0 });
    if !confirmed && reported > 0 {
        rem.printed = format!("{reported} impressions sent to it (not confirmed page by page)");
        rem.may_repeat = u64::from(reported);
    }
    let done = reported;
    let target = target_for(s, &job, f.target.as_deref().unwrap_or(&f.from), &f.from);
    let mut effects = Vec::new();
    let mut children = Vec::new();
    if done > 0 {
        let rid = next_id(s);
        let record = record(&job, rid, &f.from, &f.fault, &rem.printed, now);
        s.jobs.insert(rid, Box::new(record));
        children.push(rid);
    }
    let mut moved = Vec::new();
    for piece in &rem.rest {
        let cid = next_id(s);
        let child = continuation(&job, cid, &target, piece, now, &mut effects);
        moved.push(format!("job {cid} prints {} on \"{target}\"", piece.text));
        s.jobs.insert(cid, Box::new(child));
        children.push(cid);
    }
    let mut text = format!("\"{}\" printed {}", f.from, rem.printed);
    text.push_str(&if moved.is_empty() {
        "; nothing was left to print".to_string()
    } else {
        format!("; {}", moved.join(", "))
    });
    if rem.may_repeat > 0 {
        text.push_str(&format!(" (the device does not report pages of this job one by one: up to {} impressions may print twice)", rem.may_repeat));
    }
    if let Some(j) = s.jobs.get_mut(&id) {
        j.children = children.clone();
        j.state = JobState::Processing;
        j.state_reasons = vec![v::REASON_FAILED_OVER.into()];
        j.state_message = format!("{}.", capitalize(&text)).into();
        j.device_job = None;
        // The stopped printer's state belonged to the run that ended.
        j.printer_state_reasons.clear();
        j.printer_state_message.clear();
        if let Some(f) = j.failover.as_mut() {
            f.phase = Phase::FailedOver;
            f.since = now;
            f.target = Some(target.clone());
            f.note(now, &text, &mut effects, id);
        }
    }
    for c in &children {
        effects.push(Effect::PersistJob(*c));
        events::emit_job(s, EventKind::JobCreated, *c, now);
    }
    events::emit_job_text(
        s,
        EventKind::JobStateChanged,
        id,
        &format!("{}.", capitalize(&text)),
        now,
    );
    effects.push(Effect::PersistJob(id));
    effects.push(Effect::PersistServer);
    effects
}

/// Whether the device behind `uri` reports the impressions it has printed (IPP).
fn counts_printed_pages(uri: &str) -> bool {
    ["ipp:", "ipps:", "http:", "https:"].iter().any(|s| uri.starts_with(s))
}

fn next_id(s: &mut Scheduler) -> i32 {
    let id = s.next_job_id;
    s.next_job_id += 1;
    id
}

/// The chosen printer, unless it stopped qualifying meanwhile (an administrator changed
/// it): then the best that still does, else the stopped printer itself (the remainder
/// waits there for the fault to be fixed).
fn target_for(s: &Scheduler, job: &Job, chosen: &str, from: &str) -> String {
    let cands = super::candidates(s, job);
    if cands.iter().any(|c| {
        c.name.eq_ignore_ascii_case(chosen)
            && c.refused.as_deref().is_none_or(|why| why == crate::split::STOPPED)
    }) {
        return chosen.to_string();
    }
    super::best(&cands).map_or_else(|| from.to_string(), |c| c.name.clone())
}

/// What the stopped printer printed, kept as a finished child so the job's parts say
/// which printer printed which pages. It has no documents: it never prints.
fn record(job: &Job, id: i32, from: &str, fault: &str, printed: &str, now: i64) -> Job {
    let mut r = job.copy_as_new(id, now);
    r.printer = from.into();
    r.output_device = Some(from.into());
    r.parent_job_id = Some(job.id);
    r.split_decided = true;
    r.documents = Vec::new();
    r.files_purged = true;
    // No documents, so no keys; it stays private to the owner like its parent.
    r.confidential = job
        .confidential
        .as_deref()
        .map(|c| Box::new(crate::split::parts::part_confidential(c, Vec::new())));
    r.state = JobState::Completed;
    r.state_reasons = vec!["job-completed-successfully".into()];
    r.state_message = format!("Printed on \"{from}\" before it stopped ({fault}).").into();
    r.processing_at = job.processing_at;
    r.completed_at = Some(now);
    r.impressions_completed = job.impressions_completed;
    r.pages_completed = job.pages_completed;
    r.set_attribute(Attribute::new(
        v::SPLIT_PART,
        Value::Text(format!("printed before \"{from}\" stopped: {printed}")),
    ));
    r
}

/// A continuation job printing `piece` on `target`.
fn continuation(
    job: &Job,
    id: i32,
    target: &str,
    piece: &Piece,
    now: i64,
    effects: &mut Vec<Effect>,
) -> Job {
    let mut c = linked_child(job, id, target, now, effects);
    c.set_attribute(Attribute::new(
        "copies",
        Value::Integer(piece.copies.min(i32::MAX as u32) as i32),
    ));
    if let Some(ranges) = &piece.ranges {
        let values = ranges
            .iter()
            .map(|(a, b)| Value::RangeOfInteger { lower: *a as i32, upper: *b as i32 })
            .collect();
        c.set_attribute(Attribute::set("page-ranges", values));
        c.impressions = Some(i32::try_from(piece.impressions).unwrap_or(i32::MAX));
    }
    c.set_attribute(Attribute::new(
        v::SPLIT_PART,
        Value::Text(format!(
            "rest after \"{}\" stopped: {}",
            job.output_device.as_deref().unwrap_or(&job.printer),
            piece.text
        )),
    ));
    c
}
