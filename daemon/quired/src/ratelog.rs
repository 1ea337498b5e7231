//! Rate limits for log lines a client can cause at will (one per refused connection, say):
//! at most one line per interval, and that line says how many were left out before it, so
//! a flood costs a line a minute, not hundreds of megabytes of log an hour. Keep one
//! [`RateLimited`] per kind of message where the tasks that log it can share it, and log
//! only when [`RateLimited::allow`] says so, ending the line with [`left_out`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One kind of message, allowed once per `interval`.
#[derive(Debug)]
pub struct RateLimited {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    last: Option<Instant>,
    left_out: u64,
}

impl RateLimited {
    pub fn new(interval: Duration) -> Self {
        RateLimited { interval, state: Mutex::new(State::default()) }
    }

    /// Should the message be logged at `now`? `Some(n)`: yes, and `n` earlier ones were left
    /// out since the last line; `None`: leave this one out (it is counted).
    pub fn allow(&self, now: Instant) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let due = s.last.is_none_or(|last| {
            now.checked_duration_since(last).is_some_and(|d| d >= self.interval)
        });
        if !due {
            s.left_out = s.left_out.saturating_add(1);
            return None;
        }
        s.last = Some(now);
        Some(std::mem::take(&mut s.left_out))
    }
}

/// " (N more since the last message)" for N > 0, else nothing: to end a rate-limited line.
pub fn left_out(n: u64) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" ({n} more since the last message)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_counting_the_rest() {
        let limit = RateLimited::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(limit.allow(t0), Some(0), "the first is logged");
        let at = |s: u64| t0 + Duration::from_secs(s);
        let logged: Vec<_> = (1..=200).filter_map(|i| limit.allow(at(i % 59 + 1))).collect();
        assert!(logged.is_empty(), "nothing more within the minute");
        assert_eq!(limit.allow(at(60)), Some(200), "the next line counts what was left out");
        assert_eq!(limit.allow(at(61)), None);
        assert_eq!(limit.allow(at(200)), Some(1));
    }

    #[test]
    fn a_clock_going_back_does_not_unlock_it() {
        let limit = RateLimited::new(Duration::from_secs(60));
        let t0 = Instant::now() + Duration::from_secs(100);
        assert_eq!(limit.allow(t0), Some(0));
        assert_eq!(limit.allow(t0 - Duration::from_secs(50)), None);
    }

    #[test]
    fn the_suffix_says_what_was_left_out() {
        assert_eq!(left_out(0), "");
        assert_eq!(left_out(3), " (3 more since the last message)");
    }
}
