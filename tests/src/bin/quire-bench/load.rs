//! Closed-loop load: N threads, one keep-alive connection each, sending the same request
//! back to back for a fixed time (or until a shared budget of requests runs out).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{is_ok, Conn, Endpoint};

/// How long a single request may take before the connection counts as failed. Generous: the
/// point of some measurements is to see how long a server stalls.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Default, Clone)]
pub struct LoadResult {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency of every successful request, sorted.
    pub latencies: Vec<Duration>,
    pub first_error: Option<String>,
}

impl LoadResult {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        ms(self.latencies[i])
    }
    pub fn mean_ms(&self) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        ms(self.latencies.iter().sum::<Duration>()) / self.latencies.len() as f64
    }
    pub fn max_ms(&self) -> f64 {
        self.latencies.last().map(|d| ms(*d)).unwrap_or(f64::NAN)
    }
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} ok, {} errors in {:.2} s = {:.1}/s; latency ms p50 {:.2} p99 {:.2} max {:.2}",
            self.ok,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.percentile_ms(0.5),
            self.percentile_ms(0.99),
            self.max_ms()
        );
        if let Some(e) = &self.first_error {
            s.push_str(&format!("; first error: {e}"));
        }
        s
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `conns` connections for `duration`, each POSTing `body` to `path` in a loop. With a
/// `budget`, every request takes one unit first and the run ends when none are left. A response
/// with a non-successful IPP status counts as an error. `progress`, if given, counts successes.
pub fn run(
    port: u16,
    path: &str,
    body: &[u8],
    conns: usize,
    duration: Duration,
    budget: Option<&AtomicI64>,
    progress: Option<&AtomicU64>,
) -> LoadResult {
    run_at(&Endpoint::Tcp(port), path, body, conns, duration, budget, progress)
}

/// [`run`] against any endpoint (loopback TCP or a Unix socket).
pub fn run_at(
    to: &Endpoint,
    path: &str,
    body: &[u8],
    conns: usize,
    duration: Duration,
    budget: Option<&AtomicI64>,
    progress: Option<&AtomicU64>,
) -> LoadResult {
    let total = Mutex::new(LoadResult::default());
    let t0 = Instant::now();
    let deadline = t0 + duration;
    std::thread::scope(|s| {
        for _ in 0..conns {
            s.spawn(|| {
                let mut mine = LoadResult::default();
                let mut conn: Option<Conn> = None;
                while Instant::now() < deadline && mine.errors < 100 {
                    if let Some(b) = budget {
                        if b.fetch_sub(1, Ordering::SeqCst) <= 0 {
                            break;
                        }
                    }
                    let c = match conn.as_mut() {
                        Some(c) => c,
                        None => match Conn::connect_to(to, REQUEST_TIMEOUT) {
                            Ok(c) => conn.insert(c),
                            Err(e) => {
                                mine.errors += 1;
                                mine.first_error.get_or_insert(format!("connect: {e}"));
                                if let Some(b) = budget {
                                    b.fetch_add(1, Ordering::SeqCst);
                                }
                                std::thread::sleep(Duration::from_millis(20));
                                continue;
                            }
                        },
                    };
                    let t = Instant::now();
                    match c.call_status(path, body) {
                        Ok(status) if is_ok(status) => {
                            mine.latencies.push(t.elapsed());
                            mine.ok += 1;
                            if let Some(p) = progress {
                                p.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(status) => {
                            mine.errors += 1;
                            mine.first_error.get_or_insert(format!("IPP status 0x{status:04x}"));
                        }
                        Err(e) => {
                            mine.errors += 1;
                            mine.first_error.get_or_insert(format!("{e}"));
                            conn = None;
                            if let Some(b) = budget {
                                b.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                }
                let mut t = total.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                t.ok += mine.ok;
                t.errors += mine.errors;
                t.latencies.extend(mine.latencies);
                if t.first_error.is_none() {
                    t.first_error = mine.first_error;
                }
            });
        }
    });
    let mut total = total.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    total.elapsed = t0.elapsed();
    total.latencies.sort();
    total
}

/// One sample of the background monitor: when the request was sent (relative to the monitor's
/// start), how long it took, and whether it succeeded.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub sent: Duration,
    pub latency: Duration,
    pub ok: bool,
}

/// Sends `body` to `path` back to back on one connection until `stop` is set; returns every
/// sample. Used to watch a server's responsiveness while something else (a purge) runs.
pub fn monitor(port: u16, path: &str, body: &[u8], t0: Instant, stop: &AtomicBool) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut conn: Option<Conn> = None;
    while !stop.load(Ordering::SeqCst) {
        let sent = Instant::now();
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match Conn::connect(port, REQUEST_TIMEOUT) {
                Ok(c) => conn.insert(c),
                Err(_) => {
                    samples.push(Sample { sent: sent - t0, latency: sent.elapsed(), ok: false });
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            },
        };
        let ok = match c.call_status(path, body) {
            Ok(status) => is_ok(status),
            Err(_) => {
                conn = None;
                false
            }
        };
        samples.push(Sample { sent: sent.duration_since(t0), latency: sent.elapsed(), ok });
    }
    samples
}
