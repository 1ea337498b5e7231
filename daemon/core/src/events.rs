//! Notification events (RFC 3995) queued on matching subscriptions for pull delivery, and
//! put in the scheduler's outbox for push delivery (`notify-recipient-uri`).

use crate::model::{Event, JobState, PrinterState, Push, Scheduler, Subscription};

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

/// The `notify-text` of a job event, worded as cupsd words the common ones (desktop
/// notifiers show it).
fn job_text(kind: EventKind, id: i32, state: JobState) -> String {
    use EventKind::*;
    match (kind, state) {
        (JobCreated, _) => "Job created.".into(),
        (JobCompleted, JobState::Completed) => "Job completed.".into(),
        (JobCompleted, JobState::Canceled) => "Job canceled.".into(),
        (JobCompleted, JobState::Aborted) => "Job aborted.".into(),
        (JobStateChanged, JobState::Processing) => format!("Job #{id} started."),
        (JobStateChanged, JobState::Held) => "Job held.".into(),
        (JobStopped, _) => "Job stopped.".into(),
        (JobConfigChanged, _) => "Job attributes changed.".into(),
        _ => format!("Job #{id} state changed to {}.", state.keyword()),
    }
}

/// The `notify-text` of a printer event.
fn printer_text(kind: EventKind, printer: &str, state: Option<PrinterState>) -> String {
    use EventKind::*;
    match kind {
        PrinterStateChanged | PrinterStopped => format!(
            "Printer \"{printer}\" state changed to {}.",
            state.map_or("unknown", PrinterState::keyword)
        ),
        PrinterAdded => format!("Printer \"{printer}\" added."),
        PrinterDeleted => format!("Printer \"{printer}\" deleted."),
        PrinterModified => format!("Printer \"{printer}\" modified."),
        _ => format!("Printer \"{printer}\" {}.", kind.keyword()),
    }
}

pub fn emit_job(s: &mut Scheduler, kind: EventKind, job_id: i32, now: i64) {
    let Some(job) = s.jobs.get(&job_id) else { return };
    let text = job_text(kind, job_id, job.state);
    emit_job_text(s, kind, job_id, &text, now);
}

/// `ipp://ServerName/printers/NAME` (or `/classes/`): the queue as push events name it.
fn queue_uri(s: &Scheduler, printer: &str) -> String {
    let path = match s.printer(printer) {
        Some(p) => p.resource(),
        None => format!("/printers/{printer}"),
    };
    format!("ipp://{}{path}", s.settings.server_name)
}

/// A job event whose `notify-text` is `text`.
pub fn emit_job_text(s: &mut Scheduler, kind: EventKind, job_id: i32, text: &str, now: i64) {
    let Some(job) = s.jobs.get(&job_id) else { return };
    let printer = job.printer.to_string();
    let event = Event {
        sequence: 0,
        subscribed_event: kind.keyword().to_string(),
        text: text.to_string(),
        time: now,
        printer_uri: Some(queue_uri(s, &printer)),
        job_id: Some(job_id),
        printer_state: s
            .printer(&printer)
            .map(|p| (p.state as i32, p.state_reasons.clone(), p.accepting)),
        job_state: Some((
            job.state as i32,
            job.state_reasons.iter().map(|r| r.to_string()).collect::<Vec<String>>(),
        )),
        job_name: Some(job.name.to_string()),
        job_impressions: job.impressions_completed,
        printer: Some(printer.clone()),
    };
    deliver(s, kind, &event, |sub| match (sub.job_id, &sub.printer) {
        (Some(j), _) => j == job_id,
        (None, Some(p)) => p.eq_ignore_ascii_case(&printer),
        (None, None) => true,
    });
}

pub fn emit_printer(s: &mut Scheduler, kind: EventKind, printer: &str, now: i64) {
    let p = s.printer(printer);
    let event = Event {
        sequence: 0,
        subscribed_event: kind.keyword().to_string(),
        text: printer_text(kind, printer, p.map(|p| p.state)),
        time: now,
        printer_uri: Some(queue_uri(s, printer)),
        job_id: None,
        printer_state: p.map(|p| (p.state as i32, p.state_reasons.clone(), p.accepting)),
        job_state: None,
        job_name: None,
        job_impressions: 0,
        printer: Some(printer.to_string()),
    };
    deliver(s, kind, &event, |sub| {
        sub.job_id.is_none() && sub.printer.as_ref().is_none_or(|p| p.eq_ignore_ascii_case(printer))
    });
}

/// Queues `event` on every subscription in scope that wants `kind`, and puts it in the
/// outbox for those with a recipient. A D-Bus signal is a broadcast: one per event, however
/// many `dbus://` subscriptions match.
fn deliver(
    s: &mut Scheduler,
    kind: EventKind,
    event: &Event,
    in_scope: impl Fn(&Subscription) -> bool,
) {
    let max = s.settings.max_events.max(1);
    let mut dbus_sent = false;
    for sub in s.subscriptions.values_mut() {
        if !in_scope(sub) || !wants(sub, kind) {
            continue;
        }
        let ev = Event { sequence: sub.next_sequence, ..event.clone() };
        sub.next_sequence += 1;
        if let Some(r) = &sub.recipient_uri {
            let dbus = r.starts_with("dbus:");
            if !(dbus && dbus_sent) {
                s.outbox.push(Push {
                    subscription_id: sub.id,
                    recipient: r.clone(),
                    user_data: sub.user_data.clone(),
                    event: ev.clone(),
                });
            }
            dbus_sent |= dbus;
        }
        sub.pending.push_back(ev);
        while sub.pending.len() > max {
            sub.pending.pop_front();
        }
    }
}
