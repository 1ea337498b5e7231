//! A bounded queue between the scheduler task (which never waits) and one notifier task.

use crate::ratelog::{left_out, RateLimited};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct Lane<T> {
    name: &'static str,
    cap: usize,
    queue: Mutex<VecDeque<T>>,
    wake: Notify,
    drop_log: RateLimited,
}

impl<T> Lane<T> {
    pub fn new(name: &'static str, cap: usize) -> Self {
        Lane {
            name,
            cap,
            queue: Mutex::new(VecDeque::new()),
            wake: Notify::new(),
            drop_log: RateLimited::new(Duration::from_secs(60)),
        }
    }

    /// Queues `item` without waiting; a full lane drops its oldest item.
    pub fn push(&self, item: T) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= self.cap {
            q.pop_front();
            if let Some(n) = self.drop_log.allow(Instant::now()) {
                tracing::warn!(
                    "Notifications ({}): queue full ({} events), oldest event dropped{}",
                    self.name,
                    self.cap,
                    left_out(n)
                );
            }
        }
        q.push_back(item);
        drop(q);
        self.wake.notify_one();
    }

    /// The next item, waiting for one.
    pub async fn pop(&self) -> T {
        loop {
            if let Some(item) = self.queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front() {
                return item;
            }
            self.wake.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lane;

    #[tokio::test]
    async fn a_full_lane_keeps_the_newest() {
        let lane = Lane::new("test", 3);
        for i in 0..10 {
            lane.push(i);
        }
        assert_eq!([lane.pop().await, lane.pop().await, lane.pop().await], [7, 8, 9]);
    }
}
