//! `--pin-flood`: what a flood of anonymous requests carrying a `job-password` does to
//! everyone else. `conns` connections send, back to back for `secs`, either Create-Job with a
//! PIN (`create`) or Release-Job with a wrong PIN for a held PIN job (`release`: the job locks
//! after 5 wrong PINs, and every later one still asks for a PIN check), while one other
//! connection sends Get-Jobs back to back and records how long each took. The same Get-Jobs
//! run without the flood first gives the idle figure.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

use crate::client::{self, Conn};
use crate::load::{monitor, Sample};

/// What the flooding clients send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flood {
    Create,
    Release,
}

impl Flood {
    pub fn parse(s: &str) -> Option<Flood> {
        match s {
            "create" => Some(Flood::Create),
            "release" => Some(Flood::Release),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Flood::Create => "Create-Job with a PIN",
            Flood::Release => "Release-Job with a wrong PIN",
        }
    }
}

/// Get-Jobs latencies without and with the flood, and what the flood got.
pub struct FloodResult {
    pub idle: Vec<Duration>,
    pub flooded: Vec<Duration>,
    /// Flood requests answered successful-ok, and answered otherwise (refused, wrong PIN).
    pub flood_ok: u64,
    pub flood_refused: u64,
}

/// A request from an anonymous client that claims to be "mallory".
fn request(op: Operation, printer_uri: &str) -> Message {
    client::request_as(op, printer_uri, "mallory")
}

fn with_pin(mut msg: Message, pin: &str) -> Message {
    msg.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("job-password", Value::OctetString(pin.as_bytes().to_vec())));
    msg
}

/// A held PIN job to release (Print-Job with job-password 1234 and a one-line document).
fn pin_job(port: u16, path: &str, printer_uri: &str) -> std::io::Result<i32> {
    let mut msg = with_pin(request(Operation::PrintJob, printer_uri), "1234");
    msg.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("document-format", Value::MimeMediaType("text/plain".into())));
    let mut body = msg.encode();
    body.extend_from_slice(b"pin flood\n");
    let resp = Conn::connect(port, Duration::from_secs(60))?.call(path, &body)?;
    resp.attr(DelimiterTag::Job, "job-id")
        .and_then(|a| a.first_i32())
        .ok_or_else(|| client::other(format!("Print-Job with a PIN: status 0x{:04x}", resp.code)))
}

fn get_jobs_for(
    port: u16,
    path: &str,
    printer_uri: &str,
    secs: u64,
    busy: Option<&dyn Fn(&AtomicBool)>,
) -> Vec<Duration> {
    let stop = AtomicBool::new(false);
    let body = client::get_jobs(printer_uri);
    let samples: Vec<Sample> = std::thread::scope(|s| {
        let watcher = s.spawn(|| monitor(port, path, &body, Instant::now(), &stop));
        match busy {
            Some(f) => f(&stop),
            None => std::thread::sleep(Duration::from_secs(secs)),
        }
        stop.store(true, Ordering::SeqCst);
        watcher.join().unwrap_or_default()
    });
    let mut lat: Vec<Duration> = samples.iter().filter(|s| s.ok).map(|s| s.latency).collect();
    lat.sort();
    lat
}

/// Runs the idle and the flooded Get-Jobs measurement against one server.
pub fn measure(
    port: u16,
    path: &str,
    printer_uri: &str,
    flood: Flood,
    conns: usize,
    secs: u64,
) -> std::io::Result<FloodResult> {
    let body = match flood {
        Flood::Create => with_pin(request(Operation::CreateJob, printer_uri), "4321").encode(),
        Flood::Release => {
            let id = pin_job(port, path, printer_uri)?;
            let mut msg = with_pin(request(Operation::ReleaseJob, printer_uri), "0000");
            msg.group_mut(DelimiterTag::Operation)
                .push(Attribute::new("job-id", Value::Integer(id)));
            msg.encode()
        }
    };
    let idle = get_jobs_for(port, path, printer_uri, secs, None);
    let (ok, refused) = (AtomicU64::new(0), AtomicU64::new(0));
    let run_flood = |stop: &AtomicBool| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        std::thread::scope(|s| {
            for _ in 0..conns {
                s.spawn(|| {
                    let mut conn: Option<Conn> = None;
                    while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
                        let c = match conn.as_mut() {
                            Some(c) => c,
                            None => match Conn::connect(port, Duration::from_secs(120)) {
                                Ok(c) => conn.insert(c),
                                Err(_) => continue,
                            },
                        };
                        match c.call_status(path, &body) {
                            Ok(st) if client::is_ok(st) => ok.fetch_add(1, Ordering::Relaxed),
                            Ok(_) => refused.fetch_add(1, Ordering::Relaxed),
                            Err(_) => {
                                conn = None;
                                refused.fetch_add(1, Ordering::Relaxed)
                            }
                        };
                    }
                });
            }
        });
    };
    let flooded = get_jobs_for(port, path, printer_uri, secs, Some(&run_flood));
    Ok(FloodResult {
        idle,
        flooded,
        flood_ok: ok.into_inner(),
        flood_refused: refused.into_inner(),
    })
}

/// "p50 1.2 ms, p99 3.4 ms, max 5.6 ms (n=1234)".
pub fn describe(lat: &[Duration]) -> String {
    if lat.is_empty() {
        return "no Get-Jobs answered".into();
    }
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0;
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (n={})",
        pct(0.5),
        pct(0.99),
        pct(1.0),
        lat.len()
    )
}
