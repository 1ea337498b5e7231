//! Push delivery of notifications (`notify-recipient-uri`), inside quired: the core queues
//! events for push subscriptions in its outbox; the scheduler task hands them here and goes
//! on. Each scheme has its own bounded lane and task, so a slow SMTP server never holds up a
//! D-Bus signal and nothing here ever blocks the scheduler or grows without bound (a full
//! lane drops its oldest event, with a log line).

mod dbus;
mod lane;
mod mail;
mod rss;

pub use rss::serve_path as rss_file;

use lane::Lane;
use quire_core::model::Push;
use std::path::PathBuf;
use std::sync::Arc;

/// The schemes quired delivers (`notify-schemes-supported`).
pub const SCHEMES: &[&str] = &["dbus", "mailto", "rss"];

/// What the notifiers need from the configuration.
#[derive(Debug, Clone)]
pub struct Setup {
    /// ServerRoot/mailto.conf.
    pub mailto_conf: PathBuf,
    /// CacheDir: RSS feeds are written to CacheDir/rss.
    pub cache_dir: PathBuf,
    pub server_name: String,
    /// ServerAdmin: the mail sender when mailto.conf names none.
    pub server_admin: Option<String>,
    /// cups-files.conf's `SetEnv DBUS_SYSTEM_BUS_ADDRESS`, which cupsd gives its D-Bus
    /// notifier (None: quired's own environment, or the standard system bus).
    pub bus_address: Option<String>,
}

/// The sending side of the lanes; cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    dbus: Arc<Lane<Push>>,
    mail: Arc<Lane<Push>>,
    rss: Arc<Lane<Push>>,
}

impl Notifier {
    /// Starts one task per scheme on the current Tokio runtime.
    pub fn start(setup: &Setup) -> Notifier {
        let dbus = Arc::new(Lane::new("dbus", 1024));
        let mail = Arc::new(Lane::new("mailto", 256));
        let rss = Arc::new(Lane::new("rss", 1024));
        tokio::spawn(dbus::run(dbus.clone(), setup.bus_address.clone()));
        tokio::spawn(mail::run(mail.clone(), setup.clone()));
        tokio::spawn(rss::run(rss.clone(), setup.cache_dir.join("rss")));
        Notifier { dbus, mail, rss }
    }

    /// Hands over what the core's outbox held; `dropped` events never made it that far.
    pub fn submit(&self, pushes: Vec<Push>, dropped: u64) {
        if dropped > 0 {
            tracing::warn!("Notifications: {dropped} push events dropped (outbox full)");
        }
        for p in pushes {
            let lane = match p.recipient.split(':').next() {
                Some("dbus") => &self.dbus,
                Some("mailto") => &self.mail,
                Some("rss") => &self.rss,
                _ => continue,
            };
            lane.push(p);
        }
    }
}

/// A one-line subject for an event, as libcups's cupsNotifySubject words it: "Print Job:
/// PRINTER-ID (NAME) STATE" or "Printer: NAME STATE", else the event's name. Control
/// characters (a job name is the client's) become spaces.
pub fn subject(ev: &quire_core::model::Event) -> String {
    let text = match (&ev.printer, ev.job_id, &ev.job_state, &ev.printer_state) {
        (Some(p), Some(id), Some((state, _)), _) => {
            let state = quire_ipp::JobState::from_i32(*state).map_or("unknown", |s| match s {
                quire_ipp::JobState::Held => "held",
                quire_ipp::JobState::Stopped => "stopped",
                s => s.keyword(),
            });
            let name = ev.job_name.as_deref().filter(|n| !n.is_empty()).unwrap_or("untitled");
            format!("Print Job: {p}-{id} ({name}) {state}")
        }
        (Some(p), None, _, Some((state, _, _))) => {
            let state =
                quire_ipp::PrinterState::from_i32(*state).map_or("unknown", |s| s.keyword());
            format!("Printer: {p} {state}")
        }
        _ => ev.subscribed_event.clone(),
    };
    one_line(&text)
}

/// `text` with every control character made a space.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
