//! Notification events (RFC 3995) queued on matching subscriptions for pull delivery.

use crate::model::{Event, Scheduler, Subscription};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    JobCreated,
    JobCompleted,
    JobStateChanged,
    JobStopped,
    JobConfigChanged,
    JobProgress,
    PrinterStateChanged,
    PrinterStopped,
    PrinterConfigChanged,
    PrinterAdded,
    PrinterDeleted,
    PrinterModified,
    PrinterQueueOrderChanged,
}

impl EventKind {
    pub fn keyword(self) -> &'static str {
        use EventKind::*;
        match self {
            JobCreated => "job-created",
            JobCompleted => "job-completed",
            JobStateChanged => "job-state-changed",
            JobStopped => "job-stopped",
            JobConfigChanged => "job-config-changed",
            JobProgress => "job-progress",
            PrinterStateChanged => "printer-state-changed",
            PrinterStopped => "printer-stopped",
            PrinterConfigChanged => "printer-config-changed",
            PrinterAdded => "printer-added",
            PrinterDeleted => "printer-deleted",
            PrinterModified => "printer-modified",
            PrinterQueueOrderChanged => "printer-queue-order-changed",
        }
    }

    /// RFC 3995 section 5.3.3.4: subscribing to a parent event includes its children.
    fn parent(self) -> Option<&'static str> {
        use EventKind::*;
        match self {
            JobCreated | JobCompleted | JobStopped => Some("job-state-changed"),
            PrinterStopped => Some("printer-state-changed"),
            PrinterAdded | PrinterDeleted | PrinterModified => Some("printer-config-changed"),
            _ => None,
        }
    }
}

pub const SUPPORTED_EVENTS: &[&str] = &[
    "job-completed",
    "job-config-changed",
    "job-created",
    "job-progress",
    "job-state-changed",
    "job-stopped",
    "printer-added",
    "printer-changed",
    "printer-config-changed",
    "printer-deleted",
    "printer-modified",
    "printer-queue-order-changed",
    "printer-restarted",
    "printer-shutdown",
    "printer-state-changed",
    "printer-stopped",
    "server-audit",
    "server-restarted",
    "server-started",
    "server-stopped",
];

fn wants(sub: &Subscription, kind: EventKind) -> bool {
    sub.events
        .iter()
        .any(|e| e == kind.keyword() || e == "all" || Some(e.as_str()) == kind.parent())
}

pub fn emit_job(s: &mut Scheduler, kind: EventKind, job_id: i32, now: i64) {
    let Some(job) = s.jobs.get(&job_id) else { return };
    let text = format!("Job #{job_id} {}: {}", kind.keyword(), job.state.keyword());
    emit_job_text(s, kind, job_id, &text, now);
}

/// A job event whose `notify-text` is `text`.
pub fn emit_job_text(s: &mut Scheduler, kind: EventKind, job_id: i32, text: &str, now: i64) {
    let Some(job) = s.jobs.get(&job_id) else { return };
    let printer = job.printer.to_string();
    let job_state = Some((
        job.state as i32,
        job.state_reasons.iter().map(|r| r.to_string()).collect::<Vec<String>>(),
    ));
    let printer_state =
        s.printer(&printer).map(|p| (p.state as i32, p.state_reasons.clone(), p.accepting));
    let max = s.settings.max_events;
    for sub in s.subscriptions.values_mut() {
        let scoped = match (sub.job_id, &sub.printer) {
            (Some(j), _) => j == job_id,
            (None, Some(p)) => p.eq_ignore_ascii_case(&printer),
            (None, None) => true,
        };
        if scoped && wants(sub, kind) {
            push(
                sub,
                kind,
                text,
                now,
                Some(printer.clone()),
                Some(job_id),
                printer_state.clone(),
                job_state.clone(),
                max,
            );
        }
    }
}

pub fn emit_printer(s: &mut Scheduler, kind: EventKind, printer: &str, now: i64) {
    let printer_state =
        s.printer(printer).map(|p| (p.state as i32, p.state_reasons.clone(), p.accepting));
    let text = format!("Printer \"{printer}\" {}.", kind.keyword());
    let max = s.settings.max_events;
    for sub in s.subscriptions.values_mut() {
        let scoped = sub.job_id.is_none()
            && sub.printer.as_ref().is_none_or(|p| p.eq_ignore_ascii_case(printer));
        if scoped && wants(sub, kind) {
            push(
                sub,
                kind,
                &text,
                now,
                Some(printer.to_string()),
                None,
                printer_state.clone(),
                None,
                max,
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn push(
    sub: &mut Subscription,
    kind: EventKind,
    text: &str,
    now: i64,
    printer: Option<String>,
    job_id: Option<i32>,
    printer_state: Option<(i32, Vec<String>, bool)>,
    job_state: Option<(i32, Vec<String>)>,
    max: usize,
) {
    sub.pending.push_back(Event {
        sequence: sub.next_sequence,
        subscribed_event: kind.keyword().to_string(),
        text: text.to_string(),
        time: now,
        printer,
        job_id,
        printer_state,
        job_state,
    });
    sub.next_sequence += 1;
    while sub.pending.len() > max.max(1) {
        sub.pending.pop_front();
    }
}
