//! Subscriptions (RFC 3995) and the events queued on them.

use std::collections::VecDeque;

/// A subscription (RFC 3995) with pull delivery (RFC 3996, ippget).
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
}
