//! What a device reports while it prints a job: its state reasons, message and supply
//! attributes, mirrored onto the queue and the job (`job-printer-state-reasons`).

use crate::effect::Effect;
use crate::events::{self, EventKind};
use crate::model::{JobState, Scheduler};
use quire_ipp::Attribute;

/// The job this report belongs to, if run `run_id` of job `id` is still the one printing,
/// and the printer it prints on.
fn current(s: &Scheduler, id: i32, run_id: u32) -> Option<String> {
    let job = s.jobs.get(&id).filter(|j| j.state == JobState::Processing && j.run == run_id)?;
    Some(job.output_device.as_deref().unwrap_or(&job.printer).to_string())
}

/// The device's state while printing run `run_id` of job `id`. `reasons` replaces the
/// previous report; an empty list means the device is fine again.
pub fn device_state(
    s: &mut Scheduler,
    id: i32,
    run_id: u32,
    mut reasons: Vec<String>,
    message: String,
    now: i64,
) -> Vec<Effect> {
    let Some(device) = current(s, id, run_id) else { return Vec::new() };
    // The device's words are shown to every client: keywords only, one line of text.
    reasons.retain(|r| r != "none" && crate::device_text::keyword(r).is_some());
    reasons.dedup();
    let message = crate::device_text::line(&message);
    let Some(p) = s.printer_mut(&device) else { return Vec::new() };
    if p.device.reasons == reasons && p.device.message == message {
        return Vec::new();
    }
    p.device.reasons = reasons;
    p.device.message = message;
    p.state_change_time = now;
    let stopped = p.device.is_stopped();
    let (reasons, message) = (p.device.reasons.clone(), p.device.message.clone());
    if let Some(job) = s.jobs.get_mut(&id) {
        job.printer_state_reasons = reasons.iter().map(|r| r.as_str().into()).collect();
        job.printer_state_message = message.into();
        if stopped {
            job.set_reason("printer-stopped");
        } else {
            job.clear_reason("printer-stopped");
        }
    }
    events::emit_printer(s, EventKind::PrinterStateChanged, &device, now);
    events::emit_job(s, EventKind::JobStateChanged, id, now);
    let mut effects = vec![Effect::PersistJob(id)];
    effects.extend(crate::failover::device_changed(s, id, now));
    effects
}

/// A device attribute (marker-levels, printer-alert…) reported while printing.
pub fn device_attribute(s: &mut Scheduler, id: i32, run_id: u32, attr: Attribute) -> Vec<Effect> {
    let Some(device) = current(s, id, run_id) else { return Vec::new() };
    let Some(p) = s.printer_mut(&device) else { return Vec::new() };
    let attr = crate::device_text::attribute(&attr);
    match p.device.attributes.iter_mut().find(|a| a.name == attr.name) {
        Some(slot) => *slot = attr,
        None => p.device.attributes.push(attr),
    }
    Vec::new()
}
