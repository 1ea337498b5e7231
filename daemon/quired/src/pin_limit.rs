//! Per-client rate limit on PIN work. Each `job-password` checked or set costs a PBKDF2
//! that is slow on purpose (`quire_vault::PIN_ITERATIONS`), so without a limit any client
//! could keep the CPUs busy, and try PINs across many jobs (each job locks itself after
//! `MAX_PIN_FAILURES` wrong ones, but not its neighbours).
//!
//! Pure: no clock, no I/O; the caller passes `Instant`s and keeps one `PinLimiter` (behind a
//! mutex) for the daemon. Memory is bounded: at most `max_clients` clients are tracked.

use crate::guard::{ClientId, ClientKey as Key};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// PIN operations (a PIN checked at release, or set on a new job) one client may start
/// within [`PIN_WINDOW`].
pub const PIN_ATTEMPTS: usize = 20;
/// The sliding window of [`PIN_ATTEMPTS`].
pub const PIN_WINDOW: Duration = Duration::from_secs(60);
/// Clients tracked at most; when full, those with nothing left in the window go first,
/// then the least recently active.
const MAX_CLIENTS: usize = 10_000;

#[derive(Debug)]
pub struct PinLimiter {
    max: usize,
    window: Duration,
    max_clients: usize,
    clients: HashMap<Key, VecDeque<Instant>>,
}

impl Default for PinLimiter {
    fn default() -> Self {
        PinLimiter::new(PIN_ATTEMPTS, PIN_WINDOW, MAX_CLIENTS)
    }
}

impl PinLimiter {
    pub fn new(max: usize, window: Duration, max_clients: usize) -> Self {
        PinLimiter {
            max: max.max(1),
            window,
            max_clients: max_clients.max(1),
            clients: HashMap::new(),
        }
    }

    /// Counts one PIN operation for `client`, or refuses it: `Err(wait)` until the oldest
    /// one counted leaves the window. A refused attempt is not counted.
    pub fn admit(&mut self, client: &ClientId, now: Instant) -> Result<(), Duration> {
        let key = Key::of(client);
        if !self.clients.contains_key(&key) && self.clients.len() >= self.max_clients {
            self.make_room(now);
        }
        let window = self.window;
        let times = self.clients.entry(key).or_default();
        while times.front().is_some_and(|t| now.saturating_duration_since(*t) >= window) {
            times.pop_front();
        }
        if times.len() >= self.max {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(window
                .saturating_sub(now.saturating_duration_since(oldest))
                .max(Duration::from_secs(1)));
        }
        times.push_back(now);
        Ok(())
    }

    /// Clients tracked (for tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn tracked(&self) -> usize {
        self.clients.len()
    }

    fn make_room(&mut self, now: Instant) {
        let window = self.window;
        self.clients.retain(|_, t| {
            t.back().is_some_and(|last| now.saturating_duration_since(*last) < window)
        });
        if self.clients.len() < self.max_clients {
            return;
        }
        let stalest =
            self.clients.iter().min_by_key(|(_, t)| t.back().copied()).map(|(k, _)| k.clone());
        if let Some(k) = stalest {
            self.clients.remove(&k);
        }
    }
}

#[cfg(test)]
#[path = "pin_limit_tests.rs"]
mod tests;
