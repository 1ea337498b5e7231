//! Subscriptions (RFC 3995) and the events queued on them.

use std::collections::VecDeque;

/// A subscription (RFC 3995): pull delivery (RFC 3996, ippget) or push to a recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i32,
    pub uuid: String,
    pub owner: String,
    /// Printer the subscription is on (None: server-wide).
    pub printer: Option<String>,
    pub job_id: Option<i32>,
    pub events: Vec<String>,
    pub recipient_uri: Option<String>,
    pub pull_method: Option<String>,
    pub user_data: Option<Vec<u8>>,
    pub charset: String,
    pub language: String,
    pub lease_duration: i32,
    /// Unix seconds when the lease expires (None: never).
    pub expires_at: Option<i64>,
    pub time_interval: i32,
    pub next_sequence: i32,
    pub pending: VecDeque<Event>,
}

/// A notification event queued for pull delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub sequence: i32,
    pub subscribed_event: String,
    pub text: String,
    pub time: i64,
    pub printer: Option<String>,
    pub job_id: Option<i32>,
    /// Snapshot of the object's state at event time.
    pub printer_state: Option<(i32, Vec<String>, bool)>,
    pub job_state: Option<(i32, Vec<String>)>,
    /// The job's name and impressions so far (what push notifiers tell besides the state).
    pub job_name: Option<String>,
    pub job_impressions: i32,
    /// The queue's URI on this server (`ipp://ServerName/printers/NAME`), for push delivery.
    pub printer_uri: Option<String>,
}

/// An event for a push subscription (`notify-recipient-uri`), waiting for the daemon to
/// deliver it off the scheduler task.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub subscription_id: i32,
    /// `dbus://`, `mailto:ADDRESS` or `rss:/NAME.rss`.
    pub recipient: String,
    pub user_data: Option<Vec<u8>>,
    pub event: Event,
}

/// The push events the daemon has not taken yet; bounded (the oldest go first), so a
/// daemon that stops taking them cannot make the scheduler grow without end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    pub items: VecDeque<Push>,
    /// Events dropped since the daemon last took the outbox.
    pub dropped: u64,
}

impl Outbox {
    /// Most events one turn of the scheduler may leave for the daemon.
    pub const LIMIT: usize = 10_000;

    pub fn push(&mut self, p: Push) {
        if self.items.len() >= Self::LIMIT {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(p);
    }

    /// Everything waiting, and how many were dropped before it.
    pub fn take(&mut self) -> (Vec<Push>, u64) {
        (self.items.drain(..).collect(), std::mem::take(&mut self.dropped))
    }
}
