//! A queue's failover policy and a job's failover record (its rules are in the
//! `failover` module).

use crate::effect::Effect;
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// Grace time when the queue sets none.
pub const DEFAULT_GRACE: i64 = 30;

/// Whether, and how, a job's remainder moves when its printer stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailoverMode {
    #[default]
    None,
    /// Quire picks the qualifying printer that finishes the remainder soonest.
    Auto,
    /// The job waits and the user picks (`quire failover`, or CUPS-Move-Job).
    Manual,
}

impl FailoverMode {
    pub fn keyword(self) -> &'static str {
        v::FAILOVER_MODES[self as usize]
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        [Self::None, Self::Auto, Self::Manual]
            .into_iter()
            .find(|m| m.keyword().eq_ignore_ascii_case(s))
    }
}

/// A queue's failover policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailoverPolicy {
    pub mode: FailoverMode,
    /// Seconds the printer may stay stopped before the job moves.
    pub grace: i64,
}

impl Default for FailoverPolicy {
    fn default() -> Self {
        FailoverPolicy { mode: FailoverMode::None, grace: DEFAULT_GRACE }
    }
}

impl FailoverPolicy {
    pub fn attributes(&self) -> Vec<Attribute> {
        vec![
            Attribute::new(v::FAILOVER_DEFAULT, Value::Keyword(self.mode.keyword().into())),
            Attribute::new(
                v::FAILOVER_GRACE_TIME,
                Value::Integer(self.grace.clamp(0, 86400) as i32),
            ),
        ]
    }

    /// Applies one of the settable attributes. `Ok(false)`: not a failover attribute.
    pub fn set(&mut self, attr: &Attribute) -> Result<bool, String> {
        match attr.name.as_str() {
            v::FAILOVER_DEFAULT => {
                let word = attr.first_str().unwrap_or("");
                self.mode = FailoverMode::from_keyword(word).ok_or_else(|| {
                    format!("Unknown {} \"{word}\" (none, auto or manual).", attr.name)
                })?;
            }
            v::FAILOVER_GRACE_TIME => {
                let n = v::integer_value(attr).filter(|n| (0..=86400).contains(n));
                self.grace = i64::from(
                    n.ok_or_else(|| format!("Bad {} value: seconds, 0 to 86400.", attr.name))?,
                );
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Where a job's failover stands (`quire-failover-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Watching,
    AwaitingChoice,
    NoQualified,
    HandingOff,
    FailedOver,
    /// The printer recovered before the hand-off; the watch ended.
    Resumed,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Watching,
        Phase::AwaitingChoice,
        Phase::NoQualified,
        Phase::HandingOff,
        Phase::FailedOver,
        Phase::Resumed,
    ];
    pub fn keyword(self) -> &'static str {
        v::FAILOVER_STATES[self as usize]
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.keyword() == s)
    }
    /// The printer stopped and the job has not moved yet: a recovery resumes it there.
    pub fn is_waiting(self) -> bool {
        matches!(self, Phase::Watching | Phase::AwaitingChoice | Phase::NoQualified)
    }
}

/// A job's failover record (persisted with the job).
#[derive(Debug, Clone, PartialEq)]
pub struct Failover {
    pub phase: Phase,
    /// The printer that stopped.
    pub from: String,
    /// When the phase began (watching: when the fault was first seen).
    pub since: i64,
    /// The printer the remainder goes to (handing-off, failed-over).
    pub target: Option<String>,
    /// What the printer reported ("media-empty-error: Out of paper.").
    pub fault: String,
    /// Every decision, oldest first (`quire-failover-log`).
    pub log: Vec<String>,
}

/// "14:03:07Z": the time of a decision, in the log.
fn stamp(now: i64) -> String {
    let t = quire_ipp::DateTime::from_unix_utc(now);
    format!("{:02}:{:02}:{:02}Z", t.hour, t.minutes, t.seconds)
}

/// One `quire-failover-log` entry.
pub fn log_line(now: i64, text: &str) -> String {
    format!("{} {text}", stamp(now))
}

impl Failover {
    pub(crate) fn note(&mut self, now: i64, text: &str, effects: &mut Vec<Effect>, job_id: i32) {
        self.log.push(log_line(now, text));
        effects.push(Effect::Log(format!("[Job {job_id}] failover: {text}")));
    }
}
