//! What one backend run has reported so far, mirrored onto [`Progress`] the way cupsd's
//! update_job applies status lines to the printer and job.

use super::status::{self, Level, StateChange, StatusLine};
use crate::Progress;

pub struct Session<'p> {
    progress: &'p mut dyn Progress,
    job_id: i32,
    /// The device's printer-state-reasons as the backend set them.
    reasons: Vec<String>,
    /// The last message above debug level: the printer-state-message.
    message: String,
    /// The last `ERROR:` (or worse) message, to explain a failure.
    last_error: Option<String>,
    impressions: i32,
}

impl<'p> Session<'p> {
    pub fn new(progress: &'p mut dyn Progress, job_id: i32) -> Self {
        Session {
            progress,
            job_id,
            reasons: Vec::new(),
            message: String::new(),
            last_error: None,
            impressions: 0,
        }
    }

    /// The best explanation of a failure: the last error message, else the last message.
    pub fn failure_message(&self, default: &str) -> String {
        match (&self.last_error, self.message.is_empty()) {
            (Some(e), _) if !e.is_empty() => e.clone(),
            (_, false) => self.message.clone(),
            _ => default.to_string(),
        }
    }

    /// Applies one raw stderr line.
    pub fn handle(&mut self, raw: &[u8]) {
        let Some(line) = status::parse_bytes(raw) else { return };
        let job = self.job_id;
        match line {
            StatusLine::Message { level, text } => self.message(level, text),
            StatusLine::State(change) => {
                tracing::debug!("[Job {job}] STATE: {change:?}");
                if self.apply(change) {
                    self.report_state();
                }
            }
            StatusLine::Page { copies } => {
                self.set_impressions(self.impressions.saturating_add(copies))
            }
            StatusLine::PageTotal(total) => self.set_impressions(total),
            StatusLine::Attr(pairs) => {
                for (name, value) in pairs {
                    tracing::debug!("[Job {job}] ATTR: {name}={value}");
                    if let Some(attr) = status::printer_attribute(&name, &value) {
                        self.progress.printer_attribute(attr);
                    }
                }
            }
            StatusLine::JobState(keyword) => {
                tracing::debug!("[Job {job}] JOBSTATE: {keyword} (ignored)")
            }
            StatusLine::Ppd(pairs) => tracing::debug!("[Job {job}] PPD: {pairs:?} (ignored)"),
        }
    }

    fn message(&mut self, level: Level, text: String) {
        let job = self.job_id;
        match level {
            Level::Emerg | Level::Alert | Level::Crit | Level::Error => {
                tracing::error!("[Job {job}] {text}")
            }
            Level::Warning => tracing::warn!("[Job {job}] {text}"),
            Level::Notice => tracing::info!("[Job {job}] {text}"),
            // cupsd logs INFO: lines at debug level too: they are for the status line.
            Level::Info | Level::Debug | Level::Debug2 => tracing::debug!("[Job {job}] {text}"),
        }
        if level.is_error() {
            self.last_error = Some(text.clone());
        }
        if level.sets_message() && text != self.message {
            self.message = text;
            self.report_state();
        }
    }

    /// Applies a STATE: change; true when the set changed. "paused" asks cupsd to stop the
    /// queue, which a backend cannot do here; it is not a device reason.
    fn apply(&mut self, change: StateChange) -> bool {
        let before = self.reasons.clone();
        match change {
            StateChange::Set(list) => self.reasons = list,
            StateChange::Add(list) => {
                for r in list {
                    if !self.reasons.contains(&r) {
                        self.reasons.push(r);
                    }
                }
            }
            StateChange::Remove(list) => self.reasons.retain(|r| !list.contains(r)),
        }
        self.reasons.retain(|r| r != "paused");
        self.reasons != before
    }

    fn report_state(&mut self) {
        self.progress.printer_state(self.reasons.clone(), self.message.clone());
    }

    /// Impressions never go down within a run (a smaller total is ignored, as cupsd does).
    fn set_impressions(&mut self, impressions: i32) {
        if impressions > self.impressions {
            self.impressions = impressions;
            self.progress.pages(impressions);
        }
    }
}
