//! IPP/2.2 (PWG 5100.12 section 6.4) printer attributes derived from the printer's state:
//! `printer-alert` / `printer-alert-description` (PWG 5100.9), and the lists of settable
//! attributes.

use crate::model::{Printer, PrinterState};
use quire_ipp::{Attribute, Value};

/// (state reason, PrtAlertCodeTC code, severity, PrtAlertGroupTC group, description).
const REASON_ALERTS: &[(&str, &str, &str, &str, &str)] = &[
    ("media-empty", "inputMediaSupplyEmpty", "critical", "input", "Out of paper."),
    ("media-needed", "inputMediaSupplyEmpty", "critical", "input", "Paper needed."),
    ("media-low", "inputMediaSupplyLow", "warning", "input", "Paper is low."),
    ("media-jam", "jam", "critical", "mediaPath", "Paper jam."),
    ("door-open", "doorOpen", "critical", "cover", "A door is open."),
    ("cover-open", "coverOpen", "critical", "cover", "A cover is open."),
    ("toner-empty", "markerTonerEmpty", "critical", "marker", "Toner is empty."),
    ("toner-low", "markerTonerAlmostEmpty", "warning", "marker", "Toner is low."),
    (
        "marker-supply-empty",
        "markerSupplyEmpty",
        "critical",
        "markerSupplies",
        "Ink or toner is empty.",
    ),
    (
        "marker-supply-low",
        "markerSupplyAlmostEmpty",
        "warning",
        "markerSupplies",
        "Ink or toner is low.",
    ),
    ("output-area-full", "outputMediaTrayFull", "critical", "output", "The output tray is full."),
    ("offline-report", "other", "critical", "general", "The printer is offline."),
    ("paused", "other", "warning", "general", "The queue is paused."),
    ("shutdown", "powerDown", "warning", "general", "The printer is shut down."),
];

/// One alert per state reason Quire can describe; with nothing to report, one
/// informational entry for the ready state (the attribute is required and a 1setOf
/// cannot be empty).
pub fn printer_alerts(p: &Printer) -> (Vec<Value>, Vec<Value>) {
    let mut alerts = Vec::new();
    let mut texts = Vec::new();
    for reason in p.state_reasons_all() {
        let base = reason
            .trim_end_matches("-error")
            .trim_end_matches("-warning")
            .trim_end_matches("-report");
        if let Some((_, code, severity, group, text)) = REASON_ALERTS.iter().find(|a| a.0 == base) {
            alerts.push(Value::OctetString(
                format!("code={code};severity={severity};group={group}").into_bytes(),
            ));
            texts.push(Value::Text((*text).to_string()));
        }
    }
    if alerts.is_empty() {
        let text = match p.state {
            PrinterState::Stopped => "The queue is stopped.",
            _ => "Ready.",
        };
        alerts.push(Value::OctetString(b"code=other;severity=other;group=general".to_vec()));
        texts.push(Value::Text(text.to_string()));
    }
    (alerts, texts)
}

/// `job-settable-attributes-supported` and `printer-settable-attributes-supported`.
pub fn settable_attributes() -> (Attribute, Attribute) {
    let kws = |name: &str, v: &[&str]| {
        Attribute::set(name, v.iter().map(|s| Value::Keyword(s.to_string())).collect())
    };
    (
        kws("job-settable-attributes-supported", super::settable::JOB_ATTRIBUTES),
        kws(
            "printer-settable-attributes-supported",
            &[super::settable::PRINTER_ATTRIBUTES, super::settable::VENDOR_ATTRIBUTES].concat(),
        ),
    )
}
