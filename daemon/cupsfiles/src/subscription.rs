//! subscriptions.conf: cupsd 2.4's saved event subscriptions (`<Subscription N>` blocks),
//! read and written.

use std::path::Path;

use quire_config::{Diagnostic, Loc};

use crate::conf_line::{self, is_space, put, put_tag, ConfLine};

/// cupsd reads subscriptions.conf with a 1024-byte line buffer.
const MAX_LINE: usize = 1023;

/// The most `notify-user-data` octets (RFC 3995).
pub const MAX_USER_DATA: usize = 63;

/// The event names cupsd knows (`notify-events` keywords, and its own groups of them:
/// `printer-changed`, `all`, ...).
pub const EVENT_NAMES: [&str; 23] = [
    "all",
    "printer-restarted",
    "printer-shutdown",
    "printer-stopped",
    "printer-finishings-changed",
    "printer-media-changed",
    "printer-added",
    "printer-deleted",
    "printer-modified",
    "printer-queue-order-changed",
    "printer-state-changed",
    "printer-config-changed",
    "printer-changed",
    "job-created",
    "job-completed",
    "job-stopped",
    "job-config-changed",
    "job-progress",
    "job-state-changed",
    "server-restarted",
    "server-started",
    "server-stopped",
    "server-audit",
];

/// One `<Subscription N>` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    /// `notify-subscription-id`.
    pub id: i32,
    /// `Events`: the `notify-events` names, as written.
    pub events: Vec<String>,
    /// `Owner`: the user who subscribed.
    pub owner: Option<String>,
    /// `Recipient`: `notify-recipient-uri` (none: pull delivery, `ippget`).
    pub recipient: Option<String>,
    /// `JobId`: a job subscription's job (cupsd drops the subscription if the job is gone).
    pub job_id: Option<i32>,
    /// `PrinterName`: a printer subscription's queue (dropped too if the queue is gone).
    pub printer_name: Option<String>,
    /// `UserData`: `notify-user-data`, up to 63 octets.
    pub user_data: Option<Vec<u8>>,
    /// `LeaseDuration` in seconds (0: no expiry); cupsd restarts the lease when it loads.
    pub lease_duration: Option<i32>,
    /// `Interval`: `notify-time-interval`.
    pub interval: Option<i32>,
    /// `ExpirationTime`: Unix seconds (0: never).
    pub expiration_time: Option<i64>,
    /// `NextEventId`: the next `notify-sequence-number`.
    pub next_event_id: Option<i32>,
}

impl SubscriptionRecord {
    pub fn new(id: i32) -> SubscriptionRecord {
        SubscriptionRecord {
            id,
            events: Vec::new(),
            owner: None,
            recipient: None,
            job_id: None,
            printer_name: None,
            user_data: None,
            lease_duration: None,
            interval: None,
            expiration_time: None,
            next_event_id: None,
        }
    }
}

/// The contents of subscriptions.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscriptionsFile {
    /// `NextSubscriptionId`.
    pub next_subscription_id: Option<i32>,
    pub subscriptions: Vec<SubscriptionRecord>,
}

/// subscriptions.conf, with a warning for each line cupsd would complain about. Where cupsd
/// stops reading the file at a bad line, only that line (or that block, if its tag is bad or
/// it is not closed) is left out.
pub fn parse_subscriptions_conf(bytes: &[u8], path: &Path) -> (SubscriptionsFile, Vec<Diagnostic>) {
    let (lines, mut diags) = conf_line::read(bytes, path, MAX_LINE);
    let mut file = SubscriptionsFile::default();
    let mut open: Option<(SubscriptionRecord, usize)> = None;
    let mut ids = std::collections::HashSet::new();
    let mut skipping = false;
    for line in &lines {
        let mut warn = |m: String| diags.push(Diagnostic::warning(&line.value_loc(path), m));
        if line.is("NextSubscriptionId") {
            match line.value.as_deref().and_then(|v| v.parse::<i32>().ok()).filter(|&n| n > 0) {
                Some(n) => file.next_subscription_id = Some(n),
                None => warn("NextSubscriptionId needs a number above 0".into()),
            }
        } else if line.is("<Subscription") || line.is("<Subscription>") {
            if let Some((sub, at)) = open.take() {
                ids.remove(&sub.id);
                diags.push(unterminated(path, at, sub.id, line.line));
            }
            let id = line.value.as_deref().and_then(|v| v.parse::<i32>().ok()).filter(|&n| n > 0);
            skipping = true;
            match id {
                None => diags.push(Diagnostic::warning(
                    &line.value_loc(path),
                    "<Subscription N> expected: this block is skipped",
                )),
                Some(id) if !ids.insert(id) => diags.push(Diagnostic::warning(
                    &line.value_loc(path),
                    format!("a second subscription {id}: this block is skipped"),
                )),
                Some(id) => {
                    skipping = false;
                    open = Some((SubscriptionRecord::new(id), line.line));
                }
            }
        } else if line.is("</Subscription>") {
            match open.take() {
                Some((sub, _)) => file.subscriptions.push(sub),
                None if std::mem::take(&mut skipping) => {}
                None => warn("</Subscription> without a block to close".into()),
            }
        } else if skipping {
            // Part of a block left out: its tag was warned about.
        } else if let Some((sub, _)) = open.as_mut() {
            if let Err(why) = directive(sub, line) {
                warn(why);
            }
        } else {
            warn(format!("{} outside a <Subscription> block", line.name));
        }
    }
    if let Some((sub, at)) = open {
        let end = lines.last().map_or(at, |l| l.line + 1);
        diags.push(unterminated(path, at, sub.id, end));
    }
    (file, diags)
}

fn unterminated(path: &Path, at: usize, id: i32, before: usize) -> Diagnostic {
    Diagnostic::warning(
        &Loc { file: path.to_path_buf(), line: at, col: 1 },
        format!("<Subscription {id}> is not closed before line {before}: it is skipped"),
    )
}

fn directive(sub: &mut SubscriptionRecord, line: &ConfLine) -> Result<(), String> {
    let value = line.value.as_deref().ok_or_else(|| format!("{} needs a value", line.name))?;
    let number = || -> Result<i64, String> {
        // cupsd takes the digits a value starts with; a value that starts otherwise is an error.
        let digits = value.bytes().take_while(u8::is_ascii_digit).count();
        value[..digits]
            .parse()
            .map_err(|_| format!("{} needs a number, not \"{value}\"", line.name))
    };
    let int = || number().and_then(|n| i32::try_from(n).map_err(|_| "number too large".into()));
    match line.name.to_ascii_lowercase().as_str() {
        "events" => return events(sub, value),
        "owner" => sub.owner = Some(value.to_string()),
        "recipient" => sub.recipient = Some(value.to_string()),
        "jobid" => sub.job_id = Some(int()?),
        "printername" => sub.printer_name = Some(value.to_string()),
        // `UserData <` is no data, as cupsd reads it.
        "userdata" => sub.user_data = Some(decode_user_data(value)?).filter(|d| !d.is_empty()),
        "leaseduration" => sub.lease_duration = Some(int()?),
        "interval" => sub.interval = Some(int()?),
        "expirationtime" => sub.expiration_time = Some(number()?),
        "nexteventid" => sub.next_event_id = Some(int()?),
        _ => {
            return Err(format!(
                "unknown subscriptions.conf directive {} (cupsd ignores it)",
                line.name
            ))
        }
    }
    Ok(())
}

/// `Events a b c`: known names are kept, unknown ones left out with a warning.
fn events(sub: &mut SubscriptionRecord, value: &str) -> Result<(), String> {
    let mut unknown = Vec::new();
    for name in value.split(is_space).filter(|n| !n.is_empty()) {
        if !EVENT_NAMES.contains(&name) {
            unknown.push(name);
        } else if !sub.events.iter().any(|e| e == name) {
            sub.events.push(name.to_string());
        }
    }
    match unknown.is_empty() {
        true => Ok(()),
        false => Err(format!("unknown event names left out: {}", unknown.join(" "))),
    }
}

/// cupsd's `UserData` text: octets as they are, a run of them as hex between `<` and `>`.
pub fn decode_user_data(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let (mut out, mut i, mut hex) = (Vec::new(), 0, false);
    while i < bytes.len() {
        if out.len() >= MAX_USER_DATA {
            return Err(format!("UserData longer than {MAX_USER_DATA} octets"));
        }
        if bytes[i] == b'<' && !hex {
            hex = true;
            i += 1;
        }
        if hex {
            let pair = bytes.get(i..i + 2).filter(|p| p.iter().all(u8::is_ascii_hexdigit));
            let pair = pair.and_then(|p| std::str::from_utf8(p).ok());
            let byte = pair.and_then(|p| u8::from_str_radix(p, 16).ok());
            out.push(byte.ok_or_else(|| format!("bad hex in UserData \"{text}\""))?);
            i += 2;
            if bytes.get(i) == Some(&b'>') {
                hex = false;
                i += 1;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// `UserData` as text cupsd reads back: printable ASCII as it is, anything else (and `<`,
/// `#`, which would start hex or a comment) as hex in `<...>`.
pub fn encode_user_data(data: &[u8]) -> String {
    let mut out = String::new();
    let mut hex = false;
    for &b in data.iter().take(MAX_USER_DATA) {
        let plain = (b'!'..=b'~').contains(&b) && b != b'<' && b != b'#';
        match (plain, hex) {
            (true, true) => {
                out.push('>');
                hex = false;
                out.push(char::from(b));
            }
            (true, false) => out.push(char::from(b)),
            (false, false) => {
                out.push_str(&format!("<{b:02X}"));
                hex = true;
            }
            (false, true) => out.push_str(&format!("{b:02X}")),
        }
    }
    if hex {
        out.push('>');
    }
    out
}

impl SubscriptionsFile {
    /// The file's text, as cupsd writes it.
    pub fn to_text(&self) -> String {
        let mut out =
            String::from("# Subscription configuration file for CUPS v2.4\n# Written by Quire\n");
        if let Some(next) = self.next_subscription_id {
            out.push_str(&format!("NextSubscriptionId {next}\n"));
        }
        for sub in &self.subscriptions {
            write_subscription(&mut out, sub);
        }
        out
    }
}

fn write_subscription(out: &mut String, sub: &SubscriptionRecord) {
    put_tag(out, "Subscription", &sub.id.to_string());
    // cupsd cannot read an `Events` line without names back: none is written then.
    if !sub.events.is_empty() {
        put(out, "Events", &sub.events.join(" "));
    }
    let text = [("Owner", &sub.owner), ("Recipient", &sub.recipient)];
    for (name, value) in text {
        if let Some(v) = value {
            put(out, name, v);
        }
    }
    if let Some(id) = sub.job_id {
        out.push_str(&format!("JobId {id}\n"));
    }
    if let Some(name) = &sub.printer_name {
        put(out, "PrinterName", name);
    }
    if let Some(data) = sub.user_data.as_deref().filter(|d| !d.is_empty()) {
        put(out, "UserData", &encode_user_data(data));
    }
    let numbers = [
        ("LeaseDuration", sub.lease_duration.map(i64::from)),
        ("Interval", sub.interval.map(i64::from)),
        ("ExpirationTime", sub.expiration_time),
        ("NextEventId", sub.next_event_id.map(i64::from)),
    ];
    for (name, value) in numbers {
        if let Some(n) = value {
            out.push_str(&format!("{name} {n}\n"));
        }
    }
    out.push_str("</Subscription>\n");
}
