//! Printers and classes, and what a device reports about itself while it prints.

use super::{FailoverPolicy, Security, SplitPolicy, Trust};
pub use quire_ipp::PrinterState;
use quire_ipp::{Attribute, DelimiterTag, Group};
use std::collections::HashMap;
use std::sync::{Arc, Weak};

/// A printer or a class (a class has members and no device).
#[derive(Debug, Clone, PartialEq)]
pub struct Printer {
    pub name: String,
    pub id: i32,
    pub uuid: String,
    pub is_class: bool,
    /// Class members, by printer name.
    pub members: Vec<String>,
    pub device_uri: String,
    pub ppd_name: String,
    pub info: String,
    pub location: String,
    pub make_and_model: String,
    pub state: PrinterState,
    pub state_reasons: Vec<String>,
    pub state_message: String,
    pub accepting: bool,
    pub shared: bool,
    pub hold_new_jobs: bool,
    pub state_change_time: i64,
    pub config_change_time: i64,
    /// Capabilities: the `*-supported`, `*-default` and `*-ready` attributes and other
    /// device facts, from the device (`-m everywhere`) or Quire's generic set.
    /// Shared with the printers that have the same set ([`CapabilitySets`]); copied when
    /// one of them changes it.
    pub capabilities: Arc<Vec<Attribute>>,
    /// `requesting-user-name-allowed`/`-denied` (lpadmin -u).
    pub users_allowed: Vec<String>,
    pub users_denied: Vec<String>,
    pub error_policy: String,
    pub op_policy: String,
    pub job_sheets_default: (String, String),
    /// The `*-default` attributes an administrator set (`lpadmin -o NAME-default=VALUE`,
    /// cupsd's `Option NAME VALUE` lines), by name: their values are among `capabilities`.
    pub option_defaults: Vec<String>,
    /// What the device last reported while printing. Not persisted: the next job asks
    /// the device again.
    pub device: DeviceStatus,
    /// The security facts in effect: set by an administrator, or the device's claim once an
    /// administrator confirmed it; the defaults (no protection) otherwise.
    pub security: Security,
    /// Who vouches for `security` (the `security` module says what they vouch for).
    pub trust: Trust,
    /// What the device said about itself (`-m everywhere`, CUPS-Create-Local-Printer): shown,
    /// never relied on.
    pub claim: Option<Security>,
    /// Made by CUPS-Create-Local-Printer for a local user (`printer-is-temporary`): not
    /// saved, deleted once unused, never trusted.
    pub temporary: bool,
    /// The queue's policy for splitting jobs between printers.
    pub split: SplitPolicy,
    /// The queue's failover policy (what happens to a job when its printer stops).
    pub failover: FailoverPolicy,
    /// A release queue: every job sent here is confidential (`quire-confidential-default`).
    pub confidential_default: bool,
}

/// The device's own state as its backend reports it, shown on the queue beside the
/// queue's own reasons (cupsd's backend `STATE:`/`ATTR:` lines, IPP printer-state).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceStatus {
    /// `printer-state-reasons` keywords as the device spells them ("media-empty-error").
    pub reasons: Vec<String>,
    pub message: String,
    /// Device attributes (marker-levels, printer-alert…).
    pub attributes: Vec<Attribute>,
}

impl DeviceStatus {
    /// A reason that stops printing until someone acts (RFC 8011 §5.4.12 "-error" suffix;
    /// a bare keyword counts as an error too).
    pub fn is_stopped(&self) -> bool {
        self.reasons.iter().any(|r| !r.ends_with("-report") && !r.ends_with("-warning"))
    }
}

impl Printer {
    pub fn capability(&self, name: &str) -> Option<&Attribute> {
        self.capabilities.iter().find(|a| a.name == name)
    }
    pub fn set_capability(&mut self, attr: Attribute) {
        let caps = Arc::make_mut(&mut self.capabilities);
        match caps.iter_mut().find(|a| a.name == attr.name) {
            Some(slot) => *slot = attr,
            None => caps.push(attr),
        }
    }
    /// `printer-state-reasons`: the queue's own reasons, then the device's.
    pub fn state_reasons_all(&self) -> impl Iterator<Item = &str> {
        self.state_reasons
            .iter()
            .chain(self.device.reasons.iter().filter(|r| !self.state_reasons.contains(r)))
            .map(String::as_str)
    }
    /// `printer-state-message`: the device's message while it reports one.
    pub fn state_message_shown(&self) -> &str {
        if self.device.message.is_empty() {
            &self.state_message
        } else {
            &self.device.message
        }
    }
    pub fn resource(&self) -> String {
        let dir = if self.is_class { "classes" } else { "printers" };
        format!("/{dir}/{}", self.name)
    }
}

/// The capability sets printers hold, by their encoding: the queues of one model (every raw
/// queue, every queue made from one PPD or one device's answer) share one decoded set rather
/// than each holding ~20 KiB of values.
#[derive(Debug, Clone, Default)]
pub struct CapabilitySets(HashMap<Vec<u8>, Weak<Vec<Attribute>>>);

impl CapabilitySets {
    /// Distinct sets remembered before those no printer holds any more are forgotten.
    const PRUNE_AT: usize = 1024;

    /// The set equal to `caps` that printers already share, or `caps` now shared.
    pub fn share(&mut self, caps: Vec<Attribute>) -> Arc<Vec<Attribute>> {
        let mut group = Group::new(DelimiterTag::Printer);
        group.attributes = caps;
        let key = group.encode();
        if let Some(set) = self.0.get(&key).and_then(Weak::upgrade) {
            return set;
        }
        if self.0.len() >= Self::PRUNE_AT {
            self.0.retain(|_, set| set.strong_count() > 0);
        }
        let set = Arc::new(group.attributes);
        self.0.insert(key, Arc::downgrade(&set));
        set
    }
}
