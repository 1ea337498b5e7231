//! `dbus://`: the signals of cupsd's D-Bus notifier (CUPS 2.4 notifier/dbus.c), sent on the
//! system bus (`DBUS_SYSTEM_BUS_ADDRESS` when set) from `/org/cups/cupsd/Notifier`, interface
//! `org.cups.cupsd.Notifier`, with its signal names and argument signatures:
//! server events `(s)`: text; printer events `(sssusb)`: text, printer-uri, printer-name,
//! printer-state, printer-state-reasons (comma-separated), printer-is-accepting-jobs; job
//! events `(sssusbuussu)`: those, then job-id, job-state, job-state-reasons, job-name,
//! job-impressions-completed. A bus that goes away is logged and connected again at the next
//! event; events in between are lost, as with cupsd.

use super::lane::Lane;
use quire_core::model::{Event, Push};
use std::sync::Arc;
use std::time::Duration;
use zbus::Connection;

const PATH: &str = "/org/cups/cupsd/Notifier";
const INTERFACE: &str = "org.cups.cupsd.Notifier";
/// How long connecting or sending may take before the bus counts as gone.
const WAIT: Duration = Duration::from_secs(5);

/// The signal for an event and its arguments; None for events cupsd sends no signal for.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    Server(&'static str, String),
    Printer(&'static str, PrinterArgs),
    Job(&'static str, PrinterArgs, JobArgs),
}

type PrinterArgs = (String, String, String, u32, String, bool);
type JobArgs = (u32, u32, String, String, u32);

pub fn signal(ev: &Event) -> Option<Signal> {
    let name = ev.subscribed_event.as_str();
    let member = member(name)?;
    let text = ev.text.clone();
    if name.starts_with("server-") {
        return Some(Signal::Server(member, text));
    }
    let printer = match (&ev.printer_uri, &ev.printer, &ev.printer_state) {
        (Some(uri), Some(p), Some((state, reasons, accepting))) => {
            (text, uri.clone(), p.clone(), *state as u32, reasons_text(reasons), *accepting)
        }
        // No queue: empty values, as cupsd's notifier sends them.
        _ => (text, String::new(), String::new(), 0, String::new(), false),
    };
    if !name.starts_with("job-") {
        return Some(Signal::Printer(member, printer));
    }
    let (state, reasons) = ev.job_state.clone()?;
    let job = (
        ev.job_id? as u32,
        state as u32,
        reasons_text(&reasons),
        ev.job_name.clone().unwrap_or_default(),
        ev.job_impressions.max(0) as u32,
    );
    Some(Signal::Job(member, printer, job))
}

/// cupsd's signal name for an event (notifier/dbus.c's table).
fn member(event: &str) -> Option<&'static str> {
    Some(match event {
        "server-restarted" => "ServerRestarted",
        "server-started" => "ServerStarted",
        "server-stopped" => "ServerStopped",
        "server-audit" => "ServerAudit",
        "printer-restarted" => "PrinterRestarted",
        "printer-shutdown" => "PrinterShutdown",
        "printer-stopped" => "PrinterStopped",
        "printer-state-changed" => "PrinterStateChanged",
        "printer-finishings-changed" => "PrinterFinishingsChanged",
        "printer-media-changed" => "PrinterMediaChanged",
        "printer-added" => "PrinterAdded",
        "printer-deleted" => "PrinterDeleted",
        "printer-modified" => "PrinterModified",
        "job-state-changed" => "JobState",
        "job-created" => "JobCreated",
        "job-completed" => "JobCompleted",
        "job-stopped" => "JobStopped",
        "job-config-changed" => "JobConfigChanged",
        "job-progress" => "JobProgress",
        _ => return None,
    })
}

fn reasons_text(reasons: &[String]) -> String {
    if reasons.is_empty() {
        "none".into()
    } else {
        reasons.join(",")
    }
}

/// Sends every event of the lane as its signal, connecting (again) when needed.
pub async fn run(lane: Arc<Lane<Push>>, address: Option<String>) {
    let mut bus: Option<Connection> = None;
    let mut down = false;
    loop {
        let push = lane.pop().await;
        let Some(sig) = signal(&push.event) else { continue };
        // Once more on a fresh connection if the one we had is gone.
        for _ in 0..2 {
            if bus.is_none() {
                match tokio::time::timeout(WAIT, connect(address.as_deref())).await {
                    Ok(Ok(c)) => {
                        if down {
                            tracing::info!("D-Bus: connected to the system bus again");
                        }
                        down = false;
                        bus = Some(c);
                    }
                    Ok(Err(e)) => {
                        gone(&mut down, &e.to_string());
                        break;
                    }
                    Err(_) => {
                        gone(&mut down, "no answer");
                        break;
                    }
                }
            }
            let Some(c) = &bus else { break };
            match tokio::time::timeout(WAIT, send(c, &sig)).await {
                Ok(Ok(())) => break,
                Ok(Err(e)) => tracing::warn!("D-Bus: sending a signal failed ({e}); reconnecting"),
                Err(_) => tracing::warn!("D-Bus: sending a signal took too long; reconnecting"),
            }
            bus = None;
        }
    }
}

/// The system bus: at `address` when one is configured, else as the environment says.
async fn connect(address: Option<&str>) -> zbus::Result<Connection> {
    match address {
        Some(a) => zbus::connection::Builder::address(a)?.build().await,
        None => Connection::system().await,
    }
}

fn gone(down: &mut bool, why: &str) {
    if !*down {
        tracing::warn!(
            "D-Bus: cannot reach the system bus ({why}); dbus:// notifications are lost until it \
             is back"
        );
    }
    *down = true;
}

async fn send(c: &Connection, sig: &Signal) -> zbus::Result<()> {
    let none: Option<&str> = None;
    match sig {
        Signal::Server(m, text) => c.emit_signal(none, PATH, INTERFACE, *m, &(text,)).await,
        Signal::Printer(m, p) => c.emit_signal(none, PATH, INTERFACE, *m, p).await,
        Signal::Job(m, p, j) => {
            let body = (&p.0, &p.1, &p.2, p.3, &p.4, p.5, j.0, j.1, &j.2, &j.3, j.4);
            c.emit_signal(none, PATH, INTERFACE, *m, &body).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, job: bool) -> Event {
        Event {
            sequence: 1,
            subscribed_event: name.into(),
            text: "Job completed.".into(),
            time: 0,
            printer: Some("q".into()),
            job_id: job.then_some(7),
            printer_state: Some((3, vec![], true)),
            job_state: job.then(|| (9, vec!["job-completed-successfully".into()])),
            job_name: job.then(|| "report".into()),
            job_impressions: 2,
            printer_uri: Some("ipp://localhost/printers/q".into()),
        }
    }

    #[test]
    fn cupsds_signal_names_and_arguments() {
        let Some(Signal::Job(member, p, j)) = signal(&event("job-completed", true)) else {
            panic!("a job signal")
        };
        assert_eq!(member, "JobCompleted");
        assert_eq!(p.4, "none", "no reasons is \"none\", as cupsd sends it");
        assert_eq!(j, (7, 9, "job-completed-successfully".into(), "report".into(), 2));
        let Some(Signal::Printer(member, _)) = signal(&event("printer-stopped", false)) else {
            panic!("a printer signal")
        };
        assert_eq!(member, "PrinterStopped");
        assert_eq!(
            signal(&event("job-state-changed", true)).map(|s| match s {
                Signal::Job(m, ..) => m,
                _ => "",
            }),
            Some("JobState")
        );
        // cupsd's notifier sends nothing for these.
        assert_eq!(signal(&event("printer-config-changed", false)), None);
        assert_eq!(signal(&event("printer-queue-order-changed", false)), None);
    }
}
